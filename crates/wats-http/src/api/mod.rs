//! The typed domain API: one file per domain, each a `calls!` table.

pub(crate) mod analytics;
pub(crate) mod analytics_internal;
pub(crate) mod analytics_options;
pub(crate) mod app;
pub(crate) mod assets;
pub(crate) mod assets_internal;
pub(crate) mod processes;
pub(crate) mod processes_cache;
pub(crate) mod processes_internal;
pub(crate) mod production;
pub(crate) mod production_feed;
pub(crate) mod production_internal;
pub(crate) mod production_phases;
pub(crate) mod production_serials;
pub(crate) mod production_take;
pub(crate) mod products;
pub(crate) mod products_bom;
pub(crate) mod products_internal;
pub(crate) mod products_pages;
pub(crate) mod query;
pub(crate) mod reports;
pub(crate) mod rootcause;
pub(crate) mod scim;
pub(crate) mod software;
pub(crate) mod software_internal;
pub(crate) mod spool;

/// Lists one item per domain module, in registry order (a macro, so that adding a domain is
/// one line here).
macro_rules! per_domain {
    ($item:ident, $ty:ty) => {
        &[
            app::$item,
            reports::$item,
            products::$item,
            products_internal::$item,
            production::$item,
            production_serials::$item,
            production_internal::$item,
            processes::$item,
            processes_internal::$item,
            assets::$item,
            assets_internal::$item,
            software::$item,
            software_internal::$item,
            rootcause::$item,
            scim::$item,
            analytics::$item,
            analytics_internal::$item,
        ]
    };
}

/// Every domain's calls, in registry order.
pub(crate) static DOMAINS: &[&[&crate::Route]] = &[
    app::routes::ALL,
    reports::routes::ALL,
    products::routes::ALL,
    products_internal::routes::ALL,
    production::routes::ALL,
    production_serials::routes::ALL,
    production_internal::routes::ALL,
    processes::routes::ALL,
    processes_internal::routes::ALL,
    assets::routes::ALL,
    assets_internal::routes::ALL,
    software::routes::ALL,
    software_internal::routes::ALL,
    rootcause::routes::ALL,
    scim::routes::ALL,
    analytics::routes::ALL,
    analytics_internal::routes::ALL,
];

/// Every domain's routes outside the OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[&[crate::Exception]] =
    per_domain!(OUTSIDE_OPENAPI, crate::Exception);

/// Every domain's routes left to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[&[crate::LeftToMockito]] =
    per_domain!(LEFT_TO_MOCKITO, crate::LeftToMockito);

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

        /// Asset (fixture, instrument, test equipment) calls.
        pub fn assets(&self) -> $crate::Assets<'_, Self> {
            $crate::Assets::new(self)
        }

        /// Software distribution calls.
        pub fn software(&self) -> $crate::Software<'_, Self> {
            $crate::Software::new(self)
        }

        /// Root-cause ticket calls.
        pub fn root_cause(&self) -> $crate::RootCause<'_, Self> {
            $crate::RootCause::new(self)
        }

        /// SCIM user calls.
        pub fn scim(&self) -> $crate::Scim<'_, Self> {
            $crate::Scim::new(self)
        }

        /// Analytics calls: yield, failures, measurements, OEE, unit flow.
        pub fn analytics(&self) -> $crate::Analytics<'_, Self> {
            $crate::Analytics::new(self)
        }

        /// The report spool: what `reports().submit_or_spool` writes and its `flush` replays.
        pub fn spool(&self) -> $crate::SpoolHandle<'_, Self> {
            $crate::SpoolHandle::new(self)
        }

        /// Whether `reports().submit` spools a report WATS cannot take now (set with
        /// `ClientBuilder::spool_by_default`).
        pub fn spools_by_default(&self) -> bool {
            $crate::Caller::http(self).spool_by_default_setting()
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
