//! Round-trip every `*.json` file under a directory through the wats models.
//!
//! ```text
//! cargo run --example wsjf_roundtrip -- [--kind report|product|product_revision|unit|process|report_header] IN_DIR OUT_DIR
//! ```
//!
//! Each file is parsed as the given kind (default `report`; UUT or UUR is decided
//! from the payload; a JSON array of that kind is accepted too), written back to
//! the same relative path under `OUT_DIR`, and compared with the input as a JSON
//! value. One line is printed per failed file, with the JSON path of the first
//! difference or of the decode error; the exit code is 1 if any file failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use wats::core::roundtrip::{Kind, check_bytes};

fn usage() -> ExitCode {
    eprintln!(
        "usage: wsjf_roundtrip [--kind report|product|product_revision|unit|process|report_header] IN_DIR OUT_DIR"
    );
    ExitCode::from(2)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut kind = Kind::Report;
    let mut dirs = Vec::new();
    while let Some(a) = args.next() {
        if a == "--kind" {
            match args.next().map(|k| k.parse::<Kind>()) {
                Some(Ok(k)) => kind = k,
                Some(Err(e)) => {
                    eprintln!("{e}");
                    return usage();
                }
                None => return usage(),
            }
        } else if let Some(k) = a.strip_prefix("--kind=") {
            match k.parse() {
                Ok(k) => kind = k,
                Err(e) => {
                    eprintln!("{e}");
                    return usage();
                }
            }
        } else {
            dirs.push(PathBuf::from(a));
        }
    }
    let [input, output] = dirs.as_slice() else {
        return usage();
    };

    let mut files = Vec::new();
    if let Err(e) = collect(input, &mut files) {
        eprintln!("cannot read {}: {e}", input.display());
        return ExitCode::from(2);
    }
    files.sort();

    let mut failed = 0usize;
    for file in &files {
        let rel = file.strip_prefix(input).unwrap_or(file);
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                println!("FAIL {}: cannot read: {e}", rel.display());
                failed += 1;
                continue;
            }
        };
        let rt = match check_bytes(kind, &bytes) {
            Ok(rt) => rt,
            Err(e) => {
                println!("FAIL {}: {e}", rel.display());
                failed += 1;
                continue;
            }
        };
        let dest = output.join(rel);
        let written = dest
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let text = serde_json::to_vec(&rt.output).map_err(std::io::Error::other)?;
                std::fs::write(&dest, text)
            });
        if let Err(e) = written {
            println!(
                "FAIL {}: cannot write {}: {e}",
                rel.display(),
                dest.display()
            );
            failed += 1;
            continue;
        }
        if let Some(first) = rt.differences.first() {
            println!(
                "FAIL {}: {} difference(s), first {first}",
                rel.display(),
                rt.differences.len()
            );
            failed += 1;
        }
    }
    println!(
        "{} file(s) as {kind}: {} ok, {failed} failed",
        files.len(),
        files.len() - failed
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
