//! What a command is: its declaration ([`CommandSpec`]), the handler it runs, the context
//! a handler gets ([`Ctx`]), and the table commands are looked up in ([`CommandTable`]).
//!
//! These types refer to each other (a handler gets a context that can look up other
//! commands, as EXEC and scripts do), so they live in one module; the descriptive parts
//! of a declaration (flags, key specs, docs) are plain data in [`super::spec`].

use std::cell::Cell;

use bytes::Bytes;

use crate::command::core::effects;
use crate::command::core::spec::{acl, flags, Docs, KeySpec};
use crate::command::core::state::ServerState;
use crate::command::state::acl::catalog::Catalog;
use crate::command::state::blocking::{Blocked, TimeoutReply, REPLICA_ACKS_DB, REPLICA_ACKS_KEY};
use crate::command::state::directory::ClientDirectory;
use crate::command::state::notify;
use crate::command::state::propagation::Own;
use crate::command::state::session::Session;
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::Db;
use crate::util::hash::IdMap;
use crate::util::name_index::NameIndex;

/// A command handler: parses `args` (name first; arity already checked) and writes the
/// reply through `ctx.reply`, or returns the error reply.
pub type Handler = fn(&mut Ctx<'_>, &[Bytes]) -> CmdResult;

/// One command (or subcommand) of the table.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// Lower-case name (the subcommand's own name for subcommands).
    pub name: &'static str,
    /// Argument count including the name; negative means "at least -arity".
    pub arity: i32,
    /// [`flags`] bits.
    pub flags: u32,
    /// Explicit [`acl`] categories (implicit ones are derived from `flags`).
    pub acl: u32,
    /// First key position (0: no keys).
    pub first_key: i32,
    /// Last key position (-1: the last argument).
    pub last_key: i32,
    /// Step between keys.
    pub key_step: i32,
    /// Key specs.
    pub key_specs: &'static [KeySpec],
    /// COMMAND INFO tips (`nondeterministic_output`, `request_policy:...`).
    pub tips: &'static [&'static str],
    /// The handler; for containers, unused when a subcommand matches.
    pub handler: Handler,
    /// Subcommands of a container command.
    pub subcommands: &'static [CommandSpec],
    /// Documentation.
    pub docs: Docs,
}

impl CommandSpec {
    /// The start of every declaration: a command (or subcommand) named `name` taking
    /// `arity` arguments (name included; negative: at least that many) with `flags`,
    /// run by `handler`. Chain the rest: [`Self::acl`], [`Self::keys`], [`Self::tips`],
    /// [`Self::subcommands`], [`Self::docs`].
    pub const fn new(name: &'static str, arity: i32, flags: u32, handler: Handler) -> Self {
        CommandSpec {
            name,
            arity,
            flags,
            acl: 0,
            first_key: 0,
            last_key: 0,
            key_step: 0,
            key_specs: &[],
            tips: &[],
            handler,
            subcommands: &[],
            docs: Docs::EMPTY,
        }
    }

    /// A container (CONFIG, CLIENT...): its subcommands do the work.
    pub const fn container(name: &'static str, arity: i32, flags: u32) -> Self {
        CommandSpec::new(name, arity, flags, container_handler)
    }

    /// Explicit ACL categories (the implicit ones come from the flags).
    pub const fn acl(mut self, categories: u32) -> Self {
        self.acl = categories;
        self
    }

    /// Key positions: the legacy (first, last, step) range COMMAND INFO reports, and the
    /// key specs that say exactly where keys are and how they are used.
    pub const fn keys(
        mut self,
        first: i32,
        last: i32,
        step: i32,
        specs: &'static [KeySpec],
    ) -> Self {
        self.first_key = first;
        self.last_key = last;
        self.key_step = step;
        self.key_specs = specs;
        self
    }

