//! The tower service stack of a client, built in one place: [`build_stack`].
//!
//! The layers above the innermost two work on [`Call`], a small description of one
//! logical call that is cheap to clone for a retry (no header map, no extensions);
//! [`HeaderService`] turns it into an `http::Request` with every header at once.
//! Every layer answers `Result<Response<Bytes>, wats_core::Error>` (the outermost an
//! [`Answer`]): the innermost service reads the whole (decompressed, capped) body, so
//! every outer layer (attempt timeout, retry, deadline) covers the body transfer too,
//! and the retry policy can look at the status and `Retry-After` of a complete answer.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, Uri};
use http_body_util::combinators::Collect;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tower::Service;
use tower::retry::Retry;
use tower_http::decompression::{Decompression, DecompressionBody};
use tracing::Span;
use wats_core::{CorrelationId, Error, Result};

use crate::breaker::BreakerService;
use crate::client::Shared;
use crate::retry::RetryPolicy;

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
    fn headers(&self) -> HeaderMap {
        self.0.headers.clone()
    }
}

impl std::ops::Deref for PoolShared {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0.shared
    }
}

/// One logical call on its way through the stack. Cloning it (once per attempt, for
/// the retry layer) costs reference-count increments, not allocations.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    /// The request body.
    pub(crate) body: Option<Bytes>,
    /// The body's content type; `None` is `application/json`.
    pub(crate) content_type: Option<HeaderValue>,
    /// Whether the call may be retried (from its declaration).
    pub(crate) idempotent: bool,
    /// Route template, for example `/api/Report/Wsjf/{id}`.
    pub(crate) route: &'static str,
    /// When the whole call must be done; set by the deadline layer, read by the
    /// retry policy (so it does not sleep past it) and the breaker.
    pub(crate) deadline: Option<tokio::time::Instant>,
    /// Set by [`CallService`]; the same on every attempt.
    pub(crate) correlation_id: Option<CorrelationId>,
}

impl Call {
    /// A call with no deadline and no correlation id yet.
    pub(crate) fn new(
        method: Method,
        route: &'static str,
        uri: Uri,
        body: Option<Bytes>,
        content_type: Option<HeaderValue>,
        idempotent: bool,
    ) -> Self {
        Call {
            method,
            uri,
            body,
            content_type,
            idempotent,
            route,
            deadline: None,
            correlation_id: None,
        }
    }
}

/// The answer of the whole stack: a successful response and the call's `wats.call`
/// span, so that callers can log follow-up events (the submit result) inside it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) response: Response<Bytes>,
    pub(crate) span: Span,
}

type Pooled = HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The complete stack type; see [`build_stack`] for the order.
pub(crate) type Stack = CallService<
    TimeoutService<
        Retry<RetryPolicy, BreakerService<TimeoutService<HeaderService<CollectService>>>>,
    >,
>;

/// Build the service stack over a NEW connection pool. Layer order, outermost first:
///
/// 1. [`CallService`]: `wats.call` span and correlation id (same id on every attempt),
///    non-2xx answers become errors carrying that id.
/// 2. [`TimeoutService`] (phase `request`): the total deadline, backoff sleeps included.
/// 3. [`Retry`] with [`RetryPolicy`]: idempotent methods, budget, backoff, `Retry-After`.
/// 4. [`BreakerService`]: the client's one circuit breaker (shared through
///    `Shared`), between retry and the attempt timeout, so that every attempt (and
///    every attempt timeout) is recorded and an open breaker rejects an attempt with
///    `Error::CircuitOpen` before the network is touched (not retried).
/// 5. [`TimeoutService`] (phase `attempt`): optional per-attempt timeout.
/// 6. [`HeaderService`]: builds the `http::Request`: authorization (sensitive), accept,
///    user agent, correlation id, content type.
/// 7. [`CollectService`]: gzip decompression, capped body read, over the pooled
///    hyper-util client (keep-alive, idle timeout with a timer, hyper-rustls).
pub(crate) fn build_stack(pool: &PoolShared) -> Stack {
    let shared: &Shared = pool;
    let pooled = pooled_client(shared);
    let collect = CollectService {
        inner: Decompression::new(SharedPool(Arc::new(pooled))),
        limit: shared.body_limit,
        connect_timeout: shared.connect_timeout,
    };
    let headers = HeaderService {
        inner: collect,
        shared: pool.clone(),
    };
    let attempt = TimeoutService {
        inner: headers,
        after: shared.attempt_timeout,
        phase: "attempt",
    };
    // Circuit breaker (item 4 above): inside retry, outside the attempt timeout.
    let breaker = BreakerService {
        inner: attempt,
        shared: pool.clone(),
    };
    let retry = Retry::new(
        RetryPolicy::new(shared.retry.clone(), shared.budget.clone()),
        breaker,
    );
    let deadline = TimeoutService {
        inner: retry,
        after: Some(shared.timeout),
        phase: "request",
    };
    CallService {
        inner: deadline,
        shared: pool.clone(),
    }
}

