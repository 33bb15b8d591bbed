//! Analytics against the embedded server: the mock's yield, top-failed and measurement
//! answers agree with the same figures computed here from the reports the test submitted,
//! and the filter's wildcard rules hold end to end.

use std::collections::BTreeMap;

use wats_core::chrono::{DateTime, Duration, FixedOffset, TimeZone};
use wats_core::stats::{capability, first_pass_yield, pareto, pareto_of_steps, unit_yield_by};
use wats_core::{
    CompOp, MeasurementPaths, NumericMeas, Report, Status, Step, UutReportBuilder, WatsFilter,
};
use wats_http::{AppScope, Client, OeeOptions, TopFailedQuery, UnitFlowView};
use wats_mock::MockServer;

const PN: &str = "ANA-1";
const STATIONS: [&str; 3] = ["ST-A", "ST-B", "ST-C"];
const VOLTAGE: &str = "MainSequence Callback¶Power¶Voltage";

/// A small deterministic generator (xorshift), so the data set is the same every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn t0() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(3600)
        .unwrap()
        .with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
        .unwrap()
}

/// One run of a unit: Power/Voltage and Power/Current numeric steps and a Comms pass/fail.
fn run(g: &mut Gen, sn: &str, station: &str, at: DateTime<FixedOffset>) -> Report {
    // Voltage: 4.82..5.22 against 4.8..5.2: about one run in twenty fails it.
    let v = 4.82 + g.unit() * 0.40;
    let i = 0.5 + g.unit() * 0.12; // against 0.5..0.6: fails above 0.6
    let comms = g.unit() > 0.08;
    let power = Step::sequence_call("Power")
        .with_step(Step::numeric_limit(
            "Voltage",
            NumericMeas::new(v, CompOp::GeLe, Some(4.8), Some(5.2)).with_unit("V"),
        ))
        .with_step(Step::numeric_limit(
            "Current",
            NumericMeas::new(i, CompOp::GeLe, Some(0.5), Some(0.6)).with_unit("A"),
        ));
    UutReportBuilder::new(PN, sn, "A", 10)
        .station(station, "Lab", "Production")
        .start(at)
        .step(power)
        .step(Step::pass_fail("Comms", comms))
        .build()
        .unwrap()
}

/// Units tested at one station each, retested (up to three runs) until they pass.
fn reports() -> Vec<Report> {
    let mut g = Gen(0x5eed_1234_abcd_0001);
    let mut out = Vec::new();
    let mut at = t0();
    for u in 0..90 {
        let sn = format!("SN-{u:04}");
        let station = STATIONS[u % 3];
        for _ in 0..3 {
            at += Duration::minutes(1);
            let r = run(&mut g, &sn, station, at);
            let passed = r.result() == Some(Status::Passed);
            out.push(r);
            if passed {
                break;
            }
        }
    }
    out
}

async fn submit_all(c: &Client, reports: &[Report]) {
    for r in reports {
        c.reports().submit(r).await.unwrap();
    }
}

