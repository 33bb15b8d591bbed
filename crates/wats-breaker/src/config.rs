//! Breaker configuration: [`Builder`] and its validation error.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::breaker::CircuitBreaker;
use crate::clock::{Clock, SystemClock};
use crate::window::MAX_WINDOW;
use crate::{Rejected, StateChange};

pub(crate) type StateHook = Arc<dyn Fn(&StateChange) + Send + Sync>;
pub(crate) type RejectHook = Arc<dyn Fn(&Rejected) + Send + Sync>;

/// Largest number of half-open probes or probe successes.
const MAX_PROBES: u32 = 0xFFFF;

/// The failure-rate trip rule (optional, off by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FailureRate {
    pub(crate) threshold: f64,
    pub(crate) window: u32,
    pub(crate) min_calls: u32,
}

/// Validated settings shared by a breaker.
pub(crate) struct Settings {
    pub(crate) name: String,
    pub(crate) consecutive_failures: u32,
    pub(crate) failure_rate: Option<FailureRate>,
    pub(crate) open_duration: Duration,
    pub(crate) backoff: Option<(u32, Duration)>,
    pub(crate) permitted_probes: u32,
    pub(crate) probe_successes: u32,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) on_state_change: Option<StateHook>,
    pub(crate) on_rejection: Option<RejectHook>,
}

impl Settings {
    /// How long the breaker stays open after its `trips_in_row`-th trip in a
    /// row (0 for the first one): the open duration, grown by the backoff
    /// multiplier per repeated trip and capped, if a backoff is set.
    pub(crate) fn open_for(&self, trips_in_row: u32) -> Duration {
        match self.backoff {
            None => self.open_duration,
            Some((multiplier, max)) => {
                let mut d = self.open_duration;
                for _ in 0..trips_in_row {
                    d = d.saturating_mul(multiplier);
                    if d >= max {
                        return max;
                    }
                }
                d.min(max)
            }
        }
    }
}

/// A configuration value the builder refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A setting is outside its allowed range.
    OutOfRange {
        /// The builder method that received the value.
        setting: &'static str,
        /// What the value must be.
        expected: &'static str,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfRange { setting, expected } => {
                write!(
                    f,
                    "invalid circuit breaker setting `{setting}`: must be {expected}"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Builds a [`CircuitBreaker`]; start with [`CircuitBreaker::builder`].
///
/// Defaults: trip after 5 consecutive failures, no failure-rate rule, open
/// for 30 s (no growth), 1 half-open probe, 1 probe success closes, the
/// system clock, no hooks, name `"breaker"`.
#[must_use]
pub struct Builder {
    name: String,
    consecutive_failures: u32,
    failure_rate: Option<FailureRate>,
    open_duration: Duration,
    backoff: Option<(u32, Duration)>,
    permitted_probes: u32,
    probe_successes: u32,
    clock: Arc<dyn Clock>,
    on_state_change: Option<StateHook>,
    on_rejection: Option<RejectHook>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("name", &self.name)
            .field("consecutive_failures", &self.consecutive_failures)
            .field("failure_rate", &self.failure_rate)
            .field("open_duration", &self.open_duration)
            .field("backoff", &self.backoff)
            .field("permitted_probes", &self.permitted_probes)
            .field("probe_successes", &self.probe_successes)
            .finish_non_exhaustive()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            name: "breaker".to_owned(),
            consecutive_failures: 5,
            failure_rate: None,
            open_duration: Duration::from_secs(30),
            backoff: None,
            permitted_probes: 1,
            probe_successes: 1,
            clock: Arc::new(SystemClock::new()),
            on_state_change: None,
            on_rejection: None,
        }
    }
}

