//! The response body type: a single buffer, or a body that breaks midway.

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
        matches!(self, MockBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            MockBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            MockBody::Full(None) => SizeHint::with_exact(0),
            MockBody::Broken { full_len, .. } => SizeHint::with_exact(*full_len),
        }
    }
}
