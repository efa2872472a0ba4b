//! Command lookup and the checks that run before any handler (like Redis's
//! `processCommand`): existence, subcommand, arity, MULTI queueing; then the call and
//! what follows every call: stats, WATCH invalidation, blocking registration, expiry
//! bookkeeping. Handlers never check arity.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use bytes::Bytes;

use crate::command::directory::{ClientDirectory, NoClients};
use crate::command::introspection::keys_of;
use crate::command::notify;
use crate::command::table::{flags, CommandSpec};
use crate::command::{
    bitmaps, clients, connection, debug, expire, geo, hashes, hyperloglog, introspection, keys,
    latency, lists, memory, monitor, pubsub, server, sets, slowlog, sort, stats, strings,
    transactions, zsets,
};
use crate::command::{sync_access_mode, Ctx, Executor, ServerState, Session};
use crate::error::CmdError;
use crate::protocol::{OutBuf, Reply};
use crate::store::db::KeyEvent;
use crate::store::Db;

/// Longest command name looked up (longer names are unknown by definition).
const MAX_NAME_LEN: usize = 64;

/// FNV-1a: the command table is fixed at start-up and never grows from client input,
/// so a keyed hash buys nothing there, while every command pays for the lookup.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// Case-insensitive lookup over every family's entries.
pub struct CommandTable {
    by_name: HashMap<&'static [u8], &'static CommandSpec, BuildHasherDefault<Fnv>>,
}

/// Every family's table, in the order COMMAND lists them.
pub const FAMILIES: &[&[CommandSpec]] = &[
    connection::COMMANDS,
    clients::COMMANDS,
    monitor::COMMANDS,
    strings::COMMANDS,
    keys::COMMANDS,
    expire::COMMANDS,
    server::COMMANDS,
    introspection::COMMANDS,
    transactions::COMMANDS,
    lists::COMMANDS,
    hashes::COMMANDS,
    sets::COMMANDS,
    sort::COMMANDS,
    pubsub::COMMANDS,
    zsets::COMMANDS,
    bitmaps::COMMANDS,
    hyperloglog::COMMANDS,
    geo::COMMANDS,
    slowlog::COMMANDS,
    latency::COMMANDS,
    memory::COMMANDS,
    debug::COMMANDS,
    crate::command::scripting::COMMANDS,
];

