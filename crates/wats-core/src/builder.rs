//! Builders for new UUT and UUR reports, with the checks WATS applies on submit.
//!
//! Loading a report never validates (what the server sent is kept); building does.

use chrono::{DateTime, FixedOffset};

use crate::codes::{Coded, ReportType, Status};
use crate::error::{Error, Result};
use crate::report::{Asset, Failure, MiscInfo, Report, SubUnit, UurInfo, UutInfo};
use crate::step::{AdditionalData, Attachment, Step};
use crate::value::{Field, NumOrStr};

/// Characters WATS rejects in serial and part numbers.
pub const FORBIDDEN_ID_CHARS: &[char] = &['*', '%', '?', '[', ']', '^', '!', '/', '\\'];

/// The name WATS gives the root sequence call of a UUT report.
pub const ROOT_NAME: &str = "MainSequence Callback";

/// Check a serial or part number: 1 to 100 characters, none of `* % ? [ ] ^ ! / \`.
///
/// ```
/// use wats_core::builder::validate_identifier;
/// assert!(validate_identifier("sn", "SN-0001").is_ok());
/// let err = validate_identifier("sn", "SN/1").unwrap_err();
/// assert!(err.to_string().contains("sn"));
/// ```
pub fn validate_identifier(field: &str, value: &str) -> Result<()> {
    validate_text(field, value)?;
    if let Some(c) = value.chars().find(|c| FORBIDDEN_ID_CHARS.contains(c)) {
        return Err(Error::InvalidInput {
            field: field.to_owned(),
            message: format!("`{value}` contains `{c}`; WATS rejects any of * % ? [ ] ^ ! / \\"),
        });
    }
    Ok(())
}

/// Check a required text member: 1 to 100 characters.
pub fn validate_text(field: &str, value: &str) -> Result<()> {
    let n = value.chars().count();
    if n == 0 || n > 100 {
        return Err(Error::InvalidInput {
            field: field.to_owned(),
            message: format!("must be 1 to 100 characters, got {n}"),
        });
    }
    Ok(())
}

fn required<'a>(field: &str, value: &'a Field<String>) -> Result<&'a str> {
    let v = value.as_str().ok_or_else(|| Error::InvalidInput {
        field: field.to_owned(),
        message: "is required".to_owned(),
    })?;
    validate_text(field, v)?;
    Ok(v)
}

/// A station member is validated only when it is set (absent, `null` and blank
/// text mean "not set"; the client fills those from its station).
fn optional(field: &str, value: &Field<String>) -> Result<()> {
    match value.as_str() {
        Some(v) if !v.trim().is_empty() => validate_text(field, v),
        _ => Ok(()),
    }
}

/// Blank text means "not set": the key is left out, so a client can fill it.
fn station_text(value: &str) -> Field<String> {
    if value.trim().is_empty() {
        Field::Absent
    } else {
        value.into()
    }
}

fn validate_header(r: &Report) -> Result<()> {
    validate_identifier("pn", r.pn.as_str().unwrap_or(""))?;
    validate_identifier("sn", r.sn.as_str().unwrap_or(""))?;
    required("rev", &r.rev)?;
    // Station fields are optional: a client fills them from its station at submit.
    optional("machineName", &r.machine_name)?;
    optional("location", &r.location)?;
    optional("purpose", &r.purpose)?;
    for (i, su) in r.sub_units.items().iter().enumerate() {
        validate_identifier(&format!("subUnits[{i}].pn"), su.pn.as_str().unwrap_or(""))?;
        // A UUR sub-unit may have an empty serial number.
        let sn = su.sn.as_str().unwrap_or("");
        if !(sn.is_empty() && r.is_uur()) {
            validate_identifier(&format!("subUnits[{i}].sn"), sn)?;
        }
    }
    Ok(())
}

fn base_report(
    report_type: ReportType,
    pn: &str,
    sn: &str,
    rev: &str,
    process_code: i64,
) -> Report {
    Report {
        id: uuid::Uuid::new_v4().hyphenated().to_string().into(),
        report_type: Coded::new(report_type).into(),
        pn: pn.into(),
        sn: sn.into(),
        rev: rev.into(),
        process_code: process_code.into(),
        result: Coded::new(Status::Passed).into(),
        start: crate::time::now_local().into(),
        ..Default::default()
    }
}

