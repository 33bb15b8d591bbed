//! Reports: `client.reports()`.

use bytes::Bytes;
#[allow(unused_imports, reason = "the doc links name `Error`")]
use wats_core::Error;
use wats_core::{Report, ReportHeader, Result};

use crate::api::query::HeaderQuery;
use crate::client::Client;
use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller, QueryParams};
use crate::registry::{Exception, LeftToMockito};
use crate::spool::SubmitOutcome;
use crate::submit_id::parse_submit_id;
use crate::url::Query;

/// Options of [`Reports::get_with`]: the optional query parameters of
/// `GET /api/Report/Wsjf/{id}`. Unset options are not sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct ReportOptions {
    detail_level: Option<u8>,
    include_chartdata: Option<bool>,
    include_attachments: Option<bool>,
}

impl ReportOptions {
    /// No options: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// `detailLevel` (0 to 7 on current servers).
    pub fn detail_level(mut self, level: u8) -> Self {
        self.detail_level = Some(level);
        self
    }

    /// `includeChartdata`.
    pub fn include_chartdata(mut self, include: bool) -> Self {
        self.include_chartdata = Some(include);
        self
    }

    /// `includeAttachments`.
    pub fn include_attachments(mut self, include: bool) -> Self {
        self.include_attachments = Some(include);
        self
    }
}

impl QueryParams for ReportOptions {
    const NAMES: &'static [&'static str] =
        &["detailLevel", "includeChartdata", "includeAttachments"];

    fn write_query(&self, q: &mut Query) {
        if let Some(level) = self.detail_level {
            q.push("detailLevel", &level.to_string());
        }
        q.push_opt("includeChartdata", self.include_chartdata.map(bool_str));
        q.push_opt("includeAttachments", self.include_attachments.map(bool_str));
    }
}

pub(crate) fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

calls! {
    /// Report calls, from `client.reports()`: get, query headers, submit.
    handle Reports, domain "reports";

    /// Load a report (`GET /api/Report/Wsjf/{id}`) with the server's default options.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no report has this id (see [`get_opt`](Self::get_opt));
    /// [`Error::Decode`] with the JSON path when the answer is not a report; status,
    /// transport and timeout errors; [`Error::InvalidInput`] for an empty id (nothing sent).
    fn get(id: &str) -> Report {
        GET "/api/Report/Wsjf/{id}";
        pywats "report.get_report";
        path [id];
        answer json;
        opt get_opt;
    }

    /// Like [`get`](Self::get), with options (`detailLevel`, `includeChartdata`,
    /// `includeAttachments`).
    ///
    /// # Errors
    /// As [`get`](Self::get).
    fn get_with(id: &str, options: ReportOptions) -> Report {
        GET "/api/Report/Wsjf/{id}";
        pywats "report.get_report(report_id, detail_level)";
        path [id];
        options options: ReportOptions;
        answer json;
    }

    /// Query report headers (`GET /api/Report/Query/Header`). An empty answer is an empty
    /// list.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn query_headers(query: &HeaderQuery) -> Vec<ReportHeader> {
        GET "/api/Report/Query/Header";
        pywats "report.query_headers (and query_uut_headers, query_uur_headers, get_headers_by_serial, get_headers_by_part_number, get_headers_by_date_range, get_recent_headers, get_todays_headers, query_headers_with_subunits, query_headers_by_subunit_part_number, query_headers_by_subunit_serial)";
        options query: HeaderQuery;
        answer list;
        helpers [query_headers_all, query_headers_iter, query_headers_stream];
    }

    /// Submit an already serialised WSJF report (`POST /api/Report/WSJF`), for example one
    /// replayed from a spool. Returns the report id the server gives back. POST is never
    /// retried automatically. The bytes are sent verbatim: the station is **not** filled in
    /// (use [`encode`](Self::encode) first).
    ///
    /// # Errors
    /// Status, transport and timeout errors; [`Error::Decode`] when the answer holds no id.
    fn submit_raw(wsjf: impl Into<Bytes>) -> String {
        POST "/api/Report/WSJF";
        pywats "report.submit_report, report.submit";
        body Body::raw_json(wsjf);
        answer with(submit_answer);
        helpers [submit, submit_or_spool];
    }

    /// One attachment of a report (`GET /api/Report/Attachment`), by attachment id (UUR)
    /// or step id (UUT): the raw bytes.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the report or attachment is unknown; status, transport and
    /// timeout errors.
    fn attachment(report_id: &str, attachment_id: Option<&str>, step_id: Option<i64>) -> Bytes {
        GET "/api/Report/Attachment";
        pywats "report.get_attachment";
        query ["reportId" = report_id, "attachmentId" = attachment_id, "stepId" = step_id];
        answer bytes;
    }

    /// Every attachment of a report as a zip archive (`GET /api/Report/Attachments/{id}`).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown report; status, transport and timeout errors.
    fn attachments_zip(id: &str) -> Bytes {
        GET "/api/Report/Attachments/{id}";
        pywats "report.get_all_attachments";
        path [id];
        answer bytes;
    }

    /// A report's certificate (`GET /api/Report/Certificate/{id}`): the raw bytes.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown report; status, transport and timeout errors.
    fn certificate(id: &str) -> Bytes {
        GET "/api/Report/Certificate/{id}";
        pywats "report.get_certificate";
        path [id];
        answer bytes;
    }

    /// A report as WSXF XML (`GET /api/Report/Wsxf/{id}`), with options.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown report; status, transport and timeout errors.
    fn get_wsxf(id: &str, options: WsxfOptions) -> Bytes {
        GET "/api/Report/Wsxf/{id}";
        pywats "report.get_report_xml";
        path [id];
        options options: WsxfOptions;
        answer bytes;
    }

    /// Submit a WSXF (XML) report (`POST /api/Report/WSXF`, `Content-Type:
    /// application/xml`), sent verbatim; returns the new report id. Never retried
    /// automatically.
    ///
    /// # Errors
    /// Status, transport and timeout errors; [`Error::Decode`] when the answer holds no id.
    fn submit_wsxf(xml: impl Into<Bytes>) -> String {
        POST "/api/Report/WSXF";
        pywats "report.submit_report_xml";
        body Body::raw(xml, "application/xml");
        answer with(submit_answer);
    }

    /// Report headers found by a misc info (`GET /api/Report/Query/HeaderByMiscInfo`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn headers_by_misc_info(query: &MiscInfoQuery) -> Vec<ReportHeader> {
        GET "/api/Report/Query/HeaderByMiscInfo";
        pywats "report.query_headers_by_misc_info";
        options query: MiscInfoQuery;
        answer list;
    }
}

