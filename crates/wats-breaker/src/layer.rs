//! The tower adapter: [`CircuitBreakerLayer`] and [`CircuitBreakerService`].

use std::fmt;
use std::future::Future;
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

/// A tower [`Layer`] that guards a service with a [`CircuitBreaker`].
///
/// Every service the layer makes shares the layer's breaker. A rejected call
/// fails at once with [`BreakerError::Rejected`] without calling the inner
/// service. Rejection happens in `call`, not in `poll_ready`, so wrappers
/// such as `Buffer` do not treat an open breaker as a dead service.
#[derive(Clone)]
pub struct CircuitBreakerLayer<C = DefaultClassifier> {
    breaker: CircuitBreaker,
    classifier: C,
}

impl CircuitBreakerLayer {
    /// A layer around `breaker` with the [`DefaultClassifier`].
    #[must_use]
    pub fn new(breaker: CircuitBreaker) -> Self {
        Self {
            breaker,
            classifier: DefaultClassifier,
        }
    }
}

impl<C> CircuitBreakerLayer<C> {
    /// Uses `classifier` to turn the inner service's results into outcomes.
    /// It is cloned into every call's future; wrap big state in an `Arc`.
    #[must_use]
    pub fn with_classifier<C2>(self, classifier: C2) -> CircuitBreakerLayer<C2> {
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

impl<C> fmt::Debug for CircuitBreakerLayer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakerLayer")
            .field("breaker", &self.breaker)
            .finish_non_exhaustive()
    }
}

impl<S, C: Clone> Layer<S> for CircuitBreakerLayer<C> {
    type Service = CircuitBreakerService<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        CircuitBreakerService {
            inner,
            breaker: Arc::new(self.breaker.clone()),
            classifier: self.classifier.clone(),
        }
    }
}

/// A service guarded by a [`CircuitBreaker`]; made by [`CircuitBreakerLayer`].
///
/// Each call's future keeps a reference-counted handle on the breaker. The
/// handle is private to this service value: cloning the service makes a new
/// one (one small allocation per clone), so tasks that each use their own
/// clone never write a shared reference count on the call path.
pub struct CircuitBreakerService<S, C = DefaultClassifier> {
    inner: S,
    breaker: Arc<CircuitBreaker>,
    classifier: C,
}

impl<S: Clone, C: Clone> Clone for CircuitBreakerService<S, C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            breaker: Arc::new(CircuitBreaker::clone(&self.breaker)),
            classifier: self.classifier.clone(),
        }
    }
}

impl<S, C> CircuitBreakerService<S, C> {
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

impl<S: fmt::Debug, C> fmt::Debug for CircuitBreakerService<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakerService")
            .field("inner", &self.inner)
            .field("breaker", &self.breaker)
            .finish_non_exhaustive()
    }
}

impl<S, C, Req> Service<Req> for CircuitBreakerService<S, C>
where
    S: Service<Req>,
    C: Classify<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = BreakerError<S::Error>;
    type Future = ResponseFuture<S::Future, C>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(BreakerError::Inner)
    }

    #[inline]
    fn call(&mut self, req: Req) -> Self::Future {
        match self.breaker.acquire_ticket() {
            Ok(ticket) => ResponseFuture {
                state: FutState::Running {
                    fut: self.inner.call(req),
                    permit: Some(LocalPermit {
                        breaker: Arc::clone(&self.breaker),
                        ticket,
                        done: false,
                    }),
                    classifier: self.classifier.clone(),
                },
            },
            Err(rejected) => ResponseFuture {
                state: FutState::Rejected { rejected },
            },
        }
    }
}

/// A permit held by a call's future; dropping it unrecorded frees it.
struct LocalPermit {
    breaker: Arc<CircuitBreaker>,
    ticket: Ticket,
    done: bool,
}

impl LocalPermit {
    #[inline]
    fn record(mut self, outcome: Outcome) {
        self.done = true;
        self.breaker.complete_ticket(self.ticket, Some(outcome));
    }
}

impl Drop for LocalPermit {
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
    pub struct ResponseFuture<F, C> {
        #[pin]
        state: FutState<F, C>,
    }
}

pin_project! {
    #[project = FutStateProj]
    enum FutState<F, C> {
        Running {
            #[pin]
            fut: F,
            permit: Option<LocalPermit>,
            classifier: C,
        },
        Rejected {
            rejected: Rejected,
        },
    }
}

impl<F, C> fmt::Debug for ResponseFuture<F, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, C, Res, E> Future for ResponseFuture<F, C>
where
    F: Future<Output = Result<Res, E>>,
    C: Classify<Res, E>,
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
