//! Size limits of the spool's folders, and the options a spool is opened with.

use std::fmt;
use std::fs;
use std::io::ErrorKind;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{SpoolError, SpoolResult, io_err};
use crate::fsio::TMP_PREFIX;
use crate::name::{EntryName, INFLIGHT_EXT, REPORT_EXT};

/// One of the spool's folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Area {
    /// The spool directory itself: reports waiting to be sent.
    Spool,
    /// `rejected/`: reports the server refused, each with the server's answer beside it.
    Rejected,
    /// `quarantine/`: files that could not be parsed.
    Quarantine,
}

impl Area {
    pub(crate) const ALL: [Area; 3] = [Area::Spool, Area::Rejected, Area::Quarantine];

    fn index(self) -> usize {
        match self {
            Area::Spool => 0,
            Area::Rejected => 1,
            Area::Quarantine => 2,
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Area::Spool => "spool",
            Area::Rejected => "rejected",
            Area::Quarantine => "quarantine",
        })
    }
}

/// The most a folder may hold: a number of entries and/or a number of bytes (`None`: no
/// limit). A write that would pass a limit fails with [`SpoolError::Full`]; nothing is ever
/// dropped to make room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries (reports).
    pub max_entries: Option<u64>,
    /// Most bytes (all files in the folder, messages beside reports included).
    pub max_bytes: Option<u64>,
}

impl Limits {
    /// No limit.
    pub const UNLIMITED: Limits = Limits {
        max_entries: None,
        max_bytes: None,
    };

    /// At most `max_entries` entries and `max_bytes` bytes.
    pub const fn new(max_entries: u64, max_bytes: u64) -> Limits {
        Limits {
            max_entries: Some(max_entries),
            max_bytes: Some(max_bytes),
        }
    }
}

const GIB: u64 = 1 << 30;

/// How a [`Spool`](crate::Spool) is opened: the folders' limits, the flush lock's polling
/// interval and the age after which a temporary file counts as left by a crash.
///
/// The defaults: the spool holds at most 100 000 reports and 8 GiB, `rejected/` and
/// `quarantine/` at most 10 000 entries and 1 GiB each; the lock is polled every 25 ms;
/// temporary files older than ten minutes are removed at open.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SpoolOptions {
    limits: [Limits; 3],
    pub(crate) lock_poll: Duration,
    pub(crate) stale_temp_age: Duration,
}

impl Default for SpoolOptions {
    fn default() -> SpoolOptions {
        SpoolOptions {
            limits: [
                Limits::new(100_000, 8 * GIB),
                Limits::new(10_000, GIB),
                Limits::new(10_000, GIB),
            ],
            lock_poll: Duration::from_millis(25),
            stale_temp_age: Duration::from_secs(600),
        }
    }
}

impl SpoolOptions {
    /// Set the limits of one folder.
    #[must_use]
    pub fn limits(mut self, area: Area, limits: Limits) -> SpoolOptions {
        self.limits[area.index()] = limits;
        self
    }

    /// The limits of one folder.
    pub fn limits_of(&self, area: Area) -> Limits {
        self.limits[area.index()]
    }

    /// How often [`Spool::lock_timeout`](crate::Spool::lock_timeout) tries the lock again
    /// (at least 1 ms).
    #[must_use]
    pub fn lock_poll(mut self, every: Duration) -> SpoolOptions {
        self.lock_poll = every.max(Duration::from_millis(1));
        self
    }

    /// Temporary files older than this are removed at open, in every folder of the spool.
    #[must_use]
    pub fn stale_temp_age(mut self, age: Duration) -> SpoolOptions {
        self.stale_temp_age = age;
        self
    }
}

/// What a folder holds, as far as this handle knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub(crate) entries: u64,
    pub(crate) bytes: u64,
}

/// Rescan a folder at most this often when it is more than half full as far as the handle
/// knows, so writes by other processes are counted before the limit. A scan stats every file
/// (tens of milliseconds for 100 000 files): by time rather than by count of writes, its cost
/// per write stays small however fast the writes come.
const RESCAN_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct Tally {
    usage: Usage,
    scanned: Instant,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            usage: Usage::default(),
            scanned: Instant::now(),
        }
    }
}

