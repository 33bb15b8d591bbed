//! `wats submit` and `wats spool` against the embedded server.

mod common;

use common::{Env, json_files, refused_report, texts, write_reports};
use predicates::prelude::*;

#[test]
fn submits_a_directory_recursively_and_prints_a_summary() {
    let env = Env::new();
    let base = env.server.report_count();
    let dir = env.home.path().join("reports");
    let mut ids = write_reports(&dir, 12);
    ids.extend(write_reports(&dir.join("nested").join("deeper"), 3));
    std::fs::write(dir.join("notes.txt"), "not a report").unwrap();

    let out = env.wats().args(["submit", "reports"]).output().unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stdout.lines().next().unwrap(),
        "15 file(s): 15 submitted, 0 spooled, 0 rejected, 0 failed"
    );
    // not a terminal: no progress bar, no colours, nothing on stderr
    assert_eq!(stderr, "");
    assert!(!stdout.contains('\u{1b}'));
    assert_eq!(env.posts(), 15);
    assert_eq!(env.server.report_count(), base + 15);
    for id in &ids {
        assert!(env.server.stored_report(id).is_some(), "{id} stored");
    }
}

#[test]
fn server_failures_spool_and_flush_delivers_them_once() {
    let env = Env::new();
    let base = env.server.report_count();
    let dir = env.home.path().join("reports");
    let ids = write_reports(&dir, 10);
    env.server.fail_next(3, 503);

    env.wats()
        .args(["submit", "reports"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "10 file(s): 7 submitted, 3 spooled, 0 rejected, 0 failed",
        ))
        .stdout(predicate::str::contains("wats spool flush"));
    assert_eq!(env.server.report_count(), base + 7);

    let status = env
        .wats()
        .args(["spool", "status", "--json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["waiting"], 3);
    assert_eq!(status["rejected"], 0);

    let list = env
        .wats()
        .args(["spool", "list", "--json"])
        .output()
        .unwrap();
    let list: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let waiting: Vec<&str> = list.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        waiting,
        ids[..3].iter().map(String::as_str).collect::<Vec<_>>()
    );

    env.wats()
        .args(["spool", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(ids[0].as_str()));

    env.wats()
        .args(["spool", "flush"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "3 delivered, 0 rejected, 0 quarantined, 0 remaining",
        ));
    assert_eq!(env.posts(), 13, "10 first attempts + 3 replays");
    assert_eq!(env.server.report_count(), base + 10);
    for id in &ids {
        assert!(env.server.stored_report(id).is_some());
    }
    assert!(json_files(&env.spool_dir()).is_empty());
    // a second flush has nothing to send
    env.wats().args(["spool", "flush"]).assert().code(0);
    assert_eq!(env.posts(), 13);
}

#[test]
fn rejected_and_unreadable_files_are_reported_with_the_reason_and_exit_4() {
    let env = Env::new();
    let dir = env.home.path().join("reports");
    write_reports(&dir, 2);
    std::fs::write(dir.join("refused.json"), refused_report().1).unwrap();
    std::fs::write(dir.join("broken.json"), "{\"type\": \"T\", ").unwrap();

    let out = env.wats().args(["submit", "reports"]).output().unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(4));
    assert!(stdout.contains("4 file(s): 2 submitted, 0 spooled, 1 rejected, 1 failed"));
    assert!(
        stderr.contains("rejected") && stderr.contains("missing the required field 'pn'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("failed") && stderr.contains("broken.json"),
        "{stderr}"
    );
    assert_eq!(env.posts(), 3, "the broken file is never sent");
    assert!(
        json_files(&env.spool_dir()).is_empty(),
        "a rejection is not spooled"
    );

    // only an unreadable file: exit 1
    env.wats()
        .args(["submit", "reports/broken.json"])
        .assert()
        .code(1);
}

#[test]
fn json_summary_lists_every_file() {
    let env = Env::new();
    let dir = env.home.path().join("reports");
    let ids = write_reports(&dir, 2);
    std::fs::write(dir.join("refused.json"), refused_report().1).unwrap();
    let out = env
        .wats()
        .args(["--json", "submit", "reports"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["files"], 3);
    assert_eq!(doc["submitted"], 2);
    assert_eq!(doc["rejected"], 1);
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results[0]["outcome"], "submitted");
    assert_eq!(results[0]["id"], ids[0].as_str());
    assert_eq!(results[2]["outcome"], "rejected");
    assert!(results[2]["reason"].as_str().unwrap().contains("HTTP 400"));
}

#[test]
fn unreachable_server_spools_everything_and_flush_exits_3_until_it_is_back() {
    let env = Env::new();
    let dir = env.home.path().join("reports");
    write_reports(&dir, 4);
    env.server.refuse_connections();
    env.wats()
        .args(["submit", "reports"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 submitted, 4 spooled"));
    env.wats()
        .args(["spool", "flush"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("0 delivered"))
        .stderr(predicate::str::contains("flush stopped"));
    env.server.accept_connections().unwrap();
    env.wats()
        .args(["spool", "flush"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("4 delivered"));
    assert_eq!(env.posts(), 4);
}

#[test]
fn spool_rejected_and_retry() {
    let env = Env::new();
    let spool = wats_spool::Spool::open(env.spool_dir()).unwrap();
    let (bad_id, bad) = refused_report();
    spool.put(&bad_id, &bad).unwrap();

    env.wats()
        .args(["spool", "flush"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("missing the required field 'pn'"));
    let out = env
        .wats()
        .args(["spool", "rejected", "--json"])
        .output()
        .unwrap();
    let rejected: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["id"], bad_id.as_str());
    assert!(rejected[0]["reason"].as_str().unwrap().contains("'pn'"));
    env.wats()
        .args(["spool", "rejected"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(bad_id.as_str()));

    env.wats()
        .args(["spool", "retry", &bad_id])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("back in the queue"));
    let status = env
        .wats()
        .args(["spool", "status", "--json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(
        (status["waiting"].as_u64(), status["rejected"].as_u64()),
        (Some(1), Some(0))
    );
    env.wats()
        .args(["spool", "status"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("waiting      1"));

    env.wats()
        .args(["spool", "retry", "00000000-0000-4000-8000-000000000000"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no rejected report"));
    env.wats()
        .args(["spool", "retry", "../etc"])
        .assert()
        .code(2);
}
