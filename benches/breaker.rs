//! Closed-state cost of `wats-breaker` against peer circuit breakers, in one run.
//!
//! Part 1 (criterion): one thread, every call succeeds: a bare atomic state
//! check (the floor), failsafe, recloser, wats-breaker as a bare state
//! machine (also with its failure-rate window on), a bare `service_fn` (the
//! tower floor), wats-breaker as a tower `Layer` (default `Arc` handle, and
//! `from_static`), and tower-resilience's circuit breaker as a tower `Layer`.
//!
//! Part 2 (printed table): 16 threads share one breaker; each thread makes N
//! calls and times them; the figure is the mean over threads of (time / N)
//! per call per thread, median of 5 runs. Two times are shown: the thread's
//! own CPU time (`CLOCK_THREAD_CPUTIME_ID` via the `cpu-time` crate), which leaves out
//! the time a thread waits for a core (16 threads on a 2-core machine wait
//! most of the time) but keeps spinning and cache-line ping-pong; and wall
//! time, which on an oversubscribed machine is about (threads / cores) x the
//! CPU time even for a breaker with no contention at all.
//!
//! Run: `cargo bench --bench breaker -- --quick` (full) or
//! `cargo bench --bench breaker -- --test` (smoke: each case once).

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::hint::black_box;
use std::pin::pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Barrier, LazyLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::Criterion;
use failsafe::CircuitBreaker as _;
use tower::{Layer, Service, service_fn};
use wats_breaker::{CircuitBreaker, CircuitBreakerLayer, Outcome};

/// The trivial inner service: always ready, answers at once.
fn echo(x: u64) -> Ready<Result<u64, Infallible>> {
    ready(Ok(x))
}

/// One tower call: readiness, call, then poll the future to completion
/// (a busy poll: the futures measured here never wait on I/O).
#[inline]
fn tower_call<S: Service<u64>>(svc: &mut S, cx: &mut Context<'_>, x: u64) -> bool {
    loop {
        match svc.poll_ready(cx) {
            Poll::Ready(Ok(())) => break,
            Poll::Ready(Err(_)) => return false,
            Poll::Pending => std::hint::spin_loop(),
        }
    }
    let mut fut = pin!(svc.call(x));
    loop {
        if let Poll::Ready(r) = fut.as_mut().poll(cx) {
            return r.is_ok();
        }
        std::hint::spin_loop();
    }
}

fn ours() -> CircuitBreaker {
    CircuitBreaker::builder()
        .name("bench")
        .build()
        .expect("default settings are valid")
}

#[inline]
fn ours_call(b: &CircuitBreaker) -> bool {
    match b.try_acquire() {
        Ok(p) => {
            p.record(Outcome::Success);
            true
        }
        Err(_) => false,
    }
}

/// failsafe with only its consecutive-failures policy (its default adds a
/// success-rate-over-time policy that reads the clock on every call).
fn failsafe_consecutive() -> impl failsafe::CircuitBreaker + Clone + Send + Sync {
    failsafe::Config::new()
        .failure_policy(failsafe::failure_policy::consecutive_failures(
            5,
            failsafe::backoff::constant(Duration::from_secs(30)),
        ))
        .build()
}

/// Ours with the failure-rate window on as well (50 % over 100 calls).
fn ours_windowed() -> CircuitBreaker {
    CircuitBreaker::builder()
        .name("bench-window")
        .failure_rate(0.5, 100, 20)
        .build()
        .expect("valid settings")
}

fn trb_layer() -> tower_resilience_circuitbreaker::CircuitBreakerLayer {
    tower_resilience_circuitbreaker::CircuitBreakerLayer::builder()
        .build()
        .expect("default settings are valid")
}

