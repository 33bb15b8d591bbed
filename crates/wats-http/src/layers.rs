//! The opt-in layers of issue 21 (rate limit, coalescing, metrics): what the builder was
//! told ([`LayerSettings`]) and the state a client, its clones and its pool siblings
//! share ([`Layers`], in [`Shared`](crate::shared::Shared)). All are off by default; off,
//! each costs its layer one branch per call.

use wats_core::Result;

use crate::coalesce::Coalescer;
use crate::ratelimit::{Limiter, RateLimit};

/// The builder's settings of the opt-in layers.
#[derive(Debug, Clone, Default)]
pub(crate) struct LayerSettings {
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) coalesce: bool,
    pub(crate) metrics: bool,
}

impl LayerSettings {
    pub(crate) fn build(self) -> Result<Layers> {
        Ok(Layers {
            limiter: self.rate_limit.map(RateLimit::build).transpose()?,
            coalescer: self.coalesce.then(Coalescer::default),
            metrics: self.metrics.then(crate::metrics::MetricsState::default),
        })
    }
}

/// The shared state of the opt-in layers; `None` is off.
#[derive(Debug, Default)]
pub(crate) struct Layers {
    pub(crate) limiter: Option<Limiter>,
    pub(crate) coalescer: Option<Coalescer>,
    pub(crate) metrics: Option<crate::metrics::MetricsState>,
}
