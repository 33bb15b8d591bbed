//! The opt-in layers of issue 21 (rate limit, coalescing, metrics, cache): what the
//! builder was told ([`LayerSettings`]), the state a client, its clones and its pool
//! siblings share ([`Layers`], in [`Shared`](crate::shared::Shared)), and [`OptIn`], the
//! switch that keeps them out of the stack of a client that uses none of them.
//!
//! Why a switch and not a branch in each layer: a layer turned off still wraps the
//! future below it in its own future type, so each one costs a branch, a bigger future
//! to move and one more poll indirection (measured at 11-14 ns per layer). The client
//! builds two stacks' types (one with the opt-in layers, one without) and [`OptIn`]
//! picks one at build time: with every opt-in layer off a call costs one match on a
//! two-variant enum, whatever the number of opt-in layers. With any of them on, the
//! others (off) cost their branch.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::Response;
use tower::Service;
use wats_core::{Error, Result};

use crate::cache::{Cache, CacheSettings};
use crate::call::Call;
use crate::coalesce::Coalescer;
use crate::ratelimit::{Limiter, RateLimit};

/// The builder's settings of the opt-in layers.
#[derive(Debug, Clone, Default)]
pub(crate) struct LayerSettings {
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) coalesce: bool,
    pub(crate) metrics: bool,
    pub(crate) cache: Option<CacheSettings>,
}

impl LayerSettings {
    /// The layers' state; `token` names the cache's owner (only a hash of it is kept).
    pub(crate) fn build(self, token: &str) -> Result<Layers> {
        Ok(Layers {
            limiter: self.rate_limit.map(RateLimit::build).transpose()?,
            coalescer: self.coalesce.then(Coalescer::default),
            metrics: self.metrics.then(crate::metrics::MetricsState::default),
            cache: self.cache.map(|c| c.build(token)).transpose()?,
        })
    }
}

/// The shared state of the opt-in layers; `None` is off.
#[derive(Debug, Default)]
pub(crate) struct Layers {
    pub(crate) limiter: Option<Limiter>,
    pub(crate) coalescer: Option<Coalescer>,
    pub(crate) metrics: Option<crate::metrics::MetricsState>,
    pub(crate) cache: Option<Cache>,
}

impl Layers {
    /// Whether any opt-in layer is on (the stack then has them all).
    pub(crate) fn any(&self) -> bool {
        self.limiter.is_some()
            || self.coalescer.is_some()
            || self.metrics.is_some()
            || self.cache.is_some()
    }
}

/// The stack below the call layer: `Plain` (no opt-in layer) or `Full` (all of them,
/// each on or off), chosen once per pool.
#[derive(Clone)]
pub(crate) enum OptIn<P, F> {
    /// No opt-in layer is on.
    Plain(P),
    /// Some opt-in layer is on.
    Full(F),
}

impl<P, F> Service<Call> for OptIn<P, F>
where
    P: Service<Call, Response = Response<Bytes>, Error = Error>,
    F: Service<Call, Response = Response<Bytes>, Error = Error>,
{
    type Response = Response<Bytes>;
    type Error = Error;
    type Future = OptInFuture<P::Future, F::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        match self {
            OptIn::Plain(s) => s.poll_ready(cx),
            OptIn::Full(s) => s.poll_ready(cx),
        }
    }

    #[inline]
    fn call(&mut self, call: Call) -> Self::Future {
        match self {
            OptIn::Plain(s) => OptInFuture::Plain { fut: s.call(call) },
            OptIn::Full(s) => OptInFuture::Full {
                fut: Box::pin(s.call(call)),
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// Future of [`OptIn`].
    #[project = OptInProj]
    pub(crate) enum OptInFuture<A, B> {
        /// Through the plain stack.
        Plain { #[pin] fut: A },
        /// Through the stack with the opt-in layers (boxed: its future is much larger
        /// than the plain one, and inline it would make every call of a client without
        /// opt-in layers move the larger future).
        Full { fut: Pin<Box<B>> },
    }
}

impl<A, B> Future for OptInFuture<A, B>
where
    A: Future<Output = Result<Response<Bytes>>>,
    B: Future<Output = Result<Response<Bytes>>>,
{
    type Output = Result<Response<Bytes>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            OptInProj::Plain { fut } => fut.poll(cx),
            OptInProj::Full { fut } => fut.as_mut().poll(cx),
        }
    }
}
