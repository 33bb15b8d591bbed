//! Lifecycle, connections, counters, auth and every fault.

mod common;

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};

use common::{Conn, get, request};
use wats_mock::{Fault, MockError, MockServer, RetryAfter};

#[test]
fn url_and_addr_agree() {
    let s = MockServer::start();
    assert_eq!(s.url(), format!("http://127.0.0.1:{}", s.port()));
    assert_eq!(s.addr().port(), s.port());
    assert!(s.port() != 0);
}

#[test]
fn bind_failure_is_an_error() {
    let a = MockServer::start();
    let err = MockServer::builder().port(a.port()).start().unwrap_err();
    assert!(matches!(err, MockError::Bind { .. }), "{err}");
    assert!(err.to_string().contains(&a.port().to_string()));
}

#[test]
fn invalid_token_is_a_config_error() {
    let err = MockServer::builder()
        .token("bad\ntoken")
        .start()
        .unwrap_err();
    assert!(matches!(err, MockError::InvalidConfig(_)), "{err}");
    assert!(!err.to_string().contains("bad"), "token leaked: {err}");
}

#[test]
fn drop_closes_listener_and_connections() {
    let s = MockServer::start();
    let addr = s.addr();
    let mut idle = Conn::open(addr).unwrap();
    assert_eq!(idle.get("/api/App/Version").status, 200);
    let mut hung = Conn::open(addr).unwrap();
    s.inject(Fault::hang().path_prefix("/api/Product"));
    hung.send("GET", "/api/Product/FATPartNo", &[], b"")
        .unwrap();
    // Make sure the hung request reached the server before dropping.
    while s.requests_for("/api/Product/{partNumber}") == 0 {
        std::thread::sleep(Duration::from_millis(2));
    }
    drop(s);
    assert!(
        TcpStream::connect(addr).is_err(),
        "still accepting after drop"
    );
    assert!(idle.is_closed_by_server());
    assert!(
        hung.read_response().is_err(),
        "hung request answered after drop"
    );
}

