//! [`Call`], one logical call on its way through the stack, and [`Answer`], what the
//! whole stack gives back.

use bytes::Bytes;
use http::{HeaderValue, Method, Response, Uri};
use tracing::Span;
use wats_core::CorrelationId;

/// One logical call on its way through the stack. Cloning it (once per attempt, for
/// the retry layer) costs reference-count increments, not allocations.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    /// The request body.
    pub(crate) body: Option<Bytes>,
    /// The body's content type; `None` is `application/json`.
    pub(crate) content_type: Option<HeaderValue>,
    /// Whether the call may be retried (from its declaration).
    pub(crate) idempotent: bool,
    /// Route template, for example `/api/Report/Wsjf/{id}`.
    pub(crate) route: &'static str,
    /// When the whole call must be done; set by the deadline layer, read by the
    /// retry policy (so it does not sleep past it) and the breaker.
    pub(crate) deadline: Option<tokio::time::Instant>,
    /// Set by [`CallService`](crate::stack::CallService); the same on every attempt.
    pub(crate) correlation_id: Option<CorrelationId>,
    /// The caller's W3C trace context, captured by the call layer; the same on every attempt.
    #[cfg(feature = "otel")]
    pub(crate) trace: Option<crate::otel::TraceHeaders>,
    /// Skip the cache's lookup (the answer still refreshes it): set by
    /// [`Client::fresh`](crate::Client::fresh).
    pub(crate) fresh: bool,
    /// A body streamed from a file instead of `body` (`stream_body.rs`); each attempt
    /// opens the file anew.
    pub(crate) upload: Option<std::sync::Arc<crate::stream_body::FileUpload>>,
}

impl Call {
    /// A call with no deadline and no correlation id yet.
    pub(crate) fn new(
        method: Method,
        route: &'static str,
        uri: Uri,
        body: Option<Bytes>,
        content_type: Option<HeaderValue>,
        idempotent: bool,
    ) -> Self {
        Call {
            method,
            uri,
            body,
            content_type,
            idempotent,
            route,
            deadline: None,
            correlation_id: None,
            #[cfg(feature = "otel")]
            trace: None,
            fresh: false,
            upload: None,
        }
    }
}

/// The answer of the whole stack: a successful response and the call's `wats.call`
/// span, so that callers can log follow-up events (the submit result) inside it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) response: Response<Bytes>,
    pub(crate) span: Span,
}
