//! Streamed answers: a second, small service path over the SAME connection pool, header
//! template, breaker, retry policy, rate limiter, metrics and deadline as the client's
//! stack, for answers too large to hold (package files). Only its innermost service differs:
//! [`StreamService`] hands a 2xx answer's body on unread (in a [`Slot`] in the response's
//! extensions) instead of collecting it; a non-2xx answer is still read whole (capped), so
//! the retry policy, the breaker and the status mapping see exactly what they see for any
//! call. [`download_to`] then writes the body to a file chunk by chunk.
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

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Limited};
use tokio::io::AsyncWriteExt;
use tower::retry::Retry;
use tower::{Service, ServiceExt};
use tower_http::decompression::{Decompression, DecompressionBody};
use wats_core::{Error, Result, TimeoutPhase};

use crate::breaker::BreakerService;
use crate::call::Call;
use crate::client::Client;
use crate::metrics::MetricsService;
use crate::ratelimit::RateLimitService;
use crate::retry::RetryPolicy;
use crate::shared::PoolShared;
use crate::stack::{
    CallService, HeaderService, SharedPool, TimeoutService, map_body_error, map_client_error,
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

/// Build the streamed-answer stack over `pooled`, the pool of the client's stack.
pub(crate) fn build_stream_stack(pool: &PoolShared, pooled: SharedPool) -> StreamStack {
    let stream = StreamService {
        inner: Decompression::new(pooled),
        limit: pool.body_limit,
        connect_timeout: pool.connect_timeout,
    };
    let headers = HeaderService {
        inner: stream,
        shared: pool.clone(),
    };
    let attempt = TimeoutService {
        inner: headers,
        after: pool.attempt_timeout,
        phase: TimeoutPhase::Attempt,
    };
    let breaker = BreakerService {
        inner: attempt,
        shared: pool.clone(),
    };
    let limit = RateLimitService {
        inner: breaker,
        shared: pool.clone(),
    };
    let retry = Retry::new(
        RetryPolicy::new(pool.retry.clone(), pool.budget.clone()),
        limit,
    );
    let deadline = TimeoutService {
        inner: retry,
        after: Some(pool.timeout),
        phase: TimeoutPhase::Call,
    };
    let metrics = MetricsService {
        inner: deadline,
        shared: pool.clone(),
    };
    CallService {
        inner: metrics,
        shared: pool.clone(),
    }
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

/// What a download shows each chunk to, and asks before the file takes its name (a
/// checksum, say). `()` accepts everything.
pub(crate) trait Inspect: Send {
    /// The next chunk, in order.
    fn chunk(&mut self, data: &[u8]);
    /// The whole body was written (`size` bytes): an error stops the download, and the
    /// part file is removed.
    ///
    /// # Errors
    /// Whatever the inspector finds wrong with the body.
    fn finish(&mut self, size: u64) -> Result<()>;
}

impl Inspect for () {
    fn chunk(&mut self, _data: &[u8]) {}

    fn finish(&mut self, _size: u64) -> Result<()> {
        Ok(())
    }
}

/// `path` with `.part` appended to its file name (`run.exe` → `run.exe.part`), where a
/// download is written before it is checked and renamed.
fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Send `call` through `client`'s streamed-answer stack and write a 2xx answer's body to
/// `path`, chunk by chunk: into `<path>.part` (folders made first), each chunk shown to
/// `inspect`, whose [`finish`](Inspect::finish) decides, then the part file is renamed to
/// `path`. Nothing is held but the chunk in flight. On any failure (transport, timeout,
/// the inspector's error, I/O) the part file is removed and `path` is left as it was.
///
/// Returns the number of bytes written.
pub(crate) async fn download_to(
    client: &Client,
    call: Call,
    path: &Path,
    inspect: &mut dyn Inspect,
) -> Result<u64> {
    let after = client.shared().timeout;
    let deadline = tokio::time::Instant::now().checked_add(after);
    let part = part_path(path);
    let work = async {
        let answer = client.stream_stack().oneshot(call).await?;
        let body = answer
            .response
            .extensions()
            .get::<Slot>()
            .and_then(|slot| slot.0.lock().unwrap_or_else(PoisonError::into_inner).take());
        let Some(mut body) = body else {
            return Err(Error::Transport {
                message: "the streamed answer has no body".to_owned(),
                connect: false,
                source: None,
            });
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(io(parent))?;
        }
        let mut file = tokio::fs::File::create(&part).await.map_err(io(&part))?;
        let mut size = 0_u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| Error::Transport {
                message: format!("reading the download failed after {size} bytes: {e}"),
                connect: false,
                source: Some(e),
            })?;
            if let Ok(data) = frame.into_data() {
                inspect.chunk(&data);
                file.write_all(&data).await.map_err(io(&part))?;
                size += data.len() as u64;
            }
        }
        file.flush().await.map_err(io(&part))?;
        drop(file);
        inspect.finish(size)?;
        tokio::fs::rename(&part, path).await.map_err(io(path))?;
        Ok(size)
    };
    let result = match deadline {
        Some(deadline) => {
            tokio::time::timeout_at(deadline, work)
                .await
                .unwrap_or(Err(Error::Timeout {
                    after,
                    phase: TimeoutPhase::Call,
                }))
        }
        None => work.await,
    };
    if result.is_err() {
        // Best effort: the part file may not exist (the call failed before it was made).
        let _ = tokio::fs::remove_file(&part).await;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_keep_the_extension() {
        assert_eq!(
            part_path(Path::new("/d/run.exe")),
            Path::new("/d/run.exe.part")
        );
        assert_eq!(part_path(Path::new("run")), Path::new("run.part"));
    }
}
