//! The one cached process list behind `processes().cached()`, the lookups and the validity
//! checks: a time-to-live, an explicit refresh, and single flight (however many callers miss
//! at once, one request is sent; the others wait for its answer).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;
use wats_core::{Process, Result};

/// How long a fetched process list is served before it is fetched again, by default.
pub const DEFAULT_PROCESS_TTL: Duration = Duration::from_secs(300);

/// A client's process list cache.
///
/// The async mutex is held while the list is fetched, so concurrent misses queue behind the
/// one request and then read its answer (single flight); it works across runtimes, so the
/// blocking client's threads share it too. Time is `tokio::time::Instant`, so tests pause
/// and advance it instead of sleeping.
#[derive(Debug)]
pub(crate) struct ProcessCache {
    slot: Mutex<Option<Entry>>,
    ttl_nanos: AtomicU64,
    /// Bumped by `invalidate`: an entry of an older generation is stale.
    generation: AtomicU64,
}

#[derive(Debug)]
struct Entry {
    at: Instant,
    generation: u64,
    list: Arc<Vec<Process>>,
}

impl Default for ProcessCache {
    fn default() -> Self {
        ProcessCache {
            slot: Mutex::new(None),
            generation: AtomicU64::new(0),
            ttl_nanos: AtomicU64::new(
                u64::try_from(DEFAULT_PROCESS_TTL.as_nanos()).unwrap_or(u64::MAX),
            ),
        }
    }
}

impl ProcessCache {
    pub(crate) fn ttl(&self) -> Duration {
        Duration::from_nanos(self.ttl_nanos.load(Ordering::Relaxed))
    }

    pub(crate) fn set_ttl(&self, ttl: Duration) {
        self.ttl_nanos.store(
            u64::try_from(ttl.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The cached list, fetched with `fetch` when absent, expired or `force`d.
    pub(crate) async fn get<F, Fut>(&self, force: bool, fetch: F) -> Result<Arc<Vec<Process>>>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Vec<Process>>>,
    {
        let mut slot = self.slot.lock().await;
        let generation = self.generation.load(Ordering::Acquire);
        if !force {
            if let Some(e) = slot.as_ref() {
                if e.generation == generation && e.at.elapsed() < self.ttl() {
                    return Ok(Arc::clone(&e.list));
                }
            }
        }
        let list = Arc::new(fetch().await?);
        *slot = Some(Entry {
            at: Instant::now(),
            generation,
            list: Arc::clone(&list),
        });
        Ok(list)
    }

    /// Drop the cached list: the next read fetches (a fetch in flight stores a stale entry).
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// The time-to-live on a paused clock: served until it expires, fetched after.
    #[tokio::test(start_paused = true)]
    async fn entries_expire_after_the_ttl() {
        let cache = ProcessCache::default();
        cache.set_ttl(Duration::from_secs(300));
        let fetches = AtomicUsize::new(0);
        let fetch = || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok(vec![Process::default()])
        };
        let a = cache.get(false, fetch).await.unwrap();
        tokio::time::advance(Duration::from_secs(299)).await;
        let b = cache.get(false, fetch).await.unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(2)).await;
        let c = cache.get(false, fetch).await.unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        // invalidate and force fetch at once
        cache.invalidate();
        cache.get(false, fetch).await.unwrap();
        cache.get(true, fetch).await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 4);
        assert_eq!(cache.ttl(), Duration::from_secs(300));
    }
}
