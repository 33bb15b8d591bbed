//! The seed data: products with revisions, units, the process list and the
//! real WATS exports (copies of the workspace's `fixtures/wats-samples/` in this crate's
//! `fixtures/`, so the packaged crate builds alone) as stored reports.
//!
//! Everything is deterministic, so tests can rely on exact names.

use serde_json::{Value, json};

/// The real server exports stored at start (file name, raw bytes).
pub(crate) const SAMPLE_REPORTS: [(&str, &str); 5] = [
    (
        "uut-wsjf-export.json",
        include_str!("../fixtures/uut-wsjf-export.json"),
    ),
    (
        "new_report_example.json",
        include_str!("../fixtures/new_report_example.json"),
    ),
    (
        "uur_example.json",
        include_str!("../fixtures/uur_example.json"),
    ),
    (
        "advanced_uut.json",
        include_str!("../fixtures/advanced_uut.json"),
    ),
    (
        "example_report_from_server.json",
        include_str!("../fixtures/example_report_from_server.json"),
    ),
];

/// One process (operation type).
#[derive(Debug, Clone)]
pub(crate) struct Process {
    pub(crate) code: i64,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) test: bool,
    pub(crate) repair: bool,
    pub(crate) wip: bool,
    pub(crate) active: bool,
}

const fn p(
    code: i64,
    name: &'static str,
    description: &'static str,
    kind: u8,
    active: bool,
) -> Process {
    Process {
        code,
        name,
        description,
        test: kind == b'T',
        repair: kind == b'R',
        wip: kind == b'W',
        active,
    }
}

/// The process list: test operations 10, 20, 30..., repairs 500/510, WIP 600+.
pub(crate) const PROCESSES: [Process; 14] = [
    p(
        10,
        "SW Debug",
        "Software debug and development runs",
        b'T',
        true,
    ),
    p(20, "ICT", "In-circuit test", b'T', true),
    p(30, "FCT", "Functional test", b'T', true),
    p(40, "Calibration", "Calibration and adjustment", b'T', true),
    p(
        50,
        "PCBA test",
        "Printed circuit board assembly test",
        b'T',
        true,
    ),
    p(60, "System test", "Full system test", b'T', true),
    p(
        90,
        "Burn In test",
        "Burn-in under thermal stress",
        b'T',
        true,
    ),
    p(
        100,
        "Final Function",
        "Final functional test before packing",
        b'T',
        true,
    ),
    p(
        110,
        "Legacy AOI",
        "Automated optical inspection (retired)",
        b'T',
        false,
    ),
    p(500, "Repair", "Production repair", b'R', true),
    p(510, "RMA repair", "Repair of returned units", b'R', true),
    p(600, "Assembly", "Work in progress: assembly", b'W', true),
    p(610, "Packing", "Work in progress: packing", b'W', true),
    p(
        620,
        "Storage",
        "Work in progress: storage (retired)",
        b'W',
        false,
    ),
];

impl Process {
    /// The `/api/App/Processes` camelCase shape.
    pub(crate) fn to_json(&self, index: usize) -> Value {
        json!({
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "isTestOperation": self.test,
            "isRepairOperation": self.repair,
            "isWipOperation": self.wip,
            "processIndex": index,
            "state": i32::from(self.active),
        })
    }
}

/// The name of process `code`, if it is in the list.
pub(crate) fn process_name(code: i64) -> Option<&'static str> {
    PROCESSES.iter().find(|p| p.code == code).map(|p| p.name)
}

/// A seeded product.
#[derive(Debug, Clone)]
pub(crate) struct SeedProduct {
    pub(crate) part_number: String,
    pub(crate) name: String,
    pub(crate) category: &'static str,
    pub(crate) non_serial: bool,
    pub(crate) active: bool,
    pub(crate) revisions: Vec<&'static str>,
}

const CATEGORIES: [(&str, &str); 5] = [
    ("PCBA", "Controller board"),
    ("Module", "Sensor module"),
    ("Cable", "Cable harness"),
    ("PSU", "Power supply"),
    ("System", "Test system"),
];

/// Number of seeded products.
pub(crate) const PRODUCT_COUNT: usize = 100;