/// The WSXF and misc-info options and the header pages (a child module, so it reaches the
/// handle's caller).
#[path = "reports_more.rs"]
mod more;
pub use more::{MiscInfoQuery, WsxfOptions};

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[Exception {
    method: "GET",
    template: "/api/Report/Query/Header",
    query: Some("reportType"),
    reason: "`U` (UUT) or `R` (UUR): the server answers test reports only without it; pyWATS \
             sends it on every header query",
}];

/// This domain's routes the mock leaves to `mockito` tests: none (the mock serves WSXF get
/// and submit, the attachments zip and the certificate statefully).
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];

/// The answer of `POST /api/Report/WSJF`: the id, logged inside the call's span (so the line
/// carries its correlation id).
fn submit_answer(answer: Result<crate::stack::Answer>) -> Result<String> {
    let answer = answer?;
    let id = parse_submit_id(answer.response.body())?;
    answer
        .span
        .in_scope(|| tracing::info!(report_id = %id, "report submitted"));
    Ok(id)
}

impl<'c, C: Caller> Reports<'c, C> {
    /// The WSJF bytes [`submit`](Self::submit) sends: `report` serialised with the client's
    /// station filled into its unset `machineName`, `location` and `purpose`. Use it to store
    /// a report for a later [`submit_raw`](Self::submit_raw). The report is cloned only when
    /// a member present as `null` or blank must be replaced.
    ///
    /// # Errors
    /// [`Error::Encode`] if the report cannot be serialised.
    pub fn encode(&self, report: &Report) -> Result<Bytes> {
        crate::station::encode_report(report, self.caller.http().station()).map(Bytes::from)
    }

