//! Generic circuit breaker (to be filled by the breaker issue).
//!
//! This crate will hold a runtime-free circuit breaker state machine
//! (closed / open / half-open) and a tower `Layer` adapter. It depends on no
//! WATS crate and not on tokio.
