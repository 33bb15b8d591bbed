//! Exit codes and the command error type.

use std::process::ExitCode;

use wats_core::Error;

/// Everything went well.
pub(crate) const OK: u8 = 0;
/// A local failure: unreadable or invalid file, nothing found, I/O.
pub(crate) const FAILED: u8 = 1;
/// Bad arguments or missing settings (clap uses 2 for its own usage errors too).
pub(crate) const USAGE: u8 = 2;
/// The server could not be reached, timed out, failed (5xx) or the circuit is open.
pub(crate) const UNREACHABLE: u8 = 3;
/// The server refused the request or a report (4xx other than 404).
pub(crate) const REJECTED: u8 = 4;

/// A command's failure: the message for stderr and the exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub(crate) struct Failure {
    /// What went wrong (never contains the token).
    pub(crate) message: String,
    /// The exit code.
    pub(crate) code: u8,
}

impl Failure {
    /// A failure with this code.
    pub(crate) fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code,
        }
    }

    /// A usage failure (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Failure {
        Failure::new(USAGE, message)
    }

    /// A local failure (exit 1).
    pub(crate) fn failed(message: impl Into<String>) -> Failure {
        Failure::new(FAILED, message)
    }

    /// The exit code as a process exit code.
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::new(code_of(&e), e.to_string())
    }
}

/// The exit code an SDK error maps to.
pub(crate) fn code_of(e: &Error) -> u8 {
    match e {
        Error::Transport { .. } | Error::Timeout { .. } | Error::CircuitOpen { .. } => UNREACHABLE,
        Error::Status { status, .. } if *status >= 500 || *status == 408 || *status == 429 => {
            UNREACHABLE
        }
        Error::Unauthorized { .. } | Error::Forbidden { .. } | Error::Status { .. } => REJECTED,
        Error::InvalidConfig(_) => USAGE,
        _ => FAILED,
    }
}

/// Whether a submission failure means the report itself (or the request) was refused.
pub(crate) fn is_rejection(e: &Error) -> bool {
    code_of(e) == REJECTED || matches!(e, Error::NotFound { .. })
}

/// Whether a refusal is about the client's set-up (token, permissions, URL, proxy) rather
/// than the report: the spool's flush stops on these instead of rejecting the report.
pub(crate) fn is_setup_error(e: &Error) -> bool {
    match e {
        Error::Unauthorized { .. } | Error::Forbidden { .. } | Error::NotFound { .. } => true,
        Error::Status { status, .. } => matches!(status, 401 | 403 | 404 | 407 | 421 | 425),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_errors_map_to_documented_codes() {
        let status = |status| Error::Status {
            status,
            message: "m".into(),
            correlation_id: None,
        };
        assert_eq!(code_of(&status(503)), UNREACHABLE);
        assert_eq!(code_of(&status(429)), UNREACHABLE);
        assert_eq!(code_of(&status(400)), REJECTED);
        assert_eq!(code_of(&Error::InvalidConfig("x".into())), USAGE);
        assert_eq!(
            code_of(&Error::Transport {
                message: "refused".into(),
                connect: true,
                source: None
            }),
            UNREACHABLE
        );
        assert!(is_rejection(&status(422)));
        assert!(!is_rejection(&status(502)));
        assert!(is_setup_error(&status(407)) && !is_setup_error(&status(400)));
        assert!(is_setup_error(&Error::Unauthorized {
            message: "m".into(),
            correlation_id: None
        }));
        assert_eq!(OK, 0);
    }
}