#[test]
fn keep_alive_requests_share_one_connection() {
    let s = MockServer::start();
    let mut c = Conn::open(s.addr()).unwrap();
    for _ in 0..5 {
        assert_eq!(c.get("/api/App/Version").status, 200);
    }
    assert_eq!(c.get("/api/Product/FATPartNo").status, 200);
    let n = s.counters();
    assert_eq!(n.connections_accepted, 1);
    assert_eq!(n.connections_closed, 0);
    assert_eq!(n.open_connections(), 1);
    assert_eq!(n.requests_total, 6);
    assert_eq!(n.requests_for("/api/App/Version"), 5);
    assert_eq!(n.requests_for("/api/Product/{partNumber}"), 1);
    assert_eq!(n.requests_for("/api/Product/FATPartNo"), 1);
    assert_eq!(n.by_route.get("/api/App/Version"), Some(&5));
    assert_eq!(s.requests_for("/api/App/Version"), 5);
    assert_eq!(s.requests_total(), 6);
    drop(c);
    // The server notices the close.
    while s.counters().connections_closed == 0 {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(s.counters().open_connections(), 0);
}

#[test]
fn recent_requests_keep_headers_and_reset() {
    let s = MockServer::builder().record_requests(3).start().unwrap();
    let mut c = Conn::open(s.addr()).unwrap();
    c.request(
        "GET",
        "/api/Report/Query/Header?reportType=U&$top=1",
        &[
            ("X-Correlation-ID", "corr-42"),
            ("User-Agent", "wats-test/1"),
            ("Authorization", "Basic abc"),
        ],
        b"",
    )
    .unwrap();
    let last = s.last_request().unwrap();
    assert_eq!(last.method, http::Method::GET);
    assert_eq!(
        last.path_and_query,
        "/api/Report/Query/Header?reportType=U&$top=1"
    );
    assert_eq!(last.path(), "/api/Report/Query/Header");
    assert_eq!(last.route, Some("/api/Report/Query/Header"));
    assert_eq!(last.header("x-correlation-id"), Some("corr-42"));
    assert_eq!(last.header("user-agent"), Some("wats-test/1"));
    assert_eq!(last.header("authorization"), Some("Basic abc"));
    for _ in 0..4 {
        c.get("/api/Nope");
    }
    let recent = s.recent_requests();
    assert_eq!(recent.len(), 3);
    assert!(
        recent
            .iter()
            .all(|r| r.path() == "/api/Nope" && r.route.is_none())
    );
    assert_eq!(s.requests_for("/api/Nope"), 4);

    s.reset_counters();
    let n = s.counters();
    assert_eq!((n.connections_accepted, n.requests_total), (0, 0));
    assert!(n.by_path.is_empty() && n.by_route.is_empty());
    assert!(s.recent_requests().is_empty());
    c.get("/api/App/Version");
    assert_eq!(s.requests_total(), 1);
}

#[test]
fn sixteen_concurrent_keep_alive_connections() {
    concurrent_keep_alive(&MockServer::start());
}

#[test]
fn sixteen_concurrent_keep_alive_connections_multi_thread_runtime() {
    concurrent_keep_alive(&MockServer::builder().worker_threads(2).start().unwrap());
}

fn concurrent_keep_alive(s: &MockServer) {
    let addr = s.addr();
    std::thread::scope(|scope| {
        for t in 0..16 {
            scope.spawn(move || {
                let mut c = Conn::open(addr).unwrap();
                for i in 0..25 {
                    let r = match i % 5 {
                        0 => c.get("/api/App/Version"),
                        1 => c.get("/api/Product/Query"),
                        2 => c.get("/api/Report/Query/Header?reportType=U&$top=2"),
                        3 => c.get("/api/Report/Wsjf/33a2d408-3fc8-480b-b554-6866c77fd91c"),
                        _ => {
                            let body = format!(
                                "{{\"type\":\"T\",\"id\":\"{t:08}-0000-4000-8000-{i:012}\",\"pn\":\"P\",\"sn\":\"S{t}\",\"rev\":\"A\"}}"
                            );
                            c.request("POST", "/api/Report/WSJF", &[], body.as_bytes()).unwrap()
                        }
                    };
                    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
                }
            });
        }
    });
    let n = s.counters();
    assert_eq!(n.connections_accepted, 16);
    assert_eq!(n.requests_total, 16 * 25);
    assert_eq!(n.requests_for("/api/Report/WSJF"), 16 * 5);
    assert_eq!(s.report_count(), 5 + 16 * 5);
}

#[test]
fn auth_requires_the_exact_basic_token() {
    let s = MockServer::builder().token("dXNlcjpwYXNz").start().unwrap();
    let denied = "Authorization has been denied for this request.";
    let r = get(s.addr(), "/api/App/Version");
    assert_eq!(r.status, 401);
    assert_eq!(r.message(), denied);
    for bad in [
        "Basic wrong",
        "Bearer dXNlcjpwYXNz",
        "basic dXNlcjpwYXNz",
        "dXNlcjpwYXNz",
    ] {
        let r = request(
            s.addr(),
            "GET",
            "/api/App/Version",
            &[("Authorization", bad)],
            b"",
        );
        assert_eq!(r.status, 401, "{bad}");
    }
    let ok = request(
        s.addr(),
        "GET",
        "/api/App/Version",
        &[("Authorization", "Basic dXNlcjpwYXNz")],
        b"",
    );
    assert_eq!(ok.status, 200);
    // Without a token anything goes.
    let open = MockServer::start();
    assert_eq!(
        request(
            open.addr(),
            "GET",
            "/api/App/Version",
            &[("Authorization", "Basic x")],
            b""
        )
        .status,
        200
    );
    assert!(
        !format!("{s:?}").contains("dXNlcjpwYXNz"),
        "token leaked in Debug"
    );
}

#[test]
fn fail_next_n_with_retry_after_seconds() {
    let s = MockServer::start();
    s.inject(
        Fault::status(503)
            .times(2)
            .path_prefix("/api/Report")
            .retry_after(RetryAfter::Seconds(7)),
    );
    let mut c = Conn::open(s.addr()).unwrap();
    // Other paths are not affected.
    assert_eq!(c.get("/api/App/Version").status, 200);
    for _ in 0..2 {
        let r = c.get("/api/Report/Query/Header?reportType=U");
        assert_eq!(r.status, 503);
        assert_eq!(r.header("retry-after"), Some("7"));
        assert!(r.message().contains("503"));
    }
    let r = c.get("/api/Report/Query/Header?reportType=U");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("retry-after"), None);
    assert_eq!(s.active_faults(), 0);

    s.fail_next(1, 429);
    assert_eq!(c.get("/api/App/Version").status, 429);
    assert_eq!(c.get("/api/App/Version").status, 200);
}

#[test]
fn fail_for_duration_and_http_date_retry_after() {
    let s = MockServer::start();
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
    let id = s.inject(
        Fault::status(500)
            .for_duration(Duration::from_secs(3600))
            .retry_after(RetryAfter::Date(when)),
    );
    let mut c = Conn::open(s.addr()).unwrap();
    for _ in 0..3 {
        let r = c.get("/api/Product/FATPartNo");
        assert_eq!(r.status, 500);
        assert_eq!(
            r.header("retry-after"),
            Some("Wed, 21 Oct 2015 07:28:00 GMT")
        );
    }
    assert!(s.remove_fault(id));
    assert_eq!(c.get("/api/Product/FATPartNo").status, 200);

    // A short window expires by itself.
    s.fail_for(Duration::from_millis(30), 502);
    std::thread::sleep(Duration::from_millis(80));
    assert_eq!(c.get("/api/App/Version").status, 200);
    assert_eq!(s.active_faults(), 0);
}

