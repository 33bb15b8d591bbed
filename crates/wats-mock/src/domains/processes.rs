//! The `processes` domain's routes in the mock: the internal detailed process list, one
//! process, and the repair-operation configurations (a fail-code tree per repair operation),
//! all derived from the seeded process list. (The public `/api/App/Processes` is built in.)

use serde_json::{Value, json};

use super::{Reply, Req, Served};
use crate::seed::PROCESSES;

/// This domain's state.
#[derive(Debug, Default)]
pub(crate) struct State {}

/// A stable GUID for process `code`.
fn process_id(code: i64) -> String {
    format!("00000000-0000-4000-8000-{code:012}")
}

fn detail(i: usize) -> Option<Value> {
    let p = PROCESSES.get(i)?;
    Some(json!({
        "Code": p.code,
        "Name": p.name,
        "Description": p.description,
        "ProcessID": process_id(p.code),
        "ProcessIndex": i + 1,
        "State": i32::from(p.active),
        "Properties": null,
        "IsTestOperation": p.test,
        "IsRepairOperation": p.repair,
        "IsWIPOperation": p.wip,
    }))
}

fn processes(_: &Req<'_>) -> Reply {
    Reply::json(&Value::Array(
        (0..PROCESSES.len()).filter_map(detail).collect(),
    ))
}

fn process(req: &Req<'_>) -> Reply {
    let id = req.p(0);
    PROCESSES
        .iter()
        .position(|p| process_id(p.code).eq_ignore_ascii_case(id))
        .and_then(detail)
        .map_or_else(
            || Reply::not_found(&format!("Process '{id}' was not found.")),
            |d| Reply::json(&d),
        )
}

fn code(guid: &str, description: &str, selectable: bool) -> Value {
    json!({"GUID": guid, "Description": description, "Selectable": selectable,
           "SortOrder": 0, "FailureType": 0, "Status": 1, "Failcodes": []})
}

/// The configuration of repair operation `code`: two categories, one retired code.
fn config(code_: i64, name: &str) -> Value {
    let g = |n: u32| format!("00000000-0000-4000-9000-{code_:06}{n:06}");
    json!({
        "Description": name,
        "UUTRequired": 1,
        "CompRefMask": null,
        "CompRefMaskDescription": null,
        "BomConstraint": null,
        "BOMRequired": 0,
        "VendorRequired": 2,
        "Categories": [
            {"GUID": g(1), "Description": "Component", "Selectable": true, "SortOrder": 0,
             "FailureType": 0, "Status": 1, "Failcodes": [
                code(&g(11), "Defect Component", true),
                code(&g(12), "Wrong Component", true),
                code(&g(13), "Obsolete", false)]},
            {"GUID": g(2), "Description": "Solder Process", "Selectable": true, "SortOrder": 1,
             "FailureType": 0, "Status": 1, "Failcodes": [
                code(&g(21), "Bridge", true),
                code(&g(22), "Cold Joint", true)]}
        ],
        "MiscInfos": []
    })
}

fn repair_operations(_: &Req<'_>) -> Reply {
    let map: serde_json::Map<String, Value> = PROCESSES
        .iter()
        .filter(|p| p.repair)
        .map(|p| (p.code.to_string(), config(p.code, p.name)))
        .collect();
    Reply::json(&Value::Object(map))
}

fn repair_operation(req: &Req<'_>) -> Reply {
    let id = req.p(0);
    let by_id = PROCESSES
        .iter()
        .find(|p| p.repair && process_id(p.code).eq_ignore_ascii_case(id));
    let by_code = req
        .q("processCode")
        .and_then(|c| c.parse::<i64>().ok())
        .and_then(|c| PROCESSES.iter().find(|p| p.repair && p.code == c));
    by_id.or(by_code).map_or_else(
        || Reply::not_found(&format!("Repair operation '{id}' was not found.")),
        |p| Reply::json(&config(p.code, p.name)),
    )
}

/// The routes this module serves.
pub(crate) static ROUTES: &[Served] = &[
    Served {
        method: "GET",
        template: "/api/internal/Process/GetProcesses",
        handler: processes,
    },
    Served {
        method: "GET",
        template: "/api/internal/Process/GetProcess/{id}",
        handler: process,
    },
    Served {
        method: "GET",
        template: "/api/internal/Process/GetRepairOperations",
        handler: repair_operations,
    },
    Served {
        method: "GET",
        template: "/api/internal/Process/GetRepairOperation/{id}",
        handler: repair_operation,
    },
];
