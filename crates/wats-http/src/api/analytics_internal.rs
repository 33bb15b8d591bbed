//! Internal analytics routes (`/api/internal/...`): `client.analytics().internal()`.
//! **Undocumented by the server; they may change or disappear without notice.** Every
//! route is listed in [`OUTSIDE_OPENAPI`] with the Python SDK method that relies on it.

use serde::ser::{SerializeMap, Serializer};
use wats_core::{
    AlarmLog, MeasurementListItem, StepStatusItem, TopFailedStep, UnitFlow, UnitFlowLink,
    UnitFlowNode, UnitFlowUnit, WatsFilter,
};

use crate::api::analytics::{TopFailedQuery, filter_body};
use crate::endpoint::Body;
use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};

/// What a unit-flow request adds to its filter: the serial numbers to trace, the split
/// dimension, the unit order, the operations to show or hide, and whether operations are
/// expanded. Unset members are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct UnitFlowView {
    serial_numbers: Option<Vec<String>>,
    split_by: Option<String>,
    unit_order: Option<String>,
    show_list: Option<Vec<String>>,
    hide_list: Option<Vec<String>>,
    expand_operations: Option<bool>,
}

impl UnitFlowView {
    /// Nothing added: the filter alone.
    pub fn new() -> Self {
        Self::default()
    }

    /// `serialNumbers`: the units to trace.
    pub fn serial_numbers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, sns: I) -> Self {
        self.serial_numbers = Some(sns.into_iter().map(Into::into).collect());
        self
    }

    /// `splitBy`: a dimension such as `stationName`, `location`, `purpose`.
    pub fn split_by(mut self, dimension: impl Into<String>) -> Self {
        self.split_by = Some(dimension.into());
        self
    }

    /// `unitOrder`: such as `startTime`, `serialNumber`, `status`.
    pub fn unit_order(mut self, order: impl Into<String>) -> Self {
        self.unit_order = Some(order.into());
        self
    }

    /// `showList`: the operations to show.
    pub fn show<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ops: I) -> Self {
        self.show_list = Some(ops.into_iter().map(Into::into).collect());
        self
    }

    /// `hideList`: the operations to hide.
    pub fn hide<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ops: I) -> Self {
        self.hide_list = Some(ops.into_iter().map(Into::into).collect());
        self
    }

    /// `expandOperations`.
    pub fn expand_operations(mut self, expand: bool) -> Self {
        self.expand_operations = Some(expand);
        self
    }
}

/// A filter and a view, serialised as one object.
struct FlowBody<'a>(&'a WatsFilter, &'a UnitFlowView);

impl serde::Serialize for FlowBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let filter = serde_json::to_value(self.0).map_err(serde::ser::Error::custom)?;
        let mut map = serializer.serialize_map(None)?;
        if let serde_json::Value::Object(members) = filter {
            for (k, v) in &members {
                map.serialize_entry(k, v)?;
            }
        }
        let v = self.1;
        if let Some(x) = &v.serial_numbers {
            map.serialize_entry("serialNumbers", x)?;
        }
        if let Some(x) = &v.split_by {
            map.serialize_entry("splitBy", x)?;
        }
        if let Some(x) = &v.unit_order {
            map.serialize_entry("unitOrder", x)?;
        }
        if let Some(x) = &v.show_list {
            map.serialize_entry("showList", x)?;
        }
        if let Some(x) = &v.hide_list {
            map.serialize_entry("hideList", x)?;
        }
        if let Some(x) = v.expand_operations {
            map.serialize_entry("expandOperations", &x)?;
        }
        map.end()
    }
}

fn flow_body(filter: &WatsFilter, view: &UnitFlowView) -> Body {
    match filter.check() {
        Ok(f) => Body::json(&FlowBody(f, view)),
        Err(e) => Body::invalid(e),
    }
}

