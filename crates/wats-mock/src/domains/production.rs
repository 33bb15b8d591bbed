//! The `production` domain's routes and state in the mock: units (created, updated, deleted,
//! re-numbered, tagged), phases and processes with their history, assembly (parent/child),
//! verification from the stored reports, batches and the unit change feed. Serial numbers
//! are in [`serials`].
//!
//! State is one mutex per domain; handlers are sync and hold it only while they run.
//! Units of the seeded store (and of submitted reports) are copied in on first use, so
//! what a test writes it reads back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Reply, Req};
use crate::store::Store;

mod internal;
mod lists;
pub(crate) mod serials;
mod table;
mod verify;

pub(crate) use table::ROUTES;

/// A unit's key: serial and part number, ASCII lower-cased (the server ignores case).
type Key = (String, String);

fn key(sn: &str, pn: &str) -> Key {
    (sn.to_ascii_lowercase(), pn.to_ascii_lowercase())
}

/// This domain's state.
#[derive(Debug, Default)]
pub(crate) struct State {
    units: Mutex<Units>,
    pub(crate) serials: serials::State,
}

#[derive(Debug, Default)]
struct Units {
    /// Units read or written so far (copied from the store on first use).
    units: HashMap<Key, Value>,
    /// Units deleted (hidden even if the store has them).
    deleted: HashSet<Key>,
    /// child → parent.
    parent_of: HashMap<Key, Key>,
    /// Phase and process history per unit.
    history: HashMap<Key, Vec<Value>>,
    /// The unit change feed, oldest first.
    changes: Vec<Value>,
    next_change: i64,
    next_event: i64,
    batches: BTreeMap<String, Value>,
}

fn lock(state: &State) -> MutexGuard<'_, Units> {
    state.units.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The documented unit phases (`UnitPhaseId`, `Code`, `Name`).
pub(crate) const PHASES: &[(i64, &str, &str)] = &[
    (1, "Unknown", "Unknown unit phase"),
    (2, "UnderProduction", "Under production"),
    (4, "ProductionRepair", "Production repair"),
    (8, "ServiceRepair", "Service repair"),
    (16, "Finalized", "Finalized"),
    (32, "Scrapped", "Scrapped"),
    (64, "ExtendedTest", "Extended test"),
    (128, "Customization", "Customization"),
    (256, "Repaired", "Repaired"),
    (512, "Missing", "Missing"),
    (1024, "InStorage", "In storage"),
    (2048, "Shipped", "Shipped"),
    (4098, "UnderProductionQueued", "Under production - queued"),
    (4100, "ProductionRepairQueued", "Production repair - queued"),
    (4104, "ServiceRepairQueued", "Service repair - queued"),
];

const FINALIZED: i64 = 16;

fn phase_name(id: i64) -> Option<&'static str> {
    PHASES.iter().find(|p| p.0 == id).map(|p| p.2)
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// A required query parameter, or a 400.
fn need<'r>(req: &'r Req<'_>, name: &str) -> Result<std::borrow::Cow<'r, str>, Reply> {
    match req.q(name) {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(Reply::bad_request(&format!("`{name}` is required"))),
    }
}

fn done(result: Result<Reply, Reply>) -> Reply {
    result.unwrap_or_else(|e| e)
}

impl Units {
    /// The unit, copied in from the store on first use; `pn` empty matches any part number.
    fn find(&mut self, store: &Store, sn: &str, pn: &str) -> Option<Key> {
        if pn.is_empty() {
            let sn_l = sn.to_ascii_lowercase();
            return self
                .units
                .keys()
                .filter(|k| k.0 == sn_l && !self.deleted.contains(*k))
                .min()
                .cloned();
        }
        let k = key(sn, pn);
        if self.deleted.contains(&k) {
            return None;
        }
        if !self.units.contains_key(&k) {
            let bytes = store.unit(sn, pn)?;
            let value: Value = serde_json::from_slice(&bytes).ok()?;
            self.units.insert(k.clone(), value);
        }
        Some(k)
    }

