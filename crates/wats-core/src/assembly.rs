//! Assembly (box build) answers of the production routes: adding and removing child units
//! and checking a unit's children against its box build.
//!
//! The server's OpenAPI document types these answers as a bare `object` and pyWATS reads
//! them as dictionaries, so no schema names their members. The members modelled here are
//! the ones WATS writes in its other production answers (camelCase on the public routes,
//! PascalCase on the internal ones); whatever else a server sends is kept in `extra` and
//! written back, like every model of this crate (absent, `null` and values kept apart,
//! numbers sent as strings kept as strings).

use crate::value::{NumOrStr, model};

model! {
    /// The answer of the public `POST /api/Production/AddChildUnit` and
    /// `POST /api/Production/RemoveChildUnit` (camelCase).
    pub struct ChildUnitResult {
        /// `success`: whether the relation was changed.
        success: bool => "success",
        /// `message`: the server's explanation, if any.
        message: String => "message",
    }
}

model! {
    /// The answer of the internal `AddChildUnit`, `RemoveChildUnit` and
    /// `RemoveAllChildUnits` (`/api/internal/Production/...`, PascalCase). Messages are in
    /// the culture asked for (`cultureCode`).
    pub struct MesChildResult {
        /// `Success`: whether the relation was changed.
        success: bool => "Success",
        /// `Message`: the server's (localized) explanation, if any.
        message: String => "Message",
        /// `Removed`: how many children `RemoveAllChildUnits` removed (a number or a
        /// numeric string, kept as sent).
        removed: NumOrStr => "Removed",
    }
}

/// Whether a result says it succeeded: `Some(true)`/`Some(false)` from its success member,
/// `None` when the member is absent, `null` or not a boolean.
fn flag(f: &crate::value::Field<bool>) -> Option<bool> {
    f.value().copied()
}

impl ChildUnitResult {
    /// `success`, typed: `None` when absent, `null` or not a boolean (a 2xx answer without
    /// it still means the server did what was asked).
    pub fn succeeded(&self) -> Option<bool> {
        flag(&self.success)
    }

    /// `message` when it is non-empty text.
    pub fn message(&self) -> Option<&str> {
        self.message.as_str().filter(|m| !m.trim().is_empty())
    }
}

impl MesChildResult {
    /// `Success`, typed: `None` when absent, `null` or not a boolean.
    pub fn succeeded(&self) -> Option<bool> {
        flag(&self.success)
    }

    /// `Message` when it is non-empty text.
    pub fn message(&self) -> Option<&str> {
        self.message.as_str().filter(|m| !m.trim().is_empty())
    }

    /// `Removed` as a count, when it is a non-negative integer (number or numeric string).
    pub fn removed(&self) -> Option<u64> {
        let n = self.removed.value()?.as_i64()?;
        u64::try_from(n).ok()
    }
}

model! {
    /// One child of a [`ChildUnitsCheck`]: the child unit and whether it fits the box
    /// build (camelCase, public route).
    pub struct ChildUnitCheck {
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `unitPhaseId`: the child's current phase.
        unit_phase_id: i64 => "unitPhaseId",
        /// `valid`: whether this child fits (part number, revision, quantity, phase).
        valid: bool => "valid",
        /// `message`: why it does not fit.
        message: String => "message",
    }
}

model! {
    /// The answer of `GET /api/Production/CheckChildUnits`: whether the direct children of
    /// a unit fit its box build, and one [`ChildUnitCheck`] per child (camelCase).
    pub struct ChildUnitsCheck {
        /// `valid`: whether every child fits and none is missing.
        valid: bool => "valid",
        /// `message`: the server's summary, if any.
        message: String => "message",
        /// `children`: one entry per direct child.
        children: Vec<ChildUnitCheck> => "children",
    }
}

impl ChildUnitCheck {
    /// `valid`, typed: `None` when absent, `null` or not a boolean.
    pub fn is_valid(&self) -> Option<bool> {
        flag(&self.valid)
    }
}

impl ChildUnitsCheck {
    /// `valid`, typed: `None` when absent, `null` or not a boolean.
    pub fn is_valid(&self) -> Option<bool> {
        flag(&self.valid)
    }

