//! `wats serial take`, `wats unit phase`, `wats asset check|count` and `wats yield` against
//! the embedded server: exit codes, output, and the requests the server counted.

mod common;

use std::time::{Duration, SystemTime};

use common::{Env, TOKEN, texts, write_reports};
use predicates::prelude::*;
use wats_core::{Asset, AssetType, NumOrStr};
use wats_http::AssetKey;

const TAKE: &str = "/api/Production/SerialNumbers/Take";
const SET_PHASE: &str = "/api/Production/SetUnitPhase";
const COUNT: &str = "/api/Asset/Count";
const YIELD: &str = "/api/App/DynamicYield";

#[test]
fn serial_take_hands_out_new_numbers() {
    let env = Env::new();
    let out = env
        .wats()
        .args([
            "serial",
            "take",
            "PCBA-SN",
            "--count",
            "3",
            "--station",
            "ST-1",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let first: Vec<&str> = stdout.lines().collect();
    assert_eq!(first.len(), 3, "{stdout}");
    assert!(first.iter().all(|sn| sn.starts_with("PCBA-")), "{stdout}");

    let out = env
        .wats()
        .args(["--json", "serial", "take", "PCBA-SN"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let second: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(second.len(), 1);
    assert!(
        !first.contains(&second[0].as_str()),
        "never handed out twice"
    );
    assert_eq!(env.server.requests_for(TAKE), 2);

    // An unknown type: the server refuses it (4); a count of 0 is a usage error, not sent.
    env.wats()
        .args(["serial", "take", "NO-SUCH-TYPE"])
        .assert()
        .code(4);
    env.wats()
        .args(["serial", "take", "PCBA-SN", "--count", "0"])
        .assert()
        .code(2);
    assert_eq!(env.server.requests_for(TAKE), 3);
}

#[test]
fn unit_phase_sets_the_phase_by_name_or_id() {
    let env = Env::new();
    let unit = ["PCBA-1001-SN0001", "PCBA-1001"];
    env.wats()
        .args(["unit", "phase", unit[0], unit[1], "Finalized"])
        .assert()
        .code(0);
    env.wats()
        .args(["unit", "get", unit[0], unit[1]])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Finalized"));
    env.wats()
        .args(["unit", "phase", unit[0], unit[1], "2"])
        .assert()
        .code(0);
    env.wats()
        .args(["unit", "get", unit[0], unit[1]])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Under production"));
    assert_eq!(env.server.requests_for(SET_PHASE), 2);
    // A name that is no phase: a usage error, nothing sent.
    env.wats()
        .args(["unit", "phase", unit[0], unit[1], "sold"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("phase"));
    assert_eq!(env.server.requests_for(SET_PHASE), 2);
}

/// A fixture type (calibration every 30 days) and fixture `serial`, last calibrated
/// `days_ago` days ago, made through the library client.
fn fixture(env: &Env, serial: &str, days_ago: u64) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = wats_http::Client::builder()
            .base_url(env.server.url())
            .token(TOKEN)
            .build()
            .unwrap();
        let assets = client.assets();
        let mut ty = AssetType::new("Fixture");
        ty.calibration_interval.set(NumOrStr::from_f64(30.0));
        let ty = assets.save_type(&ty).await.unwrap();
        let asset = Asset::new(serial, ty.type_id.as_str().unwrap());
        assets.save(&asset).await.unwrap();
        let at = SystemTime::now() - Duration::from_secs(days_ago * 86_400);
        assets
            .record_calibration(&AssetKey::serial(serial), Some(at.into()), None)
            .await
            .unwrap();
    });
}

#[test]
fn asset_check_and_count() {
    let env = Env::new();
    fixture(&env, "FX-OK", 1);
    fixture(&env, "FX-OLD", 45);

    env.wats()
        .args(["asset", "check", "FX-OK"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("may use"));
    let out = env
        .wats()
        .args(["--json", "asset", "check", "FX-OLD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "blocked: exit 1");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["mayUse"], false);
    let blockers = v["blockers"].as_array().unwrap();
    assert!(
        blockers
            .iter()
            .any(|b| b.as_str().unwrap().contains("CalibrationOverdue")),
        "{v}"
    );
    env.wats()
        .args(["asset", "check", "FX-NONE"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not found").or(predicate::str::contains("404")));

    env.wats()
        .args(["asset", "count", "FX-OK"])
        .assert()
        .code(0);
    env.wats()
        .args(["asset", "count", "FX-OK"])
        .assert()
        .code(0);
    assert_eq!(env.server.requests_for(COUNT), 2);
    let out = env
        .wats()
        .args(["--json", "asset", "check", "FX-OK"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["runningCount"], 2);
    assert_eq!(v["totalCount"], 2);
}

#[test]
fn yield_per_station() {
    let env = Env::new();
    write_reports(&env.home.path().join("reports"), 3);
    env.wats().args(["submit", "reports"]).assert().code(0);

    let out = env
        .wats()
        .args(["--json", "yield", "--part", "PCBA-1001"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["stationName"], "ST-1");
    assert_eq!(rows[0]["unitCount"].as_i64(), Some(3));
    assert_eq!(rows[0]["fpCount"].as_i64(), Some(3));
    env.wats()
        .args(["yield", "--part", "PCBA-1001"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ST-1"))
        .stdout(predicate::str::contains("100.0"));
    assert_eq!(env.server.requests_for(YIELD), 2);
}
