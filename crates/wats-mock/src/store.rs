//! Server state: the product catalog, units, processes and stored reports.
//!
//! Read-mostly data is serialized once (at seed or submit time) into
//! [`Bytes`], so answering a GET is a hash lookup plus a reference-count
//! increment. Locks are `std::sync` locks held only for lookups/inserts, never
//! across an await.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use bytes::Bytes;
use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value, json};

use crate::odata;
use crate::seed::{self, PROCESSES};

/// Field names of the OpenAPI `ReportHeader` schema usable in `$filter`.
pub(crate) const HEADER_FIELDS: &[&str] = &[
    "uuid",
    "serialNumber",
    "partNumber",
    "reportType",
    "start",
    "revision",
    "result",
    "batchNumber",
    "userName",
    "stationName",
    "location",
    "purpose",
    "measuresDeleted",
    "timeStamp",
    "processCode",
    "processName",
    "comment",
    "executionTime",
    "swFilename",
    "swVersion",
    "testSocketIndex",
    "fixtureId",
    "errorCode",
    "errorMessage",
    "run",
    "receiveCount",
    "reportSize",
    "causedUutFailure",
    "causedUutFailurePath",
    "passedInRun",
    "referencedUut",
];

/// Field names of the OpenAPI `ProductView` schema.
pub(crate) const PRODUCT_FIELDS: &[&str] =
    &["partNumber", "name", "category", "nonSerial", "state"];

fn to_bytes(v: &Value) -> Bytes {
    // Serializing a `Value` cannot fail (keys are strings).
    Bytes::from(serde_json::to_vec(v).unwrap_or_default())
}

/// One catalog product, pre-serialized.
#[derive(Debug)]
pub(crate) struct CatalogProduct {
    pub(crate) part_number: String,
    pub(crate) view: Map<String, Value>,
    pub(crate) full: Bytes,
    pub(crate) revisions: Vec<(String, Bytes)>,
}

/// The immutable product catalog.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub(crate) products: Vec<CatalogProduct>,
    by_pn: HashMap<String, usize>,
    /// `/api/Product/Query` with no options.
    pub(crate) all_views: Bytes,
}

impl Catalog {
    fn seeded() -> Catalog {
        let seeds = seed::products();
        let mut products = Vec::with_capacity(seeds.len());
        let mut by_pn = HashMap::with_capacity(seeds.len());
        for (n, sp) in seeds.iter().enumerate() {
            let revisions = (0..sp.revisions.len())
                .map(|r| {
                    (
                        sp.revisions[r].to_owned(),
                        to_bytes(&sp.revision_json(n, r)),
                    )
                })
                .collect();
            let Value::Object(view) = sp.view() else {
                continue;
            };
            by_pn.insert(sp.part_number.clone(), products.len());
            products.push(CatalogProduct {
                part_number: sp.part_number.clone(),
                view,
                full: to_bytes(&sp.full(n)),
                revisions,
            });
        }
        let views: Vec<&Map<String, Value>> = products.iter().map(|p| &p.view).collect();
        let all_views = Bytes::from(serde_json::to_vec(&views).unwrap_or_default());
        Catalog {
            products,
            by_pn,
            all_views,
        }
    }

    fn empty() -> Catalog {
        Catalog {
            all_views: Bytes::from_static(b"[]"),
            ..Catalog::default()
        }
    }

    /// Finds a product by part number (exact, then ASCII case-insensitive).
    pub(crate) fn product(&self, pn: &str) -> Option<&CatalogProduct> {
        match self.by_pn.get(pn) {
            Some(&i) => self.products.get(i),
            None => self
                .products
                .iter()
                .find(|p| p.part_number.eq_ignore_ascii_case(pn)),
        }
    }
}

/// A stored report: the submitted bytes plus its precomputed header.
#[derive(Debug)]
pub(crate) struct StoredReport {
    pub(crate) id: String,
    pub(crate) raw: Bytes,
    pub(crate) header: Map<String, Value>,
    pub(crate) header_json: Bytes,
    pub(crate) start: Option<DateTime<FixedOffset>>,
    pub(crate) time_stamp: i64,
    /// `b'T'` or `b'R'`.
    pub(crate) report_type: u8,
    /// The `$expand` collections (`subUnits`, `miscInfo`, `uurSubUnits`, ...).
    pub(crate) expand: Map<String, Value>,
}

/// Why a submitted report was refused.
#[derive(Debug)]
pub(crate) struct Rejected(pub(crate) String);

fn str_field<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    o.get(k).and_then(Value::as_str)
}

