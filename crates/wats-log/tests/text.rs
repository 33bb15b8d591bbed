//! Text output: deterministic snapshot with an injected clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracing::{error, info, info_span};
use wats_log::MemoryWriter;

fn fixed_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456)
}

fn capture_text(f: impl FnOnce()) -> Vec<String> {
    let out = MemoryWriter::new();
    let sub = wats_log::builder()
        .text()
        .clock(fixed_clock)
        .writer(out.clone())
        .build()
        .unwrap();
    tracing::subscriber::with_default(sub, f);
    out.lines()
}

#[test]
fn text_snapshot() {
    let lines = capture_text(|| {
        let call = info_span!("wats.call", correlation_id = "c-42", station = "ST-07");
        let _g = call.enter();
        let step = info_span!("step", n = 3);
        let _s = step.enter();
        info!(target: "app", serial = "SN1", ok = true, "report submitted");
        error!(target: "app::io", token = "hidden", "upload failed: \"timeout\"\nretrying");
    });
    assert_eq!(
        lines,
        [
            r#"2023-11-14T22:13:20.123456Z  INFO [c-42] app: report submitted serial="SN1" ok=true station="ST-07" n=3"#,
            r#"2023-11-14T22:13:20.123456Z ERROR [c-42] app::io: upload failed: "timeout"\nretrying token="[redacted]" station="ST-07" n=3"#,
        ]
    );
}

#[test]
fn text_without_correlation_id_has_no_brackets() {
    let lines = capture_text(|| {
        tracing::warn!(target: "app", path = "C:\\data\\x.json", "plain");
    });
    assert_eq!(
        lines,
        [r#"2023-11-14T22:13:20.123456Z  WARN app: plain path="C:\\data\\x.json""#]
    );
}

#[test]
fn text_output_is_one_line_per_event() {
    let out = MemoryWriter::new();
    let sub = wats_log::builder()
        .text()
        .writer(out.clone())
        .build()
        .unwrap();
    tracing::subscriber::with_default(sub, || {
        info!(v = ?"a\nb", "line\none\r\n");
        info!("two");
    });
    let all = out.contents();
    assert_eq!(all.matches('\n').count(), 2, "{all:?}");
    assert!(all.ends_with("two\n"), "{all:?}");
}
