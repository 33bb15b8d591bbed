//! The analytics filter: [`WatsFilter`], the body of the `/api/App/...` analytics calls
//! (server schema `PublicWatsFilter`). [`MeasurementPaths`], the `measurementPaths`
//! parameter of the measurement calls, is re-exported here from
//! [`measurement_path`](crate::measurement_path).
//!
//! What the builder guarantees, where a hand-written JSON object does not:
//!
//! - **Dates carry an offset.** [`WatsFilter::date_from`] takes a `chrono::DateTime` (any
//!   time zone: `Utc`, `Local`, `FixedOffset`), so a date without an offset cannot be
//!   built; [`WatsFilter::date_from_str`] parses text and records an error for a naive
//!   date instead of guessing a zone. Dates are sent as RFC 3339 with their offset.
//! - **No accidental wildcards.** The server reads `%` (any run), `_` (one character)
//!   and `;` (a list) in text members. The plain setters (`part_number("PCB_1")`) escape
//!   `%`, `_` and `[` the SQL Server way (`[_]`), and a literal `;` (which cannot be
//!   escaped) is an error; the `*_pattern` setters (`part_number_pattern("PCB-%")`) send
//!   the text as written, on purpose. The `*_any` setters send a `;` list of literals.
//!   The server documents none of this for the API; pyWATS documents `%`, `_` and `;` and
//!   sends values unescaped. That the members are matched with SQL Server `LIKE` (so the
//!   bracket form is the escape) is an assumption; `docs/API-gaps/analytics.md` lists the
//!   evidence.
//! - **Codes are enums.** [`DateGrouping`] and [`Run`] are sent as the server's integers.
//! - **Nothing is added behind your back.** Only the members you set are sent: no
//!   `includeCurrentPeriod` appears unless you set it (the Python SDK adds it silently),
//!   and `dimensions` goes once (the dynamic yield/repair calls send it as their query
//!   parameter and leave it out of the body; the Python SDK sends it in both).
//!
//! A setter given an invalid value records the first error; the call using the filter
//! then fails with [`Error::InvalidInput`] and sends nothing ([`WatsFilter::check`]).
//!
//! ```
//! use chrono::{FixedOffset, TimeZone};
//! use wats_core::filter::{DateGrouping, WatsFilter};
//!
//! let from = FixedOffset::east_opt(3600).unwrap()
//!     .with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let f = WatsFilter::new()
//!     .part_number("PCB_1")
//!     .station_name_pattern("LINE1-%")
//!     .date_from(from)
//!     .date_grouping(DateGrouping::Week);
//! let json = serde_json::to_value(f.check().unwrap()).unwrap();
//! assert_eq!(json, serde_json::json!({
//!     "partNumber": "PCB[_]1",
//!     "stationName": "LINE1-%",
//!     "dateFrom": "2026-01-01T00:00:00.000000+01:00",
//!     "dateGrouping": 3,
//! }));
//!
//! // A naive date is an error, not a guess.
//! let bad = WatsFilter::new().date_from_str("2026-01-01T00:00:00");
//! assert!(bad.check().is_err());
//! ```

use chrono::{DateTime, FixedOffset, TimeZone};
use serde::ser::{SerializeMap, Serializer};

use crate::error::{Error, Result};
pub use crate::measurement_path::MeasurementPaths;

#[path = "filter_codes.rs"]
mod codes;
#[path = "filter_text.rs"]
mod text;

pub use codes::{DateGrouping, Run};
use text::Text;
pub use text::escape_literal;

/// The analytics filter (server schema `PublicWatsFilter`); see the [module docs](self).
/// Serialises to exactly the members that were set. Use [`check`](Self::check) before
/// sending: the clients do, and send nothing when it fails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct WatsFilter {
    text: Text,
    yield_: Option<i32>,
    date_from: Option<String>,
    date_to: Option<String>,
    date_grouping: Option<DateGrouping>,
    period_count: Option<i32>,
    include_current_period: Option<bool>,
    max_count: Option<i32>,
    min_count: Option<i32>,
    top_count: Option<i32>,
    dimensions: Option<String>,
    run: Option<Run>,
    error: Option<String>,
    error_field: Option<String>,
}

