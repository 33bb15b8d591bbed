//! The watched folder's on-disk state: the inbox, `.wats-watch/` (files taken, with the
//! report id each is submitted under), `done/` and `rejected/`.
//!
//! Every step is a rename inside one folder tree (atomic on one file system) or an atomic
//! write (temporary file, fsync, rename, directory fsync), so a crash at any point leaves
//! each report file in exactly one place.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::exit::Failure;

/// Folder of delivered report files.
pub(crate) const DONE_DIR: &str = "done";
/// Folder of rejected report files, each with `NAME.reason.txt` beside it.
pub(crate) const REJECTED_DIR: &str = "rejected";
/// Folder of taken files waiting for delivery, each with `NAME.id` once its id is fixed.
pub(crate) const STATE_DIR: &str = ".wats-watch";
const LOCK_FILE: &str = "lock";

fn io(path: &Path, e: &std::io::Error) -> Failure {
    Failure::failed(format!("{}: {e}", path.display()))
}

/// Make the renames in `dir` durable (a no-op where directories cannot be opened).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Write `bytes` to `path` atomically and durably.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".tmp-{}-{name}", std::process::id()));
    let mut file = File::create(&tmp).map_err(|e| io(&tmp, &e))?;
    file.write_all(bytes).map_err(|e| io(&tmp, &e))?;
    file.sync_all().map_err(|e| io(&tmp, &e))?;
    drop(file);
    fs::rename(&tmp, path).map_err(|e| io(path, &e))?;
    sync_dir(dir);
    Ok(())
}

/// Whether the inbox takes a file of this name: `*.json` (any case), not hidden.
pub(crate) fn is_report_name(name: &str) -> bool {
    !name.starts_with('.')
        && Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// A report file in the inbox with its size and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    /// The file name.
    pub(crate) name: String,
    /// Size in bytes.
    pub(crate) len: u64,
    /// Modification time.
    pub(crate) modified: Option<SystemTime>,
}

/// The watched folder.
#[derive(Debug)]
pub(crate) struct Journal {
    inbox: PathBuf,
    state: PathBuf,
    done: PathBuf,
    rejected: PathBuf,
    _lock: File,
}

