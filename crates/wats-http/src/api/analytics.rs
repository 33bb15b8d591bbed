//! Analytics calls: yield, failures, measurements, OEE, report lists: `client.analytics()`.
//! The internal routes (unit flow, drill-down lists, alarm logs) are on
//! [`analytics().internal()`](Analytics::internal), in `analytics_internal.rs`.
//!
//! Most calls take a [`WatsFilter`] (the server's `PublicWatsFilter`, sent as the JSON
//! body). A filter whose builder recorded an invalid value (a naive date, a `;` in a
//! literal) fails the call with `InvalidInput` and nothing is sent.

use wats_core::{
    AggregatedMeasurement, Level, MeasurementPaths, MeasurementSeries, OeeAnalysis, ProductGroup,
    RepairHistoryRecord, RepairRow, ReportHeader, StepAnalysisRow, TopFailedStep, WatsFilter,
    YieldRow,
};

pub use crate::api::analytics_options::{AppScope, OeeOptions, TopFailedQuery, UutReportQuery};
use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller};
use crate::registry::{Exception, LeftToMockito};

/// The JSON body of a filter, or the error its builder recorded.
pub(crate) fn filter_body(filter: &WatsFilter) -> Body {
    match filter.check() {
        Ok(f) => Body::json(f),
        Err(e) => Body::invalid(e),
    }
}

