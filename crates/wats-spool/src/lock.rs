//! The flush lock and what a flusher does with each entry.

use std::fs::{self, File, OpenOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use wats_core::Result;

use crate::dead_letter::Attempts;
use crate::error::{SpoolError, SpoolResult, io_err};
use crate::limits::Area;
use crate::listing::{self, SpoolEntry};
use crate::name::{EntryName, INFLIGHT_EXT, REPORT_EXT, epoch_secs};
use crate::{Spool, fsio, inflight_name};

const LOCK_FILE: &str = ".flush.lock";

/// An entry taken out of the queue for sending; see [`FlushLock::claim`].
#[derive(Debug)]
#[must_use = "a claimed entry must be completed, rejected, quarantined or released"]
pub struct Claimed {
    name: EntryName,
    path: PathBuf,
    len: u64,
}

impl Claimed {
    /// The report id.
    pub fn id(&self) -> &str {
        &self.name.id
    }

    /// The failed attempts recorded so far (see [`FlushLock::record_attempt`]).
    pub fn attempts(&self) -> Attempts {
        self.name.attempts()
    }

    /// The entry's sequence number (`None` for a file from before sequence numbers).
    pub fn sequence(&self) -> Option<u64> {
        self.name.seq
    }
}

/// Time for [`Spool::lock_timeout`]: the real clock, or a test's.
pub(crate) trait LockClock {
    /// Time since the wait began.
    fn elapsed(&mut self) -> Duration;
    /// Wait this long.
    fn sleep(&mut self, d: Duration);
}

struct RealClock(Instant);

impl LockClock for RealClock {
    fn elapsed(&mut self) -> Duration {
        self.0.elapsed()
    }

    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }
}