    fn get(&mut self, store: &Store, sn: &str, pn: &str) -> Result<Key, Reply> {
        self.find(store, sn, pn)
            .ok_or_else(|| Reply::not_found(&format!("Unit {sn} / {pn} was not found")))
    }

    /// The unit as the server answers it: `parentSerialNumber` and `subUnits` from the
    /// relations (children nested, at most 16 levels).
    fn render(&self, k: &Key, depth: usize) -> Value {
        let mut u = self.units.get(k).cloned().unwrap_or(Value::Null);
        if let Some(obj) = u.as_object_mut() {
            let parent = self
                .parent_of
                .get(k)
                .and_then(|p| self.units.get(p))
                .map(|p| p["serialNumber"].clone())
                .unwrap_or(Value::Null);
            obj.insert("parentSerialNumber".into(), parent);
            let subs: Vec<Value> = if depth < 16 {
                self.children(k)
                    .iter()
                    .map(|c| self.render(c, depth + 1))
                    .collect()
            } else {
                Vec::new()
            };
            obj.insert("subUnits".into(), Value::Array(subs));
        }
        u
    }

    fn children(&self, k: &Key) -> Vec<Key> {
        let mut c: Vec<Key> = self
            .parent_of
            .iter()
            .filter(|(_, p)| *p == k)
            .map(|(c, _)| c.clone())
            .collect();
        c.sort();
        c
    }

    fn change(&mut self, k: &Key, what: Map<String, Value>) {
        self.next_change += 1;
        let sn = self
            .units
            .get(k)
            .map_or(Value::Null, |u| u["serialNumber"].clone());
        let mut c = json!({ "id": self.next_change, "unitSerialNumber": sn });
        if let Some(obj) = c.as_object_mut() {
            obj.extend(what);
        }
        self.changes.push(c);
    }

    fn event(&mut self, k: &Key, mut what: Map<String, Value>) {
        self.next_event += 1;
        what.insert("Sequence".into(), json!(self.next_event));
        let now = chrono::Local::now().fixed_offset();
        what.insert(
            "Date".into(),
            json!(now.to_rfc3339_opts(chrono::SecondsFormat::Micros, false)),
        );
        self.history
            .entry(k.clone())
            .or_default()
            .push(Value::Object(what));
    }

    fn set_phase(&mut self, k: &Key, phase: i64) {
        if let Some(u) = self.units.get_mut(k) {
            u["unitPhaseId"] = json!(phase);
            u["unitPhase"] = json!(phase_name(phase));
        }
        let mut ev = Map::new();
        ev.insert("UnitPhaseId".into(), json!(phase));
        ev.insert("UnitPhase".into(), json!(phase_name(phase)));
        self.event(k, ev);
        let mut ch = Map::new();
        ch.insert("newUnitPhaseId".into(), json!(phase));
        self.change(k, ch);
    }

    /// Create or update one unit from its JSON; `Err` is the reason it was refused.
    fn save(&mut self, store: &Store, unit: &Value) -> Result<Key, String> {
        let (sn, pn) = (text(unit, "serialNumber"), text(unit, "partNumber"));
        if sn.trim().is_empty() || pn.trim().is_empty() {
            return Err("serialNumber and partNumber are required".to_owned());
        }
        let obj = unit
            .as_object()
            .ok_or_else(|| "a unit is an object".to_owned())?;
        match self.find(store, sn, pn) {
            Some(k) => {
                let old_rev = self.units[&k]["revision"].clone();
                if let Some(Value::Object(stored)) = self.units.get_mut(&k) {
                    for (name, v) in obj {
                        if !matches!(name.as_str(), "subUnits" | "parentSerialNumber") {
                            stored.insert(name.clone(), v.clone());
                        }
                    }
                }
                if obj.get("revision").is_some_and(|r| *r != old_rev) {
                    let mut ch = Map::new();
                    ch.insert("newRevision".into(), obj["revision"].clone());
                    self.change(&k, ch);
                }
                Ok(k)
            }
            None => {
                let k = key(sn, pn);
                let mut fresh = crate::seed::unit_json(sn, pn, text(unit, "revision"), None);
                if let Some(f) = fresh.as_object_mut() {
                    for (name, v) in obj {
                        if !matches!(name.as_str(), "subUnits" | "parentSerialNumber") {
                            f.insert(name.clone(), v.clone());
                        }
                    }
                }
                let phase = fresh["unitPhaseId"].as_i64().unwrap_or(2);
                fresh["unitPhase"] = json!(phase_name(phase));
                self.deleted.remove(&k);
                self.units.insert(k.clone(), fresh);
                Ok(k)
            }
        }
    }

