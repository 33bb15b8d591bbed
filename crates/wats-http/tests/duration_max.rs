//! `Duration::MAX` in every duration setting: no panic, in the call or in a background
//! task (issue 15). A limit too long to add to the clock means "no limit".
//!
//! One test in its own binary: it counts panics with a process-wide hook, which would see
//! other tests' panics in a shared binary.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use support::{Reply, TestServer, client};

fn ok_version() -> Reply {
    Reply::json(200, r#""2025.1.0""#)
}

#[test]
fn duration_max_settings_never_panic() {
    let panics = Arc::new(AtomicUsize::new(0));
    let seen = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Every duration setting at its maximum, one at a time and all at once.
        let server = TestServer::start(|_, _| ok_version()).await;
        type Set = fn(wats_http::ClientBuilder) -> wats_http::ClientBuilder;
        let settings: [(&str, Set); 6] = [
            ("timeout", |b| b.timeout(Duration::MAX)),
            ("attempt_timeout", |b| b.attempt_timeout(Duration::MAX)),
            ("connect_timeout", |b| b.connect_timeout(Duration::MAX)),
            ("pool_idle_timeout", |b| b.pool_idle_timeout(Duration::MAX)),
            ("retry_backoff", |b| {
                b.retry_backoff(Duration::MAX, Duration::MAX)
            }),
            ("all", |b| {
                b.timeout(Duration::MAX)
                    .attempt_timeout(Duration::MAX)
                    .connect_timeout(Duration::MAX)
                    .pool_idle_timeout(Duration::MAX)
                    .retry_after_cap(Duration::MAX)
            }),
        ];
        for (name, set) in settings {
            let c = set(client(&server.url())).build().unwrap();
            assert!(c.server_version().await.is_ok(), "{name}");
            assert!(c.server_version().await.is_ok(), "{name}, pooled");
        }
        assert_eq!(server.count(), 12);

        // `retry_after_cap(Duration::MAX)` and a server's huge `Retry-After`: the delay
        // is past the call's deadline, so the 503 comes back at once, after one attempt.
        let server = TestServer::start(|_, _| {
            Reply::json(503, "{}").header("retry-after", "99999999999999999999")
        })
        .await;
        let c = client(&server.url())
            .retry_after_cap(Duration::MAX)
            .build()
            .unwrap();
        assert_eq!(c.server_version().await.unwrap_err().status(), Some(503));
        assert_eq!(server.count(), 1, "no retry past the deadline");
        // Let background tasks (the pools' idle timers) run before counting.
        tokio::task::yield_now().await;
    });
    drop(rt);
    let _ = std::panic::take_hook();
    assert_eq!(
        panics.load(Ordering::SeqCst),
        0,
        "a Duration::MAX setting panicked"
    );
}
