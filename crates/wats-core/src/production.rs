//! Production (MES) models besides [`Unit`]: verification, phases, changes,
//! serial-number types, batches and the answer of a unit save.
//!
//! Lossless like every model here: absent, `null` and values are kept apart, unknown members
//! are kept and written back. Public routes use camelCase names; the internal unit-phase list
//! is PascalCase, as the server writes it.

use crate::unit::Unit;
use crate::value::model;

model! {
    /// One process of a unit verification, server schema `PublicUnitVerification`.
    pub struct UnitVerification {
        /// `processCode`: the test operation code.
        process_code: i64 => "processCode",
        /// `processName`.
        process_name: String => "processName",
        /// `processIndex`: the operation's order index.
        process_index: i64 => "processIndex",
        /// `status`: the unit's status in this process (`Passed`, `Failed`, `Unknown`, ...).
        status: String => "status",
        /// `startUtc`: kept as received (null when the status is unknown).
        start_utc: String => "startUtc",
        /// `stationName`.
        station_name: String => "stationName",
        /// `totalCount`: how many times the unit was tested.
        total_count: i64 => "totalCount",
        /// `nonPassedCount`.
        non_passed_count: i64 => "nonPassedCount",
        /// `repairCount`.
        repair_count: i64 => "repairCount",
    }
}

model! {
    /// The answer of `GET /api/Production/UnitVerification`, server schema
    /// `PublicUnitVerificationGrade`: the unit's grade and one [`UnitVerification`] per process
    /// of the verification rule.
    pub struct UnitVerificationGrade {
        /// `status`: the unit's overall status.
        status: String => "status",
        /// `grade`.
        grade: String => "grade",
        /// `allProcessesExecutedInCorrectOrder`.
        all_processes_executed_in_correct_order: bool => "allProcessesExecutedInCorrectOrder",
        /// `allProcessesPassedFirstRun`.
        all_processes_passed_first_run: bool => "allProcessesPassedFirstRun",
        /// `allProcessesPassedAnyRun`.
        all_processes_passed_any_run: bool => "allProcessesPassedAnyRun",
        /// `allProcessesPassedLastRun`.
        all_processes_passed_last_run: bool => "allProcessesPassedLastRun",
        /// `noRepairs`.
        no_repairs: bool => "noRepairs",
        /// `results`: one entry per process.
        results: Vec<UnitVerification> => "results",
    }
}

/// A verification status, parsed from the server's text (ASCII case ignored; `P`/`F` too).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerificationStatus {
    /// `Passed`.
    Passed,
    /// `Failed`.
    Failed,
    /// `Unknown`: not tested (yet).
    Unknown,
    /// Any other text, kept.
    Other(String),
}

impl VerificationStatus {
    /// Parse the server's text.
    pub fn parse(text: &str) -> VerificationStatus {
        let t = text.trim();
        if t.eq_ignore_ascii_case("passed") || t.eq_ignore_ascii_case("p") {
            VerificationStatus::Passed
        } else if t.eq_ignore_ascii_case("failed") || t.eq_ignore_ascii_case("f") {
            VerificationStatus::Failed
        } else if t.eq_ignore_ascii_case("unknown") || t.is_empty() {
            VerificationStatus::Unknown
        } else {
            VerificationStatus::Other(t.to_owned())
        }
    }
}

impl UnitVerification {
    /// The status of this process, typed; `None` when the server sent none.
    pub fn status(&self) -> Option<VerificationStatus> {
        self.status.as_str().map(VerificationStatus::parse)
    }

    /// Whether the unit passed this process.
    pub fn is_passing(&self) -> bool {
        self.status() == Some(VerificationStatus::Passed)
    }
}

impl UnitVerificationGrade {
    /// The overall status, typed; `None` when the server sent none.
    pub fn status(&self) -> Option<VerificationStatus> {
        self.status.as_str().map(VerificationStatus::parse)
    }

