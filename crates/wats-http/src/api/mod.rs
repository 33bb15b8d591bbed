//! The typed domain API: reports, products, units, processes.

pub(crate) mod processes;
pub(crate) mod products;
pub(crate) mod query;
pub(crate) mod reports;
pub(crate) mod units;
