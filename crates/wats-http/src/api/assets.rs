//! Asset (fixture, instrument, test equipment) calls: `client.assets()`.

use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};

calls! {
    /// Asset (fixture, instrument, test equipment) calls, from `client.assets()`.
    handle Assets, domain "assets";
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
