//! The typed-value memo of a cached answer: a cache hit shares the value its first
//! decode made instead of parsing the body again.
//!
//! The cache (`cache.rs`) gives each entry one [`Memo`]; the cache layer puts it in the
//! response's extensions when it stores an answer and on every hit. The `json`, `list`
//! and `opt` decoders (`endpoint/answer.rs`) look for it: with a memo they take a clone
//! of the value kept for their type, or decode the body and keep the value; without one
//! (no cache, a route not cached) they decode as before, at the cost of one empty
//! extensions check.
//!
//! Keyed by type: the same body asked as another type is decoded for it (and kept too).
//! The first type kept is read lock-free (a `OnceLock`); further types sit behind a
//! mutex (rare: one route is read as one type by its call and its `opt` twin).
//! Hand-written: a `TypeId`-keyed map of shared values is a few lines over `std`.

use std::any::{Any, TypeId};
use std::cell::Cell;
use std::sync::{Arc, Mutex, OnceLock};

use wats_core::Result;

type Value = Arc<dyn Any + Send + Sync>;

/// The typed values decoded from one cached body, one per type.
#[derive(Default)]
pub(crate) struct Memo {
    first: OnceLock<Value>,
    others: Mutex<Vec<Value>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("filled", &self.first.get().is_some())
            .finish_non_exhaustive()
    }
}

/// The response extension that carries an entry's memo.
#[derive(Clone, Debug)]
pub(crate) struct MemoSlot(pub(crate) Arc<Memo>);

thread_local! {
    /// Memo decodes and memo shares on this thread (for the tests and benches, through
    /// `bench_hooks::memo_counts`; touched only when a memo is present).
    static COUNTS: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// `(decoded, shared)`: values this thread decoded into a memo, and values it took from
/// one without decoding.
pub(crate) fn counts() -> (u64, u64) {
    COUNTS.with(Cell::get)
}

fn count(decoded: u64, shared: u64) {
    COUNTS.with(|c| {
        let (d, s) = c.get();
        c.set((d + decoded, s + shared));
    });
}

impl Memo {
    /// A clone of the value kept for `T`, if any.
    fn get<T: Clone + 'static>(&self) -> Option<T> {
        let first = self.first.get()?;
        if let Some(v) = first.downcast_ref::<T>() {
            return Some(v.clone());
        }
        let others = self
            .others
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        others.iter().find_map(|v| v.downcast_ref::<T>().cloned())
    }

    /// Keep `value` for `T` (unless a value of `T` is already kept: a racing decode).
    fn put<T: Send + Sync + 'static>(&self, value: T) {
        let value: Value = Arc::new(value);
        let Err(value) = self.first.set(value) else {
            return;
        };
        let id = TypeId::of::<T>();
        if self.first.get().is_some_and(|v| (**v).type_id() == id) {
            return;
        }
        let mut others = self
            .others
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !others.iter().any(|v| (**v).type_id() == id) {
            others.push(value);
        }
    }

    /// The value kept for `T`, or `decode`'s (kept when it succeeds).
    pub(crate) fn get_or_decode<T>(&self, decode: impl FnOnce() -> Result<T>) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
    {
        if let Some(v) = self.get::<T>() {
            count(0, 1);
            return Ok(v);
        }
        let value = decode()?;
        count(1, 0);
        self.put(value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn one_value_per_type_and_the_first_decode_wins() {
        let memo = Memo::default();
        let mut decodes = 0;
        for _ in 0..3 {
            let v: Vec<u32> = memo
                .get_or_decode(|| {
                    decodes += 1;
                    Ok(vec![1, 2])
                })
                .unwrap();
            assert_eq!(v, vec![1, 2]);
        }
        assert_eq!(decodes, 1);
        let s: String = memo.get_or_decode(|| Ok("x".to_owned())).unwrap();
        let s2: String = memo.get_or_decode(|| Ok("y".to_owned())).unwrap();
        assert_eq!((s.as_str(), s2.as_str()), ("x", "x"));
        // A racing decode of a kept type keeps the first value.
        memo.put(vec![9_u32]);
        memo.put("z".to_owned());
        assert_eq!(memo.get::<Vec<u32>>(), Some(vec![1, 2]));
        assert_eq!(memo.get::<String>().as_deref(), Some("x"));
        assert_eq!(memo.others.lock().unwrap().len(), 1);
        assert_eq!(memo.get::<u8>(), None);
    }
}
