//! The report id in the answer to a report submission.

use wats_core::{Error, Result};

/// How much of an answer without a readable id its error quotes.
const QUOTED_ANSWER: usize = 200;

/// The report id in a submit answer: a list's first element, an object's `ID`,
/// `id` or `uuid`, or a scalar. When there is none, the [`Error::Decode`] quotes the answer
/// (its first 200 characters), so a log of the error shows what the server said.
pub(crate) fn parse_submit_id(body: &[u8]) -> Result<String> {
    read_submit_id(body).map_err(|e| match e {
        Error::Decode {
            target,
            path,
            message,
        } => Error::Decode {
            target,
            path,
            message: format!("{message}; the answer was: {}", quote(body)),
        },
        other => other,
    })
}

/// `body` as text, lossy, cut at [`QUOTED_ANSWER`] characters (`...` when cut).
fn quote(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut quoted: String = text.chars().take(QUOTED_ANSWER).collect();
    if text.chars().nth(QUOTED_ANSWER).is_some() {
        quoted.push_str("...");
    }
    format!("{quoted:?}")
}

fn read_submit_id(body: &[u8]) -> Result<String> {
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
        // The error quotes the answer, cut short.
        let err = parse_submit_id(b"<html>accepted</html>").unwrap_err();
        assert!(err.to_string().contains("<html>accepted</html>"), "{err}");
        let long = format!("{{\"note\":\"{}\"}}", "é".repeat(500));
        let err = parse_submit_id(long.as_bytes()).unwrap_err().to_string();
        assert!(
            err.contains("...") && err.matches('é').count() < 200,
            "{err}"
        );
    }
}
