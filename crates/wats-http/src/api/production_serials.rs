//! Serial numbers: `client.production().serials()`.

use bytes::Bytes;
use serde_json::Value;
use wats_core::{Error, Result, SerialNumberType};

use super::production_take::parse_serial_numbers;

use crate::api::analytics_options::query_options;
use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller, QueryParams};
use crate::registry::{Exception, LeftToMockito};
use crate::stack::Answer;
use crate::url::Query;

/// The file format of a serial-number import or export (`format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SerialFormat {
    /// CSV (`text/csv`).
    #[default]
    Csv,
    /// XML (`application/xml`).
    Xml,
}

impl SerialFormat {
    /// The value of the `format` query parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            SerialFormat::Csv => "CSV",
            SerialFormat::Xml => "XML",
        }
    }

    /// The content type of a file in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            SerialFormat::Csv => "text/csv",
            SerialFormat::Xml => "application/xml",
        }
    }
}

/// Options of [`ProductionSerials::take`]: what the taken numbers are registered with.
/// Unset options are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct TakeOptions {
    ref_sn: Option<String>,
    ref_pn: Option<String>,
    station_name: Option<String>,
    only_in_sequence: Option<bool>,
    format: Option<SerialFormat>,
}

impl TakeOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// `refSN`: the reference serial number (for example the board the numbers go on).
    pub fn ref_serial_number(mut self, sn: impl Into<String>) -> Self {
        self.ref_sn = Some(sn.into());
        self
    }

    /// `refPN`: the reference part number.
    pub fn ref_part_number(mut self, pn: impl Into<String>) -> Self {
        self.ref_pn = Some(pn.into());
        self
    }

    /// `stationName`: the station that takes them.
    pub fn station_name(mut self, name: impl Into<String>) -> Self {
        self.station_name = Some(name.into());
        self
    }

    /// `onlyInSequence`: only a continuous run of numbers (fails if none is long enough).
    pub fn only_in_sequence(mut self, on: bool) -> Self {
        self.only_in_sequence = Some(on);
        self
    }
}

impl TakeOptions {
    /// `format`: the form of the answer (`XML` or `CSV`); unset, the server's default.
    /// [`take`](ProductionSerials::take) reads a JSON list, an XML document and a CSV file
    /// alike ([`parse_serial_numbers`](crate::parse_serial_numbers)).
    pub fn format(mut self, format: SerialFormat) -> Self {
        self.format = Some(format);
        self
    }
}

impl QueryParams for TakeOptions {
    const NAMES: &'static [&'static str] =
        &["refSN", "refPN", "stationName", "onlyInSequence", "format"];

    fn write_query(&self, q: &mut Query) {
        q.push_opt("refSN", self.ref_sn.as_deref());
        q.push_opt("refPN", self.ref_pn.as_deref());
        q.push_opt("stationName", self.station_name.as_deref());
        q.push_opt(
            "onlyInSequence",
            self.only_in_sequence.map(super::reports::bool_str),
        );
        q.push_opt("format", self.format.map(SerialFormat::as_str));
    }
}

query_options! {
    /// The optional filters of the serial-number lists and export: a range of numbers
    /// (`startAddress`, `endAddress`) and a range of generation times (`startDate`, `endDate`,
    /// sent as RFC 3339 with their own offset). Unset filters are not sent.
    pub struct SerialFilter {
        /// From this number on (`startAddress`).
        start_address: text => "startAddress",
        /// Up to this number (`endAddress`).
        end_address: text => "endAddress",
        /// Generated at or after (`startDate`).
        start_date: date_ref => "startDate",
        /// Generated at or before (`endDate`).
        end_date: date_ref => "endDate",
    }
}

fn offset_date<Tz: chrono::TimeZone>(at: &chrono::DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    at.to_rfc3339()
}

/// The filters of [`ProductionSerials::by_reference_with`]: the reference serial and/or part
/// number the numbers were taken with (`refSN`, `refPN`; the server wants at least one) and
/// a range of generation times (`startDate`, `endDate`, RFC 3339 with their own offset).
/// Unset filters are not sent.
///
/// ```
/// use chrono::{FixedOffset, TimeZone};
/// let at = FixedOffset::east_opt(3600).unwrap().with_ymd_and_hms(2026, 2, 1, 8, 0, 0).unwrap();
/// let f = wats_http::ReferenceFilter::serial_number("BOX-1").start_date(&at);
/// # let _ = f;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ReferenceFilter {
    ref_sn: Option<String>,
    ref_pn: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

