//! `Retry-After` parsing (delay-seconds and HTTP-date), at any "now".
#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u64, &[u8])| {
    let (now_secs, value) = input;
    let Ok(value) = http::HeaderValue::from_bytes(value) else {
        return;
    };
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::RETRY_AFTER, value);
    let now = SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_secs(now_secs % (400 * 365 * 86_400)))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let _ = wats_http::parse_retry_after(&headers, now);
});
