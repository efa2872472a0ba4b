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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The table remembers the last static name it resolved by address: a repeat, the
    /// same bytes elsewhere, another name and a renamed command all resolve right.
    #[test]
    fn remembered_static_names_resolve_like_any_other() {
        let mut table = table();
        let name = |bytes: &'static [u8]| -> Vec<bytes::Bytes> {
            vec![crate::protocol::names::lookup(bytes).expect("registered")]
        };
        let resolved = |table: &CommandTable, args: &[bytes::Bytes]| {
            table.resolve(args).map(|spec| spec.name).ok()
        };
        let get = name(b"GET");
        assert_eq!(resolved(&table, &get), Some("get"));
        assert_eq!(resolved(&table, &get), Some("get"), "a repeat");
        let copied = vec![bytes::Bytes::copy_from_slice(b"GET")];
        assert_eq!(
            resolved(&table, &copied),
            Some("get"),
            "equal bytes elsewhere"
        );
        assert_eq!(resolved(&table, &name(b"set")), Some("set"));
        assert_eq!(resolved(&table, &get), Some("get"));
        assert!(table.rename("get", "fetch").is_ok());
        assert_eq!(resolved(&table, &get), None, "renamed away");
        let fetch = vec![bytes::Bytes::from_static(b"fetch")];
        assert_eq!(resolved(&table, &fetch), Some("get"));
    }

    /// CLIENT LIST's `cmd=` is noted once per spec (`note_last_command`): that needs
    /// every subcommand spec to sit under one container only.
    #[test]
    fn every_subcommand_spec_has_one_container() {
        let mut containers: HashMap<usize, &str> = HashMap::new();
        for family in FAMILIES {
            for spec in family.iter() {
                for sub in spec.subcommands {
                    let address = sub as *const _ as usize;
                    let earlier = containers.insert(address, spec.name);
                    assert!(
                        earlier.is_none(),
                        "{} under {earlier:?} and {}",
                        sub.name,
                        spec.name
                    );
                }
            }
        }
        assert!(containers.len() > 50);
        let top_level_too = FAMILIES
            .iter()
            .flat_map(|family| family.iter())
            .filter(|spec| containers.contains_key(&(*spec as *const _ as usize)))
            .count();
        assert_eq!(top_level_too, 0);
    }
}
