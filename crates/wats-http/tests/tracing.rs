//! The `wats.call` span and retry events, captured with a tracing layer.

mod support;

use support::capture::{Captured, Fields, get};
use support::{Reply, TestServer, client};
use tracing_subscriber::layer::SubscriberExt;
use wats_core::CorrelationExt;

#[tokio::test]
async fn call_span_records_ids_route_and_retry_events() {
    let server = TestServer::start(|n, _| {
        let reply = if n == 0 {
            Reply::json(503, r#"{"message":"busy"}"#)
        } else {
            Reply::json(200, r#""1.0""#)
        };
        reply.header("x-correlation-id", "srv-123")
    })
    .await;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let c = client(&server.url()).build().unwrap();
    c.server_version()
        .with_correlation_id("trace-1")
        .await
        .unwrap();

    let spans = captured.spans.lock().unwrap();
    let calls: Vec<&Fields> = spans
        .values()
        .filter(|(name, _)| name == "wats.call")
        .map(|(_, f)| f)
        .collect();
    assert_eq!(calls.len(), 1);
    let span = calls[0];
    assert_eq!(get(span, "correlation_id"), Some("trace-1"));
    assert_eq!(get(span, "method"), Some("GET"));
    assert_eq!(get(span, "route"), Some("/api/App/Version"));
    assert_eq!(get(span, "server_correlation_id"), Some("srv-123"));
    assert_eq!(get(span, "status"), Some("200"));

    let events = captured.events.lock().unwrap();
    let retries: Vec<&Fields> = events
        .iter()
        .map(|e| &e.fields)
        .filter(|f| get(f, "message") == Some("retrying WATS call"))
        .collect();
    assert_eq!(retries.len(), 1);
    assert_eq!(get(retries[0], "attempt"), Some("1"));
    assert_eq!(get(retries[0], "reason"), Some("status"));
    assert_eq!(get(retries[0], "status"), Some("503"));
    assert!(get(retries[0], "delay_ms").is_some());
}

#[tokio::test]
async fn the_token_is_never_logged() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::json(503, "{}"),
        1 => Reply::json(401, r#"{"message":"bad token"}"#),
        _ => Reply::json(200, r#"["id-1"]"#),
    })
    .await;
    let captured = Captured::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(captured.clone()));
    let c = client(&server.url()).build().unwrap();
    assert!(c.server_version().await.is_err());
    assert_eq!(c.reports().submit_raw(&b"{}"[..]).await.unwrap(), "id-1");
    let all: Vec<String> = captured
        .spans
        .lock()
        .unwrap()
        .values()
        .flat_map(|(_, f)| f.iter().map(|(_, v)| v.clone()))
        .chain(
            captured
                .events
                .lock()
                .unwrap()
                .iter()
                .flat_map(|e| e.fields.iter().map(|(_, v)| v.clone())),
        )
        .collect();
    assert!(
        all.iter().any(|v| v.contains("id-1")),
        "submit event missing"
    );
    assert!(all.iter().all(|v| !v.contains("dXNlcjpwYXNz")));
}
