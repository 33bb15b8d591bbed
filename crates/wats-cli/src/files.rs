//! Finding report files: files as given, directories searched recursively for `*.json`.

use std::path::{Path, PathBuf};

use crate::exit::Failure;

/// Whether `path` names a JSON file (by extension, any case).
pub(crate) fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if is_json(&path) {
            found.push(path);
        }
    }
    found.sort();
    out.extend(found);
    Ok(())
}

/// The files named by `paths`: a file as given (any extension), a directory's `*.json`
/// files recursively, sorted within each directory.
///
/// # Errors
/// A usage failure for a path that does not exist; a failure for an unreadable directory.
pub(crate) fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        if meta.is_dir() {
            walk(path, &mut out)
                .map_err(|e| Failure::failed(format!("cannot read {}: {e}", path.display())))?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_recursively_json_only() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a");
        std::fs::create_dir(&sub).unwrap();
        for p in ["b.json", "a/c.JSON", "a/d.txt", "e.json"] {
            std::fs::write(dir.path().join(p), "{}").unwrap();
        }
        let found = collect(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(names, ["a/c.JSON", "b.json", "e.json"]);
        let missing = collect(&[dir.path().join("nope")]).unwrap_err();
        assert_eq!(missing.code, crate::exit::USAGE);
    }
}
