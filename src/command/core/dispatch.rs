//! Command lookup and the checks that run before any handler (like Redis's
//! `processCommand`): existence, subcommand, arity, authentication and ACLs
//! (`access`), maxmemory (eviction, then the OOM refusal), MULTI queueing; then the
//! call and
//! what follows every call: stats, WATCH invalidation, blocking registration, expiry
//! bookkeeping. Handlers never check arity.

use crate::command::core::access;
use crate::command::core::accounting;
use crate::command::core::client_info::note_last_command;
use crate::command::core::command::full_name;
use crate::command::core::effects::after_expiry;
use crate::command::core::evict;
use crate::command::state::pause::PauseMode;
use crate::command::state::propagation::Own;

use bytes::Bytes;

use crate::command::core::command::CommandSpec;
use crate::command::core::command::Ctx;
use crate::command::core::keys::keys_of;
use crate::command::core::spec::flags;
use crate::command::core::state::{sync_access_mode, ServerState};
use crate::error::CmdError;
use crate::store::Db;

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

/// The checks Redis runs before a command; then the call, or queueing inside MULTI.
pub(crate) fn process(ctx: &mut Ctx<'_>, args: &[Bytes]) {
    let spec = match ctx.table.resolve(args) {
        Ok(spec) => spec,
        Err(err) => return reject(ctx, None, args, &err),
    };
    if !spec.arity_ok(args.len()) {
        let err = CmdError::wrong_arity(&full_name(args, spec));
        return reject_any(ctx, spec, args, &err);
    }
    if spec.name == "debug" {
        if let Some(err) = debug_refusal(ctx) {
            return reject(ctx, Some(spec), args, &err);
        }
    }
    if !ctx.server.acl.unchecked(ctx.session.user) && !ctx.session.master {
        if let Some(err) = access::refusal(ctx, spec, args) {
            return reject_any(ctx, spec, args, &err);
        }
    }
    if ctx.session.multi.is_some() && spec.has(flags::NO_MULTI) && !controls_transaction(spec) {
        let err = CmdError::raw("ERR Command not allowed inside a transaction");
        return reject(ctx, Some(spec), args, &err);
    }
    if ctx.server.config.maxmemory != 0
        && !ctx.session.master
        && out_of_memory(ctx)
        && refused_by_oom(ctx, spec, args)
    {
        let err = CmdError::raw(evict::ERR_OOM);
        return reject_any(ctx, spec, args, &err);
    }
    if !ctx.server.tracking.clients.is_empty() {
        // The tracking table is held to its limit before every command, as Redis's
        // trackingLimitUsedSlots: the caller hears of its own dropped keys first.
        let max_keys = ctx.server.config.tracking_table_max_keys;
        ctx.server.tracking.limit_keys(max_keys);
        flush_own_invalidations(ctx);
    }
    if let Some(err) = refused_by_disk_error(ctx, spec, args) {
        return reject_any(ctx, spec, args, &err);
    }
    if ctx.server.lacks_good_replicas() && writes(ctx, spec, args, flags::WRITE) {
        let err = CmdError::raw(NOREPLICAS);
        return reject_any(ctx, spec, args, &err);
    }
    if ctx.server.is_replica() && refused_as_read_only(ctx, spec, args) {
        let err = CmdError::raw(ERR_READONLY);
        return reject_any(ctx, spec, args, &err);
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
    if ctx.server.is_replica() && ctx.server.serves_no_stale_data() && denies_stale(ctx, spec, args)
    {
        let err = CmdError::raw(ERR_MASTERDOWN);
        return reject_any(ctx, spec, args, &err);
    }
    if let Some(err) = busy_refusal(ctx, spec, args) {
        return reject_any(ctx, spec, args, &err);
    }
    let keyspace = flags::WRITE | flags::READONLY | flags::MAY_REPLICATE;
    if ctx.session.monitor && flags_of(ctx, spec, args) & keyspace != 0 {
        let err = CmdError::raw("ERR Replica can't interact with the keyspace");
        return reject(ctx, Some(spec), args, &err);
    }
    if ctx.server.pause.is_set() && held_by_pause(ctx, spec, args) {
        ctx.session.postponed = Some(crate::command::core::args::owned(args));
        ctx.server.pause.hold(ctx.session.id);
        return;
    }
    if ctx.session.multi.is_some() && !controls_transaction(spec) {
        if let Some(queue) = ctx.session.multi.as_mut() {
            queue.push(args.to_vec());
            ctx.session.multi_argv_len += args.iter().map(Bytes::len).sum::<usize>();
        }
        ctx.reply.simple(b"QUEUED");
        return;
    }
    ctx.server.propagation.begin();
    call(ctx, spec, args);
    if ctx.server.propagation.enabled {
        ctx.server.propagation.seal();
        ctx.server.replicate_recorded();
    }
    ctx.session.woff = ctx.server.replication.offset();
}

/// Redis's reply while writes are refused because the last background save failed.
pub(crate) const ERR_MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/// Redis's reply to a write sent to a read-only replica.
pub(crate) const ERR_READONLY: &str = "READONLY You can't write against a read only replica.";

/// Redis's reply, on a replica whose link is down, to a command that needs fresh data.
pub(crate) const ERR_MASTERDOWN: &str =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/// A write (or an EXEC whose queue writes) from anyone but the master, while
/// `replica-read-only` is on.
#[cold]
fn refused_as_read_only(ctx: &Ctx<'_>, spec: &CommandSpec, args: &[Bytes]) -> bool {
    ctx.server.config.replica.read_only
        && !ctx.session.master
        && writes(ctx, spec, args, flags::WRITE)
}

/// A command without the `stale` flag (or an EXEC queueing one): it may not run on
/// stale data.
#[cold]
fn denies_stale(ctx: &Ctx<'_>, spec: &CommandSpec, args: &[Bytes]) -> bool {
    if flags_of(ctx, spec, args) & flags::STALE == 0 {
        return true;
    }
    spec.name == "exec"
        && ctx.session.multi.iter().flatten().any(|args| {
            ctx.table
                .resolve(args)
                .is_ok_and(|spec| flags_of(ctx, spec, args) & flags::STALE == 0)
        })
}

/// The -MISCONF refusal of a command that writes (an EXEC whose queue writes, a script
/// that declares writes, or PING, as Redis checks) while the disk fails.
fn refused_by_disk_error(ctx: &Ctx<'_>, spec: &CommandSpec, args: &[Bytes]) -> Option<CmdError> {
    let failure = disk_failure(ctx.server)?;
    if ctx.session.master {
        return None;
    }
    let refused = spec.name == "ping" || writes(ctx, spec, args, flags::WRITE);
    refused.then(|| disk_error(ctx.server, failure))
}

/// Evicts what `maxmemory` asks for; true if memory is still over the limit. The
/// client's own invalidations for evicted keys go out before its reply, as Redis flushes
/// them right after its eviction pass.
fn out_of_memory(ctx: &mut Ctx<'_>) -> bool {
    let oom = evict::out_of_memory(ctx.dbs, ctx.server);
    flush_own_invalidations(ctx);
    oom
}

/// Writes the invalidations queued for the caller itself ahead of its reply.
fn flush_own_invalidations(ctx: &mut Ctx<'_>) {
    if !ctx.server.tracking.outbox.is_empty() {
        let mut reply = crate::protocol::Reply::new_like(&mut ctx.reply, ctx.session.resp);
        ctx.server.tracking.write_own_to(ctx.session.id, &mut reply);
    }
}

/// Over `maxmemory` with nothing left to evict, Redis refuses a command that may grow
/// memory: `denyoom` (for a script, unless it declared `allow-oom` or `no-writes`; for
/// EXEC, if a queued command is), and inside MULTI anything it would queue.
fn refused_by_oom(ctx: &Ctx<'_>, spec: &CommandSpec, args: &[Bytes]) -> bool {
    let queued_by_multi =
        ctx.session.multi.is_some() && !matches!(spec.name, "exec" | "discard" | "quit" | "reset");
    queued_by_multi || writes(ctx, spec, args, flags::DENYOOM)
}

/// What keeps writes from being persisted, as Redis's `writeCommandsDeniedByDiskError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiskFailure {
    /// The last background save failed and `stop-writes-on-bgsave-error` is on.
    Rdb,
    /// The last write to the AOF failed.
    Aof,
}

