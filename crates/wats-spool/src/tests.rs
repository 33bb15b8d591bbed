//! Behaviour of the spool as a whole (unit tests with access to the test hooks).

use std::fs;
use std::time::{Duration, SystemTime};

use wats_core::Error;

use crate::fsio::{TMP_PREFIX, hooks};
use crate::lock::test_clock::FakeClock;
use crate::*;

fn temp_spool(name: &str) -> Spool {
    Spool::open(test_dir(name)).unwrap()
}

fn ids(entries: &[SpoolEntry]) -> Vec<String> {
    entries.iter().map(|e| e.id().to_owned()).collect()
}

fn set_mtime(path: &Path, t: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

#[test]
fn put_list_read_in_spool_order() {
    let spool = temp_spool("order");
    let order = ["m", "b", "z", "a", "c", "y"];
    for id in order {
        spool.put(id, id.as_bytes()).unwrap();
    }
    assert_eq!(ids(&spool.list().unwrap()), order);
    let first = &spool.list().unwrap()[0];
    assert_eq!(spool.read(first).unwrap(), b"m");
    assert_eq!(spool.len().unwrap(), order.len());
}

#[test]
fn order_is_the_sequence_not_the_clock() {
    let spool = temp_spool("clock");
    let order = ["first", "second", "third"];
    let entries: Vec<_> = order
        .iter()
        .map(|id| spool.put_entry(id, b"{}").unwrap())
        .collect();
    // The clock jumps back between writes (or the file system stamps coarsely): the first
    // report has the newest time, the last the oldest; equal times tie.
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    set_mtime(entries[0].path(), t + Duration::from_secs(3600));
    set_mtime(entries[1].path(), t);
    set_mtime(entries[2].path(), t);
    assert_eq!(ids(&spool.list().unwrap()), order);
    assert!(entries[0].sequence() < entries[1].sequence());
    assert!(entries[1].sequence() < entries[2].sequence());
}

#[test]
fn old_format_files_are_read_first_by_modification_time() {
    let spool = temp_spool("legacy");
    spool.put("new-1", b"n").unwrap();
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    for (id, secs) in [("old-b", 20), ("old-a", 10)] {
        let path = spool.dir().join(format!("{id}.json"));
        fs::write(&path, id).unwrap();
        set_mtime(&path, t + Duration::from_secs(secs));
    }
    let list = spool.list().unwrap();
    assert_eq!(ids(&list), ["old-a", "old-b", "new-1"]);
    assert_eq!(list[0].sequence(), None);
    // They go through a flush like any other entry.
    let lock = spool.try_lock().unwrap().unwrap();
    let claimed = lock.claim(&lock.entries().unwrap()[0]).unwrap();
    assert_eq!(lock.read(&claimed).unwrap(), b"old-a");
    lock.release(claimed).unwrap();
    assert_eq!(ids(&spool.list().unwrap()), ["old-a", "old-b", "new-1"]);
}

#[test]
fn the_sequence_resumes_above_every_file_even_without_its_counter() {
    let dir = test_dir("resume");
    let spool = Spool::open(&dir).unwrap();
    let mut last = None;
    for i in 0..3 {
        last = Some(spool.put_entry(&format!("r{i}"), b"x").unwrap());
    }
    let last = last.unwrap();
    drop(spool);
    fs::remove_file(dir.join(".seq")).unwrap();
    let again = Spool::open(&dir).unwrap();
    let next = again.put_entry("r9", b"x").unwrap();
    assert!(next.sequence() > last.sequence());
    assert_eq!(ids(&again.list().unwrap()), ["r0", "r1", "r2", "r9"]);
}

#[test]
fn handles_sharing_a_directory_share_one_order() {
    let dir = test_dir("shared");
    let a = Spool::open(&dir).unwrap();
    let b = Spool::open(&dir).unwrap(); // as another process would: its own file handles
    a.put("a1", b"x").unwrap();
    for i in 0..5 {
        b.put(&format!("b{i}"), b"x").unwrap();
    }
    a.put("a2", b"x").unwrap();
    b.put("b5", b"x").unwrap();
    assert_eq!(
        ids(&a.list().unwrap()),
        ["a1", "b0", "b1", "b2", "b3", "b4", "a2", "b5"]
    );
}

#[test]
fn a_taken_entry_name_is_never_replaced() {
    let spool = temp_spool("taken");
    let probe = spool.put_entry("probe", b"p").unwrap();
    let next = probe.sequence().unwrap() + 1;
    // Another writer already holds the name the next put of `r1` would take.
    let theirs = spool.dir().join(format!("{next:020}-r1.json"));
    fs::write(&theirs, b"theirs").unwrap();
    let ours = spool.put_entry("r1", b"ours").unwrap();
    assert_eq!(ours.sequence(), Some(next + 1));
    assert_eq!(fs::read(&theirs).unwrap(), b"theirs");
    assert_eq!(fs::read(ours.path()).unwrap(), b"ours");
}

#[test]
fn same_id_supersedes_and_no_temp_file_is_visible() {
    let spool = temp_spool("overwrite");
    spool.put("r1", b"one").unwrap();
    spool.put("r2", b"x").unwrap();
    spool.put("r1", b"two").unwrap();
    let list = spool.list().unwrap();
    assert_eq!(ids(&list), ["r2", "r1"], "the newer r1 takes its place");
    assert_eq!(spool.read(&list[1]).unwrap(), b"two");
    let names: Vec<_> = fs::read_dir(spool.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(TMP_PREFIX)),
        "{names:?}"
    );
    // A flush removes the superseded file.
    let lock = spool.try_lock().unwrap().unwrap();
    assert_eq!(lock.entries().unwrap().len(), 2);
    let reports = fs::read_dir(spool.dir())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("json".as_ref()))
        .count();
    assert_eq!(reports, 2);
}

