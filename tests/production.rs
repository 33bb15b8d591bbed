//! The production domain against the embedded server (`wats-mock`): what a call writes is
//! read back, the change feed walks every page, serial numbers are never handed out twice.

#[path = "../crates/wats-http/tests/support/mod.rs"]
mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use wats_core::{Error, Phase, ProductionBatch, Status, Unit, UnitsSaved, UutReportBuilder};
use wats_http::{
    ChildCheck, ChildValidation, ReserveRequest, SerialFilter, SerialFormat, TakeOptions,
    UnitPhaseCache, UnitQuery,
};
use wats_mock::MockServer;

fn client(server: &MockServer) -> wats_http::Client {
    support::client(server.url()).build().unwrap()
}

fn blocking(server: &MockServer) -> wats_sync::Client {
    wats_sync::Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .build()
        .unwrap()
}

#[tokio::test]
async fn units_are_created_read_changed_tagged_and_deleted() {
    let server = MockServer::start();
    let c = client(&server);
    let p = c.production();

    // Many at once, one of them refused: a typed partial failure, the rest saved.
    let saved = p
        .save_units(&[Unit::new("U-1", "PCB-1", "A"), Unit::new("", "PCB-1", "A")])
        .await
        .unwrap();
    assert_eq!(saved.error_count(), 1);
    let failed = saved.check().unwrap_err();
    assert_eq!(failed.error_count, 1);
    assert_eq!(failed.summary.errors.items().len(), 1);
    let all_ok = p.save_unit(&Unit::new("U-2", "PCB-1", "A")).await.unwrap();
    assert!(matches!(&all_ok, UnitsSaved::Units(u) if u.len() == 1));

    // The public single-unit forms.
    p.create_unit(&Unit::new("U-3", "PCB-1", "A"))
        .await
        .unwrap();
    let again = p.create_unit(&Unit::new("U-3", "PCB-1", "A")).await;
    assert!(
        matches!(again, Err(Error::Status { status: 409, .. })),
        "{again:?}"
    );
    let mut u3 = p.get_unit("U-3", "PCB-1").await.unwrap();
    u3.current_location.set("Line 2".to_owned());
    p.update_unit(&u3).await.unwrap();
    assert_eq!(
        p.get_unit("U-3", "PCB-1")
            .await
            .unwrap()
            .current_location
            .as_str(),
        Some("Line 2")
    );

    // Created units are queryable.
    let found = p
        .query_units(&UnitQuery::new().part_number("PCB-1").top(10))
        .await
        .unwrap();
    let serials: HashSet<_> = found
        .iter()
        .filter_map(|u| u.serial_number.as_str())
        .collect();
    assert!(
        serials.is_superset(&HashSet::from(["U-1", "U-2", "U-3"])),
        "{serials:?}"
    );

    // Tag, part number change, delete.
    p.set_unit_tag("U-1", "PCB-1", "Lot", "L7").await.unwrap();
    let u1 = p.get_unit("U-1", "PCB-1").await.unwrap();
    let tag = serde_json::to_value(&u1.tags.items()[0]).unwrap();
    assert_eq!(tag, serde_json::json!({"key": "Lot", "value": "L7"}));
    p.change_unit("U-1", "PCB-1", "PCB-2", "B").await.unwrap();
    assert!(p.get_unit_opt("U-1", "PCB-1").await.unwrap().is_none());
    let moved = p.get_unit("U-1", "PCB-2").await.unwrap();
    assert_eq!(moved.revision.as_str(), Some("B"));
    assert!(p.delete_unit("U-1", "PCB-2").await.unwrap());
    assert!(!p.delete_unit("U-1", "PCB-2").await.unwrap());
    assert!(p.get_unit_opt("U-1", "PCB-2").await.unwrap().is_none());
}