/// The disk failure refusing writes now, if any.
pub(crate) fn disk_failure(server: &ServerState) -> Option<DiskFailure> {
    let config = &server.config;
    if !server.rdb.last_save_ok && config.stop_writes_on_bgsave_error && !config.save.is_empty() {
        Some(DiskFailure::Rdb)
    } else if server.aof.on && !server.aof.last_write_ok {
        Some(DiskFailure::Aof)
    } else {
        None
    }
}

/// The -MISCONF error for a command refused by `failure`.
pub(crate) fn disk_error(server: &ServerState, failure: DiskFailure) -> CmdError {
    match failure {
        DiskFailure::Rdb => CmdError::raw(ERR_MISCONF),
        DiskFailure::Aof => CmdError::raw(format!(
            "MISCONF Errors writing to the AOF file: {}",
            server.aof.last_write_error
        )),
    }
}

/// The refusal of writes while `min-replicas-to-write` is not met.
pub(crate) const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";

/// True when CLIENT PAUSE holds this command back: every command under `ALL`; under
/// `WRITE`, commands that write or may replicate, and an EXEC whose queue has one.
fn held_by_pause(ctx: &Ctx<'_>, spec: &CommandSpec, args: &[Bytes]) -> bool {
    let Some(pause) = ctx.server.paused() else {
        return false;
    };
    match pause.mode {
        PauseMode::All => true,
        PauseMode::Write => writes(ctx, spec, args, flags::WRITE | flags::MAY_REPLICATE),
    }
}

