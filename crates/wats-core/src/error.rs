//! The error type shared by every wats crate.

use std::time::Duration;

/// A boxed error source, `Send + Sync` so errors cross threads and tasks.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias with [`enum@Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a WATS call or while handling WATS data.
///
/// The enum is `#[non_exhaustive]`: new kinds of failure may be added in minor
/// releases, so match with a wildcard arm. The accessors ([`Error::status`],
/// [`Error::correlation_id`]) are the stable way to ask common questions. What the
/// client does with each kind (retry it, count it against the circuit breaker, keep a
/// report in the spool) is one table, `wats_http::failure`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// JSON could not be decoded into the expected model.
    #[error("could not decode {target} at `{path}`: {message}")]
    Decode {
        /// What was being decoded (for example `Report` or `Vec<Product>`).
        target: &'static str,
        /// JSON path of the failure, for example `root.steps[3].numericMeas[0].value`.
        path: String,
        /// What was wrong there.
        message: String,
    },

    /// A value could not be encoded as JSON.
    #[error("could not encode {target}: {message}")]
    Encode {
        /// What was being encoded.
        target: &'static str,
        /// What was wrong.
        message: String,
    },

    /// The server answered 401: the token is missing, wrong or expired.
    #[error("unauthorized (HTTP 401): {message}")]
    Unauthorized {
        /// The server's message, or a default.
        message: String,
        /// Correlation id of the call, when known.
        correlation_id: Option<String>,
    },

    /// The server answered 403: the token is valid but lacks the permission.
    #[error("forbidden (HTTP 403): {message}")]
    Forbidden {
        /// The server's message, or a default.
        message: String,
        /// Correlation id of the call, when known.
        correlation_id: Option<String>,
    },

    /// The server answered 404: the resource does not exist.
    #[error("not found (HTTP 404): {message}")]
    NotFound {
        /// The server's message, or a default.
        message: String,
        /// Correlation id of the call, when known.
        correlation_id: Option<String>,
    },

    /// The server answered with another non-2xx status.
    #[error("HTTP {status}: {message}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The message from the body (`message`, `Message` or `error`), or the reason phrase.
        message: String,
        /// Correlation id of the call, when known.
        correlation_id: Option<String>,
    },

    /// The request could not be sent or its answer not received (DNS, connect, TLS, I/O).
    #[error("transport error: {message}")]
    Transport {
        /// A short description.
        message: String,
        /// True when the failure happened while connecting (nothing was sent).
        connect: bool,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },

    /// The call, or one phase of it, took longer than allowed.
    #[error("timed out after {after:?} ({phase})")]
    Timeout {
        /// The limit that was exceeded.
        after: Duration,
        /// Which limit.
        phase: TimeoutPhase,
    },

    /// The response body exceeded the configured cap.
    #[error("response body larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The cap in bytes.
        limit: u64,
    },

    /// The client or a component was configured with an invalid value.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// A value the caller supplied is not acceptable to WATS.
    #[error("invalid {field}: {message}")]
    InvalidInput {
        /// The field at fault, for example `sn` or `pn`.
        field: String,
        /// Why it is rejected.
        message: String,
    },

    /// The circuit breaker is open: the call was rejected without touching the network.
    #[error("circuit open: calls are rejected for another {retry_after:?}")]
    CircuitOpen {
        /// How long until the breaker admits a probe.
        retry_after: Duration,
    },

    /// The client's own rate limit (`ClientBuilder::rate_limit`) did not admit the call
    /// in time: it was told to fail fast, or the wait would pass the call's deadline.
    /// Nothing was sent.
    #[error("client rate limit: no request admitted for another {retry_after:?}")]
    RateLimited {
        /// How long until the limiter admits a request.
        retry_after: Duration,
    },

    /// A blocking call was made from inside an async runtime.
    ///
    /// No longer returned: `wats_sync` now runs such a call on a background runtime
    /// (issue 15). Kept so that code matching on it still compiles.
    #[error(
        "blocking WATS call made inside an async runtime: use the async `wats::Client`, \
         or move the call into `tokio::task::spawn_blocking`"
    )]
    BlockingInAsyncContext,

    /// A local file operation failed (spool, configuration).
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A report could neither be submitted nor kept in the spool (for example the
    /// server is down and the disk is full). Both causes are in the [`SpoolFailed`].
    #[error(transparent)]
    Spool(Box<SpoolFailed>),

    /// A part of the client (the station, the circuit breaker) could not be set up
    /// from its configuration; `source` is that part's own error, with its own chain.
    #[error("invalid {component} configuration: {source}")]
    Setup {
        /// The part concerned, for example `station` or `circuit breaker`.
        component: &'static str,
        /// The part's own error.
        #[source]
        source: BoxError,
    },

    /// The async runtime under the client failed: it could not be built, a thread
    /// could not be started, or a background task panicked or was cancelled.
    #[error("async runtime failure ({what}): {source}")]
    Runtime {
        /// What was being done, for example `building the tokio runtime`.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
}

/// Which time limit an [`Error::Timeout`] exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Opening the connection (TCP and TLS) took longer than the connect timeout.
    Connect,
    /// One attempt (request sent, whole answer read) took longer than the attempt timeout.
    Attempt,
    /// The whole call, every retry and backoff included, took longer than the call timeout.
    Call,
}

