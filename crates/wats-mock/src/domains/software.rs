//! The `software` domain's routes and state in the mock: packages whose status follows the
//! server's order (Draft → Pending → Draft | Released → Revoked), files unpacked from
//! uploaded zips (stored and deflated entries) with their SHA-256, virtual folders, and the
//! internal routes pyWATS uses (available and revoked packages, downloads).
//!
//! Large content is streamed both ways: a file added with
//! [`MockServer::add_generated_package_file`](crate::MockServer::add_generated_package_file)
//! is generated chunk by chunk as it is downloaded (never a whole `Vec`), and a zip upload
//! is read frame by frame ([`receive`]): its bytes counted and its file part hashed as they
//! arrive, the body kept (and unpacked) only up to [`KEEP_UPLOAD`]; a larger upload is
//! accepted without unpacking ([`MockServer::last_package_upload`](crate::MockServer::last_package_upload)
//! tells what arrived).

use std::io::Read;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use chrono::{SecondsFormat, Utc};
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Reply, Req, Served};
use crate::body::Generated;

#[path = "software_stream.rs"]
mod stream;

pub use stream::{KEEP_UPLOAD, PackageUpload};
pub(crate) use stream::{Received, add_generated, last_upload, receive, streams_upload};

/// This domain's state.
#[derive(Debug, Default)]
pub(crate) struct State {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    packages: Vec<Map<String, Value>>,
    files: Vec<File>,
    folders: Vec<Map<String, Value>>,
    downloads: Vec<Value>,
    next_file: u64,
    last_upload: Option<PackageUpload>,
}

#[derive(Debug)]
struct File {
    id: String,
    package_id: String,
    folder: String,
    name: String,
    attributes: String,
    content: Content,
}

#[derive(Debug)]
enum Content {
    /// Unpacked from an uploaded zip.
    Bytes(Bytes),
    /// Generated as it is sent, with its SHA-256 (computed once).
    Generated(Generated, String),
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl File {
    fn view(&self) -> Value {
        let (hex, size) = match &self.content {
            Content::Bytes(b) => (
                hex(ring::digest::digest(&ring::digest::SHA256, b).as_ref()),
                b.len() as u64,
            ),
            Content::Generated(g, sum) => (sum.clone(), g.len),
        };
        json!({"packageFileId": self.id, "name": self.name, "packageFolderName": self.folder,
               "attributes": self.attributes, "Description": null, "checksum": hex,
               "size": size})
    }
}

/// The routes this module serves.
#[rustfmt::skip]
pub(crate) static ROUTES: &[Served] = &[
    Served { method: "GET", template: "/api/Software/Packages", handler: packages },
    Served { method: "POST", template: "/api/Software/Package", handler: create },
    Served { method: "GET", template: "/api/Software/Package/{id}", handler: get },
    Served { method: "PUT", template: "/api/Software/Package/{id}", handler: update },
    Served { method: "DELETE", template: "/api/Software/Package/{id}", handler: delete },
    Served { method: "GET", template: "/api/Software/PackageByName", handler: by_name },
    Served { method: "DELETE", template: "/api/Software/PackageByName", handler: delete_by_name },
    Served { method: "GET", template: "/api/Software/PackagesByTag", handler: by_tag },
    Served { method: "POST", template: "/api/Software/PackageStatus/{id}", handler: set_status },
    Served { method: "GET", template: "/api/Software/PackageFiles/{id}", handler: files },
    Served { method: "POST", template: "/api/Software/Package/UploadZip/{id}", handler: upload_zip },
    Served { method: "POST", template: "/api/Software/Package/FileAttribute/{id}", handler: attribute },
    Served { method: "GET", template: "/api/Software/VirtualFolders", handler: folders },
    Served { method: "POST", template: "/api/Software/VirtualFolder", handler: save_folder },
    Served { method: "PUT", template: "/api/Software/VirtualFolder", handler: save_folder },
    Served { method: "DELETE", template: "/api/Software/VirtualFolder/{id}", handler: delete_folder },
    Served { method: "GET", template: "/api/internal/Software/isConnected", handler: connected },
    Served { method: "GET", template: "/api/internal/Software/File/{id}", handler: file },
    Served { method: "GET", template: "/api/internal/Software/CheckFile", handler: check_file },
    Served { method: "POST", template: "/api/internal/Software/PostPackageFolder", handler: echo },
    Served { method: "POST", template: "/api/internal/Software/UpdatePackageFolder", handler: echo },
    Served { method: "POST", template: "/api/internal/Software/DeletePackageFolder", handler: delete_pkg_folder },
    Served { method: "POST", template: "/api/internal/Software/DeletePackageFolderFiles", handler: delete_files },
    Served { method: "GET", template: "/api/internal/Software/GetPackageHistory", handler: history },
    Served { method: "GET", template: "/api/internal/Software/GetPackageDownloadHistory", handler: download_history },
    Served { method: "GET", template: "/api/internal/Software/GetRevokedPackages", handler: revoked },
    Served { method: "GET", template: "/api/internal/Software/GetAvailablePackages", handler: available },
    Served { method: "GET", template: "/api/internal/Software/GetSoftwareEntityDetails", handler: details },
    Served { method: "GET", template: "/api/internal/Software/Log", handler: log },
    Served { method: "GET", template: "/api/internal/Software/DownloadFile", handler: download },
];

const STATUSES: [&str; 4] = ["Draft", "Pending", "Released", "Revoked"];

fn lock<'a>(req: &Req<'a>) -> MutexGuard<'a, Inner> {
    req.store
        .domains
        .software
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn list(rows: impl Iterator<Item = Value>) -> Reply {
    Reply::json(&Value::Array(rows.collect()))
}

