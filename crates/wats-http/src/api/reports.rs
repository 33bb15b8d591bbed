//! Reports: `client.reports()`.

use bytes::Bytes;
use http::Method;
#[allow(unused_imports, reason = "the doc links name `Error`")]
use wats_core::Error;
use wats_core::{Report, ReportHeader, Result};

use crate::api::query::HeaderQuery;
use crate::client::{Client, not_found_as_none};
use crate::spool;
use crate::submit_id::parse_submit_id;
use crate::url::{Query, push_segment};

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

    fn to_query(self) -> Query {
        let mut q = Query::default();
        if let Some(level) = self.detail_level {
            q.push("detailLevel", &level.to_string());
        }
        q.push_opt("includeChartdata", self.include_chartdata.map(bool_str));
        q.push_opt("includeAttachments", self.include_attachments.map(bool_str));
        q
    }
}

pub(crate) fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// Report calls, from [`Client::reports`].
#[derive(Debug, Clone, Copy)]
pub struct Reports<'a> {
    pub(crate) client: &'a Client,
}

impl Client {
    /// Report calls: get, query headers, submit.
    pub fn reports(&self) -> Reports<'_> {
        Reports { client: self }
    }
}

impl Reports<'_> {
    /// Load a report (`GET /api/Report/Wsjf/{id}`) with the server's default options.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no report has this id (see
    /// [`get_opt`](Self::get_opt)); [`Error::Decode`] with the JSON path when the
    /// answer is not a report; status, transport and timeout errors.
    pub async fn get(&self, id: &str) -> Result<Report> {
        self.get_with(id, ReportOptions::new()).await
    }

    /// Like [`get`](Self::get), with options (`detailLevel`, `includeChartdata`,
    /// `includeAttachments`).
    ///
    /// # Errors
    /// As [`get`](Self::get).
    pub async fn get_with(&self, id: &str, options: ReportOptions) -> Result<Report> {
        let mut path = String::from("/api/Report/Wsjf");
        push_segment(&mut path, id, "id")?;
        self.client
            .get_json("/api/Report/Wsjf/{id}", &path, options.to_query().as_str())
            .await
    }

    /// Like [`get`](Self::get), but a 404 is `Ok(None)`.
    ///
    /// # Errors
    /// As [`get`](Self::get), except [`Error::NotFound`].
    pub async fn get_opt(&self, id: &str) -> Result<Option<Report>> {
        not_found_as_none(self.get(id).await)
    }

    /// Query report headers (`GET /api/Report/Query/Header`). An empty answer is an
    /// empty list.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    pub async fn query_headers(&self, query: &HeaderQuery) -> Result<Vec<ReportHeader>> {
        self.client
            .get_list(
                "/api/Report/Query/Header",
                "/api/Report/Query/Header",
                query.to_query().as_str(),
            )
            .await
    }

    /// Submit a report (`POST /api/Report/WSJF`) and return the id the server
    /// gives back. Never retried automatically: resubmit explicitly (the report's
    /// own `id` makes a resubmission recognisable to the server).
    ///
    /// With [`ClientBuilder::spool_by_default`](crate::ClientBuilder::spool_by_default)
    /// on, this is [`submit_or_spool`](Self::submit_or_spool) returning just the id: a
    /// report WATS cannot take now (transport error, timeout, 5xx, open circuit) is
    /// spooled and its id returned as `Ok`; check [`Client::spool`] for what is waiting.
    /// The client's [`station`](Client::station) fills `machineName`, `location`
    /// and `purpose` where the report does not set them (absent, `null` or blank
    /// text); values the report sets are kept. The caller's report is not
    /// changed (see [`encode`](Self::encode)).
    ///
    /// # Errors
    /// [`Error::Encode`] if the report cannot be serialised; status, transport,
    /// timeout errors; [`Error::Decode`] when the answer holds no id. With spool by
    /// default, the errors of [`submit_or_spool`](Self::submit_or_spool).
    pub async fn submit(&self, report: &Report) -> Result<String> {
        if self.client.spools_by_default() {
            return self
                .submit_or_spool(report)
                .await
                .map(crate::SubmitOutcome::into_id);
        }
        let body = self.encode(report)?;
        self.submit_raw(body).await
    }

    /// The WSJF bytes [`submit`](Self::submit) sends: `report` serialised with
    /// the client's station filled into its unset `machineName`, `location` and
    /// `purpose`. Use it to store a report for a later
    /// [`submit_raw`](Self::submit_raw). The report is cloned only when a member
    /// present as `null` or blank must be replaced.
    ///
    /// # Errors
    /// [`Error::Encode`] if the report cannot be serialised.
    pub fn encode(&self, report: &Report) -> Result<Bytes> {
        crate::station::encode_report(report, self.client.station()).map(Bytes::from)
    }

    /// Submit an already serialised WSJF report (`POST /api/Report/WSJF`), for
    /// example one replayed from a spool. Returns the report id the server gives
    /// back. POST is never retried automatically. The bytes are sent verbatim:
    /// the station is **not** filled in (use [`encode`](Self::encode) first).
    ///
    /// # Errors
    /// Status, transport and timeout errors; [`Error::Decode`] when the answer holds
    /// no id.
    pub async fn submit_raw(&self, wsjf: impl Into<Bytes>) -> Result<String> {
        let answer = self
            .client
            .send_in_span(
                Method::POST,
                "/api/Report/WSJF",
                "/api/Report/WSJF",
                "",
                Some(wsjf.into()),
            )
            .await?;
        let id = parse_submit_id(answer.response.body())?;
        // Inside the call's `wats.call` span, so the line carries its correlation id.
        answer
            .span
            .in_scope(|| tracing::info!(report_id = %id, "report submitted"));
        Ok(id)
    }
}

