//! Whatever lies in a spool's folders (any file names, any bytes, directories where files are
//! expected), opening, listing, counting, locking, claiming, reading and putting back never
//! panic: they give a value or an error.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use wats_spool::{Spool, SpoolOptions};

fn fresh_dir() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "wats-spool-junk-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// A file name: mostly the shapes the spool looks for, with junk mixed in.
fn file_name() -> impl Strategy<Value = String> {
    let id = "[A-Za-z0-9._~-]{0,12}";
    prop_oneof![
        // entry-like names, with and without sequence numbers and attempts
        (
            proptest::option::of("[0-9]{18,22}"),
            id,
            proptest::option::of("[0-9x]{0,12}-[0-9-]{0,22}"),
            prop_oneof![
                Just("json"),
                Just("inflight"),
                Just("error.txt"),
                Just("tmp")
            ],
        )
            .prop_map(|(seq, id, att, ext)| {
                let mut s = seq.map(|s| format!("{s}-")).unwrap_or_default();
                s.push_str(&id);
                if let Some(a) = att {
                    s.push('~');
                    s.push_str(&a);
                }
                format!("{s}.{ext}")
            }),
        // temp-like and lock-like names
        "\\.(tmp-|seq|flush\\.lock)[a-z0-9-]{0,8}",
        // anything a file system accepts
        "[^/\u{0}]{1,60}",
    ]
    .prop_filter("a file name", |n| {
        !n.is_empty() && n != "." && n != ".." && n.len() <= 255
    })
}

#[derive(Debug, Clone)]
struct Junk {
    folder: usize,
    name: String,
    bytes: Vec<u8>,
    as_dir: bool,
}

fn junk() -> impl Strategy<Value = Junk> {
    (
        0usize..3,
        file_name(),
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(folder, name, bytes, as_dir)| Junk {
            folder,
            name,
            bytes,
            as_dir,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn junk_in_the_folders_never_panics(files in proptest::collection::vec(junk(), 0..24)) {
        let dir = fresh_dir();
        let folders = [dir.clone(), dir.join("rejected"), dir.join("quarantine")];
        for f in &folders {
            fs::create_dir_all(f).unwrap();
        }
        for j in &files {
            let path = folders[j.folder].join(&j.name);
            // Names the file system refuses are skipped; the spool never sees them.
            let _ = if j.as_dir { fs::create_dir_all(&path) } else { fs::write(&path, &j.bytes) };
        }
        let Ok(spool) = Spool::open_with(&dir, SpoolOptions::default()) else {
            let _ = fs::remove_dir_all(&dir);
            return Ok(());
        };
        let listed = spool.list();
        let _ = spool.len();
        let _ = spool.rejected();
        let _ = spool.quarantined();
        if let Ok(list) = &listed {
            for entry in list {
                let _ = spool.read(entry);
                let _ = entry.attempts();
                let _ = spool.rejection_message(entry.id());
            }
        }
        if let Ok(Some(lock)) = spool.try_lock() {
            if let Ok(entries) = lock.entries() {
                for entry in entries {
                    if let Ok(mut claimed) = lock.claim(&entry) {
                        let _ = lock.read(&claimed);
                        let _ = lock.record_attempt(&mut claimed, "junk");
                        let _ = lock.release(claimed);
                    }
                }
            }
        }
        // Whatever was there, a new report still goes in and comes out first-class.
        let before = spool.len().unwrap_or(0);
        if spool.put("00000000-0000-4000-8000-0000000000ff", b"{}").is_ok() {
            let after = spool.list().unwrap();
            prop_assert!(after.iter().any(|e| e.id() == "00000000-0000-4000-8000-0000000000ff"));
            prop_assert!(after.len() <= before + 1);
        }
        let _ = fs::remove_dir_all(&dir);
    }
}