/// Parses and validates a WSJF body and computes its header.
fn build_report(raw: Bytes, time_stamp: i64, receive_count: i64) -> Result<StoredReport, Rejected> {
    let v: Value = serde_json::from_slice(&raw)
        .map_err(|e| Rejected(format!("The request body is not valid JSON: {e}")))?;
    let Value::Object(r) = v else {
        return Err(Rejected("A WSJF report must be a JSON object.".into()));
    };
    let id = match r.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            uuid::Uuid::parse_str(s)
                .map_err(|_| Rejected(format!("The report id '{s}' is not a valid GUID.")))?,
        ),
        Some(_) => return Err(Rejected("The report id must be a GUID string.".into())),
    };
    let id = id
        .unwrap_or_else(uuid::Uuid::new_v4)
        .hyphenated()
        .to_string();
    let report_type = match str_field(&r, "type") {
        Some("T") => b'T',
        Some("R") => b'R',
        other => {
            return Err(Rejected(format!(
                "The report type must be \"T\" (UUT) or \"R\" (UUR), got {other:?}."
            )));
        }
    };
    for key in ["pn", "sn"] {
        if str_field(&r, key).is_none_or(str::is_empty) {
            return Err(Rejected(format!(
                "The report is missing the required field '{key}'."
            )));
        }
    }
    let info_key = if report_type == b'T' { "uut" } else { "uur" };
    let info = r.get(info_key).and_then(Value::as_object);
    let start_str = str_field(&r, "start")
        .or_else(|| str_field(&r, "startUTC"))
        .map_or_else(|| chrono::Utc::now().to_rfc3339(), str::to_owned);
    let start = odata::parse_date(&start_str);

    let mut h = Map::new();
    let mut put = |k: &str, v: Option<&Value>| {
        if let Some(v) = v.filter(|v| !v.is_null()) {
            h.insert(k.to_owned(), v.clone());
        }
    };
    put("uuid", Some(&Value::String(id.clone())));
    put("serialNumber", r.get("sn"));
    put("partNumber", r.get("pn"));
    put(
        "reportType",
        Some(&Value::String((report_type as char).to_string())),
    );
    put("start", Some(&Value::String(start_str)));
    put("revision", r.get("rev"));
    put("result", r.get("result"));
    put("stationName", r.get("machineName"));
    put("location", r.get("location"));
    put("purpose", r.get("purpose"));
    put("processCode", r.get("processCode"));
    let process_name = r
        .get("processName")
        .filter(|v| !v.is_null())
        .cloned()
        .or_else(|| {
            let code = r.get("processCode")?.as_i64()?;
            seed::process_name(code).map(|n| Value::String(n.to_owned()))
        });
    put("processName", process_name.as_ref());
    if let Some(info) = info {
        put("batchNumber", info.get("batchSN"));
        put("userName", info.get("user"));
        put("comment", info.get("comment"));
        put("executionTime", info.get("execTime"));
        put("testSocketIndex", info.get("testSocketIndex"));
        put("fixtureId", info.get("fixtureId"));
        put("errorCode", info.get("errorCode"));
        put("errorMessage", info.get("errorMessage"));
        put("referencedUut", info.get("refUUT"));
    }
    put("measuresDeleted", Some(&Value::Bool(false)));
    put("timeStamp", Some(&json!(time_stamp)));
    put("run", Some(&json!(1)));
    put("receiveCount", Some(&json!(receive_count)));
    put("reportSize", Some(&json!(raw.len())));

    let mut expand = Map::new();
    let sub_units: Vec<Value> = r
        .get("subUnits")
        .and_then(Value::as_array)
        .map(|subs| {
            subs.iter()
                .map(|s| {
                    json!({
                        "serialNumber": s.get("sn"),
                        "partNumber": s.get("pn"),
                        "revision": s.get("rev"),
                        "partType": s.get("partType"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let misc: Vec<Value> = r
        .get("miscInfos")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .map(|x| {
                    let value = x
                        .get("text")
                        .filter(|t| !t.is_null())
                        .or_else(|| x.get("numeric"))
                        .map(|v| match v {
                            Value::String(s) => Value::String(s.clone()),
                            Value::Null => Value::Null,
                            other => Value::String(other.to_string()),
                        });
                    json!({"description": x.get("description"), "value": value})
                })
                .collect()
        })
        .unwrap_or_default();
    let (subs_key, misc_key) = if report_type == b'T' {
        ("subUnits", "miscInfo")
    } else {
        ("uurSubUnits", "uurMiscInfo")
    };
    expand.insert(subs_key.to_owned(), Value::Array(sub_units));
    expand.insert(misc_key.to_owned(), Value::Array(misc));

    let header_json = Bytes::from(serde_json::to_vec(&h).unwrap_or_default());
    Ok(StoredReport {
        id,
        raw,
        header: h,
        header_json,
        start,
        time_stamp,
        report_type,
        expand,
    })
}

#[derive(Debug, Default)]
struct Reports {
    by_id: HashMap<String, Arc<StoredReport>>,
    next_time_stamp: i64,
}

/// Unit lookup table: serial number → part number → unit JSON.
type Units = HashMap<String, HashMap<String, Bytes>>;

/// The mutable server state.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) catalog: Arc<Catalog>,
    processes: [Bytes; 16],
    units: RwLock<Units>,
    reports: RwLock<Reports>,
    /// The state of the routes served by `domains/`.
    #[allow(dead_code)] // read by the domain modules' handlers
    pub(crate) domains: crate::domains::State,
}

fn seeded_catalog() -> Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    Arc::clone(CATALOG.get_or_init(|| Arc::new(Catalog::seeded())))
}

fn seeded_reports() -> &'static [Arc<StoredReport>] {
    static REPORTS: OnceLock<Vec<Arc<StoredReport>>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        seed::SAMPLE_REPORTS
            .iter()
            .zip(1..)
            .filter_map(|((_, raw), ts)| {
                build_report(Bytes::from_static(raw.as_bytes()), ts, 1)
                    .ok()
                    .map(Arc::new)
            })
            .collect()
    })
}

