//! Decode every model kind from arbitrary bytes; whatever decodes must re-serialize to
//! the same JSON (the models' lossless promise, for any shape of member).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wats_core::roundtrip::{Kind, check_bytes};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    let kind = Kind::ALL[usize::from(selector) % Kind::ALL.len()];
    if let Ok(rt) = check_bytes(kind, json) {
        assert!(
            rt.is_lossless(),
            "{kind} not lossless: {:#?}",
            rt.differences
        );
    }
    // The report decoder is the one every input goes through first: try it on all.
    if let Ok(rt) = check_bytes(Kind::Report, json) {
        assert!(rt.is_lossless(), "report not lossless: {:#?}", rt.differences);
    }
});