/// True if the command line runs with any of `bits` (an EXEC: if a queued command
/// does), as Redis's `processCommand` judges a command before running it.
fn writes(ctx: &Ctx<'_>, spec: &CommandSpec, args: &[Bytes], bits: u32) -> bool {
    if spec.name == "exec" {
        let mut queue = ctx.session.multi.iter().flatten();
        return queue.any(|args| {
            ctx.table
                .resolve(args)
                .is_ok_and(|spec| flags_of(ctx, spec, args) & bits != 0)
        });
    }
    flags_of(ctx, spec, args) & bits != 0
}

/// The flags a command line runs with: its spec's, except for the commands that run a
/// script, which take the flags the script declares (`#!lua flags=no-writes` makes
/// EVAL a read-only command for CLIENT PAUSE, as in Redis).
pub(crate) fn flags_of(ctx: &Ctx<'_>, spec: &CommandSpec, args: &[Bytes]) -> u32 {
    match spec.name {
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" => ctx
            .server
            .scripting
            .command_flags(spec.name, args, spec.flags),
        _ => spec.flags,
    }
}

/// Refuses a command before it runs; inside MULTI this also dooms the transaction.
fn reject(ctx: &mut Ctx<'_>, spec: Option<&'static CommandSpec>, args: &[Bytes], err: &CmdError) {
    if ctx.session.multi.is_some() {
        ctx.session.multi_failed = true;
    }
    let text = err.to_bytes();
    accounting::rejected(ctx, spec, args, &text);
    ctx.reply.error(&text);
}

/// While a script runs past busy-reply-threshold (another client's command served from
/// inside it), only `allow-busy` commands run; the rest are refused with `-BUSY`, as
/// Redis does. SHUTDOWN is refused too unless NOSAVE, as Redis's SHUTDOWN refuses it.
fn busy_refusal(ctx: &Ctx<'_>, spec: &CommandSpec, args: &[Bytes]) -> Option<CmdError> {
    let busy = ctx.server.scripting.busy.as_ref()?;
    let allowed = spec.has(flags::ALLOW_BUSY)
        && (spec.name != "shutdown" || args[1..].iter().any(|a| a.eq_ignore_ascii_case(b"nosave")));
    (!allowed).then(|| CmdError::raw(busy.busy_error()))
}

