//! A durable on-disk spool of reports, so a test station never loses a result.
//!
//! A [`Spool`] is a directory holding one file per report, named by the report id
//! (`<id>.json`). Writes are atomic and durable: the bytes go to a temporary file, which is
//! fsynced, renamed into place, and the directory is fsynced, so a half-written report is never
//! visible, even after a crash or power loss. Replaying takes the [`FlushLock`], an exclusive
//! lock on a file in the spool directory held for the whole flush, so two processes never send
//! the same report at the same time; the lock dies with its process.
//!
//! During a flush each entry is *claimed* (renamed to `<id>.inflight`) before it is sent. A
//! delivered entry is then deleted ([`FlushLock::complete`]), a rejected one moves to
//! `rejected/` with the server's message beside it ([`FlushLock::reject`]), a corrupt one moves to
//! `quarantine/` ([`FlushLock::quarantine`]), and one whose delivery must be retried later is put
//! back ([`FlushLock::release`]). A claim left behind by a crashed flusher is put back when the
//! lock is next taken: delivery is at least once, and re-submitting a report id to WATS
//! overwrites, so a replay is harmless.
//!
//! This crate knows how to keep bytes safe, not how to send them: `wats-http` drives the flush.
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

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use wats_core::{Error, Result};

const REPORT_EXT: &str = "json";
const INFLIGHT_EXT: &str = "inflight";
const TMP_PREFIX: &str = ".tmp-";
const LOCK_FILE: &str = ".flush.lock";
/// Folder for reports the server rejected (4xx), with `<id>.error.txt` beside each.
pub const REJECTED_DIR: &str = "rejected";
/// Folder for spool files that cannot be parsed.
pub const QUARANTINE_DIR: &str = "quarantine";

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);
static LAST_STAMP_NS: AtomicU64 = AtomicU64::new(0);

/// Now, in nanoseconds since the epoch, strictly increasing within this process.
fn next_stamp() -> SystemTime {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let mut last = LAST_STAMP_NS.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST_STAMP_NS.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => return SystemTime::UNIX_EPOCH + Duration::from_nanos(next),
            Err(seen) => last = seen,
        }
    }
}

/// A spool directory. Cheap to clone; several handles (and processes) may share a directory.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
}

/// One report waiting in the spool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolEntry {
    id: String,
    path: PathBuf,
    modified: SystemTime,
}

impl SpoolEntry {
    /// The report id (the file name without its extension).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The file holding the report.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When the report was spooled (the file's modification time).
    pub fn spooled_at(&self) -> SystemTime {
        self.modified
    }
}

/// An entry taken out of the queue for sending; see [`FlushLock::claim`].
#[derive(Debug)]
#[must_use = "a claimed entry must be completed, rejected, quarantined or released"]
pub struct Claimed {
    id: String,
    path: PathBuf,
}

impl Claimed {
    /// The report id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

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

fn check_id(id: &str) -> Result<()> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(Error::InvalidInput {
            field: "id".to_owned(),
            message: format!(
                "{id:?} cannot name a spool file (use 1-200 of A-Z a-z 0-9 - _ ., no leading dot)"
            ),
        })
    }
}

/// Make a rename or removal in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_err(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Write `bytes` to `path` atomically and durably (temp file, fsync, rename, fsync dir).
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = dir.join(format!(
        "{TMP_PREFIX}{}-{}",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let write = || -> std::io::Result<()> {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        // File systems stamp files with a coarse clock (often a few ms); set a precise,
        // strictly increasing time so the spool order is the order of `put` calls.
        f.set_modified(next_stamp())?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(&tmp, e));
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(path, e));
    }
    sync_dir(dir)
}

