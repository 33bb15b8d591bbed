//! A generic circuit breaker: CLOSED → OPEN → HALF_OPEN, lock-free when
//! closed, with a tower [`Layer`](tower_layer::Layer). It knows nothing of
//! WATS and needs no async runtime.
//!
//! The core works without tower: [`CircuitBreaker::try_acquire`] gives a
//! [`Permit`] (or a [`Rejected`] carrying the time left), and
//! [`Permit::record`] reports [`Outcome::Success`], [`Outcome::Failure`] or
//! [`Outcome::Ignored`]. [`CircuitBreakerLayer`] wraps any tower service and
//! classifies its `Result` with a [`Classify`] function.
//!
//! # Behaviour
//! - CLOSED trips to OPEN after N consecutive failures (default 5), or, if
//!   [`Builder::failure_rate`] is set, when the failure rate over a
//!   count-based window passes a threshold after a minimum number of calls.
//! - OPEN rejects at once for the open duration (default 30 s, optionally
//!   growing on repeated trips); [`Rejected::retry_after`] is the time left.
//! - HALF_OPEN then admits exactly `permitted_probes` calls at once (default
//!   1), however many callers race; the rest are rejected at once. Probe
//!   successes close it (default 1), any probe failure re-opens it.
//! - Every transition starts a new generation: a result that arrives late
//!   from an earlier cycle changes nothing. A permit dropped without a result
//!   frees its probe slot.
//! - Transitions happen on calls; there is no timer thread. Time comes from
//!   a [`Clock`] ([`SystemClock`], or [`ManualClock`] in tests).
//! - Observability: [`Builder::on_state_change`] and
//!   [`Builder::on_rejection`] hooks, a `tracing` event (target
//!   `wats_breaker`) on every state change, [`CircuitBreaker::metrics`],
//!   [`CircuitBreaker::state`], [`CircuitBreaker::reset`] and
//!   [`CircuitBreaker::force_open`].
//!
//! # Cost
//! In CLOSED, admission is one atomic load and a success writes only the
//! calling thread's own counter stripe (a plain store on a cache line no other
//! live thread writes): no lock, no shared write, no allocation. The counters
//! are summed over stripes when read. The tower layer adds one owned handle
//! per call: an `Arc` private to each service value
//! ([`CircuitBreakerLayer::new`]) or a `&'static` breaker
//! ([`CircuitBreakerLayer::from_static`]). See `docs/perf/breaker.md`.
//!
//! # Example
//! ```
//! use std::time::Duration;
//! use wats_breaker::{CircuitBreaker, ManualClock, Outcome, RejectReason, State};
//!
//! let clock = ManualClock::new();
//! let breaker = CircuitBreaker::builder()
//!     .consecutive_failures(3)
//!     .open_duration(Duration::from_secs(30))
//!     .clock(clock.clone())
//!     .build()?;
//!
//! fn call_backend(ok: bool) -> Result<&'static str, &'static str> {
//!     if ok { Ok("pong") } else { Err("down") }
//! }
//!
//! for _ in 0..3 {
//!     let permit = breaker.try_acquire().expect("closed");
//!     let result = call_backend(false);
//!     permit.record(if result.is_ok() { Outcome::Success } else { Outcome::Failure });
//! }
//! assert_eq!(breaker.state(), State::Open);
//!
//! clock.advance(Duration::from_secs(12));
//! let rejected = breaker.try_acquire().unwrap_err();
//! assert_eq!(rejected.reason(), RejectReason::Open);
//! assert_eq!(rejected.retry_after(), Duration::from_secs(18));
//!
//! clock.advance(Duration::from_secs(18));
//! let probe = breaker.try_acquire().expect("half-open admits one probe");
//! assert!(breaker.try_acquire().is_err(), "only one probe at a time");
//! probe.record(Outcome::Success);
//! assert_eq!(breaker.state(), State::Closed);
//! assert_eq!(breaker.metrics().failures, 3);
//! # Ok::<(), wats_breaker::ConfigError>(())
//! ```

mod breaker;
mod clock;
mod config;
mod error;
mod layer;
mod stripes;
mod window;

pub use breaker::{CircuitBreaker, Metrics, Outcome, OwnedPermit, Permit, State, StateChange};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Builder, ConfigError};
pub use error::{BreakerError, RejectReason, Rejected};
pub use layer::{
    BreakerHandle, CircuitBreakerLayer, CircuitBreakerService, Classify, DefaultClassifier,
    ResponseFuture,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