    /// The children the server marks as not fitting (`valid: false`), in its order.
    pub fn invalid_children(&self) -> impl Iterator<Item = &ChildUnitCheck> {
        self.children
            .items()
            .iter()
            .filter(|c| c.is_valid() == Some(false))
    }
}

model! {
    /// One child of a [`MesChildUnitsCheck`] (internal route, PascalCase).
    pub struct MesChildUnitCheck {
        /// `SerialNumber`.
        serial_number: String => "SerialNumber",
        /// `PartNumber`.
        part_number: String => "PartNumber",
        /// `Revision`.
        revision: String => "Revision",
        /// `UnitPhaseId`: the child's current phase.
        unit_phase_id: i64 => "UnitPhaseId",
        /// `Valid`: whether this child fits.
        valid: bool => "Valid",
        /// `Message`: why it does not fit, in the culture asked for.
        message: String => "Message",
    }
}

model! {
    /// The answer of the internal `GET /api/internal/Production/CheckChildUnits`
    /// (PascalCase): like [`ChildUnitsCheck`], with messages in the culture asked for.
    pub struct MesChildUnitsCheck {
        /// `Valid`: whether every child fits and none is missing.
        valid: bool => "Valid",
        /// `Message`: the server's summary, if any.
        message: String => "Message",
        /// `Children`: one entry per direct child.
        children: Vec<MesChildUnitCheck> => "Children",
    }
}

impl MesChildUnitCheck {
    /// `Valid`, typed: `None` when absent, `null` or not a boolean.
    pub fn is_valid(&self) -> Option<bool> {
        flag(&self.valid)
    }
}

impl MesChildUnitsCheck {
    /// `Valid`, typed: `None` when absent, `null` or not a boolean.
    pub fn is_valid(&self) -> Option<bool> {
        flag(&self.valid)
    }

    /// The children the server marks as not fitting (`Valid: false`), in its order.
    pub fn invalid_children(&self) -> impl Iterator<Item = &MesChildUnitCheck> {
        self.children
            .items()
            .iter()
            .filter(|c| c.is_valid() == Some(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::round_trip;

    #[test]
    fn results_round_trip_and_read_typed() {
        let r: ChildUnitResult = round_trip(r#"{"success":true,"message":"","extra":[1]}"#);
        assert_eq!(r.succeeded(), Some(true));
        assert_eq!(r.message(), None);
        assert_eq!(r.extra["extra"], serde_json::json!([1]));
        let odd: ChildUnitResult = round_trip(r#"{"success":"yes","message":null}"#);
        assert_eq!(odd.succeeded(), None);
        assert!(odd.message.is_null());

        let m: MesChildResult =
            round_trip(r#"{"Success":false,"Message":"Enheten har en forelder","Removed":"3"}"#);
        assert_eq!(m.succeeded(), Some(false));
        assert_eq!(m.message(), Some("Enheten har en forelder"));
        assert_eq!(m.removed(), Some(3), "a numeric string is read, and kept");
        let n: MesChildResult = round_trip(r#"{"Success":true,"Removed":-1}"#);
        assert_eq!(n.removed(), None);
    }

    #[test]
    fn checks_round_trip_and_list_the_misfits() {
        let c: ChildUnitsCheck = round_trip(
            r#"{"valid":false,"children":[
                {"serialNumber":"A","partNumber":"PCB","revision":"B","unitPhaseId":16,"valid":true,"message":""},
                {"serialNumber":"B","partNumber":"PCB","revision":"C","unitPhaseId":"2","valid":false,
                 "message":"The child unit is not Finalized","future":{}},
                {"serialNumber":"C","valid":null}],"missing":[{"partNumber":"FAN"}]}"#,
        );
        assert_eq!(c.is_valid(), Some(false));
        let bad: Vec<_> = c
            .invalid_children()
            .map(|c| c.serial_number.as_str().unwrap())
            .collect();
        assert_eq!(bad, ["B"], "null is not `false`");
        assert!(c.children.items()[1].unit_phase_id.is_other());

        let m: MesChildUnitsCheck = round_trip(
            r#"{"Valid":true,"Message":null,"Children":[{"SerialNumber":"A","Valid":true}]}"#,
        );
        assert_eq!(m.is_valid(), Some(true));
        assert_eq!(m.invalid_children().count(), 0);
        assert_eq!(m.children.items()[0].is_valid(), Some(true));
    }
}
