//! Metrics through the `metrics` facade (opt-in with
//! [`ClientBuilder::metrics`](crate::ClientBuilder::metrics)); the application picks the
//! exporter (Prometheus, StatsD, ...) by installing a recorder.
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `wats_requests_total` | counter | `route` (template), `method`, `status` (`2xx`, `4xx`, `5xx`, `error`, ...) |
//! | `wats_request_duration_seconds` | histogram | `route`, `method` |
//! | `wats_retries_total` | counter | `route`, `reason` |
//! | `wats_breaker_state_changes_total` | counter | `to` (`closed`, `open`, `half_open`) |
//! | `wats_breaker_rejections_total` | counter | `route` |
//! | `wats_coalesced_total` | counter | `route` (calls served by another call's request) |
//! | `wats_cache_hits_total` | counter | `route` (answered from the cache) |
//! | `wats_cache_misses_total` | counter | `route` (a cached route sent to the server) |
//! | `wats_rate_limit_waits_total` | counter | `route` (an attempt waited for the limiter) |
//! | `wats_rate_limit_rejections_total` | counter | `route` (failed fast, or the wait passed the deadline) |
//!
//! Off (the default), the layer costs one branch per call and nothing is recorded. On
//! without an installed recorder, the facade's no-op recorder takes the values.
//! Retries are counted by the retry policy, which emits its counter whatever this
//! setting (a retry is rare and sleeps anyway).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Instant;

use bytes::Bytes;
use http::{Method, Response};
use tower::Service;
use wats_breaker::State;
use wats_core::{Error, Result};

use crate::call::Call;
use crate::shared::PoolShared;

/// Shared state of the metrics layer: the breaker state last seen, to count changes.
#[derive(Debug, Default)]
pub(crate) struct MetricsState {
    breaker_state: AtomicU8,
}

fn state_code(s: State) -> u8 {
    match s {
        State::Closed => 0,
        State::Open => 1,
        State::HalfOpen => 2,
    }
}

fn state_name(code: u8) -> &'static str {
    match code {
        0 => "closed",
        1 => "open",
        _ => "half_open",
    }
}

/// A call was served by another call's request.
pub(crate) fn coalesced(shared: &PoolShared, route: &'static str) {
    if shared.layers.metrics.is_some() {
        metrics::counter!("wats_coalesced_total", "route" => route).increment(1);
    }
}

/// A call was answered from the cache.
pub(crate) fn cache_hit(shared: &PoolShared, route: &'static str) {
    if shared.layers.metrics.is_some() {
        metrics::counter!("wats_cache_hits_total", "route" => route).increment(1);
    }
}

/// A call of a cached route went to the server (not kept, expired, or `fresh`).
pub(crate) fn cache_miss(shared: &PoolShared, route: &'static str) {
    if shared.layers.metrics.is_some() {
        metrics::counter!("wats_cache_misses_total", "route" => route).increment(1);
    }
}

/// An attempt waits for the rate limiter.
pub(crate) fn rate_limit_wait(shared: &PoolShared, route: &'static str) {
    if shared.layers.metrics.is_some() {
        metrics::counter!("wats_rate_limit_waits_total", "route" => route).increment(1);
    }
}

/// An attempt was refused by the rate limiter.
pub(crate) fn rate_limit_rejected(shared: &PoolShared, route: &'static str) {
    if shared.layers.metrics.is_some() {
        metrics::counter!("wats_rate_limit_rejections_total", "route" => route).increment(1);
    }
}

fn status_class(result: &Result<Response<Bytes>>) -> &'static str {
    match result {
        Ok(resp) => match resp.status().as_u16() {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        },
        Err(_) => "error",
    }
}

/// The metrics layer: per call, below the call layer (it sees the final answer of all
/// attempts) and above the total deadline (its latency covers retries and waits).
#[derive(Clone)]
pub(crate) struct MetricsService<S> {
    pub(crate) inner: S,
    pub(crate) shared: PoolShared,
}

impl<S> Service<Call> for MetricsService<S>
where
    S: Service<Call, Response = Response<Bytes>, Error = Error>,
{
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = MetricsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, call: Call) -> Self::Future {
        if self.shared.layers.metrics.is_none() {
            return MetricsFuture::Off {
                fut: self.inner.call(call),
            };
        }
        let method = method_name(&call.method);
        let route = call.route;
        MetricsFuture::On {
            fut: self.inner.call(call),
            start: Instant::now(),
            method,
            route,
            shared: self.shared.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// Future of [`MetricsService`].
    #[project = MetricsProj]
    pub(crate) enum MetricsFuture<F> {
        /// Metrics off.
        Off { #[pin] fut: F },
        /// Metrics on: recorded when the call ends.
        On {
            #[pin] fut: F,
            start: Instant,
            method: &'static str,
            route: &'static str,
            shared: PoolShared,
        },
    }
}

impl<F> Future for MetricsFuture<F>
where
    F: Future<Output = Result<Response<Bytes>>>,
{
    type Output = Result<Response<Bytes>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            MetricsProj::Off { fut } => fut.poll(cx),
            MetricsProj::On {
                fut,
                start,
                method,
                route,
                shared,
            } => {
                let result = ready!(fut.poll(cx));
                record(&result, *start, method, route, shared);
                Poll::Ready(result)
            }
        }
    }
}

fn record(
    result: &Result<Response<Bytes>>,
    start: Instant,
    method: &'static str,
    route: &'static str,
    shared: &PoolShared,
) {
    metrics::counter!(
        "wats_requests_total",
        "route" => route,
        "method" => method,
        "status" => status_class(result),
    )
    .increment(1);
    metrics::histogram!("wats_request_duration_seconds", "route" => route, "method" => method)
        .record(start.elapsed().as_secs_f64());
    if matches!(result, Err(Error::CircuitOpen { .. })) {
        metrics::counter!("wats_breaker_rejections_total", "route" => route).increment(1);
    }
    if let (Some(breaker), Some(state)) = (&shared.breaker, &shared.layers.metrics) {
        let now = state_code(breaker.state());
        let before = state.breaker_state.swap(now, Ordering::AcqRel);
        if before != now {
            metrics::counter!("wats_breaker_state_changes_total", "to" => state_name(now))
                .increment(1);
        }
    }
}

/// The method as a `'static` label (WATS uses only the standard methods).
fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        _ => "OTHER",
    }
}
