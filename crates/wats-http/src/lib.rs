//! Async WATS client (placeholder crate; the client issue fills it).
//!
//! This crate will hold the async client built on hyper 1, hyper-util's pooled
//! client and a tower `ServiceBuilder` stack: authentication, timeouts, retries
//! and the typed domain API (reports, products, units, processes).
