//! The WSJF report: UUT (`type: "T"`) and UUR (`type: "R"`).

use chrono::{DateTime, FixedOffset};

use crate::codes::{Coded, ReportType, Status};
use crate::step::{AdditionalData, Attachment, Step, Steps};
use crate::value::{NumOrStr, model};

model! {
    /// A WATS report in WSJF form, UUT or UUR, exactly as sent or received.
    ///
    /// Members follow the WSJF top level; output-only members the server adds
    /// (`startUTC`, `origin`, `productName`, `processName`, `processCodeFormat`) are
    /// kept too, so a loaded report re-serializes unchanged.
    pub struct Report {
        /// `id`: report GUID (kept as the received string).
        id: String => "id",
        /// `type`: `T` (UUT) or `R` (UUR).
        report_type: Coded<ReportType> => "type",
        /// `pn`: part number.
        pn: String => "pn",
        /// `sn`: serial number.
        sn: String => "sn",
        /// `rev`: revision (whitespace kept).
        rev: String => "rev",
        /// `productName` (output-only).
        product_name: String => "productName",
        /// `processCode`: test operation (UUT) or repair operation (UUR).
        process_code: i64 => "processCode",
        /// `processCodeFormat` (output-only).
        process_code_format: String => "processCodeFormat",
        /// `processName` (output-only).
        process_name: String => "processName",
        /// `result`: P/F/D/E/T.
        result: Coded<Status> => "result",
        /// `machineName`: the station name.
        machine_name: String => "machineName",
        /// `location`.
        location: String => "location",
        /// `purpose`.
        purpose: String => "purpose",
        /// `origin` (output-only).
        origin: String => "origin",
        /// `start`: local start time with offset, as received (see [`Report::start`]).
        start: String => "start",
        /// `startUTC` (output-only).
        start_utc: String => "startUTC",
        /// `root`: the root sequence call (UUT).
        root: Step => "root",
        /// `uut`: UUT information.
        uut: UutInfo => "uut",
        /// `uur`: UUR information.
        uur: UurInfo => "uur",
        /// `miscInfos`.
        misc_infos: Vec<MiscInfo> => "miscInfos",
        /// `subUnits` (UUT and UUR forms share [`SubUnit`]).
        sub_units: Vec<SubUnit> => "subUnits",
        /// `assets`.
        assets: Vec<Asset> => "assets",
        /// `assetStats` (output-only).
        asset_stats: Vec<AssetStat> => "assetStats",
        /// `binaryData`: report-level attachments.
        binary_data: Vec<Attachment> => "binaryData",
        /// `additionalData`.
        additional_data: Vec<AdditionalData> => "additionalData",
    }
}

impl Report {
    /// The report type, when present and recognised.
    pub fn report_type(&self) -> Option<ReportType> {
        self.report_type.value().and_then(Coded::kind)
    }

    /// True for a UUT (`type: "T"`) report.
    pub fn is_uut(&self) -> bool {
        self.report_type() == Some(ReportType::Uut)
    }

    /// True for a UUR (`type: "R"`) report.
    pub fn is_uur(&self) -> bool {
        self.report_type() == Some(ReportType::Uur)
    }

