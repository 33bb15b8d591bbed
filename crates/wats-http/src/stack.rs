//! The tower service stack of a client, built in one place: [`build_stack`].
//!
//! Every layer works on `Request<Full<Bytes>>` and answers
//! `Result<Response<Bytes>, wats_core::Error>`: the innermost service reads the
//! whole (decompressed, capped) body, so every outer layer (attempt timeout, retry,
//! deadline) covers the body transfer too, and the retry policy can look at the
//! status and `Retry-After` of a complete answer.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tower::Service;
use tower::retry::Retry;
use tower_http::decompression::Decompression;
use tracing::Span;
use wats_core::{CorrelationId, Error, Result};

use crate::breaker::BreakerService;
use crate::client::Shared;
use crate::retry::RetryPolicy;

/// Per-call metadata carried in the request extensions.
#[derive(Clone, Debug)]
pub(crate) struct CallMeta {
    /// Route template, for example `/api/Report/Wsjf/{id}`.
    pub(crate) route: &'static str,
    /// When the whole call must be done; set by the deadline layer, read by the
    /// retry policy so it does not sleep past it.
    pub(crate) deadline: Option<tokio::time::Instant>,
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
/// 1. [`CallService`]: `wats.call` span and correlation id header (same id on every attempt),
///    non-2xx answers become errors carrying that id.
/// 2. [`TimeoutService`] (phase `request`): the total deadline, backoff sleeps included.
/// 3. [`Retry`] with [`RetryPolicy`]: idempotent methods, budget, backoff, `Retry-After`.
/// 4. [`BreakerService`]: the client's one circuit breaker (shared through
///    `Shared`), between retry and the attempt timeout, so that every attempt (and
///    every attempt timeout) is recorded and an open breaker rejects an attempt with
///    `Error::CircuitOpen` before the network is touched (not retried).
/// 5. [`TimeoutService`] (phase `attempt`): optional per-attempt timeout.
/// 6. [`HeaderService`]: authorization (sensitive), accept, user agent.
/// 7. [`CollectService`]: gzip decompression, capped body read, over the pooled
///    hyper-util client (keep-alive, idle timeout with a timer, hyper-rustls).
pub(crate) fn build_stack(shared: &Arc<Shared>) -> Stack {
    let pooled = pooled_client(shared);
    let collect = CollectService {
        inner: Decompression::new(pooled),
        limit: shared.body_limit,
        connect_timeout: shared.connect_timeout,
    };
    let headers = HeaderService {
        inner: collect,
        shared: shared.clone(),
    };
    let attempt = TimeoutService {
        inner: headers,
        after: shared.attempt_timeout,
        phase: "attempt",
    };
    // Circuit breaker (item 4 above): inside retry, outside the attempt timeout.
    let breaker = BreakerService {
        inner: attempt,
        breaker: shared.breaker.clone(),
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
        shared: shared.clone(),
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

// ---------------------------------------------------------------- call layer

/// Outermost layer: correlation id, `wats.call` span, status mapping.
#[derive(Clone)]
pub(crate) struct CallService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request<Full<Bytes>>> for CallService<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<Bytes>, Error = Error>,
{
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = CallFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Full<Bytes>>) -> Self::Future {
        let id = CorrelationId::current_or_generate();
        if let Ok(v) = HeaderValue::from_str(id.as_str()) {
            req.headers_mut()
                .insert(self.shared.correlation_header.clone(), v);
        }
        let route = req.extensions().get::<CallMeta>().map_or("", |m| m.route);
        let span = tracing::info_span!(
            "wats.call",
            correlation_id = id.as_str(),
            method = req.method().as_str(),
            route,
            station = self.shared.station.name(),
            status = tracing::field::Empty,
            server_correlation_id = tracing::field::Empty,
        );
        let inner = {
            let _enter = span.enter();
            self.inner.call(req)
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
        shared: Arc<Shared>,
    }
}

impl<F> Future for CallFuture<F>
where
    F: Future<Output = Result<Response<Bytes>>>,
{
    type Output = Result<Response<Bytes>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _enter = this.span.enter();
        let result = ready!(this.inner.poll(cx));
        Poll::Ready(match result {
            Ok(mut resp) => {
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
                    // Lets callers log follow-up events (the submit result) in this call's span.
                    resp.extensions_mut().insert(this.span.clone());
                    Ok(resp)
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
/// total deadline and also records the deadline in [`CallMeta`].
#[derive(Clone)]
pub(crate) struct TimeoutService<S> {
    inner: S,
    after: Option<Duration>,
    phase: &'static str,
}

impl<S> Service<Request<Full<Bytes>>> for TimeoutService<S>
where
    S: Service<Request<Full<Bytes>>, Error = Error>,
{
    type Response = S::Response;
    type Error = Error;
    type Future = TimeoutFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Full<Bytes>>) -> Self::Future {
        let sleep = self.after.map(|after| {
            let deadline = tokio::time::Instant::now() + after;
            let is_total = self.phase == "request";
            if let Some(meta) = req
                .extensions_mut()
                .get_mut::<CallMeta>()
                .filter(|_| is_total)
            {
                meta.deadline = Some(deadline);
            }
            tokio::time::sleep_until(deadline)
        });
        TimeoutFuture {
            inner: self.inner.call(req),
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

/// Adds the pre-built authorization (sensitive), accept and user-agent headers.
#[derive(Clone)]
pub(crate) struct HeaderService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request<Full<Bytes>>> for HeaderService<S>
where
    S: Service<Request<Full<Bytes>>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Full<Bytes>>) -> Self::Future {
        let h = req.headers_mut();
        h.insert(http::header::AUTHORIZATION, self.shared.auth.clone());
        h.insert(http::header::ACCEPT, self.shared.accept.clone());
        h.insert(http::header::USER_AGENT, self.shared.user_agent.clone());
        self.inner.call(req)
    }
}

// ---------------------------------------------------------------- body

/// Innermost wrapper: decompression over the pooled client, then a capped body read.
#[derive(Clone)]
pub(crate) struct CollectService {
    inner: Decompression<Pooled>,
    limit: u64,
    connect_timeout: Duration,
}

/// Boxed future of [`CollectService`].
pub(crate) type CollectFuture = Pin<Box<dyn Future<Output = Result<Response<Bytes>>> + Send>>;

impl Service<Request<Full<Bytes>>> for CollectService {
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = CollectFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let connect_timeout = self.connect_timeout;
        self.inner
            .poll_ready(cx)
            .map_err(|e| map_client_error(e, connect_timeout))
    }

    fn call(&mut self, req: Request<Full<Bytes>>) -> Self::Future {
        let fut = self.inner.call(req);
        let limit = self.limit;
        let connect_timeout = self.connect_timeout;
        Box::pin(async move {
            let resp = fut
                .await
                .map_err(|e| map_client_error(e, connect_timeout))?;
            let (parts, body) = resp.into_parts();
            let declared = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let encoded = parts.headers.contains_key(http::header::CONTENT_ENCODING);
            if !encoded && declared.is_some_and(|n| n > limit) {
                return Err(Error::BodyTooLarge { limit });
            }
            let cap = usize::try_from(limit).unwrap_or(usize::MAX);
            let bytes = Limited::new(body, cap)
                .collect()
                .await
                .map_err(|e| map_body_error(e, limit))?
                .to_bytes();
            Ok(Response::from_parts(parts, bytes))
        })
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
