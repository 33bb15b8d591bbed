//! Processes: `client.processes()`.

use wats_core::{Process, Result};

use crate::api::reports::bool_str;
use crate::client::Client;
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

    fn to_query(self) -> Query {
        let mut q = Query::default();
        q.push_opt("includeTestOperations", self.test.map(bool_str));
        q.push_opt("includeRepairOperations", self.repair.map(bool_str));
        q.push_opt("includeWipOperations", self.wip.map(bool_str));
        q.push_opt("includeInactiveProcesses", self.inactive.map(bool_str));
        q
    }
}

/// Process calls, from [`Client::processes`].
#[derive(Debug, Clone, Copy)]
pub struct Processes<'a> {
    client: &'a Client,
}

impl Client {
    /// Process (operation type) calls.
    pub fn processes(&self) -> Processes<'_> {
        Processes { client: self }
    }
}

impl Processes<'_> {
    /// Processes with the server's default flags (`GET /api/App/Processes`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    pub async fn list(&self) -> Result<Vec<Process>> {
        self.list_with(ProcessFilter::new()).await
    }

    /// Processes selected by the `include*` flags.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    pub async fn list_with(&self, filter: ProcessFilter) -> Result<Vec<Process>> {
        self.client
            .get_list(
                "/api/App/Processes",
                "/api/App/Processes",
                filter.to_query().as_str(),
            )
            .await
    }
}
