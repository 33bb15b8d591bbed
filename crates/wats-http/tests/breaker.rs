//! The client's circuit breaker against `wats-mock`: the seed's outage scenario
//! (1,000 calls into a server that answers 503, or refuses connections), the WATS
//! classification and sharing across clones and pools (the state-change event
//! inside the `wats.call` span is in `breaker_tracing.rs`). Time of the breaker is driven by a `ManualClock`:
//! no sleeps.

use std::time::Duration;

use wats_breaker::{CircuitBreaker, ManualClock, State};
use wats_core::Error;
use wats_http::{CircuitBreakerSettings, Client, ClientBuilder, Station};
use wats_mock::{Fault, MockServer, SERVER_VERSION};

const TOKEN: &str = "dXNlcjpwYXNz";
const OPEN: Duration = Duration::from_secs(30);

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .station(Station::new("breaker-test").unwrap())
}

/// The default WATS settings (5 failures, 1 probe) on a manual clock.
fn manual_breaker(clock: &ManualClock) -> CircuitBreaker {
    CircuitBreaker::builder()
        .name("wats")
        .consecutive_failures(5)
        .open_duration(OPEN)
        .permitted_probes(1)
        .clock(clock.clone())
        .build()
        .unwrap()
}

fn is_open(r: &Result<String, Error>) -> bool {
    matches!(r, Err(Error::CircuitOpen { retry_after }) if *retry_after <= OPEN)
}

/// The arithmetic, with threshold 5 and 3 attempts per GET:
/// call 1 makes attempts 1-3 (3 failures, returns the 503);
/// call 2 makes attempts 4-5 (the 5th failure opens the breaker) and its third
/// attempt is rejected, which ends the retries: call 2 returns `CircuitOpen`;
/// calls 3-1000 are rejected without a request.
/// So the server sees exactly 5 requests for 1,000 calls (3,000 without a
/// breaker), and one more (the probe, threshold + probes = 6) if the open
/// duration passes while the outage lasts.
#[tokio::test]
async fn outage_503_thousand_calls_then_recovery() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let clock = ManualClock::new();
    let breaker = manual_breaker(&clock);
    let client = builder(&server)
        .custom_circuit_breaker(breaker.clone())
        .build()
        .unwrap();
    server.inject(Fault::status(503)); // no limit: the whole run
    server.reset_counters();

    let mut open = 0;
    let mut first = None;
    for i in 0..1000 {
        let r = client.server_version().await;
        if i == 0 {
            first = Some(r);
        } else if is_open(&r) {
            open += 1;
        }
    }
    assert!(matches!(
        first,
        Some(Err(Error::Status { status: 503, .. }))
    ));
    assert_eq!(open, 999, "every later call is rejected with CircuitOpen");
    assert_eq!(server.requests_total(), 5, "threshold, not 3,000");
    let m = breaker.metrics();
    assert_eq!(m.state, State::Open);
    assert_eq!(m.failures, 5);
    // One rejection per rejected call: CircuitOpen is not retried.
    assert_eq!(m.rejections, 999);
    assert_eq!(m.opened, 1);

    // The open duration passes while the outage goes on: one probe, it fails,
    // the breaker re-opens; the call's retry is rejected at once.
    clock.advance(OPEN);
    let connections = server.counters().connections_accepted;
    assert!(is_open(&client.server_version().await));
    assert_eq!(server.requests_total(), 6, "threshold + probes");
    assert_eq!(breaker.metrics().opened, 2);
    for _ in 0..100 {
        assert!(is_open(&client.server_version().await));
    }
    assert_eq!(
        server.requests_total(),
        6,
        "rejections never touch the network"
    );
    assert_eq!(server.counters().connections_accepted, connections);

    // The server recovers; the next probe after the open duration closes the circuit.
    server.clear_faults();
    assert!(is_open(&client.server_version().await), "still open");
    clock.advance(OPEN);
    assert_eq!(client.server_version().await.unwrap(), SERVER_VERSION);
    assert_eq!(breaker.state(), State::Closed);
    for _ in 0..20 {
        assert_eq!(client.server_version().await.unwrap(), SERVER_VERSION);
    }
    assert_eq!(server.requests_total(), 6 + 21);
}

