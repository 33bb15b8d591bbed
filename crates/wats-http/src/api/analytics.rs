//! Analytics calls: yield, failures, measurements, OEE, unit flow: `client.analytics()`.

use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};

calls! {
    /// Analytics calls: yield, failures, measurements, OEE, unit flow, from `client.analytics()`.
    handle Analytics, domain "analytics";
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
