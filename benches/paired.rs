//! Paired ratios: the thread-local blocking client against each peer, **measured in the same
//! time window**, for the issue #4 targets.
//!
//! `benches/sync.rs` measures every row for seconds, one row after the other; on a shared
//! machine the load changes between rows, and a ratio of two rows moves by 20-30 % from run
//! to run. Here every benchmark alternates the two sides call by call (1 thread) or in small
//! batches (16 threads), times each side on its own, and records the ratio of the two sums per
//! criterion sample. Load that hits one sample hits both sides of it. At the end the bench
//! prints, per pair, the median of the per-sample ratios and their 10th-90th percentile range.
//! criterion's own time for a benchmark is the time of both sides together.
//!
//! Pairs (`<group>/<peer>`, ratio printed as `thread-local / peer` and `peer / thread-local`):
//! `raw_hyper_floor`, `wats_async` (1 thread) and `reqwest_blocking`; groups `get_version` and
//! `get_product` at 1 and 16 threads, and `get_report` (a 50 KB UUT report decoded into
//! `Report`) at 1 thread; server latency 0 ms. Groups `get_version_tls` (1 thread) and
//! `get_version_tls_16_threads` make the version call over HTTPS, against the small
//! tokio-rustls server of `common::tls` (a real WATS server is HTTPS): every side keeps its
//! connections, so a handshake is paid once per connection and each call pays record
//! encryption; the floor there is hyper-util over hyper-rustls with the wats client's TLS
//! settings (ring, ALPN `http/1.1`), reqwest gets the same `rustls::ClientConfig`.
//!
//! The naive runtime-per-call patterns (`naive_runtime_per_call`: a new `current_thread`
//! runtime and `wats::Client` per call; `naive_default_runtime_per_call`: the same with
//! `Runtime::new()`) are paired in the version groups, plain and HTTPS. A naive call leaves
//! work behind (the server's side of the closed connection, the kernel's socket cleanup) that
//! would land in the next pooled call's time, so those pairs take turns in blocks of 8 calls
//! and each side starts its turn with 2 untimed calls of its own (at 16 threads: 2 per worker
//! thread before each batch), which absorb what the other side left behind.
//!
//! Run: `cargo bench --bench paired`; smoke test: `cargo test --bench paired`.
//! `PAIRED_BATCHES=n` sets the batches per side in one 16-thread sample (default 8; with 1,
//! each side runs for half a sample, about 100 ms, at a time).

mod common;

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group};

use common::peers::{Call, Peers, get_product, get_report, get_version, naive_job};
use common::tls::{TlsPeers, VERSION_PATH};
use common::{Job, THREADS, Workers};

/// criterion's sample count per benchmark; the last this many recorded ratios are the samples.
const SAMPLES: usize = 20;

/// One criterion sample of a pair: thread-local time, peer time, calls made by each side.
type Sample = (f64, f64, u64);

/// Per pair: (pair id, its samples in order).
static RESULTS: Mutex<Vec<(String, Vec<Sample>)>> = Mutex::new(Vec::new());

fn record(id: &str, thread_local: Duration, peer: Duration, calls: u64) {
    let mut results = RESULTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let sample = (thread_local.as_secs_f64(), peer.as_secs_f64(), calls);
    match results.iter_mut().find(|(name, _)| name == id) {
        Some((_, samples)) => samples.push(sample),
        None => results.push((id.to_owned(), vec![sample])),
    }
}

/// How the two sides of a pair take turns.
#[derive(Clone, Copy)]
struct Turns {
    /// Calls in one timed block of a side (1 thread; at 16 threads the batch size decides).
    block: u64,
    /// Untimed calls a side makes right before each of its timed blocks (at 16 threads: per
    /// worker thread), so that what the other side left behind is absorbed untimed.
    settle: u64,
}

/// The default: call by call (1 thread), nothing untimed.
const CALL_BY_CALL: Turns = Turns {
    block: 1,
    settle: 0,
};

/// For the naive patterns, whose calls leave work behind (connection teardown on the server,
/// the kernel's socket cleanup): blocks of 8 calls, each side starting with 2 untimed calls.
const SETTLED: Turns = Turns {
    block: 8,
    settle: 2,
};

/// [`SETTLED`] for the naive peers, [`CALL_BY_CALL`] for the others.
fn turns_for(peer: &str) -> Turns {
    if peer.starts_with("naive") {
        SETTLED
    } else {
        CALL_BY_CALL
    }
}