#[tokio::test]
async fn verification_follows_the_submitted_reports() {
    let server = MockServer::start();
    let c = client(&server);
    let p = c.production();
    for (sn, status) in [("V-1", Status::Passed), ("V-2", Status::Failed)] {
        let report = UutReportBuilder::new("PCB-V", sn, "A", 10)
            .station("ST-1", "Line 1", "Production")
            .result(status)
            .build()
            .unwrap();
        c.reports().submit(&report).await.unwrap();
    }
    let good = p.verify_unit("V-1", Some("PCB-V")).await.unwrap();
    assert!(good.is_passing());
    assert!(good.process(10).unwrap().is_passing());
    assert!(p.is_unit_passing("V-1", None).await.unwrap());
    let bad = p.verify_unit("V-2", Some("PCB-V")).await.unwrap();
    assert!(!bad.is_passing());
    assert_eq!(bad.not_passed().count(), 1);
    assert!(!p.is_unit_passing("V-2", Some("PCB-V")).await.unwrap());
    let unknown = p.verify_unit("NOPE", None).await;
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn phases_processes_and_assembly_show_in_hierarchy_and_history() {
    let server = MockServer::start();
    let c = client(&server);
    let p = c.production();
    p.save_units(&[
        Unit::new("BOX-1", "BOX", "A"),
        Unit::new("SUB-1", "PCB", "B"),
    ])
    .await
    .unwrap()
    .check()
    .unwrap();

    // A child that is not finalized is refused, as the server's rule says.
    let refused = p
        .add_child_unit("BOX-1", "BOX", "SUB-1", "PCB", &ChildCheck::box_build())
        .await;
    assert!(
        matches!(refused, Err(Error::Status { status: 400, .. })),
        "{refused:?}"
    );
    p.set_phase("SUB-1", "PCB", Phase::Finalized).await.unwrap();
    p.set_unit_process("BOX-1", "BOX", "Final Function")
        .await
        .unwrap();
    p.add_child_unit("BOX-1", "BOX", "SUB-1", "PCB", &ChildCheck::box_build())
        .await
        .unwrap();

    let boxed = p.get_unit("BOX-1", "BOX").await.unwrap();
    assert_eq!(boxed.children().len(), 1);
    assert_eq!(boxed.children()[0].unit_phase_id.value(), Some(&16));
    let sub = p.get_unit("SUB-1", "PCB").await.unwrap();
    assert_eq!(sub.parent_serial_number.as_str(), Some("BOX-1"));
    let check = p.check_child_units("BOX-1", "BOX").await.unwrap();
    assert_eq!(check.is_valid(), Some(true));

    let internal = p.internal();
    let tree = internal.get_unit_hierarchy("BOX-1", "BOX").await.unwrap();
    assert_eq!(tree.children()[0].serial_number.as_str(), Some("SUB-1"));
    let history = internal
        .get_unit_state_history("SUB-1", "PCB")
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].unit_phase_id.value(), Some(&16));
    let box_history = internal
        .get_unit_state_history("BOX-1", "BOX")
        .await
        .unwrap();
    assert_eq!(box_history[0].process_name.as_str(), Some("Final Function"));

    // A loop is refused; removing the child empties the hierarchy.
    p.set_phase("BOX-1", "BOX", Phase::Finalized).await.unwrap();
    let looped = internal
        .add_child_unit(
            "SUB-1",
            "PCB",
            "BOX-1",
            "BOX",
            &ChildValidation::new("BOX", "A"),
        )
        .await;
    assert!(
        matches!(looped, Err(Error::Status { status: 400, .. })),
        "{looped:?}"
    );
    p.remove_child_unit("BOX-1", "BOX", "SUB-1", "PCB")
        .await
        .unwrap();
    assert!(
        p.get_unit("BOX-1", "BOX")
            .await
            .unwrap()
            .children()
            .is_empty()
    );
    let again = p.remove_child_unit("BOX-1", "BOX", "SUB-1", "PCB").await;
    assert!(matches!(again, Err(Error::Status { status: 400, .. })));
}

#[tokio::test]
async fn batches_are_saved_and_listed() {
    let server = MockServer::start();
    let c = client(&server);
    let p = c.production();
    p.save_batches(&[
        ProductionBatch::new("B-1", 10),
        ProductionBatch::new("B-2", 20),
    ])
    .await
    .unwrap();
    p.save_batch(&ProductionBatch::new("B-1", 15))
        .await
        .unwrap();
    let all = p.batches(None, None).await.unwrap();
    assert_eq!(all.len(), 2);
    let one = p.batches(None, Some("b-1")).await.unwrap();
    assert_eq!(one, [ProductionBatch::new("B-1", 15)]);
}

