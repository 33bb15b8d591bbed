//! `wats watch DIR`: the station uploader.
//!
//! # Protocol (why a restart never submits a file twice)
//!
//! 1. **Settle.** A `*.json` file in `DIR` (not starting with `.`) is read only when its
//!    size and modification time are unchanged across two checks at least `--settle-ms`
//!    apart. Writers that can should write `NAME.json.part` (or `.NAME.json`) and rename it
//!    to `NAME.json` when complete: such files are never looked at. A stable file that does
//!    not parse is checked once more: if it changed meanwhile it is still being written and
//!    waits; otherwise it goes to `rejected/` with the parse error.
//! 2. **Take.** The file is renamed into `DIR/.wats-watch/` (atomic). From here on it is
//!    never read from the inbox again.
//! 3. **Fix the id.** The report's own `id`, or a fresh UUID, is written durably to
//!    `.wats-watch/NAME.id` *before* the first submission. Every later attempt (after a
//!    restart too) submits under that same id, so the server can only ever store it once.
//! 4. **Submit** with `submit_or_spool`: stored → `done/NAME`; refused (4xx) →
//!    `rejected/NAME` with `NAME.reason.txt`; server away (transport error, timeout, 5xx,
//!    open circuit) → the report is in the spool and the file stays taken until a flush
//!    (every `--interval-ms`) delivers it (→ `done/`) or the server rejects it
//!    (→ `rejected/`).
//! 5. **Recover.** At start, and for any taken file whose outcome this process does not
//!    know, the id decides: waiting in the spool → wait for the flush; in the spool's
//!    `rejected/` → `rejected/`; otherwise the server is asked (`GET /api/Report/Wsjf/{id}`):
//!    stored → `done/` without submitting again; not found → submit. A crash between the
//!    server storing a report and the file's move therefore costs one GET, not a second
//!    POST. (The one remaining window: a process killed while its POST is still being
//!    handled, and restarted before the server finishes it; the resubmission then carries
//!    the same id, so the server overwrites rather than duplicates.)
//!
//! One watcher per folder (a lock file in `.wats-watch/`). Ctrl-C or SIGTERM stops it after
//! the file in hand.

mod journal;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use notify::Watcher;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::Ctx;
use crate::cli::WatchArgs;
use crate::cmd::submit::{FileOutcome, load, submit_one};
use crate::exit::{self, Failure};
use crate::output;
use journal::{Journal, Seen};

/// A file's last observed state and since when it has not changed.
#[derive(Debug)]
struct Observation {
    len: u64,
    modified: Option<SystemTime>,
    since: Instant,
}

/// One line of `--json` output per finished file.
#[derive(Debug, Serialize)]
struct Event<'a> {
    file: &'a str,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    moved_to: Option<PathBuf>,
}

struct Watch<'a> {
    ctx: &'a Ctx,
    journal: Journal,
    client: wats_http::Client,
    settle: Duration,
    observed: HashMap<String, Observation>,
    /// Taken files whose report waits in the spool: id -> name.
    waiting: HashMap<String, String>,
    /// Becomes `true` on Ctrl-C or SIGTERM.
    stop: tokio::sync::watch::Receiver<bool>,
    /// The server refused a request for a set-up reason this round: try no more files
    /// until the next round (one refused request per interval, not one per file).
    refused: bool,
}

