//! Arbitrary text into every public function of wats-core that takes a string: an error
//! or a value, never a panic (issue 15 §1).

use std::str::FromStr;

use proptest::prelude::*;
use wats_core::builder::{validate_identifier, validate_text};
use wats_core::roundtrip::{Kind, check_bytes};
use wats_core::{
    Coded, CompOp, CorrelationId, NumOrStr, Report, ReportType, Status, Step, StepGroup, StepKind,
    SubUnit, UurReportBuilder, UutReportBuilder, WatsCode, json, time,
};

/// Text that favours the troublesome: multi-byte characters, controls, quotes, digits.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[éü€😀\\\\'\"\\-0-9a-zA-Z_ \\t\\n\\u{0}\\u{FEFF}:/.]{0,12}",
        "(NI_|ET_|ni_)[é€a-z]{0,3}",
    ]
}

#[test]
fn multi_byte_step_types_classify() {
    // Issue 15: `step_type[..3]` cut inside `é` and panicked.
    for s in ["éé", "é", "NIé", "N€", "€€€€", "NI_é", "😀"] {
        let kind = StepKind::classify(s);
        assert_eq!(kind.step_type(), s);
        assert_eq!(Step::new(s, "x").kind(), kind);
    }
}

proptest! {
    #[test]
    fn step_kinds_times_and_codes(s in text()) {
        let kind = StepKind::classify(&s);
        let _ = (kind.is_test(), kind.step_type());
        let step = Step::new(s.as_str(), s.as_str());
        prop_assert_eq!(step.kind(), kind);
        let _ = Step::flow(s.as_str(), s.as_str()).with_report_text(s.as_str());
        let _ = time::parse(&s);
        let _ = Coded::<Status>::parse(&s).kind();
        let _ = Coded::<CompOp>::parse(&s).kind();
        let _ = Coded::<StepGroup>::parse(&s).kind();
        let coded = Coded::<ReportType>::parse(&s);
        prop_assert_eq!(coded.as_str(), s.as_str());
        let n = NumOrStr::from(s.as_str());
        let _ = (n.as_f64(), n.as_i64(), n.to_string());
        let _ = CorrelationId::new(&s).as_str().len();
        let _ = Kind::from_str(&s);
        let _ = <CompOp as WatsCode>::parse(&s);
        for op in [CompOp::IgnoreCase, CompOp::CaseSensit, CompOp::Log] {
            let _ = op.evaluate_str(&s, Some(&s));
        }
    }

    #[test]
    fn validators_and_builders(a in text(), b in text(), c in text()) {
        let _ = validate_identifier(&a, &b);
        let _ = validate_text(&a, &b);
        let uut = UutReportBuilder::new(&a, &b, &c, 10)
            .station(&a, &b, &c)
            .operator(&a)
            .comment(&b)
            .fixture_id(&c)
            .batch_sn(&a)
            .misc_info(&b, &c)
            .sub_unit(SubUnit::new(&a, &b, &c, &a))
            .build();
        if let Ok(report) = uut {
            let back: Report = json::from_slice(&json::to_vec(&report).unwrap()).unwrap();
            prop_assert_eq!(back, report);
        }
        let _ = UurReportBuilder::new(&a, &b, &c, 10)
            .station(&a, &b)
            .purpose(&c)
            .operator(&a)
            .comment(&b)
            .misc_info(&b, &c)
            .build();
        let mut report = UutReportBuilder::new("P", "S", "R", 1).build().unwrap();
        let _ = report.needs_station(&a, Some(&b), Some(&c));
        let _ = report.fill_station(&a, Some(&b), Some(&c));
    }

    #[test]
    fn decoding_any_text(s in text()) {
        let _ = json::from_str::<Report>(&s);
        for kind in Kind::ALL {
            if let Ok(rt) = check_bytes(*kind, s.as_bytes()) {
                prop_assert!(rt.is_lossless());
            }
        }
    }
}
