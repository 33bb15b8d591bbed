//! Per-request handling: counting, latency, faults, auth, routing, answers.

use std::convert::Infallible;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use crate::body::MockBody;
use crate::counters::LiveCounters;
use crate::domains::{self, Found};
use crate::faults::{FaultAction, Faults, RetryAfter};
use crate::odata;
use crate::routes::{self, Matched, Params, Route};
use crate::store::{HEADER_FIELDS, PRODUCT_FIELDS, Store, StoredReport};

/// The version string `GET /api/App/Version` answers with.
pub const SERVER_VERSION: &str = "2025.1.0.0";

/// Largest accepted request body (64 MiB); larger bodies get 413.
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;

/// The exact 401 message of the real server.
pub(crate) const DENIED: &str = "Authorization has been denied for this request.";

/// Largest `$top` the header query accepts.
const MAX_TOP: usize = 10_000;

const JSON: HeaderValue = HeaderValue::from_static("application/json; charset=utf-8");

/// State shared by the handle, the accept loop and every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) counters: LiveCounters,
    pub(crate) faults: Faults,
    pub(crate) latency_nanos: AtomicU64,
    pub(crate) gzip: AtomicBool,
    /// The full expected `Authorization` value (`"Basic <token>"`).
    pub(crate) auth: Option<HeaderValue>,
    /// Bumped by `close_idle_connections()`.
    pub(crate) close_idle: watch::Sender<u64>,
}

/// Per-connection state: how many requests are being handled right now.
#[derive(Debug, Default)]
pub(crate) struct ConnState {
    busy: AtomicUsize,
}

impl ConnState {
    pub(crate) fn is_idle(&self) -> bool {
        self.busy.load(Relaxed) == 0
    }
}

struct BusyGuard<'a>(&'a ConnState);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Relaxed);
    }
}

/// An answer before it becomes a `Response`.
struct Answer {
    status: StatusCode,
    body: Bytes,
    allow: Option<&'static str>,
    /// `None` is JSON.
    content_type: Option<&'static str>,
}

impl Answer {
    fn ok(body: Bytes) -> Answer {
        Answer {
            status: StatusCode::OK,
            body,
            allow: None,
            content_type: None,
        }
    }

    fn error(status: StatusCode, message: &str) -> Answer {
        Answer {
            status,
            body: message_body(message),
            allow: None,
            content_type: None,
        }
    }
}

fn message_body(message: &str) -> Bytes {
    Bytes::from(serde_json::to_vec(&json!({ "message": message })).unwrap_or_default())
}

fn bad_request(message: &str) -> Answer {
    Answer::error(StatusCode::BAD_REQUEST, message)
}

fn not_found(message: &str) -> Answer {
    Answer::error(StatusCode::NOT_FOUND, message)
}

