//! Arbitrary text into every public function of wats-station that takes a string, and
//! arbitrary bytes as station files: an error or a value, never a panic (issue 15 §1).

use std::path::Path;

use proptest::prelude::*;
use wats_station::{Detector, Platform, Station, sanitize_name, station_from_file_bytes};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[éü€😀\\\\'\"=#\\[\\]a-zA-Z0-9_ \\t\\n\\r\\u{0}\\u{FEFF}]{0,24}",
    ]
}

/// A detector that reads nothing from this machine.
fn isolated() -> Detector {
    Detector::new()
        .env(|_| None)
        .hostname(|| None)
        .platform(Platform::Unix)
        .working_dir(None)
        .user_config_dir(None)
        .system_config_file(None)
}

proptest! {
    #[test]
    fn names_and_stations(a in text(), b in text(), c in text()) {
        if let Some(clean) = sanitize_name(&a) {
            prop_assert!(!clean.trim().is_empty());
            prop_assert_eq!(sanitize_name(&clean), Some(clean.clone()));
        }
        if let Ok(station) = Station::new(&a) {
            let station = station.with_location(&b).with_purpose(&c).with_description(&a);
            let _ = (station.name(), station.location(), station.purpose(), station.description());
            let _ = station.report_fields().count();
        }
        let _ = isolated().explicit(a.clone()).detect();
        let env_a = a.clone();
        let env_b = b.clone();
        let _ = isolated()
            .env(move |k| Some(if k.contains("LOCATION") { env_b.clone() } else { env_a.clone() }))
            .hostname(move || Some(c.clone()))
            .detect();
    }

    #[test]
    fn station_files_of_any_content(text in text(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        for path in ["station.toml", "station.conf", "x/.pywats/station.conf"] {
            let toml = format!("name = {text:?}\nlocation = {text:?}\n");
            for content in [text.as_bytes(), bytes.as_slice(), toml.as_bytes()] {
                match station_from_file_bytes(Path::new(path), content) {
                    Ok(Some(station)) => prop_assert!(!station.name().trim().is_empty()),
                    Ok(None) => {}
                    Err(e) => prop_assert!(!e.to_string().is_empty()),
                }
            }
        }
    }
}
