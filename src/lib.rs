//! rredis: a Redis 7.0 compatible server on a hand-written mio reactor.
//!
//! Data flows one way — socket bytes → frames → command → store → reply bytes → socket —
//! and each layer knows only the one below it:
//!
//! | module       | layer and rule                                                              |
//! |--------------|-----------------------------------------------------------------------------|
//! | [`server`]   | the mio reactor, clients in a slab, cron; owns the [`command::Executor`]    |
//! | [`protocol`] | RESP parsing (incremental, zero-copy) and the reply writer; no I/O           |
//! | [`command`]  | the command table, dispatch and one file per command family                 |
//! | [`store`]    | databases, the dict, values and their encodings, expiry; no protocol       |
//! | [`persistence`] | the RDB format: files, DUMP/RESTORE payloads; beside `store`, below `command` |
//! | [`config`]   | every tunable: defaults, redis.conf parsing, CONFIG GET/SET                 |
//! | [`error`]    | every error reply text, byte for byte Redis's                               |
//! | [`util`]     | glob matching and Redis's exact number parsing and formatting                 |
//!
//! `command` never imports `server`: what a command does to other clients is recorded as
//! data the reactor drains after the command.

pub mod background;
pub mod command;
pub mod config;
pub mod error;
pub mod persistence;
pub mod protocol;
pub mod server;
pub mod store;
pub mod util;

/// The Redis version we are compatible with, reported to clients (INFO, HELLO).
pub const REDIS_VERSION: &str = "7.0.15";
/// Our own version, reported in a separate INFO field.
pub const RREDIS_VERSION: &str = env!("CARGO_PKG_VERSION");
