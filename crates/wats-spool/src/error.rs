//! [`SpoolError`], and how it travels inside a [`wats_core::Error`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::limits::Area;

/// Why a spool operation failed.
///
/// The methods that existed before this type (`Spool::put`, `FlushLock::claim`, ...) return
/// [`wats_core::Error`]; a `SpoolError` converts into one (see the `From` impl) and can be got
/// back with [`SpoolError::find`]. The newer methods (`Spool::put_entry`,
/// `Spool::lock_timeout`, `FlushLock::record_attempt`, ...) return it directly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpoolError {
    /// A file operation failed.
    #[error("spool I/O error on {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The id cannot name a spool file (see [`crate::is_valid_id`]).
    #[error("{id:?} cannot name a spool file (use 1-200 of A-Z a-z 0-9 - _ ., no leading dot)")]
    InvalidId {
        /// The id as given.
        id: String,
    },

    /// A folder of the spool reached its configured limit; nothing was written or moved.
    #[error(
        "the spool's {area} folder is full: {entries} entries and {bytes} bytes held, \
         {adding} more bytes refused (limits: {max_entries:?} entries, {max_bytes:?} bytes)"
    )]
    Full {
        /// Which folder.
        area: Area,
        /// Entries it holds.
        entries: u64,
        /// Bytes it holds.
        bytes: u64,
        /// Size of what was refused.
        adding: u64,
        /// Its entry limit.
        max_entries: Option<u64>,
        /// Its byte limit.
        max_bytes: Option<u64>,
    },

    /// Another flusher held the flush lock for longer than allowed.
    #[error("the spool's flush lock was busy for {waited:?} ({attempts} attempts)")]
    LockTimeout {
        /// How long this call waited.
        waited: Duration,
        /// How many times it tried to take the lock.
        attempts: u32,
    },
}

/// `Result` with a [`SpoolError`].
pub type SpoolResult<T> = std::result::Result<T, SpoolError>;

pub(crate) fn io_err(path: &Path, source: std::io::Error) -> SpoolError {
    SpoolError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl SpoolError {
    /// The `SpoolError` carried by a [`wats_core::Error`] made from one, if it is one
    /// (for [`SpoolError::Full`] and [`SpoolError::LockTimeout`]; I/O errors and invalid ids
    /// become [`wats_core::Error::Io`] and [`wats_core::Error::InvalidInput`] directly).
    pub fn find(error: &wats_core::Error) -> Option<&SpoolError> {
        match error {
            wats_core::Error::Io { source, .. } => source.get_ref()?.downcast_ref::<SpoolError>(),
            _ => None,
        }
    }

    /// Whether this is [`SpoolError::Full`].
    pub fn is_full(&self) -> bool {
        matches!(self, SpoolError::Full { .. })
    }

    /// The `io::ErrorKind` this error is reported with inside a [`wats_core::Error::Io`].
    fn kind(&self) -> std::io::ErrorKind {
        match self {
            SpoolError::Io { source, .. } => source.kind(),
            SpoolError::InvalidId { .. } => std::io::ErrorKind::InvalidInput,
            SpoolError::Full { .. } => std::io::ErrorKind::QuotaExceeded,
            SpoolError::LockTimeout { .. } => std::io::ErrorKind::TimedOut,
        }
    }
}

impl From<SpoolError> for wats_core::Error {
    /// `Io` becomes [`wats_core::Error::Io`] with the same source (so its `kind()` is kept),
    /// `InvalidId` becomes [`wats_core::Error::InvalidInput`] on the field `id`; `Full` and
    /// `LockTimeout` become [`wats_core::Error::Io`] (kinds `QuotaExceeded` and `TimedOut`)
    /// whose source wraps the `SpoolError` ([`SpoolError::find`]).
    fn from(e: SpoolError) -> wats_core::Error {
        match e {
            SpoolError::Io { path, source } => wats_core::Error::Io {
                path: path.display().to_string(),
                source,
            },
            SpoolError::InvalidId { .. } => wats_core::Error::InvalidInput {
                field: "id".to_owned(),
                message: e.to_string(),
            },
            other => {
                let path = match &other {
                    SpoolError::Full { area, .. } => format!("<spool {area} folder>"),
                    _ => "<spool flush lock>".to_owned(),
                };
                wats_core::Error::Io {
                    path,
                    source: std::io::Error::new(other.kind(), other),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_survives_the_trip_through_wats_core_error() {
        let full = SpoolError::Full {
            area: Area::Rejected,
            entries: 3,
            bytes: 10,
            adding: 4,
            max_entries: Some(3),
            max_bytes: None,
        };
        let core: wats_core::Error = full.into();
        match &core {
            wats_core::Error::Io { source, .. } => {
                assert_eq!(source.kind(), std::io::ErrorKind::QuotaExceeded);
            }
            other => panic!("{other:?}"),
        }
        let back = SpoolError::find(&core).expect("carried");
        assert!(back.is_full());
        assert!(back.to_string().contains("rejected"), "{back}");
        let io: wats_core::Error = io_err(
            Path::new("/x"),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        )
        .into();
        assert!(
            matches!(&io, wats_core::Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
        );
        assert!(SpoolError::find(&io).is_none());
        let bad: wats_core::Error = SpoolError::InvalidId { id: "../x".into() }.into();
        assert!(matches!(bad, wats_core::Error::InvalidInput { .. }));
    }
}
