//! The client's station: explicit or detected at build, filled into submitted
//! reports (seen by `wats-mock`), never into `submit_raw` bytes; a broken station
//! file fails the build. No process environment is touched: detection uses a
//! `Detector` with an injected environment and a temporary working directory.

use std::path::PathBuf;

use serde_json::Value;
use wats_core::{Error, UurReportBuilder, UutReportBuilder};
use wats_http::{Client, ClientBuilder, Detector, Station};
use wats_mock::MockServer;
use wats_station::Source;

const TOKEN: &str = "dXNlcjpwYXNz";

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder().base_url(server.url()).token(TOKEN)
}

fn station() -> Station {
    Station::new("line 3 / ict")
        .unwrap()
        .with_location("Drammen")
        .with_purpose("production")
}

fn stored(server: &MockServer, id: &str) -> Value {
    serde_json::from_slice(&server.stored_report(id).expect("stored")).unwrap()
}

/// A fresh directory under the system temp dir (removed on drop).
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "wats-http-{tag}-{}-{}",
            std::process::id(),
            uuid_like()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// A detector that sees only what the test gives it.
fn detector(env: &'static [(&'static str, &'static str)], dir: Option<PathBuf>) -> Detector {
    Detector::new()
        .env(move |key| {
            env.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        })
        .hostname(|| Some("build-host".to_owned()))
        .working_dir(dir)
        .user_config_dir(None)
        .system_config_file(None)
}

#[tokio::test]
async fn submitted_reports_carry_the_station_unless_they_set_their_own() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server).station(station()).build().unwrap();
    assert_eq!(client.station().name(), "LINE-3-ICT");
    assert_eq!(client.station().source(), &Source::Explicit);

    // No station in the report (valid to build now): all three come from the client.
    let report = UutReportBuilder::new("PN-1", "SN-1", "A", 10)
        .build()
        .unwrap();
    let id = client.reports().submit(&report).await.unwrap();
    let json = stored(&server, &id);
    assert_eq!(json["machineName"], "LINE-3-ICT");
    assert_eq!(json["location"], "Drammen");
    assert_eq!(json["purpose"], "Production");
    assert_eq!(json["sn"], "SN-1");
    // The caller's report is untouched.
    assert!(report.machine_name.is_absent());

    // A report that names its own station keeps it; blank members are filled.
    let own = UutReportBuilder::new("PN-1", "SN-2", "A", 10)
        .station("OWN-ST", "", "Debug")
        .build()
        .unwrap();
    let id = client.reports().submit(&own).await.unwrap();
    let json = stored(&server, &id);
    assert_eq!(json["machineName"], "OWN-ST");
    assert_eq!(json["location"], "Drammen");
    assert_eq!(json["purpose"], "Debug");

    // `null` and blank text count as not set.
    let mut loaded = report.clone();
    loaded.id = "7d4a9a52-1c1b-4a4f-9c39-5b0a9e7f0001".into();
    loaded.machine_name = wats_core::Field::Null;
    loaded.location = "  ".into();
    let id = client.reports().submit(&loaded).await.unwrap();
    let json = stored(&server, &id);
    assert_eq!(json["machineName"], "LINE-3-ICT");
    assert_eq!(json["location"], "Drammen");

    // A UUR: purpose `Repair` is the builder's own, the rest comes from the client.
    let uur = UurReportBuilder::new("PN-1", "SN-1", "A", 10)
        .build()
        .unwrap();
    let id = client.reports().submit(&uur).await.unwrap();
    let json = stored(&server, &id);
    assert_eq!(json["machineName"], "LINE-3-ICT");
    assert_eq!(json["purpose"], "Repair");

    // `encode` gives the bytes `submit` sends.
    let bytes = client.reports().encode(&report).unwrap();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(json["machineName"], "LINE-3-ICT");
}

#[tokio::test]
async fn submit_raw_is_verbatim() {
    let server = MockServer::builder().token(TOKEN).start().unwrap();
    let client = builder(&server).station(station()).build().unwrap();
    let report = UutReportBuilder::new("PN-1", "SN-9", "A", 10)
        .build()
        .unwrap();
    let bytes = wats_core::json::to_vec(&report).unwrap();
    let id = client.reports().submit_raw(bytes.clone()).await.unwrap();
    assert_eq!(server.stored_report(&id).unwrap().as_ref(), &bytes[..]);
    assert!(stored(&server, &id).get("machineName").is_none());
}

#[test]
fn detected_station_from_environment_and_file() {
    // Environment tier (injected, no process env mutation).
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .token(TOKEN)
        .station_detector(detector(
            &[
                ("WATS_STATION", "env-st"),
                ("WATS_STATION_LOCATION", "Oslo"),
            ],
            None,
        ))
        .build()
        .unwrap();
    assert_eq!(client.station().name(), "ENV-ST");
    assert_eq!(client.station().location(), Some("Oslo"));
    assert_eq!(client.station().source().to_string(), "env:WATS_STATION");
    // Shared with pool siblings.
    assert_eq!(client.with_new_pool().station().name(), "ENV-ST");

    // File tier.
    let dir = TempDir::new("good");
    std::fs::create_dir_all(dir.0.join(".wats")).unwrap();
    std::fs::write(
        dir.0.join(".wats/station.toml"),
        "name = \"file-st\"\npurpose = \"rma\"\n",
    )
    .unwrap();
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .token(TOKEN)
        .station_detector(detector(&[], Some(dir.0.clone())))
        .build()
        .unwrap();
    assert_eq!(client.station().name(), "FILE-ST");
    assert_eq!(client.station().purpose(), Some("RMA"));

    // Machine tier, and an explicit station wins over the detector.
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .token(TOKEN)
        .station_detector(detector(&[], None))
        .build()
        .unwrap();
    assert_eq!(client.station().name(), "BUILD-HOST");
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .token(TOKEN)
        .station_detector(detector(&[("WATS_STATION", "env-st")], None))
        .station(station())
        .build()
        .unwrap();
    assert_eq!(client.station().name(), "LINE-3-ICT");
}

#[test]
fn broken_station_file_fails_the_build_naming_file_and_line() {
    let dir = TempDir::new("broken");
    std::fs::create_dir_all(dir.0.join(".wats")).unwrap();
    std::fs::write(
        dir.0.join(".wats/station.toml"),
        "name = \"ict-01\"\nlocation = \n",
    )
    .unwrap();
    let err = Client::builder()
        .base_url("http://127.0.0.1:9")
        .token(TOKEN)
        .station_detector(detector(&[], Some(dir.0.clone())))
        .build()
        .unwrap_err();
    match &err {
        Error::Setup { .. } => {
            let message = err.to_string();
            assert!(message.contains(".wats"), "{message}");
            assert!(message.contains("station.toml"), "{message}");
            assert!(message.contains("line 2"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // An unknown key is an error too (never skipped silently).
    std::fs::write(dir.0.join(".wats/station.toml"), "nmae = \"typo\"\n").unwrap();
    let err = Client::builder()
        .base_url("http://127.0.0.1:9")
        .token(TOKEN)
        .station_detector(detector(&[], Some(dir.0.clone())))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Setup { .. }) && err.to_string().contains("line 1"),
        "{err}"
    );
}

#[test]
fn no_usable_station_is_a_config_error() {
    let err = Client::builder()
        .base_url("http://127.0.0.1:9")
        .token(TOKEN)
        .station_detector(detector(&[], None).hostname(|| Some("localhost".to_owned())))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Setup { .. }) && err.to_string().contains("WATS_STATION"),
        "{err}"
    );
}