impl TimeoutPhase {
    /// The phase's name: `connect`, `attempt` or `call`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeoutPhase::Connect => "connect",
            TimeoutPhase::Attempt => "attempt",
            TimeoutPhase::Call => "call",
        }
    }
}

impl std::fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Both causes when a report could neither be submitted nor spooled; carried by
/// [`Error::Spool`].
#[derive(Debug, thiserror::Error)]
#[error("report {id} could not be submitted ({submit}) and could not be spooled either ({spool})")]
#[non_exhaustive]
pub struct SpoolFailed {
    /// The report id.
    pub id: String,
    /// Why the submission failed.
    pub submit: Error,
    /// Why writing to the spool failed (the error's `source()`).
    #[source]
    pub spool: Error,
}

impl SpoolFailed {
    /// Both causes; `Error::from` turns it into an [`Error::Spool`].
    pub fn new(id: String, submit: Error, spool: Error) -> Self {
        SpoolFailed { id, submit, spool }
    }

    /// The double failure inside `error`, if it is one ([`Error::Spool`]).
    pub fn find(error: &Error) -> Option<&SpoolFailed> {
        match error {
            Error::Spool(failed) => Some(failed),
            _ => None,
        }
    }
}

impl From<SpoolFailed> for Error {
    fn from(failed: SpoolFailed) -> Self {
        Error::Spool(Box::new(failed))
    }
}

impl Error {
    /// The HTTP status code, for errors that came from an HTTP answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::NotFound { .. } => Some(404),
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The correlation id of the failed call, when the error carries one.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Error::Unauthorized { correlation_id, .. }
            | Error::Forbidden { correlation_id, .. }
            | Error::NotFound { correlation_id, .. }
            | Error::Status { correlation_id, .. } => correlation_id.as_deref(),
            _ => None,
        }
    }

    /// Build the error for a non-2xx HTTP answer, choosing the variant from the status.
    pub fn from_status(status: u16, message: String, correlation_id: Option<String>) -> Self {
        match status {
            401 => Error::Unauthorized {
                message,
                correlation_id,
            },
            403 => Error::Forbidden {
                message,
                correlation_id,
            },
            404 => Error::NotFound {
                message,
                correlation_id,
            },
            _ => Error::Status {
                status,
                message,
                correlation_id,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_variants_map_from_code() {
        assert!(matches!(
            Error::from_status(401, "x".into(), None),
            Error::Unauthorized { .. }
        ));
        assert!(matches!(
            Error::from_status(403, "x".into(), None),
            Error::Forbidden { .. }
        ));
        assert!(matches!(
            Error::from_status(404, "x".into(), None),
            Error::NotFound { .. }
        ));
        let e = Error::from_status(503, "busy".into(), Some("abc".into()));
        assert_eq!(e.status(), Some(503));
        assert_eq!(e.correlation_id(), Some("abc"));
    }

    #[test]
    fn spool_failure_keeps_both_causes_as_typed_values() {
        let spool = Error::Io {
            path: "/spool".into(),
            source: std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"),
        };
        let err: Error = SpoolFailed::new(
            "r1".into(),
            Error::from_status(503, "down".into(), None),
            spool,
        )
        .into();
        let both = SpoolFailed::find(&err).expect("an Error::Spool");
        assert_eq!(both.id, "r1");
        assert_eq!(both.submit.status(), Some(503));
        let text = err.to_string();
        assert!(
            text.contains("HTTP 503") && text.contains("disk full"),
            "{text}"
        );
        // source() is the spool's own error, then its io::Error.
        let source = std::error::Error::source(&err).expect("the spool error");
        assert!(source.to_string().contains("disk full"));
        let io = source
            .source()
            .and_then(|e| e.downcast_ref::<std::io::Error>());
        assert_eq!(
            io.map(std::io::Error::kind),
            Some(std::io::ErrorKind::StorageFull)
        );
        assert!(SpoolFailed::find(&Error::InvalidConfig("x".into())).is_none());
    }

    #[test]
    fn setup_and_runtime_errors_keep_their_source() {
        let setup = Error::Setup {
            component: "station",
            source: "bad file, line 2".into(),
        };
        assert!(setup.to_string().contains("station") && setup.to_string().contains("line 2"));
        assert_eq!(
            std::error::Error::source(&setup)
                .map(ToString::to_string)
                .as_deref(),
            Some("bad file, line 2")
        );
        let runtime = Error::Runtime {
            what: "building the tokio runtime",
            source: Box::new(std::io::Error::other("no threads")),
        };
        let source = std::error::Error::source(&runtime).expect("a source");
        assert!(source.downcast_ref::<std::io::Error>().is_some());
    }

    #[test]
    fn timeout_phases_name_themselves() {
        let e = Error::Timeout {
            after: Duration::from_secs(2),
            phase: TimeoutPhase::Call,
        };
        assert_eq!(e.to_string(), "timed out after 2s (call)");
        assert_eq!(TimeoutPhase::Connect.as_str(), "connect");
        assert_eq!(TimeoutPhase::Attempt.to_string(), "attempt");
    }

    #[test]
    fn blocking_message_points_to_alternatives() {
        let m = Error::BlockingInAsyncContext.to_string();
        assert!(m.contains("spawn_blocking"));
        assert!(m.contains("async"));
    }
}
