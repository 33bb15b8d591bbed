//! Reports: `client.reports()`.

use bytes::Bytes;
use http::Method;
use wats_core::{Error, Report, ReportHeader, Result};

use crate::api::query::HeaderQuery;
use crate::client::{Client, not_found_as_none};
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

/// The report id in a submit answer: a list's first element, an object's `ID`,
/// `id` or `uuid`, or a scalar.
pub(crate) fn parse_submit_id(body: &[u8]) -> Result<String> {
    let value: serde_json::Value = wats_core::json::from_slice(body)?;
    fn scalar(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    fn from_value(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::Array(items) => items.first().and_then(from_value),
            serde_json::Value::Object(map) => ["ID", "id", "uuid"]
                .iter()
                .find_map(|k| map.get(*k).and_then(scalar)),
            other => scalar(other),
        }
    }
    from_value(&value).ok_or_else(|| Error::Decode {
        target: "report id",
        path: ".".to_owned(),
        message: "the submit answer holds no report id (list, `ID`, `id`, `uuid` or scalar)"
            .to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_id_forms() {
        for (body, want) in [
            (&br#"["a1"]"#[..], "a1"),
            (br#"[{"ID":"a2"}]"#, "a2"),
            (br#"{"ID":"a3","id":"x"}"#, "a3"),
            (br#"{"id":"a4"}"#, "a4"),
            (br#"{"uuid":"a5"}"#, "a5"),
            (br#""a6""#, "a6"),
            (b"42", "42"),
        ] {
            assert_eq!(parse_submit_id(body).unwrap(), want);
        }
        for bad in [&b"[]"[..], b"{}", b"null", b"\"\"", b"not json"] {
            assert!(matches!(parse_submit_id(bad), Err(Error::Decode { .. })));
        }
    }
}
