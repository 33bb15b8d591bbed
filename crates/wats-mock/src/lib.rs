//! An embedded, stateful WATS server for tests, benches, examples and for
//! developing against WATS without a server.
//!
//! [`MockServer`] binds `127.0.0.1` on an ephemeral port and serves the core
//! of the WATS REST API on its own thread (with its own tokio runtime), so
//! blocking and async callers can use it alike. It is *stateful*: posted
//! reports are stored and can be fetched back byte for byte and found by the
//! header query. It starts seeded with 100 products (with revisions), units,
//! the process list and the five real server exports of
//! `fixtures/wats-samples/` as stored reports (one of them a UUR).
//!
//! Served routes (all exist in the server's OpenAPI document; literal path
//! segments match case-insensitively; path parameters are percent-decoded):
//!
//! | Method | Path | Answer |
//! |---|---|---|
//! | GET | `/api/App/Version` | JSON string [`SERVER_VERSION`] |
//! | GET | `/api/App/Processes` | process list; flags `includeTestOperations`, `includeRepairOperations`, `includeWipOperations`, `includeInactiveProcesses` |
//! | GET | `/api/Product/Query` | `ProductView[]`; `$filter`, `$top`, `$skip`, `$orderby` |
//! | GET | `/api/Product/{partNumber}` | `Product` with `revisions[]` |
//! | GET | `/api/Product/{partNumber}/{revision}` | `ProductRevision` |
//! | GET | `/api/Production/Unit/{serialNumber}/{partNumber}` | unit |
//! | GET | `/api/Report/Query/Header` | `ReportHeader[]`; `reportType=U\|R` (required), `$filter`, `$top` (default 10, max 10000), `$skip`, `$orderby` (default `start desc`), `$expand` |
//! | POST | `/api/Report/WSJF` | stores the raw body under its `id`; answers `{"ID", "uuid", "Report_ID"}` |
//! | GET | `/api/Report/Wsjf/{id}` | the stored bytes, unchanged |
//!
//! Every non-2xx answer has a JSON `{"message": "..."}` body. With a token
//! configured, requests without `Authorization: Basic <token>` get 401.
//!
//! Tests can read [`Counters`] (connections, requests per route and path),
//! the recent requests with their headers, and inject faults at run time:
//! latency, failing statuses (optionally with `Retry-After`), dropped
//! connections mid-response, malformed JSON, hangs, refused connections
//! (re-listening on the same port later) and closing idle keep-alive
//! connections. See [`MockServer`] and [`Fault`].
//!
//! # Example
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//!
//! let server = wats_mock::MockServer::start();
//!
//! let mut tcp = TcpStream::connect(server.addr())?;
//! tcp.write_all(b"GET /api/App/Version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
//! let mut answer = String::new();
//! tcp.read_to_string(&mut answer)?;
//!
//! assert!(answer.starts_with("HTTP/1.1 200 OK"));
//! assert!(answer.ends_with(&format!("\"{}\"", wats_mock::SERVER_VERSION)));
//! assert_eq!(server.requests_for("/api/App/Version"), 1);
//! assert_eq!(server.counters().connections_accepted, 1);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Run it standalone with `cargo run -p wats-mock -- --port 8080`.

mod body;
mod counters;
mod domains;
mod faults;
mod odata;
mod routes;
mod seed;
mod server;
mod service;
mod store;

pub use counters::{Counters, RecordedRequest};
pub use domains::software::{KEEP_UPLOAD, PackageUpload};
pub use faults::{Fault, FaultAction, FaultId, RetryAfter};
pub use server::{MockError, MockServer, MockServerBuilder};
pub use service::SERVER_VERSION;

#[doc(hidden)]
pub use odata::filter_matches;

/// The served routes as `(method, OpenAPI path template)` pairs.
#[must_use]
pub fn served_routes() -> Vec<(&'static str, &'static str)> {
    let builtin = routes::Route::ALL.iter().map(|r| {
        let method = if r.method() == http::Method::POST {
            "POST"
        } else {
            "GET"
        };
        (method, r.template())
    });
    let by_domain = domains::TABLES
        .iter()
        .flat_map(|t| t.iter())
        .map(|s| (s.method, s.template));
    builtin.chain(by_domain).collect()
}

/// A seeded serial number (on part number `PCBA-1001`) that contains `/`,
/// `?`, `#` and `%`, for testing path encoding.
pub const AWKWARD_SERIAL: &str = seed::AWKWARD_SERIAL;
