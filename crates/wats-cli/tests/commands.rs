//! Every other command against the embedded server: exit codes, stdout, stderr, settings
//! precedence, and the token never printed.

mod common;

use common::{Env, TOKEN, texts, write_reports};
use predicates::prelude::*;

#[test]
fn help_lists_commands_exit_codes_and_examples() {
    let env = Env::new();
    env.wats()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("submit"))
        .stdout(predicate::str::contains("watch"))
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("3  server unreachable"));
    for cmd in [
        &["submit", "--help"][..],
        &["watch", "--help"],
        &["spool", "flush", "--help"],
        &["report", "query", "--help"],
        &["completions", "--help"],
    ] {
        env.wats()
            .args(cmd)
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Examples:"));
    }
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.wats().arg("frobnicate").assert().code(2);
    env.wats().arg("submit").assert().code(2);
    env.wats()
        .args(["report", "query", "--since", "last tuesday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--since"));
    // no server anywhere: a usage error naming the ways to set one
    env.wats()
        .env_remove("WATS_BASE_URL")
        .args(["product", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wats login"));
}

#[test]
fn unreachable_server_exits_3_and_a_refused_token_exits_4() {
    let env = Env::new();
    let gone = {
        let other = wats_mock::MockServer::start();
        other.url().to_owned()
    }; // dropped: nothing listens there now
    env.wats()
        .args(["--server", &gone, "product", "list"])
        .assert()
        .code(3);
    let wrong = "d3Jvbmc6dG9rZW4=";
    let out = env
        .wats()
        .args(["--token", wrong, "product", "list"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("401"), "{stderr}");
    assert!(!stdout.contains(wrong) && !stderr.contains(wrong));
}

#[test]
fn queries_print_tables_and_json() {
    let env = Env::new();
    let dir = env.home.path().join("reports");
    let ids = write_reports(&dir, 1);
    env.wats().args(["submit", "reports"]).assert().code(0);

    env.wats()
        .args(["report", "get", &ids[0]])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("SN-0000"))
        .stdout(predicate::str::contains("PCBA-1001"));
    let out = env
        .wats()
        .args(["report", "get", &ids[0], "--json"])
        .output()
        .unwrap();
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stored: serde_json::Value =
        serde_json::from_slice(&env.server.stored_report(&ids[0]).unwrap()).unwrap();
    assert_eq!(got, stored, "the report as the server stores it");
    env.wats()
        .args(["report", "get", "00000000-0000-4000-8000-000000000001"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not found"));

    let out = env
        .wats()
        .args([
            "--json",
            "report",
            "query",
            "--serial",
            "SN-0000",
            "--part",
            "PCBA-1001",
            "--since",
            "2000-01-01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let headers: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(headers.len(), 1);
    assert_eq!(headers[0]["uuid"], ids[0].as_str());
    env.wats()
        .args(["report", "query", "--serial", "SN-0000"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(ids[0].as_str()));

    env.wats()
        .args(["unit", "get", "PCBA-1001-SN0001", "PCBA-1001"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Under production"));
    env.wats()
        .args(["unit", "get", "NOPE", "PCBA-1001"])
        .assert()
        .code(1);

    let out = env
        .wats()
        .args(["product", "list", "--json"])
        .output()
        .unwrap();
    let products: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(products.len(), 100);
    env.wats()
        .args(["product", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("part number"))
        .stdout(predicate::str::contains("PCBA-1001"));

    env.wats()
        .args(["process", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ICT"));
    let out = env
        .wats()
        .args(["process", "list", "--all", "--json"])
        .output()
        .unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let out = env
        .wats()
        .args(["process", "list", "--json"])
        .output()
        .unwrap();
    let default: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(all.len() >= default.len() && !default.is_empty());
}

#[test]
fn version_names_client_and_server() {
    let env = Env::new();
    env.wats()
        .arg("version")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "wats {}",
            env!("CARGO_PKG_VERSION")
        )))
        .stdout(predicate::str::contains(wats_mock::SERVER_VERSION));
    env.wats()
        .env_remove("WATS_BASE_URL")
        .arg("version")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("server").not());
    assert_eq!(env.server.requests_for("/api/App/Version"), 1);
}

#[test]
fn station_shows_each_value_and_its_tier() {
    let env = Env::new();
    env.wats()
        .env("WATS_STATION", "ict 07")
        .env("WATS_STATION_LOCATION", "Line 2")
        .arg("station")
        .assert()
        .code(0)
        .stdout(predicate::str::is_match(r"name\s+ICT-07\s+env:WATS_STATION").unwrap())
        .stdout(predicate::str::is_match(r"location\s+Line 2\s+env:WATS_STATION").unwrap())
        .stdout(predicate::str::is_match(r"purpose\s+-\s+-").unwrap());
    let out = env.wats().args(["station", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"]["value"], "TEST-STATION");
    assert_eq!(v["name"]["source"], "env:WATS_STATION");
    assert_eq!(v["location"]["value"], serde_json::Value::Null);
    // a station file in the working directory is the next tier
    std::fs::create_dir_all(env.home.path().join(".wats")).unwrap();
    std::fs::write(
        env.home.path().join(".wats/station.toml"),
        "name = \"FCT-3\"\npurpose = \"debug\"\n",
    )
    .unwrap();
    env.wats()
        .env_remove("WATS_STATION")
        .arg("station")
        .assert()
        .code(0)
        .stdout(predicate::str::is_match(r"name\s+FCT-3\s+file:").unwrap())
        .stdout(predicate::str::is_match(r"purpose\s+Debug\s+file:").unwrap());
}

#[test]
fn check_round_trips_files_and_names_the_failures() {
    let env = Env::new();
    let dir = env.home.path().join("out");
    write_reports(&dir, 2);
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/wats-samples");
    std::fs::copy(
        format!("{samples}/advanced_uut.json"),
        dir.join("advanced.json"),
    )
    .unwrap();
    env.wats()
        .args(["check", "out"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "3 file(s) as report: 3 ok, 0 failed",
        ));
    std::fs::write(dir.join("zz-broken.json"), "{\"steps\": [1,").unwrap();
    env.wats()
        .args(["check", "out"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL out/zz-broken.json"))
        .stdout(predicate::str::contains(
            "4 file(s) as report: 3 ok, 1 failed",
        ));
    let out = env
        .wats()
        .args(["--json", "check", "out"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "JSON lines, one per file");
    assert_eq!(lines[3]["ok"], false);
    env.wats()
        .args(["check", "--kind", "gizmo", "out"])
        .assert()
        .code(2);
}

#[test]
fn config_shows_where_each_setting_came_from_and_login_stores_them_owner_only() {
    let env = Env::new();
    let out = env.wats().arg("config").output().unwrap();
    let (stdout, _) = texts(&out);
    assert!(stdout.contains("env WATS_BASE_URL"), "{stdout}");
    assert!(stdout.contains("<redacted>") && stdout.contains("env WATS_TOKEN"));
    let out = env
        .wats()
        .args(["--server", "http://flag.example", "config", "--json"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["value"], "http://flag.example");
    assert_eq!(rows[0]["source"], "flag --server");
    // PYWATS_* is used when WATS_* is not set
    let out = env
        .wats()
        .env_remove("WATS_BASE_URL")
        .env("PYWATS_SERVER_URL", "http://py.example")
        .args(["config", "--json"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["source"], "env PYWATS_SERVER_URL");

    env.wats()
        .arg("login")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(wats_mock::SERVER_VERSION))
        .stdout(predicate::str::contains("saved"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.config_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // from now on the file alone is enough
    let out = env
        .wats()
        .env_remove("WATS_BASE_URL")
        .env_remove("WATS_TOKEN")
        .arg("config")
        .output()
        .unwrap();
    let (stdout, _) = texts(&out);
    assert!(
        stdout.contains(&format!("file {}", env.config_file().display())),
        "{stdout}"
    );
    env.wats()
        .env_remove("WATS_BASE_URL")
        .env_remove("WATS_TOKEN")
        .args(["product", "list"])
        .assert()
        .code(0);
    // login refuses a server that does not answer, and keeps the old file
    env.wats()
        .args(["--token", "YmFkOmJhZA==", "login"])
        .assert()
        .code(4);
    let text = std::fs::read_to_string(env.config_file()).unwrap();
    assert!(text.contains(TOKEN));
}

#[test]
fn completions_for_every_shell() {
    let env = Env::new();
    for (shell, marker) in [
        ("bash", "complete -F _wats"),
        ("zsh", "#compdef wats"),
        ("fish", "complete -c wats"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        env.wats()
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(marker));
    }
    env.wats().args(["completions", "tcsh"]).assert().code(2);
}

#[cfg(unix)]
#[test]
fn mock_serves_until_sigterm() {
    let env = Env::new();
    let mut mock = env.spawn(&["mock", "--json"]);
    common::wait_until("the mock prints its URL", || !mock.stdout().is_empty());
    let first: serde_json::Value = serde_json::from_str(&mock.stdout()[0]).unwrap();
    let url = first["url"].as_str().unwrap().to_owned();
    env.wats()
        .args(["--server", &url, "version"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(wats_mock::SERVER_VERSION));
    assert_eq!(mock.terminate(), 0);
}

#[test]
fn colours_follow_the_terminal_and_no_color() {
    let env = Env::new();
    let plain = env.wats().args(["spool", "status"]).output().unwrap();
    assert!(!plain.stdout.contains(&0x1b));
    let forced = env
        .wats()
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["spool", "status"])
        .output()
        .unwrap();
    assert!(forced.stdout.contains(&0x1b), "colours when forced");
    let no_color = env
        .wats()
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .args(["spool", "status"])
        .output()
        .unwrap();
    assert!(!no_color.stdout.contains(&0x1b), "NO_COLOR wins");
}

#[test]
fn the_token_never_appears_in_any_output() {
    let env = Env::new();
    let dir = env.home.path().join("reports");
    let ids = write_reports(&dir, 2);
    let runs: Vec<Vec<String>> = [
        vec!["config"],
        vec!["config", "--json"],
        vec!["--token", TOKEN, "config"],
        vec!["submit", "reports"],
        vec!["--json", "submit", "reports"],
        vec!["version", "--json"],
        vec!["station"],
        vec!["spool", "status"],
        vec!["spool", "flush", "--json"],
        vec!["report", "get", &ids[0]],
        vec!["report", "query", "--serial", "SN-0001"],
        vec!["product", "list"],
        vec!["login"],
        vec!["--help"],
        vec!["completions", "bash"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(str::to_owned).collect())
    .collect();
    for args in runs {
        for log in ["text", "json"] {
            let out = env
                .wats()
                .env("RUST_LOG", "trace")
                .args(["--log-format", log])
                .args(&args)
                .output()
                .unwrap();
            let (stdout, stderr) = texts(&out);
            assert!(
                !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
                "token printed by {args:?}"
            );
        }
    }
    // a server that refuses: the error output does not carry it either
    env.server.fail_next(1, 401);
    let out = env.wats().args(["product", "list"]).output().unwrap();
    let (stdout, stderr) = texts(&out);
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
}

#[test]
fn unit_verify_exits_0_when_the_unit_passes_and_1_when_it_does_not() {
    let env = Env::new();
    // SN-V1 passed its one test; SN-V2's last run of the same test failed.
    let (_, pass) = common::uut("SN-V1");
    env.server.insert_report(pass).unwrap();
    let (_, bytes) = common::uut("SN-V2");
    let mut failed: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    failed["result"] = serde_json::json!("F");
    env.server
        .insert_report(serde_json::to_vec(&failed).unwrap())
        .unwrap();

    env.wats()
        .args(["unit", "verify", "SN-V1", "PCBA-1001"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Passed"));
    let out = env
        .wats()
        .args(["unit", "verify", "SN-V2", "PCBA-1001", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let grade: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(grade["status"], "Failed");
    assert_eq!(grade["results"][0]["processCode"], 10);
    env.wats()
        .args(["unit", "verify", "SN-V2", "PCBA-1001"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not passed"));
}