    /// COMMAND INFO tips (`nondeterministic_output`, `request_policy:...`).
    pub const fn tips(mut self, tips: &'static [&'static str]) -> Self {
        self.tips = tips;
        self
    }

    /// The subcommands of a container.
    pub const fn subcommands(mut self, subcommands: &'static [CommandSpec]) -> Self {
        self.subcommands = subcommands;
        self
    }

    /// Documentation (COMMAND DOCS, redis-cli hints).
    pub const fn docs(mut self, docs: Docs) -> Self {
        self.docs = docs;
        self
    }

    /// True if the command has flag `flag`.
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// True if `argc` arguments (name included) satisfy the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = self.arity as i64;
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// All ACL categories: the explicit ones plus those Redis derives from the flags.
    pub fn acl_categories(&self) -> u32 {
        let mut cats = self.acl;
        if self.has(flags::WRITE) {
            cats |= acl::WRITE;
        }
        if self.has(flags::READONLY) && cats & acl::SCRIPTING == 0 {
            cats |= acl::READ;
        }
        if self.has(flags::ADMIN) {
            cats |= acl::ADMIN | acl::DANGEROUS;
        }
        if self.has(flags::PUBSUB) {
            cats |= acl::PUBSUB;
        }
        if self.has(flags::FAST) {
            cats |= acl::FAST;
        }
        if self.has(flags::BLOCKING) {
            cats |= acl::BLOCKING;
        }
        if cats & acl::FAST == 0 {
            cats |= acl::SLOW;
        }
        cats
    }

    /// A subcommand by case-insensitive name.
    pub fn subcommand(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        self.subcommands
            .iter()
            .find(|sub| sub.name.as_bytes().eq_ignore_ascii_case(name))
    }
}

/// A placeholder handler for container entries that always resolve to a subcommand.
pub fn container_handler(_ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    Err(crate::error::CmdError::unknown_subcommand(
        std::str::from_utf8(&args[0]).unwrap_or("?"),
        args.get(1).map(|a| &a[..]).unwrap_or(b""),
    ))
}

/// Case-insensitive lookup over every family's entries, and the ACL catalog built
/// from the same entries.
pub struct CommandTable {
    by_name: NameIndex<&'static CommandSpec>,
    /// The last name resolved, when it was one of the parser's static copies
    /// (`protocol::names`): its address and length, and its spec. A client repeating
    /// a command then costs two comparisons instead of a lookup.
    last_static: Cell<Option<(usize, usize, &'static CommandSpec)>>,
    /// Each spec's ACL catalog id, by the spec's address (specs are statics, reached
    /// only through this table).
    acl_ids: IdMap<usize, usize>,
    catalog: Catalog,
}

impl CommandTable {
    /// Builds the lookup over `families` (the registry's list of every family's table).
    pub fn build(families: &[&'static [CommandSpec]]) -> Self {
        let mut table = CommandTable {
            by_name: NameIndex::default(),
            last_static: Cell::new(None),
            acl_ids: IdMap::default(),
            catalog: Catalog::new(&acl::NAMES),
        };
        for family in families {
            for spec in family.iter() {
                let held = table.by_name.insert(spec.name.as_bytes(), spec);
                debug_assert!(held, "command name {} too long for the index", spec.name);
                let id = table.catalog.add_command(
                    spec.name,
                    spec.acl_categories(),
                    spec.has(flags::NO_AUTH),
                );
                table.acl_ids.insert(address(spec), id);
                if newer_than_reference(spec) {
                    table.catalog.hide(id);
                }
                for sub in spec.subcommands {
                    let no_auth = sub.has(flags::NO_AUTH);
                    let sub_id =
                        table
                            .catalog
                            .add_subcommand(id, sub.name, sub.acl_categories(), no_auth);
                    table.acl_ids.insert(address(sub), sub_id);
                    if newer_than_reference(sub) {
                        table.catalog.hide(sub_id);
                    }
                }
            }
        }
        table.catalog.add_absent();
        let names = families.iter().flat_map(|family| family.iter());
        crate::protocol::names::register(names.map(|spec| spec.name));
        table
    }

    /// The ACL catalog of every command and subcommand (ids as [`Self::acl_id`]).
    pub fn acl_catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The ACL catalog id of `spec`, a command or subcommand of this table.
    pub fn acl_id(&self, spec: &CommandSpec) -> Option<usize> {
        self.acl_ids.get(&address(spec)).copied()
    }

    /// `rename-command from to`: the command answers to `to` only (to nothing when
    /// `to` is empty). Errors and statistics keep its own name, ACL rules too.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), &'static str> {
        self.last_static.set(None);
        if to.len() > 32 {
            return Err("Target command name longer than 32 bytes");
        }
        let spec = self
            .by_name
            .remove(from.as_bytes())
            .ok_or("No such command in rename-command")?;
        if to.is_empty() {
            return Ok(());
        }
        if self.by_name.contains(to.as_bytes()) {
            self.by_name.insert(from.as_bytes(), spec);
            return Err("Target command name already exists");
        }
        self.by_name.insert(to.as_bytes(), spec);
        Ok(())
    }

