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
//! without an installed recorder, the facade's no-op recorder takes the values. The two
//! metrics of every call (`wats_requests_total`, `wats_request_duration_seconds`) use keys
//! built once per route and method ([`MetricsState`]), not per call: the `metrics` macros
//! build a call's label list anew each time (two allocations per call, recorder or not).
//! Retries are counted by the retry policy, which emits its counter whatever this
//! setting (a retry is rare and sleeps anyway).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll, ready};
use std::time::Instant;

use bytes::Bytes;
use http::{Method, Response};
use metrics::{Key, Label, Level, Metadata};
use tower::Service;
use wats_breaker::State;
use wats_core::{Error, Result};

use crate::call::Call;
use crate::shared::PoolShared;

/// Shared state of the metrics layer: the breaker state last seen, to count changes, and
/// the keys of each route and method seen.
#[derive(Debug, Default)]
pub(crate) struct MetricsState {
    breaker_state: AtomicU8,
    /// By the address and length of the route template and the address of the method name
    /// (both `'static`: the same strings for every call of a route).
    keys: RwLock<KeyMap>,
}

/// Route keys by (template address, template length, method name address).
type KeyMap = HashMap<(usize, usize, usize), Arc<RouteKeys>, foldhash::fast::RandomState>;

/// The status classes of `wats_requests_total`, in [`status_class`]'s order.
const STATUS_CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "error"];

/// The keys of one route and method: `wats_requests_total` per status class and
/// `wats_request_duration_seconds`.
#[derive(Debug)]
struct RouteKeys {
    requests: [Key; 6],
    duration: Key,
}

impl RouteKeys {
    fn new(route: &'static str, method: &'static str) -> RouteKeys {
        let labels = |extra: Option<&'static str>| {
            let mut labels = vec![
                Label::from_static_parts("route", route),
                Label::from_static_parts("method", method),
            ];
            labels.extend(extra.map(|class| Label::from_static_parts("status", class)));
            labels
        };
        RouteKeys {
            requests: STATUS_CLASSES
                .map(|class| Key::from_parts("wats_requests_total", labels(Some(class)))),
            duration: Key::from_parts("wats_request_duration_seconds", labels(None)),
        }
    }
}

impl MetricsState {
    /// The keys of `route` and `method`, built on their first call.
    fn keys(&self, route: &'static str, method: &'static str) -> Arc<RouteKeys> {
        let id = (
            route.as_ptr() as usize,
            route.len(),
            method.as_ptr() as usize,
        );
        if let Some(keys) = self
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
        {
            return Arc::clone(keys);
        }
        let mut map = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            map.entry(id)
                .or_insert_with(|| Arc::new(RouteKeys::new(route, method))),
        )
    }
}

/// The metadata the `metrics` macros give this module's metrics (target and module path
/// this module, level INFO), for the keys recorded without a macro.
static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

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

/// The index in [`STATUS_CLASSES`] of a call's result.
fn status_class(result: &Result<Response<Bytes>>) -> usize {
    match result {
        Ok(resp) => match resp.status().as_u16() {
            100..=199 => 0,
            200..=299 => 1,
            300..=399 => 2,
            400..=499 => 3,
            _ => 4,
        },
        Err(_) => 5,
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
    let Some(state) = &shared.layers.metrics else {
        return;
    };
    let keys = state.keys(route, method);
    let seconds = start.elapsed().as_secs_f64();
    metrics::with_recorder(|recorder| {
        recorder
            .register_counter(&keys.requests[status_class(result)], &METADATA)
            .increment(1);
        recorder
            .register_histogram(&keys.duration, &METADATA)
            .record(seconds);
    });
    if matches!(result, Err(Error::CircuitOpen { .. })) {
        metrics::counter!("wats_breaker_rejections_total", "route" => route).increment(1);
    }
    if let Some(breaker) = &shared.breaker {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys_are_built_once_per_route_and_method() {
        // Statics, so that both calls pass the same addresses (as every call of a declared
        // route does: its template and method name are the same `'static` strings).
        static ROUTE: &str = "/api/App/Version";
        static GET: &str = "GET";
        static POST: &str = "POST";
        let state = MetricsState::default();
        let a = state.keys(ROUTE, GET);
        let b = state.keys(ROUTE, GET);
        assert!(Arc::ptr_eq(&a, &b), "the second call reuses the keys");
        let post = state.keys(ROUTE, POST);
        assert!(!Arc::ptr_eq(&a, &post));
        let labels: Vec<(String, String)> = a.requests[3]
            .labels()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        assert_eq!(
            labels,
            [
                ("route".to_owned(), "/api/App/Version".to_owned()),
                ("method".to_owned(), "GET".to_owned()),
                ("status".to_owned(), "4xx".to_owned()),
            ]
        );
        assert_eq!(a.requests[3].name(), "wats_requests_total");
        assert_eq!(a.duration.name(), "wats_request_duration_seconds");
        assert_eq!(a.duration.labels().count(), 2);
    }
}
