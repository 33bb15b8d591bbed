//! Root-cause ticket calls: `client.root_cause()`.

use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};

calls! {
    /// Root-cause ticket calls, from `client.root_cause()`.
    handle RootCause, domain "root_cause";
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
