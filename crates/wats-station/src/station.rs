//! The [`Station`] value, its [`Source`] and report filling.

use std::fmt;
use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::Error;
use crate::sanitize::{clean_text, sanitize_name};

/// Purpose values WATS uses. Any other text is allowed too; a purpose that
/// matches one of these ignoring case is stored with this spelling.
pub mod purpose {
    /// Production testing.
    pub const PRODUCTION: &str = "Production";
    /// Debugging.
    pub const DEBUG: &str = "Debug";
    /// Development of tests or products.
    pub const DEVELOPMENT: &str = "Development";
    /// Repair.
    pub const REPAIR: &str = "Repair";
    /// Qualification.
    pub const QUALIFICATION: &str = "Qualification";
    /// Calibration.
    pub const CALIBRATION: &str = "Calibration";
    /// Engineering.
    pub const ENGINEERING: &str = "Engineering";
    /// Return merchandise authorisation.
    pub const RMA: &str = "RMA";
    /// All of the above.
    pub const ALL: [&str; 8] = [
        PRODUCTION,
        DEBUG,
        DEVELOPMENT,
        REPAIR,
        QUALIFICATION,
        CALIBRATION,
        ENGINEERING,
        RMA,
    ];
}

/// Which tier of detection produced a [`Station`], so a user can ask why the
/// station is called what it is. `Display` gives a short `tier:detail` form
/// (`explicit`, `env:WATS_STATION`, `file:/etc/wats/station.toml`,
/// `machine:COMPUTERNAME`, `machine:hostname`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Given in code ([`Station::new`] or [`Detector::explicit`](crate::Detector::explicit)).
    Explicit,
    /// Read from an environment variable.
    Environment {
        /// The variable that held the name (`WATS_STATION` or `PYWATS_STATION`).
        variable: &'static str,
    },
    /// Read from a station file.
    File {
        /// The file that held the name.
        path: PathBuf,
    },
    /// Taken from the machine.
    Machine {
        /// Where the machine name came from.
        origin: MachineOrigin,
    },
}

/// Where a machine-tier name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MachineOrigin {
    /// The `COMPUTERNAME` environment variable (Windows).
    ComputerName,
    /// The operating system's host name (`gethostname`).
    HostName,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Explicit => f.write_str("explicit"),
            Self::Environment { variable } => write!(f, "env:{variable}"),
            Self::File { path } => write!(f, "file:{}", path.display()),
            Self::Machine {
                origin: MachineOrigin::ComputerName,
            } => f.write_str("machine:COMPUTERNAME"),
            Self::Machine {
                origin: MachineOrigin::HostName,
            } => f.write_str("machine:hostname"),
        }
    }
}

/// The test station that produces reports: WATS's `machineName`, `location`
/// and `purpose`, plus a free description, and the tier it came from.
///
/// The name is always in WATS form (see [`sanitize_name`](crate::sanitize_name)):
/// non-empty, upper-case, at most 100 characters. Location, purpose and
/// description are trimmed free text; empty means "not set" (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Station {
    name: String,
    location: Option<String>,
    purpose: Option<String>,
    description: Option<String>,
    source: Source,
}

impl Station {
    /// An explicit station. The name is sanitized to WATS form.
    ///
    /// # Errors
    /// [`Error::InvalidName`] when no character of `name` is accepted by WATS.
    ///
    /// ```
    /// use wats_station::{Source, Station};
    /// let station = Station::new("line 3 / ict")?.with_purpose("production");
    /// assert_eq!(station.name(), "LINE-3-ICT");
    /// assert_eq!(station.purpose(), Some("Production"));
    /// assert_eq!(station.source(), &Source::Explicit);
    /// # Ok::<(), wats_station::Error>(())
    /// ```
    pub fn new(name: impl AsRef<str>) -> Result<Self, Error> {
        let raw = name.as_ref();
        Self::from_raw(raw, Source::Explicit).ok_or_else(|| Error::InvalidName {
            input: raw.to_owned(),
        })
    }

    /// Detects the station of this machine with the default [`Detector`](crate::Detector)
    /// (environment, station files, machine name; see the crate docs for the
    /// tier order).
    ///
    /// # Errors
    /// A station file that exists but cannot be read or parsed, or no usable
    /// name at all ([`Error::NotDetected`]).
    pub fn detect() -> Result<Self, Error> {
        crate::Detector::new().detect()
    }

    /// Sanitizes `raw`; `None` when nothing usable remains.
    pub(crate) fn from_raw(raw: &str, source: Source) -> Option<Self> {
        Some(Self {
            name: sanitize_name(raw)?,
            location: None,
            purpose: None,
            description: None,
            source,
        })
    }

    /// Sets the location (trimmed; empty text clears it).
    #[must_use]
    pub fn with_location(mut self, location: impl AsRef<str>) -> Self {
        self.location = clean_text(location.as_ref());
        self
    }

    /// Sets the purpose (trimmed; empty text clears it). A value matching one
    /// of [`purpose::ALL`] ignoring case gets that spelling.
    #[must_use]
    pub fn with_purpose(mut self, purpose: impl AsRef<str>) -> Self {
        self.purpose = clean_text(purpose.as_ref()).map(|text| {
            purpose::ALL
                .iter()
                .find(|known| known.eq_ignore_ascii_case(&text))
                .map_or(text, |known| (*known).to_owned())
        });
        self
    }

    /// Sets the description (trimmed; empty text clears it).
    #[must_use]
    pub fn with_description(mut self, description: impl AsRef<str>) -> Self {
        self.description = clean_text(description.as_ref());
        self
    }