/// 7 phase changes: a feed with pages of 3 reads 3 pages (3 + 3 + 1).
async fn seven_changes(p: wats_http::Production<'_>) {
    p.save_unit(&Unit::new("F-1", "PCB", "A")).await.unwrap();
    for phase in [
        Phase::UnderProduction,
        Phase::ExtendedTest,
        Phase::Finalized,
    ]
    .iter()
    .cycle()
    .take(7)
    {
        p.set_phase("F-1", "PCB", *phase).await.unwrap();
    }
}

#[tokio::test]
async fn the_change_feed_streams_every_page_and_acknowledges() {
    use std::future::poll_fn;
    use std::pin::Pin;

    use futures_core::Stream;

    let server = MockServer::start();
    let c = client(&server);
    seven_changes(c.production()).await;
    server.reset_counters();

    let mut feed = c.production().changes(3);
    let mut ids = Vec::new();
    while let Some(change) = poll_fn(|cx| Pin::new(&mut feed).poll_next(cx)).await {
        ids.push(*change.unwrap().id.value().unwrap());
    }
    assert_eq!(ids, [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(server.requests_for("/api/Production/Units/Changes"), 3);

    // Acknowledge two: the next walk sees the other five, in two pages.
    c.production().delete_unit_change(1).await.unwrap();
    c.production().delete_unit_change(5).await.unwrap();
    let gone = c.production().delete_unit_change(5).await;
    assert!(matches!(gone, Err(Error::NotFound { .. })));
    let mut feed = c.production().changes(3);
    let mut left = 0;
    while let Some(change) = poll_fn(|cx| Pin::new(&mut feed).poll_next(cx)).await {
        change.unwrap();
        left += 1;
    }
    assert_eq!(left, 5);
}

#[test]
fn the_change_feed_is_a_blocking_iterator() {
    let server = MockServer::start();
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let c = client(&server);
        rt.block_on(seven_changes(c.production()));
    }
    let b = blocking(&server);
    server.reset_counters();
    let changes: Vec<_> = b.production().changes(3).collect::<Result<_, _>>().unwrap();
    assert_eq!(changes.len(), 7);
    assert_eq!(server.requests_for("/api/Production/Units/Changes"), 3);
    // A page size that divides the count exactly: one more (empty) page ends the walk.
    server.reset_counters();
    assert_eq!(b.production().changes(7).count(), 7);
    assert_eq!(server.requests_for("/api/Production/Units/Changes"), 2);

    // A limit of 5 in pages of 3: the second page asks for the 2 changes left, and the walk
    // stops there.
    server.reset_counters();
    let limited: Vec<i64> = b
        .production()
        .changes(3)
        .limit(5)
        .map(|c| *c.unwrap().id.value().unwrap())
        .collect();
    assert_eq!(limited, [1, 2, 3, 4, 5]);
    assert_eq!(server.requests_for("/api/Production/Units/Changes"), 2);
    let last = server.last_request().unwrap();
    assert!(
        last.path_and_query.contains("maxCount=2"),
        "{}",
        last.path_and_query
    );
    // limit(0): no request.
    server.reset_counters();
    assert_eq!(b.production().changes(3).limit(0).count(), 0);
    assert_eq!(server.requests_for("/api/Production/Units/Changes"), 0);
}

#[test]
fn sixteen_threads_taking_serial_numbers_never_get_the_same_number() {
    const THREADS: usize = 16;
    const TAKES: usize = 25;
    const QUANTITY: u32 = 4;
    let server = MockServer::start();
    let b = Arc::new(blocking(&server));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let b = Arc::clone(&b);
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                for i in 0..TAKES {
                    // A third of the takes ask for XML and a third for CSV, so every
                    // answer form is parsed.
                    let mut opts = TakeOptions::new().station_name(format!("ST-{t}"));
                    match i % 3 {
                        1 => opts = opts.format(SerialFormat::Xml),
                        2 => opts = opts.format(SerialFormat::Csv),
                        _ => {}
                    }
                    let got = b
                        .production()
                        .serials()
                        .take("PCBA-SN", QUANTITY, &opts)
                        .unwrap();
                    assert_eq!(got.len(), QUANTITY as usize);
                    mine.extend(got);
                }
                mine
            })
        })
        .collect();
    let all: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let distinct: HashSet<&String> = all.iter().collect();
    let expected = THREADS * TAKES * QUANTITY as usize;
    assert_eq!(all.len(), expected);
    assert_eq!(
        distinct.len(),
        expected,
        "a serial number was handed out twice"
    );
    assert_eq!(
        server.requests_for("/api/Production/SerialNumbers/Take"),
        (THREADS * TAKES) as u64
    );
    // The server agrees: every one of them is taken.
    let stats = b
        .production()
        .internal()
        .serial_number_statistics(Some("PCBA-SN"))
        .unwrap();
    assert_eq!(stats["taken"], expected);
}

