//! Station files: `station.toml` and pyWATS-style `station.conf`.

use std::io;
use std::path::Path;

use serde::Deserialize;

use crate::Error;

/// The raw content of a station file (not yet sanitized).
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileStation {
    pub(crate) name: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) purpose: Option<String>,
    pub(crate) description: Option<String>,
}

/// Reads a station file. `Ok(None)` when it does not exist; an error when it
/// exists but cannot be read or parsed. A path ending in `.conf` is read as
/// pyWATS-style text (first line that is neither empty nor a `#` comment is
/// the name); anything else as TOML.
pub(crate) fn read(path: &Path) -> Result<Option<FileStation>, Error> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err)
            if matches!(
                err.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None);
        }
        Err(source) => {
            return Err(Error::ConfigRead {
                path: path.to_owned(),
                source,
            });
        }
    };
    parse(path, &bytes).map(Some)
}

/// Parses the content of the station file at `path` (its extension picks the format).
pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<FileStation, Error> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = String::from_utf8_lossy(&bytes[..err.valid_up_to()]);
            let (line, column) = line_column(&valid, valid.len());
            return Err(Error::ConfigParse {
                path: path.to_owned(),
                line,
                column,
                message: "the file is not valid UTF-8".to_owned(),
            });
        }
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if path.extension().is_some_and(|ext| ext == "conf") {
        return Ok(parse_conf(text));
    }
    toml::from_str(text).map_err(|err| {
        let offset = err.span().map_or(0, |span| span.start);
        let (line, column) = line_column(text, offset);
        Error::ConfigParse {
            path: path.to_owned(),
            line,
            column,
            message: err.message().trim().to_owned(),
        }
    })
}

fn parse_conf(text: &str) -> FileStation {
    let name = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned);
    FileStation {
        name,
        ..FileStation::default()
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_column("abc", 0), (1, 1));
        assert_eq!(line_column("abc\nde", 4), (2, 1));
        assert_eq!(line_column("abc\nde", 6), (2, 3));
        assert_eq!(line_column("ü\nxü", 5), (2, 2));
        assert_eq!(line_column("ab", 99), (1, 3));
    }

    #[test]
    fn conf_takes_first_line_that_is_not_empty_or_comment() {
        let parsed = parse_conf("\n  # station for line 3\n\n  ict 01  \nignored\n");
        assert_eq!(parsed.name.as_deref(), Some("ict 01"));
        assert_eq!(parsed.location, None);
        assert_eq!(parse_conf("\n# only a comment\n").name, None);
    }
}
