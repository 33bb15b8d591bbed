//! A durable on-disk spool of reports, so a test station never loses a result.
//!
//! A [`Spool`] is a directory holding one file per report, named
//! `<sequence>-<id>.json`: the sequence number (20 digits) gives the replay order, the id is
//! the report id. Replaying takes the [`FlushLock`], an exclusive lock on a file in the spool
//! directory held for the whole flush, so two processes never send the same report at the
//! same time; the lock dies with its process.
//!
//! During a flush each entry is *claimed* (renamed to `.inflight`) before it is sent. A
//! delivered entry is then deleted ([`FlushLock::complete`]), a rejected one moves to
//! `rejected/` with the server's message beside it ([`FlushLock::reject`]), a corrupt one moves to
//! `quarantine/` ([`FlushLock::quarantine`]), and one whose delivery must be retried later is put
//! back ([`FlushLock::release`]), after [`FlushLock::record_attempt`] if the failure counts
//! towards the [`DeadLetter`] policy. A claim left behind by a crashed flusher is put back when
//! the lock is next taken: delivery is at least once, and re-submitting a report id to WATS
//! overwrites, so a replay is harmless.
//!
//! This crate knows how to keep bytes safe, not how to send them: `wats-http` drives the flush.
//!
//! # Order
//!
//! Sequence numbers come from a counter shared by every process using the directory (see
//! `.seq` below), raised at open above every number found, so the order is the order of `put`
//! calls, whatever the clocks do. Putting an id that is already waiting adds a newer entry;
//! listings show only the newest entry of each id (at its place in the order) and a flush
//! removes the older one. Files written before sequence numbers (`<id>.json`) are still read:
//! they come first, ordered by modification time.
//!
//! # Durability
//!
//! On Unix (Linux, macOS), when [`Spool::put`] returns `Ok` the report survives a crash of the
//! process and a power loss: the bytes go to a new temporary file (a random 128-bit name,
//! created exclusively), which is fsynced, linked under its final name (a link never replaces
//! an existing file), unlinked, and then the directory is fsynced. A half-written report is
//! never visible under an entry name. Every state change of an entry (claim, release, recorded
//! attempt, complete, reject, quarantine) is a rename or removal followed by an fsync of each
//! directory touched; directories the spool creates are fsynced along with their parents.
//!
//! On Windows, the report's bytes are flushed to the device (`FlushFileBuffers`) before the
//! entry gets its final name, and links, renames and removals are recorded in the NTFS
//! journal, but nothing forces that journal to disk when `put` returns: Windows has no
//! directory fsync (`FlushFileBuffers` refuses directory handles), and the write-through
//! rename (`MoveFileExW` with `MOVEFILE_WRITE_THROUGH`) needs a foreign call, which this crate
//! (`unsafe_code = "forbid"`) does not make. `sync_dir` is therefore a no-op there, and the
//! journal reaches the disk lazily (typically within seconds). What that means:
//!
//! - a crash of the process (or of the service, or a kill) loses nothing, as on Unix: the
//!   file system state is in the OS cache, which outlives the process;
//! - after a power loss or an OS crash, a report put in the last seconds before it may be
//!   missing under its final name (its name change was not yet journaled); its bytes are then
//!   in a `.tmp-*` file of the spool directory, complete (they were flushed), until the stale
//!   temp cleanup at the next [`Spool::open`] after [`SpoolOptions::stale_temp_age`] (ten
//!   minutes by default) removes it. Raise that age, or look in `.tmp-*` files after a power
//!   cut, if those seconds matter. A claim, release or move in flight may likewise be rolled
//!   back to its previous name: the report is then sent again (at least once still holds).
//!
//! Stations that must not lose the last seconds of results on power loss should run on a UPS
//! or a write-through volume.
//!
//! # Files in the spool directory
//!
//! `<seq>-<id>.json` waiting, `<seq>-<id>.inflight` being sent, `<seq>-<id>~<attempts>-<t>.json`
//! waiting after failed attempts (the count and the first attempt's time in seconds since the
//! epoch, see [`FlushLock::record_attempt`]), `.tmp-*` being written, `.flush.lock` the flush
//! lock, `.seq` the sequence counter, `rejected/<id>.json` with `rejected/<id>.error.txt`, and
//! `quarantine/<id>.json` with `quarantine/<id>.error.txt`.
//!
//! ```
//! use wats_spool::Spool;
//! let dir = std::env::temp_dir().join(format!("wats-spool-doc-{}", std::process::id()));
//! let spool = Spool::open(&dir)?;
//! spool.put("3f0c5a52-0000-4000-8000-000000000001", br#"{"id":"3f0c5a52-0000-4000-8000-000000000001"}"#)?;
//! assert_eq!(spool.len()?, 1);
//!
//! let lock = spool.try_lock()?.expect("nobody else is flushing");
//! for entry in lock.entries()? {
//!     let claimed = lock.claim(&entry)?;
//!     let _bytes = lock.read(&claimed)?;
//!     // ... send the bytes; on success:
//!     lock.complete(claimed)?;
//! }
//! assert!(spool.is_empty()?);
//! # drop(lock);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), wats_core::Error>(())
//! ```