impl Journal {
    /// Open `inbox`, creating `done/`, `rejected/` and `.wats-watch/`, and take the folder's
    /// lock (one watcher per folder).
    pub(crate) fn open(inbox: &Path) -> Result<Journal, Failure> {
        let state = inbox.join(STATE_DIR);
        let done = inbox.join(DONE_DIR);
        let rejected = inbox.join(REJECTED_DIR);
        for dir in [&state, &done, &rejected] {
            fs::create_dir_all(dir).map_err(|e| io(dir, &e))?;
        }
        let lock_path = state.join(LOCK_FILE);
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io(&lock_path, &e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Failure::failed(format!(
                    "another `wats watch` is watching {}",
                    inbox.display()
                )));
            }
            Err(fs::TryLockError::Error(e)) => return Err(io(&lock_path, &e)),
        }
        Ok(Journal {
            inbox: inbox.to_path_buf(),
            state,
            done,
            rejected,
            _lock: lock,
        })
    }

    /// The report files in the inbox, by name.
    pub(crate) fn scan_inbox(&self) -> Result<Vec<Seen>, Failure> {
        let mut seen = Vec::new();
        for entry in fs::read_dir(&self.inbox).map_err(|e| io(&self.inbox, &e))? {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name().to_string_lossy().into_owned();
            if !is_report_name(&name) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            seen.push(Seen {
                name,
                len: meta.len(),
                modified: meta.modified().ok(),
            });
        }
        seen.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(seen)
    }

    /// The inbox file `name` as seen now (`None` when it is gone).
    pub(crate) fn stat_inbox(&self, name: &str) -> Option<Seen> {
        let meta = fs::metadata(self.inbox.join(name)).ok()?;
        Some(Seen {
            name: name.to_owned(),
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }

    /// The inbox file `name`.
    pub(crate) fn inbox_path(&self, name: &str) -> PathBuf {
        self.inbox.join(name)
    }

    /// The taken file `name`.
    pub(crate) fn taken_path(&self, name: &str) -> PathBuf {
        self.state.join(name)
    }

    /// Files taken and not yet done or rejected, by name.
    pub(crate) fn taken(&self) -> Result<Vec<String>, Failure> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.state).map_err(|e| io(&self.state, &e))? {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_report_name(&name) {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Whether a file of this name is already taken (a second file of the same name waits).
    pub(crate) fn is_taken(&self, name: &str) -> bool {
        self.state.join(name).exists()
    }

    /// Take the inbox file `name`: rename it into `.wats-watch/`.
    pub(crate) fn take(&self, name: &str) -> Result<(), Failure> {
        let from = self.inbox.join(name);
        fs::rename(&from, self.state.join(name)).map_err(|e| io(&from, &e))?;
        sync_dir(&self.state);
        sync_dir(&self.inbox);
        Ok(())
    }

    /// The report id a taken file is submitted under, once fixed.
    pub(crate) fn id_of(&self, name: &str) -> Option<String> {
        fs::read_to_string(self.state.join(format!("{name}.id")))
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| wats_spool::is_valid_id(s))
    }

    /// Fix the report id of a taken file (durably, before the first submission).
    pub(crate) fn set_id(&self, name: &str, id: &str) -> Result<(), Failure> {
        write_atomic(&self.state.join(format!("{name}.id")), id.as_bytes())
    }

    /// A free name in `dir` for `name`: `name`, else `stem.1.ext`, `stem.2.ext`, ...
    fn free_name(dir: &Path, name: &str) -> PathBuf {
        let first = dir.join(name);
        if !first.exists() {
            return first;
        }
        let path = Path::new(name);
        let stem = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let ext = path
            .extension()
            .map_or_else(String::new, |e| e.to_string_lossy().into_owned());
        (1u32..)
            .map(|n| dir.join(format!("{stem}.{n}.{ext}")))
            .find(|p| !p.exists())
            .unwrap_or(first)
    }

    fn remove_id(&self, name: &str) {
        let _ = fs::remove_file(self.state.join(format!("{name}.id")));
        sync_dir(&self.state);
    }

    /// The taken file was delivered: move it to `done/`. Returns its new path.
    pub(crate) fn done(&self, name: &str) -> Result<PathBuf, Failure> {
        let from = self.state.join(name);
        let to = Self::free_name(&self.done, name);
        fs::rename(&from, &to).map_err(|e| io(&from, &e))?;
        sync_dir(&self.done);
        self.remove_id(name);
        Ok(to)
    }

    /// Reject a file (taken, or still in the inbox when `from_inbox`): the reason first, as
    /// `rejected/NAME.reason.txt`, then the file. Returns its new path.
    pub(crate) fn reject(
        &self,
        name: &str,
        reason: &str,
        from_inbox: bool,
    ) -> Result<PathBuf, Failure> {
        let from = if from_inbox {
            self.inbox.join(name)
        } else {
            self.state.join(name)
        };
        let to = Self::free_name(&self.rejected, name);
        let to_name = to
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        write_atomic(
            &self.rejected.join(format!("{to_name}.reason.txt")),
            format!("{}\n", reason.trim_end()).as_bytes(),
        )?;
        fs::rename(&from, &to).map_err(|e| io(&from, &e))?;
        sync_dir(&self.rejected);
        if !from_inbox {
            self.remove_id(name);
        }
        Ok(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_then_done_or_reject_keeps_each_file_in_one_place() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path()).unwrap();
        for name in ["a.json", "b.json", ".hidden.json", "c.json.part"] {
            fs::write(dir.path().join(name), "{}").unwrap();
        }
        let names: Vec<_> = j
            .scan_inbox()
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["a.json", "b.json"]);
        j.take("a.json").unwrap();
        j.set_id("a.json", "id-1").unwrap();
        assert_eq!(j.id_of("a.json").as_deref(), Some("id-1"));
        assert_eq!(j.taken().unwrap(), ["a.json"]);
        j.done("a.json").unwrap();
        assert!(j.taken().unwrap().is_empty());
        assert!(j.id_of("a.json").is_none());
        assert!(dir.path().join("done/a.json").exists());

        let to = j.reject("b.json", "HTTP 400: bad", true).unwrap();
        assert_eq!(to, dir.path().join("rejected/b.json"));
        let reason = fs::read_to_string(dir.path().join("rejected/b.json.reason.txt")).unwrap();
        assert_eq!(reason, "HTTP 400: bad\n");
        // a second file of the same name does not overwrite the first
        fs::write(dir.path().join("b.json"), "{}").unwrap();
        let to = j.reject("b.json", "again", true).unwrap();
        assert_eq!(to, dir.path().join("rejected/b.1.json"));
        // one watcher per folder
        assert!(Journal::open(dir.path()).is_err());
    }
}
