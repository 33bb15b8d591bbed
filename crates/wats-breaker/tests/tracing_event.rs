//! Every state change emits one `tracing` event with the breaker's name.

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wats_breaker::{CircuitBreaker, ManualClock, Outcome};

/// Collects the fields of every event as "name=value" lines.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<String>>>);

struct Fields(Vec<String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }
}

impl Subscriber for Collect {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut f = Fields(vec![format!("target={}", event.metadata().target())]);
        event.record(&mut f);
        self.0.lock().unwrap().push(f.0.join(" "));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn each_state_change_emits_one_event() {
    let collect = Collect::default();
    let clock = ManualClock::new();
    tracing::subscriber::with_default(collect.clone(), || {
        let b = CircuitBreaker::builder()
            .name("payments")
            .consecutive_failures(1)
            .open_duration(Duration::from_secs(2))
            .clock(clock.clone())
            .build()
            .unwrap();
        b.try_acquire().unwrap().record(Outcome::Success);
        b.try_acquire().unwrap().record(Outcome::Failure);
        let _ = b.try_acquire().unwrap_err();
        clock.advance(Duration::from_secs(2));
        b.try_acquire().unwrap().record(Outcome::Success);
    });
    let events = collect.0.lock().unwrap().clone();
    assert_eq!(events.len(), 3, "{events:#?}");
    let expected = [
        ("Closed", "Open"),
        ("Open", "HalfOpen"),
        ("HalfOpen", "Closed"),
    ];
    for (event, (from, to)) in events.iter().zip(expected) {
        assert!(event.contains("target=wats_breaker"), "{event}");
        assert!(event.contains("breaker=payments"), "{event}");
        assert!(event.contains(&format!("from={from} ")), "{event}");
        assert!(event.contains(&format!("to={to} ")), "{event}");
    }
    assert!(events[0].contains("open_for_ms=2000"), "{}", events[0]);
}
