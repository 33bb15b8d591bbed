//! Who runs a prepared call: the async client (a future) or the blocking client (a value).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tower::ServiceExt;
use tower::util::Oneshot;
use wats_core::Result;

use super::request::Request;
use crate::client::Client;
use crate::stack::{Answer, Call, Stack};

/// How an answer becomes the call's value.
pub(crate) type Decode<T> = fn(Result<Answer>) -> Result<T>;

/// A call ready to send: method, absolute URI, body and how to read the answer, all built
/// from the call's declaration; or the input error that stops it before anything is sent.
///
/// Made by the domain handles' methods and run by a [`Caller`]; see
/// [`Client::execute`](crate::Client::execute).
#[must_use = "a prepared call does nothing until a client runs it"]
pub struct Prepared<T> {
    call: Result<Call>,
    decode: Decode<T>,
}

impl<T> fmt::Debug for Prepared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.call {
            Ok(call) => f
                .debug_struct("Prepared")
                .field("method", &call.method)
                .field("route", &call.route)
                .field("uri", &call.uri)
                .finish_non_exhaustive(),
            Err(e) => f.debug_tuple("Prepared").field(e).finish(),
        }
    }
}

impl<T> Prepared<T> {
    /// Finish `req` against `client`'s base URL.
    pub(crate) fn new(client: &Client, mut req: Request, decode: Decode<T>) -> Prepared<T> {
        let call = req.finish().and_then(|()| {
            let uri = client.shared().base.uri(&req.path, req.query.as_str())?;
            Ok(Call::new(
                req.route.http_method(),
                req.route.template,
                uri,
                req.body.take(),
                req.content_type.take(),
                req.route.idempotent,
            ))
        });
        Prepared { call, decode }
    }

    /// The route template of this call (`/api/Report/Wsjf/{id}`).
    pub fn route(&self) -> Option<&'static str> {
        self.call.as_ref().ok().map(|c| c.route)
    }

    /// The call itself, for the streamed-answer stack (`stream.rs`).
    pub(crate) fn into_call(self) -> Result<Call> {
        self.call
    }

    /// Change the call before it is run (a body streamed from a file).
    pub(crate) fn with_call(mut self, change: impl FnOnce(&mut Call)) -> Prepared<T> {
        if let Ok(call) = &mut self.call {
            change(call);
        }
        self
    }
}

/// The client kinds that run calls: the async [`Client`] and the blocking client of
/// `wats-sync`. A domain handle (`Reports<'c, C>`, `Production<'c, C>`, ...) is generic over
/// it, so every call is written once and each client gets it with its own return type:
/// [`Pending`] (a future) for the async client, `Result<T>` for the blocking one.
///
/// Implemented by this crate's [`Client`] and by `wats_sync::Client`; other
/// implementations are possible but not a goal.
pub trait Caller: Send + Sync {
    /// What a call returns on this client: a future of `Result<T>`, or `Result<T>` itself.
    type Ret<'c, T: Send + 'static>
    where
        Self: 'c;

    /// The async client whose settings (base URL, station, spool) this caller uses.
    fn http(&self) -> &Client;

    /// Run a prepared call.
    fn call<T: Send + 'static>(&self, prepared: Prepared<T>) -> Self::Ret<'_, T>;

    /// A value that is already known (for example an input error found before sending).
    fn ready<T: Send + 'static>(&self, value: Result<T>) -> Self::Ret<'_, T>;

    /// Run an async job that uses the client (a call made of several steps, such as
    /// submit-or-spool).
    fn run<T, F, Fut>(&self, job: F) -> Self::Ret<'_, T>
    where
        F: FnOnce(Client) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static;
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

pin_project! {
    #[project = StateProj]
    enum State<T> {
        Ready { value: Option<Result<T>> },
        Call { #[pin] fut: Oneshot<Stack, Call>, decode: Decode<T> },
        Job { fut: BoxFuture<T> },
    }
}

pin_project! {
    /// The future of one async call: resolves to the call's `Result`.
    ///
    /// Nothing is sent until it is polled (awaited). It is `Send` and `'static`, so it can be
    /// spawned, and it carries the caller's correlation id when wrapped with
    /// [`with_correlation_id`](wats_core::CorrelationExt::with_correlation_id).
    #[must_use = "futures do nothing unless awaited"]
    pub struct Pending<T> {
        #[pin]
        state: State<T>,
    }
}

impl<T> fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending").finish_non_exhaustive()
    }
}

impl<T> Pending<T> {
    pub(crate) fn ready(value: Result<T>) -> Pending<T> {
        Pending {
            state: State::Ready { value: Some(value) },
        }
    }

    pub(crate) fn job(fut: BoxFuture<T>) -> Pending<T> {
        Pending {
            state: State::Job { fut },
        }
    }
}

impl<T> Future for Pending<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        match self.project().state.project() {
            StateProj::Ready { value } => match value.take() {
                Some(v) => Poll::Ready(v),
                None => Poll::Ready(Err(wats_core::Error::InvalidConfig(
                    "a wats call future was polled after it completed".to_owned(),
                ))),
            },
            StateProj::Call { fut, decode } => match fut.poll(cx) {
                Poll::Ready(answer) => Poll::Ready(decode(answer)),
                Poll::Pending => Poll::Pending,
            },
            StateProj::Job { fut } => fut.as_mut().poll(cx),
        }
    }
}

impl Client {
    /// Run a prepared call through this client's stack (deadline, retries, breaker,
    /// headers, pool). The domain handles' methods do this for you; the blocking client uses
    /// it on its per-thread pools.
    pub fn execute<T>(&self, prepared: Prepared<T>) -> Pending<T> {
        match prepared.call {
            Ok(mut call) => {
                call.fresh |= self.is_fresh();
                Pending {
                    state: State::Call {
                        fut: self.stack().oneshot(call),
                        decode: prepared.decode,
                    },
                }
            }
            Err(e) => Pending::ready(Err(e)),
        }
    }
}

impl Caller for Client {
    type Ret<'c, T: Send + 'static> = Pending<T>;

    fn http(&self) -> &Client {
        self
    }

    fn call<T: Send + 'static>(&self, prepared: Prepared<T>) -> Pending<T> {
        self.execute(prepared)
    }

    fn ready<T: Send + 'static>(&self, value: Result<T>) -> Pending<T> {
        Pending::ready(value)
    }

    fn run<T, F, Fut>(&self, job: F) -> Pending<T>
    where
        F: FnOnce(Client) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        Pending::job(Box::pin(job(self.clone())))
    }
}
