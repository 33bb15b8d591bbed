//! Asset calls against the embedded server (`wats-mock`): what a call writes, the next one
//! reads; counts under concurrency; calibration dates moving the status; the station's
//! fixture check.

mod support;

use chrono::{Duration, Utc};
use wats_core::{AlarmState, Asset, AssetLogType, AssetMessage, AssetState, AssetType, Error};
use wats_http::{AssetKey, AssetLogQuery, AssetQuery, Blocker, Client};
use wats_mock::MockServer;

fn client(server: &MockServer) -> Client {
    support::client(server.url()).build().unwrap()
}

/// A type with the given limits, saved; returns its id.
async fn fixture_type(c: &Client, running_limit: i64, calibration_days: f64) -> String {
    let mut t = AssetType::new("Fixture");
    t.running_count_limit.set(running_limit);
    t.calibration_interval
        .set(wats_core::NumOrStr::from_f64(calibration_days));
    let saved = c.assets().save_type(&t).await.unwrap();
    saved.type_id.as_str().unwrap().to_owned()
}

async fn fixture(c: &Client, sn: &str, type_id: &str) -> Asset {
    c.assets().save(&Asset::new(sn, type_id)).await.unwrap()
}

#[tokio::test]
async fn crud_by_id_and_serial_number() {
    let server = MockServer::start();
    let c = client(&server);
    let ty = fixture_type(&c, 100, 30.0).await;
    let mut a = Asset::new("FX 1/A", &ty);
    a.asset_name.set("Bed of nails".to_owned());
    a.extra
        .insert("futureMember".into(), serde_json::json!([1]));
    let saved = c.assets().save(&a).await.unwrap();
    let id = saved.asset_id.as_str().unwrap().to_owned();

    let by_id = c.assets().get(&id).await.unwrap();
    let by_sn = c.assets().get_by_serial("FX 1/A").await.unwrap();
    assert_eq!(by_id, by_sn);
    assert_eq!(by_id.asset_name.as_str(), Some("Bed of nails"));
    assert_eq!(by_id.extra["futureMember"], serde_json::json!([1]));
    assert_eq!(by_id.asset_state(), Some(AssetState::InOperation));

    // Update by id: the name changes, the counts stay the server's.
    let mut upd = by_id.clone();
    upd.asset_name.set("Renamed".to_owned());
    upd.running_count.set(999);
    let after = c.assets().save(&upd).await.unwrap();
    assert_eq!(after.asset_name.as_str(), Some("Renamed"));
    assert_eq!(after.running_count.value(), Some(&0));

    let listed = c
        .assets()
        .list(&AssetQuery::new().serial_number("FX 1/A"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    c.assets()
        .set_state(&AssetKey::id(&id), AssetState::InStorage)
        .await
        .unwrap();
    assert_eq!(
        c.assets().get(&id).await.unwrap().asset_state(),
        Some(AssetState::InStorage)
    );

    c.assets()
        .delete(&AssetKey::serial("FX 1/A"))
        .await
        .unwrap();
    assert!(c.assets().get_opt(&id).await.unwrap().is_none());
    assert!(matches!(
        c.assets().get_by_serial("FX 1/A").await,
        Err(Error::NotFound { .. })
    ));
}

/// 16 threads, each with its own runtime and client (a connection pool belongs to the
/// runtime that made it), count 25 uses each of one fixture: the server sees exactly 400 count requests and the asset counts 400.
#[test]
fn count_increments_from_16_threads_are_all_counted() {
    const THREADS: u64 = 16;
    const PER_THREAD: u64 = 25;
    let server = MockServer::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let c = client(&server);
    rt.block_on(async {
        let ty = fixture_type(&c, 0, 0.0).await;
        fixture(&c, "FX-16", &ty).await;
    });
    server.reset_counters();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let url = server.url().to_owned();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let c = support::client(&url).build().unwrap();
                    for _ in 0..PER_THREAD {
                        c.assets().count_use("FX-16").await.unwrap();
                    }
                });
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(
        server.requests_for("/api/Asset/Count"),
        THREADS * PER_THREAD
    );
    let a = rt.block_on(c.assets().get_by_serial("FX-16")).unwrap();
    let n = i64::try_from(THREADS * PER_THREAD).unwrap();
    assert_eq!(a.running_count.value(), Some(&n));
    assert_eq!(a.total_count.value(), Some(&n));
}