/// The usage of each folder: counted exactly at open and on each rescan, kept up to date in
/// between by this handle's own writes and removals. A folder is counted again before a write
/// that would pass a limit is refused (other processes may have emptied it), and at most once a
/// second once it is more than half full (other processes may have filled it): a limit holds
/// to within what other processes wrote since this handle last counted.
#[derive(Debug, Default)]
pub(crate) struct Accounts {
    tallies: [Mutex<Tally>; 3],
}

/// Count a folder: entries are report files (`.json`, `.inflight`), bytes are all regular
/// files but temporary ones.
pub(crate) fn scan(dir: &Path) -> SpoolResult<Usage> {
    let mut usage = Usage::default();
    for item in fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
        let item = item.map_err(|e| io_err(dir, e))?;
        let name = item.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TMP_PREFIX) {
            continue;
        }
        let meta = match item.metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err(&item.path(), e)),
        };
        if !meta.is_file() {
            continue;
        }
        usage.bytes = usage.bytes.saturating_add(meta.len());
        let is_entry = name
            .rsplit_once('.')
            .filter(|(_, ext)| *ext == REPORT_EXT || *ext == INFLIGHT_EXT)
            .is_some_and(|(stem, _)| EntryName::parse(stem).is_some());
        if is_entry {
            usage.entries += 1;
        }
    }
    Ok(usage)
}

fn over(limits: Limits, usage: Usage, entries: u64, bytes: u64) -> bool {
    limits
        .max_entries
        .is_some_and(|max| usage.entries.saturating_add(entries) > max)
        || limits
            .max_bytes
            .is_some_and(|max| usage.bytes.saturating_add(bytes) > max)
}

fn over_half(limits: Limits, usage: Usage) -> bool {
    limits
        .max_entries
        .is_some_and(|max| usage.entries > max / 2)
        || limits.max_bytes.is_some_and(|max| usage.bytes > max / 2)
}

impl Accounts {
    fn tally(&self, area: Area) -> std::sync::MutexGuard<'_, Tally> {
        self.tallies[area.index()]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Set a folder's usage from an exact count.
    pub(crate) fn set(&self, area: Area, usage: Usage) {
        let mut t = self.tally(area);
        t.usage = usage;
        t.scanned = Instant::now();
    }

    /// Reserve room for `entries` entries of `bytes` bytes in `area` (whose folder is `dir`), or
    /// [`SpoolError::Full`]. Before refusing, the folder is counted again (other processes may
    /// have emptied it).
    pub(crate) fn reserve(
        &self,
        area: Area,
        dir: &Path,
        limits: Limits,
        entries: u64,
        bytes: u64,
    ) -> SpoolResult<()> {
        if limits == Limits::UNLIMITED {
            return Ok(());
        }
        let mut t = self.tally(area);
        let due = over_half(limits, t.usage) && t.scanned.elapsed() >= RESCAN_AFTER;
        if due || over(limits, t.usage, entries, bytes) {
            t.usage = scan(dir)?;
            t.scanned = Instant::now();
            if over(limits, t.usage, entries, bytes) {
                return Err(SpoolError::Full {
                    area,
                    entries: t.usage.entries,
                    bytes: t.usage.bytes,
                    adding: bytes,
                    max_entries: limits.max_entries,
                    max_bytes: limits.max_bytes,
                });
            }
        }
        t.usage.entries = t.usage.entries.saturating_add(entries);
        t.usage.bytes = t.usage.bytes.saturating_add(bytes);
        Ok(())
    }

    /// Give back room (an entry of `bytes` bytes left `area`).
    pub(crate) fn release(&self, area: Area, entries: u64, bytes: u64) {
        let mut t = self.tally(area);
        t.usage.entries = t.usage.entries.saturating_sub(entries);
        t.usage.bytes = t.usage.bytes.saturating_sub(bytes);
    }
}
