//! W3C trace context (feature `otel`): a WATS call shows up in the caller's distributed trace.
//!
//! When the call starts ([`CallService`](crate::stack::CallService), before it opens its
//! `wats.call` span), [`capture`] reads the OpenTelemetry context of the caller's current
//! `tracing` span (`tracing-opentelemetry`'s [`OpenTelemetrySpanExt::context`]) and, when that
//! context holds a valid span, renders it once with opentelemetry's W3C
//! [`TraceContextPropagator`] into the `traceparent` and `tracestate` header values. The
//! [`Call`](crate::call::Call) carries them, so every attempt of the call (retries included)
//! sends the same values; [`insert`] puts them into an attempt's headers
//! ([`HeaderService`](crate::stack::HeaderService)). The parent id sent is the caller's span,
//! so the server's spans sit beside the client's `wats.call` span, under the caller.
//!
//! No OpenTelemetry context (no current span, a subscriber without the
//! `tracing-opentelemetry` layer, or a span that is not recorded): no header. An empty trace
//! state is not sent. Without the feature none of this is compiled: the `Call` has no field for
//! it and the header service no branch.
//!
//! The propagator is used instead of formatting `traceparent` here so that the header follows
//! opentelemetry's own rendering (version, lower-case hex ids, only the sampled flag) and its
//! `TraceState` encoding.

use http::{HeaderMap, HeaderValue};
use opentelemetry::propagation::{Injector, TextMapPropagator};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Header name of the W3C trace parent.
const TRACEPARENT: &str = "traceparent";
/// Header name of the W3C trace state.
const TRACESTATE: &str = "tracestate";

/// The trace context of one call, rendered once as header values.
#[derive(Clone, Debug)]
pub(crate) struct TraceHeaders {
    traceparent: HeaderValue,
    /// `None` when the trace state is empty.
    tracestate: Option<HeaderValue>,
}

/// The trace context of the caller's current span, or `None` when it carries none.
pub(crate) fn capture() -> Option<TraceHeaders> {
    let cx = tracing::Span::current().context();
    let mut out = Collect::default();
    TraceContextPropagator::new().inject_context(&cx, &mut out);
    Some(TraceHeaders {
        traceparent: out.traceparent?,
        tracestate: out.tracestate,
    })
}

/// Store the caller's trace context (see [`capture`]) in a call's field.
pub(crate) fn capture_into(trace: &mut Option<TraceHeaders>) {
    *trace = capture();
}

/// Put the call's trace context (if any) into an attempt's headers.
pub(crate) fn insert(headers: &mut HeaderMap, trace: Option<&TraceHeaders>) {
    let Some(trace) = trace else {
        return;
    };
    headers.insert(TRACEPARENT, trace.traceparent.clone());
    if let Some(state) = &trace.tracestate {
        headers.insert(TRACESTATE, state.clone());
    }
}

/// The propagator's output, kept as header values. A value that is not a valid header
/// value (it cannot happen with the W3C propagator's output, but it is input we did not
/// write) is dropped rather than sent broken.
#[derive(Default)]
struct Collect {
    traceparent: Option<HeaderValue>,
    tracestate: Option<HeaderValue>,
}

impl Injector for Collect {
    fn set(&mut self, key: &str, value: String) {
        if value.is_empty() {
            return;
        }
        let value = HeaderValue::try_from(value).ok();
        match key {
            TRACEPARENT => self.traceparent = value,
            TRACESTATE => self.tracestate = value,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_span_no_headers() {
        assert!(capture().is_none());
        let mut h = HeaderMap::new();
        insert(&mut h, None);
        assert!(h.is_empty());
    }

    #[test]
    fn empty_values_and_unknown_keys_are_not_kept() {
        let mut c = Collect::default();
        c.set(TRACESTATE, String::new());
        c.set("baggage", "k=v".to_owned());
        c.set(TRACEPARENT, "bad\nvalue".to_owned());
        assert!(c.traceparent.is_none());
        assert!(c.tracestate.is_none());
        c.set(TRACESTATE, "a=1".to_owned());
        assert_eq!(c.tracestate.as_ref().unwrap(), "a=1");
    }

    #[test]
    fn insert_sends_tracestate_only_when_present() {
        let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        let mut h = HeaderMap::new();
        let trace = TraceHeaders {
            traceparent: HeaderValue::from_static(parent),
            tracestate: None,
        };
        insert(&mut h, Some(&trace));
        assert_eq!(h.get(TRACEPARENT).unwrap(), parent);
        assert!(h.get(TRACESTATE).is_none());
        let trace = TraceHeaders {
            tracestate: Some(HeaderValue::from_static("v=1")),
            ..trace
        };
        insert(&mut h, Some(&trace));
        assert_eq!(h.get(TRACESTATE).unwrap(), "v=1");
    }
}
