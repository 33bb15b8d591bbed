//! The request body of a connection pool: one buffer (every JSON call, and nothing else
//! on the common path) or a file streamed from disk between a prefix and a suffix (a
//! multipart upload), with its exact length known before the first byte is sent.
//!
//! The file is opened when the body is first polled, so each attempt that builds a body
//! from the same [`FileUpload`] reads the file anew (a path, not a reader, is what the
//! call carries). Uploads are POSTs, which the retry layer never repeats; reopening keeps a
//! future idempotent upload correct without buffering.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Body, Frame, SizeHint};
use http_body_util::Full;
use tokio_util::io::ReaderStream;

/// How much of the file one frame carries.
const CHUNK: usize = 64 * 1024;

/// Errors of a request body (hyper wants them boxed).
pub(crate) type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// A file sent as (part of) a request body: `head`, the file's `len` bytes, `tail`.
#[derive(Debug)]
pub(crate) struct FileUpload {
    /// The file to read (opened per attempt).
    pub(crate) path: PathBuf,
    /// Bytes sent before the file (a multipart part's header).
    pub(crate) head: Bytes,
    /// The file's length when the call was prepared; the body fails if it changed.
    pub(crate) len: u64,
    /// Bytes sent after the file (a multipart closing delimiter).
    pub(crate) tail: Bytes,
}

impl FileUpload {
    /// The whole body's length (what `Content-Length` says).
    pub(crate) fn content_length(&self) -> u64 {
        self.head.len() as u64 + self.len + self.tail.len() as u64
    }
}

/// The request body type of the pooled hyper-util client.
pub(crate) enum ReqBody {
    /// A buffer (JSON, XML, an in-memory multipart body, or nothing).
    Full(Full<Bytes>),
    /// A file streamed in chunks.
    File(FileBody),
}

impl fmt::Debug for ReqBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReqBody::Full(_) => f.write_str("ReqBody::Full"),
            ReqBody::File(b) => f.debug_tuple("ReqBody::File").field(&b.upload).finish(),
        }
    }
}

impl ReqBody {
    /// A body of one buffer.
    pub(crate) fn full(bytes: Bytes) -> ReqBody {
        ReqBody::Full(Full::new(bytes))
    }

    /// A body streamed from `upload`'s file.
    pub(crate) fn file(upload: Arc<FileUpload>) -> ReqBody {
        ReqBody::File(FileBody {
            sent: 0,
            read: 0,
            state: FileState::Head,
            upload,
        })
    }
}

impl Body for ReqBody {
    type Data = Bytes;
    type Error = BodyError;

    #[inline]
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        match self.get_mut() {
            ReqBody::Full(full) => match ready!(Pin::new(full).poll_frame(cx)) {
                Some(Ok(frame)) => Poll::Ready(Some(Ok(frame))),
                Some(Err(never)) => match never {},
                None => Poll::Ready(None),
            },
            ReqBody::File(file) => file.poll_next_frame(cx),
        }
    }

    #[inline]
    fn is_end_stream(&self) -> bool {
        match self {
            ReqBody::Full(full) => full.is_end_stream(),
            ReqBody::File(file) => matches!(file.state, FileState::Done),
        }
    }

    #[inline]
    fn size_hint(&self) -> SizeHint {
        match self {
            ReqBody::Full(full) => full.size_hint(),
            ReqBody::File(file) => {
                SizeHint::with_exact(file.upload.content_length().saturating_sub(file.sent))
            }
        }
    }
}

type Open = Pin<Box<dyn Future<Output = std::io::Result<tokio::fs::File>> + Send>>;

/// A file between its head and tail bytes, read in [`CHUNK`]s.
pub(crate) struct FileBody {
    upload: Arc<FileUpload>,
    state: FileState,
    /// Bytes handed to hyper so far (for the size hint).
    sent: u64,
    /// Bytes of the file read so far.
    read: u64,
}

enum FileState {
    Head,
    Opening(Open),
    Reading(ReaderStream<tokio::fs::File>),
    Tail,
    Done,
}

