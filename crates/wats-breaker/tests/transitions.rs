//! Every transition of the state machine, driven by a manual clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use wats_breaker::{
    CircuitBreaker, ConfigError, ManualClock, Outcome, RejectReason, State, StateChange,
};

const OPEN: Duration = Duration::from_secs(30);

fn breaker(clock: &ManualClock, n: u32) -> CircuitBreaker {
    CircuitBreaker::builder()
        .consecutive_failures(n)
        .open_duration(OPEN)
        .clock(clock.clone())
        .build()
        .unwrap()
}

fn fail(b: &CircuitBreaker, times: usize) {
    for _ in 0..times {
        b.try_acquire().unwrap().record(Outcome::Failure);
    }
}

#[test]
fn closed_trips_after_exactly_n_consecutive_failures() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 5);
    fail(&b, 4);
    assert_eq!(b.state(), State::Closed);
    fail(&b, 1);
    assert_eq!(b.state(), State::Open);
    assert_eq!(b.metrics().opened, 1);
}

#[test]
fn default_breaker_trips_after_five() {
    let b = CircuitBreaker::default();
    fail(&b, 4);
    assert_eq!(b.state(), State::Closed);
    fail(&b, 1);
    assert_eq!(b.state(), State::Open);
    let r = b.try_acquire().unwrap_err();
    assert!(r.retry_after() <= Duration::from_secs(30));
    assert!(r.retry_after() > Duration::from_secs(20));
}

#[test]
fn a_success_resets_the_consecutive_count() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 3);
    fail(&b, 2);
    b.try_acquire().unwrap().record(Outcome::Success);
    fail(&b, 2);
    assert_eq!(
        b.state(),
        State::Closed,
        "2 + success + 2 is not 3 in a row"
    );
    fail(&b, 1);
    assert_eq!(b.state(), State::Open);
}

#[test]
fn ignored_outcomes_neither_count_nor_reset() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 3);
    fail(&b, 2);
    b.try_acquire().unwrap().record(Outcome::Ignored);
    assert_eq!(b.state(), State::Closed);
    fail(&b, 1);
    assert_eq!(
        b.state(),
        State::Open,
        "the ignored call did not reset the count"
    );
}

#[test]
fn open_rejects_at_once_with_the_time_left() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 1);
    fail(&b, 1);
    let r = b.try_acquire().unwrap_err();
    assert_eq!(r.reason(), RejectReason::Open);
    assert_eq!(r.retry_after(), OPEN);
    clock.advance(Duration::from_secs(29));
    let r = b.try_acquire().unwrap_err();
    assert_eq!(r.retry_after(), Duration::from_secs(1));
    assert!(r.to_string().contains("open"));
    assert_eq!(b.metrics().rejections, 2);
    assert_eq!(b.state(), State::Open);
}

#[test]
fn half_open_admits_one_probe_and_rejects_the_rest() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 1);
    fail(&b, 1);
    clock.advance(OPEN);
    assert_eq!(
        b.state(),
        State::Open,
        "no timer: the state moves on a call"
    );
    let probe = b.try_acquire().unwrap();
    assert!(probe.is_probe());
    assert_eq!(b.state(), State::HalfOpen);
    for _ in 0..10 {
        let r = b.try_acquire().unwrap_err();
        assert_eq!(r.reason(), RejectReason::HalfOpenBusy);
        // Not zero (a caller honouring it would spin): the open duration, at most 1 s.
        assert_eq!(r.retry_after(), OPEN.min(Duration::from_secs(1)));
        assert!(r.retry_after() > Duration::ZERO);
    }
    probe.record(Outcome::Success);
    assert_eq!(b.state(), State::Closed);
    assert!(!b.try_acquire().unwrap().is_probe());
}

#[test]
fn a_probe_failure_reopens_for_a_full_period() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 1);
    fail(&b, 1);
    clock.advance(OPEN);
    b.try_acquire().unwrap().record(Outcome::Failure);
    assert_eq!(b.state(), State::Open);
    assert_eq!(b.try_acquire().unwrap_err().retry_after(), OPEN);
    assert_eq!(b.metrics().opened, 2);
}

#[test]
fn probe_successes_to_close_is_configurable_and_frees_slots() {
    let clock = ManualClock::new();
    let b = CircuitBreaker::builder()
        .consecutive_failures(1)
        .open_duration(OPEN)
        .permitted_probes(2)
        .probe_successes_to_close(3)
        .clock(clock.clone())
        .build()
        .unwrap();
    fail(&b, 1);
    clock.advance(OPEN);
    let p1 = b.try_acquire().unwrap();
    let p2 = b.try_acquire().unwrap();
    assert!(b.try_acquire().is_err(), "two probes at most");
    p1.record(Outcome::Success);
    assert_eq!(b.state(), State::HalfOpen, "1 of 3 successes");
    let p3 = b.try_acquire().expect("the success freed a slot");
    assert!(b.try_acquire().is_err());
    p2.record(Outcome::Success);
    assert_eq!(b.state(), State::HalfOpen, "2 of 3 successes");
    p3.record(Outcome::Success);
    assert_eq!(b.state(), State::Closed);
}

