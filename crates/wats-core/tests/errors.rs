//! Garbage, truncated JSON and wrong types give errors with a JSON path, never panics.

use proptest::prelude::*;
use wats_core::roundtrip::{Kind, check_bytes};
use wats_core::{Error, Report, json};

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/wats-samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn decode_path(err: &Error) -> &str {
    match err {
        Error::Decode { path, .. } => path,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn wrong_types_are_kept_verbatim_not_errors() {
    // Issue 15 §2: a known member of an unexpected JSON type no longer fails the report;
    // it is kept as it came and written back, and its typed accessor says "not this type".
    let cases: &[&str] = &[
        r#"{"root":"x"}"#,
        r#"{"root":{"steps":5}}"#,
        r#"{"root":{"steps":[{"numericMeas":[{"value":true}]}]}}"#,
        r#"{"processCode":"ten"}"#,
        r#"{"subUnits":[{"idx":0},{"idx":"one"}]}"#,
        r#"{"uut":{"user":1}}"#,
        r#"{"result":7}"#,
        r#"{"root":{"loop":{"num":1.5}}}"#,
        r#"{"root":{"steps":[{"name":"a"},null]}}"#,
        r#"{"uur":{"active":"yes"}}"#,
    ];
    for input in cases {
        let report = json::from_str::<Report>(input).unwrap();
        let back: serde_json::Value =
            serde_json::from_slice(&json::to_vec(&report).unwrap()).unwrap();
        let orig: serde_json::Value = serde_json::from_str(input).unwrap();
        assert_eq!(back, orig, "{input}");
        assert!(
            check_bytes(Kind::Report, input.as_bytes())
                .unwrap()
                .is_lossless()
        );
    }
    let r: Report = json::from_str(r#"{"root":"x","processCode":"ten","result":7}"#).unwrap();
    assert!(r.root().is_none() && r.root.is_other());
    assert_eq!(r.process_code.value(), None);
    assert_eq!(r.result(), None);
    assert_eq!(r.steps().count(), 0);
    let r: Report =
        json::from_str(r#"{"root":{"steps":[{"numericMeas":[{"value":true}]}]}}"#).unwrap();
    let step = &r.root().unwrap().children()[0];
    assert_eq!(step.numeric_measurements()[0].value_f64(), None);
    assert!(step.numeric_measurements()[0].value.is_other());
    let r: Report = json::from_str(r#"{"root":{"steps":[{"name":"a"},null]}}"#).unwrap();
    assert!(r.root().unwrap().children().is_empty());
    assert!(r.root().unwrap().steps.is_other());
}

#[test]
fn garbage_is_an_error() {
    for input in [
        &b""[..],
        b"null",
        b"42",
        b"\"report\"",
        b"{",
        b"{\"pn\":",
        b"\xff\xfe{}",
        b"{} {}",
        b"[1]",
    ] {
        let err = json::from_slice::<Report>(input).unwrap_err();
        decode_path(&err);
        assert!(check_bytes(Kind::Report, input).is_err());
    }
}

#[test]
fn every_truncation_of_a_real_export_is_an_error_with_a_path() {
    let full = sample("uut-wsjf-export.json");
    let mut deep = 0;
    for cut in (0..full.len()).step_by(97) {
        let err = json::from_slice::<Report>(&full[..cut]).unwrap_err();
        let path = decode_path(&err);
        if path.starts_with("root.steps[") {
            deep += 1;
        }
    }
    assert!(
        deep > 100,
        "truncations inside steps name the step path ({deep})"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = json::from_slice::<Report>(&bytes);
        for kind in Kind::ALL {
            let _ = check_bytes(*kind, &bytes);
        }
    }

    #[test]
    fn corrupted_export_never_panics(pos in 0usize..50_000, byte in any::<u8>()) {
        let mut data = sample("uut-wsjf-export.json");
        let i = pos % data.len();
        data[i] = byte;
        match check_bytes(Kind::Report, &data) {
            Ok(rt) => prop_assert!(rt.is_lossless(), "{:?}", rt.differences),
            Err(e) => prop_assert!(matches!(e, Error::Decode { .. }), "{}", e),
        }
    }
}