impl FileBody {
    fn fail(&mut self, message: &str) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        self.state = FileState::Done;
        Poll::Ready(Some(Err(Box::new(std::io::Error::other(format!(
            "{}: {message}",
            self.upload.path.display()
        ))))))
    }

    fn data(&mut self, bytes: Bytes) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        self.sent += bytes.len() as u64;
        Poll::Ready(Some(Ok(Frame::data(bytes))))
    }

    fn poll_next_frame(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        loop {
            match &mut self.state {
                FileState::Head => {
                    let path = self.upload.path.clone();
                    self.state = FileState::Opening(Box::pin(tokio::fs::File::open(path)));
                    if !self.upload.head.is_empty() {
                        let head = self.upload.head.clone();
                        return self.data(head);
                    }
                }
                FileState::Opening(open) => match ready!(open.as_mut().poll(cx)) {
                    Ok(file) => {
                        self.state = FileState::Reading(ReaderStream::with_capacity(file, CHUNK));
                    }
                    Err(e) => return self.fail(&format!("cannot open the file to upload: {e}")),
                },
                FileState::Reading(stream) => match ready!(Pin::new(stream).poll_next(cx)) {
                    Some(Ok(chunk)) => {
                        self.read += chunk.len() as u64;
                        if self.read > self.upload.len {
                            return self.fail(&format!(
                                "the file grew while it was uploaded (more than {} bytes)",
                                self.upload.len
                            ));
                        }
                        return self.data(chunk);
                    }
                    Some(Err(e)) => return self.fail(&format!("reading the file failed: {e}")),
                    None => {
                        if self.read != self.upload.len {
                            let (read, len) = (self.read, self.upload.len);
                            return self.fail(&format!(
                                "the file shrank while it was uploaded ({read} of {len} bytes)"
                            ));
                        }
                        self.state = FileState::Tail;
                    }
                },
                FileState::Tail => {
                    self.state = FileState::Done;
                    if !self.upload.tail.is_empty() {
                        let tail = self.upload.tail.clone();
                        return self.data(tail);
                    }
                }
                FileState::Done => return Poll::Ready(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_file_body_is_head_file_tail_in_chunks() {
        let dir = std::env::temp_dir().join(format!("wats-body-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.bin");
        let content: Vec<u8> = (0..200_000_u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &content).unwrap();
        let upload = Arc::new(FileUpload {
            path: path.clone(),
            head: Bytes::from_static(b"<head>"),
            len: content.len() as u64,
            tail: Bytes::from_static(b"<tail>"),
        });
        let body = ReqBody::file(upload.clone());
        assert_eq!(body.size_hint().exact(), Some(200_012));
        let mut frames = 0;
        let mut got = Vec::new();
        let mut body = body;
        while let Some(frame) = body.frame().await {
            let data = frame.unwrap().into_data().unwrap();
            assert!(data.len() <= CHUNK);
            got.extend_from_slice(&data);
            frames += 1;
        }
        assert!(body.is_end_stream());
        assert!(frames >= 2 + 200_000 / CHUNK, "{frames} frames");
        let mut want = b"<head>".to_vec();
        want.extend_from_slice(&content);
        want.extend_from_slice(b"<tail>");
        assert_eq!(got, want);

        // A file that changed size since the length was taken fails the body.
        std::fs::write(&path, &content[..10]).unwrap();
        let body = ReqBody::file(upload);
        let err = body.collect().await.unwrap_err();
        assert!(err.to_string().contains("shrank"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[tokio::test]
    async fn a_missing_file_fails_the_body() {
        let upload = Arc::new(FileUpload {
            path: PathBuf::from("/nonexistent/wats/none.zip"),
            head: Bytes::new(),
            len: 1,
            tail: Bytes::new(),
        });
        let err = ReqBody::file(upload).collect().await.unwrap_err();
        assert!(err.to_string().contains("cannot open"), "{err}");
    }
}
