//! The internal unit routes of the production mock (`/api/internal/...`, PascalCase).

use serde_json::{Value, json};

use super::{INTERNAL_PAIR, Key, PHASES, Units, done, need, pair, units_of};
use crate::domains::{Reply, Req};
use http::StatusCode;

pub(super) fn unit_phases(_req: &Req<'_>) -> Reply {
    let list: Vec<Value> = PHASES
        .iter()
        .map(|(id, code, name)| json!({"UnitPhaseId": id, "Code": code, "Name": name, "Description": name}))
        .collect();
    Reply::json(&Value::Array(list))
}

/// Runs `f` on the unit named by `serialNumber` and `partNumber` (optional).
pub(super) fn with_unit(req: &Req<'_>, f: impl FnOnce(&mut Units, &Key) -> Value) -> Reply {
    done((|| {
        let sn = need(req, "serialNumber")?;
        let pn = req.q("partNumber").unwrap_or_default();
        let mut s = units_of(req);
        let k = s.get(req.store, &sn, &pn)?;
        Ok(Reply::json(&f(&mut s, &k)))
    })())
}

pub(super) fn internal_get_unit(req: &Req<'_>) -> Reply {
    with_unit(req, |s, k| info(s, k))
}

pub(super) fn info(s: &Units, k: &Key) -> Value {
    let u = &s.units[k];
    let get = |name: &str| u.get(name).cloned().unwrap_or(Value::Null);
    json!({
        "SerialNumber": get("serialNumber"), "PartNumber": get("partNumber"),
        "Revision": get("revision"), "BatchNumber": get("batchNumber"),
        "SerialDate": get("serialDate"), "CurrentLocation": get("currentLocation"),
        "UnitPhaseId": get("unitPhaseId"), "UnitPhase": get("unitPhase"),
        "ProcessCode": get("processCode"),
        "ParentSerialNumber": s.parent_of.get(k).map(|p| s.units[p]["serialNumber"].clone()),
        "ChildCount": s.children(k).len(),
    })
}

pub(super) fn hierarchy(s: &Units, k: &Key, depth: usize) -> Value {
    let mut v = info(s, k);
    let children: Vec<Value> = if depth < 16 {
        s.children(k)
            .iter()
            .map(|c| hierarchy(s, c, depth + 1))
            .collect()
    } else {
        Vec::new()
    };
    v["Children"] = Value::Array(children);
    v
}

pub(super) fn unit_info(req: &Req<'_>) -> Reply {
    with_unit(req, |s, k| info(s, k))
}

pub(super) fn unit_hierarchy(req: &Req<'_>) -> Reply {
    with_unit(req, |s, k| hierarchy(s, k, 0))
}

pub(super) fn unit_state_history(req: &Req<'_>) -> Reply {
    with_unit(req, |s, k| {
        Value::Array(s.history.get(k).cloned().unwrap_or_default())
    })
}

pub(super) fn unit_phase(req: &Req<'_>) -> Reply {
    with_unit(req, |s, k| {
        let u = &s.units[k];
        json!({ "UnitPhaseId": u["unitPhaseId"], "Name": u["unitPhase"] })
    })
}

pub(super) fn unit_process(req: &Req<'_>) -> Reply {
    with_unit(
        req,
        |s, k| json!({ "ProcessName": s.units[k].get("currentProcess"), "ProcessCode": s.units[k].get("processCode") }),
    )
}

pub(super) fn unit_contents(req: &Req<'_>) -> Reply {
    with_unit(req, |s, k| {
        let children: Vec<Value> = s.children(k).iter().map(|c| info(s, c)).collect();
        json!({ "Unit": info(s, k), "Contents": children })
    })
}

pub(super) fn internal_create_unit(req: &Req<'_>) -> Reply {
    done((|| {
        let (sn, pn, rev) = (
            need(req, "serialNumber")?,
            need(req, "partNumber")?,
            need(req, "revision")?,
        );
        let mut unit = json!({ "serialNumber": sn.as_ref(), "partNumber": pn.as_ref(), "revision": rev.as_ref() });
        if let Some(b) = req.q("batchNumber") {
            unit["batchNumber"] = json!(b.as_ref());
        }
        if let Some(p) = req.q("unitPhase").and_then(|p| p.parse::<i64>().ok()) {
            unit["unitPhaseId"] = json!(p);
        }
        let mut s = units_of(req);
        if s.find(req.store, &sn, &pn).is_some() {
            return Err(Reply::error(
                StatusCode::CONFLICT,
                "The unit exists already",
            ));
        }
        let k = s
            .save(req.store, &unit)
            .map_err(|m| Reply::bad_request(&m))?;
        Ok(Reply::json(&info(&s, &k)))
    })())
}

pub(super) fn internal_add_child(req: &Req<'_>) -> Reply {
    let mut s = units_of(req);
    let check_phase = req
        .q("checkPhase")
        .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    done(pair(req, &mut s, INTERNAL_PAIR).and_then(|(p, c)| {
        s.add_child(&p, &c, check_phase)?;
        Ok(Reply::json(&json!({ "Success": true, "Message": "" })))
    }))
}

pub(super) fn internal_remove_child(req: &Req<'_>) -> Reply {
    let mut s = units_of(req);
    done(pair(req, &mut s, INTERNAL_PAIR).and_then(|(p, c)| {
        s.remove_child(&p, &c)?;
        Ok(Reply::json(&json!({ "Success": true, "Message": "" })))
    }))
}

pub(super) fn internal_remove_all(req: &Req<'_>) -> Reply {
    with_unit(req, |s, k| {
        let children = s.children(k);
        for c in &children {
            let _ = s.remove_child(k, c);
        }
        json!({ "Success": true, "Removed": children.len() })
    })
}

/// The internal check: the public one's answer with PascalCase members.
pub(super) fn internal_check_child_units(req: &Req<'_>) -> Reply {
    let mut s = units_of(req);
    done(need(req, "ParentSerialNumber").and_then(|sn| {
        let pn = req.q("ParentPartNumber").unwrap_or_default();
        let k = s.get(req.store, &sn, &pn)?;
        Ok(Reply::json(&pascal(&s.check_children(&k))))
    }))
}

/// A JSON value with every object key's first letter upper-cased.
fn pascal(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let key = c
                        .next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default();
                    (key, pascal(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(pascal).collect()),
        other => other.clone(),
    }
}

pub(super) fn get_sites(_req: &Req<'_>) -> Reply {
    Reply::json(&json!([{ "SiteId": 1, "Name": "Main", "Code": "MAIN" }]))
}

pub(super) fn is_connected(_req: &Req<'_>) -> Reply {
    Reply::json(&json!(true))
}
