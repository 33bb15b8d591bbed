//! Routes added domain by domain: each module under `domains/` declares its routes (method,
//! OpenAPI path template, handler) in a `ROUTES` table and keeps its state in its own field of
//! [`State`]. The service tries these tables before the built-in routes of `routes.rs`.
//!
//! A handler is a plain function of the request: it never fails, every problem is a
//! [`Reply`] with an HTTP status, as the real server answers.

// The helpers below are used by the domain modules as they fill their tables.
#![allow(dead_code)]

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

use crate::store::Store;

pub(crate) mod analytics;
pub(crate) mod assets;
pub(crate) mod processes;
pub(crate) mod production;
pub(crate) mod products;
pub(crate) mod reports;
pub(crate) mod rootcause;
pub(crate) mod scim;
pub(crate) mod software;

/// The per-domain state, one field per domain module.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) analytics: analytics::State,
    pub(crate) assets: assets::State,
    pub(crate) processes: processes::State,
    pub(crate) production: production::State,
    pub(crate) products: products::State,
    pub(crate) reports: reports::State,
    pub(crate) rootcause: rootcause::State,
    pub(crate) scim: scim::State,
    pub(crate) software: software::State,
}

/// Every domain table.
pub(crate) static TABLES: &[&[Served]] = &[
    analytics::ROUTES,
    assets::ROUTES,
    processes::ROUTES,
    production::ROUTES,
    products::ROUTES,
    reports::ROUTES,
    rootcause::ROUTES,
    scim::ROUTES,
    software::ROUTES,
];

/// Whether `template` is a route template of a domain table.
pub(crate) fn is_template(template: &str) -> bool {
    TABLES
        .iter()
        .flat_map(|t| t.iter())
        .any(|s| s.template == template)
}

/// A route served by a domain module.
#[derive(Debug)]
pub(crate) struct Served {
    /// `"GET"`, `"POST"`, `"PUT"`, `"DELETE"`, `"PATCH"`.
    pub(crate) method: &'static str,
    /// The OpenAPI path template (`/api/Production/Unit/{serialNumber}/{partNumber}`).
    pub(crate) template: &'static str,
    /// Answers the request.
    pub(crate) handler: Handler,
}

/// A domain route's handler.
pub(crate) type Handler = fn(&Req<'_>) -> Reply;

/// One request, as a domain handler sees it.
#[derive(Debug)]
pub(crate) struct Req<'a> {
    /// The server's state.
    pub(crate) store: &'a Store,
    /// The percent-decoded path parameters, in template order.
    pub(crate) params: Vec<String>,
    /// The raw query string (without `?`).
    pub(crate) query: &'a str,
    /// The request body (empty when a streamed upload was too large to keep; see
    /// `received`).
    pub(crate) body: Bytes,
    /// What a streamed upload route counted while reading the body (`software.rs`).
    pub(crate) received: Option<software::Received>,
    /// The request headers.
    #[allow(dead_code)] // read by handlers that honour a content type
    pub(crate) headers: &'a HeaderMap,
}

impl Req<'_> {
    /// The first value of query parameter `key` (ASCII case ignored, form-decoded).
    pub(crate) fn q(&self, key: &str) -> Option<Cow<'_, str>> {
        crate::routes::query_pairs(self.query)
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// Path parameter `i` (0-based), or `""`.
    pub(crate) fn p(&self, i: usize) -> &str {
        self.params.get(i).map_or("", String::as_str)
    }

    /// The body as JSON.
    ///
    /// # Errors
    /// A 400 reply when the body is not JSON.
    pub(crate) fn json(&self) -> Result<Value, Reply> {
        serde_json::from_slice(&self.body)
            .map_err(|e| Reply::bad_request(&format!("The request body is not valid JSON: {e}")))
    }
}

/// A domain handler's answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    /// `None` is JSON.
    pub(crate) content_type: Option<&'static str>,
    /// A body generated as it is sent, instead of `body` (large downloads).
    pub(crate) stream: Option<crate::body::Generated>,
}

