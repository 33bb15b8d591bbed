//! The software domain's large content, streamed both ways: generated package files (added
//! by `MockServer::add_generated_package_file`, sent chunk by chunk) and zip uploads read
//! frame by frame ([`receive`]), counted and hashed as they arrive.

use bytes::Bytes;
use http_body_util::BodyExt;

use super::{Content, File, hex, s};
use crate::body::Generated;
use crate::domains::{Reply, Served};
use crate::store::Store;

/// What the mock received in the last zip upload (see
/// [`MockServer::last_package_upload`](crate::MockServer::last_package_upload)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PackageUpload {
    /// The package it was for.
    pub package_id: String,
    /// Bytes of the whole request body (multipart framing included).
    pub body_bytes: u64,
    /// Bytes of the file part's content, when the body was one well-formed file part.
    pub file_bytes: Option<u64>,
    /// Hex SHA-256 of the file part's content, when the body was one well-formed file part.
    pub sha256: Option<String>,
    /// Whether the zip was kept and unpacked (uploads up to [`KEEP_UPLOAD`] bytes).
    pub unpacked: bool,
}

/// Zip uploads up to this size are kept and unpacked into package files; larger ones are
/// only counted and hashed as they are read.
pub const KEEP_UPLOAD: u64 = 8 * 1024 * 1024;

/// What [`receive`] read of a streamed upload.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// The body, when it was at most [`KEEP_UPLOAD`] bytes.
    pub(crate) kept: Option<Bytes>,
    /// Bytes of the whole body.
    pub(crate) body_bytes: u64,
    /// The file part's content length and hex SHA-256, when the body was one file part.
    pub(crate) file: Option<(u64, String)>,
}

/// Whether `served` is the zip upload, whose body [`receive`] reads.
pub(crate) fn streams_upload(served: &Served) -> bool {
    served.template == "/api/Software/Package/UploadZip/{id}"
}

/// Read a one-file `multipart/form-data` body frame by frame: count every byte, hash the
/// file part's content (holding back only as many bytes as the closing delimiter has), and
/// keep the body only while it is at most [`KEEP_UPLOAD`] bytes.
pub(crate) async fn receive(
    headers: &http::HeaderMap,
    mut body: hyper::body::Incoming,
) -> Result<Received, Reply> {
    let boundary = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| {
            ct.split(';')
                .find_map(|p| p.trim().strip_prefix("boundary="))
                .map(|b| b.trim_matches('"').to_owned())
        });
    let closing = boundary
        .as_ref()
        .map(|b| format!("\r\n--{b}--\r\n").into_bytes());
    let mut kept: Option<Vec<u8>> = Some(Vec::new());
    let mut total = 0_u64;
    // Before the content: the part's header, looked for in at most 16 KiB.
    let mut header: Option<Vec<u8>> = Some(Vec::new());
    let mut held: Vec<u8> = Vec::new();
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut content = 0_u64;
    let mut malformed = closing.is_none();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| Reply::bad_request("The request body could not be read."))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total += data.len() as u64;
        if let Some(k) = &mut kept {
            if total <= KEEP_UPLOAD {
                k.extend_from_slice(&data);
            } else {
                kept = None;
            }
        }
        if malformed {
            continue;
        }
        let mut rest: &[u8] = &data;
        if let Some(h) = &mut header {
            h.extend_from_slice(rest);
            match h.windows(4).position(|w| w == b"\r\n\r\n") {
                Some(end) => {
                    held = h.split_off(end + 4);
                    header = None;
                    rest = &[];
                }
                None if h.len() > 16 * 1024 => malformed = true,
                None => continue,
            }
        }
        held.extend_from_slice(rest);
        let keep_back = closing.as_ref().map_or(0, Vec::len);
        if held.len() > keep_back {
            let n = held.len() - keep_back;
            ctx.update(&held[..n]);
            content += n as u64;
            held.drain(..n);
        }
    }
    let file = match &closing {
        Some(c) if !malformed && header.is_none() && held == *c => {
            Some((content, hex(ctx.finish().as_ref())))
        }
        _ => None,
    };
    Ok(Received {
        kept: kept.map(Bytes::from),
        body_bytes: total,
        file,
    })
}

/// Add a generated file of `len` bytes to package `package_id` (see
/// [`MockServer::add_generated_package_file`](crate::MockServer::add_generated_package_file)).
pub(crate) fn add_generated(
    store: &Store,
    package_id: &str,
    folder: &str,
    name: &str,
    len: u64,
) -> Option<String> {
    let mut inner = store
        .domains
        .software
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let i = inner.find(package_id)?;
    let pid = s(&inner.packages[i], "packageId").to_owned();
    inner.next_file += 1;
    let id = inner.next_file.to_string();
    let content = Generated::new(len, inner.next_file);
    let sum = content.sha256();
    inner.files.push(File {
        id: id.clone(),
        package_id: pid,
        folder: folder.to_owned(),
        name: name.to_owned(),
        attributes: "None".into(),
        content: Content::Generated(content, sum),
    });
    Some(id)
}

/// The last zip upload received.
pub(crate) fn last_upload(store: &Store) -> Option<PackageUpload> {
    store
        .domains
        .software
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .last_upload
        .clone()
}
