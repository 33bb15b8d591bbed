//! Rejections and the tower adapter's error.

use std::fmt;
use std::time::Duration;

/// Why a call was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectReason {
    /// The breaker is OPEN; it admits a probe after `retry_after`.
    Open,
    /// The breaker is HALF_OPEN and all probe slots are taken.
    HalfOpenBusy,
    /// The breaker was forced open with
    /// [`force_open`](crate::CircuitBreaker::force_open) and stays open until
    /// [`reset`](crate::CircuitBreaker::reset).
    ForcedOpen,
}

/// A call the breaker refused to admit. Carries how long until it may
/// admit one again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rejected {
    pub(crate) retry_after: Duration,
    pub(crate) reason: RejectReason,
}

impl Rejected {
    /// Time left until the breaker admits a probe: the rest of the open
    /// duration when OPEN; when HALF_OPEN with every probe slot taken, the
    /// configured open duration capped at one second (the probes under way
    /// decide soon; retrying at once would only spin); [`Duration::MAX`]
    /// when forced open.
    #[must_use]
    pub fn retry_after(&self) -> Duration {
        self.retry_after
    }

    /// Why the call was rejected.
    #[must_use]
    pub fn reason(&self) -> RejectReason {
        self.reason
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            RejectReason::Open => write!(
                f,
                "circuit breaker open: calls are rejected for another {:?}",
                self.retry_after
            ),
            RejectReason::HalfOpenBusy => {
                f.write_str("circuit breaker half-open: all probe slots are taken")
            }
            RejectReason::ForcedOpen => f.write_str("circuit breaker forced open"),
        }
    }
}

impl std::error::Error for Rejected {}

/// Error of a service wrapped by [`CircuitBreakerLayer`](crate::CircuitBreakerLayer).
#[derive(Debug)]
#[non_exhaustive]
pub enum BreakerError<E> {
    /// The breaker rejected the call; the inner service was not called.
    Rejected(Rejected),
    /// The inner service failed (whatever the classifier made of it).
    Inner(E),
}

impl<E> BreakerError<E> {
    /// The rejection, if the breaker rejected the call.
    pub fn rejected(&self) -> Option<&Rejected> {
        match self {
            Self::Rejected(r) => Some(r),
            Self::Inner(_) => None,
        }
    }

    /// The inner error, if the inner service failed.
    pub fn into_inner(self) -> Option<E> {
        match self {
            Self::Rejected(_) => None,
            Self::Inner(e) => Some(e),
        }
    }
}

impl<E: fmt::Display> fmt::Display for BreakerError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(r) => r.fmt(f),
            Self::Inner(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for BreakerError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Rejected(_) => None,
            // Transparent: `Display` already shows the inner error.
            Self::Inner(e) => std::error::Error::source(e),
        }
    }
}
