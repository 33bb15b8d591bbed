//! Never lose a test report: [`Reports::submit_or_spool`], the [`SpoolHandle`] from
//! [`Client::spool`] with its [`flush`](SpoolHandle::flush), and the background flusher.
//!
//! The bytes are kept by [`wats_spool`]: one file per report, named by the report id, written
//! to a temporary file, fsynced, renamed and the directory fsynced, so a report the caller was
//! told is [`SubmitOutcome::Spooled`] survives a crash or power loss, and a half-written
//! report is never visible. A flush replays the spool oldest first under the spool's
//! cross-process lock. Delivery is at least once; re-submitting a report id to WATS overwrites
//! the stored report, so a replay after a crash is harmless.
//!
//! What happens to a failure:
//!
//! | Failure | `submit_or_spool` | `flush` |
//! |---|---|---|
//! | connect error, other transport error, timeout | spooled | report kept, flush stops |
//! | HTTP 5xx, 408, 429 | spooled | report kept, flush stops |
//! | [`Error::CircuitOpen`] | spooled | report kept, flush stops |
//! | HTTP 401, 403, 404, 407, 421, 425 (the client or server set-up, not the report) | returned | report kept, flush stops |
//! | other HTTP 4xx (the report is bad) | returned | moved to `rejected/` with the server's message |
//! | spool file that is not a JSON object with the file's id | — | moved to `quarantine/`, warning event |

use std::fmt;
use std::future::{Future, poll_fn};
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;
use wats_core::{Error, Report, Result};
use wats_spool::{Claimed, FlushLock, Spool, SpoolEntry};

use crate::client::Client;

/// How long [`SpoolHandle::flush`] waits between attempts to take a lock held by another
/// flusher.
const LOCK_POLL: Duration = Duration::from_millis(25);

// ---- settings ---------------------------------------------------------------------------

/// Spool settings of a [`crate::ClientBuilder`].
#[derive(Debug, Clone, Default)]
pub(crate) struct SpoolSettings {
    pub(crate) dir: Option<PathBuf>,
    pub(crate) by_default: bool,
}

/// Spool state shared by a client and its clones: the resolved directory and the opened spool.
pub(crate) struct SpoolState {
    dir: Option<PathBuf>,
    by_default: bool,
    opened: OnceLock<Spool>,
}

impl fmt::Debug for SpoolState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpoolState")
            .field("dir", &self.dir)
            .field("by_default", &self.by_default)
            .finish_non_exhaustive()
    }
}

impl SpoolState {
    /// Resolve the directory: the configured one, else the default for `base_url`.
    pub(crate) fn new(settings: SpoolSettings, base_url: &str) -> SpoolState {
        SpoolState {
            dir: settings.dir.or_else(|| default_spool_dir(base_url)),
            by_default: settings.by_default,
            opened: OnceLock::new(),
        }
    }
}

/// The default spool directory for a server: `<data dir>/wats/spool/<server>`, where the data
/// directory comes from the `directories` crate (`$XDG_DATA_HOME` or `~/.local/share` on Linux,
/// `~/Library/Application Support` on macOS, `%APPDATA%` on Windows) and `<server>` is the base
/// URL's host and port with every character outside `A-Z a-z 0-9 - .` replaced by `_`, so
/// reports meant for one server are never replayed to another. `None` when the platform has no
/// home directory.
pub fn default_spool_dir(base_url: &str) -> Option<PathBuf> {
    let dirs = directories::BaseDirs::new()?;
    Some(
        dirs.data_dir()
            .join("wats")
            .join("spool")
            .join(server_folder(base_url)),
    )
}

fn server_folder(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let name: String = rest
        .trim_end_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with('.') {
        format!("server_{name}")
    } else {
        name
    }
}

// ---- outcomes and errors ----------------------------------------------------------------

/// What [`Reports::submit_or_spool`] did with a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubmitOutcome {
    /// The server stored the report under this id.
    Submitted(String),
    /// The server could not be reached (or failed); the report is durably in the spool under
    /// this id and will be delivered by a flush.
    Spooled(String),
}