    /// The report id as a UUID, when it is one.
    pub fn uuid(&self) -> Option<uuid::Uuid> {
        self.id.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok())
    }

    /// Part number.
    pub fn pn(&self) -> Option<&str> {
        self.pn.as_str()
    }

    /// Serial number.
    pub fn sn(&self) -> Option<&str> {
        self.sn.as_str()
    }

    /// Revision.
    pub fn rev(&self) -> Option<&str> {
        self.rev.as_str()
    }

    /// The result, when present and recognised.
    pub fn result(&self) -> Option<Status> {
        self.result.value().and_then(Coded::kind)
    }

    /// `start` as a date-time with its original offset (7-digit fractions supported).
    pub fn start(&self) -> Option<DateTime<FixedOffset>> {
        self.start.as_str().and_then(crate::time::parse)
    }

    /// `startUTC` as a date-time.
    pub fn start_utc(&self) -> Option<DateTime<FixedOffset>> {
        self.start_utc.as_str().and_then(crate::time::parse)
    }

    /// The root sequence call.
    pub fn root(&self) -> Option<&Step> {
        self.root.value()
    }

    /// The root sequence call, mutably.
    pub fn root_mut(&mut self) -> Option<&mut Step> {
        self.root.value_mut()
    }

    /// Every step of the report, depth-first from the root (empty for a UUR).
    pub fn steps(&self) -> Steps<'_> {
        self.root().map_or_else(Steps::empty, Step::walk)
    }

    /// Misc infos (empty when none).
    pub fn misc_infos(&self) -> &[MiscInfo] {
        self.misc_infos.items()
    }

    /// Sub-units (empty when none).
    pub fn sub_units(&self) -> &[SubUnit] {
        self.sub_units.items()
    }

    /// Fill the station members (`machineName`, `location`, `purpose`) that the
    /// report does not set, leaving set ones untouched. A member is **not set**
    /// when it is absent, `null` or blank text. `None` (or blank) arguments fill
    /// nothing. Returns how many members were written.
    ///
    /// `wats_http::Client` calls this with its station when a report is submitted.
    ///
    /// ```
    /// use wats_core::UutReportBuilder;
    /// let mut report = UutReportBuilder::new("PN-1", "SN-1", "A", 10).build().unwrap();
    /// report.location = "Oslo".into();
    /// assert_eq!(report.fill_station("ICT-01", Some("Drammen"), Some("Production")), 2);
    /// assert_eq!(report.machine_name.as_str(), Some("ICT-01"));
    /// assert_eq!(report.location.as_str(), Some("Oslo"));
    /// assert_eq!(report.purpose.as_str(), Some("Production"));
    /// ```
    pub fn fill_station(
        &mut self,
        machine_name: &str,
        location: Option<&str>,
        purpose: Option<&str>,
    ) -> usize {
        let mut filled = 0;
        for (field, value) in [
            (&mut self.machine_name, Some(machine_name)),
            (&mut self.location, location),
            (&mut self.purpose, purpose),
        ] {
            if let Some(value) = station_fill(field, value) {
                *field = value.into();
                filled += 1;
            }
        }
        filled
    }

    /// Whether [`fill_station`](Self::fill_station) with these values would change anything.
    pub fn needs_station(
        &self,
        machine_name: &str,
        location: Option<&str>,
        purpose: Option<&str>,
    ) -> bool {
        [
            (&self.machine_name, Some(machine_name)),
            (&self.location, location),
            (&self.purpose, purpose),
        ]
        .into_iter()
        .any(|(field, value)| station_fill(field, value).is_some())
    }
}

/// The value to fill into a station member: a non-blank `value` for an unset `field`.
fn station_fill<'v>(
    field: &crate::value::Field<String>,
    value: Option<&'v str>,
) -> Option<&'v str> {
    value.filter(|v| !v.trim().is_empty() && is_unset(field))
}

/// Absent, `null` or blank text: a station member a client may fill.
pub fn is_unset(field: &crate::value::Field<String>) -> bool {
    field.as_str().is_none_or(|v| v.trim().is_empty())
}

model! {
    /// `uut`: information specific to a UUT report.
    pub struct UutInfo {
        /// `user`: the operator.
        user: String => "user",
        /// `comment`.
        comment: String => "comment",
        /// `execTime`: execution time in seconds.
        exec_time: NumOrStr => "execTime",
        /// `fixtureId`.
        fixture_id: String => "fixtureId",
        /// `testSocketIndex`.
        test_socket_index: i64 => "testSocketIndex",
        /// `testSocketIndexFormat`.
        test_socket_index_format: String => "testSocketIndexFormat",
        /// `errorCode`.
        error_code: NumOrStr => "errorCode",
        /// `errorCodeFormat`.
        error_code_format: String => "errorCodeFormat",
        /// `errorMessage`.
        error_message: String => "errorMessage",
        /// `batchSN`.
        batch_sn: String => "batchSN",
        /// `batchFailCount`.
        batch_fail_count: i64 => "batchFailCount",
        /// `batchFailCountFormat`.
        batch_fail_count_format: String => "batchFailCountFormat",
        /// `batchLoopIndex`.
        batch_loop_index: i64 => "batchLoopIndex",
        /// `batchLoopIndexFormat`.
        batch_loop_index_format: String => "batchLoopIndexFormat",
        /// `stepIdCausedUUTFailure`.
        step_id_caused_uut_failure: NumOrStr => "stepIdCausedUUTFailure",
        /// `referencedByUURs`: repairs that reference this UUT.
        referenced_by_uurs: Vec<ReportRef> => "referencedByUURs",
    }
}

model! {
    /// A reference to another report (`{id, start}`).
    pub struct ReportRef {
        /// `id`.
        id: String => "id",
        /// `start`.
        start: String => "start",
    }
}