    /// Make `child` a child of `parent`, with the server's rules.
    fn add_child(&mut self, parent: &Key, child: &Key, check_phase: bool) -> Result<(), Reply> {
        if parent == child {
            return Err(Reply::bad_request("A unit cannot be its own child"));
        }
        if self.parent_of.contains_key(child) {
            return Err(Reply::bad_request("The child unit already has a parent"));
        }
        let mut up = Some(parent.clone());
        while let Some(p) = up {
            if &p == child {
                return Err(Reply::bad_request("The relation would create a loop"));
            }
            up = self.parent_of.get(&p).cloned();
        }
        let phase = self.units[child]["unitPhaseId"].as_i64().unwrap_or(0);
        if check_phase && phase != FINALIZED {
            return Err(Reply::bad_request(
                "The child unit must be in phase Finalized",
            ));
        }
        self.parent_of.insert(child.clone(), parent.clone());
        let mut ch = Map::new();
        ch.insert(
            "newParentSerialNumber".into(),
            self.units[parent]["serialNumber"].clone(),
        );
        self.change(child, ch);
        Ok(())
    }

    fn remove_child(&mut self, parent: &Key, child: &Key) -> Result<(), Reply> {
        if self.parent_of.get(child) != Some(parent) {
            return Err(Reply::bad_request(
                "The parent/child relation does not exist",
            ));
        }
        self.parent_of.remove(child);
        let mut ch = Map::new();
        ch.insert("newParentSerialNumber".into(), Value::Null);
        self.change(child, ch);
        Ok(())
    }

    fn check_children(&self, parent: &Key) -> Value {
        let children: Vec<Value> = self
            .children(parent)
            .iter()
            .map(|c| {
                let u = &self.units[c];
                let ok = u["unitPhaseId"].as_i64() == Some(FINALIZED);
                json!({
                    "serialNumber": u["serialNumber"], "partNumber": u["partNumber"],
                    "revision": u["revision"], "unitPhaseId": u["unitPhaseId"], "valid": ok,
                    "message": if ok { "" } else { "The child unit is not Finalized" },
                })
            })
            .collect();
        let valid = children.iter().all(|c| c["valid"] == true);
        json!({ "valid": valid, "children": children })
    }
}

fn units_of<'a>(req: &Req<'a>) -> MutexGuard<'a, Units> {
    lock(&req.store.domains.production)
}

fn get_unit(req: &Req<'_>) -> Reply {
    let mut s = units_of(req);
    done(
        s.get(req.store, req.p(0), req.p(1))
            .map(|k| Reply::json(&s.render(&k, 0))),
    )
}

fn put_units(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(Value::Array(items)) => items,
        Ok(_) => return Reply::bad_request("The body must be a list of units"),
        Err(e) => return e,
    };
    let mut s = units_of(req);
    let mut saved = Vec::new();
    let mut errors = Vec::new();
    for unit in &body {
        match s.save(req.store, unit) {
            Ok(k) => saved.push(s.render(&k, 0)),
            Err(message) => errors.push(json!({
                "serialNumber": unit.get("serialNumber"), "partNumber": unit.get("partNumber"),
                "message": message,
            })),
        }
    }
    if errors.is_empty() {
        Reply::json(&Value::Array(saved))
    } else {
        Reply::json(&json!({
            "errorCount": errors.len(), "savedCount": saved.len(), "errors": errors,
        }))
    }
}

