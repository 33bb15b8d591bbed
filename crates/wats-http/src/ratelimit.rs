//! The client-side rate limit (opt-in): a GCRA limiter from the `governor` crate,
//! one per client (shared by its clones, its pool siblings and every thread of a
//! blocking client), and [`RateLimitService`], its place in the stack: inside retry
//! (every attempt is a request and is admitted), outside the circuit breaker and the
//! network.
//!
//! Why `governor`: its direct limiter is one `AtomicU64` updated with a compare-and-swap
//! (lock-free GCRA), and it takes a custom clock, so the limiter runs on the CPU's counter
//! (`quanta`, see [`LimiterClock`]) or on a [`ManualClock`] in tests. Not its own async waiting
//! (`until_ready`, on `futures-timer`): the wait here is a tokio sleep bounded by the
//! call's deadline.
//!
//! `Retry-After`: a 429 answer that carries it pushes the whole limiter back ("paused
//! until"), so every caller of the client waits, not only the one that got it.

use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use governor::clock::Clock as _;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use http::{Response, StatusCode};
use tower::Service;
use wats_breaker::{Clock as _, ManualClock};
use wats_core::{Error, Result};

use crate::call::Call;
use crate::retry::parse_retry_after;
use crate::shared::PoolShared;

/// Settings of the client-side rate limit, for
/// [`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit).
///
/// `requests` per `period`, with bursts of up to `burst` requests (default: `requests`).
/// The limit is a GCRA ("leaky bucket as a meter"): one request is admitted every
/// `period / requests`, and up to `burst` at once after a quiet time. Every attempt
/// (retries included) is one request. A call that is not admitted waits (within its
/// deadline) or, with [`fail_fast`](Self::fail_fast), fails at once with
/// [`Error::RateLimited`].
///
/// ```
/// use std::time::Duration;
/// use wats_http::RateLimit;
/// let limit = RateLimit::new(500, Duration::from_secs(60)).burst(20);
/// let client = wats_http::Client::builder()
///     .base_url("https://wats.example.com")
///     .token("dXNlcjpwYXNz")
///     .rate_limit(limit)
///     .build()?;
/// # drop(client);
/// # Ok::<(), wats_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct RateLimit {
    requests: u32,
    period: Duration,
    burst: Option<u32>,
    fail_fast: bool,
    clock: Option<ManualClock>,
}

impl RateLimit {
    /// `requests` requests per `period` (both must be non-zero).
    pub fn new(requests: u32, period: Duration) -> Self {
        RateLimit {
            requests,
            period,
            burst: None,
            fail_fast: false,
            clock: None,
        }
    }

    /// Up to `n` requests at once after a quiet time (default: `requests`).
    pub fn burst(mut self, n: u32) -> Self {
        self.burst = Some(n);
        self
    }

    /// Fail at once with [`Error::RateLimited`] instead of waiting for the limiter.
    pub fn fail_fast(mut self, on: bool) -> Self {
        self.fail_fast = on;
        self
    }

    /// Run the limiter on a [`ManualClock`] (deterministic tests) instead of the CPU's
    /// counter (which does not follow a paused tokio clock). A waiting call still sleeps on tokio's clock, so use it with
    /// [`fail_fast`](Self::fail_fast).
    pub fn clock(mut self, clock: ManualClock) -> Self {
        self.clock = Some(clock);
        self
    }

    pub(crate) fn build(self) -> Result<Limiter> {
        let invalid = |what: &str| Error::InvalidConfig(format!("rate limit: {what}"));
        let requests =
            NonZeroU32::new(self.requests).ok_or_else(|| invalid("requests must be non-zero"))?;
        let burst = NonZeroU32::new(self.burst.unwrap_or(self.requests))
            .ok_or_else(|| invalid("burst must be non-zero"))?;
        let interval = self.period / requests.get();
        let quota = Quota::with_period(interval)
            .ok_or_else(|| invalid("period must be at least one nanosecond per request"))?
            .allow_burst(burst);
        let clock = match self.clock {
            Some(manual) => LimiterClock::Manual(manual),
            None => {
                let counter = quanta::Clock::new();
                let origin = counter.raw();
                LimiterClock::Counter { counter, origin }
            }
        };
        Ok(Limiter {
            gcra: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            paused_until: AtomicU64::new(0),
            fail_fast: self.fail_fast,
        })
    }
}

