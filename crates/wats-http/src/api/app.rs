//! Server and connectivity: `client.app()`.

use wats_core::Result;

use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};
use crate::stack::Answer;

calls! {
    /// Server calls, from `client.app()`: the version (the connectivity check).
    handle App, domain "app";

    /// The server version, from `GET /api/App/Version`. A JSON string answer is returned as
    /// is; an object's `version`/`Version` field is used; any other answer is returned as
    /// its text.
    ///
    /// # Errors
    /// Transport, timeout and status errors.
    fn version() -> String {
        GET "/api/App/Version";
        pywats "pyWATS.get_version, analytics.get_version, pyWATS.test_connection";
        answer with(version_answer);
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];

fn version_answer(answer: Result<Answer>) -> Result<String> {
    answer.map(|a| version_text(a.response.body()))
}

fn version_text(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(map)) => ["version", "Version"]
            .iter()
            .find_map(|k| map.get(*k))
            .map_or_else(
                || serde_json::Value::Object(map.clone()).to_string(),
                |v| v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            ),
        Ok(other) => other.to_string(),
        Err(_) => String::from_utf8_lossy(body).trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_forms() {
        assert_eq!(version_text(br#""2024.1.2""#), "2024.1.2");
        assert_eq!(version_text(br#"{"Version":"7.1"}"#), "7.1");
        assert_eq!(version_text(br#"{"version":7}"#), "7");
        assert_eq!(version_text(b"  22.3\n"), "22.3");
    }
}
