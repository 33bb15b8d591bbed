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

mod api;
mod breaker;
mod builder;
mod client;
mod retry;
mod spool;
mod stack;
mod station;
mod url;

pub use api::processes::{ProcessFilter, Processes};
pub use api::products::Products;
pub use api::query::{HeaderQuery, ReportKind, UnitQuery, odata_quote, odata_utc};
pub use api::reports::{ReportOptions, Reports};
pub use api::units::Units;
pub use breaker::{
    CircuitBreakerSettings, DEFAULT_BREAKER_OPEN_DURATION, DEFAULT_BREAKER_PROBES,
    DEFAULT_BREAKER_THRESHOLD,
};
pub use builder::{
    BASE_URL_ENV, ClientBuilder, DEFAULT_BODY_LIMIT, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_TIMEOUT, TOKEN_ENV,
};
pub use client::Client;
pub use spool::{
    FlushSummary, FlusherHandle, SpoolFailed, SpoolHandle, SubmitOutcome, default_spool_dir,
};
pub use wats_breaker::CircuitBreaker;
pub use wats_core::{Error, Result};
pub use wats_spool::SpoolEntry;
pub use wats_station::{Detector, Station};

// Entry points for `fuzz/` and the property tests; not part of the API.
#[doc(hidden)]
pub use retry::parse_retry_after;
#[doc(hidden)]
pub use url::parse_base_url;
