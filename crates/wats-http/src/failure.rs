//! One failure table: for every kind of answer or error, whether the client retries it,
//! whether it counts against the circuit breaker, and what the report spool does with it.
//!
//! The retry policy, the breaker and the spool all read [`Kind::verdict`]; nothing else
//! decides "was this the server's fault?". The same table is printed in
//! `docs/ARCHITECTURE.md` (a test keeps the two equal).
//!
//! ```
//! use wats_http::failure::{Kind, Retry, Spool};
//! let e = wats_http::Error::from_status(503, "busy".into(), None);
//! let verdict = Kind::of_error(&e).verdict();
//! assert_eq!(verdict.retry, Retry::Yes);
//! assert_eq!(verdict.spool, Spool::Keep);
//! ```

use bytes::Bytes;
use http::{Response, StatusCode};
use wats_breaker::Outcome;
use wats_core::{Error, TimeoutPhase};

/// One row of the failure table: what one attempt or call ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A 2xx answer.
    Success,
    /// Connecting failed (DNS, TCP, TLS): nothing was sent.
    Connect,
    /// Another transport failure (connection reset, broken body): the request may have
    /// reached the server.
    Transport,
    /// A time limit was exceeded, with its phase.
    Timeout(TimeoutPhase),
    /// HTTP 408 Request Timeout: the server gave up waiting for the request.
    RequestTimeout,
    /// HTTP 429 Too Many Requests: the server is up and shedding load.
    TooManyRequests,
    /// HTTP 500 Internal Server Error.
    InternalServerError,
    /// HTTP 502 Bad Gateway.
    BadGateway,
    /// HTTP 503 Service Unavailable.
    ServiceUnavailable,
    /// HTTP 504 Gateway Timeout.
    GatewayTimeout,
    /// Another 5xx (501, 505, ...): the server cannot do this, not an outage.
    OtherServerError,
    /// HTTP 401: the token is missing, wrong or expired.
    Unauthorized,
    /// HTTP 403: the token lacks the permission.
    Forbidden,
    /// HTTP 404: nothing at this route or id.
    NotFound,
    /// HTTP 407: a proxy between client and server wants credentials.
    ProxyAuthenticationRequired,
    /// HTTP 421 Misdirected Request or 425 Too Early: sent to the wrong place or too soon.
    Misdirected,
    /// Another 4xx (400, 409, 413, 422, ...): the request itself is bad.
    OtherClientError,
    /// A 1xx or 3xx final answer (the client follows no redirects): a set-up problem,
    /// for example an `http://` base URL the server redirects to `https://`.
    Unexpected,
    /// A 2xx answer whose body is not what the call expects.
    Decode,
    /// The circuit breaker rejected the call without touching the network.
    CircuitOpen,
    /// The client's own rate limit (`ClientBuilder::rate_limit`) did not admit the call in
    /// time (told to fail fast, or the wait would pass the deadline): nothing was sent.
    RateLimited,
    /// The answer's body was larger than the client's cap.
    BodyTooLarge,
    /// A local failure: invalid input or configuration, encoding, file I/O, the runtime.
    Local,
}

/// Whether the retry layer repeats an attempt that ended this way. Only idempotent calls
/// are ever retried, within the attempt limit, the retry budget and the call's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Retry {
    /// Retried.
    Yes,
    /// Retried only when the client opted in with
    /// [`ClientBuilder::retry_on_500`](crate::ClientBuilder::retry_on_500).
    IfRetryOn500,
    /// Not retried.
    No,
}

impl Retry {
    /// Whether to retry, given the client's `retry_on_500` setting.
    pub fn allows(self, retry_on_500: bool) -> bool {
        match self {
            Retry::Yes => true,
            Retry::IfRetryOn500 => retry_on_500,
            Retry::No => false,
        }
    }
}

