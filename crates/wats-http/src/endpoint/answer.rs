//! How an answer becomes a call's value: the `answer` line of a declaration.

use bytes::Bytes;
use http::StatusCode;
use wats_core::{Error, Result};

use crate::memo::MemoSlot;
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

/// The memo a cached answer carries (`memo.rs`), if any.
#[inline]
fn memo(answer: &Answer) -> Option<&MemoSlot> {
    answer.response.extensions().get::<MemoSlot>()
}

/// Decode `answer`'s body as `T`, or take the value its cache entry keeps for `T`.
#[inline]
fn decode_shared<T>(answer: &Answer) -> Result<T>
where
    T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    match memo(answer) {
        None => decode(answer.response.body()),
        Some(slot) => slot.0.get_or_decode(|| decode(answer.response.body())),
    }
}

/// `answer json`: the body decoded as `T` (a cache hit shares the value decoded before).
pub(crate) fn json<T>(answer: Result<Answer>) -> Result<T>
where
    T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    decode_shared(&answer?)
}

/// `answer list`: the body decoded as `T`; an empty body or 204 is `T::default()` (an
/// empty list). A cache hit shares the value decoded before.
pub(crate) fn list<T>(answer: Result<Answer>) -> Result<T>
where
    T: serde::de::DeserializeOwned + Default + Clone + Send + Sync + 'static,
{
    let answer = answer?;
    let resp = &answer.response;
    if resp.status() == StatusCode::NO_CONTENT || blank(resp.body()) {
        return Ok(T::default());
    }
    decode_shared(&answer)
}

/// The `*_opt` twin of `answer json`: a 404 (or an empty body) is `Ok(None)`. A cache
/// hit shares the value decoded before (the same as its `json` twin's).
pub(crate) fn opt<T>(answer: Result<Answer>) -> Result<Option<T>>
where
    T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    match answer {
        Ok(a) if a.response.status() == StatusCode::NO_CONTENT || blank(a.response.body()) => {
            Ok(None)
        }
        Ok(a) => decode_shared(&a).map(Some),
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

    /// A cached answer: `body` with `slot` in its extensions, as the cache layer hands it.
    fn cached(body: &'static [u8], slot: &MemoSlot) -> Result<Answer> {
        let mut response = http::Response::new(Bytes::from_static(body));
        response.extensions_mut().insert(slot.clone());
        Ok(Answer {
            response,
            span: tracing::Span::none(),
        })
    }

    #[test]
    fn another_type_asked_of_one_cached_body_is_decoded_for_it() {
        use wats_core::Process;
        let body = br#"[{"code":10,"name":"ICT"},{"code":20,"name":"FCT"}]"#;
        let slot = MemoSlot(std::sync::Arc::default());
        let (d0, s0) = crate::memo::counts();
        let typed: Vec<Process> = list(cached(body, &slot)).unwrap();
        assert_eq!(typed.len(), 2);
        assert_eq!(serde_json::to_value(&typed[1]).unwrap()["name"], "FCT");
        // The same body as raw JSON: decoded for that type, not the Process list reused.
        let raw: Vec<serde_json::Value> = list(cached(body, &slot)).unwrap();
        assert_eq!(raw[0]["code"], 10);
        // A type the body is not: a decode error, nothing kept, the others still served.
        assert!(matches!(
            json::<Vec<u32>>(cached(body, &slot)),
            Err(Error::Decode { .. })
        ));
        assert_eq!(crate::memo::counts(), (d0 + 2, s0));
        let again: Vec<Process> = list(cached(body, &slot)).unwrap();
        let raw_again: Vec<serde_json::Value> = json(cached(body, &slot)).unwrap();
        let first: Option<Process> = opt(cached(body, &slot))
            .map(|o: Option<Vec<Process>>| o.and_then(|v| v.into_iter().next()))
            .unwrap();
        assert_eq!((again, raw_again), (typed.clone(), raw));
        assert_eq!(first.as_ref(), typed.first());
        assert_eq!(
            crate::memo::counts(),
            (d0 + 2, s0 + 3),
            "shared, not parsed"
        );
    }

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
