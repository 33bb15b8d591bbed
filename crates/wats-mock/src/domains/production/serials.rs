//! Serial numbers in the mock: two seeded types, take (never the same number twice, under
//! one lock), find by range or reference, CSV/XML import and export, and the internal
//! reserve / free / count / ranges / statistics routes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::super::{Reply, Req};

/// Most numbers one take or reserve hands out.
const MAX_BATCH: u64 = 10_000;

/// The serial-number state.
#[derive(Debug, Default)]
pub(crate) struct State {
    pools: Mutex<Pools>,
}

#[derive(Debug, Default)]
struct Pools {
    seeded: bool,
    by_type: BTreeMap<String, Pool>,
}

#[derive(Debug)]
struct Pool {
    ty: Value,
    prefix: &'static str,
    hex: bool,
    next: u64,
    free: BTreeSet<String>,
    taken: BTreeMap<String, Value>,
    reserved: BTreeSet<String>,
    /// When each number was generated (or imported): the date filters read it.
    generated: BTreeMap<String, DateTime<FixedOffset>>,
}

impl Pool {
    fn new(ty: Value, prefix: &'static str, hex: bool) -> Pool {
        Pool {
            ty,
            prefix,
            hex,
            next: 1,
            free: BTreeSet::new(),
            taken: BTreeMap::new(),
            reserved: BTreeSet::new(),
            generated: BTreeMap::new(),
        }
    }

    fn generate(&mut self) -> String {
        loop {
            let n = self.next;
            self.next += 1;
            let sn = if self.hex {
                format!("{}{n:06X}", self.prefix)
            } else {
                format!("{}{n:06}", self.prefix)
            };
            if !self.taken.contains_key(&sn)
                && !self.reserved.contains(&sn)
                && !self.free.contains(&sn)
            {
                self.generated.insert(sn.clone(), now());
                return sn;
            }
        }
    }

    /// Hand out `n` numbers: imported or freed ones first (unless a sequence is asked for).
    fn hand_out(&mut self, n: u64, in_sequence: bool) -> Vec<String> {
        let mut out = Vec::new();
        while (out.len() as u64) < n {
            let sn = if in_sequence {
                None
            } else {
                self.free.pop_first()
            };
            out.push(sn.unwrap_or_else(|| self.generate()));
        }
        out
    }

    fn state_of(&self, sn: &str) -> &'static str {
        if self.taken.contains_key(sn) {
            "Taken"
        } else if self.reserved.contains(sn) {
            "Reserved"
        } else {
            "Free"
        }
    }

    fn all(&self) -> BTreeSet<&String> {
        self.taken
            .keys()
            .chain(&self.reserved)
            .chain(&self.free)
            .collect()
    }

    fn entry(&self, sn: &str) -> Value {
        self.taken
            .get(sn)
            .cloned()
            .unwrap_or_else(|| json!({ "serialNumber": sn, "state": self.state_of(sn) }))
    }
}

fn pools<'a>(req: &Req<'a>) -> MutexGuard<'a, Pools> {
    let mut p = req
        .store
        .domains
        .production
        .serials
        .pools
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if !p.seeded {
        p.seeded = true;
        p.by_type.insert(
            "pcba-sn".into(),
            Pool::new(
                json!({"name": "PCBA-SN", "description": "Board serial numbers", "format": "PCBA-######",
                       "regEx": "^PCBA-[0-9]{6}$", "identifier": 0, "identifierName": "SerialNumber"}),
                "PCBA-",
                false,
            ),
        );
        p.by_type.insert(
            "mac".into(),
            Pool::new(
                json!({"name": "MAC", "description": "MAC addresses", "format": "001A2BXXXXXX",
                       "regEx": "^001A2B[0-9A-F]{6}$", "identifier": 1, "identifierName": "MacAddress"}),
                "001A2B",
                true,
            ),
        );
    }
    p
}

fn pool<'p>(p: &'p mut Pools, name: &str) -> Result<&'p mut Pool, Reply> {
    p.by_type
        .get_mut(&name.to_ascii_lowercase())
        .ok_or_else(|| Reply::bad_request(&format!("Unknown serial number type {name}")))
}