impl Reports<'_> {
    /// Submit a report, or, when WATS cannot take it now, keep it durably in the spool.
    ///
    /// Tries `POST /api/Report/WSJF` once. When the answer is not the report's fault (the
    /// [`Spool::Keep`](crate::failure::Spool::Keep) rows of the [failure
    /// table](crate::failure): a transport error, a timeout, HTTP 5xx, 408 or 429, an open
    /// circuit ([`Error::CircuitOpen`]), and the set-up failures 401, 403, 404 and 407) the
    /// report is written to the spool ([`Client::spool`]) and
    /// [`SubmitOutcome::Spooled`](crate::SubmitOutcome::Spooled) is returned: from then on
    /// it survives a crash, and a [`flush`](crate::SpoolHandle::flush) delivers it once the
    /// server (or the token) is back. A report without an id gets a fresh UUID first, so a
    /// replay overwrites instead of duplicating.
    ///
    /// # Errors
    /// Another 4xx answer (the report is bad; a replay would fail the same way) is returned
    /// as the error and nothing is spooled. [`Error::InvalidInput`] when the report id
    /// cannot name a file; [`Error::Encode`] when the report cannot be serialised. When
    /// spooling fails too, an [`Error::Spool`] carrying both causes (see
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
    pub async fn submit_or_spool(&self, report: &Report) -> Result<crate::SubmitOutcome> {
        let (id, body) = spool::prepare(report, self.client.station())?;
        spool::submit_or_spool(self.client, body, id, post_wsjf).await
    }
}

/// The spool's poster: `POST /api/Report/WSJF` through [`Reports::submit_raw`].
fn post_wsjf(client: &Client, wsjf: Bytes) -> spool::PostFuture<'_> {
    Box::pin(async move { client.reports().submit_raw(wsjf).await })
}

impl Client {
    /// The report spool: what [`Reports::submit_or_spool`] writes and
    /// [`SpoolHandle::flush`](crate::SpoolHandle::flush) replays.
    pub fn spool(&self) -> crate::SpoolHandle<'_> {
        crate::SpoolHandle::new(self, post_wsjf)
    }

    /// Whether [`Reports::submit`] spools on a transient failure (set with
    /// [`ClientBuilder::spool_by_default`](crate::ClientBuilder::spool_by_default)).
    pub fn spools_by_default(&self) -> bool {
        self.shared().spool.by_default()
    }
}
