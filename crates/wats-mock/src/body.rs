//! The response body type: a single buffer, a body that breaks midway, or a large body
//! generated chunk by chunk as it is sent ([`Generated`]).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// The error a [`MockBody::Broken`] body ends with (makes hyper drop the connection).
#[derive(Debug, thiserror::Error)]
#[error("wats-mock: connection closed mid-response (injected fault)")]
pub(crate) struct Broken;

/// A response body.
#[derive(Debug)]
pub(crate) enum MockBody {
    /// The whole body in one frame (`None` once sent).
    Full(Option<Bytes>),
    /// Generated content, one chunk per frame: never held whole. With `cut_at`, the body
    /// fails (hyper drops the connection) instead of sending chunk `cut_at`.
    Generated {
        content: Generated,
        next: u64,
        cut_at: Option<u64>,
    },
    /// Sends `first`, waits so hyper flushes it, then fails.
    Broken {
        first: Option<Bytes>,
        full_len: u64,
        pause: Pin<Box<Sleep>>,
    },
}

impl MockBody {
    pub(crate) fn full(b: impl Into<Bytes>) -> MockBody {
        MockBody::Full(Some(b.into()))
    }

    pub(crate) fn broken(full: &Bytes) -> MockBody {
        let half = full.len() / 2;
        MockBody::Broken {
            first: (half > 0).then(|| full.slice(..half)),
            full_len: full.len() as u64,
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(20))),
        }
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = Broken;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Broken>>> {
        match self.get_mut() {
            MockBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            MockBody::Generated {
                content,
                next,
                cut_at,
            } => {
                if cut_at.is_some_and(|cut| *next >= cut) {
                    return Poll::Ready(Some(Err(Broken)));
                }
                let chunk = content.chunk(*next);
                *next += 1;
                Poll::Ready(chunk.map(|c| Ok(Frame::data(c))))
            }
            MockBody::Broken { first, pause, .. } => {
                if let Some(b) = first.take() {
                    return Poll::Ready(Some(Ok(Frame::data(b))));
                }
                match pause.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Broken))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            MockBody::Full(b) => b.is_none(),
            MockBody::Generated {
                content,
                next,
                cut_at,
            } => cut_at.is_none() && *next >= content.chunks(),
            MockBody::Broken { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            MockBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            MockBody::Full(None) => SizeHint::with_exact(0),
            MockBody::Generated { content, next, .. } => SizeHint::with_exact(
                content
                    .len
                    .saturating_sub(next.saturating_mul(Generated::CHUNK as u64)),
            ),
            MockBody::Broken { full_len, .. } => SizeHint::with_exact(*full_len),
        }
    }
}

/// A file's content made on the fly: `len` bytes in chunks of [`Generated::CHUNK`], each a
/// copy of a 64 KiB pseudo-random pattern (seeded) whose first 8 bytes are the chunk's
/// index, so chunks out of order or repeated change the checksum. Only the pattern is kept.
#[derive(Debug, Clone)]
pub(crate) struct Generated {
    pub(crate) len: u64,
    pattern: Bytes,
}

impl Generated {
    /// Bytes per chunk (and per frame).
    pub(crate) const CHUNK: usize = 64 * 1024;

    pub(crate) fn new(len: u64, seed: u64) -> Generated {
        let mut x = seed | 1;
        let mut pattern = Vec::with_capacity(Self::CHUNK);
        while pattern.len() < Self::CHUNK {
            // xorshift64
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            pattern.extend_from_slice(&x.to_le_bytes());
        }
        Generated {
            len,
            pattern: Bytes::from(pattern),
        }
    }

    /// The number of chunks.
    pub(crate) fn chunks(&self) -> u64 {
        self.len.div_ceil(Self::CHUNK as u64)
    }

    /// Chunk `k`, or `None` past the end.
    pub(crate) fn chunk(&self, k: u64) -> Option<Bytes> {
        let start = k.checked_mul(Self::CHUNK as u64)?;
        if start >= self.len {
            return None;
        }
        let n = usize::try_from((self.len - start).min(Self::CHUNK as u64)).ok()?;
        let mut chunk = self.pattern[..n].to_vec();
        let index = k.to_le_bytes();
        let m = n.min(index.len());
        chunk[..m].copy_from_slice(&index[..m]);
        Some(Bytes::from(chunk))
    }

    /// The hex SHA-256 of the whole content (computed chunk by chunk).
    pub(crate) fn sha256(&self) -> String {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        let mut k = 0;
        while let Some(c) = self.chunk(k) {
            ctx.update(&c);
            k += 1;
        }
        ctx.finish()
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn generated_bodies_are_chunked_and_exact() {
        let g = Generated::new(3 * Generated::CHUNK as u64 + 5, 7);
        assert_eq!(g.chunks(), 4);
        let body = MockBody::Generated {
            content: g.clone(),
            next: 0,
            cut_at: None,
        };
        assert_eq!(body.size_hint().exact(), Some(g.len));
        let all = body.collect().await.unwrap().to_bytes();
        assert_eq!(all.len() as u64, g.len);
        assert_eq!(
            &all[Generated::CHUNK..Generated::CHUNK + 8],
            &1_u64.to_le_bytes()
        );
        let sum = ring::digest::digest(&ring::digest::SHA256, &all);
        let hex: String = sum.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(g.sha256(), hex);
        assert_ne!(
            Generated::new(10, 8).sha256(),
            Generated::new(10, 7).sha256()
        );
    }

    #[tokio::test]
    async fn a_cut_generated_body_sends_its_first_chunks_then_fails() {
        let g = Generated::new(4 * Generated::CHUNK as u64, 3);
        let mut body = MockBody::Generated {
            content: g.clone(),
            next: 0,
            cut_at: Some(2),
        };
        let mut sent = 0;
        let failed = loop {
            match body.frame().await {
                Some(Ok(frame)) => sent += frame.into_data().unwrap().len(),
                Some(Err(Broken)) => break true,
                None => break false,
            }
        };
        assert!(failed, "the body ends in an error, not a clean end");
        assert_eq!(sent, 2 * Generated::CHUNK);
        assert_eq!(body.size_hint().exact(), Some(2 * Generated::CHUNK as u64));
    }
}
