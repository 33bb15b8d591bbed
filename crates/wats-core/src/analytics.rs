//! Analytics answers (`/api/App/...` and the internal unit-flow and drill-down routes):
//! lossless rows in the [`model!`](crate::value) pattern. Every member is a
//! [`Field`](crate::Field), numbers are [`NumOrStr`] (integer/float form and strings kept),
//! dates are kept as received, and unknown members land in `extra` and are written back.
//! Member names are the server's camelCase names, as the Python SDK reads them.

use crate::value::{NumOrStr, model};

model! {
    /// A production level (`GET /api/App/Levels`).
    pub struct Level {
        /// `levelId`.
        level_id: NumOrStr => "levelId",
        /// `levelName`.
        level_name: String => "levelName",
    }
}

model! {
    /// A product group (`GET /api/App/ProductGroups`).
    pub struct ProductGroup {
        /// `productGroupId`.
        product_group_id: NumOrStr => "productGroupId",
        /// `productGroupName`.
        product_group_name: String => "productGroupName",
        /// `filters` (with `includeFilters=true`), kept as raw JSON.
        filters: serde_json::Value => "filters",
    }
}

model! {
    /// One yield row (dynamic yield, volume yield, high volume, worst yield and their
    /// by-product-group forms). Which members are present depends on the call and its
    /// dimensions/KPIs.
    pub struct YieldRow {
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `productName`.
        product_name: String => "productName",
        /// `productGroup`.
        product_group: String => "productGroup",
        /// `stationName`.
        station_name: String => "stationName",
        /// `testOperation`.
        test_operation: String => "testOperation",
        /// `period`.
        period: String => "period",
        /// `unitCount`: units tested.
        unit_count: NumOrStr => "unitCount",
        /// `fpCount`: units passed in their first run.
        fp_count: NumOrStr => "fpCount",
        /// `spCount`: passed by the second run.
        sp_count: NumOrStr => "spCount",
        /// `tpCount`: passed by the third run.
        tp_count: NumOrStr => "tpCount",
        /// `lpCount`: passed in their last run.
        lp_count: NumOrStr => "lpCount",
        /// `fpy`: first-pass yield, percent.
        fpy: NumOrStr => "fpy",
        /// `spy`: second-pass yield, percent.
        spy: NumOrStr => "spy",
        /// `tpy`: third-pass yield, percent.
        tpy: NumOrStr => "tpy",
        /// `lpy`: last-pass yield, percent.
        lpy: NumOrStr => "lpy",
        /// `testReportCount`.
        test_report_count: NumOrStr => "testReportCount",
        /// `testYield`.
        test_yield: NumOrStr => "testYield",
        /// `firstUtc`.
        first_utc: String => "firstUtc",
        /// `lastUtc`.
        last_utc: String => "lastUtc",
    }
}

model! {
    /// One dynamic repair row (`POST /api/App/DynamicRepair`).
    pub struct RepairRow {
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `productGroup`.
        product_group: String => "productGroup",
        /// `productName`.
        product_name: String => "productName",
        /// `repairOperation`.
        repair_operation: String => "repairOperation",
        /// `stationName`.
        station_name: String => "stationName",
        /// `testOperation`.
        test_operation: String => "testOperation",
        /// `period`.
        period: String => "period",
        /// `repairCategory`.
        repair_category: String => "repairCategory",
        /// `repairType`.
        repair_type: String => "repairType",
        /// `componentRef`.
        component_ref: String => "componentRef",
        /// `referencedStep`.
        referenced_step: String => "referencedStep",
        /// `referencedStepPath`.
        referenced_step_path: String => "referencedStepPath",
        /// `repairReportCount`.
        repair_report_count: NumOrStr => "repairReportCount",
        /// `repairCount`.
        repair_count: NumOrStr => "repairCount",
        /// `totalCount`.
        total_count: NumOrStr => "totalCount",
        /// `repairRate`.
        repair_rate: NumOrStr => "repairRate",
        /// `failCode`.
        fail_code: String => "failCode",
        /// `repairCode`.
        repair_code: String => "repairCode",
    }
}

