//! The asset file store pyWATS uses: `client.assets().internal()`.
//!
//! **Undocumented by the server; these routes may change without notice.**

use base64::Engine;
use bytes::Bytes;
use serde_json::Value;
use wats_core::{Error, Result};

use crate::endpoint::Body;
use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};

/// A stored file: the body itself, or (as some servers answer) JSON holding the bytes as
/// base64 in `content` or `Content`.
fn file_bytes(answer: Result<crate::stack::Answer>) -> Result<Bytes> {
    let answer = answer?;
    let is_json = answer
        .response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().starts_with("application/json"));
    let body = answer.response.into_body();
    if !is_json {
        return Ok(body);
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&body) else {
        return Ok(body);
    };
    let Some(text) = ["content", "Content"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str))
    else {
        return Ok(body);
    };
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map(Bytes::from)
        .map_err(|e| Error::Decode {
            target: "asset file",
            path: ".content".to_owned(),
            message: format!("not base64: {e}"),
        })
}

calls! {
    /// The asset file store, from `client.assets().internal()`: undocumented by the server,
    /// may change without notice.
    handle AssetsInternal, domain "assets_internal", via "assets().internal()";

    /// Store a file for an asset (`POST /api/internal/Blob/Asset`, raw bytes).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn upload_file(asset_id: &str, file_name: &str, content: impl Into<Bytes>) -> () {
        POST "/api/internal/Blob/Asset";
        pywats "asset.upload_file";
        query ["assetId" = asset_id, "filename" = file_name];
        body Body::raw(content, "application/octet-stream");
        answer unit;
    }

    /// A stored file's bytes (`GET /api/internal/Blob/Asset`); an answer of JSON with base64
    /// `content`/`Content` is decoded.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Decode`] for bad base64; status, transport and timeout
    /// errors.
    fn download_file(asset_id: &str, file_name: &str) -> Bytes {
        GET "/api/internal/Blob/Asset";
        pywats "asset.download_file";
        query ["assetId" = asset_id, "filename" = file_name];
        answer with(file_bytes);
    }

    /// The files stored for an asset (`GET /api/internal/Blob/Asset/List/{id}`), as the
    /// server lists them.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn list_files(asset_id: &str) -> Vec<Value> {
        GET "/api/internal/Blob/Asset/List/{id}";
        pywats "asset.list_files";
        path [asset_id];
        answer list;
    }

    /// Delete files of an asset (`DELETE /api/internal/Blob/Assets`, the names as a JSON
    /// list; pyWATS drops the list and sends the asset id only).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn delete_files(asset_id: &str, file_names: &[&str]) -> () {
        DELETE "/api/internal/Blob/Assets";
        pywats "asset.delete_files";
        query ["assetId" = asset_id];
        body Body::json(file_names);
        answer unit;
    }
}

const WHY: &str = "internal asset file store pyWATS 0.6 `asset` relies on (see the pywats \
                   line); undocumented, may change";

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[
    Exception {
        method: "POST",
        template: "/api/internal/Blob/Asset",
        query: None,
        reason: WHY,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Blob/Asset",
        query: None,
        reason: WHY,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Blob/Asset/List/{id}",
        query: None,
        reason: WHY,
    },
    Exception {
        method: "DELETE",
        template: "/api/internal/Blob/Assets",
        query: None,
        reason: WHY,
    },
];

/// This domain's routes the mock leaves to `mockito` tests: none (the mock keeps the file
/// store; `wats-http/tests/assets_files.rs` also checks the base64 answer form on mockito).
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
