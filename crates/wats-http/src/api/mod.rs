//! The typed domain API: reports, products, units, processes.

pub(crate) mod query;
pub(crate) mod reports;
