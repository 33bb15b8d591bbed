//! [`Shared`]: the state a client, its clones and its pool siblings share, and
//! [`PoolShared`], one connection pool's handle on it.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use tower::retry::budget::TpsBudget;

use crate::layers::Layers;
use crate::retry::RetrySettings;
use crate::spool::settings::SpoolState;
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
    pub(crate) spool: SpoolState,
    /// The one breaker of this client, its clones and its pool siblings.
    pub(crate) breaker: Option<wats_breaker::CircuitBreaker>,
    /// The station reports are filled from; fixed at build.
    pub(crate) station: wats_station::Station,
    /// The process list cache of `processes()` (one per client and its siblings).
    pub(crate) process_cache: crate::api::processes_cache::ProcessCache,
    /// The opt-in layers' shared state: rate limiter, in-flight GETs, metrics.
    pub(crate) layers: Layers,
}

/// A connection pool's handle on the client's [`Shared`] state, and the pool's request
/// header template.
///
/// tower clones the services of the stack for every call (`oneshot`, and the retry layer
/// once more). Layers that held `Arc<Shared>` itself would increment and decrement a
/// reference count shared by every pool of the client: with a blocking client used by many
/// threads, a cache line written by all of them on every call. This handle is made once per
/// pool, so the per-call clones touch a count that only this pool (in thread-local mode:
/// one thread) uses; reading through it is a plain pointer dereference.
#[derive(Clone)]
pub(crate) struct PoolShared(Arc<PoolState>);

struct PoolState {
    shared: Arc<Shared>,
    /// Every header of a request but the content type, built once: authorization
    /// (sensitive), accept, user agent, `accept-encoding: gzip` (what the decompression
    /// layer would add), host (what hyper-util would add) and the correlation header with
    /// a placeholder value that each attempt replaces. Cloning it per attempt copies the
    /// entries without hashing a header name again.
    headers: HeaderMap,
}

impl PoolShared {
    pub(crate) fn new(shared: &Arc<Shared>) -> Self {
        let mut headers = HeaderMap::with_capacity(8);
        headers.insert(http::header::AUTHORIZATION, shared.auth.clone());
        headers.insert(http::header::ACCEPT, shared.accept.clone());
        headers.insert(http::header::USER_AGENT, shared.user_agent.clone());
        headers.insert(
            http::header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip"),
        );
        if let Some(host) = shared.base.host_header() {
            headers.insert(http::header::HOST, host);
        }
        headers.insert(
            shared.correlation_header.clone(),
            HeaderValue::from_static("-"),
        );
        PoolShared(Arc::new(PoolState {
            shared: Arc::clone(shared),
            headers,
        }))
    }

    /// The client-wide `Arc` (for identity checks and new pools).
    pub(crate) fn arc(&self) -> &Arc<Shared> {
        &self.0.shared
    }

    /// A copy of the pool's request header template.
    pub(crate) fn headers(&self) -> HeaderMap {
        self.0.headers.clone()
    }
}

impl std::ops::Deref for PoolShared {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0.shared
    }
}
