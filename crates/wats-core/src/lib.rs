//! WATS models and the shared error type. No I/O.
//!
//! `wats-core` holds what every other wats crate agrees on: the WSJF report
//! models, the [`enum@Error`] type, JSON helpers that report the path of a decode
//! failure, and correlation ids.
//!
//! # Lossless models
//!
//! A report loaded from WATS and written back is the same JSON: same keys, same
//! values, `null` stays `null`, absent stays absent, numbers sent as strings stay
//! strings (`"NaN"`, `"Infinity"`, `"1.5"`), dates keep their 7 fractional digits
//! and original offset, whitespace inside strings is kept, and integers beyond
//! 2^53 keep every digit. The design that guarantees it:
//!
//! - **Tri-state members.** Every member of every model is a [`Field<T>`]:
//!   `Absent`, `Null` or `Value(T)`. Absent members are skipped on output.
//! - **Any shape.** A known member whose JSON type is not the expected one (an
//!   object where a number is expected, `"False"` where a boolean is, a `null` among
//!   the objects of an array) is kept verbatim as `Field::Other` and written back as
//!   received; its typed accessor answers `None` (or empty). Decoding a model fails
//!   only on malformed JSON or when the document is not a JSON object.
//! - **Extras.** Every model struct has `extra`, a map of the members it does not
//!   know, written back verbatim. Unknown members at any level survive.
//! - **One step type.** [`Step`] is a single struct with the common members, the
//!   `stepType` string exactly as received, and every payload member any step type
//!   uses (`seqCall`, `steps`, `numericMeas`, `booleanMeas`, `stringMeas`, `chart`,
//!   `callExe`, `messagePopup`, ...), so any combination round-trips, unknown step
//!   types included, and child `steps` of any step are typed. [`Step::kind`]
//!   classifies the type ([`StepKind`]: aliases such as `ET_NLT`/`NumericLimitTest`
//!   folded, the `NI_*` family, `Unknown(..)`).
//! - **Exact codes.** Status, comparison operator, step group and report type are
//!   [`Coded`] values: parsed leniently (`"IgnoreCase"` is [`CompOp::IgnoreCase`]),
//!   written back with the spelling received.
//! - **Numbers.** Values that WATS sends as number or string are [`NumOrStr`],
//!   holding a [`serde_json::Number`] (integer/float form kept) or the string, with
//!   typed accessors such as [`NumOrStr::as_f64`].
//! - **Dates** are kept as the received strings; typed accessors such as
//!   [`Report::start`] parse them to `chrono::DateTime<FixedOffset>`.
//!
//! Serde is implemented per model without `#[serde(flatten)]` buffering, so
//! parsing goes straight from bytes to the model. [`roundtrip`] checks a document
//! and lists the JSON paths of any differences. New reports are made with
//! [`UutReportBuilder`] and [`UurReportBuilder`], which validate what WATS rejects;
//! loading never validates.
//!
//! ```
//! use wats_core::{json, CompOp, Report, Status, StepKind};
//!
//! let text = r#"{
//!   "type": "T", "id": "3f1c6c8e-5f0a-4c1e-9a53-2b1d7f8e9a10",
//!   "pn": "PCBA-100", "sn": "SN0001", "rev": "01     ", "processCode": 10,
//!   "result": "F", "start": "2026-01-30T22:01:41.4707353+01:00",
//!   "processCodeFormat": null, "futureField": {"kept": true},
//!   "root": {"stepType": "WATS_SeqCall", "name": "MainSequence Callback", "status": "F",
//!     "steps": [
//!       {"stepType": "ET_NLT", "name": "Voltage", "status": "F",
//!        "numericMeas": [{"value": "5.25", "compOp": "GeLe", "lowLimit": 4.9,
//!                         "highLimit": 5.1, "unit": "V", "status": "F"}]},
//!       {"stepType": "DoWhile", "name": "Custom", "anything": [1, 2],
//!        "steps": [{"stepType": "NI_Wait", "name": "Wait"}]}
//!     ]}
//! }"#;
//!
//! let report: Report = json::from_str(text)?;
//! assert!(report.is_uut());
//! assert_eq!(report.result(), Some(Status::Failed));
//! assert_eq!(report.start().unwrap().offset().local_minus_utc(), 3600);
//!
//! // Walk every step depth-first, with typed measurements.
//! let names: Vec<&str> = report.steps().map(|s| s.name()).collect();
//! assert_eq!(names, ["MainSequence Callback", "Voltage", "Custom", "Wait"]);
//! let voltage = report.steps().find(|s| s.kind() == StepKind::NumericLimit).unwrap();
//! let m = &voltage.numeric_measurements()[0];
//! assert_eq!((m.value_f64(), m.comp_op()), (Some(5.25), Some(CompOp::GeLe)));
//! assert_eq!(m.comp_op.value().unwrap().as_str(), "GeLe");
//!
//! // Serialize: the same JSON comes back.
//! let out = json::to_vec(&report)?;
//! let a: serde_json::Value = serde_json::from_str(text).unwrap();
//! let b: serde_json::Value = serde_json::from_slice(&out).unwrap();
//! assert_eq!(a, b);
//! # Ok::<(), wats_core::Error>(())
//! ```

