//! The list routes of the production mock: the unit query, batches and the change feed.

use http::StatusCode;
use serde_json::Value;

use super::{Key, done, need, text, units_of};
use crate::domains::{Reply, Req};

/// The members a unit `$filter` may name.
const UNIT_FIELDS: &[&str] = &[
    "serialNumber",
    "partNumber",
    "revision",
    "parentSerialNumber",
    "batchNumber",
    "serialDate",
    "currentLocation",
    "unitPhaseId",
    "unitPhase",
    "processCode",
];

pub(super) fn query_units(req: &Req<'_>) -> Reply {
    let filter = match req.q("$filter") {
        Some(f) => match crate::odata::parse(&f, UNIT_FIELDS) {
            Ok(e) => Some(e),
            Err(m) => return Reply::bad_request(&m),
        },
        None => None,
    };
    let top = req.q("$top").and_then(|t| t.parse::<usize>().ok());
    let skip = req.q("$skip").and_then(|t| t.parse::<usize>().ok());
    let mut s = units_of(req);
    for (sn, pn) in req.store.unit_keys() {
        s.find(req.store, &sn, &pn);
    }
    let mut keys: Vec<Key> = s.units.keys().cloned().collect();
    keys.sort();
    let mut list: Vec<Value> = keys
        .iter()
        .map(|k| s.render(k, 0))
        .filter(|u| {
            filter
                .as_ref()
                .is_none_or(|f| u.as_object().is_some_and(|o| crate::odata::eval(f, o)))
        })
        .collect();
    if let Some(order) = req.q("$orderby") {
        let mut parts = order.split_whitespace();
        let field = parts.next().unwrap_or("").to_owned();
        let desc = parts.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
        list.sort_by(|a, b| {
            let o = crate::odata::order_values(a.get(&field), b.get(&field));
            if desc { o.reverse() } else { o }
        });
    }
    let page: Vec<Value> = list
        .into_iter()
        .skip(skip.unwrap_or(0))
        .take(top.unwrap_or(usize::MAX))
        .collect();
    Reply::json(&Value::Array(page))
}

pub(super) fn get_batches(req: &Req<'_>) -> Reply {
    let s = units_of(req);
    let want = req.q("batchNumber");
    let pn = req.q("partNumber");
    let list: Vec<Value> = s
        .batches
        .values()
        .filter(|b| {
            want.as_deref()
                .is_none_or(|w| text(b, "batchNumber").eq_ignore_ascii_case(w))
        })
        .filter(|b| {
            pn.as_deref()
                .is_none_or(|w| text(b, "partNumber").eq_ignore_ascii_case(w))
        })
        .cloned()
        .collect();
    Reply::json(&Value::Array(list))
}

pub(super) fn save_batch_values(req: &Req<'_>, items: &[Value]) -> Result<Vec<Value>, Reply> {
    let mut s = units_of(req);
    let mut out = Vec::new();
    for b in items {
        let n = text(b, "batchNumber");
        if n.trim().is_empty() {
            return Err(Reply::bad_request("batchNumber is required"));
        }
        s.batches.insert(n.to_ascii_lowercase(), b.clone());
        out.push(b.clone());
    }
    Ok(out)
}

pub(super) fn put_batch(req: &Req<'_>) -> Reply {
    done(req.json().and_then(|b| {
        save_batch_values(req, std::slice::from_ref(&b)).map(|mut v| Reply::json(&v.remove(0)))
    }))
}

pub(super) fn put_batches(req: &Req<'_>) -> Reply {
    done(req.json().and_then(|b| match b {
        Value::Array(items) => {
            save_batch_values(req, &items).map(|v| Reply::json(&Value::Array(v)))
        }
        _ => Err(Reply::bad_request("The body must be a list of batches")),
    }))
}

pub(super) fn get_changes(req: &Req<'_>) -> Reply {
    done((|| {
        let max: usize = need(req, "maxCount")?
            .parse()
            .map_err(|_| Reply::bad_request("maxCount must be an integer"))?;
        let skip: usize = req.q("$skip").and_then(|v| v.parse().ok()).unwrap_or(0);
        let s = units_of(req);
        let page: Vec<Value> = s.changes.iter().skip(skip).take(max).cloned().collect();
        Ok(Reply::json(&Value::Array(page)))
    })())
}

pub(super) fn delete_change(req: &Req<'_>) -> Reply {
    let Ok(id) = req.p(0).parse::<i64>() else {
        return Reply::bad_request("The id must be an integer");
    };
    let mut s = units_of(req);
    let before = s.changes.len();
    s.changes.retain(|c| c["id"].as_i64() != Some(id));
    if s.changes.len() == before {
        return Reply::not_found(&format!("Unit change {id} was not found"));
    }
    Reply::empty(StatusCode::OK)
}
