//! Detection through injected environment, host name, platform and
//! directories: each tier alone, each pair of tiers, Windows and Unix rules,
//! fall-through and station-file errors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing::{Event, Level, Metadata, Subscriber, span};
use wats_station::{Detector, Error, MachineOrigin, Platform, Source, Station};

/// A unique temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("wats-station-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One test machine: its environment, host name, platform and directories.
struct Machine {
    tmp: TempDir,
    env: HashMap<String, String>,
    hostname: Option<String>,
    platform: Platform,
}

impl Machine {
    fn new(platform: Platform) -> Self {
        Self {
            tmp: TempDir::new(),
            env: HashMap::new(),
            hostname: None,
            platform,
        }
    }
    fn unix() -> Self {
        Self::new(Platform::Unix)
    }
    fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.insert(key.to_owned(), value.to_owned());
        self
    }
    fn host(&mut self, name: &str) -> &mut Self {
        self.hostname = Some(name.to_owned());
        self
    }
    fn work(&self) -> PathBuf {
        self.tmp.0.join("work")
    }
    fn user(&self) -> PathBuf {
        self.tmp.0.join("user")
    }
    fn system(&self) -> PathBuf {
        self.tmp.0.join("etc").join("wats").join("station.toml")
    }
    fn write(&self, path: &Path, content: impl AsRef<[u8]>) -> PathBuf {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        path.to_owned()
    }
    fn work_toml(&self, content: &str) -> PathBuf {
        self.write(&self.work().join(".wats/station.toml"), content)
    }
    fn work_conf(&self, content: &str) -> PathBuf {
        self.write(&self.work().join(".pywats/station.conf"), content)
    }
    fn user_toml(&self, content: &str) -> PathBuf {
        self.write(&self.user().join("station.toml"), content)
    }
    fn system_toml(&self, content: &str) -> PathBuf {
        self.write(&self.system(), content)
    }
    /// A detector seeing only this machine.
    fn detector(&self) -> Detector {
        let env = self.env.clone();
        let host = self.hostname.clone();
        Detector::new()
            .env(move |key| env.get(key).cloned())
            .hostname(move || host.clone())
            .platform(self.platform)
            .working_dir(self.work())
            .user_config_dir(self.user())
            .system_config_file(self.system())
    }
    fn detect(&self) -> Result<Station, Error> {
        self.detector().detect()
    }
}

/// Counts `WARN` events.
struct WarnCounter(Arc<AtomicUsize>);

