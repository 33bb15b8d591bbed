//! Without the `otel` feature no trace context is sent, even when the caller's span carries
//! one (the same OpenTelemetry set-up as `tests/otel.rs`). With the feature this file is
//! empty: `tests/otel.rs` covers that build.

#![cfg(not(feature = "otel"))]

mod otel_support;
mod support;

use opentelemetry::trace::TraceId;
use otel_support::{ids, install};
use support::{Reply, TestServer, client};
use tracing::Instrument;

#[tokio::test]
async fn without_the_feature_no_traceparent_is_sent() {
    let _otel = install();
    let server = TestServer::start(|n, _| {
        if n == 0 {
            Reply::json(503, r#"{"message":"busy"}"#)
        } else {
            Reply::json(200, r#""2025.1.0""#)
        }
    })
    .await;
    let c = client(&server.url()).build().unwrap();
    let caller = tracing::info_span!("caller");
    assert_ne!(
        ids(&caller).0,
        TraceId::INVALID,
        "the caller has a trace context"
    );
    c.server_version().instrument(caller).await.unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 2, "a retried call: two attempts");
    for s in &seen {
        assert!(s.headers.contains_key("x-correlation-id"));
        assert!(!s.headers.contains_key("traceparent"));
        assert!(!s.headers.contains_key("tracestate"));
    }
}