fn post_unit(req: &Req<'_>) -> Reply {
    let unit = match req.json() {
        Ok(u) => u,
        Err(e) => return e,
    };
    let mut s = units_of(req);
    if s.find(
        req.store,
        text(&unit, "serialNumber"),
        text(&unit, "partNumber"),
    )
    .is_some()
    {
        return Reply::error(StatusCode::CONFLICT, "The unit exists already");
    }
    match s.save(req.store, &unit) {
        Ok(k) => Reply::json(&s.render(&k, 0)),
        Err(m) => Reply::bad_request(&m),
    }
}

fn put_unit(req: &Req<'_>) -> Reply {
    let unit = match req.json() {
        Ok(u) => u,
        Err(e) => return e,
    };
    let mut s = units_of(req);
    if let Err(e) = s.get(
        req.store,
        text(&unit, "serialNumber"),
        text(&unit, "partNumber"),
    ) {
        return e;
    }
    match s.save(req.store, &unit) {
        Ok(k) => Reply::json(&s.render(&k, 0)),
        Err(m) => Reply::bad_request(&m),
    }
}

fn delete_unit(req: &Req<'_>) -> Reply {
    done((|| {
        let (sn, pn) = (need(req, "serialNumber")?, need(req, "partNumber")?);
        let mut s = units_of(req);
        let k = s.get(req.store, &sn, &pn)?;
        s.units.remove(&k);
        s.parent_of.retain(|c, p| *c != k && *p != k);
        s.deleted.insert(k);
        Ok(Reply::empty(StatusCode::OK))
    })())
}

fn change_unit(req: &Req<'_>) -> Reply {
    done((|| {
        let (sn, pn) = (need(req, "serialNumber")?, need(req, "partNumber")?);
        let (npn, nrev) = (need(req, "newPartNumber")?, need(req, "newRevision")?);
        let mut s = units_of(req);
        let k = s.get(req.store, &sn, &pn)?;
        let nk = key(&sn, &npn);
        if nk != k && s.find(req.store, &sn, &npn).is_some() {
            return Err(Reply::bad_request("A unit with the new part number exists"));
        }
        let mut u = s.units.remove(&k).unwrap_or(Value::Null);
        u["partNumber"] = json!(npn.as_ref());
        u["revision"] = json!(nrev.as_ref());
        s.units.insert(nk.clone(), u);
        if k != nk {
            s.deleted.insert(k.clone());
            for p in s.parent_of.values_mut().filter(|p| **p == k) {
                *p = nk.clone();
            }
            if let Some(p) = s.parent_of.remove(&k) {
                s.parent_of.insert(nk.clone(), p);
            }
            if let Some(h) = s.history.remove(&k) {
                s.history.insert(nk.clone(), h);
            }
        }
        let mut ch = Map::new();
        ch.insert("newPartNumber".into(), json!(npn.as_ref()));
        ch.insert("newRevision".into(), json!(nrev.as_ref()));
        s.change(&nk, ch);
        Ok(Reply::empty(StatusCode::OK))
    })())
}

fn unit_tag(req: &Req<'_>) -> Reply {
    done((|| {
        let (sn, pn, k_name) = (
            need(req, "serialNumber")?,
            need(req, "partNumber")?,
            need(req, "key")?,
        );
        let value = req.q("value").unwrap_or_default();
        let mut s = units_of(req);
        let k = s.get(req.store, &sn, &pn)?;
        let u = s
            .units
            .get_mut(&k)
            .ok_or_else(|| Reply::not_found("gone"))?;
        if !u["tags"].is_array() {
            u["tags"] = json!([]);
        }
        if let Some(tags) = u["tags"].as_array_mut() {
            tags.retain(|t| t["key"].as_str() != Some(&k_name));
            tags.push(json!({ "key": k_name.as_ref(), "value": value.as_ref() }));
        }
        Ok(Reply::empty(StatusCode::OK))
    })())
}

