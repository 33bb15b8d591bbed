//! Software distribution calls: `client.software()`. The internal routes the Python SDK
//! uses are on `client.software().internal()` (`software_internal.rs`); the download of a
//! package into a directory is in `software_sync.rs`.

use std::sync::Arc;

use bytes::Bytes;
use wats_core::{FileAttributes, Package, PackageFile, PackageStatus, VirtualFolder};

use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller, Prepared};
use crate::registry::{Exception, LeftToMockito};
use crate::stream_body::FileUpload;

#[path = "software_sync.rs"]
mod sync;

pub use crate::api::software_internal::SoftwareInternal;
pub use sync::{DownloadedFile, verify_checksum};

/// `cleanInstall=true` when asked, else not sent (the server's default is to merge).
fn clean(on: bool) -> Option<bool> {
    on.then_some(true)
}

/// The zip upload body: `multipart/form-data`, one part of type `application/zip`, as the
/// server documents (pyWATS sends the raw zip instead).
fn zip_part(zip: Bytes) -> Body {
    Body::multipart_file("file", ZIP_NAME, "application/zip", zip)
}

/// The file name of the zip part.
const ZIP_NAME: &str = "package.zip";

/// The server's attribute names, comma-separated (`None` for no flag).
fn attribute_names(a: FileAttributes) -> String {
    a.names().join(",")
}

calls! {
    /// Software distribution calls, from `client.software()`.
    handle Software, domain "software";

    /// Every package (`GET /api/Software/Packages`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn packages() -> Vec<Package> {
        GET "/api/Software/Packages";
        pywats "software.get_packages";
        answer list;
    }

    /// One package by id (`GET /api/Software/Package/{id}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] (see [`package_opt`](Self::package_opt)); status,
    /// transport, timeout and decode errors.
    fn package(id: &str) -> Package {
        GET "/api/Software/Package/{id}";
        pywats "software.get_package";
        path [id];
        answer json;
        opt package_opt;
    }

    /// A package by name, with a status and version when given (the newest otherwise)
    /// (`GET /api/Software/PackageByName`).
    ///
    /// # Errors
    /// As [`package`](Self::package).
    fn package_by_name(name: &str, status: Option<PackageStatus>, version: Option<u32>) -> Package {
        GET "/api/Software/PackageByName";
        pywats "software.get_package_by_name";
        query ["name" = name, "status" = status.map(PackageStatus::as_str), "version" = version];
        answer json;
        opt package_by_name_opt;
        helpers [released_package];
    }

    /// Packages with a tag (and, as pyWATS sends it, a tag value), in a status when given
    /// (`GET /api/Software/PackagesByTag`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn packages_by_tag(tag: &str, value: Option<&str>, status: Option<PackageStatus>) -> Vec<Package> {
        GET "/api/Software/PackagesByTag";
        pywats "software.get_packages_by_tag";
        query ["tag" = tag, "value" = value, "status" = status.map(PackageStatus::as_str)];
        answer list;
    }

    /// Create a package (`POST /api/Software/Package`); it starts as a `Draft`. Returns the
    /// package as created.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn create_package(package: &Package) -> Package {
        POST "/api/Software/Package";
        pywats "software.create_package";
        body Body::json(package);
        answer json;
    }

    /// Update a package (`PUT /api/Software/Package/{id}`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn update_package(id: &str, package: &Package) -> () {
        PUT "/api/Software/Package/{id}";
        pywats "software.update_package";
        path [id];
        body Body::json(package);
        answer unit;
    }

    /// Delete a package (`DELETE /api/Software/Package/{id}`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn delete_package(id: &str) -> () {
        DELETE "/api/Software/Package/{id}";
        pywats "software.delete_package";
        path [id];
        answer unit;
    }

    /// Delete a package by name, one version or all (`DELETE /api/Software/PackageByName`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn delete_package_by_name(name: &str, version: Option<u32>) -> () {
        DELETE "/api/Software/PackageByName";
        pywats "software.delete_package_by_name";
        query ["name" = name, "version" = version];
        answer unit;
    }

    /// Move a package to a status (`POST /api/Software/PackageStatus/{id}`): Draft →
    /// Pending, Pending → Draft or Released, Released → Revoked; the server refuses any
    /// other change (see [`PackageStatus::may_become`]). Returns the package.
    ///
    /// # Errors
    /// Status (a refused change), transport, timeout and decode errors.
    fn set_status(id: &str, status: PackageStatus) -> Package {
        POST "/api/Software/PackageStatus/{id}";
        pywats "software.submit_for_review, software.return_to_draft, software.release_package, software.revoke_package";
        path [id];
        query ["status" = status.as_str()];
        answer json;
    }

    /// The files of a package, without content (`GET /api/Software/PackageFiles/{id}`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn package_files(id: &str) -> Vec<PackageFile> {
        GET "/api/Software/PackageFiles/{id}";
        pywats "software.get_package_files";
        path [id];
        answer list;
    }

    /// Upload a zip of folders into a package (`POST /api/Software/Package/UploadZip/{id}`,
    /// `multipart/form-data` with an `application/zip` part); merged unless
    /// `clean_install`. Files must be inside folders of the zip. The zip is held in memory;
    /// [`upload_zip_file`](Self::upload_zip_file) streams one from disk instead.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn upload_zip(id: &str, zip: Bytes, clean_install: bool) -> () {
        POST "/api/Software/Package/UploadZip/{id}";
        pywats "software.upload_zip";
        path [id];
        query ["cleanInstall" = clean(clean_install)];
        body zip_part(zip);
        answer unit;
        helpers [upload_zip_file];
    }

    /// Set a file's attribute (`POST /api/Software/Package/FileAttribute/{id}`, the id of a
    /// [`PackageFile`]); [`FileAttributes::NONE`] clears it. The server documents one
    /// attribute name per call; several flags are sent as their names comma-separated.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn set_file_attribute(file_id: &str, attribute: FileAttributes) -> () {
        POST "/api/Software/Package/FileAttribute/{id}";
        pywats "software.update_file_attribute";
        path [file_id];
        query ["attribute" = attribute_names(attribute)];
        answer unit;
    }

    /// Every virtual folder (`GET /api/Software/VirtualFolders`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn virtual_folders() -> Vec<VirtualFolder> {
        GET "/api/Software/VirtualFolders";
        pywats "software.get_virtual_folders";
        answer list;
    }

    /// Create a virtual folder (`POST /api/Software/VirtualFolder`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn create_virtual_folder(folder: &VirtualFolder) -> VirtualFolder {
        POST "/api/Software/VirtualFolder";
        pywats "software.create_virtual_folder";
        body Body::json(folder);
        answer json;
    }

    /// Update a virtual folder (`PUT /api/Software/VirtualFolder`, its `id` in the body).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn update_virtual_folder(folder: &VirtualFolder) -> VirtualFolder {
        PUT "/api/Software/VirtualFolder";
        pywats "software.update_virtual_folder";
        body Body::json(folder);
        answer json;
    }

    /// Delete a virtual folder (`DELETE /api/Software/VirtualFolder/{id}`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn delete_virtual_folder(id: &str) -> () {
        DELETE "/api/Software/VirtualFolder/{id}";
        pywats "software.delete_virtual_folder";
        path [id];
        answer unit;
    }
}

