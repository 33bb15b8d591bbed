//! The client's circuit breaker: its settings, the WATS classification of an
//! attempt's result, and the stack service that sits inside retry.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use tower::Service;
use wats_breaker::{CircuitBreaker, Outcome, OwnedPermit};
use wats_core::{Error, Result, TimeoutPhase};

use crate::call::Call;
use crate::failure::Kind;
use crate::shared::PoolShared;

/// Default number of consecutive failed attempts that open the breaker.
pub const DEFAULT_BREAKER_THRESHOLD: u32 = 5;
/// Default time an open breaker rejects calls before it admits a probe.
pub const DEFAULT_BREAKER_OPEN_DURATION: Duration = Duration::from_secs(30);
/// Default number of probe calls a half-open breaker admits at once.
pub const DEFAULT_BREAKER_PROBES: u32 = 1;

/// Settings of the client's circuit breaker, for
/// [`ClientBuilder::circuit_breaker`](crate::ClientBuilder::circuit_breaker).
///
/// The breaker opens after `failure_threshold` consecutive failed attempts
/// (default 5), rejects every call for `open_duration` (default 30 s) with
/// [`Error::CircuitOpen`], then admits `probes` probe calls (default 1): a probe
/// success closes it, a probe failure opens it again.
///
/// ```
/// use std::time::Duration;
/// use wats_http::CircuitBreakerSettings;
/// let settings = CircuitBreakerSettings::new()
///     .failure_threshold(3)
///     .open_duration(Duration::from_secs(10));
/// assert_eq!(settings.probes, 1);
/// let client = wats_http::Client::builder()
///     .base_url("https://wats.example.com")
///     .token("dXNlcjpwYXNz")
///     .circuit_breaker(settings)
///     .build()?;
/// assert!(client.circuit_breaker().is_some());
/// # Ok::<(), wats_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct CircuitBreakerSettings {
    /// Consecutive failed attempts that open the breaker (at least 1).
    pub failure_threshold: u32,
    /// How long the open breaker rejects calls before admitting probes.
    pub open_duration: Duration,
    /// Probe calls admitted at once when half-open (1 to 65,535).
    pub probes: u32,
}

impl Default for CircuitBreakerSettings {
    fn default() -> Self {
        CircuitBreakerSettings {
            failure_threshold: DEFAULT_BREAKER_THRESHOLD,
            open_duration: DEFAULT_BREAKER_OPEN_DURATION,
            probes: DEFAULT_BREAKER_PROBES,
        }
    }
}

impl CircuitBreakerSettings {
    /// The defaults: 5 failures, 30 s open, 1 probe.
    pub fn new() -> Self {
        Self::default()
    }

    /// Consecutive failed attempts that open the breaker.
    pub fn failure_threshold(mut self, n: u32) -> Self {
        self.failure_threshold = n;
        self
    }

    /// How long the open breaker rejects calls.
    pub fn open_duration(mut self, d: Duration) -> Self {
        self.open_duration = d;
        self
    }

    /// Probe calls admitted at once when half-open.
    pub fn probes(mut self, n: u32) -> Self {
        self.probes = n;
        self
    }

    fn build(self) -> Result<CircuitBreaker> {
        CircuitBreaker::builder()
            .name("wats")
            .consecutive_failures(self.failure_threshold)
            .open_duration(self.open_duration)
            .permitted_probes(self.probes)
            .build()
            .map_err(|e| Error::Setup {
                component: "circuit breaker",
                source: Box::new(e),
            })
    }
}

/// What the builder was told about the breaker.
#[derive(Clone, Debug)]
pub(crate) enum BreakerConfig {
    Settings(CircuitBreakerSettings),
    Custom(CircuitBreaker),
    Disabled,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig::Settings(CircuitBreakerSettings::default())
    }
}

impl BreakerConfig {
    /// The current settings, or the defaults when a custom breaker was given or
    /// the breaker was disabled (a settings call re-enables it).
    pub(crate) fn settings(&self) -> CircuitBreakerSettings {
        match self {
            BreakerConfig::Settings(s) => *s,
            _ => CircuitBreakerSettings::default(),
        }
    }

    pub(crate) fn build(self) -> Result<Option<CircuitBreaker>> {
        match self {
            BreakerConfig::Settings(s) => s.build().map(Some),
            BreakerConfig::Custom(b) => Ok(Some(b)),
            BreakerConfig::Disabled => Ok(None),
        }
    }
}

