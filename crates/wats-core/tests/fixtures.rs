//! Every real WATS export in fixtures/wats-samples round-trips with zero
//! differences, and the typed view over it is right.

use wats_core::roundtrip::{Kind, check_bytes, check_value};
use wats_core::{CompOp, Report, ReportType, Status, StepGroup, StepKind, json};

const SAMPLES: &[&str] = &[
    "uut-wsjf-export.json",
    "new_report_example.json",
    "uur_example.json",
    "advanced_uut.json",
    "example_report_from_server.json",
];

fn sample(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/wats-samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn report(name: &str) -> Report {
    json::from_slice(&sample(name)).unwrap()
}

#[test]
fn every_sample_round_trips_with_zero_differences() {
    let mut failures = Vec::new();
    for name in SAMPLES {
        let rt = check_bytes(Kind::Report, &sample(name)).unwrap();
        for d in &rt.differences {
            failures.push(format!("{name}: {d}"));
        }
        // Also through the Value entry point.
        let again = check_value(Kind::Report, &rt.original).unwrap();
        assert!(again.is_empty(), "{name}: {again:?}");
    }
    assert!(failures.is_empty(), "differences:\n{}", failures.join("\n"));
}

#[test]
fn an_array_of_reports_round_trips() {
    let mut bytes = b"[".to_vec();
    for (i, name) in SAMPLES.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        bytes.extend(sample(name));
    }
    bytes.push(b']');
    let rt = check_bytes(Kind::Report, &bytes).unwrap();
    assert_eq!(rt.original.as_array().unwrap().len(), SAMPLES.len());
    assert!(rt.is_lossless(), "{:?}", rt.differences);
}

#[test]
fn serialized_text_keeps_dates_strings_and_float_forms() {
    let src = sample("uut-wsjf-export.json");
    let r: Report = json::from_slice(&src).unwrap();
    let out = String::from_utf8(json::to_vec(&r).unwrap()).unwrap();
    assert!(out.contains(r#""start":"2026-01-30T22:01:41.4707353+01:00""#));
    assert!(out.contains(r#""startUTC":"2026-01-30T21:01:41.4707353Z""#));
    assert!(out.contains(r#""processCodeFormat":null"#));
    assert!(out.contains(r#""execTime":123.67"#));

    let r = report("new_report_example.json");
    let out = String::from_utf8(json::to_vec(&r).unwrap()).unwrap();
    assert!(out.contains(r#""compOp":"IgnoreCase""#));
    assert!(out.contains("\"01     \""), "trailing spaces kept");
}

#[test]
fn typed_view_of_the_uut_export() {
    let r = report("uut-wsjf-export.json");
    assert_eq!(r.report_type(), Some(ReportType::Uut));
    assert!(r.is_uut());
    assert_eq!(r.result(), Some(Status::Failed));
    let start = r.start().unwrap();
    assert_eq!(start.offset().local_minus_utc(), 3600);
    assert_eq!(start.timestamp_subsec_nanos(), 470_735_300);
    assert_eq!(r.start_utc().unwrap(), start);
    assert!(r.uuid().is_some());

    let root = r.root().unwrap();
    assert_eq!(root.kind(), StepKind::SequenceCall);
    assert_eq!(r.steps().count(), 186);
    // Depth-first: the first step after the root is the root's first child.
    assert_eq!(r.steps().nth(1).unwrap().name(), root.children()[0].name());

    let kinds: std::collections::HashSet<_> = r.steps().map(|s| s.kind()).collect();
    for k in [
        StepKind::MultiNumericLimit,
        StepKind::MultiPassFail,
        StepKind::MultiStringValue,
        StepKind::XyGraph,
        StepKind::MessagePopup,
        StepKind::CallExecutable,
        StepKind::Ni("NI_Flow_If"),
        StepKind::Unknown("DoWhile"),
        StepKind::Goto,
        StepKind::Label,
    ] {
        assert!(kinds.contains(&k), "{k:?}");
    }

    let xy = r.steps().find(|s| s.kind() == StepKind::XyGraph).unwrap();
    assert_eq!(xy.numeric_measurements().len(), 1);
    let series = &xy.chart.value().unwrap().series.items()[0];
    assert_eq!(series.x_values().len(), 13);

    let mnlt = r
        .steps()
        .find(|s| s.kind() == StepKind::MultiNumericLimit)
        .unwrap();
    let eq = &mnlt.numeric_measurements()[1];
    assert_eq!(eq.comp_op(), Some(CompOp::Eq));
    assert_eq!(eq.value_f64(), Some(500.0));
    assert_eq!(eq.low_limit_f64(), Some(500.0));
    assert!(eq.high_limit.is_null());
    assert_eq!(eq.status(), Some(Status::Passed));

    // Loops in server form.
    let header = r
        .steps()
        .find(|s| {
            s.loop_info
                .value()
                .is_some_and(|l| l.ending_index.is_value())
        })
        .unwrap();
    let l = header.loop_info.value().unwrap();
    assert!(l.num.value().is_some() && l.passed.value().is_some() && l.failed.value().is_some());

    let popup = r
        .steps()
        .find(|s| s.kind() == StepKind::MessagePopup)
        .unwrap();
    assert_eq!(
        popup.message_popup.value().unwrap().button.value(),
        Some(&0)
    );

    // Misc info with numeric.
    let misc = &r.misc_infos()[0];
    assert_eq!(misc.numeric.value().unwrap().as_i64(), Some(100));
    assert!(misc.text.is_null());
    assert_eq!(r.sub_units()[0].position.value(), Some(&0));
    assert_eq!(r.uut.value().unwrap().user.as_str(), Some("FATOperator"));
}

#[test]
fn typed_view_of_the_production_export() {
    let r = report("new_report_example.json");
    let root = r.root().unwrap();
    assert_eq!(root.step_type(), "WATS_SeqCall");
    assert_eq!(root.kind(), StepKind::SequenceCall);
    assert!(
        r.steps()
            .any(|s| s.kind() == StepKind::Action && s.step_type() == "ET_A")
    );
    // An NI_Wait holding child steps: children are typed and walked.
    let wait = r
        .steps()
        .find(|s| s.step_type() == "NI_Wait" && !s.children().is_empty())
        .unwrap();
    assert!(wait.seq_call.is_value());
    assert_eq!(wait.kind(), StepKind::Ni("NI_Wait"));
    assert!(r.steps().any(|s| s.kind() == StepKind::Statement));
    let ignore = r
        .steps()
        .flat_map(wats_core::Step::string_measurements)
        .find(|m| m.comp_op.value().map(wats_core::Coded::as_str) == Some("IgnoreCase"))
        .unwrap();
    assert_eq!(ignore.comp_op(), Some(CompOp::IgnoreCase));
    assert!(r.steps().all(|s| s.group().is_some()));
    assert!(r.steps().any(|s| s.group() == Some(StepGroup::Setup)));
}

#[test]
fn typed_view_of_the_uur_export() {
    let r = report("uur_example.json");
    assert!(r.is_uur());
    assert!(r.root().is_none());
    assert_eq!(r.steps().count(), 0);
    let uur = r.uur.value().unwrap();
    assert_eq!(uur.process_code.value(), Some(&90));
    assert!(uur.children.is_null());
    assert!(uur.parent.is_null());
    let main = &r.sub_units()[0];
    assert_eq!(main.idx.value(), Some(&0));
    let f = &main.failures.items()[0];
    assert_eq!(f.ref_step_name.as_str(), Some("MainSequence Callback"));
    assert!(f.art_number.is_null());
}
