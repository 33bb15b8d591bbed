//! The `analytics` domain's routes in the mock: answers computed from the stored reports
//! (yields per unit, failing steps counted from the steps, measurements taken from the
//! numeric steps; see `analytics_calc.rs`), the unit flow computed from them
//! (`analytics_flow.rs`) and the alarm logs of a yield rule over them
//! (`analytics_alarms.rs`).

use serde_json::{Map, Value, json};

use super::{Reply, Req, Served};

#[path = "analytics_alarms.rs"]
mod alarms;
#[path = "analytics_calc.rs"]
mod calc;
#[path = "analytics_flow.rs"]
mod flow;
#[path = "analytics_like.rs"]
mod like;

use calc::{Run, aggregate, measurements, order, select, top_failed, yield_rows};

/// This domain's state: the last unit flow computed (the answers are computed from the
/// store's reports).
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The current unit flow, read by the `UnitFlow/Links|Nodes|Units` routes.
    pub(crate) flow: std::sync::Mutex<Option<Value>>,
}

const fn r(method: &'static str, template: &'static str, handler: super::Handler) -> Served {
    Served {
        method,
        template,
        handler,
    }
}

/// The routes this module serves.
pub(crate) static ROUTES: &[Served] = &[
    r("GET", "/api/App/Levels", levels),
    r("GET", "/api/App/ProductGroups", product_groups),
    r("POST", "/api/App/DynamicYield", dynamic_yield),
    r("POST", "/api/App/DynamicRepair", dynamic_repair),
    r("POST", "/api/App/VolumeYield", volume_yield),
    r("GET", "/api/App/VolumeYield", volume_yield),
    r("POST", "/api/App/HighVolume", high_volume),
    r("GET", "/api/App/HighVolume", high_volume),
    r(
        "POST",
        "/api/App/HighVolumeByProductGroup",
        by_product_group,
    ),
    r("POST", "/api/App/WorstYield", worst_yield),
    r("GET", "/api/App/WorstYield", worst_yield),
    r(
        "POST",
        "/api/App/WorstYieldByProductGroup",
        by_product_group,
    ),
    r("POST", "/api/App/TopFailed", top_failed_post),
    r("GET", "/api/App/TopFailed", top_failed_get),
    r("GET", "/api/App/RelatedRepairHistory", repair_history),
    r("POST", "/api/App/TestStepAnalysis", step_analysis),
    r("POST", "/api/App/Measurements", measurement_series),
    r("POST", "/api/App/AggregatedMeasurements", aggregated),
    r("POST", "/api/App/OeeAnalysis", oee),
    r(
        "POST",
        "/api/App/SerialNumberHistory",
        serial_number_history,
    ),
    r("POST", "/api/App/UutReport", uut_reports),
    r("GET", "/api/App/UutReport", uut_reports_get),
    r("POST", "/api/App/UurReport", uur_reports),
    r("GET", "/api/internal/App/TopFailed", top_failed_get),
    r("POST", "/api/internal/App/TopFailed", top_failed_post),
    r("GET", "/api/internal/App/MeasurementList", measurement_list),
    r(
        "POST",
        "/api/internal/App/MeasurementList",
        measurement_list,
    ),
    r("GET", "/api/internal/App/StepStatusList", step_status_list),
    r("POST", "/api/internal/App/StepStatusList", step_status_list),
    r("POST", "/api/internal/UnitFlow", flow::post),
    r("POST", "/api/internal/UnitFlow/SN", flow::post),
    r("POST", "/api/internal/UnitFlow/SplitBy", flow::post),
    r("POST", "/api/internal/UnitFlow/UnitOrder", flow::post),
    r("GET", "/api/internal/UnitFlow/Links", flow::links),
    r("GET", "/api/internal/UnitFlow/Nodes", flow::nodes),
    r("GET", "/api/internal/UnitFlow/Units", flow::units),
    r(
        "POST",
        "/api/internal/Trigger/GetAlarmAndNotificationLogs",
        alarms::post,
    ),
];

const KPIS: &[&str] = &[
    "unitCount",
    "fpCount",
    "spCount",
    "tpCount",
    "lpCount",
    "fpy",
    "spy",
    "tpy",
    "lpy",
    "testReportCount",
];

/// The filter body (an empty body is an empty filter); GET forms take the query instead.
fn filter(req: &Req<'_>) -> Result<Map<String, Value>, Reply> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        let mut m = Map::new();
        for k in [
            "partNumber",
            "serialNumber",
            "revision",
            "stationName",
            "status",
            "batchNumber",
            "testOperation",
            "dateFrom",
            "dateTo",
        ] {
            if let Some(v) = req.q(k) {
                m.insert(k.to_owned(), Value::String(v.into_owned()));
            }
        }
        return Ok(m);
    }
    match req.json()? {
        Value::Object(m) => Ok(m),
        _ => Err(Reply::bad_request("The filter must be a JSON object")),
    }
}

