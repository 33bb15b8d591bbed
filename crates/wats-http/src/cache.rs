//! The client-side GET cache (opt-in with
//! [`ClientBuilder::cache`](crate::ClientBuilder::cache)): answers of chosen routes kept
//! for a time to live, bounded in entries and bytes, shared by a client's clones, pool
//! siblings and threads.
//!
//! - **Store**: a [`moka::sync::Cache`] (concurrent, bounded, TinyLFU admission). Why
//!   `sync` and not `future`: a lookup never waits, so the lock-free synchronous get is
//!   all a hit needs (no future to build, no `.await`).
//! - **Key**: the token's identity (a keyed hash of it, made at build; never the token),
//!   the method, the route template and the full URI (query included). A client has one
//!   token and its own cache, and the key names the token too, so two tokens never share
//!   an entry.
//! - **What is kept**: 2xx answers of GETs without a body whose route template the
//!   [`CacheSettings`] name. Never an error, never a non-2xx answer.
//! - **Typed values shared**: an entry carries a memo (`memo.rs`) of the values its body
//!   was decoded to, one per type; a hit's `json`/`list`/`opt` decoder takes a clone of
//!   the kept value instead of parsing the body again. The memo is not weighed (the
//!   bounds count the body); it lives and goes with its entry.
//! - **Time to live** on tokio's clock (pausable in tests): an entry older than the TTL is
//!   not served. moka also drops entries after the TTL on its own clock, to free memory.
//! - **Bounds**: moka's weighted capacity is `max_bytes`; an entry weighs its size in bytes
//!   (URI, headers, body), but at least `max_bytes / max_entries`, so that the total weight
//!   staying under `max_bytes` keeps both the bytes and the number of entries in bounds.
//!   Eviction runs in moka's maintenance, so a bound may be passed for a moment.
//! - **Invalidation**: a write the client makes (any method but GET and HEAD) drops,
//!   when it ends, every entry of the same *resource family*: the first path segment
//!   after `/api/` (after `/api/internal/` for internal routes), compared without case,
//!   a plural and its singular alike (`Products` and `Product`); under `/api/App/`, which
//!   gathers reads of many resources (its POSTs are analytics queries), the segment after
//!   `App` (`/api/App/Processes` is the `Process` family, with `/api/internal/Process/..`).
//!   A write to `/api/Product/{partNumber}` drops the cached `/api/Product/Query` and
//!   `/api/Product/Groups` answers. A write ends the family's generation when it starts
//!   and again when it ends, whatever its outcome (a write that failed or was cancelled
//!   may have changed the server anyway); an answer
//!   fetched while a write of its family was in flight is not served after it. Families
//!   share 64 generation counters by hash: a collision only drops more, never less.
//!   [`Client::clear_cache`](crate::Client::clear_cache) drops everything: use it (or
//!   `fresh`) after a change the rule does not see (another client's write, a write to
//!   `/api/Product/ProductGroup` seen through `/api/App/ProductGroups`).
//! - **Per call**: [`Client::fresh`](crate::Client::fresh) gives a cheap clone whose calls
//!   skip the lookup (their answers still refresh the cache).
//!
//! The layer itself is in `cache_layer.rs` (this module knows nothing of the stack).
//! Where it sits: below the metrics layer (hits and misses are counted as calls, with
//! their own counters `wats_cache_hits_total` / `wats_cache_misses_total`), above the total
//! deadline, coalescing, retry and the rate limit, so a hit costs no timer, no coalescer
//! entry, no limiter token and no network.

use std::borrow::Cow;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Response, StatusCode, Uri, Version};
use wats_core::{Error, Result};

use crate::memo::{Memo, MemoSlot};

/// The routes [`CacheSettings::new`] caches: process and repair-operation lists, product
/// lists and groups, levels and unit phases (answers that change rarely and are read often).
pub const DEFAULT_CACHED_ROUTES: &[&str] = &[
    "/api/App/Processes",
    "/api/App/Levels",
    "/api/App/ProductGroups",
    "/api/internal/Process/GetProcesses",
    "/api/internal/Process/GetRepairOperations",
    "/api/Product/Query",
    "/api/Product/Groups",
    "/api/internal/Mes/GetUnitPhases",
];

