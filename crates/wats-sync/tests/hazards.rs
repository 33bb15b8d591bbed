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
fn inside_async_code_calls_work_and_spawn_blocking_too() {
    for mode in [RuntimeMode::ThreadLocal, RuntimeMode::Shared] {
        let server = MockServer::start();
        let client = client(&server, mode);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();

        // Like a `#[tokio::main]` body.
        let version = rt.block_on(async { client.server_version() }).unwrap();
        assert_eq!(version, wats_mock::SERVER_VERSION);

        // Inside a spawned task: the executor keeps running other tasks.
        let c2 = client.clone();
        let (in_task, other) = rt.block_on(async move {
            let t = tokio::spawn(async move { c2.products().list() });
            let other = tokio::spawn(async { 41 + 1 });
            (t.await.unwrap(), other.await.unwrap())
        });
        assert!(!in_task.unwrap().is_empty());
        assert_eq!(other, 42);

        // A current_thread runtime as well.
        let current = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        assert!(current.block_on(async { client.server_version() }).is_ok());

        // spawn_blocking works as before.
        let c3 = client.clone();
        let version = rt
            .block_on(rt.spawn_blocking(move || c3.server_version()))
            .unwrap()
            .unwrap();
        assert_eq!(version, wats_mock::SERVER_VERSION);
        assert_eq!(server.requests_for("/api/App/Version"), 3, "{mode:?}");
        // Calls made where a runtime is current share one pool (one background runtime).
        assert_eq!(server.counters().connections_accepted, 1, "{mode:?}");
    }
}

/// A TCP relay to `target` run as a task of the current runtime: a call through it only
/// completes while that runtime's executor keeps running its tasks.
async fn relay_to(target: std::net::SocketAddr) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_in_tokio_main_does_not_stall_the_executor() {
    let server = MockServer::start();
    let url = relay_to(server.addr()).await;
    for mode in [RuntimeMode::ThreadLocal, RuntimeMode::Shared] {
        let client = Client::builder()
            .base_url(&url)
            .token("demo")
            .runtime_mode(mode)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        // The relay runs on this runtime's workers while the body waits for the call.
        assert_eq!(
            client.server_version().unwrap(),
            wats_mock::SERVER_VERSION,
            "{mode:?}"
        );
        // From a task too: the other worker runs the relay.
        let c2 = client.clone();
        let listed = tokio::spawn(async move { c2.products().list() })
            .await
            .unwrap();
        assert!(!listed.unwrap().is_empty(), "{mode:?}");
    }
    assert_eq!(server.requests_total(), 4);
}

#[tokio::test]
async fn dropping_the_last_clone_inside_async_code_does_not_panic() {
    // Issue 15: a client built and used on a blocking thread, then dropped in async code,
    // panicked with "Cannot drop a runtime in a context where blocking is not allowed".
    let server = MockServer::start();
    for mode in [RuntimeMode::ThreadLocal, RuntimeMode::Shared] {
        let url = server.url().to_owned();
        let client = tokio::task::spawn_blocking(move || {
            let client = Client::builder()
                .base_url(url)
                .token("demo")
                .runtime_mode(mode)
                .build()
                .unwrap();
            client.server_version().unwrap();
            client
        })
        .await
        .unwrap();
        let on_thread = client.clone();
        std::thread::spawn(move || on_thread.server_version().unwrap())
            .join()
            .unwrap();
        client.server_version().unwrap();
        drop(client);
    }
    assert_eq!(server.requests_total(), 6);
    let (accepted, closed) = wait_all_closed(&server);
    assert_eq!(closed, accepted, "every connection closed after the drops");
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