fn single_thread(c: &mut Criterion) {
    let mut g = c.benchmark_group("closed_1_thread");
    let mut cx = Context::from_waker(Waker::noop());

    let state = AtomicU8::new(0);
    g.bench_function("bare_atomic_check", |b| {
        b.iter(|| black_box(state.load(Ordering::Acquire) == 0));
    });

    let fs = failsafe::Config::new().build();
    g.bench_function("failsafe", |b| {
        b.iter(|| black_box(fs.call(|| Ok::<u64, ()>(black_box(1))).is_ok()));
    });

    let fsc = failsafe_consecutive();
    g.bench_function("failsafe_consecutive_only", |b| {
        b.iter(|| black_box(fsc.call(|| Ok::<u64, ()>(black_box(1))).is_ok()));
    });

    let rc = recloser::Recloser::default();
    g.bench_function("recloser", |b| {
        b.iter(|| black_box(rc.call(|| Ok::<u64, ()>(black_box(1))).is_ok()));
    });

    let wb = ours();
    g.bench_function("wats_breaker_bare", |b| {
        b.iter(|| black_box(ours_call(black_box(&wb))));
    });

    let wbw = ours_windowed();
    g.bench_function("wats_breaker_bare_rate_window", |b| {
        b.iter(|| black_box(ours_call(black_box(&wbw))));
    });

    let mut plain = service_fn(echo);
    g.bench_function("tower_service_fn_no_breaker", |b| {
        b.iter(|| black_box(tower_call(&mut plain, &mut cx, black_box(1))));
    });

    let mut ours_svc = CircuitBreakerLayer::new(ours()).layer(service_fn(echo));
    g.bench_function("wats_breaker_tower_layer", |b| {
        b.iter(|| black_box(tower_call(&mut ours_svc, &mut cx, black_box(1))));
    });

    static STATIC_BREAKER: LazyLock<CircuitBreaker> = LazyLock::new(ours);
    let mut static_svc = CircuitBreakerLayer::from_static(&STATIC_BREAKER).layer(service_fn(echo));
    g.bench_function("wats_breaker_tower_layer_static", |b| {
        b.iter(|| black_box(tower_call(&mut static_svc, &mut cx, black_box(1))));
    });

    let mut trb_svc = trb_layer().layer(service_fn(echo));
    g.bench_function("tower_resilience_layer", |b| {
        b.iter(|| black_box(tower_call(&mut trb_svc, &mut cx, black_box(1))));
    });

    g.finish();
    assert_eq!(wb.metrics().failures, 0);
}

const THREADS: usize = 16;

/// 16 threads, each makes `n` calls with its own `call` (built per thread
/// by `make`, all sharing one breaker); returns the mean per-thread
/// nanoseconds per call as (CPU time, wall time).
fn contended<F, C>(n: u64, make: F) -> (f64, f64)
where
    F: Fn() -> C + Sync,
    C: FnMut() -> bool,
{
    let start = Barrier::new(THREADS);
    let per_thread: Vec<(Duration, Duration)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    let mut call = make();
                    start.wait();
                    let c0 = cpu_time::ThreadTime::now();
                    let t0 = Instant::now();
                    let mut ok = 0u64;
                    for _ in 0..n {
                        ok += u64::from(call());
                    }
                    let wall = t0.elapsed();
                    let cpu = c0.elapsed();
                    assert_eq!(ok, n, "every call must pass a closed breaker");
                    (cpu, wall)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bench thread"))
            .collect()
    });
    #[allow(clippy::cast_precision_loss)]
    let per_call = |d: Duration| d.as_nanos() as f64 / n as f64 / THREADS as f64;
    (
        per_thread.iter().map(|t| per_call(t.0)).sum(),
        per_thread.iter().map(|t| per_call(t.1)).sum(),
    )
}

/// Median of `runs` runs, by CPU time (each field's own median).
fn median_of(runs: usize, mut f: impl FnMut() -> (f64, f64)) -> (f64, f64) {
    let v: Vec<(f64, f64)> = (0..runs).map(|_| f()).collect();
    let med = |mut x: Vec<f64>| {
        x.sort_by(f64::total_cmp);
        x[x.len() / 2]
    };
    (
        med(v.iter().map(|p| p.0).collect()),
        med(v.iter().map(|p| p.1).collect()),
    )
}