/// 100 products: the three part numbers of the sample reports, then 97
/// generated ones (`PCBA-1001`, `MODULE-1002`, ...). Every tenth generated
/// product is inactive (`state` 0); cables are non-serial.
pub(crate) fn products() -> Vec<SeedProduct> {
    let mut out = vec![
        SeedProduct {
            part_number: "FATPartNo".into(),
            name: "FAT test product".into(),
            category: "System",
            non_serial: false,
            active: true,
            revisions: vec!["Rev1", "Rev2"],
        },
        SeedProduct {
            part_number: "4494394418".into(),
            name: "PCBA 4494394418".into(),
            category: "PCBA",
            non_serial: false,
            active: true,
            revisions: vec!["02", "03"],
        },
        SeedProduct {
            part_number: "PRODUCTION-TEST-MODULE".into(),
            name: "Production Test Module".into(),
            category: "Module",
            non_serial: false,
            active: true,
            revisions: vec!["A", "B"],
        },
    ];
    for i in 1..=(PRODUCT_COUNT - out.len()) {
        let (category, noun) = CATEGORIES[(i - 1) % CATEGORIES.len()];
        let revisions = if i % 3 == 0 {
            vec!["A", "B", "C"]
        } else {
            vec!["A", "B"]
        };
        out.push(SeedProduct {
            part_number: format!("{}-{}", category.to_ascii_uppercase(), 1000 + i),
            name: format!("{noun} {}", 1000 + i),
            category,
            non_serial: category == "Cable",
            active: i % 10 != 0,
            revisions,
        });
    }
    out
}

/// A deterministic GUID for seeded entity `n` of kind `kind` (1 product,
/// 2 revision, 3 category).
pub(crate) fn guid(kind: u32, n: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

impl SeedProduct {
    /// The `ProductView` row of `/api/Product/Query`.
    pub(crate) fn view(&self) -> Value {
        json!({
            "partNumber": self.part_number,
            "name": self.name,
            "category": self.category,
            "nonSerial": self.non_serial,
            "state": i32::from(self.active),
        })
    }

    /// The revision object (`Public.ProductRevision`).
    pub(crate) fn revision_json(&self, n: usize, r: usize) -> Value {
        let rev = self.revisions[r];
        json!({
            "productRevisionId": guid(2, n * 16 + r),
            "productId": guid(1, n),
            "revision": rev,
            "name": format!("{} rev {rev}", self.name),
            "description": format!("Revision {rev} of {}", self.part_number),
            "state": 1,
            "xmlData": null,
            "PartNumber": self.part_number,
            "tags": [],
        })
    }

    /// The full product object (`Public.Product`).
    pub(crate) fn full(&self, n: usize) -> Value {
        let cat = CATEGORIES
            .iter()
            .position(|(c, _)| *c == self.category)
            .unwrap_or(0);
        let revisions: Vec<Value> = (0..self.revisions.len())
            .map(|r| self.revision_json(n, r))
            .collect();
        json!({
            "productId": guid(1, n),
            "nonSerial": self.non_serial,
            "partNumber": self.part_number,
            "name": self.name,
            "description": format!("{} ({})", self.name, self.category),
            "state": i32::from(self.active),
            "xmlData": null,
            "productCategoryId": guid(3, cat),
            "productCategoryName": self.category,
            "revisions": revisions,
            "tags": [{"key": "family", "value": self.category}],
        })
    }
}

/// A serial number with characters that break naive URL building.
pub(crate) const AWKWARD_SERIAL: &str = "SN/with?odd#chars %1";

/// Seeded units: (serial, part number, revision): the units of the sample
/// reports (`samples`), three per serialized generated product for the first
/// twenty, and [`AWKWARD_SERIAL`].
pub(crate) fn units(
    products: &[SeedProduct],
    samples: Vec<(String, String, String)>,
) -> Vec<(String, String, String)> {
    let mut out = samples;
    for prod in products.iter().skip(3).filter(|p| !p.non_serial).take(20) {
        for k in 1..=3 {
            out.push((
                format!("{}-SN{k:04}", prod.part_number),
                prod.part_number.clone(),
                prod.revisions.last().copied().unwrap_or("A").to_owned(),
            ));
        }
    }
    out.push((
        AWKWARD_SERIAL.to_owned(),
        "PCBA-1001".to_owned(),
        "B".to_owned(),
    ));
    out
}

/// The `/api/Production/Unit/{sn}/{pn}` object.
pub(crate) fn unit_json(sn: &str, pn: &str, rev: &str, process_code: Option<i64>) -> Value {
    json!({
        "serialNumber": sn,
        "partNumber": pn,
        "revision": rev,
        "parentSerialNumber": null,
        "batchNumber": null,
        "serialDate": "2025-12-01T08:00:00Z",
        "currentLocation": "TestLab",
        "xmlData": null,
        "unitPhaseId": 2,
        "unitPhase": "Under production",
        "processCode": process_code.map(|c| c.to_string()),
        "tags": [],
        "subUnits": [],
    })
}

#[cfg(test)]
mod tests {
    use super::SAMPLE_REPORTS;

    /// The crate's copies of the seed reports are the workspace's fixtures, byte for byte.
    #[test]
    fn seed_copies_match_the_workspace_fixtures() {
        let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/wats-samples");
        for (name, copy) in SAMPLE_REPORTS {
            let original = std::fs::read_to_string(format!("{workspace}/{name}"))
                .unwrap_or_else(|e| panic!("{workspace}/{name}: {e}"));
            assert!(
                original == copy,
                "crates/wats-mock/fixtures/{name} differs from {workspace}/{name}"
            );
        }
    }
}