impl Watch<'_> {
    fn stopping(&self) -> bool {
        *self.stop.borrow() || self.refused
    }

    fn emit(&self, event: &Event<'_>) {
        let result = if self.ctx.json {
            output::json_line(event)
        } else {
            let mut text = format!("{} {}", event.outcome, event.file);
            if let Some(id) = event.id {
                text.push_str(&format!(" ({id})"));
            }
            if let Some(reason) = event.reason {
                text.push_str(&format!(": {reason}"));
            }
            output::line(&text)
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot write output");
        }
    }

    fn finish_done(&mut self, name: &str, id: &str) -> Result<(), Failure> {
        let to = self.journal.done(name)?;
        tracing::info!(
            file = name,
            report_id = id,
            "report delivered; moved to done/"
        );
        self.emit(&Event {
            file: name,
            outcome: "done",
            id: Some(id),
            reason: None,
            moved_to: Some(to),
        });
        Ok(())
    }

    fn finish_rejected(
        &mut self,
        name: &str,
        id: Option<&str>,
        reason: &str,
        from_inbox: bool,
    ) -> Result<(), Failure> {
        let to = self.journal.reject(name, reason, from_inbox)?;
        tracing::warn!(file = name, reason, "report rejected; moved to rejected/");
        self.emit(&Event {
            file: name,
            outcome: "rejected",
            id,
            reason: Some(reason),
            moved_to: Some(to),
        });
        Ok(())
    }

    /// Settle the taken file `name`; `fresh` when this process took it just now (its
    /// outcome is known to be "never submitted").
    async fn settle_taken(&mut self, name: &str, fresh: bool) -> Result<(), Failure> {
        let report = match load(&self.journal.taken_path(name)) {
            Ok(r) => r,
            Err(reason) => return self.finish_rejected(name, None, &reason, false),
        };
        let id = match self.journal.id_of(name) {
            Some(id) => id,
            None => {
                let id = report
                    .id
                    .as_str()
                    .filter(|id| wats_spool::is_valid_id(id))
                    .map_or_else(
                        || uuid::Uuid::new_v4().hyphenated().to_string(),
                        str::to_owned,
                    );
                self.journal.set_id(name, &id)?;
                id
            }
        };
        // For a file of unknown outcome, hold the spool's flush lock while deciding: taking
        // it puts back reports a killed flusher had claimed (so they are seen as waiting),
        // and no other flusher can deliver this report between the check and a resubmission.
        let mut _flush_lock = None;
        if !fresh {
            let spool = self.client.spool().open().await?;
            match spool.try_lock()? {
                Some(lock) => _flush_lock = Some(lock),
                None => return Ok(()), // another process is flushing: decide next round
            }
            if !self.recover(name, &id).await? {
                return Ok(());
            }
        }
        let mut report = report;
        report.id.set(id.clone());
        match submit_one(&self.client, &report).await {
            FileOutcome::Submitted { .. } => self.finish_done(name, &id)?,
            FileOutcome::Spooled { .. } => {
                tracing::warn!(file = name, report_id = %id, "WATS is away; report spooled");
                self.emit(&Event {
                    file: name,
                    outcome: "spooled",
                    id: Some(&id),
                    reason: None,
                    moved_to: None,
                });
                self.waiting.insert(id, name.to_owned());
            }
            FileOutcome::Rejected {
                reason,
                setup: true,
            } => {
                tracing::error!(file = name, report_id = %id, reason, "WATS refused the request (check the server URL and token); will retry");
                self.refused = true;
            }
            FileOutcome::Rejected { reason, .. } => {
                self.finish_rejected(name, Some(&id), &reason, false)?;
            }
            FileOutcome::Failed { reason } => {
                tracing::error!(file = name, report_id = %id, reason, "submission failed; will retry");
            }
        }
        Ok(())
    }

    /// For a taken file of unknown outcome: `true` when it must be submitted (again).
    async fn recover(&mut self, name: &str, id: &str) -> Result<bool, Failure> {
        let spool = self.client.spool().open().await?;
        if spool.list()?.iter().any(|e| e.id() == id) {
            self.waiting.insert(id.to_owned(), name.to_owned());
            return Ok(false);
        }
        if spool.rejected()?.iter().any(|e| e.id() == id) {
            let reason = spool
                .rejection_message(id)
                .unwrap_or_else(|_| "rejected by the server".to_owned());
            self.finish_rejected(name, Some(id), &reason, false)?;
            return Ok(false);
        }
        match self.client.reports().get_opt(id).await {
            Ok(Some(_)) => {
                tracing::info!(file = name, report_id = id, "already stored by the server");
                self.finish_done(name, id)?;
                Ok(false)
            }
            Ok(None) => Ok(true),
            Err(e) => {
                tracing::warn!(file = name, report_id = id, error = %e, "cannot check the server; will retry");
                Ok(false)
            }
        }
    }

    /// Whether `seen` has been unchanged for the settle time (recording it otherwise).
    fn is_stable(&mut self, seen: &Seen, now: Instant) -> bool {
        match self.observed.get_mut(&seen.name) {
            Some(o) if o.len == seen.len && o.modified == seen.modified => {
                now.duration_since(o.since) >= self.settle
            }
            _ => {
                self.observed.insert(
                    seen.name.clone(),
                    Observation {
                        len: seen.len,
                        modified: seen.modified,
                        since: now,
                    },
                );
                false
            }
        }
    }

    /// Scan the inbox and take every settled file.
    async fn scan(&mut self) -> Result<(), Failure> {
        let now = Instant::now();
        let seen = self.journal.scan_inbox()?;
        let names: HashSet<&str> = seen.iter().map(|s| s.name.as_str()).collect();
        self.observed
            .retain(|name, _| names.contains(name.as_str()));
        for file in seen {
            if self.stopping() {
                break;
            }
            if !self.is_stable(&file, now) || self.journal.is_taken(&file.name) {
                continue;
            }
            if let Err(reason) = load(&self.journal.inbox_path(&file.name)) {
                // Changed since it was judged stable? Then it is still being written.
                if self.journal.stat_inbox(&file.name).as_ref() != Some(&file) {
                    self.observed.remove(&file.name);
                    continue;
                }
                self.observed.remove(&file.name);
                self.finish_rejected(&file.name, None, &reason, true)?;
                continue;
            }
            self.observed.remove(&file.name);
            self.journal.take(&file.name)?;
            tracing::info!(file = %file.name, "file taken");
            self.settle_taken(&file.name, true).await?;
        }
        Ok(())
    }

    /// Flush the spool and settle the files whose reports it delivered or rejected.
    async fn flush(&mut self) -> Result<(), Failure> {
        if self.client.spool().is_empty().await? {
            self.waiting.clear();
            return Ok(());
        }
        let Some(summary) = self.client.spool().try_flush().await? else {
            return Ok(()); // another process is flushing
        };
        for id in &summary.delivered {
            if let Some(name) = self.waiting.remove(id) {
                self.finish_done(&name, id)?;
            }
        }
        if !summary.rejected.is_empty() {
            let spool = self.client.spool().open().await?;
            for id in &summary.rejected {
                if let Some(name) = self.waiting.remove(id) {
                    let reason = spool
                        .rejection_message(id)
                        .unwrap_or_else(|_| "rejected by the server".to_owned());
                    self.finish_rejected(&name, Some(id), &reason, false)?;
                }
            }
        }
        if let Some(e) = &summary.stopped_by {
            tracing::debug!(error = %e, remaining = ?summary.remaining, "spool flush stopped");
        }
        // Reports taken out of the spool by someone else: decide again from their id.
        let spool = self.client.spool().open().await?;
        let queued: HashSet<String> = spool.list()?.iter().map(|e| e.id().to_owned()).collect();
        self.waiting.retain(|id, _| queued.contains(id));
        Ok(())
    }

    /// Settle every taken file whose outcome is unknown (from an earlier run, or a failed
    /// attempt).
    async fn recover_taken(&mut self) -> Result<(), Failure> {
        let known: HashSet<String> = self.waiting.values().cloned().collect();
        for name in self.journal.taken()? {
            if self.stopping() {
                break;
            }
            if !known.contains(&name) {
                self.settle_taken(&name, false).await?;
            }
        }
        Ok(())
    }

    /// One round: recover, scan, flush.
    async fn round(&mut self) {
        self.refused = false;
        if let Err(e) = self.recover_taken().await {
            tracing::error!(error = %e, "recovering taken files failed; will retry");
        }
        if let Err(e) = self.scan().await {
            tracing::error!(error = %e, "scanning the folder failed; will retry");
        }
        if !self.stopping() {
            if let Err(e) = self.flush().await {
                tracing::error!(error = %e, "flushing the spool failed; will retry");
            }
        }
    }
}