fn path_of(names: &[&str]) -> String {
    names.join("¶")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_answers_agree_with_figures_computed_from_the_submitted_reports() {
    let server = MockServer::start();
    let c = Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .build()
        .unwrap();
    let reports = reports();
    assert!(reports.len() > 100, "{}", reports.len());
    submit_all(&c, &reports).await;

    // Expected first-pass yield per station, computed here: a unit's first run decides.
    let mut first: BTreeMap<(String, String), (String, bool)> = BTreeMap::new();
    for r in &reports {
        let station = r.machine_name.as_str().unwrap().to_owned();
        first
            .entry((r.sn().unwrap().to_owned(), station.clone()))
            .or_insert((station, r.result() == Some(Status::Passed)));
    }
    let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (station, passed) in first.values() {
        let e = expected.entry(station.clone()).or_default();
        e.0 += 1;
        e.1 += u64::from(*passed);
    }
    assert_eq!(expected.len(), 3);

    let a = c.analytics();
    let only_ours = WatsFilter::new().part_number(PN);
    let rows = a
        .dynamic_yield(&only_ours.clone().dimensions(["stationName"]))
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let station = row.station_name.as_str().unwrap();
        let (units, fp) = expected[station];
        assert_eq!(
            row.unit_count.value().unwrap().as_i64(),
            Some(units as i64),
            "{station}"
        );
        assert_eq!(
            row.fp_count.value().unwrap().as_i64(),
            Some(fp as i64),
            "{station}"
        );
        let want = first_pass_yield(fp, units).unwrap();
        assert_eq!(row.computed_fpy(), Some(want));
        let fpy = row.fpy.value().unwrap().as_f64().unwrap();
        assert!((fpy - want).abs() < 1e-9, "{station}: {fpy} vs {want}");
        // Every unit is retested until it passes (or three runs): lpy counts those.
        assert!(row.computed_lpy().unwrap() >= want);
    }
    // The same figures from the report list, with the local helper.
    let headers = a.uut_reports(&only_ours).await.unwrap();
    assert_eq!(headers.len(), reports.len());
    let local = unit_yield_by(&headers, |h| {
        h.station_name.as_str().unwrap_or("").to_owned()
    });
    for (station, (units, fp)) in &expected {
        assert_eq!(
            (local[station].units, local[station].first_pass),
            (*units, *fp)
        );
    }
    // Ordering by a KPI: worst station first.
    let by_fpy = a
        .dynamic_yield(&only_ours.clone().dimensions(["fpy asc", "stationName"]))
        .await
        .unwrap();
    let fpys: Vec<f64> = by_fpy
        .iter()
        .filter_map(wats_core::YieldRow::computed_fpy)
        .collect();
    assert!(fpys.windows(2).all(|w| w[0] <= w[1]), "{fpys:?}");

    // Top failed steps: leaf steps that failed, counted over every run.
    let mut fails: Vec<(String, u64)> = Vec::new();
    for r in &reports {
        for s in r.root.value().unwrap().steps.items() {
            let children = s.steps.items();
            if children.is_empty() {
                if s.status() == Some(Status::Failed) {
                    fails.push((path_of(&["MainSequence Callback", s.name()]), 1));
                }
            } else {
                for k in children {
                    if k.status() == Some(Status::Failed) {
                        fails.push((path_of(&["MainSequence Callback", s.name(), k.name()]), 1));
                    }
                }
            }
        }
    }
    let want = pareto(fails);
    assert_eq!(want.len(), 3, "{want:?}");
    let top = a.top_failed(&only_ours.clone().top_count(5)).await.unwrap();
    let got = pareto_of_steps(&top);
    assert_eq!(got, want);
    assert_eq!(
        top[0].total_count.value().unwrap().as_i64(),
        Some(reports.len() as i64)
    );
    // The internal and GET forms count the same.
    let internal = a
        .internal()
        .top_failed(&only_ours.clone().top_count(5))
        .await
        .unwrap();
    assert_eq!(pareto_of_steps(&internal), want);
    let by_get = a
        .top_failed_for(
            &TopFailedQuery::new()
                .part_number(PN)
                .process_code("10")
                .count(2),
        )
        .await
        .unwrap();
    let names_counts = |p: &[wats_core::stats::ParetoEntry]| -> Vec<(String, u64)> {
        p.iter().map(|e| (e.name.clone(), e.count)).collect()
    };
    assert_eq!(
        names_counts(&pareto_of_steps(&by_get)),
        names_counts(&want[..2])
    );

    // Measurements of Main/Power/Voltage, and their Cpk against 4.8..5.2.
    let volts: Vec<f64> = reports
        .iter()
        .flat_map(|r| {
            r.steps()
                .filter(|s| s.name() == "Voltage")
                .collect::<Vec<_>>()
        })
        .filter_map(|s| s.numeric_measurements()[0].value_f64())
        .collect();
    let expected_cap = capability(volts.iter().copied(), Some(4.8), Some(5.2)).unwrap();
    let paths = MeasurementPaths::step("MainSequence Callback/Power/Voltage");
    let series = a.measurements(&only_ours, &paths).await.unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].measurement_path.as_str(), Some(VOLTAGE));
    assert_eq!(series[0].values(), volts);
    let cap = series[0].capability().unwrap();
    assert!((cap.cpk.unwrap() - expected_cap.cpk.unwrap()).abs() < 1e-9);
    let agg = a.aggregated_measurements(&only_ours, &paths).await.unwrap();
    let server_cpk = agg[0].cpk.value().unwrap().as_f64().unwrap();
    assert!((server_cpk - expected_cap.cpk.unwrap()).abs() < 1e-9);
    assert!((agg[0].cp.value().unwrap().as_f64().unwrap() - expected_cap.cp.unwrap()).abs() < 1e-9);
    assert_eq!(
        agg[0].count.value().unwrap().as_i64(),
        Some(volts.len() as i64)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildcards_dates_lists_and_report_lists_through_the_mock() {
    let server = MockServer::start();
    let c = Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .build()
        .unwrap();
    let reports: Vec<Report> = reports().into_iter().take(30).collect();
    submit_all(&c, &reports).await;
    let a = c.analytics();
    let count = |rows: &[wats_core::ReportHeader]| rows.len();

    // A literal `_` is escaped: "ANA_1" does not match "ANA-1"; as a pattern it does.
    let literal = a
        .uut_reports(&WatsFilter::new().part_number("ANA_1"))
        .await
        .unwrap();
    assert_eq!(count(&literal), 0);
    let pattern = a
        .uut_reports(&WatsFilter::new().part_number_pattern("ANA_1"))
        .await
        .unwrap();
    assert_eq!(count(&pattern), 30);
    // A list of literals.
    let two = a
        .uut_reports(&WatsFilter::new().serial_number_any(["SN-0000", "SN-0001"]))
        .await
        .unwrap();
    let want = reports
        .iter()
        .filter(|r| matches!(r.sn(), Some("SN-0000" | "SN-0001")))
        .count();
    assert_eq!(count(&two), want);
    // Dates with an offset: only the reports from the 11th minute on.
    let later = a
        .uut_reports(
            &WatsFilter::new()
                .part_number(PN)
                .date_from(t0() + Duration::minutes(11)),
        )
        .await
        .unwrap();
    let want = reports
        .iter()
        .filter(|r| r.start().unwrap() >= t0() + Duration::minutes(11))
        .count();
    assert_eq!(count(&later), want);
    assert!(want > 0 && want < 30);

    let history = a
        .serial_number_history(&WatsFilter::new().serial_number("SN-0002"))
        .await
        .unwrap();
    let want = reports.iter().filter(|r| r.sn() == Some("SN-0002")).count();
    assert_eq!(history.len(), want);

    let oee = a
        .oee_analysis(
            &WatsFilter::new().part_number(PN),
            &OeeOptions::new().target_output(10),
        )
        .await
        .unwrap();
    let good = reports
        .iter()
        .filter(|r| r.result() == Some(Status::Passed))
        .count();
    assert_eq!(oee.good_count.value().unwrap().as_i64(), Some(good as i64));
    assert_eq!(oee.total_count.value().unwrap().as_i64(), Some(30));

    let steps = a
        .test_step_analysis(
            &WatsFilter::new()
                .part_number(PN)
                .test_operation_pattern("%"),
        )
        .await
        .unwrap();
    let voltage = steps
        .iter()
        .find(|s| s.step_path.as_str() == Some(VOLTAGE))
        .unwrap();
    assert_eq!(voltage.step_count.value().unwrap().as_i64(), Some(30));

    let high = a.high_volume_for(&AppScope::new().days(7)).await.unwrap();
    assert!(high.iter().any(|r| r.part_number.as_str() == Some(PN)));
    assert_eq!(a.levels().await.unwrap().len(), 2);
    let groups = a.product_groups(Some(true)).await.unwrap();
    assert!(groups[0].filters.is_value());
}

/// ICT then FCT for 20 units: every fifth unit fails ICT once and is retested; units 0, 7
/// and 14 fail FCT (not retested). FCT runs at FCT-1 or FCT-2 by unit parity.
fn flow_reports() -> Vec<Report> {
    let mut out = Vec::new();
    let mut at = t0();
    let mut push = |sn: &str, code: i64, station: &str, pass: bool| {
        at += Duration::minutes(1);
        out.push(
            UutReportBuilder::new("FLOW-1", sn, "A", code)
                .station(station, "Lab", "Production")
                .start(at)
                .step(Step::pass_fail("Check", pass))
                .build()
                .unwrap(),
        );
    };
    for u in 0..20 {
        let sn = format!("F{u:02}");
        if u % 5 == 0 {
            push(&sn, 20, "ICT-1", false);
        }
        push(&sn, 20, "ICT-1", true);
        push(
            &sn,
            30,
            if u % 2 == 0 { "FCT-1" } else { "FCT-2" },
            u % 7 != 0,
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_flow_is_computed_from_the_submitted_reports() {
    let server = MockServer::start();
    let c = Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .build()
        .unwrap();
    submit_all(&c, &flow_reports()).await;
    let flow = c.analytics().internal();
    let ours = WatsFilter::new().part_number("FLOW-1");
    let node = |g: &wats_core::UnitFlow, name: &str| -> (i64, i64) {
        let n = g
            .nodes
            .items()
            .iter()
            .find(|n| n.name.as_str() == Some(name))
            .unwrap_or_else(|| panic!("no node {name}"));
        let v = |f: &wats_core::Field<wats_core::NumOrStr>| f.value().unwrap().as_i64().unwrap();
        (v(&n.unit_count), v(&n.pass_count))
    };

    let g = flow.unit_flow(&ours, &UnitFlowView::new()).await.unwrap();
    assert_eq!(g.total_units.value().unwrap().as_i64(), Some(20));
    assert_eq!(g.nodes.items().len(), 2);
    assert_eq!(node(&g, "ICT"), (20, 20));
    assert_eq!(node(&g, "FCT"), (20, 17));
    let links = g.links.items();
    assert_eq!(
        links.len(),
        1,
        "ICT -> FCT only (retests stay on their node)"
    );
    assert_eq!(links[0].unit_count.value().unwrap().as_i64(), Some(20));
    let failed: Vec<_> = g
        .units
        .items()
        .iter()
        .filter(|u| u.status.as_str() == Some("Failed"))
        .filter_map(|u| u.serial_number.as_str())
        .collect();
    assert_eq!(failed, ["F00", "F07", "F14"]);
    // The GET routes read the current flow.
    assert_eq!(flow.unit_flow_nodes().await.unwrap().len(), 2);
    assert_eq!(flow.unit_flow_links().await.unwrap().len(), 1);
    assert_eq!(flow.unit_flow_units().await.unwrap().len(), 20);

    let split = flow
        .unit_flow_split_by(&ours, &UnitFlowView::new().split_by("stationName"))
        .await
        .unwrap();
    assert_eq!(node(&split, "FCT / FCT-1"), (10, 8)); // even units: F00 and F14 fail
    assert_eq!(node(&split, "FCT / FCT-2"), (10, 9)); // odd units: F07 fails
    assert_eq!(split.links.items().len(), 2);

    let traced = flow
        .unit_flow_by_serial_numbers(&ours, &UnitFlowView::new().serial_numbers(["F05", "F07"]))
        .await
        .unwrap();
    assert_eq!(traced.total_units.value().unwrap().as_i64(), Some(2));
    assert_eq!(flow.unit_flow_units().await.unwrap().len(), 2);

    let hidden = flow
        .unit_flow(&ours, &UnitFlowView::new().hide(["ICT"]))
        .await
        .unwrap();
    assert_eq!(hidden.nodes.items().len(), 1);
    assert!(hidden.links.items().is_empty());

    let ordered = flow
        .unit_flow_unit_order(&ours, &UnitFlowView::new().unit_order("status"))
        .await
        .unwrap();
    assert_eq!(ordered.units.items()[0].status.as_str(), Some("Failed"));
}
