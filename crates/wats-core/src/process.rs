//! Processes (test, repair and WIP operations) as `/api/App/Processes` returns them.

use crate::value::model;

model! {
    /// A process (operation type).
    pub struct Process {
        /// `code`: the process code used as `processCode` in reports.
        code: i64 => "code",
        /// `name`.
        name: String => "name",
        /// `description`.
        description: String => "description",
        /// `isTestOperation`.
        is_test_operation: bool => "isTestOperation",
        /// `isRepairOperation`.
        is_repair_operation: bool => "isRepairOperation",
        /// `isWipOperation`.
        is_wip_operation: bool => "isWipOperation",
        /// `processIndex`.
        process_index: i64 => "processIndex",
        /// `state`.
        state: i64 => "state",
        /// `processID` / `ProcessID`: kept as raw JSON.
        process_id: serde_json::Value => "ProcessID",
        /// `Properties`: kept as raw JSON.
        properties: serde_json::Value => "Properties",
        /// `repairOperation`: repair details, kept as raw JSON.
        repair_operation: serde_json::Value => "repairOperation",
    }
}
