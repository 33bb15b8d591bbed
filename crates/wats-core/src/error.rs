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
/// [`Error::is_retryable`], [`Error::correlation_id`]) are the stable way to ask
/// common questions.
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
        /// Which limit: `connect`, `attempt` or `request`.
        phase: &'static str,
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

    /// Whether repeating the same idempotent request could succeed: transport errors,
    /// timeouts, 429 and 5xx gateway-type statuses.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Status { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            _ => false,
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

    /// Decode JSON bytes into `T`, turning failures into [`Error::Decode`] with the
    /// JSON path of the failure.
    pub fn decode_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
        crate::json::from_slice(bytes)
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
        assert!(e.is_retryable());
        assert_eq!(e.correlation_id(), Some("abc"));
        assert!(!Error::from_status(400, "bad".into(), None).is_retryable());
    }

    #[test]
    fn blocking_message_points_to_alternatives() {
        let m = Error::BlockingInAsyncContext.to_string();
        assert!(m.contains("spawn_blocking"));
        assert!(m.contains("async"));
    }
}
