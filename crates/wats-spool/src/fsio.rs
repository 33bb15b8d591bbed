//! Durable file operations: temporary files, no-replace moves, directory fsyncs.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{SpoolResult, io_err};

/// Prefix of every temporary file (also of the `.tmp-<pid>-<n>` names of earlier versions).
pub(crate) const TMP_PREFIX: &str = ".tmp-";
/// Tries at a fresh random temp name before giving up (a clash of 128 random bits is not
/// expected even once; the retry only guards a misbehaving random source).
const TEMP_TRIES: usize = 8;

#[cfg(test)]
pub(crate) mod hooks {
    //! Test-only points to inject names and interleavings and observe fsyncs (per thread).
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::path::{Path, PathBuf};

    thread_local! {
        pub(crate) static TEMP_NAMES: RefCell<VecDeque<String>> =
            const { RefCell::new(VecDeque::new()) };
        pub(crate) static SYNCED: RefCell<Vec<PathBuf>> = const { RefCell::new(Vec::new()) };
        #[allow(clippy::type_complexity)]
        pub(crate) static BEFORE_PLACE: RefCell<Option<Box<dyn FnMut(&Path)>>> =
            const { RefCell::new(None) };
    }

    pub(crate) fn before_place(target: &Path) {
        BEFORE_PLACE.with(|h| {
            if let Some(f) = h.borrow_mut().as_mut() {
                f(target);
            }
        });
    }
}

/// A fresh temp-file name: [`TMP_PREFIX`] and 128 random bits, so writers in other processes,
/// containers or hosts sharing the directory do not pick the same name, whatever their process
/// ids. The bits come from `fastrand` (a per-thread generator seeded from the OS's randomness),
/// not from a system call per name: the name only has to be unlikely to clash, since it is
/// created with `create_new` and a clash just means another try.
fn temp_name() -> String {
    #[cfg(test)]
    if let Some(name) = hooks::TEMP_NAMES.with(|q| q.borrow_mut().pop_front()) {
        return name;
    }
    format!(
        "{TMP_PREFIX}{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

/// Make the entries of `dir` (renames, creations, removals) durable. On Windows this does
/// nothing (see the crate docs, "Durability").
pub(crate) fn sync_dir(dir: &Path) -> SpoolResult<()> {
    #[cfg(test)]
    hooks::SYNCED.with(|s| s.borrow_mut().push(dir.to_path_buf()));
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_err(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn parent_of(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `create_dir_all` that fsyncs every directory it creates and the parent of each, so the new
/// directories survive a power loss.
pub(crate) fn create_dir_durable(dir: &Path) -> SpoolResult<()> {
    let mut missing = Vec::new();
    let mut cur = dir.to_path_buf();
    loop {
        match fs::metadata(&cur) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => {
                return Err(io_err(
                    &cur,
                    std::io::Error::new(ErrorKind::NotADirectory, "not a directory"),
                ));
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                missing.push(cur.clone());
                match cur.parent() {
                    Some(p) if !p.as_os_str().is_empty() => cur = p.to_path_buf(),
                    _ => break,
                }
            }
            Err(e) => return Err(io_err(&cur, e)),
        }
    }
    for created in missing.iter().rev() {
        match fs::create_dir(created) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists && created.is_dir() => {}
            Err(e) => return Err(io_err(created, e)),
        }
        sync_dir(created)?;
        sync_dir(&parent_of(created))?;
    }
    Ok(())
}

/// Write `bytes` to a new temporary file in `dir` and fsync it. The file is created with
/// `create_new`, so it is ours: it is removed here on failure, and a name that exists already
/// (another writer's) is never touched. Returns the temp file's path.
pub(crate) fn write_temp(dir: &Path, bytes: &[u8]) -> SpoolResult<PathBuf> {
    let mut last = None;
    for _ in 0..TEMP_TRIES {
        let tmp = dir.join(temp_name());
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                last = Some(io_err(&tmp, e));
                continue;
            }
            Err(e) => return Err(io_err(&tmp, e)),
        };
        let written = file.write_all(bytes).and_then(|()| file.sync_all());
        drop(file);
        return match written {
            Ok(()) => Ok(tmp),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(io_err(&tmp, e))
            }
        };
    }
    Err(last.unwrap_or_else(|| io_err(dir, std::io::Error::other("no temp name"))))
}

