//! OData filter building: every filter the query builders make from any text is
//! accepted by the mock server's OData parser and means what was asked for.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use wats_http::{HeaderQuery, UnitQuery, odata_quote, odata_utc};

/// Seconds from 0000-01-01 to 9999-12-31: the years an OData literal can spell.
const LAST: i64 = 253_402_300_799;

fuzz_target!(|input: (String, String, String, String, i64, i64)| {
    let (sn, pn, rev, station, a, b) = input;
    let quoted = odata_quote(&sn);
    assert!(quoted.starts_with('\'') && quoted.ends_with('\''));

    let from = DateTime::<Utc>::from_timestamp(a.rem_euclid(LAST), 0).unwrap_or_default();
    let to = DateTime::<Utc>::from_timestamp(b.rem_euclid(LAST), 0).unwrap_or_default();
    let (from, to) = if from <= to { (from, to) } else { (to, from) };
    let _ = odata_utc(&from);

    let q = HeaderQuery::uut()
        .serial_number(&sn)
        .part_number(&pn)
        .revision(&rev)
        .station_name(&station)
        .started_between(&from, &to)
        .top(5)
        .order_by(&*pn);
    let filter = q.filter().expect("filters were added");
    let matching = json!({
        "serialNumber": sn, "partNumber": pn, "revision": rev, "stationName": station,
        "start": from.to_rfc3339(),
    });
    assert_eq!(
        wats_mock::filter_matches(&filter, &matching),
        Ok(true),
        "{filter}"
    );
    let other = json!({
        "serialNumber": format!("{sn}x"), "partNumber": pn, "revision": rev,
        "stationName": station, "start": from.to_rfc3339(),
    });
    assert_eq!(wats_mock::filter_matches(&filter, &other), Ok(false), "{filter}");

    // The lambda forms and the unit query: built without panicking.
    let _ = HeaderQuery::uur()
        .sub_unit_part_number(&pn)
        .sub_unit_serial_number(&sn)
        .started_since(&to)
        .filter_raw(rev.clone())
        .expand(station.clone())
        .skip(3)
        .filter();
    let _ = UnitQuery::new()
        .serial_number(&sn)
        .part_number(&pn)
        .filter_raw(rev)
        .order_by(station)
        .top(1)
        .filter();
});
