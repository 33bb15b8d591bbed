//! Hooks for `benches/layers.rs` (not a public API): the limiter's admission and one
//! call through the three opt-in layers, turned off, over a service that answers at once.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::{Method, Response, Uri};
use tower::Service;
use wats_core::{Error, Result};

use crate::call::Call;
use crate::client::Client;
use crate::coalesce::CoalesceService;
use crate::metrics::MetricsService;
use crate::ratelimit::{RateLimit, RateLimitService};
use crate::shared::PoolShared;

/// A client's rate limiter on its own.
pub struct Limiter(crate::ratelimit::Limiter);

impl Limiter {
    /// The limiter `limit` builds.
    pub fn new(limit: RateLimit) -> Result<Self> {
        limit.build().map(Limiter)
    }

    /// One admission: `true` when admitted.
    pub fn admit(&self) -> bool {
        self.0.admit().is_ok()
    }
}

/// The innermost stand-in: answers 200 at once.
#[derive(Clone)]
struct Ready;

impl Service<Call> for Ready {
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = std::future::Ready<Result<Response<Bytes>>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _call: Call) -> Self::Future {
        std::future::ready(Ok(Response::new(Bytes::new())))
    }
}

/// One call through metrics, coalescing and rate limit (as the client's settings
/// have them), or through none of them.
pub struct Layers {
    shared: PoolShared,
}

impl Layers {
    /// For the layers of `client`.
    pub fn new(client: &Client) -> Self {
        Layers {
            shared: client.pool_shared().clone(),
        }
    }

    fn call() -> Call {
        Call::new(
            Method::GET,
            "/api/App/Version",
            Uri::from_static("http://127.0.0.1/api/App/Version"),
            None,
            None,
            true,
        )
    }

    fn run<S>(mut svc: S) -> bool
    where
        S: Service<Call, Response = Response<Bytes>, Error = Error>,
    {
        let mut cx = Context::from_waker(Waker::noop());
        let fut = pin!(svc.call(Self::call()));
        matches!(fut.poll(&mut cx), Poll::Ready(Ok(_)))
    }

    /// One call through the three layers.
    pub fn through_layers(&self) -> bool {
        let limit = RateLimitService {
            inner: Ready,
            shared: self.shared.clone(),
        };
        let coalesce = CoalesceService {
            inner: limit,
            shared: self.shared.clone(),
        };
        Self::run(MetricsService {
            inner: coalesce,
            shared: self.shared.clone(),
        })
    }

    /// The same call without them (the handles cloned the same way).
    pub fn bare(&self) -> bool {
        let _a = self.shared.clone();
        let _b = self.shared.clone();
        let _c = self.shared.clone();
        Self::run(Ready)
    }
}
