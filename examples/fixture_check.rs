//! A station checks its fixture before a run, counts a use after it, records maintenance.
//!
//! ```text
//! cargo run --example fixture_check
//! ```
//!
//! With the blocking client (`wats::blocking::Client`), as station code usually is:
//!
//! 1. "May I use fixture FX-DEMO?" — blocked when calibration is overdue, the running count
//!    reached its limit, or the server reports the asset in alarm;
//! 2. after a run, "count one use";
//! 3. maintenance recorded, with a message in the asset's log.
//!
//! Without `WATS_BASE_URL` it starts the embedded server (`wats-mock`) and creates a demo
//! fixture whose calibration is overdue, so the first check is blocked; it then records a
//! calibration and the second check passes. With `WATS_BASE_URL`, `WATS_TOKEN` and
//! `WATS_FIXTURE` it only checks that fixture on that server and changes nothing, unless
//! `WATS_FIXTURE_COUNT=1` is set (then it counts one use).

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use wats::core::{Asset, AssetMessage, AssetType, NumOrStr};
use wats::http::{AssetKey, FixtureCheck};

const DEMO_TOKEN: &str = "Zml4dHVyZTpkZW1v";
const DEMO_FIXTURE: &str = "FX-DEMO";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fixture_check failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print(check: &FixtureCheck) {
    let a = &check.asset;
    println!(
        "  {} running={} total={} next calibration={}",
        a.serial_number.as_str().unwrap_or("?"),
        a.running_count.value().copied().unwrap_or(0),
        a.total_count.value().copied().unwrap_or(0),
        a.next_calibration_date.as_str().unwrap_or("-")
    );
    if check.may_use() {
        println!("  -> may use");
    } else {
        for b in &check.blockers {
            println!("  -> blocked: {b:?}");
        }
    }
}

fn run() -> wats::Result<()> {
    if std::env::var_os("WATS_BASE_URL").is_some() {
        let client = wats::blocking::Client::from_env()?;
        let serial = std::env::var("WATS_FIXTURE")
            .map_err(|_| wats::Error::InvalidConfig("set WATS_FIXTURE".to_owned()))?;
        let check = client.assets().check_fixture(&serial)?;
        print(&check);
        if check.may_use() && std::env::var("WATS_FIXTURE_COUNT").as_deref() == Ok("1") {
            client.assets().count_use(&serial)?;
            println!("  counted one use");
        }
        return Ok(());
    }

    let server = wats_mock::MockServer::builder()
        .token(DEMO_TOKEN)
        .start()
        .map_err(|e| wats::Error::InvalidConfig(format!("embedded server: {e}")))?;
    let client = wats::blocking::Client::builder()
        .configure(|b| b.base_url(server.url()).token(DEMO_TOKEN))
        .build()?;
    let assets = client.assets();

    // A fixture type: calibrate every 30 days, at most 5000 uses between calibrations.
    let mut ty = AssetType::new("Fixture");
    ty.running_count_limit.set(5000);
    ty.calibration_interval.set(NumOrStr::from_f64(30.0));
    let ty = assets.save_type(&ty)?;
    let type_id = ty.type_id.as_str().unwrap_or_default();
    let mut fixture = Asset::new(DEMO_FIXTURE, type_id);
    fixture.asset_name.set("ICT bed of nails".to_owned());
    assets.save(&fixture)?;
    let key = AssetKey::serial(DEMO_FIXTURE);
    // Last calibrated 45 days ago: overdue.
    assets.record_calibration(
        &key,
        Some((SystemTime::now() - Duration::from_secs(45 * 86_400)).into()),
        None,
    )?;

    println!("1. Before the run");
    let check = assets.check_fixture(DEMO_FIXTURE)?;
    print(&check);
    if check.may_use() {
        return Err(wats::Error::InvalidConfig(
            "an overdue fixture must be blocked".to_owned(),
        ));
    }

    println!("2. Calibrated, checked again");
    assets.record_calibration(&key, None, Some("calibrated at the lab"))?;
    let check = assets.check_fixture(DEMO_FIXTURE)?;
    print(&check);
    if !check.may_use() {
        return Err(wats::Error::InvalidConfig(
            "a calibrated fixture must be usable".to_owned(),
        ));
    }

    println!("3. After the run: count one use");
    assets.count_use(DEMO_FIXTURE)?;
    let after = assets.get_by_serial(DEMO_FIXTURE)?;
    println!(
        "  running count now {}",
        after.running_count.value().copied().unwrap_or(0)
    );

    println!("4. Maintenance");
    assets.record_maintenance(&key, None, Some("pogo pins replaced"))?;
    assets.add_message(&key, &AssetMessage::new("cleaned after maintenance"))?;
    let log = assets.log(&wats::http::AssetLogQuery::new().serial_number(DEMO_FIXTURE))?;
    for rec in log.iter().take(4) {
        println!(
            "  log: type {} {}",
            rec.kind.value().copied().unwrap_or(-1),
            rec.comment.as_str().unwrap_or("")
        );
    }
    println!("done.");
    Ok(())
}
