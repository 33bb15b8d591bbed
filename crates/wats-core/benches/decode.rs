//! Decoding speed of the lossless models: every real report export in
//! `fixtures/wats-samples` decoded into [`Report`], and encoded back.
//!
//! `cargo bench -p wats-core --bench decode -- --quick`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wats_core::{Report, json};

const REPORTS: &[&str] = &[
    "advanced_uut.json",
    "example_report_from_server.json",
    "new_report_example.json",
    "uut-wsjf-export.json",
    "uur_example.json",
];

fn load(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/wats-samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn decode(c: &mut Criterion) {
    let docs: Vec<Vec<u8>> = REPORTS.iter().map(|n| load(n)).collect();
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("reports", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(json::from_slice::<Report>(black_box(d)).unwrap());
            }
        });
    });
    let reports: Vec<Report> = docs.iter().map(|d| json::from_slice(d).unwrap()).collect();
    g.bench_function("encode_reports", |b| {
        b.iter(|| {
            for r in &reports {
                black_box(json::to_vec(black_box(r)).unwrap());
            }
        });
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
