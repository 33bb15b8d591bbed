//! One spool `put` against the bare floor of a durable write, in the same run.
//!
//! - `spool_put/floor`: what any crash-safe write of a new file costs: create a temp file,
//!   write the bytes, fsync, rename it into place, fsync the directory.
//! - `spool_put/wats_spool_put`: `Spool::put` with limits (so with their accounting):
//!   the same, plus a random temp name, the sequence number (a file lock and two small reads
//!   and writes on `.seq`), and a no-replace link + unlink instead of the rename.
//!
//! Target: `wats_spool_put` at most 1.2x `floor`. Both write into directories under
//! `CARGO_TARGET_TMPDIR` (the target dir's file system, which is where a station's spool
//! would usually be: the local disk), or under `WATS_SPOOL_BENCH_DIR` when set (both kinds in
//! the same directory, so on the same file system). Run with
//! `cargo bench -p wats-spool --bench put`.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use wats_spool::{Area, Limits, Spool, SpoolOptions};

/// A report-sized payload (a small UUT report in WSJF is a few KiB).
const PAYLOAD: usize = 8 * 1024;

fn bench_dir(name: &str) -> PathBuf {
    let base = std::env::var_os("WATS_SPOOL_BENCH_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")), PathBuf::from);
    let dir = base.join(format!("wats-spool-bench-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("bench dir");
    dir
}

/// The floor: temp file, write, fsync, rename, fsync the directory.
fn floor_put(dir: &Path, n: u64, bytes: &[u8]) {
    let tmp = dir.join(format!(".tmp-{n}"));
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .expect("create");
    f.write_all(bytes).expect("write");
    f.sync_all().expect("fsync");
    drop(f);
    fs::rename(&tmp, dir.join(format!("{n:020}.json"))).expect("rename");
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .expect("fsync dir");
}

/// The ratio of the two sides over every pair run (warm-up included): the sum of the spool's
/// times over the sum of the floor's, and the median of the per-pair ratios. Adjacent in time,
/// the two writes of a pair see the same disk state and load, so these are steadier than the
/// ratio of the two criterion rows.
fn report_pairs(pairs: &[[Duration; 2]]) {
    if pairs.is_empty() {
        return;
    }
    let floor: Duration = pairs.iter().map(|p| p[0]).sum();
    let spool: Duration = pairs.iter().map(|p| p[1]).sum();
    let mut ratios: Vec<f64> = pairs
        .iter()
        .filter(|p| !p[0].is_zero())
        .map(|p| p[1].as_secs_f64() / p[0].as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let median = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "spool_put paired over {} pairs: spool/floor = {:.3} (sum of times), {:.3} (median pair); \
         mean floor {:?}, mean spool put {:?}",
        pairs.len(),
        spool.as_secs_f64() / floor.as_secs_f64(),
        median,
        floor / u32::try_from(pairs.len()).unwrap_or(u32::MAX),
        spool / u32::try_from(pairs.len()).unwrap_or(u32::MAX),
    );
}

fn put(c: &mut Criterion) {
    let bytes = vec![b'x'; PAYLOAD];
    let floor_dir = bench_dir("floor");
    let spool_dir = bench_dir("spool");
    // Limits so high that a long run never comes near them: the accounting runs on every put
    // (as with the default limits) but the bench measures the common case, a spool far from
    // full. Past half a limit, a put rescans the folder at most once a second.
    let options = SpoolOptions::default().limits(Area::Spool, Limits::new(u64::MAX, u64::MAX));
    let spool = Spool::open_with(&spool_dir, options).expect("open");

    let mut n = 0u64;
    let mut floor_once = || {
        n += 1;
        floor_put(&floor_dir, n, &bytes);
    };
    let mut i = 0u64;
    let mut spool_once = || {
        i += 1;
        spool.put(&format!("r{i}"), &bytes).expect("put");
    };

    let mut pairs: Vec<[Duration; 2]> = Vec::new();
    let mut group = c.benchmark_group("spool_put");
    group.measurement_time(Duration::from_secs(10));
    // Paired: every iteration does one floor write and one spool put, in alternating order,
    // and each row times only its own side. Both sides thus meet the same disk and the same
    // load from other processes (an fsync's time swings by tens of percent between seconds on
    // a shared disk, which made two rows measured one after the other disagree by up to 1.4x).
    for (row, timed_is_spool) in [("floor", false), ("wats_spool_put", true)] {
        group.bench_function(row, |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                for k in 0..iters {
                    let spool_first = k % 2 == 0;
                    let mut pair = [Duration::ZERO; 2]; // [floor, spool]
                    for spool_turn in [spool_first, !spool_first] {
                        let start = Instant::now();
                        if spool_turn {
                            spool_once();
                        } else {
                            floor_once();
                        }
                        pair[usize::from(spool_turn)] = start.elapsed();
                    }
                    timed += pair[usize::from(timed_is_spool)];
                    pairs.push(pair);
                }
                timed
            });
        });
    }
    group.finish();
    report_pairs(&pairs);
    let _ = fs::remove_dir_all(&floor_dir);
    let _ = fs::remove_dir_all(&spool_dir);
}

criterion_group!(benches, put);
criterion_main!(benches);
