//! The analytics figures the mock computes from its stored reports: filter matching
//! (each text member read by `like::matches`), per-unit yields, failing
//! steps and numeric measurements by step path. The figures are the WATS definitions in
//! their simplest form: a unit is a (serial number, part number) pair; its runs in a
//! group are its reports there, by start time; first-pass means its first run passed,
//! last-pass that its last run passed.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use serde_json::{Map, Value, json};

use super::like::matches;
use crate::odata::parse_date;
use crate::store::{Store, StoredReport};

/// A stored report with its parsed document.
pub(crate) struct Run {
    pub(crate) stored: Arc<StoredReport>,
    pub(crate) doc: Value,
}

impl Run {
    pub(crate) fn h(&self, key: &str) -> String {
        match self.stored.header.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        }
    }

    pub(crate) fn passed(&self) -> bool {
        self.h("result").eq_ignore_ascii_case("P")
            || self.h("result").eq_ignore_ascii_case("Passed")
    }

    fn start(&self) -> Option<DateTime<FixedOffset>> {
        self.stored.start
    }

    /// The value of a filter member or dimension for this report.
    pub(crate) fn field(&self, key: &str, grouping: Option<i64>) -> String {
        match key {
            "testOperation" => self.h("processName"),
            "operator" => self.h("userName"),
            "period" => self
                .start()
                .map(|t| period(t, grouping))
                .unwrap_or_default(),
            "status" => if self.passed() { "Passed" } else { "Failed" }.to_owned(),
            // The station's level: WATS assigns it to the station (client group) in its
            // System Manager, which the mock has not; the report's `purpose` stands in.
            "level" => self.h("purpose"),
            "swFilename" => {
                let path = self.seq_call("path");
                path.rsplit(['/', '\\']).next().unwrap_or("").to_owned()
            }
            "swVersion" => self.seq_call("version"),
            "socket" | "socketIndex" => self.h("testSocketIndex"),
            k => self.h(k),
        }
    }
}