/// What the report spool does with a report whose submission ended this way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Spool {
    /// Delivered (a 2xx, even one whose answer holds no readable id): `submit_or_spool`
    /// returns the id (the report's own when the answer has none); a flush removes the
    /// report and goes on.
    Delivered,
    /// Not the report's fault (the server, the network, the token or the set-up):
    /// `submit_or_spool` keeps the report in the spool; a flush keeps it, stops, and says
    /// why in `FlushSummary::stopped_by`.
    Keep,
    /// The report itself is bad: `submit_or_spool` returns the error and spools nothing;
    /// a flush records a failed attempt, keeps the report and goes on with the rest, and once
    /// the dead-letter policy ([`ClientBuilder::spool_dead_letter`](crate::ClientBuilder::spool_dead_letter))
    /// gives up, moves it to `rejected/` with the server's answer.
    Reject,
    /// Neither delivered nor known to be transient: `submit_or_spool` returns the error
    /// and spools nothing; a flush keeps the report and stops.
    HandBack,
}

/// A row's three answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Verdict {
    /// Whether an idempotent call is retried.
    pub retry: Retry,
    /// What the circuit breaker records for the attempt.
    pub breaker: Outcome,
    /// What the report spool does.
    pub spool: Spool,
}

const fn v(retry: Retry, breaker: Outcome, spool: Spool) -> Verdict {
    Verdict {
        retry,
        breaker,
        spool,
    }
}

impl Kind {
    /// Every row, in the order of the printed table.
    pub const ALL: [Kind; 25] = [
        Kind::Success,
        Kind::Connect,
        Kind::Transport,
        Kind::Timeout(TimeoutPhase::Connect),
        Kind::Timeout(TimeoutPhase::Attempt),
        Kind::Timeout(TimeoutPhase::Call),
        Kind::RequestTimeout,
        Kind::TooManyRequests,
        Kind::InternalServerError,
        Kind::BadGateway,
        Kind::ServiceUnavailable,
        Kind::GatewayTimeout,
        Kind::OtherServerError,
        Kind::Unauthorized,
        Kind::Forbidden,
        Kind::NotFound,
        Kind::ProxyAuthenticationRequired,
        Kind::Misdirected,
        Kind::OtherClientError,
        Kind::Unexpected,
        Kind::Decode,
        Kind::CircuitOpen,
        Kind::RateLimited,
        Kind::BodyTooLarge,
        Kind::Local,
    ];

    /// The table: one verdict per row.
    ///
    /// Why the less obvious cells are what they are:
    /// - 500 is retried only on request: WATS answers 500 for some bad reports too, and
    ///   repeating those only adds load. It still counts against the breaker.
    /// - 408, 429 and other 5xx (501, 505) do not count against the breaker: the server
    ///   answered, it is not down.
    /// - 401, 403, 404, 407, 421/425 and 1xx/3xx keep the report: none says the report is
    ///   bad (a token rotation, a proxy, a wrong base URL or an older server), and handing
    ///   them back would lose the report unless every caller handles them. A 404 answers
    ///   the submit route (`POST /api/Report/WSJF`), which names no report: it means the
    ///   route is not there (wrong base URL or prefix, a proxy, an older server), so it is
    ///   a set-up failure like 401, not a rejection of the report.
    /// - An undecodable answer is a 2xx: for the spool that is delivery (a report whose
    ///   answer holds no readable id is removed and the answer logged, never posted again).
    /// - A refusal of the client's own rate limit keeps the report: the report is fine and
    ///   the server was not even asked; it only has to wait (a flush stops at it, like an
    ///   open circuit). Not retried: the limiter has already waited as long as it may.
    /// - A whole-call timeout is not retried (its deadline has passed) and counts against
    ///   the breaker (a hung server trips it even without an attempt timeout).
    pub const fn verdict(self) -> Verdict {
        use Outcome::{Failure, Ignored, Success};
        match self {
            Kind::Success => v(Retry::No, Success, Spool::Delivered),
            Kind::Connect
            | Kind::Transport
            | Kind::Timeout(TimeoutPhase::Connect | TimeoutPhase::Attempt)
            | Kind::BadGateway
            | Kind::ServiceUnavailable
            | Kind::GatewayTimeout => v(Retry::Yes, Failure, Spool::Keep),
            // The whole call's deadline (and any phase added later).
            Kind::Timeout(_) => v(Retry::No, Failure, Spool::Keep),
            Kind::RequestTimeout | Kind::TooManyRequests => v(Retry::Yes, Ignored, Spool::Keep),
            Kind::InternalServerError => v(Retry::IfRetryOn500, Failure, Spool::Keep),
            Kind::OtherServerError
            | Kind::ProxyAuthenticationRequired
            | Kind::CircuitOpen
            | Kind::RateLimited => v(Retry::No, Ignored, Spool::Keep),
            Kind::Unauthorized
            | Kind::Forbidden
            | Kind::NotFound
            | Kind::Misdirected
            | Kind::Unexpected => v(Retry::No, Success, Spool::Keep),
            Kind::OtherClientError => v(Retry::No, Success, Spool::Reject),
            Kind::Decode => v(Retry::No, Ignored, Spool::Delivered),
            Kind::BodyTooLarge | Kind::Local => v(Retry::No, Ignored, Spool::HandBack),
        }
    }