/// What the breaker records for one attempt (inside retry, so the result is the raw
/// answer of one attempt): the `breaker` column of the [failure table](crate::failure).
/// In short: connect and transport errors, connect and attempt timeouts, 500, 502, 503
/// and 504 are failures; 2xx and 4xx about the request (400, 401, 403, 404, ...) are
/// successes (the server is up); 407, 408, 429, other 5xx, an oversized body and local
/// errors are ignored.
pub(crate) fn classify(result: &Result<Response<Bytes>>) -> Outcome {
    Kind::of_attempt(result).verdict().breaker
}

/// The breaker in the stack (between retry and the attempt timeout). With no
/// breaker configured it passes calls through.
#[derive(Clone)]
pub(crate) struct BreakerService<S> {
    pub(crate) inner: S,
    /// The breaker is `shared.breaker` (the client's one, `None` when disabled).
    pub(crate) shared: PoolShared,
}

impl<S> Service<Call> for BreakerService<S>
where
    S: Service<Call, Response = Response<Bytes>, Error = Error>,
{
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = BreakerFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Call) -> Self::Future {
        let Some(breaker) = &self.shared.breaker else {
            return BreakerFuture {
                inner: Some(self.inner.call(req)),
                guard: Guard::default(),
                rejected: None,
            };
        };
        match breaker.try_acquire_owned() {
            Ok(permit) => {
                let deadline = req.deadline;
                BreakerFuture {
                    inner: Some(self.inner.call(req)),
                    guard: Guard {
                        permit: Some(permit),
                        deadline,
                    },
                    rejected: None,
                }
            }
            // Rejected: the inner service (and so the network) is never touched.
            Err(rejected) => BreakerFuture {
                inner: None,
                guard: Guard::default(),
                rejected: Some(rejected.retry_after()),
            },
        }
    }
}

/// An admitted attempt's permit. Dropped without a result (the attempt's future
/// was dropped), it records a failure if the call's total deadline has passed
/// (the attempt was cut off by the whole-call timeout, so a hung server still
/// trips the breaker without an attempt timeout), and otherwise frees the permit
/// unrecorded (the caller cancelled).
#[derive(Default)]
struct Guard {
    permit: Option<OwnedPermit>,
    deadline: Option<tokio::time::Instant>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take() {
            if self
                .deadline
                .is_some_and(|d| tokio::time::Instant::now() >= d)
            {
                permit.record(Kind::Timeout(TimeoutPhase::Call).verdict().breaker);
            }
        }
    }
}

/// A 2xx answer whose body is still to come (the streamed-answer stack of `stream.rs`
/// puts one, empty, into such an answer's extensions): [`BreakerFuture`] leaves the
/// attempt's permit in it instead of recording the head as a success, and whoever reads
/// the body records the attempt's outcome once the body is in (or broke off).
/// Extensions must be `Clone + Sync`, hence the shared, take-once cell.
#[derive(Clone, Default)]
pub(crate) struct DeferredOutcome(Arc<Mutex<Option<OwnedPermit>>>);

impl DeferredOutcome {
    /// The permit left here (once), or `None` (no breaker, or taken already).
    pub(crate) fn take(&self) -> Option<OwnedPermit> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    fn put(&self, permit: OwnedPermit) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(permit);
    }
}

pin_project_lite::pin_project! {
    /// Future of [`BreakerService`].
    pub(crate) struct BreakerFuture<F> {
        #[pin]
        inner: Option<F>,
        guard: Guard,
        rejected: Option<Duration>,
    }
}

impl<F> Future for BreakerFuture<F>
where
    F: Future<Output = Result<Response<Bytes>>>,
{
    type Output = Result<Response<Bytes>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(inner) = this.inner.as_pin_mut() else {
            let retry_after = this.rejected.unwrap_or_default();
            return Poll::Ready(Err(Error::CircuitOpen { retry_after }));
        };
        let result = std::task::ready!(inner.poll(cx));
        if let Some(permit) = this.guard.permit.take() {
            let deferred = result
                .as_ref()
                .ok()
                .filter(|resp| resp.status().is_success())
                .and_then(|resp| resp.extensions().get::<DeferredOutcome>());
            match deferred {
                Some(slot) => slot.put(permit),
                None => permit.record(classify(&result)),
            }
        }
        Poll::Ready(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_settings_are_config_errors() {
        for bad in [
            CircuitBreakerSettings::new().failure_threshold(0),
            CircuitBreakerSettings::new().probes(0),
        ] {
            let err = BreakerConfig::Settings(bad).build().unwrap_err();
            assert!(
                matches!(
                    &err,
                    Error::Setup {
                        component: "circuit breaker",
                        ..
                    }
                ),
                "{err}"
            );
            // The breaker's own error stays reachable through `source()`.
            let source = std::error::Error::source(&err).expect("a source");
            assert!(source.is::<wats_breaker::ConfigError>(), "{source}");
        }
        assert!(BreakerConfig::Disabled.build().unwrap().is_none());
    }
}
