//! Streamed answers: a second, small service path over the SAME connection pool, header
//! template, breaker, retry policy, rate limiter, metrics and deadline as the client's
//! stack, for answers too large to hold (package files). Only its innermost service differs:
//! [`StreamService`] hands a 2xx answer's body on unread (in a [`Slot`] in the response's
//! extensions) instead of collecting it; a non-2xx answer is still read whole (capped), so
//! the retry policy, the breaker and the status mapping see exactly what they see for any
//! call. `stream_file::download_to` then writes the body to a file chunk by chunk.
//!
//! Differences from the buffered stack, on purpose:
//!
//! - **No coalescing** (and no answer cache): an unread body cannot be shared.
//! - **No body cap** on a 2xx answer: a download may be larger than
//!   [`max_body_size`](crate::ClientBuilder::max_body_size); only the disk bounds it.
//! - **Retries happen before the first byte is written**: the retry layer sees the
//!   response head; once a 2xx head has arrived, a failure while reading the body fails
//!   the download (the partial file is removed) and is not retried.
//! - **The total deadline covers the body too** (as it does for buffered calls): the
//!   client's [`timeout`](crate::ClientBuilder::timeout) bounds head and body together,
//!   so raise it for large files on slow links. The attempt timeout bounds the head only.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Limited};
use tower::Service;
use tower::retry::Retry;
use tower_http::decompression::{Decompression, DecompressionBody};
use wats_core::{Error, Result};

use crate::breaker::{BreakerService, DeferredOutcome};
use crate::metrics::MetricsService;
use crate::ratelimit::RateLimitService;
use crate::retry::RetryPolicy;
use crate::shared::PoolShared;
use crate::stack::{
    CallService, HeaderService, SharedPool, TimeoutService, attempt, call_layer, deadline,
    map_body_error, map_client_error, retry,
};
use crate::stream_body::ReqBody;

/// The streamed-answer stack: the client's stack without coalescing, over
/// [`StreamService`].
pub(crate) type StreamStack = CallService<
    MetricsService<
        TimeoutService<
            Retry<
                RetryPolicy,
                RateLimitService<BreakerService<TimeoutService<HeaderService<StreamService>>>>,
            >,
        >,
    >,
>;

/// Build the streamed-answer stack over `pooled`, the pool of the client's stack: the
/// client's attempt (headers, attempt timeout, breaker), rate limit, retry, deadline,
/// metrics and call layer, in the client's order, over [`StreamService`].
pub(crate) fn build_stream_stack(pool: &PoolShared, pooled: SharedPool) -> StreamStack {
    let stream = StreamService {
        inner: Decompression::new(pooled),
        limit: pool.body_limit,
        connect_timeout: pool.connect_timeout,
    };
    let limit = RateLimitService {
        inner: attempt(stream, pool),
        shared: pool.clone(),
    };
    let metrics = MetricsService {
        inner: deadline(retry(limit, pool), pool),
        shared: pool.clone(),
    };
    call_layer(metrics, pool)
}

/// An answer's body, not yet read.
pub(crate) type Streamed = DecompressionBody<hyper::body::Incoming>;

/// Where [`StreamService`] leaves a 2xx answer's unread body: an extension of the
/// response (extensions must be `Clone + Sync`, hence the shared, take-once cell).
#[derive(Clone)]
struct Slot(Arc<Mutex<Option<Streamed>>>);

/// Innermost service of the [`StreamStack`]: decompression over the pool; a 2xx body is
/// left unread in a [`Slot`], any other body is read under the client's cap.
#[derive(Clone)]
pub(crate) struct StreamService {
    inner: Decompression<SharedPool>,
    limit: u64,
    connect_timeout: Duration,
}

type BoxFuture<T> = Pin<Box<dyn std::future::Future<Output = Result<T>> + Send>>;

impl Service<Request<ReqBody>> for StreamService {
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = BoxFuture<Response<Bytes>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let connect_timeout = self.connect_timeout;
        self.inner
            .poll_ready(cx)
            .map_err(|e| map_client_error(e, connect_timeout))
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let head = self.inner.call(req);
        let (limit, connect_timeout) = (self.limit, self.connect_timeout);
        Box::pin(async move {
            let resp = head
                .await
                .map_err(|e| map_client_error(e, connect_timeout))?;
            let (mut parts, body) = resp.into_parts();
            if parts.status.is_success() {
                parts
                    .extensions
                    .insert(Slot(Arc::new(Mutex::new(Some(body)))));
                // The breaker records this attempt when the body is in, not now.
                parts.extensions.insert(DeferredOutcome::default());
                return Ok(Response::from_parts(parts, Bytes::new()));
            }
            let cap = usize::try_from(limit).unwrap_or(usize::MAX);
            let collected = Limited::new(body, cap)
                .collect()
                .await
                .map_err(|e| map_body_error(e, limit))?;
            Ok(Response::from_parts(parts, collected.to_bytes()))
        })
    }
}

/// Take the breaker permit of a 2xx answer of the [`StreamStack`] (see
/// [`DeferredOutcome`]): `None` when the client has no breaker.
pub(crate) fn take_permit(response: &Response<Bytes>) -> Option<wats_breaker::OwnedPermit> {
    response
        .extensions()
        .get::<DeferredOutcome>()
        .and_then(DeferredOutcome::take)
}

/// Take the unread body [`StreamService`] left in a 2xx answer of the [`StreamStack`].
pub(crate) fn take_body(response: &Response<Bytes>) -> Option<Streamed> {
    response
        .extensions()
        .get::<Slot>()
        .and_then(|slot| slot.0.lock().unwrap_or_else(PoisonError::into_inner).take())
}
