//! Tiered, injectable station detection.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::Error;
use crate::file;
use crate::station::{MachineOrigin, Source, Station};

/// Environment variables holding the station name, in the order they are read.
pub const NAME_VARIABLES: [&str; 2] = ["WATS_STATION", "PYWATS_STATION"];
/// Environment variable holding the location (read with [`NAME_VARIABLES`]).
pub const LOCATION_VARIABLE: &str = "WATS_STATION_LOCATION";
/// Environment variable holding the purpose (read with [`NAME_VARIABLES`]).
pub const PURPOSE_VARIABLE: &str = "WATS_STATION_PURPOSE";
/// Environment variable holding the description (read with [`NAME_VARIABLES`]).
pub const DESCRIPTION_VARIABLE: &str = "WATS_STATION_DESCRIPTION";

type EnvSource = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;
type HostSource = Arc<dyn Fn() -> Option<String> + Send + Sync>;

/// The operating-system family, which decides the machine tier and the
/// system-wide station file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Platform {
    /// Windows: machine name from `COMPUTERNAME` (then the host name); system
    /// file `%ProgramData%\wats\station.toml`.
    Windows,
    /// Everything else: machine name from the host name; system file
    /// `/etc/wats/station.toml`.
    Unix,
}

impl Platform {
    /// The platform this program was built for.
    #[must_use]
    pub const fn current() -> Self {
        if cfg!(windows) {
            Self::Windows
        } else {
            Self::Unix
        }
    }
}

#[derive(Clone)]
enum SystemFile {
    /// Derived from the platform (and `ProgramData` on Windows) at detection.
    Default,
    Set(Option<PathBuf>),
}

/// Detects the station, tier by tier; the first tier that yields a usable
/// name wins. See the [crate docs](crate) for the tiers.
///
/// Every input is injectable, so detection is testable anywhere (including
/// the Windows rules on Linux): the environment, the host-name source, the
/// platform, the working directory, the user's config directory and the
/// system-wide station file.
///
/// ```
/// use std::collections::HashMap;
/// use wats_station::{Detector, Platform, Source};
///
/// let env = HashMap::from([("COMPUTERNAME", "ict-07")]);
/// let station = Detector::new()
///     .env(move |key| env.get(key).map(|v| (*v).to_owned()))
///     .hostname(|| None)
///     .platform(Platform::Windows)
///     .working_dir(None)
///     .user_config_dir(None)
///     .system_config_file(None)
///     .detect()?;
/// assert_eq!(station.name(), "ICT-07");
/// assert_eq!(station.source().to_string(), "machine:COMPUTERNAME");
/// # Ok::<(), wats_station::Error>(())
/// ```
#[derive(Clone)]
pub struct Detector {
    explicit: Option<String>,
    env: EnvSource,
    hostname: HostSource,
    platform: Platform,
    working_dir: Option<PathBuf>,
    user_config_dir: Option<PathBuf>,
    system_file: SystemFile,
}

impl Default for Detector {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Detector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Detector")
            .field("explicit", &self.explicit)
            .field("platform", &self.platform)
            .field("station_files", &self.station_files())
            .finish_non_exhaustive()
    }
}

impl Detector {
    /// A detector reading this process's environment, the operating system's
    /// host name, the current working directory, the user's config directory
    /// (`directories::BaseDirs::config_dir()` + `wats`, e.g.
    /// `~/.config/wats`, `%APPDATA%\wats`) and the platform's system file.
    #[must_use]
    pub fn new() -> Self {
        Self {
            explicit: None,
            env: Arc::new(|key| std::env::var_os(key).map(|v| v.to_string_lossy().into_owned())),
            hostname: Arc::new(system_hostname),
            platform: Platform::current(),
            working_dir: std::env::current_dir().ok(),
            user_config_dir: directories::BaseDirs::new()
                .map(|dirs| dirs.config_dir().join("wats")),
            system_file: SystemFile::Default,
        }
    }

    /// Tier 1: an explicit name (sanitized; if nothing usable remains, a
    /// warning is logged and detection goes on with the next tier).
    #[must_use]
    pub fn explicit(mut self, name: impl Into<String>) -> Self {
        self.explicit = Some(name.into());
        self
    }

    /// Replaces the environment source (default: `std::env::var_os`).
    #[must_use]
    pub fn env(mut self, env: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Arc::new(env);
        self
    }

    /// Replaces the host-name source (default: `gethostname`).
    #[must_use]
    pub fn hostname(
        mut self,
        hostname: impl Fn() -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.hostname = Arc::new(hostname);
        self
    }

    /// Sets the platform whose rules apply (default: [`Platform::current`]).
    #[must_use]
    pub fn platform(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// Sets the working directory searched for `.wats/station.toml` and
    /// `.pywats/station.conf`; `None` skips them.
    #[must_use]
    pub fn working_dir(mut self, dir: impl Into<Option<PathBuf>>) -> Self {
        self.working_dir = dir.into();
        self
    }

    /// Sets the user's config directory searched for `station.toml`; `None`
    /// skips it.
    #[must_use]
    pub fn user_config_dir(mut self, dir: impl Into<Option<PathBuf>>) -> Self {
        self.user_config_dir = dir.into();
        self
    }

    /// Sets the system-wide station file; `None` skips it.
    #[must_use]
    pub fn system_config_file(mut self, path: impl Into<Option<PathBuf>>) -> Self {
        self.system_file = SystemFile::Set(path.into());
        self
    }

    /// The station files tier 3 reads, in order: working directory
    /// (`.wats/station.toml`, then `.pywats/station.conf`), the user's config
    /// directory (`station.toml`), then the system-wide file.
    #[must_use]
    pub fn station_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::with_capacity(4);
        if let Some(dir) = &self.working_dir {
            files.push(dir.join(".wats").join("station.toml"));
            files.push(dir.join(".pywats").join("station.conf"));
        }
        if let Some(dir) = &self.user_config_dir {
            files.push(dir.join("station.toml"));
        }
        match &self.system_file {
            SystemFile::Set(path) => files.extend(path.clone()),
            SystemFile::Default => files.push(self.default_system_file()),
        }
        files
    }

