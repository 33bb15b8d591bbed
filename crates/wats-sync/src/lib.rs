//! Blocking WATS client on a thread-local tokio runtime pool.
//!
//! (The client itself is being wired to `wats-http`; this crate currently holds the runtime
//! pool that runs its calls.)

mod runtime;

pub use runtime::RuntimeMode;
