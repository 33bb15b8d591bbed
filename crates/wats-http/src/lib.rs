//! Async WATS client: hyper 1, hyper-util's pooled client and a tower stack.
//!
//! [`Client`] talks to a WATS server's REST API: `Authorization: Basic <token>`,
//! JSON, a whole-call timeout, capped and gzip-decoded bodies, retries of idempotent
//! calls (with backoff, `Retry-After` and a retry budget), a correlation id on every
//! call, HTTPS through rustls with certificate verification always on, one
//! circuit breaker per client (shared by clones and pools: an outage costs the
//! server a handful of requests, then calls fail at once with
//! [`Error::CircuitOpen`]), and the test [`Station`] (explicit or detected at
//! build) filled into submitted reports that do not name one.
//!
//! ```
//! # async fn demo() -> wats_core::Result<()> {
//! use wats_core::CorrelationExt;
//! let client = wats_http::Client::builder()
//!     .base_url("https://wats.example.com")
//!     .token("dXNlcjpwYXNz")
//!     .build()?;
//! // Every call made inside carries the id `line-4-run-17` as X-Correlation-ID.
//! let version = client.server_version().with_correlation_id("line-4-run-17").await?;
//! println!("WATS {version}");
//! # Ok(()) }
//! // Building needs no runtime and no network; a missing token is a config error.
//! let err = wats_http::Client::builder().base_url("https://wats.example.com").build();
//! assert!(matches!(err, Err(wats_core::Error::InvalidConfig(_))));
//! ```
//!
//! # Features
//!
//! - `otel` (off by default): when the caller's current `tracing` span carries an
//!   OpenTelemetry context (a subscriber with `tracing-opentelemetry` 0.34's layer, on
//!   `opentelemetry` 0.33), every attempt of a call sends it as W3C `traceparent` (and
//!   `tracestate` when not empty) beside the correlation id, so a WATS call shows up in the
//!   caller's distributed trace. The context is the caller's span's, taken when the call
//!   starts, so retries send the same value. Without an OpenTelemetry context no header is
//!   sent; without the feature nothing of it is compiled.
//!
//! ```
//! # async fn demo(client: wats_http::Client) -> wats_core::Result<()> {
//! // With `features = ["otel"]` and a tracing-opentelemetry layer installed, this call
//! // sends the `check` span's trace id and span id in `traceparent`.
//! use tracing::Instrument;
//! let version = client.server_version().instrument(tracing::info_span!("check")).await?;
//! # Ok(()) }
//! ```

mod api;
#[doc(hidden)]
pub mod bench_hooks;
mod breaker;
mod builder;
mod cache;
mod cache_layer;
mod call;
mod client;
mod coalesce;
mod endpoint;
pub mod failure;
mod layers;
mod memo;
mod metrics;
#[cfg(feature = "otel")]
mod otel;
mod ratelimit;
mod registry;
mod retry;
mod shared;
mod spool;
mod stack;
mod station;
mod stream;
mod stream_body;
mod stream_file;
mod submit_id;
mod url;

// Each domain module's public items (its handle, options and builders).
pub use api::analytics::*;
pub use api::analytics_internal::*;
pub use api::app::*;
pub use api::assets::*;
pub use api::processes::*;
pub use api::production::*;
pub use api::products::*;
pub use api::query::{HeaderQuery, UnitQuery, odata_quote, odata_utc};
pub use api::reports::*;
pub use api::rootcause::*;
pub use api::scim::*;
pub use api::software::*;
pub use api::spool::SpoolHandle;
pub use breaker::{
    CircuitBreakerSettings, DEFAULT_BREAKER_OPEN_DURATION, DEFAULT_BREAKER_PROBES,
    DEFAULT_BREAKER_THRESHOLD,
};
pub use builder::{
    BASE_URL_ENV, ClientBuilder, DEFAULT_BODY_LIMIT, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_TIMEOUT, TOKEN_ENV,
};
pub use cache::{
    CacheSettings, DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_CACHE_TTL,
    DEFAULT_CACHED_ROUTES,
};
pub use client::Client;
pub use endpoint::{Caller, NotFound, Pending, Prepared, Route};
pub use ratelimit::RateLimit;
pub use registry::{
    Exception, LeftToMockito, api_markdown, left_to_mockito, outside_openapi, routes,
};
pub use spool::{
    Area, DEFAULT_SPOOL_LOCK_TIMEOUT, DeadLetter, DeadLetterCause, FlushSummary, FlusherHandle,
    Limits, SpoolError, SpoolFailed, SpoolOptions, SpooledBecause, SubmitOutcome,
    default_spool_dir,
};
pub use wats_breaker::CircuitBreaker;
pub use wats_core::{Error, ReportType, Result};
pub use wats_spool::SpoolEntry;
pub use wats_station::{Detector, Station};

// Entry points for `fuzz/` and the property tests; not part of the API.
#[doc(hidden)]
pub use retry::parse_retry_after;
#[doc(hidden)]
pub use url::parse_base_url;
