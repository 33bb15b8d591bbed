//! Alarm and notification logs of the mock
//! (`POST /api/internal/Trigger/GetAlarmAndNotificationLogs`), computed from the stored
//! test reports, so they change as reports are submitted.
//!
//! The one alarm rule of the mock, a yield/volume alarm (type 2): for each part number
//! and test operation, the units are taken in the start order of their first run; once
//! [`MIN_UNITS`] units have been tested, a log entry is written each time the first-pass
//! yield over the units so far falls under [`FPY_ALARM`]. It is written again only after
//! the yield has come back to the threshold or above. The entry's `logDate` is the start
//! of the run that made the yield fall; `fpy` is a fraction (0 to 1), as the Python SDK's
//! model reads it.
//!
//! The request's filter is applied to the reports first (its text members, product group
//! and level: the alarms of those reports only), then `dateFrom` / `dateTo` to the entries'
//! `logDate` (not to the reports: the yield before the window counts), newest entry first,
//! at most `topCount` of them.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};

use super::calc::{Run, select};
use super::{Reply, Req};
use crate::odata::parse_date;

/// The first-pass yield (a fraction) under which a yield alarm is logged.
pub(crate) const FPY_ALARM: f64 = 0.9;

/// The units a part number and test operation must have before its yield can alarm.
pub(crate) const MIN_UNITS: u64 = 5;

/// The alarm entries of the runs (oldest first), in the order they were logged.
fn yield_alarms(runs: &[Run]) -> Vec<Value> {
    let mut groups: BTreeMap<(String, String), Vec<&Run>> = BTreeMap::new();
    for r in runs {
        groups
            .entry((r.h("partNumber"), r.h("processName")))
            .or_default()
            .push(r);
    }
    let mut out = Vec::new();
    for ((pn, op), runs) in groups {
        let mut seen: HashSet<String> = HashSet::new();
        let (mut units, mut first_pass) = (0u64, 0u64);
        let mut below = false;
        for r in runs {
            if !seen.insert(r.h("serialNumber")) {
                continue; // a retest: the unit's first run decided
            }
            units += 1;
            first_pass += u64::from(r.passed());
            let fpy = first_pass as f64 / units as f64;
            if fpy >= FPY_ALARM {
                below = false;
            } else if units >= MIN_UNITS && !below {
                below = true;
                out.push(json!({
                    "name": format!("First-pass yield under {:.0} %", FPY_ALARM * 100.0),
                    "type": 2,
                    "state": "C",
                    "triggerId": 1,
                    "logDate": r.h("start"),
                    "partNumber": pn,
                    "processCode": r.stored.header.get("processCode"),
                    "processName": op,
                    "fpy": fpy,
                    "unitCount": units,
                    "fpCount": first_pass,
                    "serialNumber": r.h("serialNumber"),
                    "message": format!(
                        "First-pass yield of {pn} / {op} fell to {:.1} % ({first_pass} of {units} units)",
                        fpy * 100.0
                    ),
                }));
            }
        }
    }
    // Logged in time order; ids follow it.
    out.sort_by_key(|a| a["logDate"].as_str().and_then(parse_date));
    for (i, a) in out.iter_mut().enumerate() {
        a["logId"] = json!(i + 1);
    }
    out
}

/// `POST /api/internal/Trigger/GetAlarmAndNotificationLogs`.
pub(crate) fn post(req: &Req<'_>) -> Reply {
    let mut f = match super::filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let date = |k: &str| f.get(k).and_then(Value::as_str).and_then(parse_date);
    let (from, to) = (date("dateFrom"), date("dateTo"));
    f.remove("dateFrom");
    f.remove("dateTo");
    let runs = select(req.store, b'T', &f);
    let mut logs: Vec<Value> = yield_alarms(&runs)
        .into_iter()
        .filter(|a| {
            let at = a["logDate"].as_str().and_then(parse_date);
            from.is_none_or(|f| at.is_some_and(|t| t >= f))
                && to.is_none_or(|e| at.is_some_and(|t| t <= e))
        })
        .collect();
    logs.reverse();
    if let Some(n) = f
        .get("topCount")
        .and_then(Value::as_i64)
        .and_then(|n| usize::try_from(n).ok())
    {
        logs.truncate(n);
    }
    Reply::json(&Value::Array(logs))
}