/// Default time to live of a cached answer (the Python SDK's: 300 s).
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(300);
/// Default bound on the number of cached answers.
pub const DEFAULT_CACHE_MAX_ENTRIES: u64 = 1_000;
/// Default bound on the bytes of cached answers: 64 MiB.
pub const DEFAULT_CACHE_MAX_BYTES: u64 = 64 * 1024 * 1024;

type Predicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Which routes are cached.
#[derive(Clone)]
enum Routes {
    /// These route templates.
    List(Arc<[Cow<'static, str>]>),
    /// The templates a predicate accepts.
    Where(Predicate),
}

impl Routes {
    fn applies(&self, route: &str) -> bool {
        match self {
            Routes::List(list) => list.iter().any(|t| t == route),
            Routes::Where(f) => f(route),
        }
    }
}

impl fmt::Debug for Routes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Routes::List(list) => f.debug_list().entries(list.iter()).finish(),
            Routes::Where(_) => f.write_str("<predicate>"),
        }
    }
}

/// Settings of the client-side GET cache, for
/// [`ClientBuilder::cache`](crate::ClientBuilder::cache).
///
/// Defaults ([`CacheSettings::new`]): the routes of [`DEFAULT_CACHED_ROUTES`], a time to
/// live of 300 s, at most 1 000 answers and 64 MiB.
///
/// ```
/// use std::time::Duration;
/// use wats_http::CacheSettings;
/// let cache = CacheSettings::new()
///     .ttl(Duration::from_secs(60))
///     .max_entries(500)
///     .route("/api/Production/Unit/{serialNumber}/{partNumber}");
/// let client = wats_http::Client::builder()
///     .base_url("https://wats.example.com")
///     .token("dXNlcjpwYXNz")
///     .cache(cache)
///     .build()?;
/// // One call that must see the server's current answer:
/// # async fn f(client: wats_http::Client) -> wats_core::Result<()> {
/// let processes = client.fresh().processes().list().await?;
/// # drop(processes); Ok(()) }
/// # drop(client);
/// # Ok::<(), wats_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct CacheSettings {
    ttl: Duration,
    max_entries: u64,
    max_bytes: u64,
    routes: Routes,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self::new()
    }
}

impl CacheSettings {
    /// The defaults: [`DEFAULT_CACHED_ROUTES`], [`DEFAULT_CACHE_TTL`],
    /// [`DEFAULT_CACHE_MAX_ENTRIES`], [`DEFAULT_CACHE_MAX_BYTES`].
    pub fn new() -> Self {
        CacheSettings {
            ttl: DEFAULT_CACHE_TTL,
            max_entries: DEFAULT_CACHE_MAX_ENTRIES,
            max_bytes: DEFAULT_CACHE_MAX_BYTES,
            routes: Routes::List(DEFAULT_CACHED_ROUTES.iter().map(|&r| r.into()).collect()),
        }
    }

    /// How long an answer is served from the cache (non-zero).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// At most this many answers are kept (non-zero).
    pub fn max_entries(mut self, n: u64) -> Self {
        self.max_entries = n;
        self
    }

