//! [`SpoolOps`]: the async operations on a client's report spool, which the public
//! [`SpoolHandle`](crate::SpoolHandle) of the api layer runs on either client.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use wats_core::{Error, Result};
use wats_spool::{Spool, SpoolEntry, SpoolError};

use crate::client::Client;
use crate::spool::errors::blocking;
use crate::spool::flush::run_flush;
use crate::spool::flusher::{self, FlusherHandle};
use crate::spool::{FlushSummary, Post};

/// How long [`SpoolOps::flush`] waits between attempts to take a lock held by another
/// flusher.
const LOCK_POLL: Duration = Duration::from_millis(25);

/// The async operations on a client's report spool, with the poster that sends a report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpoolOps<'a> {
    client: &'a Client,
    post: Post,
}

impl<'a> SpoolOps<'a> {
    /// The spool of `client`, sending reports with `post`.
    pub(crate) fn new(client: &'a Client, post: Post) -> Self {
        SpoolOps { client, post }
    }

    /// The spool directory (see
    /// [`ClientBuilder::spool_dir`](crate::ClientBuilder::spool_dir) and [`default_spool_dir`](crate::default_spool_dir)).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when no directory is configured and the platform has no
    /// data directory.
    pub(crate) fn dir(&self) -> Result<PathBuf> {
        self.client.shared().spool.dir().cloned().ok_or_else(|| {
            Error::InvalidConfig(
                "no spool directory: the platform has no data directory; set one with \
                 `spool_dir(..)`"
                    .to_owned(),
            )
        })
    }

    /// Open the spool (creating its directories on first use).
    ///
    /// # Errors
    /// As [`dir`](Self::dir); [`Error::Io`] when the directories cannot be created.
    pub(crate) async fn open(&self) -> Result<Spool> {
        let state = &self.client.shared().spool;
        if let Some(spool) = state.opened().get() {
            return Ok(spool.clone());
        }
        let dir = self.dir()?;
        let options = state.options().clone();
        let spool = blocking(move || Ok(Spool::open_with(dir, options)?)).await?;
        let _ = state.opened().set(spool.clone());
        Ok(spool)
    }

    /// How many reports are waiting.
    ///
    /// # Errors
    /// [`Error::Io`] when the spool cannot be read; as [`dir`](Self::dir).
    pub(crate) async fn len(&self) -> Result<usize> {
        let spool = self.open().await?;
        blocking(move || spool.len()).await
    }

    /// Whether no report is waiting.
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub(crate) async fn is_empty(&self) -> Result<bool> {
        Ok(self.len().await? == 0)
    }

    /// The reports waiting, oldest first (the order a flush sends them in).
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub(crate) async fn list(&self) -> Result<Vec<SpoolEntry>> {
        let spool = self.open().await?;
        blocking(move || spool.list()).await
    }

    /// Reports the server rejected, oldest first; read the server's message with
    /// [`wats_spool::Spool::rejection_message`] on [`open`](Self::open).
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub(crate) async fn rejected(&self) -> Result<Vec<SpoolEntry>> {
        let spool = self.open().await?;
        blocking(move || spool.rejected()).await
    }

    /// Files moved to quarantine because they could not be parsed, oldest first.
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub(crate) async fn quarantined(&self) -> Result<Vec<SpoolEntry>> {
        let spool = self.open().await?;
        blocking(move || spool.quarantined()).await
    }

    /// Replay the spool, oldest first, waiting for another flusher (in this or another
    /// process) to finish first, for at most the client's
    /// [`spool_lock_timeout`](crate::ClientBuilder::spool_lock_timeout); the lock is tried
    /// every 25 ms. See [`run_flush`] for what happens to each report.
    ///
    /// # Errors
    /// When the spool cannot be opened or locked; when another flusher held the lock for the
    /// whole timeout, [`Error::Io`] of kind `TimedOut` carrying
    /// [`SpoolError::LockTimeout`] ([`SpoolError::find`]). Failures during the flush are in
    /// the summary.
    pub(crate) async fn flush(&self) -> Result<FlushSummary> {
        let timeout = self.client.shared().spool.lock_timeout();
        let start = tokio::time::Instant::now();
        let mut attempts = 0u32;
        loop {
            attempts = attempts.saturating_add(1);
            if let Some(summary) = self.try_flush().await? {
                return Ok(summary);
            }
            let waited = start.elapsed();
            if waited >= timeout {
                tracing::warn!(
                    waited_ms = waited.as_millis(),
                    attempts,
                    "spool flush: another flusher held the lock for the whole timeout"
                );
                return Err(SpoolError::LockTimeout { waited, attempts }.into());
            }
            tokio::time::sleep(LOCK_POLL.min(timeout - waited)).await;
        }
    }

    /// Like [`flush`](Self::flush), but `Ok(None)` at once when another flusher holds the
    /// spool's lock.
    ///
    /// # Errors
    /// As [`flush`](Self::flush).
    pub(crate) async fn try_flush(&self) -> Result<Option<FlushSummary>> {
        self.try_flush_until(&|| false).await
    }

    pub(crate) async fn try_flush_until(
        &self,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<Option<FlushSummary>> {
        let spool = self.open().await?;
        let Some(lock) = blocking(move || spool.try_lock()).await? else {
            return Ok(None);
        };
        let policy = self.client.shared().spool.dead_letter();
        Ok(Some(
            run_flush(self.client, self.post, Arc::new(lock), policy, stop).await,
        ))
    }

    /// Run a flush every `period` on the current tokio runtime (the first one at once), until
    /// [`FlusherHandle::stop`] or the handle is dropped. A flush already running when another
    /// flusher holds the lock is skipped. Progress is logged through `tracing`
    /// (`wats.spool.flusher` span).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] outside a tokio runtime or for a zero `period`.
    pub(crate) fn spawn_flusher(&self, period: Duration) -> Result<FlusherHandle> {
        if period.is_zero() {
            return Err(Error::InvalidConfig(
                "the flusher period must be non-zero".to_owned(),
            ));
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::InvalidConfig("spawn_flusher must be called inside a tokio runtime".to_owned())
        })?;
        Ok(flusher::spawn(
            &runtime,
            self.client.clone(),
            self.post,
            period,
        ))
    }
}