model! {
    /// `uur`: information specific to a UUR (repair) report.
    pub struct UurInfo {
        /// `user`: the repair operator.
        user: String => "user",
        /// `comment`.
        comment: String => "comment",
        /// `execTime`.
        exec_time: NumOrStr => "execTime",
        /// `processCode`: the test operation that failed.
        process_code: i64 => "processCode",
        /// `processCodeFormat`.
        process_code_format: String => "processCodeFormat",
        /// `processName`.
        process_name: String => "processName",
        /// `testOperationCode` (deprecated duplicate of `processCode`).
        test_operation_code: i64 => "testOperationCode",
        /// `testOperationName`.
        test_operation_name: String => "testOperationName",
        /// `testOperationGuid`.
        test_operation_guid: String => "testOperationGuid",
        /// `refUUT`: GUID of the failed UUT report.
        ref_uut: String => "refUUT",
        /// `confirmDate`.
        confirm_date: String => "confirmDate",
        /// `finalizeDate`.
        finalize_date: String => "finalizeDate",
        /// `active`.
        active: bool => "active",
        /// `parent`: GUID of a parent repair.
        parent: String => "parent",
        /// `children`: kept as raw JSON.
        children: serde_json::Value => "children",
    }
}

model! {
    /// `subUnits[]`: a sub-unit (UUT form: `pn`, `rev`, `sn`, `partType`, `position`;
    /// UUR form adds `idx`, `parentIdx`, `replacedIdx`, `failures`).
    pub struct SubUnit {
        /// `partType`.
        part_type: String => "partType",
        /// `pn`.
        pn: String => "pn",
        /// `rev`.
        rev: String => "rev",
        /// `sn`.
        sn: String => "sn",
        /// `position`.
        position: i64 => "position",
        /// `idx`: 0 is the main unit of a UUR.
        idx: i64 => "idx",
        /// `parentIdx`.
        parent_idx: i64 => "parentIdx",
        /// `replacedIdx`.
        replaced_idx: i64 => "replacedIdx",
        /// `failures` (UUR).
        failures: Vec<Failure> => "failures",
    }
}

impl SubUnit {
    /// A sub-unit with part type, part number, serial number and revision.
    pub fn new(part_type: &str, pn: &str, sn: &str, rev: &str) -> Self {
        SubUnit {
            part_type: part_type.into(),
            pn: pn.into(),
            rev: rev.into(),
            sn: sn.into(),
            ..Default::default()
        }
    }
}

model! {
    /// `failures[]` of a UUR sub-unit.
    pub struct Failure {
        /// `category`.
        category: String => "category",
        /// `code`.
        code: String => "code",
        /// `comment`.
        comment: String => "comment",
        /// `comRef`: component reference.
        com_ref: String => "comRef",
        /// `funcBlock`.
        func_block: String => "funcBlock",
        /// `refStepId`.
        ref_step_id: NumOrStr => "refStepId",
        /// `refStepName` (output-only).
        ref_step_name: String => "refStepName",
        /// `artNumber`.
        art_number: String => "artNumber",
        /// `artRev`.
        art_rev: String => "artRev",
        /// `artVendor`.
        art_vendor: String => "artVendor",
        /// `artDescription`.
        art_description: String => "artDescription",
    }
}

impl Failure {
    /// A failure with category and code.
    pub fn new(category: &str, code: &str) -> Self {
        Failure {
            category: category.into(),
            code: code.into(),
            ..Default::default()
        }
    }
}

model! {
    /// `miscInfos[]`: a described value (`text` or, from the server, `numeric`).
    pub struct MiscInfo {
        /// `description`.
        description: String => "description",
        /// `text`.
        text: String => "text",
        /// `numeric`.
        numeric: NumOrStr => "numeric",
        /// `id`: kept as raw JSON.
        id: serde_json::Value => "id",
    }
}

impl MiscInfo {
    /// A text misc info.
    pub fn new(description: &str, text: &str) -> Self {
        MiscInfo {
            description: description.into(),
            text: text.into(),
            ..Default::default()
        }
    }
}

model! {
    /// `assets[]`: equipment used by the test.
    pub struct Asset {
        /// `sn`.
        sn: String => "sn",
        /// `assetSN` (older form).
        asset_sn: String => "assetSN",
        /// `assetType`.
        asset_type: String => "assetType",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `usageCount`.
        usage_count: i64 => "usageCount",
        /// `calibrationDate`.
        calibration_date: String => "calibrationDate",
        /// `calibrationDue`.
        calibration_due: String => "calibrationDue",
    }
}

model! {
    /// `assetStats[]`: server-computed asset statistics (members kept as received).
    pub struct AssetStat {
        /// `sn`.
        sn: String => "sn",
    }
}
