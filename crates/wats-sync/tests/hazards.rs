//! The blocking client's hazards, each against the embedded WATS server on loopback.

use std::time::{Duration, Instant};

use wats_core::Error;
use wats_mock::MockServer;
use wats_sync::{Client, RuntimeMode};

fn client(server: &MockServer, mode: RuntimeMode) -> Client {
    Client::builder()
        .base_url(server.url())
        .token("demo")
        .runtime_mode(mode)
        .build()
        .unwrap()
}

/// Wait (bounded) until the server has seen every accepted connection closed.
fn wait_all_closed(server: &MockServer) -> (u64, u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let c = server.counters();
        if c.connections_closed == c.connections_accepted || Instant::now() > deadline {
            return (c.connections_accepted, c.connections_closed);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sixteen_threads_share_one_client_without_failures() {
    let server = MockServer::start();
    let client = client(&server, RuntimeMode::ThreadLocal);
    let failures = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| {
                for _ in 0..1_000 {
                    if client.server_version().is_err() {
                        failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(failures.into_inner(), 0);
    assert_eq!(server.requests_for("/api/App/Version"), 16_000);
    let accepted = server.counters().connections_accepted;
    assert!(accepted <= 16, "{accepted} connections for 16 threads");
}

#[test]
fn ten_thousand_sequential_calls_use_one_connection() {
    let server = MockServer::start();
    let client = client(&server, RuntimeMode::ThreadLocal);
    for _ in 0..10_000 {
        client.server_version().unwrap();
    }
    let c = server.counters();
    assert_eq!(c.requests_total, 10_000);
    assert_eq!(c.connections_accepted, 1);
}

#[test]
fn inside_async_code_is_a_typed_error_and_spawn_blocking_works() {
    let server = MockServer::start();
    let client = client(&server, RuntimeMode::ThreadLocal);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // Like a `#[tokio::main]` body.
    let err = rt.block_on(async { client.server_version() }).unwrap_err();
    assert!(matches!(err, Error::BlockingInAsyncContext));
    assert!(err.to_string().contains("spawn_blocking"));

    // Inside a spawned task: the executor keeps running other tasks afterwards.
    let c2 = client.clone();
    let (in_task, other) = rt.block_on(async move {
        let t = tokio::spawn(async move { c2.products().list() });
        let other = tokio::spawn(async { 41 + 1 });
        (t.await.unwrap(), other.await.unwrap())
    });
    assert!(matches!(in_task, Err(Error::BlockingInAsyncContext)));
    assert_eq!(other, 42);

    // A current_thread runtime as well.
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(matches!(
        current.block_on(async { client.server_version() }),
        Err(Error::BlockingInAsyncContext)
    ));

    // spawn_blocking is the supported way out.
    let c3 = client.clone();
    let version = rt
        .block_on(rt.spawn_blocking(move || c3.server_version()))
        .unwrap()
        .unwrap();
    assert_eq!(version, wats_mock::SERVER_VERSION);
    assert_eq!(server.requests_for("/api/App/Version"), 1);
}

#[test]
fn shared_mode_is_also_refused_inside_async_code() {
    let server = MockServer::start();
    let client = client(&server, RuntimeMode::Shared);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(matches!(
        rt.block_on(async { client.server_version() }),
        Err(Error::BlockingInAsyncContext)
    ));
    assert_eq!(server.requests_total(), 0);
}

#[test]
fn exiting_threads_close_their_connections() {
    let server = MockServer::start();
    let client = client(&server, RuntimeMode::ThreadLocal);
    let handles: Vec<_> = (0..200)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                for _ in 0..5 {
                    client.server_version().unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("no panic at thread exit");
    }
    assert_eq!(server.requests_total(), 1_000);
    assert_eq!(client.active_threads(), 0);
    let (accepted, closed) = wait_all_closed(&server);
    assert_eq!(accepted, 200);
    assert_eq!(closed, accepted);
}

#[test]
fn a_connection_the_server_closed_while_idle_is_not_a_failure() {
    let server = MockServer::start();
    let client = client(&server, RuntimeMode::ThreadLocal);
    client.server_version().unwrap();
    server.close_idle_connections();
    // Wait until the server really closed it, so the next call meets a dead pooled socket.
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.counters().connections_closed < 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(server.counters().connections_closed, 1);
    assert!(client.server_version().is_ok());
    assert!(client.products().list().is_ok());
}

#[test]
fn dropping_clones_is_safe_and_the_last_drop_releases_everything() {
    let server = MockServer::start();
    let client = client(&server, RuntimeMode::ThreadLocal);
    client.server_version().unwrap();
    std::thread::scope(|s| {
        for i in 0..4 {
            let mine = client.clone();
            s.spawn(move || {
                for _ in 0..50 {
                    mine.server_version().unwrap();
                }
                if i % 2 == 0 {
                    drop(mine);
                }
            });
        }
        // Meanwhile a short-lived clone comes and goes on this thread.
        let extra = client.clone();
        extra.server_version().unwrap();
        drop(extra);
    });
    client.server_version().unwrap();
    let before = server.counters();
    assert!(before.connections_accepted >= 2);
    drop(client);
    let (accepted, closed) = wait_all_closed(&server);
    assert_eq!(
        closed, accepted,
        "dropping the last clone closes every connection"
    );
}

#[test]
fn shared_mode_uses_one_pool_for_all_threads() {
    let server = MockServer::start();
    let client = client(&server, RuntimeMode::Shared);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..20 {
                    client.server_version().unwrap();
                }
            });
        }
    });
    // One pool: 8 concurrent callers need at most a handful of connections (hyper-util
    // may finish a connect it raced against a released connection, so allow some slack).
    let after_burst = server.counters().connections_accepted;
    assert!(after_burst <= 16, "{after_burst} connections for 8 threads");
    // Many short-lived threads, one after the other: they reuse the warm connections.
    for _ in 0..20 {
        let c = client.clone();
        std::thread::spawn(move || c.server_version().unwrap())
            .join()
            .unwrap();
    }
    assert_eq!(server.requests_total(), 180);
    assert_eq!(server.counters().connections_accepted, after_burst);
    drop(client);
    let (accepted, closed) = wait_all_closed(&server);
    assert_eq!(closed, accepted);
}

