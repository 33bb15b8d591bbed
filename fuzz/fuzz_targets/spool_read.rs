//! Reading spool entries: a spooled file with any content (and any id) goes through the
//! spool's public API and the decode a flush does; bad content is quarantined.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wats_core::{Report, json};
use wats_spool::Spool;

fn spool() -> &'static Spool {
    static SPOOL: OnceLock<Spool> = OnceLock::new();
    SPOOL.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("wats-fuzz-spool-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Spool::open(dir).expect("spool dir")
    })
}

fuzz_target!(|input: (&str, &[u8])| {
    let (id, bytes) = input;
    let spool = spool();
    // Any id: refused or stored, never a panic or a path outside the spool.
    if let Ok(path) = spool.put(id, bytes) {
        assert!(path.starts_with(spool.dir()), "{path:?}");
    }
    let _ = spool.put("fuzz-entry", bytes);
    for entry in spool.list().unwrap_or_default() {
        let _ = spool.read(&entry);
    }
    let Ok(Some(lock)) = spool.try_lock() else {
        return;
    };
    for entry in lock.entries().unwrap_or_default() {
        let Ok(claimed) = lock.claim(&entry) else {
            continue;
        };
        let Ok(read) = lock.read(&claimed) else {
            let _ = lock.release(claimed);
            continue;
        };
        if json::from_slice::<Report>(&read).is_ok() {
            let _ = lock.complete(claimed);
        } else {
            let _ = lock.quarantine(claimed, "not a report");
        }
    }
    drop(lock);
    for entry in spool.quarantined().unwrap_or_default() {
        let _ = std::fs::remove_file(entry.path());
    }
    assert_eq!(spool.len().ok(), Some(0));
});
