//! The `assets` domain's routes and state in the mock: assets, asset types and the asset
//! log, kept as the camelCase JSON objects the server writes. One lock guards them, so
//! concurrent count increments are all counted.

use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Reply, Req, Served};
use crate::odata;

#[path = "assets_files.rs"]
mod files;

/// This domain's state.
#[derive(Debug, Default)]
pub(crate) struct State {
    inner: Mutex<Inner>,
    /// The internal file store (`assets_files.rs`).
    files: files::Files,
}

#[derive(Debug, Default)]
struct Inner {
    assets: Vec<Map<String, Value>>,
    types: Vec<Map<String, Value>>,
    /// Oldest first.
    log: Vec<Map<String, Value>>,
    next_asset: u64,
    next_log: i64,
}

/// The routes this module serves.
#[rustfmt::skip]
pub(crate) static ROUTES: &[Served] = &[
    Served { method: "GET", template: "/api/Asset", handler: list },
    Served { method: "PUT", template: "/api/Asset", handler: save },
    Served { method: "DELETE", template: "/api/Asset", handler: delete },
    Served { method: "GET", template: "/api/Asset/{assetId}", handler: get },
    Served { method: "GET", template: "/api/Asset/{serialNumber}", handler: get },
    Served { method: "GET", template: "/api/Asset/Status", handler: status },
    Served { method: "PUT", template: "/api/Asset/State", handler: set_state },
    Served { method: "PUT", template: "/api/Asset/Count", handler: count },
    Served { method: "POST", template: "/api/Asset/ResetRunningCount", handler: reset },
    Served { method: "PUT", template: "/api/Asset/SetRunningCount", handler: set_running },
    Served { method: "PUT", template: "/api/Asset/SetTotalCount", handler: set_total },
    Served { method: "POST", template: "/api/Asset/Calibration", handler: calibration },
    Served { method: "POST", template: "/api/Asset/Maintenance", handler: maintenance },
    Served { method: "POST", template: "/api/Asset/Calibration/External", handler: calibration_ext },
    Served { method: "POST", template: "/api/Asset/Maintenance/External", handler: maintenance_ext },
    Served { method: "GET", template: "/api/Asset/Log", handler: log },
    Served { method: "POST", template: "/api/Asset/Message", handler: message },
    Served { method: "GET", template: "/api/Asset/Types", handler: types },
    Served { method: "PUT", template: "/api/Asset/Types", handler: save_type },
    Served { method: "GET", template: "/api/Asset/SubAssets", handler: sub_assets },
    Served { method: "POST", template: "/api/internal/Blob/Asset", handler: files::upload },
    Served { method: "GET", template: "/api/internal/Blob/Asset", handler: files::download },
    Served { method: "GET", template: "/api/internal/Blob/Asset/List/{id}", handler: files::list },
    Served { method: "DELETE", template: "/api/internal/Blob/Assets", handler: files::delete },
];

/// Whether asset `id` exists (the file store refuses files of unknown assets).
fn exists(req: &Req<'_>, id: &str) -> bool {
    lock(req).find(Some(id), None).is_some()
}

#[rustfmt::skip]
const ASSET_FIELDS: &[&str] = &[
    "assetId", "parentAssetId", "assetName", "serialNumber", "parentSerialNumber", "partNumber",
    "revision", "typeId", "state", "description", "location", "firstSeenDate", "lastSeenDate",
    "lastMaintenanceDate", "nextMaintenanceDate", "lastCalibrationDate", "nextCalibrationDate",
    "totalCount", "runningCount",
];

#[rustfmt::skip]
const LOG_FIELDS: &[&str] = &[
    "logId", "assetId", "serialNumber", "date", "user", "type", "property", "value", "comment",
];

