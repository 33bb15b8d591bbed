//! Correlation ids: one id per API call, visible to logs and sent on the wire.
//!
//! The id is kept in a thread-local "current" slot. Synchronous code scopes it
//! with [`with_correlation_id`]; futures carry it with [`WithCorrelation`]
//! (through [`CorrelationExt::with_correlation_id`]), which sets the slot for the
//! duration of every poll, so it follows a task across threads of any executor.
//! No runtime is involved, so this module stays I/O-free.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The default name of the request header that carries the correlation id.
pub const DEFAULT_HEADER: &str = "X-Correlation-ID";

/// A correlation id: a short opaque string that ties log lines and HTTP requests of
/// one logical call together. Cheap to clone: a generated id is held inline (no
/// allocation), a caller-supplied one is shared.
#[derive(Clone)]
pub struct CorrelationId(Repr);

#[derive(Clone)]
enum Repr {
    /// A generated id: 16 ASCII hex digits.
    Generated([u8; 16]),
    /// A caller-supplied id, cleaned.
    Given(Arc<str>),
}

impl PartialEq for CorrelationId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for CorrelationId {}

impl std::hash::Hash for CorrelationId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl CorrelationId {
    /// Wrap a caller-supplied id.
    ///
    /// Characters that cannot appear in an HTTP header value (control characters,
    /// non-ASCII) are dropped, and the id is cut to 128 bytes, so any string is safe.
    pub fn new(id: impl AsRef<str>) -> Self {
        let clean: String = id
            .as_ref()
            .chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .take(128)
            .collect();
        CorrelationId(Repr::Given(Arc::from(clean.trim())))
    }

    /// Generate a fresh random id: 16 lowercase hex characters (64 random bits).
    ///
    /// Drawn from a per-thread generator (`fastrand`, seeded once per thread), so it costs no
    /// system call and no allocation. Correlation ids need to be unique, not secret.
    pub fn generate() -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut bits = fastrand::u64(..);
        let mut buf = [0u8; 16];
        for b in buf.iter_mut().rev() {
            *b = HEX[(bits & 0xf) as usize];
            bits >>= 4;
        }
        CorrelationId(Repr::Generated(buf))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only `generate` builds this variant, from ASCII hex digits.
            Repr::Generated(buf) => std::str::from_utf8(buf).unwrap_or("0000000000000000"),
            Repr::Given(text) => text,
        }
    }

    /// The id in the current scope, if any.
    pub fn current() -> Option<CorrelationId> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// The id in the current scope, or a freshly generated one.
    pub fn current_or_generate() -> CorrelationId {
        Self::current().unwrap_or_else(Self::generate)
    }
}

impl fmt::Debug for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CorrelationId")
            .field(&self.as_str())
            .finish()
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for CorrelationId {
    fn from(s: &str) -> Self {
        CorrelationId::new(s)
    }
}

impl From<String> for CorrelationId {
    fn from(s: String) -> Self {
        CorrelationId::new(s)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<CorrelationId>> = const { RefCell::new(None) };
}

/// Restores the previous id when dropped, also on unwind.
struct Restore(Option<CorrelationId>);

impl Drop for Restore {
    fn drop(&mut self) {
        let prev = self.0.take();
        // `try_with`: never panic if the thread-local is already being destroyed.
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
    }
}

fn enter(id: Option<CorrelationId>) -> Restore {
    let prev = CURRENT
        .try_with(|c| std::mem::replace(&mut *c.borrow_mut(), id))
        .ok()
        .flatten();
    Restore(prev)
}

/// Run `f` with `id` as the current correlation id. Every WATS call made inside
/// (blocking or awaited on this thread) uses it, and so do its log events.
///
/// ```
/// use wats_core::correlation::{with_correlation_id, CorrelationId};
/// let seen = with_correlation_id("order-4711", || CorrelationId::current());
/// assert_eq!(seen.unwrap().as_str(), "order-4711");
/// assert!(CorrelationId::current().is_none());
/// ```
pub fn with_correlation_id<R>(id: impl Into<CorrelationId>, f: impl FnOnce() -> R) -> R {
    let _restore = enter(Some(id.into()));
    f()
}

pin_project_lite::pin_project! {
    /// A future that runs with a correlation id set during each of its polls.
    ///
    /// Built with [`CorrelationExt::with_correlation_id`].
    #[must_use = "futures do nothing unless polled"]
    pub struct WithCorrelation<F> {
        #[pin]
        inner: F,
        id: CorrelationId,
    }
}

impl<F: Future> Future for WithCorrelation<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _restore = enter(Some(this.id.clone()));
        this.inner.poll(cx)
    }
}

impl<F> WithCorrelation<F> {
    /// The id this future runs with.
    pub fn correlation_id(&self) -> &CorrelationId {
        &self.id
    }
}

/// Extension trait giving every future a `.with_correlation_id(..)` adapter.
///
/// ```
/// use wats_core::correlation::{CorrelationExt, CorrelationId};
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     use std::task::{Context, Poll, Waker};
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = Context::from_waker(Waker::noop());
/// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let fut = async { CorrelationId::current() }.with_correlation_id("job-1");
/// assert_eq!(block_on(fut).unwrap().as_str(), "job-1");
/// ```
pub trait CorrelationExt: Future + Sized {
    /// Run this future with `id` as the current correlation id.
    fn with_correlation_id(self, id: impl Into<CorrelationId>) -> WithCorrelation<Self> {
        WithCorrelation {
            inner: self,
            id: id.into(),
        }
    }
}

impl<F: Future> CorrelationExt for F {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_and_given_ids_compare_by_text() {
        use std::collections::HashSet;
        let generated = CorrelationId::generate();
        let given = CorrelationId::new(generated.as_str());
        assert_eq!(generated, given);
        assert_eq!(generated.to_string(), given.to_string());
        assert_eq!(format!("{generated:?}"), format!("{given:?}"));
        let set: HashSet<CorrelationId> = [generated.clone(), given].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_ne!(generated, CorrelationId::new("other"));
    }

    #[test]
    fn generated_ids_are_16_hex_and_distinct() {
        let a = CorrelationId::generate();
        let b = CorrelationId::generate();
        assert_eq!(a.as_str().len(), 16);
        assert!(a.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn generated_ids_do_not_repeat_across_threads() {
        let ids: Vec<Vec<CorrelationId>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..5_000).map(|_| CorrelationId::generate()).collect()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let all: std::collections::HashSet<_> = ids.iter().flatten().collect();
        assert_eq!(all.len(), 20_000);
        assert!(all.iter().all(|id| id.as_str().len() == 16));
    }

    #[test]
    fn scopes_nest_and_restore() {
        with_correlation_id("outer", || {
            with_correlation_id("inner", || {
                assert_eq!(CorrelationId::current().unwrap().as_str(), "inner");
            });
            assert_eq!(CorrelationId::current().unwrap().as_str(), "outer");
        });
        assert!(CorrelationId::current().is_none());
    }

    #[test]
    fn restored_after_panic() {
        let r = std::panic::catch_unwind(|| with_correlation_id("boom", || panic!("x")));
        assert!(r.is_err());
        assert!(CorrelationId::current().is_none());
    }

    #[test]
    fn header_unsafe_characters_are_dropped() {
        let id = CorrelationId::new("a\r\nb\u{e9}c");
        assert_eq!(id.as_str(), "abc");
        assert!(http::HeaderValue::from_str(id.as_str()).is_ok());
    }
}
