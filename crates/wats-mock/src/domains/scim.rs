//! The `scim` domain's routes and state in the mock: SCIM users that a create makes, a patch
//! changes and a delete removes; pages by `startIndex`/`count`; tokens with a duration.

use std::sync::{Mutex, MutexGuard};

use chrono::{Duration, SecondsFormat, Utc};
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
    users: Vec<Map<String, Value>>,
    next_id: u64,
}

/// The routes this module serves.
#[rustfmt::skip]
pub(crate) static ROUTES: &[Served] = &[
    Served { method: "GET", template: "/api/SCIM/v2/Token", handler: token },
    Served { method: "GET", template: "/api/SCIM/v2/Users", handler: list },
    Served { method: "POST", template: "/api/SCIM/v2/Users", handler: create },
    Served { method: "GET", template: "/api/SCIM/v2/Users/{id}", handler: get },
    Served { method: "GET", template: "/api/SCIM/v2/Users/userName={userName}", handler: by_name },
    Served { method: "PATCH", template: "/api/SCIM/v2/Users/{id}", handler: patch },
    Served { method: "DELETE", template: "/api/SCIM/v2/Users/{id}", handler: delete },
];

fn lock<'a>(req: &Req<'a>) -> MutexGuard<'a, Inner> {
    req.store
        .domains
        .scim
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

fn token(req: &Req<'_>) -> Reply {
    let days = match req.q("duration").map(|d| d.parse::<i64>()) {
        None => 90,
        Some(Ok(d)) if d > 0 => d,
        Some(_) => return Reply::bad_request("'duration' must be a positive number of days."),
    };
    let expires = (Utc::now() + Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true);
    Reply::json(&json!({
        "token": uuid::Uuid::new_v4().simple().to_string(),
        "expiresUtc": expires,
        "durationDays": days,
    }))
}

/// `userName eq "x"` (the one filter identity providers send), else every user.
fn matches(filter: Option<&str>, u: &Map<String, Value>) -> Result<bool, Reply> {
    let Some(f) = filter else { return Ok(true) };
    let parts: Vec<&str> = f.splitn(3, ' ').collect();
    match parts.as_slice() {
        [attr, op, value]
            if attr.eq_ignore_ascii_case("userName") && op.eq_ignore_ascii_case("eq") =>
        {
            Ok(str_of(u, "userName").eq_ignore_ascii_case(value.trim_matches('"')))
        }
        _ => Err(Reply::bad_request(
            "Only 'userName eq \"..\"' filters are supported.",
        )),
    }
}

fn list(req: &Req<'_>) -> Reply {
    let start = req
        .q("startIndex")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let count = req
        .q("count")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(100);
    let filter = req.q("filter");
    let inner = lock(req);
    let mut all = Vec::new();
    for u in &inner.users {
        match matches(filter.as_deref(), u) {
            Ok(true) => all.push(Value::Object(u.clone())),
            Ok(false) => {}
            Err(e) => return e,
        }
    }
    let total = all.len();
    let page: Vec<Value> = all.into_iter().skip(start - 1).take(count).collect();
    Reply::json(&json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "itemsPerPage": page.len(),
        "startIndex": start,
        "Resources": page,
    }))
}

fn create(req: &Req<'_>) -> Reply {
    let mut u = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Reply::bad_request("A SCIM user object is expected."),
        Err(e) => return e,
    };
    let name = str_of(&u, "userName").to_owned();
    if name.trim().is_empty() {
        return Reply::bad_request("'userName' is required.");
    }
    let mut inner = lock(req);
    if inner
        .users
        .iter()
        .any(|x| str_of(x, "userName").eq_ignore_ascii_case(&name))
    {
        return Reply::error(StatusCode::CONFLICT, "userName is already taken.");
    }
    inner.next_id += 1;
    let id = inner.next_id.to_string();
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    u.insert("id".into(), json!(id));
    u.entry("active").or_insert(json!(true));
    u.insert(
        "meta".into(),
        json!({"resourceType": "User", "created": now, "lastModified": now,
               "location": format!("/api/SCIM/v2/Users/{id}")}),
    );
    inner.users.push(u.clone());
    Reply {
        status: StatusCode::CREATED,
        ..Reply::json(&Value::Object(u))
    }
}

fn find_reply(req: &Req<'_>, pick: impl Fn(&Map<String, Value>) -> bool) -> Reply {
    let inner = lock(req);
    match inner.users.iter().find(|u| pick(u)) {
        Some(u) => Reply::json(&Value::Object(u.clone())),
        None => Reply::not_found("User not found."),
    }
}

fn get(req: &Req<'_>) -> Reply {
    let id = req.p(0).to_owned();
    find_reply(req, |u| str_of(u, "id") == id)
}

fn by_name(req: &Req<'_>) -> Reply {
    let name = req.p(0).to_owned();
    find_reply(req, |u| str_of(u, "userName").eq_ignore_ascii_case(&name))
}

fn patch(req: &Req<'_>) -> Reply {
    let body = match req.json() {
        Ok(v) => v,
        Err(e) => return e,
    };
    let schema_ok = body["schemas"].as_array().is_some_and(|s| {
        s.iter()
            .any(|v| v == "urn:ietf:params:scim:api:messages:2.0:PatchOp")
    });
    let Some(ops) = body["Operations"].as_array().filter(|_| schema_ok) else {
        return Reply::bad_request("A SCIM PatchOp message is expected.");
    };
    let id = req.p(0).to_owned();
    let mut inner = lock(req);
    let Some(u) = inner.users.iter_mut().find(|u| str_of(u, "id") == id) else {
        return Reply::not_found("User not found.");
    };
    for op in ops {
        let path = op["path"].as_str().unwrap_or("");
        if path.is_empty() || path.contains('[') || path == "id" {
            return Reply::bad_request("Only simple attribute paths are supported.");
        }
        match op["op"].as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("replace" | "add") => {
                u.insert(path.to_owned(), op["value"].clone());
            }
            Some("remove") => {
                u.remove(path);
            }
            _ => return Reply::bad_request("'op' must be add, replace or remove."),
        }
    }
    Reply::json(&Value::Object(u.clone()))
}

fn delete(req: &Req<'_>) -> Reply {
    let id = req.p(0).to_owned();
    let mut inner = lock(req);
    let before = inner.users.len();
    inner.users.retain(|u| str_of(u, "id") != id);
    if inner.users.len() == before {
        return Reply::not_found("User not found.");
    }
    Reply::empty(StatusCode::NO_CONTENT)
}