fn lock<'a>(req: &Req<'a>) -> MutexGuard<'a, Inner> {
    req.store
        .domains
        .assets
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn fmt(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn date(v: Option<&Value>) -> Option<DateTime<FixedOffset>> {
    v.and_then(Value::as_str).and_then(odata::parse_date)
}

fn int(v: Option<&Value>) -> i64 {
    v.and_then(Value::as_i64).unwrap_or(0)
}

fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

impl Inner {
    fn find(&self, by_id: Option<&str>, by_serial: Option<&str>) -> Option<usize> {
        self.assets.iter().position(|a| match (by_id, by_serial) {
            (Some(id), _) => str_of(a, "assetId") == id,
            (None, Some(sn)) => str_of(a, "serialNumber").eq_ignore_ascii_case(sn),
            (None, None) => false,
        })
    }

    fn type_of(&self, a: &Map<String, Value>) -> Option<&Map<String, Value>> {
        let id = str_of(a, "typeId");
        self.types
            .iter()
            .find(|t| str_of(t, "typeId").eq_ignore_ascii_case(id))
    }

    fn add_log(&mut self, i: usize, kind: i64, comment: Option<&str>, property: Option<&str>) {
        self.next_log += 1;
        let a = &self.assets[i];
        let mut rec = Map::new();
        rec.insert("logId".into(), json!(self.next_log));
        rec.insert("assetId".into(), json!(str_of(a, "assetId")));
        rec.insert("serialNumber".into(), json!(str_of(a, "serialNumber")));
        rec.insert("date".into(), json!(fmt(now())));
        rec.insert("user".into(), json!("mock"));
        rec.insert("type".into(), json!(kind));
        if let Some(p) = property {
            rec.insert("property".into(), json!(p));
        }
        if let Some(c) = comment {
            rec.insert("comment".into(), json!(c));
        }
        self.log.push(rec);
    }

    /// The asset as the server answers it: with its type embedded.
    fn view(&self, i: usize) -> Value {
        let mut a = self.assets[i].clone();
        if let Some(t) = self.type_of(&a) {
            a.insert("assetType".into(), Value::Object(t.clone()));
        }
        Value::Object(a)
    }

    /// The indexes of the children of asset `i`, `levels` deep.
    fn children(&self, i: usize, levels: u32) -> Vec<usize> {
        let mut out = Vec::new();
        let mut frontier = vec![str_of(&self.assets[i], "assetId").to_owned()];
        for _ in 0..levels {
            let mut next = Vec::new();
            for (j, a) in self.assets.iter().enumerate() {
                if frontier.iter().any(|p| p == str_of(a, "parentAssetId")) {
                    out.push(j);
                    next.push(str_of(a, "assetId").to_owned());
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        out
    }
}

/// The asset named by `id=` or `serialNumber=`: its index, or the error reply.
fn target(req: &Req<'_>, inner: &Inner) -> Result<usize, Reply> {
    let id = req.q("id");
    let sn = req.q("serialNumber");
    if id.is_none() && sn.is_none() {
        return Err(Reply::bad_request(
            "Specify the asset's id or serialNumber.",
        ));
    }
    inner
        .find(id.as_deref(), sn.as_deref())
        .ok_or_else(|| Reply::not_found("Asset not found."))
}

fn filter_page(
    req: &Req<'_>,
    rows: Vec<Value>,
    fields: &'static [&'static str],
) -> Result<Vec<Value>, Reply> {
    let mut rows = rows;
    if let Some(f) = req.q("$filter") {
        let expr = odata::parse(&f, fields).map_err(|e| Reply::bad_request(&e))?;
        rows.retain(|r| r.as_object().is_some_and(|o| odata::eval(&expr, o)));
    }
    let skip = req
        .q("$skip")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0_usize);
    let top = req
        .q("$top")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000_usize);
    Ok(rows.into_iter().skip(skip).take(top).collect())
}

fn reply_list(r: Result<Vec<Value>, Reply>) -> Reply {
    match r {
        Ok(rows) => Reply::json(&Value::Array(rows)),
        Err(e) => e,
    }
}

fn list(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let rows = (0..inner.assets.len()).map(|i| inner.view(i)).collect();
    drop(inner);
    reply_list(filter_page(req, rows, ASSET_FIELDS))
}

fn get(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let key = req.p(0);
    match inner
        .find(Some(key), None)
        .or_else(|| inner.find(None, Some(key)))
    {
        Some(i) => Reply::json(&inner.view(i)),
        None => Reply::not_found("Asset not found."),
    }
}

fn save(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Reply::bad_request("An asset object is expected."),
        Err(e) => return e,
    };
    let mut inner = lock(req);
    if inner.type_of(&body).is_none() {
        return Reply::bad_request("'typeId' must name an existing asset type.");
    }
    let id = str_of(&body, "assetId").to_owned();
    let sn = str_of(&body, "serialNumber").to_owned();
    let existing = if id.is_empty() {
        inner.find(None, Some(&sn)).filter(|_| !sn.is_empty())
    } else {
        inner.find(Some(&id), None)
    };
    const KEPT: &[&str] = &[
        "assetId",
        "totalCount",
        "runningCount",
        "lastCalibrationDate",
        "nextCalibrationDate",
        "lastMaintenanceDate",
        "nextMaintenanceDate",
        "firstSeenDate",
    ];
    let i = match existing {
        Some(i) => {
            let mut merged = body;
            for k in KEPT {
                match inner.assets[i].get(*k) {
                    Some(v) => merged.insert((*k).to_owned(), v.clone()),
                    None => merged.remove(*k),
                };
            }
            merged.remove("assetType");
            inner.assets[i] = merged;
            inner.add_log(i, 2, None, None);
            i
        }
        None => {
            if sn.is_empty() {
                return Reply::bad_request("'serialNumber' is required.");
            }
            inner.next_asset += 1;
            let mut a = body;
            a.remove("assetType");
            a.insert("assetId".into(), json!(inner.next_asset.to_string()));
            a.insert("firstSeenDate".into(), json!(fmt(now())));
            a.insert("totalCount".into(), json!(0));
            a.insert("runningCount".into(), json!(0));
            a.entry("state").or_insert(json!(1));
            inner.assets.push(a);
            let i = inner.assets.len() - 1;
            inner.add_log(i, 1, None, None);
            i
        }
    };
    Reply::json(&inner.view(i))
}

