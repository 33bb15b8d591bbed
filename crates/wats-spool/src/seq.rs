//! The spool's sequence numbers: one counter shared by every handle and process using the
//! directory.
//!
//! The next number lives in `.seq` (8 bytes, little endian) in the spool directory. Taking a
//! number locks that file (an OS file lock, as the flush lock uses; it dies with its process),
//! reads it, writes it plus one, and unlocks: four system calls, no fsync. The file needs no
//! durability: at open the counter is raised above the highest number found in the directory,
//! so a counter lost in a power cut resumes after every entry that survived. Numbers therefore
//! follow the real-time order of `put` calls across processes on the same host (and on network
//! file systems whose locks work). Should the lock fail (a file system without locks), the
//! handle falls back to its own counter, raised past every number it has seen; entry names
//! still never collide (they are claimed with a no-replace link), only the order between
//! processes is then approximate.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{SpoolResult, io_err};

const SEQ_FILE: &str = ".seq";

#[derive(Debug)]
pub(crate) struct Sequence {
    file: Mutex<Option<File>>,
    /// The next number as far as this handle knows (the fallback counter).
    local: AtomicU64,
}

fn read_u64(file: &File) -> std::io::Result<u64> {
    let mut buf = [0u8; 8];
    let n = read_at(file, &mut buf)?;
    Ok(if n == 8 { u64::from_le_bytes(buf) } else { 0 })
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8]) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, 0)
}

#[cfg(unix)]
fn write_at(file: &File, buf: &[u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, 0)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8]) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, 0)
}

#[cfg(windows)]
fn write_at(file: &File, buf: &[u8]) -> std::io::Result<()> {
    let n = std::os::windows::fs::FileExt::seek_write(file, buf, 0)?;
    if n == buf.len() {
        Ok(())
    } else {
        Err(std::io::Error::from(std::io::ErrorKind::WriteZero))
    }
}

#[cfg(not(any(unix, windows)))]
fn read_at(mut file: &File, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(0))?;
    file.read(buf)
}

#[cfg(not(any(unix, windows)))]
fn write_at(mut file: &File, buf: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    file.seek(SeekFrom::Start(0))?;
    file.write_all(buf)
}

/// Under the file lock: the number in the file raised to at least `floor` (returned), written
/// back plus `step`.
fn locked_update(file: &File, floor: u64, step: u64) -> std::io::Result<u64> {
    file.lock()?;
    let result = read_u64(file).and_then(|stored| {
        let next = stored.max(floor);
        write_at(file, &next.saturating_add(step).to_le_bytes())?;
        Ok(next)
    });
    let unlocked = file.unlock();
    let next = result?;
    unlocked?;
    Ok(next)
}

impl Sequence {
    /// Open the counter of `dir`, raised to at least `floor` (one past the highest number
    /// found there).
    pub(crate) fn open(dir: &Path, floor: u64) -> SpoolResult<Sequence> {
        let path = dir.join(SEQ_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        let seq = Sequence {
            file: Mutex::new(None),
            local: AtomicU64::new(floor),
        };
        match locked_update(&file, floor, 0) {
            Ok(next) => {
                seq.local.fetch_max(next, Ordering::Relaxed);
                *seq.file
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(file);
            }
            Err(e) => tracing::warn!(error = %e, "spool sequence file cannot be locked; \
                the order between processes sharing the spool is approximate"),
        }
        Ok(seq)
    }

    /// Take the next number.
    pub(crate) fn next(&self) -> u64 {
        let floor = self.local.load(Ordering::Relaxed);
        let guard = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(file) = guard.as_ref() {
            if let Ok(n) = locked_update(file, floor, 1) {
                self.local.fetch_max(n.saturating_add(1), Ordering::Relaxed);
                return n;
            }
        }
        drop(guard);
        self.local.fetch_add(1, Ordering::Relaxed)
    }

    /// Make sure later numbers are above `seen` (found in the directory).
    pub(crate) fn observe(&self, seen: u64) {
        self.local
            .fetch_max(seen.saturating_add(1), Ordering::Relaxed);
    }
}
