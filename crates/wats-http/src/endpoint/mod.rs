//! The one-declaration-per-call machinery.
//!
//! A call is declared once, in a domain file under `api/`, with the [`calls!`](crate::calls)
//! macro: HTTP method, path template, path and query parameters, body, answer, what a 404
//! means, whether it may be retried, the Python SDK method it replaces and its docs. From that
//! one declaration come:
//!
//! - a method on the domain handle (`Production<'c, C>`), generic over the [`Caller`]: the
//!   async [`Client`](crate::Client) gets a [`Pending`] future, the blocking client of
//!   `wats-sync` gets the `Result` itself — same name, arguments and docs, no mirror;
//! - a [`Route`] in the registry ([`routes`](crate::routes)), read by the route test and by
//!   the generator of `docs/API.md`;
//! - the percent-encoding of every path segment and query value ([`Request`]).
//!
//! A method builds a [`Prepared`] call synchronously (path, query and body encoded, nothing
//! sent) and hands it to its caller, which runs it: the async client through its tower stack,
//! the blocking client on its thread-local runtime. Invalid input (an empty path segment, a
//! body that cannot be serialised) is an error of the call, never a panic, and nothing is
//! sent.

pub(crate) mod answer;
mod caller;
pub(crate) mod macros;
mod request;

pub use caller::{Caller, Pending, Prepared};
pub(crate) use request::{Body, QueryParams, Request};

use http::Method;

/// What a 404 answer means for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotFound {
    /// A 404 is [`Error::NotFound`](wats_core::Error::NotFound).
    Error,
    /// A 404 is `Ok(None)` (the `*_opt` twin of a call).
    None,
    /// A 404 is an ordinary answer the call interprets (for example `false`).
    Answer,
}

/// One declared call: the entry the route registry holds for it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Route {
    /// The domain handle it belongs to (`"reports"`, `"production"`, ...): the accessor name.
    pub domain: &'static str,
    /// How the handle is reached from a client (`"production()"`,
    /// `"production().internal()"`).
    pub via: &'static str,
    /// The method name on both clients (`get_unit`).
    pub name: &'static str,
    /// The name of its twin whose 404 is `Ok(None)` (`get_unit_opt`), if declared.
    pub opt_name: Option<&'static str>,
    /// Convenience methods built on this call (for example `submit` on `submit_raw`).
    pub helpers: &'static [&'static str],
    /// The HTTP method, as text (`"GET"`).
    pub method: &'static str,
    /// The path template, as the server's OpenAPI document spells it.
    pub template: &'static str,
    /// The names of the path parameters' arguments, in template order.
    pub path_args: &'static [&'static str],
    /// Query parameters sent by name, as the server names them.
    pub query: &'static [&'static str],
    /// Query parameters an options type may send (for example `$filter`, `$top`).
    pub options: &'static [&'static str],
    /// The request body, described (`"none"`, `"json: Report"`, `"raw"`).
    pub body: &'static str,
    /// The answer type, as written in the declaration.
    pub answer: &'static str,
    /// Whether the call may be retried automatically (idempotent).
    pub idempotent: bool,
    /// The Python SDK method(s) this call replaces (`"production.get_unit"`), or `""`.
    pub pywats: &'static str,
    /// The first line of the call's documentation.
    pub summary: &'static str,
}

impl Route {
    /// The HTTP method.
    pub fn http_method(&self) -> Method {
        Method::from_bytes(self.method.as_bytes()).unwrap_or(Method::GET)
    }

    /// Whether this is an internal route (`/api/internal/...`): undocumented by the server,
    /// reached only through the `internal()` opt-in, and liable to change.
    pub fn is_internal(&self) -> bool {
        self.template
            .get(..14)
            .is_some_and(|p| p.eq_ignore_ascii_case("/api/internal/"))
    }

    /// The names of the `{...}` parameters of the template, in order.
    pub fn template_params(&self) -> impl Iterator<Item = &'static str> {
        let t: &'static str = self.template;
        // A parameter is a whole segment (`{id}`) or ends one (`userName={userName}`).
        t.split('/')
            .filter_map(|seg| seg.find('{').and_then(|i| seg[i + 1..].strip_suffix('}')))
    }
}

/// Whether `method` may be retried by default: GET, PUT, DELETE and HEAD are idempotent.
pub(crate) const fn default_idempotent(method: &str) -> bool {
    matches!(
        method.as_bytes(),
        b"GET" | b"PUT" | b"DELETE" | b"HEAD" | b"OPTIONS"
    )
}