/// Handles one request. Never fails: every problem is an HTTP answer.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    conn: Arc<ConnState>,
    req: Request<Incoming>,
) -> Result<Response<MockBody>, Infallible> {
    conn.busy.fetch_add(1, Relaxed);
    let _busy = BusyGuard(&conn);

    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    let path_and_query = parts.uri.path_and_query().map_or(path, |pq| pq.as_str());
    let domain = domains::find(&parts.method, path);
    let matched = match domain {
        Found::Route(..) => Matched::NotFound,
        _ => routes::match_route(&parts.method, path),
    };
    let route = match &matched {
        Matched::Route(r, _) => Some(*r),
        _ => None,
    };
    let domain_route = match &domain {
        Found::Route(served, _) => Some(served.template),
        _ => None,
    };
    shared.counters.record(
        &parts.method,
        path,
        path_and_query,
        route,
        domain_route,
        &parts.headers,
    );

    let latency = shared.latency_nanos.load(Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_nanos(latency)).await;
    }

    let mut post_fault = None;
    if let Some(chosen) = shared.faults.take(path) {
        match chosen.action {
            FaultAction::Status(code) => {
                let status =
                    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let msg = format!("Injected fault: {status}");
                return Ok(respond(
                    Answer::error(status, &msg),
                    chosen.retry_after,
                    false,
                ));
            }
            FaultAction::Hang => shared.faults.released(chosen.generation).await,
            other => post_fault = Some(other),
        }
    }

    if let Some(expected) = &shared.auth {
        if parts.headers.get(header::AUTHORIZATION) != Some(expected) {
            return Ok(respond(
                Answer::error(StatusCode::UNAUTHORIZED, DENIED),
                None,
                false,
            ));
        }
    }

    let gzip = shared.gzip.load(Relaxed) && accepts_gzip(&parts.headers);
    let query = parts.uri.query().unwrap_or("");
    let answer = match (domain, matched) {
        (Found::Route(served, params), _) => {
            // A streamed upload route counts (and keeps only a small) body as it reads.
            let (body, received) = if domains::software::streams_upload(served) {
                match domains::software::receive(&parts.headers, body).await {
                    Ok(r) => (r.kept.clone().unwrap_or_default(), Some(r)),
                    Err(reply) => return Ok(respond(reply.into(), None, false)),
                }
            } else {
                match read_body(body).await {
                    Ok(b) => (b, None),
                    Err(answer) => return Ok(respond(answer, None, false)),
                }
            };
            let req = domains::Req {
                store: &shared.store,
                params,
                query,
                body,
                received,
                headers: &parts.headers,
            };
            let reply = (served.handler)(&req);
            if let Some(content) = reply.stream {
                let cut = post_fault == Some(FaultAction::CloseMidResponse);
                return Ok(streamed(reply.status, reply.content_type, content, cut));
            }
            Answer {
                status: reply.status,
                body: reply.body,
                allow: None,
                content_type: reply.content_type,
            }
        }
        (Found::BadPath, _) => bad_request("A path segment is not valid percent-encoded UTF-8."),
        (Found::MethodNotAllowed, Matched::NotFound) => Answer {
            allow: None,
            ..Answer::error(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!(
                    "The requested resource does not support http method '{}'.",
                    parts.method
                ),
            )
        },
        (_, Matched::Route(route, params)) => {
            dispatch(&shared.store, route, &params, query, body).await
        }
        (_, Matched::MethodNotAllowed(route)) => Answer {
            allow: Some(if route.method() == http::Method::POST {
                "POST"
            } else {
                "GET"
            }),
            ..Answer::error(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!(
                    "The requested resource does not support http method '{}'.",
                    parts.method
                ),
            )
        },
        (_, Matched::BadPath) => bad_request("A path segment is not valid percent-encoded UTF-8."),
        (_, Matched::NotFound) => not_found(&format!(
            "No HTTP resource was found that matches the request URI '{path_and_query}'."
        )),
    };

    Ok(match post_fault {
        Some(FaultAction::CloseMidResponse) => {
            let mut resp = Response::new(MockBody::broken(&answer.body));
            *resp.status_mut() = answer.status;
            resp.headers_mut().insert(header::CONTENT_TYPE, JSON);
            resp.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(answer.body.len()));
            resp
        }
        Some(FaultAction::MalformedJson) => respond(
            Answer::ok(Bytes::from_static(
                b"{\"message\": \"wats-mock malformed answer\", \"items\": [1, 2,",
            )),
            None,
            gzip,
        ),
        _ => respond(answer, None, gzip),
    })
}

fn accepts_gzip(headers: &http::HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|enc| {
            let mut parts = enc.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q_zero = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !q_zero
        })
}

fn gzip_bytes(b: &[u8]) -> Option<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(b.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    enc.write_all(b).ok()?;
    enc.finish().ok().map(Bytes::from)
}

