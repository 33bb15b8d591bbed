//! The query options of the analytics GET forms and of OEE analysis: typed, sent with
//! the parameter names of the server's OpenAPI document (the Python SDK sends
//! `productGroup`/`level`/`topCount` on these GET forms, names the document does not
//! have; see `docs/API-gaps/analytics.md`).

use chrono::{DateTime, TimeZone};

use crate::endpoint::QueryParams;
use crate::url::Query;

fn push_num(q: &mut Query, key: &str, v: Option<i64>) {
    if let Some(v) = v {
        q.push(key, &v.to_string());
    }
}

/// The scope of the GET forms of volume yield, high volume and worst yield:
/// `days`, `productGroupId`, `levelId`. Unset members are not sent (server defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct AppScope {
    days: Option<i64>,
    product_group_id: Option<String>,
    level_id: Option<String>,
}

impl AppScope {
    /// No parameters: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// `days`: how many days back.
    pub fn days(mut self, days: u32) -> Self {
        self.days = Some(days.into());
        self
    }

    /// `productGroupId`.
    pub fn product_group_id(mut self, id: impl Into<String>) -> Self {
        self.product_group_id = Some(id.into());
        self
    }

    /// `levelId`.
    pub fn level_id(mut self, id: impl Into<String>) -> Self {
        self.level_id = Some(id.into());
        self
    }
}

impl QueryParams for AppScope {
    const NAMES: &'static [&'static str] = &["days", "productGroupId", "levelId"];

    fn write_query(&self, q: &mut Query) {
        push_num(q, "days", self.days);
        q.push_opt("productGroupId", self.product_group_id.as_deref());
        q.push_opt("levelId", self.level_id.as_deref());
    }
}

/// The parameters of `GET /api/App/TopFailed`: `partNumber`, `processCode`,
/// `productGroupId`, `levelId`, `days`, `count`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct TopFailedQuery {
    part_number: Option<String>,
    process_code: Option<String>,
    scope: AppScope,
    count: Option<i64>,
}

impl TopFailedQuery {
    /// No parameters: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// `partNumber`.
    pub fn part_number(mut self, pn: impl Into<String>) -> Self {
        self.part_number = Some(pn.into());
        self
    }

    /// `processCode`.
    pub fn process_code(mut self, code: impl Into<String>) -> Self {
        self.process_code = Some(code.into());
        self
    }

    /// `productGroupId`, `levelId` and `days`.
    pub fn scope(mut self, scope: AppScope) -> Self {
        self.scope = scope;
        self
    }

    /// `count`: how many steps.
    pub fn count(mut self, count: u32) -> Self {
        self.count = Some(count.into());
        self
    }
}

impl QueryParams for TopFailedQuery {
    const NAMES: &'static [&'static str] = &[
        "partNumber",
        "processCode",
        "productGroupId",
        "levelId",
        "days",
        "count",
    ];

    fn write_query(&self, q: &mut Query) {
        q.push_opt("partNumber", self.part_number.as_deref());
        q.push_opt("processCode", self.process_code.as_deref());
        q.push_opt("productGroupId", self.scope.product_group_id.as_deref());
        q.push_opt("levelId", self.scope.level_id.as_deref());
        push_num(q, "days", self.scope.days);
        push_num(q, "count", self.count);
    }
}

/// The parameters of `GET /api/App/UutReport`. Dates carry their offset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct UutReportQuery {
    text: [Option<String>; 7],
    date_from: Option<String>,
    date_to: Option<String>,
    product_group_id: Option<String>,
    level_id: Option<String>,
}

const UUT_TEXT: [&str; 7] = [
    "serialNumber",
    "partNumber",
    "revision",
    "batchNumber",
    "stationName",
    "testOperation",
    "status",
];