#[test]
fn hostile_ids_are_rejected() {
    let spool = temp_spool("ids");
    for id in ["", "../x", "a/b", ".hidden", "a\\b", "x\0y", "a~1-2"] {
        assert!(
            matches!(spool.put(id, b"{}"), Err(Error::InvalidInput { .. })),
            "{id:?}"
        );
        assert!(matches!(
            spool.put_entry(id, b"{}"),
            Err(SpoolError::InvalidId { .. })
        ));
    }
    assert!(spool.is_empty().unwrap());
}

#[test]
fn put_entry_gives_the_id_and_find_sees_it() {
    let spool = temp_spool("find");
    let id = new_id();
    let entry = spool.put_entry(&id, b"{}").unwrap();
    assert_eq!(entry.id(), id);
    assert!(entry.path().starts_with(spool.dir()));
    assert_eq!(spool.find(&id).unwrap().unwrap().path(), entry.path());
    assert!(spool.find("other").unwrap().is_none());
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
    assert_eq!(ids(&spool.list().unwrap()), ["later"]);
    assert_eq!(spool.rejected().unwrap()[0].id(), "bad");
    assert_eq!(spool.read(&spool.rejected().unwrap()[0]).unwrap(), b"bad");
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
fn a_busy_lock_is_waited_for_a_bounded_number_of_tries() {
    let spool = Spool::open_with(
        test_dir("locktimeout"),
        SpoolOptions::default().lock_poll(Duration::from_millis(25)),
    )
    .unwrap();
    let holder = spool.try_lock().unwrap().unwrap();
    let mut clock = FakeClock {
        now: Duration::ZERO,
        sleeps: 0,
        on_sleep: |_| {},
    };
    match spool.lock_waiting(Duration::from_millis(100), &mut clock) {
        Err(SpoolError::LockTimeout { waited, attempts }) => {
            // Tries at 0, 25, 50, 75 and 100 ms.
            assert_eq!((waited, attempts), (Duration::from_millis(100), 5));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(clock.sleeps, 4);

    // The holder lets go during the wait: the lock is taken at the next try.
    let mut holder = Some(holder);
    let mut clock = FakeClock {
        now: Duration::ZERO,
        sleeps: 0,
        on_sleep: |n| {
            if n == 2 {
                holder.take();
            }
        },
    };
    assert!(
        spool
            .lock_waiting(Duration::from_secs(3600), &mut clock)
            .is_ok()
    );
    assert_eq!(clock.sleeps, 2);
    // Zero: one try only.
    let _held = spool.try_lock().unwrap().unwrap();
    let other = Spool::open(spool.dir()).unwrap();
    assert!(matches!(
        other.lock_timeout(Duration::ZERO),
        Err(SpoolError::LockTimeout { attempts: 1, .. })
    ));
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
    let list = lock.entries().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(spool.read(&list[0]).unwrap(), b"new");
}

#[test]
fn release_never_replaces_a_report_written_at_the_last_moment() {
    // The interleaving of the old bug, built directly: between release's decision and its
    // move, another writer puts a newer report at the very name release moves to.
    let spool = temp_spool("race");
    spool.put("r1", b"old").unwrap();
    let lock = spool.try_lock().unwrap().unwrap();
    let claimed = lock.claim(&lock.entries().unwrap()[0]).unwrap();
    hooks::BEFORE_PLACE.with(|h| {
        *h.borrow_mut() = Some(Box::new(|target: &Path| {
            fs::write(target, b"newer").unwrap();
        }));
    });
    let released = lock.release(claimed);
    hooks::BEFORE_PLACE.with(|h| h.borrow_mut().take());
    released.unwrap();
    let list = spool.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(spool.read(&list[0]).unwrap(), b"newer");
    let inflight = fs::read_dir(spool.dir())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("inflight".as_ref()))
        .count();
    assert_eq!(inflight, 0);
}

#[test]
fn stale_temp_files_are_cleaned_in_every_folder() {
    let dir = test_dir("stale");
    let spool = Spool::open(&dir).unwrap();
    let old = SystemTime::now() - Duration::from_secs(3600);
    let mut stale = Vec::new();
    let mut fresh = Vec::new();
    for sub in [
        dir.clone(),
        dir.join(REJECTED_DIR),
        dir.join(QUARANTINE_DIR),
    ] {
        let s = sub.join(".tmp-1234-0");
        fs::write(&s, b"crashed writer").unwrap();
        set_mtime(&s, old);
        stale.push(s);
        let f = sub.join(".tmp-00ff");
        fs::write(&f, b"a writer at work").unwrap();
        fresh.push(f);
    }
    drop(spool);
    Spool::open(&dir).unwrap();
    for s in &stale {
        assert!(!s.exists(), "{s:?} left");
    }
    for f in &fresh {
        assert!(f.exists(), "{f:?} removed");
    }
}

#[test]
fn open_syncs_the_directories_it_creates_and_their_parents() {
    let base = test_dir("durable-open");
    fs::create_dir_all(&base).unwrap();
    let dir = base.join("station").join("spool");
    hooks::SYNCED.with(|s| s.borrow_mut().clear());
    Spool::open(&dir).unwrap();
    let synced = hooks::SYNCED.with(|s| s.borrow().clone());
    for d in [
        base.clone(),
        base.join("station"),
        dir.clone(),
        dir.join(REJECTED_DIR),
        dir.join(QUARANTINE_DIR),
    ] {
        assert!(synced.contains(&d), "{d:?} not synced: {synced:?}");
    }
}

#[test]
fn a_listing_error_is_an_error_not_an_empty_spool() {
    let spool = temp_spool("gone");
    spool.put("r1", b"x").unwrap();
    fs::remove_dir_all(spool.dir()).unwrap();
    assert!(matches!(spool.len(), Err(Error::Io { .. })));
    assert!(spool.is_empty().is_err());
    assert!(matches!(spool.waiting(), Err(SpoolError::Io { .. })));
}

#[test]
fn attempts_are_durable_and_feed_the_dead_letter_policy() {
    let dir = test_dir("attempts");
    let spool = Spool::open(&dir).unwrap();
    spool.put("r1", b"{}").unwrap();
    spool.put("r2", b"{}").unwrap();
    let policy = DeadLetter::new(3, Duration::from_secs(86_400));
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    for round in 1..=3u32 {
        let lock = spool.try_lock().unwrap().unwrap();
        let entries = lock.entries().unwrap();
        assert_eq!(ids(&entries), ["r1", "r2"], "order kept across attempts");
        let mut claimed = lock.claim(&entries[0]).unwrap();
        let now = t0 + Duration::from_secs(u64::from(round) * 60);
        let attempts = lock
            .record_attempt_at(&mut claimed, "HTTP 409: duplicate", now)
            .unwrap();
        assert_eq!(attempts.count, round);
        assert_eq!(attempts.first, Some(t0 + Duration::from_secs(60)));
        if policy.is_due(attempts, now) {
            assert_eq!(round, 3);
            lock.reject(claimed, "HTTP 409: duplicate serial number")
                .unwrap();
        } else {
            lock.release(claimed).unwrap();
        }
        drop(lock);
        // What a restarted process sees.
        let reopened = Spool::open(&dir).unwrap();
        if round < 3 {
            assert_eq!(reopened.list().unwrap()[0].attempts().count, round);
        }
    }
    assert_eq!(ids(&spool.list().unwrap()), ["r2"]);
    assert_eq!(spool.list().unwrap()[0].attempts(), Attempts::default());
    assert_eq!(ids(&spool.rejected().unwrap()), ["r1"]);
    assert_eq!(
        spool.rejection_message("r1").unwrap(),
        "HTTP 409: duplicate serial number"
    );
}

#[test]
fn a_full_spool_refuses_with_a_typed_error_and_drops_nothing() {
    let spool = Spool::open_with(
        test_dir("full"),
        SpoolOptions::default().limits(Area::Spool, Limits::new(2, 1_000)),
    )
    .unwrap();
    spool.put("r1", b"1").unwrap();
    spool.put("r2", b"2").unwrap();
    match spool.put_entry("r3", b"3") {
        Err(SpoolError::Full {
            area: Area::Spool,
            entries: 2,
            max_entries: Some(2),
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    // Through the older API the same error arrives inside wats_core::Error.
    let err = spool.put("r3", b"3").unwrap_err();
    assert!(
        SpoolError::find(&err).is_some_and(SpoolError::is_full),
        "{err}"
    );
    assert_eq!(ids(&spool.list().unwrap()), ["r1", "r2"]);
    // Bytes count too.
    let lock = spool.try_lock().unwrap().unwrap();
    let first = lock.claim(&lock.entries().unwrap()[0]).unwrap();
    lock.complete(first).unwrap();
    assert!(matches!(
        spool.put_entry("big", &[b'x'; 1_000]),
        Err(SpoolError::Full { .. })
    ));
    spool.put("r3", b"3").unwrap();
}

#[test]
fn full_rejected_and_quarantine_folders_keep_the_report_in_the_spool() {
    let spool = Spool::open_with(
        test_dir("fullaside"),
        SpoolOptions::default()
            .limits(Area::Rejected, Limits::new(1, 1 << 20))
            .limits(Area::Quarantine, Limits::new(10, 8)),
    )
    .unwrap();
    for id in ["a", "b", "c"] {
        spool.put(id, b"{}").unwrap();
    }
    let lock = spool.try_lock().unwrap().unwrap();
    let entries = lock.entries().unwrap();
    lock.reject(lock.claim(&entries[0]).unwrap(), "400")
        .unwrap();
    let err = lock
        .reject(lock.claim(&entries[1]).unwrap(), "400")
        .unwrap_err();
    assert!(matches!(
        SpoolError::find(&err),
        Some(SpoolError::Full {
            area: Area::Rejected,
            ..
        })
    ));
    let err = lock
        .quarantine(
            lock.claim(&entries[2]).unwrap(),
            "a reason too long for 8 bytes",
        )
        .unwrap_err();
    assert!(matches!(
        SpoolError::find(&err),
        Some(SpoolError::Full {
            area: Area::Quarantine,
            ..
        })
    ));
    assert_eq!(ids(&lock.entries().unwrap()), ["b", "c"]);
    assert_eq!(ids(&spool.rejected().unwrap()), ["a"]);
}
