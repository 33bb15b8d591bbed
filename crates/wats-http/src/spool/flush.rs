//! One flush: replay the spool under its lock, oldest first.

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use wats_core::{Error, Result};
use wats_spool::{Claimed, DeadLetter, FlushLock, SpoolEntry};

use crate::client::Client;
use crate::failure::Spool;
use crate::spool::errors::{blocking, disposition, rejection_text};
use crate::spool::{FlushSummary, Post};

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

/// What to do with a claimed report after its post failed with an answer about the report.
enum Refusal {
    /// The dead-letter policy gave up: moved to `rejected/`.
    Rejected,
    /// The attempt is recorded; put back for a later flush.
    Kept,
}

/// The report was refused with an answer about the report (`error`): record the attempt in
/// its file name, then move it to `rejected/` when `policy` says so, else put it back.
fn refuse(
    lock: &FlushLock,
    mut claimed: Claimed,
    error: &str,
    policy: DeadLetter,
) -> Result<Refusal> {
    let attempts = match lock.record_attempt(&mut claimed, error) {
        Ok(a) => a,
        Err(e) => {
            let _ = lock.release(claimed);
            return Err(e.into());
        }
    };
    match policy.check(attempts, SystemTime::now()) {
        Some(cause) => {
            let text = format!("{error}{cause}\n");
            lock.reject(claimed, &text)?;
            Ok(Refusal::Rejected)
        }
        None => {
            lock.release(claimed)?;
            Ok(Refusal::Kept)
        }
    }
}

/// One pass over the spool under `lock`; `stop` is checked before each report.
///
/// Per report, by the [failure table](crate::failure): a 2xx is delivery (removed; an answer
/// without a readable id is logged, raw and truncated); an answer about the report
/// ([`Spool::Reject`]) records a failed attempt, then either moves the report to `rejected/`
/// (the `policy` gave up on it) or keeps it, and the flush goes on with the rest; anything
/// else ([`Spool::Keep`], [`Spool::HandBack`]) keeps the report and stops the flush. Failed
/// attempts are recorded only for answers about the report: an outage or a rotated token
/// never counts towards dead-lettering.
pub(crate) async fn run_flush(
    client: &Client,
    post: Post,
    lock: Arc<FlushLock>,
    policy: DeadLetter,
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
        let failure = match post(client, bytes).await {
            Ok(_) => None,
            Err(e) if disposition(&e) == Spool::Delivered => {
                tracing::warn!(report_id = %id, answer = %e,
                    "WATS took a spooled report (2xx) but its answer holds no readable id; delivered");
                None
            }
            Err(e) => Some(e),
        };
        let Some(e) = failure else {
            summary.delivered.push(id);
            if let Err(e) = blocking(move || l.complete(claimed)).await {
                // Delivered, but still in the spool: it will be replayed (harmless).
                summary.stopped_by = Some(e);
                break;
            }
            continue;
        };
        if disposition(&e) != Spool::Reject {
            tracing::debug!(report_id = %id, error = %e, "spool flush stopped");
            if let Err(io) = blocking(move || l.release(claimed)).await {
                tracing::warn!(report_id = %id, error = %io, "could not put a report back");
            }
            summary.stopped_by = Some(e);
            break;
        }
        let text = rejection_text(&e);
        match blocking(move || refuse(&l, claimed, &text, policy)).await {
            Ok(Refusal::Rejected) => {
                tracing::warn!(report_id = %id, error = %e,
                    "spooled report refused by WATS; given up on, moved to rejected/");
                summary.rejected.push(id);
            }
            Ok(Refusal::Kept) => {
                tracing::info!(report_id = %id, error = %e,
                    "spooled report refused by WATS; kept for another attempt");
                summary.refused.push(id);
            }
            Err(io) => {
                summary.stopped_by = Some(io);
                break;
            }
        }
    }
    let spool = lock.spool().clone();
    match blocking(move || spool.len()).await {
        Ok(n) => summary.remaining = Some(n),
        Err(e) => {
            tracing::warn!(error = %e, "spool flush: could not count the reports left");
            summary.stopped_by.get_or_insert(e);
        }
    }
    drop(lock);
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
