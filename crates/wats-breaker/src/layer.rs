//! The tower adapter: [`CircuitBreakerLayer`] and [`CircuitBreakerService`].

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::breaker::Ticket;
use crate::{BreakerError, CircuitBreaker, Outcome, Rejected};

/// Turns a service's result into an [`Outcome`] for the breaker.
///
/// Implemented for every `Fn(&Result<Res, E>) -> Outcome`, so a closure is
/// enough: for an HTTP client, count 5xx and transport errors as failures,
/// 4xx as [`Outcome::Ignored`].
pub trait Classify<Res, E> {
    /// The outcome of one call.
    fn classify(&self, result: &Result<Res, E>) -> Outcome;
}

impl<F, Res, E> Classify<Res, E> for F
where
    F: Fn(&Result<Res, E>) -> Outcome,
{
    #[inline]
    fn classify(&self, result: &Result<Res, E>) -> Outcome {
        self(result)
    }
}

/// The default classification: every `Err` is a failure, every `Ok` a
/// success.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultClassifier;

impl<Res, E> Classify<Res, E> for DefaultClassifier {
    #[inline]
    fn classify(&self, result: &Result<Res, E>) -> Outcome {
        if result.is_ok() {
            Outcome::Success
        } else {
            Outcome::Failure
        }
    }
}

/// How a service and its call futures hold the breaker.
///
/// Two handles exist: `Arc<CircuitBreaker>` (what
/// [`CircuitBreakerLayer::new`] uses) and `&'static CircuitBreaker` (from
/// [`CircuitBreakerLayer::from_static`], for a breaker in a `static`: no
/// reference count is touched per call). The trait is sealed.
pub trait BreakerHandle: Deref<Target = CircuitBreaker> + Clone + sealed::Sealed {
    /// The handle a new service value gets: a fresh `Arc` (so each service
    /// value has its own reference count), or the same `&'static`.
    #[doc(hidden)]
    fn fork(&self) -> Self;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for std::sync::Arc<crate::CircuitBreaker> {}
    impl Sealed for &'static crate::CircuitBreaker {}
}

impl BreakerHandle for Arc<CircuitBreaker> {
    fn fork(&self) -> Self {
        Arc::new(CircuitBreaker::clone(self))
    }
}

impl BreakerHandle for &'static CircuitBreaker {
    fn fork(&self) -> Self {
        self
    }
}

/// A tower [`Layer`] that guards a service with a [`CircuitBreaker`].
///
/// Every service the layer makes shares the layer's breaker. A rejected call
/// fails at once with [`BreakerError::Rejected`] without calling the inner
/// service. Rejection happens in `call`, not in `poll_ready`, so wrappers
/// such as `Buffer` do not treat an open breaker as a dead service (the
/// inner service's readiness, if reserved, carries over to the next call).
#[derive(Clone)]
pub struct CircuitBreakerLayer<C = DefaultClassifier, H = Arc<CircuitBreaker>> {
    breaker: H,
    classifier: C,
}

impl CircuitBreakerLayer {
    /// A layer around `breaker` with the [`DefaultClassifier`].
    #[must_use]
    pub fn new(breaker: CircuitBreaker) -> Self {
        Self {
            breaker: Arc::new(breaker),
            classifier: DefaultClassifier,
        }
    }
}

impl CircuitBreakerLayer<DefaultClassifier, &'static CircuitBreaker> {
    /// A layer around a breaker that lives for the whole program (e.g. in a
    /// `static LazyLock`): call futures borrow it instead of counting
    /// references, which saves two atomic read-modify-writes per call.
    #[must_use]
    pub fn from_static(breaker: &'static CircuitBreaker) -> Self {
        Self {
            breaker,
            classifier: DefaultClassifier,
        }
    }
}

impl<C, H: BreakerHandle> CircuitBreakerLayer<C, H> {
    /// Uses `classifier` to turn the inner service's results into outcomes.
    /// It is cloned into every call's future; wrap big state in an `Arc`.
    #[must_use]
    pub fn with_classifier<C2>(self, classifier: C2) -> CircuitBreakerLayer<C2, H> {
        CircuitBreakerLayer {
            breaker: self.breaker,
            classifier,
        }
    }

    /// The breaker this layer uses (for state, metrics, reset).
    #[must_use]
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }
}

impl<C, H: BreakerHandle> fmt::Debug for CircuitBreakerLayer<C, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakerLayer")
            .field("breaker", &*self.breaker)
            .finish_non_exhaustive()
    }
}

impl<S, C: Clone, H: BreakerHandle> Layer<S> for CircuitBreakerLayer<C, H> {
    type Service = CircuitBreakerService<S, C, H>;

