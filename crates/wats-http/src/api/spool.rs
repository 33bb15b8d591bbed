//! The report spool of a client: `client.spool()`, written once for both clients.

use std::path::PathBuf;
use std::time::Duration;

use wats_core::{Report, Result};
use wats_spool::{Spool, SpoolEntry};

use crate::api::reports::{Reports, post_wsjf};
use crate::client::Client;
use crate::endpoint::Caller;
use crate::spool::{FlushSummary, FlusherHandle, SpoolOps};

/// The report spool of a client, from `client.spool()`: what
/// `reports().submit_or_spool` writes and [`flush`](Self::flush) replays.
///
/// Generic over the client like the domain handles: with the async
/// [`Client`](crate::Client) each method returns a [`Pending`](crate::Pending) future, with the
/// blocking client of `wats-sync` the `Result` itself.
pub struct SpoolHandle<'c, C = Client> {
    caller: &'c C,
}

impl<C> Clone for SpoolHandle<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for SpoolHandle<'_, C> {}

impl<C> std::fmt::Debug for SpoolHandle<'_, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpoolHandle")
    }
}

/// Run one spool operation on the caller's runtime.
macro_rules! op {
    ($self:ident, |$ops:ident| $body:expr) => {
        $self.caller.run(move |client: Client| async move {
            let $ops = SpoolOps::new(&client, post_wsjf);
            $body.await
        })
    };
}

impl<'c, C: Caller> SpoolHandle<'c, C> {
    /// The spool handle over `caller`; the clients' `spool()` calls this.
    #[doc(hidden)]
    pub fn new(caller: &'c C) -> Self {
        SpoolHandle { caller }
    }

    /// The spool directory (see
    /// [`ClientBuilder::spool_dir`](crate::ClientBuilder::spool_dir) and
    /// [`default_spool_dir`](crate::default_spool_dir)).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](wats_core::Error::InvalidConfig) when no directory is
    /// configured and the platform has no data directory.
    pub fn dir(&self) -> Result<PathBuf> {
        SpoolOps::new(self.caller.http(), post_wsjf).dir()
    }

    /// Open the spool (creating its directories on first use).
    ///
    /// # Errors
    /// As [`dir`](Self::dir); an I/O error when the directories cannot be created.
    pub fn open(&self) -> C::Ret<'c, Spool> {
        op!(self, |ops| ops.open())
    }

    /// How many reports are waiting.
    ///
    /// # Errors
    /// When the spool cannot be read; as [`dir`](Self::dir).
    pub fn len(&self) -> C::Ret<'c, usize> {
        op!(self, |ops| ops.len())
    }

    /// Whether no report is waiting.
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub fn is_empty(&self) -> C::Ret<'c, bool> {
        op!(self, |ops| ops.is_empty())
    }

    /// The reports waiting, oldest first (the order a flush sends them in).
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub fn list(&self) -> C::Ret<'c, Vec<SpoolEntry>> {
        op!(self, |ops| ops.list())
    }

    /// Reports the server rejected, oldest first; read the server's message with
    /// [`wats_spool::Spool::rejection_message`] on [`open`](Self::open).
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub fn rejected(&self) -> C::Ret<'c, Vec<SpoolEntry>> {
        op!(self, |ops| ops.rejected())
    }

    /// Files moved to quarantine because they could not be parsed, oldest first.
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub fn quarantined(&self) -> C::Ret<'c, Vec<SpoolEntry>> {
        op!(self, |ops| ops.quarantined())
    }

    /// Replay the spool, oldest first, waiting for another flusher (in this or another
    /// process) to finish first, for at most
    /// [`ClientBuilder::spool_lock_timeout`](crate::ClientBuilder::spool_lock_timeout).
    ///
    /// Each report is sent once with `POST /api/Report/WSJF`, in the order of
    /// [`list`](Self::list), and handled by the [failure table](crate::failure):
    ///
    /// - a 2xx is delivery: the report is removed, even when the answer holds no readable id
    ///   (the raw answer, cut short, is logged as a warning); it is never posted again;
    /// - an answer about the report (400, 409, 413, 422, ...) records a failed attempt in the
    ///   report's file name and the flush goes on with the rest; once the
    ///   [dead-letter policy](crate::ClientBuilder::spool_dead_letter) gives up (10 attempts
    ///   or 7 days by default) the report moves to `rejected/` with the server's answer
    ///   beside it ([`FlushSummary::refused`], [`FlushSummary::rejected`]);
    /// - an unparsable file moves to `quarantine/` and the flush goes on;
    /// - a transport failure, timeout, 5xx, open circuit or set-up failure (401, 403, 404,
    ///   407, ...) stops the flush and keeps that report and the rest, in order, without
    ///   counting an attempt; it is in [`FlushSummary::stopped_by`], and
    ///   [`FlushSummary::held_because`] says what to fix.
    ///
    /// # Errors
    /// When the spool cannot be opened or locked. When another flusher holds the lock for
    /// the whole timeout: an [`Error::Io`](wats_core::Error::Io) of kind `TimedOut` whose
    /// source is [`SpoolError::LockTimeout`](crate::SpoolError::LockTimeout) (get it with
    /// [`SpoolError::find`](crate::SpoolError::find)). Failures during the flush are in the
    /// summary.
    pub fn flush(&self) -> C::Ret<'c, FlushSummary> {
        op!(self, |ops| ops.flush())
    }

    /// Like [`flush`](Self::flush), but `Ok(None)` at once when another flusher holds the
    /// spool's lock.
    ///
    /// # Errors
    /// As [`flush`](Self::flush).
    pub fn try_flush(&self) -> C::Ret<'c, Option<FlushSummary>> {
        op!(self, |ops| ops.try_flush())
    }
}

