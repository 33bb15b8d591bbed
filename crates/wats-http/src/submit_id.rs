//! The report id in the answer to a report submission.

use wats_core::{Error, Result};

/// The report id in a submit answer: a list's first element, an object's `ID`,
/// `id` or `uuid`, or a scalar.
pub(crate) fn parse_submit_id(body: &[u8]) -> Result<String> {
    let value: serde_json::Value = wats_core::json::from_slice(body)?;
    fn scalar(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    fn from_value(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::Array(items) => items.first().and_then(from_value),
            serde_json::Value::Object(map) => ["ID", "id", "uuid"]
                .iter()
                .find_map(|k| map.get(*k).and_then(scalar)),
            other => scalar(other),
        }
    }
    from_value(&value).ok_or_else(|| Error::Decode {
        target: "report id",
        path: ".".to_owned(),
        message: "the submit answer holds no report id (list, `ID`, `id`, `uuid` or scalar)"
            .to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_id_forms() {
        for (body, want) in [
            (&br#"["a1"]"#[..], "a1"),
            (br#"[{"ID":"a2"}]"#, "a2"),
            (br#"{"ID":"a3","id":"x"}"#, "a3"),
            (br#"{"id":"a4"}"#, "a4"),
            (br#"{"uuid":"a5"}"#, "a5"),
            (br#""a6""#, "a6"),
            (b"42", "42"),
        ] {
            assert_eq!(parse_submit_id(body).unwrap(), want);
        }
        for bad in [&b"[]"[..], b"{}", b"null", b"\"\"", b"not json"] {
            assert!(matches!(parse_submit_id(bad), Err(Error::Decode { .. })));
        }
    }
}
