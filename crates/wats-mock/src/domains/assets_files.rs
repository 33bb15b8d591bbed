//! The internal asset file store (`/api/internal/Blob/...`) in the mock: files kept per
//! asset id, in upload order, as raw bytes. A download answers the raw bytes
//! (`application/octet-stream`), the form the client reads first; the list answers the
//! file names (the form pyWATS's callers read). Files of an asset that does not exist are
//! refused with 404, as the server refuses them.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use http::StatusCode;
use serde_json::Value;

use super::super::{Reply, Req};

/// The stored files: asset id → (file name, content), in upload order.
#[derive(Debug, Default)]
pub(crate) struct Files {
    inner: Mutex<BTreeMap<String, Vec<(String, Bytes)>>>,
}

fn files<'a>(req: &Req<'a>) -> MutexGuard<'a, BTreeMap<String, Vec<(String, Bytes)>>> {
    req.store
        .domains
        .assets
        .files
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The `assetId` query value, when that asset exists.
fn asset_id(req: &Req<'_>) -> Result<String, Reply> {
    let id = req.q("assetId").unwrap_or_default().into_owned();
    if id.is_empty() {
        return Err(Reply::bad_request("assetId is required."));
    }
    if !super::exists(req, &id) {
        return Err(Reply::not_found("Asset not found."));
    }
    Ok(id)
}

fn file_name(req: &Req<'_>) -> Result<String, Reply> {
    let name = req.q("filename").unwrap_or_default().into_owned();
    if name.trim().is_empty() {
        return Err(Reply::bad_request("filename is required."));
    }
    Ok(name)
}

/// `POST /api/internal/Blob/Asset?assetId&filename`: store the raw body (replacing a file
/// of the same name).
pub(crate) fn upload(req: &Req<'_>) -> Reply {
    let (id, name) = match (asset_id(req), file_name(req)) {
        (Ok(id), Ok(name)) => (id, name),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let mut all = files(req);
    let list = all.entry(id).or_default();
    list.retain(|(n, _)| *n != name);
    list.push((name, req.body.clone()));
    Reply::empty(StatusCode::OK)
}

/// `GET /api/internal/Blob/Asset?assetId&filename`: the file's bytes.
pub(crate) fn download(req: &Req<'_>) -> Reply {
    let (id, name) = match (asset_id(req), file_name(req)) {
        (Ok(id), Ok(name)) => (id, name),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let all = files(req);
    match all
        .get(&id)
        .and_then(|l| l.iter().find(|(n, _)| *n == name))
    {
        Some((_, bytes)) => Reply::bytes(bytes.clone(), "application/octet-stream"),
        None => Reply::not_found("File not found."),
    }
}

/// `GET /api/internal/Blob/Asset/List/{id}`: the asset's file names.
pub(crate) fn list(req: &Req<'_>) -> Reply {
    let id = req.p(0);
    if !super::exists(req, id) {
        return Reply::not_found("Asset not found.");
    }
    let all = files(req);
    let names = all
        .get(id)
        .map(|l| l.iter().map(|(n, _)| Value::from(n.as_str())).collect())
        .unwrap_or_default();
    Reply::json(&Value::Array(names))
}

/// `DELETE /api/internal/Blob/Assets?assetId`, body: the file names (a JSON list).
pub(crate) fn delete(req: &Req<'_>) -> Reply {
    let id = match asset_id(req) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Ok(Value::Array(names)) = req.json() else {
        return Reply::bad_request("A list of file names is expected.");
    };
    let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
    let mut all = files(req);
    if let Some(list) = all.get_mut(&id) {
        list.retain(|(n, _)| !names.contains(&n.as_str()));
    }
    Reply::empty(StatusCode::OK)
}
