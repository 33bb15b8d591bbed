//! Yield report: first-pass yield per station, the top 5 failing steps and the Cpk of one
//! measurement.
//!
//! ```text
//! cargo run --example yield_report
//! ```
//!
//! Without `WATS_BASE_URL` it starts the embedded server from `wats-mock`, submits a few
//! hundred generated test reports (units tested at four stations, retested until they
//! pass, at most three runs) and reads the figures back from the server's analytics calls;
//! the embedded server computes them from the reports it stores. With `WATS_BASE_URL` and
//! `WATS_TOKEN` it reads a real server's figures for `WATS_PART_NUMBER` (nothing is
//! submitted).

use std::process::ExitCode;

use wats::Client;
use wats::core::chrono::{DateTime, Duration, FixedOffset, Local};
use wats::core::stats::pareto_of_steps;
use wats::core::{
    CompOp, MeasurementPaths, NumericMeas, Report, Step, UutReportBuilder, WatsFilter,
};

const DEMO_TOKEN: &str = "eWllbGQ6cmVwb3J0";
const PART_NUMBER: &str = "PSU-200";
const STATIONS: [&str; 4] = ["FCT-01", "FCT-02", "FCT-03", "FCT-04"];
const UNITS: usize = 250;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yield_report: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> wats::Result<()> {
    let mut mock = None;
    let (client, part_number) = if std::env::var_os("WATS_BASE_URL").is_some() {
        let pn = std::env::var("WATS_PART_NUMBER").unwrap_or_else(|_| PART_NUMBER.to_owned());
        (Client::from_env()?, pn)
    } else {
        let server = wats_mock::MockServer::builder()
            .token(DEMO_TOKEN)
            .start()
            .map_err(|e| wats::Error::InvalidConfig(format!("embedded server: {e}")))?;
        let client = Client::builder()
            .base_url(server.url())
            .token(DEMO_TOKEN)
            .build()?;
        mock = Some(server);
        (client, PART_NUMBER.to_owned())
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| wats::Error::Io {
            path: "tokio runtime".to_owned(),
            source: e,
        })?;
    rt.block_on(report(&client, &part_number, mock.is_some()))
}

async fn report(client: &Client, part_number: &str, submit: bool) -> wats::Result<()> {
    if submit {
        let reports = generate(part_number);
        for r in &reports {
            client.reports().submit(r).await?;
        }
        println!("submitted {} reports of {UNITS} units", reports.len());
    }
    let analytics = client.analytics();
    let filter = WatsFilter::new().part_number(part_number);

    println!("\nFirst-pass yield per station ({part_number})");
    println!(
        "  {:<10} {:>6} {:>6} {:>8}",
        "station", "units", "fp", "FPY %"
    );
    let rows = analytics
        .dynamic_yield(&filter.clone().dimensions(["stationName"]))
        .await?;
    for row in &rows {
        let count = |f: &wats::core::Field<wats::core::NumOrStr>| {
            f.value()
                .and_then(wats::core::NumOrStr::as_i64)
                .unwrap_or(0)
        };
        println!(
            "  {:<10} {:>6} {:>6} {:>8.1}",
            row.station_name.as_str().unwrap_or("?"),
            count(&row.unit_count),
            count(&row.fp_count),
            row.computed_fpy().unwrap_or(f64::NAN),
        );
    }

    println!("\nTop 5 failing steps");
    let top = analytics.top_failed(&filter.clone().top_count(5)).await?;
    for e in pareto_of_steps(&top) {
        println!(
            "  {:>4} fails  {:>5.1} %  (cumulative {:>5.1} %)  {}",
            e.count,
            e.percent,
            e.cumulative_percent,
            e.name.replace('¶', "/")
        );
    }

    let path = MeasurementPaths::step("MainSequence Callback/Power/Output voltage");
    println!("\nCapability of {}", path.as_str().replace('¶', "/"));
    let series = analytics.measurements(&filter, &path).await?;
    match series
        .first()
        .and_then(wats::core::MeasurementSeries::capability)
    {
        Some(c) => println!(
            "  n = {}, mean = {:.4} V, stdev = {:.4} V, Cp = {:.3}, Cpk = {:.3}",
            c.n,
            c.mean,
            c.stdev,
            c.cp.unwrap_or(f64::NAN),
            c.cpk.unwrap_or(f64::NAN)
        ),
        None => println!("  not enough measurements"),
    }
    Ok(())
}

/// A small deterministic generator (xorshift), so every run prints the same figures.
struct Gen(u64);

impl Gen {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Units at four stations (the fourth one drifts), retested until they pass.
fn generate(part_number: &str) -> Vec<Report> {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let start: DateTime<FixedOffset> = Local::now().fixed_offset() - Duration::hours(8);
    let mut out = Vec::new();
    let mut at = start;
    for u in 0..UNITS {
        let sn = format!("PSU{u:05}");
        let station = STATIONS[u % STATIONS.len()];
        let drift = if station == "FCT-04" { 0.06 } else { 0.0 };
        for _ in 0..3 {
            at += Duration::seconds(90);
            let volts = 11.9 + drift + g.unit() * 0.24;
            let ripple = g.unit() * 55.0;
            let power = Step::sequence_call("Power")
                .with_step(Step::numeric_limit(
                    "Output voltage",
                    NumericMeas::new(volts, CompOp::GeLe, Some(11.88), Some(12.12)).with_unit("V"),
                ))
                .with_step(Step::numeric_limit(
                    "Ripple",
                    NumericMeas::new(ripple, CompOp::Le, Some(50.0), None).with_unit("mV"),
                ));
            let report = UutReportBuilder::new(part_number, &sn, "B", 10)
                .station(station, "Plant 1", "Production")
                .start(at)
                .step(Step::pass_fail("Power on", g.unit() > 0.03))
                .step(power)
                .step(Step::pass_fail("Fan", g.unit() > 0.05))
                .build();
            let Ok(report) = report else { continue };
            let passed = report.result() == Some(wats::core::Status::Passed);
            out.push(report);
            if passed {
                break;
            }
        }
    }
    out
}
