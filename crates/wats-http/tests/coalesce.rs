//! Request coalescing against `wats-mock`: 16 identical GETs in flight at once (the
//! mock's latency holds the first one) make one request, from async tasks over clones
//! and pool siblings; a cancelled first
//! caller does not fail the others; different URIs and calls that do not overlap are
//! not coalesced. Counts only. The blocking client's case is the root package's
//! `tests/coalesce_blocking.rs` (wats-sync depends on wats-http: a dev-dependency back
//! would make a cycle that `cargo package --workspace` cannot order).

use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use wats_http::{Client, ClientBuilder, Station};
use wats_mock::{MockServer, SERVER_VERSION};

const TOKEN: &str = "dXNlcjpwYXNz";
const HOLD: Duration = Duration::from_millis(500);

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .station(Station::new("coalesce-test").unwrap())
}

async fn sixteen_gets(client: &Client) -> Vec<String> {
    let mut tasks = Vec::new();
    for i in 0..16 {
        let c = if i % 4 == 3 {
            client.with_new_pool()
        } else {
            client.clone()
        };
        tasks.push(tokio::spawn(async move { c.server_version().await }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap().unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_identical_gets_make_one_request() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server).coalesce_gets(true).build().unwrap();
    server.set_latency(HOLD);
    server.reset_counters();
    let answers = sixteen_gets(&client).await;
    assert!(answers.iter().all(|v| v == SERVER_VERSION));
    assert_eq!(server.requests_total(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_coalescing_sixteen_gets_make_sixteen_requests() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server).build().unwrap();
    server.set_latency(Duration::from_millis(50));
    server.reset_counters();
    let answers = sixteen_gets(&client).await;
    assert_eq!(answers.len(), 16);
    assert_eq!(server.requests_total(), 16);
}

/// The first caller is polled once (its request is in flight), 15 followers join, then
/// the first caller is dropped: the followers still get the answer, from one request.
#[tokio::test]
async fn a_cancelled_leader_does_not_fail_the_followers() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server).coalesce_gets(true).build().unwrap();
    server.set_latency(HOLD);
    server.reset_counters();
    let mut leader = Box::pin(client.server_version());
    std::future::poll_fn(|cx| {
        assert!(leader.as_mut().poll(cx).is_pending());
        Poll::Ready(())
    })
    .await;
    let followers: Vec<_> = (0..15)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.server_version().await })
        })
        .collect();
    tokio::task::yield_now().await;
    drop(leader);
    for f in followers {
        assert_eq!(f.await.unwrap().unwrap(), SERVER_VERSION);
    }
    assert_eq!(server.requests_total(), 1);
}

/// Only identical GETs overlap: two different URIs make two requests, and a GET that
/// starts after the first one ended makes its own request (no caching).
#[tokio::test]
async fn different_uris_and_later_calls_are_not_coalesced() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server).coalesce_gets(true).build().unwrap();
    server.set_latency(Duration::from_millis(50));
    server.reset_counters();
    let (a, b) = tokio::join!(
        client.products().get_opt("FATPartNo"),
        client.products().get_opt("OtherPartNo")
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(server.requests_total(), 2);
    client.server_version().await.unwrap();
    client.server_version().await.unwrap();
    assert_eq!(server.requests_total(), 4);
}
