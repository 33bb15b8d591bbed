//! Runs the `quickstart` example binary (cargo builds examples before it runs integration
//! tests) against its embedded server: the default run is a clean tour, and at TRACE with
//! JSON logs the token appears nowhere in its output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use serde_json::Value;

/// A token only this test uses; base64 of `secret-token-42:quickstart`.
const TOKEN: &str = "c2VjcmV0LXRva2VuLTQyOnF1aWNrc3RhcnQ=";
const TOKEN_DECODED: &str = "secret-token-42:quickstart";

/// `target/<profile>/examples/quickstart[.exe]`, found from this test's own path
/// (`target/<profile>/deps/<test>`).
fn quickstart_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current test executable");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary lives in target/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "the quickstart example binary is missing at {}; build it with \
         `cargo build --example quickstart` (a plain `cargo test` builds it too)",
        path.display()
    );
    // `cargo test --test quickstart` does not rebuild examples: refuse to test a binary
    // older than the sources it is built from.
    let built = modified(&path).expect("binary modification time");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut sources = vec![root.join("examples").join("quickstart.rs")];
    collect_sources(&root.join("src"), &mut sources);
    for krate in std::fs::read_dir(root.join("crates"))
        .into_iter()
        .flatten()
        .flatten()
    {
        collect_sources(&krate.path().join("src"), &mut sources);
    }
    if let Some(newer) = sources
        .iter()
        .find(|s| modified(s).is_some_and(|m| m > built))
    {
        panic!(
            "the quickstart binary at {} is older than {}; rebuild it with \
             `cargo build --example quickstart` (a plain `cargo test` does)",
            path.display(),
            newer.display()
        );
    }
    path
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The library `.rs` files under `dir` (binaries, `main.rs` and `bin/`, are not linked
/// into the example).
fn collect_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "bin" {
                collect_sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") && name != "main.rs" {
            out.push(path);
        }
    }
}

/// Run the quickstart with a clean WATS environment plus `vars`.
fn run(vars: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(quickstart_binary());
    for var in [
        "WATS_BASE_URL",
        "WATS_TOKEN",
        "PYWATS_SERVER_URL",
        "PYWATS_API_TOKEN",
        "WATS_LOG_FORMAT",
        "RUST_LOG",
        "WATS_QUICKSTART_SUBMIT",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(vars.iter().copied());
    cmd.output().expect("the quickstart binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn default_run_is_a_clean_tour_without_logs() {
    let out = run(&[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stderr.is_empty(), "no logs unless asked for: {stderr}");
    for expected in [
        "version      2025",
        "identical to the submitted report",
        "found        1 report(s)",
        "(the one just submitted)",
        "100 product(s)",
        "process(es)",
        "phase \"Under production\"",
        "Blocking client (wats::blocking::Client)",
        "done.",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("\"timestamp\""),
        "no log lines in the tour"
    );
}

#[test]
fn json_trace_logs_carry_correlation_ids_and_never_the_token() {
    let out = run(&[
        ("WATS_LOG_FORMAT", "json"),
        ("RUST_LOG", "trace"),
        ("WATS_TOKEN", TOKEN),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains("done."), "{stdout}");
    // The embedded server required this token, so the run proves it was sent.

    let lines: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() > 10, "JSON logs on stderr:\n{stderr}");
    assert!(lines.iter().any(|l| l["level"] == "TRACE"), "TRACE was on");
    let with_id = lines
        .iter()
        .filter(|l| l["correlation_id"].is_string())
        .count();
    assert!(with_id > 10, "lines with a correlation id: {with_id}");
    let submitted: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "report submitted")
        .collect();
    assert_eq!(submitted.len(), 1, "{stderr}");
    assert_eq!(submitted[0]["correlation_id"], "quickstart-submit");
    assert!(submitted[0]["report_id"].is_string());
    assert!(
        lines
            .iter()
            .any(|l| l["correlation_id"] == "quickstart-blocking"),
        "the blocking client's calls are logged with their id"
    );

    let all = format!("{stdout}\n{stderr}");
    for secret in [TOKEN, &format!("Basic {TOKEN}"), TOKEN_DECODED] {
        assert!(!all.contains(secret), "{secret:?} appears in the output");
    }
}