#[tokio::test]
async fn calibration_dates_move_the_status_and_the_fixture_check() {
    let server = MockServer::start();
    let c = client(&server);
    let ty = fixture_type(&c, 1000, 30.0).await;
    fixture(&c, "FX-CAL", &ty).await;
    let key = AssetKey::serial("FX-CAL");

    // Calibrated 40 days ago with a 30-day interval: overdue, in alarm, blocked.
    let long_ago = Utc::now() - Duration::days(40);
    c.assets()
        .record_calibration(&key, Some(long_ago), Some("at the lab"))
        .await
        .unwrap();
    let status = c.assets().status(&key, None, None).await.unwrap();
    assert_eq!(status.alarm(), Some(AlarmState::Alarm));
    let check = c.assets().check_fixture("FX-CAL").await.unwrap();
    assert!(!check.may_use());
    assert!(
        check
            .blockers
            .iter()
            .any(|b| matches!(b, Blocker::CalibrationOverdue { .. })),
        "{:?}",
        check.blockers
    );

    // Calibrated now: the next date is 30 days ahead, OK, usable.
    c.assets()
        .record_calibration(&key, None, None)
        .await
        .unwrap();
    let status = c.assets().status(&key, Some(false), None).await.unwrap();
    assert_eq!(status.alarm(), Some(AlarmState::Ok));
    let check = c.assets().check_fixture("FX-CAL").await.unwrap();
    assert!(check.may_use(), "{:?}", check.blockers);
    let next = check.asset.next_calibration().unwrap();
    assert!(next > Utc::now() + Duration::days(29));

    // An external calibration period sets both dates as given; judged 2 days after its end
    // (injected clock), the fixture is blocked again.
    let from = Utc::now() - Duration::days(10);
    let to = Utc::now() + Duration::days(5);
    c.assets()
        .record_calibration_external(&key, from, to, None)
        .await
        .unwrap();
    let later = c
        .assets()
        .check_fixture_at("FX-CAL", to + Duration::days(2))
        .await
        .unwrap();
    assert!(!later.may_use());
    let log = c
        .assets()
        .log(
            &AssetLogQuery::new()
                .serial_number("FX-CAL")
                .kind(AssetLogType::Calibration),
        )
        .await
        .unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].comment.as_str(), Some("at the lab"), "newest first");
}

#[tokio::test]
async fn count_limit_blocks_until_reset_and_children_count_too() {
    let server = MockServer::start();
    let c = client(&server);
    let ty = fixture_type(&c, 3, 0.0).await;
    let parent = fixture(&c, "ATE-1", &ty).await;
    let mut child = Asset::new("FX-C", &ty);
    child.parent_asset_id = parent.asset_id.clone();
    c.assets().save(&child).await.unwrap();
    let key = AssetKey::serial("ATE-1");

    c.assets().increment_count(&key, 3, true).await.unwrap();
    let kids = c.assets().sub_assets(&key, None).await.unwrap();
    assert_eq!(kids.len(), 1);
    assert_eq!(kids[0].running_count.value(), Some(&3));
    let check = c.assets().check_fixture("ATE-1").await.unwrap();
    assert_eq!(
        check.blockers,
        [
            Blocker::InAlarm {
                message: Some("Running count limit reached".into())
            },
            Blocker::RunningCountLimit { count: 3, limit: 3 }
        ]
    );

    c.assets()
        .reset_running_count(&key, Some("new pogo pins"))
        .await
        .unwrap();
    let check = c.assets().check_fixture("ATE-1").await.unwrap();
    assert!(check.may_use(), "{:?}", check.blockers);
    assert_eq!(check.asset.total_count.value(), Some(&3));

    c.assets().set_total_count(&key, 10).await.unwrap();
    c.assets().set_running_count(&key, 2).await.unwrap();
    let a = c.assets().get_by_serial("ATE-1").await.unwrap();
    assert_eq!(
        (a.running_count.value(), a.total_count.value()),
        (Some(&2), Some(&10))
    );
    let resets = c
        .assets()
        .log(
            &AssetLogQuery::new()
                .serial_number("ATE-1")
                .kind(AssetLogType::ResetCount),
        )
        .await
        .unwrap();
    assert_eq!(resets[0].comment.as_str(), Some("new pogo pins"));
}

