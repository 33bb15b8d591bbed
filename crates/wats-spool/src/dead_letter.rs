//! Dead letters: when a report that keeps failing is moved aside instead of blocking the spool.

use std::fmt;
use std::time::{Duration, SystemTime};

/// The failed attempts recorded for an entry with
/// [`FlushLock::record_attempt`](crate::FlushLock::record_attempt). They are kept in the entry's
/// file name, so they survive restarts and change atomically with the entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempts {
    /// Failed attempts so far.
    pub count: u32,
    /// When the first one was recorded (to the second); `None` before any.
    pub first: Option<SystemTime>,
}

/// When a report that keeps failing is given up on and moved to `rejected/`
/// ([`FlushLock::reject`](crate::FlushLock::reject)) so the reports behind it go on: after
/// `max_attempts` recorded failures, or once `max_age` has passed since the first one (`None`:
/// no such limit).
///
/// Record only failures that are the report's fault (a non-transient answer about it): an
/// unreachable server, a 5xx or an expired token says nothing about the report, and counting
/// those would dead-letter every report after a long outage.
///
/// The default: 10 attempts or 7 days.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use wats_spool::{Attempts, DeadLetter};
///
/// let policy = DeadLetter::new(3, Duration::from_secs(3600));
/// let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let two = Attempts { count: 2, first: Some(t0) };
/// assert!(!policy.is_due(two, t0 + Duration::from_secs(60)));
/// assert!(policy.is_due(Attempts { count: 3, ..two }, t0)); // third failure
/// assert!(policy.is_due(two, t0 + Duration::from_secs(3600))); // an hour after the first
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadLetter {
    /// Give up after this many recorded failures.
    pub max_attempts: Option<u32>,
    /// Give up once this long has passed since the first recorded failure.
    pub max_age: Option<Duration>,
}

impl Default for DeadLetter {
    fn default() -> DeadLetter {
        DeadLetter::new(10, Duration::from_secs(7 * 24 * 3600))
    }
}

/// Why [`DeadLetter::check`] says an entry is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeadLetterCause {
    /// It failed `count` times (the limit is `max`).
    Attempts {
        /// Failures recorded.
        count: u32,
        /// The policy's limit.
        max: u32,
    },
    /// Its first failure was `age` ago (the limit is `max`).
    Age {
        /// Time since the first failure.
        age: Duration,
        /// The policy's limit.
        max: Duration,
    },
}

impl fmt::Display for DeadLetterCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeadLetterCause::Attempts { count, max } => {
                write!(f, "given up after {count} failed attempts (limit {max})")
            }
            DeadLetterCause::Age { age, max } => write!(
                f,
                "given up {}s after the first failed attempt (limit {}s)",
                age.as_secs(),
                max.as_secs()
            ),
        }
    }
}

impl DeadLetter {
    /// Never give up.
    pub const NEVER: DeadLetter = DeadLetter {
        max_attempts: None,
        max_age: None,
    };

    /// Give up after `max_attempts` failures or `max_age` after the first.
    pub const fn new(max_attempts: u32, max_age: Duration) -> DeadLetter {
        DeadLetter {
            max_attempts: Some(max_attempts),
            max_age: Some(max_age),
        }
    }

    /// Whether an entry with these `attempts` is due for rejection at `now` (pass
    /// `SystemTime::now()`, or a test clock), and why. A clock that went back before the first
    /// attempt counts as no age.
    pub fn check(&self, attempts: Attempts, now: SystemTime) -> Option<DeadLetterCause> {
        if let Some(max) = self.max_attempts {
            if attempts.count >= max {
                return Some(DeadLetterCause::Attempts {
                    count: attempts.count,
                    max,
                });
            }
        }
        let (max, first) = (self.max_age?, attempts.first?);
        let age = now.duration_since(first).ok()?;
        (age >= max).then_some(DeadLetterCause::Age { age, max })
    }

    /// Whether an entry with these `attempts` is due for rejection at `now`.
    pub fn is_due(&self, attempts: Attempts, now: SystemTime) -> bool {
        self.check(attempts, now).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_by_count_by_age_never() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let p = DeadLetter::new(5, Duration::from_secs(100));
        let a = |count| Attempts {
            count,
            first: Some(t0),
        };
        assert_eq!(p.check(a(0), t0), None);
        assert_eq!(p.check(a(4), t0 + Duration::from_secs(99)), None);
        assert_eq!(
            p.check(a(5), t0),
            Some(DeadLetterCause::Attempts { count: 5, max: 5 })
        );
        assert!(matches!(
            p.check(a(1), t0 + Duration::from_secs(100)),
            Some(DeadLetterCause::Age { .. })
        ));
        // A clock that jumped back is no age; no first attempt is no age.
        assert_eq!(p.check(a(1), t0 - Duration::from_secs(500)), None);
        let none = Attempts {
            count: 1,
            first: None,
        };
        assert_eq!(p.check(none, t0 + Duration::from_secs(10_000)), None);
        assert!(!DeadLetter::NEVER.is_due(a(u32::MAX), t0 + Duration::from_secs(1 << 40)));
        assert!(
            p.check(a(9), t0)
                .unwrap()
                .to_string()
                .contains("9 failed attempts")
        );
    }
}
