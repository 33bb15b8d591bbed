//! The internal software routes pyWATS uses: `client.software().internal()`.
//!
//! **Undocumented by the server; they may change without notice.** Every route here is in
//! `OUTSIDE_OPENAPI` with the pyWATS method that relies on it.

use std::path::Path;

use bytes::Bytes;
use serde_json::Value;
use wats_core::{Package, Result};

use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller, Prepared};
use crate::registry::{Exception, LeftToMockito};
use crate::stream_file::Inspect;

/// Ids joined with `,`, as pyWATS sends lists in one query value.
fn joined(ids: &[&str]) -> String {
    ids.join(",")
}

/// `isConnected`: any 2xx is `true`.
fn connected(answer: wats_core::Result<crate::stack::Answer>) -> wats_core::Result<bool> {
    answer.map(|_| true)
}

calls! {
    /// Internal software routes, from `client.software().internal()`: undocumented by the
    /// server, may change without notice.
    handle SoftwareInternal, domain "software_internal", via "software().internal()";

    /// Whether the software service answers (`GET /api/internal/Software/isConnected`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn is_connected() -> bool {
        GET "/api/internal/Software/isConnected";
        pywats "software.is_connected";
        answer with(connected);
    }

    /// One file's details (`GET /api/internal/Software/File/{id}`), as JSON.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn file(file_id: &str) -> Value {
        GET "/api/internal/Software/File/{id}";
        pywats "software.get_file";
        path [file_id];
        answer json;
    }

    /// Ask whether a local file matches the package's (`GET
    /// /api/internal/Software/CheckFile`): its path, checksum and date (Unix seconds).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn check_file(
        package_id: &str,
        parent_folder_id: &str,
        file_path: &str,
        checksum: &str,
        file_date_epoch: i64
    ) -> Value {
        GET "/api/internal/Software/CheckFile";
        pywats "software.check_file";
        query [
            "packageId" = package_id,
            "parentFolderId" = parent_folder_id,
            "filePath" = file_path,
            "checksum" = checksum,
            "fileDateEpoch" = file_date_epoch,
        ];
        answer json;
    }

    /// Create a folder in a package (`POST /api/internal/Software/PostPackageFolder`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn create_package_folder(package_id: &str, folder: &Value) -> Value {
        POST "/api/internal/Software/PostPackageFolder";
        pywats "software.create_package_folder";
        query ["packageId" = package_id];
        body Body::json(folder);
        answer json;
    }

    /// Update a package folder (`POST /api/internal/Software/UpdatePackageFolder`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn update_package_folder(folder: &Value) -> Value {
        POST "/api/internal/Software/UpdatePackageFolder";
        pywats "software.update_package_folder";
        body Body::json(folder);
        answer json;
    }

    /// Delete a package folder (`POST /api/internal/Software/DeletePackageFolder`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn delete_package_folder(package_folder_id: &str) -> () {
        POST "/api/internal/Software/DeletePackageFolder";
        pywats "software.delete_package_folder";
        query ["packageFolderId" = package_folder_id];
        answer unit;
    }

    /// Delete files of a package folder (`POST
    /// /api/internal/Software/DeletePackageFolderFiles`, ids comma-separated).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn delete_package_folder_files(file_ids: &[&str]) -> () {
        POST "/api/internal/Software/DeletePackageFolderFiles";
        pywats "software.delete_package_folder_files";
        query ["packageFolderFileIds" = joined(file_ids)];
        answer unit;
    }

    /// Package history by tags (`GET /api/internal/Software/GetPackageHistory`); `status`
    /// is the internal code (0 Draft, 1 Pending, 2 Released, 3 Revoked).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn package_history(tags: &str, status: Option<u32>, all_versions: Option<bool>) -> Vec<Package> {
        GET "/api/internal/Software/GetPackageHistory";
        pywats "software.get_package_history";
        query ["tags" = tags, "status" = status, "allVersions" = all_versions];
        answer list;
    }

    /// A client's download history (`GET /api/internal/Software/GetPackageDownloadHistory`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn download_history(client_id: i64) -> Vec<Value> {
        GET "/api/internal/Software/GetPackageDownloadHistory";
        pywats "software.get_package_download_history";
        query ["clientId" = client_id];
        answer list;
    }

    /// Which of the installed packages are revoked (`GET
    /// /api/internal/Software/GetRevokedPackages`): their ids.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn revoked_packages(installed: &[&str], revoked_only: Option<bool>) -> Vec<String> {
        GET "/api/internal/Software/GetRevokedPackages";
        pywats "software.get_revoked_packages";
        query ["installedPackages" = joined(installed), "includeRevokedOnly" = revoked_only];
        answer list;
    }

    /// Newer released versions of the installed packages (`GET
    /// /api/internal/Software/GetAvailablePackages`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn available_packages(installed: &[&str]) -> Vec<Package> {
        GET "/api/internal/Software/GetAvailablePackages";
        pywats "software.get_available_packages";
        query ["installedPackages" = joined(installed)];
        answer list;
    }

    /// A package's details (`GET /api/internal/Software/GetSoftwareEntityDetails`), as JSON.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn entity_details(package_id: &str) -> Value {
        GET "/api/internal/Software/GetSoftwareEntityDetails";
        pywats "software.get_software_entity_details";
        query ["packageId" = package_id];
        answer json;
    }

    /// Record a download of a package (`GET /api/internal/Software/Log`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn log_download(package_id: &str, download_size: u64) -> () {
        GET "/api/internal/Software/Log";
        pywats "software.log_download";
        query ["packageId" = package_id, "downloadSize" = download_size];
        answer unit;
    }

    /// A package file's bytes (`GET /api/internal/Software/DownloadFile`), by its
    /// `packageFileId`. Held in memory whole, under the client's
    /// [`max_body_size`](crate::ClientBuilder::max_body_size); to write a file of any size
    /// to disk without holding it, use [`download_file_to`](Self::download_file_to).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`]; status, transport and timeout errors.
    fn download_file(package_file_id: &str) -> Bytes {
        GET "/api/internal/Software/DownloadFile";
        pywats "software download (installer)";
        query ["repositoryFolderFileId" = package_file_id];
        answer bytes;
        helpers [download_file_to];
    }
}

