//! Report-model helpers pyWATS users rely on: find a step by its path
//! (`Main/Power/Voltage`), the failed steps, counts by status, a UUR started from a failed
//! UUT (identity, station, sub-units and misc infos copied) with failures from the server's
//! fail-code tree, and attachments made from bytes or a file with their MIME type.

use std::path::Path;

use base64::Engine;

use crate::builder::UurReportBuilder;
use crate::codes::Status;
use crate::error::{Error, Result};
use crate::process_detail::FailCode;
use crate::report::{Failure, Report};
use crate::step::{Attachment, Step};

/// How many steps of a report have each status (steps without a status are `other`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusCounts {
    /// `P`.
    pub passed: usize,
    /// `F`.
    pub failed: usize,
    /// `S`.
    pub skipped: usize,
    /// `D`.
    pub done: usize,
    /// `E`.
    pub error: usize,
    /// `T`.
    pub terminated: usize,
    /// No or an unknown status.
    pub other: usize,
}

impl StatusCounts {
    /// Every step counted.
    pub fn total(&self) -> usize {
        self.passed
            + self.failed
            + self.skipped
            + self.done
            + self.error
            + self.terminated
            + self.other
    }
}

impl Report {
    /// The step at `path`: step names separated by `/`, from the root down
    /// (`Main/Power/Voltage`). The first name may be the root's own name, or already
    /// one of its children. Names are compared exactly; the first match at each level wins.
    ///
    /// ```
    /// use wats_core::{CompOp, NumericMeas, Status, Step, UutReportBuilder};
    /// let mut r = UutReportBuilder::new("PN", "SN", "A", 10).result(Status::Passed).build()?;
    /// let power = Step::sequence_call("Power")
    ///     .with_step(Step::numeric_limit("Voltage", NumericMeas::new(5.0, CompOp::GeLe, Some(4.9), Some(5.1))));
    /// r.root_mut().unwrap().push_step(power);
    /// assert!(r.find_step("Power/Voltage").is_some());
    /// assert!(r.find_step("Power/Current").is_none());
    /// # Ok::<(), wats_core::Error>(())
    /// ```
    pub fn find_step(&self, path: &str) -> Option<&Step> {
        let root = self.root()?;
        let mut names = path.split('/').filter(|n| !n.is_empty()).peekable();
        let first = *names.peek()?;
        if root.name() == first && !root.children().iter().any(|c| c.name() == first) {
            names.next();
        }
        let mut at = root;
        for name in names {
            at = at.children().iter().find(|c| c.name() == name)?;
        }
        Some(at)
    }

    /// Every failed step (`F`), depth-first; a failed sequence and its failed steps both
    /// appear.
    pub fn failed_steps(&self) -> Vec<&Step> {
        self.steps()
            .filter(|s| s.status() == Some(Status::Failed))
            .collect()
    }

    /// The path of `step` (names joined with `/`, root included) if it is in this report.
    pub fn step_path(&self, step: &Step) -> Option<String> {
        fn go<'a>(at: &'a Step, target: &Step, trail: &mut Vec<&'a str>) -> bool {
            trail.push(at.name());
            if std::ptr::eq(at, target) {
                return true;
            }
            if at.children().iter().any(|c| go(c, target, trail)) {
                return true;
            }
            trail.pop();
            false
        }
        let mut trail = Vec::new();
        go(self.root()?, step, &mut trail).then(|| trail.join("/"))
    }

    /// How many steps have each status.
    pub fn status_counts(&self) -> StatusCounts {
        let mut c = StatusCounts::default();
        for s in self.steps() {
            match s.status() {
                Some(Status::Passed) => c.passed += 1,
                Some(Status::Failed) => c.failed += 1,
                Some(Status::Skipped) => c.skipped += 1,
                Some(Status::Done) => c.done += 1,
                Some(Status::Error) => c.error += 1,
                Some(Status::Terminated) => c.terminated += 1,
                _ => c.other += 1,
            }
        }
        c
    }

    /// A UUR builder for this (failed) UUT: as [`UurReportBuilder::from_uut`] (identity,
    /// station, sub-units, `refUUT`, the UUT's process as the failed test operation), plus
    /// the UUT's misc infos.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when this report is not a UUT.
    pub fn uur_builder(&self) -> Result<UurReportBuilder> {
        if !self.is_uut() {
            return Err(Error::InvalidInput {
                field: "type".to_owned(),
                message: "a UUR is built from a UUT (type T) report".to_owned(),
            });
        }
        let mut b = UurReportBuilder::from_uut(self);
        for m in self.misc_infos() {
            b = b.misc_info(
                m.description.as_str().unwrap_or(""),
                m.text.as_str().unwrap_or(""),
            );
        }
        Ok(b)
    }

    /// Add a report-level attachment (`binaryData`).
    pub fn add_attachment(&mut self, attachment: Attachment) -> &mut Self {
        self.binary_data.push(attachment);
        self
    }
}

impl Failure {
    /// A failure with a category and code from the server's fail-code tree (see
    /// `RepairOperationConfig::fail_codes`).
    pub fn from_fail_code(code: &FailCode) -> Self {
        Failure::new(&code.category, &code.code)
    }

    /// Point the failure at the UUT step that caused it (`refStepId`).
    #[must_use]
    pub fn with_step(mut self, step: &Step) -> Self {
        self.ref_step_id = step.id.clone();
        self
    }
}