fn list_ext(dir: &Path, ext: &str) -> Result<Vec<SpoolEntry>> {
    let mut out = Vec::new();
    let read = fs::read_dir(dir).map_err(|e| io_err(dir, e))?;
    for item in read {
        let item = item.map_err(|e| io_err(dir, e))?;
        let path = item.path();
        if path.extension().and_then(|e| e.to_str()) != Some(ext) {
            continue;
        }
        let Some(id) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !is_valid_id(id) {
            continue;
        }
        // A file may vanish between listing and stat (another flusher): skip it.
        let Ok(meta) = item.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        out.push(SpoolEntry {
            id: id.to_owned(),
            path,
            modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        });
    }
    out.sort_by(|a, b| a.modified.cmp(&b.modified).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

impl Spool {
    /// Open (creating if needed) a spool in `dir`, with its `rejected/` and `quarantine/`
    /// folders. Temporary files older than ten minutes, left by a crash, are removed.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Spool> {
        let dir = dir.into();
        for sub in [
            dir.clone(),
            dir.join(REJECTED_DIR),
            dir.join(QUARANTINE_DIR),
        ] {
            fs::create_dir_all(&sub).map_err(|e| io_err(&sub, e))?;
        }
        let spool = Spool { dir };
        spool.remove_stale_temp_files(Duration::from_secs(600));
        Ok(spool)
    }

    fn remove_stale_temp_files(&self, older_than: Duration) {
        let Ok(read) = fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        for item in read.flatten() {
            let name = item.file_name();
            if !name.to_string_lossy().starts_with(TMP_PREFIX) {
                continue;
            }
            let old = item
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age > older_than);
            if old {
                let _ = fs::remove_file(item.path());
            }
        }
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Store a report durably under `id`, replacing any earlier report with the same id.
    /// When this returns `Ok`, the report survives a crash of this process.
    pub fn put(&self, id: &str, bytes: &[u8]) -> Result<PathBuf> {
        check_id(id)?;
        let path = self.dir.join(format!("{id}.{REPORT_EXT}"));
        write_atomic(&self.dir, &path, bytes)?;
        Ok(path)
    }

    /// The reports waiting, oldest first.
    pub fn list(&self) -> Result<Vec<SpoolEntry>> {
        list_ext(&self.dir, REPORT_EXT)
    }

    /// How many reports are waiting.
    pub fn len(&self) -> Result<usize> {
        Ok(self.list()?.len())
    }

    /// Whether no report is waiting.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Reports the server rejected, oldest first. Each has `<id>.error.txt` beside it.
    pub fn rejected(&self) -> Result<Vec<SpoolEntry>> {
        list_ext(&self.dir.join(REJECTED_DIR), REPORT_EXT)
    }

    /// The server's message for a rejected report.
    pub fn rejection_message(&self, id: &str) -> Result<String> {
        check_id(id)?;
        let path = self.dir.join(REJECTED_DIR).join(format!("{id}.error.txt"));
        fs::read_to_string(&path).map_err(|e| io_err(&path, e))
    }

    /// Files moved to quarantine because they could not be parsed, oldest first.
    pub fn quarantined(&self) -> Result<Vec<SpoolEntry>> {
        list_ext(&self.dir.join(QUARANTINE_DIR), REPORT_EXT)
    }

    /// Read a waiting report.
    pub fn read(&self, entry: &SpoolEntry) -> Result<Vec<u8>> {
        fs::read(&entry.path).map_err(|e| io_err(&entry.path, e))
    }

    fn lock_file(&self) -> Result<File> {
        let path = self.dir.join(LOCK_FILE);
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))
    }

    /// Take the flush lock if no other flusher (in any process) holds it.
    pub fn try_lock(&self) -> Result<Option<FlushLock>> {
        let file = self.lock_file()?;
        match file.try_lock() {
            Ok(()) => self.locked(file).map(Some),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(io_err(&self.dir.join(LOCK_FILE), e)),
        }
    }

    /// Take the flush lock, waiting for another flusher to finish.
    pub fn lock(&self) -> Result<FlushLock> {
        let file = self.lock_file()?;
        file.lock()
            .map_err(|e| io_err(&self.dir.join(LOCK_FILE), e))?;
        self.locked(file)
    }

    fn locked(&self, file: File) -> Result<FlushLock> {
        let lock = FlushLock {
            spool: self.clone(),
            _file: file,
        };
        lock.recover_claims()?;
        Ok(lock)
    }
}