#[tokio::test]
async fn serial_numbers_find_import_export_reserve_and_free() {
    let server = MockServer::start();
    let c = client(&server);
    let s = c.production().serials();
    let types = s.types().await.unwrap();
    assert!(types.iter().any(|t| t.name.as_str() == Some("MAC")));

    let taken = s
        .take(
            "MAC",
            3,
            &TakeOptions::new()
                .ref_serial_number("BOX-9")
                .ref_part_number("BOX"),
        )
        .await
        .unwrap();
    assert_eq!(taken.len(), 3);
    let one = s.take_one("MAC", &TakeOptions::new()).await.unwrap();
    assert!(!taken.contains(&one));
    let by_ref = s.by_reference("MAC", Some("BOX-9"), None).await.unwrap();
    assert_eq!(by_ref.len(), 3);
    let range = s.by_range("MAC", &taken[0], &taken[2]).await.unwrap();
    assert_eq!(range.len(), 3);

    // Imported numbers are free and handed out first; export lists them.
    s.import(
        "MAC",
        SerialFormat::Csv,
        &b"SerialNumber\n00AA00000001\n00AA00000002\n"[..],
    )
    .await
    .unwrap();
    let csv = s.export("MAC", SerialFormat::Csv).await.unwrap();
    let text = String::from_utf8(csv.to_vec()).unwrap();
    assert!(text.contains("00AA00000001,Free"), "{text}");
    let next = s.take("MAC", 2, &TakeOptions::new()).await.unwrap();
    assert_eq!(next, ["00AA00000001", "00AA00000002"]);
    let xml = s.export("MAC", SerialFormat::Xml).await.unwrap();
    assert!(xml.starts_with(b"<SerialNumbers"));
    let only = s
        .export_with(
            "MAC",
            SerialFormat::Csv,
            &SerialFilter::new()
                .start_address(&taken[1])
                .end_address(&taken[2]),
        )
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&only).lines().count(),
        3,
        "header and two rows"
    );
    let ranged = s
        .by_range_with(
            "MAC",
            &SerialFilter::new()
                .start_address(&taken[2])
                .end_address(&taken[2]),
        )
        .await
        .unwrap();
    assert_eq!(ranged.len(), 1);

    // Internal: reserve (no token in the body: the mock refuses one), count, free.
    let internal = c.production().internal();
    let reserved = internal
        .reserve_serial_numbers(&ReserveRequest::new("MAC", 2).station_name("ST-1"))
        .await
        .unwrap();
    assert_eq!(reserved.len(), 2);
    assert!(reserved.iter().all(|r| !taken.contains(r) && *r != one));
    let stats = internal
        .serial_number_statistics(Some("MAC"))
        .await
        .unwrap();
    assert_eq!(
        (stats["taken"].as_u64(), stats["reserved"].as_u64()),
        (Some(6), Some(2))
    );
    assert_eq!(
        internal
            .serial_number_count("MAC", None, None)
            .await
            .unwrap(),
        8
    );
    let freed = internal
        .free_serial_numbers(&[serde_json::json!({
            "serialNumberType": "MAC", "startAddress": &taken[0], "endAddress": &taken[0]
        })])
        .await
        .unwrap();
    assert_eq!(freed["freed"], 1);
    let again = s.take_one("MAC", &TakeOptions::new()).await.unwrap();
    assert_eq!(again, taken[0]);
    let ranges = internal.serial_number_ranges(Some("MAC")).await.unwrap();
    assert_eq!(ranges[0]["count"], 8);
    let unknown = s.take("NOPE", 1, &TakeOptions::new()).await;
    assert!(matches!(unknown, Err(Error::Status { status: 400, .. })));
}