calls! {
    /// Internal analytics calls, from `client.analytics().internal()`: unit flow,
    /// drill-down lists, alarm logs. Undocumented by the server: they may change without
    /// notice.
    handle AnalyticsInternal, domain "analytics_internal", via "analytics().internal()";

    /// The unit-flow graph of the units a filter selects (`POST /api/internal/UnitFlow`),
    /// with the view's split, order, visibility and expansion.
    ///
    /// # Errors
    /// `InvalidInput` from the filter (nothing sent); status, transport, timeout and
    /// decode errors.
    fn unit_flow(filter: &WatsFilter, view: &UnitFlowView) -> UnitFlow {
        POST "/api/internal/UnitFlow";
        pywats "analytics.get_unit_flow, analytics.set_unit_flow_visibility, analytics.show_operations, analytics.hide_operations, analytics.expand_operations";
        body flow_body(filter, view);
        answer json;
    }

    /// The links of the current unit flow (`GET /api/internal/UnitFlow/Links`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn unit_flow_links() -> Vec<UnitFlowLink> {
        GET "/api/internal/UnitFlow/Links";
        pywats "analytics.get_flow_links";
        answer list;
    }

    /// The nodes of the current unit flow (`GET /api/internal/UnitFlow/Nodes`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn unit_flow_nodes() -> Vec<UnitFlowNode> {
        GET "/api/internal/UnitFlow/Nodes";
        pywats "analytics.get_flow_nodes";
        answer list;
    }

    /// The units of the current unit flow (`GET /api/internal/UnitFlow/Units`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn unit_flow_units() -> Vec<UnitFlowUnit> {
        GET "/api/internal/UnitFlow/Units";
        pywats "analytics.get_flow_units";
        answer list;
    }

    /// The flow of given serial numbers (`POST /api/internal/UnitFlow/SN`); set them with
    /// [`UnitFlowView::serial_numbers`].
    ///
    /// # Errors
    /// As [`unit_flow`](Self::unit_flow).
    fn unit_flow_by_serial_numbers(filter: &WatsFilter, view: &UnitFlowView) -> UnitFlow {
        POST "/api/internal/UnitFlow/SN";
        pywats "analytics.trace_serial_numbers";
        body flow_body(filter, view);
        answer json;
    }

    /// The flow split by a dimension (`POST /api/internal/UnitFlow/SplitBy`); set it with
    /// [`UnitFlowView::split_by`].
    ///
    /// # Errors
    /// As [`unit_flow`](Self::unit_flow).
    fn unit_flow_split_by(filter: &WatsFilter, view: &UnitFlowView) -> UnitFlow {
        POST "/api/internal/UnitFlow/SplitBy";
        pywats "analytics.split_flow_by";
        body flow_body(filter, view);
        answer json;
    }

    /// The flow with its units ordered (`POST /api/internal/UnitFlow/UnitOrder`); set the
    /// order with [`UnitFlowView::unit_order`].
    ///
    /// # Errors
    /// As [`unit_flow`](Self::unit_flow).
    fn unit_flow_unit_order(filter: &WatsFilter, view: &UnitFlowView) -> UnitFlow {
        POST "/api/internal/UnitFlow/UnitOrder";
        pywats "analytics.set_unit_order";
        body flow_body(filter, view);
        answer json;
    }

    /// Measurements matching step/sequence filters, by product group, level and days
    /// (`GET /api/internal/App/MeasurementList`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn measurement_list_for(
        product_group_id: &str,
        level_id: &str,
        days: u32,
        step_filters: &str,
        sequence_filters: &str,
    ) -> Vec<MeasurementListItem> {
        GET "/api/internal/App/MeasurementList";
        pywats "analytics.get_measurement_list_by_product";
        query [
            "productGroupId" = product_group_id,
            "levelId" = level_id,
            "days" = days,
            "stepFilters" = step_filters,
            "sequenceFilters" = sequence_filters,
        ];
        answer list;
    }

    /// Measurements matching a filter and step/sequence filters
    /// (`POST /api/internal/App/MeasurementList`).
    ///
    /// # Errors
    /// As [`unit_flow`](Self::unit_flow).
    fn measurement_list(
        filter: &WatsFilter,
        step_filters: &str,
        sequence_filters: &str,
    ) -> Vec<MeasurementListItem> {
        POST "/api/internal/App/MeasurementList";
        pywats "analytics.get_measurement_list";
        query ["stepFilters" = step_filters, "sequenceFilters" = sequence_filters];
        body filter_body(filter);
        answer list;
    }

    /// Step statuses matching step/sequence filters, by product group, level and days
    /// (`GET /api/internal/App/StepStatusList`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn step_status_list_for(
        product_group_id: &str,
        level_id: &str,
        days: u32,
        step_filters: &str,
        sequence_filters: &str,
    ) -> Vec<StepStatusItem> {
        GET "/api/internal/App/StepStatusList";
        pywats "analytics.get_step_status_list_by_product";
        query [
            "productGroupId" = product_group_id,
            "levelId" = level_id,
            "days" = days,
            "stepFilters" = step_filters,
            "sequenceFilters" = sequence_filters,
        ];
        answer list;
    }

    /// Step statuses matching a filter and step/sequence filters
    /// (`POST /api/internal/App/StepStatusList`).
    ///
    /// # Errors
    /// As [`unit_flow`](Self::unit_flow).
    fn step_status_list(
        filter: &WatsFilter,
        step_filters: &str,
        sequence_filters: &str,
    ) -> Vec<StepStatusItem> {
        POST "/api/internal/App/StepStatusList";
        pywats "analytics.get_step_status_list";
        query ["stepFilters" = step_filters, "sequenceFilters" = sequence_filters];
        body filter_body(filter);
        answer list;
    }

    /// Top failed steps by parameters, internal form (`GET /api/internal/App/TopFailed`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn top_failed_for(query: &TopFailedQuery) -> Vec<TopFailedStep> {
        GET "/api/internal/App/TopFailed";
        pywats "analytics.get_top_failed_by_product";
        options query: TopFailedQuery;
        answer list;
    }

    /// Top failed steps of a filter, internal form (`POST /api/internal/App/TopFailed`);
    /// the count is the filter's `topCount`.
    ///
    /// # Errors
    /// As [`unit_flow`](Self::unit_flow).
    fn top_failed(filter: &WatsFilter) -> Vec<TopFailedStep> {
        POST "/api/internal/App/TopFailed";
        pywats "analytics.get_top_failed_internal";
        body filter_body(filter);
        answer list;
    }

    /// Alarm and notification logs
    /// (`POST /api/internal/Trigger/GetAlarmAndNotificationLogs`); the server reads the
    /// filter's `topCount`, `dateFrom`, `dateTo`, `productGroup` and `level`. Keep one
    /// alarm type with [`AlarmLog::alarm_type`] (the Python SDK filters the same way,
    /// after the call).
    ///
    /// # Errors
    /// As [`unit_flow`](Self::unit_flow).
    fn alarm_logs(filter: &WatsFilter) -> Vec<AlarmLog> {
        POST "/api/internal/Trigger/GetAlarmAndNotificationLogs";
        pywats "analytics.get_alarm_logs";
        body filter_body(filter);
        answer list;
    }
}

