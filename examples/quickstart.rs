//! Quickstart: a short tour of the WATS SDK.
//!
//! ```text
//! cargo run --example quickstart                          # the tour, on stdout
//! WATS_LOG_FORMAT=json cargo run --example quickstart     # plus JSON logs on stderr
//! RUST_LOG=debug cargo run --example quickstart           # plus text logs on stderr
//! ```
//!
//! It prints the server version, builds and submits a UUT report, fetches it back and
//! checks it is identical, queries report headers by serial number, lists products and
//! processes, looks up the unit, and makes one call with the blocking client.
//!
//! Without `WATS_BASE_URL` it starts the embedded server from `wats-mock` (no network
//! needed), protected by the token in `WATS_TOKEN` or a demo token. With `WATS_BASE_URL`
//! and `WATS_TOKEN` it talks to that server; it then submits the demo report only when
//! `WATS_QUICKSTART_SUBMIT=1` is set too.
//!
//! Logs: only when `WATS_LOG_FORMAT` (`json` or `text`) or `RUST_LOG` is set, a
//! `wats::log` subscriber is installed. It writes to standard error, so the tour on
//! standard output stays readable and the two streams can be redirected separately.
//! Without `RUST_LOG` it shows `INFO` and the client's per-call `DEBUG` lines. Every line
//! of a call carries that call's `correlation_id`; the token is never logged.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use wats::core::{CompOp, NumericMeas, Report, Status, Step, UutReportBuilder};
use wats::{Client, CorrelationExt, HeaderQuery};

/// The token of the embedded server when `WATS_TOKEN` is not set.
const DEMO_TOKEN: &str = "cXVpY2tzdGFydDpkZW1v";
/// The part number of the demo report (a seeded product of the embedded server).
const PART_NUMBER: &str = "PCBA-1001";