model! {
    /// One failing step (`/api/App/TopFailed`, `/api/internal/App/TopFailed`).
    pub struct TopFailedStep {
        /// `stepName`.
        step_name: String => "stepName",
        /// `stepPath`.
        step_path: String => "stepPath",
        /// `stepType`.
        step_type: String => "stepType",
        /// `stepGroup`.
        step_group: String => "stepGroup",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `productGroup`.
        product_group: String => "productGroup",
        /// `failCount`.
        fail_count: NumOrStr => "failCount",
        /// `totalCount`.
        total_count: NumOrStr => "totalCount",
        /// `failRate`.
        fail_rate: NumOrStr => "failRate",
        /// `firstFailDate`.
        first_fail_date: String => "firstFailDate",
        /// `lastFailDate`.
        last_fail_date: String => "lastFailDate",
    }
}

model! {
    /// One repaired failure (`GET /api/App/RelatedRepairHistory`).
    pub struct RepairHistoryRecord {
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `reportId`.
        report_id: String => "reportId",
        /// `repairDate`.
        repair_date: String => "repairDate",
        /// `failStepName`.
        fail_step_name: String => "failStepName",
        /// `failStepPath`.
        fail_step_path: String => "failStepPath",
        /// `failCode`.
        fail_code: String => "failCode",
        /// `repairCode`.
        repair_code: String => "repairCode",
        /// `symptom`.
        symptom: String => "symptom",
        /// `cause`.
        cause: String => "cause",
        /// `action`.
        action: String => "action",
    }
}

model! {
    /// One step (and measurement) statistics row (`POST /api/App/TestStepAnalysis`).
    pub struct StepAnalysisRow {
        /// `stepName`.
        step_name: String => "stepName",
        /// `stepPath`.
        step_path: String => "stepPath",
        /// `stepType`.
        step_type: String => "stepType",
        /// `stepGroup`.
        step_group: String => "stepGroup",
        /// `stepCount`.
        step_count: NumOrStr => "stepCount",
        /// `stepPassedCount`.
        step_passed_count: NumOrStr => "stepPassedCount",
        /// `stepDoneCount`.
        step_done_count: NumOrStr => "stepDoneCount",
        /// `stepSkippedCount`.
        step_skipped_count: NumOrStr => "stepSkippedCount",
        /// `stepFailedCount`.
        step_failed_count: NumOrStr => "stepFailedCount",
        /// `stepErrorCount`.
        step_error_count: NumOrStr => "stepErrorCount",
        /// `stepTerminatedCount`.
        step_terminated_count: NumOrStr => "stepTerminatedCount",
        /// `stepCausedUutFailed`.
        step_caused_uut_failed: NumOrStr => "stepCausedUutFailed",
        /// `limit1`.
        limit1: NumOrStr => "limit1",
        /// `limit2`.
        limit2: NumOrStr => "limit2",
        /// `compOperator`.
        comp_operator: String => "compOperator",
        /// `stepTimeAvg`.
        step_time_avg: NumOrStr => "stepTimeAvg",
        /// `measureName`.
        measure_name: String => "measureName",
        /// `measureCount`.
        measure_count: NumOrStr => "measureCount",
        /// `min`.
        min: NumOrStr => "min",
        /// `max`.
        max: NumOrStr => "max",
        /// `avg`.
        avg: NumOrStr => "avg",
        /// `stdev`.
        stdev: NumOrStr => "stdev",
        /// `var`.
        var: NumOrStr => "var",
        /// `cp`.
        cp: NumOrStr => "cp",
        /// `cpk`.
        cpk: NumOrStr => "cpk",
    }
}

model! {
    /// One measurement path's values (`POST /api/App/Measurements`).
    pub struct MeasurementSeries {
        /// `measurementPath`: the path in the server's `¶` form.
        measurement_path: String => "measurementPath",
        /// `measurements`: the values.
        measurements: Vec<MeasurementPoint> => "measurements",
    }
}

model! {
    /// One measured value of a [`MeasurementSeries`].
    pub struct MeasurementPoint {
        /// `id`: the report id.
        id: String => "id",
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `startUtc`.
        start_utc: String => "startUtc",
        /// `value`.
        value: NumOrStr => "value",
        /// `limit1`: the low limit.
        limit1: NumOrStr => "limit1",
        /// `limit2`: the high limit.
        limit2: NumOrStr => "limit2",
        /// `unit`.
        unit: String => "unit",
        /// `status`.
        status: String => "status",
    }
}

