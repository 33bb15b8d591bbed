//! Listing a folder: which files are entries, in which order, and which are superseded.

use std::collections::HashMap;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::dead_letter::Attempts;
use crate::error::{SpoolResult, io_err};
use crate::name::EntryName;

/// One report in a folder of the spool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolEntry {
    pub(crate) name: EntryName,
    pub(crate) path: PathBuf,
    pub(crate) modified: SystemTime,
    pub(crate) len: u64,
}

impl SpoolEntry {
    /// The report id.
    pub fn id(&self) -> &str {
        &self.name.id
    }

    /// The file holding the report.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When the report was spooled (the file's modification time; for information only, the
    /// order comes from [`sequence`](Self::sequence)).
    pub fn spooled_at(&self) -> SystemTime {
        self.modified
    }

    /// The entry's place in the spool order: `None` for a file written by a version before
    /// sequence numbers (those come first, by modification time).
    pub fn sequence(&self) -> Option<u64> {
        self.name.seq
    }

    /// Failed attempts recorded with [`FlushLock::record_attempt`](crate::FlushLock::record_attempt).
    pub fn attempts(&self) -> Attempts {
        self.name.attempts()
    }

    /// The file's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A folder's entries with extension `ext`, in spool order, one per id.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// The newest entry of each id, oldest first.
    pub(crate) entries: Vec<SpoolEntry>,
    /// Older files of an id that has a newer one (left by a crash or a put during a claim).
    pub(crate) superseded: Vec<SpoolEntry>,
    /// The highest sequence number seen, in any file of the folder.
    pub(crate) max_seq: Option<u64>,
}

/// The order of the spool: files without a sequence number first (by modification time, then
/// id), then by sequence number (then id).
fn order(a: &SpoolEntry, b: &SpoolEntry) -> std::cmp::Ordering {
    match (a.name.seq, b.name.seq) {
        (None, None) => a.modified.cmp(&b.modified),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(&y),
    }
    .then_with(|| a.name.id.cmp(&b.name.id))
    .then_with(|| a.name.attempts.cmp(&b.name.attempts))
}

/// List `dir`. Files that are not entries with extension `ext` are skipped, as are files that
/// vanish while listing; any other error is returned (never read as "empty").
pub(crate) fn list(dir: &Path, ext: &str) -> SpoolResult<Listing> {
    let mut all = Vec::new();
    let mut max_seq = None;
    for item in fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
        let item = item.map_err(|e| io_err(dir, e))?;
        let file_name = item.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let Some((stem, file_ext)) = file_name.rsplit_once('.') else {
            continue;
        };
        let Some(name) = EntryName::parse(stem) else {
            continue;
        };
        max_seq = max_seq.max(name.seq);
        if file_ext != ext {
            continue;
        }
        let meta = match item.metadata() {
            Ok(m) => m,
            // Claimed or removed by another handle between listing and stat.
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err(&item.path(), e)),
        };
        if !meta.is_file() {
            continue;
        }
        all.push(SpoolEntry {
            name,
            path: item.path(),
            modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            len: meta.len(),
        });
    }
    all.sort_by(order);
    let mut newest: HashMap<&str, usize> = HashMap::with_capacity(all.len());
    for (i, e) in all.iter().enumerate() {
        newest.insert(e.name.id.as_str(), i);
    }
    let keep: Vec<bool> = all
        .iter()
        .enumerate()
        .map(|(i, e)| newest.get(e.name.id.as_str()) == Some(&i))
        .collect();
    let (mut entries, mut superseded) = (Vec::with_capacity(all.len()), Vec::new());
    for (e, keep) in all.into_iter().zip(keep) {
        if keep {
            entries.push(e);
        } else {
            superseded.push(e);
        }
    }
    Ok(Listing {
        entries,
        superseded,
        max_seq,
    })
}
