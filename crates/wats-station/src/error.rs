//! The crate's error type.

use std::path::PathBuf;

/// Why a station could not be built or detected.
///
/// A config file that exists but cannot be read or parsed is an error (it is
/// never skipped silently); the message names the file and, where the file's
/// text is at fault, the line and column.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A station file exists but could not be read (permissions, a directory
    /// where a file was expected, an I/O failure).
    #[error("cannot read station file {}: {source}", path.display())]
    ConfigRead {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A station file was read but its content is invalid (bad TOML, an
    /// unknown key, a value of the wrong type, text that is not UTF-8).
    #[error("invalid station file {}, line {line}, column {column}: {message}", path.display())]
    ConfigParse {
        /// The file at fault.
        path: PathBuf,
        /// 1-based line of the fault.
        line: usize,
        /// 1-based column (in characters) of the fault.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An explicit station name has no character WATS accepts (see
    /// [`sanitize_name`](crate::sanitize_name)).
    #[error("station name {input:?} has no character WATS accepts")]
    InvalidName {
        /// The name as given.
        input: String,
    },
    /// No tier produced a usable name: no explicit name, no `WATS_STATION` or
    /// `PYWATS_STATION`, no station file, and no machine name other than
    /// `localhost`.
    #[error(
        "no station name found: set WATS_STATION, write .wats/station.toml, \
         or give the station explicitly (the machine name was empty or localhost)"
    )]
    NotDetected,
}
