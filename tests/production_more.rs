//! The production domain against the embedded server (`wats-mock`), continued: the unit
//! query paged over every page (all, blocking iterator, async stream, requests counted),
//! the typed assembly and internal unit answers, CSV take answers and the date filters of
//! the serial-number lists and count.

#[path = "../crates/wats-http/tests/support/mod.rs"]
mod support;

use std::collections::HashSet;

use wats_core::chrono::{Duration as Days, Local};
use wats_core::{Error, Field, Phase, Unit};
use wats_http::{
    ChildCheck, ChildValidation, ReferenceFilter, SerialCountFilter, SerialFilter, SerialFormat,
    TakeOptions, UnitQuery,
};
use wats_mock::MockServer;

const QUERY: &str = "/api/Production/Unit/Query";

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

/// `n` units of part number `PG-PAGE`, none of the seeded store's.
async fn units(c: &wats_http::Client, n: usize) {
    let units: Vec<Unit> = (0..n)
        .map(|i| Unit::new(format!("PG-{i:02}"), "PG-PAGE", "A"))
        .collect();
    c.production()
        .save_units(&units)
        .await
        .unwrap()
        .check()
        .unwrap();
}

fn paged() -> UnitQuery {
    UnitQuery::new()
        .part_number("PG-PAGE")
        .order_by("serialNumber")
}

#[tokio::test]
async fn query_units_all_and_the_stream_read_every_page() {
    let server = MockServer::start();
    let c = client(&server);
    units(&c, 7).await;
    let p = c.production();

    // 7 rows, pages of 3: 3 + 3 + 1, three requests.
    server.reset_counters();
    let all = p.query_units_all(&paged().top(3)).await.unwrap();
    let sns: Vec<&str> = all
        .iter()
        .filter_map(|u| u.serial_number.as_str())
        .collect();
    assert_eq!(
        sns,
        [
            "PG-00", "PG-01", "PG-02", "PG-03", "PG-04", "PG-05", "PG-06"
        ]
    );
    assert_eq!(server.requests_for(QUERY), 3);

    // The caller's `$skip` is the first row.
    server.reset_counters();
    let rest = p.query_units_all(&paged().top(3).skip(5)).await.unwrap();
    assert_eq!(rest.len(), 2);
    assert_eq!(server.requests_for(QUERY), 1, "a short first page ends it");

    // The stream asks for a page only when the previous one is used up.
    server.reset_counters();
    let mut stream = p.query_units_stream(&paged().top(2));
    let first = stream.next_item().await.unwrap().unwrap();
    assert_eq!(first.serial_number.as_str(), Some("PG-00"));
    assert_eq!(server.requests_for(QUERY), 1);
    let mut n = 1;
    while let Some(u) = stream.next_item().await {
        u.unwrap();
        n += 1;
    }
    assert_eq!(n, 7);
    assert_eq!(stream.pages_fetched(), 4, "2 + 2 + 2 + 1");
    assert_eq!(server.requests_for(QUERY), 4);

    // Without `$top`, one page of DEFAULT_PAGE_SIZE holds them all.
    server.reset_counters();
    assert_eq!(p.query_units_all(&paged()).await.unwrap().len(), 7);
    assert_eq!(server.requests_for(QUERY), 1);
}

#[test]
fn query_units_iter_pages_on_the_blocking_client() {
    let server = MockServer::start();
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(units(&client(&server), 6));
    }
    let b = blocking(&server);
    server.reset_counters();
    // An exact multiple: 3 + 3, then an empty page ends the walk.
    let mut it = b.production().query_units_iter(&paged().top(3));
    let got: Vec<Unit> = it.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(got.len(), 6);
    assert_eq!(it.pages_fetched(), 3);
    assert_eq!(server.requests_for(QUERY), 3);
    // A bad filter fails the first page: the error is yielded once, then the end.
    let mut bad = b
        .production()
        .query_units_iter(&UnitQuery::new().filter_raw("nope eq 1").top(3));
    assert!(matches!(
        bad.next(),
        Some(Err(Error::Status { status: 400, .. }))
    ));
    assert!(bad.next().is_none());
    assert_eq!(
        b.production()
            .query_units_all(&paged().top(4))
            .unwrap()
            .len(),
        6
    );

    // A limit of 5 in pages of 3: the second page asks for the 2 rows left, on the wire.
    server.reset_counters();
    let limited: Vec<Unit> = b
        .production()
        .query_units_iter(&paged().top(3))
        .limit(5)
        .collect::<Result<_, _>>()
        .unwrap();
    let sns: Vec<&str> = limited
        .iter()
        .filter_map(|u| u.serial_number.as_str())
        .collect();
    assert_eq!(sns, ["PG-00", "PG-01", "PG-02", "PG-03", "PG-04"]);
    assert_eq!(server.requests_for(QUERY), 2);
    let last = server.last_request().unwrap();
    assert!(
        last.path_and_query.contains("%24top=2&") || last.path_and_query.ends_with("%24top=2"),
        "{}",
        last.path_and_query
    );
    assert!(
        last.path_and_query.contains("%24skip=3"),
        "{}",
        last.path_and_query
    );
}