    /// At most this many bytes of answers (URI, headers and body) are kept (non-zero).
    pub fn max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = n;
        self
    }

    /// Cache exactly these route templates (as declared, for example `/api/Product/Query`;
    /// see [`routes`](crate::routes) for every template), instead of the current list.
    pub fn routes<I, S>(mut self, templates: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.routes = Routes::List(templates.into_iter().map(Into::into).collect());
        self
    }

    /// Cache one more route template. After [`routes_where`](Self::routes_where), the
    /// template is accepted besides the predicate's.
    pub fn route(mut self, template: impl Into<Cow<'static, str>>) -> Self {
        let template = template.into();
        self.routes = match self.routes {
            Routes::List(list) => {
                let mut list = list.to_vec();
                list.push(template);
                Routes::List(list.into())
            }
            Routes::Where(f) => Routes::Where(Arc::new(move |r| r == template || f(r))),
        };
        self
    }

    /// Cache the GET routes whose template `accept` accepts (for example
    /// `|t| t.starts_with("/api/Product/")`; `|_| true` caches every GET).
    pub fn routes_where(mut self, accept: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.routes = Routes::Where(Arc::new(accept));
        self
    }

    pub(crate) fn build(self, token: &str) -> Result<Cache> {
        let invalid = |what: &str| Error::InvalidConfig(format!("cache: {what}"));
        if self.ttl.is_zero() {
            return Err(invalid("ttl must be non-zero"));
        }
        if self.max_entries == 0 || self.max_bytes == 0 {
            return Err(invalid("max_entries and max_bytes must be non-zero"));
        }
        let least = (self.max_bytes / self.max_entries).max(1);
        let map = moka::sync::Cache::builder()
            .max_capacity(self.max_bytes)
            .weigher(move |key: &Key, entry: &Arc<Entry>| {
                let size = key.size().saturating_add(entry.size()).max(least);
                u32::try_from(size).unwrap_or(u32::MAX)
            })
            .time_to_live(self.ttl)
            // foldhash, not SipHash: the key (URI, route) is hashed on every lookup, and
            // it is built by the client from declared routes (seeded per process anyway).
            .build_with_hasher(foldhash::fast::RandomState::default());
        // A keyed hash: the token's identity, not the token (a fresh key per client).
        let token = std::collections::hash_map::RandomState::new().hash_one(token);
        Ok(Cache {
            map,
            ttl: self.ttl,
            routes: self.routes,
            token,
            generations: std::array::from_fn(|_| AtomicU64::new(0)),
        })
    }
}

/// Number of generation counters the resource families share.
const FAMILIES: usize = 64;

/// A cache key; see the module docs.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(crate) struct Key {
    pub(crate) token: u64,
    pub(crate) method: Method,
    pub(crate) route: &'static str,
    pub(crate) uri: Uri,
}

impl Key {
    fn size(&self) -> u64 {
        let uri = self.uri.path_and_query().map_or(0, |p| p.as_str().len());
        (64 + uri) as u64
    }
}

/// One cached answer.
#[derive(Debug)]
struct Entry {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    body: Bytes,
    /// When it was stored (tokio's clock).
    at: tokio::time::Instant,
    /// The family's generation when its request started.
    generation: u64,
    /// The values decoded from `body`, shared by the hits (`memo.rs`).
    memo: Arc<Memo>,
}

impl Entry {
    fn size(&self) -> u64 {
        let headers: usize = self
            .headers
            .iter()
            .map(|(k, v)| 32 + k.as_str().len() + v.len())
            .sum();
        (64 + headers + self.body.len()) as u64
    }

    fn response(&self) -> Response<Bytes> {
        let mut resp = Response::new(self.body.clone());
        *resp.status_mut() = self.status;
        *resp.version_mut() = self.version;
        *resp.headers_mut() = self.headers.clone();
        resp.extensions_mut()
            .insert(MemoSlot(Arc::clone(&self.memo)));
        resp
    }
}

/// The cache of one client (in [`Shared`](crate::shared::Shared)).
pub(crate) struct Cache {
    map: moka::sync::Cache<Key, Arc<Entry>, foldhash::fast::RandomState>,
    ttl: Duration,
    routes: Routes,
    token: u64,
    generations: [AtomicU64; FAMILIES],
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("ttl", &self.ttl)
            .field("routes", &self.routes)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// The keyed hash of the client's token.
    pub(crate) fn token(&self) -> u64 {
        self.token
    }

    /// Whether answers of `route` are kept.
    pub(crate) fn applies(&self, route: &str) -> bool {
        self.routes.applies(route)
    }

    pub(crate) fn generation(&self, family: usize) -> u64 {
        self.generations[family % FAMILIES].load(Ordering::Acquire)
    }

    /// A fresh answer for `key`, if one is kept.
    pub(crate) fn lookup(&self, key: &Key, family: usize) -> Option<Response<Bytes>> {
        let entry = self.map.get(key)?;
        let live = entry.generation == self.generation(family) && entry.at.elapsed() < self.ttl;
        live.then(|| entry.response())
    }