/// Stream package file `package_file_id` to `path` through `client`'s streamed-answer
/// stack (`stream.rs`), each chunk shown to `inspect`.
pub(crate) async fn download_to_path(
    client: &crate::Client,
    package_file_id: &str,
    path: &Path,
    inspect: &mut dyn Inspect,
) -> Result<u64> {
    let req = routes::download_file::request(package_file_id);
    let call = Prepared::new(client, req, crate::endpoint::answer::unit).into_call()?;
    crate::stream_file::download_to(client, call, path, inspect).await
}

impl<'c, C: Caller> SoftwareInternal<'c, C> {
    /// [`download_file`](Self::download_file) written to `path` as it arrives, in chunks:
    /// the file is never held in memory whole, so it may be larger than
    /// [`max_body_size`](crate::ClientBuilder::max_body_size) (no cap applies to a
    /// download). It is written to `<path>.part` (folders made first) and renamed to
    /// `path` when complete; on any failure the part file is removed. Returns the number
    /// of bytes written.
    ///
    /// Same pool, headers, breaker, rate limit and retry policy as every call; retries
    /// happen only before the first byte is written (a failure while the body arrives is
    /// returned, not retried), and the client's total
    /// [`timeout`](crate::ClientBuilder::timeout) covers the whole download: raise it for
    /// large files on slow links.
    ///
    /// # Errors
    /// As [`download_file`](Self::download_file); [`wats_core::Error::Transport`] when the
    /// body breaks off; [`wats_core::Error::Io`] when the file cannot be written.
    pub fn download_file_to(
        &self,
        package_file_id: &str,
        path: impl AsRef<Path>,
    ) -> C::Ret<'c, u64> {
        let id = package_file_id.to_owned();
        let path = path.as_ref().to_owned();
        self.caller
            .run(move |client| async move { download_to_path(&client, &id, &path, &mut ()).await })
    }
}

const WHY: &str = "internal route pyWATS 0.6 `software` relies on (see its pywats line); \
                   undocumented, may change";

macro_rules! internal {
    ($($method:literal $template:literal),* $(,)?) => {
        &[$(Exception { method: $method, template: $template, query: None, reason: WHY }),*]
    };
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = internal![
    "GET" "/api/internal/Software/isConnected",
    "GET" "/api/internal/Software/File/{id}",
    "GET" "/api/internal/Software/CheckFile",
    "POST" "/api/internal/Software/PostPackageFolder",
    "POST" "/api/internal/Software/UpdatePackageFolder",
    "POST" "/api/internal/Software/DeletePackageFolder",
    "POST" "/api/internal/Software/DeletePackageFolderFiles",
    "GET" "/api/internal/Software/GetPackageHistory",
    "GET" "/api/internal/Software/GetPackageDownloadHistory",
    "GET" "/api/internal/Software/GetRevokedPackages",
    "GET" "/api/internal/Software/GetAvailablePackages",
    "GET" "/api/internal/Software/GetSoftwareEntityDetails",
    "GET" "/api/internal/Software/Log",
    "GET" "/api/internal/Software/DownloadFile",
];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
