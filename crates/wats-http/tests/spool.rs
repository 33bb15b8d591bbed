//! `submit_or_spool`, flush and the background flusher against `wats-mock`.

mod support;

use std::time::{Duration, Instant};

use wats_breaker::ManualClock;
use wats_core::{Error, Report};
use wats_http::{Client, DeadLetter, RateLimit, SpoolFailed, SubmitOutcome};
use wats_mock::{Fault, MockServer};

use support::spool::{POST, TOKEN, client_for, id_of, report, spool_n_while_down, temp_dir};

#[tokio::test]
async fn spooled_when_the_circuit_is_open() {
    let server = MockServer::start();
    let dir = temp_dir("circuit");
    let c = Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .spool_dir(&dir)
        .circuit_breaker_threshold(1)
        .build()
        .unwrap();
    server.fail_next(1, 503);
    let first = c
        .reports()
        .submit_or_spool(&report("SN-CB-1"))
        .await
        .unwrap();
    assert!(first.is_spooled());
    let seen = server.requests_total();
    // The breaker is open now: the next report is spooled without touching the network.
    let second = c
        .reports()
        .submit_or_spool(&report("SN-CB-2"))
        .await
        .unwrap();
    assert!(second.is_spooled());
    assert_eq!(server.requests_total(), seen);
    assert_eq!(c.spool().len().await.unwrap(), 2);
    // A flush while the circuit is open stops at once and keeps both.
    let summary = c.spool().flush().await.unwrap();
    assert!(matches!(
        summary.stopped_by,
        Some(Error::CircuitOpen { .. })
    ));
    assert_eq!(summary.remaining, Some(2));
    assert_eq!(server.requests_total(), seen);
}

/// A report the client's own rate limit refuses (fail fast) is kept, not handed back: it is
/// spooled without a request, a flush while the limiter still refuses stops at it (again
/// without a request), and a flush once the limiter admits again delivers it.
#[tokio::test]
async fn spooled_when_the_rate_limit_refuses_and_delivered_by_a_later_flush() {
    let server = MockServer::start();
    let dir = temp_dir("ratelimit");
    let clock = ManualClock::new();
    let c = Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .spool_dir(&dir)
        .rate_limit(
            RateLimit::new(1, Duration::from_secs(60))
                .fail_fast(true)
                .clock(clock.clone()),
        )
        .build()
        .unwrap();
    let first = report("SN-RL-1");
    assert_eq!(
        c.reports().submit_or_spool(&first).await.unwrap(),
        SubmitOutcome::Submitted(id_of(&first))
    );
    let seen = server.requests_total();
    // The quota of the period is spent: the second report is spooled, nothing is sent.
    let second = report("SN-RL-2");
    let out = c.reports().submit_or_spool(&second).await.unwrap();
    assert_eq!(out, SubmitOutcome::Spooled(id_of(&second)));
    assert_eq!(server.requests_total() - seen, 0);
    assert_eq!(c.spool().len().await.unwrap(), 1);
    // A flush in the same period stops at it, sends nothing and keeps it.
    let summary = c.spool().flush().await.unwrap();
    assert!(
        matches!(summary.stopped_by, Some(Error::RateLimited { .. })),
        "{summary:?}"
    );
    assert_eq!(summary.remaining, Some(1));
    assert_eq!(server.requests_total() - seen, 0);
    // Next period: the flush delivers it, with one request.
    clock.advance(Duration::from_secs(60));
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, vec![id_of(&second)]);
    assert_eq!(summary.remaining, Some(0));
    assert!(summary.stopped_by.is_none());
    assert_eq!(server.requests_total() - seen, 1);
    assert!(server.stored_report(&id_of(&second)).is_some());
}

#[tokio::test]
async fn submitted_when_the_server_is_up() {
    let server = MockServer::start();
    let dir = temp_dir("up");
    let c = client_for(server.url(), &dir);
    let r = report("SN-UP-1");
    let out = c.reports().submit_or_spool(&r).await.unwrap();
    assert_eq!(out, SubmitOutcome::Submitted(id_of(&r)));
    assert_eq!(out.id(), id_of(&r));
    assert!(server.stored_report(out.id()).is_some());
    assert_eq!(c.spool().len().await.unwrap(), 0);
}