mod dead_letter;
mod error;
mod fsio;
mod limits;
mod listing;
mod lock;
mod name;
mod seq;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use wats_core::Result;

pub use dead_letter::{Attempts, DeadLetter, DeadLetterCause};
pub use error::{SpoolError, SpoolResult};
pub use limits::{Area, Limits, SpoolOptions};
pub use listing::SpoolEntry;
pub use lock::{Claimed, FlushLock};
pub use name::{is_valid_id, new_id, validate_id};

use error::io_err;
use limits::Accounts;
use name::{EntryName, INFLIGHT_EXT, REPORT_EXT};
use seq::Sequence;

/// Folder for reports the server rejected, with `<id>.error.txt` beside each.
pub const REJECTED_DIR: &str = "rejected";
/// Folder for spool files that cannot be parsed.
pub const QUARANTINE_DIR: &str = "quarantine";
/// Tries at a free entry name (each with a new sequence number) before giving up.
const NAME_TRIES: usize = 64;

/// A spool directory. Cheap to clone; several handles (and processes) may share a directory.
#[derive(Debug, Clone)]
pub struct Spool {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    options: SpoolOptions,
    seq: Sequence,
    accounts: Accounts,
}

impl Spool {
    /// Open (creating if needed) a spool in `dir`, with its `rejected/` and `quarantine/`
    /// folders and the default [`SpoolOptions`]. Temporary files older than ten minutes, left
    /// by a crash, are removed from every folder.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Spool> {
        Ok(Spool::open_with(dir, SpoolOptions::default())?)
    }

    /// [`open`](Self::open) with options (limits, lock polling, stale temp age).
    pub fn open_with(dir: impl Into<PathBuf>, options: SpoolOptions) -> SpoolResult<Spool> {
        let dir = dir.into();
        let now = SystemTime::now();
        for area in Area::ALL {
            let sub = area_dir(&dir, area);
            fsio::create_dir_durable(&sub)?;
            fsio::remove_stale_temp_files(&sub, options.stale_temp_age, now);
        }
        let listing = listing::list(&dir, REPORT_EXT)?;
        let floor = listing.max_seq.map_or(0, |s| s.saturating_add(1));
        let spool = Spool {
            inner: Arc::new(Inner {
                seq: Sequence::open(&dir, floor)?,
                dir,
                options,
                accounts: Accounts::default(),
            }),
        };
        for area in Area::ALL {
            let usage = limits::scan(&spool.area_dir(area))?;
            spool.inner.accounts.set(area, usage);
        }
        Ok(spool)
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The options the spool was opened with.
    pub fn options(&self) -> &SpoolOptions {
        &self.inner.options
    }

    pub(crate) fn area_dir(&self, area: Area) -> PathBuf {
        area_dir(&self.inner.dir, area)
    }

    pub(crate) fn accounts(&self) -> &Accounts {
        &self.inner.accounts
    }

    /// Reserve room in `area` for one entry of `bytes` bytes.
    pub(crate) fn reserve(&self, area: Area, bytes: u64) -> SpoolResult<()> {
        let limits = self.inner.options.limits_of(area);
        self.inner
            .accounts
            .reserve(area, &self.area_dir(area), limits, 1, bytes)
    }

    /// Store a report durably under `id`; a report already waiting with the same id is
    /// superseded (the newer one is sent, the older removed at the next flush). When this
    /// returns `Ok`, the report survives a crash of this process (see "Durability").
    ///
    /// Returns the file's path; [`put_entry`](Self::put_entry) returns the whole entry.
    ///
    /// # Errors
    /// [`wats_core::Error::InvalidInput`] for an id [`is_valid_id`] refuses;
    /// [`wats_core::Error::Io`] when writing fails, or when the spool is full (its source then
    /// carries [`SpoolError::Full`], see [`SpoolError::find`]).
    pub fn put(&self, id: &str, bytes: &[u8]) -> Result<PathBuf> {
        Ok(self.put_entry(id, bytes)?.path)
    }

    /// Store a report durably under `id` (as [`put`](Self::put)) and return its entry: its id,
    /// file and sequence number.
    ///
    /// # Errors
    /// [`SpoolError::InvalidId`], [`SpoolError::Full`] (nothing written), [`SpoolError::Io`].
    pub fn put_entry(&self, id: &str, bytes: &[u8]) -> SpoolResult<SpoolEntry> {
        validate_id(id)?;
        let len = bytes.len() as u64;
        self.reserve(Area::Spool, len)?;
        let stored = self.write_entry(id, bytes);
        if stored.is_err() {
            self.inner.accounts.release(Area::Spool, 1, len);
        }
        stored
    }

    fn write_entry(&self, id: &str, bytes: &[u8]) -> SpoolResult<SpoolEntry> {
        let dir = &self.inner.dir;
        let tmp = fsio::write_temp(dir, bytes)?;
        for _ in 0..NAME_TRIES {
            let name = EntryName::new(self.inner.seq.next(), id);
            let path = dir.join(name.file_name(REPORT_EXT));
            match fsio::move_noreplace(&tmp, &path) {
                Ok(true) => {
                    fsio::sync_dir(dir)?;
                    return Ok(SpoolEntry {
                        name,
                        path,
                        modified: SystemTime::now(),
                        len: bytes.len() as u64,
                    });
                }
                // Another process took this number for this id: take the next one.
                Ok(false) => {}
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    return Err(e);
                }
            }
        }
        let _ = fs::remove_file(&tmp);
        Err(io_err(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "no free sequence number for this id",
            ),
        ))
    }

    /// The reports waiting, oldest first (one per id: the newest).
    ///
    /// # Errors
    /// [`wats_core::Error::Io`] when the directory cannot be read (never an empty list).
    pub fn list(&self) -> Result<Vec<SpoolEntry>> {
        Ok(self.waiting()?)
    }

    /// [`list`](Self::list) with a [`SpoolError`].
    ///
    /// # Errors
    /// [`SpoolError::Io`] when the directory cannot be read.
    pub fn waiting(&self) -> SpoolResult<Vec<SpoolEntry>> {
        Ok(self.listing()?.entries)
    }

    pub(crate) fn listing(&self) -> SpoolResult<listing::Listing> {
        let listing = listing::list(&self.inner.dir, REPORT_EXT)?;
        if let Some(max) = listing.max_seq {
            self.inner.seq.observe(max);
        }
        Ok(listing)
    }

    /// The waiting entry of report `id`, if any.
    ///
    /// # Errors
    /// [`SpoolError::InvalidId`]; [`SpoolError::Io`] when the directory cannot be read.
    pub fn find(&self, id: &str) -> SpoolResult<Option<SpoolEntry>> {
        validate_id(id)?;
        Ok(self.waiting()?.into_iter().find(|e| e.id() == id))
    }

    /// How many reports are waiting.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`] when the directory cannot be read: an error, never zero.
    pub fn len(&self) -> Result<usize> {
        Ok(self.waiting()?.len())
    }

    /// Whether no report is waiting.
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Reports the server rejected, oldest first. Each has `<id>.error.txt` beside it.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`] when the folder cannot be read.
    pub fn rejected(&self) -> Result<Vec<SpoolEntry>> {
        Ok(listing::list(&self.area_dir(Area::Rejected), REPORT_EXT)?.entries)
    }

    /// The server's message for a rejected report.
    ///
    /// # Errors
    /// [`wats_core::Error::InvalidInput`] for an invalid id, [`wats_core::Error::Io`] when
    /// there is no such message.
    pub fn rejection_message(&self, id: &str) -> Result<String> {
        validate_id(id)?;
        let path = self
            .area_dir(Area::Rejected)
            .join(format!("{id}.error.txt"));
        fs::read_to_string(&path).map_err(|e| io_err(&path, e).into())
    }

    /// Files moved to quarantine because they could not be parsed, oldest first.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`] when the folder cannot be read.
    pub fn quarantined(&self) -> Result<Vec<SpoolEntry>> {
        Ok(listing::list(&self.area_dir(Area::Quarantine), REPORT_EXT)?.entries)
    }

    /// Read a waiting report.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`] (kind `NotFound` when it was claimed or removed meanwhile).
    pub fn read(&self, entry: &SpoolEntry) -> Result<Vec<u8>> {
        fs::read(&entry.path).map_err(|e| io_err(&entry.path, e).into())
    }
}

fn area_dir(dir: &Path, area: Area) -> PathBuf {
    match area {
        Area::Spool => dir.to_path_buf(),
        Area::Rejected => dir.join(REJECTED_DIR),
        Area::Quarantine => dir.join(QUARANTINE_DIR),
    }
}

/// The name of a claimed (in-flight) file for `name`.
pub(crate) fn inflight_name(name: &EntryName) -> String {
    name.file_name(INFLIGHT_EXT)
}

/// A fresh, empty directory for a test (under the system temp dir).
#[cfg(test)]
pub(crate) fn test_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "wats-spool-test-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    dir
}

#[cfg(test)]
mod tests;
