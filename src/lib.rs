//! `wats`: the Rust SDK for WATS, the manufacturing test-data platform.
//!
//! This umbrella crate re-exports the focused crates of the workspace so an
//! application needs one dependency:
//!
//! - [`core`]: WATS models and the shared [`Error`] type (crate `wats-core`).
//!
//! ```
//! use wats::{CorrelationId, with_correlation_id};
//! let id = with_correlation_id("station-7-run-42", || CorrelationId::current());
//! assert_eq!(id.unwrap().as_str(), "station-7-run-42");
//! ```

pub use wats_core as core;
pub use wats_log as log;
pub use wats_core::{CorrelationExt, CorrelationId, Error, Result, with_correlation_id};
