//! The formatting [`Layer`].

use std::cell::{Cell, RefCell};
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::Format;
use crate::render::{EventSink, FieldConfig, SpanFields, SpanSink, Visitor, escape_json};
use crate::time::write_rfc3339;

/// A source of timestamps (injectable for deterministic tests).
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Buffers above this capacity are released after the line is written, so a
/// single huge event does not pin memory in every thread forever.
const MAX_KEPT_CAPACITY: usize = 64 * 1024;

static NEXT_LAYER_ID: AtomicU64 = AtomicU64::new(1);

/// A [`tracing_subscriber::Layer`] that writes each event as one JSON object
/// or one text line, with the correlation id of the nearest enclosing span.
///
/// Built by [`Builder::layer`](crate::Builder::layer) (no filter) or as part
/// of [`Builder::build`](crate::Builder::build). Span fields are rendered once,
/// when the span is created or recorded, and copied into every line; each line
/// is assembled in a reusable thread-local buffer and handed to the writer
/// with a single `write_all`.
pub struct LogLayer<W> {
    id: u64,
    cfg: FieldConfig,
    /// `,"correlation_id":"` (JSON), pre-escaped.
    cid_key_json: String,
    make_writer: W,
    clock: Option<Clock>,
}

impl<W> std::fmt::Debug for LogLayer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogLayer")
            .field("format", &self.cfg.format)
            .field("correlation_field", &self.cfg.correlation_field)
            .field("redact", &self.cfg.redacted())
            .field("custom_clock", &self.clock.is_some())
            .finish_non_exhaustive()
    }
}

impl<W> LogLayer<W> {
    pub(crate) fn new(cfg: FieldConfig, make_writer: W, clock: Option<Clock>) -> Self {
        let mut cid_key_json = String::from(",\"");
        escape_json(&mut cid_key_json, &cfg.correlation_field);
        cid_key_json.push_str("\":\"");
        LogLayer {
            id: NEXT_LAYER_ID.fetch_add(1, Ordering::Relaxed),
            cfg,
            cid_key_json,
            make_writer,
            clock,
        }
    }

    /// The output format of this layer.
    pub fn format(&self) -> Format {
        self.cfg.format
    }
}

/// Per-span storage. Several `LogLayer`s may share one registry (say JSON to
/// a file and text to the console), each with its own rendering; they are
/// told apart by layer id. The common single-layer case does not allocate.
struct SpanStore {
    first_id: u64,
    first: SpanFields,
    rest: Vec<(u64, SpanFields)>,
}

impl SpanStore {
    fn get(&self, id: u64) -> Option<&SpanFields> {
        if self.first_id == id {
            return Some(&self.first);
        }
        self.rest.iter().find(|(i, _)| *i == id).map(|(_, f)| f)
    }

    fn get_or_insert(&mut self, id: u64) -> &mut SpanFields {
        if self.first_id == id {
            return &mut self.first;
        }
        let pos = match self.rest.iter().position(|(i, _)| *i == id) {
            Some(pos) => pos,
            None => {
                self.rest.push((id, SpanFields::default()));
                self.rest.len() - 1
            }
        };
        &mut self.rest[pos].1
    }
}

/// Per-thread scratch space, reused for every event.
#[derive(Default)]
struct Scratch {
    line: String,
    fields: String,
    spans: String,
    message: String,
    correlation_id: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    static THREAD_ID: Cell<u64> = const { Cell::new(0) };
}

static NEXT_FALLBACK_THREAD_ID: AtomicU64 = AtomicU64::new(1 << 32);

/// The number std prints in `ThreadId(N)` for the current thread, computed
/// once per thread.
pub(crate) fn thread_id() -> u64 {
    THREAD_ID
        .try_with(|c| {
            let cached = c.get();
            if cached != 0 {
                return cached;
            }
            let id = std_thread_number();
            c.set(id);
            id
        })
        .unwrap_or_else(|_| std_thread_number())
}

fn std_thread_number() -> u64 {
    let debug = format!("{:?}", std::thread::current().id());
    let digits: String = debug.chars().filter(char::is_ascii_digit).collect();
    match digits.parse::<u64>() {
        Ok(n) if n != 0 => n,
        _ => NEXT_FALLBACK_THREAD_ID.fetch_add(1, Ordering::Relaxed),
    }
}

fn level_json(level: Level) -> &'static str {
    match level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => "INFO",
        Level::WARN => "WARN",
        _ => "ERROR",
    }
}

fn level_text(level: Level) -> &'static str {
    match level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => " INFO",
        Level::WARN => " WARN",
        _ => "ERROR",
    }
}