fn need(req: &Req<'_>, name: &str) -> Result<String, Reply> {
    match req.q(name) {
        Some(v) if !v.trim().is_empty() => Ok(v.into_owned()),
        _ => Err(Reply::bad_request(&format!("`{name}` is required"))),
    }
}

fn done(r: Result<Reply, Reply>) -> Reply {
    r.unwrap_or_else(|e| e)
}

fn now() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// A date filter's bounds: RFC 3339 with an offset, else a 400 (no zone is guessed).
fn dates(req: &Req<'_>, from: &str, to: &str) -> Result<Dates, Reply> {
    let one = |name: &str| -> Result<Option<DateTime<FixedOffset>>, Reply> {
        req.q(name)
            .map(|v| {
                DateTime::parse_from_rfc3339(v.trim()).map_err(|_| {
                    Reply::bad_request(&format!("`{name}` is not a date-time with an offset"))
                })
            })
            .transpose()
    };
    Ok(Dates(one(from)?, one(to)?))
}

/// Generation-time bounds, both inclusive.
struct Dates(Option<DateTime<FixedOffset>>, Option<DateTime<FixedOffset>>);

impl Dates {
    fn admit(&self, pool: &Pool, sn: &str) -> bool {
        if self.0.is_none() && self.1.is_none() {
            return true;
        }
        pool.generated
            .get(sn)
            .is_some_and(|at| self.0.is_none_or(|f| *at >= f) && self.1.is_none_or(|t| *at <= t))
    }
}

fn in_range(sn: &str, start: Option<&str>, end: Option<&str>) -> bool {
    start.is_none_or(|s| sn >= s) && end.is_none_or(|e| sn <= e)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn sn_xml(ty: &str, numbers: &[String]) -> String {
    let mut x = format!("<SerialNumbers type=\"{}\">", xml_escape(ty));
    for sn in numbers {
        x.push_str(&format!("<SN id=\"{}\"/>", xml_escape(sn)));
    }
    x.push_str("</SerialNumbers>");
    x
}

/// A CSV file of serial numbers: a header, CRLF line ends, quoted where RFC 4180 says.
fn sn_csv(numbers: &[String]) -> String {
    let mut csv = String::from("SerialNumber\r\n");
    for sn in numbers {
        if sn.contains([',', '"', '\r', '\n']) {
            csv.push_str(&format!("\"{}\"\r\n", sn.replace('"', "\"\"")));
        } else {
            csv.push_str(&format!("{sn}\r\n"));
        }
    }
    csv
}

pub(crate) fn types(req: &Req<'_>) -> Reply {
    let p = pools(req);
    Reply::json(&Value::Array(
        p.by_type.values().map(|p| p.ty.clone()).collect(),
    ))
}

pub(crate) fn take(req: &Req<'_>) -> Reply {
    done((|| {
        let ty = need(req, "serialNumberType")?;
        let n: u64 = need(req, "quantity")?
            .parse()
            .map_err(|_| Reply::bad_request("quantity must be an integer"))?;
        let seq = req
            .q("onlyInSequence")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let mut p = pools(req);
        let pool = pool(&mut p, &ty)?;
        let numbers = pool.hand_out(n.min(MAX_BATCH), seq);
        for sn in &numbers {
            let info = json!({
                "serialNumber": sn, "state": "Taken",
                "refSN": req.q("refSN"), "refPN": req.q("refPN"), "stationName": req.q("stationName"),
            });
            pool.taken.insert(sn.clone(), info);
        }
        let format = req.q("format").unwrap_or_default();
        Ok(if format.eq_ignore_ascii_case("xml") {
            Reply::json(&json!(sn_xml(&ty, &numbers)))
        } else if format.eq_ignore_ascii_case("csv") {
            Reply::bytes(sn_csv(&numbers), "text/csv")
        } else {
            Reply::json(&json!(numbers))
        })
    })())
}

pub(crate) fn by_range(req: &Req<'_>) -> Reply {
    done((|| {
        let ty = need(req, "serialNumberType")?;
        let (start, end) = (req.q("startAddress"), req.q("endAddress"));
        let dates = dates(req, "startDate", "endDate")?;
        let mut p = pools(req);
        let pool = pool(&mut p, &ty)?;
        let list: Vec<Value> = pool
            .all()
            .into_iter()
            .filter(|sn| in_range(sn, start.as_deref(), end.as_deref()))
            .filter(|sn| dates.admit(pool, sn))
            .map(|sn| pool.entry(sn))
            .collect();
        Ok(Reply::json(&Value::Array(list)))
    })())
}

pub(crate) fn by_reference(req: &Req<'_>) -> Reply {
    done((|| {
        let ty = need(req, "serialNumberType")?;
        let (rsn, rpn) = (req.q("refSN"), req.q("refPN"));
        if rsn.is_none() && rpn.is_none() {
            return Err(Reply::bad_request("refSN or refPN is required"));
        }
        let dates = dates(req, "startDate", "endDate")?;
        let mut p = pools(req);
        let pool = pool(&mut p, &ty)?;
        let is = |v: &Value, k: &str, want: &Option<std::borrow::Cow<'_, str>>| {
            want.as_deref()
                .is_none_or(|w| v[k].as_str().is_some_and(|s| s.eq_ignore_ascii_case(w)))
        };
        let list: Vec<Value> = pool
            .taken
            .values()
            .filter(|v| is(v, "refSN", &rsn) && is(v, "refPN", &rpn))
            .filter(|v| dates.admit(pool, v["serialNumber"].as_str().unwrap_or("")))
            .cloned()
            .collect();
        Ok(Reply::json(&Value::Array(list)))
    })())
}

