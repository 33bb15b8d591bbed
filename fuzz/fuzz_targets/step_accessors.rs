//! Decode a report and call every typed accessor on it and on every step.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wats_core::{Report, StepKind, json, time};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let kind = StepKind::classify(text);
        let _ = (kind.step_type(), kind.is_test());
        let _ = time::parse(text);
    }
    let Ok(r) = json::from_slice::<Report>(data) else {
        return;
    };
    let _ = (r.report_type(), r.is_uut(), r.is_uur(), r.uuid());
    let _ = (r.pn(), r.sn(), r.rev(), r.result(), r.start(), r.start_utc());
    let _ = (r.misc_infos().len(), r.sub_units().len(), r.root().is_some());
    let _ = r.needs_station("ST", Some("L"), Some("P"));
    let mut filled = r.clone();
    let _ = filled.fill_station("ST", Some("L"), None);
    let mut n = 0usize;
    for s in r.steps() {
        n += 1;
        let kind = s.kind();
        let _ = (kind, kind.is_test(), kind.step_type(), s.step_type(), s.name());
        let _ = (s.status(), s.group(), s.children().len());
        let _ = s.start.as_str().map(time::parse);
        for m in s.numeric_measurements() {
            let _ = (m.value_f64(), m.low_limit_f64(), m.high_limit_f64());
            let _ = (m.comp_op(), m.status());
            if let (Some(op), Some(v)) = (m.comp_op(), m.value_f64()) {
                let _ = op.evaluate(v, m.low_limit_f64(), m.high_limit_f64());
            }
            let _ = m.value.value().map(|v| (v.as_i64(), v.as_str(), v.to_string()));
        }
        for m in s.boolean_measurements() {
            let _ = m.status();
        }
        for m in s.string_measurements() {
            let _ = (m.comp_op(), m.status());
            if let (Some(op), Some(v)) = (m.comp_op(), m.value.as_str()) {
                let _ = op.evaluate_str(v, m.limit.as_str());
            }
        }
        if let Some(chart) = s.chart.value() {
            for series in chart.series.items() {
                let _ = (series.x_values(), series.y_values());
            }
        }
    }
    assert_eq!(n, r.steps().count());
    // Editing walks the same tree.
    let mut edited = r;
    let mut m = 0usize;
    if let Some(root) = edited.root_mut() {
        root.walk_mut(&mut |_| m += 1);
    }
    assert_eq!(n, m);
});