/// A generated body, sent chunk by chunk (never gzipped: it is never held whole). `cut`
/// (the close-mid-response fault): the connection drops after half of the chunks.
fn streamed(
    status: StatusCode,
    content_type: Option<&'static str>,
    content: crate::body::Generated,
    cut: bool,
) -> Response<MockBody> {
    let len = content.len;
    let cut_at = cut.then(|| content.chunks() / 2);
    let mut resp = Response::new(MockBody::Generated {
        content,
        next: 0,
        cut_at,
    });
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        content_type.map_or(JSON, HeaderValue::from_static),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

impl From<domains::Reply> for Answer {
    fn from(reply: domains::Reply) -> Answer {
        Answer {
            status: reply.status,
            body: reply.body,
            allow: None,
            content_type: reply.content_type,
        }
    }
}

fn respond(answer: Answer, retry_after: Option<RetryAfter>, gzip: bool) -> Response<MockBody> {
    let mut body = answer.body;
    let mut gzipped = false;
    if gzip && !body.is_empty() {
        if let Some(z) = gzip_bytes(&body) {
            body = z;
            gzipped = true;
        }
    }
    let mut resp = Response::new(MockBody::full(body));
    *resp.status_mut() = answer.status;
    let h = resp.headers_mut();
    match answer.content_type {
        Some(ct) => h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct)),
        None => h.insert(header::CONTENT_TYPE, JSON),
    };
    if gzipped {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    if let Some(allow) = answer.allow {
        h.insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    if let Some(ra) = retry_after {
        if let Ok(v) = HeaderValue::from_str(&ra.header_value()) {
            h.insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

async fn dispatch(
    store: &Store,
    route: Route,
    params: &Params<'_>,
    query: &str,
    body: Incoming,
) -> Answer {
    match route {
        Route::Version => Answer::ok(Bytes::from(
            serde_json::to_vec(SERVER_VERSION).unwrap_or_default(),
        )),
        Route::Processes => processes(store, query),
        Route::ProductQuery => product_query(store, query),
        Route::Product => match store.catalog.product(&params.first) {
            Some(p) => Answer::ok(p.full.clone()),
            None => not_found(&format!("Product '{}' was not found.", params.first)),
        },
        Route::ProductRevision => {
            let rev = store.catalog.product(&params.first).and_then(|p| {
                p.revisions
                    .iter()
                    .find(|(r, _)| r.eq_ignore_ascii_case(&params.second))
            });
            match rev {
                Some((_, b)) => Answer::ok(b.clone()),
                None => not_found(&format!(
                    "Product revision '{}' '{}' was not found.",
                    params.first, params.second
                )),
            }
        }
        Route::Unit => match store.unit(&params.first, &params.second) {
            Some(b) => Answer::ok(b),
            None => not_found(&format!(
                "Unit '{}' with part number '{}' was not found.",
                params.first, params.second
            )),
        },
        Route::ReportHeaderQuery => header_query(store, query),
        Route::SubmitWsjf => {
            let body = match read_body(body).await {
                Ok(b) => b,
                Err(answer) => return answer,
            };
            match store.submit(body) {
                Ok((id, number)) => Answer::ok(Bytes::from(
                    serde_json::to_vec(&json!({"ID": id, "uuid": id, "Report_ID": number}))
                        .unwrap_or_default(),
                )),
                Err(rejected) => bad_request(&rejected.0),
            }
        }
        Route::GetWsjf => match store.report(&params.first) {
            Some(b) => Answer::ok(b),
            None => not_found(&format!("Report '{}' was not found.", params.first)),
        },
    }
}

/// Read a request body of at most [`MAX_BODY`] bytes.
async fn read_body(body: Incoming) -> Result<Bytes, Answer> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(Answer::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is too large.",
        )),
        Err(_) => Err(bad_request("The request body could not be read.")),
    }
}

fn parse_bool(k: &str, v: &str) -> Result<bool, Answer> {
    if v.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if v.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(bad_request(&format!(
            "The value '{v}' is not valid for {k} (expected true or false)."
        )))
    }
}

