//! The commands, one module per area.

pub(crate) mod check;
pub(crate) mod mes;
pub(crate) mod query;
pub(crate) mod server;
pub(crate) mod spool;
pub(crate) mod station;
pub(crate) mod submit;
