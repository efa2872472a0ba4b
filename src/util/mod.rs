//! Small shared utilities: Redis's glob matching, its exact number parsing and
//! formatting, long-double arithmetic for INCRBYFLOAT, and a fast PRNG.

pub mod glob;
pub mod longdouble;
pub mod numbers;
pub mod rng;
pub mod sha1;