    /// The row of an HTTP status code.
    pub const fn of_status(status: u16) -> Kind {
        match status {
            200..=299 => Kind::Success,
            400..=499 => match status {
                401 => Kind::Unauthorized,
                403 => Kind::Forbidden,
                404 => Kind::NotFound,
                407 => Kind::ProxyAuthenticationRequired,
                408 => Kind::RequestTimeout,
                421 | 425 => Kind::Misdirected,
                429 => Kind::TooManyRequests,
                _ => Kind::OtherClientError,
            },
            500..=599 => match status {
                500 => Kind::InternalServerError,
                502 => Kind::BadGateway,
                503 => Kind::ServiceUnavailable,
                504 => Kind::GatewayTimeout,
                _ => Kind::OtherServerError,
            },
            _ => Kind::Unexpected,
        }
    }

    /// The row of an error.
    pub fn of_error(error: &Error) -> Kind {
        if let Some(status) = error.status() {
            return Kind::of_status(status);
        }
        match error {
            Error::Transport { connect: true, .. } => Kind::Connect,
            Error::Transport { .. } => Kind::Transport,
            Error::Timeout { phase, .. } => Kind::Timeout(*phase),
            Error::Decode { .. } => Kind::Decode,
            Error::CircuitOpen { .. } => Kind::CircuitOpen,
            Error::RateLimited { .. } => Kind::RateLimited,
            Error::BodyTooLarge { .. } => Kind::BodyTooLarge,
            _ => Kind::Local,
        }
    }

    /// The row of one attempt's result as the stack sees it (a non-2xx answer is still
    /// an `Ok` response below the outermost layer).
    pub(crate) fn of_attempt(result: &Result<Response<Bytes>, Error>) -> Kind {
        match result {
            Ok(resp) => Kind::of_status(resp.status().as_u16()),
            Err(e) => Kind::of_error(e),
        }
    }

