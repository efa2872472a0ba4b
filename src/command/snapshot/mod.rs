//! Persistence at run time: when and where the keyspace is written and read back.
//!
//! - [`rdb`]: snapshots (SAVE, BGSAVE in a forked child, save points, loading at start,
//!   DEBUG RELOAD).
//! - [`aof`]: the append-only file being written: recording, fsync, rewrites.
//! - [`aof_load`]: replaying the append-only file's base and increments.
//! - [`shutdown`]: what SHUTDOWN and SIGTERM do about the data.
//! - [`commands`]: SAVE, BGSAVE, BGREWRITEAOF, DUMP, RESTORE.
//! - [`migrate`]: MIGRATE, to this server or real Redis.
//! - [`sync`]: SYNC and PSYNC, a replica's full or partial synchronization, and the
//!   master's replication cron.
//! - [`replconf`]: REPLCONF (a replica's announcements and acknowledgements) and WAIT.
//!
//! The file formats themselves are [`crate::persistence`]'s.

pub mod aof;
pub mod aof_load;
pub mod commands;
pub mod migrate;
pub mod rdb;
pub mod replconf;
pub mod shutdown;
pub mod sync;
pub mod sync_child;
