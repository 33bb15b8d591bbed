//! Unit verification in the production mock, computed from the stored test reports.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::store::Store;

/// The verification of a unit from its stored test reports, per process code.
pub(super) fn verification(store: &Store, sn: &str, pn: &str) -> Value {
    let mut reports: Vec<_> = store
        .matching_reports(b'T', None)
        .into_iter()
        .filter(|r| {
            let h = &r.header;
            h.get("serialNumber")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(sn))
                && (pn.is_empty()
                    || h.get("partNumber")
                        .and_then(Value::as_str)
                        .is_some_and(|p| p.eq_ignore_ascii_case(pn)))
        })
        .collect();
    reports.sort_by_key(|r| r.time_stamp);
    let mut per: BTreeMap<i64, Vec<(bool, Value, Value)>> = BTreeMap::new();
    for r in &reports {
        let code = r
            .header
            .get("processCode")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let passed = r.header.get("result").and_then(Value::as_str) == Some("P");
        per.entry(code).or_default().push((
            passed,
            r.header.get("start").cloned().unwrap_or(Value::Null),
            r.header.get("stationName").cloned().unwrap_or(Value::Null),
        ));
    }
    let results: Vec<Value> = per
        .iter()
        .enumerate()
        .map(|(i, (code, runs))| {
            let last = runs.last().is_some_and(|r| r.0);
            json!({
                "processCode": code,
                "processName": crate::seed::process_name(*code),
                "processIndex": i,
                "status": if last { "Passed" } else { "Failed" },
                "startUtc": runs.last().map_or(Value::Null, |r| r.1.clone()),
                "stationName": runs.last().map_or(Value::Null, |r| r.2.clone()),
                "totalCount": runs.len(),
                "nonPassedCount": runs.iter().filter(|r| !r.0).count(),
                "repairCount": 0,
            })
        })
        .collect();
    let first = per.values().all(|r| r.first().is_some_and(|x| x.0));
    let any = per.values().all(|r| r.iter().any(|x| x.0));
    let last = per.values().all(|r| r.last().is_some_and(|x| x.0));
    let status = if per.is_empty() {
        "Unknown"
    } else if last {
        "Passed"
    } else {
        "Failed"
    };
    json!({
        "status": status,
        "grade": if per.is_empty() { "" } else if first { "A" } else if last { "B" } else { "F" },
        "allProcessesExecutedInCorrectOrder": true,
        "allProcessesPassedFirstRun": !per.is_empty() && first,
        "allProcessesPassedAnyRun": !per.is_empty() && any,
        "allProcessesPassedLastRun": !per.is_empty() && last,
        "noRepairs": true,
        "results": results,
    })
}