/// Exclusive right to replay a spool; released on drop (or when the process dies).
#[derive(Debug)]
pub struct FlushLock {
    spool: Spool,
    _file: File,
}

impl FlushLock {
    /// The spool this lock belongs to.
    pub fn spool(&self) -> &Spool {
        &self.spool
    }

    /// The reports waiting, oldest first.
    pub fn entries(&self) -> Result<Vec<SpoolEntry>> {
        self.spool.list()
    }

    /// Put back claims left by a flusher that died mid-send.
    fn recover_claims(&self) -> Result<()> {
        for stale in list_ext(&self.spool.dir, INFLIGHT_EXT)? {
            self.release(Claimed {
                id: stale.id,
                path: stale.path,
            })?;
        }
        Ok(())
    }

    /// Take `entry` out of the queue for sending (an atomic rename to `<id>.inflight`).
    pub fn claim(&self, entry: &SpoolEntry) -> Result<Claimed> {
        let path = self.spool.dir.join(format!("{}.{INFLIGHT_EXT}", entry.id));
        fs::rename(&entry.path, &path).map_err(|e| io_err(&entry.path, e))?;
        Ok(Claimed {
            id: entry.id.clone(),
            path,
        })
    }

    /// Read a claimed report.
    pub fn read(&self, claimed: &Claimed) -> Result<Vec<u8>> {
        fs::read(&claimed.path).map_err(|e| io_err(&claimed.path, e))
    }

    /// The report was delivered: delete it.
    pub fn complete(&self, claimed: Claimed) -> Result<()> {
        let Claimed { path, .. } = claimed;
        fs::remove_file(&path).map_err(|e| io_err(&path, e))?;
        sync_dir(&self.spool.dir)
    }

    /// Delivery must wait: put the report back in the queue, unless a newer report with the
    /// same id was spooled meanwhile (the newer one wins).
    pub fn release(&self, claimed: Claimed) -> Result<()> {
        let Claimed { id, path } = claimed;
        let back = self.spool.dir.join(format!("{id}.{REPORT_EXT}"));
        if back.exists() {
            fs::remove_file(&path).map_err(|e| io_err(&path, e))?;
        } else {
            fs::rename(&path, &back).map_err(|e| io_err(&path, e))?;
        }
        sync_dir(&self.spool.dir)
    }

    /// The server rejected the report: move it to `rejected/`, with `message` in
    /// `rejected/<id>.error.txt`.
    pub fn reject(&self, claimed: Claimed, message: &str) -> Result<()> {
        self.move_aside(claimed, REJECTED_DIR, message)
    }

    /// The file cannot be parsed: move it to `quarantine/`, with `reason` beside it.
    pub fn quarantine(&self, claimed: Claimed, reason: &str) -> Result<()> {
        tracing::warn!(id = %claimed.id, reason, "spool file quarantined");
        self.move_aside(claimed, QUARANTINE_DIR, reason)
    }

