//! Crash test: a child process spools up to 150 reports while the server is down and is killed with
//! SIGKILL at a random moment, 20 times. Every report the child was told is `Spooled` must be
//! in the spool, parse, and be delivered exactly once by a flush once the server is back.
//!
//! The child is this test binary re-invoked with `WATS_SPOOL_CRASH_CHILD=<dir>|<url>`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wats_core::{Report, Status, UutReportBuilder};
use wats_http::Client;
use wats_mock::MockServer;

const CHILD_ENV: &str = "WATS_SPOOL_CRASH_CHILD";
const TEST_NAME: &str = "child_killed_while_spooling_loses_nothing";
const RUNS: usize = 20;
// 500 per run took ~100 s in debug on a loaded 2-core machine (fsync-bound); 150 keeps the
// whole test near 30 s with the same 20 repetitions.
const REPORTS: usize = 150;
const POST: &str = "/api/Report/WSJF";

fn client(url: &str, dir: &Path) -> Client {
    Client::builder()
        .base_url(url)
        .token("dXNlcjpwYXNz")
        .spool_dir(dir)
        .build()
        .unwrap()
}

/// Child mode: submit `REPORTS` reports against a dead port, printing each spooled id at once.
fn child(spec: &str) {
    let (dir, url) = spec.split_once('|').expect("<dir>|<url>");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let c = client(url, Path::new(dir));
    let stdout = std::io::stdout();
    rt.block_on(async {
        for i in 0..REPORTS {
            let report = UutReportBuilder::new("PCBA-1001", &format!("SN-CRASH-{i}"), "B", 10)
                .station("STATION-1", "Line 1", "Production")
                .result(Status::Passed)
                .build()
                .unwrap();
            let out = c.reports().submit_or_spool(&report).await.unwrap();
            assert!(out.is_spooled());
            let mut lock = stdout.lock();
            writeln!(lock, "SPOOLED {}", out.id()).unwrap();
            lock.flush().unwrap();
        }
    });
}

fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

struct RunResult {
    told: usize,
    in_spool: usize,
    delivered: usize,
}

fn one_run(server: &MockServer, run: usize) -> RunResult {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("wats-spool-crash-{}-{run}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{}|{}", dir.display(), dead_url()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // Kill after a random number of acknowledged reports, plus a random sub-millisecond delay
    // so the kill lands anywhere in the next write (temp file, fsync, rename, dir fsync).
    let kill_after = fastrand::usize(1..REPORTS);
    let told = Arc::new(Mutex::new(Vec::<String>::new()));
    let (reached_tx, reached_rx) = std::sync::mpsc::channel::<()>();
    let reader = {
        let told = told.clone();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // libtest may print `test <name> ... ` before the first line.
                if let Some((_, id)) = line.split_once("SPOOLED ") {
                    let mut told = told.lock().unwrap();
                    told.push(id.to_owned());
                    if told.len() == kill_after {
                        let _ = reached_tx.send(());
                    }
                }
            }
        })
    };
    // If the child dies early the sender is dropped and recv returns at once.
    let _ = reached_rx.recv();
    std::thread::sleep(Duration::from_micros(fastrand::u64(0..800)));
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let told: Vec<String> = told.lock().unwrap().clone();
    assert!(
        !status.success() || told.len() == REPORTS,
        "run {run}: the child exited cleanly after {} reports",
        told.len()
    );

    // Every report the child was told is spooled is there, and every spool file parses.
    let c = client(server.url(), &dir);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let entries = rt.block_on(c.spool().list()).unwrap();
    let in_spool: BTreeSet<String> = entries.iter().map(|e| e.id().to_owned()).collect();
    assert_eq!(in_spool.len(), entries.len());
    for entry in &entries {
        let bytes = std::fs::read(entry.path()).unwrap();
        let report: Report = wats_core::json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("run {run}: {} does not parse: {e}", entry.id()));
        assert_eq!(report.id.as_str(), Some(entry.id()));
    }
    for id in &told {
        assert!(
            in_spool.contains(id),
            "run {run}: told-spooled {id} is missing"
        );
    }
    // At most the one report being written at the kill can be there untold.
    assert!(
        in_spool.len() <= told.len() + 1,
        "run {run}: told {}, in spool {}",
        told.len(),
        in_spool.len()
    );

    // The server is back: one flush delivers all of them, none twice.
    server.reset_counters();
    let summary = rt.block_on(c.spool().flush()).unwrap();
    assert!(summary.is_complete(), "run {run}: {summary:?}");
    assert!(summary.quarantined.is_empty() && summary.rejected.is_empty());
    let delivered: BTreeSet<String> = summary.delivered.iter().cloned().collect();
    assert_eq!(
        delivered.len(),
        summary.delivered.len(),
        "run {run}: an id twice"
    );
    assert_eq!(delivered, in_spool, "run {run}");
    assert_eq!(
        server.requests_for(POST),
        summary.delivered.len() as u64,
        "run {run}: one request per report"
    );
    for id in &told {
        assert!(
            server.stored_report(id).is_some(),
            "run {run}: {id} not stored"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    RunResult {
        told: told.len(),
        in_spool: in_spool.len(),
        delivered: delivered.len(),
    }
}

#[test]
fn child_killed_while_spooling_loses_nothing() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        child(&spec);
        return;
    }
    let server = MockServer::builder().seed(false).start().unwrap();
    let mut told_total = 0;
    let mut untold_runs = 0;
    let mut lines = Vec::new();
    for run in 0..RUNS {
        let r = one_run(&server, run);
        told_total += r.told;
        untold_runs += usize::from(r.in_spool > r.told);
        lines.push(format!(
            "run {run:2}: told Spooled {:3}, in spool {:3}, delivered {:3}",
            r.told, r.in_spool, r.delivered
        ));
    }
    println!("{}", lines.join("\n"));
    println!(
        "{RUNS} runs, {told_total} reports told Spooled, all delivered once; \
         {untold_runs} runs killed after a write but before the answer"
    );
    assert!(told_total > 0);
}
