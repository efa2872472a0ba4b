//! The keyspace: databases, the dict, values and their encodings, expiry, and the
//! choice of keys to evict under maxmemory.
//!
//! This layer knows nothing of the protocol or of clients; commands call it with a cached
//! `now` and turn its results into replies.

pub mod bstr;
pub mod db;
pub mod dict;
pub mod evict;
pub mod expire;
pub mod hash;
pub mod hll;
pub mod intset;
pub mod listpack;
pub mod mstr;
pub mod quicklist;
pub mod set;
pub mod stream;
pub mod value;
pub mod zset;

pub use bstr::Bstr;
pub use db::Db;
pub use value::{Object, Value, ValueType};
