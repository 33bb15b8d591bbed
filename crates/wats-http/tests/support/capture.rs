//! A tracing layer that keeps, for assertions, every span's name and fields (with the
//! values recorded later) and every event's target, fields and enclosing `wats.call` span.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// Field names and their values, in the order recorded.
pub type Fields = Vec<(String, String)>;

/// One event as the layer saw it.
#[derive(Debug, Clone)]
pub struct CapturedEvent {
    pub target: String,
    pub fields: Fields,
    /// The id of the innermost `wats.call` span the event happened in.
    pub call_span: Option<u64>,
}

/// The layer; clones share what was captured.
#[derive(Default, Clone)]
pub struct Captured {
    /// Span id -> (span name, fields).
    pub spans: Arc<Mutex<HashMap<u64, (String, Fields)>>>,
    pub events: Arc<Mutex<Vec<CapturedEvent>>>,
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
    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some((_, fields)) = self.spans.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Collect(fields));
        }
    }
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::new();
        event.record(&mut Collect(&mut fields));
        let call_span = ctx.event_scope(event).and_then(|scope| {
            scope
                .into_iter()
                .find(|s| s.name() == "wats.call")
                .map(|s| s.id().into_u64())
        });
        self.events.lock().unwrap().push(CapturedEvent {
            target: event.metadata().target().to_owned(),
            fields,
            call_span,
        });
    }
}

/// The last value recorded for `name`.
pub fn get<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