fn processes(store: &Store, query: &str) -> Answer {
    let mut flags = 0;
    for (k, v) in routes::query_pairs(query) {
        let bit = match k.to_ascii_lowercase().as_str() {
            "includetestoperations" => 1,
            "includerepairoperations" => 2,
            "includewipoperations" => 4,
            "includeinactiveprocesses" => 8,
            _ => continue,
        };
        match parse_bool(&k, &v) {
            Ok(true) => flags |= bit,
            Ok(false) => {}
            Err(a) => return a,
        }
    }
    Answer::ok(store.processes(flags))
}

fn parse_usize(k: &str, v: &str) -> Result<usize, Answer> {
    v.trim().parse().map_err(|_| {
        bad_request(&format!(
            "The query specified in the URI is not valid. Invalid value '{v}' for {k}."
        ))
    })
}

fn odata_error(detail: &str) -> Answer {
    bad_request(&format!(
        "The query specified in the URI is not valid. {detail}"
    ))
}

/// Parses `$orderby` (`"start desc, uuid"`) against allowed fields.
fn parse_orderby(v: &str, fields: &[&'static str]) -> Result<Vec<(&'static str, bool)>, Answer> {
    let mut out = Vec::new();
    for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let mut words = item.split_whitespace();
        let name = words.next().unwrap_or("");
        let desc = match words.next() {
            None => false,
            Some(d) if d.eq_ignore_ascii_case("asc") => false,
            Some(d) if d.eq_ignore_ascii_case("desc") => true,
            Some(d) => return Err(odata_error(&format!("Invalid $orderby direction '{d}'."))),
        };
        let Some(field) = fields.iter().find(|f| f.eq_ignore_ascii_case(name)) else {
            return Err(odata_error(&format!(
                "$orderby is not supported on '{name}'."
            )));
        };
        out.push((*field, desc));
    }
    Ok(out)
}