#[test]
fn close_mid_response_cuts_the_body() {
    let s = MockServer::start();
    s.inject(Fault::close_mid_response().times(1));
    let mut c = Conn::open(s.addr()).unwrap();
    let err = c
        .request(
            "GET",
            "/api/Report/Wsjf/33a2d408-3fc8-480b-b554-6866c77fd91c",
            &[],
            b"",
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    let msg = err.to_string();
    assert!(
        msg.contains("body cut after") && msg.contains("of 50682"),
        "{msg}"
    );
    let got: usize = msg.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(got > 0 && got < 50682, "{msg}");
    assert!(c.is_closed_by_server());
    // The next request (new connection) is fine.
    assert_eq!(get(s.addr(), "/api/App/Version").status, 200);
}

#[test]
fn malformed_json_answer() {
    let s = MockServer::start();
    s.inject(
        Fault::malformed_json()
            .path_prefix("/api/Product/")
            .times(1),
    );
    let r = get(s.addr(), "/api/Product/FATPartNo");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    assert!(
        serde_json::from_slice::<serde_json::Value>(&get(s.addr(), "/api/Product/FATPartNo").body)
            .is_ok()
    );
}

#[test]
fn hang_until_cleared() {
    let s = MockServer::start();
    s.inject(Fault::hang().times(1));
    let mut c = Conn::open(s.addr()).unwrap();
    c.send("GET", "/api/App/Version", &[], b"").unwrap();
    c.set_read_timeout(Duration::from_millis(200));
    let e = c.read_response().unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{e}"
    );
    // Other connections are served meanwhile.
    assert_eq!(get(s.addr(), "/api/App/Version").status, 200);
    s.clear_faults();
    c.set_read_timeout(Duration::from_secs(20));
    let r = c.read_response().unwrap();
    assert_eq!(r.status, 200);
}

#[test]
fn latency_delays_answers() {
    let s = MockServer::builder()
        .latency(Duration::from_millis(600))
        .start()
        .unwrap();
    let mut c = Conn::open(s.addr()).unwrap();
    c.send("GET", "/api/App/Version", &[], b"").unwrap();
    c.set_read_timeout(Duration::from_millis(50));
    let e = c.read_response().unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{e}"
    );
    c.set_read_timeout(Duration::from_secs(20));
    assert_eq!(c.read_response().unwrap().status, 200);
    s.set_latency(Duration::ZERO);
    assert_eq!(c.get("/api/App/Version").status, 200);
}

#[test]
fn close_idle_connections_spares_busy_ones() {
    let s = MockServer::start();
    let mut idle = Conn::open(s.addr()).unwrap();
    assert_eq!(idle.get("/api/App/Version").status, 200);
    let mut busy = Conn::open(s.addr()).unwrap();
    s.inject(Fault::hang().path_prefix("/api/Product"));
    busy.send("GET", "/api/Product/FATPartNo", &[], b"")
        .unwrap();
    while s.requests_for("/api/Product/{partNumber}") == 0 {
        std::thread::sleep(Duration::from_millis(2));
    }
    s.close_idle_connections();
    assert!(idle.is_closed_by_server(), "idle connection not closed");
    s.clear_faults();
    let r = busy.read_response().unwrap();
    assert_eq!(r.status, 200);
    // Reconnecting works.
    assert_eq!(get(s.addr(), "/api/App/Version").status, 200);
    assert_eq!(s.counters().connections_accepted, 3);
}

#[test]
fn refuse_then_recover_on_the_same_port() {
    let s = MockServer::start();
    let addr = s.addr();
    assert_eq!(get(addr, "/api/App/Version").status, 200);
    let mut kept = Conn::open(addr).unwrap();
    // Make sure the server has accepted it (backlog connections are reset).
    assert_eq!(kept.get("/api/App/Version").status, 200);
    s.refuse_connections();
    let e = TcpStream::connect(addr).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
    // Established connections keep working.
    assert_eq!(kept.get("/api/App/Version").status, 200);
    s.accept_connections().unwrap();
    assert_eq!(s.addr(), addr);
    assert_eq!(get(addr, "/api/App/Version").status, 200);
    // Idempotent.
    s.accept_connections().unwrap();
    assert_eq!(get(addr, "/api/App/Version").status, 200);
}

#[test]
fn gzip_when_asked() {
    let s = MockServer::builder().gzip(true).start().unwrap();
    let plain = get(s.addr(), "/api/Product/Query");
    assert_eq!(plain.header("content-encoding"), None);
    let z = request(
        s.addr(),
        "GET",
        "/api/Product/Query",
        &[("Accept-Encoding", "gzip, deflate")],
        b"",
    );
    assert_eq!(z.status, 200);
    assert_eq!(z.header("content-encoding"), Some("gzip"));
    assert!(z.body.len() < plain.body.len());
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&z.body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.body);
    s.set_gzip(false);
    let off = request(
        s.addr(),
        "GET",
        "/api/Product/Query",
        &[("Accept-Encoding", "gzip")],
        b"",
    );
    assert_eq!(off.header("content-encoding"), None);
    assert_eq!(off.body, plain.body);
}
