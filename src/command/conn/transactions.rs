//! Transactions: MULTI EXEC DISCARD WATCH UNWATCH, and the registry of watched keys.
//!
//! While MULTI is open the dispatcher queues commands instead of running them (errors
//! found while queueing make EXEC abort). EXEC runs the queue as one unit, unless a
//! watched key was modified since WATCH, in which case it replies with a null array.
//! Writes are signalled to the registry by the dispatcher (a write command's own keys),
//! and by flushes, swaps and expiry through `Ctx::signal_modified`.

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::dispatch;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, Group, KeySpec};
use crate::command::state::watch::is_stale;
use crate::error::{CmdError, CmdResult};

/// `MULTI` — opens a transaction.
fn multi(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.session.multi.is_some() {
        return Err(CmdError::raw("ERR MULTI calls can not be nested"));
    }
    ctx.session.multi = Some(Vec::new());
    ctx.session.multi_argv_len = 0;
    ctx.session.multi_failed = false;
    ctx.reply.ok();
    Ok(())
}

/// `DISCARD` — drops the queued commands and the watches.
fn discard(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.session.multi.take().is_none() {
        return Err(CmdError::raw("ERR DISCARD without MULTI"));
    }
    ctx.session.multi_failed = false;
    ctx.unwatch_all();
    ctx.reply.ok();
    Ok(())
}

/// `EXEC` — runs the queued commands and replies with an array of their replies; a
/// null array if a watched key changed; `EXECABORT` if queueing failed.
fn exec(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let Some(queue) = ctx.session.multi.take() else {
        return Err(CmdError::raw("ERR EXEC without MULTI"));
    };
    let failed = std::mem::take(&mut ctx.session.multi_failed);
    let doomed = ctx.server.watches.is_doomed(ctx.session.id) || watched_key_expired(ctx);
    ctx.unwatch_all();
    if failed {
        return Err(CmdError::raw(
            "EXECABORT Transaction discarded because of previous errors.",
        ));
    }
    if doomed {
        ctx.reply.null_array();
        return Ok(());
    }
    ctx.reply.array_len(queue.len());
    ctx.session.in_exec = true;
    for args in &queue {
        dispatch::run_queued(ctx, args);
    }
    ctx.session.in_exec = false;
    Ok(())
}

/// A watched key that has logically expired since WATCH also fails the transaction
/// (Redis 7.0 checks this at EXEC even if the key was not reclaimed yet).
fn watched_key_expired(ctx: &mut Ctx<'_>) -> bool {
    let now = ctx.now();
    let watched = std::mem::take(&mut ctx.session.watched);
    let (dbs, watches, client) = (&*ctx.dbs, &ctx.server.watches, ctx.session.id);
    let expired = watched.iter().any(|(db, key)| {
        !watches.watched_expired(client, *db, key) && is_stale(&dbs[*db], key, now)
    });
    ctx.session.watched = watched;
    expired
}

/// `WATCH key [key ...]` — EXEC will fail if any of these keys change before it.
fn watch(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if ctx.session.multi.is_some() {
        return Err(CmdError::raw("ERR WATCH inside MULTI is not allowed"));
    }
    let db = ctx.session.db;
    let now = ctx.now();
    for key in &args[1..] {
        if ctx
            .session
            .watched
            .iter()
            .any(|(d, k)| *d == db && k == key)
        {
            continue;
        }
        // A key stored but already expired is flagged: its deletion is no change.
        let expired = is_stale(&ctx.dbs[db], key, now);
        ctx.server.watches.watch(ctx.session.id, db, key, expired);
        ctx.session.watched.push((db, Bytes::copy_from_slice(key)));
    }
    ctx.reply.ok();
    Ok(())
}

/// `UNWATCH` — forgets every watched key.
fn unwatch(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.unwatch_all();
    ctx.reply.ok();
    Ok(())
}

/// The transactions family's table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("multi", 1, FLAGS, multi)
        .acl(acl::TRANSACTION)
        .docs(Group::Transactions.doc("Starts a transaction.", "1.2.0", "O(1)")),
    CommandSpec::new("exec", 1, NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG, exec)
        .acl(acl::TRANSACTION)
        .docs(Group::Transactions.doc("Runs every command queued since MULTI.", "1.2.0", "Depends on commands in the transaction")),
    CommandSpec::new("discard", 1, FLAGS, discard)
        .acl(acl::TRANSACTION)
        .docs(Group::Transactions.doc("Drops the commands queued since MULTI.", "2.0.0", "O(N), when N is the number of queued commands")),
    CommandSpec::new("watch", -2, FLAGS, watch)
        .acl(acl::TRANSACTION)
        .keys(1, -1, 1, &[KeySpec::range(&["RO"], 1, -1, 1)])
        .docs(Group::Transactions.doc("Makes the next EXEC conditional on keys staying unchanged.", "2.2.0", "O(1) for every key.")
            .args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("unwatch", 1, FLAGS, unwatch)
        .acl(acl::TRANSACTION)
        .docs(Group::Transactions.doc("Forgets every key watched by this connection.", "2.2.0", "O(1)")),
];

/// The flags of every transaction command but EXEC.
const FLAGS: u32 = NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY;
