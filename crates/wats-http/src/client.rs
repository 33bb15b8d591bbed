//! [`Client`]: shared state plus a tower stack over one connection pool.

use std::fmt;
use std::sync::Arc;

#[allow(unused_imports, reason = "the doc links name `Error`")]
use wats_core::Error;

use crate::shared::{PoolShared, Shared};
use crate::stack::{SharedPool, Stack, build_stack};
use crate::stream::{StreamStack, build_stream_stack};

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
    /// Calls skip the cache's lookup ([`Client::fresh`]).
    fresh: bool,
}

/// One connection pool's stack and its handle on the shared state.
struct Pool {
    shared: PoolShared,
    stack: Stack,
    /// The streamed-answer stack (downloads), over the same connection pool.
    stream: StreamStack,
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
        let pooled = SharedPool::new(&shared);
        let stack = build_stack(&shared, pooled.clone());
        let stream = build_stream_stack(&shared, pooled);
        Client {
            pool: Arc::new(Pool {
                shared,
                stack,
                stream,
            }),
            fresh: false,
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
        Client {
            fresh: self.fresh,
            ..Client::from_shared(self.pool.shared.arc())
        }
    }

    /// A clone whose calls skip the cache's lookup and go to the server (their answers
    /// still refresh the cache): `client.fresh().processes().list()` reads the current
    /// list once, while other calls keep using the cache. A reference-count increment;
    /// without a cache ([`ClientBuilder::cache`](crate::ClientBuilder::cache)) it changes
    /// nothing.
    pub fn fresh(&self) -> Client {
        Client {
            pool: Arc::clone(&self.pool),
            fresh: true,
        }
    }

    /// Whether this client's calls skip the cache's lookup ([`fresh`](Self::fresh)).
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Drop every cached answer of this client (its clones, pool siblings and threads
    /// share the cache); answers in flight are not kept either. Nothing without a cache.
    pub fn clear_cache(&self) {
        if let Some(cache) = &self.shared().layers.cache {
            cache.clear();
        }
    }

    /// The number of answers in this client's cache (after its pending evictions);
    /// `None` without a cache.
    pub fn cached_entries(&self) -> Option<u64> {
        self.shared()
            .layers
            .cache
            .as_ref()
            .map(crate::cache::Cache::entry_count)
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

    /// This pool's handle on the shared state (benches of the opt-in layers).
    pub(crate) fn pool_shared(&self) -> &PoolShared {
        &self.pool.shared
    }

    /// The tower stack of this client's pool, for one call.
    pub(crate) fn stack(&self) -> Stack {
        self.pool.stack.clone()
    }

    /// The streamed-answer stack of this client's pool, for one download.
    pub(crate) fn stream_stack(&self) -> StreamStack {
        self.pool.stream.clone()
    }

    crate::domain_accessors!();
}

impl Client {
    /// Whether submit spools by default (the setting behind `spools_by_default`).
    #[doc(hidden)]
    pub fn spool_by_default_setting(&self) -> bool {
        self.shared().spool.by_default()
    }

    /// The settings shared with clones and sibling pools.
    pub(crate) fn shared(&self) -> &Shared {
        &self.pool.shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
