//! Whole-database commands: DBSIZE, FLUSHDB, FLUSHALL and SWAPDB. They act on entire
//! databases rather than keys, so they also tell watchers and trackers what changed.

use bytes::Bytes;

use crate::command::snapshot::rdb as snapshot;

use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};
use crate::error::{CmdError, CmdResult};

const ERR_FIRST_DB: &str = "ERR invalid first DB index";
const ERR_SECOND_DB: &str = "ERR invalid second DB index";

/// `DBSIZE` — the number of keys in the selected database.
fn dbsize(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let n = ctx.db().len();
    ctx.reply.int(n as i64);
    Ok(())
}

/// Parses FLUSHDB/FLUSHALL's optional `ASYNC | SYNC`; true for ASYNC.
fn flush_mode(args: &[Bytes], lazy_by_default: bool) -> CmdResult<bool> {
    match args {
        [_] => Ok(lazy_by_default),
        [_, mode] if args::is(mode, "ASYNC") => Ok(true),
        [_, mode] if args::is(mode, "SYNC") => Ok(false),
        _ => Err(CmdError::Syntax),
    }
}

/// Empties the databases at `indexes`; with `lazy` their contents are freed by the
/// background worker (`background.rs`). Returns the number of keys removed.
fn flush_dbs(ctx: &mut Ctx<'_>, indexes: std::ops::Range<usize>, lazy: bool) -> usize {
    let mut removed = 0;
    let mut lazy_keys = 0;
    let mut garbage = Vec::new();
    for index in indexes.clone() {
        let now = ctx.server.now_ms;
        ctx.server
            .watches
            .touch_db(index, &ctx.dbs[index], None, now);
    }
    ctx.server.tracking.flush();
    for db in &mut ctx.dbs[indexes] {
        removed += db.len();
        if lazy {
            lazy_keys += db.len();
            garbage.push(db.take_all());
        } else {
            db.clear();
        }
    }
    if !garbage.is_empty() {
        ctx.server.background.free(garbage, lazy_keys as u64);
    }
    ctx.server.dirty += removed as u64 + 1;
    // Recorded even when the save FLUSHALL runs brings the counter back to where it
    // was: replicas and the AOF get every flush, as from Redis.
    ctx.server.propagation.forced = true;
    removed
}

/// `FLUSHDB [ASYNC | SYNC]` — removes every key of the selected database.
fn flushdb(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let lazy = flush_mode(args, ctx.server.config.lazyfree.user_flush)?;
    let db = ctx.session.db;
    flush_dbs(ctx, db..db + 1, lazy);
    ctx.reply.ok();
    Ok(())
}

/// `FLUSHALL [ASYNC | SYNC]` — removes every key of every database.
fn flushall(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let lazy = flush_mode(args, ctx.server.config.lazyfree.user_flush)?;
    let all = 0..ctx.dbs.len();
    flush_dbs(ctx, all, lazy);
    // As Redis: a snapshot in progress would resurrect the data, so it is stopped; with
    // save points the now empty dataset is saved at once, which leaves no change
    // unsaved (the flush is propagated all the same: `flush_dbs` forces it).
    snapshot::kill_bgsave(ctx.server);
    if !ctx.server.config.save_points().is_empty() {
        let _ = snapshot::save(ctx.dbs, ctx.server);
    }
    ctx.reply.ok();
    Ok(())
}

/// A SWAPDB index: an integer (else `error`), then within `0..databases`.
fn swap_index(arg: &[u8], databases: usize, error: &str) -> CmdResult<usize> {
    let index = args::int(arg)
        .ok()
        .filter(|n| i32::try_from(*n).is_ok())
        .ok_or_else(|| CmdError::raw(error))?;
    if index < 0 || index as u64 >= databases as u64 {
        return Err(CmdError::DbIndexOutOfRange);
    }
    Ok(index as usize)
}

/// `SWAPDB index1 index2` — exchanges two databases' contents; clients stay on their index.
fn swapdb(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let first = swap_index(&args[1], ctx.dbs.len(), ERR_FIRST_DB)?;
    let second = swap_index(&args[2], ctx.dbs.len(), ERR_SECOND_DB)?;
    // Watched keys present in either database change value from the watcher's view.
    let (watches, now) = (&mut ctx.server.watches, ctx.server.now_ms);
    let (a, b) = (&ctx.dbs[first], &ctx.dbs[second]);
    watches.touch_db(first, a, Some(b), now);
    watches.touch_db(second, b, Some(a), now);
    ctx.dbs.swap(first, second);
    // Clients blocked in either database look again: a list, sorted set or stream may
    // have appeared under their key, or their stream may be gone (UNBLOCKED), as Redis
    // rescans both databases after a swap.
    for db in [first, second] {
        for key in ctx.server.blocking.blocked_keys(db) {
            ctx.server.blocking.signal_ready(db, &key);
        }
    }
    ctx.server.dirty += 1;
    ctx.reply.ok();
    Ok(())
}

/// The whole-database commands' table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("dbsize", 1, READONLY | FAST, dbsize)
        .acl(acl::KEYSPACE)
        .tips(&["request_policy:all_shards", "response_policy:agg_sum"])
        .docs(Group::Server.doc("Counts the keys of the selected database.", "1.0.0", "O(1)")),
    CommandSpec::new("flushdb", -1, WRITE, flushdb)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .tips(ALL_SHARDS_SUCCEEDED)
        .docs(Group::Server.doc("Deletes every key of the selected database.", "1.0.0", FLUSHDB_COST)
            .history(FLUSH_HISTORY).args(FLUSH_ARGS)),
    CommandSpec::new("flushall", -1, WRITE, flushall)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .tips(ALL_SHARDS_SUCCEEDED)
        .docs(Group::Server.doc("Deletes every key of every database.", "1.0.0", FLUSHALL_COST)
            .history(FLUSH_HISTORY).args(FLUSH_ARGS)),
    CommandSpec::new("swapdb", 3, WRITE | FAST, swapdb)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .docs(Group::Server.doc("Exchanges the contents of two databases.", "4.0.0", SWAPDB_COST)
            .args(SWAPDB_ARGS)),
];

const ALL_SHARDS_SUCCEEDED: &[&str] =
    &["request_policy:all_shards", "response_policy:all_succeeded"];
const FLUSHDB_COST: &str = "O(N) where N is the number of keys in the selected database";
const FLUSHALL_COST: &str = "O(N) where N is the total number of keys in all databases";
const SWAPDB_COST: &str =
    "O(N) where N is the count of clients watching or blocking on keys from both databases.";
const FLUSH_HISTORY: &[(&str, &str)] = &[
    ("4.0.0", "Added the `ASYNC` flushing mode modifier."),
    ("6.2.0", "Added the `SYNC` flushing mode modifier."),
];
const FLUSH_ARGS: &[Arg] = &[Arg::one_of(
    "async",
    &[
        Arg::token("async", "ASYNC").since("4.0.0"),
        Arg::token("sync", "SYNC").since("6.2.0"),
    ],
)
.optional()];
const SWAPDB_ARGS: &[Arg] = &[
    Arg::new("index1", ArgType::Integer),
    Arg::new("index2", ArgType::Integer),
];
