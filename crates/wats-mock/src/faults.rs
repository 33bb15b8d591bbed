//! Fault injection: what to do instead of (or on top of) a normal answer.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::watch;

/// The value of a `Retry-After` header added to an injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP-date>` (IMF-fixdate, e.g. `Wed, 21 Oct 2015 07:28:00 GMT`).
    Date(SystemTime),
}

impl RetryAfter {
    /// The header value.
    #[must_use]
    pub fn header_value(&self) -> String {
        match self {
            RetryAfter::Seconds(s) => s.to_string(),
            RetryAfter::Date(t) => httpdate::fmt_http_date(*t),
        }
    }
}

/// What an injected fault does to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultAction {
    /// Answer with this status and a JSON `{"message": ...}` body. A code
    /// outside 100..=999 is answered as 500.
    Status(u16),
    /// Send the status line, headers (with the full `Content-Length`) and
    /// about half of the real body, then drop the connection. A streamed file
    /// (a package file download) sends half of its 64 KiB chunks.
    CloseMidResponse,
    /// Answer `200 OK`, `Content-Type: application/json`, with a body that is
    /// not valid JSON.
    MalformedJson,
    /// Never answer: the request waits until [`clear_faults`] or
    /// [`remove_fault`] is called (then it is answered normally) or the server
    /// shuts down.
    ///
    /// [`clear_faults`]: crate::MockServer::clear_faults
    /// [`remove_fault`]: crate::MockServer::remove_fault
    Hang,
}

/// A fault to inject with [`MockServer::inject`](crate::MockServer::inject).
///
/// By default a fault applies to every path, forever, until removed. Narrow
/// it with [`times`](Self::times), [`for_duration`](Self::for_duration) and
/// [`path_prefix`](Self::path_prefix). When several faults match a request,
/// the one injected first wins.
///
/// ```
/// use std::time::Duration;
/// use wats_mock::{Fault, RetryAfter};
///
/// // The next 3 report submissions get 503 with `Retry-After: 2`.
/// let f = Fault::status(503)
///     .times(3)
///     .path_prefix("/api/Report/WSJF")
///     .retry_after(RetryAfter::Seconds(2));
/// // Every request fails with 500 for the next 10 seconds.
/// let g = Fault::status(500).for_duration(Duration::from_secs(10));
/// # let _ = (f, g);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub(crate) action: FaultAction,
    pub(crate) path_prefix: Option<String>,
    pub(crate) times: Option<u64>,
    pub(crate) duration: Option<Duration>,
    pub(crate) retry_after: Option<RetryAfter>,
}

impl Fault {
    /// A fault doing `action`.
    #[must_use]
    pub fn new(action: FaultAction) -> Fault {
        Fault {
            action,
            path_prefix: None,
            times: None,
            duration: None,
            retry_after: None,
        }
    }

    /// Answer with HTTP status `code` (see [`FaultAction::Status`]).
    #[must_use]
    pub fn status(code: u16) -> Fault {
        Fault::new(FaultAction::Status(code))
    }

    /// Drop the connection halfway through the body ([`FaultAction::CloseMidResponse`]).
    #[must_use]
    pub fn close_mid_response() -> Fault {
        Fault::new(FaultAction::CloseMidResponse)
    }

    /// Answer 200 with invalid JSON ([`FaultAction::MalformedJson`]).
    #[must_use]
    pub fn malformed_json() -> Fault {
        Fault::new(FaultAction::MalformedJson)
    }

    /// Never answer ([`FaultAction::Hang`]).
    #[must_use]
    pub fn hang() -> Fault {
        Fault::new(FaultAction::Hang)
    }

    /// Apply to the next `n` matching requests only, then remove itself.
    #[must_use]
    pub fn times(mut self, n: u64) -> Fault {
        self.times = Some(n);
        self
    }

    /// Apply for `d` from the moment it is injected, then remove itself.
    #[must_use]
    pub fn for_duration(mut self, d: Duration) -> Fault {
        self.duration = Some(d);
        self
    }

    /// Apply only to requests whose raw path starts with `prefix`
    /// (e.g. `"/api/Report"`); matching ignores ASCII case.
    #[must_use]
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Fault {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Add a `Retry-After` header to the injected answer (status faults).
    #[must_use]
    pub fn retry_after(mut self, value: RetryAfter) -> Fault {
        self.retry_after = Some(value);
        self
    }

    /// The action of this fault.
    #[must_use]
    pub fn action(&self) -> FaultAction {
        self.action
    }
}

/// Identifies an injected fault, for [`MockServer::remove_fault`](crate::MockServer::remove_fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FaultId(u64);

#[derive(Debug)]
struct Active {
    id: u64,
    fault: Fault,
    remaining: Option<u64>,
    until: Option<Instant>,
}

impl Active {
    fn expired(&self, now: Instant) -> bool {
        self.remaining == Some(0) || self.until.is_some_and(|u| now >= u)
    }

