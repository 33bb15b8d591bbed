//! The library function behind `examples/wsjf_roundtrip.rs`, run the way the
//! example runs it: every `*.json` under the fixtures directory, every kind.

use std::path::{Path, PathBuf};

use wats_core::roundtrip::{DiffKind, Kind, check_bytes, diff};

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_file_round_trips_as_a_report() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    assert!(files.len() >= 6, "{files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        match check_bytes(Kind::Report, &bytes) {
            Ok(rt) => failures.extend(
                rt.differences
                    .iter()
                    .map(|d| format!("{}: {d}", file.display())),
            ),
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_decode_failure_names_the_path_and_a_lossy_output_names_each_path() {
    // Broken syntax deep inside is a decode error with the path.
    let err = check_bytes(Kind::Unit, br#"{"subUnits":[{},{"unitPhaseId":tru}]}"#).unwrap_err();
    assert!(err.to_string().contains("subUnits[1].unitPhaseId"), "{err}");
    // A member of another JSON type is kept (issue 15 §2): a report read as a unit, whose
    // integer `processCode` is a string in `Unit`, round-trips all the same.
    let report = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/wats-samples/uur_example.json"),
    )
    .unwrap();
    assert!(check_bytes(Kind::Unit, &report).unwrap().is_lossless());
    assert!(check_bytes(Kind::Unit, b"42").is_err());
    assert!(check_bytes(Kind::Unit, b"[1]").is_err());

    // What pyWATS does to a loop header: the checker lists every changed path.
    let server = serde_json::json!({"loop": {"num": 3, "endingIndex": 3, "idx": null}});
    let pywats = serde_json::json!({"loop": {"n": 3}});
    let d = diff(&server, &pywats);
    let got: Vec<_> = d.iter().map(|d| (d.path.as_str(), d.kind)).collect();
    assert_eq!(
        got,
        [
            ("$.loop.endingIndex", DiffKind::Missing),
            ("$.loop.idx", DiffKind::Missing),
            ("$.loop.num", DiffKind::Missing),
            ("$.loop.n", DiffKind::Added),
        ]
    );
}
