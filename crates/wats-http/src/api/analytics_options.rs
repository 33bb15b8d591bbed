//! The query options of the analytics GET forms and of OEE analysis: typed, sent with
//! the parameter names of the server's OpenAPI document (the Python SDK sends
//! `productGroup`/`level`/`topCount` on these GET forms, names the document does not
//! have; see `docs/API-gaps/analytics.md`).
//!
//! The GET-form options are declared once each with `query_options!`: a parameter per
//! line (its setter, its kind and its query name, in the order sent), from which the
//! struct, its setters and its `QueryParams` impl are made.

use chrono::{DateTime, TimeZone};

use crate::endpoint::QueryParams;
use crate::url::Query;

/// Declares an options type: each parameter is `setter: kind => "queryName"`, sent in the
/// order declared when set (unset ones are not sent: server defaults). The kinds:
/// `text` (any `Into<String>`), `count` (a `u32`), `date` (a `chrono::DateTime` of any
/// zone, sent with its offset, micro-seconds) and `date_ref` (the same by reference, sent as
/// `to_rfc3339` writes it: the serial-number filters). Every value is kept as the text it is sent as.
macro_rules! query_options {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$doc:meta])* $field:ident: $kind:ident => $key:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[must_use]
        pub struct $name {
            $( $field: Option<String>, )*
        }

        impl $name {
            /// No parameters: the server's defaults.
            pub fn new() -> Self {
                Self::default()
            }

            $( query_options!(@setter $kind $field $(#[$doc])*); )*
        }

        impl QueryParams for $name {
            const NAMES: &'static [&'static str] = &[$($key),*];

            fn write_query(&self, q: &mut Query) {
                $( q.push_opt($key, self.$field.as_deref()); )*
            }
        }
    };
    (@setter text $field:ident $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
    (@setter count $field:ident $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn $field(mut self, value: u32) -> Self {
            self.$field = Some(value.to_string());
            self
        }
    };
    (@setter date_ref $field:ident $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn $field<Tz: chrono::TimeZone>(mut self, at: &chrono::DateTime<Tz>) -> Self
        where
            Tz::Offset: std::fmt::Display,
        {
            self.$field = Some(at.to_rfc3339());
            self
        }
    };
    (@setter date $field:ident $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[allow(clippy::needless_pass_by_value)] // a date is taken like any other value
        pub fn $field<Tz: TimeZone>(mut self, at: DateTime<Tz>) -> Self {
            self.$field = Some(wats_core::time::format(&at.fixed_offset()));
            self
        }
    };
}
pub(crate) use query_options;

query_options! {
    /// The scope of the GET forms of volume yield, high volume and worst yield:
    /// `days`, `productGroupId`, `levelId`.
    pub struct AppScope {
        /// `days`: how many days back.
        days: count => "days",
        /// `productGroupId`.
        product_group_id: text => "productGroupId",
        /// `levelId`.
        level_id: text => "levelId",
    }
}

query_options! {
    /// The parameters of `GET /api/App/TopFailed`: `partNumber`, `processCode`,
    /// `productGroupId`, `levelId`, `days`, `count`.
    pub struct TopFailedQuery {
        /// `partNumber`.
        part_number: text => "partNumber",
        /// `processCode`.
        process_code: text => "processCode",
        /// `productGroupId`.
        product_group_id: text => "productGroupId",
        /// `levelId`.
        level_id: text => "levelId",
        /// `days`: how many days back.
        days: count => "days",
        /// `count`: how many steps.
        count: count => "count",
    }
}

impl TopFailedQuery {
    /// `productGroupId`, `levelId` and `days` from a scope.
    pub fn scope(mut self, scope: AppScope) -> Self {
        self.product_group_id = scope.product_group_id;
        self.level_id = scope.level_id;
        self.days = scope.days;
        self
    }
}

query_options! {
    /// The parameters of `GET /api/App/UutReport`. Dates carry their offset.
    pub struct UutReportQuery {
        /// `serialNumber`.
        serial_number: text => "serialNumber",
        /// `partNumber`.
        part_number: text => "partNumber",
        /// `revision`.
        revision: text => "revision",
        /// `batchNumber`.
        batch_number: text => "batchNumber",
        /// `stationName`.
        station_name: text => "stationName",
        /// `testOperation`.
        test_operation: text => "testOperation",
        /// `status`.
        status: text => "status",
        /// `dateFrom`, sent with its offset.
        date_from: date => "dateFrom",
        /// `dateTo`, sent with its offset.
        date_to: date => "dateTo",
        /// `productGroupId`.
        product_group_id: text => "productGroupId",
        /// `levelId`.
        level_id: text => "levelId",
    }
}

fn push_num(q: &mut Query, key: &str, v: Option<i64>) {
    if let Some(v) = v {
        q.push(key, &v.to_string());
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
