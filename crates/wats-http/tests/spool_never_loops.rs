//! The spool never loops: a 2xx is delivery, a report the server keeps refusing is
//! dead-lettered, set-up failures hold the report with a reason, and a report has one id
//! before its first attempt.

mod support;

use std::time::{Duration, SystemTime};

use wats_core::{Error, Report};
use wats_http::{Client, DeadLetter, SpooledBecause, SubmitOutcome};
use wats_mock::{Fault, MockServer};

use support::spool::{POST, bad_report, builder, id_of, report, spool_while_down, temp_dir};
use support::{Reply, TestServer};

async fn waiting(c: &Client) -> Vec<(String, u32)> {
    c.spool()
        .list()
        .await
        .unwrap()
        .iter()
        .map(|e| (e.id().to_owned(), e.attempts().count))
        .collect()
}

// ---- 1. A 2xx is delivery ------------------------------------------------------------------

/// Before: the answer's decode error kept the report and stopped the flush, so every flush
/// posted it again and the reports behind it waited for ever.
#[tokio::test]
async fn a_2xx_without_a_readable_id_is_delivered_and_never_posted_again() {
    let server = MockServer::start();
    let dir = temp_dir("2xx");
    let c = builder(server.url(), &dir).build().unwrap();
    let (first, second) = (report("SN-2XX-1"), report("SN-2XX-2"));
    spool_while_down(&server, &c, &[&first, &second]).await;

    // The first post is answered 200 with a body that is not JSON.
    server.inject(Fault::malformed_json().times(1).path_prefix(POST));
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, [id_of(&first), id_of(&second)]);
    assert!(summary.is_complete(), "{summary:?}");
    assert_eq!(server.requests_for(POST), 2);
    assert!(c.spool().is_empty().await.unwrap());

    // The warning with the raw answer: `spool_events.rs`.

    // Never posted again.
    let again = c.spool().flush().await.unwrap();
    assert!(
        again.delivered.is_empty() && again.is_complete(),
        "{again:?}"
    );
    assert_eq!(server.requests_for(POST), 2);
}

/// A 2xx JSON answer without an id field (`{}`), from a scripted server: `submit_or_spool`
/// answers `Submitted` with the report's own id and spools nothing; a flush delivers.
#[tokio::test]
async fn a_2xx_json_answer_without_an_id_is_submitted_under_the_report_id() {
    let server = TestServer::start(|_, _| Reply::json(200, "{}")).await;
    let dir = temp_dir("2xx-json");
    let c = builder(&server.url(), &dir).build().unwrap();
    let r = report("SN-2XX-JSON");
    let out = c.reports().submit_or_spool(&r).await.unwrap();
    assert_eq!(out, SubmitOutcome::Submitted(id_of(&r)));
    assert!(c.spool().is_empty().await.unwrap());
    assert_eq!(server.count(), 1);

    // The same answer to a spooled report: delivered, removed.
    let spool = c.spool().open().await.unwrap();
    let r2 = report("SN-2XX-JSON-2");
    spool
        .put(&id_of(&r2), &wats_core::json::to_vec(&r2).unwrap())
        .unwrap();
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, [id_of(&r2)]);
    assert!(summary.is_complete(), "{summary:?}");
    assert_eq!(server.count(), 2);
}

// ---- 2. Dead letters -----------------------------------------------------------------------

