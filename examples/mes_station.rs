//! An MES test station: the loop a final-assembly station runs for each box.
//!
//! ```text
//! cargo run --example mes_station
//! ```
//!
//! 1. register the box unit and check its verification: may it be tested at this operation?
//! 2. take a serial number for the sub-board that goes into it, register the board;
//! 3. add the board to the box as a child (the server checks the box build rules);
//! 4. test the box and submit the report with `submit_or_spool` (kept on disk if WATS is
//!    down);
//! 5. verify again and move the box to its next phase, looked up by name in the cached
//!    phase list;
//! 6. show the box's hierarchy, its phase history and the first page of the change feed.
//!
//! Without `WATS_BASE_URL` it runs against the embedded server from `wats-mock` (no network
//! needed). With `WATS_BASE_URL` and `WATS_TOKEN` it uses that server: it then **creates
//! units and takes a serial number there** (serial-number type from `WATS_SN_TYPE`,
//! default `PCBA-SN`), so point it at a test server.

use std::time::Duration;

use wats::Client;
use wats::core::{Phase, Status, SubUnit, Unit, UutReportBuilder};
use wats::http::{ChildCheck, SubmitOutcome, TakeOptions, UnitPhaseCache};

const STATION: &str = "ST-MES-1";
const BOX_PN: &str = "MES-BOX";
const BOARD_PN: &str = "PCBA-1001";
/// The test operation this station runs.
const PROCESS: i64 = 10;

#[tokio::main(flavor = "current_thread")]
async fn main() -> wats::Result<()> {
    let mut mock = None;
    let spool_dir = std::env::temp_dir().join(format!("wats-mes-station-{}", std::process::id()));
    let client = if std::env::var_os("WATS_BASE_URL").is_some() {
        wats::ClientBuilder::from_env()
            .spool_dir(&spool_dir)
            .build()?
    } else {
        let server = wats_mock::MockServer::start();
        let client = Client::builder()
            .base_url(server.url())
            .token("bWVzOmRlbW8=")
            .spool_dir(&spool_dir)
            .build()?;
        mock = Some(server);
        client
    };
    let sn_type = std::env::var("WATS_SN_TYPE").unwrap_or_else(|_| "PCBA-SN".to_owned());
    let result = station_loop(&client, &sn_type).await;
    std::fs::remove_dir_all(&spool_dir).ok();
    drop(mock);
    result
}

async fn station_loop(client: &Client, sn_type: &str) -> wats::Result<()> {
    let production = client.production();
    let box_sn = format!("BOX-{}", std::process::id());

    // 1. The box arrives: register it, check what its verification says about this operation.
    production
        .save_unit(&Unit::new(&box_sn, BOX_PN, "A"))
        .await?
        .check()
        .map_err(|e| wats::Error::InvalidInput {
            field: "unit".to_owned(),
            message: e.to_string(),
        })?;
    let grade = production.verify_unit(&box_sn, Some(BOX_PN)).await?;
    let done_here = grade
        .process(PROCESS)
        .is_some_and(wats::core::UnitVerification::is_passing);
    println!(
        "1. box {box_sn}: verification {:?}; operation {PROCESS} {}",
        grade.status(),
        if done_here {
            "already passed"
        } else {
            "to be tested here"
        }
    );
    if done_here {
        return Ok(());
    }

    // 2. A serial number for the sub-board, registered with the box as its reference.
    let board_sn = production
        .serials()
        .take_one(
            sn_type,
            &TakeOptions::new()
                .ref_serial_number(&box_sn)
                .ref_part_number(BOX_PN)
                .station_name(STATION),
        )
        .await?;
    let mut board = Unit::new(&board_sn, BOARD_PN, "B");
    board.unit_phase_id.set(i64::from(Phase::Finalized.id())); // tested and finalized upstream
    production.save_unit(&board).await?;
    println!("2. sub-board {board_sn} ({sn_type}) registered, finalized");

    // 3. Into the box: the server checks the box build, the board's phase and loops.
    production
        .add_child_unit(
            &box_sn,
            BOX_PN,
            &board_sn,
            BOARD_PN,
            &ChildCheck::box_build(),
        )
        .await?;
    println!("3. {board_sn} added to {box_sn}");

    // 4. Test the box and submit the result; spooled if WATS cannot take it now.
    let report = UutReportBuilder::new(BOX_PN, &box_sn, "A", PROCESS)
        .station(STATION, "Final assembly", "Production")
        .sub_unit(SubUnit::new("PCBA", BOARD_PN, &board_sn, "B"))
        .result(Status::Passed)
        .build()?;
    match client.reports().submit_or_spool(&report).await? {
        SubmitOutcome::Submitted(id) => println!("4. report {id} submitted"),
        SubmitOutcome::Spooled(id) => println!("4. report {id} spooled (WATS unreachable)"),
        other => println!("4. report: {other:?}"),
    }

    // 5. Verified now? Then on to the next phase, looked up by name in the cached list.
    let passing = production.is_unit_passing(&box_sn, Some(BOX_PN)).await?;
    let phases = UnitPhaseCache::new(Duration::from_secs(600));
    let next = if passing {
        "Finalized"
    } else {
        "Production repair"
    };
    production
        .internal()
        .set_phase_by_name(&phases, &box_sn, BOX_PN, next)
        .await?;
    let phase_id = phases
        .phase_by_name(next)
        .and_then(|p| p.unit_phase_id.value().copied())
        .unwrap_or_default();
    println!("5. passing: {passing}; phase set to {next} ({phase_id})");

    // 6. What the server now knows about the box.
    let internal = production.internal();
    let tree = internal.get_unit_hierarchy(&box_sn, BOX_PN).await?;
    println!("6. hierarchy:");
    for (depth, unit) in tree.walk() {
        println!(
            "   {:indent$}{} ({}), phase {:?}",
            "",
            unit.serial_number.as_str().unwrap_or("?"),
            unit.part_number.as_str().unwrap_or("?"),
            unit.unit_phase.as_str(),
            indent = depth * 2
        );
    }
    for change in internal.get_unit_state_history(&box_sn, BOX_PN).await? {
        let what = change
            .unit_phase
            .as_str()
            .map(|p| format!("phase {p}"))
            .or_else(|| change.process_name.as_str().map(|p| format!("process {p}")))
            .unwrap_or_else(|| "change".to_owned());
        println!(
            "   history: {what} at {}",
            change.date.as_str().unwrap_or("an unknown time")
        );
    }
    let unit = production.get_unit(&box_sn, BOX_PN).await?;
    println!(
        "   unit {} phase {:?}, children {:?}",
        box_sn,
        unit.unit_phase.as_str(),
        unit.children()
            .iter()
            .filter_map(|c| c.serial_number.as_str())
            .collect::<Vec<_>>()
    );
    let changes = production.unit_changes(50, None).await?;
    println!("   unit changes in the feed: {}", changes.len());
    Ok(())
}