impl Inner {
    fn find(&self, id: &str) -> Option<usize> {
        self.packages
            .iter()
            .position(|p| s(p, "packageId").eq_ignore_ascii_case(id))
    }
}

fn packages(req: &Req<'_>) -> Reply {
    list(lock(req).packages.iter().cloned().map(Value::Object))
}

fn create(req: &Req<'_>) -> Reply {
    let mut p = match req.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Reply::bad_request("A package object is expected."),
        Err(e) => return e,
    };
    let name = s(&p, "name").to_owned();
    if name.trim().is_empty() {
        return Reply::bad_request("'name' is required.");
    }
    let mut inner = lock(req);
    let version = inner
        .packages
        .iter()
        .filter(|x| s(x, "name").eq_ignore_ascii_case(&name))
        .count()
        + 1;
    p.insert("packageId".into(), json!(uuid::Uuid::new_v4().to_string()));
    p.insert("version".into(), json!(version));
    p.insert("status".into(), json!("Draft"));
    p.insert("created".into(), json!(now()));
    p.insert("createdBy".into(), json!("mock"));
    inner.packages.push(p.clone());
    Reply::json(&Value::Object(p))
}

fn get(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    match inner.find(req.p(0)) {
        Some(i) => Reply::json(&Value::Object(inner.packages[i].clone())),
        None => Reply::not_found("Package not found."),
    }
}

fn update(req: &Req<'_>) -> Reply {
    let Ok(Value::Object(new)) = req.json() else {
        return Reply::bad_request("A package object is expected.");
    };
    let mut inner = lock(req);
    let Some(i) = inner.find(req.p(0)) else {
        return Reply::not_found("Package not found.");
    };
    let p = &mut inner.packages[i];
    if s(p, "status") != "Draft" {
        return Reply::bad_request("Only a Draft package can be changed.");
    }
    for (k, v) in new {
        if !matches!(
            k.as_str(),
            "packageId" | "version" | "status" | "created" | "createdBy"
        ) {
            p.insert(k, v);
        }
    }
    p.insert("modified".into(), json!(now()));
    Reply::empty(StatusCode::OK)
}

fn remove(inner: &mut Inner, keep: impl Fn(&Map<String, Value>) -> bool) -> bool {
    let gone: Vec<String> = inner
        .packages
        .iter()
        .filter(|p| !keep(p))
        .map(|p| s(p, "packageId").to_owned())
        .collect();
    inner.packages.retain(|p| keep(p));
    inner.files.retain(|f| !gone.contains(&f.package_id));
    !gone.is_empty()
}

fn delete(req: &Req<'_>) -> Reply {
    let id = req.p(0).to_owned();
    if remove(&mut lock(req), |p| {
        !s(p, "packageId").eq_ignore_ascii_case(&id)
    }) {
        Reply::empty(StatusCode::OK)
    } else {
        Reply::not_found("Package not found.")
    }
}

fn version_q(req: &Req<'_>) -> Option<i64> {
    req.q("version").and_then(|v| v.parse().ok())
}