    fn layer(&self, inner: S) -> Self::Service {
        CircuitBreakerService {
            inner,
            breaker: self.breaker.fork(),
            classifier: self.classifier.clone(),
        }
    }
}

/// A service guarded by a [`CircuitBreaker`]; made by [`CircuitBreakerLayer`].
///
/// With the default `Arc` handle, each call's future keeps a
/// reference-counted handle on the breaker. The handle is private to this
/// service value: cloning the service makes a new one (one small allocation
/// per clone), so tasks that each use their own clone never write a shared
/// reference count on the call path.
pub struct CircuitBreakerService<S, C = DefaultClassifier, H = Arc<CircuitBreaker>> {
    inner: S,
    breaker: H,
    classifier: C,
}

impl<S: Clone, C: Clone, H: BreakerHandle> Clone for CircuitBreakerService<S, C, H> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            breaker: self.breaker.fork(),
            classifier: self.classifier.clone(),
        }
    }
}

impl<S, C, H: BreakerHandle> CircuitBreakerService<S, C, H> {
    /// The breaker guarding this service.
    #[must_use]
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: fmt::Debug, C, H: BreakerHandle> fmt::Debug for CircuitBreakerService<S, C, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakerService")
            .field("inner", &self.inner)
            .field("breaker", &*self.breaker)
            .finish_non_exhaustive()
    }
}

impl<S, C, H, Req> Service<Req> for CircuitBreakerService<S, C, H>
where
    S: Service<Req>,
    C: Classify<S::Response, S::Error> + Clone,
    H: BreakerHandle,
{
    type Response = S::Response;
    type Error = BreakerError<S::Error>;
    type Future = ResponseFuture<S::Future, C, H>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(BreakerError::Inner)
    }

    #[inline]
    fn call(&mut self, req: Req) -> Self::Future {
        match self.breaker.acquire_ticket() {
            Ok(ticket) => {
                // The permit exists before the inner call: if `call` panics, unwinding drops
                // it and frees the slot (a half-open probe slot would otherwise be lost).
                let permit = LocalPermit {
                    breaker: self.breaker.clone(),
                    ticket,
                    done: false,
                };
                let classifier = self.classifier.clone();
                let fut = self.inner.call(req);
                ResponseFuture {
                    state: FutState::Running {
                        fut,
                        permit: Some(permit),
                        classifier,
                    },
                }
            }
            Err(rejected) => ResponseFuture {
                state: FutState::Rejected { rejected },
            },
        }
    }
}

/// A permit held by a call's future; dropping it unrecorded frees it.
struct LocalPermit<H: BreakerHandle> {
    breaker: H,
    ticket: Ticket,
    done: bool,
}

impl<H: BreakerHandle> LocalPermit<H> {
    #[inline]
    fn record(mut self, outcome: Outcome) {
        self.done = true;
        self.breaker.complete_ticket(self.ticket, Some(outcome));
    }
}

impl<H: BreakerHandle> Drop for LocalPermit<H> {
    #[inline]
    fn drop(&mut self) {
        if !self.done {
            self.breaker.complete_ticket(self.ticket, None);
        }
    }
}

pin_project! {
    /// The future of a [`CircuitBreakerService`] call. Records the outcome
    /// when the inner future completes; dropping it early frees the permit
    /// without recording a result.
    pub struct ResponseFuture<F, C, H: BreakerHandle = Arc<CircuitBreaker>> {
        #[pin]
        state: FutState<F, C, H>,
    }
}

pin_project! {
    #[project = FutStateProj]
    enum FutState<F, C, H: BreakerHandle> {
        Running {
            #[pin]
            fut: F,
            permit: Option<LocalPermit<H>>,
            classifier: C,
        },
        Rejected {
            rejected: Rejected,
        },
    }
}

impl<F, C, H: BreakerHandle> fmt::Debug for ResponseFuture<F, C, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, C, H, Res, E> Future for ResponseFuture<F, C, H>
where
    F: Future<Output = Result<Res, E>>,
    C: Classify<Res, E>,
    H: BreakerHandle,
{
    type Output = Result<Res, BreakerError<E>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            FutStateProj::Running {
                fut,
                permit,
                classifier,
            } => {
                let result = match fut.poll(cx) {
                    Poll::Ready(r) => r,
                    Poll::Pending => return Poll::Pending,
                };
                if let Some(permit) = permit.take() {
                    permit.record(classifier.classify(&result));
                }
                Poll::Ready(result.map_err(BreakerError::Inner))
            }
            FutStateProj::Rejected { rejected } => {
                Poll::Ready(Err(BreakerError::Rejected(*rejected)))
            }
        }
    }
}
