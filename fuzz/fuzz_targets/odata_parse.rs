//! The mock server's OData `$filter` parser and evaluator on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let filter = String::from_utf8_lossy(data);
    let header = json!({
        "serialNumber": "SN-1", "partNumber": "PCBA-100", "start": "2026-01-30T22:01:41.47+01:00",
        "processCode": 10, "result": "Passed", "measuresDeleted": false, "comment": null,
    });
    let _ = wats_mock::filter_matches(&filter, &header);
});
