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
use http::{HeaderValue, Request, Response};
use http_body_util::combinators::Collect;
use http_body_util::{BodyExt, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tower::Service;
use tower::retry::Retry;
use tower_http::decompression::{Decompression, DecompressionBody};
use tracing::Span;
use wats_core::{CorrelationId, Error, Result, TimeoutPhase};

use crate::breaker::BreakerService;
use crate::cache_layer::CacheService;
pub(crate) use crate::call::{Answer, Call};
use crate::coalesce::CoalesceService;
use crate::failure::error_message;
use crate::layers::OptIn;
use crate::metrics::MetricsService;
use crate::ratelimit::RateLimitService;
use crate::retry::RetryPolicy;
use crate::shared::{PoolShared, Shared};
use crate::stream_body::{FileUpload, ReqBody};

type Pooled = HyperClient<HttpsConnector<HttpConnector>, ReqBody>;

/// The complete stack type; see [`build_stack`] for the order.
pub(crate) type Stack = CallService<OptIn<Plain<Attempt>, WithLayers<Attempt>>>;

/// The stack below retry and the rate limit (one attempt): breaker, attempt timeout,
/// headers, body.
pub(crate) type Attempt = BreakerService<TimeoutService<HeaderService<CollectService>>>;

/// Below the call layer when no opt-in layer is on: total deadline and retry.
pub(crate) type Plain<A> = TimeoutService<Retry<RetryPolicy, A>>;

/// Below the call layer when some opt-in layer is on: metrics, cache, total deadline,
/// coalescing, retry, rate limit.
pub(crate) type WithLayers<A> = MetricsService<
    CacheService<TimeoutService<CoalesceService<Retry<RetryPolicy, RateLimitService<A>>>>>,
>;

/// Build the service stack over a NEW connection pool. Layer order, outermost first
/// (the opt-in layers, marked, are in the stack only when one of them is on: see
/// [`OptIn`]):
///
/// 1. [`CallService`]: `wats.call` span and correlation id (same id on every attempt),
///    non-2xx answers become errors carrying that id.
/// 2. [`MetricsService`] (opt-in): requests by route, method and status class, latency,
///    cache hits and misses.
/// 3. [`CacheService`] (opt-in): answers of chosen GET routes kept for a TTL; a hit
///    answers here (no deadline timer, no coalescer, no limiter token, no network), and
///    is still counted by the metrics above; writes invalidate their resource family.
/// 4. [`TimeoutService`] (phase [`TimeoutPhase::Call`]): the total deadline, backoff sleeps
///    and rate-limit waits included.
/// 5. [`CoalesceService`] (opt-in): identical GETs in flight share one request.
/// 6. [`Retry`] with [`RetryPolicy`]: idempotent methods, budget, backoff, `Retry-After`.
/// 7. [`RateLimitService`] (opt-in): the client's GCRA limiter admits every attempt
///    before the breaker and the network.
/// 8. [`BreakerService`]: the client's one circuit breaker (shared through
///    `Shared`), between retry and the attempt timeout, so that every attempt (and
///    every attempt timeout) is recorded and an open breaker rejects an attempt with
///    `Error::CircuitOpen` before the network is touched (not retried).
/// 9. [`TimeoutService`] (phase [`TimeoutPhase::Attempt`]): optional per-attempt timeout.
/// 10. [`HeaderService`]: builds the `http::Request`: authorization (sensitive), accept,
///     user agent, correlation id, content type.
/// 11. [`CollectService`]: gzip decompression, capped body read, over the pooled
///     hyper-util client (keep-alive, idle timeout with a timer, hyper-rustls).
///
/// `pooled` is the connection pool (see [`SharedPool::new`]); the streamed-answer stack
/// of `stream.rs` is built over the same one.
pub(crate) fn build_stack(pool: &PoolShared, pooled: SharedPool) -> Stack {
    let shared: &Shared = pool;
    let collect = CollectService {
        inner: Decompression::new(pooled),
        limit: shared.body_limit,
        connect_timeout: shared.connect_timeout,
    };
    call_layer(opt_in(attempt(collect, pool), pool), pool)
}

/// Items 8 to 10 of [`build_stack`] over `innermost`: the headers of an attempt, the
/// attempt timeout, and the circuit breaker (inside retry, outside the attempt timeout).
/// The streamed-answer stack (`stream.rs`) builds its attempts with this too.
pub(crate) fn attempt<S>(
    innermost: S,
    pool: &PoolShared,
) -> BreakerService<TimeoutService<HeaderService<S>>> {
    let headers = HeaderService {
        inner: innermost,
        shared: pool.clone(),
    };
    let timed = TimeoutService {
        inner: headers,
        after: pool.attempt_timeout,
        phase: TimeoutPhase::Attempt,
    };
    BreakerService {
        inner: timed,
        shared: pool.clone(),
    }
}

/// The call layer over `inner`.
pub(crate) fn call_layer<S>(inner: S, pool: &PoolShared) -> CallService<S> {
    CallService {
        inner,
        shared: pool.clone(),
    }
}

/// Items 2 to 7 of [`build_stack`] over `attempt` (the breaker and below): the plain
/// stack when no opt-in layer is on, else the one with every opt-in layer.
pub(crate) fn opt_in<A>(attempt: A, pool: &PoolShared) -> OptIn<Plain<A>, WithLayers<A>> {
    if pool.layers.any() {
        OptIn::Full(with_layers(attempt, pool))
    } else {
        OptIn::Plain(plain(attempt, pool))
    }
}

pub(crate) fn retry<S>(inner: S, shared: &Shared) -> Retry<RetryPolicy, S> {
    Retry::new(
        RetryPolicy::new(shared.retry.clone(), shared.budget.clone()),
        inner,
    )
}

pub(crate) fn deadline<S>(inner: S, shared: &Shared) -> TimeoutService<S> {
    TimeoutService {
        inner,
        after: Some(shared.timeout),
        phase: TimeoutPhase::Call,
    }
}

/// Items 4 and 6 of [`build_stack`]: total deadline and retry.
pub(crate) fn plain<A>(attempt: A, pool: &PoolShared) -> Plain<A> {
    deadline(retry(attempt, pool), pool)
}

/// Items 2 to 7 of [`build_stack`], each opt-in layer as its settings say.
pub(crate) fn with_layers<A>(attempt: A, pool: &PoolShared) -> WithLayers<A> {
    // Rate limit (item 7 above): every attempt, before the breaker and the network.
    let limit = RateLimitService {
        inner: attempt,
        shared: pool.clone(),
    };
    let coalesce = CoalesceService {
        inner: retry(limit, pool),
        shared: pool.clone(),
    };
    let cache = CacheService {
        inner: deadline(coalesce, pool),
        shared: pool.clone(),
    };
    MetricsService {
        inner: cache,
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
        .pool_idle_timeout(finite(shared.pool_idle_timeout))
        .pool_max_idle_per_host(shared.pool_max_idle_per_host)
        .build(https)
}

/// `Some(d)` unless `d` is too long to add to the clock (`Duration::MAX`, say), which
/// means "no limit": hyper-util adds the pool's idle timeout to `Instant::now()` unchecked
/// in a background task. Anything over a century counts as no limit.
fn finite(d: Duration) -> Option<Duration> {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
    (d <= CENTURY).then_some(d)
}

/// The pooled hyper-util client behind an `Arc`: the stack below the retry layer is cloned
/// for every call (by `oneshot` and by `tower::retry`), and cloning this costs one
/// reference-count increment instead of a copy of the client's whole configuration.
#[derive(Clone)]
pub(crate) struct SharedPool(Arc<Pooled>);

impl SharedPool {
    /// A new, empty connection pool with the client's settings.
    pub(crate) fn new(shared: &Shared) -> SharedPool {
        SharedPool(Arc::new(pooled_client(shared)))
    }
}

impl Service<Request<ReqBody>> for SharedPool {
    type Response = Response<hyper::body::Incoming>;
    type Error = hyper_util::client::legacy::Error;
    type Future = hyper_util::client::legacy::ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // hyper-util's client is always ready (its own `poll_ready` says so too).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        self.0.request(req)
    }
}

// ---------------------------------------------------------------- call layer

/// Outermost layer: correlation id, `wats.call` span, status mapping.
#[derive(Clone)]
pub(crate) struct CallService<S> {
    pub(crate) inner: S,
    pub(crate) shared: PoolShared,
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
        #[cfg(feature = "otel")] // the CALLER's span: before `wats.call` is entered
        crate::otel::capture_into(&mut call.trace);
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
                        error_message(status, resp.body()),
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

/// A timeout over the inner service's whole answer. With phase [`TimeoutPhase::Call`] it
/// is the total deadline and also records the deadline in the [`Call`]. A limit too long
/// to add to the clock (`Duration::MAX`) is no limit.
#[derive(Clone)]
pub(crate) struct TimeoutService<S> {
    pub(crate) inner: S,
    pub(crate) after: Option<Duration>,
    pub(crate) phase: TimeoutPhase,
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
        let deadline = self
            .after
            .and_then(|after| tokio::time::Instant::now().checked_add(after));
        if self.phase == TimeoutPhase::Call {
            call.deadline = deadline;
        }
        let sleep = deadline.map(tokio::time::sleep_until);
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
        phase: TimeoutPhase,
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
                phase: *this.phase,
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
    pub(crate) inner: S,
    pub(crate) shared: PoolShared,
}

impl<S> Service<Call> for HeaderService<S>
where
    S: Service<Request<ReqBody>>,
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
        #[cfg(feature = "otel")]
        crate::otel::insert(&mut h, call.trace.as_ref());
        if call.body.is_some() || call.upload.is_some() {
            h.insert(
                http::header::CONTENT_TYPE,
                call.content_type
                    .unwrap_or_else(|| HeaderValue::from_static("application/json")),
            );
        }
        let body = match call.upload {
            None => ReqBody::full(call.body.unwrap_or_default()),
            Some(upload) => file_body(&mut h, upload),
        };
        let mut req = Request::new(body);
        *req.method_mut() = call.method;
        *req.uri_mut() = call.uri;
        *req.headers_mut() = h;
        self.inner.call(req)
    }
}

