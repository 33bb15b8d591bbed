//! The `rootcause` domain's routes and state in the mock: tickets keep their comments (the
//! `update` of a create or update call joins `history`), attachments keep their bytes.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use chrono::{SecondsFormat, Utc};
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Reply, Req, Served};

/// This domain's state.
#[derive(Debug, Default)]
pub(crate) struct State {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    tickets: Vec<Map<String, Value>>,
    /// Attachment id -> (file name, bytes).
    attachments: HashMap<String, (String, Bytes)>,
}

/// The routes this module serves.
#[rustfmt::skip]
pub(crate) static ROUTES: &[Served] = &[
    Served { method: "GET", template: "/api/RootCause/Ticket", handler: get },
    Served { method: "POST", template: "/api/RootCause/Ticket", handler: create },
    Served { method: "PUT", template: "/api/RootCause/Ticket", handler: update },
    Served { method: "GET", template: "/api/RootCause/Tickets", handler: list },
    Served { method: "POST", template: "/api/RootCause/ArchiveTickets", handler: archive },
    Served { method: "GET", template: "/api/RootCause/Attachment", handler: download },
    Served { method: "POST", template: "/api/RootCause/Attachment", handler: upload },
];

fn lock<'a>(req: &Req<'a>) -> MutexGuard<'a, Inner> {
    req.store
        .domains
        .rootcause
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn id_of(t: &Map<String, Value>) -> &str {
    t.get("ticketId").and_then(Value::as_str).unwrap_or("")
}

/// The ticket as the server answers it: no `assignee` (the real server leaves it out).
fn view(t: &Map<String, Value>) -> Value {
    let mut t = t.clone();
    t.remove("assignee");
    Value::Object(t)
}

fn get(req: &Req<'_>) -> Reply {
    let Some(id) = req.q("ticketId") else {
        return Reply::bad_request("'ticketId' is required.");
    };
    let inner = lock(req);
    match inner
        .tickets
        .iter()
        .find(|t| id_of(t).eq_ignore_ascii_case(&id))
    {
        Some(t) => Reply::json(&view(t)),
        None => Reply::not_found("Ticket not found."),
    }
}

fn body(req: &Req<'_>) -> Result<Map<String, Value>, Reply> {
    match req.json()? {
        Value::Object(m) => Ok(m),
        _ => Err(Reply::bad_request("A ticket object is expected.")),
    }
}

/// Move the `update` of a request into `history`, stamped.
fn take_update(t: &mut Map<String, Value>, kind_default: i64) {
    if let Some(Value::Object(mut u)) = t.remove("update") {
        u.insert("updateId".into(), json!(uuid::Uuid::new_v4().to_string()));
        u.insert("updateUtc".into(), json!(now()));
        u.insert("updateUser".into(), json!("mock"));
        u.entry("updateType").or_insert(json!(kind_default));
        if let Some(Value::Array(h)) = t.get_mut("history") {
            h.push(Value::Object(u));
        } else {
            t.insert("history".into(), json!([u]));
        }
    }
}

fn create(req: &Req<'_>) -> Reply {
    let mut t = match body(req) {
        Ok(t) => t,
        Err(e) => return e,
    };
    if t.get("subject")
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        return Reply::bad_request("'subject' is required.");
    }
    let mut inner = lock(req);
    t.insert("ticketId".into(), json!(uuid::Uuid::new_v4().to_string()));
    t.insert("ticketNumber".into(), json!(inner.tickets.len() + 1));
    t.entry("status").or_insert(json!(1));
    t.entry("priority").or_insert(json!(1));
    t.insert("createdUtc".into(), json!(now()));
    t.insert("updatedUtc".into(), json!(now()));
    t.insert("history".into(), json!([]));
    take_update(&mut t, 0);
    let answer = view(&t);
    inner.tickets.push(t);
    Reply::json(&answer)
}