impl Subscriber for WarnCounter {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, event: &Event<'_>) {
        if *event.metadata().level() == Level::WARN {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

/// Runs `f`, returning its result and the number of warnings it logged.
fn warnings<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let count = Arc::new(AtomicUsize::new(0));
    let out = tracing::subscriber::with_default(WarnCounter(Arc::clone(&count)), f);
    (out, count.load(Ordering::SeqCst))
}

fn file_source(path: &Path) -> Source {
    Source::File {
        path: path.to_owned(),
    }
}

const HOSTNAME: Source = Source::Machine {
    origin: MachineOrigin::HostName,
};
const COMPUTERNAME: Source = Source::Machine {
    origin: MachineOrigin::ComputerName,
};

// ---- each tier alone ----

#[test]
fn explicit_alone() {
    let m = Machine::unix();
    let station = m.detector().explicit("line 3 / ict").detect().unwrap();
    assert_eq!(station.name(), "LINE-3-ICT");
    assert_eq!(station.source(), &Source::Explicit);
}

#[test]
fn environment_alone_with_location_and_purpose() {
    let mut m = Machine::unix();
    m.set("WATS_STATION", " ict 01 ")
        .set("WATS_STATION_LOCATION", " Drammen, Norway ")
        .set("WATS_STATION_PURPOSE", "production")
        .set("WATS_STATION_DESCRIPTION", "bench 4");
    let station = m.detect().unwrap();
    assert_eq!(station.name(), "ICT-01");
    assert_eq!(station.location(), Some("Drammen, Norway"));
    assert_eq!(station.purpose(), Some("Production"));
    assert_eq!(station.description(), Some("bench 4"));
    assert_eq!(
        station.source(),
        &Source::Environment {
            variable: "WATS_STATION"
        }
    );
    assert_eq!(station.source().to_string(), "env:WATS_STATION");
}

#[test]
fn pywats_environment_alone() {
    let mut m = Machine::unix();
    m.set("PYWATS_STATION", "py-station");
    let station = m.detect().unwrap();
    assert_eq!(station.name(), "PY-STATION");
    assert_eq!(
        station.source(),
        &Source::Environment {
            variable: "PYWATS_STATION"
        }
    );
}

#[test]
fn working_dir_toml_alone() {
    let m = Machine::unix();
    let path = m.work_toml(
        "# line 3\nname = \"ict 02\"\nlocation = \"Oslo\"\npurpose = \"Repair\"\ndescription = \"ICT fixture B\"\n",
    );
    let station = m.detect().unwrap();
    assert_eq!(station.name(), "ICT-02");
    assert_eq!(station.location(), Some("Oslo"));
    assert_eq!(station.purpose(), Some("Repair"));
    assert_eq!(station.description(), Some("ICT fixture B"));
    assert_eq!(station.source(), &file_source(&path));
    assert_eq!(
        station.source().to_string(),
        format!("file:{}", path.display())
    );
}

#[test]
fn working_dir_pywats_conf_alone() {
    let m = Machine::unix();
    let path = m.work_conf("\n# pyWATS station\n  repair bench\n");
    let station = m.detect().unwrap();
    assert_eq!(station.name(), "REPAIR-BENCH");
    assert_eq!(station.location(), None);
    assert_eq!(station.source(), &file_source(&path));
}

#[test]
fn user_config_file_alone() {
    let m = Machine::unix();
    let path = m.user_toml("name = \"user-station\"\n");
    let station = m.detect().unwrap();
    assert_eq!(station.name(), "USER-STATION");
    assert_eq!(station.source(), &file_source(&path));
}

#[test]
fn system_file_alone() {
    let m = Machine::unix();
    let path = m.system_toml("name = \"service-station\"\npurpose = \"Calibration\"\n");
    let station = m.detect().unwrap();
    assert_eq!(station.name(), "SERVICE-STATION");
    assert_eq!(station.purpose(), Some("Calibration"));
    assert_eq!(station.source(), &file_source(&path));
}

#[test]
fn toml_with_byte_order_mark_is_read() {
    let m = Machine::unix();
    m.work_toml("\u{FEFF}name = \"notepad\"\n");
    assert_eq!(m.detect().unwrap().name(), "NOTEPAD");
}

#[test]
fn unix_machine_alone_uses_host_name() {
    let mut m = Machine::unix();
    m.host("olalaptop.example.com")
        .set("COMPUTERNAME", "ignored-on-unix");
    let station = m.detect().unwrap();
    assert_eq!(station.name(), "OLALAPTOP.EXAMPLE.COM");
    assert_eq!(station.source(), &HOSTNAME);
}

#[test]
fn windows_machine_alone_uses_computername() {
    let mut m = Machine::new(Platform::Windows);
    m.host("dns-name").set("COMPUTERNAME", "olalaptop");
    let station = m.detect().unwrap();
    assert_eq!(station.name(), "OLALAPTOP");
    assert_eq!(station.source(), &COMPUTERNAME);
    assert_eq!(station.source().to_string(), "machine:COMPUTERNAME");
}

#[test]
fn windows_without_computername_uses_host_name() {
    for computername in [None, Some(""), Some("localhost"), Some("*?")] {
        let mut m = Machine::new(Platform::Windows);
        m.host("dns-name");
        if let Some(value) = computername {
            m.set("COMPUTERNAME", value);
        }
        let station = m.detect().unwrap();
        assert_eq!(station.name(), "DNS-NAME", "COMPUTERNAME={computername:?}");
        assert_eq!(station.source(), &HOSTNAME);
    }
}

#[test]
fn localhost_and_empty_machine_names_are_never_used() {
    for host in [
        "localhost",
        "LocalHost",
        "localhost.localdomain",
        "",
        "  ",
        "/",
    ] {
        let mut m = Machine::unix();
        m.host(host);
        let err = m.detect().unwrap_err();
        assert!(matches!(err, Error::NotDetected), "host {host:?}: {err}");
        assert!(err.to_string().contains("WATS_STATION"), "{err}");
    }
    let m = Machine::unix();
    assert!(matches!(m.detect(), Err(Error::NotDetected)));
}

#[test]
fn localhost_as_a_prefix_of_a_real_name_is_fine() {
    let mut m = Machine::unix();
    m.host("localhost-lab2");
    assert_eq!(m.detect().unwrap().name(), "LOCALHOST-LAB2");
}

// ---- each pair of tiers: the higher one wins ----

#[derive(Clone, Copy, Debug)]
enum Tier {
    Explicit,
    Environment,
    File,
    Machine,
}

#[test]
fn every_pair_of_tiers_obeys_priority() {
    use Tier::{Environment, Explicit, File, Machine as Host};
    let tiers = [Explicit, Environment, File, Host];
    let mut pairs = 0;
    for (i, &high) in tiers.iter().enumerate() {
        for &low in &tiers[i + 1..] {
            let mut m = Machine::unix();
            let mut explicit = None;
            for tier in [high, low] {
                match tier {
                    Explicit => explicit = Some("tier-explicit"),
                    Environment => {
                        m.set("WATS_STATION", "tier-environment");
                    }
                    File => {
                        m.work_toml("name = \"tier-file\"");
                    }
                    Host => {
                        m.host("tier-machine");
                    }
                }
            }
            let mut detector = m.detector();
            if let Some(name) = explicit {
                detector = detector.explicit(name);
            }
            let station = detector.detect().unwrap();
            let expected = format!("TIER-{high:?}")
                .to_uppercase()
                .replace("HOST", "MACHINE");
            assert_eq!(station.name(), expected, "{high:?} over {low:?}");
            pairs += 1;
        }
    }
    assert_eq!(pairs, 6);
}

#[test]
fn files_are_read_in_documented_order() {
    let m = Machine::unix();
    let system = m.system_toml("name = \"from-system\"");
    let user = m.user_toml("name = \"from-user\"");
    let conf = m.work_conf("from-conf");
    let toml = m.work_toml("name = \"from-toml\"");
    assert_eq!(
        m.detector().station_files(),
        [toml.clone(), conf.clone(), user.clone(), system.clone()]
    );
    for (winner, name) in [
        (toml, "FROM-TOML"),
        (conf, "FROM-CONF"),
        (user, "FROM-USER"),
        (system, "FROM-SYSTEM"),
    ] {
        let station = m.detect().unwrap();
        assert_eq!(station.name(), name);
        assert_eq!(station.source(), &file_source(&winner));
        std::fs::remove_file(&winner).unwrap();
    }
    assert!(matches!(m.detect(), Err(Error::NotDetected)));
}

#[test]
fn wats_station_wins_over_pywats_station() {
    let mut m = Machine::unix();
    m.set("WATS_STATION", "ours")
        .set("PYWATS_STATION", "theirs");
    let station = m.detect().unwrap();
    assert_eq!(station.name(), "OURS");
    assert_eq!(
        station.source(),
        &Source::Environment {
            variable: "WATS_STATION"
        }
    );
}

// ---- fall-through ----

#[test]
fn empty_environment_values_fall_through_silently() {
    let mut m = Machine::unix();
    m.set("WATS_STATION", "")
        .set("PYWATS_STATION", "   ")
        .host("host-1");
    let (station, warned) = warnings(|| m.detect().unwrap());
    assert_eq!(station.source(), &HOSTNAME);
    assert_eq!(warned, 0);
}

#[test]
fn names_that_sanitize_to_nothing_fall_through_with_a_warning() {
    let mut m = Machine::unix();
    m.set("WATS_STATION", "?!*").set("PYWATS_STATION", "py");
    let (station, warned) = warnings(|| m.detector().explicit(" / ").detect().unwrap());
    assert_eq!(station.name(), "PY");
    assert_eq!(
        station.source(),
        &Source::Environment {
            variable: "PYWATS_STATION"
        }
    );
    assert_eq!(
        warned, 2,
        "one warning each for the explicit name and WATS_STATION"
    );
}

#[test]
fn station_file_without_usable_name_falls_through() {
    let mut m = Machine::unix();
    m.host("host-2");
    m.work_toml("location = \"Oslo\"\n");
    m.work_conf("# nothing here\n");
    let user = m.user_toml("name = \"%%%\"\n");
    let (station, warned) = warnings(|| m.detect().unwrap());
    assert_eq!(station.source(), &HOSTNAME);
    assert_eq!(
        station.location(),
        None,
        "location comes from the tier that names the station"
    );
    assert_eq!(warned, 3);
    assert!(user.exists());
}

#[test]
fn location_without_station_variable_is_ignored_with_a_warning() {
    let mut m = Machine::unix();
    m.set("WATS_STATION_LOCATION", "Oslo")
        .set("WATS_STATION_PURPOSE", "Debug")
        .host("host-3");
    let (station, warned) = warnings(|| m.detect().unwrap());
    assert_eq!(station.name(), "HOST-3");
    assert_eq!(station.location(), None);
    assert_eq!(station.purpose(), None);
    assert_eq!(warned, 2);
}

// ---- platform-specific system file ----

#[test]
fn default_system_file_follows_platform() {
    let none = Machine::unix()
        .detector()
        .system_config_file(None)
        .working_dir(None)
        .user_config_dir(None);
    assert!(none.station_files().is_empty());
    let d = Detector::new()
        .env(|_| None)
        .working_dir(None)
        .user_config_dir(None);
    assert_eq!(
        d.clone().platform(Platform::Unix).station_files(),
        [PathBuf::from("/etc/wats/station.toml")]
    );
    assert_eq!(
        d.platform(Platform::Windows).station_files(),
        [Path::new(r"C:\ProgramData")
            .join("wats")
            .join("station.toml")]
    );
}

#[test]
fn windows_system_file_lives_under_program_data() {
    let mut m = Machine::new(Platform::Windows);
    let program_data = m.tmp.0.join("ProgramData");
    let path = m.write(
        &program_data.join("wats").join("station.toml"),
        "name = \"svc\"\n",
    );
    m.set("ProgramData", program_data.to_str().unwrap())
        .set("COMPUTERNAME", "pc-1");
    let env = m.env.clone();
    let station = Detector::new()
        .env(move |key| env.get(key).cloned())
        .hostname(|| None)
        .platform(Platform::Windows)
        .working_dir(m.work())
        .user_config_dir(m.user())
        .detect()
        .unwrap();
    assert_eq!(station.name(), "SVC");
    assert_eq!(station.source(), &file_source(&path));
}

// ---- station-file errors ----

#[test]
fn invalid_toml_is_an_error_naming_file_and_line() {
    let m = Machine::unix();
    let path = m.work_toml("# station\nname = \"ict\"\nlocation = Oslo\n");
    let err = m.detect().unwrap_err();
    let Error::ConfigParse {
        path: at,
        line,
        column,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(at, &path);
    assert_eq!((*line, *column), (3, 12));
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()) && text.contains("line 3"),
        "{text}"
    );
}