    /// Whether the unit passes: the overall status is `Passed`. (pyWATS `is_unit_passing`.)
    pub fn is_passing(&self) -> bool {
        self.status() == Some(VerificationStatus::Passed)
    }

    /// The verification of the process with this code, if the rule lists it.
    pub fn process(&self, process_code: i64) -> Option<&UnitVerification> {
        self.results
            .items()
            .iter()
            .find(|r| r.process_code.value() == Some(&process_code))
    }

    /// The processes the unit has not passed (failed or not yet tested), in rule order.
    pub fn not_passed(&self) -> impl Iterator<Item = &UnitVerification> {
        self.results.items().iter().filter(|r| !r.is_passing())
    }
}

model! {
    /// A unit phase from the internal `GET /api/internal/Mes/GetUnitPhases` (PascalCase, as
    /// the server writes it).
    pub struct UnitPhase {
        /// `UnitPhaseId`: a flag value (1, 2, 4, ... 2048; 4098, ... for queued phases).
        unit_phase_id: i64 => "UnitPhaseId",
        /// `Code`.
        code: String => "Code",
        /// `Name`.
        name: String => "Name",
        /// `Description`.
        description: String => "Description",
    }
}

/// The unit phases the server documents for `PUT /api/Production/SetUnitPhase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// 1: unknown unit phase.
    Unknown,
    /// 2: under production.
    UnderProduction,
    /// 4: being repaired.
    ProductionRepair,
    /// 8: being repaired for service (RMA).
    ServiceRepair,
    /// 16: finalized.
    Finalized,
    /// 32: scrapped.
    Scrapped,
    /// 64: under extended test.
    ExtendedTest,
    /// 128: under customization.
    Customization,
    /// 256: repaired.
    Repaired,
    /// 512: missing.
    Missing,
    /// 1024: in store (warehouse).
    InStorage,
    /// 2048: shipped.
    Shipped,
}

impl Phase {
    const ALL: [(Phase, i32, &'static str); 12] = [
        (Phase::Unknown, 1, "Unknown"),
        (Phase::UnderProduction, 2, "UnderProduction"),
        (Phase::ProductionRepair, 4, "ProductionRepair"),
        (Phase::ServiceRepair, 8, "ServiceRepair"),
        (Phase::Finalized, 16, "Finalized"),
        (Phase::Scrapped, 32, "Scrapped"),
        (Phase::ExtendedTest, 64, "ExtendedTest"),
        (Phase::Customization, 128, "Customization"),
        (Phase::Repaired, 256, "Repaired"),
        (Phase::Missing, 512, "Missing"),
        (Phase::InStorage, 1024, "InStorage"),
        (Phase::Shipped, 2048, "Shipped"),
    ];

    /// The phase id the server uses.
    pub fn id(self) -> i32 {
        Phase::ALL
            .iter()
            .find(|(p, _, _)| *p == self)
            .map_or(1, |(_, id, _)| *id)
    }

    /// The phase of an id, if it is one of the documented ones.
    pub fn from_id(id: i64) -> Option<Phase> {
        Phase::ALL
            .iter()
            .find(|(_, i, _)| i64::from(*i) == id)
            .map(|(p, _, _)| *p)
    }

    /// The phase of a name: `Finalized`, `Under production`, `in_storage` (spaces,
    /// underscores and ASCII case ignored).
    pub fn from_name(name: &str) -> Option<Phase> {
        let norm: String = name
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .collect();
        Phase::ALL
            .iter()
            .find(|(_, _, n)| n.eq_ignore_ascii_case(&norm))
            .map(|(p, _, _)| *p)
    }
}

model! {
    /// One unit change of `GET /api/Production/Units/Changes`, server schema `UnitChange`.
    pub struct UnitChange {
        /// `id`: delete the change with it once handled.
        id: i64 => "id",
        /// `unitSerialNumber`.
        unit_serial_number: String => "unitSerialNumber",
        /// `newParentSerialNumber`.
        new_parent_serial_number: String => "newParentSerialNumber",
        /// `newPartNumber`.
        new_part_number: String => "newPartNumber",
        /// `newRevision`.
        new_revision: String => "newRevision",
        /// `newUnitPhaseId`.
        new_unit_phase_id: i64 => "newUnitPhaseId",
    }
}

model! {
    /// A serial-number type, server schema `SerialNumberType`.
    pub struct SerialNumberType {
        /// `name`: the type name the serial-number calls take.
        name: String => "name",
        /// `description`.
        description: String => "description",
        /// `format`.
        format: String => "format",
        /// `regEx`.
        reg_ex: String => "regEx",
        /// `identifier`: 0 serial number, 1 MAC address, 2 IMEI.
        identifier: i64 => "identifier",
        /// `identifierName`.
        identifier_name: String => "identifierName",
    }
}

/// What a serial-number type identifies (`identifier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SerialIdentifier {
    /// 0: a serial number.
    SerialNumber,
    /// 1: a MAC address.
    MacAddress,
    /// 2: an IMEI.
    Imei,
}