#[tokio::test]
async fn assembly_and_internal_unit_answers_are_typed() {
    let server = MockServer::start();
    let c = client(&server);
    let p = c.production();
    p.save_units(&[
        Unit::new("BOX-7", "BOX", "A"),
        Unit::new("PSU-7", "PSU", "B"),
        Unit::new("FAN-7", "FAN", "C"),
    ])
    .await
    .unwrap()
    .check()
    .unwrap();
    p.set_phase("PSU-7", "PSU", Phase::Finalized).await.unwrap();
    p.set_phase("FAN-7", "FAN", Phase::Finalized).await.unwrap();

    let added = p
        .add_child_unit("BOX-7", "BOX", "PSU-7", "PSU", &ChildCheck::box_build())
        .await
        .unwrap();
    let Field::Value(result) = added else {
        panic!("an object answer is typed: {added:?}")
    };
    assert_eq!(result.succeeded(), Some(true));
    let internal = p.internal();
    let added = internal
        .add_child_unit(
            "BOX-7",
            "BOX",
            "FAN-7",
            "FAN",
            &ChildValidation::new("FAN", "C"),
        )
        .await
        .unwrap();
    assert_eq!(
        added.value().and_then(wats_core::MesChildResult::succeeded),
        Some(true)
    );

    // The fan goes back to production: the checks name it as the misfit.
    p.set_phase("FAN-7", "FAN", Phase::UnderProduction)
        .await
        .unwrap();
    let check = p.check_child_units("BOX-7", "BOX").await.unwrap();
    assert_eq!(check.is_valid(), Some(false));
    let bad: Vec<_> = check
        .invalid_children()
        .filter_map(|c| c.serial_number.as_str())
        .collect();
    assert_eq!(bad, ["FAN-7"]);
    let mes = internal
        .check_child_units("BOX-7", "BOX", "en-US")
        .await
        .unwrap();
    assert_eq!(mes.is_valid(), Some(false));
    assert_eq!(mes.invalid_children().count(), 1);
    assert_eq!(mes.children.items().len(), 2);

    let info = internal.get_unit_info("BOX-7", "BOX").await.unwrap();
    assert_eq!(info.child_count.value(), Some(&2));
    assert_eq!(info.revision.as_str(), Some("A"));
    let by_serial = internal.get_unit("psu-7", None).await.unwrap();
    assert_eq!(by_serial.parent_serial_number.as_str(), Some("BOX-7"));
    let tree = internal.get_unit_hierarchy("BOX-7", "BOX").await.unwrap();
    let walked: Vec<(usize, &str)> = tree
        .walk()
        .map(|(d, u)| (d, u.serial_number.as_str().unwrap()))
        .collect();
    assert_eq!(walked, [(0, "BOX-7"), (1, "FAN-7"), (1, "PSU-7")]);
    let contents = internal
        .get_unit_contents("BOX-7", "BOX", "A")
        .await
        .unwrap();
    assert_eq!(contents.contents().len(), 2);
    let phase = internal.get_unit_phase("FAN-7", "FAN").await.unwrap();
    assert_eq!(phase.unit_phase_id.value(), Some(&2));
    p.set_unit_process("BOX-7", "BOX", "Final Function")
        .await
        .unwrap();
    let process = internal.get_unit_process("BOX-7", "BOX").await.unwrap();
    assert_eq!(process.process_name.as_str(), Some("Final Function"));
    let history = internal
        .get_unit_state_history("FAN-7", "FAN")
        .await
        .unwrap();
    let phases: Vec<i64> = history
        .iter()
        .filter_map(|h| h.unit_phase_id.value().copied())
        .collect();
    assert_eq!(phases, [16, 2]);
    assert!(
        history.iter().all(|h| h.date_time().is_some()),
        "every change is dated, with an offset"
    );

    let removed = internal
        .remove_all_child_units("BOX-7", "BOX", None)
        .await
        .unwrap();
    assert_eq!(
        removed.value().and_then(wats_core::MesChildResult::removed),
        Some(2)
    );
    assert!(
        internal
            .get_unit_hierarchy("BOX-7", "BOX")
            .await
            .unwrap()
            .children()
            .is_empty()
    );
    let created = internal
        .create_unit("NEW-7", "PSU", "B", Some("LOT-1"), Some(2))
        .await
        .unwrap();
    let created = created.value().unwrap();
    assert_eq!(created.batch_number.as_str(), Some("LOT-1"));
    assert_eq!(created.unit_phase_id.value(), Some(&2));
}