    /// The command named `name`, case-insensitively.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        self.by_name.get(name)
    }

    /// Every top-level command.
    pub fn all(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.by_name.values()
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
    #[inline]
    pub fn resolve(&self, args: &[Bytes]) -> Result<&'static CommandSpec, CmdError> {
        match self.get_remembered(&args[0]) {
            Some(spec) if spec.subcommands.is_empty() || args.len() == 1 => Ok(spec),
            found => Self::resolve_further(found, args),
        }
    }

    /// [`Self::get`], answered from [`Self::last_static`] when `name` is the same
    /// static copy as last time. Only static copies are remembered: their bytes never
    /// change and their memory is never reused, so the same address and length mean
    /// the same name.
    #[inline]
    fn get_remembered(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        let address = name.as_ptr() as usize;
        if let Some((last, len, spec)) = self.last_static.get() {
            if last == address && len == name.len() {
                return Some(spec);
            }
        }
        let spec = self.get(name)?;
        if crate::protocol::names::is_static(name) {
            self.last_static.set(Some((address, name.len(), spec)));
        }
        Some(spec)
    }

    /// [`Self::resolve`] for an unknown name or a container's subcommand.
    #[inline(never)]
    fn resolve_further(
        found: Option<&'static CommandSpec>,
        args: &[Bytes],
    ) -> Result<&'static CommandSpec, CmdError> {
        let Some(spec) = found else {
            return Err(CmdError::unknown_command(&args[0], &args[1..]));
        };
        spec.subcommand(&args[1])
            .ok_or_else(|| CmdError::unknown_subcommand(spec.name, &args[1]))
    }
}

/// True for commands Redis 7.0 does not have (7.2's CLIENT SETINFO and NO-TOUCH).
fn newer_than_reference(spec: &CommandSpec) -> bool {
    spec.docs.since.starts_with("7.2")
}

/// The address identifying a static spec.
fn address(spec: &CommandSpec) -> usize {
    spec as *const CommandSpec as usize
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

/// Everything a handler may touch.
pub struct Ctx<'a> {
    /// All databases.
    pub dbs: &'a mut Vec<Db>,
    /// Server-wide state.
    pub server: &'a mut ServerState,
    /// The calling client's session.
    pub session: &'a mut Session,
    /// The reply writer for the calling client.
    pub reply: Reply<'a>,
    /// The command table (COMMAND introspection).
    pub table: &'a CommandTable,
    /// The other connected clients (CLIENT LIST, CLIENT KILL...; a busy script serves
    /// them).
    pub clients: &'a mut dyn ClientDirectory,
}

impl<'a> Ctx<'a> {
    /// The selected database and the reply writer, borrowed together.
    pub fn db_and_reply(&mut self) -> (&mut Db, &mut Reply<'a>) {
        (&mut self.dbs[self.session.db], &mut self.reply)
    }

    /// This command's write is bookkeeping Redis does not signal as a key change (a
    /// consumer group's pending list, its last-delivered ID): transactions WATCHing
    /// the key and clients caching it are not told, as in Redis 7.0.
    pub fn write_without_key_signal(&mut self) {
        self.server.unsignalled_write = true;
    }

    /// Drops every key the calling client watches (EXEC, DISCARD, UNWATCH, RESET).
    pub fn unwatch_all(&mut self) {
        let watched = std::mem::take(&mut self.session.watched);
        self.server.watches.unwatch_all(self.session.id, &watched);
    }

    /// The selected database.
    pub fn db(&mut self) -> &mut Db {
        &mut self.dbs[self.session.db]
    }

    /// The cached time of this command, in ms.
    pub fn now(&self) -> i64 {
        self.server.now_ms
    }