fn unit_verification(req: &Req<'_>) -> Reply {
    done((|| {
        let sn = need(req, "serialNumber")?;
        let pn = req.q("partNumber").unwrap_or_default();
        units_of(req).get(req.store, &sn, &pn)?;
        Ok(Reply::json(&verify::verification(req.store, &sn, &pn)))
    })())
}

fn set_unit_phase(req: &Req<'_>) -> Reply {
    done((|| {
        let (sn, pn) = (need(req, "serialNumber")?, need(req, "partNumber")?);
        let phase = need(req, "phase")?;
        let id = phase
            .parse::<i64>()
            .ok()
            .or_else(|| {
                PHASES
                    .iter()
                    .find(|p| p.1.eq_ignore_ascii_case(&phase))
                    .map(|p| p.0)
            })
            .filter(|id| phase_name(*id).is_some())
            .ok_or_else(|| Reply::bad_request(&format!("Unknown phase {phase}")))?;
        let mut s = units_of(req);
        let k = s.get(req.store, &sn, &pn)?;
        s.set_phase(&k, id);
        Ok(Reply::empty(StatusCode::OK))
    })())
}

fn set_unit_process(req: &Req<'_>) -> Reply {
    done((|| {
        let (sn, pn) = (need(req, "serialNumber")?, need(req, "partNumber")?);
        let name = need(req, "processName")?;
        let mut s = units_of(req);
        let k = s.get(req.store, &sn, &pn)?;
        if let Some(u) = s.units.get_mut(&k) {
            u["currentProcess"] = json!(name.as_ref());
        }
        let mut ev = Map::new();
        ev.insert("ProcessName".into(), json!(name.as_ref()));
        s.event(&k, ev);
        Ok(Reply::empty(StatusCode::OK))
    })())
}

/// Parent and child keys from the query's parameter names.
fn pair(req: &Req<'_>, s: &mut Units, names: [&str; 4]) -> Result<(Key, Key), Reply> {
    let psn = need(req, names[0])?;
    let ppn = req.q(names[1]).unwrap_or_default();
    let csn = need(req, names[2])?;
    let cpn = req.q(names[3]).unwrap_or_default();
    Ok((s.get(req.store, &psn, &ppn)?, s.get(req.store, &csn, &cpn)?))
}

const PUBLIC_PAIR: [&str; 4] = [
    "parentSerialNumber",
    "parentPartNumber",
    "childSerialNumber",
    "childPartNumber",
];
const INTERNAL_PAIR: [&str; 4] = [
    "serialNumber",
    "partNumber",
    "childSerialNumber",
    "childPartNumber",
];

fn add_child(req: &Req<'_>) -> Reply {
    let mut s = units_of(req);
    done(pair(req, &mut s, PUBLIC_PAIR).and_then(|(p, c)| {
        s.add_child(&p, &c, true)?;
        Ok(Reply::json(&json!({ "success": true })))
    }))
}

fn remove_child(req: &Req<'_>) -> Reply {
    let mut s = units_of(req);
    done(pair(req, &mut s, PUBLIC_PAIR).and_then(|(p, c)| {
        s.remove_child(&p, &c)?;
        Ok(Reply::json(&json!({ "success": true })))
    }))
}

fn check_children(req: &Req<'_>, sn: &str, pn: &str) -> Reply {
    let mut s = units_of(req);
    done(need(req, sn).and_then(|sn| {
        let pn = req.q(pn).unwrap_or_default();
        let k = s.get(req.store, &sn, &pn)?;
        Ok(Reply::json(&s.check_children(&k)))
    }))
}

fn check_child_units(req: &Req<'_>) -> Reply {
    check_children(req, "parentSerialNumber", "parentPartNumber")
}
