//! Request and connection counters, and the log of recent requests.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

use http::{HeaderMap, Method};

use crate::routes::Route;

/// One request as the server saw it (kept in the recent-requests log).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The request method.
    pub method: Method,
    /// Path and query exactly as sent (still percent-encoded).
    pub path_and_query: String,
    /// The route template it matched (`"/api/Report/Wsjf/{id}"`), if any.
    pub route: Option<&'static str>,
    /// All request headers.
    pub headers: HeaderMap,
}

impl RecordedRequest {
    /// The path part of [`path_and_query`](Self::path_and_query).
    #[must_use]
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query.as_str(), |(p, _)| p)
    }

    /// The first value of header `name` (case-insensitive), if it is text.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A point-in-time copy of the server's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// Connections that have ended (closed by either side).
    pub connections_closed: u64,
    /// Every request received (including ones answered by a fault, 401, 404).
    pub requests_total: u64,
    /// Requests per served route template, e.g. `"/api/Report/Wsjf/{id}"`.
    /// Only templates with at least one request are present.
    pub by_route: BTreeMap<&'static str, u64>,
    /// Requests per raw (percent-encoded) request path, without the query.
    pub by_path: BTreeMap<String, u64>,
}

impl Counters {
    /// Requests counted under a route template (`"/api/Product/{partNumber}"`)
    /// or, if `key` is not a served template, under that raw path.
    #[must_use]
    pub fn requests_for(&self, key: &str) -> u64 {
        if Route::from_template(key).is_some() || crate::domains::is_template(key) {
            self.by_route.get(key).copied().unwrap_or(0)
        } else {
            self.by_path.get(key).copied().unwrap_or(0)
        }
    }

    /// Connections accepted and not yet closed (saturating).
    #[must_use]
    pub fn open_connections(&self) -> u64 {
        self.connections_accepted
            .saturating_sub(self.connections_closed)
    }
}

/// The live counters (atomics, plus two small mutex-protected maps).
#[derive(Debug)]
pub(crate) struct LiveCounters {
    pub(crate) accepted: AtomicU64,
    pub(crate) closed: AtomicU64,
    total: AtomicU64,
    by_route: [AtomicU64; Route::COUNT],
    /// Requests per route template of the domain tables (`domains/`).
    by_domain_route: Mutex<HashMap<&'static str, u64>>,
    by_path: Mutex<HashMap<String, u64>>,
    log: Mutex<VecDeque<RecordedRequest>>,
    log_capacity: usize,
}

impl LiveCounters {
    pub(crate) fn new(log_capacity: usize) -> LiveCounters {
        LiveCounters {
            accepted: AtomicU64::new(0),
            closed: AtomicU64::new(0),
            total: AtomicU64::new(0),
            by_route: std::array::from_fn(|_| AtomicU64::new(0)),
            by_domain_route: Mutex::new(HashMap::new()),
            by_path: Mutex::new(HashMap::new()),
            log: Mutex::new(VecDeque::with_capacity(log_capacity.min(4096))),
            log_capacity,
        }
    }

    /// Counts one request and records it in the log.
    pub(crate) fn record(
        &self,
        method: &Method,
        path: &str,
        path_and_query: &str,
        route: Option<Route>,
        domain_route: Option<&'static str>,
        headers: &HeaderMap,
    ) {
        self.total.fetch_add(1, Relaxed);
        if let Some(r) = route {
            self.by_route[r.index()].fetch_add(1, Relaxed);
        }
        if let Some(t) = domain_route {
            *self
                .by_domain_route
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(t)
                .or_insert(0) += 1;
        }
        {
            let mut by_path = self.by_path.lock().unwrap_or_else(PoisonError::into_inner);
            match by_path.get_mut(path) {
                Some(n) => *n += 1,
                None => {
                    by_path.insert(path.to_owned(), 1);
                }
            }
        }
        if self.log_capacity > 0 {
            let entry = RecordedRequest {
                method: method.clone(),
                path_and_query: path_and_query.to_owned(),
                route: domain_route.or(route.map(Route::template)),
                headers: headers.clone(),
            };
            let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
            if log.len() >= self.log_capacity {
                log.pop_front();
            }
            log.push_back(entry);
        }
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let mut by_route: BTreeMap<&'static str, u64> = Route::ALL
            .iter()
            .filter_map(|r| {
                let n = self.by_route[r.index()].load(Relaxed);
                (n > 0).then_some((r.template(), n))
            })
            .collect();
        for (t, n) in self
            .by_domain_route
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            *by_route.entry(t).or_insert(0) += n;
        }
        let by_path = self
            .by_path
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        Counters {
            connections_accepted: self.accepted.load(Relaxed),
            connections_closed: self.closed.load(Relaxed),
            requests_total: self.total.load(Relaxed),
            by_route,
            by_path,
        }
    }

    pub(crate) fn requests_for(&self, key: &str) -> u64 {
        if let Some(n) = self
            .by_domain_route
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
        {
            return *n;
        }
        match Route::from_template(key) {
            Some(r) => self.by_route[r.index()].load(Relaxed),
            None if crate::domains::is_template(key) => 0,
            None => self
                .by_path
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(key)
                .copied()
                .unwrap_or(0),
        }
    }

    pub(crate) fn requests_total(&self) -> u64 {
        self.total.load(Relaxed)
    }

    pub(crate) fn recent(&self) -> Vec<RecordedRequest> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    pub(crate) fn reset(&self) {
        self.accepted.store(0, Relaxed);
        self.closed.store(0, Relaxed);
        self.total.store(0, Relaxed);
        for c in &self.by_route {
            c.store(0, Relaxed);
        }
        self.by_domain_route
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.by_path
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