impl WatsFilter {
    /// An empty filter: the server's defaults (each call documents its own).
    pub fn new() -> Self {
        Self::default()
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            if let Error::InvalidInput { field, message } = e {
                self.error_field = Some(field);
                self.error = Some(message);
            } else {
                self.error_field = Some("filter".to_owned());
                self.error = Some(e.to_string());
            }
        }
    }

    /// The filter, or the first error a setter recorded.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the member at fault.
    pub fn check(&self) -> Result<&Self> {
        match &self.error {
            None => Ok(self),
            Some(message) => Err(Error::InvalidInput {
                field: self.error_field.clone().unwrap_or_default(),
                message: message.clone(),
            }),
        }
    }

    /// `yield`: a yield threshold in percent (server-defined use per call).
    pub fn yield_percent(mut self, percent: i32) -> Self {
        self.yield_ = Some(percent);
        self
    }

    /// `dateFrom`, sent with its offset.
    #[allow(clippy::needless_pass_by_value)] // a date is taken like any other value
    pub fn date_from<Tz: TimeZone>(mut self, at: DateTime<Tz>) -> Self {
        self.date_from = Some(crate::time::format(&at.fixed_offset()));
        self
    }

    /// `dateTo`, sent with its offset.
    #[allow(clippy::needless_pass_by_value)] // a date is taken like any other value
    pub fn date_to<Tz: TimeZone>(mut self, at: DateTime<Tz>) -> Self {
        self.date_to = Some(crate::time::format(&at.fixed_offset()));
        self
    }

    /// `dateFrom` from RFC 3339 text; a date without an offset (or not a date) is an
    /// error, never read as some zone.
    pub fn date_from_str(mut self, text: &str) -> Self {
        match parse_offset_date("dateFrom", text) {
            Ok(t) => self.date_from = Some(crate::time::format(&t)),
            Err(e) => self.fail(e),
        }
        self
    }

    /// `dateTo` from RFC 3339 text; as [`date_from_str`](Self::date_from_str).
    pub fn date_to_str(mut self, text: &str) -> Self {
        match parse_offset_date("dateTo", text) {
            Ok(t) => self.date_to = Some(crate::time::format(&t)),
            Err(e) => self.fail(e),
        }
        self
    }

    /// `dateGrouping`.
    pub fn date_grouping(mut self, grouping: DateGrouping) -> Self {
        self.date_grouping = Some(grouping);
        self
    }

    /// `periodCount`: how many periods (of the date grouping) back from now.
    pub fn period_count(mut self, count: i32) -> Self {
        self.period_count = Some(count);
        self
    }

    /// `includeCurrentPeriod`: sent only when set here.
    pub fn include_current_period(mut self, include: bool) -> Self {
        self.include_current_period = Some(include);
        self
    }

    /// `maxCount`.
    pub fn max_count(mut self, count: i32) -> Self {
        self.max_count = Some(count);
        self
    }

    /// `minCount`.
    pub fn min_count(mut self, count: i32) -> Self {
        self.min_count = Some(count);
        self
    }

    /// `topCount`.
    pub fn top_count(mut self, count: i32) -> Self {
        self.top_count = Some(count);
        self
    }

    /// `dimensions`: the grouping (and ordering) of dynamic yield/repair rows, for example
    /// `["partNumber", "stationName", "unitCount desc"]`, sent `;`-separated. An empty
    /// item or one holding `;` is an error.
    pub fn dimensions<I, S>(mut self, dims: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list = Vec::new();
        for d in dims {
            let d = d.as_ref().trim();
            if d.is_empty() || d.contains(';') {
                self.fail(Error::InvalidInput {
                    field: "dimensions".to_owned(),
                    message: format!("{d:?} is not one dimension"),
                });
                return self;
            }
            list.push(d.to_owned());
        }
        self.dimensions = Some(list.join(";"));
        self
    }

    /// `run` (test-step analysis): which run of each unit is counted. Documented in the
    /// server's description of `TestStepAnalysis`, not a member of `PublicWatsFilter`.
    pub fn run(mut self, run: Run) -> Self {
        self.run = Some(run);
        self
    }

    /// The `dimensions` text, if set (the dynamic yield/repair calls send it as a query
    /// parameter).
    pub fn dimensions_text(&self) -> Option<&str> {
        self.dimensions.as_deref()
    }

    /// This filter without `dimensions` (the body the dynamic calls send).
    pub fn without_dimensions(&self) -> Self {
        let mut f = self.clone();
        f.dimensions = None;
        f
    }

    /// The value of a member as it will be sent (text members as escaped), by its JSON
    /// name; `None` when not set.
    pub fn get(&self, key: &str) -> Option<serde_json::Value> {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get(key).cloned())
    }
}

fn parse_offset_date(field: &str, text: &str) -> Result<DateTime<FixedOffset>> {
    let t = text.trim();
    DateTime::parse_from_rfc3339(t)
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map_err(|_| Error::InvalidInput {
            field: field.to_owned(),
            message: format!(
                "{text:?} is not a date-time with an offset (RFC 3339, e.g. \
                 2026-01-01T00:00:00+01:00); a naive date is not guessed"
            ),
        })
}

