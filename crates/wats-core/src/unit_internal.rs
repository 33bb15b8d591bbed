//! The unit objects of the server's internal production routes
//! (`/api/internal/Production/GetUnit`, `GetUnitInfo`, `GetUnitHierarchy`,
//! `GetUnitContents`, `GetUnitStateHistory`, `GetUnitProcess`, `CreateUnit`).
//!
//! Internal routes write PascalCase members. No schema documents these answers (pyWATS reads
//! them as dictionaries): the members modelled are [`Unit`](crate::Unit)'s, PascalCased, plus
//! the hierarchy's `Children`; anything else a server sends is kept in `extra` and written
//! back, like every model of this crate.

use chrono::{DateTime, FixedOffset};

use crate::value::{NumOrStr, model};

model! {
    /// A unit as the internal routes answer it (`GetUnit`, `GetUnitInfo`, `CreateUnit`),
    /// and one node of `GetUnitHierarchy` (then with its `Children`).
    pub struct UnitInfo {
        /// `SerialNumber`.
        serial_number: String => "SerialNumber",
        /// `PartNumber`.
        part_number: String => "PartNumber",
        /// `Revision`.
        revision: String => "Revision",
        /// `ParentSerialNumber`: `null` for a unit without a parent.
        parent_serial_number: String => "ParentSerialNumber",
        /// `BatchNumber`.
        batch_number: String => "BatchNumber",
        /// `SerialDate`: kept as received (offset and fractional digits included).
        serial_date: String => "SerialDate",
        /// `CurrentLocation`.
        current_location: String => "CurrentLocation",
        /// `XmlData`.
        xml_data: String => "XmlData",
        /// `UnitPhaseId`: the current phase (a [`Phase`](crate::Phase) id or a server one).
        unit_phase_id: i64 => "UnitPhaseId",
        /// `UnitPhase`: the current phase's name.
        unit_phase: String => "UnitPhase",
        /// `ProcessCode`: a number or a string, kept as sent.
        process_code: NumOrStr => "ProcessCode",
        /// `ChildCount`: how many direct children the unit has.
        child_count: i64 => "ChildCount",
        /// `Children`: the direct children, each with its own (hierarchy only).
        children: Vec<UnitInfo> => "Children",
    }
}

impl UnitInfo {
    /// The direct children (`Children`), empty when absent or null.
    pub fn children(&self) -> &[UnitInfo] {
        self.children.items()
    }

    /// `SerialDate` parsed, with its offset; `None` when absent or not a date-time.
    pub fn serial_date_time(&self) -> Option<DateTime<FixedOffset>> {
        self.serial_date.as_str().and_then(crate::time::parse)
    }

    /// The unit and every unit below it, depth first (parents before their children, in
    /// the server's order), with each node's depth (0 for this unit). Iterative: a deep
    /// tree cannot overflow the stack.
    pub fn walk(&self) -> impl Iterator<Item = (usize, &UnitInfo)> {
        let mut stack = vec![(0usize, self)];
        std::iter::from_fn(move || {
            let (depth, node) = stack.pop()?;
            stack.extend(
                node.children()
                    .iter()
                    .rev()
                    .map(|c| (depth.saturating_add(1), c)),
            );
            Some((depth, node))
        })
    }

    /// The unit in this tree (this one included) with this serial number, ASCII case
    /// ignored, as the server compares them.
    pub fn find(&self, serial_number: &str) -> Option<&UnitInfo> {
        self.walk().map(|(_, u)| u).find(|u| {
            u.serial_number
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(serial_number))
        })
    }
}

model! {
    /// The answer of the internal `GetUnitContents`: the unit and what its box build holds.
    pub struct UnitContents {
        /// `Unit`: the unit asked for.
        unit: UnitInfo => "Unit",
        /// `Contents`: the units it holds.
        contents: Vec<UnitInfo> => "Contents",
    }
}

impl UnitContents {
    /// The units it holds (`Contents`), empty when absent or null.
    pub fn contents(&self) -> &[UnitInfo] {
        self.contents.items()
    }
}

