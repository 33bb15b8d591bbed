//! Lossless on any shape (issue 15 §2): in the real exports, members at every depth are
//! replaced by values of other JSON types; every result decodes and re-serializes to the
//! same JSON, and walking it with every typed accessor does not panic.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};
use wats_core::roundtrip::{Kind, check_bytes, check_value};
use wats_core::{Report, json as wjson};

const REPORTS: &[&str] = &[
    "advanced_uut.json",
    "example_report_from_server.json",
    "new_report_example.json",
    "uut-wsjf-export.json",
    "uur_example.json",
];

fn sample(name: &str) -> Value {
    let path = format!(
        "{}/../../fixtures/wats-samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// One step into a JSON value.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item(usize),
}

/// The path of every member and array item below the top level.
fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                here.push(Step::Key(k.clone()));
                out.push(here.clone());
                paths(child, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                here.push(Step::Item(i));
                out.push(here.clone());
                paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Item(i) => v.get_mut(*i),
    })
}

/// A JSON value of some other shape: every JSON type, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        Just(json!("NaN")),
        Just(json!("2026-01-30T22:01:41.4707353+01:00")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Decode as a report from bytes and from a value; both must give back the same JSON;
/// then use every typed accessor.
fn assert_any_shape_round_trips(v: &Value) {
    let diffs = check_value(Kind::Report, v).unwrap();
    assert!(diffs.is_empty(), "{diffs:#?}");
    let bytes = serde_json::to_vec(v).unwrap();
    let rt = check_bytes(Kind::Report, &bytes).unwrap();
    assert!(rt.is_lossless(), "{:#?}", rt.differences);
    let report: Report = wjson::from_slice(&bytes).unwrap();
    touch_everything(&report);
}

/// Call every typed accessor of a report and its steps.
fn touch_everything(r: &Report) {
    let _ = (
        r.report_type(),
        r.is_uut(),
        r.is_uur(),
        r.uuid(),
        r.pn(),
        r.sn(),
        r.rev(),
    );
    let _ = (
        r.result(),
        r.start(),
        r.start_utc(),
        r.misc_infos(),
        r.sub_units(),
    );
    for s in r.steps() {
        let _ = (
            s.kind(),
            s.kind().is_test(),
            s.step_type(),
            s.name(),
            s.status(),
        );
        let _ = (s.group(), s.children().len());
        for m in s.numeric_measurements() {
            let _ = (m.value_f64(), m.low_limit_f64(), m.high_limit_f64());
            let _ = (m.comp_op(), m.status());
        }
        for m in s.boolean_measurements() {
            let _ = m.status();
        }
        for m in s.string_measurements() {
            let _ = (m.comp_op(), m.status());
        }
        if let Some(chart) = s.chart.value() {
            for series in chart.series.items() {
                let _ = (series.x_values(), series.y_values());
            }
        }
        let _ = s.start.as_str().map(wats_core::time::parse);
    }
}

#[test]
fn every_member_of_a_uur_replaced_by_every_json_type_round_trips() {
    let base = sample("uur_example.json");
    let mut all = Vec::new();
    paths(&base, &mut Vec::new(), &mut all);
    assert!(all.len() > 20, "{}", all.len());
    let replacements = [
        json!(null),
        json!(true),
        json!("text"),
        json!(-7),
        json!(1.5),
        json!(18446744073709551615u64),
        json!({"k": [null]}),
        json!([null, {}, 1]),
    ];
    for path in &all {
        for r in &replacements {
            let mut v = base.clone();
            *at(&mut v, path).unwrap() = r.clone();
            assert_any_shape_round_trips(&v);
        }
    }
}

#[test]
fn the_python_sdk_shapes_round_trip() {
    // The kinds of mismatch a held-out pyWATS corpus had: null among step objects, an
    // object where a number is expected, a string where a boolean is expected.
    let mut v = sample("uut-wsjf-export.json");
    v["root"]["steps"].as_array_mut().unwrap().push(Value::Null);
    v["root"]["totTime"] = json!({"value": 1.5, "unit": "s"});
    v["root"]["causedSeqFailure"] = json!("False");
    v["uut"]["user"] = json!({"name": "op"});
    v["miscInfos"] = json!([null, {"description": "d"}]);
    assert_any_shape_round_trips(&v);
    let report: Report = wjson::from_value(v).unwrap();
    let root = report.root().unwrap();
    assert!(
        root.children().is_empty(),
        "an array holding null is kept whole as JSON"
    );
    assert!(root.steps.is_other());
    assert!(root.tot_time.is_other());
    assert_eq!(root.caused_seq_failure.value(), None);
    assert!(report.misc_infos().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_members_at_any_depth_of_real_exports_round_trip(
        file in 0..REPORTS.len(),
        edits in prop::collection::vec((any::<Index>(), any_json()), 1..4),
    ) {
        let mut v = sample(REPORTS[file]);
        for (index, replacement) in edits {
            let mut all = Vec::new();
            paths(&v, &mut Vec::new(), &mut all);
            if all.is_empty() {
                break;
            }
            let path = &all[index.index(all.len())];
            if let Some(slot) = at(&mut v, path) {
                *slot = replacement;
            }
        }
        assert_any_shape_round_trips(&v);
    }
}
