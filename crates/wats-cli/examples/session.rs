//! A scripted terminal session of `wats submit` on 200 generated WSJF files against the
//! embedded server, which fails for part of the run: three 503 answers after 50 reports
//! (`fail_next`), then no server at all from report 120 on (`refuse_connections` and
//! `close_idle_connections`) until the
//! submit is over. Then `wats spool status`, `wats spool flush` (server back) and
//! `wats spool status` again. Each command is echoed with a `$ ` prompt and runs with this
//! process's terminal, so in a terminal the progress bar shows.
//!
//! ```text
//! cargo build -p wats-cli && cargo run -p wats-cli --example session -- target/debug/wats
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use wats_core::{Status, UutReportBuilder};
use wats_mock::MockServer;

const TOKEN: &str = "ZGVtbzpkZW1v";

fn run(
    wats: &Path,
    dir: &Path,
    server: &MockServer,
    args: &[&str],
) -> Result<(), Box<dyn std::error::Error>> {
    println!("$ wats {}", args.join(" "));
    let status = Command::new(wats)
        .args(args)
        .current_dir(dir)
        .env("WATS_BASE_URL", server.url())
        .env("WATS_TOKEN", TOKEN)
        .env("WATS_SPOOL_DIR", dir.join("spool"))
        .env("WATS_CONFIG", dir.join("config.toml"))
        .env("WATS_STATION", "ICT-07")
        .status()?;
    println!("[exit {}]", status.code().unwrap_or(-1));
    println!();
    if status.success() {
        Ok(())
    } else {
        Err(format!("`wats {}` failed: {status}", args.join(" ")).into())
    }
}

fn main() -> ExitCode {
    let Some(wats) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: session PATH-TO-wats");
        return ExitCode::from(2);
    };
    let wats = match std::fs::canonicalize(&wats) {
        Ok(path) => path,
        Err(e) => {
            eprintln!("session: {}: {e}", wats.display());
            return ExitCode::FAILURE;
        }
    };
    match session(&wats) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("session: {e}");
            ExitCode::FAILURE
        }
    }
}

fn session(wats: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::builder()
        .token(TOKEN)
        .latency(Duration::from_millis(10))
        .start()?;
    let seeded = server.report_count();
    let dir = std::env::temp_dir().join(format!("wats-session-{}", std::process::id()));
    let reports = dir.join("reports");
    for line in 1..=4 {
        std::fs::create_dir_all(reports.join(format!("line-{line}")))?;
    }
    for k in 0..200 {
        let report = UutReportBuilder::new("PCBA-1001", &format!("SN-{k:05}"), "B", 20)
            .result(if k % 17 == 0 {
                Status::Failed
            } else {
                Status::Passed
            })
            .build()?;
        let path = reports
            .join(format!("line-{}", k % 4 + 1))
            .join(format!("SN-{k:05}.json"));
        std::fs::write(path, wats_core::json::to_vec(&report)?)?;
    }

    // the server's bad moments, driven by how many reports it has received
    let server = std::sync::Arc::new(server);
    let faults = {
        let server = server.clone();
        std::thread::spawn(move || {
            while server.requests_for("/api/Report/WSJF") < 50 {
                std::thread::sleep(Duration::from_millis(1));
            }
            server.fail_next(3, 503);
            while server.requests_for("/api/Report/WSJF") < 120 {
                std::thread::sleep(Duration::from_millis(1));
            }
            // down: no new connections, and the kept-alive one is closed between requests
            server.refuse_connections();
            while server.counters().open_connections() > 0 {
                server.close_idle_connections();
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };

    println!("# 200 WSJF files generated under reports/line-1 .. reports/line-4");
    run(wats, &dir, &server, &["submit", "reports"])?;
    let _ = faults.join();
    run(wats, &dir, &server, &["spool", "status"])?;
    println!("# ... WATS is back");
    server.accept_connections()?;
    run(wats, &dir, &server, &["spool", "flush"])?;
    run(wats, &dir, &server, &["spool", "status"])?;
    println!(
        "# server side: {} POST /api/Report/WSJF received, {} new reports stored",
        server.requests_for("/api/Report/WSJF"),
        server.report_count() - seeded
    );
    let stored = server.report_count() - seeded;
    std::fs::remove_dir_all(&dir)?;
    if stored == 200 {
        Ok(())
    } else {
        Err(format!("{stored} of 200 reports reached the server").into())
    }
}
