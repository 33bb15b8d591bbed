//! The WATS API calls of the client, async and blocking, against the raw hyper-util floor and
//! `reqwest::blocking`, every row in the same run (issue #8). Against `wats-mock` on loopback,
//! with server latency 0 and 1 ms.
//!
//! Groups (`<call>/latency_<n>ms`), every one decoded into the model type the client returns:
//!
//! | group | request | decoded into |
//! |---|---|---|
//! | `get_report` | `GET /api/Report/Wsjf/{id}`, a 50 KB UUT export | `Report` |
//! | `get_report_full_detail` | same route, a 116 KB UUT, `detailLevel=7&includeChartdata=true&includeAttachments=true` | `Report` |
//! | `query_headers` | `GET /api/Report/Query/Header?reportType=U&$filter=serialNumber eq '..'` | `Vec<ReportHeader>` |
//! | `list_products` | `GET /api/Product/Query` (100 products) | `Vec<Product>` |
//! | `get_unit` | `GET /api/Production/Unit/{sn}/{pn}` | `Unit` |
//! | `submit_report` | `POST /api/Report/WSJF`, the 50 KB UUT serialised per call | the report id |
//!
//! Rows: `raw_hyper_floor`, `wats_async`, `wats_blocking_thread_local`, `reqwest_blocking`
//! (see `benches/sync.rs` for the version and product calls with every peer, the naive
//! pattern and 16 threads).
//!
//! Run: `cargo bench --bench client`; smoke test: `cargo test --bench client`.

mod common;

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use wats::blocking::RuntimeMode;
use wats::{HeaderQuery, ReportOptions};
use wats_core::{Product, Report, ReportHeader, Unit};

use common::{RawHyper, Reqwest};

/// `uut-wsjf-export.json`: a typical UUT report.
const REPORT_ID: &str = "33a2d408-3fc8-480b-b554-6866c77fd91c";
const REPORT_SERIAL: &str = "FATTest-325";
/// `advanced_uut.json`: the largest sample report.
const BIG_REPORT_ID: &str = "b0612e7a-ea2f-423f-bfd8-505ca52ab042";
const UNIT_SERIAL: &str = "PCBA-1001-SN0001";
const UNIT_PART: &str = "PCBA-1001";

fn report_to_submit() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        serde_json::from_str(include_str!(
            "../fixtures/wats-samples/uut-wsjf-export.json"
        ))
        .expect("the sample report decodes")
    })
}

fn full_detail() -> ReportOptions {
    ReportOptions::new()
        .detail_level(7)
        .include_chartdata(true)
        .include_attachments(true)
}

/// One call made by every peer; the first answer of each peer is checked against the others.
struct Call<T> {
    name: &'static str,
    floor: fn(&RawHyper, &str) -> T,
    reqwest: fn(&Reqwest, &str) -> T,
    wats_async: fn(&tokio::runtime::Runtime, &wats::Client) -> T,
    blocking: fn(&wats::blocking::Client) -> T,
}

fn bench_call<T: PartialEq + std::fmt::Debug>(c: &mut Criterion, call: &Call<T>) {
    let path = common::captured_path(|client| {
        (call.blocking)(client);
    });
    for latency in common::LATENCIES_MS {
        let server = common::server(latency);
        let floor = RawHyper::new(&server);
        let reqwest = Reqwest::new(&server);
        let rt = common::current_thread();
        let wats_async = common::async_client(&server);
        let blocking = common::blocking(&server, RuntimeMode::ThreadLocal);

        let expected = (call.floor)(&floor, &path);
        assert_eq!((call.reqwest)(&reqwest, &path), expected);
        assert_eq!((call.wats_async)(&rt, &wats_async), expected);
        assert_eq!((call.blocking)(&blocking), expected);

        let mut g = c.benchmark_group(format!("{}/latency_{latency}ms", call.name));
        g.bench_function("raw_hyper_floor", |b| {
            b.iter(|| black_box((call.floor)(&floor, &path)));
        });
        g.bench_function("wats_async", |b| {
            b.iter(|| black_box((call.wats_async)(&rt, &wats_async)));
        });
        g.bench_function("wats_blocking_thread_local", |b| {
            b.iter(|| black_box((call.blocking)(&blocking)));
        });
        g.bench_function("reqwest_blocking", |b| {
            b.iter(|| black_box((call.reqwest)(&reqwest, &path)));
        });
        g.finish();
    }
}

fn client_benches(c: &mut Criterion) {
    bench_call(
        c,
        &Call::<Report> {
            name: "get_report",
            floor: |h, path| h.get(path),
            reqwest: |r, path| r.get(path),
            wats_async: |rt, c| rt.block_on(c.reports().get(REPORT_ID)).expect("report"),
            blocking: |c| c.reports().get(REPORT_ID).expect("report"),
        },
    );
    bench_call(
        c,
        &Call::<Report> {
            name: "get_report_full_detail",
            floor: |h, path| h.get(path),
            reqwest: |r, path| r.get(path),
            wats_async: |rt, c| {
                rt.block_on(c.reports().get_with(BIG_REPORT_ID, full_detail()))
                    .expect("report")
            },
            blocking: |c| {
                c.reports()
                    .get_with(BIG_REPORT_ID, full_detail())
                    .expect("report")
            },
        },
    );
    bench_call(
        c,
        &Call::<Vec<ReportHeader>> {
            name: "query_headers",
            floor: |h, path| h.get(path),
            reqwest: |r, path| r.get(path),
            wats_async: |rt, c| {
                let q = HeaderQuery::uut().serial_number(REPORT_SERIAL);
                rt.block_on(c.reports().query_headers(&q)).expect("headers")
            },
            blocking: |c| {
                let q = HeaderQuery::uut().serial_number(REPORT_SERIAL);
                c.reports().query_headers(&q).expect("headers")
            },
        },
    );
    bench_call(
        c,
        &Call::<Vec<Product>> {
            name: "list_products",
            floor: |h, path| h.get(path),
            reqwest: |r, path| r.get(path),
            wats_async: |rt, c| rt.block_on(c.products().list()).expect("products"),
            blocking: |c| c.products().list().expect("products"),
        },
    );
    bench_call(
        c,
        &Call::<Unit> {
            name: "get_unit",
            floor: |h, path| h.get(path),
            reqwest: |r, path| r.get(path),
            wats_async: |rt, c| {
                rt.block_on(c.production().get_unit(UNIT_SERIAL, UNIT_PART))
                    .expect("unit")
            },
            blocking: |c| {
                c.production()
                    .get_unit(UNIT_SERIAL, UNIT_PART)
                    .expect("unit")
            },
        },
    );
    bench_call(
        c,
        &Call::<String> {
            name: "submit_report",
            floor: |h, path| {
                let body = serde_json::to_vec(report_to_submit()).expect("encodes");
                common::submit_id(&h.post(path, Bytes::from(body)))
            },
            reqwest: |r, path| {
                let body = serde_json::to_vec(report_to_submit()).expect("encodes");
                common::submit_id(&r.post(path, body))
            },
            wats_async: |rt, c| {
                rt.block_on(c.reports().submit(report_to_submit()))
                    .expect("submit")
            },
            blocking: |c| c.reports().submit(report_to_submit()).expect("submit"),
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = client_benches
}
criterion_main!(benches);
