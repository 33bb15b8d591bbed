//! The blocking client against its peers, every row in the same run (issue #4).
//!
//! Two calls, against `wats-mock` on loopback with server latency 0 and 1 ms:
//! `GET /api/App/Version` (a tiny JSON string) and `GET /api/Product/{partNumber}` (a product
//! with revisions, about 1 KB, decoded into `wats_core::Product` by every row). Rows:
//!
//! | id | what |
//! |---|---|
//! | `raw_hyper_floor` | hyper-util legacy client, `current_thread` runtime, `serde_json` decode |
//! | `wats_async` | `wats::Client` driven by `block_on` on a `current_thread` runtime |
//! | `wats_blocking_thread_local` | `wats::blocking::Client`, default `RuntimeMode::ThreadLocal` |
//! | `wats_blocking_shared` | `wats::blocking::Client`, `RuntimeMode::Shared` |
//! | `reqwest_blocking` | `reqwest::blocking::Client` |
//! | `naive_runtime_per_call` | a new `current_thread` tokio runtime and a new `wats::Client` per call |
//! | `naive_default_runtime_per_call` | the same with `tokio::runtime::Runtime::new()` (multi-thread, tokio's default) |
//!
//! Groups `<call>/latency_<n>ms` run on one thread; `<call>_16_threads/latency_<n>ms` spread
//! the calls over 16 long-lived threads (time per call = wall time / calls). There, the floor
//! and `wats_async` use one runtime and pool per thread; the blocking clients, reqwest and the
//! naive pattern are one value shared by all threads.
//!
//! Groups `get_version_tls/latency_0ms` and `get_version_tls_16_threads/latency_0ms` make the
//! version call over HTTPS, against a small tokio-rustls + hyper server started by the bench
//! (`common::tls`, a test CA trusted with `add_root_certificate_pem`), with the rows
//! `raw_hyper_floor` (hyper-util over hyper-rustls, the wats client's TLS settings),
//! `wats_blocking_thread_local`, `wats_async` (1 thread), `reqwest_blocking` (the same rustls
//! configuration) and both naive rows: the naive pattern pays a full TLS handshake (and a new
//! TLS config) per call, as it would against a real WATS server.
//!
//! Run: `cargo bench --bench sync`; smoke test: `cargo test --bench sync`.
//! `scripts/bench-check` turns the medians into ratios to the floor.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use common::peers::{Call, Peers, get_product, get_version, naive_job};
use common::tls::{TlsPeers, VERSION_PATH};
use common::{THREADS, Workers};

fn one_thread<T: PartialEq + std::fmt::Debug + 'static>(c: &mut Criterion, call: &Call<T>) {
    for latency in common::LATENCIES_MS {
        let p = Peers::new(latency, call, 0);
        p.check(call);
        let mut g = c.benchmark_group(format!("{}/latency_{latency}ms", call.name));
        g.bench_function("raw_hyper_floor", |b| {
            b.iter(|| black_box((call.floor)(&p.floor, &p.path)));
        });
        g.bench_function("wats_async", |b| {
            b.iter(|| black_box((call.wats_async)(&p.rt, &p.wats_async)));
        });
        g.bench_function("wats_blocking_thread_local", |b| {
            b.iter(|| black_box((call.blocking)(&p.thread_local)));
        });
        g.bench_function("wats_blocking_shared", |b| {
            b.iter(|| black_box((call.blocking)(&p.shared)));
        });
        g.bench_function("reqwest_blocking", |b| {
            b.iter(|| black_box((call.reqwest)(&p.reqwest, &p.path)));
        });
        g.bench_function("naive_runtime_per_call", |b| {
            b.iter(|| black_box(p.naive(call, common::current_thread)));
        });
        g.bench_function("naive_default_runtime_per_call", |b| {
            b.iter(|| black_box(p.naive(call, common::default_runtime)));
        });
        g.finish();
    }
}