#[test]
fn correlation_id_travels_from_the_caller_to_the_wire() {
    let server = MockServer::start();
    for mode in [RuntimeMode::ThreadLocal, RuntimeMode::Shared] {
        let client = client(&server, mode);
        wats_core::with_correlation_id("station-7-run-42", || client.server_version()).unwrap();
        let last = server.last_request().unwrap();
        assert_eq!(
            last.header("x-correlation-id"),
            Some("station-7-run-42"),
            "{mode:?}"
        );
    }
}

#[test]
fn client_is_clone_send_sync() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();
}

#[test]
fn every_domain_call_works_blocking() {
    let server = MockServer::start();
    let client = client(&server, RuntimeMode::ThreadLocal);
    let products = client.products().list().unwrap();
    assert!(!products.is_empty());
    let pn = products[0].part_number.as_str().unwrap().to_owned();
    assert_eq!(
        client.products().get(&pn).unwrap().part_number.as_str(),
        Some(pn.as_str())
    );
    assert!(client.products().get_opt("NO-SUCH-PN").unwrap().is_none());
    assert!(!client.processes().list().unwrap().is_empty());

    let report = wats_core::UutReportBuilder::new("PCBA-100", "SYNC-0001", "A", 10)
        .station("ST-01", "Lab", "Development")
        .build()
        .unwrap();
    let id = client.reports().submit(&report).unwrap();
    assert_eq!(id, report.id.value().unwrap().to_string());
    let back = client.reports().get(&id).unwrap();
    assert_eq!(back, report);
    let headers = client
        .reports()
        .query_headers(&wats_http::HeaderQuery::uut().serial_number("SYNC-0001"))
        .unwrap();
    assert_eq!(headers.len(), 1);
    assert!(matches!(
        client.reports().get("00000000-0000-0000-0000-000000000000"),
        Err(Error::NotFound { .. })
    ));
}
