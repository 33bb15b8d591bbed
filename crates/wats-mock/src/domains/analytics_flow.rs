//! The unit flow of the mock: a graph computed from the stored test reports. A node is an
//! operation (`processName`, or `processName / <split value>` when split by a dimension),
//! a link joins the consecutive operations of a unit, and a unit's status is that of its
//! last run. The last graph computed is the server's "current" flow that the GET routes
//! (`Links`, `Nodes`, `Units`) read, as on the real server.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::calc::{Run, select};
use super::{Reply, Req};

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The flow graph of the reports the request's filter selects.
fn graph(req: &Req<'_>, body: &Map<String, Value>) -> Value {
    let sns = strings(body.get("serialNumbers"));
    let hide = strings(body.get("hideList"));
    let show = strings(body.get("showList"));
    let split = body.get("splitBy").and_then(Value::as_str).unwrap_or("");
    let runs: Vec<Run> = select(req.store, b'T', body)
        .into_iter()
        .filter(|r| sns.is_empty() || sns.contains(&r.h("serialNumber")))
        .collect();
    let node_of = |r: &Run| {
        let op = r.h("processName");
        if split.is_empty() {
            op
        } else {
            format!("{op} / {}", r.field(split, None))
        }
    };
    let visible =
        |n: &str| !hide.iter().any(|h| h == n) && (show.is_empty() || show.iter().any(|s| s == n));
    // Each unit's runs, oldest first (select sorts by start).
    let mut units: BTreeMap<(String, String), Vec<&Run>> = BTreeMap::new();
    for r in &runs {
        units
            .entry((r.h("serialNumber"), r.h("partNumber")))
            .or_default()
            .push(r);
    }
    // node -> (units visiting, units whose last run there passed)
    let mut nodes: BTreeMap<String, (u64, u64, String)> = BTreeMap::new();
    let mut links: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut unit_rows = Vec::new();
    for ((sn, pn), runs) in &units {
        let mut last_at: BTreeMap<String, bool> = BTreeMap::new();
        let mut path: Vec<String> = Vec::new();
        for r in runs {
            let n = node_of(r);
            if !visible(&n) {
                continue;
            }
            last_at.insert(n.clone(), r.passed());
            nodes.entry(n.clone()).or_insert((0, 0, r.h("processCode")));
            if path.last() != Some(&n) {
                path.push(n);
            }
        }
        for (n, passed) in &last_at {
            if let Some(e) = nodes.get_mut(n) {
                e.0 += 1;
                e.1 += u64::from(*passed);
            }
        }
        for w in path.windows(2) {
            *links.entry((w[0].clone(), w[1].clone())).or_default() += 1;
        }
        let (first, last) = (runs.first(), runs.last());
        unit_rows.push(json!({
            "serialNumber": sn, "partNumber": pn,
            "status": if last.is_some_and(|r| r.passed()) { "Passed" } else { "Failed" },
            "startTime": first.map(|r| r.h("start")), "endTime": last.map(|r| r.h("start")),
        }));
    }
    if let Some(order) = body.get("unitOrder").and_then(Value::as_str) {
        let key = if order.is_empty() {
            "serialNumber"
        } else {
            order
        };
        unit_rows.sort_by(|a, b| a[key].to_string().cmp(&b[key].to_string()));
    }
    let ids: BTreeMap<&String, usize> = nodes.keys().enumerate().map(|(i, n)| (n, i + 1)).collect();
    let node_rows: Vec<Value> = nodes
        .iter()
        .map(|(n, (count, passed, code))| {
            json!({
                "id": ids[n], "name": n, "processCode": code.parse::<i64>().ok(),
                "unitCount": count, "passCount": passed, "failCount": count - passed,
                "yield": if *count == 0 { 0.0 } else { *passed as f64 * 100.0 / *count as f64 },
                "isExpanded": body.get("expandOperations").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect();
    let link_rows: Vec<Value> = links
        .iter()
        .enumerate()
        .map(|(i, ((s, t), n))| {
            json!({"id": i + 1, "sourceId": ids[s], "targetId": ids[t],
                   "sourceName": s, "targetName": t, "unitCount": n})
        })
        .collect();
    json!({"nodes": node_rows, "links": link_rows, "units": unit_rows, "totalUnits": units.len()})
}

/// `POST /api/internal/UnitFlow` (and `/SN`, `/SplitBy`, `/UnitOrder`): compute the flow,
/// keep it as the current flow, answer it.
pub(crate) fn post(req: &Req<'_>) -> Reply {
    let body = match super::filter(req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let g = graph(req, &body);
    if let Ok(mut current) = req.store.domains.analytics.flow.lock() {
        *current = Some(g.clone());
    }
    Reply::json(&g)
}

fn part(req: &Req<'_>, key: &str) -> Reply {
    let current = req
        .store
        .domains
        .analytics
        .flow
        .lock()
        .ok()
        .and_then(|c| c.as_ref().map(|g| g[key].clone()));
    Reply::json(&current.unwrap_or_else(|| json!([])))
}

/// `GET /api/internal/UnitFlow/Links`.
pub(crate) fn links(req: &Req<'_>) -> Reply {
    part(req, "links")
}

/// `GET /api/internal/UnitFlow/Nodes`.
pub(crate) fn nodes(req: &Req<'_>) -> Reply {
    part(req, "nodes")
}

/// `GET /api/internal/UnitFlow/Units`.
pub(crate) fn units(req: &Req<'_>) -> Reply {
    part(req, "units")
}
