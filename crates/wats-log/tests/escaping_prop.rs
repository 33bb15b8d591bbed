//! Property test: any string, including control characters, quotes,
//! backslashes and non-ASCII, survives a round trip through a JSON line.

use proptest::prelude::*;
use serde_json::Value;
use tracing::{info, info_span};
use wats_log::MemoryWriter;

fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        any::<char>(),
        (0_u32..0x20).prop_map(|c| char::from_u32(c).unwrap_or('\0')),
        Just('"'),
        Just('\\'),
        Just('\u{7f}'),
        Just('\u{2028}'),
    ]
}

fn nasty_string() -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 0..48).prop_map(String::from_iter)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_strings_round_trip(
        msg in nasty_string(),
        event_val in nasty_string(),
        span_val in nasty_string(),
        cid in nasty_string(),
    ) {
        let out = MemoryWriter::new();
        let sub = wats_log::builder().json().writer(out.clone()).build().unwrap();
        tracing::subscriber::with_default(sub, || {
            let span = info_span!("s", correlation_id = cid.as_str(), sv = span_val.as_str());
            let _g = span.enter();
            info!(ev = event_val.as_str(), dv = ?event_val, "{msg}");
        });
        let contents = out.contents();
        prop_assert!(contents.ends_with('\n'));
        prop_assert_eq!(contents.matches('\n').count(), 1, "one line: {:?}", contents);
        let v: Value = serde_json::from_str(contents.trim_end_matches('\n'))
            .map_err(|e| TestCaseError::fail(format!("{e}: {contents:?}")))?;
        prop_assert_eq!(v["message"].as_str(), Some(msg.as_str()));
        prop_assert_eq!(v["ev"].as_str(), Some(event_val.as_str()));
        let debug = format!("{event_val:?}");
        prop_assert_eq!(v["dv"].as_str(), Some(debug.as_str()));
        prop_assert_eq!(v["sv"].as_str(), Some(span_val.as_str()));
        prop_assert_eq!(v["correlation_id"].as_str(), Some(cid.as_str()));
    }

    #[test]
    fn text_lines_stay_single_lines(msg in nasty_string(), val in nasty_string()) {
        let out = MemoryWriter::new();
        let sub = wats_log::builder().text().writer(out.clone()).build().unwrap();
        tracing::subscriber::with_default(sub, || {
            let span = info_span!("s", correlation_id = val.as_str());
            span.in_scope(|| info!(v = val.as_str(), "{msg}"));
        });
        let contents = out.contents();
        prop_assert_eq!(contents.matches('\n').count(), 1, "{:?}", contents);
        prop_assert!(!contents.trim_end_matches('\n').contains('\r'));
    }
}
