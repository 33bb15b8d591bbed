//! The retry policy: idempotent methods only, full-jitter exponential backoff,
//! `Retry-After` in both RFC 9110 forms, and a shared retry budget.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, Response};
use tower::retry::Policy;
use tower::retry::budget::{Budget, TpsBudget};
use wats_core::Error;

use crate::call::Call;
use crate::failure::Kind;

/// Retry settings; part of the client's shared state.
#[derive(Debug, Clone)]
pub(crate) struct RetrySettings {
    /// Total attempts including the first (1 disables retries).
    pub(crate) max_attempts: u32,
    /// Base of the exponential backoff.
    pub(crate) base_delay: Duration,
    /// Cap of one backoff delay.
    pub(crate) max_delay: Duration,
    /// Cap of a server-requested `Retry-After` delay.
    pub(crate) retry_after_cap: Duration,
    /// Whether HTTP 500 is retried too (see [`crate::failure`] for what always is).
    pub(crate) retry_on_500: bool,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            retry_after_cap: Duration::from_secs(30),
            retry_on_500: false,
        }
    }
}

/// The tower retry policy. One clone per logical call; `attempt` counts that call's
/// attempts so far.
///
/// Settings and budget sit behind one `Arc` made per policy (per connection pool), so the
/// clone made for every call bumps a reference count of this pool only, not one shared
/// by every thread of a blocking client.
#[derive(Clone)]
pub(crate) struct RetryPolicy {
    state: Arc<PolicyState>,
    attempt: u32,
}

struct PolicyState {
    settings: Arc<RetrySettings>,
    budget: Arc<TpsBudget>,
}

impl RetryPolicy {
    pub(crate) fn new(settings: Arc<RetrySettings>, budget: Arc<TpsBudget>) -> Self {
        RetryPolicy {
            state: Arc::new(PolicyState { settings, budget }),
            attempt: 0,
        }
    }