impl ReferenceFilter {
    /// Numbers taken with this reference serial number (`refSN`).
    pub fn serial_number(sn: impl Into<String>) -> Self {
        ReferenceFilter {
            ref_sn: Some(sn.into()),
            ..Self::default()
        }
    }

    /// Numbers taken with this reference part number (`refPN`).
    pub fn part_number(pn: impl Into<String>) -> Self {
        ReferenceFilter {
            ref_pn: Some(pn.into()),
            ..Self::default()
        }
    }

    /// Also (or only) this reference part number (`refPN`).
    pub fn and_part_number(mut self, pn: impl Into<String>) -> Self {
        self.ref_pn = Some(pn.into());
        self
    }

    /// Generated at or after (`startDate`), sent with its offset.
    pub fn start_date<Tz: chrono::TimeZone>(mut self, at: &chrono::DateTime<Tz>) -> Self
    where
        Tz::Offset: std::fmt::Display,
    {
        self.start_date = Some(offset_date(at));
        self
    }

    /// Generated at or before (`endDate`), sent with its offset.
    pub fn end_date<Tz: chrono::TimeZone>(mut self, at: &chrono::DateTime<Tz>) -> Self
    where
        Tz::Offset: std::fmt::Display,
    {
        self.end_date = Some(offset_date(at));
        self
    }
}

impl QueryParams for ReferenceFilter {
    const NAMES: &'static [&'static str] = &["refSN", "refPN", "startDate", "endDate"];

    fn write_query(&self, q: &mut Query) {
        q.push_opt("refSN", self.ref_sn.as_deref());
        q.push_opt("refPN", self.ref_pn.as_deref());
        q.push_opt("startDate", self.start_date.as_deref());
        q.push_opt("endDate", self.end_date.as_deref());
    }
}

query_options! {
    /// The filters of the internal serial-number count
    /// ([`ProductionInternal::serial_number_count_with`](crate::ProductionInternal::serial_number_count_with)):
    /// a range of numbers (`startAddress`, `endAddress`) and of generation times, which this
    /// route names `fromDate` and `toDate` (RFC 3339 with their own offset). Unset filters are
    /// not sent.
    pub struct SerialCountFilter {
        /// From this number on (`startAddress`).
        start_address: text => "startAddress",
        /// Up to this number (`endAddress`).
        end_address: text => "endAddress",
        /// Generated at or after (`fromDate`), sent with its offset.
        from_date: date_ref => "fromDate",
        /// Generated at or before (`toDate`), sent with its offset.
        to_date: date_ref => "toDate",
    }
}