#[tokio::test]
async fn log_all_pages_through_every_record() {
    let server = MockServer::start();
    let c = client(&server);
    let ty = fixture_type(&c, 0, 0.0).await;
    fixture(&c, "FX-LOG", &ty).await;
    let key = AssetKey::serial("FX-LOG");
    for i in 0..7 {
        c.assets()
            .add_message(&key, &AssetMessage::new(format!("note {i}")))
            .await
            .unwrap();
    }
    server.reset_counters();
    let q = AssetLogQuery::new()
        .serial_number("FX-LOG")
        .kind(AssetLogType::Message)
        .top(3);
    let all = c.assets().log_all(&q).await.unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(all[0].comment.as_str(), Some("note 6"));
    assert_eq!(all[6].comment.as_str(), Some("note 0"));
    assert_eq!(
        server.requests_for("/api/Asset/Log"),
        3,
        "pages of 3, 3 and 1"
    );
    let types = c.assets().types().await.unwrap();
    assert_eq!(types.len(), 1);
}

#[tokio::test]
async fn assets_and_their_log_page_with_top_and_skip() {
    let server = MockServer::builder().seed(false).start().unwrap();
    let c = client(&server);
    let ty = fixture_type(&c, 0, 0.0).await;
    for i in 0..7 {
        fixture(&c, &format!("FX-PAGE-{i}"), &ty).await;
    }
    // No seed data: these seven are every asset.
    let q = AssetQuery::new();
    let expected = c.assets().list(&q).await.unwrap().len();
    assert_eq!(expected, 7);

    server.reset_counters();
    let all = c.assets().list_all(&q.clone().top(3)).await.unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(server.requests_for("/api/Asset"), 3, "pages of 3, 3 and 1");

    server.reset_counters();
    let mut stream = c.assets().list_stream(&q.clone().top(2).skip(1));
    let mut seen = Vec::new();
    while let Some(a) = stream.next_item().await {
        seen.push(a.unwrap().serial_number.as_str().unwrap_or("").to_owned());
    }
    assert_eq!(seen.len(), 6, "skip 1 of 7");
    // Pages of 2, 2 and 2; the last was full, so one more (empty) page ends it.
    assert_eq!(stream.pages_fetched(), 4);
    assert_eq!(server.requests_for("/api/Asset"), 4);
    let none = c
        .assets()
        .list_all(&q.clone().top(3).skip(7))
        .await
        .unwrap();
    assert!(none.is_empty());

    let key = AssetKey::serial("FX-PAGE-0");
    for i in 0..5 {
        c.assets()
            .add_message(&key, &AssetMessage::new(format!("n{i}")))
            .await
            .unwrap();
    }
    let lq = AssetLogQuery::new()
        .serial_number("FX-PAGE-0")
        .kind(AssetLogType::Message)
        .top(2);
    server.reset_counters();
    let mut stream = c.assets().log_stream(&lq);
    let mut n = 0;
    while let Some(r) = stream.next_item().await {
        r.unwrap();
        n += 1;
    }
    assert_eq!((n, stream.pages_fetched()), (5, 3));
    assert_eq!(server.requests_for("/api/Asset/Log"), 3);
}
