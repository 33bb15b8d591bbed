//! The set-up the spool tests share (`tests/spool.rs`, `tests/spool_bounds.rs`,
//! `tests/spool_never_loops.rs`): a fresh spool folder per test, a client whose breaker stays
//! out of the way, sample reports, and spooling through an outage of `wats-mock`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use wats_core::{Report, Status, UutReportBuilder};
use wats_http::{Client, ClientBuilder, SubmitOutcome};
use wats_mock::MockServer;

/// The token every spool test sends (`user:pass`).
pub const TOKEN: &str = "dXNlcjpwYXNz";
/// The submit route, as counted by the mock.
pub const POST: &str = "/api/Report/WSJF";

static DIRS: AtomicU64 = AtomicU64::new(0);

/// A spool folder of its own, absent: unique per process, test binary run and call.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "wats-http-spool-{name}-{}-{}",
        std::process::id(),
        DIRS.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A client builder spooling to `dir` whose breaker stays out of the way: these tests are
/// about the spool and simulate outages longer than the breaker's threshold (see
/// `spooled_when_the_circuit_is_open` in `tests/spool.rs` for the breaker path).
pub fn builder(url: &str, dir: &Path) -> ClientBuilder {
    Client::builder()
        .base_url(url)
        .token(TOKEN)
        .spool_dir(dir)
        .disable_circuit_breaker()
}

/// [`builder`], built.
pub fn client_for(url: &str, dir: &Path) -> Client {
    builder(url, dir).build().unwrap()
}

/// A passed UUT report with an id, serial number `sn`.
pub fn report(sn: &str) -> Report {
    UutReportBuilder::new("PCBA-1001", sn, "B", 10)
        .station("STATION-1", "Line 1", "Production")
        .result(Status::Passed)
        .build()
        .unwrap()
}

/// A report the mock refuses with 400 every time (no part number).
pub fn bad_report(sn: &str) -> Report {
    let mut r = report(sn);
    r.pn.set(String::new());
    r
}

/// The report's id.
pub fn id_of(report: &Report) -> String {
    report.id.as_str().unwrap().to_owned()
}

/// Spool `reports` through a refused connection, in order; each is answered `Spooled` with
/// its own id.
pub async fn spool_while_down(server: &MockServer, c: &Client, reports: &[&Report]) {
    server.refuse_connections();
    // A fresh pool: refusing connections leaves established keep-alive ones open.
    let c = c.with_new_pool();
    for r in reports {
        let out = c.reports().submit_or_spool(r).await.unwrap();
        assert_eq!(out, SubmitOutcome::Spooled(id_of(r)));
    }
    server.accept_connections().unwrap();
}

/// Spool `n` new reports (serial numbers `<prefix>-<i>`) through a refused connection;
/// returns their ids in order.
pub async fn spool_n_while_down(
    server: &MockServer,
    c: &Client,
    prefix: &str,
    n: usize,
) -> Vec<String> {
    let reports: Vec<Report> = (0..n).map(|i| report(&format!("{prefix}-{i}"))).collect();
    spool_while_down(server, c, &reports.iter().collect::<Vec<_>>()).await;
    reports.iter().map(id_of).collect()
}