impl serde::Serialize for WatsFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (k, v) in self.text.entries() {
            map.serialize_entry(k, v)?;
        }
        if let Some(v) = self.yield_ {
            map.serialize_entry("yield", &v)?;
        }
        if let Some(v) = &self.date_from {
            map.serialize_entry("dateFrom", v)?;
        }
        if let Some(v) = &self.date_to {
            map.serialize_entry("dateTo", v)?;
        }
        if let Some(v) = self.date_grouping {
            map.serialize_entry("dateGrouping", &v.code())?;
        }
        if let Some(v) = self.period_count {
            map.serialize_entry("periodCount", &v)?;
        }
        if let Some(v) = self.include_current_period {
            map.serialize_entry("includeCurrentPeriod", &v)?;
        }
        if let Some(v) = self.max_count {
            map.serialize_entry("maxCount", &v)?;
        }
        if let Some(v) = self.min_count {
            map.serialize_entry("minCount", &v)?;
        }
        if let Some(v) = self.top_count {
            map.serialize_entry("topCount", &v)?;
        }
        if let Some(v) = &self.dimensions {
            map.serialize_entry("dimensions", v)?;
        }
        if let Some(v) = self.run {
            map.serialize_entry("run", &v.code())?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    #[test]
    fn every_schema_member_is_sent_with_its_name() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let f = WatsFilter::new()
            .serial_number("S1")
            .part_number("P1")
            .revision("A")
            .batch_number("B1")
            .station_name("ST")
            .test_operation("FCT")
            .status("Passed")
            .yield_percent(90)
            .misc_description("d")
            .misc_value("v")
            .product_group("G")
            .level("L")
            .sw_filename("seq.seq")
            .sw_version("1.0")
            .socket("0")
            .date_from(t)
            .date_to_str("2026-03-02T00:00:00-05:00")
            .date_grouping(DateGrouping::None)
            .period_count(7)
            .include_current_period(false)
            .max_count(100)
            .min_count(1)
            .top_count(5)
            .dimensions(["partNumber", "unitCount desc"])
            .run(Run::All);
        let v = serde_json::to_value(f.check().unwrap()).unwrap();
        assert_eq!(
            v,
            json!({
                "serialNumber": "S1", "partNumber": "P1", "revision": "A", "batchNumber": "B1",
                "stationName": "ST", "testOperation": "FCT", "status": "Passed", "yield": 90,
                "miscDescription": "d", "miscValue": "v", "productGroup": "G", "level": "L",
                "swFilename": "seq.seq", "swVersion": "1.0", "socket": "0",
                "dateFrom": "2026-03-01T12:00:00.000000+00:00",
                "dateTo": "2026-03-02T00:00:00.000000-05:00",
                "dateGrouping": -1, "periodCount": 7, "includeCurrentPeriod": false,
                "maxCount": 100, "minCount": 1, "topCount": 5,
                "dimensions": "partNumber;unitCount desc", "run": -2
            })
        );
        assert_eq!(v.as_object().unwrap().len(), 25);
    }

    #[test]
    fn wildcards_are_escaped_unless_asked_for() {
        let f = WatsFilter::new()
            .part_number("A%B_C[D")
            .serial_number_pattern("SN-%")
            .station_name_any(["ST_1", "ST2"]);
        let v = serde_json::to_value(f.check().unwrap()).unwrap();
        assert_eq!(v["partNumber"], "A[%]B[_]C[[]D");
        assert_eq!(v["serialNumber"], "SN-%");
        assert_eq!(v["stationName"], "ST[_]1;ST2");
        let bad = WatsFilter::new().part_number("A;B").revision("x");
        match bad.check() {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "partNumber"),
            other => panic!("{other:?}"),
        }
        assert!(WatsFilter::new().level_any(["a", "b;c"]).check().is_err());
    }

    #[test]
    fn naive_or_bad_dates_are_errors() {
        for text in ["2026-01-01T00:00:00", "2026-01-01", "tomorrow", ""] {
            let f = WatsFilter::new().date_from_str(text);
            match f.check() {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "dateFrom"),
                other => panic!("{text}: {other:?}"),
            }
        }
        let ok = WatsFilter::new().date_to_str("2026-01-01T00:00:00Z");
        assert_eq!(
            ok.get("dateTo").unwrap(),
            json!("2026-01-01T00:00:00.000000+00:00")
        );
    }

    #[test]
    fn nothing_is_added_and_dimensions_can_be_split_off() {
        let f = WatsFilter::new()
            .period_count(4)
            .date_grouping(DateGrouping::Month);
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v, json!({"periodCount": 4, "dateGrouping": 2}));
        let f = f.dimensions(["stationName", "period"]);
        assert_eq!(f.dimensions_text(), Some("stationName;period"));
        let body = serde_json::to_value(f.without_dimensions()).unwrap();
        assert_eq!(body, json!({"periodCount": 4, "dateGrouping": 2}));
        assert!(WatsFilter::new().dimensions(["a", " "]).check().is_err());
        assert_eq!(serde_json::to_value(WatsFilter::new()).unwrap(), json!({}));
    }

    #[test]
    fn codes_round_trip() {
        for g in [
            DateGrouping::None,
            DateGrouping::Year,
            DateGrouping::Quarter,
            DateGrouping::Month,
            DateGrouping::Week,
            DateGrouping::Day,
            DateGrouping::Hour,
        ] {
            assert_eq!(DateGrouping::from_code(g.code().into()), Some(g));
        }
        for r in [Run::First, Run::Second, Run::Third, Run::Last, Run::All] {
            assert_eq!(Run::from_code(r.code().into()), Some(r));
        }
        assert_eq!(Run::from_code(0), None);
    }
}
