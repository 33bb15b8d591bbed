//! Production units (`/api/Production/Unit...`).

use crate::product::{Product, ProductRevision, Setting};
use crate::value::model;

model! {
    /// A production unit, server schema `Unit`. Note `processCode` is a string here.
    pub struct Unit {
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `parentSerialNumber`.
        parent_serial_number: String => "parentSerialNumber",
        /// `batchNumber`.
        batch_number: String => "batchNumber",
        /// `serialDate`.
        serial_date: String => "serialDate",
        /// `currentLocation`.
        current_location: String => "currentLocation",
        /// `xmlData`.
        xml_data: String => "xmlData",
        /// `unitPhaseId`.
        unit_phase_id: i64 => "unitPhaseId",
        /// `unitPhase`.
        unit_phase: String => "unitPhase",
        /// `processCode`: a string in this model.
        process_code: String => "processCode",
        /// `tags`.
        tags: Vec<Setting> => "tags",
        /// `productRevision`.
        product_revision: ProductRevision => "productRevision",
        /// `product`.
        product: Product => "product",
        /// `subUnits`.
        sub_units: Vec<Unit> => "subUnits",
    }
}

impl Unit {
    /// A unit with a serial number, part number and revision (the members a create needs).
    pub fn new(
        serial_number: impl Into<String>,
        part_number: impl Into<String>,
        revision: impl Into<String>,
    ) -> Self {
        Unit {
            serial_number: serial_number.into().into(),
            part_number: part_number.into().into(),
            revision: revision.into().into(),
            ..Default::default()
        }
    }

    /// The child units (`subUnits`), empty when absent or null.
    pub fn children(&self) -> &[Unit] {
        self.sub_units.items()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_round_trips_with_sub_units_and_extras() {
        let src = r#"{"serialNumber":"SN-1","partNumber":"BOX","revision":"A",
            "parentSerialNumber":null,"serialDate":"2026-01-30T22:01:41.4707353+01:00",
            "unitPhaseId":16,"unitPhase":"Finalized","processCode":"10",
            "tags":[{"key":"k","value":"v"}],"future":{"x":1},
            "subUnits":[{"serialNumber":"SUB-1","partNumber":"PCB","revision":"B"}]}"#;
        let u: Unit = serde_json::from_str(src).unwrap();
        assert_eq!(u.children().len(), 1);
        assert_eq!(u.children()[0].serial_number.as_str(), Some("SUB-1"));
        assert!(u.parent_serial_number.is_null());
        let back: serde_json::Value = serde_json::to_value(&u).unwrap();
        let orig: serde_json::Value = serde_json::from_str(src).unwrap();
        assert_eq!(back, orig);
        let n = Unit::new("S", "P", "R");
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#"{"serialNumber":"S","partNumber":"P","revision":"R"}"#
        );
    }
}