impl SubmitOutcome {
    /// The report id.
    pub fn id(&self) -> &str {
        match self {
            SubmitOutcome::Submitted(id) | SubmitOutcome::Spooled(id) => id,
        }
    }

    /// The report id, owned.
    pub fn into_id(self) -> String {
        match self {
            SubmitOutcome::Submitted(id) | SubmitOutcome::Spooled(id) => id,
        }
    }

    /// Whether the report went to the spool.
    pub fn is_spooled(&self) -> bool {
        matches!(self, SubmitOutcome::Spooled(_))
    }
}

/// Both causes when a report could neither be submitted nor spooled (for example the server is
/// down and the disk is full).
///
/// It reaches the caller as [`Error::Io`] on the spool directory, whose source `io::Error` wraps
/// this value (with the spool failure's `io::ErrorKind`, such as `StorageFull`); get it back with
/// [`SpoolFailed::find`].
#[derive(Debug, thiserror::Error)]
#[error("report {id} could not be submitted ({submit}) and could not be spooled either ({spool})")]
#[non_exhaustive]
pub struct SpoolFailed {
    /// The report id.
    pub id: String,
    /// Why the submission failed.
    pub submit: Error,
    /// Why writing to the spool failed.
    #[source]
    pub spool: Error,
}

impl SpoolFailed {
    /// The double failure inside an error returned by [`Reports::submit_or_spool`], if it is one.
    pub fn find(error: &Error) -> Option<&SpoolFailed> {
        match error {
            Error::Io { source, .. } => source.get_ref()?.downcast_ref::<SpoolFailed>(),
            _ => None,
        }
    }

    fn into_error(self, dir: &Path) -> Error {
        let kind = match &self.spool {
            Error::Io { source, .. } => source.kind(),
            _ => std::io::ErrorKind::Other,
        };
        Error::Io {
            path: dir.display().to_string(),
            source: std::io::Error::new(kind, self),
        }
    }
}

/// Whether a failed submission may succeed later unchanged: spool it (or keep it spooled).
fn is_transient(e: &Error) -> bool {
    match e {
        Error::Transport { .. } | Error::Timeout { .. } | Error::CircuitOpen { .. } => true,
        Error::Status { status, .. } => *status >= 500 || matches!(status, 408 | 429),
        _ => false,
    }
}

/// Whether a failed replay means the report itself is bad (a 4xx about the request), so it
/// goes to `rejected/`. Statuses about the client or server set-up stop the flush instead.
fn rejects_report(e: &Error) -> bool {
    match e {
        Error::Status { status, .. } => {
            (400..500).contains(status) && !matches!(status, 407 | 408 | 421 | 425 | 429)
        }
        _ => false,
    }
}

fn join_error(e: tokio::task::JoinError) -> Error {
    Error::Io {
        path: "<spool task>".to_owned(),
        source: std::io::Error::other(e),
    }
}

/// Run blocking file work off the async worker threads (inline when there is no runtime).
async fn blocking<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle.spawn_blocking(f).await.map_err(join_error)?,
        Err(_) => f(),
    }
}

// ---- submit_or_spool --------------------------------------------------------------------

/// The id to spool under (assigning a fresh UUID to a report without one) and the WSJF bytes,
/// with the client's station filled in where the report leaves it unset (as `submit` does).
pub(crate) fn prepare(report: &Report, station: &wats_station::Station) -> Result<(String, Bytes)> {
    let existing = report.id.as_str().filter(|id| !id.is_empty());
    let (id, body) = match existing {
        Some(id) => (
            id.to_owned(),
            crate::station::encode_report(report, station)?,
        ),
        None => {
            let id = uuid::Uuid::new_v4().hyphenated().to_string();
            let mut with_id = report.clone();
            with_id.id.set(id.clone());
            with_id.fill_station(station.name(), station.location(), station.purpose());
            (id, wats_core::json::to_vec(&with_id)?)
        }
    };
    if !wats_spool::is_valid_id(&id) {
        return Err(Error::InvalidInput {
            field: "id".to_owned(),
            message: format!("{id:?} cannot name a spool file; use a GUID"),
        });
    }
    Ok((id, Bytes::from(body)))
}

