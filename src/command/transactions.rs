//! Transactions: MULTI EXEC DISCARD WATCH UNWATCH, and the registry of watched keys.
//!
//! While MULTI is open the dispatcher queues commands instead of running them (errors
//! found while queueing make EXEC abort). EXEC runs the queue as one unit, unless a
//! watched key was modified since WATCH, in which case it replies with a null array.
//! Writes are signalled to the registry by the dispatcher (a write command's own keys),
//! and by flushes, swaps and expiry through `Ctx::signal_modified`.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;

use crate::command::table::{acl, flags::*, Arg, CommandSpec, Docs, Group, Handler, KeySpec};
use crate::command::{dispatch, Ctx};
use crate::error::{CmdError, CmdResult};

/// Which clients watch which keys, and whose transactions a write has doomed.
#[derive(Debug, Default)]
pub struct WatchRegistry {
    /// Client ids watching each (db, key).
    by_key: HashMap<(usize, Bytes), Vec<u64>>,
    /// Clients whose next EXEC must fail.
    doomed: HashSet<u64>,
}

impl WatchRegistry {
    /// True when nobody watches anything (the common case: touching is then free).
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Records that `client` watches `key` in `db`.
    pub fn watch(&mut self, client: u64, db: usize, key: &Bytes) {
        let watchers = self.by_key.entry((db, key.clone())).or_default();
        if !watchers.contains(&client) {
            watchers.push(client);
        }
    }

    /// Forgets every watch of `client` (listed in its session) and its doom.
    pub fn unwatch_all(&mut self, client: u64, watched: &[(usize, Bytes)]) {
        for slot in watched {
            if let Some(watchers) = self.by_key.get_mut(slot) {
                watchers.retain(|&id| id != client);
                if watchers.is_empty() {
                    self.by_key.remove(slot);
                }
            }
        }
        self.doomed.remove(&client);
    }

    /// `key` in `db` was modified: every client watching it will fail its EXEC.
    pub fn touch(&mut self, db: usize, key: &[u8]) {
        if self.by_key.is_empty() {
            return;
        }
        if let Some(watchers) = self.by_key.get(&(db, Bytes::copy_from_slice(key))) {
            self.doomed.extend(watchers.iter().copied());
        }
    }

    /// Every watched key of database `db` that `exists` says is present counts as
    /// modified (FLUSHDB, FLUSHALL, SWAPDB).
    pub fn touch_db(&mut self, db: usize, mut exists: impl FnMut(&[u8]) -> bool) {
        let hit: Vec<u64> = self
            .by_key
            .iter()
            .filter(|((key_db, key), _)| *key_db == db && exists(key))
            .flat_map(|(_, watchers)| watchers.iter().copied())
            .collect();
        self.doomed.extend(hit);
    }

    /// True if a watched key of `client` was modified.
    pub fn is_doomed(&self, client: u64) -> bool {
        self.doomed.contains(&client)
    }

    /// Marks `client`'s transaction as failed.
    pub fn doom(&mut self, client: u64) {
        self.doomed.insert(client);
    }
}

/// `MULTI` — opens a transaction.
fn multi(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.session.multi.is_some() {
        return Err(CmdError::raw("ERR MULTI calls can not be nested"));
    }
    ctx.session.multi = Some(Vec::new());
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
    unwatch_session(ctx);
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
    unwatch_session(ctx);
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
    let expired = watched
        .iter()
        .any(|(db, key)| ctx.dbs[*db].expire_at(key).is_some_and(|when| now > when));
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
        // A key already logically expired counts as absent, not as "about to expire".
        ctx.dbs[db].expire_if_needed(key, now);
        ctx.server.watches.watch(ctx.session.id, db, key);
        ctx.session.watched.push((db, key.clone()));
    }
    ctx.reply.ok();
    Ok(())
}

/// `UNWATCH` — forgets every watched key.
fn unwatch(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    unwatch_session(ctx);
    ctx.reply.ok();
    Ok(())
}

/// Drops the session's watches from the registry.
pub fn unwatch_session(ctx: &mut Ctx<'_>) {
    let watched = std::mem::take(&mut ctx.session.watched);
    ctx.server.watches.unwatch_all(ctx.session.id, &watched);
}

const TXN_FLAGS: u32 = NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY;

const fn txn(name: &'static str, arity: i32, handler: Handler, docs: Docs) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags: TXN_FLAGS,
        acl: acl::TRANSACTION,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[],
        tips: &[],
        handler,
        subcommands: &[],
        docs,
    }
}

const fn txn_docs(summary: &'static str, since: &'static str, complexity: &'static str) -> Docs {
    Docs {
        summary,
        since,
        group: Group::Transactions,
        complexity,
        ..Docs::EMPTY
    }
}

/// The transactions family's table entries.
pub const COMMANDS: &[CommandSpec] = &[
    txn(
        "multi",
        1,
        multi,
        txn_docs("Starts a transaction.", "1.2.0", "O(1)"),
    ),
    CommandSpec {
        flags: NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG,
        ..txn(
            "exec",
            1,
            exec,
            txn_docs(
                "Runs every command queued since MULTI.",
                "1.2.0",
                "Depends on commands in the transaction",
            ),
        )
    },
    txn(
        "discard",
        1,
        discard,
        txn_docs(
            "Drops the commands queued since MULTI.",
            "2.0.0",
            "O(N), when N is the number of queued commands",
        ),
    ),
    CommandSpec {
        first_key: 1,
        last_key: -1,
        key_step: 1,
        key_specs: &[KeySpec::range(&["RO"], 1, -1, 1)],
        ..txn(
            "watch",
            -2,
            watch,
            Docs {
                args: &[Arg::key("key", 0).multiple()],
                ..txn_docs(
                    "Makes the next EXEC conditional on keys staying unchanged.",
                    "2.2.0",
                    "O(1) for every key.",
                )
            },
        )
    },
    txn(
        "unwatch",
        1,
        unwatch,
        txn_docs(
            "Forgets every key watched by this connection.",
            "2.2.0",
            "O(1)",
        ),
    ),
];
