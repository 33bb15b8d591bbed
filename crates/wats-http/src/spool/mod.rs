//! Never lose a test report: `Reports::submit_or_spool`, the `SpoolHandle` from
//! `Client::spool` with its `flush`, and the background flusher.
//!
//! The bytes are kept by [`wats_spool`]: one file per report, named by the report id, written
//! to a temporary file, fsynced, renamed and the directory fsynced, so a report the caller was
//! told is [`SubmitOutcome::Spooled`] survives a crash or power loss, and a half-written
//! report is never visible. A flush replays the spool oldest first under the spool's
//! cross-process lock. Delivery is at least once; re-submitting a report id to WATS overwrites
//! the stored report, so a replay after a crash is harmless.
//!
//! What happens to a failure is the `spool` column of the [failure table](crate::failure):
//! [`Spool::Keep`](crate::failure::Spool::Keep) (transport errors, timeouts, 5xx, 408, 429,
//! an open circuit, and the set-up failures 401, 403, 404, 407, 421, 425, 1xx/3xx) spools
//! the report on submit and stops a flush with the report kept;
//! [`Spool::Reject`](crate::failure::Spool::Reject) (other 4xx: the report is bad) hands
//! the error back on submit and moves the report to `rejected/` in a flush;
//! [`Spool::HandBack`](crate::failure::Spool::HandBack) hands the error back on submit and
//! stops a flush with the report kept. A spool file that is not a JSON object with the
//! file's id moves to `quarantine/` with a warning event.
//!
//! The module never names a route: posting a report is the caller's [`Post`] (the api
//! layer's `POST /api/Report/WSJF`).
//!
//! Layout, one job per file: [`settings`] (builder settings and the shared state),
//! [`outcome`] (what a submit or a flush reports), [`errors`] (the table's verdict for
//! the spool, runtime errors), [`submit`] (submit, else spool), [`handle`] (the
//! [`SpoolOps`]), [`flush`] (one pass over the spool), [`flusher`] (the background
//! flusher).

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use wats_core::Result;

use crate::client::Client;

pub(crate) mod errors;
pub(crate) mod flush;
pub(crate) mod flusher;
pub(crate) mod handle;
pub(crate) mod outcome;
pub(crate) mod settings;
pub(crate) mod submit;

pub use flusher::FlusherHandle;
pub(crate) use handle::SpoolOps;
pub use outcome::{FlushSummary, SpooledBecause, SubmitOutcome};
pub use settings::{DEFAULT_SPOOL_LOCK_TIMEOUT, default_spool_dir};
pub(crate) use submit::{assign_id, prepare, submit_or_spool};
pub use wats_core::SpoolFailed;
pub use wats_spool::{Area, DeadLetter, DeadLetterCause, Limits, SpoolError, SpoolOptions};

/// The future of a [`Post`]: the id the server gives back for the report.
pub(crate) type PostFuture<'a> = Pin<Box<dyn Future<Output = Result<String>> + Send + 'a>>;

/// How the spool sends one report: POST the WSJF bytes with `client`, answer the id the
/// server gives back. The api layer supplies it (its `submit_raw`), so the route is declared
/// there only and this module does not import the api layer.
pub(crate) type Post = for<'a> fn(&'a Client, Bytes) -> PostFuture<'a>;
