//! Shared helpers of the `wats` command tests: a mock server with a token, an isolated
//! home, config and spool, and generated WSJF reports.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use wats_core::{Status, UutReportBuilder};
use wats_mock::MockServer;

/// The token every test uses: it must never appear in any output.
pub(crate) const TOKEN: &str = "c2VjcmV0LXVzZXI6czNjcjN0LXBhc3M=";
/// The submit route, as the mock counts it.
pub(crate) const SUBMIT: &str = "/api/Report/WSJF";

/// A mock server requiring [`TOKEN`] and a private home for one test.
pub(crate) struct Env {
    pub(crate) server: MockServer,
    pub(crate) home: tempfile::TempDir,
}

impl Env {
    pub(crate) fn new() -> Env {
        let server = MockServer::builder()
            .token(TOKEN)
            .start()
            .expect("mock server starts");
        Env {
            server,
            home: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub(crate) fn spool_dir(&self) -> PathBuf {
        self.home.path().join("spool")
    }

    pub(crate) fn config_file(&self) -> PathBuf {
        self.home.path().join("config").join("config.toml")
    }

    /// Environment of a `wats` run: no inherited WATS settings, this test's server, token,
    /// spool, config and home, a fixed station, no colours.
    fn apply(&self, cmd: &mut std::process::Command) {
        for var in [
            "WATS_BASE_URL",
            "WATS_TOKEN",
            "PYWATS_SERVER_URL",
            "PYWATS_API_TOKEN",
            "WATS_CONFIG",
            "WATS_SPOOL_DIR",
            "WATS_STATION",
            "PYWATS_STATION",
            "WATS_STATION_LOCATION",
            "WATS_STATION_PURPOSE",
            "WATS_LOG_FORMAT",
            "RUST_LOG",
            "CLICOLOR_FORCE",
        ] {
            cmd.env_remove(var);
        }
        let home = self.home.path();
        cmd.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("xdg-config"))
            .env("XDG_DATA_HOME", home.join("xdg-data"))
            .env("WATS_BASE_URL", self.server.url())
            .env("WATS_TOKEN", TOKEN)
            .env("WATS_SPOOL_DIR", self.spool_dir())
            .env("WATS_CONFIG", self.config_file())
            .env("WATS_STATION", "TEST-STATION")
            .env("NO_COLOR", "1")
            .current_dir(home);
    }

    /// `wats` with this test's environment (assert_cmd).
    pub(crate) fn wats(&self) -> assert_cmd::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wats"));
        self.apply(&mut cmd);
        assert_cmd::Command::from_std(cmd)
    }

    /// `wats` as a std command (for long-running `watch` and `mock`).
    pub(crate) fn spawn(&self, args: &[&str]) -> Child {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wats"));
        self.apply(&mut cmd);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Child::new(cmd.spawn().expect("wats starts"))
    }

    /// POSTs of reports the server received.
    pub(crate) fn posts(&self) -> u64 {
        self.server.requests_for(SUBMIT)
    }
}

/// A running `wats` process whose stdout and stderr lines are collected.
pub(crate) struct Child {
    pub(crate) child: std::process::Child,
    stdout: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn collect(
    stream: impl std::io::Read + Send + 'static,
) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    use std::io::BufRead;
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            sink.lock().unwrap().push(line);
        }
    });
    lines
}

impl Child {
    fn new(mut child: std::process::Child) -> Child {
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        Child {
            child,
            stdout,
            stderr,
        }
    }

    pub(crate) fn stdout(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    pub(crate) fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Stdout lines that are JSON objects with this `outcome`.
    pub(crate) fn outcomes(&self, outcome: &str) -> Vec<serde_json::Value> {
        self.stdout()
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["outcome"] == outcome)
            .collect()
    }

    /// Ask the process to stop (SIGTERM) and wait for its exit code.
    #[cfg(unix)]
    pub(crate) fn terminate(&mut self) -> i32 {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let status = self.child.wait().expect("wats exits");
        status.code().expect("exited, not killed")
    }

    /// Kill the process at once (SIGKILL: no clean-up) and reap it.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Wait (up to a generous limit) until `check` holds; panic with `what` otherwise. Only a
/// guard against hanging: tests assert counts, not how long this took.
pub(crate) fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let limit = Instant::now() + Duration::from_secs(60);
    while !check() {
        assert!(Instant::now() < limit, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A UUT report as WSJF bytes, with a fresh id.
pub(crate) fn uut(serial: &str) -> (String, Vec<u8>) {
    let id = uuid::Uuid::new_v4();
    let report = UutReportBuilder::new("PCBA-1001", serial, "B", 10)
        .id(id)
        .station("ST-1", "Line 1", "Production")
        .result(Status::Passed)
        .build()
        .expect("valid report");
    (
        id.hyphenated().to_string(),
        wats_core::json::to_vec(&report).expect("encodes"),
    )
}

/// Write `n` reports `SN-<k>.json` to `dir`; returns their ids.
pub(crate) fn write_reports(dir: &Path, n: usize) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    (0..n)
        .map(|k| {
            let (id, bytes) = uut(&format!("SN-{k:04}"));
            std::fs::write(dir.join(format!("SN-{k:04}.json")), bytes).unwrap();
            id
        })
        .collect()
}

/// A report the server refuses (no part number), as WSJF bytes.
pub(crate) fn refused_report() -> (String, Vec<u8>) {
    let (id, bytes) = uut("SN-BAD");
    let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    v.as_object_mut().unwrap().remove("pn");
    (id, serde_json::to_vec(&v).unwrap())
}

/// Files directly in `dir` whose name ends with `.json`.
pub(crate) fn json_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// stdout and stderr of a finished command as text.
pub(crate) fn texts(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