impl CommandTable {
    /// Builds the lookup from [`FAMILIES`].
    pub fn build() -> Self {
        let mut by_name = HashMap::default();
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
        spec.subcommand(&args[1])
            .ok_or_else(|| CmdError::unknown_subcommand(spec.name, &args[1]))
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

/// Commands a RESP2 client may send while subscribed.
fn allowed_when_subscribed(spec: &CommandSpec) -> bool {
    matches!(
        spec.name,
        "ping"
            | "subscribe"
            | "ssubscribe"
            | "unsubscribe"
            | "sunsubscribe"
            | "psubscribe"
            | "punsubscribe"
            | "quit"
            | "reset"
    )
}

/// Commands that run at once even inside MULTI (they control the transaction).
fn controls_transaction(spec: &CommandSpec) -> bool {
    matches!(
        spec.name,
        "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
    )
}

impl Executor {
    /// Runs (or, inside MULTI, queues) one command for a client, writing its reply into
    /// `out`, with no other client visible (tests; CLIENT LIST then shows the caller
    /// only). If the command blocked, `session.blocked` is set and registered.
    pub fn execute(&mut self, session: &mut Session, args: &[Bytes], out: &mut OutBuf) {
        self.execute_with(session, args, out, &NoClients);
    }

    /// Runs (or queues, or holds back during CLIENT PAUSE) one command for a client,
    /// writing its reply into `out` unless CLIENT REPLY turned replies off. `clients`
    /// shows the other connections.
    pub fn execute_with(
        &mut self,
        session: &mut Session,
        args: &[Bytes],
        out: &mut OutBuf,
        clients: &dyn ClientDirectory,
    ) {
        debug_assert!(!args.is_empty());
        self.server.tracking.current = session.id;
        if session.reply_mode.suppresses() {
            self.execute_silenced(session, args, out, clients);
        } else {
            self.run(session, args, out, clients);
        }
        self.server.tracking.current = 0;
        if !self.server.tracking.outbox.is_empty() {
            self.server
                .tracking
                .write_own(session.id, session.resp, out);
        }
        if session.tracking_caching {
            self.end_caching(session, args);
        }
        session.reply_mode = session.reply_mode.after_command();
        out.seal_if_large();
    }

    /// CLIENT CACHING covers one command: it ends after any command other than a
    /// CLIENT subcommand, unless a transaction is open (then it covers EXEC's queue).
    #[cold]
    fn end_caching(&self, session: &mut Session, args: &[Bytes]) {
        let client_command =
            args[0].eq_ignore_ascii_case(b"client") && self.table.resolve(args).is_ok();
        if session.multi.is_none() && !client_command {
            session.tracking_caching = false;
        }
    }

    /// Runs a command whose reply CLIENT REPLY OFF/SKIP drops; only a CLIENT REPLY ON
    /// that turns replies back on is answered.
    #[cold]
    fn execute_silenced(
        &mut self,
        session: &mut Session,
        args: &[Bytes],
        out: &mut OutBuf,
        clients: &dyn ClientDirectory,
    ) {
        let mut discarded = OutBuf::new();
        self.run(session, args, &mut discarded, clients);
        if session.reply_mode == crate::command::session::ReplyMode::On {
            discarded.move_into(out);
        }
    }

    fn run(
        &mut self,
        session: &mut Session,
        args: &[Bytes],
        out: &mut OutBuf,
        clients: &dyn ClientDirectory,
    ) {
        self.hold_expiry_while_paused();
        let mut ctx = self.context(session, out, clients);
        process(&mut ctx, args);
        if let Some(blocked) = ctx.session.blocked.as_mut().filter(|b| b.args.is_empty()) {
            blocked.args = args.to_vec();
            let blocked = blocked.clone();
            ctx.server.blocking.register(ctx.session.id, &blocked);
            after_expiry(ctx.dbs, ctx.server);
        }
    }

    /// Keeps expired keys stored (reading as missing) while a CLIENT PAUSE is in force,
    /// as Redis does; one comparison per command when nothing changes.
    fn hold_expiry_while_paused(&mut self) {
        let held = self.server.pause.is_some() && self.server.paused().is_some();
        if held != self.server.expiry_held {
            self.server.expiry_held = held;
            for db in &mut self.dbs {
                db.expiry_held = held;
            }
        }
    }

    /// Runs a command CLIENT PAUSE held back, now that the pause is over (or holds it
    /// back again if another pause began). Returns true if it ran.
    pub fn resume_postponed(
        &mut self,
        session: &mut Session,
        out: &mut OutBuf,
        clients: &dyn ClientDirectory,
    ) -> bool {
        let Some(args) = session.postponed.take() else {
            return true;
        };
        self.execute_with(session, &args, out, clients);
        session.postponed.is_none()
    }

    /// Runs a blocked client's command again because `ready_key` received data; the
    /// handler pops from that key only (`session.serving_key`).
    /// Returns true if it was served (and is unblocked); false if it still waits, in
    /// the same place in line and with the same deadline.
    pub fn retry_blocked(
        &mut self,
        session: &mut Session,
        out: &mut OutBuf,
        ready_key: &Bytes,
    ) -> bool {
        let Some(blocked) = session.blocked.take() else {
            return true;
        };
        session.serving_key = Some(ready_key.clone());
        self.server.tracking.current = session.id;
        let mut ctx = self.context(session, out, &NoClients);
        let served = match ctx.table.resolve(&blocked.args) {
            Ok(spec) => {
                call(&mut ctx, spec, &blocked.args);
                ctx.session.blocked.is_none()
            }
            Err(_) => true,
        };
        session.serving_key = None;
        self.server.tracking.current = 0;
        if served {
            self.server.blocking.unregister(session.id, &blocked);
        } else {
            session.blocked = Some(blocked);
        }
        out.seal_if_large();
        served
    }

    /// Answers a blocked client whose deadline passed, and unblocks it.
    pub fn time_out_blocked(&mut self, session: &mut Session, out: &mut OutBuf) {
        let Some(blocked) = session.blocked.take() else {
            return;
        };
        self.server.blocking.unregister(session.id, &blocked);
        if let Ok(spec) = self.table.resolve(&blocked.args) {
            let spent = std::mem::take(&mut session.blocked_us);
            stats::timed_out(&mut self.server, spec, &blocked.args, spent);
        }
        let mut reply = Reply::new(out, session.resp);
        match blocked.on_timeout {
            crate::command::blocking::TimeoutReply::NullArray => reply.null_array(),
            crate::command::blocking::TimeoutReply::NullBulk => reply.null(),
        }
    }

    /// Ends a blocked client's wait at another client's request (CLIENT UNBLOCK): the
    /// timeout reply, or the UNBLOCKED error.
    pub fn unblock(&mut self, session: &mut Session, out: &mut OutBuf, error: bool) {
        if !error {
            return self.time_out_blocked(session, out);
        }
        let Some(blocked) = session.blocked.take() else {
            return;
        };
        self.server.blocking.unregister(session.id, &blocked);
        if let Ok(spec) = self.table.resolve(&blocked.args) {
            let spent = std::mem::take(&mut session.blocked_us);
            stats::timed_out(&mut self.server, spec, &blocked.args, spent);
        }
        let text = b"UNBLOCKED client unblocked via CLIENT UNBLOCK";
        self.server.stats.error_replies += 1;
        self.server.admin.count_error(text);
        Reply::new(out, session.resp).error(text);
    }

    /// Forgets everything the executor holds for a client that is going away.
    pub fn client_closed(&mut self, session: &mut Session) {
        if session.monitor {
            self.server.monitors.remove(session.id);
        }
        if session.postponed.take().is_some() {
            self.server.postponed.retain(|&id| id != session.id);
        }
        if let Some(blocked) = session.blocked.take() {
            self.server.blocking.unregister(session.id, &blocked);
        }
        let watched = std::mem::take(&mut session.watched);
        self.server.watches.unwatch_all(session.id, &watched);
        let subscriptions = std::mem::take(&mut session.subscriptions);
        self.server.pubsub.drop_client(session.id, &subscriptions);
        if session.tracking {
            session.tracking = false;
            self.server.tracking.disable(session.id);
        }
    }

    fn context<'a>(
        &'a mut self,
        session: &'a mut Session,
        out: &'a mut OutBuf,
        clients: &'a dyn ClientDirectory,
    ) -> Ctx<'a> {
        let reply = Reply::new(out, session.resp);
        Ctx {
            dbs: &mut self.dbs,
            server: &mut self.server,
            session,
            reply,
            table: &self.table,
            clients,
        }
    }
}

