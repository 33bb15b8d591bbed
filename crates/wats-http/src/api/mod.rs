//! The typed domain API: one file per domain, each a `calls!` table.

pub(crate) mod app;
pub(crate) mod processes;
pub(crate) mod production;
pub(crate) mod products;
pub(crate) mod query;
pub(crate) mod reports;

/// Every domain's calls, in registry order.
pub(crate) static DOMAINS: &[&[&crate::Route]] = &[
    app::routes::ALL,
    reports::routes::ALL,
    products::routes::ALL,
    production::routes::ALL,
    processes::routes::ALL,
];

/// The domain accessors of a client (`reports()`, `production()`, ...) and
/// `server_version()`, written once for the async client and the blocking client of
/// `wats-sync`: expanded inside `impl Client { .. }` of a type that implements
/// [`Caller`](crate::Caller).
#[doc(hidden)]
#[macro_export]
macro_rules! domain_accessors {
    () => {
        /// Server calls: the version.
        pub fn app(&self) -> $crate::App<'_, Self> {
            $crate::App::new(self)
        }

        /// Report calls: get, query headers, submit, submit or spool.
        pub fn reports(&self) -> $crate::Reports<'_, Self> {
            $crate::Reports::new(self)
        }

        /// Product calls: list, get, revision.
        pub fn products(&self) -> $crate::Products<'_, Self> {
            $crate::Products::new(self)
        }

        /// Production (MES) calls: units.
        pub fn production(&self) -> $crate::Production<'_, Self> {
            $crate::Production::new(self)
        }

        /// Process (operation type) calls.
        pub fn processes(&self) -> $crate::Processes<'_, Self> {
            $crate::Processes::new(self)
        }

        /// The server version, from `GET /api/App/Version` (the same call as
        /// `app().version()`): a connectivity check.
        ///
        /// # Errors
        /// Transport, timeout and status errors.
        pub fn server_version(&self) -> <Self as $crate::Caller>::Ret<'_, String> {
            $crate::App::new(self).version()
        }
    };
}