    /// A short name of the row (`HTTP 503`, `timeout (attempt)`, ...), as logged by the
    /// retry layer and printed in the table.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Success => "HTTP 2xx",
            Kind::Connect => "transport error while connecting",
            Kind::Transport => "other transport error",
            Kind::Timeout(TimeoutPhase::Connect) => "timeout (connect)",
            Kind::Timeout(TimeoutPhase::Attempt) => "timeout (attempt)",
            Kind::Timeout(TimeoutPhase::Call) => "timeout (call)",
            Kind::Timeout(_) => "timeout",
            Kind::RequestTimeout => "HTTP 408",
            Kind::TooManyRequests => "HTTP 429",
            Kind::InternalServerError => "HTTP 500",
            Kind::BadGateway => "HTTP 502",
            Kind::ServiceUnavailable => "HTTP 503",
            Kind::GatewayTimeout => "HTTP 504",
            Kind::OtherServerError => "other HTTP 5xx",
            Kind::Unauthorized => "HTTP 401",
            Kind::Forbidden => "HTTP 403",
            Kind::NotFound => "HTTP 404",
            Kind::ProxyAuthenticationRequired => "HTTP 407",
            Kind::Misdirected => "HTTP 421, 425",
            Kind::OtherClientError => "other HTTP 4xx",
            Kind::Unexpected => "HTTP 1xx, 3xx",
            Kind::Decode => "undecodable answer",
            Kind::CircuitOpen => "circuit open",
            Kind::RateLimited => "client rate limit (not admitted)",
            Kind::BodyTooLarge => "answer body over the cap",
            Kind::Local => "local (input, config, encode, I/O, runtime)",
        }
    }
}