/// Builds a new UUT (test) report.
///
/// `id` is a fresh lowercase UUID v4, `start` is now with the local offset, the
/// root is an empty `SequenceCall` named `MainSequence Callback`. Unless
/// [`result`](Self::result) is called, the result is `F` when the root failed and
/// `P` otherwise.
///
/// ```
/// use wats_core::{CompOp, NumericMeas, Status, Step, UutReportBuilder};
/// let report = UutReportBuilder::new("PN-1", "SN-1", "A", 10)
///     .station("ST-01", "Lab", "Development")
///     .operator("alice")
///     .step(Step::numeric_limit("Voltage",
///         NumericMeas::new(5.02, CompOp::GeLe, Some(4.9), Some(5.1)).with_unit("V")))
///     .step(Step::pass_fail("Boot", true))
///     .build()
///     .unwrap();
/// assert_eq!(report.result(), Some(Status::Passed));
/// assert_eq!(report.steps().count(), 3);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct UutReportBuilder {
    report: Report,
    root: Step,
    uut: UutInfo,
    result_set: bool,
}

impl UutReportBuilder {
    /// Start a UUT report for part number, serial number, revision and test
    /// operation (process code).
    pub fn new(pn: &str, sn: &str, rev: &str, process_code: i64) -> Self {
        UutReportBuilder {
            report: base_report(ReportType::Uut, pn, sn, rev, process_code),
            root: Step::sequence_call(ROOT_NAME),
            uut: UutInfo {
                user: "".into(),
                ..Default::default()
            },
            result_set: false,
        }
    }

    /// Station name (`machineName`), `location` and `purpose`.
    ///
    /// Optional: a report built without them is valid, and
    /// `wats_http::Client` fills every unset one from its station when the report
    /// is submitted (see [`Report::fill_station`]). Blank text counts as not set.
    /// Values that are set must be 1 to 100 characters.
    pub fn station(mut self, machine_name: &str, location: &str, purpose: &str) -> Self {
        self.report.machine_name = station_text(machine_name);
        self.report.location = station_text(location);
        self.report.purpose = station_text(purpose);
        self
    }

    /// The operator (`uut.user`).
    pub fn operator(mut self, user: &str) -> Self {
        self.uut.user = user.into();
        self
    }

    /// `uut.comment`.
    pub fn comment(mut self, comment: &str) -> Self {
        self.uut.comment = comment.into();
        self
    }

    /// `uut.fixtureId`.
    pub fn fixture_id(mut self, fixture: &str) -> Self {
        self.uut.fixture_id = fixture.into();
        self
    }

    /// `uut.execTime` in seconds.
    pub fn exec_time(mut self, seconds: f64) -> Self {
        self.uut.exec_time = NumOrStr::from_f64(seconds).into();
        self
    }

    /// `uut.batchSN`.
    pub fn batch_sn(mut self, batch: &str) -> Self {
        self.uut.batch_sn = batch.into();
        self
    }

    /// The report result (otherwise derived from the root status).
    pub fn result(mut self, status: Status) -> Self {
        self.report.result = Coded::new(status).into();
        self.result_set = true;
        self
    }

    /// The start time (default: now, local offset).
    pub fn start(mut self, start: DateTime<FixedOffset>) -> Self {
        self.report.start = crate::time::format(&start).into();
        self
    }

    /// The report id (default: a fresh UUID v4).
    pub fn id(mut self, id: uuid::Uuid) -> Self {
        self.report.id = id.hyphenated().to_string().into();
        self
    }

    /// Replace the root sequence call.
    pub fn root(mut self, root: Step) -> Self {
        self.root = root;
        self
    }

    /// Append a step to the root sequence.
    pub fn step(mut self, step: Step) -> Self {
        self.root.push_step(step);
        self
    }

    /// Add a misc info (`description`, `text`).
    pub fn misc_info(mut self, description: &str, text: &str) -> Self {
        self.report
            .misc_infos
            .push(MiscInfo::new(description, text));
        self
    }

    /// Add a sub-unit.
    pub fn sub_unit(mut self, sub_unit: SubUnit) -> Self {
        self.report.sub_units.push(sub_unit);
        self
    }

    /// Add an asset.
    pub fn asset(mut self, asset: Asset) -> Self {
        self.report.assets.push(asset);
        self
    }

