//! `wats spool status | list | flush | rejected | retry ID`.

use std::time::SystemTime;

use serde::Serialize;
use wats_spool::{REJECTED_DIR, Spool, SpoolEntry};

use crate::Ctx;
use crate::cli::SpoolCommand;
use crate::exit::{self, Failure};
use crate::output::{self, BAD, GOOD, Table, WARN, paint};

/// A time as RFC 3339 UTC text.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn open(ctx: &Ctx) -> Result<Spool, Failure> {
    let dir = ctx.settings.spool_dir()?;
    Ok(Spool::open(&dir.value)?)
}

#[derive(Debug, Serialize)]
struct EntryView {
    id: String,
    spooled_at: String,
    bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn view(entry: &SpoolEntry, reason: Option<String>) -> EntryView {
    EntryView {
        id: entry.id().to_owned(),
        spooled_at: rfc3339(entry.spooled_at()),
        bytes: std::fs::metadata(entry.path()).map_or(0, |m| m.len()),
        reason,
    }
}

/// Run `wats spool ...`.
pub(crate) async fn run(ctx: &Ctx, command: SpoolCommand) -> Result<u8, Failure> {
    match command {
        SpoolCommand::Status => status(ctx),
        SpoolCommand::List => list(ctx),
        SpoolCommand::Flush => flush(ctx).await,
        SpoolCommand::Rejected => rejected(ctx),
        SpoolCommand::Retry { id } => retry(ctx, &id),
    }
}

fn status(ctx: &Ctx) -> Result<u8, Failure> {
    #[derive(Serialize)]
    struct Status {
        dir: String,
        waiting: usize,
        rejected: usize,
        quarantined: usize,
        oldest: Option<String>,
    }
    let spool = open(ctx)?;
    let waiting = spool.list()?;
    let status = Status {
        dir: spool.dir().display().to_string(),
        waiting: waiting.len(),
        rejected: spool.rejected()?.len(),
        quarantined: spool.quarantined()?.len(),
        oldest: waiting.first().map(|e| rfc3339(e.spooled_at())),
    };
    if ctx.json {
        output::json(&status)?;
    } else {
        let waiting_style = if status.waiting == 0 { GOOD } else { WARN };
        let rejected_style = if status.rejected == 0 { GOOD } else { BAD };
        output::line(&format!("spool        {}", status.dir))?;
        output::line(&format!(
            "waiting      {}",
            paint(waiting_style, &status.waiting.to_string())
        ))?;
        output::line(&format!(
            "rejected     {}",
            paint(rejected_style, &status.rejected.to_string())
        ))?;
        output::line(&format!("quarantined  {}", status.quarantined))?;
        if let Some(oldest) = &status.oldest {
            output::line(&format!("oldest       {oldest}"))?;
        }
    }
    Ok(exit::OK)
}

fn print_entries(ctx: &Ctx, entries: &[EntryView], with_reason: bool) -> Result<(), Failure> {
    if ctx.json {
        return output::json(entries);
    }
    let mut table = if with_reason {
        Table::new(&["id", "spooled at", "bytes", "reason"])
    } else {
        Table::new(&["id", "spooled at", "bytes"])
    };
    for e in entries {
        let mut row = vec![e.id.clone(), e.spooled_at.clone(), e.bytes.to_string()];
        if with_reason {
            row.push(output::opt(e.reason.as_deref()));
        }
        table.row(row);
    }
    table.print()
}

fn list(ctx: &Ctx) -> Result<u8, Failure> {
    let spool = open(ctx)?;
    let entries: Vec<_> = spool.list()?.iter().map(|e| view(e, None)).collect();
    print_entries(ctx, &entries, false)?;
    Ok(exit::OK)
}

fn rejected(ctx: &Ctx) -> Result<u8, Failure> {
    let spool = open(ctx)?;
    let entries: Vec<_> = spool
        .rejected()?
        .iter()
        .map(|e| {
            let reason = spool
                .rejection_message(e.id())
                .map(|m| m.trim().to_owned())
                .ok();
            view(e, reason)
        })
        .collect();
    print_entries(ctx, &entries, true)?;
    Ok(exit::OK)
}

fn retry(ctx: &Ctx, id: &str) -> Result<u8, Failure> {
    if !wats_spool::is_valid_id(id) {
        return Err(Failure::usage(format!("{id:?} is not a report id")));
    }
    let spool = open(ctx)?;
    let dir = spool.dir().join(REJECTED_DIR);
    let file = dir.join(format!("{id}.json"));
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::failed(format!(
                "no rejected report {id} (see `wats spool rejected`)"
            )));
        }
        Err(e) => return Err(Failure::failed(format!("{}: {e}", file.display()))),
    };
    // Queue it first, then remove the rejected copy: a crash in between leaves a harmless
    // duplicate, never a lost report.
    spool.put(id, &bytes)?;
    for path in [file, dir.join(format!("{id}.error.txt"))] {
        if let Err(e) = std::fs::remove_file(&path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(Failure::failed(format!("{}: {e}", path.display())));
            }
        }
    }
    if ctx.json {
        output::json(&serde_json::json!({ "requeued": id }))?;
    } else {
        output::line(&format!(
            "{id} is back in the queue; `wats spool flush` sends it"
        ))?;
    }
    Ok(exit::OK)
}

async fn flush(ctx: &Ctx) -> Result<u8, Failure> {
    #[derive(Serialize)]
    struct Flushed<'a> {
        delivered: &'a [String],
        rejected: Vec<EntryView>,
        quarantined: &'a [String],
        /// `None` when the spool could not be counted (the error is in `stopped_by`).
        remaining: Option<usize>,
        stopped_by: Option<String>,
    }
    let client = ctx.client()?;
    let summary = client.spool().flush().await?;
    let spool = open(ctx)?;
    let rejected: Vec<EntryView> = spool
        .rejected()?
        .iter()
        .filter(|e| summary.rejected.iter().any(|id| id == e.id()))
        .map(|e| view(e, spool.rejection_message(e.id()).ok()))
        .collect();
    let stopped = summary.stopped_by.as_ref().map(ToString::to_string);
    if ctx.json {
        output::json(&Flushed {
            delivered: &summary.delivered,
            rejected,
            quarantined: &summary.quarantined,
            remaining: summary.remaining,
            stopped_by: stopped.clone(),
        })?;
    } else {
        for e in &rejected {
            output::note(&format!(
                "{} {}: {}",
                paint(BAD, "rejected"),
                e.id,
                e.reason.as_deref().unwrap_or("").trim()
            ));
        }
        output::line(&format!(
            "{} delivered, {} rejected, {} quarantined, {} remaining",
            paint(GOOD, &summary.delivered.len().to_string()),
            paint(BAD, &summary.rejected.len().to_string()),
            summary.quarantined.len(),
            summary
                .remaining
                .map_or_else(|| "?".to_owned(), |n| n.to_string())
        ))?;
        if let Some(why) = &stopped {
            output::note(&format!("{} {why}", paint(WARN, "flush stopped:")));
        }
    }
    Ok(match &summary.stopped_by {
        Some(e) => exit::code_of(e).max(exit::FAILED),
        None if !summary.rejected.is_empty() => exit::REJECTED,
        None => exit::OK,
    })
}
