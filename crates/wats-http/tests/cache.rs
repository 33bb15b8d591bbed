//! The client-side GET cache against `wats-mock`, counted on the mock: a hit sends no
//! request; 16 concurrent misses of one key with coalescing make one request; two tokens
//! never share an entry; errors are not kept; a write drops its resource family; a
//! `fresh()` call goes to the server and refreshes the entry; the time to live runs on
//! tokio's clock (paused and advanced, no sleep); hits and misses are counted by the
//! metrics layer; a hit shares the typed value its entry's first decode made (the memo
//! counters do not count a parse), no memo is touched without a cache or for a route not
//! cached, and `fresh()` refills the memo. The blocking client's cases are in the root
//! package's `tests/cache_blocking.rs`; another type asked of one cached body is a unit
//! test of `endpoint/answer.rs`.

use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use wats_http::{CacheSettings, Client, ClientBuilder, Station};
use wats_mock::MockServer;

const TOKEN: &str = "dXNlcjpwYXNz";
const OTHER_TOKEN: &str = "b3RoZXI6cGFzcw==";
const PROCESSES: &str = "/api/App/Processes";
const PRODUCTS: &str = "/api/Product/Query";

fn builder(server: &MockServer, token: &str) -> ClientBuilder {
    Client::builder()
        .base_url(server.url())
        .token(token)
        .station(Station::new("cache-test").unwrap())
}

fn cached(server: &MockServer) -> Client {
    builder(server, TOKEN)
        .cache(CacheSettings::new())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_hit_sends_no_request() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = cached(&server);
    let first = client.processes().list().await.unwrap();
    assert!(!first.is_empty());
    for _ in 0..5 {
        let again = client.processes().list().await.unwrap();
        assert_eq!(again, first);
    }
    // Clones and pool siblings share the cache.
    client.clone().processes().list().await.unwrap();
    client.with_new_pool().processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 1);
    assert_eq!(client.cached_entries(), Some(1));
}

#[tokio::test]
async fn routes_not_named_and_other_queries_are_separate() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server, TOKEN)
        .cache(CacheSettings::new().routes([PROCESSES]))
        .build()
        .unwrap();
    client.products().list().await.unwrap();
    client.products().list().await.unwrap();
    assert_eq!(
        server.requests_for(PRODUCTS),
        2,
        "a route not named is not cached"
    );
    client.server_version().await.unwrap();
    client.server_version().await.unwrap();
    assert_eq!(server.requests_total(), 4);
    // The query is part of the key: a filtered list is another entry.
    let all = wats_http::ProcessFilter::all();
    client.processes().list().await.unwrap();
    client.processes().list_with(all).await.unwrap();
    client.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_misses_make_one_request() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server, TOKEN)
        .cache(CacheSettings::new())
        .coalesce_gets(true)
        .build()
        .unwrap();
    server.set_latency(Duration::from_millis(300));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.processes().list().await })
        })
        .collect();
    for t in tasks {
        assert!(!t.await.unwrap().unwrap().is_empty());
    }
    assert_eq!(server.requests_for(PROCESSES), 1);
    server.set_latency(Duration::ZERO);
    client.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 1, "then a hit");
}

#[tokio::test]
async fn two_tokens_never_share_an_entry() {
    // A mock without a token accepts both.
    let server = MockServer::builder().start().unwrap();
    let a = cached(&server);
    let b = builder(&server, OTHER_TOKEN)
        .cache(CacheSettings::new())
        .build()
        .unwrap();
    a.processes().list().await.unwrap();
    b.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 2);
    let last = server.last_request().unwrap();
    assert_eq!(
        last.header("authorization"),
        Some(format!("Basic {OTHER_TOKEN}").as_str())
    );
    a.processes().list().await.unwrap();
    b.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 2, "each then hits its own");
}

#[tokio::test]
async fn errors_and_non_2xx_answers_are_not_kept() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = cached(&server);
    server.fail_next(1, 500);
    assert!(client.processes().list().await.is_err());
    assert_eq!(server.requests_for(PROCESSES), 1);
    assert_eq!(client.cached_entries(), Some(0));
    // 401 from the server (a token it refuses): not kept either.
    server.fail_next(1, 401);
    assert!(client.processes().list().await.is_err());
    client.processes().list().await.unwrap();
    client.processes().list().await.unwrap();
    assert_eq!(
        server.requests_for(PROCESSES),
        3,
        "two errors, one answer, one hit"
    );
}

#[tokio::test]
async fn a_write_drops_its_resource_family() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = cached(&server);
    let products = client.products().list().await.unwrap();
    client.processes().list().await.unwrap();
    client.products().list().await.unwrap();
    assert_eq!(server.requests_for(PRODUCTS), 1);
    // PUT /api/Product: the Product family (the product lists) is dropped, not the
    // process list.
    let new = wats_core::Product::new("CACHE-TEST-1");
    client.products().save(&new).await.unwrap();
    let after = client.products().list().await.unwrap();
    assert_eq!(server.requests_for(PRODUCTS), 2);
    assert_eq!(
        after.len(),
        products.len() + 1,
        "the list after the write is the server's new one"
    );
    client.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 1);
    // clear_cache drops everything.
    client.clear_cache();
    client.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 2);
}

#[tokio::test]
async fn a_fresh_call_goes_to_the_server_and_refreshes_the_entry() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = cached(&server);
    client.processes().list().await.unwrap();
    let fresh = client.fresh();
    assert!(fresh.is_fresh() && !client.is_fresh());
    fresh.processes().list().await.unwrap();
    fresh.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 3);
    client.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 3, "the others still hit");
}

