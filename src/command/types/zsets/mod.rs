//! The sorted-set family: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT
//! ZLEXCOUNT ZRANGE ZRANGESTORE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX
//! ZREVRANGE ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP BZPOPMIN
//! BZPOPMAX BZMPOP ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD
//! ZRANDMEMBER ZSCAN, over [`crate::store::zset::ZSetValue`].
//!
//! A module map: the handlers live in files by concern and `table` lists them; the
//! handler files import `shared` and nothing else of the family, and nothing here imports
//! `table` but this re-export, so the family has no import cycle.

mod algebra;
mod pop;
mod range;
mod read;
mod shared;
pub mod table;
mod update;

pub use table::COMMANDS;
