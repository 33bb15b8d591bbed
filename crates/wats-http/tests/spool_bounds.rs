//! The spool's bounds: `flush` waits a bounded time for another flusher's lock, a full spool
//! is a clear error that names the report, and a count that fails is an error, never zero.

mod support;

use std::time::Duration;

use wats_core::Error;
use wats_http::{Area, Limits, SpoolError, SpoolFailed, SpoolOptions, SubmitOutcome};
use wats_mock::{Fault, MockServer};

use support::spool::{POST, builder, id_of, report, temp_dir};

fn lock_timeout(err: &Error) -> (Duration, u32) {
    match SpoolError::find(err) {
        Some(SpoolError::LockTimeout { waited, attempts }) => (*waited, *attempts),
        other => panic!("not a lock timeout: {err:?} ({other:?})"),
    }
}

/// Before: `flush` polled another flusher's lock for ever. Now it gives up after the
/// configured time with a typed error (paused clock: no real waiting), and nothing is sent.
#[tokio::test(start_paused = true)]
async fn flush_gives_up_on_a_busy_lock_with_a_typed_error() {
    // No server: the flush must not get as far as the network.
    let dir = temp_dir("lock");
    let c = builder("http://127.0.0.1:9", &dir)
        .spool_lock_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let spool = c.spool().open().await.unwrap();
    let r = report("SN-LOCK");
    spool
        .put(&id_of(&r), &wats_core::json::to_vec(&r).unwrap())
        .unwrap();
    let other = spool.try_lock().unwrap().expect("free");

    let err = c.spool().flush().await.unwrap_err();
    assert!(
        matches!(&err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::TimedOut),
        "{err:?}"
    );
    let (waited, attempts) = lock_timeout(&err);
    assert!(waited >= Duration::from_secs(2), "{waited:?}");
    assert!(attempts > 1, "polled more than once: {attempts}");
    assert_eq!(c.spool().len().await.unwrap(), 1, "nothing touched");

    // A zero timeout is one try.
    let once = builder("http://127.0.0.1:9", &dir)
        .spool_lock_timeout(Duration::ZERO)
        .build()
        .unwrap();
    assert_eq!(lock_timeout(&once.spool().flush().await.unwrap_err()).1, 1);

    // `try_flush` does not wait at all.
    assert!(c.spool().try_flush().await.unwrap().is_none());
    drop(other);
    // Free again: the flush runs (and stops at the unreachable server, report kept).
    let summary = c.spool().flush().await.unwrap();
    assert!(summary.stopped_by.is_some());
    assert_eq!(summary.remaining, Some(1));
}

/// Before: the spool had no limit the client could set, so a full disk was the only
/// bound. Now a full spool refuses the report with an error that names it and says the
/// spool is full; the report is not dropped silently, and the earlier ones are kept.
#[tokio::test]
async fn a_full_spool_is_a_clear_error_naming_the_report() {
    let server = MockServer::start();
    let dir = temp_dir("full");
    let c = builder(server.url(), &dir)
        .spool_options(SpoolOptions::default().limits(Area::Spool, Limits::new(1, u64::MAX)))
        .build()
        .unwrap();
    server.refuse_connections();
    let first = report("SN-FULL-1");
    let out = c.reports().submit_or_spool(&first).await.unwrap();
    assert_eq!(out, SubmitOutcome::Spooled(id_of(&first)));

    let second = report("SN-FULL-2");
    let err = c.reports().submit_or_spool(&second).await.unwrap_err();
    let both = SpoolFailed::find(&err).expect("both causes");
    assert_eq!(both.id, id_of(&second));
    assert!(
        matches!(both.submit, Error::Transport { connect: true, .. }),
        "{both:?}"
    );
    let full = SpoolError::find(&both.spool).expect("a spool error");
    assert!(full.is_full(), "{full:?}");
    let text = err.to_string();
    assert!(
        text.contains(&id_of(&second)) && text.contains("full"),
        "{text}"
    );
    let waiting: Vec<String> = c
        .spool()
        .list()
        .await
        .unwrap()
        .iter()
        .map(|e| e.id().to_owned())
        .collect();
    assert_eq!(waiting, [id_of(&first)]);

    // Delivering the first frees room for the second.
    server.accept_connections().unwrap();
    assert!(c.spool().flush().await.unwrap().is_complete());
    server.refuse_connections();
    let out = c
        .with_new_pool()
        .reports()
        .submit_or_spool(&second)
        .await
        .unwrap();
    assert!(out.is_spooled());
}

/// Before: a spool that could not be counted after a flush read as `remaining: 0`, and with
/// nothing else stopping the flush, as complete. Here the spool directory is replaced by a
/// file while a post hangs: the count fails, and the summary says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_count_that_fails_is_an_error_not_zero() {
    let server = MockServer::start();
    let dir = temp_dir("count");
    let c = builder(server.url(), &dir).build().unwrap();
    let spool = c.spool().open().await.unwrap();
    let r = report("SN-COUNT");
    spool
        .put(&id_of(&r), &wats_core::json::to_vec(&r).unwrap())
        .unwrap();
    let hang = server.inject(Fault::hang().path_prefix(POST));
    let flush = tokio::spawn({
        let c = c.clone();
        async move { c.spool().flush().await }
    });
    while server.requests_for(POST) == 0 {
        tokio::task::yield_now().await;
    }
    let moved = dir.with_extension("moved");
    std::fs::rename(&dir, &moved).unwrap();
    std::fs::write(&dir, b"not a directory").unwrap();
    server.remove_fault(hang);
    let summary = flush.await.unwrap().unwrap();
    assert_eq!(summary.remaining, None, "{summary:?}");
    assert!(summary.stopped_by.is_some(), "{summary:?}");
    assert!(!summary.is_complete());
    let _ = std::fs::remove_file(&dir);
    let _ = std::fs::remove_dir_all(&moved);
}
