//! The string family: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX
//! APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE SUBSTR SETRANGE LCS.
//!
//! As in Redis's `t_string.c`, a few generic workers (`set_generic`, `get_generic`,
//! `incr_decr`, `mset_generic`, `get_range`) do the work and each command is a thin
//! wrapper that parses its arguments. Integer-looking values are stored int-encoded;
//! APPEND and SETRANGE leave a "raw" string behind, INCRBYFLOAT an "embstr"/"raw" one,
//! exactly as Redis's OBJECT ENCODING reports them.
//!
//! A module map: the handler files import `shared` and nothing else of the family;
//! `table` imports the handler files and is the only module this one re-exports from.

mod counters;
mod edit;
mod get_set;
mod lcs;
mod shared;
pub mod table;

pub use table::COMMANDS;
