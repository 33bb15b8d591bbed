//! Cost of the opt-in layers of issue 21 (rate limit, GET coalescing, metrics, cache).
//!
//! ```text
//! cargo bench --bench layers
//! ```
//!
//! - `layers_off/bare`: one call over a service that answers at once.
//! - `layers_off/opt_in_switch`: the same call as a client with every opt-in layer off
//!   makes it: through the switch that picks the stack without them. The difference over
//!   four layers is the cost of one layer turned off (issue 21: at most 5 ns).
//! - `layers_off/built_in_all_off`: through the four opt-in layers built in and all off
//!   (what each cost before the switch, and what the off ones cost a client that turned
//!   another one on).
//! - `layers_off/whole_stack_bare` and `whole_stack_switch`: the client's stack shape (call
//!   layer, span, correlation id, total deadline, retry) over the instant service, without
//!   and with the switch (every opt-in layer off): the cost in the real stack's types.
//! - `cache/whole_stack_bare`: one call through the whole stack (call layer, span,
//!   correlation id, deadline, retry) without opt-in layers over the instant service;
//!   `cache/hit`: a cache hit through a real client's whole stack (at most 1 us).
//! - `cache/hit_typed`: a hit of a list of 50 processes (~15 KB) through the whole stack,
//!   decoded to `Vec<Process>` as `processes().list()` does: a clone of the list the
//!   entry's memo keeps; `cache/hit_typed_parsed`: the same hit with the memo taken away,
//!   the body parsed again (what every hit cost before the memo).
//! - `metrics/on_no_recorder`: the four opt-in layers over the instant service with
//!   metrics on and no recorder installed; `metrics/off`: the same four all off (its floor).
//! - `limiter/uncontended`: one admission of the client's GCRA limiter (at most 50 ns).
//! - `limiter/uncontended_manual_clock`: the same on a manual clock (the GCRA step alone);
//!   `limiter/clock_*`: the clock reads an admission is made of.
//! - `limiter/16_threads_per_call`: 16 threads each making N admissions on one shared
//!   limiter (on this machine's cores); the time reported is wall time / N, the cost of a
//!   call as each thread sees it (at most 200 ns). `limiter/16_threads_throughput` is
//!   wall time / (16 N), the limiter's cost per admission over all threads.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use wats::Client;
use wats::breaker::ManualClock;
use wats::http::bench_hooks::{Layers, Limiter};
use wats::http::{CacheSettings, RateLimit};

fn builder() -> wats::http::ClientBuilder {
    Client::builder()
        .base_url("http://127.0.0.1:9")
        .token("dXNlcjpwYXNz")
        .station(wats::Station::new("bench").unwrap())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// A limiter that always admits at bench speed (a billion per second, same burst).
fn open_limiter() -> Limiter {
    Limiter::new(RateLimit::new(1_000_000_000, Duration::from_secs(1))).unwrap()
}

fn layers_off(c: &mut Criterion) {
    let rt = runtime();
    let _enter = rt.enter();
    let client = builder().build().unwrap();
    let layers = Layers::new(&client);
    assert!(layers.bare() && layers.opt_in() && layers.with_layers());
    assert!(layers.whole_bare() && layers.whole_switch());
    let mut g = c.benchmark_group("layers_off");
    g.bench_function("bare", |b| b.iter(|| black_box(layers.bare())));
    g.bench_function("opt_in_switch", |b| b.iter(|| black_box(layers.opt_in())));
    g.bench_function("built_in_all_off", |b| {
        b.iter(|| black_box(layers.with_layers()));
    });
    g.bench_function("whole_stack_bare", |b| {
        b.iter(|| black_box(layers.whole_bare()));
    });
    g.bench_function("whole_stack_switch", |b| {
        b.iter(|| black_box(layers.whole_switch()));
    });
    g.finish();
}

fn cache(c: &mut Criterion) {
    let rt = runtime();
    let _enter = rt.enter();
    let plain = Layers::new(&builder().build().unwrap());
    let cached = builder().cache(CacheSettings::new()).build().unwrap();
    let hit = Layers::new(&cached);
    assert!(hit.prime() && hit.through_client() && plain.whole_bare());
    let mut g = c.benchmark_group("cache");
    g.bench_function("whole_stack_bare", |b| {
        b.iter(|| black_box(plain.whole_bare()));
    });
    g.bench_function("hit", |b| b.iter(|| black_box(hit.through_client())));
    // A hit of a list of 50 processes, decoded to `Vec<Process>`: shared from the entry's
    // memo, and (what every hit cost before the memo) parsed again.
    let typed = Layers::new(&builder().cache(CacheSettings::new()).build().unwrap());
    assert!(typed.prime_processes(50));
    assert_eq!((typed.hit_typed(), typed.hit_parsed()), (50, 50));
    g.bench_function("hit_typed", |b| b.iter(|| black_box(typed.hit_typed())));
    g.bench_function("hit_typed_parsed", |b| {
        b.iter(|| black_box(typed.hit_parsed()));
    });
    g.finish();
}

/// The metrics layer on (no recorder installed, as most applications run), over the
/// stand-in with the other opt-in layers off, against the same four layers all off: what
/// recording one call costs the layer (a clock read, the route's keys, the facade's no-op
/// recorder).
fn metrics_layer(c: &mut Criterion) {
    let rt = runtime();
    let _enter = rt.enter();
    let off = Layers::new(&builder().build().unwrap());
    let on = Layers::new(&builder().metrics(true).build().unwrap());
    assert!(off.with_layers() && on.with_layers());
    let mut g = c.benchmark_group("metrics");
    g.bench_function("off", |b| b.iter(|| black_box(off.with_layers())));
    g.bench_function("on_no_recorder", |b| {
        b.iter(|| black_box(on.with_layers()));
    });
    g.finish();
}

/// 16 threads, each making `iters` admissions on `limiter` once all have started; the
/// wall time from the start to the last thread's end.
fn sixteen_threads(limiter: &Arc<Limiter>, iters: u64) -> Duration {
    let start = Arc::new(Barrier::new(17));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let l = Arc::clone(limiter);
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
    // Per call as each thread sees it: wall / N.
    g.bench_function("16_threads_per_call", |b| {
        b.iter_custom(|iters| sixteen_threads(&shared, iters));
    });
    // Throughput: wall / (16 N).
    g.bench_function("16_threads_throughput", |b| {
        b.iter_custom(|iters| sixteen_threads(&shared, iters) / 16);
    });
    g.finish();
}

criterion_group!(benches, layers_off, cache, metrics_layer, limiter);
criterion_main!(benches);
