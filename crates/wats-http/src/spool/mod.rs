//! Never lose a test report: `Reports::submit_or_spool`, the `SpoolHandle` from
//! `Client::spool` with its `flush`, and the background flusher.
//!
//! The bytes are kept by [`wats_spool`]: one file per report, named
//! `<seq>-<id>[~<attempts>-<first>].json` (the sequence number gives the replay order, the
//! suffix the failed attempts recorded), written to a temporary file, fsynced, linked under
//! its name and the directory fsynced, so a report the caller was told is spooled survives a
//! crash or power loss (see the `wats_spool` docs for Windows), and a half-written report is
//! never visible. A flush replays the spool oldest first under the spool's cross-process lock,
//! waited on for at most [`ClientBuilder::spool_lock_timeout`](crate::ClientBuilder::spool_lock_timeout).
//! Delivery is at least once; re-submitting a report id to WATS overwrites the stored report,
//! so a replay after a crash is harmless. Every report has one id before its first attempt
//! ([`prepare`], `Reports::assign_id`).
//!
//! What happens to an answer is the `spool` column of the [failure table](crate::failure):
//! - [`Spool::Delivered`](crate::failure::Spool::Delivered) (any 2xx, even one whose answer
//!   holds no readable id: the raw answer is logged): [`SubmitOutcome::Submitted`]; a flush
//!   removes the report and never posts it again.
//! - [`Spool::Keep`](crate::failure::Spool::Keep) (transport errors, timeouts, 5xx, 408, 429,
//!   an open circuit, and the set-up failures 401, 403, 404, 407, 421, 425, 1xx/3xx): spooled
//!   on submit ([`SubmitOutcome::Spooled`], or [`SubmitOutcome::Held`] with a
//!   [`SpooledBecause`] for a set-up failure); a flush keeps it, records no attempt, and stops.
//! - [`Spool::Reject`](crate::failure::Spool::Reject) (other 4xx: an answer about the
//!   report): the error is handed back on submit; a flush records a failed attempt, keeps the
//!   report and goes on, and once the [`DeadLetter`] policy gives up moves it to `rejected/`
//!   with the server's answer.
//! - [`Spool::HandBack`](crate::failure::Spool::HandBack): the error is handed back on
//!   submit; a flush keeps the report and stops.
//!
//! A spool file that is not a JSON object with the file's id moves to `quarantine/` with a
//! warning event. A spool folder past its limit ([`SpoolOptions`]) refuses the report with
//! [`SpoolError::Full`] (inside the [`SpoolFailed`] that `submit_or_spool` returns, naming the
//! report): nothing is dropped silently.
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
