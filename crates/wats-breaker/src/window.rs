//! Count-based failure-rate window made of striped atomic buckets.
//!
//! The window covers roughly the last `size` calls, split into up to
//! [`MAX_BUCKETS`] buckets of `size / buckets` calls. Each thread counts into
//! its own stripe (see [`crate::stripes`]): one packed `AtomicU64` per bucket
//! holding `(epoch tag, calls, failures)`, written with a plain store by its
//! single owner. The global bucket epoch advances when the calls flushed into
//! it reach the bucket size; threads flush their counts in chunks of up to
//! [`MAX_CHUNK`] calls, so the success path does one shared `fetch_add` every
//! chunk instead of one per call, and never takes a lock. The failure rate is
//! summed only when a failure is recorded (a success can never trip the
//! breaker). The price is precision: bucket boundaries are approximate by up
//! to one chunk per thread.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::stripes::STRIPES;

/// Most buckets a window is split into.
pub(crate) const MAX_BUCKETS: u64 = 10;
/// Physical cells per stripe: a power of two above `MAX_BUCKETS`, so the
/// cell of an epoch is `epoch & (CELLS - 1)` (no division on the hot path);
/// epoch tags tell which cells belong to the window.
const CELLS: usize = 16;
/// Largest per-thread flush chunk.
const MAX_CHUNK: u64 = 16;
/// Largest count one thread can hold in one bucket.
const MAX_COUNT: u64 = 0xFFFF;
/// Largest accepted window size.
pub(crate) const MAX_WINDOW: u32 = (MAX_COUNT * MAX_BUCKETS) as u32;

#[repr(align(128))]
struct WinStripe {
    buckets: [AtomicU64; CELLS],
}

fn prev_power_of_two(n: u64) -> u64 {
    1 << (63 - n.max(1).leading_zeros())
}

fn pack(tag: u64, calls: u64, failures: u64) -> u64 {
    ((tag & 0xFFFF_FFFF) << 32) | (calls << 16) | failures
}

fn unpack(v: u64) -> (u64, u64, u64) {
    (v >> 32, (v >> 16) & MAX_COUNT, v & MAX_COUNT)
}

pub(crate) struct Window {
    threshold: f64,
    min_calls: u64,
    buckets: u64,
    bucket_size: u64,
    chunk: u64,
    epoch: AtomicU64,
    epoch_calls: AtomicU64,
    floor: AtomicU64,
    stripes: Box<[WinStripe]>,
}

impl Window {
    /// `size` must be in `1..=MAX_WINDOW`, `threshold` in `(0, 1]`.
    pub(crate) fn new(threshold: f64, size: u32, min_calls: u32) -> Self {
        let size = u64::from(size.max(1));
        let buckets = size.min(MAX_BUCKETS);
        let bucket_size = size.div_ceil(buckets);
        Self {
            threshold,
            min_calls: u64::from(min_calls),
            buckets,
            bucket_size,
            // A power of two, so the flush test is a mask.
            chunk: prev_power_of_two((bucket_size / 4).clamp(1, MAX_CHUNK)),
            epoch: AtomicU64::new(0),
            epoch_calls: AtomicU64::new(0),
            floor: AtomicU64::new(0),
            stripes: (0..=STRIPES)
                .map(|_| WinStripe {
                    buckets: Default::default(),
                })
                .collect(),
        }
    }

    /// Records one call from the thread owning `slot`. For a failure, returns
    /// whether the failure rate over the window now passes the threshold
    /// (with at least the minimum number of calls).
    pub(crate) fn record(&self, slot: usize, failure: bool) -> bool {
        let Some(stripe) = self.stripes.get(slot) else {
            return false;
        };
        let e = self.epoch.load(Ordering::Relaxed);
        #[allow(clippy::cast_possible_truncation)]
        let cell = &stripe.buckets[(e as usize) & (CELLS - 1)];
        let bump = |v: u64| {
            let (tag, c, f) = unpack(v);
            let (c, f) = if tag == e & 0xFFFF_FFFF {
                (c, f)
            } else {
                (0, 0)
            };
            pack(
                e,
                (c + 1).min(MAX_COUNT),
                (f + u64::from(failure)).min(MAX_COUNT),
            )
        };
        let calls = if slot == STRIPES {
            // Shared overflow stripe: read-modify-write atomically.
            let prev = cell
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| Some(bump(v)))
                .unwrap_or_else(|v| v);
            unpack(bump(prev)).1
        } else {
            let next = bump(cell.load(Ordering::Relaxed));
            cell.store(next, Ordering::Relaxed);
            unpack(next).1
        };
        if calls & (self.chunk - 1) == 0 {
            let total = self.epoch_calls.fetch_add(self.chunk, Ordering::AcqRel) + self.chunk;
            if total >= self.bucket_size
                && self
                    .epoch
                    .compare_exchange(e, e + 1, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
            {
                let bs = self.bucket_size;
                let _ = self
                    .epoch_calls
                    .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |v| {
                        Some(v.saturating_sub(bs))
                    });
            }
        }
        if !failure {
            return false;
        }
        let (calls, failures) = self.totals(e);
        #[allow(clippy::cast_precision_loss)]
        let rate = failures as f64 / calls.max(1) as f64;
        calls >= self.min_calls.max(1) && rate >= self.threshold
    }

    /// Calls and failures in the buckets of epochs `(e - buckets, e]` not
    /// below the reset floor.
    fn totals(&self, e: u64) -> (u64, u64) {
        let lo = (e + 1)
            .saturating_sub(self.buckets)
            .max(self.floor.load(Ordering::Acquire));
        let mut calls = 0;
        let mut failures = 0;
        for stripe in &*self.stripes {
            for cell in &stripe.buckets {
                let (tag, c, f) = unpack(cell.load(Ordering::Relaxed));
                // Tags are the low 32 bits of the epoch.
                let age = (e & 0xFFFF_FFFF).wrapping_sub(tag) & 0xFFFF_FFFF;
                if age < self.buckets && e.checked_sub(age).is_some_and(|at| at >= lo) {
                    calls += c;
                    failures += f;
                }
            }
        }
        (calls, failures)
    }

    /// Forgets every call recorded so far.
    pub(crate) fn reset(&self) {
        let e = self.epoch.fetch_add(1, Ordering::AcqRel) + 1;
        self.floor.store(e, Ordering::Release);
        self.epoch_calls.store(0, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_over_last_calls_single_thread() {
        // 10 calls, 50 %, at least 4 calls.
        let w = Window::new(0.5, 10, 4);
        assert!(!w.record(0, true), "1 call is below the minimum");
        assert!(!w.record(0, false));
        assert!(!w.record(0, false));
        // 2 failures of 4 calls: 50 % reached.
        assert!(w.record(0, true));
        // Ten successes push the failures out of the 10-call window.
        for _ in 0..10 {
            assert!(!w.record(0, false));
        }
        assert!(!w.record(0, true), "1 failure in 10 calls is 10 %");
    }

    #[test]
    fn reset_forgets_history() {
        let w = Window::new(0.5, 10, 2);
        assert!(!w.record(0, false));
        assert!(w.record(0, true));
        w.reset();
        assert!(
            !w.record(0, true),
            "one call after reset is below the minimum"
        );
        assert!(w.record(0, true));
    }
}