fn seeded_units() -> &'static Units {
    static UNITS: OnceLock<Units> = OnceLock::new();
    UNITS.get_or_init(|| {
        let samples = seeded_reports()
            .iter()
            .filter_map(|r| {
                let f = |k| str_field(&r.header, k).map(str::to_owned);
                Some((f("serialNumber")?, f("partNumber")?, f("revision")?))
            })
            .collect();
        let mut units = Units::new();
        for (sn, pn, rev) in seed::units(&seed::products(), samples) {
            let unit = to_bytes(&seed::unit_json(&sn, &pn, &rev, Some(10)));
            units.entry(sn).or_default().insert(pn, unit);
        }
        units
    })
}

fn process_lists() -> [Bytes; 16] {
    std::array::from_fn(|flags| {
        let (test, repair, wip, inactive) = (
            flags & 1 != 0,
            flags & 2 != 0,
            flags & 4 != 0,
            flags & 8 != 0,
        );
        let any_kind = test || repair || wip;
        let list: Vec<Value> = PROCESSES
            .iter()
            .enumerate()
            .filter(|(_, p)| p.active || inactive)
            .filter(|(_, p)| {
                if any_kind {
                    (test && p.test) || (repair && p.repair) || (wip && p.wip)
                } else {
                    p.test || p.repair || p.wip
                }
            })
            .map(|(i, p)| p.to_json(i + 1))
            .collect();
        to_bytes(&Value::Array(list))
    })
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

impl Store {
    /// A store with the seed data (`seed == true`) or only the process list.
    pub(crate) fn new(seed: bool) -> Store {
        let mut units = Units::new();
        let mut reports = Reports::default();
        let catalog = if seed {
            let catalog = seeded_catalog();
            units = seeded_units().clone();
            for r in seeded_reports() {
                reports.by_id.insert(r.id.clone(), Arc::clone(r));
                reports.next_time_stamp = reports.next_time_stamp.max(r.time_stamp);
            }
            catalog
        } else {
            Arc::new(Catalog::empty())
        };
        Store {
            catalog,
            processes: {
                static LISTS: OnceLock<[Bytes; 16]> = OnceLock::new();
                LISTS.get_or_init(process_lists).clone()
            },
            units: RwLock::new(units),
            reports: RwLock::new(reports),
            domains: crate::domains::State::default(),
        }
    }

    /// The process list for a flag combination (bit 0 test, 1 repair, 2 WIP,
    /// 3 inactive).
    pub(crate) fn processes(&self, flags: usize) -> Bytes {
        self.processes[flags & 15].clone()
    }

    /// A unit by serial and part number (exact, then ASCII case-insensitive).
    pub(crate) fn unit(&self, sn: &str, pn: &str) -> Option<Bytes> {
        let units = read(&self.units);
        if let Some(b) = units.get(sn).and_then(|m| m.get(pn)) {
            return Some(b.clone());
        }
        units
            .iter()
            .filter(|(s, _)| s.eq_ignore_ascii_case(sn))
            .flat_map(|(_, m)| m.iter())
            .find(|(p, _)| p.eq_ignore_ascii_case(pn))
            .map(|(_, b)| b.clone())
    }

    /// The serial and part number of every stored unit (for the production domain's query).
    pub(crate) fn unit_keys(&self) -> Vec<(String, String)> {
        read(&self.units)
            .iter()
            .flat_map(|(sn, m)| m.keys().map(move |pn| (sn.clone(), pn.clone())))
            .collect()
    }

    /// Validates and stores a WSJF report; returns (id, report number).
    pub(crate) fn submit(&self, raw: Bytes) -> Result<(String, i64), Rejected> {
        // Parse outside the lock; only the insert is done under it.
        let (ts, receive_count) = {
            let reports = read(&self.reports);
            (reports.next_time_stamp + 1, 1)
        };
        let mut report = build_report(raw, ts, receive_count)?;
        let (sn, pn, rev, code) = {
            let h = &report.header;
            (
                str_field(h, "serialNumber").unwrap_or_default().to_owned(),
                str_field(h, "partNumber").unwrap_or_default().to_owned(),
                str_field(h, "revision").unwrap_or_default().to_owned(),
                h.get("processCode").and_then(Value::as_i64),
            )
        };
        let id = report.id.clone();
        let number;
        {
            let mut reports = write(&self.reports);
            reports.next_time_stamp += 1;
            number = reports.next_time_stamp;
            let previous = reports.by_id.get(&id).map(|r| {
                r.header
                    .get("receiveCount")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
            });
            if number != report.time_stamp || previous.is_some() {
                report.time_stamp = number;
                report.header.insert("timeStamp".into(), json!(number));
                report
                    .header
                    .insert("receiveCount".into(), json!(previous.unwrap_or(0) + 1));
                report.header_json =
                    Bytes::from(serde_json::to_vec(&report.header).unwrap_or_default());
            }
            reports.by_id.insert(id.clone(), Arc::new(report));
        }
        let has_unit = read(&self.units)
            .get(&sn)
            .is_some_and(|m| m.contains_key(&pn));
        if !has_unit {
            let unit = to_bytes(&seed::unit_json(&sn, &pn, &rev, code));
            write(&self.units).entry(sn).or_default().insert(pn, unit);
        }
        Ok((id, number))
    }

    /// The stored bytes of report `id` (a GUID in any case).
    pub(crate) fn report(&self, id: &str) -> Option<Bytes> {
        let key = uuid::Uuid::parse_str(id).ok()?.hyphenated().to_string();
        read(&self.reports).by_id.get(&key).map(|r| r.raw.clone())
    }

    /// Number of stored reports.
    pub(crate) fn report_count(&self) -> usize {
        read(&self.reports).by_id.len()
    }

    /// The reports of one type (`b'T'`/`b'R'`) matching `filter`.
    pub(crate) fn matching_reports(
        &self,
        report_type: u8,
        filter: Option<&odata::Expr>,
    ) -> Vec<Arc<StoredReport>> {
        read(&self.reports)
            .by_id
            .values()
            .filter(|r| r.report_type == report_type)
            .filter(|r| filter.is_none_or(|f| odata::eval(f, &r.header)))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_store_has_samples_and_catalog() {
        let s = Store::new(true);
        assert_eq!(s.report_count(), 5);
        assert_eq!(s.catalog.products.len(), seed::PRODUCT_COUNT);
        let uur = s.matching_reports(b'R', None);
        assert_eq!(uur.len(), 1);
        assert_eq!(uur[0].header["userName"], "RepairOperator");
        assert_eq!(
            uur[0].header["referencedUut"],
            "873d67f8-7669-4f4b-a627-e598e444d323"
        );
        assert!(s.unit(seed::AWKWARD_SERIAL, "PCBA-1001").is_some());
        assert!(s.unit("fattest-325", "fatpartno").is_some());
        let empty = Store::new(false);
        assert_eq!(empty.report_count(), 0);
        assert!(empty.catalog.product("FATPartNo").is_none());
    }

    #[test]
    fn resubmission_overwrites_and_counts() {
        let s = Store::new(false);
        let body = br#"{"id":"33A2D408-3FC8-480B-B554-6866C77FD91C","type":"T","pn":"P","sn":"S","rev":"1","processCode":20}"#;
        let (id, n1) = s.submit(Bytes::from_static(body)).unwrap();
        assert_eq!(id, "33a2d408-3fc8-480b-b554-6866c77fd91c");
        let (_, n2) = s.submit(Bytes::from_static(body)).unwrap();
        assert!(n2 > n1);
        assert_eq!(s.report_count(), 1);
        let r = s.matching_reports(b'T', None);
        assert_eq!(r[0].header["receiveCount"], 2);
        assert_eq!(r[0].header["processName"], "ICT");
        assert!(s.unit("S", "P").is_some());
        assert!(s.submit(Bytes::from_static(b"{")).is_err());
        assert!(
            s.submit(Bytes::from_static(br#"{"type":"X","pn":"a","sn":"b"}"#))
                .is_err()
        );
        assert!(
            s.submit(Bytes::from_static(
                br#"{"id":"nope","type":"T","pn":"a","sn":"b"}"#
            ))
            .is_err()
        );
        assert!(
            s.submit(Bytes::from_static(br#"{"type":"T","pn":"","sn":"b"}"#))
                .is_err()
        );
    }
}
