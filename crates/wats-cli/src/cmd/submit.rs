//! `wats submit FILE|DIR...`: each report through `submit_or_spool`, a progress bar, a
//! summary.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use wats_core::Report;
use wats_http::SubmitOutcome;

use crate::Ctx;
use crate::exit::{self, Failure};
use crate::output::{self, BAD, GOOD, WARN, paint};

/// More files than this get a progress bar (when stderr is a terminal).
const PROGRESS_ABOVE: usize = 3;

/// What happened to one file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(crate) enum FileOutcome {
    /// The server stored it.
    Submitted {
        /// The report id.
        id: String,
    },
    /// Kept in the spool for later delivery.
    Spooled {
        /// The report id.
        id: String,
    },
    /// The server refused it.
    Rejected {
        /// The server's reason.
        reason: String,
        /// Whether the refusal is about the set-up (401, 403, 404, 407, 421, 425: the
        /// token, permissions or URL), not the report: the same report may pass later.
        #[serde(skip)]
        setup: bool,
    },
    /// It could not be read, parsed, or neither submitted nor spooled.
    Failed {
        /// Why.
        reason: String,
    },
}

/// Read and parse a WSJF report file.
pub(crate) fn load(path: &Path) -> Result<Report, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    wats_core::json::from_slice::<Report>(&bytes).map_err(|e| format!("not a WSJF report: {e}"))
}

/// Submit one parsed report: submitted, spooled, rejected or failed.
pub(crate) async fn submit_one(client: &wats_http::Client, report: &Report) -> FileOutcome {
    match client.reports().submit_or_spool(report).await {
        Ok(SubmitOutcome::Submitted(id)) => FileOutcome::Submitted { id },
        // Spooled because WATS is away, or held because of a set-up failure (token,
        // proxy, URL): either way the report waits in the spool.
        Ok(outcome) if outcome.is_spooled() => FileOutcome::Spooled {
            id: outcome.into_id(),
        },
        Ok(outcome) => FileOutcome::Submitted {
            id: outcome.into_id(),
        },
        Err(e) if exit::is_rejection(&e) => FileOutcome::Rejected {
            reason: e.to_string(),
            setup: exit::is_setup_error(&e),
        },
        Err(e) => FileOutcome::Failed {
            reason: e.to_string(),
        },
    }
}

#[derive(Debug, Serialize)]
struct FileResult {
    file: PathBuf,
    #[serde(flatten)]
    outcome: FileOutcome,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    files: usize,
    submitted: usize,
    spooled: usize,
    rejected: usize,
    failed: usize,
    results: Vec<FileResult>,
}

fn progress(n: usize) -> ProgressBar {
    if n <= PROGRESS_ABOVE || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} [{elapsed_precise}, {eta} left]")
    {
        bar.set_style(style);
    }
    bar
}

/// Run `wats submit`.
pub(crate) async fn run(ctx: &Ctx, paths: &[PathBuf]) -> Result<u8, Failure> {
    let files = crate::files::collect(paths)?;
    let client = ctx.client()?;
    let bar = progress(files.len());
    let mut summary = Summary {
        files: files.len(),
        ..Summary::default()
    };
    for file in files {
        let outcome = match load(&file) {
            Ok(report) => submit_one(&client, &report).await,
            Err(reason) => FileOutcome::Failed { reason },
        };
        match &outcome {
            FileOutcome::Submitted { .. } => summary.submitted += 1,
            FileOutcome::Spooled { .. } => summary.spooled += 1,
            FileOutcome::Rejected { reason, .. } | FileOutcome::Failed { reason } => {
                if matches!(outcome, FileOutcome::Rejected { .. }) {
                    summary.rejected += 1;
                } else {
                    summary.failed += 1;
                }
                if !ctx.json {
                    let label = if matches!(outcome, FileOutcome::Rejected { .. }) {
                        "rejected"
                    } else {
                        "failed"
                    };
                    bar.suspend(|| {
                        output::note(&format!(
                            "{} {}: {reason}",
                            paint(BAD, label),
                            file.display()
                        ));
                    });
                }
            }
        }
        bar.set_message(format!(
            "{} submitted, {} spooled, {} rejected",
            summary.submitted, summary.spooled, summary.rejected
        ));
        bar.inc(1);
        summary.results.push(FileResult { file, outcome });
    }
    bar.finish_and_clear();
    if ctx.json {
        output::json(&summary)?;
    } else {
        output::line(&format!(
            "{} file(s): {} submitted, {} spooled, {} rejected, {} failed",
            summary.files,
            paint(GOOD, &summary.submitted.to_string()),
            paint(WARN, &summary.spooled.to_string()),
            paint(BAD, &summary.rejected.to_string()),
            summary.failed
        ))?;
        if summary.spooled > 0 {
            output::line(&format!(
                "{} report(s) wait in the spool ({}); `wats spool flush` or `wats watch` delivers them",
                summary.spooled,
                client
                    .spool()
                    .dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default()
            ))?;
        }
    }
    Ok(if summary.rejected > 0 {
        exit::REJECTED
    } else if summary.failed > 0 {
        exit::FAILED
    } else {
        exit::OK
    })
}