/// The limiter's clock: the CPU's counter (through `quanta`) from an origin, or a
/// manual clock.
///
/// Why `quanta` and not `Instant::now` or tokio's clock: an admission is one clock read
/// and one compare-and-swap, and on a VM whose `clock_gettime` is not a fast vDSO read
/// (this project's machines: 25–35 ns a read) the clock read is most of the admission.
/// `quanta` reads the invariant TSC (about 10 ns here), calibrated once per process
/// against the monotonic clock, and falls back to the monotonic clock where there is no
/// usable counter. The cost: this clock does not follow a paused tokio clock, so tests
/// that pause tokio's time give the limiter a [`ManualClock`] (as this crate's do).
#[derive(Clone, Debug)]
pub(crate) enum LimiterClock {
    Counter { counter: quanta::Clock, origin: u64 },
    Manual(ManualClock),
}

impl governor::clock::Clock for LimiterClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        match self {
            LimiterClock::Counter { counter, origin } => {
                Nanos::from(counter.delta_as_nanos(*origin, counter.raw()))
            }
            LimiterClock::Manual(clock) => Nanos::from(clock.now()),
        }
    }
}

type Gcra = RateLimiter<NotKeyed, InMemoryState, LimiterClock, NoOpMiddleware<Nanos>>;

/// The one limiter of a client (in [`Shared`](crate::shared::Shared)).
pub(crate) struct Limiter {
    gcra: Gcra,
    clock: LimiterClock,
    /// Nanoseconds on `clock` before which nothing is admitted (a 429's `Retry-After`);
    /// 0 when there is no pause.
    paused_until: AtomicU64,
    fail_fast: bool,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("fail_fast", &self.fail_fast)
            .finish_non_exhaustive()
    }
}

impl Limiter {
    /// Admit one request now, or say how long to wait. One clock read when admitted
    /// (governor's); the pause mark is read first and is zero unless a 429 set it.
    pub(crate) fn admit(&self) -> std::result::Result<(), Duration> {
        let paused = self.paused_until.load(Ordering::Acquire);
        if paused != 0 {
            let now = self.clock.now().as_u64();
            if now < paused {
                return Err(Duration::from_nanos(paused - now));
            }
            // The pause is over: clear it (unless a newer 429 moved it meanwhile).
            let _ =
                self.paused_until
                    .compare_exchange(paused, 0, Ordering::AcqRel, Ordering::Relaxed);
        }
        self.gcra
            .check()
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Admit nothing for `d` from now (a 429 with `Retry-After`), for every caller.
    pub(crate) fn pause_for(&self, d: Duration) {
        let until = self
            .clock
            .now()
            .as_u64()
            .saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
            .max(1);
        self.paused_until.fetch_max(until, Ordering::AcqRel);
    }
}

/// The rate limit in the stack (inside retry, outside the breaker). Without a limiter
/// it passes calls through.
#[derive(Clone)]
pub(crate) struct RateLimitService<S> {
    pub(crate) inner: S,
    pub(crate) shared: PoolShared,
}

impl<S> Service<Call> for RateLimitService<S>
where
    S: Service<Call, Response = Response<Bytes>, Error = Error> + Clone,
{
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = RateLimitFuture<S, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, call: Call) -> Self::Future {
        let Some(limiter) = &self.shared.layers.limiter else {
            return RateLimitFuture::Pass {
                fut: self.inner.call(call),
            };
        };
        match limiter.admit() {
            Ok(()) => RateLimitFuture::Run {
                fut: self.inner.call(call),
                shared: self.shared.clone(),
            },
            Err(wait) => wait_or_fail(limiter.fail_fast, wait, call, &self.inner, &self.shared),
        }
    }
}

