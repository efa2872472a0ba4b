//! Command lookup and the checks that run before any handler (like Redis's
//! `processCommand`): existence, subcommand, arity, maxmemory (eviction, then the OOM
//! refusal), MULTI queueing; then the call and
//! what follows every call: stats, WATCH invalidation, blocking registration, expiry
//! bookkeeping. Handlers never check arity.

use crate::command::core::accounting;
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
use crate::command::core::state::sync_access_mode;
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
        return if spec.name == "exec" {
            reject_exec(ctx, args, &err)
        } else {
            reject(ctx, Some(spec), args, &err)
        };
    }
    if spec.name == "debug" {
        if let Some(err) = debug_refusal(ctx) {
            return reject(ctx, Some(spec), args, &err);
        }
    }
    if ctx.server.config.maxmemory != 0 {
        if let Some(err) = evict::refusal(ctx, spec, args) {
            return if spec.name == "exec" {
                reject_exec(ctx, args, &err)
            } else {
                reject(ctx, Some(spec), args, &err)
            };
        }
    }
    if let Some(err) = refused_by_disk_error(ctx, spec) {
        return reject(ctx, Some(spec), args, &err);
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
    if ctx.server.pause.is_set() && held_by_pause(ctx, spec) {
        ctx.session.postponed = Some(crate::command::core::args::owned(args));
        ctx.server.pause.hold(ctx.session.id);
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
    let first_op = ctx.server.propagation.ops.len();
    call(ctx, spec, args);
    if ctx.server.propagation.enabled {
        ctx.server.propagation.seal(first_op);
    }
}

/// Redis's reply while writes are refused because the last background save failed.
const ERR_MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/// The -MISCONF refusal of a command that writes (an EXEC whose queue writes, or
/// PING, as Redis checks) while the disk fails: the last background save failed with
/// `stop-writes-on-bgsave-error` and save points, or the last AOF write failed.
fn refused_by_disk_error(ctx: &Ctx<'_>, spec: &CommandSpec) -> Option<CmdError> {
    let config = &ctx.server.config;
    let rdb_failed = !ctx.server.rdb.last_save_ok
        && config.stop_writes_on_bgsave_error
        && !config.save.is_empty();
    let aof_failed = ctx.server.aof.on && !ctx.server.aof.last_write_ok;
    if !rdb_failed && !aof_failed {
        return None;
    }
    let writes = |spec: &CommandSpec| spec.has(flags::WRITE);
    let refused = match spec.name {
        "ping" => true,
        "exec" => ctx
            .session
            .multi
            .iter()
            .flatten()
            .filter_map(|args| ctx.table.resolve(args).ok())
            .any(writes),
        _ => writes(spec),
    };
    if !refused {
        return None;
    }
    Some(if rdb_failed {
        CmdError::raw(ERR_MISCONF)
    } else {
        CmdError::raw(format!(
            "MISCONF Errors writing to the AOF file: {}",
            ctx.server.aof.last_write_error
        ))
    })
}

/// True when CLIENT PAUSE holds this command back: every command under `ALL`; under
/// `WRITE`, commands that write or may replicate, and an EXEC whose queue has one.
fn held_by_pause(ctx: &Ctx<'_>, spec: &CommandSpec) -> bool {
    let Some(pause) = ctx.server.paused() else {
        return false;
    };
    let writes = |spec: &CommandSpec| spec.has(flags::WRITE | flags::MAY_REPLICATE);
    match pause.mode {
        PauseMode::All => true,
        PauseMode::Write if spec.name == "exec" => {
            let queue = ctx.session.multi.iter().flatten();
            queue
                .filter_map(|args| ctx.table.resolve(args).ok())
                .any(writes)
        }
        PauseMode::Write => writes(spec),
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

/// Refuses EXEC itself (bad arity): the transaction is discarded and the error says so.
fn reject_exec(ctx: &mut Ctx<'_>, args: &[Bytes], err: &CmdError) {
    ctx.session.multi = None;
    ctx.session.multi_failed = false;
    ctx.unwatch_all();
    let text = err.to_bytes();
    let reason = text.strip_prefix(b"ERR ").unwrap_or(&text);
    let mut message = b"EXECABORT Transaction discarded because of: ".to_vec();
    message.extend_from_slice(reason);
    accounting::rejected(ctx, None, args, &message);
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
    let outer_own = ctx
        .server
        .propagation
        .enabled
        .then(|| std::mem::take(&mut ctx.server.propagation.own));
    let started = std::time::Instant::now();
    let result = (spec.handler)(ctx, args);
    let elapsed = started.elapsed();
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
    accounting::after_call(ctx, spec, args, elapsed, result.is_err());
    let signalled = !std::mem::take(&mut ctx.server.unsignalled_write);
    if ctx.server.dirty != dirty_before && spec.has(flags::WRITE) && signalled {
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
    if !spec.has(flags::WRITE) || ctx.server.dirty == dirty_before {
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
