//! `wats`: the Rust SDK for WATS, the manufacturing test-data platform.
//!
//! Test stations submit UUT (test) and UUR (repair) reports in WATS's JSON format (WSJF);
//! engineers and services query reports, products, units and processes. This umbrella crate
//! re-exports the focused crates of the workspace, so an application needs one dependency:
//!
//! | module | crate | feature | what |
//! |---|---|---|---|
//! | [`core`] | `wats-core` | always | models (reports and every step type, products, units, processes, headers), [`Error`], correlation ids; no I/O |
//! | [`http`] | `wats-http` | `client` | the async [`Client`]: auth, timeouts, retries, the typed API |
//! | [`breaker`] | `wats-breaker` | `client` | the generic circuit breaker and tower layer |
//! | [`blocking`] | `wats-sync` | `blocking` | the blocking `Client`, on a thread-local runtime pool |
//! | [`station`] | `wats-station` | `client` | which test station this is, detected in tiers |
//! | [`spool`] | `wats-spool` | `client` | the durable on-disk report spool |
//! | [`log`] | `wats-log` | `log` | flat JSON / text logs with correlation ids |
//!
//! `client`, `blocking` and `log` are on by default; `default-features = false` leaves the
//! I/O-free models. `otel` (off by default; implies `client`) sends the caller's OpenTelemetry
//! trace context as W3C `traceparent` and `tracestate` on every attempt (wats-http's `otel`).
//! Station detection and the spool come with `client` (there are no separate features):
//! the client fills its station into every submitted report and keeps reports it cannot
//! submit in the spool, so it cannot be built without them.
//!
//! ```
//! use wats::core::{Status, UutReportBuilder};
//! use wats::{CorrelationId, with_correlation_id};
//!
//! // Build a report; the builder rejects what WATS rejects.
//! let report = UutReportBuilder::new("PCBA-100", "SN-0001", "A", 10)
//!     .station("ST-01", "Lab", "Development")
//!     .result(Status::Passed)
//!     .build()?;
//! assert!(report.is_uut());
//! assert!(UutReportBuilder::new("PCBA-100", "SN*1", "A", 10).build().is_err());
//!
//! // Every call made inside this scope carries the correlation id, on the wire and in logs.
//! let id = with_correlation_id("station-7-run-42", || CorrelationId::current());
//! assert_eq!(id.unwrap().as_str(), "station-7-run-42");
//! # Ok::<(), wats::Error>(())
//! ```
//!
//! With the `client` feature, against the embedded server from `wats-mock`:
//!
//! ```no_run
//! # async fn demo() -> wats::Result<()> {
//! let client = wats::Client::builder()
//!     .base_url("https://wats.example.com")
//!     .token("base64-token")
//!     .build()?;
//! let products = client.products().list().await?;
//! # let _ = products; Ok(()) }
//! ```

pub use wats_core as core;
pub use wats_core::{CorrelationExt, CorrelationId, Error, Result, with_correlation_id};

#[cfg(feature = "client")]
pub use wats_breaker as breaker;
#[cfg(feature = "client")]
pub use wats_http as http;
#[cfg(feature = "client")]
pub use wats_http::{Client, ClientBuilder, HeaderQuery, ProcessFilter, ReportOptions, UnitQuery};

/// The blocking client (crate `wats-sync`): `wats::blocking::Client`.
#[cfg(feature = "blocking")]
pub mod blocking {
    pub use wats_sync::*;
}

#[cfg(feature = "client")]
pub use wats_station as station;
#[cfg(feature = "client")]
pub use wats_station::Station;

#[cfg(feature = "log")]
pub use wats_log as log;

#[cfg(feature = "client")]
pub use wats_spool as spool;
