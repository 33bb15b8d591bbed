//! Concurrency proofs: the half-open cap holds however many callers race,
//! and the closed path loses no count under contention.
//!
//! The lock-step rounds use [`Gate`], a barrier that can be aborted and whose
//! waits are bounded: a failing assertion on any thread (or a thread that
//! never arrives) releases every other thread, so the test fails with that
//! thread's panic instead of hanging at a barrier.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wats_breaker::{CircuitBreaker, ManualClock, Outcome, RejectReason, State};

const THREADS: usize = 64;
const ROUNDS: usize = 1_000;
const OPEN: Duration = Duration::from_secs(1);
/// Upper bound of one barrier wait: only reached when a thread is lost.
const WAIT_BOUND: Duration = Duration::from_secs(60);

/// A reusable barrier for `n` threads that can be aborted.
struct Gate {
    n: usize,
    state: Mutex<GateState>,
    cv: Condvar,
}

struct GateState {
    arrived: usize,
    generation: u64,
    aborted: bool,
}

/// The gate was aborted: another thread failed (or did not arrive in time).
#[derive(Debug)]
struct Aborted;

impl Gate {
    fn new(n: usize) -> Self {
        Gate {
            n,
            state: Mutex::new(GateState {
                arrived: 0,
                generation: 0,
                aborted: false,
            }),
            cv: Condvar::new(),
        }
    }

    /// Wait until all `n` threads arrived; `Err` once the gate is aborted.
    fn wait(&self) -> Result<(), Aborted> {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if st.aborted {
            return Err(Aborted);
        }
        st.arrived += 1;
        if st.arrived == self.n {
            st.arrived = 0;
            st.generation += 1;
            self.cv.notify_all();
            return Ok(());
        }
        let generation = st.generation;
        let deadline = Instant::now() + WAIT_BOUND;
        while st.generation == generation && !st.aborted {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                st.aborted = true;
                self.cv.notify_all();
                break;
            }
            st = self
                .cv
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        if st.generation == generation {
            Err(Aborted)
        } else {
            Ok(())
        }
    }

    fn abort(&self) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.aborted = true;
        self.cv.notify_all();
    }
}

/// Aborts the gates when the thread holding it unwinds.
struct AbortOnPanic<'a>(&'a [&'a Gate]);

impl Drop for AbortOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for gate in self.0 {
                gate.abort();
            }
        }
    }
}

/// Runs `threads` workers and this thread in lock-step for `rounds` rounds: `setup(round)`
/// here, then every worker's `act(round)`; once all acted, `check(round)` here while the
/// workers still hold what `act` returned; then the workers drop it. A panic anywhere ends
/// every thread and is re-raised by the scope.
fn lockstep<T>(
    threads: usize,
    rounds: usize,
    act: impl Fn(usize) -> T + Sync,
    mut setup: impl FnMut(usize),
    mut check: impl FnMut(usize),
) {
    let start = Gate::new(threads + 1);
    let counted = Gate::new(threads + 1);
    let released = Gate::new(threads + 1);
    let gates = [&start, &counted, &released];
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let _guard = AbortOnPanic(&gates);
                for round in 0..rounds {
                    if start.wait().is_err() {
                        return;
                    }
                    let held = act(round);
                    if counted.wait().is_err() {
                        return;
                    }
                    drop(held);
                    if released.wait().is_err() {
                        return;
                    }
                }
            });
        }
        let _guard = AbortOnPanic(&gates);
        for round in 0..rounds {
            setup(round);
            start.wait().expect("a worker failed");
            counted.wait().expect("a worker failed");
            check(round);
            released.wait().expect("a worker failed");
        }
    });
}

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
    let admitted = AtomicUsize::new(0);
    let busy = AtomicUsize::new(0);
    let mut per_round: Vec<usize> = Vec::with_capacity(ROUNDS);
    lockstep(
        THREADS,
        ROUNDS,
        |_| {
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
            // Held until everyone has tried: dropping it would free the slot
            // for a later racer.
            got
        },
        |_| {
            // Trip, then let the open period run out.
            b.reset();
            b.try_acquire().unwrap().record(Outcome::Failure);
            assert_eq!(b.state(), State::Open);
            clock.advance(OPEN);
            admitted.store(0, Ordering::SeqCst);
            busy.store(0, Ordering::SeqCst);
        },
        |_| {
            per_round.push(admitted.load(Ordering::SeqCst));
            assert_eq!(busy.load(Ordering::SeqCst), THREADS - probes as usize);
        },
    );
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
fn a_failing_worker_fails_the_run_instead_of_hanging() {
    // Issue 15: a worker's failed assertion left the others waiting at a std
    // `Barrier` for ever. Now its panic ends every thread and reaches the test.
    let result = std::panic::catch_unwind(|| {
        lockstep(
            8,
            10,
            |round| assert!(round < 3, "worker fails in round {round}"),
            |_| {},
            |_| {},
        );
    });
    assert!(result.is_err());
    // And a failing check on the coordinating thread also ends the workers.
    let result = std::panic::catch_unwind(|| {
        lockstep(8, 10, |_| (), |_| {}, |round| assert!(round < 5));
    });
    assert!(result.is_err());
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
