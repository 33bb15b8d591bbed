//! Feature `otel`: the caller's OpenTelemetry context goes out as W3C `traceparent` (and
//! `tracestate`) on every attempt, beside the correlation id. Spans are recorded by the SDK's
//! in-memory exporter through `tracing-opentelemetry`; requests by a loopback test server.

mod otel_support;
mod support;

use opentelemetry::Context;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use otel_support::{ids, install, parse_traceparent};
use support::{Reply, TestServer, client};
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

fn ok_version() -> Reply {
    Reply::json(200, r#""2025.1.0""#)
}

fn header(s: &support::Seen, name: &str) -> Option<String> {
    s.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn every_attempt_carries_the_callers_trace_context() {
    let otel = install();
    // Two 503s, then the answer: three attempts of one call.
    let server = TestServer::start(|n, _| {
        if n < 2 {
            Reply::json(503, r#"{"message":"busy"}"#)
        } else {
            ok_version()
        }
    })
    .await;
    let c = client(&server.url()).build().unwrap();
    let caller = tracing::info_span!("caller");
    let (trace_id, span_id) = ids(&caller);
    assert_ne!(
        trace_id,
        TraceId::INVALID,
        "the set-up gives the span a context"
    );
    let version = c.server_version().instrument(caller.clone()).await.unwrap();
    assert_eq!(version, "2025.1.0");

    let seen = server.seen();
    assert_eq!(seen.len(), 3, "three attempts");
    let first = header(&seen[0], "traceparent").expect("traceparent on the first attempt");
    let (tid, parent, flags) = parse_traceparent(&first);
    assert_eq!(tid, trace_id.to_string(), "the caller's trace id");
    assert_eq!(
        parent,
        span_id.to_string(),
        "the caller's span is the parent"
    );
    assert_eq!(flags, "01", "sampled");
    for s in &seen {
        assert_eq!(header(s, "traceparent").as_deref(), Some(first.as_str()));
        // Beside the correlation id, which is the same on every attempt too.
        assert_eq!(
            s.headers["x-correlation-id"],
            seen[0].headers["x-correlation-id"]
        );
        // The trace state is empty: not sent.
        assert_eq!(header(s, "tracestate"), None);
    }

    // The exported spans: the caller's, and the client's `wats.call` as its child, in the
    // trace the header names.
    drop(caller);
    let spans = otel.finished();
    let caller = spans
        .iter()
        .find(|s| s.name == "caller")
        .expect("caller span");
    assert_eq!(caller.span_context.trace_id(), trace_id);
    assert_eq!(caller.span_context.span_id(), span_id);
    let call = spans
        .iter()
        .find(|s| s.name == "wats.call")
        .expect("wats.call span");
    assert_eq!(call.span_context.trace_id(), trace_id);
    assert_eq!(call.parent_span_id, span_id);
}

#[tokio::test]
async fn tracestate_and_an_upstream_trace_are_propagated() {
    let _otel = install();
    let server = TestServer::start(|_, _| ok_version()).await;
    let c = client(&server.url()).build().unwrap();
    // The caller continues a trace that came in from upstream, with a vendor trace state.
    let upstream_trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    let upstream = SpanContext::new(
        upstream_trace,
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::from_key_value([("rojo", "00f067aa0ba902b7")]).unwrap(),
    );
    let caller = tracing::info_span!("caller");
    caller
        .set_parent(Context::new().with_remote_span_context(upstream))
        .unwrap();
    let (_, span_id) = ids(&caller);
    c.server_version().instrument(caller).await.unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        header(&seen[0], "traceparent").unwrap(),
        format!("00-{upstream_trace}-{span_id}-01")
    );
    assert_eq!(
        header(&seen[0], "tracestate").as_deref(),
        Some("rojo=00f067aa0ba902b7")
    );
}

#[tokio::test]
async fn calls_in_different_spans_send_their_own_trace() {
    let _otel = install();
    let server = TestServer::start(|_, _| ok_version()).await;
    let c = client(&server.url()).build().unwrap();
    let a = tracing::info_span!("a");
    let b = tracing::info_span!("b");
    c.server_version().instrument(a.clone()).await.unwrap();
    c.server_version().instrument(b.clone()).await.unwrap();
    // Inside a child of `a`: the child's context (same trace as `a`, the child as parent).
    let child = a.in_scope(|| tracing::info_span!("child"));
    c.server_version().instrument(child.clone()).await.unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let got: Vec<(String, String, String)> = seen
        .iter()
        .map(|s| parse_traceparent(&header(s, "traceparent").unwrap()))
        .collect();
    for ((tid, parent, _), span) in got.iter().zip([&a, &b, &child]) {
        let (trace_id, span_id) = ids(span);
        assert_eq!(tid, &trace_id.to_string());
        assert_eq!(parent, &span_id.to_string());
    }
    assert_ne!(got[0].0, got[1].0, "two root spans: two traces");
    assert_eq!(got[0].0, got[2].0, "the child is in its parent's trace");
}

#[tokio::test]
async fn no_otel_context_no_header() {
    let server = TestServer::start(|_, _| ok_version()).await;
    let c = client(&server.url()).build().unwrap();
    {
        // The OpenTelemetry layer is installed, but the call is made in no span.
        let _otel = install();
        c.server_version().await.unwrap();
    }
    {
        // A span, but the subscriber has no OpenTelemetry layer.
        let _plain = tracing::subscriber::set_default(tracing_subscriber::registry());
        let span = tracing::info_span!("plain");
        assert_eq!(ids(&span).0, TraceId::INVALID);
        c.server_version().instrument(span).await.unwrap();
    }
    // No subscriber at all.
    c.server_version()
        .instrument(tracing::info_span!("none"))
        .await
        .unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    for s in &seen {
        assert!(s.headers.contains_key("x-correlation-id"));
        assert_eq!(header(s, "traceparent"), None);
        assert_eq!(header(s, "tracestate"), None);
    }
}
