//! The stream family: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM in [`entries`]; XREAD
//! and XREADGROUP (with blocking) in [`read`]; consumer groups (XGROUP, XACK, XPENDING,
//! XCLAIM, XAUTOCLAIM) in [`groups`]; XINFO and XSETID in [`info`]; what they share in
//! [`shared`]; the table in [`table`]. The data structure lives in `store::stream`;
//! handlers parse arguments, call it, and write Redis 7.0's replies.

pub mod entries;
pub mod groups;
pub mod info;
pub mod read;
pub mod shared;
pub mod table;

pub use table::COMMANDS;