impl Reply {
    /// 200 with a JSON body.
    pub(crate) fn json(value: &Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
            content_type: None,
            stream: None,
        }
    }

    /// 200 with raw bytes of a content type.
    #[allow(dead_code)] // for downloads
    pub(crate) fn bytes(body: impl Into<Bytes>, content_type: &'static str) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: body.into(),
            content_type: Some(content_type),
            stream: None,
        }
    }

    /// A status with no body (204, 200 with nothing to say).
    #[allow(dead_code)]
    pub(crate) fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            body: Bytes::new(),
            content_type: None,
            stream: None,
        }
    }

    /// An error status with the server's `{"message": ..}` body.
    pub(crate) fn error(status: StatusCode, message: &str) -> Reply {
        Reply {
            status,
            body: Bytes::from(
                serde_json::to_vec(&json!({ "message": message })).unwrap_or_default(),
            ),
            content_type: None,
            stream: None,
        }
    }

    /// 400 with a message.
    pub(crate) fn bad_request(message: &str) -> Reply {
        Reply::error(StatusCode::BAD_REQUEST, message)
    }

    /// 404 with a message.
    #[allow(dead_code)]
    pub(crate) fn not_found(message: &str) -> Reply {
        Reply::error(StatusCode::NOT_FOUND, message)
    }
}

/// What the domain tables make of a request line.
#[derive(Debug)]
#[allow(clippy::enum_variant_names)] // `NotFound` is the HTTP status it stands for
pub(crate) enum Found {
    /// A served route and its decoded path parameters.
    Route(&'static Served, Vec<String>),
    /// The path is served by a domain table, but not with this method.
    MethodNotAllowed,
    /// A path parameter is not valid UTF-8 after percent-decoding.
    BadPath,
    /// No domain table serves this path.
    NotFound,
}

/// Match a raw (percent-encoded) path against every domain table. Literal segments match
/// ASCII case-insensitively; a `{..}` matches one non-empty segment. Among several matches
/// the one with the most literal segments wins (so `/api/Product/Groups` beats
/// `/api/Product/{partNumber}`).
pub(crate) fn find(method: &Method, path: &str) -> Found {
    let path = path.strip_suffix('/').unwrap_or(path);
    let segs: Vec<&str> = path.split('/').collect();
    let mut best: Option<(&'static Served, usize)> = None;
    let mut path_matched = false;
    for served in TABLES.iter().flat_map(|t| t.iter()) {
        let Some(literals) = fits(served.template, &segs) else {
            continue;
        };
        path_matched = true;
        if !served.method.eq_ignore_ascii_case(method.as_str()) {
            continue;
        }
        if best.is_none_or(|(_, l)| literals > l) {
            best = Some((served, literals));
        }
    }
    let Some((served, _)) = best else {
        return if path_matched {
            Found::MethodNotAllowed
        } else {
            Found::NotFound
        };
    };
    let mut params = Vec::new();
    for (t, s) in served.template.split('/').zip(&segs) {
        // A parameter is a whole segment (`{id}`) or ends one (`userName={userName}`).
        if let Some(i) = t.find('{') {
            let s = s.get(i..).unwrap_or("");
            match percent_decode_str(s).decode_utf8() {
                Ok(v) => params.push(v.into_owned()),
                Err(_) => return Found::BadPath,
            }
        }
    }
    Found::Route(served, params)
}

/// The number of literal segments when `template` fits `segs`.
fn fits(template: &str, segs: &[&str]) -> Option<usize> {
    let t: Vec<&str> = template.split('/').collect();
    if t.len() != segs.len() {
        return None;
    }
    let mut literals = 0;
    for (t, s) in t.iter().zip(segs) {
        if let Some(i) = t.find('{') {
            // The literal before the parameter, then at least one character.
            let fits = s.len() > i && s.is_char_boundary(i) && t[..i].eq_ignore_ascii_case(&s[..i]);
            if !fits {
                return None;
            }
            literals += usize::from(i > 0);
        } else if t.eq_ignore_ascii_case(s) {
            literals += 1;
        } else {
            return None;
        }
    }
    Some(literals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fit_literally_first() {
        assert_eq!(fits("/api/A/{x}", &["", "api", "a", "1"]), Some(3));
        assert_eq!(fits("/api/A/{x}", &["", "api", "a", ""]), None);
        assert_eq!(fits("/api/A/B", &["", "api", "A", "C"]), None);
        // A partly literal segment counts, so it beats a whole-segment parameter.
        assert_eq!(fits("/api/U/n={n}", &["", "api", "u", "N=x"]), Some(4));
        assert_eq!(fits("/api/U/n={n}", &["", "api", "u", "n="]), None);
        assert_eq!(fits("/api/U/n={n}", &["", "api", "u", "x"]), None);
        for table in TABLES {
            for s in *table {
                assert!(s.template.starts_with("/api/"), "{}", s.template);
            }
        }
    }
}