/// Refuses a command before it runs, EXEC included (which also ends the transaction).
fn reject_any(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[Bytes], err: &CmdError) {
    if spec.name == "exec" {
        reject_exec(ctx, spec, args, err)
    } else {
        reject(ctx, Some(spec), args, err)
    }
}

/// Refuses EXEC itself (bad arity, a busy script): the transaction is discarded and the
/// error says why, as Redis's `execCommandAbort`.
fn reject_exec(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[Bytes], err: &CmdError) {
    ctx.session.multi = None;
    ctx.session.multi_failed = false;
    ctx.unwatch_all();
    let text = err.to_bytes();
    let reason = text.strip_prefix(b"ERR ").unwrap_or(&text);
    let mut message = b"EXECABORT Transaction discarded because of: ".to_vec();
    message.extend_from_slice(reason);
    accounting::rejected(ctx, Some(spec), args, &message);
    ctx.reply.error(&message);
}

/// Runs one command queued by MULTI, from EXEC.
pub(crate) fn run_queued(ctx: &mut Ctx<'_>, args: &[Bytes]) {
    match ctx.table.resolve(args) {
        Ok(spec) if spec.arity_ok(args.len()) => {
            if !ctx.server.acl.unchecked(ctx.session.user) {
                if let Some(text) = access::queued_refusal(ctx, spec, args) {
                    accounting::count_error_reply(ctx.server, &text);
                    return ctx.reply.error(&text);
                }
            }
            call(ctx, spec, args)
        }
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
#[inline]
pub(crate) fn call(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[Bytes]) {
    let dirty_before = ctx.server.dirty;
    note_last_command(ctx, spec, args);
    ctx.server.stats.commands_processed += 1;
    let untouched = ctx.session.no_touch && spec.name != "touch";
    if untouched {
        set_no_touch(ctx.dbs, true);
    }
    let outer_own = ctx
        .server
        .propagation
        .enabled
        .then(|| std::mem::take(&mut ctx.server.propagation.own));
    let started = ctx.server.command_clock.start();
    let result = (spec.handler)(ctx, args);
    let elapsed_us = ctx.server.command_clock.finish(started);
    if let Some(outer) = outer_own {
        record_propagation(ctx, spec, args, dirty_before, outer);
    }
    if let Err(err) = &result {
        let text = err.to_bytes();
        accounting::count_error_reply(ctx.server, &text);
        ctx.reply.error(&text);
    }
    if untouched {
        set_no_touch(ctx.dbs, false);
    }
    if !ctx.server.monitors.is_empty() {
        feed_monitors(ctx, spec, args);
    }
    let failed = result.is_err() | std::mem::take(&mut ctx.server.failed_uncounted);
    accounting::after_call(ctx, spec, args, elapsed_us, failed);
    let signalled = !std::mem::take(&mut ctx.server.unsignalled_write);
    if ctx.server.dirty != dirty_before && spec.has(flags::WRITE) && signalled {
        signal_written_keys(ctx, spec, args);
    }
    if ctx.session.tracking && spec.has(flags::READONLY) && !runs_script(spec) {
        remember_read_keys(ctx, spec, args);
    }
    if spec.has(flags::ADMIN) {
        sync_access_mode(ctx.dbs, &ctx.server.config);
    }
    after_expiry(ctx.dbs, ctx.server);
}

/// Records what the command just run changed, for the append-only file: its own
/// args (or what it asked to be recorded as) when it is a write that changed the
/// dataset. Keys that expired while it ran are recorded first, as DELs.
fn record_propagation(
    ctx: &mut Ctx<'_>,
    spec: &CommandSpec,
    args: &[Bytes],
    dirty_before: u64,
    outer: Own,
) {
    after_expiry(ctx.dbs, ctx.server);
    let own = std::mem::replace(&mut ctx.server.propagation.own, outer);
    let forced = std::mem::take(&mut ctx.server.propagation.forced);
    if !spec.has(flags::WRITE) || (ctx.server.dirty == dirty_before && !forced) {
        return;
    }
    let db = ctx.session.db;
    match own {
        Own::AsSent => ctx.server.propagation.push(db, args.to_vec()),
        Own::Replaced(replacement) => ctx.server.propagation.push(db, replacement),
        Own::Prevented => {}
    }
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
            let stored = ctx.dbs[db].has_key(&args[index]);
            ctx.server.watches.touch(db, &args[index], stored);
        }
        // Keys the command only reads (SUNIONSTORE's sources) are not modified.
        if tracking && !key_flags.contains(&"RO") {
            ctx.server.tracking.invalidate(&args[index]);
        }
    }
}

