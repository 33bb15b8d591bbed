//! The file-name grammar of a spool entry, and report ids.
//!
//! ```text
//! entry  = [seq "-"] id [ "~" attempts "-" first ] "." ext
//! seq    = 20 decimal digits        (absent in files written before sequence numbers)
//! id     = 1-200 of A-Z a-z 0-9 - _ . , not starting with "."
//! attempts, first = decimal u32, decimal u64 (seconds since the Unix epoch)
//! ext    = "json" (waiting) | "inflight" (claimed)
//! ```
//!
//! `~` never occurs in an id, so the parse is unambiguous. An id that itself starts with
//! twenty digits and a `-` would read as a sequenced name; ids are GUIDs in practice.
//! The longest name (a 200-character id, 10-digit attempts, 11-digit time, `.inflight`) is 253
//! bytes, within the 255 that common file systems allow.

use std::time::{Duration, SystemTime};

use crate::dead_letter::Attempts;
use crate::error::{SpoolError, SpoolResult};

pub(crate) const REPORT_EXT: &str = "json";
pub(crate) const INFLIGHT_EXT: &str = "inflight";
const SEQ_DIGITS: usize = 20;

/// Whether `id` can be used as a file name: 1-200 characters of `A-Z a-z 0-9 - _ .`, not
/// starting with a dot.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `Ok` when [`is_valid_id`] accepts `id`, else [`SpoolError::InvalidId`].
pub fn validate_id(id: &str) -> SpoolResult<()> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(SpoolError::InvalidId { id: id.to_owned() })
    }
}

/// A fresh report id: a random (v4) UUID, hyphenated, lower case, valid by construction. Give
/// a report its id once, before its first attempt, so a retry overwrites instead of
/// duplicating.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// The parsed name of an entry file (without its extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryName {
    /// The sequence number; `None` for files written before sequence numbers.
    pub(crate) seq: Option<u64>,
    pub(crate) id: String,
    /// Failed attempts recorded.
    pub(crate) attempts: u32,
    /// Seconds since the epoch of the first recorded attempt.
    pub(crate) first_attempt: Option<u64>,
}

impl EntryName {
    pub(crate) fn new(seq: u64, id: &str) -> EntryName {
        EntryName {
            seq: Some(seq),
            id: id.to_owned(),
            attempts: 0,
            first_attempt: None,
        }
    }

    /// Parse a file stem; `None` for anything that is not an entry name.
    pub(crate) fn parse(stem: &str) -> Option<EntryName> {
        let (head, tail) = match stem.split_once('~') {
            Some((head, tail)) => (head, Some(tail)),
            None => (stem, None),
        };
        let (attempts, first_attempt) = match tail {
            None => (0, None),
            Some(tail) => {
                let (a, f) = tail.split_once('-')?;
                if !all_digits(a) || !all_digits(f) {
                    return None;
                }
                (a.parse().ok()?, Some(f.parse().ok()?))
            }
        };
        let sequenced = head.len() > SEQ_DIGITS + 1
            && head.is_char_boundary(SEQ_DIGITS)
            && all_digits(&head[..SEQ_DIGITS])
            && head.as_bytes()[SEQ_DIGITS] == b'-';
        let (seq, id) = if sequenced {
            (
                Some(head[..SEQ_DIGITS].parse().ok()?),
                &head[SEQ_DIGITS + 1..],
            )
        } else {
            (None, head)
        };
        is_valid_id(id).then(|| EntryName {
            seq,
            id: id.to_owned(),
            attempts,
            first_attempt,
        })
    }

    /// The file name with extension `ext`.
    pub(crate) fn file_name(&self, ext: &str) -> String {
        let mut name = match self.seq {
            Some(seq) => format!("{seq:020}-{}", self.id),
            None => self.id.clone(),
        };
        if self.attempts > 0 || self.first_attempt.is_some() {
            name.push_str(&format!(
                "~{}-{}",
                self.attempts,
                self.first_attempt.unwrap_or(0)
            ));
        }
        name.push('.');
        name.push_str(ext);
        name
    }

    pub(crate) fn attempts(&self) -> Attempts {
        Attempts {
            count: self.attempts,
            first: self
                .first_attempt
                .and_then(|s| SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(s))),
        }
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Seconds since the epoch (0 before it).
pub(crate) fn epoch_secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let mut n = EntryName::new(42, "3f0c5a52-0000-4000-8000-000000000001");
        assert_eq!(
            n.file_name(REPORT_EXT),
            "00000000000000000042-3f0c5a52-0000-4000-8000-000000000001.json"
        );
        assert_eq!(
            EntryName::parse("00000000000000000042-3f0c5a52-0000-4000-8000-000000000001"),
            Some(n.clone())
        );
        n.attempts = 3;
        n.first_attempt = Some(1_700_000_000);
        let name = n.file_name(INFLIGHT_EXT);
        assert_eq!(
            name,
            "00000000000000000042-3f0c5a52-0000-4000-8000-000000000001~3-1700000000.inflight"
        );
        let stem = name.strip_suffix(".inflight").unwrap();
        assert_eq!(EntryName::parse(stem), Some(n));
    }

    #[test]
    fn legacy_names_and_junk() {
        let legacy = EntryName::parse("r1").unwrap();
        assert_eq!((legacy.seq, legacy.id.as_str()), (None, "r1"));
        assert_eq!(EntryName::parse("r1~2-5").unwrap().attempts, 2);
        for junk in [
            "",
            ".tmp-1",
            "a~",
            "a~1",
            "a~x-1",
            "a~1-",
            "a~-1",
            "00000000000000000001-.x",
            "a b",
            "é",
            "a~99999999999-1",
        ] {
            assert_eq!(EntryName::parse(junk), None, "{junk:?}");
        }
        // Twenty digits without an id after them are an ordinary (legacy) id.
        assert_eq!(EntryName::parse("00000000000000000001").unwrap().seq, None);
        assert_eq!(EntryName::parse("00000000000000000001-").unwrap().seq, None);
    }

    #[test]
    fn the_longest_name_fits_255_bytes() {
        let mut n = EntryName::new(u64::MAX, &"a".repeat(200));
        n.attempts = u32::MAX;
        n.first_attempt = Some(99_999_999_999);
        assert!(n.file_name(INFLIGHT_EXT).len() <= 255);
    }

    #[test]
    fn new_ids_are_valid_and_distinct() {
        let (a, b) = (new_id(), new_id());
        assert!(is_valid_id(&a) && is_valid_id(&b) && a != b);
        assert!(validate_id("../x").is_err());
    }
}
