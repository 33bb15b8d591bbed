//! WATS models and the shared error type. No I/O.
//!
//! `wats-core` holds what every other wats crate agrees on: the WSJF report
//! models, the [`enum@Error`] type, JSON helpers that report the path of a decode
//! failure, and correlation ids.

pub mod builder;
pub mod codes;
pub mod correlation;
pub mod error;
pub mod header;
pub mod json;
pub mod measurement;
pub mod process;
pub mod product;
pub mod report;
pub mod roundtrip;
pub mod step;
pub mod time;
pub mod unit;
pub mod value;

pub use builder::{UurReportBuilder, UutReportBuilder};
pub use codes::{Coded, CompOp, ReportType, Status, StepGroup, WatsCode};
pub use correlation::{CorrelationExt, CorrelationId, with_correlation_id};
pub use error::{BoxError, Error, Result};
pub use header::ReportHeader;
pub use measurement::{BooleanMeas, NumericMeas, StringMeas};
pub use process::Process;
pub use product::{Product, ProductRevision};
pub use report::{MiscInfo, Report, SubUnit, UurInfo, UutInfo};
pub use step::{Chart, ChartSeries, Loop, SeqCall, Step, StepKind};
pub use unit::Unit;
pub use value::{Field, NumOrStr};