fn contention(smoke: bool) {
    let runs = if smoke { 1 } else { 5 };
    // Calls per thread, sized to each breaker's speed (smoke: 1/1000).
    let n = |full: u64| if smoke { (full / 1000).max(1) } else { full };
    let mut rows: Vec<(&str, u64, (f64, f64))> = Vec::new();

    let state = AtomicU8::new(0);
    let calls = n(2_000_000);
    rows.push((
        "bare_atomic_check",
        calls,
        median_of(runs, || {
            contended(calls, || || black_box(state.load(Ordering::Acquire) == 0))
        }),
    ));

    let wb = ours();
    rows.push((
        "wats_breaker_bare",
        calls,
        median_of(runs, || contended(calls, || || ours_call(black_box(&wb)))),
    ));

    let wbw = ours_windowed();
    rows.push((
        "wats_breaker_bare_rate_window",
        calls,
        median_of(runs, || contended(calls, || || ours_call(black_box(&wbw)))),
    ));

    let layer = CircuitBreakerLayer::new(ours());
    rows.push((
        "wats_breaker_tower_layer",
        calls,
        median_of(runs, || {
            contended(calls, || {
                let mut svc = layer.layer(service_fn(echo));
                let mut cx = Context::from_waker(Waker::noop());
                move || tower_call(&mut svc, &mut cx, black_box(1))
            })
        }),
    ));

    static STATIC_BREAKER: LazyLock<CircuitBreaker> = LazyLock::new(ours);
    let static_layer = CircuitBreakerLayer::from_static(&STATIC_BREAKER);
    rows.push((
        "wats_breaker_tower_layer_static",
        calls,
        median_of(runs, || {
            contended(calls, || {
                let mut svc = static_layer.layer(service_fn(echo));
                let mut cx = Context::from_waker(Waker::noop());
                move || tower_call(&mut svc, &mut cx, black_box(1))
            })
        }),
    ));

    let fs = failsafe::Config::new().build();
    let calls = n(100_000);
    rows.push((
        "failsafe",
        calls,
        median_of(runs, || {
            contended(calls, || {
                let fs = fs.clone();
                move || fs.call(|| Ok::<u64, ()>(black_box(1))).is_ok()
            })
        }),
    ));

    let fsc = failsafe_consecutive();
    rows.push((
        "failsafe_consecutive_only",
        calls,
        median_of(runs, || {
            contended(calls, || {
                let fs = fsc.clone();
                move || fs.call(|| Ok::<u64, ()>(black_box(1))).is_ok()
            })
        }),
    ));

    let rc = recloser::Recloser::default();
    let calls = n(20_000);
    rows.push((
        "recloser",
        calls,
        median_of(runs, || {
            contended(calls, || || rc.call(|| Ok::<u64, ()>(black_box(1))).is_ok())
        }),
    ));

    let trb = trb_layer();
    let calls = n(2_000);
    rows.push((
        "tower_resilience_layer",
        calls,
        median_of(runs, || {
            contended(calls, || {
                let mut svc = trb.layer(service_fn(echo));
                let mut cx = Context::from_waker(Waker::noop());
                move || tower_call(&mut svc, &mut cx, black_box(1))
            })
        }),
    ));

    assert_eq!(wb.metrics().failures, 0);
    println!();
    println!(
        "closed_16_threads: {THREADS} threads share one breaker; ns per call per thread, \
         median of {runs} run(s)"
    );
    println!(
        "{:<34} {:>12} {:>12} {:>12}",
        "case", "calls/thread", "cpu ns/call", "wall ns/call"
    );
    for (name, calls, (cpu, wall)) in rows {
        println!("{name:<34} {calls:>12} {cpu:>12.1} {wall:>12.1}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let smoke = args.iter().any(|a| a == "--test");
    let list = args.iter().any(|a| a == "--list");
    // A name filter (criterion's positional argument) also selects the
    // contention table when it matches "closed_16_threads".
    let filters: Vec<&String> = args
        .iter()
        .skip(1)
        .filter(|a| !a.starts_with('-') && a.parse::<f64>().is_err())
        .collect();
    let contention_selected = filters.is_empty()
        || filters
            .iter()
            .any(|f| "closed_16_threads".contains(f.as_str()));
    let mut c = Criterion::default().configure_from_args();
    single_thread(&mut c);
    c.final_summary();
    if !list && contention_selected {
        contention(smoke);
    }
}