/// The clock is paused only while no request is in flight (the mock runs on real time).
#[tokio::test]
async fn unit_phases_are_cached_for_their_ttl_and_refreshed_on_demand() {
    let server = MockServer::start();
    let c = client(&server);
    let internal = c.production().internal();
    let cache = UnitPhaseCache::new(Duration::from_secs(60));
    let count = || server.requests_for("/api/internal/Mes/GetUnitPhases");

    let first = internal.unit_phases(&cache).await.unwrap();
    assert!(first.iter().any(|p| p.code.as_str() == Some("Finalized")));
    tokio::time::pause();
    internal.unit_phases(&cache).await.unwrap();
    assert_eq!(count(), 1, "a fresh list is served from the cache");
    assert_eq!(
        cache
            .phase_by_name("finalized")
            .unwrap()
            .unit_phase_id
            .value(),
        Some(&16)
    );
    assert_eq!(
        cache.phase_by_id(1024).unwrap().code.as_str(),
        Some("InStorage")
    );
    tokio::time::advance(Duration::from_secs(59)).await;
    internal.unit_phases(&cache).await.unwrap();
    assert_eq!(count(), 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    assert!(cache.cached().is_none(), "stale after the TTL");
    assert!(cache.phase_by_id(16).is_none());
    tokio::time::resume();
    internal.unit_phases(&cache).await.unwrap();
    assert_eq!(count(), 2);

    cache.refresh();
    internal.unit_phases(&cache).await.unwrap();
    assert_eq!(count(), 3);
    assert!(internal.is_connected().await.unwrap());
}

#[tokio::test]
async fn phases_are_set_by_server_name() {
    let server = MockServer::start();
    let c = client(&server);
    let p = c.production();
    p.save_unit(&Unit::new("N-1", "PCB", "A")).await.unwrap();
    let cache = UnitPhaseCache::new(Duration::from_secs(600));
    let internal = p.internal();
    internal
        .set_phase_by_name(&cache, "N-1", "PCB", "In storage")
        .await
        .unwrap();
    assert_eq!(
        p.get_unit("N-1", "PCB")
            .await
            .unwrap()
            .unit_phase_id
            .value(),
        Some(&1024)
    );
    // A queued phase only the server's list knows, by its code.
    internal
        .set_phase_by_name(&cache, "N-1", "PCB", "UnderProductionQueued")
        .await
        .unwrap();
    assert_eq!(
        p.get_unit("N-1", "PCB")
            .await
            .unwrap()
            .unit_phase_id
            .value(),
        Some(&4098)
    );
    server.reset_counters();
    let bad = internal
        .set_phase_by_name(&cache, "N-1", "PCB", "Teleported")
        .await;
    assert!(matches!(bad, Err(Error::InvalidInput { .. })), "{bad:?}");
    assert_eq!(server.requests_for("/api/Production/SetUnitPhase"), 0);
    assert_eq!(
        server.requests_for("/api/internal/Mes/GetUnitPhases"),
        0,
        "cached"
    );
}

/// A server that ignores `$skip` answers every page alike: the feed stops at the first
/// page that brings nothing new instead of looping.
#[tokio::test]
async fn the_change_feed_cannot_loop_on_a_server_ignoring_skip() {
    let server = support::TestServer::start(|_, _| {
        support::Reply::json(
            200,
            r#"[{"id":1,"unitSerialNumber":"A"},{"id":2,"unitSerialNumber":"B"}]"#,
        )
    })
    .await;
    let c = support::client(&server.url()).build().unwrap();
    let b = wats_sync::Client::from_async(&c, wats_sync::RuntimeMode::Shared).unwrap();
    let ids = tokio::task::spawn_blocking(move || {
        let ids: Vec<i64> = b
            .production()
            .changes(2)
            .map(|c| *c.unwrap().id.value().unwrap())
            .collect();
        drop(b);
        ids
    })
    .await
    .unwrap();
    assert_eq!(ids, [1, 2]);
    assert_eq!(
        server.count(),
        2,
        "one page, and one more that brought nothing new"
    );
    let seen = server.seen();
    assert_eq!(seen[0].target, "/api/Production/Units/Changes?maxCount=2");
    assert_eq!(
        seen[1].target,
        "/api/Production/Units/Changes?maxCount=2&%24skip=2"
    );
}
