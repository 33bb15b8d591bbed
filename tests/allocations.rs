//! Heap allocations per call on the calling thread: the thread-local blocking client against
//! the raw hyper-util floor of the benches (`benches/common`), same server, same request,
//! same decoding. Counts are deterministic where wall-clock ratios on a shared machine are not;
//! this test keeps the client's per-call overhead from creeping up.
//!
//! Only the calling thread is counted: the floor and the thread-local client run their
//! `current_thread` runtime (hyper's connection task included) on it; the mock server's
//! threads are not counted.

#[path = "../benches/common/mod.rs"]
mod common;

use common::RawHyper;
use wats::blocking::RuntimeMode;
use wats_core::Product;

const CALLS: u64 = 200;

fn per_call(mut f: impl FnMut()) -> f64 {
    for _ in 0..20 {
        f();
    }
    let info = allocation_counter::measure(|| {
        for _ in 0..CALLS {
            f();
        }
    });
    info.count_total as f64 / CALLS as f64
}

#[test]
fn blocking_calls_allocate_little_more_than_raw_hyper() {
    let server = common::server(0);
    let floor = RawHyper::new(&server);
    let client = common::blocking(&server, RuntimeMode::ThreadLocal);
    let version_path = common::captured_path(|c| {
        c.server_version().expect("version");
    });
    let product_path = common::captured_path(|c| {
        c.products().get("PCBA-1001").expect("product");
    });

    let floor_version = per_call(|| {
        floor.get::<String>(&version_path);
    });
    let wats_version = per_call(|| {
        client.server_version().expect("version");
    });
    let floor_product = per_call(|| {
        floor.get::<Product>(&product_path);
    });
    let wats_product = per_call(|| {
        client.products().get("PCBA-1001").expect("product");
    });
    eprintln!(
        "allocations per call: version floor {floor_version:.1} wats {wats_version:.1}; \
         product floor {floor_product:.1} wats {wats_product:.1}"
    );
    assert!(floor_version > 0.0 && floor_product > floor_version);
    assert!(
        wats_version <= floor_version + 3.0,
        "{wats_version} vs {floor_version}"
    );
    assert!(
        wats_product <= floor_product + 3.0,
        "{wats_product} vs {floor_product}"
    );
}

/// The floor sends the same header set as the client, so the counts above compare the same
/// exchange (the server parses the same headers for both).
#[test]
fn the_floor_sends_the_same_headers_as_the_client() {
    let server = wats_mock::MockServer::builder()
        .token(common::TOKEN)
        .start()
        .expect("mock server starts");
    let names = |server: &wats_mock::MockServer| {
        let request = server.last_request().expect("a request was recorded");
        let mut names: Vec<String> = request
            .headers
            .keys()
            .map(|n| n.as_str().to_owned())
            .collect();
        names.sort();
        (names, request.headers)
    };
    let client = common::blocking(&server, RuntimeMode::ThreadLocal);
    client.server_version().expect("version");
    let (wats_names, wats_headers) = names(&server);
    let floor = RawHyper::new(&server);
    floor.get::<String>("/api/App/Version");
    let (floor_names, floor_headers) = names(&server);
    assert_eq!(wats_names, floor_names);
    for name in ["user-agent", "accept-encoding", "accept", "authorization"] {
        assert_eq!(wats_headers.get(name), floor_headers.get(name), "{name}");
    }
    let id = |h: &http::HeaderMap| h[common::CORRELATION_HEADER].to_str().unwrap().len();
    assert_eq!(id(&wats_headers), id(&floor_headers));
}

/// What an opt-in layer costs in allocations when it has nothing to do: a rate limit that
/// always admits, coalescing with no other caller, metrics with no recorder installed, a cache
/// that does not keep this route. Any layer on boxes the stack's future once (the switch, see
/// `docs/ARCHITECTURE.md`, "Opt-in layers"); measured here (version call, plain 18): rate
/// limit, metrics (no recorder; the per-call keys are built once per route, not per call)
/// and cache +1 (the box), coalescing +5 (the box and its single-flight bookkeeping: the
/// boxed request future, the shared future's state, the shared answer). The bounds keep
/// these from creeping up.
#[test]
fn idle_opt_in_layers_cost_few_allocations_per_call() {
    use std::time::Duration;
    use wats::blocking::Client;

    let server = common::server(0);
    let build = |b: wats::blocking::ClientBuilder| {
        b.base_url(server.url())
            .token(common::TOKEN)
            .runtime_mode(RuntimeMode::ThreadLocal)
            .build()
            .expect("client builds")
    };
    let plain = common::blocking(&server, RuntimeMode::ThreadLocal);
    let limited = build(
        Client::builder().rate_limit(wats_http::RateLimit::new(1_000_000, Duration::from_secs(1))),
    );
    let coalescing = build(Client::builder().coalesce_gets(true));
    let metered = build(Client::builder().metrics(true));
    let cached = build(
        Client::builder().cache(wats_http::CacheSettings::new().route("/api/Product/{partNumber}")),
    );
    let calls = |c: &Client| {
        per_call(|| {
            c.server_version().expect("version");
        })
    };
    let base = calls(&plain);
    let [rate, coalesce, metrics, cache] = [&limited, &coalescing, &metered, &cached].map(calls);
    eprintln!(
        "allocations per version call: plain {base:.1}; rate limit {rate:.1}, coalescing \
         {coalesce:.1}, metrics {metrics:.1}, cache (other route) {cache:.1}"
    );
    for (name, n, extra) in [
        ("rate limit", rate, 1.0),
        ("coalescing", coalesce, 5.0),
        ("metrics", metrics, 1.0),
        ("cache", cache, 1.0),
    ] {
        assert!(n >= base, "{name}: {n} vs {base}");
        assert!(n <= base + extra, "{name}: {n} vs {base} + {extra}");
    }
}
