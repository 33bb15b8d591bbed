//! Base URL parsing, as `ClientBuilder::base_url(..).build()` does it: a normalised URL
//! is accepted again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(normalised) = wats_http::parse_base_url(&text) {
        // Normalising is idempotent.
        let again = wats_http::parse_base_url(&normalised);
        // Normalising is idempotent, except that by design only one trailing `/api` is
        // removed: `https://h/api/api` becomes `https://h/api`, which normalises further.
        if normalised.to_ascii_lowercase().ends_with("/api") {
            assert!(again.is_ok(), "{text:?}");
        } else {
            assert_eq!(again.ok().as_deref(), Some(normalised.as_str()), "{text:?}");
        }
    }
});
