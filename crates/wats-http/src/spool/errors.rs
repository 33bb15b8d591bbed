//! The spool's reading of the failure table, and the runtime errors of its file tasks.

use wats_core::{Error, Result};

use crate::failure::{Kind, Spool};

/// What the spool does with a report whose submission failed with `e`: the `spool` column
/// of the [failure table](crate::failure).
pub(crate) fn disposition(e: &Error) -> Spool {
    Kind::of_error(e).verdict().spool
}

/// The text kept beside a rejected report: the error and its correlation id.
pub(crate) fn rejection_text(e: &Error) -> String {
    match e.correlation_id() {
        Some(cid) => format!("{e}\ncorrelation id: {cid}\n"),
        None => format!("{e}\n"),
    }
}

fn join_error(e: tokio::task::JoinError) -> Error {
    Error::Runtime {
        what: "a spool file task",
        source: Box::new(e),
    }
}

/// Run blocking file work off the async worker threads (inline when there is no runtime).
pub(crate) async fn blocking<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle.spawn_blocking(f).await.map_err(join_error)?,
        Err(_) => f(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_file_task_is_a_runtime_error_with_its_source() {
        let err = blocking::<(), _>(|| panic!("boom")).await.unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Runtime {
                    what: "a spool file task",
                    ..
                }
            ),
            "{err:?}"
        );
        let source = std::error::Error::source(&err).expect("the join error");
        assert!(source.is::<tokio::task::JoinError>());
    }

    #[test]
    fn rejection_text_carries_the_correlation_id() {
        let e = Error::from_status(422, "bad".into(), Some("cid-1".into()));
        let text = rejection_text(&e);
        assert!(text.contains("HTTP 422: bad") && text.contains("correlation id: cid-1"));
        assert_eq!(
            rejection_text(&Error::from_status(400, "x".into(), None)),
            "HTTP 400: x\n"
        );
    }
}
