//! Internal process routes: `client.processes().internal()`.
//!
//! **Undocumented by the server** (`/api/internal/...`): they may change without notice.
//! pyWATS relies on them for the detailed process list and the repair-operation
//! configurations (the fail-code tree a UUR failure must be built from).

use std::collections::BTreeMap;

use wats_core::{FailCode, ProcessDetail, RepairOperationConfig};

use crate::endpoint::Caller;
use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};

calls! {
    /// Internal process calls, from `client.processes().internal()`: undocumented by the
    /// server, may change without notice.
    handle ProcessesInternal, domain "processes_internal", via "processes().internal()";

    /// Every process with its details (`GET /api/internal/Process/GetProcesses`,
    /// PascalCase).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn processes_detailed() -> Vec<ProcessDetail> {
        GET "/api/internal/Process/GetProcesses";
        pywats "process.get_processes_detailed";
        answer list;
    }

    /// One process by its `ProcessID` (`GET /api/internal/Process/GetProcess/{id}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown id (see
    /// [`process_opt`](Self::process_opt)); status, transport, timeout and decode errors.
    fn process(id: &str) -> ProcessDetail {
        GET "/api/internal/Process/GetProcess/{id}";
        pywats "process.get_process";
        path [id];
        answer json;
        opt process_opt;
    }

    /// Every repair operation's configuration, by process code
    /// (`GET /api/internal/Process/GetRepairOperations`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn repair_operation_configs() -> BTreeMap<String, RepairOperationConfig> {
        GET "/api/internal/Process/GetRepairOperations";
        pywats "process.get_repair_operation_configs, process.get_repair_operation_config";
        answer list;
        helpers [fail_codes];
    }

    /// One repair operation's configuration
    /// (`GET /api/internal/Process/GetRepairOperation/{id}?processCode=`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown id; status, transport, timeout and
    /// decode errors.
    fn repair_operation(id: &str, process_code: i64) -> RepairOperationConfig {
        GET "/api/internal/Process/GetRepairOperation/{id}";
        pywats "process.get_repair_operation";
        path [id];
        query ["processCode" = process_code];
        answer json;
    }
}

impl<'c, C: Caller> ProcessesInternal<'c, C> {
    /// The selectable fail codes (category and code) of repair operation `process_code`,
    /// from [`repair_operation_configs`](Self::repair_operation_configs): what a UUR failure
    /// may carry. Empty for a code with no configuration.
    ///
    /// # Errors
    /// The errors of [`repair_operation_configs`](Self::repair_operation_configs).
    pub fn fail_codes(&self, process_code: i64) -> C::Ret<'c, Vec<FailCode>> {
        self.caller.run(move |client| async move {
            let configs = ProcessesInternal::new(&client)
                .repair_operation_configs()
                .await?;
            Ok(configs
                .get(&process_code.to_string())
                .map(RepairOperationConfig::fail_codes)
                .unwrap_or_default())
        })
    }
}

const REASON: &str = "internal route pyWATS' process domain relies on (undocumented)";

/// This domain's routes outside the server's OpenAPI document: every internal route.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[
    Exception {
        method: "GET",
        template: "/api/internal/Process/GetProcesses",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Process/GetProcess/{id}",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Process/GetRepairOperations",
        query: None,
        reason: REASON,
    },
    Exception {
        method: "GET",
        template: "/api/internal/Process/GetRepairOperation/{id}",
        query: None,
        reason: REASON,
    },
];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