#[tokio::test]
async fn spooled_on_refused_connection_and_delivered_byte_for_byte() {
    let server = MockServer::start();
    let dir = temp_dir("refused");
    let c = client_for(server.url(), &dir);
    server.refuse_connections();
    let r = report("SN-REFUSED-1");
    let out = c.reports().submit_or_spool(&r).await.unwrap();
    assert_eq!(out, SubmitOutcome::Spooled(id_of(&r)));
    assert_eq!(server.requests_for(POST), 0);

    // The spool holds exactly this report, named by its id, and it parses back.
    let list = c.spool().list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id(), id_of(&r));
    let bytes = std::fs::read(list[0].path()).unwrap();
    let back: Report = wats_core::json::from_slice(&bytes).unwrap();
    assert_eq!(back, r);

    server.accept_connections().unwrap();
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, [id_of(&r)]);
    assert!(summary.is_complete(), "{summary:?}");
    assert_eq!(server.stored_report(&id_of(&r)).unwrap(), bytes);
    assert_eq!(server.requests_for(POST), 1);
    assert!(c.spool().is_empty().await.unwrap());
}

#[tokio::test]
async fn spooled_on_503_after_a_single_attempt() {
    let server = MockServer::start();
    let dir = temp_dir("503");
    let c = client_for(server.url(), &dir);
    server.fail_next(1, 503);
    let out = c
        .reports()
        .submit_or_spool(&report("SN-503"))
        .await
        .unwrap();
    assert!(out.is_spooled());
    assert_eq!(server.requests_for(POST), 1, "POST is never retried");
    assert!(server.stored_report(out.id()).is_none());
    assert_eq!(c.spool().len().await.unwrap(), 1);
}

#[tokio::test]
async fn spooled_on_timeout() {
    let server = MockServer::start();
    let dir = temp_dir("timeout");
    let c = Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .spool_dir(&dir)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    server.inject(Fault::hang().path_prefix(POST));
    let out = c
        .reports()
        .submit_or_spool(&report("SN-HANG"))
        .await
        .unwrap();
    assert!(out.is_spooled());
    assert_eq!(c.spool().len().await.unwrap(), 1);
    assert_eq!(server.requests_for(POST), 1);
}