    /// Add a report-level attachment (`binaryData`).
    pub fn attachment(mut self, attachment: Attachment) -> Self {
        self.report.binary_data.push(attachment);
        self
    }

    /// Add additional data.
    pub fn additional_data(mut self, data: AdditionalData) -> Self {
        self.report.additional_data.push(data);
        self
    }

    /// Validate and build. Fails with [`Error::InvalidInput`] naming the field
    /// (`pn`, `sn`, `rev`, `subUnits[i].sn`, ..., and `machineName`, `location`,
    /// `purpose` when they are set but too long).
    pub fn build(self) -> Result<Report> {
        let UutReportBuilder {
            mut report,
            root,
            uut,
            result_set,
        } = self;
        if !result_set && root.status() == Some(Status::Failed) {
            report.result = Coded::new(Status::Failed).into();
        }
        report.root = root.into();
        report.uut = uut.into();
        validate_header(&report)?;
        Ok(report)
    }
}

/// Builds a new UUR (repair) report: `type` `R`, repair `processCode` 500 unless
/// changed, `purpose` `Repair`, a `uur` block and the main sub-unit with `idx` 0.
///
/// ```
/// use wats_core::{report::Failure, UurReportBuilder};
/// let uur = UurReportBuilder::new("PN-1", "SN-1", "A", 10)
///     .station("RS-01", "Lab")
///     .failure(Failure::new("Component", "Burned"))
///     .build()
///     .unwrap();
/// assert!(uur.is_uur());
/// assert_eq!(uur.process_code.value(), Some(&500));
/// assert_eq!(uur.sub_units()[0].idx.value(), Some(&0));
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct UurReportBuilder {
    report: Report,
    uur: UurInfo,
    main: SubUnit,
    others: Vec<SubUnit>,
}

impl UurReportBuilder {
    /// Start a UUR for the unit (`pn`, `sn`, `rev`) that failed test operation
    /// `test_process_code`.
    pub fn new(pn: &str, sn: &str, rev: &str, test_process_code: i64) -> Self {
        let mut report = base_report(ReportType::Uur, pn, sn, rev, 500);
        report.purpose = "Repair".into();
        let now = crate::time::now_local();
        let uur = UurInfo {
            user: "".into(),
            exec_time: NumOrStr::from_f64(0.0).into(),
            process_code: test_process_code.into(),
            test_operation_code: test_process_code.into(),
            ref_uut: Field::Null,
            confirm_date: now.clone().into(),
            finalize_date: now.into(),
            active: true.into(),
            ..Default::default()
        };
        let mut main = SubUnit::new("Main", pn, sn, rev);
        main.idx = 0.into();
        UurReportBuilder {
            report,
            uur,
            main,
            others: Vec::new(),
        }
    }

    /// Start a UUR for a failed UUT report: copies `pn`/`sn`/`rev`, `machineName`,
    /// `location` and sub-units, references the UUT (`refUUT`) and uses its
    /// `processCode` as the failed test operation.
    pub fn from_uut(uut: &Report) -> Self {
        let mut b = UurReportBuilder::new(
            uut.pn().unwrap_or(""),
            uut.sn().unwrap_or(""),
            uut.rev().unwrap_or(""),
            uut.process_code.value().copied().unwrap_or(0),
        );
        b.report.machine_name = uut.machine_name.clone();
        b.report.location = uut.location.clone();
        b.uur.ref_uut = uut.id.clone();
        for su in uut.sub_units() {
            let mut su = su.clone();
            su.position = Field::Absent;
            b.others.push(su);
        }
        b
    }

    /// Station name (`machineName`) and `location`. Optional, as for
    /// [`UutReportBuilder::station`]: unset ones are filled by the client at submit.
    pub fn station(mut self, machine_name: &str, location: &str) -> Self {
        self.report.machine_name = station_text(machine_name);
        self.report.location = station_text(location);
        self
    }

    /// The repair operation code (default 500).
    pub fn repair_process_code(mut self, code: i64) -> Self {
        self.report.process_code = code.into();
        self
    }

    /// `purpose` (default `Repair`).
    pub fn purpose(mut self, purpose: &str) -> Self {
        self.report.purpose = purpose.into();
        self
    }

