//! `wats check FILE|DIR...`: does each file load and round-trip losslessly through the
//! models (what `examples/wsjf_roundtrip.rs` does, without a Rust toolchain)?

use std::path::PathBuf;

use serde::Serialize;
use wats_core::roundtrip::{Kind, check_bytes};

use crate::Ctx;
use crate::exit::{self, Failure};
use crate::output::{self, BAD, GOOD, paint};

#[derive(Debug, Serialize)]
struct Checked {
    file: PathBuf,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    differences: Vec<String>,
}

/// Run `wats check`.
pub(crate) fn run(ctx: &Ctx, kind: &str, paths: &[PathBuf]) -> Result<u8, Failure> {
    let kind: Kind = kind
        .parse()
        .map_err(|e: wats_core::Error| Failure::usage(e.to_string()))?;
    let files = crate::files::collect(paths)?;
    let mut failed = 0usize;
    for file in &files {
        let result = std::fs::read(file)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|bytes| check_bytes(kind, &bytes).map_err(|e| e.to_string()));
        let checked = match result {
            Ok(rt) => Checked {
                file: file.clone(),
                ok: rt.differences.is_empty(),
                error: None,
                differences: rt.differences.iter().map(ToString::to_string).collect(),
            },
            Err(error) => Checked {
                file: file.clone(),
                ok: false,
                error: Some(error),
                differences: Vec::new(),
            },
        };
        if !checked.ok {
            failed += 1;
        }
        if ctx.json {
            output::json_line(&checked)?;
        } else if let Some(error) = &checked.error {
            output::line(&format!(
                "{} {}: {error}",
                paint(BAD, "FAIL"),
                file.display()
            ))?;
        } else if let Some(first) = checked.differences.first() {
            output::line(&format!(
                "{} {}: {} difference(s), first {first}",
                paint(BAD, "FAIL"),
                file.display(),
                checked.differences.len()
            ))?;
        } else {
            output::line(&format!("{} {}", paint(GOOD, "ok"), file.display()))?;
        }
    }
    if !ctx.json {
        output::line(&format!(
            "{} file(s) as {kind}: {} ok, {failed} failed",
            files.len(),
            files.len() - failed
        ))?;
    }
    Ok(if failed > 0 { exit::FAILED } else { exit::OK })
}