fn by_name(req: &Req<'_>) -> Reply {
    let name = req.q("name").unwrap_or_default().into_owned();
    let status = req.q("status").map(std::borrow::Cow::into_owned);
    let version = version_q(req);
    let inner = lock(req);
    let best = inner
        .packages
        .iter()
        .filter(|p| s(p, "name").eq_ignore_ascii_case(&name))
        .filter(|p| {
            status
                .as_deref()
                .is_none_or(|st| s(p, "status").eq_ignore_ascii_case(st))
        })
        .filter(|p| version.is_none_or(|v| p.get("version").and_then(Value::as_i64) == Some(v)))
        .max_by_key(|p| p.get("version").and_then(Value::as_i64).unwrap_or(0));
    match best {
        Some(p) => Reply::json(&Value::Object(p.clone())),
        None => Reply::not_found("Package not found."),
    }
}

fn delete_by_name(req: &Req<'_>) -> Reply {
    let name = req.q("name").unwrap_or_default().into_owned();
    let version = version_q(req);
    let hit = |p: &Map<String, Value>| {
        s(p, "name").eq_ignore_ascii_case(&name)
            && version.is_none_or(|v| p.get("version").and_then(Value::as_i64) == Some(v))
    };
    if remove(&mut lock(req), |p| !hit(p)) {
        Reply::empty(StatusCode::OK)
    } else {
        Reply::not_found("Package not found.")
    }
}

fn has_tag(p: &Map<String, Value>, key: &str, value: Option<&str>) -> bool {
    p.get("tags").and_then(Value::as_array).is_some_and(|tags| {
        tags.iter().any(|t| {
            t["key"]
                .as_str()
                .is_some_and(|k| k.eq_ignore_ascii_case(key))
                && value.is_none_or(|v| t["value"].as_str() == Some(v))
        })
    })
}

fn by_tag(req: &Req<'_>) -> Reply {
    let tag = req.q("tag").unwrap_or_default().into_owned();
    let value = req.q("value").map(std::borrow::Cow::into_owned);
    let status = req.q("status").map(std::borrow::Cow::into_owned);
    let inner = lock(req);
    list(
        inner
            .packages
            .iter()
            .filter(|p| has_tag(p, &tag, value.as_deref()))
            .filter(|p| {
                status
                    .as_deref()
                    .is_none_or(|st| s(p, "status").eq_ignore_ascii_case(st))
            })
            .cloned()
            .map(Value::Object),
    )
}

fn set_status(req: &Req<'_>) -> Reply {
    let Some(to) = req
        .q("status")
        .and_then(|v| STATUSES.iter().find(|s| s.eq_ignore_ascii_case(&v)))
    else {
        return Reply::bad_request("'status' must be Draft, Pending, Released or Revoked.");
    };
    let mut inner = lock(req);
    let Some(i) = inner.find(req.p(0)) else {
        return Reply::not_found("Package not found.");
    };
    let p = &mut inner.packages[i];
    let from = s(p, "status").to_owned();
    let allowed = matches!(
        (from.as_str(), *to),
        ("Draft", "Pending") | ("Pending", "Draft" | "Released") | ("Released", "Revoked")
    );
    if !allowed {
        return Reply::bad_request(&format!("A {from} package cannot become {to}."));
    }
    p.insert("status".into(), json!(to));
    if matches!(*to, "Released" | "Revoked") {
        p.insert(to.to_ascii_lowercase(), json!(now()));
        p.insert(format!("{}By", to.to_ascii_lowercase()), json!("mock"));
    }
    Reply::json(&Value::Object(p.clone()))
}

fn files(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    if inner.find(req.p(0)).is_none() {
        return Reply::not_found("Package not found.");
    }
    let id = req.p(0);
    list(
        inner
            .files
            .iter()
            .filter(|f| f.package_id.eq_ignore_ascii_case(id))
            .map(File::view),
    )
}

/// The entries of a zip (stored or deflated): (path, content), read with the `zip` crate
/// (folders skipped).
fn unzip(zip: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip))
        .map_err(|e| format!("not a zip file: {e}"))?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("bad zip entry: {e}"))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map_err(|e| format!("bad zip entry name: {e}"))?
            .into_owned();
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .map_err(|e| format!("bad zip entry {name}: {e}"))?;
        out.push((name, content));
    }
    Ok(out)
}

