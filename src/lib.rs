//! `wats`: the Rust SDK for WATS, the manufacturing test-data platform.
//!
//! This umbrella crate re-exports the focused crates of the workspace so an
//! application needs one dependency:
//!
//! - [`core`]: WATS models and the shared [`Error`] type (crate `wats-core`).
//! - [`http`]: the async [`Client`] (crate `wats-http`): auth, timeouts, retries,
//!   correlation ids and the typed API (`client.reports()`, `products()`, `units()`,
//!   `processes()`).
//!
//! ```
//! use wats::{CorrelationId, with_correlation_id};
//! let id = with_correlation_id("station-7-run-42", || CorrelationId::current());
//! assert_eq!(id.unwrap().as_str(), "station-7-run-42");
//! ```

pub use wats_core as core;
pub use wats_log as log;
pub use wats_core::{CorrelationExt, CorrelationId, Error, Result, with_correlation_id};

pub use wats_http as http;
pub use wats_http::{Client, ClientBuilder, HeaderQuery, ProcessFilter, ReportOptions, UnitQuery};

pub use wats_station as station;
pub use wats_station::Station;
