//! Processes: `client.processes()`.

use std::sync::Arc;
use std::time::Duration;

use wats_core::{Process, Result};

use crate::api::reports::bool_str;
use crate::client::Client;
use crate::endpoint::macros::calls;
use crate::endpoint::{Caller, QueryParams};
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
        pywats "process.get_processes (uncached)";
        answer list;
        helpers [
            cached, refresh, by_code, by_name, test_operations, repair_operations,
            wip_operations, is_valid_test_operation, is_valid_repair_operation
        ];
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

pub use crate::api::processes_cache::DEFAULT_PROCESS_TTL;
pub use crate::api::processes_internal::ProcessesInternal;

/// The client's cached process list, fetched when absent, expired or `force`d.
async fn cached_list(client: &Client, force: bool) -> Result<Arc<Vec<Process>>> {
    client
        .shared()
        .process_cache
        .get(force, || Processes::new(client).list())
        .await
}

fn is(p: &Process, flag: fn(&Process) -> &wats_core::Field<bool>) -> bool {
    flag(p).value().copied().unwrap_or(false)
}

impl<'c, C: Caller> Processes<'c, C> {
    /// The internal process routes: the detailed list, one process, repair-operation
    /// configurations with their fail codes. **Undocumented by the server and may change
    /// without notice.**
    pub fn internal(&self) -> ProcessesInternal<'c, C> {
        ProcessesInternal::new(self.caller)
    }

    /// The process list (`GET /api/App/Processes`, server defaults) from the client's cache:
    /// fetched once, then served for the cache's time-to-live ([`DEFAULT_PROCESS_TTL`], see
    /// [`set_cache_ttl`](Self::set_cache_ttl)). However many callers miss at once, one
    /// request is sent and all get its answer. Shared by the client's clones and siblings
    /// (the blocking client's threads too).
    ///
    /// # Errors
    /// The errors of [`list`](Self::list); nothing is cached on error.
    pub fn cached(&self) -> C::Ret<'c, Arc<Vec<Process>>> {
        self.caller
            .run(|client| async move { cached_list(&client, false).await })
    }

    /// Fetch the process list now and cache it (what [`cached`](Self::cached) returns until
    /// it expires).
    ///
    /// # Errors
    /// The errors of [`list`](Self::list); the previous list stays cached on error.
    pub fn refresh(&self) -> C::Ret<'c, Arc<Vec<Process>>> {
        self.caller
            .run(|client| async move { cached_list(&client, true).await })
    }

    /// Drop the cached list; the next read fetches it.
    pub fn invalidate(&self) {
        self.caller.http().shared().process_cache.invalidate();
    }

    /// How long a fetched list is served (default [`DEFAULT_PROCESS_TTL`]); for this client,
    /// its clones and siblings.
    pub fn set_cache_ttl(&self, ttl: Duration) {
        self.caller.http().shared().process_cache.set_ttl(ttl);
    }

    fn pick<T: Send + 'static>(
        &self,
        f: impl FnOnce(&[Process]) -> T + Send + 'static,
    ) -> C::Ret<'c, T> {
        self.caller.run(move |client| async move {
            let list = cached_list(&client, false).await?;
            Ok(f(&list))
        })
    }

    /// The process with this code, from the cached list.
    ///
    /// # Errors
    /// The errors of [`cached`](Self::cached).
    pub fn by_code(&self, code: i64) -> C::Ret<'c, Option<Process>> {
        self.pick(move |l| l.iter().find(|p| p.code.value() == Some(&code)).cloned())
    }

    /// The process with this name (ASCII case and surrounding blanks ignored), from the
    /// cached list.
    ///
    /// # Errors
    /// The errors of [`cached`](Self::cached).
    pub fn by_name(&self, name: &str) -> C::Ret<'c, Option<Process>> {
        let name = name.trim().to_owned();
        self.pick(move |l| {
            l.iter()
                .find(|p| {
                    p.name
                        .as_str()
                        .is_some_and(|n| n.trim().eq_ignore_ascii_case(&name))
                })
                .cloned()
        })
    }

    /// The test operations of the cached list.
    ///
    /// # Errors
    /// The errors of [`cached`](Self::cached).
    pub fn test_operations(&self) -> C::Ret<'c, Vec<Process>> {
        self.pick(|l| {
            l.iter()
                .filter(|p| is(p, |p| &p.is_test_operation))
                .cloned()
                .collect()
        })
    }

    /// The repair operations of the cached list.
    ///
    /// # Errors
    /// The errors of [`cached`](Self::cached).
    pub fn repair_operations(&self) -> C::Ret<'c, Vec<Process>> {
        self.pick(|l| {
            l.iter()
                .filter(|p| is(p, |p| &p.is_repair_operation))
                .cloned()
                .collect()
        })
    }

    /// The WIP operations of the cached list.
    ///
    /// # Errors
    /// The errors of [`cached`](Self::cached).
    pub fn wip_operations(&self) -> C::Ret<'c, Vec<Process>> {
        self.pick(|l| {
            l.iter()
                .filter(|p| is(p, |p| &p.is_wip_operation))
                .cloned()
                .collect()
        })
    }

    /// Whether `code` is a test operation of the cached list (a valid UUT `processCode`).
    ///
    /// # Errors
    /// The errors of [`cached`](Self::cached).
    pub fn is_valid_test_operation(&self, code: i64) -> C::Ret<'c, bool> {
        self.pick(move |l| {
            l.iter()
                .any(|p| p.code.value() == Some(&code) && is(p, |p| &p.is_test_operation))
        })
    }

    /// Whether `code` is a repair operation of the cached list (a valid UUR `processCode`).
    ///
    /// # Errors
    /// The errors of [`cached`](Self::cached).
    pub fn is_valid_repair_operation(&self, code: i64) -> C::Ret<'c, bool> {
        self.pick(move |l| {
            l.iter()
                .any(|p| p.code.value() == Some(&code) && is(p, |p| &p.is_repair_operation))
        })
    }

    /// Whether `code` is a WIP operation of the cached list.
    ///
    /// # Errors
    /// The errors of [`cached`](Self::cached).
    pub fn is_valid_wip_operation(&self, code: i64) -> C::Ret<'c, bool> {
        self.pick(move |l| {
            l.iter()
                .any(|p| p.code.value() == Some(&code) && is(p, |p| &p.is_wip_operation))
        })
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