    /// Full jitter: uniform in `[0, min(cap, base * 2^(attempt-1))]`.
    fn backoff(&self) -> Duration {
        let exp = self.attempt.saturating_sub(1).min(20);
        let ceiling = self
            .state
            .settings
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.state.settings.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Parse `Retry-After` in both RFC 9110 forms: delay-seconds or an HTTP-date
/// (a date in the past means "now"). Public (hidden) for the fuzz targets.
#[doc(hidden)]
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

impl Policy<Call, Response<Bytes>, Error> for RetryPolicy {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        req: &mut Call,
        result: &mut Result<Response<Bytes>, Error>,
    ) -> Option<Self::Future> {
        self.attempt += 1;
        if self.attempt == 1 {
            self.state.budget.deposit();
        }
        let kind = Kind::of_attempt(result);
        if !kind
            .verdict()
            .retry
            .allows(self.state.settings.retry_on_500)
        {
            return None;
        }
        let (reason, status, retry_after) = match result {
            Ok(resp) => (
                "status",
                resp.status().as_u16(),
                parse_retry_after(resp.headers(), SystemTime::now()),
            ),
            Err(Error::Timeout { .. }) => ("timeout", 0, None),
            Err(Error::Transport { connect: true, .. }) => ("connect", 0, None),
            Err(_) => ("transport", 0, None),
        };
        if self.attempt >= self.state.settings.max_attempts {
            tracing::debug!(
                attempt = self.attempt,
                reason,
                status,
                "no retry: attempts exhausted"
            );
            return None;
        }
        let delay = match retry_after {
            Some(d) => d.min(self.state.settings.retry_after_cap),
            None => self.backoff(),
        };
        // A delay too long to add to the clock (`retry_after_cap(Duration::MAX)` and a huge
        // `Retry-After`) ends after any deadline.
        let passes_deadline = |d| {
            tokio::time::Instant::now()
                .checked_add(delay)
                .is_none_or(|at| at >= d)
        };
        if req.deadline.is_some_and(passes_deadline) {
            tracing::debug!(
                attempt = self.attempt,
                reason,
                status,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "no retry: the delay would pass the request deadline"
            );
            return None;
        }
        if !self.state.budget.withdraw() {
            tracing::warn!(
                attempt = self.attempt,
                reason,
                status,
                "no retry: retry budget exhausted"
            );
            return None;
        }
        tracing::info!(
            attempt = self.attempt,
            reason,
            status,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            retry_after = retry_after.is_some(),
            kind = kind.name(),
            "retrying WATS call"
        );
        metrics::counter!("wats_retries_total", "route" => req.route, "reason" => reason)
            .increment(1);
        Some(tokio::time::sleep(delay))
    }

    fn clone_request(&mut self, req: &Call) -> Option<Call> {
        if self.state.settings.max_attempts <= 1 || !req.idempotent {
            return None;
        }
        Some(req.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderValue, Method};

    #[test]
    fn retry_after_seconds_and_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, HeaderValue::from_static(" 7 "));
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        h.insert(http::header::RETRY_AFTER, later.parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(42)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(42));
        h.insert(http::header::RETRY_AFTER, past.parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), Some(Duration::ZERO));
        h.insert(http::header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert(
            http::header::RETRY_AFTER,
            HeaderValue::from_static("99999999999999999999999"),
        );
        assert_eq!(
            parse_retry_after(&h, now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn backoff_is_full_jitter_and_capped() {
        let settings = Arc::new(RetrySettings {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            ..RetrySettings::default()
        });
        let mut p = RetryPolicy::new(settings, Arc::new(TpsBudget::default()));
        for attempt in 1..=30 {
            p.attempt = attempt;
            let ceiling = Duration::from_millis(100 * (1 << (attempt - 1).min(20)))
                .min(Duration::from_millis(300));
            for _ in 0..50 {
                assert!(p.backoff() <= ceiling);
            }
        }
    }

    #[test]
    fn only_calls_declared_idempotent_are_cloned() {
        let mut p = RetryPolicy::new(
            Arc::new(RetrySettings::default()),
            Arc::new(TpsBudget::default()),
        );
        for (m, ok) in [
            (Method::GET, true),
            (Method::PUT, true),
            (Method::DELETE, true),
            (Method::HEAD, true),
            (Method::POST, false),
            (Method::PATCH, false),
        ] {
            let mut req = Call::new(
                m.clone(),
                "/api/x/{id}",
                http::Uri::from_static("http://127.0.0.1/api/x/1?a=b"),
                Some(Bytes::from_static(b"x")),
                None,
                crate::endpoint::default_idempotent(m.as_str()),
            );
            req.correlation_id = Some(wats_core::CorrelationId::new("c-1"));
            let c = p.clone_request(&req);
            assert_eq!(c.is_some(), ok, "{m}");
            if let Some(c) = c {
                assert_eq!(c.method, m);
                assert_eq!(c.uri, req.uri);
                assert_eq!(c.route, req.route);
                assert_eq!(c.body.as_deref(), Some(&b"x"[..]));
                assert_eq!(c.correlation_id, req.correlation_id);
            }
        }
        // The declaration decides, not the method: a GET declared not idempotent is not
        // repeated, a POST declared idempotent is.
        for (m, declared) in [(Method::GET, false), (Method::POST, true)] {
            let req = Call::new(
                m,
                "/api/x",
                http::Uri::from_static("http://127.0.0.1/api/x"),
                None,
                None,
                declared,
            );
            assert_eq!(p.clone_request(&req).is_some(), declared);
        }
    }

    fn unavailable_for_ever() -> Result<Response<Bytes>, Error> {
        let mut resp = Response::new(Bytes::new());
        *resp.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
        resp.headers_mut().insert(
            http::header::RETRY_AFTER,
            HeaderValue::from_static("99999999999999999999"),
        );
        Ok(resp)
    }

    /// `retry_after_cap(Duration::MAX)` and a huge `Retry-After`: with a deadline the
    /// delay passes it (no retry); without one (`timeout(Duration::MAX)`) the retry sleeps
    /// until the far future. Neither panics on `Instant + Duration`.
    #[tokio::test(start_paused = true)]
    async fn huge_retry_after_without_cap_never_overflows() {
        let settings = Arc::new(RetrySettings {
            retry_after_cap: Duration::MAX,
            ..RetrySettings::default()
        });
        let mut p = RetryPolicy::new(settings, Arc::new(TpsBudget::default()));
        let mut call = Call::new(
            Method::GET,
            "/api/x",
            http::Uri::from_static("http://127.0.0.1/api/x"),
            None,
            None,
            true,
        );
        call.deadline = Some(tokio::time::Instant::now() + Duration::from_secs(30));
        assert!(
            p.clone()
                .retry(&mut call, &mut unavailable_for_ever())
                .is_none()
        );
        call.deadline = None;
        let sleep = p.retry(&mut call, &mut unavailable_for_ever());
        let sleep = sleep.expect("no deadline: retried after the server's delay");
        let years = Duration::from_secs(60 * 60 * 24 * 365 * 20);
        assert!(sleep.deadline() > tokio::time::Instant::now() + years);
    }
}
