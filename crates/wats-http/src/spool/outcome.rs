//! What a submission and a flush report back, and why a report waits in the spool.

use std::fmt;

use wats_core::Error;

use crate::failure::Kind;

/// What [`Reports::submit_or_spool`](crate::Reports::submit_or_spool) did with a report.
///
/// ```
/// use wats_http::{SpooledBecause, SubmitOutcome};
///
/// fn tell(outcome: &SubmitOutcome) -> String {
///     match outcome {
///         SubmitOutcome::Submitted(id) => format!("{id}: on the server"),
///         SubmitOutcome::Spooled(id) => format!("{id}: spooled, sent when WATS is back"),
///         SubmitOutcome::Held { id, because, .. } => format!("{id}: spooled; fix this: {because}"),
///         other => format!("{other:?}"),
///     }
/// }
/// let held = SubmitOutcome::Held {
///     id: "r1".into(),
///     because: SpooledBecause::Unauthorized,
///     message: "unauthorized (HTTP 401): token expired".into(),
/// };
/// assert!(tell(&held).contains("token"));
/// assert!(held.is_spooled() && held.needs_action());
/// assert_eq!(held.spooled_because(), Some(SpooledBecause::Unauthorized));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubmitOutcome {
    /// The server took the report (a 2xx answer). The id is the one the server gave back, or
    /// the report's own id when the answer held none (logged with the raw answer): a 2xx is
    /// delivery either way.
    Submitted(String),
    /// WATS could not take the report now (unreachable, a timeout, 5xx, 408, 429, an open
    /// circuit): it is durably in the spool under this id, and a flush delivers it once WATS
    /// is back. Nothing to do ([`SpooledBecause::Unavailable`]).
    Spooled(String),
    /// WATS refused the client, not the report (401, 403, 407, or 404/421/425/1xx/3xx on the
    /// submit route): the report is durably in the spool under `id`, but every flush stops at
    /// it until the set-up is fixed. `because` says what to fix.
    Held {
        /// The report id it is spooled under.
        id: String,
        /// What stands in the way (never [`SpooledBecause::Unavailable`]).
        because: SpooledBecause,
        /// The error the server answered with, as text (for a log or an operator).
        message: String,
    },
}

impl SubmitOutcome {
    /// The report id.
    pub fn id(&self) -> &str {
        match self {
            SubmitOutcome::Submitted(id)
            | SubmitOutcome::Spooled(id)
            | SubmitOutcome::Held { id, .. } => id,
        }
    }

    /// The report id, owned.
    pub fn into_id(self) -> String {
        match self {
            SubmitOutcome::Submitted(id)
            | SubmitOutcome::Spooled(id)
            | SubmitOutcome::Held { id, .. } => id,
        }
    }

    /// Whether the report went to the spool ([`Spooled`](Self::Spooled) or
    /// [`Held`](Self::Held)).
    pub fn is_spooled(&self) -> bool {
        !matches!(self, SubmitOutcome::Submitted(_))
    }

    /// Why the report is in the spool; `None` when it was submitted.
    pub fn spooled_because(&self) -> Option<SpooledBecause> {
        match self {
            SubmitOutcome::Submitted(_) => None,
            SubmitOutcome::Spooled(_) => Some(SpooledBecause::Unavailable),
            SubmitOutcome::Held { because, .. } => Some(*because),
        }
    }

    /// Whether someone must fix the set-up (token, permission, proxy, base URL) before a
    /// flush can deliver the report.
    pub fn needs_action(&self) -> bool {
        self.spooled_because()
            .is_some_and(SpooledBecause::needs_action)
    }
}

/// Why a report waits in the spool (see [`SubmitOutcome::spooled_because`] and
/// [`FlushSummary::held_because`]). None of these is the report's fault: the report is kept,
/// and a flush stops at it (the reports behind it would fail the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpooledBecause {
    /// WATS could not be reached or could not take it now: a transport error, a timeout, a
    /// 5xx, 408 or 429, or the circuit breaker is open. A flush delivers it once WATS is back.
    Unavailable,
    /// HTTP 401: the token is missing, wrong or expired (after a token rotation, say). Build
    /// the client with the new token and flush.
    Unauthorized,
    /// HTTP 403: the token is valid but may not submit reports. Grant the permission and
    /// flush.
    Forbidden,
    /// HTTP 407: a proxy between the station and WATS wants credentials.
    ProxyAuthentication,
    /// HTTP 404, 421 or 425 on the submit route, or a 1xx/3xx answer: the route is not where
    /// the client looks (a wrong base URL or path prefix, a proxy, a redirect to `https://`,
    /// an older server).
    Misconfigured,
}