/// Start OS notifications for `dir` (wake-ups only: the scan finds the files). `None` with a
/// warning when notifications are not available.
fn notifier(dir: &Path, wake: mpsc::UnboundedSender<()>) -> Option<notify::RecommendedWatcher> {
    let handler = move |_event: notify::Result<notify::Event>| {
        let _ = wake.send(());
    };
    match notify::recommended_watcher(handler) {
        Ok(mut watcher) => match watcher.watch(dir, notify::RecursiveMode::NonRecursive) {
            Ok(()) => Some(watcher),
            Err(e) => {
                tracing::warn!(error = %e, "file notifications unavailable; polling");
                None
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "file notifications unavailable; polling");
            None
        }
    }
}

/// Run `wats watch`.
pub(crate) async fn run(ctx: &Ctx, args: &WatchArgs) -> Result<u8, Failure> {
    let stop_signal = crate::signal::shutdown();
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        stop_signal.await;
        let _ = stop_tx.send(true);
    });
    let dir = std::fs::canonicalize(&args.dir)
        .map_err(|e| Failure::usage(format!("{}: {e}", args.dir.display())))?;
    let interval = Duration::from_millis(args.interval_ms.max(10));
    let client = ctx.client_with(|b| b.circuit_breaker_open_duration(interval))?;
    let journal = Journal::open(&dir)?;
    let (wake_tx, mut wake_rx) = mpsc::unbounded_channel();
    let _notifier = if args.poll {
        None
    } else {
        notifier(&dir, wake_tx)
    };
    let mut watch = Watch {
        ctx,
        journal,
        client,
        settle: Duration::from_millis(args.settle_ms),
        observed: HashMap::new(),
        waiting: HashMap::new(),
        stop: stop_rx.clone(),
        refused: false,
    };
    tracing::info!(
        dir = %dir.display(),
        server = watch.client.base_url(),
        notifications = _notifier.is_some(),
        spool = %watch.client.spool().dir().map(|d| d.display().to_string()).unwrap_or_default(),
        "watching"
    );
    while !*stop_rx.borrow() {
        watch.round().await;
        if *stop_rx.borrow() {
            break;
        }
        tokio::select! {
            _ = stop_rx.changed() => {}
            _ = wake_rx.recv() => {
                // Coalesce a burst of notifications into one scan.
                while wake_rx.try_recv().is_ok() {}
            }
            () = tokio::time::sleep(interval) => {}
        }
    }
    tracing::info!(
        waiting = watch.waiting.len(),
        "stopped; taken files are picked up by the next run"
    );
    Ok(exit::OK)
}