model! {
    /// One measurement path's statistics (`POST /api/App/AggregatedMeasurements`).
    pub struct AggregatedMeasurement {
        /// `measurementPath`.
        measurement_path: String => "measurementPath",
        /// `stepName`.
        step_name: String => "stepName",
        /// `stepPath`.
        step_path: String => "stepPath",
        /// `count`.
        count: NumOrStr => "count",
        /// `min`.
        min: NumOrStr => "min",
        /// `max`.
        max: NumOrStr => "max",
        /// `avg`.
        avg: NumOrStr => "avg",
        /// `stdev`.
        stdev: NumOrStr => "stdev",
        /// `var`.
        var: NumOrStr => "var",
        /// `limit1`.
        limit1: NumOrStr => "limit1",
        /// `limit2`.
        limit2: NumOrStr => "limit2",
        /// `cp`.
        cp: NumOrStr => "cp",
        /// `cpk`.
        cpk: NumOrStr => "cpk",
        /// `unit`.
        unit: String => "unit",
    }
}

model! {
    /// Overall equipment effectiveness (`POST /api/App/OeeAnalysis`).
    pub struct OeeAnalysis {
        /// `oee`.
        oee: NumOrStr => "oee",
        /// `availability`.
        availability: NumOrStr => "availability",
        /// `performance`.
        performance: NumOrStr => "performance",
        /// `quality`.
        quality: NumOrStr => "quality",
        /// `totalTime`.
        total_time: NumOrStr => "totalTime",
        /// `runTime`.
        run_time: NumOrStr => "runTime",
        /// `downTime`.
        down_time: NumOrStr => "downTime",
        /// `totalCount`.
        total_count: NumOrStr => "totalCount",
        /// `goodCount`.
        good_count: NumOrStr => "goodCount",
        /// `rejectCount`.
        reject_count: NumOrStr => "rejectCount",
    }
}

model! {
    /// The unit-flow graph (`/api/internal/UnitFlow...`).
    pub struct UnitFlow {
        /// `nodes`.
        nodes: Vec<UnitFlowNode> => "nodes",
        /// `links`.
        links: Vec<UnitFlowLink> => "links",
        /// `units`.
        units: Vec<UnitFlowUnit> => "units",
        /// `totalUnits`.
        total_units: NumOrStr => "totalUnits",
    }
}

model! {
    /// A node (operation) of the unit flow.
    pub struct UnitFlowNode {
        /// `id`, kept as raw JSON (text or number).
        id: serde_json::Value => "id",
        /// `name`.
        name: String => "name",
        /// `processCode`.
        process_code: NumOrStr => "processCode",
        /// `processName`.
        process_name: String => "processName",
        /// `stationName`.
        station_name: String => "stationName",
        /// `unitCount`.
        unit_count: NumOrStr => "unitCount",
        /// `passCount`.
        pass_count: NumOrStr => "passCount",
        /// `failCount`.
        fail_count: NumOrStr => "failCount",
        /// `yield`.
        yield_percent: NumOrStr => "yield",
    }
}

model! {
    /// A link (transition) of the unit flow.
    pub struct UnitFlowLink {
        /// `id`.
        id: serde_json::Value => "id",
        /// `sourceId`.
        source_id: serde_json::Value => "sourceId",
        /// `targetId`.
        target_id: serde_json::Value => "targetId",
        /// `unitCount`.
        unit_count: NumOrStr => "unitCount",
        /// `passCount`.
        pass_count: NumOrStr => "passCount",
        /// `failCount`.
        fail_count: NumOrStr => "failCount",
    }
}

model! {
    /// A unit of the unit flow.
    pub struct UnitFlowUnit {
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `status`.
        status: String => "status",
        /// `startTime`.
        start_time: String => "startTime",
        /// `endTime`.
        end_time: String => "endTime",
    }
}

model! {
    /// A row of the internal measurement list (`/api/internal/App/MeasurementList`).
    pub struct MeasurementListItem {
        /// `reportId`.
        report_id: String => "reportId",
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `stepName`.
        step_name: String => "stepName",
        /// `stepPath`.
        step_path: String => "stepPath",
        /// `value`.
        value: NumOrStr => "value",
        /// `status`.
        status: String => "status",
    }
}