    /// The station name in WATS form; reports carry it as `machineName`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The location, if set; reports carry it as `location`.
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The purpose, if set; reports carry it as `purpose`.
    #[must_use]
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }

    /// The description, if set (not sent in reports).
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The tier that produced this station.
    #[must_use]
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The report fields this station provides, as `(WSJF key, value)`:
    /// `machineName` always, `location` and `purpose` when set.
    pub fn report_fields(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("machineName", Some(self.name.as_str())),
            ("location", self.location.as_deref()),
            ("purpose", self.purpose.as_deref()),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
    }

    /// Fills a WSJF report object (UUT or UUR) with this station's
    /// `machineName`, `location` and `purpose`, leaving every field the report
    /// already sets untouched. A field counts as **not set** when it is absent,
    /// `null`, or a string that is empty or only white space; any other value
    /// (including a non-string) is kept. Fields this station does not have
    /// (no location, no purpose) are left as they are. Returns how many
    /// fields were written.
    ///
    /// ```
    /// use serde_json::json;
    /// use wats_station::Station;
    /// let station = Station::new("ict-01")?.with_location("Drammen");
    /// let mut report = json!({"machineName": "", "location": "Oslo", "purpose": null});
    /// let filled = station.apply_to_json(report.as_object_mut().unwrap());
    /// assert_eq!(filled, 1);
    /// assert_eq!(report, json!({"machineName": "ICT-01", "location": "Oslo", "purpose": null}));
    /// # Ok::<(), wats_station::Error>(())
    /// ```
    pub fn apply_to_json(&self, report: &mut Map<String, Value>) -> usize {
        let mut filled = 0;
        for (key, value) in self.report_fields() {
            let unset = match report.get(key) {
                None | Some(Value::Null) => true,
                Some(Value::String(text)) => text.trim().is_empty(),
                Some(_) => false,
            };
            if unset {
                report.insert(key.to_owned(), Value::String(value.to_owned()));
                filled += 1;
            }
        }
        filled
    }
}

impl fmt::Display for Station {
    /// The station name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn explicit_station_is_sanitized_and_says_so() {
        let station = Station::new(" ict 01 ").unwrap();
        assert_eq!(station.name(), "ICT-01");
        assert_eq!(station.to_string(), "ICT-01");
        assert_eq!(station.source(), &Source::Explicit);
        assert_eq!(station.location(), None);
        assert_eq!(station.purpose(), None);
        assert_eq!(station.description(), None);
    }

    #[test]
    fn explicit_name_without_usable_characters_is_an_error() {
        let err = Station::new(" */? ").unwrap_err();
        assert!(matches!(&err, Error::InvalidName { input } if input == " */? "));
        assert!(err.to_string().contains("\" */? \""), "{err}");
    }

    #[test]
    fn free_text_fields_are_trimmed_and_known_purposes_normalised() {
        let station = Station::new("a")
            .unwrap()
            .with_location("  Drammen, Norway ")
            .with_purpose(" rma ")
            .with_description(" bench 4 ");
        assert_eq!(station.location(), Some("Drammen, Norway"));
        assert_eq!(station.purpose(), Some("RMA"));
        assert_eq!(station.description(), Some("bench 4"));
        let custom = station.clone().with_purpose("Burn-in");
        assert_eq!(custom.purpose(), Some("Burn-in"));
        assert_eq!(custom.with_location("  ").location(), None);
    }

    #[test]
    fn source_display_names_the_tier() {
        let cases = [
            (Source::Explicit, "explicit"),
            (
                Source::Environment {
                    variable: "PYWATS_STATION",
                },
                "env:PYWATS_STATION",
            ),
            (
                Source::File {
                    path: PathBuf::from("/etc/wats/station.toml"),
                },
                "file:/etc/wats/station.toml",
            ),
            (
                Source::Machine {
                    origin: MachineOrigin::ComputerName,
                },
                "machine:COMPUTERNAME",
            ),
            (
                Source::Machine {
                    origin: MachineOrigin::HostName,
                },
                "machine:hostname",
            ),
        ];
        for (source, text) in cases {
            assert_eq!(source.to_string(), text);
        }
    }

    #[test]
    fn apply_fills_only_unset_fields() {
        let station = Station::new("ict-01")
            .unwrap()
            .with_location("Drammen")
            .with_purpose("Production");
        let mut empty = Map::new();
        assert_eq!(station.apply_to_json(&mut empty), 3);
        assert_eq!(
            Value::Object(empty),
            json!({"machineName": "ICT-01", "location": "Drammen", "purpose": "Production"})
        );

        let mut unset = json!({"machineName": null, "location": "  ", "purpose": "", "pn": "X"});
        assert_eq!(station.apply_to_json(unset.as_object_mut().unwrap()), 3);
        assert_eq!(
            unset,
            json!({"machineName": "ICT-01", "location": "Drammen", "purpose": "Production", "pn": "X"})
        );

        let mut set = json!({"machineName": "OTHER", "location": "Oslo", "purpose": 7});
        let before = set.clone();
        assert_eq!(station.apply_to_json(set.as_object_mut().unwrap()), 0);
        assert_eq!(set, before);
    }

    #[test]
    fn apply_leaves_fields_the_station_lacks() {
        let station = Station::new("ict-01").unwrap();
        let mut report = json!({"location": null});
        assert_eq!(station.apply_to_json(report.as_object_mut().unwrap()), 1);
        assert_eq!(report, json!({"machineName": "ICT-01", "location": null}));
        assert_eq!(
            station.report_fields().collect::<Vec<_>>(),
            [("machineName", "ICT-01")]
        );
    }
}