fn delete(req: &Req<'_>) -> Reply {
    let mut inner = lock(req);
    let i = match target(req, &inner) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let gone = inner.assets.remove(i);
    let id = str_of(&gone, "assetId").to_owned();
    let parent = gone.get("parentAssetId").cloned().unwrap_or(Value::Null);
    for a in &mut inner.assets {
        if str_of(a, "parentAssetId") == id {
            a.insert("parentAssetId".into(), parent.clone());
        }
    }
    inner.log.retain(|r| str_of(r, "assetId") != id);
    Reply::empty(StatusCode::OK)
}

/// 0 OK, 1 warning, 2 alarm, with the reason.
fn judge(inner: &Inner, a: &Map<String, Value>, at: DateTime<Utc>) -> (i64, String) {
    let mut reasons = Vec::new();
    let mut warn = Vec::new();
    for (key, what) in [
        ("nextCalibrationDate", "Calibration overdue"),
        ("nextMaintenanceDate", "Maintenance overdue"),
    ] {
        if date(a.get(key)).is_some_and(|d| d < at) {
            reasons.push(what.to_owned());
        }
    }
    if let Some(t) = inner.type_of(a) {
        let warn_pct = t.get("warningThreshold").and_then(Value::as_f64);
        for (count, limit, what) in [
            ("runningCount", "runningCountLimit", "Running count"),
            ("totalCount", "totalCountLimit", "Total count"),
        ] {
            let (count, limit) = (int(a.get(count)), int(t.get(limit)));
            if limit <= 0 {
                continue;
            }
            if count >= limit {
                reasons.push(format!("{what} limit reached"));
            } else if warn_pct.is_some_and(|p| count as f64 >= limit as f64 * p / 100.0) {
                warn.push(format!("{what} near its limit"));
            }
        }
    }
    match (reasons.is_empty(), warn.is_empty()) {
        (false, _) => (2, reasons.join("; ")),
        (true, false) => (1, warn.join("; ")),
        (true, true) => (0, "OK".to_owned()),
    }
}

