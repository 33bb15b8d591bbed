//! Software distribution calls: `client.software()`.

use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};

calls! {
    /// Software distribution calls, from `client.software()`.
    handle Software, domain "software";
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
