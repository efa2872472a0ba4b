//! Command lookup and the checks that run before any handler (like Redis's
//! `processCommand`): existence, subcommand, arity; then the call and its stats.
//! Handlers never check arity.

use std::collections::HashMap;

use bytes::Bytes;

use crate::command::table::{flags, CommandSpec};
use crate::command::{connection, expire, introspection, keys, server, strings};
use crate::command::{Ctx, Executor, Session};
use crate::error::CmdError;
use crate::protocol::{OutBuf, Reply};

/// Longest command name looked up (longer names are unknown by definition).
const MAX_NAME_LEN: usize = 64;

/// Case-insensitive lookup over every family's entries.
pub struct CommandTable {
    by_name: HashMap<&'static [u8], &'static CommandSpec>,
}

/// Every family's table, in the order COMMAND lists them.
pub const FAMILIES: &[&[CommandSpec]] =
    &[connection::COMMANDS, strings::COMMANDS, keys::COMMANDS, expire::COMMANDS, server::COMMANDS, introspection::COMMANDS];

impl CommandTable {
    /// Builds the lookup from [`FAMILIES`].
    pub fn build() -> Self {
        let mut by_name = HashMap::new();
        for family in FAMILIES {
            for spec in family.iter() {
                by_name.insert(spec.name.as_bytes(), spec);
            }
        }
        CommandTable { by_name }
    }

    /// The command named `name`, case-insensitively.
    pub fn get(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        if name.len() > MAX_NAME_LEN {
            return None;
        }
        let mut lower = [0u8; MAX_NAME_LEN];
        let lower = &mut lower[..name.len()];
        lower.copy_from_slice(name);
        lower.make_ascii_lowercase();
        self.by_name.get(&*lower).copied()
    }

    /// Every top-level command.
    pub fn all(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.by_name.values().copied()
    }

    /// Number of top-level commands.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// True if the table is empty.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Resolves a command line to its spec: the command, or its subcommand for a
    /// container called with at least one argument.
    pub fn resolve(&self, args: &[Bytes]) -> Result<&'static CommandSpec, CmdError> {
        let Some(spec) = self.get(&args[0]) else {
            return Err(CmdError::unknown_command(&args[0], &args[1..]));
        };
        if spec.subcommands.is_empty() || args.len() == 1 {
            return Ok(spec);
        }
        spec.subcommand(&args[1]).ok_or_else(|| CmdError::unknown_subcommand(spec.name, &args[1]))
    }
}

/// The full name Redis uses in errors and stats: `get`, or `config|get`.
pub fn full_name(args: &[Bytes], spec: &CommandSpec) -> String {
    let base = String::from_utf8_lossy(&args[0]).to_ascii_lowercase();
    if spec.name == base || args.len() < 2 {
        spec.name.to_string()
    } else {
        format!("{}|{}", base, spec.name)
    }
}

impl Executor {
    /// Runs one command for a client, writing its reply into `out`.
    pub fn execute(&mut self, session: &mut Session, args: &[Bytes], out: &mut OutBuf) {
        debug_assert!(!args.is_empty());
        let mut reply = Reply::new(out, session.resp);
        let spec = match self.table.resolve(args) {
            Ok(spec) => spec,
            Err(err) => return self.reject(&mut reply, &err),
        };
        if !spec.arity_ok(args.len()) {
            return self.reject(&mut reply, &CmdError::wrong_arity(&full_name(args, spec)));
        }
        session.last_command = spec.name;
        self.server.stats.commands_processed += 1;
        let mut ctx = Ctx { dbs: &mut self.dbs, server: &mut self.server, session, reply, table: &self.table };
        if let Err(err) = (spec.handler)(&mut ctx, args) {
            ctx.server.stats.error_replies += 1;
            ctx.reply.error(&err.to_bytes());
        }
        if spec.has(flags::ADMIN) {
            self.sync_access_mode();
        }
        out_seal(out);
    }

    fn reject(&mut self, reply: &mut Reply<'_>, err: &CmdError) {
        self.server.stats.error_replies += 1;
        reply.error(&err.to_bytes());
    }
}

fn out_seal(out: &mut OutBuf) {
    out.seal_if_large();
}
