//! How an answer becomes a call's value: the `answer` line of a declaration.

use bytes::Bytes;
use http::StatusCode;
use wats_core::{Error, Result};

use crate::stack::Answer;

fn blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Decode a JSON answer. Tracking the JSON path costs an allocation per map key (a 116 KB
/// report: ~6,500 allocations and 1.5x the instructions), so `wats_core::json::from_slice`
/// decodes with plain `serde_json` and tracks the path only to explain a failure.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
    wats_core::json::from_slice(body)
}

/// `answer json`: the body decoded as `T`.
pub(crate) fn json<T: serde::de::DeserializeOwned>(answer: Result<Answer>) -> Result<T> {
    decode(answer?.response.body())
}

/// `answer list`: the body decoded as `T`; an empty body or 204 is `T::default()` (an
/// empty list).
pub(crate) fn list<T: serde::de::DeserializeOwned + Default>(answer: Result<Answer>) -> Result<T> {
    let answer = answer?;
    let resp = &answer.response;
    if resp.status() == StatusCode::NO_CONTENT || blank(resp.body()) {
        return Ok(T::default());
    }
    decode(resp.body())
}

/// The `*_opt` twin of `answer json`: a 404 (or an empty body) is `Ok(None)`.
pub(crate) fn opt<T: serde::de::DeserializeOwned>(answer: Result<Answer>) -> Result<Option<T>> {
    match answer {
        Ok(a) if a.response.status() == StatusCode::NO_CONTENT || blank(a.response.body()) => {
            Ok(None)
        }
        Ok(a) => decode(a.response.body()).map(Some),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `answer none`: any 2xx is success; the body is ignored.
#[allow(dead_code)] // used by the write calls of the domains
pub(crate) fn unit(answer: Result<Answer>) -> Result<()> {
    answer.map(|_| ())
}

/// `answer bytes`: the raw body.
#[allow(dead_code)] // used by the download calls of the domains
pub(crate) fn bytes(answer: Result<Answer>) -> Result<Bytes> {
    answer.map(|a| a.response.into_body())
}

/// `answer text`: the body as text (invalid UTF-8 replaced).
#[allow(dead_code)] // used by the domains' text answers
pub(crate) fn text(answer: Result<Answer>) -> Result<String> {
    answer.map(|a| String::from_utf8_lossy(a.response.body()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_fast_path_and_error_path() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct P {
            n: u32,
        }
        let ok: Vec<P> = decode(br#"[{"n":1},{"n":2}]"#).unwrap();
        assert_eq!(ok, vec![P { n: 1 }, P { n: 2 }]);
        match decode::<Vec<P>>(br#"[{"n":1},{"n":"x"}]"#) {
            Err(Error::Decode { path, .. }) => assert_eq!(path, "[1].n"),
            other => panic!("expected a decode error with a path, got {other:?}"),
        }
        assert!(matches!(
            decode::<Vec<P>>(br#"[{"n":1}] trailing"#),
            Err(Error::Decode { .. })
        ));
    }
}