#[tokio::test]
async fn bad_reports_are_returned_not_spooled() {
    let server = MockServer::start();
    let dir = temp_dir("4xx");
    let c = client_for(server.url(), &dir);
    // An injected 400 ...
    server.fail_next(1, 400);
    let err = c
        .reports()
        .submit_or_spool(&report("SN-400"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    // ... and the mock's own validation (a report without a part number) are errors;
    // nothing was spooled.
    let mut bad = report("SN-NO-PN");
    bad.pn.set(String::new());
    let err = c.reports().submit_or_spool(&bad).await.unwrap_err();
    assert!(
        matches!(&err, Error::Status { status: 400, message, .. } if message.contains("pn")),
        "{err:?}"
    );
    assert_eq!(c.spool().len().await.unwrap(), 0);
    assert_eq!(server.requests_for(POST), 2);
}

/// 401, 403, 404 and 407 are not the report's fault (a rotated token, a missing
/// permission, a wrong base URL, a proxy): the report is spooled, a flush keeps it and
/// stops with the reason, and once the set-up is fixed a flush delivers it.
#[tokio::test]
async fn set_up_failures_spool_the_report_and_stop_the_flush() {
    for status in [401, 403, 404, 407] {
        let server = MockServer::start();
        let dir = temp_dir(&format!("setup-{status}"));
        let c = client_for(server.url(), &dir);
        let r = report(&format!("SN-{status}"));
        server.fail_next(1, status);
        let outcome = c.reports().submit_or_spool(&r).await.unwrap();
        assert!(
            matches!(&outcome, SubmitOutcome::Held { id, .. } if *id == id_of(&r)),
            "{status}: {outcome:?}"
        );
        assert_eq!(c.spool().len().await.unwrap(), 1, "{status}");

        // Still failing: the flush stops, keeps the report, and says why.
        server.fail_next(1, status);
        let summary = c.spool().flush().await.unwrap();
        assert_eq!(
            summary.stopped_by.as_ref().and_then(Error::status),
            Some(status)
        );
        assert!(summary.delivered.is_empty() && summary.rejected.is_empty());
        assert_eq!(summary.remaining, Some(1), "{status}");
        assert!(c.spool().rejected().await.unwrap().is_empty(), "{status}");

        // Fixed: delivered.
        let summary = c.spool().flush().await.unwrap();
        assert!(summary.is_complete(), "{status}: {summary:?}");
        assert_eq!(summary.delivered, [id_of(&r)]);
        assert!(server.stored_report(&id_of(&r)).is_some());
        assert_eq!(server.requests_for(POST), 3, "{status}");
    }
}

#[tokio::test]
async fn spool_by_default_makes_submit_spool() {
    let server = MockServer::start();
    let dir = temp_dir("default");
    let c = Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .spool_dir(&dir)
        .spool_by_default(true)
        .build()
        .unwrap();
    assert!(c.spools_by_default());
    server.refuse_connections();
    let r = report("SN-DEFAULT");
    assert_eq!(c.reports().submit(&r).await.unwrap(), id_of(&r));
    assert_eq!(c.spool().list().await.unwrap()[0].id(), id_of(&r));
    server.accept_connections().unwrap();
    // With the server up it submits as usual.
    let r2 = report("SN-DEFAULT-2");
    assert_eq!(c.reports().submit(&r2).await.unwrap(), id_of(&r2));
    assert!(server.stored_report(&id_of(&r2)).is_some());
    assert_eq!(c.spool().len().await.unwrap(), 1);

    // Without the option, submit returns the transport error.
    let plain = client_for(server.url(), &dir);
    assert!(!plain.spools_by_default());
    server.refuse_connections();
    let err = plain
        .reports()
        .submit(&report("SN-PLAIN"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { connect: true, .. }),
        "{err:?}"
    );
    assert_eq!(c.spool().len().await.unwrap(), 1);
}

#[tokio::test]
async fn flush_replays_in_spool_order_and_stops_at_the_first_failure() {
    let server = MockServer::start();
    let dir = temp_dir("order");
    let c = client_for(server.url(), &dir);
    let ids = spool_n_while_down(&server, &c, "SN-ORDER", 6).await;
    let listed: Vec<String> = c
        .spool()
        .list()
        .await
        .unwrap()
        .iter()
        .map(|e| e.id().to_owned())
        .collect();
    assert_eq!(listed, ids, "spool order is submission order");

    // Down again: the flush stops at once and keeps everything.
    server.refuse_connections();
    let summary = c.spool().flush().await.unwrap();
    assert!(summary.delivered.is_empty());
    assert_eq!(summary.remaining, Some(6));
    assert!(
        matches!(
            summary.stopped_by,
            Some(Error::Transport { connect: true, .. })
        ),
        "{summary:?}"
    );
    server.accept_connections().unwrap();

    // A 503 on the first report: one request, then stop, nothing lost or reordered.
    server.fail_next(1, 503);
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(
        summary.stopped_by.as_ref().and_then(Error::status),
        Some(503)
    );
    assert_eq!(summary.remaining, Some(6));
    assert_eq!(server.requests_for(POST), 1);
    let listed: Vec<String> = c
        .spool()
        .list()
        .await
        .unwrap()
        .iter()
        .map(|e| e.id().to_owned())
        .collect();
    assert_eq!(listed, ids, "a report put back keeps its place");

    // Healthy: everything in order, each once.
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, ids);
    assert!(summary.is_complete());
    assert_eq!(server.requests_for(POST), 1 + 6);
    for id in &ids {
        assert!(server.stored_report(id).is_some());
    }
}

#[tokio::test]
async fn rejected_reports_move_aside_with_the_server_message() {
    let server = MockServer::start();
    let dir = temp_dir("rejected");
    // Give up at the first refusal (the default policy keeps a report for 10 attempts).
    let c = Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .spool_dir(&dir)
        .disable_circuit_breaker()
        .spool_dead_letter(DeadLetter::new(1, Duration::from_secs(3600)))
        .build()
        .unwrap();
    server.refuse_connections();
    let good1 = report("SN-REJ-1");
    let mut bad = report("SN-REJ-BAD");
    bad.pn.set(String::new());
    let good2 = report("SN-REJ-2");
    for r in [&good1, &bad, &good2] {
        assert!(c.reports().submit_or_spool(r).await.unwrap().is_spooled());
    }
    server.accept_connections().unwrap();

    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, [id_of(&good1), id_of(&good2)]);
    assert_eq!(summary.rejected, [id_of(&bad)]);
    assert!(summary.is_complete(), "{summary:?}");
    let rejected = c.spool().rejected().await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].id(), id_of(&bad));
    let message = c
        .spool()
        .open()
        .await
        .unwrap()
        .rejection_message(&id_of(&bad))
        .unwrap();
    assert!(
        message.contains("HTTP 400") && message.contains("missing the required field 'pn'"),
        "{message}"
    );
    assert!(
        dir.join("rejected")
            .join(format!("{}.json", id_of(&bad)))
            .is_file()
    );
    assert!(server.stored_report(&id_of(&bad)).is_none());
}

