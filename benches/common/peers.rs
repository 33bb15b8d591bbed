//! The peers of `benches/sync.rs` and `benches/paired.rs`: the two calls every peer makes and
//! one value holding every peer of a group, checked to return equal answers.

use std::hint::black_box;
use std::sync::Arc;

use super::{Job, RawHyper, Reqwest};
use wats::blocking::RuntimeMode;
use wats_core::{Product, Report};

/// The product of the `get_product` rows: a seeded one with three revisions.
const PART_NUMBER: &str = "PCBA-1001";

/// One call made by every peer; each returns a value so that the first call of every peer can
/// be checked against the others before measuring.
pub struct Call<T> {
    pub name: &'static str,
    pub floor: fn(&RawHyper, &str) -> T,
    pub reqwest: fn(&Reqwest, &str) -> T,
    pub wats_async: fn(&tokio::runtime::Runtime, &wats::Client) -> T,
    pub blocking: fn(&wats::blocking::Client) -> T,
}

pub fn get_version() -> Call<String> {
    Call {
        name: "get_version",
        floor: |h, path| h.get::<String>(path),
        reqwest: |r, path| r.get::<String>(path),
        wats_async: |rt, c| rt.block_on(c.server_version()).expect("version"),
        blocking: |c| c.server_version().expect("version"),
    }
}

pub fn get_product() -> Call<Product> {
    Call {
        name: "get_product",
        floor: |h, path| h.get::<Product>(path),
        reqwest: |r, path| r.get::<Product>(path),
        wats_async: |rt, c| rt.block_on(c.products().get(PART_NUMBER)).expect("product"),
        blocking: |c| c.products().get(PART_NUMBER).expect("product"),
    }
}

/// `uut-wsjf-export.json` (seeded by the mock server): a typical 50 KB UUT report.
const REPORT_ID: &str = "33a2d408-3fc8-480b-b554-6866c77fd91c";

pub fn get_report() -> Call<Report> {
    Call {
        name: "get_report",
        floor: |h, path| h.get::<Report>(path),
        reqwest: |r, path| r.get::<Report>(path),
        wats_async: |rt, c| rt.block_on(c.reports().get(REPORT_ID)).expect("report"),
        blocking: |c| c.reports().get(REPORT_ID).expect("report"),
    }
}

/// [`Peers::naive`] as a worker job.
pub fn naive_job<T: 'static>(
    p: &Arc<Peers>,
    call: &Call<T>,
    runtime: fn() -> tokio::runtime::Runtime,
) -> Job {
    let (p, wats_async) = (Arc::clone(p), call.wats_async);
    super::job(move |_| {
        let rt = runtime();
        let client = super::async_client(&p.server);
        black_box(wats_async(&rt, &client));
    })
}

/// Everything a group needs, shared with the worker threads.
pub struct Peers {
    pub server: wats_mock::MockServer,
    pub path: String,
    pub floor: RawHyper,
    pub reqwest: Reqwest,
    pub rt: tokio::runtime::Runtime,
    pub wats_async: wats::Client,
    pub thread_local: wats::blocking::Client,
    pub shared: wats::blocking::Client,
    /// Per worker thread: a runtime and a client with its own pool (`wats_async` rows).
    pub per_thread_async: Vec<(tokio::runtime::Runtime, wats::Client)>,
    /// Per worker thread: the floor's runtime and pool.
    pub per_thread_floor: Vec<RawHyper>,
}

impl Peers {
    pub fn new<T>(latency_ms: u64, call: &Call<T>, threads: usize) -> Peers {
        let server = super::server(latency_ms);
        let path = super::captured_path(|c| {
            (call.blocking)(c);
        });
        let wats_async = super::async_client(&server);
        let per_thread_async = (0..threads)
            .map(|_| (super::current_thread(), wats_async.with_new_pool()))
            .collect();
        Peers {
            path,
            floor: RawHyper::new(&server),
            reqwest: Reqwest::new(&server),
            rt: super::current_thread(),
            wats_async,
            thread_local: super::blocking(&server, RuntimeMode::ThreadLocal),
            shared: super::blocking(&server, RuntimeMode::Shared),
            per_thread_async,
            per_thread_floor: (0..threads).map(|_| RawHyper::new(&server)).collect(),
            server,
        }
    }

    /// The naive pattern: a new runtime (`current_thread` or `default_runtime`) and a new
    /// `wats::Client` for this one call.
    pub fn naive<T>(&self, call: &Call<T>, runtime: fn() -> tokio::runtime::Runtime) -> T {
        let rt = runtime();
        let client = super::async_client(&self.server);
        (call.wats_async)(&rt, &client)
    }

    /// Every peer once, all answers equal: the rows measure the same work.
    pub fn check<T: PartialEq + std::fmt::Debug>(&self, call: &Call<T>) {
        let expected = (call.floor)(&self.floor, &self.path);
        assert_eq!((call.reqwest)(&self.reqwest, &self.path), expected);
        assert_eq!((call.wats_async)(&self.rt, &self.wats_async), expected);
        assert_eq!((call.blocking)(&self.thread_local), expected);
        assert_eq!((call.blocking)(&self.shared), expected);
        assert_eq!(self.naive(call, super::current_thread), expected);
        assert_eq!(self.naive(call, super::default_runtime), expected);
    }
}
