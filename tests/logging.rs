//! Structured logging with correlation ids, end to end: the clients' `tracing` output
//! rendered by `wats::log` as JSON, compared with the headers the embedded server saw.
//!
//! Logs are captured per thread (`tracing::subscriber::with_default`) or per task
//! (`WithSubscriber::with_subscriber`), never with a global subscriber, so the tests of
//! this file can run in parallel without seeing each other's lines.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Barrier;
use std::time::Duration;

use serde_json::Value;
use tracing::instrument::WithSubscriber;
use wats::blocking::RuntimeMode;
use wats::log::MemoryWriter;
use wats::{Client, CorrelationExt, with_correlation_id};
use wats_mock::MockServer;

const TOKEN: &str = "bG9nZ2luZzp0ZXN0";
const HEADER: &str = "X-Correlation-ID";

/// A JSON subscriber writing to memory: INFO, plus the client's DEBUG lines.
fn capture() -> (MemoryWriter, wats::log::LogSubscriber<MemoryWriter>) {
    capture_with("wats_http=debug")
}

fn capture_with(directives: &str) -> (MemoryWriter, wats::log::LogSubscriber<MemoryWriter>) {
    let out = MemoryWriter::new();
    let subscriber = wats::log::builder()
        .json()
        .directives(directives)
        .writer(out.clone())
        .build()
        .expect("valid log settings");
    (out, subscriber)
}

/// Every captured line, parsed; panics on a line that is not a JSON object with the fixed
/// keys of the format.
fn parse(out: &MemoryWriter) -> Vec<Value> {
    out.lines()
        .iter()
        .map(|line| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            for key in ["timestamp", "level", "target", "message", "thread_id"] {
                assert!(v.get(key).is_some(), "line without {key}: {line}");
            }
            v
        })
        .collect()
}

fn with_message<'a>(lines: &'a [Value], message: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["message"] == message).collect()
}

fn async_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap()
}

fn blocking_client(server: &MockServer, mode: RuntimeMode) -> wats::blocking::Client {
    wats::blocking::Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .runtime_mode(mode)
        .build()
        .unwrap()
}

