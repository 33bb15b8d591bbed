//! Concurrency proofs: the half-open cap holds however many callers race,
//! and the closed path loses no count under contention.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::Duration;

use wats_breaker::{CircuitBreaker, ManualClock, Outcome, RejectReason, State};

const THREADS: usize = 64;
const ROUNDS: usize = 1_000;
const OPEN: Duration = Duration::from_secs(1);

/// 64 threads race into HALF_OPEN at the instant the open period ends;
/// exactly `probes` of them are admitted, in each of 1,000 rounds.
fn half_open_cap_holds(probes: u32) {
    let clock = ManualClock::new();
    let b = CircuitBreaker::builder()
        .consecutive_failures(1)
        .open_duration(OPEN)
        .permitted_probes(probes)
        .clock(clock.clone())
        .build()
        .unwrap();
    let start = Barrier::new(THREADS + 1);
    let counted = Barrier::new(THREADS + 1);
    let released = Barrier::new(THREADS + 1);
    let admitted = AtomicUsize::new(0);
    let busy = AtomicUsize::new(0);
    let per_round: Mutex<Vec<usize>> = Mutex::new(Vec::with_capacity(ROUNDS));
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..ROUNDS {
                    start.wait();
                    let got = b.try_acquire();
                    match &got {
                        Ok(p) => {
                            assert!(p.is_probe());
                            admitted.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(r) => {
                            assert_eq!(r.reason(), RejectReason::HalfOpenBusy);
                            busy.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    // Hold the permit until everyone has tried: dropping it
                    // would free the slot for a later racer.
                    counted.wait();
                    drop(got);
                    released.wait();
                }
            });
        }
        for _ in 0..ROUNDS {
            // Trip, then let the open period run out.
            b.reset();
            b.try_acquire().unwrap().record(Outcome::Failure);
            assert_eq!(b.state(), State::Open);
            clock.advance(OPEN);
            admitted.store(0, Ordering::SeqCst);
            busy.store(0, Ordering::SeqCst);
            start.wait();
            counted.wait();
            per_round
                .lock()
                .unwrap()
                .push(admitted.load(Ordering::SeqCst));
            assert_eq!(busy.load(Ordering::SeqCst), THREADS - probes as usize);
            released.wait();
        }
    });
    let per_round = per_round.into_inner().unwrap();
    assert_eq!(per_round.len(), ROUNDS);
    assert!(
        per_round.iter().all(|&n| n == probes as usize),
        "a round admitted a number of probes other than {probes}"
    );
    assert_eq!(
        b.state(),
        State::HalfOpen,
        "all probes were dropped, none decided"
    );
}

#[test]
fn exactly_one_probe_of_64_racers_1000_times() {
    half_open_cap_holds(1);
}

#[test]
fn exactly_three_probes_of_64_racers_1000_times() {
    half_open_cap_holds(3);
}

#[test]
fn closed_counters_lose_nothing_under_contention() {
    let b = CircuitBreaker::builder()
        .consecutive_failures(u32::MAX)
        .failure_rate(1.0, 1000, 1000)
        .build()
        .unwrap();
    std::thread::scope(|s| {
        for t in 0..16 {
            let b = &b;
            s.spawn(move || {
                for i in 0..10_000 {
                    let outcome = if (i + t) % 10 == 0 {
                        Outcome::Failure
                    } else {
                        Outcome::Success
                    };
                    b.try_acquire().unwrap().record(outcome);
                }
            });
        }
    });
    let m = b.metrics();
    assert_eq!(m.state, State::Closed);
    assert_eq!(m.calls, 160_000);
    assert_eq!(m.failures, 16_000);
    assert_eq!(m.successes, 144_000);
}

#[test]
fn racing_failures_trip_exactly_once() {
    let b = CircuitBreaker::builder()
        .consecutive_failures(5)
        .build()
        .unwrap();
    std::thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| {
                for _ in 0..100 {
                    if let Ok(p) = b.try_acquire() {
                        p.record(Outcome::Failure);
                    }
                }
            });
        }
    });
    let m = b.metrics();
    assert_eq!(m.state, State::Open);
    assert_eq!(m.opened, 1, "one trip, however many failures raced");
    assert_eq!(m.calls + m.rejections, 1600);
    assert!(m.failures >= 5);
}
