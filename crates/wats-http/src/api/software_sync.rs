//! Fetching a package's files into a directory, checksums verified:
//! `client.software().download_package(..)` and `sync_released(..)`.

use std::path::{Component, Path, PathBuf};

use wats_core::{Error, PackageFile, Result};

use super::Software;
use crate::api::software_internal::download_to_path;
use crate::endpoint::Caller;
use crate::stream_file::Inspect;

/// One file [`Software::download_package`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadedFile {
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// The checksum it was verified against, when the server sent one.
    pub checksum: Option<String>,
}

/// Whether `bytes` has the hex digest `expected` (ASCII case ignored). The algorithm follows
/// from the digest's length: 40 hex digits SHA-1, 64 SHA-256, 128 SHA-512.
///
/// ```
/// let sha256_of_abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
/// assert!(wats_http::verify_checksum(b"abc", sha256_of_abc).unwrap());
/// assert!(!wats_http::verify_checksum(b"abd", sha256_of_abc).unwrap());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] for a digest of another length (MD5 is not supported).
pub fn verify_checksum(bytes: &[u8], expected: &str) -> Result<bool> {
    let mut sum = Checksum::new(expected, "")?;
    sum.ctx.update(bytes);
    Ok(sum.matches())
}

/// A checksum computed chunk by chunk while a file is downloaded, checked before the file
/// takes its name.
struct Checksum {
    ctx: ring::digest::Context,
    expected: String,
    /// The file, for the error.
    path: String,
}

impl Checksum {
    /// The digest of the algorithm `expected`'s length names (see [`verify_checksum`]).
    fn new(expected: &str, path: &str) -> Result<Checksum> {
        let expected = expected.trim();
        let algorithm = match expected.len() {
            40 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            64 => &ring::digest::SHA256,
            128 => &ring::digest::SHA512,
            n => {
                return Err(Error::InvalidInput {
                    field: "checksum".to_owned(),
                    message: format!(
                        "a hex SHA-1, SHA-256 or SHA-512 digest is expected, not {n} characters"
                    ),
                });
            }
        };
        Ok(Checksum {
            ctx: ring::digest::Context::new(algorithm),
            expected: expected.to_owned(),
            path: path.to_owned(),
        })
    }

    fn matches(&self) -> bool {
        let digest = self.ctx.clone().finish();
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        hex.eq_ignore_ascii_case(&self.expected)
    }
}

impl Inspect for Checksum {
    fn chunk(&mut self, data: &[u8]) {
        self.ctx.update(data);
    }

    fn finish(&mut self, _size: u64) -> Result<()> {
        if self.matches() {
            return Ok(());
        }
        Err(Error::Decode {
            target: "package file",
            path: self.path.clone(),
            message: format!(
                "the downloaded bytes do not have checksum {}",
                self.expected
            ),
        })
    }
}

/// `dir` joined with a package file's folder and name; `..`, absolute parts and drive
/// prefixes are refused, so a file cannot land outside `dir`.
fn target(dir: &Path, file: &PackageFile) -> Result<PathBuf> {
    let name = file.name.as_str().unwrap_or("");
    let folder = file.package_folder_name.as_str().unwrap_or("");
    let mut out = dir.to_path_buf();
    let relative = format!("{folder}/{name}").replace('\\', "/");
    let mut pushed = false;
    for part in relative.split('/').filter(|p| !p.is_empty()) {
        let ok = matches!(
            Path::new(part).components().next(),
            Some(Component::Normal(_))
        ) && Path::new(part).components().count() == 1
            && !part.contains(':');
        if !ok {
            return Err(Error::InvalidInput {
                field: "package file path".to_owned(),
                message: format!("{relative:?} would leave the target directory"),
            });
        }
        out.push(part);
        pushed = true;
    }
    if !pushed || name.trim().is_empty() {
        return Err(Error::InvalidInput {
            field: "package file name".to_owned(),
            message: "a package file without a name".to_owned(),
        });
    }
    Ok(out)
}

async fn download(
    client: crate::Client,
    package_id: String,
    dir: PathBuf,
) -> Result<Vec<DownloadedFile>> {
    let files = client.software().package_files(&package_id).await?;
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let path = target(&dir, &file)?;
        let id = file.package_file_id.as_str().unwrap_or("");
        let checksum = file.checksum.as_str().map(str::to_owned);
        let shown = path.display().to_string();
        let size = match &checksum {
            Some(sum) => {
                let mut check = Checksum::new(sum, &shown)?;
                download_to_path(&client, id, &path, &mut check).await?
            }
            None => download_to_path(&client, id, &path, &mut ()).await?,
        };
        out.push(DownloadedFile {
            path,
            size,
            checksum,
        });
    }
    Ok(out)
}

impl<'c, C: Caller> Software<'c, C> {
    /// Download every file of a package into `dir` (`dir/<packageFolderName>/<name>`),
    /// each verified against its `checksum` when the server sends one. Lists the files
    /// (`PackageFiles/{id}`), then streams each to disk
    /// ([`download_file_to`](crate::SoftwareInternal::download_file_to)): it is written to
    /// `<name>.part` as it arrives, its checksum computed chunk by chunk, and renamed when it
    /// matches, so no file is held in memory and none is too large (no body cap applies).
    ///
    /// # Errors
    /// [`Error::Decode`] naming the file when a checksum does not match (that file is not
    /// left behind, and the files before it stay); [`Error::InvalidInput`] for a file path that would leave `dir`;
    /// [`Error::Io`] when writing fails; the errors of the calls.
    pub fn download_package(
        &self,
        package_id: &str,
        dir: impl AsRef<Path>,
    ) -> C::Ret<'c, Vec<DownloadedFile>> {
        let id = package_id.to_owned();
        let dir = dir.as_ref().to_owned();
        self.caller.run(move |client| download(client, id, dir))
    }

    /// Download the released version of the package `name` into `dir` (see
    /// [`download_package`](Self::download_package)).
    ///
    /// # Errors
    /// [`Error::NotFound`] when no version is released; as
    /// [`download_package`](Self::download_package).
    pub fn sync_released(
        &self,
        name: &str,
        dir: impl AsRef<Path>,
    ) -> C::Ret<'c, Vec<DownloadedFile>> {
        let name = name.to_owned();
        let dir = dir.as_ref().to_owned();
        self.caller.run(move |client| async move {
            let pkg = client.software().released_package(&name).await?;
            let id = pkg.package_id.as_str().unwrap_or("").to_owned();
            download(client, id, dir).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_directory() {
        let dir = Path::new("/tmp/x");
        let mut f = PackageFile::default();
        f.name.set("run.exe".to_owned());
        f.package_folder_name.set("bin\\tools".to_owned());
        assert_eq!(
            target(dir, &f).unwrap(),
            Path::new("/tmp/x/bin/tools/run.exe")
        );
        for bad in ["../etc", "/abs/..", "C:", "a/./b"] {
            f.package_folder_name.set(bad.to_owned());
            let r = target(dir, &f);
            assert!(matches!(r, Err(Error::InvalidInput { .. })), "{bad}: {r:?}");
        }
    }

    #[test]
    fn digests_by_length() {
        assert!(verify_checksum(b"abc", "A9993E364706816ABA3E25717850C26C9CD0D89D").unwrap());
        assert!(matches!(
            verify_checksum(b"abc", "900150983cd24fb0d6963f7d28e17f72"),
            Err(Error::InvalidInput { .. })
        ));
    }
}
