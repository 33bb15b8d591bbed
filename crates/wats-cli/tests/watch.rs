//! `wats watch`: the station uploader against the embedded server. Progress is observed
//! through the `--json` event lines and the folders; the assertions are counts (files in
//! each folder, POSTs the server received, reports it stores).
#![cfg(unix)]

mod common;

use std::path::Path;

use common::{Env, json_files, refused_report, uut, wait_until};

const FAST: &[&str] = &["--interval-ms", "50"];

fn watch(env: &Env, dir: &Path, extra: &[&str]) -> common::Child {
    let dir = dir.to_str().unwrap();
    let mut args = vec!["--json", "--log-format", "json", "watch", dir];
    args.extend_from_slice(FAST);
    if !extra.contains(&"--settle-ms") {
        args.extend_from_slice(&["--settle-ms", "150"]);
    }
    args.extend_from_slice(extra);
    let child = env.spawn(&args);
    wait_until("the watcher runs", || {
        child.stderr().iter().any(|l| l.contains("\"watching\""))
    });
    child
}

/// Drop a report the rename-into-place way: written as `.part`, renamed when complete.
fn drop_report(dir: &Path, name: &str, bytes: &[u8]) {
    let part = dir.join(format!("{name}.part"));
    std::fs::write(&part, bytes).unwrap();
    std::fs::rename(&part, dir.join(name)).unwrap();
}

fn drop_reports(dir: &Path, n: usize) -> Vec<String> {
    (0..n)
        .map(|k| {
            let (id, bytes) = uut(&format!("SN-W{k:03}"));
            drop_report(dir, &format!("r{k:03}.json"), &bytes);
            id
        })
        .collect()
}

#[test]
fn files_dropped_while_the_server_is_down_are_spooled_then_delivered_once() {
    let env = Env::new();
    let base = env.server.report_count();
    let inbox = env.home.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    env.server.refuse_connections();
    let mut w = watch(&env, &inbox, &[]);

    let ids = drop_reports(&inbox, 5);
    wait_until("5 reports spooled", || w.outcomes("spooled").len() == 5);
    // waiting in the spool (one may be claimed by a flush attempt at this moment)
    let spooled = std::fs::read_dir(env.spool_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".json") || name.ends_with(".inflight")
        })
        .count();
    assert_eq!(spooled, 5);
    assert_eq!(
        json_files(&inbox.join(".wats-watch")).len(),
        5,
        "taken, not done"
    );
    assert!(json_files(&inbox.join("done")).is_empty());
    assert_eq!(env.posts(), 0);

    env.server.accept_connections().unwrap();
    wait_until("5 files done", || {
        json_files(&inbox.join("done")).len() == 5 && w.outcomes("done").len() == 5
    });
    assert_eq!(
        env.posts(),
        5,
        "each report delivered exactly once: {:?}\n{:?}",
        env.server.counters(),
        w.stderr()
    );
    assert_eq!(env.server.report_count(), base + 5);
    for id in &ids {
        assert!(env.server.stored_report(id).is_some());
    }
    assert!(json_files(&inbox).is_empty());
    assert!(json_files(&inbox.join(".wats-watch")).is_empty());
    assert!(json_files(&env.spool_dir()).is_empty());
    assert_eq!(w.outcomes("done").len(), 5);
    assert_eq!(w.terminate(), 0, "clean stop on SIGTERM");
    assert!(w.stderr().iter().any(|l| l.contains("stopped")));
    assert_eq!(env.posts(), 5);
}

#[test]
fn a_clean_restart_in_the_middle_submits_nothing_twice() {
    let env = Env::new();
    let base = env.server.report_count();
    let inbox = env.home.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let ids = drop_reports(&inbox, 20);
    // slow answers, so the stop lands in the middle of the batch
    env.server.set_latency(std::time::Duration::from_millis(40));
    let mut w = watch(&env, &inbox, &[]);
    wait_until("3 files done", || w.outcomes("done").len() >= 3);
    assert_eq!(w.terminate(), 0);
    let done_first = json_files(&inbox.join("done")).len();
    assert_eq!(env.posts(), done_first as u64, "one POST per finished file");

    env.server.set_latency(std::time::Duration::ZERO);
    let w2 = watch(&env, &inbox, &[]);
    wait_until("all 20 done", || {
        json_files(&inbox.join("done")).len() == 20 && w2.outcomes("done").len() == 20 - done_first
    });
    assert_eq!(
        env.posts(),
        20,
        "no file submitted twice across the restart"
    );
    assert_eq!(env.server.report_count(), base + 20);
    for id in &ids {
        assert!(env.server.stored_report(id).is_some());
    }
    assert_eq!(w2.outcomes("done").len(), 20 - done_first);
}

#[test]
fn a_crash_while_the_server_is_down_loses_nothing_and_duplicates_nothing() {
    let env = Env::new();
    let inbox = env.home.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    env.server.refuse_connections();
    let mut w = watch(&env, &inbox, &[]);
    let ids = drop_reports(&inbox, 6);
    wait_until("6 spooled", || w.outcomes("spooled").len() == 6);
    w.kill(); // SIGKILL: no clean-up at all

    env.server.accept_connections().unwrap();
    let w2 = watch(&env, &inbox, &[]);
    wait_until("6 done", || {
        json_files(&inbox.join("done")).len() == 6 && w2.outcomes("done").len() == 6
    });
    assert_eq!(env.posts(), 6);
    for id in &ids {
        assert!(env.server.stored_report(id).is_some());
    }
    assert_eq!(w2.outcomes("done").len(), 6);
}

