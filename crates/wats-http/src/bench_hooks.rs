//! Hooks for `benches/layers.rs` (not a public API): the limiter's admission, one call
//! through the stack above the breaker with the opt-in layers absent, switched off or
//! built in but off, over a service that answers at once, and a cache hit through a
//! client's whole stack.
//!
//! The stacks here hold a total deadline, whose timer needs a tokio runtime: call them
//! inside `Runtime::enter`.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::{Method, Response, Uri};
use tower::{Service, ServiceExt};
use wats_core::{Error, Result};

use crate::call::Call;
use crate::client::Client;
use crate::ratelimit::RateLimit;
use crate::shared::PoolShared;
use crate::stack::{call_layer, opt_in, plain, with_layers};

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

/// The innermost stand-in for the breaker and everything below it: answers 200 at once.
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

/// The route and URI the hooks call.
const ROUTE: &str = "/api/App/Processes";

/// One call through the stack above the breaker, in the ways a client can have it.
pub struct Layers {
    shared: PoolShared,
    client: Client,
}

impl Layers {
    /// For the layers of `client`.
    pub fn new(client: &Client) -> Self {
        Layers {
            shared: client.pool_shared().clone(),
            client: client.clone(),
        }
    }

    fn call(&self) -> Call {
        let uri = self.client.shared().base.uri(ROUTE, "");
        Call::new(
            Method::GET,
            ROUTE,
            uri.unwrap_or_else(|_| Uri::from_static("http://127.0.0.1/api/App/Processes")),
            None,
            None,
            true,
        )
    }

    fn run<S>(&self, svc: S) -> bool
    where
        S: Service<Call, Error = Error>,
    {
        let mut cx = Context::from_waker(Waker::noop());
        let fut = pin!(svc.oneshot(self.call()));
        matches!(fut.poll(&mut cx), Poll::Ready(Ok(_)))
    }

    /// Deadline and retry over the stand-in: the stack without any opt-in layer.
    pub fn bare(&self) -> bool {
        self.run(plain(Ready, &self.shared))
    }

    /// The same through the opt-in switch, as this client's settings have it (with every
    /// opt-in layer off: the switch's cost over [`bare`](Self::bare)).
    pub fn opt_in(&self) -> bool {
        self.run(opt_in(Ready, &self.shared))
    }

    /// The stack with the four opt-in layers built in, each as this client's settings have
    /// it (with all off: what they cost when another opt-in layer is on).
    pub fn with_layers(&self) -> bool {
        self.run(with_layers(Ready, &self.shared))
    }

    /// The whole stack, call layer included, without any opt-in layer, over the stand-in.
    pub fn whole_bare(&self) -> bool {
        self.run(call_layer(plain(Ready, &self.shared), &self.shared))
    }

    /// Keep an answer (`[]`) for the hooks' call in the client's cache; `false` without a
    /// cache.
    pub fn prime(&self) -> bool {
        let Some(cache) = &self.shared.layers.cache else {
            return false;
        };
        let call = self.call();
        let mut resp = Response::new(Bytes::from_static(b"[]"));
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        cache.prime(ROUTE, call.uri, &resp);
        true
    }

    /// One call through the client's own stack (its pool is never reached on a hit).
    pub fn through_client(&self) -> bool {
        self.run(self.client.stack())
    }
}
