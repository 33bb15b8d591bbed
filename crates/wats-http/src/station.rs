//! The client's station: detection at build, and filling it into submitted reports.

use wats_core::report::is_unset;
use wats_core::{Error, Report, Result};
use wats_station::{Detector, Station};

/// The station a client is built with: the explicit one, else the detector's
/// (or the default detector's) result. A broken station file, or no usable name
/// at all, is an [`Error::InvalidConfig`] carrying the station error's message
/// (which names the file, line and column).
pub(crate) fn resolve(explicit: Option<Station>, detector: Option<&Detector>) -> Result<Station> {
    if let Some(station) = explicit {
        return Ok(station);
    }
    let detected = match detector {
        Some(d) => d.detect(),
        None => Station::detect(),
    };
    detected.map_err(|e| Error::InvalidConfig(format!("station: {e}")))
}

/// The WSJF bytes of `report` with the station's `machineName`, `location` and
/// `purpose` filled in where the report does not set them (absent, `null` or
/// blank; see [`Report::fill_station`]).
///
/// Cheapest path first: nothing to fill serializes the report as is; members
/// that are only absent are written in front of the serialized report's own
/// members (no clone of the report); a member present as `null` or blank text
/// (it must be replaced, not added) clones the report and fills the copy.
pub(crate) fn encode_report(report: &Report, station: &Station) -> Result<Vec<u8>> {
    let members = [
        ("machineName", &report.machine_name, Some(station.name())),
        ("location", &report.location, station.location()),
        ("purpose", &report.purpose, station.purpose()),
    ];
    let mut fills: [Option<(&str, &str)>; 3] = [None; 3];
    let mut any = false;
    let mut only_absent = true;
    for (slot, (key, field, value)) in fills.iter_mut().zip(members) {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            if is_unset(field) {
                *slot = Some((key, value));
                any = true;
                only_absent &= field.is_absent();
            }
        }
    }
    if !any {
        return wats_core::json::to_vec(report);
    }
    if only_absent {
        if let Some(bytes) = splice(report, &fills)? {
            return Ok(bytes);
        }
    }
    let mut copy = report.clone();
    copy.fill_station(station.name(), station.location(), station.purpose());
    wats_core::json::to_vec(&copy)
}

/// `{"key":"value",...` then the report's members. `None` if the report did not
/// serialize to an object (never expected; the caller falls back to a clone).
fn splice(report: &Report, fills: &[Option<(&str, &str)>]) -> Result<Option<Vec<u8>>> {
    let encode = |e: serde_json::Error| Error::Encode {
        target: "Report",
        message: e.to_string(),
    };
    let mut out = Vec::with_capacity(4096);
    out.push(b'{');
    for (key, value) in fills.iter().flatten() {
        serde_json::to_writer(&mut out, key).map_err(encode)?;
        out.push(b':');
        serde_json::to_writer(&mut out, value).map_err(encode)?;
        out.push(b',');
    }
    let start = out.len();
    serde_json::to_writer(&mut out, report).map_err(encode)?;
    match out.get(start..start + 2) {
        // The report is `{}`: drop the dangling comma and its braces.
        Some(b"{}") => {
            out.truncate(start - 1);
            out.push(b'}');
        }
        Some([b'{', _]) => {
            out.remove(start);
        }
        _ => return Ok(None),
    }
    Ok(Some(out))
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
    fn absent_members_are_spliced_and_equal_the_typed_fill() {
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
        // Each key once: the clone path replaced them, it did not add duplicates.
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
    fn empty_report_object_stays_valid_json() {
        let got = encoded(&Report::default(), &station());
        assert_eq!(
            got,
            json!({"machineName": "ICT-01", "location": "Drammen", "purpose": "Production"})
        );
    }
}
