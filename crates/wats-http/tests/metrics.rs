//! Metrics through the `metrics` facade, read back with `metrics-util`'s
//! `DebuggingRecorder` (a thread-local recorder: current-thread runtimes): requests by
//! route template, method and status class, the latency histogram, retries, breaker
//! changes and rejections, coalesced calls, rate-limit rejections; and nothing at all
//! when the client's metrics are off.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use wats_breaker::ManualClock;
use wats_http::{CircuitBreaker, Client, ClientBuilder, RateLimit, Station};
use wats_mock::{Fault, MockServer};

const TOKEN: &str = "dXNlcjpwYXNz";
const VERSION: &str = "/api/App/Version";

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .station(Station::new("metrics-test").unwrap())
}

/// A series: name and sorted labels.
type SeriesKey = (String, Vec<(String, String)>);

/// Running totals over snapshots (a snapshot of the debugging recorder drains it).
struct Totals {
    snap: Snapshotter,
    counters: RefCell<HashMap<SeriesKey, u64>>,
    samples: RefCell<HashMap<String, usize>>,
}

impl Totals {
    fn new(snap: Snapshotter) -> Self {
        Totals {
            snap,
            counters: RefCell::default(),
            samples: RefCell::default(),
        }
    }

    fn refresh(&self) {
        for (k, _, _, v) in self.snap.snapshot().into_vec() {
            let key = k.key();
            let mut labels: Vec<(String, String)> = key
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            labels.sort_unstable();
            match v {
                DebugValue::Counter(n) => {
                    *self
                        .counters
                        .borrow_mut()
                        .entry((key.name().to_owned(), labels))
                        .or_default() += n;
                }
                DebugValue::Histogram(samples) => {
                    *self
                        .samples
                        .borrow_mut()
                        .entry(key.name().to_owned())
                        .or_default() += samples.len();
                }
                DebugValue::Gauge(_) => {}
            }
        }
    }

    /// The counter `name` with exactly these labels (0 when absent).
    fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        self.refresh();
        let mut want: Vec<(String, String)> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        want.sort_unstable();
        self.counters
            .borrow()
            .get(&(name.to_owned(), want))
            .copied()
            .unwrap_or(0)
    }

    /// The sum of the counters `name` whose labels satisfy `pick`.
    fn counter_where(&self, name: &str, pick: impl Fn(&[(String, String)]) -> bool) -> u64 {
        self.refresh();
        self.counters
            .borrow()
            .iter()
            .filter(|((n, labels), _)| n == name && pick(labels))
            .map(|(_, v)| *v)
            .sum()
    }

    fn samples(&self, name: &str) -> usize {
        self.refresh();
        self.samples.borrow().get(name).copied().unwrap_or(0)
    }

    fn is_empty(&self) -> bool {
        self.refresh();
        self.counters.borrow().is_empty() && self.samples.borrow().is_empty()
    }
}

#[tokio::test]
async fn requests_latency_retries_and_breaker_are_counted() {
    let recorder = DebuggingRecorder::new();
    let m = Totals::new(recorder.snapshotter());
    let _guard = metrics::set_default_local_recorder(&recorder);
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let breaker = CircuitBreaker::builder()
        .name("wats")
        .consecutive_failures(5)
        .open_duration(Duration::from_secs(30))
        .clock(ManualClock::new())
        .build()
        .unwrap();
    let client = builder(&server)
        .metrics(true)
        .custom_circuit_breaker(breaker.clone())
        .build()
        .unwrap();

    for _ in 0..3 {
        client.server_version().await.unwrap();
    }
    let ok = [("route", VERSION), ("method", "GET"), ("status", "2xx")];
    assert_eq!(m.counter("wats_requests_total", &ok), 3);
    assert_eq!(m.samples("wats_request_duration_seconds"), 3);

    // A 404 is a 4xx of its route template.
    assert!(
        client
            .products()
            .get_opt("NoSuchPart")
            .await
            .unwrap()
            .is_none()
    );
    let fours = m.counter_where("wats_requests_total", |labels| {
        labels.iter().any(|(k, v)| k == "status" && v == "4xx")
            && labels
                .iter()
                .any(|(k, v)| k == "route" && v.starts_with("/api/Product"))
    });
    assert_eq!(fours, 1);

    // One 503, then success: one retry.
    server.inject(Fault::status(503).times(1));
    client.server_version().await.unwrap();
    assert_eq!(
        m.counter(
            "wats_retries_total",
            &[("route", VERSION), ("reason", "status")]
        ),
        1
    );
    assert_eq!(m.counter("wats_requests_total", &ok), 4);

    // An open breaker: one change to `open`, one rejection, an `error` request.
    breaker.force_open();
    assert!(client.server_version().await.is_err());
    assert_eq!(
        m.counter("wats_breaker_state_changes_total", &[("to", "open")]),
        1
    );
    assert_eq!(
        m.counter("wats_breaker_rejections_total", &[("route", VERSION)]),
        1
    );
    assert_eq!(
        m.counter(
            "wats_requests_total",
            &[("route", VERSION), ("method", "GET"), ("status", "error")]
        ),
        1
    );
    breaker.reset();
    client.server_version().await.unwrap();
    assert_eq!(
        m.counter("wats_breaker_state_changes_total", &[("to", "closed")]),
        1
    );
}

#[tokio::test]
async fn coalesced_calls_and_rate_limit_rejections_are_counted() {
    let recorder = DebuggingRecorder::new();
    let m = Totals::new(recorder.snapshotter());
    let _guard = metrics::set_default_local_recorder(&recorder);
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server)
        .metrics(true)
        .coalesce_gets(true)
        .rate_limit(
            RateLimit::new(1, Duration::from_secs(1))
                .fail_fast(true)
                .clock(ManualClock::new()),
        )
        .build()
        .unwrap();
    server.set_latency(Duration::from_millis(200));
    server.reset_counters();
    let (a, b, c, d) = tokio::join!(
        client.server_version(),
        client.server_version(),
        client.server_version(),
        client.server_version()
    );
    for r in [a, b, c, d] {
        r.unwrap();
    }
    assert_eq!(server.requests_total(), 1);
    assert_eq!(m.counter("wats_coalesced_total", &[("route", VERSION)]), 3);
    // The quota (1) is spent: the next call is refused by the limiter.
    assert!(client.server_version().await.is_err());
    assert_eq!(
        m.counter("wats_rate_limit_rejections_total", &[("route", VERSION)]),
        1
    );
    assert_eq!(server.requests_total(), 1);
}

#[tokio::test]
async fn nothing_is_recorded_when_metrics_are_off() {
    let recorder = DebuggingRecorder::new();
    let m = Totals::new(recorder.snapshotter());
    let _guard = metrics::set_default_local_recorder(&recorder);
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server).build().unwrap();
    client.server_version().await.unwrap();
    assert!(m.is_empty());
}