fn sixteen_threads<T: PartialEq + std::fmt::Debug + Send + 'static>(
    c: &mut Criterion,
    call: &Call<T>,
    workers: &Workers,
) {
    for latency in common::LATENCIES_MS {
        let p = Arc::new(Peers::new(latency, call, workers.len()));
        p.check(call);
        let mut g = c.benchmark_group(format!(
            "{}_{THREADS}_threads/latency_{latency}ms",
            call.name
        ));
        let (floor, reqwest, wats_async, blocking) =
            (call.floor, call.reqwest, call.wats_async, call.blocking);
        let jobs: [(&str, common::Job); 7] = [
            ("raw_hyper_floor", {
                let p = p.clone();
                common::job(move |i| {
                    black_box(floor(&p.per_thread_floor[i], &p.path));
                })
            }),
            ("wats_async", {
                let p = p.clone();
                common::job(move |i| {
                    let (rt, client) = &p.per_thread_async[i];
                    black_box(wats_async(rt, client));
                })
            }),
            ("wats_blocking_thread_local", {
                let p = p.clone();
                common::job(move |_| {
                    black_box(blocking(&p.thread_local));
                })
            }),
            ("wats_blocking_shared", {
                let p = p.clone();
                common::job(move |_| {
                    black_box(blocking(&p.shared));
                })
            }),
            ("reqwest_blocking", {
                let p = p.clone();
                common::job(move |_| {
                    black_box(reqwest(&p.reqwest, &p.path));
                })
            }),
            (
                "naive_runtime_per_call",
                naive_job(&p, call, common::current_thread),
            ),
            (
                "naive_default_runtime_per_call",
                naive_job(&p, call, common::default_runtime),
            ),
        ];
        for (id, job) in &jobs {
            g.bench_function(*id, |b| b.iter_custom(|iters| workers.run(iters, job)));
        }
        g.finish();
    }
}

/// The version call over HTTPS: pooled (floor, thread-local blocking, async, reqwest) against the
/// naive pattern, which builds a runtime and a client, connects and does a full TLS handshake
/// per call.
fn tls(c: &mut Criterion) {
    let p = TlsPeers::new(0);
    let mut g = c.benchmark_group("get_version_tls/latency_0ms");
    g.bench_function("raw_hyper_floor", |b| {
        b.iter(|| black_box(p.floor.get::<String>(VERSION_PATH)));
    });
    g.bench_function("wats_async", |b| {
        b.iter(|| {
            black_box(
                p.rt.block_on(p.wats_async.server_version())
                    .expect("version"),
            )
        });
    });
    g.bench_function("wats_blocking_thread_local", |b| {
        b.iter(|| black_box(p.thread_local.server_version().expect("version")));
    });
    g.bench_function("reqwest_blocking", |b| {
        b.iter(|| black_box(p.reqwest.get::<String>(VERSION_PATH)));
    });
    g.bench_function("naive_runtime_per_call", |b| {
        b.iter(|| black_box(p.naive(common::current_thread)));
    });
    g.bench_function("naive_default_runtime_per_call", |b| {
        b.iter(|| black_box(p.naive(common::default_runtime)));
    });
    g.finish();
}

/// The HTTPS rows at 16 threads: the floor with one runtime and pool per thread, the others
/// one value shared by all threads (the naive pattern: a runtime, a client, a connection and a
/// handshake per call, on every thread).
fn tls_sixteen_threads(c: &mut Criterion, workers: &Workers) {
    let p = Arc::new(TlsPeers::new(workers.len()));
    let jobs: [(&str, common::Job); 5] = [
        ("raw_hyper_floor", {
            let p = p.clone();
            common::job(move |i| {
                black_box(p.per_thread_floor[i].get::<String>(VERSION_PATH));
            })
        }),
        ("wats_blocking_thread_local", {
            let p = p.clone();
            common::job(move |_| {
                black_box(p.thread_local.server_version().expect("version"));
            })
        }),
        ("reqwest_blocking", {
            let p = p.clone();
            common::job(move |_| {
                black_box(p.reqwest.get::<String>(VERSION_PATH));
            })
        }),
        (
            "naive_runtime_per_call",
            p.naive_job(common::current_thread),
        ),
        (
            "naive_default_runtime_per_call",
            p.naive_job(common::default_runtime),
        ),
    ];
    let mut g = c.benchmark_group(format!("get_version_tls_{THREADS}_threads/latency_0ms"));
    for (id, job) in &jobs {
        g.bench_function(*id, |b| b.iter_custom(|iters| workers.run(iters, job)));
    }
    g.finish();
}

fn sync_benches(c: &mut Criterion) {
    tls(c);
    one_thread(c, &get_version());
    one_thread(c, &get_product());
    let workers = Workers::new(THREADS);
    sixteen_threads(c, &get_version(), &workers);
    sixteen_threads(c, &get_product(), &workers);
    tls_sixteen_threads(c, &workers);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = sync_benches
}
criterion_main!(benches);
