//! The command layer: the single-threaded executor that owns the keyspace, the command
//! table, dispatch, and one file per command family.
//!
//! The reactor hands the [`Executor`] one complete command at a time together with the
//! client's [`Session`] and output buffer. Handlers get a [`Ctx`]: the databases, server
//! state, their own session and a reply writer. Effects on other clients or on the
//! server process are recorded as [`ServerEvent`]s for the reactor to carry out.

pub mod admin;
pub mod conn;
pub mod core;
pub mod metrics;
pub mod registry;
pub mod replication;
pub mod scripting;
pub mod snapshot;
pub mod state;
pub mod types;

pub use self::core::command::{CommandTable, Ctx};
pub use self::core::executor::Executor;
pub use self::core::state::{ServerEvent, ServerState};
pub use self::state::session::Session;