fn upload_zip(req: &Req<'_>) -> Reply {
    let Some(received) = &req.received else {
        return Reply::bad_request("The upload body was not read.");
    };
    let record = |unpacked: bool| PackageUpload {
        package_id: req.p(0).to_owned(),
        body_bytes: received.body_bytes,
        file_bytes: received.file.as_ref().map(|f| f.0),
        sha256: received.file.as_ref().map(|f| f.1.clone()),
        unpacked,
    };
    if received.kept.is_none() {
        let mut inner = lock(req);
        if inner.find(req.p(0)).is_none() {
            return Reply::not_found("Package not found.");
        }
        inner.last_upload = Some(record(false));
        return Reply::empty(StatusCode::OK);
    }
    lock(req).last_upload = Some(record(true));
    let ct = req
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some((_, zip)) = super::rootcause::first_file(ct, &req.body) else {
        return Reply::bad_request("The zip must be sent as multipart/form-data.");
    };
    let entries = match unzip(&zip) {
        Ok(e) => e,
        Err(e) => return Reply::bad_request(&e),
    };
    if entries.iter().any(|(n, _)| !n.contains('/')) {
        return Reply::bad_request("Zip cannot contain files on root.");
    }
    let mut inner = lock(req);
    let Some(i) = inner.find(req.p(0)) else {
        return Reply::not_found("Package not found.");
    };
    let pid = s(&inner.packages[i], "packageId").to_owned();
    if req
        .q("cleanInstall")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        inner.files.retain(|f| f.package_id != pid);
    }
    for (path, content) in entries {
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", &path));
        let (folder, name) = (folder.to_owned(), name.to_owned());
        inner
            .files
            .retain(|f| !(f.package_id == pid && f.folder == folder && f.name == name));
        inner.next_file += 1;
        let id = inner.next_file.to_string();
        let file = File {
            id,
            package_id: pid.clone(),
            folder,
            name,
            attributes: "None".into(),
            content: Content::Bytes(content.into()),
        };
        inner.files.push(file);
    }
    Reply::empty(StatusCode::OK)
}

fn attribute(req: &Req<'_>) -> Reply {
    const NAMES: &[&str] = &[
        "None",
        "ExecuteOnce",
        "ExecuteAlways",
        "TopLevelFile",
        "OverwriteNever",
        "OverwriteOnNewPackageVersion",
        "ExecuteOncePerVersion",
    ];
    let value = req.q("attribute").unwrap_or_default().into_owned();
    let known = value
        .split(',')
        .all(|v| NAMES.iter().any(|n| n.eq_ignore_ascii_case(v.trim())));
    if value.is_empty() || !known {
        return Reply::bad_request("Unknown file attribute.");
    }
    let mut inner = lock(req);
    match inner.files.iter_mut().find(|f| f.id == req.p(0)) {
        Some(f) => {
            f.attributes = value;
            Reply::empty(StatusCode::OK)
        }
        None => Reply::not_found("File not found."),
    }
}

fn folders(req: &Req<'_>) -> Reply {
    list(lock(req).folders.iter().cloned().map(Value::Object))
}

fn save_folder(req: &Req<'_>) -> Reply {
    let Ok(Value::Object(mut f)) = req.json() else {
        return Reply::bad_request("A virtual folder object is expected.");
    };
    let mut inner = lock(req);
    let id = s(&f, "id").to_owned();
    match inner
        .folders
        .iter_mut()
        .find(|x| !id.is_empty() && s(x, "id") == id)
    {
        Some(x) => *x = f.clone(),
        None => {
            f.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
            inner.folders.push(f.clone());
        }
    }
    Reply::json(&Value::Object(f))
}

fn delete_folder(req: &Req<'_>) -> Reply {
    let mut inner = lock(req);
    let before = inner.folders.len();
    inner.folders.retain(|f| s(f, "id") != req.p(0));
    if inner.folders.len() == before {
        Reply::not_found("Folder not found.")
    } else {
        Reply::empty(StatusCode::OK)
    }
}

fn connected(_: &Req<'_>) -> Reply {
    Reply::json(&json!(true))
}

fn file(req: &Req<'_>) -> Reply {
    let inner = lock(req);
    match inner.files.iter().find(|f| f.id == req.p(0)) {
        Some(f) => Reply::json(&f.view()),
        None => Reply::not_found("File not found."),
    }
}