fn status(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let i = match target(req, &inner) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let a = &inner.assets[i];
    let (alarm, message) = judge(&inner, a, now());
    Reply::json(&json!({
        "assetId": a.get("assetId"),
        "serialNumber": a.get("serialNumber"),
        "alarmState": alarm,
        "message": message,
        "runningCount": int(a.get("runningCount")),
        "totalCount": int(a.get("totalCount")),
    }))
}

/// Run `f` on the target asset under the lock and answer the asset.
fn update(req: &Req<'_>, f: impl FnOnce(&mut Inner, usize) -> Result<(), Reply>) -> Reply {
    let mut inner = lock(req);
    let i = match target(req, &inner) {
        Ok(i) => i,
        Err(e) => return e,
    };
    match f(&mut inner, i) {
        Ok(()) => Reply::json(&inner.view(i)),
        Err(e) => e,
    }
}

fn int_q(req: &Req<'_>, key: &str) -> Result<Option<i64>, Reply> {
    match req.q(key) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| Reply::bad_request(&format!("'{key}' is not an integer."))),
    }
}

fn set_state(req: &Req<'_>) -> Reply {
    update(req, |inner, i| match int_q(req, "state")? {
        Some(s @ 0..=6) => {
            inner.assets[i].insert("state".into(), json!(s));
            inner.add_log(i, 6, None, Some("state"));
            Ok(())
        }
        _ => Err(Reply::bad_request("'state' must be 0 to 6.")),
    })
}

fn bump(a: &mut Map<String, Value>, by: i64) {
    for k in ["runningCount", "totalCount"] {
        let v = int(a.get(k)).saturating_add(by);
        a.insert(k.into(), json!(v));
    }
}

fn count(req: &Req<'_>) -> Reply {
    update(req, |inner, i| {
        let by = match (int_q(req, "incrementBy")?, int_q(req, "totalCount")?) {
            (Some(by), _) => by,
            // `totalCount`: the new total; the running count grows by the difference.
            (None, Some(total)) => total - int(inner.assets[i].get("totalCount")),
            (None, None) => 1,
        };
        bump(&mut inner.assets[i], by);
        if req
            .q("incrementChildren")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            for j in inner.children(i, u32::MAX) {
                bump(&mut inner.assets[j], by);
            }
        }
        Ok(())
    })
}

fn reset(req: &Req<'_>) -> Reply {
    update(req, |inner, i| {
        inner.assets[i].insert("runningCount".into(), json!(0));
        let comment = req.q("comment").map(std::borrow::Cow::into_owned);
        inner.add_log(i, 3, comment.as_deref(), Some("runningCount"));
        Ok(())
    })
}

fn set_count(req: &Req<'_>, key: &'static str) -> Reply {
    update(req, |inner, i| match int_q(req, key)? {
        Some(v) if v >= 0 => {
            inner.assets[i].insert(key.into(), json!(v));
            inner.add_log(i, 2, None, Some(key));
            Ok(())
        }
        _ => Err(Reply::bad_request(&format!("'{key}' must be 0 or more."))),
    })
}

fn set_running(req: &Req<'_>) -> Reply {
    set_count(req, "runningCount")
}

fn set_total(req: &Req<'_>) -> Reply {
    set_count(req, "totalCount")
}

fn date_q(req: &Req<'_>, key: &str) -> Result<Option<DateTime<Utc>>, Reply> {
    match req.q(key) {
        None => Ok(None),
        Some(v) => odata::parse_date(&v)
            .map(|d| Some(d.with_timezone(&Utc)))
            .ok_or_else(|| Reply::bad_request(&format!("'{key}' is not a date-time."))),
    }
}