/// Move `from` to `to` unless `to` exists: `Ok(true)` when moved, `Ok(false)` (and `from`
/// left in place) when `to` exists. Atomic where hard links work (a link never replaces):
/// link, then remove `from`. On a file system without hard links (FAT, some network shares)
/// it falls back to a check and a rename, with a window between the two.
pub(crate) fn move_noreplace(from: &Path, to: &Path) -> SpoolResult<bool> {
    #[cfg(test)]
    hooks::before_place(to);
    match fs::hard_link(from, to) {
        Ok(()) => {
            match fs::remove_file(from) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(from, e)),
            }
            Ok(true)
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(io_err(from, e)),
        Err(_) => {
            if fs::symlink_metadata(to).is_ok() {
                return Ok(false);
            }
            fs::rename(from, to).map_err(|e| io_err(from, e))?;
            Ok(true)
        }
    }
}

/// Remove temporary files older than `older_than` from `dir` (left by a writer that crashed:
/// no write takes that long). Errors are ignored: this is housekeeping.
pub(crate) fn remove_stale_temp_files(dir: &Path, older_than: Duration, now: SystemTime) {
    let Ok(read) = fs::read_dir(dir) else {
        return;
    };
    for item in read.flatten() {
        if !item.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            continue;
        }
        let Ok(meta) = item.metadata() else { continue };
        let old = meta.is_file()
            && meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age > older_than);
        if old {
            let _ = fs::remove_file(item.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dir;

    #[test]
    fn a_taken_temp_name_is_skipped_and_left_alone() {
        let dir = test_dir("tmpclash");
        fs::create_dir_all(&dir).unwrap();
        let theirs = dir.join(".tmp-aaaa");
        fs::write(&theirs, b"another writer's bytes").unwrap();
        hooks::TEMP_NAMES.with(|q| {
            q.borrow_mut()
                .extend([".tmp-aaaa".to_owned(), ".tmp-bbbb".to_owned()]);
        });
        let ours = write_temp(&dir, b"mine").unwrap();
        assert_eq!(ours, dir.join(".tmp-bbbb"));
        assert_eq!(fs::read(&theirs).unwrap(), b"another writer's bytes");
        assert_eq!(fs::read(&ours).unwrap(), b"mine");
    }

    #[test]
    fn a_failed_write_removes_only_its_own_temp_file() {
        let dir = test_dir("tmpfail");
        fs::create_dir_all(&dir).unwrap();
        let theirs = dir.join(".tmp-cccc");
        fs::write(&theirs, b"theirs").unwrap();
        // Every name offered is taken: the write fails without touching the other file.
        hooks::TEMP_NAMES.with(|q| {
            q.borrow_mut()
                .extend(std::iter::repeat_n(".tmp-cccc".to_owned(), TEMP_TRIES));
        });
        assert!(write_temp(&dir, b"mine").is_err());
        assert_eq!(fs::read(&theirs).unwrap(), b"theirs");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[test]
    fn move_noreplace_never_replaces() {
        let dir = test_dir("noreplace");
        fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a"), dir.join("b"));
        fs::write(&a, b"old").unwrap();
        fs::write(&b, b"new").unwrap();
        assert!(!move_noreplace(&a, &b).unwrap());
        assert_eq!(fs::read(&b).unwrap(), b"new");
        assert!(a.exists());
        let c = dir.join("c");
        assert!(move_noreplace(&a, &c).unwrap());
        assert!(!a.exists());
        assert_eq!(fs::read(&c).unwrap(), b"old");
    }

    #[test]
    fn created_directories_and_their_parents_are_synced() {
        let base = test_dir("mkdirs");
        fs::create_dir_all(&base).unwrap();
        let deep = base.join("a").join("b");
        hooks::SYNCED.with(|s| s.borrow_mut().clear());
        create_dir_durable(&deep).unwrap();
        let synced = hooks::SYNCED.with(|s| s.borrow().clone());
        for dir in [base.clone(), base.join("a"), deep.clone()] {
            assert!(synced.contains(&dir), "{dir:?} not synced: {synced:?}");
        }
        // Nothing is created (or synced) the second time.
        hooks::SYNCED.with(|s| s.borrow_mut().clear());
        create_dir_durable(&deep).unwrap();
        assert!(hooks::SYNCED.with(|s| s.borrow().is_empty()));
    }
}