/// The checks Redis runs before a command; then the call, or queueing inside MULTI.
fn process(ctx: &mut Ctx<'_>, args: &[Bytes]) {
    let spec = match ctx.table.resolve(args) {
        Ok(spec) => spec,
        Err(err) => return reject(ctx, None, args, &err),
    };
    if !spec.arity_ok(args.len()) {
        let err = CmdError::wrong_arity(&full_name(args, spec));
        return if spec.name == "exec" {
            reject_exec(ctx, args, &err)
        } else {
            reject(ctx, Some(spec), args, &err)
        };
    }
    if spec.name == "debug" {
        if let Some(err) = debug::refusal(ctx) {
            return reject(ctx, Some(spec), args, &err);
        }
    }
    if ctx.session.subscriptions.total() > 0
        && ctx.session.resp == 2
        && !allowed_when_subscribed(spec)
    {
        let text = format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
            full_name(args, spec)
        );
        return reject(ctx, Some(spec), args, &CmdError::raw(text));
    }
    if ctx.session.monitor && spec.has(flags::WRITE | flags::READONLY | flags::MAY_REPLICATE) {
        let err = CmdError::raw("ERR Replica can't interact with the keyspace");
        return reject(ctx, Some(spec), args, &err);
    }
    if ctx.server.pause.is_some() && held_by_pause(ctx, spec) {
        ctx.session.postponed = Some(args.to_vec());
        ctx.server.postponed.push_back(ctx.session.id);
        return;
    }
    if ctx.session.multi.is_some() && !controls_transaction(spec) {
        if spec.has(flags::NO_MULTI) {
            let err = CmdError::raw("ERR Command not allowed inside a transaction");
            return reject(ctx, Some(spec), args, &err);
        }
        if let Some(queue) = ctx.session.multi.as_mut() {
            queue.push(args.to_vec());
        }
        ctx.reply.simple(b"QUEUED");
        return;
    }
    call(ctx, spec, args);
}

