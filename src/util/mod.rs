//! Small shared utilities: geohash arithmetic, Redis's glob matching, its exact number parsing and
//! formatting, long-double arithmetic for INCRBYFLOAT, a fast PRNG, the counted
//! allocator behind `used_memory`, the clocks and the keyed hash of the hot path, LZF (RDB strings and compressed list nodes), the command-name index, and the pause of the snapshot test hooks.

pub mod alloc;
pub mod clock;
pub mod command_clock;
pub mod delay;
pub mod geohash;
pub mod glob;
pub mod hash;
pub mod longdouble;
pub mod lzf;
pub mod name_index;
pub mod numbers;
pub mod rng;
pub mod sha1;
pub mod sha256;
pub mod tsc;