    fn default_system_file(&self) -> PathBuf {
        match self.platform {
            Platform::Windows => {
                let base = self
                    .var("ProgramData")
                    .unwrap_or_else(|| r"C:\ProgramData".to_owned());
                Path::new(&base).join("wats").join("station.toml")
            }
            Platform::Unix => PathBuf::from("/etc/wats/station.toml"),
        }
    }

    /// Runs the tiers in order and returns the first usable station.
    ///
    /// # Errors
    /// [`Error::ConfigRead`] / [`Error::ConfigParse`] when a station file
    /// that is reached exists but cannot be read or parsed;
    /// [`Error::NotDetected`] when no tier yields a name.
    pub fn detect(&self) -> Result<Station, Error> {
        let station = match self.tier_explicit().or_else(|| self.tier_environment()) {
            Some(station) => station,
            None => match self.tier_files()? {
                Some(station) => station,
                None => self.tier_machine().ok_or(Error::NotDetected)?,
            },
        };
        tracing::debug!(station = station.name(), source = %station.source(), "station detected");
        Ok(station)
    }

    /// A non-empty environment value.
    fn var(&self, key: &str) -> Option<String> {
        (self.env)(key).filter(|value| !value.trim().is_empty())
    }

    fn tier_explicit(&self) -> Option<Station> {
        let raw = self.explicit.as_deref()?;
        usable(raw, &Source::Explicit)
    }

    fn tier_environment(&self) -> Option<Station> {
        let found = NAME_VARIABLES.iter().find_map(|variable| {
            let raw = self.var(variable)?;
            usable(&raw, &Source::Environment { variable })
        });
        let Some(mut station) = found else {
            for extra in [LOCATION_VARIABLE, PURPOSE_VARIABLE, DESCRIPTION_VARIABLE] {
                if self.var(extra).is_some() {
                    tracing::warn!(
                        variable = extra,
                        "ignored: it applies only with WATS_STATION or PYWATS_STATION"
                    );
                }
            }
            return None;
        };
        if let Some(location) = self.var(LOCATION_VARIABLE) {
            station = station.with_location(location);
        }
        if let Some(purpose) = self.var(PURPOSE_VARIABLE) {
            station = station.with_purpose(purpose);
        }
        if let Some(description) = self.var(DESCRIPTION_VARIABLE) {
            station = station.with_description(description);
        }
        Some(station)
    }

    fn tier_files(&self) -> Result<Option<Station>, Error> {
        for path in self.station_files() {
            let Some(content) = file::read(&path)? else {
                continue;
            };
            if let Some(station) = from_file(content, path) {
                return Ok(Some(station));
            }
        }
        Ok(None)
    }

    fn tier_machine(&self) -> Option<Station> {
        if self.platform == Platform::Windows
            && let Some(station) = self
                .var("COMPUTERNAME")
                .and_then(|raw| machine(&raw, MachineOrigin::ComputerName))
        {
            return Some(station);
        }
        let raw = (self.hostname)()?;
        machine(&raw, MachineOrigin::HostName)
    }
}

/// A station from `raw`, or `None` with a warning when nothing usable remains.
fn usable(raw: &str, source: &Source) -> Option<Station> {
    let station = Station::from_raw(raw, source.clone());
    if station.is_none() {
        tracing::warn!(%source, raw, "station name has no character WATS accepts; trying the next tier");
    }
    station
}

/// A machine-tier station: never empty, never `localhost`.
fn machine(raw: &str, origin: MachineOrigin) -> Option<Station> {
    let station = usable(raw, &Source::Machine { origin })?;
    let name = station.name();
    if name == "LOCALHOST" || name.starts_with("LOCALHOST.") {
        tracing::warn!(
            name,
            "machine name is localhost; not used as a station name"
        );
        return None;
    }
    Some(station)
}

/// The operating system's host name; `None` if it cannot be had.
fn system_hostname() -> Option<String> {
    // gethostname documents a panic on a rare buffer-size race; a library
    // must not pass that on to the caller.
    std::panic::catch_unwind(gethostname::gethostname)
        .ok()
        .map(|name| name.to_string_lossy().into_owned())
}

/// The station a parsed station file names, if its name is usable.
fn from_file(content: file::FileStation, path: PathBuf) -> Option<Station> {
    let source = Source::File { path };
    let mut station = usable(content.name.as_deref().unwrap_or_default(), &source)?;
    if let Some(location) = content.location {
        station = station.with_location(location);
    }
    if let Some(purpose) = content.purpose {
        station = station.with_purpose(purpose);
    }
    if let Some(description) = content.description {
        station = station.with_description(description);
    }
    Some(station)
}

/// The station a station file with this `path` and content names (`None` when its name
/// is not usable), as detection reads it, without touching the file system; for the fuzz
/// targets and property tests.
///
/// # Errors
/// [`Error::ConfigParse`] when the content is not a valid station file.
#[doc(hidden)]
pub fn station_from_file_bytes(path: &Path, bytes: &[u8]) -> Result<Option<Station>, Error> {
    file::parse(path, bytes).map(|content| from_file(content, path.to_owned()))
}
