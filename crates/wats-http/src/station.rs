//! The client's station: detection at build, and filling it into submitted reports.

use wats_core::{Error, Report, Result};
use wats_station::{Detector, Station};

/// The station a client is built with: the explicit one, else the detector's
/// (or the default detector's) result. A broken station file, or no usable name
/// at all, is an [`Error::Setup`] whose source is the station error (its message names
/// the file, line and column).
pub(crate) fn resolve(explicit: Option<Station>, detector: Option<&Detector>) -> Result<Station> {
    if let Some(station) = explicit {
        return Ok(station);
    }
    let detected = match detector {
        Some(d) => d.detect(),
        None => Station::detect(),
    };
    detected.map_err(|e| Error::Setup {
        component: "station",
        source: Box::new(e),
    })
}

/// The WSJF bytes of `report` with the station's `machineName`, `location` and
/// `purpose` filled in where the report does not set them (absent, `null` or
/// blank; see [`Report::fill_station`]). The report is cloned only when
/// something must be filled.
pub(crate) fn encode_report(report: &Report, station: &Station) -> Result<Vec<u8>> {
    let (name, location, purpose) = (station.name(), station.location(), station.purpose());
    if !report.needs_station(name, location, purpose) {
        return wats_core::json::to_vec(report);
    }
    let mut copy = report.clone();
    copy.fill_station(name, location, purpose);
    wats_core::json::to_vec(&copy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use wats_core::UutReportBuilder;

    fn station() -> Station {
        Station::new("ict-01")
            .unwrap()
            .with_location("Drammen")
            .with_purpose("production")
    }

    fn encoded(report: &Report, station: &Station) -> Value {
        serde_json::from_slice(&encode_report(report, station).unwrap()).unwrap()
    }

    #[test]
    fn absent_members_are_filled_as_the_typed_fill_does() {
        let report = UutReportBuilder::new("PN", "SN", "A", 10).build().unwrap();
        let got = encoded(&report, &station());
        let mut filled = report.clone();
        assert_eq!(
            filled.fill_station("ICT-01", Some("Drammen"), Some("Production")),
            3
        );
        assert_eq!(got, serde_json::to_value(&filled).unwrap());
        assert_eq!(got["machineName"], "ICT-01");
        assert_eq!(got["location"], "Drammen");
        assert_eq!(got["purpose"], "Production");
    }

    #[test]
    fn set_members_are_kept_and_null_or_blank_ones_replaced() {
        let mut report = UutReportBuilder::new("PN", "SN", "A", 10)
            .station("OWN-ST", "", "")
            .build()
            .unwrap();
        report.location = wats_core::Field::Null;
        report.purpose = " ".into();
        let got = encoded(&report, &station());
        assert_eq!(got["machineName"], "OWN-ST");
        assert_eq!(got["location"], "Drammen");
        assert_eq!(got["purpose"], "Production");
        // Each key once: replaced, not added as duplicates.
        let text = String::from_utf8(encode_report(&report, &station()).unwrap()).unwrap();
        assert_eq!(text.matches("\"location\"").count(), 1);
        assert_eq!(text.matches("\"purpose\"").count(), 1);
    }

    #[test]
    fn nothing_to_fill_is_the_plain_encoding() {
        let report = UutReportBuilder::new("PN", "SN", "A", 10)
            .station("S", "L", "P")
            .build()
            .unwrap();
        assert_eq!(
            encode_report(&report, &station()).unwrap(),
            wats_core::json::to_vec(&report).unwrap()
        );
        // A station without location or purpose fills only the name.
        let bare = Station::new("bare").unwrap();
        let report = UutReportBuilder::new("PN", "SN", "A", 10).build().unwrap();
        let got = encoded(&report, &bare);
        assert_eq!(got["machineName"], "BARE");
        assert!(got.get("location").is_none());
    }

    #[test]
    fn a_station_failure_keeps_the_station_error_as_its_source() {
        let detector = Detector::new()
            .env(|_| None)
            .hostname(|| Some("localhost".to_owned()))
            .working_dir(None)
            .user_config_dir(None)
            .system_config_file(None);
        let err = resolve(None, Some(&detector)).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Setup {
                    component: "station",
                    ..
                }
            ),
            "{err:?}"
        );
        let source = std::error::Error::source(&err).expect("the station error");
        assert!(source.is::<wats_station::Error>(), "{source}");
        assert!(err.to_string().contains(&source.to_string()));
    }

    #[test]
    fn empty_report_object_stays_valid_json() {
        let got = encoded(&Report::default(), &station());
        assert_eq!(
            got,
            json!({"machineName": "ICT-01", "location": "Drammen", "purpose": "Production"})
        );
    }
}
