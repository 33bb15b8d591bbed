//! Spool settings (from the builder) and the state a client and its clones share.

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

use wats_spool::Spool;

/// Spool settings of a [`crate::ClientBuilder`].
#[derive(Debug, Clone, Default)]
pub(crate) struct SpoolSettings {
    pub(crate) dir: Option<PathBuf>,
    pub(crate) by_default: bool,
}

/// Spool state shared by a client and its clones: the resolved directory and the opened spool.
pub(crate) struct SpoolState {
    dir: Option<PathBuf>,
    by_default: bool,
    opened: OnceLock<Spool>,
}

impl fmt::Debug for SpoolState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpoolState")
            .field("dir", &self.dir)
            .field("by_default", &self.by_default)
            .finish_non_exhaustive()
    }
}

impl SpoolState {
    /// Resolve the directory: the configured one, else the default for `base_url`.
    pub(crate) fn new(settings: SpoolSettings, base_url: &str) -> SpoolState {
        SpoolState {
            dir: settings.dir.or_else(|| default_spool_dir(base_url)),
            by_default: settings.by_default,
            opened: OnceLock::new(),
        }
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
