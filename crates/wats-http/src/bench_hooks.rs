//! Hooks for `benches/layers.rs` (not a public API): the limiter's admission; one call
//! over a service that answers at once, bare, through the opt-in switch, or through the
//! four opt-in layers built in but off; a cache hit through a client's whole stack, and
//! the whole stack without opt-in layers over the instant service; a typed hit (a list of
//! processes shared from the entry's memo, or parsed again) and the memo counters.
//!
//! The whole stack holds a total deadline, whose timer needs a tokio runtime: call
//! [`Layers::whole_bare`] inside `Runtime::enter`.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::{Method, Response, Uri};
use tower::Service;
use wats_core::{Error, Result};

use crate::cache_layer::CacheService;
use crate::call::Call;
use crate::client::Client;
use crate::coalesce::CoalesceService;
use crate::layers::OptIn;
use crate::metrics::MetricsService;
use crate::ratelimit::RateLimit;
use crate::ratelimit::RateLimitService;
use crate::shared::PoolShared;
use crate::stack::{CallService, Plain, WithLayers, call_layer, opt_in, plain};

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
    /// The call the hooks make (cloned per call: reference-count increments).
    call: Call,
    /// The switch as the client's settings have it, built once (as a client's stack is,
    /// per pool) and cloned per call (as `oneshot` clones the stack).
    switch: OptIn<Ready, FourLayers>,
    /// The four opt-in layers over the stand-in, built once, cloned per call.
    four: FourLayers,
    /// The whole stack's shape over the stand-in (call layer, then deadline and retry),
    /// without the switch and through it.
    whole_plain: CallService<Plain<Ready>>,
    whole_switch: CallService<OptIn<Plain<Ready>, WithLayers<Ready>>>,
}

type FourLayers = MetricsService<CacheService<CoalesceService<RateLimitService<Ready>>>>;

impl Layers {
    /// For the layers of `client`.
    pub fn new(client: &Client) -> Self {
        let uri = client.shared().base.uri(ROUTE, "");
        let shared = client.pool_shared();
        let four = four_layers(shared);
        let switch = if shared.layers.any() {
            OptIn::Full(four.clone())
        } else {
            OptIn::Plain(Ready)
        };
        Layers {
            switch,
            four,
            whole_plain: call_layer(plain(Ready, shared), shared),
            whole_switch: call_layer(opt_in(Ready, shared), shared),
            shared: shared.clone(),
            client: client.clone(),
            call: Call::new(
                Method::GET,
                ROUTE,
                uri.unwrap_or_else(|_| Uri::from_static("http://127.0.0.1/api/App/Processes")),
                None,
                None,
                true,
            ),
        }
    }

    /// One call through `svc`: made ready, called, polled once.
    fn run<S>(&self, mut svc: S) -> bool
    where
        S: Service<Call, Error = Error>,
    {
        let mut cx = Context::from_waker(Waker::noop());
        if !matches!(svc.poll_ready(&mut cx), Poll::Ready(Ok(()))) {
            return false;
        }
        let fut = pin!(svc.call(self.call.clone()));
        matches!(fut.poll(&mut cx), Poll::Ready(Ok(_)))
    }

    /// One call over the stand-in without any opt-in layer.
    pub fn bare(&self) -> bool {
        self.run(Ready)
    }

    /// The same through the opt-in switch, as this client's settings have it (with every
    /// opt-in layer off: the switch's cost over [`bare`](Self::bare)). As in the client's
    /// stack, the switch holds the stand-in alone or the four opt-in layers over it.
    pub fn opt_in(&self) -> bool {
        self.run(self.switch.clone())
    }

    /// The four opt-in layers over the stand-in, each as this client's settings have it
    /// (with all off: what they cost when another opt-in layer is on, and what each cost
    /// before the switch).
    pub fn with_layers(&self) -> bool {
        self.run(self.four.clone())
    }

    /// The whole stack's shape, call layer included, without any opt-in layer, over the
    /// stand-in (built once, cloned per call).
    pub fn whole_bare(&self) -> bool {
        self.run(self.whole_plain.clone())
    }

    /// The same as a client with every opt-in layer off has it: through the switch.
    pub fn whole_switch(&self) -> bool {
        self.run(self.whole_switch.clone())
    }

    /// Keep an answer (`[]`) for the hooks' call in the client's cache; `false` without a
    /// cache.
    pub fn prime(&self) -> bool {
        let Some(cache) = &self.shared.layers.cache else {
            return false;
        };
        let call = self.call.clone();
        let mut resp = Response::new(Bytes::from_static(b"[]"));
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        cache.prime(ROUTE, call.uri, resp);
        true
    }

    /// One call through the client's own stack (its pool is never reached on a hit).
    pub fn through_client(&self) -> bool {
        self.run(self.client.stack())
    }

    /// Keep a list of `n` processes (JSON, ~300 bytes each) for the hooks' call in the
    /// client's cache; `false` without a cache.
    pub fn prime_processes(&self, n: usize) -> bool {
        let Some(cache) = &self.shared.layers.cache else {
            return false;
        };
        let items: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"code":{c},"name":"Process {i}","description":"Test operation number {i} of the line","isTestOperation":true,"isRepairOperation":false,"isWipOperation":false,"processIndex":{i},"state":1,"ProcessID":"6f1e0c2a-0000-4000-8000-{i:012}","Properties":null,"repairOperation":null}}"#,
                    c = 100 + i
                )
            })
            .collect();
        let mut resp = Response::new(Bytes::from(format!("[{}]", items.join(","))));
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        cache.prime(ROUTE, self.call.uri.clone(), resp);
        true
    }

    /// One call through the client's own stack, its answer decoded as the process list
    /// (`answer list`, as `client.processes().list()` does): on a hit, a clone of the list
    /// the entry keeps. Returns the number of processes (0 on failure).
    pub fn hit_typed(&self) -> usize {
        self.typed(false)
    }

    /// The same, with the answer's memo taken away first: the body parsed on every hit
    /// (what a hit cost before hits shared the typed value).
    pub fn hit_parsed(&self) -> usize {
        self.typed(true)
    }

    fn typed(&self, strip: bool) -> usize {
        let mut svc = self.client.stack();
        let mut cx = Context::from_waker(Waker::noop());
        if !matches!(svc.poll_ready(&mut cx), Poll::Ready(Ok(()))) {
            return 0;
        }
        let fut = pin!(svc.call(self.call.clone()));
        let Poll::Ready(mut answer) = fut.poll(&mut cx) else {
            return 0;
        };
        if strip {
            if let Ok(a) = &mut answer {
                a.response.extensions_mut().clear();
            }
        }
        crate::endpoint::answer::list::<Vec<wats_core::Process>>(answer).map_or(0, |v| v.len())
    }
}

/// `(decoded, shared)` on this thread: typed values decoded into a cache entry's memo,
/// and typed values a hit took from one without parsing the body (only answers carrying
/// a memo are counted: a client without a cache never touches them).
pub fn memo_counts() -> (u64, u64) {
    crate::memo::counts()
}

fn four_layers(shared: &PoolShared) -> FourLayers {
    MetricsService {
        inner: CacheService {
            inner: CoalesceService {
                inner: RateLimitService {
                    inner: Ready,
                    shared: shared.clone(),
                },
                shared: shared.clone(),
            },
            shared: shared.clone(),
        },
        shared: shared.clone(),
    }
}