/// One side's turn: `settle` untimed calls, then `n` timed ones.
fn turn(f: &dyn Fn(), settle: u64, n: u64) -> Duration {
    for _ in 0..settle {
        f();
    }
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed()
}

/// One thread: alternate the two sides in blocks (call by call by default), the order swapped
/// every block.
fn pair(g: &mut Group<'_>, peer: &str, thread_local: &dyn Fn(), other: &dyn Fn()) {
    let id = format!("{}/{peer}", g.name);
    let turns = turns_for(peer);
    g.group.bench_function(peer, |b| {
        b.iter_custom(|iters| {
            let (mut tl, mut p) = (Duration::ZERO, Duration::ZERO);
            let (mut done, mut round) = (0, 0);
            while done < iters {
                let n = turns.block.min(iters - done);
                if round % 2 == 0 {
                    tl += turn(thread_local, turns.settle, n);
                    p += turn(other, turns.settle, n);
                } else {
                    p += turn(other, turns.settle, n);
                    tl += turn(thread_local, turns.settle, n);
                }
                done += n;
                round += 1;
            }
            record(&id, tl, p, iters);
            tl + p
        });
    });
}

/// 16 threads: alternate batches of calls spread over the worker threads.
fn pair_threads(g: &mut Group<'_>, workers: &Workers, peer: &str, thread_local: &Job, other: &Job) {
    let id = format!("{}/{peer}", g.name);
    let settle = turns_for(peer).settle * workers.len() as u64;
    let side = |job: &Job, n: u64| {
        if settle > 0 {
            workers.run(settle, job);
        }
        workers.run(n, job)
    };
    g.group.bench_function(peer, |b| {
        b.iter_custom(|iters| {
            let batch = (THREADS as u64 * 4).max(iters / batches_per_sample());
            let (mut tl, mut p) = (Duration::ZERO, Duration::ZERO);
            let mut done = 0;
            let mut round = 0;
            while done < iters {
                let n = batch.min(iters - done);
                if round % 2 == 0 {
                    tl += side(thread_local, n);
                    p += side(other, n);
                } else {
                    p += side(other, n);
                    tl += side(thread_local, n);
                }
                done += n;
                round += 1;
            }
            record(&id, tl, p, iters);
            tl + p
        });
    });
}

/// Batches per side in one 16-thread sample: `PAIRED_BATCHES` (default 8). Fewer, longer
/// batches check that the ratios do not come from switching between the two sides.
fn batches_per_sample() -> u64 {
    std::env::var("PAIRED_BATCHES")
        .ok()
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(8)
}

/// A criterion group and its name (the pair ids are `<name>/<peer>`).
struct Group<'a> {
    name: String,
    group: BenchmarkGroup<'a, WallTime>,
}

fn group(c: &mut Criterion, name: String) -> Group<'_> {
    Group {
        group: c.benchmark_group(name.clone()),
        name,
    }
}

/// `naive`: also pair the two naive runtime-per-call patterns (see the crate doc).
fn one_thread<T: PartialEq + std::fmt::Debug + 'static>(
    c: &mut Criterion,
    call: &Call<T>,
    naive: bool,
) {
    let p = Peers::new(0, call, 0);
    p.check(call);
    let mut g = group(c, format!("{}/latency_0ms", call.name));
    let tl = || {
        black_box((call.blocking)(&p.thread_local));
    };
    pair(&mut g, "raw_hyper_floor", &tl, &|| {
        black_box((call.floor)(&p.floor, &p.path));
    });
    pair(&mut g, "wats_async", &tl, &|| {
        black_box((call.wats_async)(&p.rt, &p.wats_async));
    });
    pair(&mut g, "reqwest_blocking", &tl, &|| {
        black_box((call.reqwest)(&p.reqwest, &p.path));
    });
    if naive {
        pair(&mut g, "naive_runtime_per_call", &tl, &|| {
            black_box(p.naive(call, common::current_thread));
        });
        pair(&mut g, "naive_default_runtime_per_call", &tl, &|| {
            black_box(p.naive(call, common::default_runtime));
        });
    }
    g.group.finish();
}