calls! {
    /// Analytics calls: yield, failures, measurements, OEE, report lists, from
    /// `client.analytics()`.
    handle Analytics, domain "analytics";

    /// Production levels (`GET /api/App/Levels`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn levels() -> Vec<Level> {
        GET "/api/App/Levels";
        pywats "analytics.get_levels";
        answer list;
    }

    /// Product groups (`GET /api/App/ProductGroups`), with their filters when
    /// `include_filters` is `Some(true)`; `None` sends no flag (server default).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn product_groups(include_filters: Option<bool>) -> Vec<ProductGroup> {
        GET "/api/App/ProductGroups";
        pywats "analytics.get_product_groups";
        query ["includeFilters" = include_filters];
        answer list;
    }

    /// Yield by custom dimensions (`POST /api/App/DynamicYield`). The filter's
    /// `dimensions` go out once, as the `dimensions` query parameter, and the rest of the
    /// filter as the body; nothing is added to it (no implicit `includeCurrentPeriod`).
    ///
    /// # Errors
    /// `InvalidInput` from the filter (nothing sent); status, transport, timeout and
    /// decode errors.
    fn dynamic_yield(filter: &WatsFilter) -> Vec<YieldRow> {
        POST "/api/App/DynamicYield";
        pywats "analytics.get_dynamic_yield, analytics.get_yield_summary, analytics.get_station_yield";
        query ["dimensions" = filter.dimensions_text()];
        body filter_body(&filter.without_dimensions());
        answer list;
    }

    /// Repair statistics by custom dimensions (`POST /api/App/DynamicRepair`); the
    /// dimensions are sent as in [`dynamic_yield`](Self::dynamic_yield).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn dynamic_repair(filter: &WatsFilter) -> Vec<RepairRow> {
        POST "/api/App/DynamicRepair";
        pywats "analytics.get_dynamic_repair";
        query ["dimensions" = filter.dimensions_text()];
        body filter_body(&filter.without_dimensions());
        answer list;
    }

    /// Volume and yield per product (`POST /api/App/VolumeYield`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn volume_yield(filter: &WatsFilter) -> Vec<YieldRow> {
        POST "/api/App/VolumeYield";
        pywats "analytics.get_volume_yield(filter_data)";
        body filter_body(filter);
        answer list;
    }

    /// Volume and yield for a scope (`GET /api/App/VolumeYield`: `days`,
    /// `productGroupId`, `levelId`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn volume_yield_for(scope: &AppScope) -> Vec<YieldRow> {
        GET "/api/App/VolumeYield";
        pywats "analytics.get_volume_yield(product_group, level)";
        options scope: AppScope;
        answer list;
    }

    /// The products with the most units tested (`POST /api/App/HighVolume`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn high_volume(filter: &WatsFilter) -> Vec<YieldRow> {
        POST "/api/App/HighVolume";
        pywats "analytics.get_high_volume(filter_data)";
        body filter_body(filter);
        answer list;
    }

    /// High volume for a scope (`GET /api/App/HighVolume`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn high_volume_for(scope: &AppScope) -> Vec<YieldRow> {
        GET "/api/App/HighVolume";
        pywats "analytics.get_high_volume(product_group, level)";
        options scope: AppScope;
        answer list;
    }

    /// High volume per product group (`POST /api/App/HighVolumeByProductGroup`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn high_volume_by_product_group(filter: &WatsFilter) -> Vec<YieldRow> {
        POST "/api/App/HighVolumeByProductGroup";
        pywats "analytics.get_high_volume_by_product_group";
        body filter_body(filter);
        answer list;
    }

    /// The products with the lowest yield (`POST /api/App/WorstYield`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn worst_yield(filter: &WatsFilter) -> Vec<YieldRow> {
        POST "/api/App/WorstYield";
        pywats "analytics.get_worst_yield(filter_data)";
        body filter_body(filter);
        answer list;
    }

    /// Worst yield for a scope (`GET /api/App/WorstYield`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn worst_yield_for(scope: &AppScope) -> Vec<YieldRow> {
        GET "/api/App/WorstYield";
        pywats "analytics.get_worst_yield(product_group, level)";
        options scope: AppScope;
        answer list;
    }

    /// Worst yield per product group (`POST /api/App/WorstYieldByProductGroup`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn worst_yield_by_product_group(filter: &WatsFilter) -> Vec<YieldRow> {
        POST "/api/App/WorstYieldByProductGroup";
        pywats "analytics.get_worst_yield_by_product_group";
        body filter_body(filter);
        answer list;
    }

    /// The top failed steps of the reports a filter selects (`POST /api/App/TopFailed`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn top_failed(filter: &WatsFilter) -> Vec<TopFailedStep> {
        POST "/api/App/TopFailed";
        pywats "analytics.get_top_failed(filter_data)";
        body filter_body(filter);
        answer list;
    }

    /// The top failed steps by parameters (`GET /api/App/TopFailed`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn top_failed_for(query: &TopFailedQuery) -> Vec<TopFailedStep> {
        GET "/api/App/TopFailed";
        pywats "analytics.get_top_failed(product_group, level, part_number, revision, top_count)";
        options query: TopFailedQuery;
        answer list;
    }

    /// Repaired failures of a product revision (`GET /api/App/RelatedRepairHistory`),
    /// optionally narrowed to a repair and a test operation code.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn related_repair_history(
        part_number: &str,
        revision: &str,
        repair_operation_code: Option<&str>,
        test_operation_code: Option<&str>,
    ) -> Vec<RepairHistoryRecord> {
        GET "/api/App/RelatedRepairHistory";
        pywats "analytics.get_related_repair_history";
        query [
            "partNumber" = part_number,
            "revision" = revision,
            "repairOperationCode" = repair_operation_code,
            "testOperationCode" = test_operation_code,
        ];
        answer list;
    }

    /// Step and measurement statistics (`POST /api/App/TestStepAnalysis`); the server
    /// requires `partNumber` and `testOperation` in the filter, and reads its `run`.
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn test_step_analysis(filter: &WatsFilter) -> Vec<StepAnalysisRow> {
        POST "/api/App/TestStepAnalysis";
        pywats "analytics.get_test_step_analysis, analytics.get_test_step_analysis_for_operation";
        body filter_body(filter);
        answer list;
    }

    /// Numeric measurements of the given paths (`POST /api/App/Measurements`), one
    /// series per path; the server requires `partNumber` and `testOperation`.
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn measurements(filter: &WatsFilter, paths: &MeasurementPaths) -> Vec<MeasurementSeries> {
        POST "/api/App/Measurements";
        pywats "analytics.get_measurements";
        query ["measurementPaths" = paths.as_str()];
        body filter_body(filter);
        answer list;
    }

    /// Statistics of the measurements of the given paths
    /// (`POST /api/App/AggregatedMeasurements`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn aggregated_measurements(
        filter: &WatsFilter,
        paths: &MeasurementPaths,
    ) -> Vec<AggregatedMeasurement> {
        POST "/api/App/AggregatedMeasurements";
        pywats "analytics.get_aggregated_measurements";
        query ["measurementPaths" = paths.as_str()];
        body filter_body(filter);
        answer list;
    }

    /// Overall equipment effectiveness (`POST /api/App/OeeAnalysis`), with the
    /// available time, connection/execution-time bounds and target output as options.
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn oee_analysis(filter: &WatsFilter, options: &OeeOptions) -> OeeAnalysis {
        POST "/api/App/OeeAnalysis";
        pywats "analytics.get_oee_analysis";
        options options: OeeOptions;
        body filter_body(filter);
        answer json;
    }

    /// The report headers of the units a filter selects
    /// (`POST /api/App/SerialNumberHistory`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn serial_number_history(filter: &WatsFilter) -> Vec<ReportHeader> {
        POST "/api/App/SerialNumberHistory";
        pywats "analytics.get_serial_number_history";
        body filter_body(filter);
        answer list;
    }

    /// UUT (test) report headers a filter selects (`POST /api/App/UutReport`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn uut_reports(filter: &WatsFilter) -> Vec<ReportHeader> {
        POST "/api/App/UutReport";
        pywats "analytics.get_uut_reports(filter_data)";
        body filter_body(filter);
        answer list;
    }

    /// UUT report headers by parameters (`GET /api/App/UutReport`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn uut_reports_for(query: &UutReportQuery) -> Vec<ReportHeader> {
        GET "/api/App/UutReport";
        pywats "analytics.get_uut_reports(product_group, level, part_number, revision, serial_number, status, top_count)";
        options query: UutReportQuery;
        answer list;
    }

    /// UUR (repair) report headers a filter selects (`POST /api/App/UurReport`).
    ///
    /// # Errors
    /// As [`dynamic_yield`](Self::dynamic_yield).
    fn uur_reports(filter: &WatsFilter) -> Vec<ReportHeader> {
        POST "/api/App/UurReport";
        pywats "analytics.get_uur_reports";
        body filter_body(filter);
        answer list;
    }
}

impl<'c, C: Caller> Analytics<'c, C> {
    /// The internal analytics routes: unit flow, measurement and step-status lists, the
    /// internal top failed, alarm and notification logs. **Undocumented by the server:
    /// they may change or disappear without notice.**
    pub fn internal(&self) -> crate::AnalyticsInternal<'c, C> {
        crate::AnalyticsInternal::new(self.caller)
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
