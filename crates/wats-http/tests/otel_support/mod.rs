//! Shared by `tests/otel.rs` (feature `otel`) and `tests/otel_off.rs` (without it): a
//! `tracing` subscriber with the OpenTelemetry layer over the SDK's in-memory span exporter,
//! installed as the thread's default for the test's (current-thread) runtime.

#![allow(dead_code, unreachable_pub)]

use opentelemetry::trace::{SpanId, TraceContextExt, TraceId, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;

/// The installed subscriber; dropping it uninstalls it.
pub struct Otel {
    pub exporter: InMemorySpanExporter,
    pub provider: SdkTracerProvider,
    _guard: tracing::subscriber::DefaultGuard,
}

impl Otel {
    /// Every span exported so far (a span is exported when it closes).
    pub fn finished(&self) -> Vec<SpanData> {
        self.provider.force_flush().unwrap();
        self.exporter.get_finished_spans().unwrap()
    }
}

/// Install `registry + tracing-opentelemetry` as this thread's default subscriber.
pub fn install() -> Otel {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("wats-http-tests");
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
    let guard = tracing::subscriber::set_default(subscriber);
    Otel {
        exporter,
        provider,
        _guard: guard,
    }
}

/// The OpenTelemetry trace and span id of a `tracing` span (invalid ids when it has none).
pub fn ids(span: &tracing::Span) -> (TraceId, SpanId) {
    let cx = span.context();
    let otel = cx.span();
    let sc = otel.span_context();
    (sc.trace_id(), sc.span_id())
}

/// `traceparent` split into (trace id, parent id, flags) after checking the W3C format:
/// version `00`, 32 and 16 lower-case hex digits, not all zero, 2 hex digits of flags.
pub fn parse_traceparent(value: &str) -> (String, String, String) {
    let parts: Vec<&str> = value.split('-').collect();
    assert_eq!(parts.len(), 4, "{value}");
    let lower_hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    assert_eq!(parts[0], "00", "version: {value}");
    assert!(lower_hex(parts[1], 32), "trace id: {value}");
    assert!(lower_hex(parts[2], 16), "parent id: {value}");
    assert!(lower_hex(parts[3], 2), "flags: {value}");
    assert!(
        parts[1].bytes().any(|b| b != b'0'),
        "zero trace id: {value}"
    );
    assert!(
        parts[2].bytes().any(|b| b != b'0'),
        "zero parent id: {value}"
    );
    (parts[1].into(), parts[2].into(), parts[3].into())
}
