use serde_json::json;
use wats_core::chrono::{FixedOffset, TimeZone};
use wats_core::{DateGrouping, MeasurementPaths, Run, WatsFilter};
use wats_http::{AppScope, OeeOptions, TopFailedQuery, UnitFlowView, UutReportQuery};

use crate::{Expect, Wire, case};

/// A filter with a date (offset +01:00), an escaped literal, a pattern and dimensions.
fn filter() -> WatsFilter {
    let from = FixedOffset::east_opt(3600)
        .unwrap()
        .with_ymd_and_hms(2026, 1, 5, 8, 0, 0)
        .unwrap();
    WatsFilter::new()
        .part_number("PCB_1")
        .station_name_pattern("LINE-%")
        .date_from(from)
        .date_grouping(DateGrouping::Week)
        .period_count(4)
        .top_count(5)
        .dimensions(["stationName", "fpy desc"])
}

/// What `filter()` sends as a body (dimensions included).
fn body() -> serde_json::Value {
    json!({
        "partNumber": "PCB[_]1", "stationName": "LINE-%",
        "dateFrom": "2026-01-05T08:00:00.000000+01:00",
        "dateGrouping": 3, "periodCount": 4, "topCount": 5,
        "dimensions": "stationName;fpy desc"
    })
}

/// The body without `dimensions` (the dynamic calls send those as a query parameter).
fn body_without_dimensions() -> serde_json::Value {
    let mut b = body();
    b.as_object_mut().unwrap().remove("dimensions");
    b
}

fn paths() -> MeasurementPaths {
    MeasurementPaths::step("Main/Power/Voltage")
        .and_step("Main/Multi")
        .measurement("V1")
}

const PATHS_Q: &str =
    "measurementPaths=Main%C2%B6Power%C2%B6Voltage%3BMain%C2%B6Multi%C2%B6%C2%B6V1";

