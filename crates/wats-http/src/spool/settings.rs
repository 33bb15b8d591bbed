//! Spool settings (from the builder) and the state a client and its clones share.

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use wats_spool::{DeadLetter, Spool, SpoolOptions};

/// How long [`SpoolHandle::flush`](crate::SpoolHandle::flush) waits for another flusher's
/// lock by default before it fails with a lock timeout: one minute.
pub const DEFAULT_SPOOL_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// Spool settings of a [`crate::ClientBuilder`].
#[derive(Debug, Clone)]
pub(crate) struct SpoolSettings {
    pub(crate) dir: Option<PathBuf>,
    pub(crate) by_default: bool,
    /// When a report the server keeps refusing is moved to `rejected/`.
    pub(crate) dead_letter: DeadLetter,
    /// How long `flush` waits for another flusher's lock.
    pub(crate) lock_timeout: Duration,
    /// How the spool is opened (folder limits, stale temp age).
    pub(crate) options: SpoolOptions,
}

impl Default for SpoolSettings {
    fn default() -> SpoolSettings {
        SpoolSettings {
            dir: None,
            by_default: false,
            dead_letter: DeadLetter::default(),
            lock_timeout: DEFAULT_SPOOL_LOCK_TIMEOUT,
            options: SpoolOptions::default(),
        }
    }
}

/// Spool state shared by a client and its clones: the resolved directory, the settings and
/// the opened spool.
pub(crate) struct SpoolState {
    dir: Option<PathBuf>,
    by_default: bool,
    dead_letter: DeadLetter,
    lock_timeout: Duration,
    options: SpoolOptions,
    opened: OnceLock<Spool>,
}

impl fmt::Debug for SpoolState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpoolState")
            .field("dir", &self.dir)
            .field("by_default", &self.by_default)
            .field("dead_letter", &self.dead_letter)
            .field("lock_timeout", &self.lock_timeout)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SpoolState {
    /// Resolve the directory: the configured one, else the default for `base_url`.
    pub(crate) fn new(settings: SpoolSettings, base_url: &str) -> SpoolState {
        SpoolState {
            dir: settings.dir.or_else(|| default_spool_dir(base_url)),
            by_default: settings.by_default,
            dead_letter: settings.dead_letter,
            lock_timeout: settings.lock_timeout,
            options: settings.options,
            opened: OnceLock::new(),
        }
    }

    /// The dead-letter policy a flush applies.
    pub(crate) fn dead_letter(&self) -> DeadLetter {
        self.dead_letter
    }

    /// How long `flush` waits for another flusher's lock.
    pub(crate) fn lock_timeout(&self) -> Duration {
        self.lock_timeout
    }

    /// The options the spool is opened with.
    pub(crate) fn options(&self) -> &SpoolOptions {
        &self.options
    }

    /// Whether `Reports::submit` spools on a transient failure.
    pub(crate) fn by_default(&self) -> bool {
        self.by_default
    }

    /// The resolved directory, if any.
    pub(crate) fn dir(&self) -> Option<&PathBuf> {
        self.dir.as_ref()
    }

    /// The spool, once opened.
    pub(crate) fn opened(&self) -> &OnceLock<Spool> {
        &self.opened
    }
}

/// The default spool directory for a server: `<data dir>/wats/spool/<server>`, where the data
/// directory comes from the `directories` crate (`$XDG_DATA_HOME` or `~/.local/share` on Linux,
/// `~/Library/Application Support` on macOS, `%APPDATA%` on Windows) and `<server>` is the base
/// URL's host and port with every character outside `A-Z a-z 0-9 - .` replaced by `_`, so
/// reports meant for one server are never replayed to another. `None` when the platform has no
/// home directory.
pub fn default_spool_dir(base_url: &str) -> Option<PathBuf> {
    let dirs = directories::BaseDirs::new()?;
    Some(
        dirs.data_dir()
            .join("wats")
            .join("spool")
            .join(server_folder(base_url)),
    )
}

fn server_folder(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let name: String = rest
        .trim_end_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with('.') {
        format!("server_{name}")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_folders() {
        assert_eq!(
            server_folder("https://wats.example.com"),
            "wats.example.com"
        );
        assert_eq!(server_folder("http://127.0.0.1:8080"), "127.0.0.1_8080");
        assert_eq!(server_folder("https://h/prefix/x"), "h_prefix_x");
        assert_eq!(server_folder(""), "server_");
    }
}