impl<'c, C: Caller> Software<'c, C> {
    /// The internal software routes pyWATS uses (history, available and revoked packages,
    /// file download, check file, package folders). **Undocumented by the server; they may
    /// change without notice.**
    pub fn internal(&self) -> crate::SoftwareInternal<'c, C> {
        crate::SoftwareInternal::new(self.caller)
    }

    /// The released version of a package by name (`status=Released`).
    ///
    /// # Errors
    /// As [`package_by_name`](Self::package_by_name).
    pub fn released_package(&self, name: &str) -> C::Ret<'c, Package> {
        self.package_by_name(name, Some(PackageStatus::Released), None)
    }

    /// [`upload_zip`](Self::upload_zip) of the zip file at `path`, streamed from disk in
    /// chunks (never held in memory whole), with its `Content-Length` stated. The
    /// multipart boundary is derived from the file's length (the content is not read
    /// twice). The upload is a POST, so it is never retried; the call carries the path,
    /// and the file is opened when the body is sent. The client's total
    /// [`timeout`](crate::ClientBuilder::timeout) covers the whole upload.
    ///
    /// # Errors
    /// [`wats_core::Error::Io`] when `path` is not a readable file;
    /// [`wats_core::Error::Transport`] when the file cannot be read while it is sent, or its
    /// size changes; as [`upload_zip`](Self::upload_zip).
    pub fn upload_zip_file(
        &self,
        id: &str,
        path: impl AsRef<std::path::Path>,
        clean_install: bool,
    ) -> C::Ret<'c, ()> {
        let path = path.as_ref().to_owned();
        let id = id.to_owned();
        self.caller.run(move |client| async move {
            let io = |source| wats_core::Error::Io {
                path: path.display().to_string(),
                source,
            };
            let meta = tokio::fs::metadata(&path).await.map_err(io)?;
            if !meta.is_file() {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a file",
                )));
            }
            let len = meta.len();
            let boundary = Body::file_boundary(len, ZIP_NAME);
            let (head, tail, content_type) =
                Body::multipart_frame("file", ZIP_NAME, "application/zip", &boundary)?;
            let upload = Arc::new(FileUpload {
                path: path.clone(),
                head,
                len,
                tail,
            });
            let req = routes::upload_zip::request(&id, Bytes::new(), clean_install);
            let prepared =
                Prepared::new(&client, req, crate::endpoint::answer::unit).with_call(|call| {
                    call.body = None;
                    call.content_type = Some(content_type);
                    call.upload = Some(upload);
                });
            client.execute(prepared).await
        })
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[
    Exception {
        method: "GET",
        template: "/api/Software/PackagesByTag",
        query: Some("value"),
        reason: "the tag value pyWATS `software.get_packages_by_tag` sends with the tag",
    },
    Exception {
        method: "POST",
        template: "/api/Software/VirtualFolder",
        query: None,
        reason: "pyWATS 0.6 `software` virtual-folder create; served, missing from the document",
    },
    Exception {
        method: "PUT",
        template: "/api/Software/VirtualFolder",
        query: None,
        reason: "pyWATS 0.6 `software` virtual-folder update; served, missing from the document",
    },
    Exception {
        method: "DELETE",
        template: "/api/Software/VirtualFolder/{id}",
        query: None,
        reason: "pyWATS 0.6 `software` virtual-folder delete; served, missing from the document",
    },
];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
