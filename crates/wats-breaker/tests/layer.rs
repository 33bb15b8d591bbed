//! The tower adapter, driven by a hand-rolled executor (no tokio).

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tower::{Layer, Service, ServiceBuilder, ServiceExt, service_fn};
use wats_breaker::{
    BreakerError, CircuitBreaker, CircuitBreakerLayer, ManualClock, Outcome, RejectReason, State,
};

/// Polls a future to completion with a no-op waker.
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::yield_now();
    }
}

/// Waits for readiness, then makes one call.
fn call<S: Service<R>, R>(svc: &mut S, req: R) -> Result<S::Response, S::Error> {
    block_on(async { svc.ready().await?.call(req).await })
}

fn breaker(clock: &ManualClock) -> CircuitBreaker {
    CircuitBreaker::builder()
        .consecutive_failures(2)
        .open_duration(Duration::from_secs(5))
        .clock(clock.clone())
        .build()
        .unwrap()
}

#[test]
fn errors_trip_the_breaker_and_rejections_skip_the_inner_service() {
    let clock = ManualClock::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let layer = CircuitBreakerLayer::new(breaker(&clock));
    let mut svc = ServiceBuilder::new()
        .layer(layer.clone())
        .service(service_fn(move |ok: bool| {
            seen.fetch_add(1, Ordering::SeqCst);
            async move { if ok { Ok(7_u32) } else { Err("boom") } }
        }));
    assert_eq!(call(&mut svc, true).unwrap(), 7);
    for _ in 0..2 {
        let err = call(&mut svc, false).unwrap_err();
        assert!(matches!(err, BreakerError::Inner("boom")));
    }
    assert_eq!(layer.breaker().state(), State::Open);
    let err = call(&mut svc, true).unwrap_err();
    let rejected = err.rejected().copied().expect("rejected");
    assert_eq!(rejected.reason(), RejectReason::Open);
    assert_eq!(rejected.retry_after(), Duration::from_secs(5));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "the rejected call never reached it"
    );
    assert!(err.to_string().contains("open"));

    clock.advance(Duration::from_secs(5));
    assert_eq!(call(&mut svc, true).unwrap(), 7);
    assert_eq!(svc.breaker().state(), State::Closed);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[test]
fn the_classifier_sees_the_whole_result() {
    #[derive(Debug)]
    struct Status(u16);
    let clock = ManualClock::new();
    let b = breaker(&clock);
    // 5xx is a failure, 4xx the caller's fault, errors are failures.
    let layer = CircuitBreakerLayer::new(b.clone()).with_classifier(
        |r: &Result<Status, Infallible>| match r {
            Ok(Status(s)) if *s >= 500 => Outcome::Failure,
            Ok(Status(s)) if *s >= 400 => Outcome::Ignored,
            Ok(_) => Outcome::Success,
            Err(_) => Outcome::Failure,
        },
    );
    let mut svc = layer.layer(service_fn(|code: u16| async move {
        Ok::<_, Infallible>(Status(code))
    }));
    for code in [404, 400, 404, 200, 503] {
        assert!(call(&mut svc, code).is_ok());
    }
    assert_eq!(b.state(), State::Closed);
    assert_eq!(call(&mut svc, 502).unwrap().0, 502);
    assert_eq!(b.state(), State::Open, "two 5xx in a row");
    let m = b.metrics();
    assert_eq!((m.ignored, m.successes, m.failures), (3, 1, 2));
}

#[test]
fn a_dropped_response_future_frees_the_probe_slot() {
    let clock = ManualClock::new();
    let b = breaker(&clock);
    let mut svc =
        CircuitBreakerLayer::new(b.clone()).layer(service_fn(|pending: bool| async move {
            if pending {
                std::future::pending::<()>().await;
            }
            Ok::<_, Infallible>(())
        }));
    b.force_open();
    b.reset();
    for _ in 0..2 {
        b.try_acquire().unwrap().record(Outcome::Failure);
    }
    clock.advance(Duration::from_secs(5));
    {
        // The probe hangs; the caller gives up (cancels) after one poll.
        let mut fut = pin!(svc.call(true));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(b.state(), State::HalfOpen);
        let busy = call(&mut svc, false).unwrap_err();
        assert_eq!(
            busy.rejected().map(wats_breaker::Rejected::reason),
            Some(RejectReason::HalfOpenBusy)
        );
    }
    assert_eq!(b.metrics().dropped, 1);
    call(&mut svc, false).unwrap();
    assert_eq!(
        b.state(),
        State::Closed,
        "the freed slot let a probe close it"
    );
}