impl Builder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The name carried by state-change events and `tracing` records.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Trip (CLOSED → OPEN) after `n` consecutive failures (at least 1).
    pub fn consecutive_failures(mut self, n: u32) -> Self {
        self.consecutive_failures = n;
        self
    }

    /// Also trip when, over roughly the last `window` calls (a count-based
    /// window of striped buckets, 1..=655,350), at least `min_calls` calls
    /// were made and the share of failures is at least `threshold` (in
    /// `(0, 1]`). Either rule trips the breaker.
    pub fn failure_rate(mut self, threshold: f64, window: u32, min_calls: u32) -> Self {
        self.failure_rate = Some(FailureRate {
            threshold,
            window,
            min_calls,
        });
        self
    }

    /// How long the breaker stays OPEN before it admits probes (default 30 s).
    pub fn open_duration(mut self, d: Duration) -> Self {
        self.open_duration = d;
        self
    }

    /// Grow the open duration on repeated trips (a probe failed, so the
    /// breaker re-opened): each trip in a row multiplies it by `multiplier`
    /// (at least 1), never beyond `max`. Closing the breaker starts over.
    pub fn open_duration_backoff(mut self, multiplier: u32, max: Duration) -> Self {
        self.backoff = Some((multiplier, max));
        self
    }

    /// How many calls HALF_OPEN admits at once (default 1, at most 65,535).
    pub fn permitted_probes(mut self, n: u32) -> Self {
        self.permitted_probes = n;
        self
    }

    /// How many probe successes close the breaker (default 1, at most
    /// 65,535). A probe's slot is freed when it succeeds, so this may exceed
    /// [`permitted_probes`](Self::permitted_probes).
    pub fn probe_successes_to_close(mut self, n: u32) -> Self {
        self.probe_successes = n;
        self
    }

    /// The time source (default [`SystemClock`]); tests pass a
    /// [`ManualClock`](crate::ManualClock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Called after every state change, outside any lock. Keep it short and
    /// non-blocking; it may read the breaker.
    pub fn on_state_change(mut self, hook: impl Fn(&StateChange) + Send + Sync + 'static) -> Self {
        self.on_state_change = Some(Arc::new(hook));
        self
    }

    /// Called on every rejected call, outside any lock. Keep it short.
    pub fn on_rejection(mut self, hook: impl Fn(&Rejected) + Send + Sync + 'static) -> Self {
        self.on_rejection = Some(Arc::new(hook));
        self
    }

    /// Validates the settings and builds the breaker.
    ///
    /// # Errors
    /// [`ConfigError::OutOfRange`] naming the first setting out of range.
    pub fn build(self) -> Result<CircuitBreaker, ConfigError> {
        let bad = |setting, expected| Err(ConfigError::OutOfRange { setting, expected });
        if self.consecutive_failures == 0 {
            return bad("consecutive_failures", "at least 1");
        }
        if !(1..=MAX_PROBES).contains(&self.permitted_probes) {
            return bad("permitted_probes", "between 1 and 65535");
        }
        if !(1..=MAX_PROBES).contains(&self.probe_successes) {
            return bad("probe_successes_to_close", "between 1 and 65535");
        }
        if let Some(r) = self.failure_rate {
            if !(r.threshold > 0.0 && r.threshold <= 1.0) {
                return bad("failure_rate", "a threshold in (0, 1]");
            }
            if !(1..=MAX_WINDOW).contains(&r.window) {
                return bad("failure_rate", "a window of 1 to 655350 calls");
            }
        }
        if let Some((multiplier, max)) = self.backoff {
            if multiplier == 0 {
                return bad("open_duration_backoff", "a multiplier of at least 1");
            }
            if max < self.open_duration {
                return bad("open_duration_backoff", "a maximum not below open_duration");
            }
        }
        Ok(CircuitBreaker::from_settings(self.into_settings()))
    }

    /// The settings, unvalidated.
    pub(crate) fn into_settings(self) -> Settings {
        Settings {
            name: self.name,
            consecutive_failures: self.consecutive_failures,
            failure_rate: self.failure_rate,
            open_duration: self.open_duration,
            backoff: self.backoff,
            permitted_probes: self.permitted_probes,
            probe_successes: self.probe_successes,
            clock: self.clock,
            on_state_change: self.on_state_change,
            on_rejection: self.on_rejection,
        }
    }
}
