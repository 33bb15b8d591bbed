//! Embedded WATS server (to be filled by the client issue).
//!
//! This crate will provide `MockServer`, a small stateful WATS server on hyper
//! bound to loopback, for tests, benches and examples.
