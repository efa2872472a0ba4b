//! The registry: every command family's table, in the order COMMAND lists them. It is
//! the one module that knows every family, so that nothing below it (dispatch above
//! all) depends on a family.

use crate::command::core::command::{CommandSpec, CommandTable};
use crate::command::core::executor::Executor;
use crate::command::{admin, conn, replication, scripting, snapshot, types};
use crate::config::Config;

/// Every family's table, in the order COMMAND lists them.
pub const FAMILIES: &[&[CommandSpec]] = &[
    conn::connection::COMMANDS,
    conn::acl::table::COMMANDS,
    conn::clients::table::COMMANDS,
    conn::monitor::COMMANDS,
    types::strings::COMMANDS,
    types::keys::COMMANDS,
    types::ttl::COMMANDS,
    admin::databases::COMMANDS,
    admin::process::COMMANDS,
    admin::config::COMMANDS,
    admin::introspection::COMMANDS,
    conn::transactions::COMMANDS,
    types::lists::COMMANDS,
    types::hashes::COMMANDS,
    types::sets::COMMANDS,
    types::sort::COMMANDS,
    conn::pubsub::COMMANDS,
    types::zsets::COMMANDS,
    types::bitmaps::COMMANDS,
    types::hyperloglog::COMMANDS,
    types::geo::COMMANDS,
    admin::slowlog::COMMANDS,
    admin::latency::COMMANDS,
    admin::memory::COMMANDS,
    admin::debug::COMMANDS,
    types::streams::COMMANDS,
    scripting::table::COMMANDS,
    snapshot::commands::COMMANDS,
    snapshot::sync::COMMANDS,
    snapshot::replconf::COMMANDS,
    replication::replicaof::COMMANDS,
    admin::cluster::COMMANDS,
];

/// The command table over every family.
pub fn table() -> CommandTable {
    CommandTable::build(FAMILIES)
}

/// An executor with empty databases for `config`, serving every registered command.
pub fn executor(config: Config) -> Executor {
    Executor::new(config, table())
}
