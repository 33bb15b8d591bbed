//! Station files: `station.toml` and pyWATS-style `station.conf` content.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for path in ["station.toml", "station.conf"] {
        match wats_station::station_from_file_bytes(Path::new(path), data) {
            Ok(Some(station)) => {
                let _ = (station.name(), station.location(), station.purpose());
                assert!(!station.name().trim().is_empty());
            }
            Ok(None) => {}
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
    let _ = wats_station::sanitize_name(&String::from_utf8_lossy(data));
});
