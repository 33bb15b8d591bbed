//! A profiling probe, not a criterion bench: makes `PROBE_CALLS` version calls (default 10)
//! with one row, `PROBE_ROW=floor` (the raw hyper-util floor of `benches/common`) or
//! `PROBE_ROW=wats` (the thread-local blocking client, the default), after 50 warm-up calls of
//! each, against the embedded mock server, and prints the time per call.
//!
//! Instructions per call, deterministic (the difference of two runs removes the setup):
//!
//! ```sh
//! cargo bench --bench probe --no-run        # prints the executable's path
//! for n in 300 900; do PROBE_ROW=wats PROBE_CALLS=$n valgrind --tool=callgrind \
//!     --callgrind-out-file=cg.wats.$n target/release/deps/probe-<hash>; done
//! # per call = (total at 900 - total at 300) / 600; the same with PROBE_ROW=floor
//! ```
//!
//! `PROBE_THREADS=n` spreads the calls over `n` threads (the floor: one runtime and pool per
//! thread; wats: the one thread-local client), for kernel-level counts at 16 threads:
//!
//! ```sh
//! for n in 3200 19200; do PROBE_THREADS=16 PROBE_ROW=wats PROBE_CALLS=$n perf stat \
//!     -e context-switches,task-clock -x, -o ps.wats.$n target/release/deps/probe-<hash>; done
//! ```

mod common;

use std::hint::black_box;
use std::time::Instant;

fn main() {
    let row = std::env::var("PROBE_ROW").unwrap_or_else(|_| "wats".to_owned());
    let calls: u64 = std::env::var("PROBE_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let server = common::server(0);
    let floor = common::RawHyper::new(&server);
    let client = common::blocking(&server, wats::blocking::RuntimeMode::ThreadLocal);
    let path = common::captured_path(|c| {
        c.server_version().expect("version");
    });
    for _ in 0..50 {
        black_box(floor.get::<String>(&path));
        black_box(client.server_version().expect("version"));
    }
    if let Some(threads) = std::env::var("PROBE_THREADS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        let floors: Vec<_> = (0..threads)
            .map(|_| common::RawHyper::new(&server))
            .collect();
        let start = Instant::now();
        std::thread::scope(|s| {
            for f in &floors {
                let client = &client;
                let path = &path;
                let row = &row;
                s.spawn(move || {
                    for _ in 0..calls / threads as u64 {
                        if row == "floor" {
                            black_box(f.get::<String>(path));
                        } else {
                            black_box(client.server_version().expect("version"));
                        }
                    }
                });
            }
        });
        let per_call = start.elapsed().as_secs_f64() * 1e6 / calls.max(1) as f64;
        println!("probe {row} x{threads}: {calls} calls, {per_call:.1} us per call");
        return;
    }
    let start = Instant::now();
    for _ in 0..calls {
        if row == "floor" {
            black_box(floor.get::<String>(&path));
        } else {
            black_box(client.server_version().expect("version"));
        }
    }
    let per_call = start.elapsed().as_secs_f64() * 1e6 / calls.max(1) as f64;
    println!("probe {row}: {calls} calls, {per_call:.1} us per call");
}