/// True when CLIENT PAUSE holds this command back: every command under `ALL`; under
/// `WRITE`, commands that write or may replicate, and an EXEC whose queue has one.
fn held_by_pause(ctx: &Ctx<'_>, spec: &CommandSpec) -> bool {
    let Some(pause) = ctx.server.paused() else {
        return false;
    };
    let writes = |spec: &CommandSpec| spec.has(flags::WRITE | flags::MAY_REPLICATE);
    match pause.mode {
        clients::PauseMode::All => true,
        clients::PauseMode::Write if spec.name == "exec" => {
            let queue = ctx.session.multi.iter().flatten();
            queue
                .filter_map(|args| ctx.table.resolve(args).ok())
                .any(writes)
        }
        clients::PauseMode::Write => writes(spec),
    }
}

/// Refuses a command before it runs; inside MULTI this also dooms the transaction.
fn reject(ctx: &mut Ctx<'_>, spec: Option<&'static CommandSpec>, args: &[Bytes], err: &CmdError) {
    if ctx.session.multi.is_some() {
        ctx.session.multi_failed = true;
    }
    ctx.server.stats.error_replies += 1;
    let text = err.to_bytes();
    stats::rejected(ctx, spec, args, &text);
    ctx.reply.error(&text);
}

/// Refuses EXEC itself (bad arity): the transaction is discarded and the error says so.
fn reject_exec(ctx: &mut Ctx<'_>, args: &[Bytes], err: &CmdError) {
    ctx.session.multi = None;
    ctx.session.multi_failed = false;
    transactions::unwatch_session(ctx);
    let text = err.to_bytes();
    let reason = text.strip_prefix(b"ERR ").unwrap_or(&text);
    let mut message = b"EXECABORT Transaction discarded because of: ".to_vec();
    message.extend_from_slice(reason);
    ctx.server.stats.error_replies += 1;
    stats::rejected(ctx, None, args, &message);
    ctx.reply.error(&message);
}

/// Runs one command queued by MULTI, from EXEC.
pub(crate) fn run_queued(ctx: &mut Ctx<'_>, args: &[Bytes]) {
    match ctx.table.resolve(args) {
        Ok(spec) if spec.arity_ok(args.len()) => call(ctx, spec, args),
        Ok(spec) => reject(
            ctx,
            Some(spec),
            args,
            &CmdError::wrong_arity(&full_name(args, spec)),
        ),
        Err(err) => reject(ctx, None, args, &err),
    }
}

/// Calls the handler, writes its error if any, then does what follows every command.
pub(crate) fn call(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[Bytes]) {
    let dirty_before = ctx.server.dirty;
    note_last_command(ctx, spec, args);
    ctx.server.stats.commands_processed += 1;
    let untouched = ctx.session.no_touch && spec.name != "touch";
    if untouched {
        set_no_touch(ctx.dbs, true);
    }
    let started = std::time::Instant::now();
    let result = (spec.handler)(ctx, args);
    let elapsed = started.elapsed();
    if let Err(err) = &result {
        ctx.server.stats.error_replies += 1;
        let text = err.to_bytes();
        ctx.server.admin.count_error(&text);
        ctx.reply.error(&text);
    }
    if untouched {
        set_no_touch(ctx.dbs, false);
    }
    if !ctx.server.monitors.is_empty() {
        feed_monitors(ctx, spec, args);
    }
    stats::after_call(ctx, spec, args, elapsed, result.is_err());
    if ctx.server.dirty != dirty_before && spec.has(flags::WRITE) {
        signal_written_keys(ctx, spec, args);
    }
    if ctx.session.tracking && spec.has(flags::READONLY) {
        remember_read_keys(ctx, spec, args);
    }
    if spec.has(flags::ADMIN) {
        sync_access_mode(ctx.dbs, &ctx.server.config);
    }
    after_expiry(ctx.dbs, ctx.server);
}

