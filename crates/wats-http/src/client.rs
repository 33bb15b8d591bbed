//! [`Client`]: shared state plus a tower stack over one connection pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue, StatusCode};
use tower::retry::budget::TpsBudget;
use wats_core::Result;

use crate::builder::ClientBuilder;
use crate::retry::RetrySettings;
use crate::stack::{PoolShared, Stack, build_stack};
use crate::url::BaseUrl;

/// State shared by a client, its clones and every [`Client::with_new_pool`] sibling.
pub(crate) struct Shared {
    pub(crate) base: BaseUrl,
    /// `Basic <token>`, marked sensitive.
    pub(crate) auth: HeaderValue,
    pub(crate) accept: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) correlation_header: HeaderName,
    /// One TLS configuration for all pools, so sessions resume across pools.
    pub(crate) tls: Arc<rustls::ClientConfig>,
    pub(crate) budget: Arc<TpsBudget>,
    pub(crate) retry: Arc<RetrySettings>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) body_limit: u64,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) pool_max_idle_per_host: usize,
    /// The report spool (directory, spool-by-default, the opened spool).
    pub(crate) spool: crate::spool::SpoolState,
    /// The one breaker of this client, its clones and its pool siblings.
    pub(crate) breaker: Option<wats_breaker::CircuitBreaker>,
    /// The station reports are filled from; fixed at build.
    pub(crate) station: wats_station::Station,
    /// The process list cache of `processes()` (one per client and its siblings).
    pub(crate) process_cache: crate::api::processes_cache::ProcessCache,
}

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
    /// A [`ClientBuilder`] with default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Build a client from `WATS_BASE_URL` / `WATS_TOKEN` (or pyWATS's
    /// `PYWATS_SERVER_URL` / `PYWATS_API_TOKEN`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when a variable is missing or invalid.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().build()
    }

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
    /// [`ClientBuilder::disable_circuit_breaker`].
    pub fn circuit_breaker(&self) -> Option<&wats_breaker::CircuitBreaker> {
        self.shared().breaker.as_ref()
    }

    /// The station this client fills into submitted reports (and records on the
    /// `wats.call` span): the one given to [`ClientBuilder::station`], else the
    /// one detected at build. Fixed for the client's life.
    pub fn station(&self) -> &wats_station::Station {
        &self.shared().station
    }

    /// Whether `other` shares this client's settings (it is a clone or was made by
    /// [`with_new_pool`](Self::with_new_pool)).
    pub fn shares_settings_with(&self, other: &Client) -> bool {
        Arc::ptr_eq(self.pool.shared.arc(), other.pool.shared.arc())
    }

    /// The tower stack of this client's pool, for one call.
    pub(crate) fn stack(&self) -> Stack {
        self.pool.stack.clone()
    }

    crate::domain_accessors!();
}

impl Client {
    /// The settings shared with clones and sibling pools.
    pub(crate) fn shared(&self) -> &Shared {
        &self.pool.shared
    }
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// The message of an error answer: the body's `message`, `Message` or `error`
/// field, a JSON string body, a short text body, or the reason phrase.
pub(crate) fn error_message(status: StatusCode, body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        match &value {
            serde_json::Value::Object(map) => {
                for key in ["message", "Message", "error"] {
                    match map.get(key) {
                        Some(serde_json::Value::String(s)) if !s.is_empty() => return s.clone(),
                        Some(serde_json::Value::Object(inner)) => {
                            if let Some(serde_json::Value::String(s)) = inner.get("message") {
                                return s.clone();
                            }
                        }
                        _ => {}
                    }
                }
            }
            serde_json::Value::String(s) if !s.is_empty() => return s.clone(),
            _ => {}
        }
    } else if !is_blank(body) {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if !text.starts_with('<') {
            return text.chars().take(500).collect();
        }
    }
    status
        .canonical_reason()
        .map_or_else(|| format!("HTTP {}", status.as_u16()), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_sources() {
        let s = StatusCode::BAD_REQUEST;
        assert_eq!(error_message(s, br#"{"message":"m1"}"#), "m1");
        assert_eq!(error_message(s, br#"{"Message":"m2","x":1}"#), "m2");
        assert_eq!(error_message(s, br#"{"error":"m3"}"#), "m3");
        assert_eq!(error_message(s, br#"{"error":{"message":"m4"}}"#), "m4");
        assert_eq!(error_message(s, br#""m5""#), "m5");
        assert_eq!(error_message(s, b"plain text  "), "plain text");
        assert_eq!(error_message(s, b"<html>x</html>"), "Bad Request");
        assert_eq!(error_message(s, b""), "Bad Request");
        assert_eq!(
            error_message(StatusCode::from_u16(599).unwrap(), b"{}"),
            "HTTP 599"
        );
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
