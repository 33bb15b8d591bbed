//! Processes: `client.processes()`.

use wats_core::Process;

use crate::api::reports::bool_str;
use crate::endpoint::QueryParams;
use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};
use crate::url::Query;

/// Which processes [`Processes::list_with`] returns: the `include*` flags of
/// `GET /api/App/Processes`. Unset flags are not sent (server default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct ProcessFilter {
    test: Option<bool>,
    repair: Option<bool>,
    wip: Option<bool>,
    inactive: Option<bool>,
}

impl ProcessFilter {
    /// No flags: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every kind, inactive processes included (all four flags `true`).
    pub fn all() -> Self {
        ProcessFilter {
            test: Some(true),
            repair: Some(true),
            wip: Some(true),
            inactive: Some(true),
        }
    }

    /// `includeTestOperations`.
    pub fn test_operations(mut self, include: bool) -> Self {
        self.test = Some(include);
        self
    }

    /// `includeRepairOperations`.
    pub fn repair_operations(mut self, include: bool) -> Self {
        self.repair = Some(include);
        self
    }

    /// `includeWipOperations`.
    pub fn wip_operations(mut self, include: bool) -> Self {
        self.wip = Some(include);
        self
    }

    /// `includeInactiveProcesses`.
    pub fn inactive(mut self, include: bool) -> Self {
        self.inactive = Some(include);
        self
    }
}

impl QueryParams for ProcessFilter {
    const NAMES: &'static [&'static str] = &[
        "includeTestOperations",
        "includeRepairOperations",
        "includeWipOperations",
        "includeInactiveProcesses",
    ];

    fn write_query(&self, q: &mut Query) {
        q.push_opt("includeTestOperations", self.test.map(bool_str));
        q.push_opt("includeRepairOperations", self.repair.map(bool_str));
        q.push_opt("includeWipOperations", self.wip.map(bool_str));
        q.push_opt("includeInactiveProcesses", self.inactive.map(bool_str));
    }
}

calls! {
    /// Process (operation type) calls, from `client.processes()`.
    handle Processes, domain "processes";

    /// Processes with the server's default flags (`GET /api/App/Processes`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn list() -> Vec<Process> {
        GET "/api/App/Processes";
        pywats "process.get_processes";
        answer list;
    }

    /// Processes selected by the `include*` flags (`GET /api/App/Processes`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn list_with(filter: ProcessFilter) -> Vec<Process> {
        GET "/api/App/Processes";
        pywats "process.get_processes_filtered";
        options filter: ProcessFilter;
        answer list;
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
