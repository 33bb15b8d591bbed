//! Which test station is this? Every WATS report names the station that
//! produced it (`machineName`, `location`, `purpose`). This crate detects the
//! station, explains where the name came from, and fills it into reports.
//!
//! ```
//! use wats_station::{Source, Station};
//!
//! let station = Station::new("line 3 / ict")?.with_location("Drammen");
//! assert_eq!(station.name(), "LINE-3-ICT");
//! assert_eq!(station.source(), &Source::Explicit);
//!
//! let mut report = serde_json::json!({"pn": "PCBA-1", "machineName": null});
//! station.apply_to_json(report.as_object_mut().unwrap());
//! assert_eq!(report["machineName"], "LINE-3-ICT");
//! assert_eq!(report["location"], "Drammen");
//! # Ok::<(), wats_station::Error>(())
//! ```
//!
//! # Detection tiers
//!
//! [`Station::detect`] (or a configured [`Detector`]) tries these tiers in
//! order; **the first that yields a usable name wins**, and the result records
//! it in [`Station::source`]:
//!
//! 1. **explicit**: [`Detector::explicit`] (the client's `station(..)` setting).
//!    A [`Station`] built with [`Station::new`] is explicit too.
//! 2. **environment**: `WATS_STATION`, then pyWATS's `PYWATS_STATION`. Empty
//!    values fall through. With the name, `WATS_STATION_LOCATION`,
//!    `WATS_STATION_PURPOSE` and `WATS_STATION_DESCRIPTION` are read; they
//!    apply only when this tier supplies the name (set alone, they are
//!    ignored with a warning).
//! 3. **station file**, first existing file of:
//!    `./.wats/station.toml`, pyWATS-style `./.pywats/station.conf` (both in
//!    the working directory), `station.toml` in the user's config directory
//!    (`~/.config/wats`, `%APPDATA%\wats`, `~/Library/Application Support/wats`),
//!    then the system-wide `/etc/wats/station.toml`
//!    (`%ProgramData%\wats\station.toml` on Windows), because test stations
//!    often run as service accounts with no user profile of their own.
//!    A `.toml` file may hold `name`, `location`, `purpose` and `description`
//!    (other keys are an error); a `.conf` file's first line that is neither
//!    empty nor a `#` comment is the name. Location, purpose and description
//!    come from the same file as the name.
//! 4. **machine**: `COMPUTERNAME` on Windows (then the host name), the host
//!    name elsewhere; never `localhost`, never empty.
//!
//! The original plan listed the config file after the host name; since every
//! machine has a host name, a file in that position would never be read, so
//! the file comes first.
//!
//! Every name is sanitized to WATS form by [`sanitize_name`] (explicit names
//! too). A name that sanitizes to nothing falls through to the next tier with
//! a `tracing` warning. A station file that exists but cannot be read or
//! parsed stops detection with an [`Error`] naming the file (and line and
//! column for a parse error): it is never skipped silently.

mod detect;
mod error;
mod file;
mod sanitize;
mod station;

#[doc(hidden)]
pub use detect::station_from_file_bytes;
pub use detect::{
    DESCRIPTION_VARIABLE, Detector, LOCATION_VARIABLE, NAME_VARIABLES, PURPOSE_VARIABLE, Platform,
};
pub use error::Error;
pub use sanitize::{MAX_NAME_CHARS, REJECTED_CHARS, sanitize_name};
pub use station::{MachineOrigin, Source, Station, purpose};
