//! The background flusher: a flush every period until stopped or dropped.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::client::Client;
use crate::spool::{Post, SpoolOps};

#[derive(Debug, Default)]
struct FlusherStats {
    flushes: AtomicU64,
    delivered: AtomicU64,
    rejected: AtomicU64,
    refused: AtomicU64,
    quarantined: AtomicU64,
}

/// A background flusher from [`SpoolHandle::spawn_flusher`](crate::SpoolHandle::spawn_flusher). It stops when dropped (after the
/// report it is sending, if any) or with [`stop`](Self::stop).
#[derive(Debug)]
#[must_use = "the flusher stops when its handle is dropped"]
pub struct FlusherHandle {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    stats: Arc<FlusherStats>,
}

impl FlusherHandle {
    /// Stop the flusher and wait until it has (a flush in progress ends after its current
    /// report).
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Whether the flusher task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Flushes completed so far (skipped ones, when another flusher held the lock, not counted).
    pub fn flushes(&self) -> u64 {
        self.stats.flushes.load(Ordering::Relaxed)
    }

    /// Reports delivered so far.
    pub fn delivered(&self) -> u64 {
        self.stats.delivered.load(Ordering::Relaxed)
    }

    /// Reports moved to `rejected/` so far.
    pub fn rejected(&self) -> u64 {
        self.stats.rejected.load(Ordering::Relaxed)
    }

    /// Refusals of a report that was kept for another attempt, so far (a report refused in
    /// three flushes counts three times; see [`FlushSummary::refused`](crate::FlushSummary::refused)).
    pub fn refused(&self) -> u64 {
        self.stats.refused.load(Ordering::Relaxed)
    }

    /// Files moved to `quarantine/` so far.
    pub fn quarantined(&self) -> u64 {
        self.stats.quarantined.load(Ordering::Relaxed)
    }
}

impl Drop for FlusherHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn count(counter: &AtomicU64, n: usize) {
    counter.fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
}

/// Spawn the flusher task on `runtime`.
pub(crate) fn spawn(
    runtime: &tokio::runtime::Handle,
    client: Client,
    post: Post,
    period: Duration,
) -> FlusherHandle {
    let (stop_tx, stop_rx) = watch::channel(false);
    let stats = Arc::new(FlusherStats::default());
    let span = tracing::info_span!("wats.spool.flusher", period_ms = period.as_millis());
    let task =
        runtime.spawn(flusher_loop(client, post, period, stop_rx, stats.clone()).instrument(span));
    FlusherHandle {
        stop: stop_tx,
        task: Some(task),
        stats,
    }
}

async fn flusher_loop(
    client: Client,
    post: Post,
    period: Duration,
    mut stop_rx: watch::Receiver<bool>,
    stats: Arc<FlusherStats>,
) {
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopped = {
            let mut changed = pin!(stop_rx.changed());
            poll_fn(|cx| {
                if changed.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(true);
                }
                interval.poll_tick(cx).map(|_| false)
            })
            .await
        };
        if stopped || *stop_rx.borrow() {
            break;
        }
        let should_stop = || stop_rx.has_changed().unwrap_or(true);
        match SpoolOps::new(&client, post)
            .try_flush_until(&should_stop)
            .await
        {
            Ok(Some(summary)) => {
                stats.flushes.fetch_add(1, Ordering::Relaxed);
                count(&stats.delivered, summary.delivered.len());
                count(&stats.rejected, summary.rejected.len());
                count(&stats.refused, summary.refused.len());
                count(&stats.quarantined, summary.quarantined.len());
                let handled = summary.delivered.len()
                    + summary.rejected.len()
                    + summary.refused.len()
                    + summary.quarantined.len();
                if handled > 0 {
                    tracing::info!(
                        delivered = summary.delivered.len(),
                        rejected = summary.rejected.len(),
                        refused = summary.refused.len(),
                        quarantined = summary.quarantined.len(),
                        remaining = summary.remaining,
                        "spool flushed"
                    );
                }
                if let Some(e) = &summary.stopped_by {
                    match summary.held_because().filter(|b| b.needs_action()) {
                        Some(because) => tracing::warn!(remaining = summary.remaining, error = %e,
                            %because, "spool flush held: WATS refused the client"),
                        None => tracing::debug!(remaining = summary.remaining, error = %e,
                            "spool flush paused"),
                    }
                }
            }
            Ok(None) => tracing::debug!("another flusher holds the spool lock; skipped"),
            Err(e) => tracing::warn!(error = %e, "spool flush failed"),
        }
    }
}