impl UutReportQuery {
    /// No parameters: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    fn set(mut self, i: usize, v: impl Into<String>) -> Self {
        self.text[i] = Some(v.into());
        self
    }

    /// `serialNumber`.
    pub fn serial_number(self, v: impl Into<String>) -> Self {
        self.set(0, v)
    }

    /// `partNumber`.
    pub fn part_number(self, v: impl Into<String>) -> Self {
        self.set(1, v)
    }

    /// `revision`.
    pub fn revision(self, v: impl Into<String>) -> Self {
        self.set(2, v)
    }

    /// `batchNumber`.
    pub fn batch_number(self, v: impl Into<String>) -> Self {
        self.set(3, v)
    }

    /// `stationName`.
    pub fn station_name(self, v: impl Into<String>) -> Self {
        self.set(4, v)
    }

    /// `testOperation`.
    pub fn test_operation(self, v: impl Into<String>) -> Self {
        self.set(5, v)
    }

    /// `status`.
    pub fn status(self, v: impl Into<String>) -> Self {
        self.set(6, v)
    }

    /// `dateFrom`, sent with its offset.
    #[allow(clippy::needless_pass_by_value)] // a date is taken like any other value
    pub fn date_from<Tz: TimeZone>(mut self, at: DateTime<Tz>) -> Self {
        self.date_from = Some(wats_core::time::format(&at.fixed_offset()));
        self
    }

    /// `dateTo`, sent with its offset.
    #[allow(clippy::needless_pass_by_value)]
    pub fn date_to<Tz: TimeZone>(mut self, at: DateTime<Tz>) -> Self {
        self.date_to = Some(wats_core::time::format(&at.fixed_offset()));
        self
    }

    /// `productGroupId`.
    pub fn product_group_id(mut self, id: impl Into<String>) -> Self {
        self.product_group_id = Some(id.into());
        self
    }

    /// `levelId`.
    pub fn level_id(mut self, id: impl Into<String>) -> Self {
        self.level_id = Some(id.into());
        self
    }
}

impl QueryParams for UutReportQuery {
    const NAMES: &'static [&'static str] = &[
        "serialNumber",
        "partNumber",
        "revision",
        "batchNumber",
        "stationName",
        "testOperation",
        "status",
        "dateFrom",
        "dateTo",
        "productGroupId",
        "levelId",
    ];

    fn write_query(&self, q: &mut Query) {
        for (k, v) in UUT_TEXT.iter().zip(&self.text) {
            q.push_opt(k, v.as_deref());
        }
        q.push_opt("dateFrom", self.date_from.as_deref());
        q.push_opt("dateTo", self.date_to.as_deref());
        q.push_opt("productGroupId", self.product_group_id.as_deref());
        q.push_opt("levelId", self.level_id.as_deref());
    }
}

/// The query options of `POST /api/App/OeeAnalysis`: available hours per weekday,
/// connection/execution-time bounds and the target output.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct OeeOptions {
    available_time: Option<String>,
    bounds: [Option<i64>; 4],
    target_output: Option<i64>,
}

const OEE_BOUNDS: [&str; 4] = [
    "minConnectionTime",
    "maxConnectionTime",
    "minExecutionTime",
    "maxExecutionTime",
];

impl OeeOptions {
    /// No options: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// `availableTime`: available hours for each weekday (seven values, sent
    /// comma-separated, e.g. `24,24,24,24,24,0,0`).
    pub fn available_hours(mut self, hours: [f64; 7]) -> Self {
        let parts: Vec<String> = hours.iter().map(ToString::to_string).collect();
        self.available_time = Some(parts.join(","));
        self
    }

    /// `minConnectionTime` and `maxConnectionTime` (seconds); `None` leaves a bound unset.
    pub fn connection_time(mut self, min: Option<u32>, max: Option<u32>) -> Self {
        self.bounds[0] = min.map(Into::into);
        self.bounds[1] = max.map(Into::into);
        self
    }

    /// `minExecutionTime` and `maxExecutionTime` (seconds).
    pub fn execution_time(mut self, min: Option<u32>, max: Option<u32>) -> Self {
        self.bounds[2] = min.map(Into::into);
        self.bounds[3] = max.map(Into::into);
        self
    }

    /// `targetOutput`: target units per day.
    pub fn target_output(mut self, units: u32) -> Self {
        self.target_output = Some(units.into());
        self
    }
}

impl QueryParams for OeeOptions {
    const NAMES: &'static [&'static str] = &[
        "availableTime",
        "minConnectionTime",
        "maxConnectionTime",
        "minExecutionTime",
        "maxExecutionTime",
        "targetOutput",
    ];

    fn write_query(&self, q: &mut Query) {
        q.push_opt("availableTime", self.available_time.as_deref());
        for (k, v) in OEE_BOUNDS.iter().zip(self.bounds) {
            push_num(q, k, v);
        }
        push_num(q, "targetOutput", self.target_output);
    }
}