fn int(f: &Map<String, Value>, key: &str) -> Option<i64> {
    f.get(key).and_then(Value::as_i64)
}

fn top(f: &Map<String, Value>, req: &Req<'_>, default: usize) -> usize {
    int(f, "topCount")
        .or_else(|| req.q("count").and_then(|c| c.parse().ok()))
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(default)
}

/// Yield rows grouped and ordered by a dimensions text (`a;b desc;unitCount desc`).
fn yield_answer(req: &Req<'_>, report_type: u8, default_dims: &str) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let text = req
        .q("dimensions")
        .map(std::borrow::Cow::into_owned)
        .or_else(|| {
            f.get("dimensions")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| default_dims.to_owned());
    let spec: Vec<(&str, bool)> = text
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| match d.split_once(' ') {
            Some((k, dir)) => (k, dir.trim().eq_ignore_ascii_case("desc")),
            None => (d, false),
        })
        .collect();
    let dims: Vec<&str> = spec
        .iter()
        .map(|s| s.0)
        .filter(|d| !KPIS.contains(d))
        .collect();
    let runs = select(req.store, report_type, &f);
    let mut rows = yield_rows(&runs, &dims, int(&f, "dateGrouping"));
    // `minCount`: groups with fewer units are left out.
    if let Some(min) = int(&f, "minCount") {
        rows.retain(|r| r["unitCount"].as_i64().is_some_and(|n| n >= min));
    }
    order(&mut rows, &spec);
    rows.truncate(top(&f, req, usize::MAX));
    Reply::json(&Value::Array(rows))
}

fn levels(_: &Req<'_>) -> Reply {
    Reply::json(&json!([
        {"levelId": 1, "levelName": "PCBA"},
        {"levelId": 2, "levelName": "Box build"},
    ]))
}

fn product_groups(req: &Req<'_>) -> Reply {
    let with = req
        .q("includeFilters")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut g = json!({"productGroupId": 1, "productGroupName": calc::ALL_PRODUCTS});
    if with {
        g["filters"] = json!([{"partNumber": "%"}]);
    }
    Reply::json(&json!([g]))
}

fn dynamic_yield(req: &Req<'_>) -> Reply {
    yield_answer(req, b'T', "partNumber;testOperation")
}

fn volume_yield(req: &Req<'_>) -> Reply {
    yield_answer(req, b'T', "partNumber;testOperation")
}

fn high_volume(req: &Req<'_>) -> Reply {
    yield_answer(req, b'T', "partNumber;unitCount desc")
}

fn worst_yield(req: &Req<'_>) -> Reply {
    yield_answer(req, b'T', "partNumber;testOperation;fpy asc")
}

fn by_product_group(req: &Req<'_>) -> Reply {
    // The mock's catalog has one product group: every product is in it.
    let reply = yield_answer(req, b'T', "");
    let Ok(Value::Array(mut rows)) = serde_json::from_slice::<Value>(&reply.body) else {
        return reply;
    };
    for row in &mut rows {
        row["productGroup"] = json!(calc::ALL_PRODUCTS);
    }
    Reply::json(&Value::Array(rows))
}

fn dynamic_repair(req: &Req<'_>) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let runs = select(req.store, b'R', &f);
    let mut groups: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for r in &runs {
        *groups.entry(r.h("partNumber")).or_default() += 1;
    }
    let rows: Vec<Value> = groups
        .into_iter()
        .map(|(pn, n)| json!({"partNumber": pn, "repairReportCount": n, "repairCount": n}))
        .collect();
    Reply::json(&Value::Array(rows))
}

fn top_failed_post(req: &Req<'_>) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let runs = select(req.store, b'T', &f);
    Reply::json(&Value::Array(top_failed(&runs, top(&f, req, 10))))
}

fn top_failed_get(req: &Req<'_>) -> Reply {
    let mut f = Map::new();
    if let Some(pn) = req.q("partNumber") {
        f.insert("partNumber".into(), json!(pn));
    }
    let code = req.q("processCode").map(std::borrow::Cow::into_owned);
    let runs: Vec<Run> = select(req.store, b'T', &f)
        .into_iter()
        .filter(|r| code.as_deref().is_none_or(|c| r.h("processCode") == c))
        .collect();
    Reply::json(&Value::Array(top_failed(&runs, top(&f, req, 10))))
}