fn update(req: &Req<'_>) -> Reply {
    let mut new = match body(req) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let mut inner = lock(req);
    let id = id_of(&new).to_owned();
    let Some(old) = inner
        .tickets
        .iter_mut()
        .find(|t| id_of(t).eq_ignore_ascii_case(&id))
    else {
        return Reply::not_found("Ticket not found.");
    };
    // The history is the server's: a client cannot rewrite it, only add its `update`.
    new.insert(
        "history".into(),
        old.get("history").cloned().unwrap_or(json!([])),
    );
    for k in ["ticketNumber", "createdUtc"] {
        if let Some(v) = old.get(k) {
            new.insert(k.into(), v.clone());
        }
    }
    if new.get("status") != old.get("status") {
        new.insert("history".into(), {
            let mut h = new.get("history").cloned().unwrap_or(json!([]));
            if let Value::Array(a) = &mut h {
                a.push(json!({
                    "updateId": uuid::Uuid::new_v4().to_string(), "updateUtc": now(),
                    "updateUser": "mock", "updateType": 2,
                    "content": format!("Status: {}", new.get("status").unwrap_or(&Value::Null)),
                }));
            }
            h
        });
    }
    new.insert("updatedUtc".into(), json!(now()));
    take_update(&mut new, 0);
    *old = new;
    Reply::json(&view(old))
}

fn list(req: &Req<'_>) -> Reply {
    let (Some(status), Some(_view)) = (req.q("status"), req.q("view")) else {
        return Reply::bad_request("'status' and 'view' are required.");
    };
    let Ok(flags) = status.parse::<i64>() else {
        return Reply::bad_request("'status' is not an integer.");
    };
    let search = req.q("searchString").map(|s| s.to_ascii_lowercase());
    let inner = lock(req);
    let rows: Vec<Value> = inner
        .tickets
        .iter()
        .filter(|t| t.get("status").and_then(Value::as_i64).unwrap_or(0) & flags != 0)
        .filter(|t| {
            search.as_deref().is_none_or(|s| {
                let subject = t.get("subject").and_then(Value::as_str).unwrap_or("");
                subject.to_ascii_lowercase().contains(s)
                    || t.get("tags")
                        .is_some_and(|tags| tags.to_string().to_ascii_lowercase().contains(s))
            })
        })
        .map(view)
        .collect();
    Reply::json(&Value::Array(rows))
}

fn archive(req: &Req<'_>) -> Reply {
    let ids: Vec<String> = match req.json() {
        Ok(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Ok(_) => return Reply::bad_request("An array of ticket ids is expected."),
        Err(e) => return e,
    };
    let mut inner = lock(req);
    for t in &mut inner.tickets {
        if ids.iter().any(|id| id.eq_ignore_ascii_case(id_of(t))) {
            t.insert("status".into(), json!(32));
        }
    }
    Reply::empty(StatusCode::OK)
}

fn download(req: &Req<'_>) -> Reply {
    let Some(id) = req.q("attachmentId") else {
        return Reply::bad_request("'attachmentId' is required.");
    };
    let inner = lock(req);
    match inner.attachments.get(id.as_ref()) {
        Some((_, bytes)) => Reply::bytes(bytes.clone(), "application/octet-stream"),
        None => Reply::not_found("Attachment not found."),
    }
}

/// The first file part of a `multipart/form-data` body: (file name, bytes).
pub(crate) fn first_file(content_type: &str, body: &[u8]) -> Option<(String, Bytes)> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delim = format!("--{boundary}");
    let start = find(body, delim.as_bytes())? + delim.len();
    let part = &body[start..];
    let head_end = find(part, b"\r\n\r\n")?;
    let head = std::str::from_utf8(&part[..head_end]).ok()?;
    let name = head
        .split(';')
        .find_map(|p| p.trim().strip_prefix("filename="))?
        .lines()
        .next()?
        .trim_matches('"')
        .to_owned();
    let content = &part[head_end + 4..];
    let end = find(content, format!("\r\n{delim}").as_bytes())?;
    Some((name, Bytes::copy_from_slice(&content[..end])))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn upload(req: &Req<'_>) -> Reply {
    let ct = req
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.starts_with("multipart/form-data") {
        return Reply::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "A multipart/form-data body is expected.",
        );
    }
    let Some((name, bytes)) = first_file(ct, &req.body) else {
        return Reply::bad_request("No file part in the form.");
    };
    let id = uuid::Uuid::new_v4().to_string();
    lock(req).attachments.insert(id.clone(), (name, bytes));
    Reply::json(&json!(id))
}
