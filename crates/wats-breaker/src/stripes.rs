//! Striped counters: each thread writes its own cache line, readers sum.
//!
//! The breaker promises counters that can be read at any time *and* no shared
//! write on the closed-state success path. Both hold because every thread
//! claims one of [`STRIPES`] slots for its lifetime (a process-wide bitmap,
//! released by a thread-local destructor) and is then the only writer of that
//! slot's cache line in every breaker: it bumps a counter with a plain
//! `load` + `store` (no locked read-modify-write instruction, no cache-line
//! ping-pong). Threads beyond the first [`STRIPES`] live ones share one
//! overflow stripe and use `fetch_add` there. A reader sums all stripes with
//! relaxed loads, so a snapshot is exact once the writers are quiet and at
//! most a few in-flight increments behind otherwise.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Number of exclusively owned stripes (plus one shared overflow stripe).
pub(crate) const STRIPES: usize = 32;
const OVERFLOW: usize = STRIPES;

/// Process-wide claim bitmap of stripe slots (bit i set = slot i taken).
static CLAIMED: AtomicU64 = AtomicU64::new(0);

struct SlotGuard(usize);

impl SlotGuard {
    fn claim() -> Self {
        let mut cur = CLAIMED.load(Ordering::Relaxed);
        loop {
            let free = !cur & (u64::MAX >> (64 - STRIPES));
            if free == 0 {
                return Self(OVERFLOW);
            }
            let bit = free.trailing_zeros() as usize;
            match CLAIMED.compare_exchange_weak(
                cur,
                cur | (1 << bit),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Self(bit),
                Err(actual) => cur = actual,
            }
        }
    }
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        // From now on this thread counts on the shared overflow stripe.
        let _ = FAST.try_with(|f| f.set(OVERFLOW));
        if self.0 < STRIPES {
            // Release: the next owner of this slot sees every store we made.
            CLAIMED.fetch_and(!(1 << self.0), Ordering::Release);
        }
    }
}

const UNSET: usize = usize::MAX;

thread_local! {
    /// The claim; its destructor releases the slot when the thread ends.
    static GUARD: SlotGuard = SlotGuard::claim();
    /// Cached slot index: a plain TLS read on the hot path (no lazy-init
    /// or destructor bookkeeping).
    static FAST: Cell<usize> = const { Cell::new(UNSET) };
}

/// This thread's stripe index (the overflow stripe once its slot is gone).
#[inline]
pub(crate) fn slot() -> usize {
    let s = FAST.with(Cell::get);
    if s == UNSET { claim_slot() } else { s }
}

#[cold]
fn claim_slot() -> usize {
    let s = GUARD.try_with(|g| g.0).unwrap_or(OVERFLOW);
    FAST.with(|f| f.set(s));
    s
}

/// Which counter of a stripe.
#[derive(Clone, Copy)]
pub(crate) enum Counter {
    Successes = 0,
    Failures = 1,
    Ignored = 2,
    Rejections = 3,
    Dropped = 4,
}

const COUNTERS: usize = 5;

/// One thread's counters, alone on its cache lines.
#[repr(align(128))]
#[derive(Default)]
struct Stripe {
    counters: [AtomicU64; COUNTERS],
}

/// A set of striped counters.
pub(crate) struct Counters {
    stripes: Box<[Stripe; STRIPES + 1]>,
}

impl Counters {
    pub(crate) fn new() -> Self {
        Self {
            stripes: Box::new(std::array::from_fn(|_| Stripe::default())),
        }
    }

    /// Adds one to `which` on the stripe of `slot`.
    #[inline]
    pub(crate) fn bump(&self, slot: usize, which: Counter) {
        let c = &self.stripes[slot.min(OVERFLOW)].counters[which as usize];
        if slot == OVERFLOW {
            c.fetch_add(1, Ordering::Relaxed);
        } else {
            // Single writer: this thread owns the stripe.
            c.store(c.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
        }
    }

    /// Sum of `which` over all stripes.
    pub(crate) fn sum(&self, which: Counter) -> u64 {
        self.stripes.iter().fold(0u64, |acc, s| {
            acc.wrapping_add(s.counters[which as usize].load(Ordering::Relaxed))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_many_threads_add_up() {
        let c = Counters::new();
        std::thread::scope(|s| {
            for _ in 0..40 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        c.bump(slot(), Counter::Successes);
                    }
                });
            }
        });
        // 40 threads > 32 stripes: some used the shared overflow stripe.
        assert_eq!(c.sum(Counter::Successes), 40_000);
        assert_eq!(c.sum(Counter::Failures), 0);
    }
}