pub(crate) fn import(req: &Req<'_>) -> Reply {
    done((|| {
        let ty = need(req, "serialNumberType")?;
        let format = need(req, "format")?;
        let text = String::from_utf8_lossy(&req.body);
        let numbers: Vec<String> = if format.eq_ignore_ascii_case("xml") {
            text.split("id=\"")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .map(str::to_owned)
                .collect()
        } else {
            text.lines()
                .filter_map(|l| l.split([',', ';']).next())
                .map(|s| s.trim().trim_matches('"').to_owned())
                .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("serialnumber"))
                .collect()
        };
        let mut p = pools(req);
        let pool = pool(&mut p, &ty)?;
        for sn in numbers {
            if !pool.taken.contains_key(&sn) && !pool.reserved.contains(&sn) {
                pool.generated.entry(sn.clone()).or_insert_with(now);
                pool.free.insert(sn);
            }
        }
        Ok(Reply::empty(http::StatusCode::OK))
    })())
}

pub(crate) fn export(req: &Req<'_>) -> Reply {
    done((|| {
        let ty = need(req, "serialNumberType")?;
        let format = need(req, "format")?;
        let dates = dates(req, "startDate", "endDate")?;
        let mut p = pools(req);
        let pool = pool(&mut p, &ty)?;
        let (start, end) = (req.q("startAddress"), req.q("endAddress"));
        let all: Vec<String> = pool
            .all()
            .into_iter()
            .filter(|sn| in_range(sn, start.as_deref(), end.as_deref()))
            .filter(|sn| dates.admit(pool, sn))
            .cloned()
            .collect();
        if format.eq_ignore_ascii_case("xml") {
            return Ok(Reply::bytes(sn_xml(&ty, &all), "application/xml"));
        }
        let mut csv = String::from("SerialNumber,State,RefSN,RefPN,StationName\n");
        for sn in &all {
            let e = pool.entry(sn);
            let f = |k: &str| e[k].as_str().unwrap_or("").to_owned();
            csv.push_str(&format!(
                "{sn},{},{},{},{}\n",
                pool.state_of(sn),
                f("refSN"),
                f("refPN"),
                f("stationName")
            ));
        }
        Ok(Reply::bytes(csv, "text/csv"))
    })())
}

