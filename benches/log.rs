//! Cost of one log event: wats-log against stock tracing-subscriber.
//!
//! Every subscriber writes to `std::io::sink()` so only formatting is
//! measured. The event is the same everywhere: inside a span with two fields
//! (`correlation_id`, `station`) and with three event fields plus a message.
//!
//! Run: `cargo bench --bench log` (smoke test: `cargo bench --bench log -- --test`).

use std::hint::black_box;
use std::io;

use criterion::{Criterion, criterion_group, criterion_main};
use tracing::{Dispatch, debug, info, info_span};

const CORRELATION_ID: &str = "5f0c2a8e-3b7d-4c1e-9a6f-2d8b4e7c1a90";

fn event(serial: &str, step: u64) {
    info!(
        serial = serial,
        step = step,
        passed = true,
        "measurement recorded"
    );
}

/// Benchmarks `event` under `dispatch`, inside the two-field span or not.
fn bench_event(c: &mut Criterion, name: &str, dispatch: &Dispatch, in_span: bool) {
    tracing::dispatcher::with_default(dispatch, || {
        let span = info_span!(
            "wats.call",
            correlation_id = CORRELATION_ID,
            station = "ST-07"
        );
        let _entered = in_span.then(|| span.enter());
        c.bench_function(name, |b| {
            b.iter(|| event(black_box("SN-000123"), black_box(3)));
        });
    });
}

fn stock_json() -> Dispatch {
    Dispatch::new(
        tracing_subscriber::fmt()
            .json()
            .with_writer(io::sink)
            .finish(),
    )
}

fn stock_text() -> Dispatch {
    Dispatch::new(
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(io::sink)
            .finish(),
    )
}

fn ours(format: wats_log::Format) -> Dispatch {
    let subscriber = wats_log::builder()
        .format(format)
        .writer(io::sink)
        .build()
        .expect("static configuration is valid");
    Dispatch::new(subscriber)
}

fn log_benches(c: &mut Criterion) {
    let json = ours(wats_log::Format::Json);
    let text = ours(wats_log::Format::Text);
    bench_event(c, "log/stock_json_in_span", &stock_json(), true);
    bench_event(c, "log/stock_json_no_span", &stock_json(), false);
    bench_event(c, "log/stock_text_in_span", &stock_text(), true);
    bench_event(c, "log/wats_json_in_span", &json, true);
    bench_event(c, "log/wats_json_no_span", &json, false);
    bench_event(c, "log/wats_text_in_span", &text, true);
    tracing::dispatcher::with_default(&json, || {
        c.bench_function("log/disabled_event", |b| {
            b.iter(|| {
                debug!(
                    serial = black_box("SN-000123"),
                    step = black_box(3_u64),
                    "below the INFO level"
                );
            });
        });
    });
}

criterion_group!(benches, log_benches);
criterion_main!(benches);