/// Submit `body` once; spool it under `id` when WATS cannot take it now.
pub(crate) async fn submit_or_spool_bytes(
    client: &Client,
    id: String,
    body: Bytes,
) -> Result<SubmitOutcome> {
    let submit = match client.reports().submit_raw(body.clone()).await {
        Ok(server_id) => return Ok(SubmitOutcome::Submitted(server_id)),
        Err(e) if is_transient(&e) => e,
        Err(e) => return Err(e),
    };
    let handle = client.spool();
    let put = async {
        let spool = handle.open().await?;
        let key = id.clone();
        blocking(move || spool.put(&key, &body)).await
    };
    match put.await {
        Ok(_) => {
            tracing::warn!(report_id = %id, error = %submit, "WATS could not take the report; spooled");
            Ok(SubmitOutcome::Spooled(id))
        }
        Err(spool) => {
            let dir = handle.dir().unwrap_or_default();
            tracing::error!(report_id = %id, submit_error = %submit, spool_error = %spool,
                "report could neither be submitted nor spooled");
            Err(SpoolFailed { id, submit, spool }.into_error(&dir))
        }
    }
}

// ---- the spool handle -------------------------------------------------------------------

/// The report spool of a client, from [`Client::spool`].
#[derive(Debug, Clone, Copy)]
pub struct SpoolHandle<'a> {
    client: &'a Client,
}

impl Client {
    /// The report spool: what [`Reports::submit_or_spool`] writes and
    /// [`SpoolHandle::flush`] replays.
    pub fn spool(&self) -> SpoolHandle<'_> {
        SpoolHandle { client: self }
    }

    /// Whether [`Reports::submit`] spools on a transient failure (set with
    /// [`ClientBuilder::spool_by_default`](crate::ClientBuilder::spool_by_default)).
    pub fn spools_by_default(&self) -> bool {
        self.shared().spool.by_default
    }
}

/// What one flush did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct FlushSummary {
    /// Ids delivered to the server (and removed from the spool), in order.
    pub delivered: Vec<String>,
    /// Ids the server rejected with a 4xx, now in `rejected/` with the server's message.
    pub rejected: Vec<String>,
    /// Ids of unparsable files, now in `quarantine/`.
    pub quarantined: Vec<String>,
    /// Reports still waiting after the flush.
    pub remaining: usize,
    /// The failure that stopped the flush early (server unreachable, 5xx, open circuit, a
    /// set-up error such as 401, or a local I/O error); `None` when every report was handled.
    pub stopped_by: Option<Error>,
}

impl FlushSummary {
    /// Whether the spool was emptied: nothing remains and nothing stopped the flush.
    pub fn is_complete(&self) -> bool {
        self.remaining == 0 && self.stopped_by.is_none()
    }
}

