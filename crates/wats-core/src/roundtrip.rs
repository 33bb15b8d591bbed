//! Lossless round-trip checking: parse JSON as a model, serialize it back, and list
//! every JSON path where the result differs from the input.
//!
//! Used by the `wsjf_roundtrip` example and the tests.
//!
//! ```
//! use wats_core::roundtrip::{check_bytes, Kind};
//! let rt = check_bytes(Kind::Product, br#"{"partNumber":"P1","state":null,"x":1}"#).unwrap();
//! assert!(rt.differences.is_empty());
//! ```

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::{Process, Product, ProductRevision, Report, ReportHeader, Unit};

/// Which model a JSON document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Kind {
    /// [`Report`] (UUT or UUR, decided from the payload).
    #[default]
    Report,
    /// [`Product`].
    Product,
    /// [`ProductRevision`].
    ProductRevision,
    /// [`Unit`].
    Unit,
    /// [`Process`].
    Process,
    /// [`ReportHeader`].
    ReportHeader,
}

impl Kind {
    /// Every kind.
    pub const ALL: &'static [Kind] = &[
        Kind::Report,
        Kind::Product,
        Kind::ProductRevision,
        Kind::Unit,
        Kind::Process,
        Kind::ReportHeader,
    ];

    /// The snake_case name (`report`, `product_revision`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Report => "report",
            Kind::Product => "product",
            Kind::ProductRevision => "product_revision",
            Kind::Unit => "unit",
            Kind::Process => "process",
            Kind::ReportHeader => "report_header",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Kind> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::InvalidInput {
                field: "kind".to_owned(),
                message: format!(
                    "unknown kind `{s}`; expected report, product, product_revision, unit, process or report_header"
                ),
            })
    }
}

/// How a path differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    /// Present in the input, missing from the output.
    Missing,
    /// Missing from the input, present in the output.
    Added,
    /// Present in both with different values (including `null` vs a value).
    Changed,
}

/// One difference between input and output.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// JSON path, for example `$.root.steps[5].loop.num`.
    pub path: String,
    /// How it differs.
    pub kind: DiffKind,
    /// The input value, if present.
    pub expected: Option<Value>,
    /// The output value, if present.
    pub got: Option<Value>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.expected, &self.got) {
            (DiffKind::Missing, Some(e), _) => write!(f, "missing {} (expected {e})", self.path),
            (DiffKind::Added, _, Some(g)) => write!(f, "added   {} = {g}", self.path),
            (_, Some(e), Some(g)) => write!(f, "changed {}: expected {e}, got {g}", self.path),
            _ => write!(f, "differs {}", self.path),
        }
    }
}

/// Every path where `got` differs from `expected`. Objects are compared key by
/// key (order-insensitive), arrays item by item; `null` and absent are different.
pub fn diff(expected: &Value, got: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut path = String::from("$");
    diff_into(expected, got, &mut path, &mut out);
    out
}

fn push_key(path: &mut String, key: &str) {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        path.push('.');
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&Value::String(key.to_owned()).to_string());
        path.push(']');
    }
}

fn diff_into(expected: &Value, got: &Value, path: &mut String, out: &mut Vec<Difference>) {
    let len = path.len();
    match (expected, got) {
        (Value::Object(e), Value::Object(g)) => {
            for (k, ev) in e {
                push_key(path, k);
                match g.get(k) {
                    Some(gv) => diff_into(ev, gv, path, out),
                    None => out.push(Difference {
                        path: path.clone(),
                        kind: DiffKind::Missing,
                        expected: Some(ev.clone()),
                        got: None,
                    }),
                }
                path.truncate(len);
            }
            for (k, gv) in g {
                if !e.contains_key(k) {
                    push_key(path, k);
                    out.push(Difference {
                        path: path.clone(),
                        kind: DiffKind::Added,
                        expected: None,
                        got: Some(gv.clone()),
                    });
                    path.truncate(len);
                }
            }
        }
        (Value::Array(e), Value::Array(g)) => {
            for i in 0..e.len().max(g.len()) {
                path.push_str(&format!("[{i}]"));
                match (e.get(i), g.get(i)) {
                    (Some(ev), Some(gv)) => diff_into(ev, gv, path, out),
                    (Some(ev), None) => out.push(Difference {
                        path: path.clone(),
                        kind: DiffKind::Missing,
                        expected: Some(ev.clone()),
                        got: None,
                    }),
                    (None, Some(gv)) => out.push(Difference {
                        path: path.clone(),
                        kind: DiffKind::Added,
                        expected: None,
                        got: Some(gv.clone()),
                    }),
                    (None, None) => {}
                }
                path.truncate(len);
            }
        }
        (e, g) if e == g => {}
        (e, g) => out.push(Difference {
            path: path.clone(),
            kind: DiffKind::Changed,
            expected: Some(e.clone()),
            got: Some(g.clone()),
        }),
    }
}