/// Whether an answer body is empty or only whitespace.
pub(crate) fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// The message of an error answer: the body's `message`, `Message` or `error`
/// field, a JSON string body, a short text body, or the reason phrase.
pub(crate) fn error_message(status: StatusCode, body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        match &value {
            serde_json::Value::Object(map) => {
                for key in ["message", "Message", "error"] {
                    match map.get(key) {
                        Some(serde_json::Value::String(s)) if !s.is_empty() => return s.clone(),
                        Some(serde_json::Value::Object(inner)) => {
                            if let Some(serde_json::Value::String(s)) = inner.get("message") {
                                return s.clone();
                            }
                        }
                        _ => {}
                    }
                }
            }
            serde_json::Value::String(s) if !s.is_empty() => return s.clone(),
            _ => {}
        }
    } else if !is_blank(body) {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if !text.starts_with('<') {
            return text.chars().take(500).collect();
        }
    }
    status
        .canonical_reason()
        .map_or_else(|| format!("HTTP {}", status.as_u16()), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_sources() {
        let s = StatusCode::BAD_REQUEST;
        assert_eq!(error_message(s, br#"{"message":"m1"}"#), "m1");
        assert_eq!(error_message(s, br#"{"Message":"m2","x":1}"#), "m2");
        assert_eq!(error_message(s, br#"{"error":"m3"}"#), "m3");
        assert_eq!(error_message(s, br#"{"error":{"message":"m4"}}"#), "m4");
        assert_eq!(error_message(s, br#""m5""#), "m5");
        assert_eq!(error_message(s, b"plain text  "), "plain text");
        assert_eq!(error_message(s, b"<html>x</html>"), "Bad Request");
        assert_eq!(error_message(s, b""), "Bad Request");
        assert_eq!(
            error_message(StatusCode::from_u16(599).unwrap(), b"{}"),
            "HTTP 599"
        );
    }

    // ---- the table: one test per row, each checking the row's samples against the
    // verdict and against what the retry policy, the breaker and the spool actually do.

    use std::sync::Arc;
    use std::time::Duration;

    use tower::retry::Policy;
    use tower::retry::budget::TpsBudget;

    use crate::call::Call;
    use crate::retry::{RetryPolicy, RetrySettings};

    enum Sample {
        Status(&'static [u16]),
        Errors(&'static [fn() -> Error]),
    }

    fn response(code: u16) -> Result<Response<Bytes>, Error> {
        let mut resp = Response::new(Bytes::new());
        *resp.status_mut() = StatusCode::from_u16(code).unwrap();
        Ok(resp)
    }

    /// Whether the real retry policy retries a GET that ended with `result`.
    fn retried(mut result: Result<Response<Bytes>, Error>, retry_on_500: bool) -> bool {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let _enter = rt.enter();
        let settings = RetrySettings {
            retry_on_500,
            ..RetrySettings::default()
        };
        let mut policy = RetryPolicy::new(Arc::new(settings), Arc::new(TpsBudget::default()));
        let mut call = Call::new(
            http::Method::GET,
            "/api/x",
            http::Uri::from_static("http://127.0.0.1/api/x"),
            None,
            None,
            true,
        );
        policy.retry(&mut call, &mut result).is_some()
    }

    fn check_result(
        kind: Kind,
        want: Verdict,
        make: &dyn Fn() -> Result<Response<Bytes>, Error>,
        what: &str,
    ) {
        assert_eq!(Kind::of_attempt(&make()), kind, "{what}");
        assert_eq!(
            crate::breaker::classify(&make()),
            want.breaker,
            "breaker, {what}"
        );
        for on500 in [false, true] {
            assert_eq!(
                retried(make(), on500),
                want.retry.allows(on500),
                "retry (retry_on_500 {on500}), {what}"
            );
        }
    }

    fn check(kind: Kind, sample: &Sample, want: Verdict) {
        assert_eq!(kind.verdict(), want, "{}", kind.name());
        match sample {
            Sample::Status(codes) => {
                for &code in *codes {
                    assert_eq!(Kind::of_status(code), kind, "{code}");
                    check_result(kind, want, &|| response(code), &format!("HTTP {code}"));
                    if (200..300).contains(&code) {
                        assert_eq!(want.spool, Spool::Delivered);
                    } else {
                        let e = Error::from_status(code, "m".to_owned(), None);
                        assert_eq!(Kind::of_error(&e), kind, "{code}");
                        assert_eq!(crate::spool::errors::disposition(&e), want.spool, "{code}");
                    }
                }
            }
            Sample::Errors(makes) => {
                for make in *makes {
                    let e = make();
                    assert_eq!(Kind::of_error(&e), kind, "{e:?}");
                    assert_eq!(crate::spool::errors::disposition(&e), want.spool, "{e:?}");
                    check_result(kind, want, &|| Err(make()), &format!("{e:?}"));
                }
            }
        }
    }

    fn timeout(phase: TimeoutPhase) -> Error {
        Error::Timeout {
            after: Duration::from_secs(1),
            phase,
        }
    }

    macro_rules! rows {
        ($($name:ident: $kind:expr, $sample:expr => $retry:ident, $breaker:ident, $spool:ident;)*) => {
            $(
                #[test]
                fn $name() {
                    check($kind, &$sample, v(Retry::$retry, Outcome::$breaker, Spool::$spool));
                }
            )*
            const TESTED: &[Kind] = &[$($kind),*];
        };
    }

    rows! {
        row_2xx: Kind::Success, Sample::Status(&[200, 201, 204]) => No, Success, Delivered;
        row_connect: Kind::Connect, Sample::Errors(&[|| Error::Transport {
            message: "refused".into(), connect: true, source: None,
        }]) => Yes, Failure, Keep;
        row_transport: Kind::Transport, Sample::Errors(&[|| Error::Transport {
            message: "reset".into(), connect: false, source: None,
        }]) => Yes, Failure, Keep;
        row_timeout_connect: Kind::Timeout(TimeoutPhase::Connect),
            Sample::Errors(&[|| timeout(TimeoutPhase::Connect)]) => Yes, Failure, Keep;
        row_timeout_attempt: Kind::Timeout(TimeoutPhase::Attempt),
            Sample::Errors(&[|| timeout(TimeoutPhase::Attempt)]) => Yes, Failure, Keep;
        row_timeout_call: Kind::Timeout(TimeoutPhase::Call),
            Sample::Errors(&[|| timeout(TimeoutPhase::Call)]) => No, Failure, Keep;
        row_408: Kind::RequestTimeout, Sample::Status(&[408]) => Yes, Ignored, Keep;
        row_429: Kind::TooManyRequests, Sample::Status(&[429]) => Yes, Ignored, Keep;
        row_500: Kind::InternalServerError, Sample::Status(&[500]) => IfRetryOn500, Failure, Keep;
        row_502: Kind::BadGateway, Sample::Status(&[502]) => Yes, Failure, Keep;
        row_503: Kind::ServiceUnavailable, Sample::Status(&[503]) => Yes, Failure, Keep;
        row_504: Kind::GatewayTimeout, Sample::Status(&[504]) => Yes, Failure, Keep;
        row_other_5xx: Kind::OtherServerError, Sample::Status(&[501, 505, 599]) => No, Ignored, Keep;
        row_401: Kind::Unauthorized, Sample::Status(&[401]) => No, Success, Keep;
        row_403: Kind::Forbidden, Sample::Status(&[403]) => No, Success, Keep;
        row_404: Kind::NotFound, Sample::Status(&[404]) => No, Success, Keep;
        row_407: Kind::ProxyAuthenticationRequired, Sample::Status(&[407]) => No, Ignored, Keep;
        row_421_425: Kind::Misdirected, Sample::Status(&[421, 425]) => No, Success, Keep;
        row_other_4xx: Kind::OtherClientError, Sample::Status(&[400, 409, 413, 422]) => No, Success, Reject;
        row_1xx_3xx: Kind::Unexpected, Sample::Status(&[101, 301, 302, 304]) => No, Success, Keep;
        row_decode: Kind::Decode, Sample::Errors(&[|| Error::Decode {
            target: "x", path: ".".into(), message: "m".into(),
        }]) => No, Ignored, Delivered;
        row_circuit_open: Kind::CircuitOpen, Sample::Errors(&[|| Error::CircuitOpen {
            retry_after: Duration::from_secs(5),
        }]) => No, Ignored, Keep;
        row_rate_limited: Kind::RateLimited, Sample::Errors(&[|| Error::RateLimited {
            retry_after: Duration::from_secs(1),
        }]) => No, Ignored, Keep;
        row_body_too_large: Kind::BodyTooLarge,
            Sample::Errors(&[|| Error::BodyTooLarge { limit: 1 }]) => No, Ignored, HandBack;
        row_local: Kind::Local, Sample::Errors(&[
            || Error::InvalidInput { field: "id".into(), message: "m".into() },
            || Error::InvalidConfig("m".into()),
            || Error::Encode { target: "x", message: "m".into() },
            || Error::Io { path: "/x".into(), source: std::io::Error::other("m") },
            || Error::Runtime { what: "x", source: "m".into() },
            || Error::Setup { component: "station", source: "m".into() },
        ]) => No, Ignored, HandBack;
    }

    #[test]
    fn every_row_has_its_test() {
        assert_eq!(TESTED, &Kind::ALL[..]);
    }

    /// The table as printed in `docs/ARCHITECTURE.md`.
    fn markdown() -> String {
        let mut out = String::from(
            "| Answer or error | Retried (idempotent calls only) | Circuit breaker | Spool |\n\
             |---|---|---|---|\n",
        );
        for kind in Kind::ALL {
            let verdict = kind.verdict();
            let retry = match verdict.retry {
                Retry::Yes => "yes",
                Retry::IfRetryOn500 => "only with `retry_on_500(true)`",
                Retry::No => "no",
            };
            let breaker = match verdict.breaker {
                Outcome::Success => "success",
                Outcome::Failure => "failure",
                _ => "ignored",
            };
            let spool = match verdict.spool {
                Spool::Delivered => "delivered",
                Spool::Keep => "keep (spooled; a flush stops)",
                Spool::Reject => {
                    "reject (returned; a flush counts an attempt, goes on, and dead-letters it \
                     to `rejected/`)"
                }
                Spool::HandBack => "hand back (returned; a flush stops)",
            };
            out.push_str(&format!(
                "| {} | {retry} | {breaker} | {spool} |\n",
                kind.name()
            ));
        }
        out
    }

    #[test]
    fn architecture_md_prints_this_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ARCHITECTURE.md");
        let doc = std::fs::read_to_string(path).expect("docs/ARCHITECTURE.md");
        let table = markdown();
        assert!(
            doc.contains(&table),
            "docs/ARCHITECTURE.md must print the failure table as:\n{table}"
        );
    }
}