impl<'a> SpoolHandle<'a> {
    /// The spool directory (see
    /// [`ClientBuilder::spool_dir`](crate::ClientBuilder::spool_dir) and [`default_spool_dir`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when no directory is configured and the platform has no
    /// data directory.
    pub fn dir(&self) -> Result<PathBuf> {
        self.client.shared().spool.dir.clone().ok_or_else(|| {
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
    pub async fn open(&self) -> Result<Spool> {
        let state = &self.client.shared().spool;
        if let Some(spool) = state.opened.get() {
            return Ok(spool.clone());
        }
        let dir = self.dir()?;
        let spool = blocking(move || Spool::open(dir)).await?;
        let _ = state.opened.set(spool.clone());
        Ok(spool)
    }

    /// How many reports are waiting.
    ///
    /// # Errors
    /// [`Error::Io`] when the spool cannot be read; as [`dir`](Self::dir).
    pub async fn len(&self) -> Result<usize> {
        let spool = self.open().await?;
        blocking(move || spool.len()).await
    }

    /// Whether no report is waiting.
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub async fn is_empty(&self) -> Result<bool> {
        Ok(self.len().await? == 0)
    }

    /// The reports waiting, oldest first (the order a flush sends them in).
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub async fn list(&self) -> Result<Vec<SpoolEntry>> {
        let spool = self.open().await?;
        blocking(move || spool.list()).await
    }

    /// Reports the server rejected, oldest first; read the server's message with
    /// [`wats_spool::Spool::rejection_message`] on [`open`](Self::open).
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub async fn rejected(&self) -> Result<Vec<SpoolEntry>> {
        let spool = self.open().await?;
        blocking(move || spool.rejected()).await
    }

    /// Files moved to quarantine because they could not be parsed, oldest first.
    ///
    /// # Errors
    /// As [`len`](Self::len).
    pub async fn quarantined(&self) -> Result<Vec<SpoolEntry>> {
        let spool = self.open().await?;
        blocking(move || spool.quarantined()).await
    }

    /// Replay the spool, oldest first, waiting for another flusher (in this or another
    /// process) to finish first.
    ///
    /// Each report is sent once with `POST /api/Report/WSJF`. A delivered report is removed; a
    /// report the server rejects with a 4xx about the report moves to `rejected/` with the
    /// server's message beside it and the flush goes on; an unparsable file moves to
    /// `quarantine/` (with a warning event) and the flush goes on. The first transport failure,
    /// timeout, 5xx, open circuit or set-up error (401, 403, 404, ...) stops the flush and
    /// leaves that report and the rest in the spool, in order; it is returned in
    /// [`FlushSummary::stopped_by`].
    ///
    /// # Errors
    /// Only when the spool cannot be opened or locked; failures during the flush are in the
    /// summary.
    pub async fn flush(&self) -> Result<FlushSummary> {
        loop {
            if let Some(summary) = self.try_flush().await? {
                return Ok(summary);
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
    }

    /// Like [`flush`](Self::flush), but `Ok(None)` at once when another flusher holds the
    /// spool's lock.
    ///
    /// # Errors
    /// As [`flush`](Self::flush).
    pub async fn try_flush(&self) -> Result<Option<FlushSummary>> {
        self.try_flush_until(&|| false).await
    }

    async fn try_flush_until(
        &self,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<Option<FlushSummary>> {
        let spool = self.open().await?;
        let Some(lock) = blocking(move || spool.try_lock()).await? else {
            return Ok(None);
        };
        Ok(Some(run_flush(self.client, Arc::new(lock), stop).await))
    }

    /// Run a flush every `period` on the current tokio runtime (the first one at once), until
    /// [`FlusherHandle::stop`] or the handle is dropped. A flush already running when another
    /// flusher holds the lock is skipped. Progress is logged through `tracing`
    /// (`wats.spool.flusher` span).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] outside a tokio runtime or for a zero `period`.
    pub fn spawn_flusher(&self, period: Duration) -> Result<FlusherHandle> {
        if period.is_zero() {
            return Err(Error::InvalidConfig(
                "the flusher period must be non-zero".to_owned(),
            ));
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::InvalidConfig("spawn_flusher must be called inside a tokio runtime".to_owned())
        })?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let stats = Arc::new(FlusherStats::default());
        let span = tracing::info_span!("wats.spool.flusher", period_ms = period.as_millis());
        let task = runtime.spawn(
            flusher_loop(self.client.clone(), period, stop_rx, stats.clone()).instrument(span),
        );
        Ok(FlusherHandle {
            stop: stop_tx,
            task: Some(task),
            stats,
        })
    }
}

/// What a claimed spool file turned out to be.
enum Prepared {
    /// The file vanished between listing and claiming (nothing to do).
    Gone,
    /// Unparsable: moved to quarantine.
    Quarantined(String),
    /// Ready to send.
    Ready(Claimed, Bytes),
}

/// Why a spool file cannot be sent, if it cannot: it must be a JSON object whose `id` is the
/// file's id.
fn check_spooled(id: &str, bytes: &[u8]) -> std::result::Result<(), String> {
    let value: serde_json::Value = match wats_core::json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Err(format!("not a JSON report: {e}")),
    };
    let Some(obj) = value.as_object() else {
        return Err("not a JSON object".to_owned());
    };
    match obj.get("id").and_then(serde_json::Value::as_str) {
        Some(inner) if inner == id => Ok(()),
        Some(inner) => Err(format!("the file is named {id} but holds report {inner}")),
        None => Err("the report has no `id`".to_owned()),
    }
}

fn prepare_entry(lock: &FlushLock, entry: &SpoolEntry) -> Result<Prepared> {
    let claimed = match lock.claim(entry) {
        Ok(c) => c,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Prepared::Gone);
        }
        Err(e) => return Err(e),
    };
    let bytes = match lock.read(&claimed) {
        Ok(b) => b,
        Err(e) => {
            let _ = lock.release(claimed);
            return Err(e);
        }
    };
    match check_spooled(entry.id(), &bytes) {
        Ok(()) => Ok(Prepared::Ready(claimed, Bytes::from(bytes))),
        Err(reason) => {
            let id = claimed.id().to_owned();
            lock.quarantine(claimed, &reason)?;
            Ok(Prepared::Quarantined(id))
        }
    }
}

fn rejection_text(e: &Error) -> String {
    match e.correlation_id() {
        Some(cid) => format!("{e}\ncorrelation id: {cid}\n"),
        None => format!("{e}\n"),
    }
}

/// One pass over the spool under `lock`; `stop` is checked before each report.
async fn run_flush(
    client: &Client,
    lock: Arc<FlushLock>,
    stop: &(dyn Fn() -> bool + Sync),
) -> FlushSummary {
    let mut summary = FlushSummary::default();
    let l = lock.clone();
    let entries = match blocking(move || l.entries()).await {
        Ok(entries) => entries,
        Err(e) => {
            summary.stopped_by = Some(e);
            Vec::new()
        }
    };
    for entry in entries {
        if stop() {
            break;
        }
        let l = lock.clone();
        let (claimed, bytes) = match blocking(move || prepare_entry(&l, &entry)).await {
            Ok(Prepared::Gone) => continue,
            Ok(Prepared::Quarantined(id)) => {
                summary.quarantined.push(id);
                continue;
            }
            Ok(Prepared::Ready(claimed, bytes)) => (claimed, bytes),
            Err(e) => {
                summary.stopped_by = Some(e);
                break;
            }
        };
        let id = claimed.id().to_owned();
        let l = lock.clone();
        match client.reports().submit_raw(bytes).await {
            Ok(_) => match blocking(move || l.complete(claimed)).await {
                Ok(()) => summary.delivered.push(id),
                Err(e) => {
                    // Delivered, but still in the spool: it will be replayed (harmless).
                    summary.delivered.push(id);
                    summary.stopped_by = Some(e);
                    break;
                }
            },
            Err(e) if rejects_report(&e) => {
                tracing::warn!(report_id = %id, error = %e, "spooled report rejected by WATS");
                let text = rejection_text(&e);
                match blocking(move || l.reject(claimed, &text)).await {
                    Ok(()) => summary.rejected.push(id),
                    Err(io) => {
                        summary.stopped_by = Some(io);
                        break;
                    }
                }
            }
            Err(e) => {
                tracing::debug!(report_id = %id, error = %e, "spool flush stopped");
                if let Err(io) = blocking(move || l.release(claimed)).await {
                    tracing::warn!(report_id = %id, error = %io, "could not put a report back");
                }
                summary.stopped_by = Some(e);
                break;
            }
        }
    }
    let spool = lock.spool().clone();
    summary.remaining = blocking(move || spool.len()).await.unwrap_or(0);
    drop(lock);
    summary
}

// ---- background flusher -----------------------------------------------------------------

#[derive(Debug, Default)]
struct FlusherStats {
    flushes: AtomicU64,
    delivered: AtomicU64,
    rejected: AtomicU64,
    quarantined: AtomicU64,
}

/// A background flusher from [`SpoolHandle::spawn_flusher`]. It stops when dropped (after the
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

async fn flusher_loop(
    client: Client,
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
        match client.spool().try_flush_until(&should_stop).await {
            Ok(Some(summary)) => {
                stats.flushes.fetch_add(1, Ordering::Relaxed);
                count(&stats.delivered, summary.delivered.len());
                count(&stats.rejected, summary.rejected.len());
                count(&stats.quarantined, summary.quarantined.len());
                let handled =
                    summary.delivered.len() + summary.rejected.len() + summary.quarantined.len();
                if handled > 0 {
                    tracing::info!(
                        delivered = summary.delivered.len(),
                        rejected = summary.rejected.len(),
                        quarantined = summary.quarantined.len(),
                        remaining = summary.remaining,
                        "spool flushed"
                    );
                }
                if let Some(e) = &summary.stopped_by {
                    tracing::debug!(remaining = summary.remaining, error = %e, "spool flush paused");
                }
            }
            Ok(None) => tracing::debug!("another flusher holds the spool lock; skipped"),
            Err(e) => tracing::warn!(error = %e, "spool flush failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> Error {
        Error::from_status(code, "m".to_owned(), None)
    }

    #[test]
    fn what_is_spooled_and_what_is_rejected() {
        let transport = Error::Transport {
            message: "refused".into(),
            connect: true,
            source: None,
        };
        let timeout = Error::Timeout {
            after: Duration::from_secs(1),
            phase: "request",
        };
        let open = Error::CircuitOpen {
            retry_after: Duration::from_secs(5),
        };
        for e in [
            transport,
            timeout,
            open,
            status(500),
            status(503),
            status(408),
            status(429),
        ] {
            assert!(is_transient(&e), "{e}");
            assert!(!rejects_report(&e), "{e}");
        }
        for code in [400, 409, 413, 422] {
            assert!(!is_transient(&status(code)));
            assert!(rejects_report(&status(code)), "{code}");
        }
        // Set-up errors are neither spooled by submit_or_spool nor rejected by a flush.
        for code in [401, 403, 404, 407, 421] {
            assert!(!is_transient(&status(code)), "{code}");
            assert!(!rejects_report(&status(code)), "{code}");
        }
        let decode = Error::Decode {
            target: "x",
            path: ".".into(),
            message: "m".into(),
        };
        assert!(!is_transient(&decode) && !rejects_report(&decode));
    }

    #[test]
    fn spool_file_check() {
        assert!(check_spooled("a1", br#"{"id":"a1","type":"T"}"#).is_ok());
        for bad in [
            &br#"{"id":"a1","type":"T""#[..],
            b"",
            b"[1]",
            br#"{"id":"other"}"#,
            br#"{"type":"T"}"#,
        ] {
            assert!(check_spooled("a1", bad).is_err());
        }
    }

    #[test]
    fn server_folders() {
        assert_eq!(
            server_folder("https://wats.example.com"),
            "wats.example.com"
        );
        assert_eq!(server_folder("http://127.0.0.1:8080"), "127.0.0.1_8080");
        assert_eq!(server_folder("https://h/prefix/x"), "h_prefix_x");
        assert_eq!(server_folder(""), "server_");
    }

    #[test]
    fn prepare_assigns_an_id_and_checks_it() {
        let station = wats_station::Station::new("st-9").unwrap();
        let report = Report::default();
        let (id, body) = prepare(&report, &station).unwrap();
        assert!(uuid::Uuid::parse_str(&id).is_ok());
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["id"], id.as_str());
        assert_eq!(
            v["machineName"], "ST-9",
            "the spooled bytes carry the station"
        );
        let mut bad = Report::default();
        bad.id.set("../x".to_owned());
        assert!(matches!(
            prepare(&bad, &station),
            Err(Error::InvalidInput { .. })
        ));
    }

    #[test]
    fn double_failure_keeps_both_causes() {
        let err = SpoolFailed {
            id: "r1".into(),
            submit: status(503),
            spool: Error::Io {
                path: "/spool".into(),
                source: std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"),
            },
        }
        .into_error(Path::new("/spool"));
        let both = SpoolFailed::find(&err).unwrap();
        assert_eq!(both.submit.status(), Some(503));
        assert!(matches!(both.spool, Error::Io { .. }));
        let text = err.to_string();
        assert!(
            text.contains("HTTP 503") && text.contains("disk full"),
            "{text}"
        );
        match &err {
            Error::Io { source, .. } => {
                assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);
            }
            other => panic!("{other:?}"),
        }
        assert!(SpoolFailed::find(&status(500)).is_none());
    }
}
