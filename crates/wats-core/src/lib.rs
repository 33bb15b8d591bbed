//! WATS models and the shared error type. No I/O.
//!
//! `wats-core` holds what every other wats crate agrees on: the WSJF report
//! models (filled by the foundation issue), the [`enum@Error`] type, JSON helpers
//! that report the path of a decode failure, and correlation ids.
//!
//! ```
//! use wats_core::{json, Error};
//! let err = json::from_str::<Vec<u32>>("[1, \"two\"]").unwrap_err();
//! assert!(matches!(err, Error::Decode { .. }));
//! assert!(err.to_string().contains("[1]"));
//! ```

pub mod correlation;
pub mod error;
pub mod json;

pub use correlation::{CorrelationExt, CorrelationId, with_correlation_id};
pub use error::{BoxError, Error, Result};
