//! `wats-log`: structured JSON or text log lines for [`tracing`], with the
//! correlation id of the current call on every line.
//!
//! An opt-in helper for applications (libraries should only emit `tracing`
//! events). It does not depend on any WATS crate, so other services can use
//! it too.
//!
//! - [`init`] configures from the environment (`WATS_LOG_FORMAT=json|text`,
//!   `RUST_LOG`) and installs a global subscriber; it returns
//!   [`Error::AlreadySet`] instead of panicking if one is already installed.
//! - [`builder`] gives full control: format, level and directives, writer
//!   (any [`MakeWriter`]), correlation field name, redacted fields, clock.
//!   [`Builder::build`] returns the subscriber without installing it (for
//!   `tracing::subscriber::with_default` in tests) and [`Builder::layer`]
//!   returns just the [`LogLayer`] to compose with other layers.
//!
//! # JSON format
//!
//! One flat object per line, keys in this order:
//! `timestamp` (RFC 3339, UTC, microseconds), `level`, `target`, `message`,
//! `correlation_id` (only when one is known), `thread_id`, then the fields of
//! the enclosing spans from the root to the innermost, then the event's
//! fields. There is no span list; a key repeated by nested spans or the event
//! appears more than once, innermost last (so last-wins JSON parsers, such as
//! `serde_json`, keep the innermost value). A field named like one of the
//! fixed keys (`timestamp`, `level`, `target`, `message`, `thread_id`) is
//! written as `fields.<name>` so it cannot shadow them. Strings are escaped as JSON
//! requires (`"`, `\`, U+0000..U+001F); non-ASCII text is written as UTF-8.
//! Non-finite floats are written as strings (`"NaN"`, `"inf"`).
//!
//! ```text
//! {"timestamp":"2023-11-14T22:13:20.123456Z","level":"INFO","target":"app","message":"report submitted","correlation_id":"c-42","thread_id":1,"station":"ST-07","serial":"SN1"}
//! ```
//!
//! # Text format
//!
//! `timestamp LEVEL [correlation id] target: message event-fields span-fields`,
//! with string values quoted and control characters escaped so a line stays
//! one line:
//!
//! ```text
//! 2023-11-14T22:13:20.123456Z  INFO [c-42] app: report submitted serial="SN1" station="ST-07"
//! ```
//!
//! # Correlation id
//!
//! Taken from the event itself if it has a field named `correlation_id`
//! (configurable with [`Builder::correlation_field`]), else from the nearest
//! enclosing span that has one; the WATS client records it on its per-call
//! span `wats.call`. The field is shown once, as the `correlation_id` key (JSON)
//! or in brackets (text), not repeated among the span fields. Spans entered
//! on another thread carry their id with them.
//!
//! # thread_id
//!
//! The number the standard library shows in `ThreadId(N)` for the thread that
//! emitted the event (stable for the life of the process, never reused).
//!
//! # Secrets
//!
//! Fields named in [`DEFAULT_REDACTED_FIELDS`] (`authorization`, `password`,
//! `token`, `secret`, `api_key`; change with [`Builder::redact`]) are written
//! as `"[redacted]"`. The WATS client never logs its token in the first place;
//! redaction is a second line of defence for application fields.
//!
//! # Performance
//!
//! Span fields are rendered once, when the span is created or recorded, into
//! an already-escaped fragment stored in the span's extensions; an event only
//! copies them. Each line is built in a reusable thread-local buffer and
//! handed to the writer in one `write_all` call.
//!
//! # Example
//!
//! ```
//! use wats_log::MemoryWriter;
//!
//! let out = MemoryWriter::new();
//! let subscriber = wats_log::builder().json().writer(out.clone()).build()?;
//! tracing::subscriber::with_default(subscriber, || {
//!     let call = tracing::info_span!("wats.call", correlation_id = "c-42", station = "ST-07");
//!     let _entered = call.enter();
//!     tracing::info!(serial = "SN1", token = "s3cr3t", "report submitted");
//!     tracing::debug!("below the default INFO level: filtered out");
//! });
//!
//! let lines = out.lines();
//! assert_eq!(lines.len(), 1);
//! let line: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
//! assert_eq!(line["message"], "report submitted");
//! assert_eq!(line["correlation_id"], "c-42");
//! assert_eq!(line["station"], "ST-07");
//! assert_eq!(line["serial"], "SN1");
//! assert_eq!(line["token"], "[redacted]");
//! # Ok::<(), wats_log::Error>(())
//! ```

mod builder;
mod layer;
mod render;
mod time;
mod writer;

pub use builder::{
    Builder, DEFAULT_CORRELATION_FIELD, DEFAULT_REDACTED_FIELDS, Error, FILTER_ENV, FORMAT_ENV,
    Format, LogSubscriber, StdoutWriter,
};
pub use layer::LogLayer;
pub use tracing_subscriber::filter::LevelFilter;
pub use tracing_subscriber::fmt::MakeWriter;
pub use writer::MemoryWriter;

/// A [`Builder`] with the defaults (text, `INFO`, standard output).
pub fn builder() -> Builder {
    Builder::new()
}

/// Configures logging from `WATS_LOG_FORMAT` (`json` or `text`, default
/// text) and `RUST_LOG` (default level `INFO`), writing to standard output,
/// and installs it as the global default subscriber.
///
/// # Errors
/// [`Error::InvalidFormat`] or [`Error::InvalidFilter`] for bad variables,
/// [`Error::AlreadySet`] if a global subscriber is already installed (it is
/// left in place; this function never panics).
pub fn init() -> Result<(), Error> {
    Builder::from_env()?.init()
}