/// A 2xx whose body is not an object is kept as received, never a decode error: the server
/// did what was asked.
#[tokio::test]
async fn odd_assembly_answers_are_kept_not_refused() {
    let server = support::TestServer::start(|_, seen| {
        if seen.target.contains("RemoveChildUnit") {
            support::Reply::json(200, "")
        } else {
            support::Reply::json(200, "true")
        }
    })
    .await;
    let c = support::client(&server.url()).build().unwrap();
    let p = c.production();
    let added = p
        .add_child_unit("B", "BOX", "S", "PCB", &ChildCheck::box_build())
        .await
        .unwrap();
    assert_eq!(added.other(), Some(&serde_json::json!(true)));
    let removed = p.remove_child_unit("B", "BOX", "S", "PCB").await.unwrap();
    assert!(removed.is_absent());
}

#[tokio::test]
async fn csv_take_answers_and_date_filters_on_the_mock() {
    let server = MockServer::start();
    let c = client(&server);
    let s = c.production().serials();
    let internal = c.production().internal();
    let before = Local::now() - Days::days(1);
    let after = Local::now() + Days::days(1);

    let csv = s
        .take(
            "MAC",
            4,
            &TakeOptions::new()
                .ref_serial_number("BOX-D")
                .format(SerialFormat::Csv),
        )
        .await
        .unwrap();
    assert_eq!(csv.len(), 4);
    let json = s.take("MAC", 2, &TakeOptions::new()).await.unwrap();
    let distinct: HashSet<&String> = csv.iter().chain(&json).collect();
    assert_eq!(distinct.len(), 6, "{csv:?} {json:?}");

    // ByReference with dates: generated since yesterday, not since tomorrow.
    let since = |at| ReferenceFilter::serial_number("BOX-D").start_date(at);
    assert_eq!(
        s.by_reference_with("MAC", &since(&before))
            .await
            .unwrap()
            .len(),
        4
    );
    assert!(
        s.by_reference_with("MAC", &since(&after))
            .await
            .unwrap()
            .is_empty()
    );
    let until = ReferenceFilter::serial_number("BOX-D").end_date(&before);
    assert!(s.by_reference_with("MAC", &until).await.unwrap().is_empty());

    // The internal list and count, by generation time.
    let listed = internal
        .serial_numbers_with("MAC", &SerialFilter::new().start_date(&before))
        .await
        .unwrap();
    assert_eq!(listed.len(), 6);
    let none = internal
        .serial_numbers_with("MAC", &SerialFilter::new().start_date(&after))
        .await
        .unwrap();
    assert!(none.is_empty());
    let c = &c;
    let count = |f: SerialCountFilter| async move {
        c.production()
            .internal()
            .serial_number_count_with("MAC", &f)
            .await
            .unwrap()
    };
    assert_eq!(
        count(SerialCountFilter::new().from_date(&before).to_date(&after)).await,
        6
    );
    assert_eq!(count(SerialCountFilter::new().to_date(&before)).await, 0);
    assert_eq!(
        count(SerialCountFilter::new().end_address(&csv[1])).await,
        2,
        "the first two of the type"
    );
}