fn main() -> ExitCode {
    let logging = match init_logging() {
        Ok(on) => on,
        Err(e) => {
            eprintln!("quickstart: logging setup failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    match run(logging) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Install a `wats::log` subscriber (to stderr) only when asked for by the environment.
fn init_logging() -> Result<bool, wats::log::Error> {
    let format = std::env::var(wats::log::FORMAT_ENV).ok();
    let filter = std::env::var(wats::log::FILTER_ENV).ok();
    if format.is_none() && filter.is_none() {
        return Ok(false);
    }
    wats::log::builder()
        // Default: INFO, plus one DEBUG line per finished call. RUST_LOG replaces this.
        .directives("wats_http=debug")
        .env_values(format.as_deref(), filter.as_deref())?
        .writer(std::io::stderr)
        .init()?;
    Ok(true)
}

fn run(logging: bool) -> wats::Result<()> {
    // A real server from the environment, or the embedded one.
    let mut mock = None;
    let client = if std::env::var_os("WATS_BASE_URL").is_some() {
        Client::from_env()?
    } else {
        let token = std::env::var("WATS_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| DEMO_TOKEN.to_owned());
        let server = wats_mock::MockServer::builder()
            .token(token.clone())
            .start()
            .map_err(|e| wats::Error::InvalidConfig(format!("embedded server: {e}")))?;
        let client = Client::builder()
            .base_url(server.url())
            .token(token)
            .build()?;
        mock = Some(server);
        client
    };
    let may_submit =
        mock.is_some() || std::env::var("WATS_QUICKSTART_SUBMIT").as_deref() == Ok("1");

    println!("WATS quickstart");
    println!(
        "  server       {}{}",
        client.base_url(),
        if mock.is_some() {
            "  (embedded wats-mock; set WATS_BASE_URL and WATS_TOKEN for a real server)"
        } else {
            ""
        }
    );
    println!(
        "  logs         {}",
        if logging {
            "on, to stderr"
        } else {
            "off (set WATS_LOG_FORMAT=json|text or RUST_LOG to see them on stderr)"
        }
    );

    // The async client needs a runtime; this program is otherwise synchronous, which
    // also lets it show the blocking client below.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| wats::Error::Io {
            path: "tokio runtime".to_owned(),
            source,
        })?;
    let serial = rt.block_on(tour(&client, may_submit))?;
    // Blocking calls must not run inside the runtime: the runtime is idle now.
    blocking_tour(&client, &serial)?;
    println!();
    println!("done.");
    Ok(())
}

/// The async part of the tour; returns the serial number it used.
async fn tour(client: &Client, may_submit: bool) -> wats::Result<String> {
    println!(
        "  version      {}",
        client
            .server_version()
            .with_correlation_id("quickstart-version")
            .await?
    );

    // 1. Build, submit and fetch back a report, all under one correlation id.
    let serial = format!("QS-{}", unix_seconds());
    let report = UutReportBuilder::new(PART_NUMBER, &serial, "B", 10)
        .station("QUICKSTART-PC", "Lab", "Development")
        .operator("quickstart")
        .step(Step::numeric_limit(
            "Supply voltage",
            NumericMeas::new(5.02, CompOp::GeLe, Some(4.9), Some(5.1)).with_unit("V"),
        ))
        .step(Step::pass_fail("Boot", true))
        .build()?;
    println!();
    println!("1. UUT report");
    println!(
        "  built        {PART_NUMBER} / {serial} rev B, process 10, {} test steps, result {:?}",
        report.steps().count().saturating_sub(1),
        report.result().unwrap_or(Status::Passed)
    );
    let mut submitted_id = None;
    if may_submit {
        let correlation = "quickstart-submit";
        let (id, back) = async {
            let id = client.reports().submit(&report).await?;
            let back = client.reports().get(&id).await?;
            Ok::<_, wats::Error>((id, back))
        }
        .with_correlation_id(correlation)
        .await?;
        println!("  submitted    id {id}  (correlation id {correlation})");
        println!("  fetched      {}", compare(&report, &back));
        submitted_id = Some(id);
    } else {
        println!("  (not submitted: set WATS_QUICKSTART_SUBMIT=1 to submit it to this server)");
    }

    // 2. Report headers by serial number.
    let headers = client
        .reports()
        .query_headers(&HeaderQuery::uut().serial_number(&serial).top(10))
        .await?;
    println!();
    println!("2. Header query: serial number {serial}");
    println!("  found        {} report(s)", headers.len());
    for h in &headers {
        let uuid = h.uuid.as_str().unwrap_or("?");
        let ours = submitted_id.as_deref() == Some(uuid);
        println!(
            "  - {uuid}  result {}  station {}  start {}{}",
            h.result.as_str().unwrap_or("?"),
            h.station_name.as_str().unwrap_or("?"),
            h.start.as_str().unwrap_or("?"),
            if ours {
                "  (the one just submitted)"
            } else {
                ""
            }
        );
    }

    // 3. Products.
    let products = client.products().list().await?;
    let first: Vec<&str> = products
        .iter()
        .filter_map(|p| p.part_number.as_str())
        .take(5)
        .collect();
    println!();
    println!("3. Products");
    println!(
        "  listed       {} product(s); first: {}",
        products.len(),
        first.join(", ")
    );
    if let Some(product) = client.products().get_opt(PART_NUMBER).await? {
        let revisions: Vec<&str> = product
            .revisions
            .items()
            .iter()
            .filter_map(|r| r.revision.as_str())
            .collect();
        println!(
            "  {PART_NUMBER}    {}, revisions {}",
            product.name.as_str().unwrap_or("(no name)"),
            revisions.join(", ")
        );
    }

    // 4. Processes.
    let processes = client.processes().list().await?;
    let tests: Vec<String> = processes
        .iter()
        .filter(|p| p.is_test_operation.value() == Some(&true))
        .take(4)
        .map(|p| {
            format!(
                "{} {}",
                p.code.value().copied().unwrap_or_default(),
                p.name.as_str().unwrap_or("?")
            )
        })
        .collect();
    println!();
    println!("4. Processes");
    println!(
        "  listed       {} process(es); test operations include: {}",
        processes.len(),
        tests.join(", ")
    );

    // 5. The unit.
    println!();
    println!("5. Unit {serial} / {PART_NUMBER}");
    match client
        .production()
        .get_unit_opt(&serial, PART_NUMBER)
        .await?
    {
        Some(unit) => println!(
            "  found        revision {}, phase {:?}, location {:?}",
            unit.revision.as_str().unwrap_or("?"),
            unit.unit_phase.as_str().unwrap_or("?"),
            unit.current_location.as_str().unwrap_or("?")
        ),
        None => println!("  not found on this server"),
    }
    Ok(serial)
}

/// The same lookup with the blocking client, from plain synchronous code.
fn blocking_tour(client: &Client, serial: &str) -> wats::Result<()> {
    // Shares the async client's settings and token; runs its own runtime per thread.
    let blocking =
        wats::blocking::Client::from_async(client, wats::blocking::RuntimeMode::ThreadLocal)?;
    let correlation = "quickstart-blocking";
    let (version, unit) = wats::with_correlation_id(correlation, || {
        let version = blocking.server_version()?;
        let unit = blocking.production().get_unit_opt(serial, PART_NUMBER)?;
        Ok::<_, wats::Error>((version, unit))
    })?;
    println!();
    println!("6. Blocking client (wats::blocking::Client), correlation id {correlation}");
    println!("  version      {version}");
    println!(
        "  unit         {}",
        if unit.is_some() {
            "found (same answer as the async client)"
        } else {
            "not found"
        }
    );
    Ok(())
}

/// Whether the report read back equals the one submitted, with the differing JSON paths
/// when not (a real server adds fields such as `origin` and `startUTC`).
fn compare(sent: &Report, back: &Report) -> String {
    if sent == back {
        return "identical to the submitted report".to_owned();
    }
    let (Ok(a), Ok(b)) = (serde_json::to_value(sent), serde_json::to_value(back)) else {
        return "differs from the submitted report".to_owned();
    };
    let diffs = wats::core::roundtrip::diff(&a, &b);
    let paths: Vec<String> = diffs.iter().take(5).map(ToString::to_string).collect();
    format!(
        "differs from the submitted report at {} place(s): {}",
        diffs.len(),
        paths.join("; ")
    )
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