impl Spool {
    fn lock_file(&self) -> SpoolResult<File> {
        let path = self.dir().join(LOCK_FILE);
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))
    }

    /// Take the flush lock if no other flusher (in any process) holds it.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`] when the lock file cannot be opened or locked, or claims left
    /// by a dead flusher cannot be put back.
    pub fn try_lock(&self) -> Result<Option<FlushLock>> {
        Ok(self.try_lock_now()?)
    }

    fn try_lock_now(&self) -> SpoolResult<Option<FlushLock>> {
        let file = self.lock_file()?;
        match file.try_lock() {
            Ok(()) => self.locked(file).map(Some),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(io_err(&self.dir().join(LOCK_FILE), e)),
        }
    }

    /// Take the flush lock, waiting as long as another flusher holds it (without limit;
    /// see [`lock_timeout`](Self::lock_timeout)).
    ///
    /// # Errors
    /// As [`try_lock`](Self::try_lock).
    pub fn lock(&self) -> Result<FlushLock> {
        let file = self.lock_file()?;
        file.lock()
            .map_err(|e| io_err(&self.dir().join(LOCK_FILE), e))?;
        Ok(self.locked(file)?)
    }

    /// Take the flush lock, trying again every [`SpoolOptions::lock_poll`](crate::SpoolOptions::lock_poll)
    /// while another flusher holds it, for at most `timeout` (zero: one try).
    ///
    /// # Errors
    /// [`SpoolError::LockTimeout`] when the lock stayed busy; [`SpoolError::Io`] as
    /// [`try_lock`](Self::try_lock).
    pub fn lock_timeout(&self, timeout: Duration) -> SpoolResult<FlushLock> {
        self.lock_waiting(timeout, &mut RealClock(Instant::now()))
    }

    pub(crate) fn lock_waiting(
        &self,
        timeout: Duration,
        clock: &mut dyn LockClock,
    ) -> SpoolResult<FlushLock> {
        let poll = self.options().lock_poll;
        let mut attempts = 0u32;
        loop {
            attempts = attempts.saturating_add(1);
            if let Some(lock) = self.try_lock_now()? {
                return Ok(lock);
            }
            let waited = clock.elapsed();
            if waited >= timeout {
                return Err(SpoolError::LockTimeout { waited, attempts });
            }
            clock.sleep(poll.min(timeout - waited));
        }
    }

    fn locked(&self, file: File) -> SpoolResult<FlushLock> {
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

    /// The reports waiting, oldest first. Older files superseded by a newer report with the
    /// same id are removed.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`] when the directory cannot be read.
    pub fn entries(&self) -> Result<Vec<SpoolEntry>> {
        let listing = self.spool.listing()?;
        if !listing.superseded.is_empty() {
            for old in &listing.superseded {
                match fs::remove_file(&old.path) {
                    Ok(()) => self.spool.accounts().release(Area::Spool, 1, old.len),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io_err(&old.path, e).into()),
                }
            }
            fsio::sync_dir(self.spool.dir())?;
        }
        Ok(listing.entries)
    }

    /// Put back claims left by a flusher that died mid-send.
    fn recover_claims(&self) -> SpoolResult<()> {
        let stale = listing::list(self.spool.dir(), INFLIGHT_EXT)?;
        for e in stale.entries.into_iter().chain(stale.superseded) {
            self.put_back(Claimed {
                name: e.name,
                path: e.path,
                len: e.len,
            })?;
        }
        Ok(())
    }

    /// Take `entry` out of the queue for sending (an atomic rename to `.inflight`).
    ///
    /// # Errors
    /// [`wats_core::Error::Io`], of kind `NotFound` when the entry is gone (claimed or
    /// superseded meanwhile).
    pub fn claim(&self, entry: &SpoolEntry) -> Result<Claimed> {
        let path = self.spool.dir().join(inflight_name(&entry.name));
        fs::rename(&entry.path, &path).map_err(|e| io_err(&entry.path, e))?;
        Ok(Claimed {
            name: entry.name.clone(),
            path,
            len: entry.len,
        })
    }

    /// Read a claimed report.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`].
    pub fn read(&self, claimed: &Claimed) -> Result<Vec<u8>> {
        fs::read(&claimed.path).map_err(|e| io_err(&claimed.path, e).into())
    }

    /// The report was delivered: delete it.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`].
    pub fn complete(&self, claimed: Claimed) -> Result<()> {
        let Claimed { path, len, .. } = claimed;
        fs::remove_file(&path).map_err(|e| io_err(&path, e))?;
        self.spool.accounts().release(Area::Spool, 1, len);
        Ok(fsio::sync_dir(self.spool.dir())?)
    }

    /// Delivery must wait: put the report back in the queue, at its place in the order. A
    /// newer report with the same id spooled meanwhile has a newer name and wins at the next
    /// listing; should a file hold the very name (another process), it is kept and this one
    /// dropped: the move never replaces (see "Durability" for file systems without hard links).
    ///
    /// # Errors
    /// [`wats_core::Error::Io`].
    pub fn release(&self, claimed: Claimed) -> Result<()> {
        Ok(self.put_back(claimed)?)
    }

    fn put_back(&self, claimed: Claimed) -> SpoolResult<()> {
        let Claimed { name, path, .. } = claimed;
        let back = self.spool.dir().join(name.file_name(REPORT_EXT));
        if !fsio::move_noreplace(&path, &back)? {
            fs::remove_file(&path).map_err(|e| io_err(&path, e))?;
        }
        fsio::sync_dir(self.spool.dir())
    }

    /// Record a failed attempt at sending `claimed` (durably, in its file name: one rename and
    /// a directory fsync) and return the attempts so far; the first one's time is now. `reason`
    /// is logged (debug), not stored: the answer that finally dead-letters a report goes
    /// beside it in `rejected/` ([`reject`](Self::reject)). Check a [`DeadLetter`](crate::DeadLetter)
    /// policy with the result, then [`reject`](Self::reject) or [`release`](Self::release).
    ///
    /// # Errors
    /// [`SpoolError::Io`]; the claim then keeps its previous count.
    pub fn record_attempt(&self, claimed: &mut Claimed, reason: &str) -> SpoolResult<Attempts> {
        self.record_attempt_at(claimed, reason, SystemTime::now())
    }

    /// [`record_attempt`](Self::record_attempt) at a given time (a test clock).
    ///
    /// # Errors
    /// As [`record_attempt`](Self::record_attempt).
    pub fn record_attempt_at(
        &self,
        claimed: &mut Claimed,
        reason: &str,
        now: SystemTime,
    ) -> SpoolResult<Attempts> {
        let mut name = claimed.name.clone();
        name.attempts = name.attempts.saturating_add(1);
        name.first_attempt = Some(name.first_attempt.unwrap_or_else(|| epoch_secs(now)));
        let path = self.spool.dir().join(inflight_name(&name));
        fs::rename(&claimed.path, &path).map_err(|e| io_err(&claimed.path, e))?;
        fsio::sync_dir(self.spool.dir())?;
        tracing::debug!(id = %name.id, attempts = name.attempts, reason, "spool: failed attempt recorded");
        claimed.name = name;
        claimed.path = path;
        Ok(claimed.attempts())
    }

    /// The server rejected the report: move it to `rejected/`, with `message` (the server's
    /// answer) in `rejected/<id>.error.txt`. An earlier rejected report with the same id is
    /// replaced.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`]. When `rejected/` is full the report is put back in the queue
    /// and the error's source carries [`SpoolError::Full`] ([`SpoolError::find`]).
    pub fn reject(&self, claimed: Claimed, message: &str) -> Result<()> {
        Ok(self.move_aside(claimed, Area::Rejected, message)?)
    }

    /// The file cannot be parsed: move it to `quarantine/`, with `reason` beside it.
    ///
    /// # Errors
    /// As [`reject`](Self::reject), for `quarantine/`.
    pub fn quarantine(&self, claimed: Claimed, reason: &str) -> Result<()> {
        tracing::warn!(id = %claimed.id(), reason, "spool file quarantined");
        Ok(self.move_aside(claimed, Area::Quarantine, reason)?)
    }

    fn move_aside(&self, claimed: Claimed, area: Area, message: &str) -> SpoolResult<()> {
        let bytes = claimed.len.saturating_add(message.len() as u64);
        if let Err(full) = self.spool.reserve(area, bytes) {
            self.put_back(claimed)?;
            return Err(full);
        }
        let moved = self.move_into(&claimed, area, message);
        match moved {
            Ok(()) => {
                self.spool.accounts().release(Area::Spool, 1, claimed.len);
                Ok(())
            }
            Err(e) => {
                self.spool.accounts().release(area, 1, bytes);
                Err(e)
            }
        }
    }

    fn move_into(&self, claimed: &Claimed, area: Area, message: &str) -> SpoolResult<()> {
        let dir = self.spool.area_dir(area);
        let id = claimed.id();
        let tmp = fsio::write_temp(&dir, message.as_bytes())?;
        let note = dir.join(format!("{id}.error.txt"));
        if let Err(e) = fs::rename(&tmp, &note) {
            let _ = fs::remove_file(&tmp);
            return Err(io_err(&note, e));
        }
        let target = dir.join(format!("{id}.{REPORT_EXT}"));
        fs::rename(&claimed.path, &target).map_err(|e| io_err(&claimed.path, e))?;
        fsio::sync_dir(&dir)?;
        fsio::sync_dir(self.spool.dir())
    }
}

#[cfg(test)]
pub(crate) mod test_clock {
    //! A clock that only moves when slept on, and counts the sleeps.
    use super::*;

    pub(crate) struct FakeClock<F: FnMut(u32)> {
        pub(crate) now: Duration,
        pub(crate) sleeps: u32,
        pub(crate) on_sleep: F,
    }

    impl<F: FnMut(u32)> LockClock for FakeClock<F> {
        fn elapsed(&mut self) -> Duration {
            self.now
        }

        fn sleep(&mut self, d: Duration) {
            self.sleeps += 1;
            self.now += d;
            (self.on_sleep)(self.sleeps);
        }
    }
}