    /// True when a blocking command may block; inside MULTI/EXEC it must instead answer
    /// at once as its non-blocking form does.
    pub fn may_block(&self) -> bool {
        !self.session.in_exec
    }

    /// Parks the calling client until one of `keys` (selected database) receives data or
    /// `deadline_ms` passes; the handler writes no reply. The dispatcher records the
    /// command line; the reactor runs it again when a key is ready.
    pub fn block(&mut self, keys: &[Bytes], deadline_ms: Option<i64>, on_timeout: TimeoutReply) {
        debug_assert!(self.may_block());
        self.session.blocked = Some(Blocked {
            args: Vec::new(),
            db: self.session.db,
            keys: keys.to_vec(),
            deadline_ms,
            on_timeout,
        });
    }

    /// Parks the calling client in WAIT until replicas acknowledge more of the stream
    /// (it is then run again) or `deadline_ms` passes (it answers the count).
    pub fn block_for_replicas(&mut self, deadline_ms: Option<i64>) {
        debug_assert!(self.may_block());
        self.session.blocked = Some(Blocked {
            args: Vec::new(),
            db: REPLICA_ACKS_DB,
            keys: vec![Bytes::from_static(REPLICA_ACKS_KEY)],
            deadline_ms,
            on_timeout: TimeoutReply::ReplicaAcks,
        });
    }

    /// Elements were added to `key` (selected database): clients blocked on it are
    /// served after this command. Call it wherever Redis calls `signalKeyAsReady`.
    pub fn signal_ready(&mut self, key: &[u8]) {
        self.server.blocking.signal_ready(self.session.db, key);
    }

    /// True when writes are being recorded for the append-only file: handlers build a
    /// replacement record (see [`Ctx::propagate_as`]) only then.
    pub fn propagating(&self) -> bool {
        self.server.propagation.enabled
    }

    /// Records this command as `args` instead of as sent (EXPIRE as PEXPIREAT, BLPOP
    /// as LPOP), where Redis rewrites the command for its AOF and replicas.
    pub fn propagate_as(&mut self, args: Vec<Bytes>) {
        if self.server.propagation.enabled {
            self.server.propagation.own = Own::Replaced(args);
        }
    }

    /// Records `args` now, in the selected database, in addition to (before) this
    /// command's own record (Redis's `alsoPropagate`).
    pub fn also_propagate(&mut self, args: Vec<Bytes>) {
        if self.server.propagation.enabled {
            let db = self.session.db;
            self.server.propagation.push(db, args);
        }
    }

    /// How a deletion caused by a deadline is recorded: UNLINK under
    /// `lazyfree-lazy-expire`, DEL otherwise, as Redis propagates it.
    pub fn expire_delete_word(&self) -> Bytes {
        Bytes::from_static(if self.server.config.lazyfree.expire {
            b"UNLINK"
        } else {
            b"DEL"
        })
    }

    /// This command is not recorded itself: its effects were, one by one.
    pub fn prevent_propagation(&mut self) {
        if self.server.propagation.enabled {
            self.server.propagation.own = Own::Prevented;
        }
    }

    /// `key` in database `db` changed in a way the dispatcher cannot see from the
    /// command's key arguments (FLUSHALL, SWAPDB, expiry): transactions watching it fail.
    /// Writes to a command's own keys are signalled by the dispatcher.
    pub fn signal_modified(&mut self, db: usize, key: &[u8]) {
        let stored = self.dbs.get(db).is_some_and(|d| d.has_key(key));
        self.server.watches.touch(db, key, stored);
        if self.server.tracking.is_active() {
            self.server.tracking.invalidate(key);
        }
    }

    /// Fires keyspace notification `event` of `class` (a [`notify`] constant) for `key`
    /// in the selected database. Call it wherever Redis calls `notifyKeyspaceEvent`,
    /// with the same class and event name.
    #[inline]
    pub fn notify(&mut self, class: u32, event: &'static str, key: &[u8]) {
        // Keys that expired during this command were deleted first, so their events go
        // first, as in Redis.
        effects::after_expiry(self.dbs, self.server);
        let flags = self.server.config.notify_keyspace_events;
        notify::fire(
            &mut self.server.keyspace_events,
            flags,
            class,
            event,
            self.session.db,
            key,
        );
    }
}