/// Before: a report the server refused was moved aside at the first refusal, and nothing
/// counted attempts. Now each refusal is recorded, the flush goes on with the rest, and the
/// policy's third refusal moves it to `rejected/` with the server's answer.
#[tokio::test]
async fn a_report_always_refused_is_dead_lettered_after_the_configured_attempts() {
    let server = MockServer::start();
    let dir = temp_dir("dead-attempts");
    let c = builder(server.url(), &dir)
        .spool_dead_letter(DeadLetter::new(3, Duration::from_secs(7 * 24 * 3600)))
        .build()
        .unwrap();
    let (good1, bad, good2) = (
        report("SN-DL-1"),
        bad_report("SN-DL-BAD"),
        report("SN-DL-2"),
    );
    spool_while_down(&server, &c, &[&good1, &bad, &good2]).await;

    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.delivered, [id_of(&good1), id_of(&good2)]);
    assert_eq!(summary.refused, [id_of(&bad)]);
    assert!(summary.rejected.is_empty() && summary.stopped_by.is_none());
    assert_eq!(summary.remaining, Some(1));
    assert_eq!(waiting(&c).await, [(id_of(&bad), 1)]);

    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.refused, [id_of(&bad)]);
    assert_eq!(waiting(&c).await, [(id_of(&bad), 2)]);

    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.rejected, [id_of(&bad)]);
    assert!(summary.refused.is_empty());
    assert!(summary.is_complete(), "{summary:?}");
    let message = c
        .spool()
        .open()
        .await
        .unwrap()
        .rejection_message(&id_of(&bad))
        .unwrap();
    assert!(
        message.contains("HTTP 400")
            && message.contains("'pn'")
            && message.contains("3 failed attempts"),
        "{message}"
    );
    assert_eq!(server.requests_for(POST), 2 + 3);

    // Gone from the queue: never posted again.
    assert!(c.spool().flush().await.unwrap().is_complete());
    assert_eq!(server.requests_for(POST), 5);
    assert!(server.stored_report(&id_of(&bad)).is_none());
}

/// Age: a report whose first recorded refusal is eight days old (the time injected through
/// the storage API) is dead-lettered by the default policy (7 days) at its next refusal.
#[tokio::test]
async fn a_report_refused_for_longer_than_the_max_age_is_dead_lettered() {
    let server = MockServer::start();
    let dir = temp_dir("dead-age");
    let c = builder(server.url(), &dir).build().unwrap();
    let bad = bad_report("SN-DL-AGE");
    spool_while_down(&server, &c, &[&bad]).await;
    let spool = c.spool().open().await.unwrap();
    {
        let lock = spool.try_lock().unwrap().expect("no other flusher");
        let entry = lock.entries().unwrap().remove(0);
        let mut claimed = lock.claim(&entry).unwrap();
        let eight_days_ago = SystemTime::now() - Duration::from_secs(8 * 24 * 3600);
        lock.record_attempt_at(&mut claimed, "HTTP 400", eight_days_ago)
            .unwrap();
        lock.release(claimed).unwrap();
    }
    let summary = c.spool().flush().await.unwrap();
    assert_eq!(summary.rejected, [id_of(&bad)]);
    assert!(summary.is_complete(), "{summary:?}");
    let message = spool.rejection_message(&id_of(&bad)).unwrap();
    assert!(
        message.contains("after the first failed attempt"),
        "{message}"
    );
    assert_eq!(server.requests_for(POST), 1);
}

/// Outages and set-up failures say nothing about the report: even with a policy that gives
/// up at the first refusal, none of them is recorded as an attempt or dead-letters it.
#[tokio::test]
async fn outages_and_set_up_failures_never_count_as_attempts() {
    let server = MockServer::start();
    let dir = temp_dir("no-count");
    let c = builder(server.url(), &dir)
        .spool_dead_letter(DeadLetter::new(1, Duration::ZERO))
        .build()
        .unwrap();
    let r = report("SN-NO-COUNT");
    spool_while_down(&server, &c, &[&r]).await;
    for status in [500, 502, 503, 401, 403, 404, 407, 429] {
        server.fail_next(1, status);
        let summary = c.spool().flush().await.unwrap();
        assert_eq!(
            summary.stopped_by.as_ref().and_then(Error::status),
            Some(status)
        );
        assert!(summary.rejected.is_empty() && summary.refused.is_empty());
        assert_eq!(waiting(&c).await, [(id_of(&r), 0)], "{status}");
    }
    server.refuse_connections();
    let summary = c.with_new_pool().spool().flush().await.unwrap();
    assert!(matches!(summary.stopped_by, Some(Error::Transport { .. })));
    assert_eq!(waiting(&c).await, [(id_of(&r), 0)]);
    server.accept_connections().unwrap();

    let summary = c.with_new_pool().spool().flush().await.unwrap();
    assert_eq!(summary.delivered, [id_of(&r)]);
    assert!(c.spool().rejected().await.unwrap().is_empty());
}

// ---- 3. Set-up failures hold the report, and say why -----------------------------------

