//! The breaker's state-change events happen inside the `wats.call` span of the
//! call that caused them (with its correlation id and station). Alone in its test
//! binary: tracing caches callsite interest per process, and tests racing on
//! other threads without a subscriber could hide these events.

mod support;

use std::time::Duration;

use support::capture::{Captured, get};
use tracing_subscriber::layer::SubscriberExt;
use wats_breaker::{CircuitBreaker, ManualClock};
use wats_core::CorrelationExt;
use wats_http::{Client, Station};
use wats_mock::{Fault, MockServer};

const TOKEN: &str = "dXNlcjpwYXNz";
const OPEN: Duration = Duration::from_secs(30);

#[tokio::test]
async fn state_changes_are_logged_inside_the_call_span() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let clock = ManualClock::new();
    let breaker = CircuitBreaker::builder()
        .name("wats")
        .consecutive_failures(5)
        .open_duration(OPEN)
        .clock(clock.clone())
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .max_attempts(1)
        .station(Station::new("breaker-test").unwrap())
        .custom_circuit_breaker(breaker)
        .build()
        .unwrap();
    let captured = Captured::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(captured.clone()));

    server.inject(Fault::status(503));
    for i in 0..5 {
        let _ = client
            .server_version()
            .with_correlation_id(format!("call-{i}"))
            .await;
    }
    server.clear_faults();
    clock.advance(OPEN);
    client
        .server_version()
        .with_correlation_id("probe")
        .await
        .unwrap();

    let events = captured.events.lock().unwrap();
    let spans = captured.spans.lock().unwrap();
    let transitions: Vec<(String, String, String)> = events
        .iter()
        .filter(|e| e.target == "wats_breaker")
        .map(|e| {
            let fields = &e.fields;
            let (name, span_fields) = &spans[&e.call_span.expect("inside wats.call")];
            assert_eq!(name, "wats.call");
            assert_eq!(get(span_fields, "station"), Some("BREAKER-TEST"));
            (
                get(fields, "to").unwrap().to_owned(),
                get(fields, "breaker").unwrap().to_owned(),
                get(span_fields, "correlation_id").unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        transitions,
        [
            ("Open".to_owned(), "wats".to_owned(), "call-4".to_owned()),
            ("HalfOpen".to_owned(), "wats".to_owned(), "probe".to_owned()),
            ("Closed".to_owned(), "wats".to_owned(), "probe".to_owned()),
        ]
    );
}
