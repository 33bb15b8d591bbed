//! Base URL parsing, as `ClientBuilder::base_url(..).build()` does it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(normalised) = wats_http::parse_base_url(&text) {
        // Normalising is idempotent.
        assert_eq!(
            wats_http::parse_base_url(&normalised).as_deref(),
            Ok(normalised.as_str()),
            "{text:?}"
        );
    }
});
