//! The blocking client over the master-data calls: the process cache under 16 threads that
//! miss at once (one request, counted on the mock) and the product query as an iterator
//! over all pages.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use wats_mock::MockServer;
use wats_sync::{Client, RuntimeMode};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .token("demo")
        .runtime_mode(RuntimeMode::ThreadLocal)
        .build()
        .unwrap()
}

#[test]
fn sixteen_threads_missing_at_once_send_one_process_request() {
    let server = MockServer::start();
    // Slow answers keep all 16 threads inside the miss at once.
    server.set_latency(Duration::from_millis(50));
    let c = Arc::new(client(&server));
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (c, barrier) = (Arc::clone(&c), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                c.processes().cached().unwrap()
            })
        })
        .collect();
    let lists: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(server.requests_for("/api/App/Processes"), 1);
    assert!(lists.iter().all(|l| Arc::ptr_eq(l, &lists[0])));
    // and every lookup afterwards is served from the same list
    assert!(c.processes().is_valid_repair_operation(500).unwrap());
    assert_eq!(server.requests_for("/api/App/Processes"), 1);
}

#[test]
fn product_query_iterates_over_every_page() {
    let server = MockServer::start();
    let c = client(&server);
    let all = c.products().list().unwrap();
    let before = server.requests_for("/api/Product/Query");
    let q = wats_http::ProductQuery::new().order_by("partNumber").top(9);
    let mut it = c.products().query_iter(&q);
    let mut seen: Vec<String> = Vec::new();
    for p in it.by_ref() {
        seen.push(p.unwrap().part_number.as_str().unwrap().to_owned());
    }
    let pages = all.len() / 9 + 1;
    assert_eq!(it.pages_fetched() as usize, pages);
    assert_eq!(
        server.requests_for("/api/Product/Query") - before,
        pages as u64
    );
    let mut want: Vec<String> = all
        .iter()
        .map(|p| p.part_number.as_str().unwrap().to_owned())
        .collect();
    want.sort();
    assert_eq!(seen, want);
}
