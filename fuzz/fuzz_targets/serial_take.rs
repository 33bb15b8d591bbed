//! The serial-number take answer: a JSON list, an XML string with `<SN id=...>`, or CSV.
//! Any bytes give `Ok` or `Error::Decode`, never a panic; an `Ok` never holds an empty
//! number.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = wats_http::parse_serial_numbers(body);
});