/// Before: 401/403/404/407 spooled the report as a plain `Spooled(id)`: nothing told the
/// caller that no flush would deliver it until the token, permission, proxy or URL was fixed.
#[tokio::test]
async fn set_up_failures_hold_the_report_with_a_reason() {
    for (status, want) in [
        (401, SpooledBecause::Unauthorized),
        (403, SpooledBecause::Forbidden),
        (404, SpooledBecause::Misconfigured),
        (407, SpooledBecause::ProxyAuthentication),
    ] {
        let server = MockServer::start();
        let dir = temp_dir(&format!("held-{status}"));
        let c = builder(server.url(), &dir).build().unwrap();
        let r = report(&format!("SN-HELD-{status}"));
        server.fail_next(1, status);
        let outcome = c.reports().submit_or_spool(&r).await.unwrap();
        match &outcome {
            SubmitOutcome::Held {
                id,
                because,
                message,
            } => {
                assert_eq!(*id, id_of(&r));
                assert_eq!(*because, want);
                assert!(message.contains(&status.to_string()), "{message}");
            }
            other => panic!("{status}: {other:?}"),
        }
        assert!(outcome.is_spooled() && outcome.needs_action());
        assert_eq!(outcome.spooled_because(), Some(want));
        assert_eq!(waiting(&c).await, [(id_of(&r), 0)]);

        // The flush stops at it, keeps it, and says why in the same terms.
        server.fail_next(1, status);
        let summary = c.spool().flush().await.unwrap();
        assert_eq!(summary.held_because(), Some(want), "{status}");
        assert_eq!(summary.remaining, Some(1));

        // Fixed: delivered.
        let summary = c.spool().flush().await.unwrap();
        assert_eq!(summary.delivered, [id_of(&r)]);
        assert_eq!(summary.held_because(), None);
    }

    // An outage is plain `Spooled`, nothing to fix.
    let server = MockServer::start();
    let c = builder(server.url(), &temp_dir("held-503"))
        .build()
        .unwrap();
    server.fail_next(1, 503);
    let out = c
        .reports()
        .submit_or_spool(&report("SN-503"))
        .await
        .unwrap();
    assert!(matches!(out, SubmitOutcome::Spooled(_)), "{out:?}");
    assert_eq!(out.spooled_because(), Some(SpooledBecause::Unavailable));
    assert!(!out.needs_action());
}

// ---- 4. One id before the first attempt ------------------------------------------------

/// Before: a report without an id got a new UUID on every `submit_or_spool` call, so a
/// caller resubmitting after an error sent a second report. `assign_id` gives it one id,
/// once; every attempt carries it.
#[tokio::test]
async fn one_id_before_the_first_attempt() {
    let server = MockServer::builder().seed(false).start().unwrap();
    let dir = temp_dir("one-id");
    let c = builder(server.url(), &dir).build().unwrap();
    let mut r = report("SN-ONE-ID");
    r.id = None.into();
    let id = c.reports().assign_id(&mut r).to_owned();
    assert_eq!(c.reports().assign_id(&mut r), id, "never replaced");

    // The first attempt fails with an answer the caller gets back (nothing spooled) ...
    server.fail_next(1, 409);
    let err = c.reports().submit_or_spool(&r).await.unwrap_err();
    assert_eq!(err.status(), Some(409));
    // ... the caller retries the same report: same id, one report on the server.
    let out = c.reports().submit_or_spool(&r).await.unwrap();
    assert_eq!(out, SubmitOutcome::Submitted(id.clone()));
    // And once more after an outage: spooled under the same id, delivered over it.
    server.fail_next(1, 503);
    let out = c.reports().submit_or_spool(&r).await.unwrap();
    assert_eq!(out, SubmitOutcome::Spooled(id.clone()));
    assert_eq!(c.spool().flush().await.unwrap().delivered, [id.as_str()]);
    assert_eq!(server.report_count(), 1);
    assert!(server.stored_report(&id).is_some());

    // Without `assign_id` the id given to the report is the one in the outcome and in the
    // spooled bytes.
    let mut bare = report("SN-NO-ID");
    bare.id = None.into();
    server.fail_next(1, 503);
    let out = c.reports().submit_or_spool(&bare).await.unwrap();
    let list = c.spool().list().await.unwrap();
    let spooled: Report =
        wats_core::json::from_slice(&std::fs::read(list[0].path()).unwrap()).unwrap();
    assert_eq!(spooled.id.as_str(), Some(out.id()));
}
