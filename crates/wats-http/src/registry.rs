//! The route registry: every declared call, read by the route tests and by the generator of
//! `docs/API.md`.

use std::fmt::Write as _;

use crate::endpoint::Route;

/// Every call the SDK can make, domain by domain, in declaration order.
///
/// ```
/// let get_unit = wats_http::routes()
///     .find(|r| r.name == "get_unit")
///     .expect("declared");
/// assert_eq!(get_unit.method, "GET");
/// assert_eq!(get_unit.template, "/api/Production/Unit/{serialNumber}/{partNumber}");
/// assert_eq!(get_unit.domain, "production");
/// ```
pub fn routes() -> impl Iterator<Item = &'static Route> {
    crate::api::DOMAINS.iter().flat_map(|d| d.iter().copied())
}

/// A route (or one query parameter of a route) the SDK sends although the server's
/// published OpenAPI document does not name it, with the reason.
#[derive(Debug)]
#[non_exhaustive]
pub struct Exception {
    /// The HTTP method.
    pub method: &'static str,
    /// The path template.
    pub template: &'static str,
    /// `None` when the whole route is outside the document; else the one query parameter.
    pub query: Option<&'static str>,
    /// Why the SDK sends it anyway.
    pub reason: &'static str,
}

/// The one list of routes and query parameters outside `openapi_public_v3.json` (kept beside
/// each domain's calls, in `api/<domain>.rs`); the route test accepts nothing else.
pub fn outside_openapi() -> impl Iterator<Item = &'static Exception> {
    crate::api::OUTSIDE_OPENAPI.iter().flat_map(|d| d.iter())
}

/// A route the embedded server (`wats-mock`) does not serve, with the `mockito` test that
/// checks its exact request instead.
#[derive(Debug)]
#[non_exhaustive]
pub struct LeftToMockito {
    /// The HTTP method.
    pub method: &'static str,
    /// The path template.
    pub template: &'static str,
    /// The test that covers it (`crate/tests/file.rs::test`).
    pub test: &'static str,
}

/// The routes `wats-mock` leaves to `mockito` tests (kept beside each domain's calls); the
/// route test checks that every other declared route is served by the mock.
pub fn left_to_mockito() -> impl Iterator<Item = &'static LeftToMockito> {
    crate::api::LEFT_TO_MOCKITO.iter().flat_map(|d| d.iter())
}

/// `docs/API.md`, generated from the registry: every call with its async and blocking name,
/// HTTP method and route, and the Python SDK method it replaces. A test compares it with the
/// file in the repository (`WATS_BLESS=1` rewrites the file).
#[doc(hidden)]
pub fn api_markdown() -> String {
    let mut out = String::new();
    out.push_str(
        "# The WATS API in `wats`\n\n\
         Generated from the route registry (`wats_http::routes()`) by \
         `cargo test -p wats-http --test registry`; do not edit by hand (run the test with \
         `WATS_BLESS=1` to rewrite it).\n\n\
         Every call is declared once, in `crates/wats-http/src/api/<domain>.rs`. The async \
         client (`wats::Client`) returns a future, the blocking client \
         (`wats::blocking::Client`) the result itself; both have the same method names. \
         Path segments and query values are percent-encoded; OData string literals are \
         quoted with `odata_quote`.\n\n",
    );
    let total: usize = crate::api::DOMAINS.iter().map(|d| d.len()).sum();
    let _ = writeln!(out, "{total} calls.\n");
    for domain in crate::api::DOMAINS {
        let Some(first) = domain.first() else {
            continue;
        };
        let _ = writeln!(
            out,
            "## `{0}`\n\nAsync: `client.{0}.<call>(..).await`; blocking: \
             `client.{0}.<call>(..)`.\n",
            first.via
        );
        out.push_str("| call | method | route | query | answer | retried | replaces (pyWATS) |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for r in *domain {
            let mut names = format!("`{}`", r.name);
            if let Some(opt) = r.opt_name {
                let _ = write!(names, ", `{opt}` (404 is `None`)");
            }
            for h in r.helpers {
                let _ = write!(names, ", `{h}`");
            }
            let mut query: Vec<&str> = r.query.to_vec();
            query.extend(r.options.iter().copied());
            let query = if query.is_empty() {
                String::from("–")
            } else {
                query
                    .iter()
                    .map(|q| format!("`{q}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let internal = if r.is_internal() { " (internal)" } else { "" };
            let _ = writeln!(
                out,
                "| {names} | {} | `{}`{internal} | {query} | `{}` | {} | {} |",
                r.method,
                r.template,
                r.answer.replace(' ', ""),
                if r.idempotent { "yes" } else { "no" },
                if r.pywats.is_empty() { "–" } else { r.pywats },
            );
        }
        out.push('\n');
    }
    out.push_str("## Routes and parameters outside the server's OpenAPI document\n\n");
    out.push_str("| method | route | parameter | why |\n|---|---|---|---|\n");
    for e in outside_openapi() {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            e.method,
            e.template,
            e.query
                .map_or_else(|| "(the route)".to_owned(), |q| format!("`{q}`")),
            e.reason.split_whitespace().collect::<Vec<_>>().join(" "),
        );
    }
    out.push('\n');
    out.push_str(DIFFERENCES);
    out
}

/// Where `wats` differs from the Python SDK on purpose.
const DIFFERENCES: &str = "\
## Where `wats` differs from pyWATS on purpose

- Path segments are percent-encoded: a `/`, `?` or `#` in a serial or part number reaches \
the right route (pyWATS interpolates them raw and corrupts the URL).
- OData string literals are quoted (`'` doubled) by the query builders; pyWATS's report \
filters send `S'X` verbatim.
- Dates in OData filters are converted to UTC before they are labelled `Z`; pyWATS labels \
local time as UTC.
- A 404 is `Error::NotFound` on `get`-style calls and `Ok(None)` on their `_opt` twins, \
never a silent `None` from an error.
- `POST` calls (submit) are never retried automatically; `GET`, `PUT` and `DELETE` are \
(with backoff, `Retry-After` and a retry budget).
- The header query's `reportType` is taken from a typed `ReportType` (pyWATS maps every \
string but `\"uut\"` to repair reports).
- Invalid input (an empty path segment, a body that cannot be serialised) fails the call \
before anything is sent; no call fails before a request because of an SDK defect.
";