pub mod analytics;
pub mod assembly;
pub mod asset;
pub mod box_build;
pub mod builder;
pub mod codes;
pub mod correlation;
pub mod error;
pub mod filter;
pub mod header;
pub mod json;
pub mod lenient;
pub mod measurement;
pub mod measurement_path;
pub mod process;
pub mod process_detail;
pub mod product;
pub mod product_meta;
pub mod production;
pub mod report;
pub mod report_helpers;
pub mod rootcause;
pub mod roundtrip;
pub mod scim;
pub mod software;
pub mod stats;
pub mod step;
pub mod time;
pub mod unit;
pub mod unit_internal;
pub mod value;

pub use analytics::{
    AggregatedMeasurement, AlarmLog, Level, MeasurementListItem, MeasurementPoint,
    MeasurementSeries, OeeAnalysis, RepairHistoryRecord, RepairRow, StepAnalysisRow,
    StepStatusItem, TopFailedStep, UnitFlow, UnitFlowLink, UnitFlowNode, UnitFlowUnit, YieldRow,
};
pub use assembly::{
    ChildUnitCheck, ChildUnitResult, ChildUnitsCheck, MesChildResult, MesChildUnitCheck,
    MesChildUnitsCheck,
};
pub use asset::{
    AlarmState, Asset, AssetLog, AssetLogType, AssetMessage, AssetState, AssetStatus, AssetType,
};
pub use box_build::{
    BoxBuild, BoxBuildChild, BoxBuildEditor, BoxBuildError, BoxBuildPlan, Missing,
};
pub use builder::{UurReportBuilder, UutReportBuilder};
/// The date-time crate the models and the analytics filter use (`WatsFilter::date_from`).
pub use chrono;
pub use codes::{Coded, CompOp, ReportType, Status, StepGroup, WatsCode};
pub use correlation::{CorrelationExt, CorrelationId, with_correlation_id};
pub use error::{BoxError, Error, Result, SpoolFailed, TimeoutPhase};
pub use filter::{DateGrouping, MeasurementPaths, Run, WatsFilter};
pub use header::ReportHeader;
pub use measurement::{BooleanMeas, NumericMeas, StringMeas};
pub use process::Process;
pub use process_detail::{FailCategory, FailCode, ProcessDetail, RepairOperationConfig};
pub use product::{Product, ProductRevision};
pub use product_meta::{
    Bom, BomComponent, BomItem, ProductCategory, ProductGroup, ProductGroupFilter, ProductInfo,
    RevisionRelation, Vendor,
};
pub use production::{
    Phase, ProductionBatch, SerialIdentifier, SerialNumberType, UnitChange, UnitPhase,
    UnitVerification, UnitVerificationGrade, UnitsSaveFailed, UnitsSaveSummary, UnitsSaved,
    VerificationStatus,
};
pub use report::{MiscInfo, Report, SubUnit, UurInfo, UutInfo};
pub use report_helpers::{StatusCounts, mime_type_of};
pub use rootcause::{
    Ticket, TicketAttachment, TicketPriority, TicketStatus, TicketUpdate, TicketView,
};
pub use scim::{
    ScimEmail, ScimListResponse, ScimMeta, ScimName, ScimOperation, ScimPatch, ScimToken, ScimUser,
};
pub use software::{FileAttributes, Package, PackageFile, PackageStatus, VirtualFolder};
pub use step::{Chart, ChartSeries, Loop, SeqCall, Step, StepKind};
pub use unit::Unit;
pub use unit_internal::{UnitContents, UnitInfo, UnitProcess, UnitStateChange};
pub use value::{Field, NumOrStr};

/// Helpers shared by the model modules' tests.
#[cfg(test)]
pub(crate) mod test_support {
    /// Parse `src` as `T`, write it back, assert the JSON written is the same value as
    /// `src` (members, nulls and numbers as sent), and return the parsed `T`.
    pub(crate) fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(src: &str) -> T {
        let v: T = crate::json::from_str(src).unwrap();
        let back: serde_json::Value =
            serde_json::from_slice(&crate::json::to_vec(&v).unwrap()).unwrap();
        let orig: serde_json::Value = serde_json::from_str(src).unwrap();
        assert_eq!(back, orig, "{src}");
        v
    }
}
