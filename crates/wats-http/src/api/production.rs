//! Production (MES): `client.production()`.

use wats_core::Unit;

use crate::api::query::UnitQuery;
use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};

calls! {
    /// Production (MES) calls, from `client.production()`: units.
    handle Production, domain "production";

    /// One unit (`GET /api/Production/Unit/{serialNumber}/{partNumber}`). Both values are
    /// percent-encoded as path segments, so `/`, `?`, `#` or spaces in a serial number reach
    /// the right route.
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown unit (see
    /// [`get_unit_opt`](Self::get_unit_opt)); [`wats_core::Error::InvalidInput`] for an empty
    /// serial or part number (nothing sent); status, transport, timeout and decode errors.
    fn get_unit(serial_number: &str, part_number: &str) -> Unit {
        GET "/api/Production/Unit/{serialNumber}/{partNumber}";
        pywats "production.get_unit";
        path [serial_number, part_number];
        answer json;
        opt get_unit_opt;
    }

    /// Query units (`GET /api/Production/Unit/Query` with `$filter`, `$top`, `$orderby`).
    /// An empty answer is an empty list.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn query_units(query: &UnitQuery) -> Vec<Unit> {
        GET "/api/Production/Unit/Query";
        pywats "production.query_units";
        options query: UnitQuery;
        answer list;
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[Exception {
    method: "GET",
    template: "/api/Production/Unit/Query",
    query: None,
    reason: "the OData unit query pyWATS `production.query_units` relies on; served by WATS \
             servers but missing from the published document",
}];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[LeftToMockito {
    method: "GET",
    template: "/api/Production/Unit/Query",
    test: "wats-http/tests/domain.rs::units_get_and_query",
}];
