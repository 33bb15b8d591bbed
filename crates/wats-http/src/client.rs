//! [`Client`]: shared state plus a tower stack over one connection pool.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use tower::ServiceExt;
use wats_core::{Error, Result};

use crate::failure::is_blank;
use crate::shared::{PoolShared, Shared};
use crate::stack::{Answer, Call, Stack, build_stack};

/// The async WATS client.
///
/// `Clone + Send + Sync` and cheap to clone: clones share settings and the
/// connection pool. Build it with [`Client::builder`] or [`Client::from_env`].
///
/// Every call gets a correlation id (the caller's, set with
/// [`wats_core::with_correlation_id`] or the `.with_correlation_id(..)` future
/// adapter, else a fresh one), sent as `X-Correlation-ID` on every attempt and
/// recorded on the `wats.call` tracing span.
///
/// # Errors and 404
/// A non-2xx answer becomes an error built by [`Error::from_status`] (401
/// [`Error::Unauthorized`], 403 [`Error::Forbidden`], 404 [`Error::NotFound`],
/// others [`Error::Status`]) with the server's message and the call's correlation
/// id. The rule for 404: `get`-style methods return `Err(Error::NotFound { .. })`;
/// their `get_opt` variants return `Ok(None)` instead.
///
/// # Runtimes and pools
/// A pooled connection belongs to the tokio runtime that created it. To use the same
/// configuration from another runtime (for example one runtime per thread), call
/// [`Client::with_new_pool`] there.
#[derive(Clone)]
pub struct Client {
    /// One allocation per pool: cloning a client bumps this pool's count only.
    pool: Arc<Pool>,
}

/// One connection pool's stack and its handle on the shared state.
struct Pool {
    shared: PoolShared,
    stack: Stack,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.shared().base.as_str())
            .field("timeout", &self.shared().timeout)
            .field("retry", &*self.shared().retry)
            .field("station", &self.shared().station.name())
            .field("circuit_breaker", &self.shared().breaker)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn from_shared(shared: &Arc<Shared>) -> Client {
        let shared = PoolShared::new(shared);
        let stack = build_stack(&shared);
        Client {
            pool: Arc::new(Pool { shared, stack }),
        }
    }

    /// A client with the same settings, token, TLS configuration (TLS sessions
    /// resume), retry budget, circuit breaker and station, but a fresh, empty
    /// connection pool.
    ///
    /// Pooled connections are driven by tasks of the runtime that opened them, so a
    /// pool must not outlive or be shared across runtimes. The blocking client
    /// calls this once per OS thread (each thread runs its own runtime).
    pub fn with_new_pool(&self) -> Client {
        Client::from_shared(self.pool.shared.arc())
    }

    /// The normalised base URL (no trailing `/` or `/api`).
    pub fn base_url(&self) -> &str {
        self.shared().base.as_str()
    }

    /// The client's circuit breaker (state, metrics, `reset`, `force_open`), shared
    /// by every clone and every [`with_new_pool`](Self::with_new_pool) sibling;
    /// `None` when it was disabled with
    /// [`ClientBuilder::disable_circuit_breaker`](crate::ClientBuilder::disable_circuit_breaker).
    pub fn circuit_breaker(&self) -> Option<&wats_breaker::CircuitBreaker> {
        self.shared().breaker.as_ref()
    }

    /// The station this client fills into submitted reports (and records on the
    /// `wats.call` span): the one given to [`ClientBuilder::station`](crate::ClientBuilder::station), else the
    /// one detected at build. Fixed for the client's life.
    pub fn station(&self) -> &wats_station::Station {
        &self.shared().station
    }

    /// Whether `other` shares this client's settings (it is a clone or was made by
    /// [`with_new_pool`](Self::with_new_pool)).
    pub fn shares_settings_with(&self, other: &Client) -> bool {
        Arc::ptr_eq(self.pool.shared.arc(), other.pool.shared.arc())
    }

    /// The server version, from `GET /api/App/Version`. A JSON string answer is
    /// returned as is; an object's `version`/`Version` field is used; any other
    /// answer is returned as its text.
    ///
    /// # Errors
    /// Transport, timeout and status errors as described on [`Client`].
    pub async fn server_version(&self) -> Result<String> {
        let resp = self
            .send(
                Method::GET,
                "/api/App/Version",
                "/api/App/Version",
                "",
                None,
            )
            .await?;
        Ok(version_text(resp.body()))
    }

    /// Send one call through the stack. `path` and `query` are already encoded.
    pub(crate) async fn send(
        &self,
        method: Method,
        route: &'static str,
        path: &str,
        query: &str,
        body: Option<Bytes>,
    ) -> Result<Response<Bytes>> {
        Ok(self
            .send_in_span(method, route, path, query, body)
            .await?
            .response)
    }

    /// [`send`](Self::send), also returning the call's `wats.call` span.
    pub(crate) async fn send_in_span(
        &self,
        method: Method,
        route: &'static str,
        path: &str,
        query: &str,
        body: Option<Bytes>,
    ) -> Result<Answer> {
        let uri = self.shared().base.uri(path, query)?;
        let call = Call::new(method, route, uri, body);
        self.pool.stack.clone().oneshot(call).await
    }

    /// GET and decode JSON into `T`.
    pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        route: &'static str,
        path: &str,
        query: &str,
    ) -> Result<T> {
        let resp = self.send(Method::GET, route, path, query, None).await?;
        decode(resp.body())
    }

    /// GET a JSON list; an empty body or 204 is an empty list.
    pub(crate) async fn get_list<T: serde::de::DeserializeOwned>(
        &self,
        route: &'static str,
        path: &str,
        query: &str,
    ) -> Result<Vec<T>> {
        let resp = self.send(Method::GET, route, path, query, None).await?;
        if resp.status() == StatusCode::NO_CONTENT || is_blank(resp.body()) {
            return Ok(Vec::new());
        }
        decode(resp.body())
    }
}

/// Decode a JSON answer. Tracking the JSON path costs an allocation per map key (a 116 KB
/// report: ~6,500 allocations and 1.5x the instructions), so `wats_core::json::from_slice`
/// decodes with plain `serde_json` and tracks the path only to explain a failure.
fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
    // `wats_core::json::from_slice` decodes with plain serde_json first and tracks the
    // JSON path only to explain a failure.
    wats_core::json::from_slice(body)
}

impl Client {
    /// The settings shared with clones and sibling pools.
    pub(crate) fn shared(&self) -> &Shared {
        &self.pool.shared
    }
}

/// Turn a 404 into `Ok(None)`; the rule behind every `get_opt`.
pub(crate) fn not_found_as_none<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
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

    #[test]
    fn version_forms() {
        assert_eq!(version_text(br#""2024.1.2""#), "2024.1.2");
        assert_eq!(version_text(br#"{"Version":"7.1"}"#), "7.1");
        assert_eq!(version_text(br#"{"version":7}"#), "7");
        assert_eq!(version_text(b"  22.3\n"), "22.3");
    }

    #[test]
    fn client_is_send_sync_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<Client>();
    }

    #[test]
    fn with_new_pool_shares_settings() {
        let a = Client::builder()
            .base_url("http://127.0.0.1:9")
            .token("dA==")
            .build()
            .unwrap();
        let b = a.with_new_pool();
        assert!(a.shares_settings_with(&b));
        assert!(Arc::ptr_eq(&a.shared().tls, &b.shared().tls));
        let c = Client::builder()
            .base_url("http://127.0.0.1:9")
            .token("dA==")
            .build()
            .unwrap();
        assert!(!a.shares_settings_with(&c));
    }
}