model! {
    /// One entry of the internal `GetUnitStateHistory`: a phase or process change of a
    /// unit, oldest first.
    pub struct UnitStateChange {
        /// `Sequence`: the order of the change.
        sequence: i64 => "Sequence",
        /// `Date`: when it changed, kept as received.
        date: String => "Date",
        /// `UnitPhaseId`: the phase set (phase changes).
        unit_phase_id: i64 => "UnitPhaseId",
        /// `UnitPhase`: the name of the phase set.
        unit_phase: String => "UnitPhase",
        /// `ProcessName`: the process set (process changes).
        process_name: String => "ProcessName",
    }
}

impl UnitStateChange {
    /// `Date` parsed, with its offset; `None` when absent or not a date-time.
    pub fn date_time(&self) -> Option<DateTime<FixedOffset>> {
        self.date.as_str().and_then(crate::time::parse)
    }
}

model! {
    /// The answer of the internal `GetUnitProcess`: the unit's current process.
    pub struct UnitProcess {
        /// `ProcessName`: `null` when no process is set.
        process_name: String => "ProcessName",
        /// `ProcessCode`: a number or a string, kept as sent.
        process_code: NumOrStr => "ProcessCode",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::round_trip;

    #[test]
    fn hierarchy_round_trips_and_walks_depth_first() {
        let tree: UnitInfo = round_trip(
            r#"{"SerialNumber":"BOX-1","PartNumber":"BOX","Revision":"A","ParentSerialNumber":null,
               "SerialDate":"2026-01-30T22:01:41.4707353+01:00","UnitPhaseId":16,"UnitPhase":"Finalized",
               "ProcessCode":"10","ChildCount":2,"Site":{"Id":1},
               "Children":[
                 {"SerialNumber":"PSU-1","ProcessCode":20,"Children":[{"SerialNumber":"FAN-1","Children":[]}]},
                 {"SerialNumber":"pcb-1","Children":null}]}"#,
        );
        let order: Vec<(usize, &str)> = tree
            .walk()
            .map(|(d, u)| (d, u.serial_number.as_str().unwrap()))
            .collect();
        assert_eq!(
            order,
            [(0, "BOX-1"), (1, "PSU-1"), (2, "FAN-1"), (1, "pcb-1")]
        );
        assert_eq!(
            tree.find("PCB-1").unwrap().serial_number.as_str(),
            Some("pcb-1")
        );
        assert!(tree.find("nope").is_none());
        assert!(tree.parent_serial_number.is_null());
        assert_eq!(tree.process_code.value().unwrap().as_i64(), Some(10));
        assert_eq!(
            tree.serial_date_time().unwrap().offset().local_minus_utc(),
            3600
        );
        assert_eq!(tree.children()[1].children(), &[] as &[UnitInfo]);
        assert!(tree.extra.contains_key("Site"));
    }

    #[test]
    fn a_deep_tree_walks_without_recursion() {
        let mut node = UnitInfo::default();
        for i in 0..10_000 {
            let mut parent = UnitInfo::default();
            parent.serial_number.set(format!("U{i}"));
            parent.children.set(vec![node]);
            node = parent;
        }
        assert_eq!(node.walk().count(), 10_001);
        assert_eq!(node.walk().last().map(|(d, _)| d), Some(10_000));
        // Dropping a deep tree is recursive in Rust; take it apart iteratively.
        let mut stack = vec![node];
        while let Some(mut n) = stack.pop() {
            if let crate::value::Field::Value(children) = std::mem::take(&mut n.children) {
                stack.extend(children);
            }
        }
    }

    #[test]
    fn contents_history_and_process_round_trip() {
        let c: UnitContents = round_trip(
            r#"{"Unit":{"SerialNumber":"BOX-1","ChildCount":1},"Contents":[{"SerialNumber":"PSU-1"}]}"#,
        );
        assert_eq!(c.contents().len(), 1);
        assert_eq!(c.unit.value().unwrap().child_count.value(), Some(&1));
        let h: Vec<UnitStateChange> = round_trip(
            r#"[{"Sequence":1,"Date":"2026-02-01T08:00:00+01:00","UnitPhaseId":16,"UnitPhase":"Finalized"},
               {"Sequence":2,"Date":null,"ProcessName":"Final Function","User":"op"}]"#,
        );
        assert_eq!(h[0].date_time().unwrap().timestamp(), 1_769_929_200);
        assert!(h[1].date_time().is_none());
        assert_eq!(h[1].process_name.as_str(), Some("Final Function"));
        let p: UnitProcess = round_trip(r#"{"ProcessName":null,"ProcessCode":"30"}"#);
        assert!(p.process_name.is_null());
    }
}