fn sixteen_threads<T: PartialEq + std::fmt::Debug + Send + 'static>(
    c: &mut Criterion,
    call: &Call<T>,
    workers: &Workers,
    naive: bool,
) {
    let p = Arc::new(Peers::new(0, call, workers.len()));
    p.check(call);
    let mut g = group(c, format!("{}_{THREADS}_threads/latency_0ms", call.name));
    let (floor, reqwest, blocking) = (call.floor, call.reqwest, call.blocking);
    let tl: Job = {
        let p = p.clone();
        common::job(move |_| {
            black_box(blocking(&p.thread_local));
        })
    };
    let mut peers: Vec<(&str, Job)> = vec![
        ("raw_hyper_floor", {
            let p = p.clone();
            common::job(move |i| {
                black_box(floor(&p.per_thread_floor[i], &p.path));
            })
        }),
        ("reqwest_blocking", {
            let p = p.clone();
            common::job(move |_| {
                black_box(reqwest(&p.reqwest, &p.path));
            })
        }),
    ];
    if naive {
        peers.push((
            "naive_runtime_per_call",
            naive_job(&p, call, common::current_thread),
        ));
        peers.push((
            "naive_default_runtime_per_call",
            naive_job(&p, call, common::default_runtime),
        ));
    }
    for (peer, job) in &peers {
        pair_threads(&mut g, workers, peer, &tl, job);
    }
    g.group.finish();
}

fn tls_one_thread(c: &mut Criterion) {
    let p = TlsPeers::new(0);
    let mut g = group(c, "get_version_tls/latency_0ms".to_owned());
    let tl = || {
        black_box(p.thread_local.server_version().expect("version"));
    };
    pair(&mut g, "raw_hyper_floor", &tl, &|| {
        black_box(p.floor.get::<String>(VERSION_PATH));
    });
    pair(&mut g, "reqwest_blocking", &tl, &|| {
        black_box(p.reqwest.get::<String>(VERSION_PATH));
    });
    pair(&mut g, "naive_runtime_per_call", &tl, &|| {
        black_box(p.naive(common::current_thread));
    });
    pair(&mut g, "naive_default_runtime_per_call", &tl, &|| {
        black_box(p.naive(common::default_runtime));
    });
    g.group.finish();
}

fn tls_sixteen_threads(c: &mut Criterion, workers: &Workers) {
    let p = Arc::new(TlsPeers::new(workers.len()));
    let mut g = group(c, format!("get_version_tls_{THREADS}_threads/latency_0ms"));
    let tl: Job = {
        let p = p.clone();
        common::job(move |_| {
            black_box(p.thread_local.server_version().expect("version"));
        })
    };
    let peers: [(&str, Job); 4] = [
        ("raw_hyper_floor", {
            let p = p.clone();
            common::job(move |i| {
                black_box(p.per_thread_floor[i].get::<String>(VERSION_PATH));
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
    for (peer, job) in &peers {
        pair_threads(&mut g, workers, peer, &tl, job);
    }
    g.group.finish();
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

/// Median and 10th-90th percentile of the per-sample ratios, per pair.
fn summary() {
    let results = RESULTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    println!();
    println!("paired ratios (median of the last {SAMPLES} samples, [p10, p90]):");
    println!(
        "{:<58} {:>22} {:>22} {:>12} {:>12}",
        "pair", "thread-local / peer", "peer / thread-local", "tl us/call", "peer us/call"
    );
    for (id, samples) in results.iter() {
        let last = &samples[samples.len().saturating_sub(SAMPLES)..];
        let mut tl_over: Vec<f64> = last.iter().map(|(tl, p, _)| tl / p).collect();
        let mut over_tl: Vec<f64> = last.iter().map(|(tl, p, _)| p / tl).collect();
        let calls: u64 = last.iter().map(|s| s.2).sum::<u64>().max(1);
        let per_call = |sum: f64| sum / calls as f64 * 1e6;
        let tl_us = per_call(last.iter().map(|s| s.0).sum());
        let peer_us = per_call(last.iter().map(|s| s.1).sum());
        tl_over.sort_by(f64::total_cmp);
        over_tl.sort_by(f64::total_cmp);
        let fmt = |v: &[f64]| {
            format!(
                "{:.3} [{:.2}, {:.2}]",
                percentile(v, 0.5),
                percentile(v, 0.1),
                percentile(v, 0.9)
            )
        };
        println!(
            "{id:<58} {:>22} {:>22} {tl_us:>12.1} {peer_us:>12.1}",
            fmt(&tl_over),
            fmt(&over_tl)
        );
    }
}

fn paired_benches(c: &mut Criterion) {
    one_thread(c, &get_version(), true);
    one_thread(c, &get_product(), false);
    one_thread(c, &get_report(), false);
    tls_one_thread(c);
    let workers = Workers::new(THREADS);
    sixteen_threads(c, &get_version(), &workers, true);
    sixteen_threads(c, &get_product(), &workers, false);
    tls_sixteen_threads(c, &workers);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(SAMPLES).measurement_time(Duration::from_secs(4));
    targets = paired_benches
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
