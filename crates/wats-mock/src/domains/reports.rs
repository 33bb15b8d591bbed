//! The `reports` domain's routes in the mock: one attachment of a stored report (by step id
//! or attachment id / name, decoded from the WSJF's base64), all of them as a zip, the
//! certificate, the header search by misc info, and WSXF: submit (stored as WSJF too, so it
//! shows in header queries) and get (the submitted XML, or a WSJF report written as WSXF).
//! (WSJF submit, get and the header query are built in.)

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use bytes::Bytes;
use http::StatusCode;
use serde_json::{Value, json};

use super::{Reply, Req, Served};

#[path = "reports_files.rs"]
mod files;
#[path = "reports_wsxf.rs"]
mod wsxf;

/// This domain's state.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The XML of reports submitted as WSXF and the WSJF stored for each, by lower-case
    /// hyphenated id. The XML is answered only while the store still holds that WSJF (a
    /// later WSJF submission of the same id replaces the report).
    wsxf: Mutex<HashMap<String, (Bytes, Bytes)>>,
}

/// The store's key of a report id (a GUID in any case).
fn report_key(id: &str) -> Option<String> {
    uuid::Uuid::parse_str(id.trim())
        .ok()
        .map(|u| u.hyphenated().to_string())
}

type Kept = HashMap<String, (Bytes, Bytes)>;

fn wsxf_store<'a>(req: &Req<'a>) -> std::sync::MutexGuard<'a, Kept> {
    req.store
        .domains
        .reports
        .wsxf
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn not_found(id: &str) -> Reply {
    Reply::not_found(&format!("Report '{id}' was not found."))
}

/// `POST /api/Report/WSXF`: the XML read as WSJF and stored (validated as a WSJF submission
/// is); the XML kept for `GET /api/Report/Wsxf/{id}` when it names its id. Answers as the
/// WSJF submit does.
fn submit_wsxf(req: &Req<'_>) -> Reply {
    let parsed = match wsxf::to_wsjf(&req.body) {
        Ok(p) => p,
        Err(e) => return Reply::bad_request(&format!("The WSXF report could not be read: {e}")),
    };
    let body = Bytes::from(serde_json::to_vec(&parsed.wsjf).unwrap_or_default());
    match req.store.submit(body.clone()) {
        Ok((id, number)) => {
            let mut kept = wsxf_store(req);
            if parsed.has_id {
                kept.insert(id.clone(), (req.body.clone(), body));
            } else {
                kept.remove(&id);
            }
            Reply::json(&json!({"ID": id, "uuid": id, "Report_ID": number}))
        }
        Err(rejected) => Reply::bad_request(&rejected.0),
    }
}

/// `GET /api/Report/Wsxf/{id}`: the XML a WSXF submission sent (while that submission is
/// the stored report), else the stored WSJF report written as WSXF. The options
/// (`includeAttachments`, ...) are accepted and not applied.
fn get_wsxf(req: &Req<'_>) -> Reply {
    let id = req.p(0);
    let Some(key) = report_key(id) else {
        return not_found(id);
    };
    let Some(raw) = req.store.report(&key) else {
        return not_found(id);
    };
    if let Some((xml, wsjf)) = wsxf_store(req).get(&key) {
        if *wsjf == raw {
            return Reply::bytes(xml.clone(), "application/xml");
        }
    }
    match wsxf::to_wsxf(&raw) {
        Ok(xml) => Reply::bytes(xml, "application/xml"),
        Err(e) => Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("The report cannot be written as WSXF: {e}"),
        ),
    }
}

/// `GET /api/Report/Attachments/{id}`: every attachment of a stored report in one zip
/// (an empty archive when it has none); 404 for an unknown report.
fn attachments_zip(req: &Req<'_>) -> Reply {
    let id = req.p(0);
    let Some(raw) = req.store.report(id) else {
        return not_found(id);
    };
    let report: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    match files::zip(&files::attachments(&report)) {
        Ok(zip) => Reply::bytes(zip, "application/zip"),
        Err(e) => Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &e),
    }
}

/// `GET /api/Report/Certificate/{id}`: a one-page PDF for a stored report; 404 otherwise.
fn certificate(req: &Req<'_>) -> Reply {
    let id = req.p(0);
    let Some(raw) = req.store.report(id) else {
        return not_found(id);
    };
    let report: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    let text = |k: &str| match report.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let lines = [
        ("Report", report_key(id).unwrap_or_default()),
        ("Serial number", text("sn")),
        ("Part number", text("pn")),
        ("Revision", text("rev")),
        (
            "Process",
            format!("{} {}", text("processCode"), text("processName")),
        ),
        ("Result", text("result")),
        ("Start", text("start")),
    ];
    Reply::bytes(files::certificate_pdf(&lines), "application/pdf")
}