    fn move_aside(&self, claimed: Claimed, sub: &str, message: &str) -> Result<()> {
        let Claimed { id, path } = claimed;
        let dir = self.spool.dir.join(sub);
        write_atomic(
            &dir,
            &dir.join(format!("{id}.error.txt")),
            message.as_bytes(),
        )?;
        let target = dir.join(format!("{id}.{REPORT_EXT}"));
        fs::rename(&path, &target).map_err(|e| io_err(&path, e))?;
        sync_dir(&dir)?;
        sync_dir(&self.spool.dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_spool(name: &str) -> Spool {
        let dir = std::env::temp_dir().join(format!(
            "wats-spool-test-{name}-{}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        Spool::open(dir).unwrap()
    }

    #[test]
    fn put_list_read_in_spool_order() {
        let spool = temp_spool("order");
        let order = ["m", "b", "z", "a", "c", "y"];
        for id in order {
            spool.put(id, id.as_bytes()).unwrap();
        }
        let ids: Vec<_> = spool
            .list()
            .unwrap()
            .iter()
            .map(|e| e.id().to_owned())
            .collect();
        assert_eq!(ids, order);
        let first = &spool.list().unwrap()[0];
        assert_eq!(spool.read(first).unwrap(), b"m");
        assert_eq!(spool.len().unwrap(), order.len());
    }

    #[test]
    fn same_id_overwrites_and_no_temp_file_is_visible() {
        let spool = temp_spool("overwrite");
        spool.put("r1", b"one").unwrap();
        spool.put("r1", b"two").unwrap();
        let list = spool.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(spool.read(&list[0]).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(spool.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(TMP_PREFIX)),
            "{names:?}"
        );
    }

    #[test]
    fn hostile_ids_are_rejected() {
        let spool = temp_spool("ids");
        for id in ["", "../x", "a/b", ".hidden", "a\\b", "x\0y"] {
            assert!(
                matches!(spool.put(id, b"{}"), Err(Error::InvalidInput { .. })),
                "{id:?}"
            );
        }
        assert!(spool.is_empty().unwrap());
    }

    #[test]
    fn complete_reject_quarantine_release() {
        let spool = temp_spool("outcomes");
        for id in ["ok", "bad", "junk", "later"] {
            spool.put(id, id.as_bytes()).unwrap();
        }
        let lock = spool.try_lock().unwrap().unwrap();
        for entry in lock.entries().unwrap() {
            let claimed = lock.claim(&entry).unwrap();
            match claimed.id() {
                "ok" => lock.complete(claimed).unwrap(),
                "bad" => lock.reject(claimed, "HTTP 400: bad pn").unwrap(),
                "junk" => lock.quarantine(claimed, "not JSON").unwrap(),
                _ => lock.release(claimed).unwrap(),
            }
        }
        let left: Vec<_> = spool.list().unwrap().into_iter().map(|e| e.id).collect();
        assert_eq!(left, ["later"]);
        assert_eq!(spool.rejected().unwrap()[0].id(), "bad");
        assert_eq!(spool.rejection_message("bad").unwrap(), "HTTP 400: bad pn");
        assert_eq!(spool.quarantined().unwrap()[0].id(), "junk");
    }

    #[test]
    fn second_flusher_is_locked_out_until_the_first_drops() {
        let spool = temp_spool("lock");
        let other = Spool::open(spool.dir()).unwrap();
        let first = spool.try_lock().unwrap();
        assert!(first.is_some());
        assert!(other.try_lock().unwrap().is_none());
        drop(first);
        assert!(other.try_lock().unwrap().is_some());
    }

    #[test]
    fn claims_of_a_dead_flusher_are_put_back() {
        let spool = temp_spool("recover");
        spool.put("r1", b"x").unwrap();
        let lock = spool.try_lock().unwrap().unwrap();
        let entry = lock.entries().unwrap().remove(0);
        let claimed = lock.claim(&entry).unwrap();
        assert!(spool.is_empty().unwrap());
        // Simulate a crash: the claim is never resolved.
        let _ = claimed;
        drop(lock);
        let lock = spool.try_lock().unwrap().unwrap();
        assert_eq!(lock.entries().unwrap().len(), 1);
    }

    #[test]
    fn newer_report_wins_over_a_released_claim() {
        let spool = temp_spool("newer");
        spool.put("r1", b"old").unwrap();
        let lock = spool.try_lock().unwrap().unwrap();
        let claimed = lock.claim(&lock.entries().unwrap()[0]).unwrap();
        spool.put("r1", b"new").unwrap();
        lock.release(claimed).unwrap();
        let list = spool.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(spool.read(&list[0]).unwrap(), b"new");
    }
}
