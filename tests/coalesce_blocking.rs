//! Request coalescing with the blocking client (issue 21): 16 threads, each with its own
//! runtime and pool, released together against `wats-mock` whose latency holds the first
//! request in flight, make one request. Counts only. (The async cases are in
//! `crates/wats-http/tests/coalesce.rs`.)

use std::sync::{Arc, Barrier};
use std::time::Duration;

use wats::Station;
use wats_mock::{MockServer, SERVER_VERSION};

const TOKEN: &str = "dXNlcjpwYXNz";

#[test]
fn sixteen_blocking_threads_make_one_request() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let url = server.url().to_owned();
    let client = wats::blocking::Client::builder()
        .configure(|b| {
            b.base_url(url)
                .token(TOKEN)
                .station(Station::new("coalesce-test").unwrap())
                .coalesce_gets(true)
        })
        .build()
        .unwrap();
    server.set_latency(Duration::from_millis(500));
    server.reset_counters();
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let c = client.clone();
            let b = Arc::clone(&barrier);
            std::thread::spawn(move || {
                b.wait();
                c.server_version()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().unwrap(), SERVER_VERSION);
    }
    assert_eq!(server.requests_total(), 1);
}
