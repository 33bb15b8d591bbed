//! More of `client.reports()`: options of the WSXF and misc-info calls, and the header
//! query over all its pages (all at once, a blocking iterator, an async `Stream`).

use wats_core::ReportHeader;

use super::{Reports, bool_str};
use crate::api::products_pages::paged_calls;
use crate::api::query::HeaderQuery;
use crate::endpoint::QueryParams;
use crate::url::Query;

/// Options of [`Reports::get_wsxf`]: the optional query parameters of
/// `GET /api/Report/Wsxf/{id}`. Unset options are not sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct WsxfOptions {
    detail_level: Option<u8>,
    include_attachments: Option<bool>,
    include_chartdata: Option<bool>,
    include_indexes: Option<bool>,
}

impl WsxfOptions {
    /// No options: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// `detailLevel`.
    pub fn detail_level(mut self, level: u8) -> Self {
        self.detail_level = Some(level);
        self
    }

    /// `includeAttachments`.
    pub fn include_attachments(mut self, include: bool) -> Self {
        self.include_attachments = Some(include);
        self
    }

    /// `includeChartdata`.
    pub fn include_chartdata(mut self, include: bool) -> Self {
        self.include_chartdata = Some(include);
        self
    }

    /// `includeIndexes`.
    pub fn include_indexes(mut self, include: bool) -> Self {
        self.include_indexes = Some(include);
        self
    }
}

impl QueryParams for WsxfOptions {
    const NAMES: &'static [&'static str] = &[
        "detailLevel",
        "includeAttachments",
        "includeChartdata",
        "includeIndexes",
    ];

    fn write_query(&self, q: &mut Query) {
        if let Some(level) = self.detail_level {
            q.push("detailLevel", &level.to_string());
        }
        q.push_opt("includeAttachments", self.include_attachments.map(bool_str));
        q.push_opt("includeChartdata", self.include_chartdata.map(bool_str));
        q.push_opt("includeIndexes", self.include_indexes.map(bool_str));
    }
}

/// A search of report headers by misc info (`GET /api/Report/Query/HeaderByMiscInfo`):
/// the misc info's `description` and value (`data`), optionally narrowed by serial number
/// and process code.
///
/// ```
/// let q = wats_http::MiscInfoQuery::new("Firmware", "1.2.3").process_code(10);
/// # let _ = q;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct MiscInfoQuery {
    description: String,
    data: String,
    serial_number: Option<String>,
    process_code: Option<i64>,
}

impl MiscInfoQuery {
    /// Headers of reports with a misc info `description` whose value is `data`.
    pub fn new(description: impl Into<String>, data: impl Into<String>) -> Self {
        MiscInfoQuery {
            description: description.into(),
            data: data.into(),
            serial_number: None,
            process_code: None,
        }
    }

    /// Only reports of this serial number.
    pub fn serial_number(mut self, sn: impl Into<String>) -> Self {
        self.serial_number = Some(sn.into());
        self
    }

    /// Only reports of this process code.
    pub fn process_code(mut self, code: i64) -> Self {
        self.process_code = Some(code);
        self
    }
}

impl QueryParams for MiscInfoQuery {
    const NAMES: &'static [&'static str] = &["processCode", "serialNumber", "description", "data"];

    fn write_query(&self, q: &mut Query) {
        if let Some(code) = self.process_code {
            q.push("processCode", &code.to_string());
        }
        q.push_opt("serialNumber", self.serial_number.as_deref());
        q.push("description", &self.description);
        q.push("data", &self.data);
    }
}

paged_calls! {
    Reports {
        "header": query_headers(HeaderQuery) -> ReportHeader =>
            query_headers_all, query_headers_iter, query_headers_stream;
    }
}
