//! The cache in the stack: [`CacheService`], below the metrics layer and above the total
//! deadline; the cache itself (settings, keys, invalidation) is `cache.rs`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::{Method, Response};
use tower::Service;
use wats_core::{Error, Result};

use crate::cache::{Key, family_of};
use crate::call::Call;
use crate::shared::PoolShared;

/// The cache layer (below metrics, above the total deadline). Without a cache it passes
/// calls through.
#[derive(Clone)]
pub(crate) struct CacheService<S> {
    pub(crate) inner: S,
    pub(crate) shared: PoolShared,
}

impl<S> Service<Call> for CacheService<S>
where
    S: Service<Call, Response = Response<Bytes>, Error = Error>,
{
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = CacheFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, mut call: Call) -> Self::Future {
        let Some(cache) = &self.shared.layers.cache else {
            return CacheFuture::Pass {
                fut: self.inner.call(call),
            };
        };
        if call.method == Method::HEAD {
            return CacheFuture::Pass {
                fut: self.inner.call(call),
            };
        }
        let family = family_of(call.route);
        if call.method != Method::GET || call.body.is_some() {
            // Also when it starts: a write cancelled half-way may have reached the server.
            cache.invalidate(family);
            return CacheFuture::Write {
                fut: self.inner.call(call),
                family,
                shared: self.shared.clone(),
            };
        }
        if !cache.applies(call.route) {
            return CacheFuture::Pass {
                fut: self.inner.call(call),
            };
        }
        let generation = cache.generation(family);
        let key = Key {
            token: cache.token(),
            method: Method::GET,
            route: call.route,
            // Moved, not copied: a hit needs no copy of the URI.
            uri: std::mem::take(&mut call.uri),
        };
        if !call.fresh {
            if let Some(resp) = cache.lookup(&key, family) {
                crate::metrics::cache_hit(&self.shared, call.route);
                return CacheFuture::Hit { resp: Some(resp) };
            }
        }
        crate::metrics::cache_miss(&self.shared, call.route);
        call.uri = key.uri.clone();
        CacheFuture::Fill {
            fut: self.inner.call(call),
            fill: Some(Fill {
                key,
                generation,
                shared: self.shared.clone(),
            }),
        }
    }
}

/// What a miss stores when its answer comes.
pub(crate) struct Fill {
    key: Key,
    generation: u64,
    shared: PoolShared,
}

pin_project_lite::pin_project! {
    /// Future of [`CacheService`].
    #[project = CacheProj]
    pub(crate) enum CacheFuture<F> {
        /// Not cached (no cache, a route not cached, a HEAD).
        Pass { #[pin] fut: F },
        /// Answered from the cache.
        Hit { resp: Option<Response<Bytes>> },
        /// A miss: a 2xx answer is stored.
        Fill { #[pin] fut: F, fill: Option<Fill> },
        /// A write: its family is invalidated when it ends.
        Write { #[pin] fut: F, family: usize, shared: PoolShared },
    }
}

impl<F> Future for CacheFuture<F>
where
    F: Future<Output = Result<Response<Bytes>>>,
{
    type Output = Result<Response<Bytes>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            CacheProj::Pass { fut } => fut.poll(cx),
            CacheProj::Hit { resp } => Poll::Ready(resp.take().ok_or_else(|| Error::Transport {
                message: "a cached answer was polled after it completed".to_owned(),
                connect: false,
                source: None,
            })),
            CacheProj::Fill { fut, fill } => {
                let result = ready!(fut.poll(cx));
                let mut result = result;
                if let (Ok(resp), Some(fill)) = (&mut result, fill.take()) {
                    if resp.status().is_success() {
                        if let Some(cache) = &fill.shared.layers.cache {
                            cache.store(fill.key, fill.generation, resp);
                        }
                    }
                }
                Poll::Ready(result)
            }
            CacheProj::Write {
                fut,
                family,
                shared,
            } => {
                let result = ready!(fut.poll(cx));
                if let Some(cache) = &shared.layers.cache {
                    cache.invalidate(*family);
                }
                Poll::Ready(result)
            }
        }
    }
}