pub async fn cases(w: &mut Wire) {
    case!(w, analytics.levels, c => c.analytics().levels(), Expect::new("GET", "/api/App/Levels"));
    case!(
        w,
        analytics.product_groups,
        c => c.analytics().product_groups(Some(true)),
        Expect::new("GET", "/api/App/ProductGroups?includeFilters=true")
    );
    // dimensions once, as the query parameter; no includeCurrentPeriod added.
    case!(
        w,
        analytics.dynamic_yield,
        c => c.analytics().dynamic_yield(&filter()),
        Expect::new("POST", "/api/App/DynamicYield?dimensions=stationName%3Bfpy%20desc")
            .json(&body_without_dimensions())
    );
    case!(
        w,
        analytics.dynamic_repair,
        c => c.analytics().dynamic_repair(&filter()),
        Expect::new("POST", "/api/App/DynamicRepair?dimensions=stationName%3Bfpy%20desc")
            .json(&body_without_dimensions())
    );
    case!(
        w,
        analytics.volume_yield,
        c => c.analytics().volume_yield(&filter()),
        Expect::new("POST", "/api/App/VolumeYield").json(&body())
    );
    case!(
        w,
        analytics.volume_yield_for,
        c => c.analytics().volume_yield_for(&AppScope::new().days(7).product_group_id("G 1").level_id("2")),
        Expect::new("GET", "/api/App/VolumeYield?days=7&productGroupId=G%201&levelId=2")
    );
    case!(
        w,
        analytics.high_volume,
        c => c.analytics().high_volume(&filter()),
        Expect::new("POST", "/api/App/HighVolume").json(&body())
    );
    case!(
        w,
        analytics.high_volume_for,
        c => c.analytics().high_volume_for(&AppScope::new().days(30)),
        Expect::new("GET", "/api/App/HighVolume?days=30")
    );
    case!(
        w,
        analytics.high_volume_by_product_group,
        c => c.analytics().high_volume_by_product_group(&WatsFilter::new().product_group("G")),
        Expect::new("POST", "/api/App/HighVolumeByProductGroup").json(&json!({"productGroup": "G"}))
    );
    case!(
        w,
        analytics.worst_yield,
        c => c.analytics().worst_yield(&filter()),
        Expect::new("POST", "/api/App/WorstYield").json(&body())
    );
    case!(
        w,
        analytics.worst_yield_for,
        c => c.analytics().worst_yield_for(&AppScope::new().level_id("1")),
        Expect::new("GET", "/api/App/WorstYield?levelId=1")
    );
    case!(
        w,
        analytics.worst_yield_by_product_group,
        c => c.analytics().worst_yield_by_product_group(&WatsFilter::new()),
        Expect::new("POST", "/api/App/WorstYieldByProductGroup").json(&json!({}))
    );
    case!(
        w,
        analytics.top_failed,
        c => c.analytics().top_failed(&filter()),
        Expect::new("POST", "/api/App/TopFailed").json(&body())
    );
    case!(
        w,
        analytics.top_failed_for,
        c => c.analytics().top_failed_for(
            &TopFailedQuery::new().part_number("P1").process_code("10")
                .scope(AppScope::new().days(7).product_group_id("3").level_id("4")).count(5)
        ),
        Expect::new(
            "GET",
            "/api/App/TopFailed?partNumber=P1&processCode=10&productGroupId=3&levelId=4&days=7&count=5"
        )
    );
    case!(
        w,
        analytics.related_repair_history,
        c => c.analytics().related_repair_history("P/1", "A", None, Some("10")),
        Expect::new("GET", "/api/App/RelatedRepairHistory?partNumber=P%2F1&revision=A&testOperationCode=10")
    );
    case!(
        w,
        analytics.test_step_analysis,
        c => c.analytics().test_step_analysis(
            &WatsFilter::new().part_number("P1").test_operation("FCT").run(Run::Last)
        ),
        Expect::new("POST", "/api/App/TestStepAnalysis")
            .json(&json!({"partNumber": "P1", "testOperation": "FCT", "run": -1}))
    );
    case!(
        w,
        analytics.measurements,
        c => c.analytics().measurements(&filter(), &paths()),
        Expect::new("POST", format!("/api/App/Measurements?{PATHS_Q}")).json(&body())
    );
    case!(
        w,
        analytics.aggregated_measurements,
        c => c.analytics().aggregated_measurements(&filter(), &paths()),
        Expect::new("POST", format!("/api/App/AggregatedMeasurements?{PATHS_Q}")).json(&body())
    );
    case!(
        w,
        analytics.oee_analysis,
        c => c.analytics().oee_analysis(
            &WatsFilter::new().station_name("ST1"),
            &OeeOptions::new()
                .available_hours([24.0, 24.0, 24.0, 24.0, 12.5, 0.0, 0.0])
                .connection_time(Some(1), None)
                .execution_time(None, Some(600))
                .target_output(100)
        ),
        Expect::new(
            "POST",
            "/api/App/OeeAnalysis?availableTime=24%2C24%2C24%2C24%2C12.5%2C0%2C0&minConnectionTime=1&maxExecutionTime=600&targetOutput=100"
        )
        .json(&json!({"stationName": "ST1"}))
    );
    case!(
        w,
        analytics.serial_number_history,
        c => c.analytics().serial_number_history(&WatsFilter::new().serial_number("SN 1")),
        Expect::new("POST", "/api/App/SerialNumberHistory").json(&json!({"serialNumber": "SN 1"}))
    );
    case!(
        w,
        analytics.uut_reports,
        c => c.analytics().uut_reports(&WatsFilter::new().status("Failed").top_count(3)),
        Expect::new("POST", "/api/App/UutReport").json(&json!({"status": "Failed", "topCount": 3}))
    );
    case!(
        w,
        analytics.uut_reports_for,
        c => c.analytics().uut_reports_for(
            &UutReportQuery::new()
                .part_number("P1")
                .status("Passed")
                .date_from(FixedOffset::west_opt(5 * 3600).unwrap().with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap())
                .level_id("1")
        ),
        Expect::new(
            "GET",
            "/api/App/UutReport?partNumber=P1&status=Passed&dateFrom=2026-02-01T00%3A00%3A00.000000-05%3A00&levelId=1"
        )
    );
    case!(
        w,
        analytics.uur_reports,
        c => c.analytics().uur_reports(&WatsFilter::new().part_number_any(["A", "B_2"])),
        Expect::new("POST", "/api/App/UurReport").json(&json!({"partNumber": "A;B[_]2"}))
    );
    internal_cases(w).await;
}