fn check_file(req: &Req<'_>) -> Reply {
    let (pid, path) = (
        req.q("packageId").unwrap_or_default(),
        req.q("filePath").unwrap_or_default(),
    );
    let sum = req.q("checksum").unwrap_or_default();
    let inner = lock(req);
    let found = inner.files.iter().find(|f| {
        f.package_id.eq_ignore_ascii_case(&pid) && format!("{}/{}", f.folder, f.name) == *path
    });
    let matches = found.is_some_and(|f| {
        f.view()["checksum"]
            .as_str()
            .is_some_and(|c| c.eq_ignore_ascii_case(&sum))
    });
    Reply::json(&json!({"exists": found.is_some(), "match": matches}))
}

fn echo(req: &Req<'_>) -> Reply {
    req.json().map_or_else(|e| e, |v| Reply::json(&v))
}

fn delete_pkg_folder(req: &Req<'_>) -> Reply {
    if req.q("packageFolderId").is_none() {
        return Reply::bad_request("'packageFolderId' is required.");
    }
    Reply::empty(StatusCode::OK)
}

fn delete_files(req: &Req<'_>) -> Reply {
    let ids: Vec<String> = req
        .q("packageFolderFileIds")
        .unwrap_or_default()
        .split(',')
        .map(str::to_owned)
        .collect();
    lock(req).files.retain(|f| !ids.contains(&f.id));
    Reply::empty(StatusCode::OK)
}

fn history(req: &Req<'_>) -> Reply {
    let tags = req.q("tags").unwrap_or_default().into_owned();
    let status = req
        .q("status")
        .and_then(|v| v.parse::<usize>().ok())
        .and_then(|i| STATUSES.get(i));
    let inner = lock(req);
    list(
        inner
            .packages
            .iter()
            .filter(|p| tags.split(',').any(|t| has_tag(p, t.trim(), None)))
            .filter(|p| status.is_none_or(|st| s(p, "status") == *st))
            .cloned()
            .map(Value::Object),
    )
}

fn download_history(req: &Req<'_>) -> Reply {
    list(lock(req).downloads.clone().into_iter())
}

fn installed(req: &Req<'_>) -> Vec<String> {
    let v = req.q("installedPackages").unwrap_or_default();
    v.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

fn revoked(req: &Req<'_>) -> Reply {
    let ids = installed(req);
    let inner = lock(req);
    list(
        ids.into_iter()
            .filter(|id| {
                inner
                    .find(id)
                    .is_some_and(|i| s(&inner.packages[i], "status") == "Revoked")
            })
            .map(Value::from),
    )
}

fn available(req: &Req<'_>) -> Reply {
    let ids = installed(req);
    let inner = lock(req);
    let newer = |p: &Map<String, Value>| {
        s(p, "status") == "Released"
            && ids.iter().filter_map(|id| inner.find(id)).any(|i| {
                let have = &inner.packages[i];
                s(have, "name").eq_ignore_ascii_case(s(p, "name"))
                    && p["version"].as_i64() > have["version"].as_i64()
            })
    };
    list(
        inner
            .packages
            .iter()
            .filter(|p| newer(p))
            .cloned()
            .map(Value::Object),
    )
}

fn details(req: &Req<'_>) -> Reply {
    let id = req.q("packageId").unwrap_or_default().into_owned();
    let inner = lock(req);
    let Some(i) = inner.find(&id) else {
        return Reply::not_found("Package not found.");
    };
    let mut p = inner.packages[i].clone();
    let files: Vec<Value> = inner
        .files
        .iter()
        .filter(|f| f.package_id.eq_ignore_ascii_case(&id))
        .map(File::view)
        .collect();
    p.insert("files".into(), Value::Array(files));
    Reply::json(&Value::Object(p))
}

fn log(req: &Req<'_>) -> Reply {
    let rec = json!({"packageId": req.q("packageId"), "downloadSize": req.q("downloadSize"), "date": now()});
    lock(req).downloads.push(rec);
    Reply::empty(StatusCode::OK)
}

fn download(req: &Req<'_>) -> Reply {
    let id = req
        .q("repositoryFolderFileId")
        .unwrap_or_default()
        .into_owned();
    let inner = lock(req);
    match inner.files.iter().find(|f| f.id == id) {
        Some(f) => match &f.content {
            Content::Bytes(b) => Reply::bytes(b.clone(), "application/octet-stream"),
            Content::Generated(g, _) => Reply {
                stream: Some(g.clone()),
                ..Reply::bytes(Bytes::new(), "application/octet-stream")
            },
        },
        None => Reply::not_found("File not found."),
    }
}