    /// Submit a report (`POST /api/Report/WSJF`) and return the id the server gives back.
    /// Never retried automatically: resubmit explicitly (the report's own `id` makes a
    /// resubmission recognisable to the server).
    ///
    /// With [`ClientBuilder::spool_by_default`](crate::ClientBuilder::spool_by_default) on,
    /// this is [`submit_or_spool`](Self::submit_or_spool) returning just the id: a report
    /// WATS cannot take now (transport error, timeout, 5xx, open circuit) is spooled and its
    /// id returned as `Ok`; check the client's `spool()` for what is waiting. The client's
    /// [`station`](crate::Client::station) fills `machineName`, `location` and `purpose`
    /// where the report does not set them (absent, `null` or blank text); values the report
    /// sets are kept. The caller's report is not changed (see [`encode`](Self::encode)).
    ///
    /// # Errors
    /// [`Error::Encode`] if the report cannot be serialised; status, transport, timeout
    /// errors; [`Error::Decode`] when the answer holds no id. With spool by default, the
    /// errors of [`submit_or_spool`](Self::submit_or_spool).
    pub fn submit(&self, report: &Report) -> C::Ret<'c, String> {
        let http = self.caller.http();
        if http.spools_by_default() {
            return match crate::spool::prepare(report, http.station()) {
                Ok((id, body)) => self.caller.run(move |c| async move {
                    crate::spool::submit_or_spool(&c, body, id, post_wsjf)
                        .await
                        .map(crate::SubmitOutcome::into_id)
                }),
                Err(e) => self.caller.ready(Err(e)),
            };
        }
        match self.encode(report) {
            Ok(body) => self.submit_raw(body),
            Err(e) => self.caller.ready(Err(e)),
        }
    }

    /// Submit a report, or, when WATS cannot take it now, keep it durably in the spool.
    ///
    /// Tries `POST /api/Report/WSJF` once. On a connect or other transport error, a timeout,
    /// HTTP 5xx, 408 or 429, or an open circuit ([`Error::CircuitOpen`]) the report is written
    /// to the spool (the client's `spool()`) and [`SubmitOutcome::Spooled`] is returned: from
    /// then on it survives a crash, and a `flush` delivers it. A report without an id gets a
    /// fresh UUID first, so a replay overwrites instead of duplicating.
    ///
    /// # Errors
    /// A 4xx answer is returned as the error and nothing is spooled: the report (or the
    /// token) is bad and a replay would fail the same way. [`Error::InvalidInput`] when the
    /// report id cannot name a file; [`Error::Encode`] when the report cannot be serialised.
    /// When spooling fails too, an error carrying both causes (see
    /// [`SpoolFailed`](crate::SpoolFailed)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> wats_core::Result<()> {
    /// use wats_core::{Status, UutReportBuilder};
    /// use wats_http::{Client, SubmitOutcome};
    ///
    /// let server = wats_mock::MockServer::start();
    /// let dir = std::env::temp_dir().join(format!("wats-doc-spool-{}", std::process::id()));
    /// let client = Client::builder()
    ///     .base_url(server.url())
    ///     .token("dXNlcjpwYXNz")
    ///     .spool_dir(&dir)
    ///     .build()?;
    /// let report = UutReportBuilder::new("PCBA-1001", "SN-1", "B", 10)
    ///     .station("ST-1", "Line 1", "Production")
    ///     .result(Status::Passed)
    ///     .build()?;
    ///
    /// server.fail_next(1, 503); // WATS is having a bad moment
    /// let outcome = client.reports().submit_or_spool(&report).await?;
    /// assert!(matches!(outcome, SubmitOutcome::Spooled(_)));
    /// assert_eq!(client.spool().len().await?, 1);
    ///
    /// let summary = client.spool().flush().await?; // it is back
    /// assert_eq!(summary.delivered, [outcome.id()]);
    /// assert!(server.stored_report(outcome.id()).is_some());
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok(()) }
    /// ```
    pub fn submit_or_spool(&self, report: &Report) -> C::Ret<'c, SubmitOutcome> {
        match crate::spool::prepare(report, self.caller.http().station()) {
            Ok((id, body)) => self.caller.run(move |c| async move {
                crate::spool::submit_or_spool(&c, body, id, post_wsjf).await
            }),
            Err(e) => self.caller.ready(Err(e)),
        }
    }
}

/// The spool's poster: `POST /api/Report/WSJF` through [`Reports::submit_raw`] (the route is
/// declared once, in the table above).
pub(crate) fn post_wsjf(client: &Client, wsjf: Bytes) -> crate::spool::PostFuture<'_> {
    Box::pin(async move { client.reports().submit_raw(wsjf).await })
}
