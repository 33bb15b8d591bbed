//! The GET cache and the other opt-in layers through the blocking client's builder
//! (issue 21), counted on `wats-mock`: the cache is shared by every thread (each with its
//! own runtime and pool); 16 threads missing at once with coalescing make one request; a
//! write drops the family; `fresh()` goes to the server; every opt-in setting is reachable
//! from `wats::blocking::Client::builder()`, the rate limit end to end. (The async cases
//! are in `crates/wats-http/tests/cache.rs`.)

use std::sync::{Arc, Barrier};
use std::time::Duration;

use wats::Station;
use wats::breaker::ManualClock;
use wats::http::{CacheSettings, RateLimit};
use wats_mock::MockServer;

const TOKEN: &str = "dXNlcjpwYXNz";
const PROCESSES: &str = "/api/App/Processes";
const PRODUCTS: &str = "/api/Product/Query";

fn builder(server: &MockServer) -> wats::blocking::ClientBuilder {
    wats::blocking::Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .station(Station::new("cache-test").unwrap())
}

#[test]
fn threads_share_the_cache_and_a_hit_sends_no_request() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server)
        .cache(CacheSettings::new())
        .build()
        .unwrap();
    let first = client.processes().list().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let c = client.clone();
            std::thread::spawn(move || c.processes().list().unwrap())
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), first);
    }
    assert_eq!(server.requests_for(PROCESSES), 1);
    assert_eq!(client.cached_entries(), Some(1));
}

#[test]
fn sixteen_threads_missing_at_once_make_one_request() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server)
        .cache(CacheSettings::new())
        .coalesce_gets(true)
        .build()
        .unwrap();
    server.set_latency(Duration::from_millis(300));
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let c = client.clone();
            let b = Arc::clone(&barrier);
            std::thread::spawn(move || {
                b.wait();
                c.processes().list()
            })
        })
        .collect();
    for t in threads {
        assert!(!t.join().unwrap().unwrap().is_empty());
    }
    assert_eq!(server.requests_for(PROCESSES), 1);
}

#[test]
fn a_write_drops_the_family_and_fresh_goes_to_the_server() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server)
        .cache(CacheSettings::new())
        .build()
        .unwrap();
    let before = client.products().list().unwrap();
    client.products().list().unwrap();
    assert_eq!(server.requests_for(PRODUCTS), 1);
    client
        .products()
        .save(&wats::core::Product::new("CACHE-BLOCKING-1"))
        .unwrap();
    assert_eq!(client.products().list().unwrap().len(), before.len() + 1);
    assert_eq!(server.requests_for(PRODUCTS), 2);
    let fresh = client.fresh();
    assert!(fresh.is_fresh());
    fresh.products().list().unwrap();
    assert_eq!(server.requests_for(PRODUCTS), 3);
    client.products().list().unwrap();
    assert_eq!(server.requests_for(PRODUCTS), 3, "the others still hit");
    client.clear_cache();
    client.products().list().unwrap();
    assert_eq!(server.requests_for(PRODUCTS), 4);
}

/// Every opt-in setting of the async builder is reachable from the blocking builder; the
/// rate limit, end to end: 3 requests per minute on a manual clock, failing fast, admit
/// exactly 3 calls; the fourth is `RateLimited` and never reaches the server.
#[test]
fn the_blocking_builder_forwards_the_opt_in_layers() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let clock = ManualClock::new();
    let limit = RateLimit::new(3, Duration::from_secs(60))
        .fail_fast(true)
        .clock(clock.clone());
    let client = builder(&server)
        .rate_limit(limit)
        .coalesce_gets(true)
        .metrics(true)
        .cache(CacheSettings::new().routes(["/api/App/Levels"]))
        .spool_lock_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    for _ in 0..3 {
        client.server_version().unwrap();
    }
    let err = client.server_version().unwrap_err();
    assert!(matches!(err, wats::Error::RateLimited { .. }), "{err}");
    assert_eq!(server.requests_total(), 3);
    clock.advance(Duration::from_secs(20));
    client.server_version().unwrap();
    assert_eq!(server.requests_total(), 4);
}