pub(crate) fn count(req: &Req<'_>) -> Reply {
    done((|| {
        let ty = need(req, "serialNumberType")?;
        let (start, end) = (req.q("startAddress"), req.q("endAddress"));
        let dates = dates(req, "fromDate", "toDate")?;
        let mut p = pools(req);
        let pool = pool(&mut p, &ty)?;
        let n = pool
            .all()
            .into_iter()
            .filter(|sn| in_range(sn, start.as_deref(), end.as_deref()))
            .filter(|sn| dates.admit(pool, sn))
            .count();
        Ok(Reply::json(&json!(n)))
    })())
}

/// Apply `f` to the pool and bounds of every range in the body.
fn each_range(
    req: &Req<'_>,
    mut f: impl FnMut(&mut Pool, Option<&str>, Option<&str>) -> usize,
) -> Result<usize, Reply> {
    let Value::Array(ranges) = req.json()? else {
        return Err(Reply::bad_request("The body must be a list of ranges"));
    };
    let mut p = pools(req);
    let mut n = 0;
    for r in &ranges {
        let ty = r["serialNumberType"].as_str().unwrap_or("");
        let pool = pool(&mut p, ty)?;
        n += f(pool, r["startAddress"].as_str(), r["endAddress"].as_str());
    }
    Ok(n)
}

pub(crate) fn free(req: &Req<'_>) -> Reply {
    done(
        each_range(req, |pool, s, e| {
            let back: Vec<String> = pool
                .taken
                .keys()
                .chain(&pool.reserved)
                .filter(|sn| in_range(sn, s, e))
                .cloned()
                .collect();
            for sn in &back {
                pool.taken.remove(sn);
                pool.reserved.remove(sn);
                pool.free.insert(sn.clone());
            }
            back.len()
        })
        .map(|n| Reply::json(&json!({ "freed": n }))),
    )
}

pub(crate) fn delete_free(req: &Req<'_>) -> Reply {
    done(
        each_range(req, |pool, s, e| {
            let before = pool.free.len();
            pool.free.retain(|sn| !in_range(sn, s, e));
            before - pool.free.len()
        })
        .map(|n| Reply::json(&json!({ "deleted": n }))),
    )
}

pub(crate) fn ranges(req: &Req<'_>) -> Reply {
    let want = req.q("serialNumberType").map(|t| t.to_ascii_lowercase());
    let p = pools(req);
    let list: Vec<Value> = p
        .by_type
        .iter()
        .filter(|(k, _)| want.as_deref().is_none_or(|w| w == k.as_str()))
        .filter_map(|(_, pool)| {
            let all = pool.all();
            Some(json!({
                "serialNumberType": pool.ty["name"], "startAddress": all.first()?,
                "endAddress": all.last()?, "count": all.len(),
            }))
        })
        .collect();
    Reply::json(&Value::Array(list))
}

pub(crate) fn statistics(req: &Req<'_>) -> Reply {
    let want = req.q("serialNumberType").map(|t| t.to_ascii_lowercase());
    let p = pools(req);
    let (mut free, mut taken, mut reserved) = (0, 0, 0);
    for (_, pool) in p
        .by_type
        .iter()
        .filter(|(k, _)| want.as_deref().is_none_or(|w| w == k.as_str()))
    {
        free += pool.free.len();
        taken += pool.taken.len();
        reserved += pool.reserved.len();
    }
    Reply::json(&json!({ "free": free, "taken": taken, "reserved": reserved }))
}

pub(crate) fn reserve(req: &Req<'_>) -> Reply {
    done((|| {
        let body = req.json()?;
        let sn = &body["sn"];
        if sn.get("tokenId").is_some() {
            return Err(Reply::bad_request(
                "A credential must never be sent in the body",
            ));
        }
        let ty = sn["serialNumberType"].as_str().unwrap_or("").to_owned();
        let n = sn["batchSize"]
            .as_u64()
            .ok_or_else(|| Reply::bad_request("batchSize is required"))?;
        let seq = sn["onlyInSequence"].as_bool().unwrap_or(false);
        let mut p = pools(req);
        let pool = pool(&mut p, &ty)?;
        let numbers = pool.hand_out(n.min(MAX_BATCH), seq);
        pool.reserved.extend(numbers.iter().cloned());
        Ok(Reply::json(&json!({ "sn": sn_xml(&ty, &numbers) })))
    })())
}
