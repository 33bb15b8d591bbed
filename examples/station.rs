//! Prints the detected test station and where its name came from, one
//! `key=value` per line:
//!
//! ```text
//! name=OLALAPTOP
//! location=
//! purpose=
//! source=machine:hostname
//! ```
//!
//! Run with `cargo run --example station`; set `WATS_STATION=...` or write
//! `.wats/station.toml` to see the other tiers win. On error the message goes
//! to stderr and the exit code is 1.

use std::process::ExitCode;

use wats::Station;

fn main() -> ExitCode {
    match Station::detect() {
        Ok(station) => {
            println!("name={}", station.name());
            println!("location={}", station.location().unwrap_or_default());
            println!("purpose={}", station.purpose().unwrap_or_default());
            println!("source={}", station.source());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("station detection failed: {err}");
            ExitCode::FAILURE
        }
    }
}