#[test]
fn ignored_or_dropped_probes_free_their_slot_and_change_nothing() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 1);
    fail(&b, 1);
    clock.advance(OPEN);
    b.try_acquire().unwrap().record(Outcome::Ignored);
    assert_eq!(b.state(), State::HalfOpen);
    let p = b.try_acquire().expect("slot freed by the ignored probe");
    drop(p);
    assert_eq!(b.state(), State::HalfOpen);
    let p = b.try_acquire().expect("slot freed by the dropped probe");
    p.record(Outcome::Success);
    assert_eq!(b.state(), State::Closed);
    let m = b.metrics();
    assert_eq!(
        (m.ignored, m.dropped, m.successes, m.failures),
        (1, 1, 1, 1)
    );
    assert_eq!(m.calls, 4);
}

#[test]
fn a_dropped_closed_permit_changes_nothing() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 2);
    fail(&b, 1);
    drop(b.try_acquire().unwrap());
    fail(&b, 1);
    assert_eq!(b.state(), State::Open);
    assert_eq!(b.metrics().dropped, 1);
}

#[test]
fn late_results_from_an_earlier_cycle_are_ignored() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 3);
    let late_closed = b.try_acquire().unwrap();
    fail(&b, 3);
    assert_eq!(b.state(), State::Open);
    clock.advance(OPEN);
    let late_probe = b.try_acquire().unwrap();
    // The probe's cycle ends by a reset: its result is now late too.
    b.reset();
    assert_eq!(b.state(), State::Closed);
    fail(&b, 2);
    // A late success would reset the consecutive count; a late failure
    // would trip. Neither may happen.
    late_closed.record(Outcome::Success);
    late_probe.record(Outcome::Failure);
    assert_eq!(b.state(), State::Closed);
    fail(&b, 1);
    assert_eq!(b.state(), State::Open, "2 + 1 failures in a row still trip");
}

#[test]
fn a_late_closed_failure_does_not_reopen_after_recovery() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 1);
    let late = b.try_acquire().unwrap();
    fail(&b, 1);
    clock.advance(OPEN);
    b.try_acquire().unwrap().record(Outcome::Success);
    assert_eq!(b.state(), State::Closed);
    late.record(Outcome::Failure);
    assert_eq!(b.state(), State::Closed);
}

#[test]
fn open_duration_grows_on_repeated_trips_and_resets_on_close() {
    let clock = ManualClock::new();
    let b = CircuitBreaker::builder()
        .consecutive_failures(1)
        .open_duration(Duration::from_secs(10))
        .open_duration_backoff(2, Duration::from_secs(35))
        .clock(clock.clone())
        .build()
        .unwrap();
    fail(&b, 1);
    let mut seen = Vec::new();
    for _ in 0..4 {
        let left = b.try_acquire().unwrap_err().retry_after();
        seen.push(left.as_secs());
        clock.advance(left);
        b.try_acquire().unwrap().record(Outcome::Failure);
    }
    assert_eq!(seen, vec![10, 20, 35, 35]);
    let left = b.try_acquire().unwrap_err().retry_after();
    clock.advance(left);
    b.try_acquire().unwrap().record(Outcome::Success);
    fail(&b, 1);
    assert_eq!(
        b.try_acquire().unwrap_err().retry_after(),
        Duration::from_secs(10),
        "closing starts the growth over"
    );
}

#[test]
fn force_open_holds_until_reset() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 5);
    b.force_open();
    assert_eq!(b.state(), State::Open);
    clock.advance(Duration::from_secs(3600));
    let r = b.try_acquire().unwrap_err();
    assert_eq!(r.reason(), RejectReason::ForcedOpen);
    assert_eq!(r.retry_after(), Duration::MAX);
    b.reset();
    assert_eq!(b.state(), State::Closed);
    assert!(b.try_acquire().is_ok());
}

#[test]
fn reset_forgets_consecutive_failures() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 3);
    fail(&b, 2);
    b.reset();
    fail(&b, 2);
    assert_eq!(b.state(), State::Closed);
}