    /// The repair operator (`uur.user`).
    pub fn operator(mut self, user: &str) -> Self {
        self.uur.user = user.into();
        self
    }

    /// `uur.comment`.
    pub fn comment(mut self, comment: &str) -> Self {
        self.uur.comment = comment.into();
        self
    }

    /// `uur.refUUT`: the id of the failed UUT report.
    pub fn ref_uut(mut self, id: uuid::Uuid) -> Self {
        self.uur.ref_uut = id.hyphenated().to_string().into();
        self
    }

    /// The report result (default `P`).
    pub fn result(mut self, status: Status) -> Self {
        self.report.result = Coded::new(status).into();
        self
    }

    /// The start time (default: now, local offset).
    pub fn start(mut self, start: DateTime<FixedOffset>) -> Self {
        self.report.start = crate::time::format(&start).into();
        self
    }

    /// The report id (default: a fresh UUID v4).
    pub fn id(mut self, id: uuid::Uuid) -> Self {
        self.report.id = id.hyphenated().to_string().into();
        self
    }

    /// Add a failure to the main unit (`idx` 0).
    pub fn failure(mut self, failure: Failure) -> Self {
        self.main.failures.push(failure);
        self
    }

    /// Add a further sub-unit; it gets the next free `idx` if it has none.
    pub fn sub_unit(mut self, sub_unit: SubUnit) -> Self {
        self.others.push(sub_unit);
        self
    }

    /// Add a misc info.
    pub fn misc_info(mut self, description: &str, text: &str) -> Self {
        self.report
            .misc_infos
            .push(MiscInfo::new(description, text));
        self
    }

    /// Add a report-level attachment (`binaryData`).
    pub fn attachment(mut self, attachment: Attachment) -> Self {
        self.report.binary_data.push(attachment);
        self
    }

    /// Validate and build; errors name the field, as for [`UutReportBuilder::build`].
    pub fn build(self) -> Result<Report> {
        let UurReportBuilder {
            mut report,
            uur,
            main,
            others,
        } = self;
        let mut next = 1 + others
            .iter()
            .filter_map(|s| s.idx.value().copied())
            .max()
            .unwrap_or(0);
        let mut units = Vec::with_capacity(1 + others.len());
        units.push(main);
        for mut su in others {
            if !su.idx.is_value() {
                su.idx = next.into();
                next += 1;
            }
            units.push(su);
        }
        report.sub_units = units.into();
        report.uur = uur.into();
        validate_header(&report)?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_forbidden_character_is_rejected_with_the_field_name() {
        for c in FORBIDDEN_ID_CHARS {
            let sn = format!("A{c}B");
            let err = UutReportBuilder::new("PN", &sn, "A", 10)
                .station("S", "L", "P")
                .build()
                .unwrap_err();
            match err {
                Error::InvalidInput { field, .. } => assert_eq!(field, "sn"),
                other => panic!("{other:?}"),
            }
        }
        let err = validate_identifier("pn", &"x".repeat(101)).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "pn"));
        assert!(validate_identifier("pn", &"é".repeat(100)).is_ok());
    }

    #[test]
    fn station_is_optional_but_validated_when_set() {
        // No station: valid; the client fills it at submit.
        let report = UutReportBuilder::new("PN", "SN", "A", 10).build().unwrap();
        assert!(report.machine_name.is_absent());
        assert!(report.location.is_absent());
        assert!(report.purpose.is_absent());
        // Blank text is "not set", not an error.
        let report = UutReportBuilder::new("PN", "SN", "A", 10)
            .station("ST", " ", "")
            .build()
            .unwrap();
        assert_eq!(report.machine_name.as_str(), Some("ST"));
        assert!(report.location.is_absent() && report.purpose.is_absent());
        // A set value is still checked.
        let err = UutReportBuilder::new("PN", "SN", "A", 10)
            .station(&"s".repeat(101), "L", "P")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "machineName"));
        // The serial number rules are unchanged without a station.
        let err = UutReportBuilder::new("PN", "S?N", "A", 10)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "sn"));
        // A UUR without a station: purpose stays `Repair`, the rest is unset.
        let uur = UurReportBuilder::new("PN", "SN", "A", 10).build().unwrap();
        assert!(uur.machine_name.is_absent());
        assert_eq!(uur.purpose.as_str(), Some("Repair"));
    }
}