/// A service that is never ready: its `poll_ready` fails.
struct Broken;

impl Service<()> for Broken {
    type Response = ();
    type Error = &'static str;
    type Future = std::future::Ready<Result<(), &'static str>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Err("not ready"))
    }

    fn call(&mut self, (): ()) -> Self::Future {
        std::future::ready(Ok(()))
    }
}

#[test]
fn poll_ready_errors_pass_through_and_are_not_calls() {
    let b = CircuitBreaker::default();
    let mut svc = CircuitBreakerLayer::new(b.clone()).layer(Broken);
    let mut cx = Context::from_waker(Waker::noop());
    match svc.poll_ready(&mut cx) {
        Poll::Ready(Err(BreakerError::Inner(e))) => assert_eq!(e, "not ready"),
        other => panic!("unexpected {other:?}"),
    }
    let m = b.metrics();
    assert_eq!((m.calls, m.failures), (0, 0), "readiness is not a call");
    assert!(matches!(svc.into_inner(), Broken));
}

#[test]
fn clones_of_a_service_share_one_breaker() {
    let clock = ManualClock::new();
    let b = breaker(&clock);
    let mut a = CircuitBreakerLayer::new(b.clone()).layer(service_fn(|ok: bool| async move {
        if ok { Ok(()) } else { Err(()) }
    }));
    let mut c = a.clone();
    assert!(call(&mut a, false).is_err());
    assert!(call(&mut c, false).is_err());
    assert_eq!(
        b.state(),
        State::Open,
        "failures through both clones counted together"
    );
    assert!(matches!(call(&mut a, true), Err(BreakerError::Rejected(_))));
    assert!(matches!(call(&mut c, true), Err(BreakerError::Rejected(_))));
    assert_eq!(a.breaker().metrics().rejections, 2);
}

#[test]
fn a_static_breaker_works_without_reference_counting() {
    use std::sync::LazyLock;
    static CLOCK: LazyLock<ManualClock> = LazyLock::new(ManualClock::new);
    static BREAKER: LazyLock<CircuitBreaker> = LazyLock::new(|| breaker(&CLOCK));
    let mut svc =
        CircuitBreakerLayer::from_static(&BREAKER).layer(service_fn(|ok: bool| async move {
            if ok { Ok(1) } else { Err(0) }
        }));
    let mut other = svc.clone();
    assert_eq!(call(&mut svc, true).unwrap(), 1);
    assert!(matches!(call(&mut svc, false), Err(BreakerError::Inner(0))));
    assert!(matches!(
        call(&mut other, false),
        Err(BreakerError::Inner(0))
    ));
    assert_eq!(BREAKER.state(), State::Open);
    assert!(matches!(
        call(&mut other, true),
        Err(BreakerError::Rejected(_))
    ));
    CLOCK.advance(Duration::from_secs(5));
    assert_eq!(call(&mut svc, true).unwrap(), 1);
    assert_eq!(svc.breaker().state(), State::Closed);
}

#[test]
fn a_panicking_inner_call_returns_its_half_open_probe_slot() {
    // Issue 15: the permit was taken before `inner.call()`; a panic there lost the only
    // probe slot and the breaker rejected every later call as HalfOpenBusy.
    let clock = ManualClock::new();
    let b = breaker(&clock);
    let mut svc = CircuitBreakerLayer::new(b.clone()).layer(service_fn(|explode: bool| {
        assert!(!explode, "inner call panics");
        async { Ok::<_, Infallible>(()) }
    }));
    for _ in 0..2 {
        b.try_acquire().unwrap().record(Outcome::Failure);
    }
    clock.advance(Duration::from_secs(5));
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        drop(svc.call(true));
    }));
    assert!(panicked.is_err());
    let layer_breaker = svc.breaker();
    assert_eq!(layer_breaker.state(), State::HalfOpen);
    assert_eq!(
        layer_breaker.metrics().dropped,
        1,
        "the probe slot was freed"
    );
    call(&mut svc, false).unwrap();
    assert_eq!(svc.breaker().state(), State::Closed);
}

#[test]
fn half_open_busy_tells_a_nonzero_retry_after() {
    let clock = ManualClock::new();
    let b = breaker(&clock);
    for _ in 0..2 {
        b.try_acquire().unwrap().record(Outcome::Failure);
    }
    clock.advance(Duration::from_secs(5));
    let probe = b.try_acquire().unwrap();
    let busy = b.try_acquire().unwrap_err();
    assert_eq!(busy.reason(), RejectReason::HalfOpenBusy);
    assert_eq!(busy.retry_after(), Duration::from_secs(1));
    drop(probe);
}
