//! Feature `otel` through the blocking client: the caller's OpenTelemetry context goes out as
//! W3C `traceparent` on every attempt, in both runtime modes (the call runs on the calling
//! thread's own runtime, or on a shared runtime's worker thread). Spans are recorded by the
//! SDK's in-memory exporter through `tracing-opentelemetry`; requests by the embedded server.

use opentelemetry::trace::{SpanId, TraceContextExt, TraceId, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use wats_mock::{Fault, MockServer};
use wats_sync::{Client, RuntimeMode};

/// `registry + tracing-opentelemetry` as this thread's default subscriber, over an in-memory
/// exporter; dropping the guard uninstalls it.
fn install() -> (
    SdkTracerProvider,
    InMemorySpanExporter,
    tracing::subscriber::DefaultGuard,
) {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("wats-sync-tests");
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
    let guard = tracing::subscriber::set_default(subscriber);
    (provider, exporter, guard)
}

fn ids(span: &tracing::Span) -> (TraceId, SpanId) {
    let cx = span.context();
    let sc = cx.span().span_context().clone();
    (sc.trace_id(), sc.span_id())
}

/// Every attempt of one blocking call (two 503s, then the answer) carries the caller's
/// trace id with the caller's span as the parent, and the client's `wats.call` span is
/// exported as the caller's child.
fn every_attempt_carries_the_callers_context(mode: RuntimeMode) {
    let (provider, exporter, _guard) = install();
    let server = MockServer::start();
    let client = Client::builder()
        .base_url(server.url())
        .token("demo")
        .runtime_mode(mode)
        .build()
        .unwrap();
    server.inject(Fault::status(503).times(2));

    let caller = tracing::info_span!("caller");
    let (trace_id, span_id) = ids(&caller);
    assert_ne!(
        trace_id,
        TraceId::INVALID,
        "the set-up gives the span a context"
    );
    let version = caller.in_scope(|| client.server_version()).unwrap();
    assert!(!version.is_empty());

    let seen = server.recent_requests();
    assert_eq!(seen.len(), 3, "three attempts: {seen:?}");
    let expected = format!("00-{trace_id}-{span_id}-01");
    for request in &seen {
        let traceparent = request
            .headers
            .get("traceparent")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(traceparent.as_deref(), Some(expected.as_str()), "{mode:?}");
        assert!(
            request.headers.get("tracestate").is_none(),
            "empty state: not sent"
        );
        assert_eq!(
            request.headers["x-correlation-id"], seen[0].headers["x-correlation-id"],
            "beside the correlation id"
        );
    }

    drop(caller);
    provider.force_flush().unwrap();
    let spans = exporter.get_finished_spans().unwrap();
    let call = spans
        .iter()
        .find(|s| s.name == "wats.call")
        .expect("the client's wats.call span");
    assert_eq!(call.span_context.trace_id(), trace_id, "{mode:?}");
    assert_eq!(call.parent_span_id, span_id, "{mode:?}: under the caller");
}

#[test]
fn thread_local_runtime_sends_the_callers_trace_context() {
    every_attempt_carries_the_callers_context(RuntimeMode::ThreadLocal);
}

#[test]
fn shared_runtime_sends_the_callers_trace_context() {
    every_attempt_carries_the_callers_context(RuntimeMode::Shared);
}

/// Without a current span the blocking call sends no trace header.
#[test]
fn no_span_no_header() {
    let (_provider, _exporter, _guard) = install();
    let server = MockServer::start();
    let client = Client::builder()
        .base_url(server.url())
        .token("demo")
        .build()
        .unwrap();
    client.server_version().unwrap();
    let seen = server.recent_requests();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].headers.get("traceparent").is_none());
}