impl SpooledBecause {
    /// The reason for a failure the [failure table](crate::failure) keeps
    /// ([`Spool::Keep`](crate::failure::Spool::Keep)).
    pub(crate) fn of(error: &Error) -> SpooledBecause {
        match Kind::of_error(error) {
            Kind::Unauthorized => SpooledBecause::Unauthorized,
            Kind::Forbidden => SpooledBecause::Forbidden,
            Kind::ProxyAuthenticationRequired => SpooledBecause::ProxyAuthentication,
            Kind::NotFound | Kind::Misdirected | Kind::Unexpected => SpooledBecause::Misconfigured,
            _ => SpooledBecause::Unavailable,
        }
    }

    /// Whether someone must act before a flush can deliver (everything but
    /// [`Unavailable`](Self::Unavailable)).
    pub fn needs_action(self) -> bool {
        self != SpooledBecause::Unavailable
    }
}

impl fmt::Display for SpooledBecause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpooledBecause::Unavailable => {
                "WATS is unavailable; a flush delivers it when it is back"
            }
            SpooledBecause::Unauthorized => {
                "the token was refused (HTTP 401): set a valid token, then flush"
            }
            SpooledBecause::Forbidden => {
                "the token may not submit reports (HTTP 403): grant the permission, then flush"
            }
            SpooledBecause::ProxyAuthentication => {
                "a proxy wants credentials (HTTP 407): configure the proxy, then flush"
            }
            SpooledBecause::Misconfigured => {
                "the submit route was not found (wrong base URL, proxy or redirect): fix the \
                 set-up, then flush"
            }
        })
    }
}

/// What one flush did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct FlushSummary {
    /// Ids delivered to the server (and removed from the spool), in order. A 2xx answer is
    /// delivery even when it holds no readable id (the raw answer is logged).
    pub delivered: Vec<String>,
    /// Ids now in `rejected/` with the server's answer beside them: the server refused each
    /// with an answer about the report (a 4xx other than 401/403/404/407/408/421/425/429) and
    /// the [dead-letter policy](crate::ClientBuilder::spool_dead_letter) gave up on it.
    pub rejected: Vec<String>,
    /// Ids the server refused this time with an answer about the report, kept in the spool
    /// with the failed attempt recorded in their file name: the flush went on with the rest,
    /// and a later flush tries them again until the dead-letter policy gives up.
    pub refused: Vec<String>,
    /// Ids of unparsable files, now in `quarantine/`.
    pub quarantined: Vec<String>,
    /// Reports still waiting after the flush; `None` when the spool could not be counted
    /// (the error is then in [`stopped_by`](Self::stopped_by), unless something stopped the
    /// flush earlier, and logged).
    pub remaining: Option<usize>,
    /// The failure that stopped the flush early (server unreachable, 5xx, open circuit, a
    /// set-up error such as 401, or a local I/O error, a full `rejected/` folder included);
    /// `None` when every report was handled.
    pub stopped_by: Option<Error>,
}

impl FlushSummary {
    /// Whether the spool was emptied: nothing remains and nothing stopped the flush.
    pub fn is_complete(&self) -> bool {
        self.remaining == Some(0) && self.stopped_by.is_none()
    }

    /// Why the flush stopped with reports kept, in the terms of [`SpooledBecause`]: `None`
    /// when nothing stopped it or a local error did (see [`stopped_by`](Self::stopped_by)).
    pub fn held_because(&self) -> Option<SpooledBecause> {
        let e = self.stopped_by.as_ref()?;
        (Kind::of_error(e).verdict().spool == crate::failure::Spool::Keep)
            .then(|| SpooledBecause::of(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_follow_the_failure_table() {
        for (status, want) in [
            (401, SpooledBecause::Unauthorized),
            (403, SpooledBecause::Forbidden),
            (407, SpooledBecause::ProxyAuthentication),
            (404, SpooledBecause::Misconfigured),
            (421, SpooledBecause::Misconfigured),
            (302, SpooledBecause::Misconfigured),
            (503, SpooledBecause::Unavailable),
            (429, SpooledBecause::Unavailable),
        ] {
            let e = Error::from_status(status, "m".into(), None);
            assert_eq!(SpooledBecause::of(&e), want, "{status}");
            assert_eq!(want.needs_action(), status != 503 && status != 429);
            let summary = FlushSummary {
                stopped_by: Some(e),
                ..FlushSummary::default()
            };
            assert_eq!(summary.held_because(), Some(want), "{status}");
        }
        let local = FlushSummary {
            stopped_by: Some(Error::InvalidConfig("x".into())),
            ..FlushSummary::default()
        };
        assert_eq!(local.held_because(), None);
        assert!(!SubmitOutcome::Spooled("a".into()).needs_action());
        assert_eq!(SubmitOutcome::Submitted("a".into()).spooled_because(), None);
    }
}