fn pooled_client(shared: &Shared) -> Pooled {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(shared.connect_timeout));
    http.set_keepalive(Some(Duration::from_secs(30)));
    // Same `Arc<ClientConfig>` for every pool: TLS sessions resume across pools.
    let https = HttpsConnector::from((http, shared.tls.clone()));
    HyperClient::builder(TokioExecutor::new())
        .timer(TokioTimer::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(shared.pool_idle_timeout)
        .pool_max_idle_per_host(shared.pool_max_idle_per_host)
        .build(https)
}

/// The pooled hyper-util client behind an `Arc`: the stack below the retry layer is cloned
/// for every call (by `oneshot` and by `tower::retry`), and cloning this costs one
/// reference-count increment instead of a copy of the client's whole configuration.
#[derive(Clone)]
pub(crate) struct SharedPool(Arc<Pooled>);

impl Service<Request<Full<Bytes>>> for SharedPool {
    type Response = Response<hyper::body::Incoming>;
    type Error = hyper_util::client::legacy::Error;
    type Future = hyper_util::client::legacy::ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // hyper-util's client is always ready (its own `poll_ready` says so too).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Full<Bytes>>) -> Self::Future {
        self.0.request(req)
    }
}

// ---------------------------------------------------------------- call layer

/// Outermost layer: correlation id, `wats.call` span, status mapping.
#[derive(Clone)]
pub(crate) struct CallService<S> {
    inner: S,
    shared: PoolShared,
}

impl<S> Service<Call> for CallService<S>
where
    S: Service<Call, Response = Response<Bytes>, Error = Error>,
{
    type Response = Answer;
    type Error = Error;
    type Future = CallFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut call: Call) -> Self::Future {
        let id = CorrelationId::current_or_generate();
        let span = tracing::info_span!(
            "wats.call",
            correlation_id = id.as_str(),
            method = call.method.as_str(),
            route = call.route,
            station = self.shared.station.name(),
            status = tracing::field::Empty,
            server_correlation_id = tracing::field::Empty,
        );
        call.correlation_id = Some(id.clone());
        let inner = {
            let _enter = span.enter();
            self.inner.call(call)
        };
        CallFuture {
            inner,
            span,
            id,
            shared: self.shared.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// Future of [`CallService`].
    pub(crate) struct CallFuture<F> {
        #[pin]
        inner: F,
        span: Span,
        id: CorrelationId,
        shared: PoolShared,
    }
}

impl<F> Future for CallFuture<F>
where
    F: Future<Output = Result<Response<Bytes>>>,
{
    type Output = Result<Answer>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _enter = this.span.enter();
        let result = ready!(this.inner.poll(cx));
        Poll::Ready(match result {
            Ok(resp) => {
                if let Some(server_id) = resp
                    .headers()
                    .get(&this.shared.correlation_header)
                    .and_then(|v| v.to_str().ok())
                {
                    this.span.record("server_correlation_id", server_id);
                }
                let status = resp.status();
                this.span.record("status", status.as_u16());
                if status.is_success() {
                    tracing::debug!("WATS call succeeded");
                    Ok(Answer {
                        response: resp,
                        span: this.span.clone(),
                    })
                } else {
                    let err = Error::from_status(
                        status.as_u16(),
                        crate::client::error_message(status, resp.body()),
                        Some(this.id.as_str().to_owned()),
                    );
                    tracing::debug!(status = status.as_u16(), error = %err, "WATS call failed");
                    Err(err)
                }
            }
            Err(err) => {
                tracing::debug!(error = %err, "WATS call failed");
                Err(err)
            }
        })
    }
}