fn server() -> MockServer {
    MockServer::builder().token(TOKEN).start().unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The number the standard library shows in `ThreadId(N)`, as `thread_id` in the logs.
fn thread_number() -> u64 {
    let text = format!("{:?}", std::thread::current().id());
    text.trim_start_matches("ThreadId(")
        .trim_end_matches(')')
        .parse()
        .unwrap()
}

/// The correlation-id headers of the recorded requests to `path`, in order.
fn ids_sent_to(server: &MockServer, path: &str) -> Vec<String> {
    server
        .recent_requests()
        .iter()
        .filter(|r| r.path() == path)
        .map(|r| r.header(HEADER).unwrap_or("<missing>").to_owned())
        .collect()
}

fn is_generated_id(id: &str) -> bool {
    id.len() == 16
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

// ------------------------------------------------------------------- JSON format

#[test]
fn json_lines_parse_and_carry_the_call_fields() {
    let server = server();
    let client = async_client(&server);
    let (out, subscriber) = capture();
    let report = wats::core::UutReportBuilder::new("PCBA-1001", "LOG-0001", "A", 10)
        .station("ST-LOG", "Lab", "Development")
        .build()
        .unwrap();
    let id = tracing::subscriber::with_default(subscriber, || {
        runtime().block_on(
            async {
                client.server_version().await?;
                let id = client.reports().submit(&report).await?;
                client.reports().get(&id).await?;
                Ok::<_, wats::Error>(id)
            }
            .with_correlation_id("c-json-1"),
        )
    })
    .unwrap();

    let lines = parse(&out);
    assert!(
        lines.iter().all(|l| l["correlation_id"] == "c-json-1"),
        "every line of the calls carries the id: {lines:#?}"
    );
    let done = with_message(&lines, "WATS call succeeded");
    let routes: Vec<&str> = done.iter().map(|l| l["route"].as_str().unwrap()).collect();
    assert_eq!(
        routes,
        [
            "/api/App/Version",
            "/api/Report/WSJF",
            "/api/Report/Wsjf/{id}"
        ]
    );
    let methods: Vec<&str> = done.iter().map(|l| l["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["GET", "POST", "GET"]);
    assert!(
        done.iter()
            .all(|l| l["status"] == 200 && l["level"] == "DEBUG")
    );
    assert!(done.iter().all(|l| l["target"] == "wats_http::stack"));

    let submitted = with_message(&lines, "report submitted");
    assert_eq!(submitted.len(), 1);
    let line = submitted[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["report_id"], id.as_str());
    assert_eq!(line["route"], "/api/Report/WSJF");
    assert_eq!(line["method"], "POST");
    assert_eq!(line["correlation_id"], "c-json-1");
    let ts = line["timestamp"].as_str().unwrap();
    assert!(ts.ends_with('Z') && ts.contains('T'), "RFC 3339 UTC: {ts}");

    // The same id went on the wire with every call.
    let sent: Vec<_> = server
        .recent_requests()
        .iter()
        .map(|r| r.header(HEADER).map(str::to_owned))
        .collect();
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|h| h.as_deref() == Some("c-json-1")));
}

#[test]
fn the_token_is_never_logged_even_at_trace() {
    let server = server();
    let good = async_client(&server);
    let bad = Client::builder()
        .base_url(server.url())
        .token("d3Jvbmc6dG9rZW4=")
        .build()
        .unwrap();
    let (out, subscriber) = capture_with("trace");
    let unauthorized = tracing::subscriber::with_default(subscriber, || {
        runtime().block_on(async {
            good.server_version().await.unwrap();
            good.products().list().await.unwrap();
            bad.products().list().await
        })
    });
    assert!(matches!(
        unauthorized,
        Err(wats::Error::Unauthorized { .. })
    ));
    let text = out.contents();
    let lines = parse(&out);
    assert!(lines.iter().any(|l| l["level"] == "TRACE"), "TRACE was on");
    assert!(
        !with_message(&lines, "WATS call failed").is_empty(),
        "the 401 was logged"
    );
    for secret in [TOKEN, "d3Jvbmc6dG9rZW4=", "Basic "] {
        assert!(!text.contains(secret), "{secret:?} in the logs:\n{text}");
    }
}

// ------------------------------------------------------------------- retries

#[test]
fn retries_send_and_log_the_same_id_blocking() {
    let server = server();
    let client = blocking_client(&server, RuntimeMode::ThreadLocal);
    let (out, subscriber) = capture();
    server.fail_next(2, 503);
    tracing::subscriber::with_default(subscriber, || {
        with_correlation_id("retry-sync-1", || client.products().get("PCBA-1001"))
    })
    .unwrap();

    let sent = ids_sent_to(&server, "/api/Product/PCBA-1001");
    assert_eq!(sent, ["retry-sync-1"; 3], "three attempts, one id");

    let lines = parse(&out);
    let retries = with_message(&lines, "retrying WATS call");
    assert_eq!(retries.len(), 2);
    for (n, line) in retries.iter().enumerate() {
        assert_eq!(line["correlation_id"], "retry-sync-1");
        assert_eq!(line["attempt"], n + 1);
        assert_eq!(line["status"], 503);
        assert_eq!(line["route"], "/api/Product/{partNumber}");
    }
    let done = with_message(&lines, "WATS call succeeded");
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["correlation_id"], "retry-sync-1");
}

#[test]
fn retries_send_and_log_the_same_id_async() {
    let server = server();
    let client = async_client(&server);
    let (out, subscriber) = capture();
    server.fail_next(2, 503);
    tracing::subscriber::with_default(subscriber, || runtime().block_on(client.products().list()))
        .unwrap();

    // No id supplied: one is generated for the call and kept for every attempt.
    let sent = ids_sent_to(&server, "/api/Product/Query");
    assert_eq!(sent.len(), 3);
    assert!(is_generated_id(&sent[0]), "{sent:?}");
    assert!(sent.iter().all(|id| *id == sent[0]), "{sent:?}");

    let lines = parse(&out);
    let retries = with_message(&lines, "retrying WATS call");
    assert_eq!(retries.len(), 2);
    assert!(
        retries
            .iter()
            .all(|l| l["correlation_id"] == sent[0].as_str())
    );
}

// ------------------------------------------------------------------- generated ids

#[test]
fn generated_ids_are_16_hex_distinct_and_match_header_and_logs() {
    let server = server();
    let client = async_client(&server);
    let (out, subscriber) = capture();
    tracing::subscriber::with_default(subscriber, || {
        runtime().block_on(async {
            for _ in 0..3 {
                client.server_version().await.unwrap();
            }
        });
    });
    let sent = ids_sent_to(&server, "/api/App/Version");
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|id| is_generated_id(id)), "{sent:?}");
    assert_eq!(
        sent.iter().collect::<HashSet<_>>().len(),
        3,
        "distinct per call"
    );

    let lines = parse(&out);
    let logged: Vec<&str> = with_message(&lines, "WATS call succeeded")
        .iter()
        .map(|l| l["correlation_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        logged, sent,
        "the log line of each call has its header's id"
    );
}

#[test]
fn the_header_name_is_configurable() {
    let server = server();
    let client = Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .correlation_header("X-Request-ID")
        .build()
        .unwrap();
    runtime()
        .block_on(client.server_version().with_correlation_id("named-1"))
        .unwrap();
    let request = server.last_request().unwrap();
    assert_eq!(request.header("X-Request-ID"), Some("named-1"));
    assert_eq!(request.header(HEADER), None);
}

