//! The client-side rate limit against `wats-mock`: exact admissions per period over
//! 2,000 calls on a manual clock (counted on the mock), one limiter for every clone,
//! pool sibling and thread, a 429 with `Retry-After` holding the limiter for everyone,
//! and waits bounded by the call's deadline. No test measures a duration.

use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use wats_breaker::ManualClock;
use wats_core::Error;
use wats_http::{Client, ClientBuilder, RateLimit, Station};
use wats_mock::{Fault, MockServer, RetryAfter, SERVER_VERSION};

const TOKEN: &str = "dXNlcjpwYXNz";
const PERIOD: Duration = Duration::from_secs(1);

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .station(Station::new("ratelimit-test").unwrap())
}

fn is_limited(r: &Result<String, Error>) -> bool {
    matches!(r, Err(Error::RateLimited { .. }))
}

/// 50 per second with bursts of 50, failing fast, on a manual clock: at the start of
/// each of 20 periods, 100 calls; exactly 50 reach the mock, the other 50 fail with
/// `RateLimited` and send nothing. 2,000 calls, 1,000 requests.
#[tokio::test]
async fn admits_exactly_the_quota_per_period_over_2000_calls() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let clock = ManualClock::new();
    let client = builder(&server)
        .rate_limit(
            RateLimit::new(50, PERIOD)
                .fail_fast(true)
                .clock(clock.clone()),
        )
        .build()
        .unwrap();
    server.reset_counters();
    for period in 0..20u64 {
        let before = server.requests_total();
        let mut ok = 0;
        let mut limited = 0;
        for _ in 0..100 {
            let r = client.server_version().await;
            match &r {
                Ok(v) => {
                    assert_eq!(v, SERVER_VERSION);
                    ok += 1;
                }
                _ if is_limited(&r) => limited += 1,
                Err(e) => panic!("unexpected error: {e}"),
            }
        }
        assert_eq!((ok, limited), (50, 50), "period {period}");
        assert_eq!(server.requests_total() - before, 50, "period {period}");
        clock.advance(PERIOD);
    }
    assert_eq!(server.requests_total(), 1000);
}

/// The same rate without bursts (burst 1): 2,000 calls spread over 10 periods, one every
/// 5 ms of the manual clock; one request is admitted every 20 ms, so exactly 50 per
/// period reach the mock.
#[tokio::test]
async fn spread_calls_admit_exactly_the_rate_per_period() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let clock = ManualClock::new();
    let client = builder(&server)
        .rate_limit(
            RateLimit::new(50, PERIOD)
                .burst(1)
                .fail_fast(true)
                .clock(clock.clone()),
        )
        .build()
        .unwrap();
    server.reset_counters();
    for period in 0..10u64 {
        let before = server.requests_total();
        for _ in 0..200 {
            let r = client.server_version().await;
            assert!(r.is_ok() || is_limited(&r), "{r:?}");
            clock.advance(Duration::from_millis(5));
        }
        assert_eq!(server.requests_total() - before, 50, "period {period}");
    }
    assert_eq!(server.requests_total(), 500);
}