fn period(t: DateTime<FixedOffset>, grouping: Option<i64>) -> String {
    match grouping {
        Some(0) => format!("{}", t.year()),
        Some(1) => format!("{}-Q{}", t.year(), t.month0() / 3 + 1),
        Some(2) => format!("{}-{:02}", t.year(), t.month()),
        Some(3) => {
            let w = t.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Some(5) => format!("{} {:02}:00", t.date_naive(), t.hour()),
        _ => t.date_naive().to_string(),
    }
}

/// The text members a report answers with one value each (see [`Run::values`]).
const TEXT_FILTERS: &[&str] = &[
    "serialNumber",
    "partNumber",
    "revision",
    "batchNumber",
    "stationName",
    "testOperation",
    "status",
    "productGroup",
    "level",
    "swFilename",
    "swVersion",
    "socket",
];

/// The name of the product group every product is in (the one `GET /api/App/ProductGroups`
/// lists); the groups of the products domain come on top.
pub(crate) const ALL_PRODUCTS: &str = "All products";

impl Run {
    /// The values this report offers to the filter member `key`; it matches when one does.
    fn values(&self, key: &str, groups: &[String]) -> Vec<String> {
        match key {
            "productGroup" => groups.to_vec(),
            k => vec![self.field(k, None)],
        }
    }

    /// The root sequence's `seqCall` member `key` (`path`, `version`).
    fn seq_call(&self, key: &str) -> String {
        self.doc
            .pointer(&format!("/root/seqCall/{key}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    }

    /// The misc infos as (description, value) pairs; a numeric value as its text.
    fn misc(&self) -> Vec<(String, String)> {
        let text = |v: Option<&Value>| match v {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(v) => Some(v.to_string()),
        };
        self.doc
            .get("miscInfos")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|m| {
                        let value = text(m.get("text")).or_else(|| text(m.get("numeric")));
                        (
                            text(m.get("description")).unwrap_or_default(),
                            value.unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn text_member<'a>(filter: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    filter
        .get(key)
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
}

/// Whether a report passes every text member of the filter: the single-valued members of
/// [`TEXT_FILTERS`], and `miscDescription` / `miscValue` (one misc info must match both
/// when both are set).
fn keeps(r: &Run, filter: &Map<String, Value>, groups: &[String]) -> bool {
    let single = TEXT_FILTERS.iter().all(|k| match text_member(filter, k) {
        Some(p) => r.values(k, groups).iter().any(|v| matches(p, v)),
        None => true,
    });
    let (desc, value) = (
        text_member(filter, "miscDescription"),
        text_member(filter, "miscValue"),
    );
    single
        && (desc.is_none() && value.is_none()
            || r.misc().iter().any(|(d, v)| {
                desc.is_none_or(|p| matches(p, d)) && value.is_none_or(|p| matches(p, v))
            }))
}

/// The stored reports of `report_type` the filter body selects, oldest first.
pub(crate) fn select(store: &Store, report_type: u8, filter: &Map<String, Value>) -> Vec<Run> {
    let from = filter
        .get("dateFrom")
        .and_then(Value::as_str)
        .and_then(parse_date);
    let to = filter
        .get("dateTo")
        .and_then(Value::as_str)
        .and_then(parse_date);
    let by_group = text_member(filter, "productGroup").is_some();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut runs: Vec<Run> = store
        .matching_reports(report_type, None)
        .into_iter()
        .map(|stored| Run {
            doc: serde_json::from_slice(&stored.raw).unwrap_or(Value::Null),
            stored,
        })
        .filter(|r| {
            let g: &[String] = if by_group {
                groups.entry(r.h("partNumber")).or_insert_with_key(|pn| {
                    let mut names = vec![ALL_PRODUCTS.to_owned()];
                    names.extend(crate::domains::products::group_names_of(store, pn));
                    names
                })
            } else {
                &[]
            };
            keeps(r, filter, g)
        })
        .filter(|r| from.is_none_or(|f| r.start().is_some_and(|s| s >= f)))
        .filter(|r| to.is_none_or(|t| r.start().is_some_and(|s| s <= t)))
        .collect();
    runs.sort_by(|a, b| {
        a.start()
            .cmp(&b.start())
            .then(a.stored.time_stamp.cmp(&b.stored.time_stamp))
    });
    runs
}

/// One yield row per group of `dims` (dimension names): its dimension values and the
/// unit counts and yields of its units.
pub(crate) fn yield_rows(runs: &[Run], dims: &[&str], grouping: Option<i64>) -> Vec<Value> {
    let mut groups: BTreeMap<Vec<String>, Vec<&Run>> = BTreeMap::new();
    for r in runs {
        let key = dims.iter().map(|d| r.field(d, grouping)).collect();
        groups.entry(key).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(key, runs)| {
            let mut row = Map::new();
            for (d, v) in dims.iter().zip(key) {
                row.insert((*d).to_owned(), Value::String(v));
            }
            let mut units: BTreeMap<(String, String), Vec<bool>> = BTreeMap::new();
            for r in &runs {
                units
                    .entry((r.h("serialNumber"), r.h("partNumber")))
                    .or_default()
                    .push(r.passed());
            }
            let n = units.len() as u64;
            let by = |k: usize| {
                units
                    .values()
                    .filter(|v| v.iter().take(k).any(|p| *p))
                    .count() as u64
            };
            let (fp, sp, tp) = (by(1), by(2), by(3));
            let lp = units.values().filter(|v| v.last() == Some(&true)).count() as u64;
            let pct = |x: u64| {
                if n == 0 {
                    0.0
                } else {
                    x as f64 * 100.0 / n as f64
                }
            };
            row.insert("unitCount".into(), json!(n));
            row.insert("fpCount".into(), json!(fp));
            row.insert("spCount".into(), json!(sp));
            row.insert("tpCount".into(), json!(tp));
            row.insert("lpCount".into(), json!(lp));
            row.insert("fpy".into(), json!(pct(fp)));
            row.insert("spy".into(), json!(pct(sp)));
            row.insert("tpy".into(), json!(pct(tp)));
            row.insert("lpy".into(), json!(pct(lp)));
            row.insert("testReportCount".into(), json!(runs.len()));
            Value::Object(row)
        })
        .collect()
}

/// Order rows by `dims` (`name` or `name desc`/`name asc`), numbers numerically.
pub(crate) fn order(rows: &mut [Value], dims: &[(&str, bool)]) {
    rows.sort_by(|a, b| {
        for (k, desc) in dims {
            let o = match (&a[*k], &b[*k]) {
                (Value::Number(x), Value::Number(y)) => x
                    .as_f64()
                    .partial_cmp(&y.as_f64())
                    .unwrap_or(std::cmp::Ordering::Equal),
                (x, y) => x.to_string().cmp(&y.to_string()),
            };
            let o = if *desc { o.reverse() } else { o };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
}

/// Visit every step of a report with its `¶` path (root name included).
pub(crate) fn walk(doc: &Value, f: &mut dyn FnMut(&str, &Value)) {
    fn go(step: &Value, prefix: &str, f: &mut dyn FnMut(&str, &Value)) {
        let name = step.get("name").and_then(Value::as_str).unwrap_or("");
        let path = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}¶{name}")
        };
        f(&path, step);
        if let Some(children) = step.get("steps").and_then(Value::as_array) {
            for c in children {
                go(c, &path, f);
            }
        }
    }
    if let Some(root) = doc.get("root") {
        go(root, "", f);
    }
}

fn failed(step: &Value) -> bool {
    step.get("status")
        .and_then(Value::as_str)
        .is_some_and(|s| s == "F" || s == "Failed")
}

/// Failing steps: steps with status failed none of whose children failed, counted per
/// step path over the runs; highest count first (then path), `top` of them.
pub(crate) fn top_failed(runs: &[Run], top: usize) -> Vec<Value> {
    let mut seen: BTreeMap<String, (String, String, u64, u64)> = BTreeMap::new();
    for r in runs {
        walk(&r.doc, &mut |path, step| {
            let e = seen.entry(path.to_owned()).or_insert_with(|| {
                let name = step
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let ty = step
                    .get("stepType")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                (name, ty, 0, 0)
            });
            e.3 += 1;
            let child_failed = step
                .get("steps")
                .and_then(Value::as_array)
                .is_some_and(|c| c.iter().any(failed));
            if failed(step) && !child_failed {
                e.2 += 1;
            }
        });
    }
    let mut rows: Vec<(String, (String, String, u64, u64))> =
        seen.into_iter().filter(|(_, v)| v.2 > 0).collect();
    rows.sort_by(|a, b| b.1.2.cmp(&a.1.2).then_with(|| a.0.cmp(&b.0)));
    rows.into_iter()
        .take(top)
        .map(|(path, (name, ty, fails, total))| {
            json!({
                "stepName": name, "stepPath": path, "stepType": ty,
                "failCount": fails, "totalCount": total,
                "failRate": fails as f64 * 100.0 / total as f64,
            })
        })
        .collect()
}

/// The numeric measurements at `path` (`step¶path`, optionally `¶¶measurement`).
pub(crate) fn measurements(runs: &[Run], path: &str) -> Vec<Value> {
    let (step_path, meas_name) = match path.split_once("¶¶") {
        Some((s, m)) => (s, Some(m)),
        None => (path, None),
    };
    let mut out = Vec::new();
    for r in runs {
        walk(&r.doc, &mut |p, step| {
            if p != step_path {
                return;
            }
            let Some(list) = step.get("numericMeas").and_then(Value::as_array) else {
                return;
            };
            let m = match meas_name {
                Some(n) => list
                    .iter()
                    .find(|m| m.get("name").and_then(Value::as_str) == Some(n)),
                None => list.first(),
            };
            if let Some(m) = m {
                out.push(json!({
                    "id": r.stored.id, "serialNumber": r.h("serialNumber"),
                    "partNumber": r.h("partNumber"), "revision": r.h("revision"),
                    "startUtc": r.h("start"), "value": m.get("value"),
                    "limit1": m.get("lowLimit"), "limit2": m.get("highLimit"),
                    "unit": m.get("unit"), "status": m.get("status"),
                }));
            }
        });
    }
    out
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Count, min, max, mean, sample stdev and variance, limits, Cp and Cpk of points.
pub(crate) fn aggregate(path: &str, points: &[Value]) -> Value {
    let xs: Vec<f64> = points
        .iter()
        .filter_map(|p| num(&p["value"]))
        .filter(|x| x.is_finite())
        .collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n.max(1.0);
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let sd = var.sqrt();
    let low = points.iter().find_map(|p| num(&p["limit1"]));
    let high = points.iter().find_map(|p| num(&p["limit2"]));
    let ok = sd > 0.0;
    let cp = match (low, high) {
        (Some(l), Some(h)) if ok => json!((h - l) / (6.0 * sd)),
        _ => Value::Null,
    };
    let cpk = [
        high.map(|h| (h - mean) / (3.0 * sd)),
        low.map(|l| (mean - l) / (3.0 * sd)),
    ]
    .into_iter()
    .flatten()
    .filter(|_| ok)
    .reduce(f64::min)
    .map_or(Value::Null, |v| json!(v));
    json!({
        "measurementPath": path, "count": xs.len(),
        "min": xs.iter().copied().reduce(f64::min), "max": xs.iter().copied().reduce(f64::max),
        "avg": if xs.is_empty() { Value::Null } else { json!(mean) },
        "stdev": sd, "var": var, "limit1": low, "limit2": high, "cp": cp, "cpk": cpk,
    })
}