impl SpoolHandle<'_, Client> {
    /// Run a flush every `period` on the current tokio runtime (the first one at once), until
    /// [`FlusherHandle::stop`] or the handle is dropped. A flush already running when another
    /// flusher holds the lock is skipped. Progress is logged through `tracing`
    /// (`wats.spool.flusher` span). Async client only: it needs the caller's runtime.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](wats_core::Error::InvalidConfig) outside a tokio runtime or
    /// for a zero `period`.
    pub fn spawn_flusher(&self, period: Duration) -> Result<FlusherHandle> {
        SpoolOps::new(self.caller, post_wsjf).spawn_flusher(period)
    }
}

/// Report ids, beside the spool: one id per report, given before its first attempt.
impl<C: Caller> Reports<'_, C> {
    /// Give `report` an id if it has none (absent, `null` or empty text): a fresh random
    /// UUID ([`wats_spool::new_id`]). An id already set is kept, so calling this again, or
    /// on a report built by a builder (which sets one), changes nothing. Returns the id.
    ///
    /// [`submit_or_spool`](Self::submit_or_spool) gives a report without an id one itself,
    /// writes it into what it sends and spools, and returns it in the [`SubmitOutcome`]
    /// (`outcome.id()`). But it cannot write it back into the caller's `&Report`: a caller who
    /// may submit the same report again after an error (a rejected answer, a failed spool)
    /// calls this first, so every attempt carries the same id and WATS stores the report
    /// once.
    ///
    /// [`SubmitOutcome`]: crate::SubmitOutcome
    ///
    /// ```
    /// # let client = wats_http::Client::builder().base_url("http://127.0.0.1:9").token("dA==").build()?;
    /// let mut report = wats_core::Report::default();
    /// let id = client.reports().assign_id(&mut report).to_owned();
    /// assert_eq!(client.reports().assign_id(&mut report), id);
    /// assert_eq!(report.id.as_str(), Some(id.as_str()));
    /// # Ok::<(), wats_core::Error>(())
    /// ```
    pub fn assign_id<'r>(&self, report: &'r mut Report) -> &'r str {
        crate::spool::assign_id(report)
    }
}