/// One limiter for the clones, the pool siblings and the threads of a client: 4 threads
/// of a multi-thread runtime, each with a clone and a new pool, 40 calls in all against
/// a quota of 10: exactly 10 requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_limiter_for_clones_pools_and_threads() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let clock = ManualClock::new();
    let client = builder(&server)
        .rate_limit(
            RateLimit::new(10, PERIOD)
                .fail_fast(true)
                .clock(clock.clone()),
        )
        .build()
        .unwrap();
    server.reset_counters();
    let mut tasks = Vec::new();
    for i in 0..4 {
        let c = if i % 2 == 0 {
            client.clone()
        } else {
            client.with_new_pool()
        };
        tasks.push(tokio::spawn(async move {
            let mut ok = 0u32;
            for _ in 0..10 {
                let r = c.server_version().await;
                assert!(r.is_ok() || is_limited(&r), "{r:?}");
                ok += u32::from(r.is_ok());
            }
            ok
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += t.await.unwrap();
    }
    assert_eq!(ok, 10);
    assert_eq!(server.requests_total(), 10);
}

/// A 429 with `Retry-After: 5` holds the limiter for every caller: a clone and a pool
/// sibling that did not get the 429 are refused without a request until the manual
/// clock has moved 5 s.
#[tokio::test]
async fn retry_after_429_slows_the_limiter_for_everyone() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let clock = ManualClock::new();
    let client = builder(&server)
        .max_attempts(1)
        .rate_limit(
            RateLimit::new(1000, PERIOD)
                .fail_fast(true)
                .clock(clock.clone()),
        )
        .build()
        .unwrap();
    server.inject(
        Fault::status(429)
            .retry_after(RetryAfter::Seconds(5))
            .times(1),
    );
    server.reset_counters();
    let first = client.server_version().await;
    assert!(
        matches!(first, Err(Error::Status { status: 429, .. })),
        "{first:?}"
    );
    let clone = client.clone();
    let sibling = client.with_new_pool();
    for c in [&clone, &sibling] {
        let r = c.server_version().await;
        assert!(
            matches!(r, Err(Error::RateLimited { retry_after }) if retry_after <= Duration::from_secs(5) && retry_after > Duration::from_secs(4)),
            "{r:?}"
        );
    }
    assert_eq!(server.requests_total(), 1, "the refused calls sent nothing");
    clock.advance(Duration::from_secs(4));
    assert!(is_limited(&clone.server_version().await));
    clock.advance(Duration::from_secs(1));
    assert_eq!(clone.server_version().await.unwrap(), SERVER_VERSION);
    assert_eq!(sibling.server_version().await.unwrap(), SERVER_VERSION);
    assert_eq!(server.requests_total(), 3);
}

/// A wait that would pass the call's deadline is not started: the call fails at once
/// with `RateLimited` (1 per minute, 1 s deadline), nothing is sent.
#[tokio::test]
async fn a_wait_past_the_deadline_fails_at_once() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server)
        .timeout(Duration::from_secs(1))
        .rate_limit(RateLimit::new(1, Duration::from_secs(60)))
        .build()
        .unwrap();
    server.reset_counters();
    client.server_version().await.unwrap();
    let r = client.server_version().await;
    assert!(
        matches!(r, Err(Error::RateLimited { retry_after }) if retry_after > Duration::from_secs(1)),
        "{r:?}"
    );
    assert_eq!(server.requests_total(), 1);
}

/// Waiting (the default): 3 calls started together through a limiter of 1 per 200 ms
/// all succeed; the first is admitted, the other two wait (counted by the
/// `wats_rate_limit_waits_total` metric, not timed; a call may wait more than once), and
/// the mock saw 3 requests.
#[tokio::test]
async fn calls_wait_for_the_limiter_within_the_deadline() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server)
        .metrics(true)
        .rate_limit(RateLimit::new(1, Duration::from_millis(200)))
        .build()
        .unwrap();
    server.reset_counters();
    let (a, b, c) = tokio::join!(
        client.server_version(),
        client.server_version(),
        client.server_version()
    );
    for r in [a, b, c] {
        assert_eq!(r.unwrap(), SERVER_VERSION);
    }
    assert_eq!(server.requests_total(), 3);
    let waits: u64 = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(k, ..)| k.key().name() == "wats_rate_limit_waits_total")
        .map(|(.., v)| match v {
            DebugValue::Counter(n) => n,
            other => panic!("{other:?}"),
        })
        .sum();
    assert!(waits >= 2, "{waits}");
}

#[test]
fn invalid_rate_limits_are_config_errors() {
    for bad in [
        RateLimit::new(0, PERIOD),
        RateLimit::new(10, PERIOD).burst(0),
        RateLimit::new(10, Duration::ZERO),
    ] {
        let err = Client::builder()
            .base_url("http://127.0.0.1:9")
            .token(TOKEN)
            .station(Station::new("x").unwrap())
            .rate_limit(bad)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidConfig(_)), "{err}");
    }
}