#[test]
fn a_crash_after_the_server_stored_a_report_costs_a_lookup_not_a_second_post() {
    // The state a crash leaves between the server's answer and the move to done/: the file
    // taken, its id fixed, the report stored by the server.
    let env = Env::new();
    let inbox = env.home.path().join("inbox");
    let state = inbox.join(".wats-watch");
    std::fs::create_dir_all(&state).unwrap();
    let (id, bytes) = uut("SN-CRASH");
    env.server.insert_report(bytes.clone()).unwrap();
    std::fs::write(state.join("crash.json"), &bytes).unwrap();
    std::fs::write(state.join("crash.json.id"), &id).unwrap();
    // and one taken file the server never saw
    let (id2, bytes2) = uut("SN-NEVER");
    std::fs::write(state.join("never.json"), &bytes2).unwrap();
    std::fs::write(state.join("never.json.id"), &id2).unwrap();

    let w = watch(&env, &inbox, &[]);
    wait_until("both done", || {
        json_files(&inbox.join("done")).len() == 2 && w.outcomes("done").len() == 2
    });
    assert_eq!(
        env.posts(),
        1,
        "only the report the server did not have is sent: {:?}",
        env.server.counters()
    );
    assert_eq!(
        env.server.requests_for("/api/Report/Wsjf/{id}"),
        2,
        "one lookup each: {:?}",
        env.server.counters()
    );
    assert!(env.server.stored_report(&id2).is_some());
    assert_eq!(w.outcomes("done").len(), 2);
}

#[test]
fn a_file_still_being_written_is_not_read_half_way() {
    let env = Env::new();
    let inbox = env.home.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let w = watch(&env, &inbox, &["--settle-ms", "1500"]);
    let (id, bytes) = uut("SN-SLOW");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(inbox.join("slow.json")).unwrap();
        // ten chunks, each leaving the file invalid JSON until the last
        for chunk in bytes.chunks(bytes.len().div_ceil(10)) {
            file.write_all(chunk).unwrap();
            file.flush().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
    }
    wait_until("the file is done", || {
        json_files(&inbox.join("done")).len() == 1 && w.outcomes("done").len() == 1
    });
    assert!(
        json_files(&inbox.join("rejected")).is_empty(),
        "never read half-way"
    );
    assert_eq!(env.posts(), 1);
    assert_eq!(
        env.server.stored_report(&id).as_deref(),
        Some(&bytes[..]),
        "the complete file was sent"
    );
    assert_eq!(w.outcomes("done").len(), 1);
}

#[test]
fn part_files_wait_for_their_rename_and_bad_files_go_to_rejected_with_the_reason() {
    let env = Env::new();
    let inbox = env.home.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let w = watch(&env, &inbox, &["--poll"]);
    let (_, pending) = uut("SN-PART");
    std::fs::write(inbox.join("later.json.part"), &pending).unwrap();
    std::fs::write(inbox.join("broken.json"), "{\"type\": \"T\",").unwrap();
    drop_report(&inbox, "refused.json", &refused_report().1);
    drop_reports(&inbox, 1);
    wait_until("1 done, 2 rejected", || {
        json_files(&inbox.join("done")).len() == 1
            && json_files(&inbox.join("rejected")).len() == 2
            && w.outcomes("rejected").len() == 2
    });
    let reason = std::fs::read_to_string(inbox.join("rejected/broken.json.reason.txt")).unwrap();
    assert!(reason.contains("not a WSJF report"), "{reason}");
    let reason = std::fs::read_to_string(inbox.join("rejected/refused.json.reason.txt")).unwrap();
    assert!(
        reason.contains("missing the required field 'pn'"),
        "{reason}"
    );
    assert!(
        inbox.join("later.json.part").exists(),
        "a .part file is never taken"
    );
    assert_eq!(
        env.posts(),
        2,
        "the good and the refused report; never the broken one"
    );

    std::fs::rename(inbox.join("later.json.part"), inbox.join("later.json")).unwrap();
    wait_until("2 done", || {
        json_files(&inbox.join("done")).len() == 2 && w.outcomes("done").len() == 2
    });
    assert_eq!(env.posts(), 3);
    let rejected = w.outcomes("rejected");
    assert_eq!(rejected.len(), 2);
    assert!(rejected.iter().all(|e| e["reason"].is_string()));
}

#[test]
fn one_watcher_per_folder() {
    let env = Env::new();
    let inbox = env.home.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let _w = watch(&env, &inbox, &[]);
    env.wats()
        .args(["watch", inbox.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("another `wats watch`"));
}

#[test]
fn a_wrong_token_keeps_the_files_until_a_watcher_with_the_right_one_delivers_them() {
    let env = Env::new();
    let inbox = env.home.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let mut w = watch(&env, &inbox, &["--token", "d3Jvbmc6d3Jvbmc="]);
    let ids = drop_reports(&inbox, 2);
    // A 401 is not the report's fault: the failure table keeps the report (spooled, the flush
    // stops) instead of rejecting it. Either way the file is kept, never moved to rejected/.
    wait_until("the refusal is logged", || {
        w.stderr()
            .iter()
            .any(|l| l.contains("will retry") || l.contains("report spooled"))
    });
    assert_eq!(
        json_files(&inbox.join(".wats-watch")).len() + json_files(&inbox).len(),
        2,
        "kept, not rejected"
    );
    assert!(json_files(&inbox.join("rejected")).is_empty());
    assert_eq!(w.terminate(), 0);

    let w2 = watch(&env, &inbox, &[]);
    wait_until("2 done", || {
        json_files(&inbox.join("done")).len() == 2 && w2.outcomes("done").len() == 2
    });
    for id in &ids {
        assert!(env.server.stored_report(id).is_some());
    }
    assert!(json_files(&inbox.join("rejected")).is_empty());
}
