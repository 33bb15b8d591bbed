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