impl SerialNumberType {
    /// The identifier kind, typed; `None` when absent or not one of 0, 1, 2.
    pub fn identifier_kind(&self) -> Option<SerialIdentifier> {
        match self.identifier.value() {
            Some(0) => Some(SerialIdentifier::SerialNumber),
            Some(1) => Some(SerialIdentifier::MacAddress),
            Some(2) => Some(SerialIdentifier::Imei),
            _ => None,
        }
    }
}

model! {
    /// A production batch, server schema `ProductionBatch`.
    pub struct ProductionBatch {
        /// `batchNumber`.
        batch_number: String => "batchNumber",
        /// `batchSize`.
        batch_size: i64 => "batchSize",
    }
}

impl ProductionBatch {
    /// A batch with a number and a size.
    pub fn new(batch_number: impl Into<String>, batch_size: i64) -> Self {
        ProductionBatch {
            batch_number: batch_number.into().into(),
            batch_size: batch_size.into(),
            ..Default::default()
        }
    }
}

model! {
    /// The object form of the answer of `PUT /api/Production/Units`: an error count and,
    /// kept in `extra`, whatever else the server says about the units it refused.
    pub struct UnitsSaveSummary {
        /// `errorCount`: how many units were not saved.
        error_count: i64 => "errorCount",
        /// `errors`: what was wrong, one entry per refused unit where the server lists them.
        errors: Vec<serde_json::Value> => "errors",
    }
}

/// The answer of `PUT /api/Production/Units`: the saved units (list form) or a summary
/// (object form). A non-zero `errorCount` is a partial failure, kept as data so that the
/// caller sees which part was saved; [`UnitsSaved::check`] turns it into an error.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum UnitsSaved {
    /// The server answered with the saved units.
    Units(Vec<Unit>),
    /// The server answered with a summary.
    Summary(UnitsSaveSummary),
}

/// Some units of a `PUT /api/Production/Units` were not saved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{error_count} of the units were not saved")]
#[non_exhaustive]
pub struct UnitsSaveFailed {
    /// How many units were not saved.
    pub error_count: i64,
    /// The server's summary.
    pub summary: UnitsSaveSummary,
}

impl UnitsSaved {
    /// How many units the server refused (0 for the list form).
    pub fn error_count(&self) -> i64 {
        match self {
            UnitsSaved::Units(_) => 0,
            UnitsSaved::Summary(s) => s.error_count.value().copied().unwrap_or(0),
        }
    }

    /// Whether every unit was saved.
    pub fn is_complete(&self) -> bool {
        self.error_count() == 0
    }

