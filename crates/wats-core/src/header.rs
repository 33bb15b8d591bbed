//! Report headers, as report queries return them (server schema `ReportHeader`).

use crate::codes::{Coded, ReportType};
use crate::value::{NumOrStr, model};

model! {
    /// One report header of a query result. Member names follow the server schema
    /// (`start`, `userName`, ...) plus the names pyWATS documents (`startUtc`,
    /// `operator`, `testOperation`, `rootNodeType`).
    pub struct ReportHeader {
        /// `uuid`: report id.
        uuid: String => "uuid",
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `batchNumber`.
        batch_number: String => "batchNumber",
        /// `reportType`: `T` or `R`.
        report_type: Coded<ReportType> => "reportType",
        /// `start`.
        start: String => "start",
        /// `startUtc`.
        start_utc: String => "startUtc",
        /// `result`.
        result: String => "result",
        /// `userName`.
        user_name: String => "userName",
        /// `operator`.
        operator: String => "operator",
        /// `stationName`.
        station_name: String => "stationName",
        /// `location`.
        location: String => "location",
        /// `purpose`.
        purpose: String => "purpose",
        /// `measuresDeleted`.
        measures_deleted: bool => "measuresDeleted",
        /// `timeStamp`.
        time_stamp: i64 => "timeStamp",
        /// `processCode`.
        process_code: i64 => "processCode",
        /// `processName`.
        process_name: String => "processName",
        /// `testOperation` (deprecated).
        test_operation: serde_json::Value => "testOperation",
        /// `comment`.
        comment: String => "comment",
        /// `executionTime`.
        execution_time: NumOrStr => "executionTime",
        /// `swFilename`.
        sw_filename: String => "swFilename",
        /// `swVersion`.
        sw_version: String => "swVersion",
        /// `testSocketIndex`.
        test_socket_index: i64 => "testSocketIndex",
        /// `fixtureId`.
        fixture_id: String => "fixtureId",
        /// `errorCode`.
        error_code: NumOrStr => "errorCode",
        /// `errorMessage`.
        error_message: String => "errorMessage",
        /// `run`.
        run: i64 => "run",
        /// `passedInRun`.
        passed_in_run: i64 => "passedInRun",
        /// `receiveCount`.
        receive_count: i64 => "receiveCount",
        /// `reportSize`.
        report_size: i64 => "reportSize",
        /// `causedUutFailure`.
        caused_uut_failure: String => "causedUutFailure",
        /// `causedUutFailurePath`.
        caused_uut_failure_path: String => "causedUutFailurePath",
        /// `referencedUut`: GUID of the UUT a UUR references.
        referenced_uut: String => "referencedUut",
        /// `rootNodeType`.
        root_node_type: serde_json::Value => "rootNodeType",
        /// `subUnits` (expanded).
        sub_units: Vec<HeaderSubUnit> => "subUnits",
        /// `uurSubUnits` (expanded).
        uur_sub_units: Vec<HeaderSubUnit> => "uurSubUnits",
        /// `miscInfo` (expanded).
        misc_info: Vec<HeaderMiscInfo> => "miscInfo",
        /// `uurMiscInfo` (expanded).
        uur_misc_info: Vec<HeaderMiscInfo> => "uurMiscInfo",
        /// `assets` (expanded).
        assets: Vec<HeaderAsset> => "assets",
        /// `attachments` (expanded).
        attachments: Vec<HeaderAttachment> => "attachments",
        /// `uurAttachments` (expanded).
        uur_attachments: Vec<HeaderAttachment> => "uurAttachments",
    }
}

impl ReportHeader {
    /// `start` (or else `startUtc`) as a date-time.
    pub fn start(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.start
            .as_str()
            .or_else(|| self.start_utc.as_str())
            .and_then(crate::time::parse)
    }
}

model! {
    /// A sub-unit in an expanded report header.
    pub struct HeaderSubUnit {
        /// `partType`.
        part_type: String => "partType",
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
    }
}

model! {
    /// A misc info in an expanded report header.
    pub struct HeaderMiscInfo {
        /// `description`.
        description: String => "description",
        /// `value`.
        value: String => "value",
    }
}

model! {
    /// An asset in an expanded report header.
    pub struct HeaderAsset {
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `runningCount`.
        running_count: i64 => "runningCount",
        /// `runningCountExceeded`.
        running_count_exceeded: i64 => "runningCountExceeded",
        /// `totalCount`.
        total_count: i64 => "totalCount",
        /// `totalCountExceeded`.
        total_count_exceeded: i64 => "totalCountExceeded",
        /// `daysSinceMaintenance`.
        days_since_maintenance: NumOrStr => "daysSinceMaintenance",
        /// `maintenanceDaysOverdue`.
        maintenance_days_overdue: NumOrStr => "maintenanceDaysOverdue",
        /// `daysSinceCalibration`.
        days_since_calibration: NumOrStr => "daysSinceCalibration",
        /// `calibrationDaysOverdue`.
        calibration_days_overdue: NumOrStr => "calibrationDaysOverdue",
    }
}

model! {
    /// An attachment in an expanded report header.
    pub struct HeaderAttachment {
        /// `id` (UUR attachments).
        id: String => "id",
        /// `stepId` (UUT attachments).
        step_id: i64 => "stepId",
        /// `filename`.
        filename: String => "filename",
    }
}
