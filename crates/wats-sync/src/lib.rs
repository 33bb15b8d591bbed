//! Blocking WATS client on a thread-local pool of tokio runtimes.
//!
//! [`Client`] has every call of the async [`wats_http::Client`], returning values instead of
//! futures. The calls are not mirrored here: each is declared once in `wats-http`, on domain
//! handles generic over [`wats_http::Caller`]; this crate implements `Caller` for its client
//! (run the prepared call on this thread's runtime) and keeps only the runtime plumbing. It is
//! re-exported by the umbrella crate as `wats::blocking::Client`.
//!
//! ```
//! use wats_sync::Client;
//!
//! let server = wats_mock::MockServer::start();
//! let client = Client::builder().base_url(server.url()).token("demo").build()?;
//! let version = client.server_version()?;
//! assert!(!version.is_empty());
//! for _ in 0..10 {
//!     client.products().list()?;
//! }
//! // One thread, eleven calls, one connection.
//! assert_eq!(server.counters().connections_accepted, 1);
//! # Ok::<(), wats_core::Error>(())
//! ```
//!
//! # Runtime model
//!
//! A blocking call needs an event loop. Building one per call (and a connection per call) is
//! what makes naive sync wrappers slow. This crate keeps, per client and per calling OS thread,
//! one `current_thread` tokio runtime and one connection pool, reached through a thread-local.
//! The calling thread drives its own I/O: no hand-off to another thread on the hot path.
//!
//! - A pooled connection belongs to the runtime that opened it, so pools are never shared
//!   between threads ([`wats_http::Client::with_new_pool`]); settings, the TLS configuration
//!   (so sessions resume), the retry budget and the circuit breaker are.
//! - Each runtime's blocking pool (used only for DNS lookups and report-spool file I/O) is
//!   capped, default
//!   [`DEFAULT_MAX_BLOCKING_THREADS`].
//! - A thread that exits releases its runtime and closes its connections; dropping the last
//!   clone of a client releases every thread's runtime and connection.
//! - [`RuntimeMode::Shared`] instead runs one background runtime thread per client (the
//!   `reqwest::blocking` design): one pool for all threads, two cross-thread hand-offs per
//!   call. Choose it for programs that spread few calls over many short-lived threads; keep
//!   the default for long-lived threads. `docs/PERFORMANCE.md` has the measured numbers.
//!
//! # Calling from async code
//!
//! A blocking call made where a tokio runtime is current (a `#[tokio::main]` body, a spawned
//! task, `tokio::task::spawn_blocking`) works: it cannot drive a runtime of its own there, so
//! it runs on a background runtime thread (the shared one in [`RuntimeMode::Shared`], else
//! one started for the client on the first such call, with its own pool) and the calling
//! thread waits for it. A warning is logged once per process. Never a panic: the wait uses no
//! tokio blocking primitive, and a client whose last clone is dropped inside a runtime shuts
//! its runtimes down in the background. The calling thread is blocked for the duration of
//! the call: in a `#[tokio::main]` body or `spawn_blocking` that stalls no worker; in a task
//! on the multi-thread runtime the other workers go on; on a `current_thread` runtime its
//! other tasks wait. In async code the async [`wats_http::Client`] remains the better fit.

mod client;
mod runtime;

pub use client::{Client, ClientBuilder, DEFAULT_MAX_BLOCKING_THREADS};
pub use runtime::RuntimeMode;
pub use wats_http::{
    Analytics, App, Assets, Processes, Production, Products, Reports, RootCause, Scim, Software,
    SpoolHandle,
};
pub use wats_http::{FlushSummary, SpoolEntry, SpoolFailed, SubmitOutcome};
