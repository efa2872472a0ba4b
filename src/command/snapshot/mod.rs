//! Snapshots: when and where the keyspace is written as an RDB file and read back
//! ([`rdb`]), and the commands that do it or move one value in RDB form
//! ([`commands`]: SAVE, BGSAVE, DUMP, RESTORE).

pub mod aof;
pub mod aof_load;
pub mod commands;
pub mod rdb;