/// Why every internal route is sent although the OpenAPI document lacks it.
const fn internal(method: &'static str, template: &'static str, reason: &'static str) -> Exception {
    Exception {
        method,
        template,
        query: None,
        reason,
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[
    internal(
        "POST",
        "/api/internal/UnitFlow",
        "internal; pyWATS analytics.get_unit_flow (and the visibility/expand helpers) rely on it",
    ),
    internal(
        "GET",
        "/api/internal/UnitFlow/Links",
        "internal; pyWATS analytics.get_flow_links relies on it",
    ),
    internal(
        "GET",
        "/api/internal/UnitFlow/Nodes",
        "internal; pyWATS analytics.get_flow_nodes relies on it",
    ),
    internal(
        "GET",
        "/api/internal/UnitFlow/Units",
        "internal; pyWATS analytics.get_flow_units relies on it",
    ),
    internal(
        "POST",
        "/api/internal/UnitFlow/SN",
        "internal; pyWATS analytics.trace_serial_numbers relies on it",
    ),
    internal(
        "POST",
        "/api/internal/UnitFlow/SplitBy",
        "internal; pyWATS analytics.split_flow_by relies on it",
    ),
    internal(
        "POST",
        "/api/internal/UnitFlow/UnitOrder",
        "internal; pyWATS analytics.set_unit_order relies on it",
    ),
    internal(
        "GET",
        "/api/internal/App/MeasurementList",
        "internal; pyWATS analytics.get_measurement_list_by_product relies on it",
    ),
    internal(
        "POST",
        "/api/internal/App/MeasurementList",
        "internal; pyWATS analytics.get_measurement_list relies on it",
    ),
    internal(
        "GET",
        "/api/internal/App/StepStatusList",
        "internal; pyWATS analytics.get_step_status_list_by_product relies on it",
    ),
    internal(
        "POST",
        "/api/internal/App/StepStatusList",
        "internal; pyWATS analytics.get_step_status_list relies on it",
    ),
    internal(
        "GET",
        "/api/internal/App/TopFailed",
        "internal; pyWATS analytics.get_top_failed_by_product relies on it",
    ),
    internal(
        "POST",
        "/api/internal/App/TopFailed",
        "internal; pyWATS analytics.get_top_failed_internal relies on it",
    ),
    internal(
        "POST",
        "/api/internal/Trigger/GetAlarmAndNotificationLogs",
        "internal; pyWATS analytics.get_alarm_logs relies on it",
    ),
];

/// This domain's routes the mock leaves to `mockito` tests: none (the mock computes its
/// alarm logs from the stored reports).
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