#[tokio::test]
async fn corrupt_files_are_quarantined_and_do_not_block_the_rest() {
    let server = MockServer::start();
    let dir = temp_dir("quarantine");
    let c = client_for(server.url(), &dir);
    let spool = c.spool().open().await.unwrap();
    let r1 = report("SN-Q-1");
    let body = wats_core::json::to_vec(&r1).unwrap();
    // A truncated report, a file whose content is another report, a good one, garbage.
    let truncated = "00000000-0000-4000-8000-00000000000a";
    spool.put(truncated, &body[..body.len() / 2]).unwrap();
    let mismatched = "00000000-0000-4000-8000-00000000000b";
    spool.put(mismatched, &body).unwrap();
    spool.put(&id_of(&r1), &body).unwrap();
    let garbage = "00000000-0000-4000-8000-00000000000c";
    std::fs::write(dir.join(format!("{garbage}.json")), b"\x00\xffnot json").unwrap();

    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, [id_of(&r1)]);
    let mut quarantined = summary.quarantined.clone();
    quarantined.sort();
    assert_eq!(quarantined, [truncated, mismatched, garbage]);
    assert!(summary.is_complete(), "{summary:?}");
    assert_eq!(c.spool().quarantined().await.unwrap().len(), 3);
    let reason = std::fs::read_to_string(
        dir.join("quarantine")
            .join(format!("{mismatched}.error.txt")),
    )
    .unwrap();
    assert!(reason.contains("holds report"), "{reason}");
    assert_eq!(server.requests_for(POST), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_flusher_delivers_after_recovery() {
    let server = MockServer::start();
    let dir = temp_dir("flusher");
    let c = client_for(server.url(), &dir);
    let ids = spool_n_while_down(&server, &c, "SN-BG", 4).await;
    server.refuse_connections();
    let flusher = c.spool().spawn_flusher(Duration::from_millis(20)).unwrap();
    // Let it fail a few times while the server is down.
    let deadline = Instant::now() + Duration::from_secs(10);
    while flusher.flushes() < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(flusher.flushes() >= 3);
    assert_eq!(flusher.delivered(), 0);
    assert_eq!(c.spool().len().await.unwrap(), 4);

    server.accept_connections().unwrap();
    while flusher.delivered() < 4 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(flusher.delivered(), 4);
    assert_eq!(c.spool().len().await.unwrap(), 0);
    assert_eq!(server.requests_for(POST), 4, "each report sent once");
    for id in &ids {
        assert!(server.stored_report(id).is_some());
    }
    flusher.stop().await;

    // A stopped flusher sends nothing more.
    let later = spool_n_while_down(&server, &c, "SN-BG-LATE", 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(c.spool().list().await.unwrap()[0].id(), later[0]);
    assert_eq!(server.requests_for(POST), 4);
    assert!(c.spool().spawn_flusher(Duration::ZERO).is_err());
}

/// Dropping a flusher's handle ends its task. The task holds the only clone of its
/// client, so when it ends the client's pooled connection to the server closes; while it
/// runs (idle for an hour between flushes) the connection stays open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_flusher_stops() {
    let server = MockServer::start();
    let dir = temp_dir("dropped");
    let c = client_for(server.url(), &dir);
    let ids = spool_n_while_down(&server, &c, "SN-DROP", 1).await;
    drop(c);
    assert_eq!(server.counters().open_connections(), 0);

    let flusher = client_for(server.url(), &dir)
        .spool()
        .spawn_flusher(Duration::from_secs(3600))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while flusher.delivered() < 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(flusher.delivered(), 1);
    assert!(server.stored_report(&ids[0]).is_some());
    // Alive and idle: its client keeps the connection.
    assert_eq!(server.counters().open_connections(), 1);
    assert!(!flusher.is_finished());

    drop(flusher);
    while server.counters().open_connections() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        server.counters().open_connections(),
        0,
        "the dropped flusher's task (and its client) must end"
    );
}

