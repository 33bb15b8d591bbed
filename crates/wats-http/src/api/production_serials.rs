//! Serial numbers: `client.production().serials()`.

use bytes::Bytes;
use serde_json::Value;
use wats_core::{Error, Result, SerialNumberType};

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
    /// [`take`](ProductionSerials::take) reads a JSON list and an XML document alike.
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

/// The optional filters of the serial-number lists and export: a range of numbers
/// (`startAddress`, `endAddress`) and a range of generation times (`startDate`, `endDate`,
/// sent as RFC 3339 with their own offset). Unset filters are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct SerialFilter {
    start_address: Option<String>,
    end_address: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

impl SerialFilter {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// From this number on (`startAddress`).
    pub fn start_address(mut self, sn: impl Into<String>) -> Self {
        self.start_address = Some(sn.into());
        self
    }

    /// Up to this number (`endAddress`).
    pub fn end_address(mut self, sn: impl Into<String>) -> Self {
        self.end_address = Some(sn.into());
        self
    }

    /// Generated at or after (`startDate`).
    pub fn start_date<Tz: chrono::TimeZone>(mut self, at: &chrono::DateTime<Tz>) -> Self
    where
        Tz::Offset: std::fmt::Display,
    {
        self.start_date = Some(at.to_rfc3339());
        self
    }

    /// Generated at or before (`endDate`).
    pub fn end_date<Tz: chrono::TimeZone>(mut self, at: &chrono::DateTime<Tz>) -> Self
    where
        Tz::Offset: std::fmt::Display,
    {
        self.end_date = Some(at.to_rfc3339());
        self
    }
}

impl QueryParams for SerialFilter {
    const NAMES: &'static [&'static str] = &["startAddress", "endAddress", "startDate", "endDate"];

    fn write_query(&self, q: &mut Query) {
        q.push_opt("startAddress", self.start_address.as_deref());
        q.push_opt("endAddress", self.end_address.as_deref());
        q.push_opt("startDate", self.start_date.as_deref());
        q.push_opt("endDate", self.end_date.as_deref());
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
    /// a JSON list or an XML document of `<SN id="..."/>` elements (bare or inside a JSON
    /// string), is read with an XML parser into the numbers, in the server's order. Never
    /// retried automatically: a retry could take numbers twice.
    ///
    /// # Errors
    /// Status, transport and timeout errors; [`Error::Decode`] for an answer in neither
    /// form.
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
    parse_serials(answer?.response.body())
}

fn decode_error(message: String) -> Error {
    Error::Decode {
        target: "serial numbers",
        path: ".".to_owned(),
        message,
    }
}

/// The serial numbers in an answer: a JSON list (of strings, or of objects with `id`,
/// `serialNumber` or `sn`), a JSON string or raw body holding XML with `<SN id="..."/>`
/// elements, or an object whose `sn` member is one of those (the internal reserve answer).
pub(crate) fn parse_serials(body: &[u8]) -> Result<Vec<String>> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    if trimmed.starts_with('<') {
        return parse_sn_xml(trimmed);
    }
    let value: Value = wats_core::json::from_slice(trimmed.as_bytes())?;
    from_value(&value)
}

fn from_value(value: &Value) -> Result<Vec<String>> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(s) if s.trim_start().starts_with('<') => parse_sn_xml(s.trim()),
        Value::String(s) if s.trim().is_empty() => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                scalar(item)
                    .or_else(|| {
                        ["id", "serialNumber", "sn", "SN", "Id"]
                            .iter()
                            .find_map(|k| item.get(*k).and_then(scalar))
                    })
                    .ok_or_else(|| decode_error(format!("element [{i}] names no serial number")))
            })
            .collect(),
        Value::Object(map) => match ["sn", "SN", "serialNumbers"]
            .iter()
            .find_map(|k| map.get(*k))
        {
            Some(inner) => from_value(inner),
            None => Err(decode_error(
                "an object without `sn` or `serialNumbers`".to_owned(),
            )),
        },
        other => Err(decode_error(format!("unexpected answer {other}"))),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every `id` attribute of an `SN` element (any namespace prefix, ASCII case ignored), in
/// document order. Parsed with `quick-xml`: entities are decoded, comments and CDATA do not
/// confuse it, and a malformed document is an error, not a partial list.
pub(crate) fn parse_sn_xml(xml: &str) -> Result<Vec<String>> {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                if !e.local_name().as_ref().eq_ignore_ascii_case(b"SN") {
                    continue;
                }
                for attr in e.attributes() {
                    let attr = attr.map_err(|err| decode_error(format!("XML attribute: {err}")))?;
                    if attr.key.local_name().as_ref().eq_ignore_ascii_case(b"id") {
                        let v = attr
                            .unescape_value()
                            .map_err(|err| decode_error(format!("XML value: {err}")))?;
                        out.push(v.into_owned());
                    }
                }
            }
            Ok(Event::Eof) => return Ok(out),
            Ok(_) => {}
            Err(err) => {
                return Err(decode_error(format!(
                    "XML at byte {}: {err}",
                    reader.error_position()
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_in_every_form() {
        let xml = r#"<?xml version="1.0"?><SerialNumbers type="PCBA">
            <!-- <SN id="COMMENTED"/> --><SN id="SN-1"/><SN id="A&amp;B">x</SN>
            <ns:sn ID="SN-3"/><Other id="no"/></SerialNumbers>"#;
        let want = ["SN-1", "A&B", "SN-3"];
        assert_eq!(parse_serials(xml.as_bytes()).unwrap(), want);
        let as_json_string = serde_json::to_vec(xml).unwrap();
        assert_eq!(parse_serials(&as_json_string).unwrap(), want);
        let reserve = serde_json::to_vec(&serde_json::json!({ "sn": xml })).unwrap();
        assert_eq!(parse_serials(&reserve).unwrap(), want);
        assert_eq!(
            parse_serials(br#"["S1", {"id": "S2"}, {"serialNumber": "S3"}, 4]"#).unwrap(),
            ["S1", "S2", "S3", "4"]
        );
        assert!(parse_serials(b"").unwrap().is_empty());
        assert!(parse_serials(b"[]").unwrap().is_empty());
    }

    #[test]
    fn malformed_answers_are_errors() {
        for bad in [
            &b"<SN id=\"a\"><x></SN>"[..],
            b"<SN id=\"unterminated/>",
            b"[true]",
            b"{\"other\": 1}",
            b"not json",
        ] {
            assert!(
                matches!(parse_serials(bad), Err(Error::Decode { .. })),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
