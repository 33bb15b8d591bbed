//! Structured logging helper (to be filled by the logging issue).
//!
//! This crate will provide JSON and text output on tracing-subscriber with
//! correlation ids, as an opt-in helper for applications.
