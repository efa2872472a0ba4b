//! The data-type families: one module (or folder) per family, each with its handlers and
//! its table of commands. A family imports `core` and the store, never another family's
//! internals; `registry.rs` lists their tables.

pub mod bitmaps;
pub mod geo;
pub mod hashes;
pub mod hyperloglog;
pub mod keys;
pub mod lists;
pub mod random_picks;
pub mod sets;
pub mod sort;
pub mod streams;
pub mod strings;
pub mod ttl;
pub mod zsets;