    /// Keep `resp` for `key`; `resp` gets the entry's (empty) memo, which its decoder fills.
    pub(crate) fn store(&self, key: Key, generation: u64, resp: &mut Response<Bytes>) {
        let memo = Arc::new(Memo::default());
        resp.extensions_mut().insert(MemoSlot(Arc::clone(&memo)));
        let entry = Entry {
            status: resp.status(),
            version: resp.version(),
            headers: resp.headers().clone(),
            body: resp.body().clone(),
            at: tokio::time::Instant::now(),
            generation,
            memo,
        };
        self.map.insert(key, Arc::new(entry));
    }

    /// Drop every entry of `family` (a write to it ended).
    pub(crate) fn invalidate(&self, family: usize) {
        self.generations[family % FAMILIES].fetch_add(1, Ordering::AcqRel);
    }

    /// Drop every entry (answers in flight included: they are not served).
    pub(crate) fn clear(&self) {
        for g in &self.generations {
            g.fetch_add(1, Ordering::AcqRel);
        }
        self.map.invalidate_all();
    }

    /// Let moka run its pending maintenance (evictions), then count the entries.
    pub(crate) fn entry_count(&self) -> u64 {
        self.map.run_pending_tasks();
        self.map.entry_count()
    }

    /// Store an answer directly (benches).
    pub(crate) fn prime(&self, route: &'static str, uri: Uri, mut resp: Response<Bytes>) {
        let family = family_of(route);
        let key = Key {
            token: self.token,
            method: Method::GET,
            route,
            uri,
        };
        self.store(key, self.generation(family), &mut resp);
    }
}

/// `Products` and `Product`, `Processes` and `Process` name one resource.
fn singular(segment: &str) -> &str {
    let lower = |n: usize| segment.len() > n && segment.is_char_boundary(segment.len() - n);
    let ends = |suffix: &str| {
        lower(suffix.len()) && segment[segment.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    if ends("sses") {
        &segment[..segment.len() - 2]
    } else if ends("s") && !ends("ss") {
        &segment[..segment.len() - 1]
    } else {
        segment
    }
}

/// The resource family of a route template: a hash of its first segment after `/api/`
/// (after `/api/internal/`), without case.
pub(crate) fn family_of(route: &str) -> usize {
    let strip = |s: &'static str, r: &str| -> Option<usize> {
        r.get(..s.len())
            .filter(|p| p.eq_ignore_ascii_case(s))
            .map(str::len)
    };
    let mut rest = route;
    if let Some(n) = strip("/api/", rest) {
        rest = &rest[n..];
        if let Some(n) = strip("internal/", rest) {
            rest = &rest[n..];
        }
    }
    let mut segments = rest.trim_start_matches('/').split(['/', '?']);
    let mut segment = segments.next().unwrap_or_default();
    if segment.eq_ignore_ascii_case("App") {
        // `/api/App/` gathers reads of many resources (its POSTs are queries): the
        // resource is the next segment.
        segment = segments.next().unwrap_or(segment);
    }
    let segment = singular(segment);
    // FNV-1a over the lower-cased bytes.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in segment.bytes() {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % FAMILIES as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::family_of;

    #[test]
    fn families_follow_the_first_segment_after_api() {
        assert_eq!(
            family_of("/api/Product/Query"),
            family_of("/api/Product/{pn}")
        );
        assert_eq!(
            family_of("/api/internal/Product/GetProductInfo"),
            family_of("/api/product/Groups")
        );
        assert_ne!(
            family_of("/api/Product/Query"),
            family_of("/api/Production/Unit")
        );
        assert_ne!(
            family_of("/api/App/Processes"),
            family_of("/api/Product/Query")
        );
        assert_eq!(family_of("/api/Products"), family_of("/api/Product/Query"));
        assert_eq!(
            family_of("/api/internal/Processes/X"),
            family_of("/api/internal/Process/GetProcesses")
        );
        assert_eq!(family_of("/api/Units"), family_of("/api/unit"));
        assert_eq!(
            family_of("/api/App/Processes"),
            family_of("/api/internal/Process/GetProcesses")
        );
        assert_ne!(
            family_of("/api/App/DynamicYield"),
            family_of("/api/App/Processes")
        );
    }
}