#[test]
fn hooks_see_every_state_change_and_rejection() {
    let clock = ManualClock::new();
    let changes: Arc<Mutex<Vec<StateChange>>> = Arc::default();
    let rejections: Arc<Mutex<Vec<RejectReason>>> = Arc::default();
    let (c, r) = (Arc::clone(&changes), Arc::clone(&rejections));
    let b = CircuitBreaker::builder()
        .name("hooks")
        .consecutive_failures(1)
        .open_duration(OPEN)
        .clock(clock.clone())
        .on_state_change(move |ch| c.lock().unwrap().push(*ch))
        .on_rejection(move |rej| r.lock().unwrap().push(rej.reason()))
        .build()
        .unwrap();
    assert_eq!(b.name(), "hooks");
    fail(&b, 1);
    let _ = b.try_acquire().unwrap_err();
    clock.advance(OPEN);
    let probe = b.try_acquire().unwrap();
    let _ = b.try_acquire().unwrap_err();
    probe.record(Outcome::Success);
    b.force_open();
    b.reset();
    let got: Vec<_> = changes
        .lock()
        .unwrap()
        .iter()
        .map(|c| (c.from, c.to, c.open_for))
        .collect();
    assert_eq!(
        got,
        vec![
            (State::Closed, State::Open, OPEN),
            (State::Open, State::HalfOpen, Duration::ZERO),
            (State::HalfOpen, State::Closed, Duration::ZERO),
            (State::Closed, State::Open, Duration::MAX),
            (State::Open, State::Closed, Duration::ZERO),
        ]
    );
    assert_eq!(
        *rejections.lock().unwrap(),
        vec![RejectReason::Open, RejectReason::HalfOpenBusy]
    );
}

#[test]
fn failure_rate_window_trips_without_consecutive_failures() {
    let clock = ManualClock::new();
    let b = CircuitBreaker::builder()
        .consecutive_failures(100)
        .failure_rate(0.5, 10, 6)
        .open_duration(OPEN)
        .clock(clock.clone())
        .build()
        .unwrap();
    // Alternate success/failure: never 2 failures in a row, 50 % rate.
    for i in 0..5 {
        let outcome = if i % 2 == 0 {
            Outcome::Success
        } else {
            Outcome::Failure
        };
        b.try_acquire().unwrap().record(outcome);
    }
    assert_eq!(
        b.state(),
        State::Closed,
        "5 calls are below the minimum of 6"
    );
    b.try_acquire().unwrap().record(Outcome::Failure);
    assert_eq!(b.state(), State::Open, "3 failures of 6 calls is 50 %");
}

#[test]
fn failure_rate_below_threshold_does_not_trip() {
    let clock = ManualClock::new();
    let b = CircuitBreaker::builder()
        .consecutive_failures(100)
        .failure_rate(0.5, 10, 1)
        .clock(clock.clone())
        .build()
        .unwrap();
    // success, success, failure, ...: 33 % at every failure.
    for i in 1..100 {
        let outcome = if i % 3 == 0 {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        b.try_acquire().unwrap().record(outcome);
    }
    assert_eq!(b.state(), State::Closed, "33 % stays under 50 %");
    assert_eq!(b.metrics().failures, 33);
    // The last 10 calls (90..=99) hold 4 failures; one more failure pushes
    // call 90 out: still 4 of 10. The next makes it 5 of 10.
    fail(&b, 1);
    assert_eq!(b.state(), State::Closed, "4 of the last 10 calls failed");
    fail(&b, 1);
    assert_eq!(b.state(), State::Open, "5 of the last 10 calls failed");
}

#[test]
fn metrics_count_every_kind_of_call() {
    let clock = ManualClock::new();
    let b = breaker(&clock, 2);
    b.try_acquire().unwrap().record(Outcome::Success);
    b.try_acquire().unwrap().record(Outcome::Success);
    b.try_acquire().unwrap().record(Outcome::Ignored);
    fail(&b, 2);
    let _ = b.try_acquire().unwrap_err();
    let m = b.metrics();
    assert_eq!(m.state, State::Open);
    assert_eq!(
        (
            m.calls,
            m.successes,
            m.failures,
            m.ignored,
            m.rejections,
            m.opened
        ),
        (5, 2, 2, 1, 1, 1)
    );
}

#[test]
fn invalid_settings_are_refused() {
    let cases = [
        CircuitBreaker::builder().consecutive_failures(0).build(),
        CircuitBreaker::builder().permitted_probes(0).build(),
        CircuitBreaker::builder().permitted_probes(70_000).build(),
        CircuitBreaker::builder()
            .probe_successes_to_close(0)
            .build(),
        CircuitBreaker::builder().failure_rate(0.0, 10, 1).build(),
        CircuitBreaker::builder().failure_rate(1.5, 10, 1).build(),
        CircuitBreaker::builder()
            .failure_rate(f64::NAN, 10, 1)
            .build(),
        CircuitBreaker::builder().failure_rate(0.5, 0, 1).build(),
        CircuitBreaker::builder()
            .open_duration_backoff(0, Duration::from_secs(60))
            .build(),
        CircuitBreaker::builder()
            .open_duration_backoff(2, Duration::from_secs(1))
            .build(),
    ];
    for (i, case) in cases.into_iter().enumerate() {
        let err = case.unwrap_err();
        assert!(matches!(err, ConfigError::OutOfRange { .. }), "case {i}");
        assert!(err.to_string().contains("must be"), "case {i}: {err}");
    }
}
