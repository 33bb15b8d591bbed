//! Decoding a 10,000-row header query answer (`GET /api/Report/Query/Header`): into the
//! lossless models (`Vec<wats_core::ReportHeader>`: tri-state members, unknown members kept,
//! numbers kept in their received form) and, in the same run, into plain
//! `#[derive(Deserialize)]` structs of the same members with serde_json (the floor).
//!
//! Run: `cargo bench --bench headers` (smoke test: `cargo bench --bench headers -- --test`).
//! The ratio `lossless / plain_serde_floor` is in `docs/PERFORMANCE.md`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Deserialize;

const ROWS: usize = 10_000;

/// One realistic row, as the server writes it (camelCase, a few nulls, numbers).
fn row(i: usize) -> serde_json::Value {
    serde_json::json!({
        "uuid": format!("3f1c6c8e-5f0a-4c1e-9a53-{i:012}"),
        "serialNumber": format!("SN{i:08}"),
        "partNumber": format!("PCBA-{}", 1000 + i % 100),
        "revision": "B",
        "batchNumber": null,
        "reportType": "T",
        "start": "2026-01-30T22:01:41.4707353+01:00",
        "result": if i.is_multiple_of(7) { "F" } else { "P" },
        "userName": "operator",
        "stationName": format!("ST-{:02}", i % 16),
        "location": "Line 1",
        "purpose": "Production",
        "measuresDeleted": false,
        "timeStamp": 638_700_000_000_000_000_i64 + i as i64,
        "processCode": 10 + (i % 5) as i64 * 10,
        "processName": "FCT",
        "comment": null,
        "executionTime": 12.5 + (i % 10) as f64,
        "swFilename": "MainSequence.seq",
        "swVersion": "1.4.2",
        "testSocketIndex": (i % 4) as i64,
        "fixtureId": "FX-1",
        "errorCode": 0,
        "errorMessage": null,
        "run": 1,
        "receiveCount": 1,
        "reportSize": 48_213 + i as i64,
        "causedUutFailure": null,
        "causedUutFailurePath": null,
        "passedInRun": 1,
        "referencedUut": null
    })
}

/// The floor: the same members, plain serde.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct PlainHeader {
    uuid: Option<String>,
    serial_number: Option<String>,
    part_number: Option<String>,
    revision: Option<String>,
    batch_number: Option<String>,
    report_type: Option<String>,
    start: Option<String>,
    result: Option<String>,
    user_name: Option<String>,
    station_name: Option<String>,
    location: Option<String>,
    purpose: Option<String>,
    measures_deleted: Option<bool>,
    time_stamp: Option<i64>,
    process_code: Option<i64>,
    process_name: Option<String>,
    comment: Option<String>,
    execution_time: Option<f64>,
    sw_filename: Option<String>,
    sw_version: Option<String>,
    test_socket_index: Option<i64>,
    fixture_id: Option<String>,
    error_code: Option<i64>,
    error_message: Option<String>,
    run: Option<i64>,
    receive_count: Option<i64>,
    report_size: Option<i64>,
    caused_uut_failure: Option<String>,
    caused_uut_failure_path: Option<String>,
    passed_in_run: Option<i64>,
    referenced_uut: Option<String>,
}

fn answer() -> Vec<u8> {
    let rows: Vec<serde_json::Value> = (0..ROWS).map(row).collect();
    serde_json::to_vec(&rows).expect("rows serialise")
}

fn headers(c: &mut Criterion) {
    let body = answer();
    // Both decode every row, and the lossless one writes back exactly what it read.
    let lossless: Vec<wats_core::ReportHeader> = serde_json::from_slice(&body).unwrap();
    let plain: Vec<PlainHeader> = serde_json::from_slice(&body).unwrap();
    assert_eq!((lossless.len(), plain.len()), (ROWS, ROWS));
    let back: serde_json::Value = serde_json::to_value(&lossless).unwrap();
    assert_eq!(
        back,
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()
    );

    let mut g = c.benchmark_group("decode_10k_headers");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.sample_size(30);
    g.bench_function("plain_serde_floor", |b| {
        b.iter(|| {
            let v: Vec<PlainHeader> = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(v)
        });
    });
    g.bench_function("lossless_models", |b| {
        b.iter(|| {
            let v: Vec<wats_core::ReportHeader> = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(v)
        });
    });
    g.bench_function("lossless_models_via_wats_json", |b| {
        b.iter(|| {
            let v: Vec<wats_core::ReportHeader> =
                wats_core::json::from_slice(black_box(&body)).unwrap();
            black_box(v)
        });
    });
    g.finish();
}

criterion_group!(benches, headers);
criterion_main!(benches);
