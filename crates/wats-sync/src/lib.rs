//! Blocking WATS client (to be filled by the blocking-API issue).
//!
//! This crate will provide `wats::blocking::Client` on a thread-local pool of
//! `current_thread` tokio runtimes.