/// A body streamed from a file (`stream_body.rs`), with its `Content-Length` stated.
#[cold]
fn file_body(h: &mut http::HeaderMap, upload: Arc<FileUpload>) -> ReqBody {
    h.insert(
        http::header::CONTENT_LENGTH,
        HeaderValue::from(upload.content_length()),
    );
    ReqBody::file(upload)
}

// ---------------------------------------------------------------- body

/// Innermost wrapper: decompression over the pooled client, then a capped body read.
#[derive(Clone)]
pub(crate) struct CollectService {
    inner: Decompression<SharedPool>,
    limit: u64,
    connect_timeout: Duration,
}

impl Service<Request<ReqBody>> for CollectService {
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = Pin<Box<CollectFuture>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let connect_timeout = self.connect_timeout;
        self.inner
            .poll_ready(cx)
            .map_err(|e| map_client_error(e, connect_timeout))
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        Box::pin(CollectFuture {
            state: CollectState::Head {
                fut: self.inner.call(req),
            },
            limit: self.limit,
            connect_timeout: self.connect_timeout,
        })
    }
}

type DecompressionFuture = <Decompression<SharedPool> as Service<Request<ReqBody>>>::Future;
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

pub(crate) fn map_body_error(e: Box<dyn std::error::Error + Send + Sync>, limit: u64) -> Error {
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
pub(crate) fn map_client_error(
    e: hyper_util::client::legacy::Error,
    connect_timeout: Duration,
) -> Error {
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
                phase: TimeoutPhase::Connect,
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