/// A write command changed the dataset: transactions watching its keys fail, and
/// clients caching its written keys are told to drop them.
fn signal_written_keys(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[Bytes]) {
    let watching = !ctx.server.watches.is_empty();
    let tracking = ctx.server.tracking.is_active();
    if !watching && !tracking {
        return;
    }
    let db = ctx.session.db;
    for (index, key_flags) in keys_of(spec, args) {
        if watching {
            ctx.server.watches.touch(db, &args[index]);
        }
        // Keys the command only reads (SUNIONSTORE's sources) are not modified.
        if tracking && !key_flags.contains(&"RO") {
            ctx.server.tracking.invalidate(&args[index]);
        }
    }
}

/// A tracking client ran a read-only command: remember its keys, unless OPTIN/OPTOUT
/// and CLIENT CACHING say otherwise.
#[cold]
fn remember_read_keys(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[Bytes]) {
    let id = ctx.session.id;
    let Some(options) = ctx.server.tracking.clients.get(&id) else {
        return;
    };
    let caching = ctx.session.tracking_caching;
    if options.bcast || (options.optin && !caching) || (options.optout && caching) {
        return;
    }
    if spec.has(flags::PUBSUB) {
        return;
    }
    for (index, _) in keys_of(spec, args) {
        ctx.server.tracking.remember(id, &args[index]);
    }
}

/// Turns access-time updates off (or back on) in every database, around a command
/// from a CLIENT NO-TOUCH client.
fn set_no_touch(dbs: &mut [Db], on: bool) {
    for db in dbs {
        db.no_touch = on;
    }
}

/// Records the command for CLIENT LIST's `cmd=`: `get`, or `client|list`.
fn note_last_command(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[Bytes]) {
    if args[0].eq_ignore_ascii_case(spec.name.as_bytes()) {
        ctx.session.last_command = spec.name;
        ctx.session.last_subcommand = None;
    } else if let Some(container) = ctx.table.get(&args[0]) {
        ctx.session.last_command = container.name;
        ctx.session.last_subcommand = Some(spec.name);
    }
}

/// Shows the command to MONITOR clients, unless it is administrative or a blocked
/// command running again.
#[cold]
fn feed_monitors(ctx: &mut Ctx<'_>, spec: &CommandSpec, args: &[Bytes]) {
    if spec.has(flags::ADMIN | flags::SKIP_MONITOR) || ctx.session.serving_key.is_some() {
        return;
    }
    let (_, now_us) = crate::command::wall_clock();
    let origin = if ctx.session.unix_socket {
        format!("unix:{}", ctx.session.local_addr)
    } else {
        ctx.session.addr.clone()
    };
    ctx.server
        .monitors
        .feed(now_us, ctx.session.db, &origin, args);
}

/// Turns what the databases logged during a command into its effects: keys deleted by
/// expiry become WATCH invalidations and `expired` notifications; lists and sorted sets
/// created by any command wake clients blocked on them. Logging stays on only while
/// someone cares (a watcher, `expired` notifications, a blocked client).
pub(crate) fn after_expiry(dbs: &mut [Db], server: &mut ServerState) {
    let flags = server.config.notify_keyspace_events;
    let want_expired =
        !server.watches.is_empty() || flags & notify::EXPIRED != 0 || server.tracking.is_active();
    let want_ready = server.blocking.blocked_clients > 0;
    let want_key_events = flags & (notify::NEW | notify::KEY_MISS) != 0;
    if !want_expired && !want_ready && !want_key_events && !server.expiry_logging {
        return;
    }
    for (index, db) in dbs.iter_mut().enumerate() {
        for key in db.expired_log.drain(..) {
            server.watches.touch(index, key.as_slice());
            if server.tracking.is_active() {
                server.tracking.invalidate(key.as_slice());
            }
            notify::fire(
                &mut server.keyspace_events,
                flags,
                notify::EXPIRED,
                "expired",
                index,
                key.as_slice(),
            );
        }
        for (event, key) in db.key_event_log.drain(..) {
            let (class, name) = match event {
                KeyEvent::New => (notify::NEW, "new"),
                KeyEvent::Miss => (notify::KEY_MISS, "keymiss"),
            };
            notify::fire(
                &mut server.keyspace_events,
                flags,
                class,
                name,
                index,
                key.as_slice(),
            );
        }
        for key in db.ready_log.drain(..) {
            server.blocking.signal_ready(index, key.as_slice());
        }
        db.log_expired = want_expired;
        db.log_ready = want_ready;
        db.log_key_events = want_key_events;
    }
    server.expiry_logging = want_expired || want_ready || want_key_events;
}