/// The TTL runs on tokio's clock: paused and advanced between calls (the calls
/// themselves run with the clock going, as they talk to a real socket).
#[tokio::test]
async fn entries_expire_after_the_ttl_on_tokios_clock() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server, TOKEN)
        .cache(CacheSettings::new().ttl(Duration::from_secs(60)))
        .build()
        .unwrap();
    client.processes().list().await.unwrap();
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(50)).await;
    tokio::time::resume();
    client.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 1, "50 s old: still served");
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(11)).await;
    tokio::time::resume();
    client.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 2, "61 s old: fetched again");
    client.processes().list().await.unwrap();
    assert_eq!(server.requests_for(PROCESSES), 2);
}

#[tokio::test]
async fn the_bounds_hold_and_bad_settings_are_config_errors() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server, TOKEN)
        .cache(CacheSettings::new().max_entries(2))
        .build()
        .unwrap();
    for pn in ["A", "B", "C", "D", "E", "F", "G", "H"] {
        let query = wats_http::ProductQuery::new().part_number(pn);
        client.products().query(&query).await.unwrap();
    }
    assert_eq!(server.requests_for(PRODUCTS), 8);
    assert!(client.cached_entries().unwrap() <= 2);
    for bad in [
        CacheSettings::new().ttl(Duration::ZERO),
        CacheSettings::new().max_entries(0),
        CacheSettings::new().max_bytes(0),
    ] {
        let err = builder(&server, TOKEN).cache(bad).build().unwrap_err();
        assert!(matches!(err, wats_http::Error::InvalidConfig(_)), "{err}");
    }
}

#[tokio::test]
async fn hits_and_misses_are_counted_by_the_metrics_layer() {
    let recorder = DebuggingRecorder::new();
    let snap = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server, TOKEN)
        .cache(CacheSettings::new())
        .metrics(true)
        .build()
        .unwrap();
    for _ in 0..3 {
        client.processes().list().await.unwrap();
    }
    let mut hits = 0;
    let mut misses = 0;
    let mut requests = 0;
    for (k, _, _, v) in snap.snapshot().into_vec() {
        let DebugValue::Counter(n) = v else { continue };
        match k.key().name() {
            "wats_cache_hits_total" => hits += n,
            "wats_cache_misses_total" => misses += n,
            "wats_requests_total" => requests += n,
            _ => {}
        }
    }
    assert_eq!((hits, misses, requests), (2, 1, 3));
    assert_eq!(server.requests_for(PROCESSES), 1);
}

/// The memo counters of this thread: `(decoded, shared)`. The tests run on tokio's
/// current-thread runtime, so every decode of a test's calls happens on its own thread.
fn memo() -> (u64, u64) {
    wats_http::bench_hooks::memo_counts()
}

#[tokio::test]
async fn a_hit_shares_the_typed_value_without_parsing() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = cached(&server);
    let (d0, s0) = memo();
    let first = client.processes().list().await.unwrap();
    assert!(!first.is_empty());
    assert_eq!(
        memo(),
        (d0 + 1, s0),
        "the miss decodes once, into the entry"
    );
    for i in 1..=5 {
        let again = client.processes().list().await.unwrap();
        assert_eq!(again, first);
        assert_eq!(memo(), (d0 + 1, s0 + i), "hit {i} shares, does not parse");
    }
    // Clones and pool siblings share the entry, and so its value.
    client.with_new_pool().processes().list().await.unwrap();
    assert_eq!(memo(), (d0 + 1, s0 + 6));
    assert_eq!(server.requests_for(PROCESSES), 1);
    // Another route is another entry: decoded once, then shared.
    let products = client.products().list().await.unwrap();
    assert_eq!(client.products().list().await.unwrap(), products);
    assert_eq!(memo(), (d0 + 2, s0 + 7));
}

#[tokio::test]
async fn without_a_cache_or_for_a_route_not_cached_no_memo_is_touched() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let plain = builder(&server, TOKEN).build().unwrap();
    let only_processes = builder(&server, TOKEN)
        .cache(CacheSettings::new().routes([PROCESSES]))
        .build()
        .unwrap();
    let before = memo();
    for _ in 0..3 {
        assert!(!plain.processes().list().await.unwrap().is_empty());
        assert!(!only_processes.products().list().await.unwrap().is_empty());
    }
    assert_eq!(memo(), before, "decoded as before: no memo, no counter");
    assert_eq!(server.requests_for(PROCESSES), 3);
    assert_eq!(server.requests_for(PRODUCTS), 3);
}

#[tokio::test]
async fn a_fresh_call_refills_the_memo_with_the_new_answer() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = cached(&server);
    let other = builder(&server, TOKEN).build().unwrap();
    let (d0, s0) = memo();
    let old = client.products().list().await.unwrap();
    // A write this client does not see: its entry (and memo) still holds the old list.
    other
        .products()
        .save(&wats_core::Product::new("CACHE-MEMO-1"))
        .await
        .unwrap();
    assert_eq!(client.products().list().await.unwrap(), old);
    assert_eq!(memo(), (d0 + 1, s0 + 1));
    // fresh(): fetched, decoded, kept in a new entry with its own memo...
    let new = client.fresh().products().list().await.unwrap();
    assert_eq!(new.len(), old.len() + 1);
    assert_eq!(memo(), (d0 + 2, s0 + 1));
    // ...which the next hits share.
    assert_eq!(client.products().list().await.unwrap(), new);
    assert_eq!(memo(), (d0 + 2, s0 + 2));
    assert_eq!(server.requests_for(PRODUCTS), 2);
}