#[test]
fn unknown_key_and_wrong_type_are_errors_with_line() {
    let m = Machine::unix();
    m.user_toml("name = \"a\"\n\nnmae = \"typo\"\n");
    let err = m.detect().unwrap_err();
    assert!(matches!(err, Error::ConfigParse { line: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("nmae"), "{err}");

    m.user_toml("name = 42\n");
    let err = m.detect().unwrap_err();
    assert!(matches!(err, Error::ConfigParse { line: 1, .. }), "{err:?}");
}

#[test]
fn conf_that_is_not_utf8_is_an_error_with_line() {
    let m = Machine::unix();
    let path = m.write(
        &m.work().join(".pywats/station.conf"),
        b"# ok\nst\xffation\n",
    );
    let err = m.detect().unwrap_err();
    let Error::ConfigParse {
        path: at,
        line,
        column,
        message,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((at, *line, *column), (&path, 2, 3));
    assert!(message.contains("UTF-8"), "{message}");
}

#[test]
fn unreadable_station_file_is_an_error_naming_it() {
    let m = Machine::unix();
    let path = m.user().join("station.toml");
    std::fs::create_dir_all(&path).unwrap(); // a directory where the file should be
    let err = m.detect().unwrap_err();
    let Error::ConfigRead { path: at, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(at, &path);
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn broken_file_is_not_skipped_but_not_reached_past_a_winning_tier() {
    let mut m = Machine::unix();
    m.host("host-4");
    m.system_toml("name = [\n");
    assert!(matches!(
        m.detect(),
        Err(Error::ConfigParse { line: 1, .. })
    ));
    m.work_conf("bench");
    assert_eq!(m.detect().unwrap().name(), "BENCH");
    m.set("WATS_STATION", "env");
    assert_eq!(m.detect().unwrap().name(), "ENV");
}

#[test]
fn default_detector_uses_the_real_host_name() {
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let station = Detector::new()
        .env(|_| None)
        .working_dir(None)
        .user_config_dir(None)
        .system_config_file(None)
        .platform(Platform::Unix)
        .detect();
    match wats_station::sanitize_name(&host) {
        Some(name) if name != "LOCALHOST" && !name.starts_with("LOCALHOST.") => {
            let station = station.unwrap();
            assert_eq!(station.name(), name);
            assert_eq!(station.source(), &HOSTNAME);
        }
        _ => assert!(matches!(station, Err(Error::NotDetected))),
    }
}
