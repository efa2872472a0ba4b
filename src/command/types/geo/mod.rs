//! The geo family: GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH GEOSEARCHSTORE GEORADIUS
//! GEORADIUSBYMEMBER GEORADIUS_RO GEORADIUSBYMEMBER_RO.
//!
//! A geo index is an ordinary sorted set whose scores are 52-bit interleaved geohashes
//! ([`crate::util::geohash`]): TYPE says `zset`, the ZSET commands work on it, and the
//! geo commands read any sorted set (decoding whatever scores it holds).
//!
//! A module map: `format` and `parse` are the shared helpers, `members` and `search` the
//! handlers, `partial_sort` the sort the searches use; `table` imports the handler files
//! and is the only module this one re-exports from.

mod format;
mod members;
mod parse;
mod partial_sort;
mod search;
pub mod table;

pub use table::COMMANDS;
