//! The analytics filter end to end, through the client and the embedded server: the
//! wildcard rules (an escaped literal matches only itself, a pattern matches many), every
//! member of `PublicWatsFilter` the stored reports can answer narrowing a yield answer
//! (counts computed here from the submitted reports), and the alarm logs the mock derives
//! from the reports' yield.

use wats_core::chrono::{DateTime, Duration, FixedOffset, TimeZone};
use wats_core::{ProductGroup, Report, SeqCall, Status, Step, UutReportBuilder, WatsFilter};
use wats_http::Client;
use wats_mock::MockServer;

fn t0() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(3600)
        .unwrap()
        .with_ymd_and_hms(2026, 4, 6, 8, 0, 0)
        .unwrap()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .token("dXNlcjpwYXNz")
        .build()
        .unwrap()
}

async fn submit_all(c: &Client, reports: &[Report]) {
    for r in reports {
        c.reports().submit(r).await.unwrap();
    }
}

fn batch(r: &Report) -> &str {
    r.uut.value().unwrap().batch_sn.as_str().unwrap()
}

/// Units summed over the rows of a yield answer.
fn units(rows: &[wats_core::YieldRow]) -> i64 {
    rows.iter()
        .map(|r| r.unit_count.value().unwrap().as_i64().unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escaped_percent_matches_only_itself_and_a_pattern_matches_many() {
    let server = MockServer::start();
    let c = client(&server);
    // Batch numbers that a careless `LOT-5%` would all match.
    let batches = ["LOT-5%", "LOT-50", "LOT-5X", "LOT-5", "LOT-6%", "lot-5%"];
    let mut reports = Vec::new();
    for (i, b) in batches.iter().enumerate() {
        for k in 0..2 {
            reports.push(
                UutReportBuilder::new("WILD-1", &format!("W{i}-{k}"), "A", 10)
                    .station("ST-1", "Lab", "Production")
                    .batch_sn(b)
                    .start(t0() + Duration::minutes((i * 2 + k) as i64))
                    .step(Step::pass_fail("Check", k == 0))
                    .build()
                    .unwrap(),
            );
        }
    }
    submit_all(&c, &reports).await;
    let a = c.analytics();
    let count = |keep: &dyn Fn(&str) -> bool| reports.iter().filter(|r| keep(batch(r))).count();
    let got = |rows: Vec<wats_core::ReportHeader>| {
        let mut b: Vec<String> = rows
            .iter()
            .map(|h| h.batch_number.as_str().unwrap().to_owned())
            .collect();
        b.sort();
        b
    };

    // The literal: `LOT-5[%]` on the wire; only the `%` batches (case ignored, as SQL
    // Server's default collation compares).
    let literal = a
        .uut_reports(&WatsFilter::new().batch_number("LOT-5%"))
        .await
        .unwrap();
    assert_eq!(literal.len(), count(&|b| b.eq_ignore_ascii_case("LOT-5%")));
    assert_eq!(got(literal), ["LOT-5%", "LOT-5%", "lot-5%", "lot-5%"]);
    // The same text as a pattern: every batch starting with `LOT-5`.
    let pattern = a
        .uut_reports(&WatsFilter::new().batch_number_pattern("LOT-5%"))
        .await
        .unwrap();
    let many = count(&|b| b.to_ascii_uppercase().starts_with("LOT-5"));
    assert_eq!((pattern.len(), many), (10, 10));
    // `_` as a literal matches nothing here, as a pattern one character.
    let none = a
        .uut_reports(&WatsFilter::new().batch_number("LOT-5_"))
        .await
        .unwrap();
    assert!(none.is_empty());
    let one_more = a
        .uut_reports(&WatsFilter::new().batch_number_pattern("LOT-5_"))
        .await
        .unwrap();
    assert_eq!(
        one_more.len(),
        count(&|b| b.len() == 6 && b.to_ascii_uppercase().starts_with("LOT-5"))
    );
    // A `;` list of literals: each escaped.
    let two = a
        .uut_reports(&WatsFilter::new().batch_number_any(["LOT-6%", "LOT-5"]))
        .await
        .unwrap();
    assert_eq!(got(two), ["LOT-5", "LOT-5", "LOT-6%", "LOT-6%"]);
    // The yield narrows the same way: units, not reports (two units per batch).
    let rows = a
        .dynamic_yield(
            &WatsFilter::new()
                .batch_number("LOT-5%")
                .dimensions(["batchNumber"]),
        )
        .await
        .unwrap();
    assert_eq!(units(&rows), 4);
    let rows = a
        .dynamic_yield(
            &WatsFilter::new()
                .batch_number_pattern("LOT-5%")
                .dimensions(["partNumber"]),
        )
        .await
        .unwrap();
    assert_eq!(units(&rows), 10);
}

/// Reports that differ in one member each: 24 units of two products, tested once each.
/// Unit `u` has purpose (level) `PCBA` or `Box build` by `u % 2`, socket `u % 3`, a misc
/// info `Fixture` = `F<u % 4>`, and sequence file `fct.seq` 2.0 (u < 8) or `ict.seq` 1.0.
fn member_reports() -> Vec<Report> {
    (0..24)
        .map(|u| {
            let pn = if u < 16 { "PCB-7" } else { "BOX-7" };
            let level = if u % 2 == 0 { "PCBA" } else { "Box build" };
            let (file, version) = if u < 8 {
                ("C:\\seq\\fct.seq", "2.0")
            } else {
                ("D:/seq/ict.seq", "1.0")
            };
            let mut root = Step::sequence_call("MainSequence Callback");
            root.seq_call = SeqCall::new(file, "MainSequence Callback", version).into();
            let mut r = UutReportBuilder::new(pn, &format!("M{u:02}"), "A", 10)
                .station("ST-M", "Lab", level)
                .start(t0() + Duration::minutes(u))
                .misc_info("Fixture", &format!("F{}", u % 4))
                .misc_info("Operator shift", "day")
                .root(root)
                .step(Step::pass_fail("Check", u % 5 != 0))
                .build()
                .unwrap();
            r.uut.value_mut().unwrap().test_socket_index.set(u % 3);
            r
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_member_the_reports_answer_narrows_the_yield() {
    let server = MockServer::start();
    let c = client(&server);
    let reports = member_reports();
    submit_all(&c, &reports).await;
    // A product group made through the mock's own product API: the PCB products.
    c.products()
        .create_product_group(&ProductGroup::new("Boards", "", true))
        .await
        .unwrap();
    c.products()
        .add_product_group_filter("Boards", "PCB-%", None, false)
        .await
        .unwrap();

    let a = c.analytics();
    // The seeded reports of the mock are at other stations: ours are at ST-M.
    let ours = || WatsFilter::new().station_name("ST-M");
    let total = units(
        &a.dynamic_yield(&ours().dimensions(["partNumber"]))
            .await
            .unwrap(),
    );
    assert_eq!(total, 24);
    let seq = |r: &Report| {
        let s = r.root.value().unwrap().seq_call.value().unwrap();
        (
            s.path.as_str().unwrap().to_owned(),
            s.version.as_str().unwrap().to_owned(),
        )
    };
    let misc = |r: &Report, d: &str| -> Option<String> {
        r.misc_infos()
            .iter()
            .find(|m| m.description.as_str() == Some(d))
            .and_then(|m| m.text.as_str().map(str::to_owned))
    };
    let socket = |r: &Report| *r.uut.value().unwrap().test_socket_index.value().unwrap();
    type Keep = Box<dyn Fn(&Report) -> bool>;
    let cases: Vec<(&str, WatsFilter, Keep)> = vec![
        (
            "productGroup",
            ours().product_group("Boards"),
            Box::new(|r| r.pn() == Some("PCB-7")),
        ),
        (
            "productGroup (every product's group)",
            ours().product_group("All products"),
            Box::new(|_| true),
        ),
        (
            "level",
            ours().level("PCBA"),
            Box::new(|r| r.purpose.as_str() == Some("PCBA")),
        ),
        (
            "miscDescription and miscValue",
            ours().misc_description("Fixture").misc_value("F1"),
            Box::new(move |r| misc(r, "Fixture").as_deref() == Some("F1")),
        ),
        (
            "miscValue alone, as a list",
            ours().misc_value_any(["F2", "F3"]),
            Box::new(move |r| matches!(misc(r, "Fixture").as_deref(), Some("F2" | "F3"))),
        ),
        (
            "misc value of another description",
            ours().misc_description("Operator shift").misc_value("F1"),
            Box::new(|_| false),
        ),
        (
            "swFilename",
            ours().sw_filename("fct.seq"),
            Box::new(move |r| seq(r).0.ends_with("fct.seq")),
        ),
        (
            "swVersion",
            ours().sw_version("1.0"),
            Box::new(move |r| seq(r).1 == "1.0"),
        ),
        (
            "socket",
            ours().socket("2"),
            Box::new(move |r| socket(r) == 2),
        ),
        (
            "several members at once",
            ours()
                .level("Box build")
                .socket_any(["0", "1"])
                .product_group("Boards"),
            Box::new(move |r| {
                r.purpose.as_str() == Some("Box build") && socket(r) < 2 && r.pn() == Some("PCB-7")
            }),
        ),
    ];
    for (what, filter, keep) in cases {
        let kept: Vec<&Report> = reports.iter().filter(|r| keep(r)).collect();
        let want_units = kept.len() as i64;
        let want_fp = kept
            .iter()
            .filter(|r| r.result() == Some(Status::Passed))
            .count() as i64;
        let rows = a
            .dynamic_yield(&filter.dimensions(["partNumber"]))
            .await
            .unwrap();
        assert_eq!(units(&rows), want_units, "{what}");
        let fp: i64 = rows
            .iter()
            .map(|r| r.fp_count.value().unwrap().as_i64().unwrap())
            .sum();
        assert_eq!(fp, want_fp, "{what}");
        if what.starts_with("productGroup (") {
            assert_eq!(want_units, total, "{what}");
        } else {
            assert!(want_units < total, "{what} must narrow the answer");
        }
    }

    // minCount leaves out groups with fewer units; maxCount keeps the newest reports.
    let rows = a
        .dynamic_yield(
            &WatsFilter::new()
                .station_name("ST-M")
                .min_count(9)
                .dimensions(["partNumber"]),
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].part_number.as_str(), Some("PCB-7"));
    let steps = a
        .test_step_analysis(&WatsFilter::new().part_number("PCB-7").max_count(5))
        .await
        .unwrap();
    let check = steps
        .iter()
        .find(|s| s.step_name.as_str() == Some("Check"))
        .unwrap();
    assert_eq!(check.step_count.value().unwrap().as_i64(), Some(5));
}

/// Units of one product and operation, in order; `false` fails its only run.
fn yield_reports(passes: &[bool]) -> Vec<Report> {
    passes
        .iter()
        .enumerate()
        .map(|(u, pass)| {
            UutReportBuilder::new("ALARM-1", &format!("A{u:02}"), "A", 10)
                .station("ST-Y", "Lab", "PCBA")
                .start(t0() + Duration::hours(u as i64))
                .step(Step::pass_fail("Check", *pass))
                .build()
                .unwrap()
        })
        .collect()
}

/// The log dates and yields the documented rule gives: once 5 units are in, an entry
/// each time the first-pass yield falls under 90 %, again only after it recovered.
fn expected_alarms(reports: &[Report]) -> Vec<(DateTime<FixedOffset>, f64)> {
    let (mut n, mut fp, mut below) = (0u32, 0u32, false);
    let mut out = Vec::new();
    for r in reports {
        n += 1;
        fp += u32::from(r.result() == Some(Status::Passed));
        let fpy = f64::from(fp) / f64::from(n);
        if fpy >= 0.9 {
            below = false;
        } else if n >= 5 && !below {
            below = true;
            out.push((r.start().unwrap(), fpy));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarm_logs_follow_the_yield_of_the_submitted_reports() {
    let server = MockServer::start();
    let c = client(&server);
    let logs = c.analytics().internal();
    let f = WatsFilter::new();
    assert!(logs.alarm_logs(&f).await.unwrap().is_empty());

    // Unit 2 fails before the fifth unit (no alarm yet: too few units); unit 4 makes 5
    // units at 60 %: an alarm. Ten passes bring it back over 90 %; unit 16 fails it again.
    let mut passes = vec![true, true, false, true, false];
    passes.extend([true; 16]);
    passes.extend([false, true]);
    let reports = yield_reports(&passes);
    submit_all(&c, &reports[..4]).await;
    assert!(
        logs.alarm_logs(&f).await.unwrap().is_empty(),
        "4 units: no alarm"
    );
    submit_all(&c, &reports[4..]).await;

    let want = expected_alarms(&reports);
    assert_eq!(want.len(), 2, "{want:?}");
    let got = logs.alarm_logs(&f).await.unwrap();
    assert_eq!(got.len(), 2);
    // Newest first.
    for (entry, (at, fpy)) in got.iter().zip(want.iter().rev()) {
        assert_eq!(entry.alarm_type.value().unwrap().as_i64(), Some(2));
        let logged = DateTime::parse_from_rfc3339(entry.log_date.as_str().unwrap()).unwrap();
        assert_eq!(logged, *at);
        let got_fpy = entry.fpy.value().unwrap().as_f64().unwrap();
        assert!((got_fpy - fpy).abs() < 1e-12, "{got_fpy} vs {fpy}");
        assert_eq!(entry.part_number.as_str(), Some("ALARM-1"));
    }
    // The filter: dates select entries by log date, topCount cuts, a level or product
    // group the reports are not in has no alarms.
    let later = logs
        .alarm_logs(&WatsFilter::new().date_from(want[0].0 + Duration::minutes(1)))
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(
        DateTime::parse_from_rfc3339(later[0].log_date.as_str().unwrap()).unwrap(),
        want[1].0
    );
    assert_eq!(
        logs.alarm_logs(&WatsFilter::new().top_count(1))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        logs.alarm_logs(&WatsFilter::new().level("Box build"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        logs.alarm_logs(&WatsFilter::new().level("PCBA"))
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        logs.alarm_logs(&WatsFilter::new().product_group("Boards"))
            .await
            .unwrap()
            .is_empty()
    );
}