    /// `Ok(self)` when every unit was saved, else the typed partial failure.
    ///
    /// # Errors
    /// [`UnitsSaveFailed`] when `errorCount` is not zero.
    pub fn check(self) -> Result<UnitsSaved, UnitsSaveFailed> {
        match self {
            UnitsSaved::Summary(s) if s.error_count.value().copied().unwrap_or(0) != 0 => {
                Err(UnitsSaveFailed {
                    error_count: s.error_count.value().copied().unwrap_or(0),
                    summary: s,
                })
            }
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::round_trip;

    #[test]
    fn verification_grade_round_trips_and_is_typed() {
        let g: UnitVerificationGrade = round_trip(
            r#"{"status":"Failed","grade":"B","allProcessesExecutedInCorrectOrder":true,
            "allProcessesPassedFirstRun":false,"allProcessesPassedAnyRun":true,
            "allProcessesPassedLastRun":true,"noRepairs":null,"future":[1],
            "results":[{"processCode":10,"processName":"ICT","processIndex":0,"status":"Passed",
              "startUtc":"2026-01-30T21:01:41.4707353Z","stationName":"ST-1","totalCount":2,
              "nonPassedCount":1,"repairCount":1},
             {"processCode":20,"processName":"FCT","processIndex":1,"status":"Unknown",
              "startUtc":null,"totalCount":0}]}"#,
        );
        assert!(!g.is_passing());
        assert_eq!(g.status(), Some(VerificationStatus::Failed));
        assert!(g.process(10).unwrap().is_passing());
        assert_eq!(
            g.process(20).unwrap().status(),
            Some(VerificationStatus::Unknown)
        );
        assert!(g.no_repairs.is_null());
        let names: Vec<_> = g
            .not_passed()
            .map(|r| r.process_name.as_str().unwrap())
            .collect();
        assert_eq!(names, ["FCT"]);
        assert_eq!(
            VerificationStatus::parse("weird"),
            VerificationStatus::Other("weird".into())
        );
    }

    #[test]
    fn phase_change_type_batch_round_trip() {
        let p: UnitPhase = round_trip(
            r#"{"UnitPhaseId":16,"Code":"Finalized","Name":"Finalized","Description":null,"X":1}"#,
        );
        assert_eq!(p.unit_phase_id.value(), Some(&16));
        let c: UnitChange = round_trip(
            r#"{"id":7,"unitSerialNumber":"SN 1","newParentSerialNumber":null,"newPartNumber":"P","newRevision":"B","newUnitPhaseId":16}"#,
        );
        assert_eq!(c.id.value(), Some(&7));
        let t: SerialNumberType = round_trip(
            r#"{"name":"MAC","description":"","format":"XX:XX","regEx":"^.*$","identifier":1,"identifierName":"MacAddress"}"#,
        );
        assert_eq!(t.identifier_kind(), Some(SerialIdentifier::MacAddress));
        let b: ProductionBatch = round_trip(r#"{"batchNumber":"B-1","batchSize":50}"#);
        assert_eq!(b, ProductionBatch::new("B-1", 50));
    }

    #[test]
    fn phases_by_id_and_name() {
        assert_eq!(Phase::Finalized.id(), 16);
        assert_eq!(Phase::from_id(1024), Some(Phase::InStorage));
        assert_eq!(Phase::from_id(3), None);
        assert_eq!(
            Phase::from_name("Under production"),
            Some(Phase::UnderProduction)
        );
        assert_eq!(Phase::from_name("in_storage"), Some(Phase::InStorage));
        assert_eq!(Phase::from_name("nope"), None);
    }

    #[test]
    fn units_saved_partial_failure_is_typed() {
        let ok = UnitsSaved::Units(vec![]);
        assert!(ok.clone().check().is_ok());
        let s: UnitsSaveSummary =
            round_trip(r#"{"errorCount":2,"errors":[{"serialNumber":"A"}],"savedCount":1}"#);
        let partial = UnitsSaved::Summary(s);
        assert_eq!(partial.error_count(), 2);
        let err = partial.check().unwrap_err();
        assert_eq!(err.error_count, 2);
        assert_eq!(err.to_string(), "2 of the units were not saved");
        let zero: UnitsSaveSummary = serde_json::from_str(r#"{"errorCount":0}"#).unwrap();
        assert!(UnitsSaved::Summary(zero).check().is_ok());
    }
}
