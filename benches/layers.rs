//! Cost of the opt-in layers of issue 21 (rate limit, GET coalescing, metrics).
//!
//! ```text
//! cargo bench --bench layers
//! ```
//!
//! - `layers_off/bare` and `layers_off/three_layers`: one call through the metrics,
//!   coalescing and rate-limit layers, all turned off, over a service that answers at
//!   once, against the same call without them. The difference over three is the cost of
//!   one layer turned off (issue 21: at most 5 ns).
//! - `limiter/uncontended`: one admission of the client's GCRA limiter (at most 50 ns).
//! - `limiter/uncontended_manual_clock`: the same on a manual clock (the GCRA step alone);
//!   `limiter/clock_*`: the clock reads an admission is made of (on a VM without a fast
//!   `clock_gettime`, most of the admission).
//! - `limiter/16_threads`: 16 threads admitting at once; the time of one iteration is
//!   the wall time for 16 admissions in parallel (one per thread), so the per-call cost
//!   each thread sees is the time reported (at most 200 ns), and the time divided by 16
//!   is the throughput cost.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use wats::Client;
use wats::breaker::ManualClock;
use wats::http::RateLimit;
use wats::http::bench_hooks::{Layers, Limiter};

fn client() -> Client {
    Client::builder()
        .base_url("http://127.0.0.1:9")
        .token("dXNlcjpwYXNz")
        .station(wats::Station::new("bench").unwrap())
        .build()
        .unwrap()
}

/// A limiter that always admits at bench speed (a billion per second, same burst).
fn open_limiter() -> Limiter {
    Limiter::new(RateLimit::new(1_000_000_000, Duration::from_secs(1))).unwrap()
}

fn layers_off(c: &mut Criterion) {
    let client = client();
    let layers = Layers::new(&client);
    let mut g = c.benchmark_group("layers_off");
    g.bench_function("bare", |b| b.iter(|| black_box(layers.bare())));
    g.bench_function("three_layers", |b| {
        b.iter(|| black_box(layers.through_layers()));
    });
    g.finish();
}

fn limiter(c: &mut Criterion) {
    let mut g = c.benchmark_group("limiter");
    let one = open_limiter();
    g.bench_function("uncontended", |b| b.iter(|| black_box(one.admit())));
    // The same admission on a manual clock: the GCRA step alone, without reading time.
    let manual = Limiter::new(
        RateLimit::new(1_000_000_000, Duration::from_secs(1)).clock(ManualClock::new()),
    )
    .unwrap();
    g.bench_function("uncontended_manual_clock", |b| {
        b.iter(|| black_box(manual.admit()));
    });
    // The clock reads the limiter's admission is made of.
    g.bench_function("clock_std_instant_now", |b| {
        b.iter(|| black_box(Instant::now()));
    });
    let origin = tokio::time::Instant::now();
    g.bench_function("clock_tokio_elapsed", |b| {
        b.iter(|| black_box(origin.elapsed()));
    });
    let shared = Arc::new(open_limiter());
    g.bench_function("16_threads", |b| {
        b.iter_custom(|iters| {
            let start = Arc::new(Barrier::new(17));
            let threads: Vec<_> = (0..16)
                .map(|_| {
                    let l = Arc::clone(&shared);
                    let s = Arc::clone(&start);
                    std::thread::spawn(move || {
                        s.wait();
                        for _ in 0..iters {
                            black_box(l.admit());
                        }
                    })
                })
                .collect();
            start.wait();
            let t0 = Instant::now();
            for t in threads {
                t.join().unwrap();
            }
            t0.elapsed()
        });
    });
    g.finish();
}

criterion_group!(benches, layers_off, limiter);
criterion_main!(benches);