/// A one-shot HTTP server that echoes a correlation id of its own.
#[test]
fn a_correlation_id_echoed_by_the_server_is_logged() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut tcp, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = tcp.read(&mut buf).unwrap();
            assert!(n > 0, "request ended early");
            request.extend_from_slice(&buf[..n]);
        }
        let body = "\"9.9\"";
        write!(
            tcp,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Correlation-ID: srv-77\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        String::from_utf8_lossy(&request).into_owned()
    });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .token(TOKEN)
        .build()
        .unwrap();
    let (out, subscriber) = capture();
    let version = tracing::subscriber::with_default(subscriber, || {
        runtime().block_on(client.server_version().with_correlation_id("mine-1"))
    })
    .unwrap();
    assert_eq!(version, "9.9");
    let request = server.join().unwrap().to_ascii_lowercase();
    assert!(
        request.contains("x-correlation-id: mine-1\r\n"),
        "{request}"
    );

    let lines = parse(&out);
    let done = with_message(&lines, "WATS call succeeded");
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["correlation_id"], "mine-1");
    assert_eq!(done[0]["server_correlation_id"], "srv-77");
}

// ------------------------------------------------------------------- threads

const PARTS: [&str; 4] = ["PCBA-1001", "MODULE-1002", "CABLE-1003", "PSU-1004"];

/// Several threads, each under its own id, call at the same time; each thread captures
/// its own log lines. Returns, per thread, (id, lines, caller thread number).
fn blocking_threads(
    client: &wats::blocking::Client,
    prefix: &str,
) -> Vec<(String, Vec<Value>, u64)> {
    let barrier = Barrier::new(PARTS.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = PARTS
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let barrier = &barrier;
                s.spawn(move || {
                    let id = format!("{prefix}-{i}");
                    let (out, subscriber) = capture();
                    barrier.wait();
                    tracing::subscriber::with_default(subscriber, || {
                        with_correlation_id(id.as_str(), || {
                            for _ in 0..3 {
                                client.products().get(part)?;
                                client.server_version()?;
                            }
                            Ok::<_, wats::Error>(())
                        })
                    })
                    .unwrap();
                    (id, parse(&out), thread_number())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn check_threads(server: &MockServer, results: &[(String, Vec<Value>, u64)]) {
    for ((id, lines, _), part) in results.iter().zip(PARTS) {
        assert_eq!(
            ids_sent_to(server, &format!("/api/Product/{part}")),
            vec![id.clone(); 3],
            "the requests of this thread carry its id"
        );
        let done = with_message(lines, "WATS call succeeded");
        assert_eq!(done.len(), 6, "{id}: {lines:#?}");
        assert!(
            lines.iter().all(|l| l["correlation_id"] == id.as_str()),
            "{id}: every line of this thread has its id: {lines:#?}"
        );
    }
    let all: HashSet<String> = server
        .recent_requests()
        .iter()
        .filter_map(|r| r.header(HEADER).map(str::to_owned))
        .collect();
    let expected: HashSet<String> = results.iter().map(|r| r.0.clone()).collect();
    assert_eq!(all, expected, "no request went out with another id");
}

#[test]
fn blocking_thread_local_mode_threads_keep_their_ids() {
    let server = server();
    let client = blocking_client(&server, RuntimeMode::ThreadLocal);
    let results = blocking_threads(&client, "tl");
    check_threads(&server, &results);
    // The runtime runs on the calling thread in this mode.
    for (_, lines, caller) in &results {
        assert!(lines.iter().all(|l| l["thread_id"] == *caller));
    }
}

#[test]
fn blocking_shared_mode_threads_keep_their_ids() {
    let server = server();
    let client = blocking_client(&server, RuntimeMode::Shared);
    let results = blocking_threads(&client, "shared");
    check_threads(&server, &results);
    // The events were emitted on the shared runtime thread, not the caller's, and still
    // reached the caller's thread-local subscriber.
    for (id, lines, caller) in &results {
        let done = with_message(lines, "WATS call succeeded");
        assert!(
            done.iter().all(|l| l["thread_id"] != *caller),
            "{id}: {done:#?}"
        );
    }
}

#[test]
fn async_tasks_on_a_multi_thread_runtime_keep_their_ids() {
    let server = server();
    let client = async_client(&server);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .enable_all()
        .build()
        .unwrap();
    let results = rt.block_on(async {
        let tasks: Vec<_> = PARTS
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let client = client.clone();
                let id = format!("task-{i}");
                let (out, subscriber) = capture();
                let task = async move {
                    for _ in 0..3 {
                        client.products().get(part).await?;
                        tokio::task::yield_now().await;
                        client.server_version().await?;
                    }
                    Ok::<_, wats::Error>(())
                };
                let handle = tokio::spawn(
                    task.with_correlation_id(id.clone())
                        .with_subscriber(subscriber),
                );
                (id, out, handle)
            })
            .collect();
        let mut results = Vec::new();
        for (id, out, handle) in tasks {
            handle.await.unwrap().unwrap();
            results.push((id, parse(&out), 0));
        }
        results
    });
    check_threads(&server, &results);
}