/// Record a calibration (`what` = "Calibration") or maintenance done at `dateTime` (or
/// now); the next date follows from the type's interval in days.
fn record(req: &Req<'_>, what: &'static str, kind: i64) -> Reply {
    update(req, |inner, i| {
        let at = date_q(req, "dateTime")?.unwrap_or_else(now);
        let interval = inner
            .type_of(&inner.assets[i])
            .and_then(|t| t.get(&format!("{}Interval", what.to_ascii_lowercase())))
            .and_then(Value::as_f64)
            .filter(|d| *d > 0.0);
        let a = &mut inner.assets[i];
        a.insert(format!("last{what}Date"), json!(fmt(at)));
        if let Some(days) = interval {
            let next = at + Duration::seconds((days * 86_400.0) as i64);
            a.insert(format!("next{what}Date"), json!(fmt(next)));
        }
        let comment = req.q("comment").map(std::borrow::Cow::into_owned);
        inner.add_log(i, kind, comment.as_deref(), None);
        Ok(())
    })
}

fn record_external(req: &Req<'_>, what: &'static str, kind: i64) -> Reply {
    update(req, |inner, i| {
        let (Some(from), Some(to)) = (date_q(req, "fromDate")?, date_q(req, "toDate")?) else {
            return Err(Reply::bad_request("'fromDate' and 'toDate' are required."));
        };
        let a = &mut inner.assets[i];
        a.insert(format!("last{what}Date"), json!(fmt(from)));
        a.insert(format!("next{what}Date"), json!(fmt(to)));
        let comment = req.q("comment").map(std::borrow::Cow::into_owned);
        inner.add_log(i, kind, comment.as_deref(), None);
        Ok(())
    })
}

fn calibration(req: &Req<'_>) -> Reply {
    record(req, "Calibration", 4)
}

fn maintenance(req: &Req<'_>) -> Reply {
    record(req, "Maintenance", 5)
}

fn calibration_ext(req: &Req<'_>) -> Reply {
    record_external(req, "Calibration", 4)
}

fn maintenance_ext(req: &Req<'_>) -> Reply {
    record_external(req, "Maintenance", 5)
}

fn log(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let rows = inner.log.iter().rev().cloned().map(Value::Object).collect();
    drop(inner);
    reply_list(filter_page(req, rows, LOG_FIELDS))
}

fn message(req: &Req<'_>) -> Reply {
    let content = match req.json() {
        Ok(v) => v.get("content").and_then(Value::as_str).map(str::to_owned),
        Err(e) => return e,
    };
    let Some(content) = content else {
        return Reply::bad_request("'content' is required.");
    };
    update(req, |inner, i| {
        inner.add_log(i, 0, Some(&content), None);
        Ok(())
    })
}

fn types(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let mut rows: Vec<Value> = inner.types.iter().cloned().map(Value::Object).collect();
    drop(inner);
    rows.sort_by(|a, b| odata::order_values(a.get("typeName"), b.get("typeName")));
    reply_list(filter_page(
        req,
        rows,
        &[
            "typeId",
            "typeName",
            "runningCountLimit",
            "totalCountLimit",
            "maintenanceInterval",
            "calibrationInterval",
        ],
    ))
}

fn save_type(req: &Req<'_>) -> Reply {
    let mut body = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Reply::bad_request("An asset type object is expected."),
        Err(e) => return e,
    };
    if str_of(&body, "typeName").is_empty() {
        return Reply::bad_request("'typeName' is required.");
    }
    let mut inner = lock(req);
    let id = str_of(&body, "typeId").to_owned();
    match inner
        .types
        .iter()
        .position(|t| !id.is_empty() && str_of(t, "typeId").eq_ignore_ascii_case(&id))
    {
        Some(i) => inner.types[i] = body.clone(),
        None => {
            if id.is_empty() || id == "00000000-0000-0000-0000-000000000000" {
                body.insert("typeId".into(), json!(uuid::Uuid::new_v4().to_string()));
            }
            inner.types.push(body.clone());
        }
    }
    Reply::json(&Value::Object(body))
}

fn sub_assets(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    let i = match target(req, &inner) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let levels = match int_q(req, "level") {
        Ok(l) => l.map_or(1, |l| u32::try_from(l.max(1)).unwrap_or(1)),
        Err(e) => return e,
    };
    let rows = inner
        .children(i, levels)
        .into_iter()
        .map(|j| inner.view(j))
        .collect();
    Reply::json(&Value::Array(rows))
}
