//! A test station that keeps testing through a WATS outage and catches up afterwards.
//!
//! Against the embedded mock server (`wats-mock`): the station submits each result with
//! `submit_or_spool`. While the server answers 503 and then refuses connections, the reports
//! go to a durable on-disk spool; when it is back, a background flusher delivers them, oldest
//! first, each once. Run it with `cargo run --example offline_station`.

use std::time::{Duration, Instant};

use wats::Client;
use wats::core::{Report, Status, UutReportBuilder};
use wats::http::SubmitOutcome;

fn test_unit(n: u32) -> wats::Result<Report> {
    let result = if n % 4 == 3 {
        Status::Failed
    } else {
        Status::Passed
    };
    UutReportBuilder::new("PCBA-1001", &format!("SN-OFFLINE-{n:04}"), "B", 10)
        .station("ST-OFFLINE-1", "Line 2", "Production")
        .result(result)
        .build()
}

async fn run_tests(client: &Client, units: std::ops::Range<u32>) -> wats::Result<Vec<String>> {
    let mut ids = Vec::new();
    for n in units {
        let report = test_unit(n)?;
        match client.reports().submit_or_spool(&report).await? {
            SubmitOutcome::Submitted(id) => {
                println!("  unit {n:2}: submitted      {id}");
                ids.push(id);
            }
            SubmitOutcome::Spooled(id) => {
                println!("  unit {n:2}: spooled        {id}");
                ids.push(id);
            }
            other => println!("  unit {n:2}: {other:?}"),
        }
    }
    Ok(ids)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> wats::Result<()> {
    let server = wats_mock::MockServer::start();
    let spool_dir =
        std::env::temp_dir().join(format!("wats-offline-station-{}", std::process::id()));
    let client = Client::builder()
        .base_url(server.url())
        .token("c3RhdGlvbjpkZW1v")
        .timeout(Duration::from_secs(2))
        .spool_dir(&spool_dir)
        // After 5 failures in a row the breaker opens: reports are then spooled at once,
        // without waiting on a dead server. A short open time lets the demo recover fast.
        .circuit_breaker_open_duration(Duration::from_secs(1))
        .build()?;
    println!("station spool: {}", client.spool().dir()?.display());

    println!("WATS is up:");
    let mut ids = run_tests(&client, 0..3).await?;

    println!("WATS answers 503 (maintenance):");
    let maintenance = server.fail_for(Duration::from_secs(3600), 503);
    ids.extend(run_tests(&client, 3..6).await?);
    server.remove_fault(maintenance);

    println!("WATS is unreachable (connection refused):");
    server.refuse_connections();
    server.close_idle_connections();
    tokio::time::sleep(Duration::from_millis(50)).await;
    ids.extend(run_tests(&client, 6..10).await?);

    let waiting = client.spool().list().await?;
    println!(
        "{} report(s) waiting in the spool, oldest first:",
        waiting.len()
    );
    for entry in &waiting {
        println!("  {}", entry.id());
    }

    if let Some(breaker) = client.circuit_breaker() {
        println!("circuit breaker: {:?}", breaker.state());
    }
    println!("WATS is back; the background flusher catches up (after the breaker's probe):");
    let flusher = client.spool().spawn_flusher(Duration::from_millis(100))?;
    server
        .accept_connections()
        .map_err(|e| wats::Error::InvalidConfig(e.to_string()))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !client.spool().is_empty().await? && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "  flusher delivered {} report(s) in {} flush(es)",
        flusher.delivered(),
        flusher.flushes()
    );
    flusher.stop().await;

    // Every tested unit is on the server, and nothing is left behind.
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| server.stored_report(id).is_none())
        .collect();
    let left = client.spool().len().await?;
    println!(
        "{} unit(s) tested, {} on the server, {} missing, {} left in the spool",
        ids.len(),
        ids.len() - missing.len(),
        missing.len(),
        left
    );
    let _ = std::fs::remove_dir_all(&spool_dir);
    if missing.is_empty() && left == 0 {
        Ok(())
    } else {
        Err(wats::Error::InvalidInput {
            field: "spool".to_owned(),
            message: format!("{} report(s) not delivered", missing.len() + left),
        })
    }
}
