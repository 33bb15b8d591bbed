//! Installing the global subscriber: the second attempt fails, never panics.
//! (Own test binary: the global default is process-wide.)

use tracing::info;
use wats_log::{Error, MemoryWriter};

#[test]
fn init_twice_returns_already_set() {
    let out = MemoryWriter::new();
    wats_log::builder()
        .json()
        .writer(out.clone())
        .init()
        .expect("first global init succeeds");
    info!(n = 1, "installed");

    let second = wats_log::builder().writer(MemoryWriter::new()).init();
    assert!(matches!(second, Err(Error::AlreadySet(_))), "{second:?}");
    // The environment-driven entry point reports the same (unless the
    // environment itself is invalid, which is reported first).
    match wats_log::init() {
        Err(Error::AlreadySet(_) | Error::InvalidFormat(_) | Error::InvalidFilter { .. }) => {}
        other => panic!("expected an error, got {other:?}"),
    }

    // The first subscriber is still the one in use.
    info!("still first");
    let lines = out.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let v: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(v["message"], "still first");
}
