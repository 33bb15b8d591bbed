//! The blocking mirror of `submit_or_spool` and the spool, against `wats-mock`.

use std::path::PathBuf;

use wats_core::{Report, Status, UutReportBuilder};
use wats_mock::MockServer;
use wats_sync::{Client, SubmitOutcome};

const POST: &str = "/api/Report/WSJF";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wats-sync-spool-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn report(sn: &str) -> Report {
    UutReportBuilder::new("PCBA-1001", sn, "B", 10)
        .station("STATION-1", "Line 1", "Production")
        .result(Status::Passed)
        .build()
        .unwrap()
}

#[test]
fn blocking_submit_or_spool_and_flush() {
    let server = MockServer::start();
    let dir = temp_dir("mirror");
    let c = Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .spool_dir(&dir)
        .build()
        .unwrap();
    assert_eq!(c.spool().dir().unwrap(), dir);

    let up = report("SN-SYNC-UP");
    let out = c.reports().submit_or_spool(&up).unwrap();
    assert_eq!(
        out,
        SubmitOutcome::Submitted(up.id.as_str().unwrap().to_owned())
    );

    // Down: spooled, in order.
    server.refuse_connections();
    let c2 = c.clone();
    let down: Vec<String> = std::thread::spawn(move || {
        // A fresh thread has a fresh pool (refusing leaves established connections open).
        (0..3)
            .map(|i| {
                let out = c2
                    .reports()
                    .submit_or_spool(&report(&format!("SN-SYNC-{i}")))
                    .unwrap();
                assert!(out.is_spooled());
                out.into_id()
            })
            .collect()
    })
    .join()
    .unwrap();
    assert_eq!(c.spool().len().unwrap(), 3);
    let listed: Vec<String> = c
        .spool()
        .list()
        .unwrap()
        .iter()
        .map(|e| e.id().to_owned())
        .collect();
    assert_eq!(listed, down);

    // A 4xx is returned, not spooled.
    server.accept_connections().unwrap();
    server.fail_next(1, 422);
    let err = c
        .reports()
        .submit_or_spool(&report("SN-SYNC-BAD"))
        .unwrap_err();
    assert_eq!(err.status(), Some(422));

    let summary = c.spool().flush().unwrap();
    assert_eq!(summary.delivered, down);
    assert!(summary.is_complete());
    assert!(c.spool().is_empty().unwrap());
    assert!(c.spool().rejected().unwrap().is_empty());
    assert!(c.spool().quarantined().unwrap().is_empty());
    assert_eq!(server.requests_for(POST), 1 + 1 + 3);
    assert!(c.spool().try_flush().unwrap().unwrap().is_complete());
}

#[test]
fn blocking_spool_by_default() {
    let server = MockServer::start();
    let dir = temp_dir("default");
    let c = Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .spool_dir(&dir)
        .spool_by_default(true)
        .build()
        .unwrap();
    assert!(c.spools_by_default());
    server.refuse_connections();
    let r = report("SN-SYNC-DEFAULT");
    assert_eq!(c.reports().submit(&r).unwrap(), r.id.as_str().unwrap());
    assert_eq!(c.spool().len().unwrap(), 1);
    server.accept_connections().unwrap();
    assert_eq!(c.spool().flush().unwrap().delivered.len(), 1);
    assert!(server.stored_report(r.id.as_str().unwrap()).is_some());
}

#[tokio::test]
async fn blocking_spool_inside_async_works() {
    let dir = temp_dir("async");
    let c = Client::builder()
        .base_url("http://127.0.0.1:9")
        .token("dA==")
        .spool_dir(&dir)
        .build()
        .unwrap();
    // Once refused with `BlockingInAsyncContext`; now run on a background runtime.
    assert!(c.spool().flush().unwrap().delivered.is_empty());
    assert!(c.reports().submit_or_spool(&report("SN-X")).is_ok());
    assert_eq!(c.spool().len().unwrap(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
