//! Transport behaviour against tiny in-test servers: headers, correlation ids,
//! retries, Retry-After (paused clock), timeouts, body cap, gzip, status errors.

mod support;

use std::io::Write;
use std::time::{Duration, SystemTime};

use support::{Reply, TestServer, client};
use wats_core::{CorrelationExt, Error, TimeoutPhase, with_correlation_id};

fn ok_version() -> Reply {
    Reply::json(200, r#""2025.1.0""#)
}

fn corr(s: &support::Seen) -> String {
    s.headers["x-correlation-id"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn default_headers_are_sent() {
    let server = TestServer::start(|_, _| ok_version()).await;
    let c = client(&format!("{}/api/", server.url())).build().unwrap();
    assert_eq!(c.server_version().await.unwrap(), "2025.1.0");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert_eq!(s.method, "GET");
    assert_eq!(s.target, "/api/App/Version");
    assert_eq!(s.headers["authorization"], "Basic dXNlcjpwYXNz");
    assert_eq!(s.headers["accept"], "application/json");
    assert_eq!(
        s.headers["user-agent"],
        concat!("wats-rs/", env!("CARGO_PKG_VERSION"))
    );
    assert!(
        s.headers["accept-encoding"]
            .to_str()
            .unwrap()
            .contains("gzip")
    );
    let id = corr(s);
    assert_eq!(id.len(), 16);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
}

#[tokio::test]
async fn caller_correlation_id_is_used_and_header_name_configurable() {
    let server = TestServer::start(|_, _| ok_version()).await;
    let c = client(&server.url()).build().unwrap();
    c.server_version()
        .with_correlation_id("line-4-run-17")
        .await
        .unwrap();
    // The scoped form works for a future created and awaited inside the scope too.
    let fut = with_correlation_id("scoped-1", || {
        c.server_version().with_correlation_id("scoped-1")
    });
    fut.await.unwrap();
    let c2 = client(&server.url())
        .correlation_header("X-Request-Id")
        .build()
        .unwrap();
    c2.server_version()
        .with_correlation_id("rid-9")
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(corr(&seen[0]), "line-4-run-17");
    assert_eq!(corr(&seen[1]), "scoped-1");
    assert_eq!(seen[2].headers["x-request-id"], "rid-9");
    assert!(!seen[2].headers.contains_key("x-correlation-id"));
}

#[tokio::test]
async fn get_is_retried_on_503_with_the_same_correlation_id() {
    let server = TestServer::start(|n, _| {
        if n < 2 {
            Reply::json(503, r#"{"message":"busy"}"#)
        } else {
            ok_version()
        }
    })
    .await;
    let c = client(&server.url()).build().unwrap();
    assert_eq!(c.server_version().await.unwrap(), "2025.1.0");
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let first = corr(&seen[0]);
    assert!(
        seen.iter().all(|s| corr(s) == first),
        "ids differ across attempts"
    );
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let server = TestServer::start(|_, _| Reply::json(502, r#"{"Message":"gateway"}"#)).await;
    let c = client(&server.url()).max_attempts(4).build().unwrap();
    let err = c
        .server_version()
        .with_correlation_id("c-1")
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Status { status: 502, message, .. } if message == "gateway"));
    assert_eq!(err.correlation_id(), Some("c-1"));
    assert_eq!(server.count(), 4);

    let server = TestServer::start(|_, _| Reply::json(503, "{}")).await;
    let c = client(&server.url()).max_attempts(1).build().unwrap();
    assert!(c.server_version().await.is_err());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn status_500_retried_only_when_enabled_and_400_never() {
    let server = TestServer::start(|_, _| Reply::json(500, "{}")).await;
    let c = client(&server.url()).build().unwrap();
    assert_eq!(c.server_version().await.unwrap_err().status(), Some(500));
    assert_eq!(server.count(), 1);
    let c = client(&server.url()).retry_on_500(true).build().unwrap();
    assert_eq!(c.server_version().await.unwrap_err().status(), Some(500));
    assert_eq!(server.count(), 1 + 3);

    let server = TestServer::start(|_, _| Reply::json(400, r#"{"error":"bad"}"#)).await;
    let c = client(&server.url()).build().unwrap();
    let err = c.server_version().await.unwrap_err();
    assert!(matches!(&err, Error::Status { status: 400, message, .. } if message == "bad"));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn post_is_never_retried() {
    let server = TestServer::start(|_, _| Reply::json(503, r#"{"message":"busy"}"#)).await;
    let c = client(&server.url()).build().unwrap();
    let err = c
        .reports()
        .submit_raw(&b"{\"type\":\"T\"}"[..])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.correlation_id().is_some());
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].target, "/api/Report/WSJF");
    assert_eq!(seen[0].headers["content-type"], "application/json");
    assert_eq!(&seen[0].body[..], b"{\"type\":\"T\"}");
}

#[tokio::test]
async fn status_errors_are_distinct() {
    let server = TestServer::start(|_, s| match s.target.as_str() {
        "/a/api/App/Version" => Reply::json(401, r#"{"Message":"token expired"}"#),
        "/b/api/App/Version" => Reply::json(403, r#"{"message":"no right"}"#),
        _ => Reply::json(404, ""),
    })
    .await;
    let err = client(&format!("{}/a", server.url()))
        .build()
        .unwrap()
        .server_version()
        .with_correlation_id("e-1")
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Unauthorized { message, .. } if message == "token expired"));
    assert_eq!(err.correlation_id(), Some("e-1"));
    let err = client(&format!("{}/b", server.url()))
        .build()
        .unwrap()
        .server_version()
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Forbidden { message, .. } if message == "no right"));
    let err = client(&format!("{}/c", server.url()))
        .build()
        .unwrap()
        .server_version()
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::NotFound { message, .. } if message == "Not Found"));
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_honoured() {
    let server = TestServer::start(|n, _| {
        if n == 0 {
            Reply::json(503, "{}").header("retry-after", "3")
        } else {
            ok_version()
        }
    })
    .await;
    let c = client(&server.url()).build().unwrap();
    let t0 = tokio::time::Instant::now();
    c.server_version().await.unwrap();
    let waited = t0.elapsed();
    assert!(waited >= Duration::from_secs(3), "{waited:?}");
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    assert_eq!(server.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_honoured() {
    let server = TestServer::start(|n, _| {
        if n == 0 {
            let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(8));
            Reply::json(429, "{}").header("retry-after", &at)
        } else {
            ok_version()
        }
    })
    .await;
    let c = client(&server.url()).build().unwrap();
    let t0 = tokio::time::Instant::now();
    c.server_version().await.unwrap();
    let waited = t0.elapsed();
    // The HTTP-date has one-second resolution.
    assert!(waited >= Duration::from_secs(6), "{waited:?}");
    assert!(waited <= Duration::from_secs(9), "{waited:?}");
    assert_eq!(server.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped_and_respects_the_deadline() {
    let server = TestServer::start(|n, _| {
        if n == 0 {
            Reply::json(503, "{}").header("retry-after", "3600")
        } else {
            ok_version()
        }
    })
    .await;
    let c = client(&server.url())
        .retry_after_cap(Duration::from_secs(2))
        .build()
        .unwrap();
    let t0 = tokio::time::Instant::now();
    c.server_version().await.unwrap();
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(3),
        "{waited:?}"
    );

    // A Retry-After beyond the call's timeout: no pointless sleep, the 503 is returned.
    let server = TestServer::start(|_, _| Reply::json(503, "{}").header("retry-after", "20")).await;
    let c = client(&server.url())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let t0 = tokio::time::Instant::now();
    assert_eq!(c.server_version().await.unwrap_err().status(), Some(503));
    assert!(t0.elapsed() < Duration::from_secs(1));
    assert_eq!(server.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn whole_request_timeout() {
    let server = TestServer::start(|_, _| ok_version().delay(Duration::from_secs(60))).await;
    let c = client(&server.url())
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let err = c.server_version().await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { phase: TimeoutPhase::Call, after } if after == Duration::from_secs(2)),
        "{err:?}"
    );
    assert!(err.to_string().contains("(call)"), "{err}");
    assert_eq!(server.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn attempt_timeout_is_retried() {
    let server = TestServer::start(|n, _| {
        if n == 0 {
            ok_version().delay(Duration::from_secs(60))
        } else {
            ok_version()
        }
    })
    .await;
    let c = client(&server.url())
        .attempt_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    assert_eq!(c.server_version().await.unwrap(), "2025.1.0");
    assert_eq!(server.count(), 2);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[tokio::test]
async fn body_cap_applies_to_plain_and_decompressed_bodies() {
    let big = format!("\"{}\"", "x".repeat(5000));
    let big2 = big.clone();
    let server = TestServer::start(move |n, _| match n {
        0 => Reply::json(200, &big2),
        1 => Reply::json(200, "")
            .body(gzip(big2.as_bytes()))
            .header("content-encoding", "gzip"),
        _ => Reply::json(200, "")
            .body(gzip(b"\"7.7\""))
            .header("content-encoding", "gzip"),
    })
    .await;
    let c = client(&server.url()).max_body_size(1000).build().unwrap();
    let err = c.server_version().await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1000 }),
        "{err:?}"
    );
    let err = c.server_version().await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1000 }),
        "{err:?}"
    );
    assert_eq!(c.server_version().await.unwrap(), "7.7");
    assert_eq!(server.count(), 3, "BodyTooLarge must not be retried");
    assert!(big.len() > 1000);
}

#[tokio::test]
async fn connect_errors_are_transport_connect_and_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = client(&format!("http://{addr}")).build().unwrap();
    let err = c.server_version().await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { connect: true, .. }),
        "{err:?}"
    );
    assert_eq!(
        wats_http::failure::Kind::of_error(&err).verdict().retry,
        wats_http::failure::Retry::Yes
    );
}

#[test]
fn with_new_pool_serves_another_runtime_after_the_first_is_gone() {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = server_rt.block_on(TestServer::start(|_, _| ok_version()));
    let c = client(&server.url()).build().unwrap();
    for _ in 0..2 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let local = c.with_new_pool();
        assert!(local.shares_settings_with(&c));
        let v = rt.block_on(async {
            // Two calls: the second reuses this runtime's pooled connection.
            local.server_version().await.unwrap();
            local.server_version().await.unwrap()
        });
        assert_eq!(v, "2025.1.0");
        drop(rt);
    }
    assert_eq!(server.count(), 4);
}