// ---------------------------------------------------------------- timeouts

/// A timeout over the inner service's whole answer. With phase `request` it is the
/// total deadline and also records the deadline in the [`Call`].
#[derive(Clone)]
pub(crate) struct TimeoutService<S> {
    inner: S,
    after: Option<Duration>,
    phase: &'static str,
}

impl<S> Service<Call> for TimeoutService<S>
where
    S: Service<Call, Error = Error>,
{
    type Response = S::Response;
    type Error = Error;
    type Future = TimeoutFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut call: Call) -> Self::Future {
        let sleep = self.after.map(|after| {
            let deadline = tokio::time::Instant::now() + after;
            if self.phase == "request" {
                call.deadline = Some(deadline);
            }
            tokio::time::sleep_until(deadline)
        });
        TimeoutFuture {
            inner: self.inner.call(call),
            sleep,
            after: self.after.unwrap_or_default(),
            phase: self.phase,
        }
    }
}

pin_project_lite::pin_project! {
    /// Future of [`TimeoutService`].
    pub(crate) struct TimeoutFuture<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: Option<tokio::time::Sleep>,
        after: Duration,
        phase: &'static str,
    }
}

impl<F, T> Future for TimeoutFuture<F>
where
    F: Future<Output = Result<T>>,
{
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(out) = this.inner.poll(cx) {
            return Poll::Ready(out);
        }
        if this
            .sleep
            .as_pin_mut()
            .is_some_and(|sleep| sleep.poll(cx).is_ready())
        {
            return Poll::Ready(Err(Error::Timeout {
                after: *this.after,
                phase: this.phase,
            }));
        }
        Poll::Pending
    }
}

// ---------------------------------------------------------------- headers

/// Turns a [`Call`] into the `http::Request` of one attempt: a copy of the pool's header
/// template (authorization (sensitive), accept, user agent, accept-encoding, host) with
/// the call's correlation id and, with a body, the content type.
#[derive(Clone)]
pub(crate) struct HeaderService<S> {
    inner: S,
    shared: PoolShared,
}

impl<S> Service<Call> for HeaderService<S>
where
    S: Service<Request<Full<Bytes>>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, call: Call) -> Self::Future {
        let mut h = self.shared.headers();
        match call
            .correlation_id
            .as_ref()
            .and_then(|id| HeaderValue::from_str(id.as_str()).ok())
        {
            Some(v) => h.insert(self.shared.correlation_header.clone(), v),
            None => h.remove(&self.shared.correlation_header),
        };
        if call.body.is_some() {
            h.insert(
                http::header::CONTENT_TYPE,
                call.content_type
                    .unwrap_or_else(|| HeaderValue::from_static("application/json")),
            );
        }
        let mut req = Request::new(Full::new(call.body.unwrap_or_default()));
        *req.method_mut() = call.method;
        *req.uri_mut() = call.uri;
        *req.headers_mut() = h;
        self.inner.call(req)
    }
}

// ---------------------------------------------------------------- body

/// Innermost wrapper: decompression over the pooled client, then a capped body read.
#[derive(Clone)]
pub(crate) struct CollectService {
    inner: Decompression<SharedPool>,
    limit: u64,
    connect_timeout: Duration,
}

