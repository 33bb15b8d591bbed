//! The breaker's state-change events happen inside the `wats.call` span of the
//! call that caused them (with its correlation id and station). Alone in its test
//! binary: tracing caches callsite interest per process, and tests racing on
//! other threads without a subscriber could hide these events.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use wats_breaker::{CircuitBreaker, ManualClock};
use wats_core::CorrelationExt;
use wats_http::{Client, Station};
use wats_mock::{Fault, MockServer};

const TOKEN: &str = "dXNlcjpwYXNz";
const OPEN: Duration = Duration::from_secs(30);

type Fields = Vec<(String, String)>;
/// A breaker event's fields and the id of the `wats.call` span it happened in.
type BreakerEvent = (Fields, Option<u64>);

#[derive(Default, Clone)]
struct Captured {
    spans: Arc<Mutex<HashMap<u64, (String, Fields)>>>,
    /// Breaker events: their fields and the `wats.call` span they happened in.
    breaker_events: Arc<Mutex<Vec<BreakerEvent>>>,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Captured {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = Fields::new();
        attrs.record(&mut Collect(&mut fields));
        self.spans
            .lock()
            .unwrap()
            .insert(id.into_u64(), (attrs.metadata().name().to_owned(), fields));
    }
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "wats_breaker" {
            return;
        }
        let mut fields = Fields::new();
        event.record(&mut Collect(&mut fields));
        let call = ctx.event_scope(event).and_then(|scope| {
            scope
                .into_iter()
                .find(|s| s.name() == "wats.call")
                .map(|s| s.id().into_u64())
        });
        self.breaker_events.lock().unwrap().push((fields, call));
    }
}

fn get<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

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

    let events = captured.breaker_events.lock().unwrap();
    let spans = captured.spans.lock().unwrap();
    let transitions: Vec<(String, String, String)> = events
        .iter()
        .map(|(fields, span)| {
            let (name, span_fields) = &spans[&span.expect("inside wats.call")];
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
