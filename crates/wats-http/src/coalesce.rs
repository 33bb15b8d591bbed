//! Request coalescing (single flight, opt-in): identical GETs in flight at the same time
//! share one request, across the clones, pool siblings and threads of a client.
//!
//! The key is the method and the full URI (path and query). The map lives in the
//! client's [`Shared`](crate::shared::Shared) state, which belongs to one token, so the
//! token's identity is part of the key by construction: two clients (two tokens) never
//! share an answer.
//!
//! The shared request is a `futures_util::future::Shared`: whichever waiter polls it
//! drives it, so a leader that is cancelled (its future dropped) does not fail the
//! followers; they go on driving the same request. The map keeps only a weak handle: when
//! every waiter has gone, the request is dropped and the next identical GET starts anew.
//! Each waiter keeps its own deadline, span and correlation id (the layers above); the
//! request on the wire carries the first caller's correlation id.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::{Shared as SharedFuture, WeakShared};
use http::{HeaderMap, Method, Response, StatusCode, Uri, Version};
use tower::Service;
use wats_core::{Error, Result};

use crate::call::Call;
use crate::shared::PoolShared;

/// A complete answer, cheap to clone for every waiter (the body is `Bytes`).
#[derive(Clone, Debug)]
struct SharedResponse {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    body: Bytes,
}

impl SharedResponse {
    fn from_response(resp: Response<Bytes>) -> Self {
        let (parts, body) = resp.into_parts();
        SharedResponse {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            body,
        }
    }

    fn into_response(self) -> Response<Bytes> {
        let mut resp = Response::new(self.body);
        *resp.status_mut() = self.status;
        *resp.version_mut() = self.version;
        *resp.headers_mut() = self.headers;
        resp
    }
}

type Outcome = std::result::Result<SharedResponse, Arc<Error>>;
type Request = Pin<Box<dyn Future<Output = Outcome> + Send>>;
type InFlight = SharedFuture<Request>;
/// The map's entry: the request's id (so that only it removes itself) and a weak handle.
type Entry = (u64, WeakShared<Request>);

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Key {
    method: Method,
    uri: Uri,
}

/// The in-flight GETs of one client.
#[derive(Default)]
pub(crate) struct Coalescer {
    inflight: Mutex<HashMap<Key, Entry>>,
    next_id: AtomicU64,
}

impl std::fmt::Debug for Coalescer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coalescer").finish_non_exhaustive()
    }
}

/// Entries kept before dead ones (every waiter gone) are swept at an insert.
const SWEEP_ABOVE: usize = 1024;

impl Coalescer {
    fn remove(&self, key: &Key, id: u64) {
        let mut map = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
        if map.get(key).is_some_and(|(entry, _)| *entry == id) {
            map.remove(key);
        }
    }
}

/// The coalescing layer (inside the total deadline, outside retry). Without a
/// coalescer, or for anything but a GET without a body, it passes calls through.
#[derive(Clone)]
pub(crate) struct CoalesceService<S> {
    pub(crate) inner: S,
    pub(crate) shared: PoolShared,
}

impl<S> Service<Call> for CoalesceService<S>
where
    S: Service<Call, Response = Response<Bytes>, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = CoalesceFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, call: Call) -> Self::Future {
        let Some(coalescer) = &self.shared.layers.coalescer else {
            return CoalesceFuture::Pass {
                fut: self.inner.call(call),
            };
        };
        if call.method != Method::GET || call.body.is_some() {
            return CoalesceFuture::Pass {
                fut: self.inner.call(call),
            };
        }
        let key = Key {
            method: call.method.clone(),
            uri: call.uri.clone(),
        };
        let route = call.route;
        let mut map = coalescer
            .inflight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(running) = map.get(&key).and_then(|(_, weak)| weak.upgrade()) {
            drop(map);
            crate::metrics::coalesced(&self.shared, route);
            return CoalesceFuture::Join { fut: running };
        }
        let id = coalescer.next_id.fetch_add(1, Ordering::Relaxed);
        let fut = self.inner.call(call);
        let pool = self.shared.clone();
        let done_key = key.clone();
        let request: Pin<Box<dyn Future<Output = Outcome> + Send>> = Box::pin(async move {
            let result = fut.await;
            // Out of the map before any waiter sees the answer: a GET that starts after
            // this one has finished sends its own request.
            if let Some(coalescer) = &pool.layers.coalescer {
                coalescer.remove(&done_key, id);
            }
            result.map(SharedResponse::from_response).map_err(Arc::new)
        });
        let running = request.shared();
        if let Some(weak) = running.downgrade() {
            if map.len() >= SWEEP_ABOVE {
                map.retain(|_, (_, weak)| weak.upgrade().is_some());
            }
            map.insert(key, (id, weak));
        }
        CoalesceFuture::Join { fut: running }
    }
}

pin_project_lite::pin_project! {
    /// Future of [`CoalesceService`].
    #[project = CoalesceProj]
    pub(crate) enum CoalesceFuture<F> {
        /// Not coalesced.
        Pass { #[pin] fut: F },
        /// Waiting on the shared request (as its first caller or a follower).
        Join { fut: InFlight },
    }
}

impl<F> Future for CoalesceFuture<F>
where
    F: Future<Output = Result<Response<Bytes>>>,
{
    type Output = Result<Response<Bytes>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            CoalesceProj::Pass { fut } => fut.poll(cx),
            CoalesceProj::Join { fut } => {
                let outcome = ready!(fut.poll_unpin(cx));
                Poll::Ready(match outcome {
                    Ok(resp) => Ok(resp.into_response()),
                    // The last waiter gets the error itself; the others a copy.
                    Err(err) => Err(Arc::try_unwrap(err).unwrap_or_else(|e| share_error(&e))),
                })
            }
        }
    }
}

/// A copy of an error for a follower: the same variant and fields where the error can
/// be copied, else a transport error whose `source()` is the original.
fn share_error(err: &Arc<Error>) -> Error {
    match &**err {
        Error::Timeout { after, phase } => Error::Timeout {
            after: *after,
            phase: *phase,
        },
        Error::CircuitOpen { retry_after } => Error::CircuitOpen {
            retry_after: *retry_after,
        },
        Error::RateLimited { retry_after } => Error::RateLimited {
            retry_after: *retry_after,
        },
        Error::BodyTooLarge { limit } => Error::BodyTooLarge { limit: *limit },
        Error::Status {
            status,
            message,
            correlation_id,
        } => Error::Status {
            status: *status,
            message: message.clone(),
            correlation_id: correlation_id.clone(),
        },
        Error::Transport {
            message, connect, ..
        } => Error::Transport {
            message: message.clone(),
            connect: *connect,
            source: Some(Box::new(Arc::clone(err))),
        },
        other => Error::Transport {
            message: other.to_string(),
            connect: false,
            source: Some(Box::new(Arc::clone(err))),
        },
    }
}
