//! The `reports` domain's routes in the mock: one attachment of a stored report (by step id
//! or attachment id / name, decoded from the WSJF's base64) and the header search by misc
//! info. (Submit, get and the header query are built in.)

use base64::Engine;
use serde_json::{Value, json};

use super::{Reply, Req, Served};

/// This domain's state.
#[derive(Debug, Default)]
pub(crate) struct State {}

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