impl Service<Request<Full<Bytes>>> for CollectService {
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = Pin<Box<CollectFuture>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let connect_timeout = self.connect_timeout;
        self.inner
            .poll_ready(cx)
            .map_err(|e| map_client_error(e, connect_timeout))
    }

    fn call(&mut self, req: Request<Full<Bytes>>) -> Self::Future {
        Box::pin(CollectFuture {
            state: CollectState::Head {
                fut: self.inner.call(req),
            },
            limit: self.limit,
            connect_timeout: self.connect_timeout,
        })
    }
}

type DecompressionFuture = <Decompression<SharedPool> as Service<Request<Full<Bytes>>>>::Future;
type Body = DecompressionBody<hyper::body::Incoming>;

pin_project_lite::pin_project! {
    /// Future of [`CollectService`]: waits for the response head, then reads the body
    /// under the cap. A named state machine, so a call costs no boxed future.
    pub(crate) struct CollectFuture {
        #[pin]
        state: CollectState,
        limit: u64,
        connect_timeout: Duration,
    }
}

pin_project_lite::pin_project! {
    #[project = CollectStateProj]
    enum CollectState {
        Head { #[pin] fut: DecompressionFuture },
        Body { parts: Option<http::response::Parts>, #[pin] collect: Collect<Limited<Body>> },
    }
}

impl Future for CollectFuture {
    type Output = Result<Response<Bytes>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                CollectStateProj::Head { fut } => {
                    let resp = ready!(fut.poll(cx))
                        .map_err(|e| map_client_error(e, *this.connect_timeout))?;
                    let (parts, body) = resp.into_parts();
                    let declared = parts
                        .headers
                        .get(http::header::CONTENT_LENGTH)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok());
                    let encoded = parts.headers.contains_key(http::header::CONTENT_ENCODING);
                    if !encoded && declared.is_some_and(|n| n > *this.limit) {
                        return Poll::Ready(Err(Error::BodyTooLarge { limit: *this.limit }));
                    }
                    let cap = usize::try_from(*this.limit).unwrap_or(usize::MAX);
                    this.state.set(CollectState::Body {
                        parts: Some(parts),
                        collect: Limited::new(body, cap).collect(),
                    });
                }
                CollectStateProj::Body { parts, collect } => {
                    let collected =
                        ready!(collect.poll(cx)).map_err(|e| map_body_error(e, *this.limit))?;
                    let Some(parts) = parts.take() else {
                        return Poll::Ready(Err(Error::Transport {
                            message: "response polled after completion".to_owned(),
                            connect: false,
                            source: None,
                        }));
                    };
                    return Poll::Ready(Ok(Response::from_parts(parts, collected.to_bytes())));
                }
            }
        }
    }
}

fn map_body_error(e: Box<dyn std::error::Error + Send + Sync>, limit: u64) -> Error {
    if e.is::<http_body_util::LengthLimitError>() {
        return Error::BodyTooLarge { limit };
    }
    Error::Transport {
        message: format!("reading the response body failed: {e}"),
        connect: false,
        source: Some(e),
    }
}

/// Map a hyper-util client error: connect failures (and connect timeouts) are told
/// apart because nothing was sent then.
fn map_client_error(e: hyper_util::client::legacy::Error, connect_timeout: Duration) -> Error {
    let connect = e.is_connect();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    let mut detail = None;
    while let Some(err) = source {
        let connect_timed_out = connect
            && err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
        if connect_timed_out {
            return Error::Timeout {
                after: connect_timeout,
                phase: "connect",
            };
        }
        detail = Some(err.to_string());
        source = err.source();
    }
    let what = if connect {
        "connecting to the WATS server failed"
    } else {
        "the request to the WATS server failed"
    };
    Error::Transport {
        message: match detail {
            Some(d) => format!("{what}: {d}"),
            None => what.to_owned(),
        },
        connect,
        source: Some(Box::new(e)),
    }
}
