//! Arbitrary text into the public functions of the clients that take a string (builders,
//! query builders, base URL and `Retry-After` parsing, path segments): an error or a value,
//! never a panic (issue 15 §1).

use proptest::prelude::*;
use wats_http::{HeaderQuery, UnitQuery, odata_quote};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[éü€😀\\\\'\"/?#%@:\\[\\]a-zA-Z0-9_ .\\-\\t\\n\\u{0}]{0,24}",
        "(https?://)?[a-z0-9.\\[\\]:]{0,12}(/[é€a-zA-Z]{0,4}){0,3}(/api)?/?",
    ]
}

#[test]
fn a_base_url_ending_inside_a_multi_byte_character_is_no_panic() {
    // Issue 15: `s[s.len()-4..]` cut inside `€`; the same value from WATS_BASE_URL too.
    for url in ["https://h/é€", "https://h/€", "é€"] {
        let _ = wats_http::Client::builder()
            .base_url(url)
            .token("dA==")
            .build();
        let from_env = wats_http::ClientBuilder::from_env_with(|k| {
            wats_http::BASE_URL_ENV
                .contains(&k)
                .then(|| url.to_owned())
                .or_else(|| wats_http::TOKEN_ENV.contains(&k).then(|| "dA==".to_owned()))
        });
        let _ = from_env.build();
        let _ = wats_sync::Client::builder()
            .base_url(url)
            .token("dA==")
            .build();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn client_builders(url in text(), token in text(), header in text()) {
        let _ = wats_http::parse_base_url(&url);
        let _ = wats_http::Client::builder()
            .base_url(url.clone())
            .token(token.clone())
            .correlation_header(header.clone())
            .build();
        let (u, t) = (url.clone(), token.clone());
        let _ = wats_http::ClientBuilder::from_env_with(move |k| {
            if wats_http::BASE_URL_ENV.contains(&k) {
                Some(u.clone())
            } else if wats_http::TOKEN_ENV.contains(&k) {
                Some(t.clone())
            } else {
                None
            }
        })
        .build();
        let _ = wats_sync::Client::builder()
            .base_url(url)
            .token(token)
            .correlation_header(header)
            .build();
    }

    #[test]
    fn query_builders_quote_anything(a in text(), b in text(), c in text()) {
        let quoted = odata_quote(&a);
        prop_assert!(quoted.len() >= a.len() + 2);
        let q = HeaderQuery::uut()
            .serial_number(&a)
            .part_number(&b)
            .revision(&c)
            .station_name(&a)
            .sub_unit_part_number(&b)
            .sub_unit_serial_number(&c)
            .filter_raw(a.clone())
            .order_by(b.clone())
            .expand(c.clone());
        prop_assert!(q.filter().is_some());
        let _ = UnitQuery::new().serial_number(&a).part_number(&b).filter_raw(c).filter();
        // What the builders quote, the mock server's OData parser reads back as meant.
        let filter = HeaderQuery::uur().serial_number(&a).part_number(&b).filter().unwrap();
        let matching = serde_json::json!({"serialNumber": a, "partNumber": b});
        prop_assert_eq!(wats_mock::filter_matches(&filter, &matching), Ok(true));
        let other = serde_json::json!({"serialNumber": format!("{a}~"), "partNumber": b});
        prop_assert_eq!(wats_mock::filter_matches(&filter, &other), Ok(false));
    }

    #[test]
    fn retry_after_of_any_text(value in text(), now in any::<u32>()) {
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            let mut headers = http::HeaderMap::new();
            headers.insert(http::header::RETRY_AFTER, v);
            let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::from(now));
            let _ = wats_http::parse_retry_after(&headers, now);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn path_segments_of_any_text_reach_the_server_or_fail_cleanly(a in text(), b in text()) {
        let server = mock();
        let client = wats_sync::Client::builder().base_url(server.url()).token("demo").build().unwrap();
        let _ = client.products().get_opt(&a);
        let _ = client.products().revision(&a, &b);
        let _ = client.production().get_unit_opt(&a, &b);
        let _ = client.reports().get_opt(&a);
    }
}

fn mock() -> &'static wats_mock::MockServer {
    static SERVER: std::sync::OnceLock<wats_mock::MockServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(wats_mock::MockServer::start)
}