fn repair_history(req: &Req<'_>) -> Reply {
    let mut f = Map::new();
    for k in ["partNumber", "revision"] {
        match req.q(k) {
            Some(v) => f.insert(k.to_owned(), json!(v)),
            None => return Reply::bad_request(&format!("{k} is required")),
        };
    }
    let rows: Vec<Value> = select(req.store, b'R', &f)
        .iter()
        .map(|r| {
            json!({"serialNumber": r.h("serialNumber"), "partNumber": r.h("partNumber"),
                   "revision": r.h("revision"), "reportId": r.stored.id, "repairDate": r.h("start")})
        })
        .collect();
    Reply::json(&Value::Array(rows))
}

/// The runs a filter selects, at most its `maxCount` newest (step analysis and
/// measurements; the server documents 10 000 as the most it returns).
fn newest(req: &Req<'_>, f: &Map<String, Value>) -> Vec<Run> {
    let mut runs = select(req.store, b'T', f);
    if let Some(max) = int(f, "maxCount").and_then(|n| usize::try_from(n).ok()) {
        let skip = runs.len().saturating_sub(max);
        runs.drain(..skip);
    }
    runs
}

fn step_analysis(req: &Req<'_>) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let runs = newest(req, &f);
    let mut rows: std::collections::BTreeMap<String, (String, u64, u64, u64)> = Default::default();
    for r in &runs {
        calc::walk(&r.doc, &mut |path, step| {
            let status = step.get("status").and_then(Value::as_str).unwrap_or("");
            let e = rows.entry(path.to_owned()).or_insert_with(|| {
                let name = step
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                (name, 0, 0, 0)
            });
            e.1 += 1;
            if status == "P" {
                e.2 += 1;
            } else if status == "F" {
                e.3 += 1;
            }
        });
    }
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(path, (name, n, p, fl))| {
            json!({"stepName": name, "stepPath": path, "stepCount": n,
                   "stepPassedCount": p, "stepFailedCount": fl})
        })
        .collect();
    Reply::json(&Value::Array(rows))
}

fn paths(req: &Req<'_>) -> Vec<String> {
    req.q("measurementPaths")
        .map(|p| {
            p.split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn measurement_series(req: &Req<'_>) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let runs = newest(req, &f);
    let out: Vec<Value> = paths(req)
        .iter()
        .map(|p| json!({"measurementPath": p, "measurements": measurements(&runs, p)}))
        .collect();
    Reply::json(&Value::Array(out))
}

fn aggregated(req: &Req<'_>) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let runs = newest(req, &f);
    let out: Vec<Value> = paths(req)
        .iter()
        .map(|p| aggregate(p, &measurements(&runs, p)))
        .collect();
    Reply::json(&Value::Array(out))
}

fn oee(req: &Req<'_>) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let runs = select(req.store, b'T', &f);
    let total = runs.len();
    let good = runs.iter().filter(|r| r.passed()).count();
    let quality = if total == 0 {
        0.0
    } else {
        good as f64 / total as f64
    };
    Reply::json(&json!({
        "totalCount": total, "goodCount": good, "rejectCount": total - good,
        "quality": quality,
    }))
}

fn headers(runs: &[Run]) -> Value {
    Value::Array(
        runs.iter()
            .map(|r| Value::Object(r.stored.header.clone()))
            .collect(),
    )
}

fn serial_number_history(req: &Req<'_>) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let mut runs = select(req.store, b'T', &f);
    runs.extend(select(req.store, b'R', &f));
    Reply::json(&headers(&runs))
}

fn uut_reports(req: &Req<'_>) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let mut runs = select(req.store, b'T', &f);
    runs.truncate(top(&f, req, usize::MAX));
    Reply::json(&headers(&runs))
}

fn uut_reports_get(req: &Req<'_>) -> Reply {
    uut_reports(req)
}

fn uur_reports(req: &Req<'_>) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    Reply::json(&headers(&select(req.store, b'R', &f)))
}

fn measurement_list(req: &Req<'_>) -> Reply {
    step_rows(req, true)
}

fn step_status_list(req: &Req<'_>) -> Reply {
    step_rows(req, false)
}

/// The internal drill-down lists: one row per numeric step (measurement list) or per step
/// (status list) of the selected reports. The step/sequence filter XML is not read.
fn step_rows(req: &Req<'_>, numeric_only: bool) -> Reply {
    let f = match filter(req) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let mut out = Vec::new();
    for r in select(req.store, b'T', &f) {
        calc::walk(&r.doc, &mut |path, step| {
            let meas = step
                .get("numericMeas")
                .and_then(Value::as_array)
                .and_then(|m| m.first());
            if numeric_only && meas.is_none() {
                return;
            }
            let mut row = json!({
                "reportId": r.stored.id, "serialNumber": r.h("serialNumber"),
                "stepName": step.get("name"), "stepPath": path, "status": step.get("status"),
            });
            if let Some(m) = meas.filter(|_| numeric_only) {
                row["value"] = m.get("value").cloned().unwrap_or(Value::Null);
            }
            out.push(row);
        });
    }
    Reply::json(&Value::Array(out))
}