/// The outcome of a round trip.
#[derive(Debug, Clone)]
pub struct RoundTrip {
    /// The input as parsed JSON.
    pub original: Value,
    /// The model serialized back.
    pub output: Value,
    /// Where they differ (empty for a lossless round trip).
    pub differences: Vec<Difference>,
}

impl RoundTrip {
    /// True when output equals input.
    pub fn is_lossless(&self) -> bool {
        self.differences.is_empty()
    }
}

fn typed_bytes<T: DeserializeOwned + Serialize>(bytes: &[u8], array: bool) -> Result<Value> {
    let to_value = |r: std::result::Result<Value, serde_json::Error>| {
        r.map_err(|e| Error::Encode {
            target: std::any::type_name::<T>(),
            message: e.to_string(),
        })
    };
    if array {
        let items: Vec<T> = crate::json::from_slice(bytes)?;
        to_value(serde_json::to_value(&items))
    } else {
        let item: T = crate::json::from_slice(bytes)?;
        to_value(serde_json::to_value(&item))
    }
}

fn typed_value<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value> {
    let to_value = |r: std::result::Result<Value, serde_json::Error>| {
        r.map_err(|e| Error::Encode {
            target: std::any::type_name::<T>(),
            message: e.to_string(),
        })
    };
    if value.is_array() {
        let items: Vec<T> = crate::json::from_value(value.clone())?;
        to_value(serde_json::to_value(&items))
    } else {
        let item: T = crate::json::from_value(value.clone())?;
        to_value(serde_json::to_value(&item))
    }
}

/// Parse `value` as `kind` (a JSON array of that kind is accepted too) and
/// serialize it back.
pub fn reserialize(kind: Kind, value: &Value) -> Result<Value> {
    match kind {
        Kind::Report => typed_value::<Report>(value),
        Kind::Product => typed_value::<Product>(value),
        Kind::ProductRevision => typed_value::<ProductRevision>(value),
        Kind::Unit => typed_value::<Unit>(value),
        Kind::Process => typed_value::<Process>(value),
        Kind::ReportHeader => typed_value::<ReportHeader>(value),
    }
}

/// Round-trip `value` as `kind` and return the differing paths (empty when lossless).
/// A decode failure is an [`Error::Decode`] naming the JSON path.
pub fn check_value(kind: Kind, value: &Value) -> Result<Vec<Difference>> {
    let output = reserialize(kind, value)?;
    Ok(diff(value, &output))
}

/// Round-trip raw JSON bytes as `kind` (object or array): parse, serialize back,
/// and compare as [`serde_json::Value`].
pub fn check_bytes(kind: Kind, bytes: &[u8]) -> Result<RoundTrip> {
    let original: Value = crate::json::from_slice(bytes)?;
    let array = original.is_array();
    let output = match kind {
        Kind::Report => typed_bytes::<Report>(bytes, array),
        Kind::Product => typed_bytes::<Product>(bytes, array),
        Kind::ProductRevision => typed_bytes::<ProductRevision>(bytes, array),
        Kind::Unit => typed_bytes::<Unit>(bytes, array),
        Kind::Process => typed_bytes::<Process>(bytes, array),
        Kind::ReportHeader => typed_bytes::<ReportHeader>(bytes, array),
    }?;
    let differences = diff(&original, &output);
    Ok(RoundTrip {
        original,
        output,
        differences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_reports_paths_and_null_vs_absent() {
        let a = json!({"a": {"b": [1, {"c": null}]}, "d": 1, "e": "x"});
        let b = json!({"a": {"b": [1, {}]}, "d": 1.0, "f": 2});
        let d = diff(&a, &b);
        let paths: Vec<_> = d.iter().map(|d| (d.path.as_str(), d.kind)).collect();
        assert_eq!(
            paths,
            [
                ("$.a.b[1].c", DiffKind::Missing),
                ("$.d", DiffKind::Changed),
                ("$.e", DiffKind::Missing),
                ("$.f", DiffKind::Added),
            ]
        );
        assert!(d[0].to_string().contains("$.a.b[1].c"));
    }

    #[test]
    fn kinds_parse_by_name() {
        for k in Kind::ALL {
            assert_eq!(k.name().parse::<Kind>().unwrap(), *k);
        }
        assert!("nope".parse::<Kind>().is_err());
    }
}