impl<W> LogLayer<W>
where
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn now(&self) -> SystemTime {
        match &self.clock {
            Some(clock) => clock(),
            None => SystemTime::now(),
        }
    }

    fn format_event<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>, buf: &mut Scratch)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Scratch {
            line,
            fields,
            spans,
            message,
            correlation_id,
        } = buf;
        line.clear();
        fields.clear();
        spans.clear();
        message.clear();
        correlation_id.clear();

        let mut sink = EventSink {
            cfg: &self.cfg,
            fields,
            message,
            correlation_id,
            has_correlation_id: false,
        };
        event.record(&mut Visitor(&mut sink));
        let mut has_cid = sink.has_correlation_id;
        let event_has_cid = has_cid;

        let json = self.cfg.format == Format::Json;
        let meta = event.metadata();

        // Head of the line up to (not including) the correlation id.
        if json {
            line.push_str("{\"timestamp\":\"");
            write_rfc3339(line, self.now());
            line.push_str("\",\"level\":\"");
            line.push_str(level_json(*meta.level()));
            line.push_str("\",\"target\":\"");
            escape_json(line, meta.target());
            line.push_str("\",\"message\":\"");
            line.push_str(message);
            line.push('"');
        } else {
            write_rfc3339(line, self.now());
            line.push(' ');
            line.push_str(level_text(*meta.level()));
        }
        // Span fields are collected in the same root-to-leaf pass that finds
        // the correlation id, which is written before them.
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                let ext = span.extensions();
                let Some(f) = ext.get::<SpanStore>().and_then(|s| s.get(self.id)) else {
                    continue;
                };
                if !f.rendered.is_empty() {
                    spans.push(if json { ',' } else { ' ' });
                    spans.push_str(&f.rendered);
                }
                if !event_has_cid {
                    if let Some(c) = &f.correlation_id {
                        // Root to leaf: the innermost span's id wins.
                        correlation_id.clear();
                        correlation_id.push_str(c);
                        has_cid = true;
                    }
                }
            }
        }

        if json {
            if has_cid {
                line.push_str(&self.cid_key_json);
                line.push_str(correlation_id);
                line.push('"');
            }
            line.push_str(",\"thread_id\":");
            line.push_str(itoa::Buffer::new().format(thread_id()));
            // Root-to-leaf span fields, then the event's: for a repeated key the
            // innermost value comes last.
            line.push_str(spans);
            line.push_str(fields);
            line.push_str("}\n");
        } else {
            if has_cid {
                line.push_str(" [");
                line.push_str(correlation_id);
                line.push(']');
            }
            line.push(' ');
            crate::render::escape_text(line, meta.target());
            line.push_str(": ");
            line.push_str(message);
            line.push_str(fields);
            line.push_str(spans);
            line.push('\n');
        }
    }

    fn write_line(&self, event: &Event<'_>, line: &str) {
        let mut writer = self.make_writer.make_writer_for(event.metadata());
        // Nothing sensible can be done about a failing log sink.
        let _ = writer.write_all(line.as_bytes());
    }

    fn format_and_write<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>, buf: &mut Scratch)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        self.format_event(event, ctx, buf);
        self.write_line(event, &buf.line);
        if buf.line.capacity() > MAX_KEPT_CAPACITY
            || buf.fields.capacity() > MAX_KEPT_CAPACITY
            || buf.spans.capacity() > MAX_KEPT_CAPACITY
            || buf.message.capacity() > MAX_KEPT_CAPACITY
        {
            *buf = Scratch::default();
        }
    }
}

impl<S, W> Layer<S> for LogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut fields = SpanFields::default();
        attrs.record(&mut Visitor(&mut SpanSink {
            cfg: &self.cfg,
            fields: &mut fields,
        }));
        let mut ext = span.extensions_mut();
        if let Some(store) = ext.get_mut::<SpanStore>() {
            *store.get_or_insert(self.id) = fields;
        } else {
            ext.insert(SpanStore {
                first_id: self.id,
                first: fields,
                rest: Vec::new(),
            });
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut ext = span.extensions_mut();
        if ext.get_mut::<SpanStore>().is_none() {
            ext.insert(SpanStore {
                first_id: self.id,
                first: SpanFields::default(),
                rest: Vec::new(),
            });
        }
        if let Some(store) = ext.get_mut::<SpanStore>() {
            values.record(&mut Visitor(&mut SpanSink {
                cfg: &self.cfg,
                fields: store.get_or_insert(self.id),
            }));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let done = SCRATCH.try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => {
                self.format_and_write(event, &ctx, &mut buf);
                true
            }
            Err(_) => false,
        });
        if done != Ok(true) {
            // Re-entered from the writer, or the thread is shutting down:
            // use a one-off buffer instead of the thread-local one.
            self.format_and_write(event, &ctx, &mut Scratch::default());
        }
    }
}