async fn internal_cases(w: &mut Wire) {
    let sn = || UnitFlowView::new().serial_numbers(["S1", "S2"]);
    case!(
        w,
        analytics_internal.unit_flow,
        c => c.analytics().internal().unit_flow(
            &WatsFilter::new().part_number("P1"),
            &UnitFlowView::new().hide(["Packing"]).expand_operations(true)
        ),
        Expect::new("POST", "/api/internal/UnitFlow")
            .json(&json!({"partNumber": "P1", "hideList": ["Packing"], "expandOperations": true}))
    );
    case!(w, analytics_internal.unit_flow_links, c => c.analytics().internal().unit_flow_links(),
        Expect::new("GET", "/api/internal/UnitFlow/Links"));
    case!(w, analytics_internal.unit_flow_nodes, c => c.analytics().internal().unit_flow_nodes(),
        Expect::new("GET", "/api/internal/UnitFlow/Nodes"));
    case!(w, analytics_internal.unit_flow_units, c => c.analytics().internal().unit_flow_units(),
        Expect::new("GET", "/api/internal/UnitFlow/Units"));
    case!(
        w,
        analytics_internal.unit_flow_by_serial_numbers,
        c => c.analytics().internal().unit_flow_by_serial_numbers(&WatsFilter::new(), &sn()),
        Expect::new("POST", "/api/internal/UnitFlow/SN").json(&json!({"serialNumbers": ["S1", "S2"]}))
    );
    case!(
        w,
        analytics_internal.unit_flow_split_by,
        c => c.analytics().internal().unit_flow_split_by(
            &WatsFilter::new().top_count(2), &UnitFlowView::new().split_by("stationName")
        ),
        Expect::new("POST", "/api/internal/UnitFlow/SplitBy")
            .json(&json!({"topCount": 2, "splitBy": "stationName"}))
    );
    case!(
        w,
        analytics_internal.unit_flow_unit_order,
        c => c.analytics().internal().unit_flow_unit_order(
            &WatsFilter::new(), &UnitFlowView::new().unit_order("startTime")
        ),
        Expect::new("POST", "/api/internal/UnitFlow/UnitOrder").json(&json!({"unitOrder": "startTime"}))
    );
    case!(
        w,
        analytics_internal.measurement_list_for,
        c => c.analytics().internal().measurement_list_for("1", "2", 7, "<s/>", "<q/>"),
        Expect::new(
            "GET",
            "/api/internal/App/MeasurementList?productGroupId=1&levelId=2&days=7&stepFilters=%3Cs%2F%3E&sequenceFilters=%3Cq%2F%3E"
        )
    );
    case!(
        w,
        analytics_internal.measurement_list,
        c => c.analytics().internal().measurement_list(&WatsFilter::new().part_number("P"), "<s/>", "<q/>"),
        Expect::new(
            "POST",
            "/api/internal/App/MeasurementList?stepFilters=%3Cs%2F%3E&sequenceFilters=%3Cq%2F%3E"
        )
        .json(&json!({"partNumber": "P"}))
    );
    case!(
        w,
        analytics_internal.step_status_list_for,
        c => c.analytics().internal().step_status_list_for("1", "2", 3, "a", "b"),
        Expect::new(
            "GET",
            "/api/internal/App/StepStatusList?productGroupId=1&levelId=2&days=3&stepFilters=a&sequenceFilters=b"
        )
    );
    case!(
        w,
        analytics_internal.step_status_list,
        c => c.analytics().internal().step_status_list(&WatsFilter::new(), "a", "b"),
        Expect::new("POST", "/api/internal/App/StepStatusList?stepFilters=a&sequenceFilters=b")
            .json(&json!({}))
    );
    case!(
        w,
        analytics_internal.top_failed_for,
        c => c.analytics().internal().top_failed_for(&TopFailedQuery::new().part_number("P").count(3)),
        Expect::new("GET", "/api/internal/App/TopFailed?partNumber=P&count=3")
    );
    case!(
        w,
        analytics_internal.top_failed,
        c => c.analytics().internal().top_failed(&WatsFilter::new().test_operation("FCT").top_count(10)),
        Expect::new("POST", "/api/internal/App/TopFailed")
            .json(&json!({"testOperation": "FCT", "topCount": 10}))
    );
    case!(
        w,
        analytics_internal.alarm_logs,
        c => c.analytics().internal().alarm_logs(
            &WatsFilter::new()
                .date_from_str("2026-01-01T00:00:00Z")
                .product_group("G")
                .top_count(50)
        ),
        Expect::new("POST", "/api/internal/Trigger/GetAlarmAndNotificationLogs").json(&json!({
            "dateFrom": "2026-01-01T00:00:00.000000+00:00", "productGroup": "G", "topCount": 50
        }))
    );
}