#[test]
fn spawn_flusher_needs_a_runtime() {
    let c = client_for("http://127.0.0.1:9", &temp_dir("nort"));
    assert!(matches!(
        c.spool().spawn_flusher(Duration::from_secs(1)),
        Err(Error::InvalidConfig(_))
    ));
}

#[test]
fn two_flushers_never_send_the_same_report() {
    const N: usize = 60;
    let server = MockServer::start();
    let dir = temp_dir("two");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ids = rt.block_on(async {
        let c = client_for(server.url(), &dir);
        spool_n_while_down(&server, &c, "SN-TWO", N).await
    });
    server.set_latency(Duration::from_millis(2));
    // Two flushers, each with its own client, spool handle and lock file handle.
    let url = server.url().to_owned();
    let delivered: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (url, dir) = (url.clone(), dir.clone());
                s.spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        let c = client_for(&url, &dir);
                        let mut mine = Vec::new();
                        // Keep flushing until the spool is empty, racing the other one.
                        while !c.spool().is_empty().await.unwrap() {
                            if let Some(summary) = c.spool().try_flush().await.unwrap() {
                                assert!(summary.stopped_by.is_none(), "{summary:?}");
                                mine.extend(summary.delivered);
                            } else {
                                tokio::time::sleep(Duration::from_millis(1)).await;
                            }
                        }
                        mine
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all: Vec<String> = delivered.concat();
    all.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(all, want, "every report delivered by exactly one flusher");
    assert_eq!(server.requests_for(POST), N as u64, "none sent twice");
    for id in &ids {
        assert!(server.stored_report(id).is_some());
    }
}

#[tokio::test]
async fn a_failed_spool_returns_both_causes() {
    let server = MockServer::start();
    // The spool directory cannot be created: its parent is a file.
    let parent = temp_dir("blocked");
    std::fs::write(&parent, b"a file").unwrap();
    let c = client_for(server.url(), &parent.join("spool"));
    server.refuse_connections();
    let err = c
        .reports()
        .submit_or_spool(&report("SN-NOWHERE"))
        .await
        .unwrap_err();
    let both = SpoolFailed::find(&err).expect("both causes");
    assert!(
        matches!(both.submit, Error::Transport { connect: true, .. }),
        "{both:?}"
    );
    assert!(matches!(both.spool, Error::Io { .. }), "{both:?}");
    assert!(err.to_string().contains("could not be spooled"), "{err}");
    let _ = std::fs::remove_file(&parent);
}

#[tokio::test]
async fn a_report_without_id_gets_one() {
    let server = MockServer::start();
    let dir = temp_dir("noid");
    let c = client_for(server.url(), &dir);
    let mut r = report("SN-NOID");
    r.id = None.into();
    server.refuse_connections();
    let out = c.reports().submit_or_spool(&r).await.unwrap();
    assert!(uuid_like(out.id()), "{out:?}");
    server.accept_connections().unwrap();
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, [out.id().to_owned()]);
    assert!(server.stored_report(out.id()).is_some());
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.bytes().filter(|b| *b == b'-').count() == 4
}