/// The read-only script commands (EVAL_RO, EVALSHA_RO, FCALL_RO): as in Redis, their
/// keys are tracked when the script runs a read-only command, not for the call itself.
fn runs_script(spec: &CommandSpec) -> bool {
    matches!(spec.name, "eval_ro" | "evalsha_ro" | "fcall_ro")
}

/// A tracking client ran a read-only command: remember its keys, unless OPTIN/OPTOUT
/// and CLIENT CACHING say otherwise.
#[cold]
fn remember_read_keys(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[Bytes]) {
    if spec.has(flags::PUBSUB) {
        return;
    }
    let keys = keys_of(spec, args)
        .into_iter()
        .map(|(index, _)| &args[index]);
    remember_keys(ctx, keys);
}

/// Remembers `keys` as read by the calling client, if it tracks in default mode and
/// OPTIN/OPTOUT and CLIENT CACHING allow. A script's read-only commands remember the
/// keys its caller declared (EVAL's and FCALL's keys), as Redis does.
pub(crate) fn remember_keys<'k>(ctx: &mut Ctx<'_>, keys: impl IntoIterator<Item = &'k Bytes>) {
    let id = ctx.session.id;
    let Some(options) = ctx.server.tracking.clients.get(&id) else {
        return;
    };
    let caching = ctx.session.tracking_caching;
    if options.bcast || (options.optin && !caching) || (options.optout && caching) {
        return;
    }
    for key in keys {
        ctx.server.tracking.remember(id, key);
    }
}

/// Turns access-time updates off (or back on) in every database, around a command
/// from a CLIENT NO-TOUCH client.
fn set_no_touch(dbs: &mut [Db], on: bool) {
    for db in dbs {
        db.no_touch = on;
    }
}

/// Shows the command to MONITOR clients, unless it is administrative or a blocked
/// command running again.
#[cold]
fn feed_monitors(ctx: &mut Ctx<'_>, spec: &CommandSpec, args: &[Bytes]) {
    if spec.has(flags::ADMIN | flags::SKIP_MONITOR) || ctx.session.serving_key.is_some() {
        return;
    }
    let (_, now_us) = crate::command::core::state::wall_clock();
    let origin = if ctx.session.unix_socket {
        format!("unix:{}", ctx.session.local_addr)
    } else {
        ctx.session.addr.clone()
    };
    ctx.server
        .monitors
        .feed(now_us, ctx.session.db, &origin, args);
}

const ERR_NOT_ALLOWED: &str = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

/// The error refusing DEBUG to this client, unless `enable-debug-command` allows it.
/// The dispatcher asks before running or queueing DEBUG, as Redis checks protected
/// commands, so a refused DEBUG inside MULTI dooms the transaction.
fn debug_refusal(ctx: &Ctx<'_>) -> Option<CmdError> {
    let allowed = ctx
        .server
        .config
        .enable_debug_command
        .allows(ctx.session.is_local());
    (!allowed).then(|| CmdError::raw(ERR_NOT_ALLOWED))
}
