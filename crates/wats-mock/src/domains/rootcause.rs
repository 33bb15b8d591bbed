//! The `rootcause` domain's routes and state in the mock.

use super::Served;

/// This domain's state.
#[derive(Debug, Default)]
pub(crate) struct State {}

/// The routes this module serves.
pub(crate) static ROUTES: &[Served] = &[];