/// Not admitted: fail fast (told to, or the wait passes the deadline), else sleep.
fn wait_or_fail<S: Service<Call> + Clone>(
    fail_fast: bool,
    wait: Duration,
    call: Call,
    inner: &S,
    shared: &PoolShared,
) -> RateLimitFuture<S, S::Future> {
    let at = tokio::time::Instant::now().checked_add(wait);
    let passes_deadline = match (at, call.deadline) {
        (Some(at), Some(deadline)) => at >= deadline,
        (None, _) => true,
        (Some(_), None) => false,
    };
    match at {
        Some(at) if !fail_fast && !passes_deadline => {
            crate::metrics::rate_limit_wait(shared, call.route);
            RateLimitFuture::Wait {
                wait: Some(Box::new(Waiting {
                    sleep: Box::pin(tokio::time::sleep_until(at)),
                    call,
                    inner: inner.clone(),
                    shared: shared.clone(),
                })),
            }
        }
        _ => {
            crate::metrics::rate_limit_rejected(shared, call.route);
            RateLimitFuture::Fail {
                retry_after: Some(wait),
            }
        }
    }
}

/// A call waiting for the limiter.
pub(crate) struct Waiting<S> {
    sleep: Pin<Box<tokio::time::Sleep>>,
    call: Call,
    inner: S,
    shared: PoolShared,
}

pin_project_lite::pin_project! {
    /// Future of [`RateLimitService`].
    #[project = RateLimitProj]
    pub(crate) enum RateLimitFuture<S, F> {
        /// No limiter.
        Pass { #[pin] fut: F },
        /// Admitted: the attempt runs; a 429 with `Retry-After` pauses the limiter.
        Run { #[pin] fut: F, shared: PoolShared },
        /// Waiting for the limiter (boxed: a rare path, kept out of the future's size).
        Wait { wait: Option<Box<Waiting<S>>> },
        /// Not admitted and not waiting.
        Fail { retry_after: Option<Duration> },
    }
}

impl<S, F> Future for RateLimitFuture<S, F>
where
    S: Service<Call, Response = Response<Bytes>, Error = Error, Future = F> + Clone,
    F: Future<Output = Result<Response<Bytes>>>,
{
    type Output = Result<Response<Bytes>>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            match self.as_mut().project() {
                RateLimitProj::Pass { fut } => return fut.poll(cx),
                RateLimitProj::Run { fut, shared } => {
                    let result = ready!(fut.poll(cx));
                    if let (Ok(resp), Some(limiter)) = (&result, &shared.layers.limiter) {
                        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
                            if let Some(d) = parse_retry_after(resp.headers(), SystemTime::now()) {
                                limiter.pause_for(d);
                            }
                        }
                    }
                    return Poll::Ready(result);
                }
                RateLimitProj::Fail { retry_after } => {
                    return Poll::Ready(Err(Error::RateLimited {
                        retry_after: retry_after.take().unwrap_or_default(),
                    }));
                }
                RateLimitProj::Wait { wait } => {
                    let Some(waiting) = wait.as_mut() else {
                        return Poll::Ready(Err(Error::RateLimited {
                            retry_after: Duration::ZERO,
                        }));
                    };
                    ready!(waiting.sleep.as_mut().poll(cx));
                    let Some(waiting) = wait.take() else {
                        return Poll::Ready(Err(Error::RateLimited {
                            retry_after: Duration::ZERO,
                        }));
                    };
                    let Waiting {
                        call,
                        inner: mut svc,
                        shared,
                        ..
                    } = *waiting;
                    let Some(limiter) = &shared.layers.limiter else {
                        let fut = svc.call(call);
                        self.set(RateLimitFuture::Pass { fut });
                        continue;
                    };
                    let next = match limiter.admit() {
                        // The inner services (breaker, headers, pool) are always ready.
                        Ok(()) => RateLimitFuture::Run {
                            fut: svc.call(call),
                            shared: shared.clone(),
                        },
                        Err(wait) => wait_or_fail(limiter.fail_fast, wait, call, &svc, &shared),
                    };
                    self.set(next);
                }
            }
        }
    }
}
