//! What every command goes through: the executor that owns the keyspace, dispatch
//! (the checks before a call and the bookkeeping after it), the command model (spec,
//! handler, context, table), authentication and ACL checks (`access`), argument
//! parsing, key positions, accounting, CLIENT LIST lines (`client_info`), maxmemory
//! eviction,
//! and the methods the reactor calls (`loop_api`). See docs/ARCHITECTURE.md.

pub mod access;
pub mod accounting;
pub mod args;
pub mod client_info;
pub mod command;
pub mod dispatch;
pub mod effects;
pub mod evict;
pub mod executor;
pub mod help;
pub mod keys;
pub mod loop_api;
pub mod spec;
pub mod state;
pub mod typed;
