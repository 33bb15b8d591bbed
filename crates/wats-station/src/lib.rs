//! Station identity (to be filled by the station issue).
//!
//! This crate will detect which test station is running: explicit setting,
//! environment, config file, then the machine name, recording the tier used.