fn product_query(store: &Store, query: &str) -> Answer {
    if query.is_empty() {
        return Answer::ok(store.catalog.all_views.clone());
    }
    let (mut filter, mut top, mut skip, mut order) = (None, None, 0, Vec::new());
    for (k, v) in routes::query_pairs(query) {
        let r = match k.as_ref() {
            "$filter" => odata::parse(&v, PRODUCT_FIELDS)
                .map(|e| filter = Some(e))
                .map_err(|d| odata_error(&d)),
            "$top" => parse_usize(&k, &v).map(|n| top = Some(n)),
            "$skip" => parse_usize(&k, &v).map(|n| skip = n),
            "$orderby" => parse_orderby(&v, PRODUCT_FIELDS).map(|o| order = o),
            _ => Ok(()),
        };
        if let Err(a) = r {
            return a;
        }
    }
    let top = top.unwrap_or(if filter.is_some() { usize::MAX } else { 1000 });
    let mut rows: Vec<&Map<String, Value>> = store
        .catalog
        .products
        .iter()
        .map(|p| &p.view)
        .filter(|v| filter.as_ref().is_none_or(|f| odata::eval(f, v)))
        .collect();
    if !order.is_empty() {
        rows.sort_by(|a, b| {
            order
                .iter()
                .map(|(f, desc)| {
                    let o = odata::order_values(a.get(*f), b.get(*f));
                    if *desc { o.reverse() } else { o }
                })
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    let rows: Vec<_> = rows.into_iter().skip(skip).take(top).collect();
    Answer::ok(Bytes::from(serde_json::to_vec(&rows).unwrap_or_default()))
}

const ORDERABLE: &[&str] = &["start", "uuid", "serialNumber", "timeStamp"];
const EXPANDABLE: &[&str] = &[
    "subUnits",
    "miscInfo",
    "assets",
    "attachments",
    "uurSubUnits",
    "uurMiscInfo",
    "uurAttachments",
];

fn header_query(store: &Store, query: &str) -> Answer {
    let mut report_type = None;
    let (mut filter, mut top, mut skip) = (None, 10, 0);
    let mut order = vec![("start", true)];
    let mut expand: Vec<&'static str> = Vec::new();
    for (k, v) in routes::query_pairs(query) {
        let r = match k.as_ref() {
            "$filter" => odata::parse(&v, HEADER_FIELDS)
                .map(|e| filter = Some(e))
                .map_err(|d| odata_error(&d)),
            "$top" => parse_usize(&k, &v).and_then(|n| {
                if n > MAX_TOP {
                    Err(odata_error(&format!(
                        "The limit of '{MAX_TOP}' for Top query has been exceeded."
                    )))
                } else {
                    top = n;
                    Ok(())
                }
            }),
            "$skip" => parse_usize(&k, &v).map(|n| skip = n),
            "$orderby" => parse_orderby(&v, ORDERABLE).map(|o| {
                if !o.is_empty() {
                    order = o;
                }
            }),
            "$expand" => v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .try_for_each(|name| {
                    match EXPANDABLE.iter().find(|e| e.eq_ignore_ascii_case(name)) {
                        Some(e) => {
                            expand.push(e);
                            Ok(())
                        }
                        None => Err(odata_error(&format!("Cannot expand '{name}'."))),
                    }
                }),
            key if key.eq_ignore_ascii_case("reportType") => match v.as_ref() {
                "U" | "u" => {
                    report_type = Some(b'T');
                    Ok(())
                }
                "R" | "r" => {
                    report_type = Some(b'R');
                    Ok(())
                }
                other => Err(bad_request(&format!(
                    "The value '{other}' is not valid for reportType (expected U or R)."
                ))),
            },
            _ => Ok(()),
        };
        if let Err(a) = r {
            return a;
        }
    }
    let Some(report_type) = report_type else {
        return bad_request(
            "The reportType parameter is required: U (UUT reports) or R (UUR reports).",
        );
    };
    let mut rows = store.matching_reports(report_type, filter.as_ref());
    rows.sort_by(|a, b| {
        order
            .iter()
            .map(|(f, desc)| {
                let o = if *f == "start" {
                    a.start.cmp(&b.start)
                } else {
                    odata::order_values(a.header.get(*f), b.header.get(*f))
                };
                if *desc { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or_else(|| b.time_stamp.cmp(&a.time_stamp))
    });
    let rows = rows.iter().skip(skip).take(top);
    Answer::ok(if expand.is_empty() {
        join_headers(rows)
    } else {
        let out: Vec<Map<String, Value>> = rows.map(|r| expanded(r, &expand)).collect();
        Bytes::from(serde_json::to_vec(&out).unwrap_or_default())
    })
}

fn join_headers<'a>(rows: impl Iterator<Item = &'a Arc<StoredReport>>) -> Bytes {
    let mut out = Vec::with_capacity(1024);
    out.push(b'[');
    for (i, r) in rows.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&r.header_json);
    }
    out.push(b']');
    Bytes::from(out)
}

fn expanded(r: &StoredReport, expand: &[&'static str]) -> Map<String, Value> {
    let mut h = r.header.clone();
    for key in expand {
        let v = r
            .expand
            .get(*key)
            .cloned()
            .unwrap_or_else(|| Value::Array(Vec::new()));
        h.insert((*key).to_owned(), v);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_negotiation() {
        let r = |v: &str| {
            Request::builder()
                .header(header::ACCEPT_ENCODING, v)
                .body(())
                .unwrap()
        };
        assert!(accepts_gzip(r("gzip").headers()));
        assert!(accepts_gzip(r("br, GZIP;q=0.5").headers()));
        assert!(!accepts_gzip(r("gzip;q=0").headers()));
        assert!(!accepts_gzip(r("deflate, br").headers()));
    }

    #[test]
    fn orderby_parsing() {
        assert!(parse_orderby("start desc, uuid", ORDERABLE).is_ok());
        assert!(parse_orderby("Start DESC", ORDERABLE).is_ok());
        assert!(parse_orderby("result", ORDERABLE).is_err());
        assert!(parse_orderby("start sideways", ORDERABLE).is_err());
    }
}