    fn matches(&self, path: &str) -> bool {
        self.fault.path_prefix.as_deref().is_none_or(|p| {
            path.len() >= p.len()
                && path.is_char_boundary(p.len())
                && path[..p.len()].eq_ignore_ascii_case(p)
        })
    }
}

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chosen {
    pub(crate) action: FaultAction,
    pub(crate) retry_after: Option<RetryAfter>,
    /// The release generation when the fault was chosen (for `Hang`).
    pub(crate) generation: u64,
}

/// The set of active faults.
#[derive(Debug)]
pub(crate) struct Faults {
    /// Fast path: false when the list is empty, so healthy requests take no lock.
    any: AtomicBool,
    list: Mutex<Vec<Active>>,
    next_id: AtomicU64,
    /// Bumped when hung requests must be released.
    release: watch::Sender<u64>,
}

impl Faults {
    pub(crate) fn new() -> Faults {
        Faults {
            any: AtomicBool::new(false),
            list: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            release: watch::Sender::new(0),
        }
    }

    pub(crate) fn inject(&self, fault: Fault) -> FaultId {
        let id = self.next_id.fetch_add(1, Relaxed);
        let active = Active {
            id,
            remaining: fault.times,
            until: fault.duration.map(|d| Instant::now() + d),
            fault,
        };
        let mut list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        list.push(active);
        self.any.store(true, Relaxed);
        FaultId(id)
    }

    /// Removes one fault; returns whether it was still active.
    pub(crate) fn remove(&self, id: FaultId) -> bool {
        let mut list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        let before = list.len();
        list.retain(|a| a.id != id.0);
        self.any.store(!list.is_empty(), Relaxed);
        // Bumped under the list lock, so `take` sees either the old list and
        // the old generation, or the new ones.
        self.release.send_modify(|g| *g += 1);
        list.len() != before
    }

    pub(crate) fn clear(&self) {
        let mut list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        list.clear();
        self.any.store(false, Relaxed);
        self.release.send_modify(|g| *g += 1);
    }

    /// Number of active (unexpired) faults.
    pub(crate) fn active_count(&self) -> usize {
        let now = Instant::now();
        self.list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|a| !a.expired(now))
            .count()
    }

    /// Picks (and consumes one use of) the first fault matching `path`.
    pub(crate) fn take(&self, path: &str) -> Option<Chosen> {
        if !self.any.load(Relaxed) {
            return None;
        }
        let now = Instant::now();
        let mut list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        let generation = *self.release.borrow();
        list.retain(|a| !a.expired(now));
        let chosen = list.iter_mut().find(|a| a.matches(path)).map(|a| {
            if let Some(n) = a.remaining.as_mut() {
                *n -= 1;
            }
            Chosen {
                action: a.fault.action,
                retry_after: a.fault.retry_after,
                generation,
            }
        });
        list.retain(|a| !a.expired(now));
        self.any.store(!list.is_empty(), Relaxed);
        chosen
    }

    /// Waits until hung requests chosen at `generation` must be released
    /// (never returns if the server is shutting down).
    pub(crate) async fn released(&self, generation: u64) {
        let mut rx = self.release.subscribe();
        while *rx.borrow_and_update() == generation {
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_prefix_and_order() {
        let f = Faults::new();
        assert!(f.take("/api/App/Version").is_none());
        f.inject(Fault::status(503).times(2).path_prefix("/api/report"));
        let all = f.inject(Fault::malformed_json());
        assert_eq!(
            f.take("/api/App/Version").unwrap().action,
            FaultAction::MalformedJson
        );
        assert_eq!(
            f.take("/api/Report/WSJF").unwrap().action,
            FaultAction::Status(503)
        );
        assert_eq!(
            f.take("/api/Report/WSJF").unwrap().action,
            FaultAction::Status(503)
        );
        assert_eq!(
            f.take("/api/Report/WSJF").unwrap().action,
            FaultAction::MalformedJson
        );
        assert_eq!(f.active_count(), 1);
        assert!(f.remove(all));
        assert!(!f.remove(all));
        assert!(f.take("/api/Report/WSJF").is_none());
    }

    #[test]
    fn zero_duration_and_zero_times_never_fire() {
        let f = Faults::new();
        f.inject(Fault::status(500).for_duration(Duration::ZERO));
        f.inject(Fault::status(500).times(0));
        assert!(f.take("/x").is_none());
        assert_eq!(f.active_count(), 0);
    }

    #[test]
    fn retry_after_values() {
        assert_eq!(RetryAfter::Seconds(7).header_value(), "7");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(
            RetryAfter::Date(t).header_value(),
            "Wed, 21 Oct 2015 07:28:00 GMT"
        );
    }
}