/// The MIME type of a file name from its extension (a small table of the types test
/// stations attach; `application/octet-stream` otherwise).
pub fn mime_type_of(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "htm" | "html" => "text/html",
        "xml" => "application/xml",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "svg" => "image/svg+xml",
        "tif" | "tiff" => "image/tiff",
        _ => "application/octet-stream",
    }
}

impl Attachment {
    /// An attachment of `bytes` (base64-encoded into `data`) named `name` with MIME type
    /// `content_type`.
    pub fn from_bytes(name: &str, content_type: &str, bytes: &[u8]) -> Self {
        Attachment {
            name: name.into(),
            content_type: content_type.into(),
            data: base64::engine::general_purpose::STANDARD
                .encode(bytes)
                .into(),
            ..Default::default()
        }
    }

    /// An attachment of a file's content, named after the file, its MIME type from the
    /// extension ([`mime_type_of`]).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the file cannot be read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::InvalidInput {
            field: "path".to_owned(),
            message: format!("cannot read {}: {e}", path.display()),
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Attachment::from_bytes(&name, mime_type_of(&name), &bytes))
    }

    /// The decoded content, if `data` is valid base64.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD
            .decode(self.data.as_str()?.trim())
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CompOp, NumericMeas, UutReportBuilder};

    fn report() -> Report {
        let mut r = UutReportBuilder::new("PCBA-1", "SN-9", "A", 10)
            .result(Status::Failed)
            .misc_info("Firmware", "1.2.3")
            .build()
            .unwrap();
        let root = r.root_mut().unwrap();
        root.name.set("Main".to_owned());
        let mut power = Step::sequence_call("Power").with_status(Status::Failed);
        let mut v = Step::numeric_limit(
            "Voltage",
            NumericMeas::new(5.3, CompOp::GeLe, Some(4.9), Some(5.1)),
        )
        .with_status(Status::Failed);
        v.id = crate::NumOrStr::from(7_i64).into();
        power.push_step(v);
        power.push_step(Step::pass_fail("Ripple", true).with_status(Status::Passed));
        root.push_step(power);
        root.push_step(Step::action("Log").with_status(Status::Done));
        r
    }

    #[test]
    fn find_by_path_failed_steps_and_counts() {
        let r = report();
        let v = r.find_step("Main/Power/Voltage").unwrap();
        assert_eq!(v.name(), "Voltage");
        assert!(std::ptr::eq(v, r.find_step("Power/Voltage").unwrap()));
        assert!(r.find_step("Main/Power/Current").is_none());
        assert!(r.find_step("").is_none());
        assert_eq!(r.step_path(v).unwrap(), "Main/Power/Voltage");
        let failed: Vec<&str> = r.failed_steps().iter().map(|s| s.name()).collect();
        assert_eq!(
            failed,
            ["Main", "Power", "Voltage"],
            "the root carries the failed result"
        );
        let c = r.status_counts();
        assert_eq!((c.failed, c.passed, c.done), (3, 1, 1));
        assert_eq!(c.total(), r.steps().count());
    }

    #[test]
    fn uur_from_uut_copies_identity_and_misc_infos() {
        let uut = report();
        let v = uut.find_step("Main/Power/Voltage").unwrap();
        let code = FailCode {
            category: "Component".into(),
            code: "Defect Component".into(),
            guid: None,
            category_guid: None,
        };
        let uur = uut
            .uur_builder()
            .unwrap()
            .failure(Failure::from_fail_code(&code).with_step(v))
            .build()
            .unwrap();
        assert!(uur.is_uur());
        assert_eq!(
            (uur.pn(), uur.sn(), uur.rev()),
            (uut.pn(), uut.sn(), uut.rev())
        );
        assert_eq!(uur.misc_infos()[0].text.as_str(), Some("1.2.3"));
        assert_eq!(uur.uur.value().unwrap().ref_uut, uut.id);
        let f = &uur.sub_units()[0].failures.items()[0];
        assert_eq!(f.code.as_str(), Some("Defect Component"));
        assert_eq!(
            f.ref_step_id.value().and_then(crate::NumOrStr::as_i64),
            Some(7)
        );
        assert!(uur.uur_builder().is_err());
    }

    #[test]
    fn attachments_from_bytes_and_files() {
        let a = Attachment::from_bytes("log.txt", "text/plain", b"hello\x00world");
        assert_eq!(a.data.as_str(), Some("aGVsbG8Ad29ybGQ="));
        assert_eq!(a.bytes().unwrap(), b"hello\x00world");
        let dir = std::env::temp_dir().join(format!("wats-att-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("scope.PNG");
        std::fs::write(&file, [0x89, b'P', b'N', b'G']).unwrap();
        let f = Attachment::from_file(&file).unwrap();
        assert_eq!(f.name.as_str(), Some("scope.PNG"));
        assert_eq!(f.content_type.as_str(), Some("image/png"));
        assert_eq!(f.bytes().unwrap(), [0x89, b'P', b'N', b'G']);
        assert!(matches!(
            Attachment::from_file(dir.join("missing.bin")),
            Err(Error::InvalidInput { .. })
        ));
        std::fs::remove_dir_all(&dir).ok();
        let mut r = report();
        r.add_attachment(a);
        assert_eq!(r.binary_data.items().len(), 1);
        assert_eq!(mime_type_of("x.unknown"), "application/octet-stream");
    }
}