calls! {
    /// Serial-number calls, from `client.production().serials()`.
    handle ProductionSerials, domain "production_serials", via "production().serials()";

    /// The serial-number types (`GET /api/Production/SerialNumbers/Types`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn types() -> Vec<SerialNumberType> {
        GET "/api/Production/SerialNumbers/Types";
        pywats "production.get_serial_number_types";
        answer list;
    }

    /// Take up to `quantity` free serial numbers of a type
    /// (`POST /api/Production/SerialNumbers/Take`); fewer when fewer are free. The answer,
    /// a JSON list, an XML document of `<SN id="..."/>` elements or a CSV file (bare or
    /// inside a JSON string), is read with a real parser into the numbers, in the server's
    /// order ([`parse_serial_numbers`](crate::parse_serial_numbers)). Never retried
    /// automatically: a retry could take numbers twice.
    ///
    /// # Errors
    /// Status, transport and timeout errors; [`Error::Decode`] for an answer in none of
    /// these forms, or a malformed one.
    fn take(serial_number_type: &str, quantity: u32, options: &TakeOptions) -> Vec<String> {
        POST "/api/Production/SerialNumbers/Take";
        pywats "production.take_serial_numbers, production.allocate_serial_numbers";
        query ["serialNumberType" = serial_number_type, "quantity" = quantity];
        options options: TakeOptions;
        answer with(serials_answer);
        helpers [take_one];
    }

    /// Serial numbers of a type between two numbers
    /// (`GET /api/Production/SerialNumbers/ByRange`), as the server lists them.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn by_range(serial_number_type: &str, start: &str, end: &str) -> Vec<Value> {
        GET "/api/Production/SerialNumbers/ByRange";
        pywats "production.find_serial_numbers_in_range";
        query [
            "serialNumberType" = serial_number_type,
            "startAddress" = start,
            "endAddress" = end,
        ];
        answer list;
    }

    /// Taken serial numbers by reference serial or part number (one of them at least)
    /// (`GET /api/Production/SerialNumbers/ByReference`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn by_reference(serial_number_type: &str, ref_sn: Option<&str>, ref_pn: Option<&str>) -> Vec<Value> {
        GET "/api/Production/SerialNumbers/ByReference";
        pywats "production.find_serial_numbers_by_reference";
        query ["serialNumberType" = serial_number_type, "refSN" = ref_sn, "refPN" = ref_pn];
        answer list;
    }

    /// Taken serial numbers by reference and generation time
    /// (`GET /api/Production/SerialNumbers/ByReference` with `refSN` and/or `refPN`,
    /// `startDate`, `endDate`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn by_reference_with(serial_number_type: &str, filter: &ReferenceFilter) -> Vec<Value> {
        GET "/api/Production/SerialNumbers/ByReference";
        pywats "production.find_serial_numbers_by_reference (with dates)";
        query ["serialNumberType" = serial_number_type];
        options filter: ReferenceFilter;
        answer list;
    }

    /// Serial numbers of a type, filtered by number range and generation time
    /// (`GET /api/Production/SerialNumbers/ByRange` with any of `startAddress`,
    /// `endAddress`, `startDate`, `endDate`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn by_range_with(serial_number_type: &str, filter: &SerialFilter) -> Vec<Value> {
        GET "/api/Production/SerialNumbers/ByRange";
        pywats "production.find_serial_numbers_in_range (with dates)";
        query ["serialNumberType" = serial_number_type];
        options filter: SerialFilter;
        answer list;
    }

    /// Import a file of serial numbers (`PUT /api/Production/SerialNumbers`), sent verbatim
    /// with the format's content type.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn import(serial_number_type: &str, format: SerialFormat, file: impl Into<Bytes>) -> () {
        PUT "/api/Production/SerialNumbers";
        pywats "production.import_serial_numbers";
        query ["serialNumberType" = serial_number_type, "format" = format.as_str()];
        body Body::raw(file, format.content_type());
        answer unit;
    }

    /// Export the serial numbers of a type (`GET /api/Production/SerialNumbers`), as the
    /// raw file bytes.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn export(serial_number_type: &str, format: SerialFormat) -> Bytes {
        GET "/api/Production/SerialNumbers";
        pywats "production.export_serial_numbers";
        query ["serialNumberType" = serial_number_type, "format" = format.as_str()];
        answer bytes;
    }

    /// Like [`export`](Self::export), limited by number range and generation time.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn export_with(serial_number_type: &str, format: SerialFormat, filter: &SerialFilter) -> Bytes {
        GET "/api/Production/SerialNumbers";
        pywats "production.export_serial_numbers (with a range)";
        query ["serialNumberType" = serial_number_type, "format" = format.as_str()];
        options filter: SerialFilter;
        answer bytes;
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];

impl<'c, C: Caller> ProductionSerials<'c, C> {
    /// Take one serial number: [`take`](Self::take) with a quantity of 1.
    ///
    /// # Errors
    /// As [`take`](Self::take); [`Error::NotFound`] when no number was free.
    pub fn take_one(&self, serial_number_type: &str, options: &TakeOptions) -> C::Ret<'c, String> {
        let req = routes::take::request(serial_number_type, 1, options);
        self.caller.call(crate::endpoint::Prepared::new(
            self.caller.http(),
            req,
            |a| {
                serials_answer(a)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| Error::NotFound {
                        message: "no free serial number of this type".to_owned(),
                        correlation_id: None,
                    })
            },
        ))
    }
}

fn serials_answer(answer: Result<Answer>) -> Result<Vec<String>> {
    parse_serial_numbers(answer?.response.body())
}