/// The same outage as refused connections: connect errors are failures. The
/// server cannot count refused connects, so the breaker's own counters show the
/// attempts: 5 failed connects for 1,000 calls.
#[tokio::test]
async fn outage_refused_connections_then_recovery() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let clock = ManualClock::new();
    let breaker = manual_breaker(&clock);
    let client = builder(&server)
        .custom_circuit_breaker(breaker.clone())
        .build()
        .unwrap();
    server.refuse_connections();

    let mut connect_errors = 0;
    let mut open = 0;
    for _ in 0..1000 {
        match client.server_version().await {
            Err(Error::Transport { connect: true, .. }) => connect_errors += 1,
            r if is_open(&r) => open += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(connect_errors, 1, "only the first call reports the refusal");
    assert_eq!(open, 999);
    let m = breaker.metrics();
    assert_eq!((m.calls, m.failures, m.rejections), (5, 5, 999));

    server.accept_connections().unwrap();
    clock.advance(OPEN);
    assert_eq!(client.server_version().await.unwrap(), SERVER_VERSION);
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(
        server.requests_total(),
        1,
        "the probe was the first request"
    );
}

#[tokio::test]
async fn builder_settings_are_used() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server)
        .max_attempts(1)
        .circuit_breaker_threshold(2)
        .circuit_breaker_open_duration(Duration::from_secs(600))
        .circuit_breaker_probes(3)
        .build()
        .unwrap();
    server.inject(Fault::status(502));
    server.reset_counters();
    for _ in 0..10 {
        let _ = client.server_version().await;
    }
    assert_eq!(server.requests_total(), 2);
    let breaker = client.circuit_breaker().unwrap();
    assert_eq!(breaker.state(), State::Open);
    match client.server_version().await {
        Err(Error::CircuitOpen { retry_after }) => {
            assert!(
                retry_after > Duration::from_secs(500) && retry_after <= Duration::from_secs(600)
            );
        }
        other => panic!("{other:?}"),
    }

    // The settings struct form, and the default (on, threshold 5).
    let c = builder(&server)
        .circuit_breaker(CircuitBreakerSettings::new().failure_threshold(1))
        .max_attempts(1)
        .build()
        .unwrap();
    server.reset_counters();
    let _ = c.server_version().await;
    assert!(matches!(
        c.server_version().await,
        Err(Error::CircuitOpen { .. })
    ));
    assert_eq!(server.requests_total(), 1);
    let d = builder(&server).max_attempts(1).build().unwrap();
    server.reset_counters();
    for _ in 0..10 {
        let _ = d.server_version().await;
    }
    assert_eq!(server.requests_total(), 5, "default threshold 5");

    // Out-of-range settings are configuration errors.
    assert!(matches!(
        builder(&server).circuit_breaker_threshold(0).build(),
        Err(Error::Setup {
            component: "circuit breaker",
            ..
        })
    ));
}

#[tokio::test]
async fn disabled_breaker_lets_every_attempt_through() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server)
        .max_attempts(1)
        .disable_circuit_breaker()
        .build()
        .unwrap();
    assert!(client.circuit_breaker().is_none());
    server.inject(Fault::status(503));
    server.reset_counters();
    for _ in 0..20 {
        assert!(matches!(
            client.server_version().await,
            Err(Error::Status { status: 503, .. })
        ));
    }
    assert_eq!(server.requests_total(), 20);
}

/// 4xx (the caller's fault) never trips the breaker; 429 is ignored.
#[tokio::test]
async fn client_errors_and_429_do_not_trip() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server).max_attempts(1).build().unwrap();
    let breaker = client.circuit_breaker().unwrap();
    for _ in 0..20 {
        assert!(matches!(
            client.products().get("NO-SUCH-PN").await,
            Err(Error::NotFound { .. })
        ));
    }
    server.inject(Fault::status(400).times(10));
    for _ in 0..10 {
        let _ = client.server_version().await;
    }
    server.inject(Fault::status(429).times(10));
    for _ in 0..10 {
        assert!(matches!(
            client.server_version().await,
            Err(Error::Status { status: 429, .. })
        ));
    }
    let m = breaker.metrics();
    assert_eq!(m.state, State::Closed);
    assert_eq!((m.successes, m.failures, m.ignored), (30, 0, 10));

    // Four 503s, then a 404: the 404 proves the server is up and resets the count.
    server.inject(Fault::status(503).times(4));
    for _ in 0..4 {
        let _ = client.server_version().await;
    }
    let _ = client.products().get("NO-SUCH-PN").await;
    server.inject(Fault::status(503).times(4));
    for _ in 0..4 {
        let _ = client.server_version().await;
    }
    assert_eq!(breaker.state(), State::Closed);
}

/// A hung server with only the whole-call timeout: the attempt cut off by the
/// deadline counts as a failure.
#[tokio::test]
async fn deadline_cut_attempts_count_as_failures() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server)
        .max_attempts(1)
        .timeout(Duration::from_millis(100))
        .circuit_breaker_threshold(2)
        .build()
        .unwrap();
    server.inject(Fault::hang());
    for _ in 0..2 {
        assert!(matches!(
            client.server_version().await,
            Err(Error::Timeout {
                phase: wats_core::TimeoutPhase::Call,
                ..
            })
        ));
    }
    assert!(matches!(
        client.server_version().await,
        Err(Error::CircuitOpen { .. })
    ));
    assert_eq!(client.circuit_breaker().unwrap().metrics().failures, 2);
    server.clear_faults();
}

/// One breaker per client: clones and `with_new_pool` siblings share it.
#[tokio::test]
async fn clones_and_pool_siblings_share_one_breaker() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let a = builder(&server).max_attempts(1).build().unwrap();
    let b = a.with_new_pool();
    let c = a.clone();
    server.inject(Fault::status(504));
    server.reset_counters();
    for _ in 0..5 {
        let _ = a.server_version().await;
    }
    assert_eq!(server.requests_total(), 5);
    assert!(matches!(
        b.server_version().await,
        Err(Error::CircuitOpen { .. })
    ));
    assert!(matches!(
        c.server_version().await,
        Err(Error::CircuitOpen { .. })
    ));
    assert_eq!(server.requests_total(), 5);
    assert_eq!(b.circuit_breaker().unwrap().metrics().rejections, 2);
    // Another build is another breaker.
    let other = builder(&server).max_attempts(1).build().unwrap();
    assert_eq!(other.circuit_breaker().unwrap().state(), State::Closed);
}