model! {
    /// A row of the internal step-status list (`/api/internal/App/StepStatusList`).
    pub struct StepStatusItem {
        /// `reportId`.
        report_id: String => "reportId",
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `stepName`.
        step_name: String => "stepName",
        /// `stepPath`.
        step_path: String => "stepPath",
        /// `status`.
        status: String => "status",
    }
}

model! {
    /// An alarm or notification log entry
    /// (`POST /api/internal/Trigger/GetAlarmAndNotificationLogs`).
    pub struct AlarmLog {
        /// `logId`.
        log_id: NumOrStr => "logId",
        /// `name`: the alarm rule.
        name: String => "name",
        /// `type`: 1 report, 2 yield/volume, 3 serial number, 4 measurement, 5 asset.
        alarm_type: NumOrStr => "type",
        /// `logDate`.
        log_date: String => "logDate",
        /// `message`.
        message: String => "message",
        /// `partNumber` (yield and report alarms).
        part_number: String => "partNumber",
        /// `processName`: the test operation.
        process_name: String => "processName",
        /// `fpy`: the first-pass yield, a fraction (yield alarms).
        fpy: NumOrStr => "fpy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::round_trip;

    #[test]
    fn rows_round_trip_with_unknown_members() {
        let y: Vec<YieldRow> = round_trip(
            r#"[{"partNumber":"PCB-1","stationName":"ST1","period":"2026-W05",
                "unitCount":120,"fpCount":108,"fpy":90.0,"spy":"97.5","lpy":null,
                "fpyTrend":-1.25,"fpColor":"green"}]"#,
        );
        assert_eq!(y[0].fpy.value().and_then(NumOrStr::as_f64), Some(90.0));
        assert_eq!(y[0].extra.len(), 2);
        let t: Vec<TopFailedStep> = round_trip(
            r#"[{"stepName":"Voltage","stepPath":"Main¶Power¶Voltage","failCount":7,
                "totalCount":100,"failRate":0.07,"stepTypeDisplay":"Numeric"}]"#,
        );
        assert_eq!(t[0].step_path.as_str(), Some("Main¶Power¶Voltage"));
        let m: Vec<MeasurementSeries> = round_trip(
            r#"[{"measurementPath":"Main¶V","measurements":[
                {"id":"r1","serialNumber":"S1","value":5.01,"limit1":4.9,"limit2":5.1,"extra":1},
                {"id":"r2","value":"NaN"}]}]"#,
        );
        assert_eq!(m[0].measurements.items().len(), 2);
        let f: UnitFlow = round_trip(
            r#"{"nodes":[{"id":1,"name":"ICT","unitCount":3,"yield":66.7}],
                "links":[{"sourceId":1,"targetId":"2","unitCount":2}],
                "units":[{"serialNumber":"S1","status":"Passed"}],"totalUnits":3,"x":[]}"#,
        );
        assert_eq!(f.nodes.items()[0].name.as_str(), Some("ICT"));
        let _: Vec<StepAnalysisRow> = round_trip(
            r#"[{"stepName":"V","stepCount":10,"cpk":1.33,"limit1":null,"sigmaHigh3":5.2}]"#,
        );
        let _: OeeAnalysis = round_trip(r#"{"oee":0.8,"availability":0.9,"period":"x"}"#);
        let _: Vec<AggregatedMeasurement> =
            round_trip(r#"[{"measurementPath":"A¶B","count":3,"avg":1.5,"cpk":2}]"#);
        let _: Vec<Level> = round_trip(r#"[{"levelId":1,"levelName":"PCBA"}]"#);
        let _: Vec<ProductGroup> =
            round_trip(r#"[{"productGroupId":2,"productGroupName":"G","filters":[{"a":1}]}]"#);
        let _: Vec<RepairRow> = round_trip(r#"[{"partNumber":"P","repairCount":2,"z":1}]"#);
        let _: Vec<RepairHistoryRecord> = round_trip(
            r#"[{"serialNumber":"S","failCode":"F1","repairDate":"2026-01-01T00:00:00Z"}]"#,
        );
        let _: Vec<AlarmLog> = round_trip(r#"[{"name":"Y","type":2,"fpy":80.5}]"#);
        let _: Vec<MeasurementListItem> = round_trip(r#"[{"reportId":"r","value":1.5}]"#);
        let _: Vec<StepStatusItem> = round_trip(r#"[{"reportId":"r","status":"Failed"}]"#);
    }
}