/// A MIME type as a `'static` string (the reply's content type).
fn content_type(mime: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "text/plain",
        "text/csv",
        "text/html",
        "application/xml",
        "application/json",
        "application/pdf",
        "application/zip",
        "image/png",
        "image/jpeg",
        "image/gif",
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(mime.trim()))
        .copied()
        .unwrap_or("application/octet-stream")
}

fn steps<'a>(step: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(step);
    for c in step
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        steps(c, out);
    }
}

fn attachment(req: &Req<'_>) -> Reply {
    let id = req.q("reportId").unwrap_or_default();
    let Some(raw) = req.store.report(&id) else {
        return Reply::not_found(&format!("Report '{id}' was not found."));
    };
    let Ok(report) = serde_json::from_slice::<Value>(&raw) else {
        return Reply::not_found("The report has no attachments.");
    };
    let found = if let Some(step_id) = req.q("stepId") {
        let mut all = Vec::new();
        if let Some(root) = report.get("root") {
            steps(root, &mut all);
        }
        all.into_iter()
            .find(|s| {
                s.get("id")
                    .is_some_and(|v| v.to_string().trim_matches('"') == step_id)
            })
            .and_then(|s| s.get("attachment"))
    } else if let Some(att) = req.q("attachmentId") {
        report
            .get("binaryData")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .find(|(i, a)| {
                a.get("id").and_then(Value::as_str) == Some(&*att)
                    || a.get("name").and_then(Value::as_str) == Some(&*att)
                    || i.to_string() == *att
            })
            .map(|(_, a)| a)
    } else {
        return Reply::bad_request("attachmentId or stepId is required.");
    };
    let Some(att) = found else {
        return Reply::not_found("The attachment was not found.");
    };
    let data = att.get("data").and_then(Value::as_str).unwrap_or("");
    match base64::engine::general_purpose::STANDARD.decode(data.trim()) {
        Ok(bytes) => Reply::bytes(
            bytes,
            content_type(att.get("contentType").and_then(Value::as_str).unwrap_or("")),
        ),
        Err(_) => Reply::error(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "The attachment data is not base64.",
        ),
    }
}

fn by_misc_info(req: &Req<'_>) -> Reply {
    let (Some(desc), Some(data)) = (req.q("description"), req.q("data")) else {
        return Reply::bad_request("description and data are required.");
    };
    let sn = req.q("serialNumber");
    let code = req
        .q("processCode")
        .and_then(|c| c.trim().parse::<i64>().ok());
    let mut rows = Vec::new();
    for r in req.store.matching_reports(b'T', None) {
        let h = &r.header;
        if sn
            .as_deref()
            .is_some_and(|sn| h.get("serialNumber").and_then(Value::as_str) != Some(sn))
        {
            continue;
        }
        if code.is_some_and(|c| h.get("processCode").and_then(Value::as_i64) != Some(c)) {
            continue;
        }
        let Ok(report) = serde_json::from_slice::<Value>(&r.raw) else {
            continue;
        };
        let hit = report
            .get("miscInfos")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|m| {
                m.get("description").and_then(Value::as_str) == Some(&*desc)
                    && m.get("text").and_then(Value::as_str) == Some(&*data)
            });
        if hit {
            let pick = |k: &str| h.get(k).cloned().unwrap_or(Value::Null);
            rows.push(json!({
                "uuid": pick("uuid"), "serialNumber": pick("serialNumber"),
                "partNumber": pick("partNumber"), "start": pick("start"),
                "result": pick("result"), "processCode": pick("processCode"),
                "processName": pick("processName"),
                "miscData": [{"description": &*desc, "data": &*data}],
            }));
        }
    }
    Reply::json(&Value::Array(rows))
}

/// The routes this module serves.
pub(crate) static ROUTES: &[Served] = &[
    Served {
        method: "POST",
        template: "/api/Report/WSXF",
        handler: submit_wsxf,
    },
    Served {
        method: "GET",
        template: "/api/Report/Wsxf/{id}",
        handler: get_wsxf,
    },
    Served {
        method: "GET",
        template: "/api/Report/Attachments/{id}",
        handler: attachments_zip,
    },
    Served {
        method: "GET",
        template: "/api/Report/Certificate/{id}",
        handler: certificate,
    },
    Served {
        method: "GET",
        template: "/api/Report/Attachment",
        handler: attachment,
    },
    Served {
        method: "GET",
        template: "/api/Report/Query/HeaderByMiscInfo",
        handler: by_misc_info,
    },
];
