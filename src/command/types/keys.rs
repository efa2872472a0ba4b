//! Generic key commands: DEL UNLINK EXISTS TOUCH TYPE RENAME RENAMENX KEYS SCAN RANDOMKEY
//! COPY MOVE and the OBJECT container. Setting and reading TTLs lives in
//! [`crate::command::types::ttl`].
//!
//! Lookups say what they are for, as Redis's do: EXISTS, TYPE, OBJECT and SCAN TYPE read
//! without touching the key's access clock (but still count as keyspace hits or misses),
//! TOUCH and COPY's source read and touch, RENAME, MOVE and COPY's destination look up
//! for writing. Every lookup applies lazy expiry first, so an expired key is never seen.
//! Nothing here depends on a value being a string: type names come from
//! [`crate::store::ValueType::name`] and copies clone whatever [`crate::store::Value`] holds.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::args::ScanOptions;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, Group, KeySpec};
use crate::command::state::notify;
use crate::error::{c_str, CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::db::{access_clock, initial_access, lfu_counter};
use crate::store::{Bstr, Db, Object, Value};
use crate::util::glob::glob_match;

/// COPY and MOVE onto themselves.
const ERR_SAME_OBJECT: &str = "ERR source and destination objects are the same";
/// A SCAN cursor that is not an unsigned 64-bit number.
/// A database index that parses as an `i64` but not as a C `int`.
const ERR_NOT_INT32: &str =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
/// OBJECT FREQ without an LFU policy.
const ERR_LFU_NOT_SELECTED: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. \
Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
/// OBJECT IDLETIME under an LFU policy.
const ERR_LFU_SELECTED: &str = "ERR An LFU maxmemory policy is selected, idle time not tracked. \
Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/// The refcount Redis reports for its shared objects (small integers).
const SHARED_REFCOUNT: i64 = i32::MAX as i64;
/// Integers `0..SHARED_INTEGERS` are shared objects in Redis.
const SHARED_INTEGERS: i64 = 10_000;

/// An option name matched the way Redis's `strcasecmp` on the argument does: the
/// argument ends at its first NUL byte.
pub(crate) fn is_opt(arg: &[u8], name: &str) -> bool {
    c_str(arg, usize::MAX).eq_ignore_ascii_case(name.as_bytes())
}

/// Looks `key` up without touching its access clock, counting a keyspace hit or miss
/// (Redis's `LOOKUP_NOTOUCH`). Expired keys are deleted first.
pub(crate) fn lookup_no_touch<'d>(db: &'d mut Db, key: &[u8], now: i64) -> Option<&'d Object> {
    if db.contains(key, now) {
        db.stats.hits += 1;
    } else {
        db.stats.misses += 1;
        db.note_miss(key);
    }
    db.peek(key, now)
}

/// Like [`lookup_no_touch`], without the `keymiss` notification (OBJECT).
fn lookup_no_touch_quiet<'d>(db: &'d mut Db, key: &[u8], now: i64) -> Option<&'d Object> {
    if db.contains(key, now) {
        db.stats.hits += 1;
    } else {
        db.stats.misses += 1;
    }
    db.peek(key, now)
}

/// True when `key` has a deadline that has passed (without deleting it).
fn is_expired(db: &Db, key: &[u8], now: i64) -> bool {
    db.expire_at(key).is_some_and(|when| now > when)
}

/// The name TYPE replies with for an optional object.
fn type_name(obj: Option<&Object>) -> &'static str {
    obj.map_or("none", |obj| obj.value.value_type().name())
}

/// A database index argument as Redis's `getIntFromObjectOrReply` plus `selectDb` check
/// it: an `i64`, then a C `int`, then within `0..databases`.
fn db_index(arg: &[u8], databases: usize) -> CmdResult<usize> {
    let index = i32::try_from(args::int(arg)?).map_err(|_| CmdError::raw(ERR_NOT_INT32))?;
    usize::try_from(index)
        .ok()
        .filter(|&i| i < databases)
        .ok_or(CmdError::DbIndexOutOfRange)
}

/// `DEL key [key ...]` and `UNLINK key [key ...]`
///
/// UNLINK (and DEL under `lazyfree-lazy-user-del`) hands a value that takes many
/// frees to the background worker, as Redis's `dbAsyncDelete` does.
///
/// # Returns
/// The number of keys that existed and were removed (duplicates count once).
fn del(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let lazy = args[0].eq_ignore_ascii_case(b"unlink") || ctx.server.config.lazyfree.user_del;
    let mut deleted = 0;
    for key in &args[1..] {
        if let Some(value) = ctx.db().remove(key, now) {
            if lazy && value.free_effort() > crate::store::value::LAZYFREE_THRESHOLD {
                ctx.server.background.free(value, 1);
            }
            ctx.server.dirty += 1;
            ctx.notify(notify::GENERIC, "del", key);
            deleted += 1;
        }
    }
    ctx.reply.int(deleted as i64);
    Ok(())
}

/// Counts the keys of `args[1..]` that exist; `touch` also stamps their access clock.
fn count_existing(ctx: &mut Ctx<'_>, args: &[Bytes], touch: bool) -> CmdResult {
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    let found = args[1..]
        .iter()
        .filter(|key| {
            if touch {
                db.lookup_read(key, now).is_some()
            } else {
                lookup_no_touch(db, key, now).is_some()
            }
        })
        .count();
    ctx.reply.int(found as i64);
    Ok(())
}

/// `EXISTS key [key ...]`
///
/// # Returns
/// How many of the keys exist; a key named twice counts twice.
fn exists(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    count_existing(ctx, args, false)
}

/// `TOUCH key [key ...]`
///
/// # Returns
/// How many of the keys exist; each one's access clock is set to now.
fn touch(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    count_existing(ctx, args, true)
}

/// `TYPE key`
///
/// # Returns
/// The type name as a simple string (`+string`...), `+none` for a missing key.
fn type_cmd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    let name = type_name(lookup_no_touch(db, &args[1], now));
    ctx.reply.simple(name.as_bytes());
    Ok(())
}

/// RENAME and RENAMENX: moves `key` (value, TTL and access clock) to `newkey`.
fn rename_generic(ctx: &mut Ctx<'_>, args: &[Bytes], nx: bool) -> CmdResult {
    let (key, newkey) = (&args[1], &args[2]);
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    if db.lookup_write(key, now).is_none() {
        return Err(CmdError::NoSuchKey);
    }
    let taken = key == newkey || (db.lookup_write(newkey, now).is_some() && nx);
    if !taken {
        let (obj, expire_at) = db.take(key, now).ok_or(CmdError::NoSuchKey)?;
        db.put(newkey, obj, expire_at);
        ctx.server.dirty += 1;
        ctx.notify(notify::GENERIC, "rename_from", key);
        ctx.notify(notify::GENERIC, "rename_to", newkey);
    }
    match (nx, taken) {
        (false, _) => ctx.reply.ok(),
        (true, taken) => ctx.reply.int(i64::from(!taken)),
    }
    Ok(())
}

/// `RENAME key newkey`
///
/// # Returns
/// `+OK`; renaming a key to itself is a no-op. `ERR no such key` if `key` is missing.
fn rename(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    rename_generic(ctx, args, false)
}

/// `RENAMENX key newkey`
///
/// # Returns
/// 1 if renamed, 0 if `newkey` exists (or is `key` itself). `ERR no such key` if `key`
/// is missing.
fn renamenx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    rename_generic(ctx, args, true)
}

/// `KEYS pattern`
///
/// # Returns
/// Every key matching the glob `pattern`, in table order; expired keys are skipped (and
/// left for the expire cycle, as Redis does).
fn keys(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let pattern = &args[1][..];
    let all = pattern == b"*";
    let now = ctx.now();
    let db = &ctx.dbs[ctx.session.db];
    let matched: Vec<&Bstr> = db
        .iter()
        .map(|(key, _)| key)
        .filter(|key| {
            (all || glob_match(pattern, key.as_slice(), false))
                && !is_expired(db, key.as_slice(), now)
        })
        .collect();
    ctx.reply.array_len(matched.len());
    for key in matched {
        ctx.reply.bulk(key.as_slice());
    }
    Ok(())
}

/// Walks the table from `cursor` until about `count` keys are gathered, the walk ends,
/// or `10 * count` further buckets were visited. Returns the next cursor and the keys.
fn scan_buckets(db: &Db, mut cursor: u64, count: u64) -> (u64, Vec<Bstr>) {
    let mut keys = Vec::new();
    let mut budget = count.saturating_mul(10);
    loop {
        cursor = db.scan(cursor, |key, _| keys.push(key.clone()));
        if cursor == 0 || budget == 0 || keys.len() as u64 >= count {
            return (cursor, keys);
        }
        budget -= 1;
    }
}

/// True if a key gathered by SCAN passes MATCH and TYPE and has not expired; expired
/// keys are deleted on the way. As in Redis, TYPE looks the key up first, so an expired
/// key reads as type `none`.
fn scan_keeps(db: &mut Db, key: &[u8], opts: &ScanOptions<'_>, now: i64) -> bool {
    if opts
        .pattern
        .is_some_and(|pattern| !glob_match(pattern, key, false))
    {
        return false;
    }
    if let Some(wanted) = opts.type_name {
        if !wanted.eq_ignore_ascii_case(type_name(lookup_no_touch(db, key, now)).as_bytes()) {
            return false;
        }
    }
    !db.expire_if_needed(key, now)
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`
///
/// # Returns
/// A two-element array: the next cursor (a bulk string, `0` when done) and the keys
/// found. A key present for a whole iteration is returned at least once.
fn scan(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let cursor = args::scan_cursor(&args[1])?;
    let opts = ScanOptions::parse(&args[2..], true)?;
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    let (next, mut found) = scan_buckets(db, cursor, opts.count as u64);
    found.retain(|key| scan_keeps(db, key.as_slice(), &opts, now));
    ctx.reply.scan_header(next, found.len());
    for key in &found {
        ctx.reply.bulk(key.as_slice());
    }
    Ok(())
}

/// `RANDOMKEY`
///
/// # Returns
/// A random live key, or null when the database is empty. Expired keys met while
/// looking are deleted.
fn randomkey(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let rng = &mut ctx.server.rng;
    let db = &mut ctx.dbs[ctx.session.db];
    // While CLIENT PAUSE holds expiry, expired keys stay stored: after enough tries one
    // of them is returned, as Redis 7.2 does, rather than looking forever.
    let mut tries = 100;
    let key = loop {
        match db.random_key(now, &mut || rng.next_u64()) {
            Some(key) if db.expire_if_needed(&key, now) => {
                tries -= 1;
                if db.expiry_held && tries == 0 {
                    break Some(key);
                }
            }
            other => break other,
        }
    };
    match key {
        Some(key) => ctx.reply.bulk_bytes(&key),
        None => ctx.reply.null(),
    }
    Ok(())
}

/// `COPY source destination [DB destination-db] [REPLACE]`
///
/// # Returns
/// 1 if copied (value and TTL; the copy's access clock is now), 0 if `source` is missing
/// or `destination` exists without REPLACE.
fn copy(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (source, destination) = (&args[1], &args[2]);
    let src = ctx.session.db;
    let (mut dst, mut replace) = (src, false);
    let mut i = 3;
    while i < args.len() {
        if is_opt(&args[i], "replace") {
            replace = true;
        } else if is_opt(&args[i], "db") && i + 1 < args.len() {
            dst = db_index(&args[i + 1], ctx.dbs.len())?;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if src == dst && source == destination {
        return Err(CmdError::raw(ERR_SAME_OBJECT));
    }
    let now = ctx.now();
    let copied = copy_key(
        ctx.dbs,
        (src, &source[..]),
        (dst, &destination[..]),
        replace,
        now,
    );
    if copied {
        ctx.server.dirty += 1;
        notify_in(ctx, dst, "copy_to", destination);
    }
    ctx.reply.int(i64::from(copied));
    Ok(())
}

/// COPY's work once the options are known: true if the key was copied.
fn copy_key(
    dbs: &mut [Db],
    (src, source): (usize, &[u8]),
    (dst, destination): (usize, &[u8]),
    replace: bool,
    now: i64,
) -> bool {
    let Some(value) = dbs[src].lookup_read(source, now).map(|value| value.clone()) else {
        return false;
    };
    let expire_at = dbs[src].expire_at(source);
    let target = &mut dbs[dst];
    if target.lookup_write(destination, now).is_some() && !replace {
        return false;
    }
    let mut copy = Object::new(value, initial_access(target.access_mode, now));
    copy.unshared = true;
    target.put(destination, copy, expire_at);
    true
}

/// Fires generic keyspace event `event` for `key` in database `db` (which may not be the
/// selected one: MOVE and COPY ... DB notify in the destination database).
fn notify_in(ctx: &mut Ctx<'_>, db: usize, event: &'static str, key: &[u8]) {
    let flags = ctx.server.config.notify_keyspace_events;
    notify::fire(
        &mut ctx.server.keyspace_events,
        flags,
        notify::GENERIC,
        event,
        db,
        key,
    );
}

/// `MOVE key db`
///
/// # Returns
/// 1 if moved (value, TTL and access clock), 0 if `key` is missing here or exists in
/// `db`. Moving to the selected database is an error.
fn move_cmd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let dst = db_index(&args[2], ctx.dbs.len())?;
    let src = ctx.session.db;
    if src == dst {
        return Err(CmdError::raw(ERR_SAME_OBJECT));
    }
    let now = ctx.now();
    let mut moved = false;
    if ctx.dbs[src].lookup_write(key, now).is_some()
        && ctx.dbs[dst].lookup_write(key, now).is_none()
    {
        if let Some((obj, expire_at)) = ctx.dbs[src].take(key, now) {
            ctx.dbs[dst].put(key, obj, expire_at);
            moved = true;
        }
    }
    if moved {
        ctx.server.dirty += 1;
        notify_in(ctx, src, "move_from", key);
        notify_in(ctx, dst, "move_to", key);
    }
    ctx.reply.int(i64::from(moved));
    Ok(())
}

/// True when `maxmemory-policy` is an LFU policy. There is no eviction policy setting
/// yet (the server behaves as `noeviction`), so access frequencies are never tracked.
fn lfu_policy(ctx: &Ctx<'_>) -> bool {
    ctx.server.config.maxmemory_policy.is_lfu()
}

/// Shared OBJECT worker: looks the key in `args[2]` up without touching it and lets
/// `answer` reply; a missing key gets a null reply.
fn with_object(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    answer: impl FnOnce(&Object, &mut Reply<'_>, i64) -> CmdResult,
) -> CmdResult {
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    match lookup_no_touch_quiet(db, &args[2], now) {
        Some(obj) => answer(obj, &mut ctx.reply, now),
        None => {
            ctx.reply.null();
            Ok(())
        }
    }
}

/// `OBJECT ENCODING key`
///
/// # Returns
/// The encoding name (`int`, `embstr`, `raw`...), or null for a missing key.
fn object_encoding(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    with_object(ctx, args, |obj, reply, _| {
        reply.bulk(obj.value.encoding().as_bytes());
        Ok(())
    })
}

/// `OBJECT REFCOUNT key`
///
/// # Returns
/// 2147483647 for integers 0..9999 (shared objects in Redis), 1 otherwise; null for a
/// missing key.
fn object_refcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let config = &ctx.server.config;
    // Redis stops sharing small integers when a memory limit with LRU/LFU is set, since
    // each object then needs its own access stamp.
    let sharing = config.maxmemory == 0 || !config.maxmemory_policy.tracks_access();
    with_object(ctx, args, |obj, reply, _| {
        let shared = sharing
            && !obj.unshared
            && matches!(obj.value, Value::Int(n) if (0..SHARED_INTEGERS).contains(&n));
        reply.int(if shared { SHARED_REFCOUNT } else { 1 });
        Ok(())
    })
}

/// `OBJECT IDLETIME key`
///
/// # Returns
/// Seconds since the key was last accessed, or null for a missing key.
fn object_idletime(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let lfu = lfu_policy(ctx);
    with_object(ctx, args, |obj, reply, now| {
        if lfu {
            return Err(CmdError::raw(ERR_LFU_SELECTED));
        }
        reply.int(i64::from(access_clock(now).wrapping_sub(obj.access_clock)));
        Ok(())
    })
}

/// `OBJECT FREQ key`
///
/// # Returns
/// The logarithmic access frequency under an LFU policy; otherwise an error (null for a
/// missing key, which is looked up first).
fn object_freq(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let lfu = lfu_policy(ctx);
    let decay = ctx.server.config.lfu_decay_time;
    with_object(ctx, args, |obj, reply, now| {
        if !lfu {
            return Err(CmdError::raw(ERR_LFU_NOT_SELECTED));
        }
        reply.int(i64::from(lfu_counter(obj.access_clock, decay, now)));
        Ok(())
    })
}

/// Lines of OBJECT HELP.
const OBJECT_HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// `OBJECT HELP`
fn object_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.array_len(OBJECT_HELP.len());
    for line in OBJECT_HELP {
        ctx.reply.simple(line.as_bytes());
    }
    Ok(())
}

/// The generic key commands' table: one entry per command, with the flags, key specs, ACL
/// categories and argument structure Redis 7.0 reports (docs text in our own words).
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("del", -2, WRITE, del)
        .acl(acl::KEYSPACE)
        .keys(1, -1, 1, &[KeySpec::range(&["RM", "delete"], 1, -1, 1)])
        .tips(&["request_policy:multi_shard", "response_policy:agg_sum"])
        .docs(Group::Generic.doc("Deletes keys.",
            "1.0.0", "O(N) for N keys, plus O(M) for each collection of M elements.")
            .args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("unlink", -2, WRITE | FAST, del)
        .acl(acl::KEYSPACE)
        .keys(1, -1, 1, &[KeySpec::range(&["RM", "delete"], 1, -1, 1)])
        .tips(&["request_policy:multi_shard", "response_policy:agg_sum"])
        .docs(Group::Generic.doc("Deletes keys, reclaiming their memory in the background.",
            "4.0.0", "O(1) per key; freeing the values happens elsewhere.")
            .args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("exists", -2, READONLY | FAST, exists)
        .acl(acl::KEYSPACE)
        .keys(1, -1, 1, &[KeySpec::range(&["RO"], 1, -1, 1)])
        .tips(&["request_policy:multi_shard", "response_policy:agg_sum"])
        .docs(Group::Generic.doc("Counts how many of the given keys exist.",
            "1.0.0", "O(N) for N keys.")
            .history(&[("3.0.3", "Takes several `key` arguments.")])
            .args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("type", 2, READONLY | FAST, type_cmd)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::Generic.doc("Names the type of the value at a key.", "1.0.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("rename", 3, WRITE, rename)
        .acl(acl::KEYSPACE)
        .keys(1, 2, 1, RENAME_KEYS)
        .docs(Group::Generic.doc("Gives a key a new name, replacing any key there.",
            "1.0.0", "O(1)").args(&[Arg::key("key", 0), Arg::key("newkey", 1)])),
    CommandSpec::new("renamenx", 3, WRITE | FAST, renamenx)
        .acl(acl::KEYSPACE)
        .keys(1, 2, 1, RENAMENX_KEYS)
        .docs(Group::Generic.doc("Gives a key a new name unless that name is taken.",
            "1.0.0", "O(1)")
            .history(&[("3.2.0", "Renaming a key to itself is no longer an error.")])
            .args(&[Arg::key("key", 0), Arg::key("newkey", 1)])),
    CommandSpec::new("keys", 2, READONLY, keys)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .tips(&["request_policy:all_shards", "nondeterministic_output_order"])
        .docs(Group::Generic.doc("Lists every key matching a glob pattern.",
            "1.0.0", "O(N) for N keys in the database (short keys and patterns assumed).")
            .args(&[Arg::new("pattern", ArgType::Pattern)])),
    CommandSpec::new("scan", -2, READONLY, scan)
        .acl(acl::KEYSPACE)
        .tips(&["nondeterministic_output", "request_policy:special"])
        .docs(Group::Generic.doc("Walks the keyspace a few keys at a time with a cursor.",
            "2.8.0", "O(1) per call; O(N) for a full iteration over N keys.")
            .history(&[("6.0.0", "Added the `TYPE` option.")]).args(SCAN_ARGS)),
    CommandSpec::new("randomkey", 1, READONLY, randomkey)
        .acl(acl::KEYSPACE)
        .tips(&["request_policy:all_shards", "nondeterministic_output"])
        .docs(Group::Generic.doc("Picks a random key.", "1.0.0", "O(1)")),
    CommandSpec::new("touch", -2, READONLY | FAST, touch)
        .acl(acl::KEYSPACE)
        .keys(1, -1, 1, &[KeySpec::range(&["RO"], 1, -1, 1)])
        .tips(&["request_policy:multi_shard", "response_policy:agg_sum"])
        .docs(Group::Generic.doc("Marks keys as just accessed and counts those that exist.",
            "3.2.1", "O(N) for N keys.").args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("copy", -3, WRITE | DENYOOM, copy)
        .acl(acl::KEYSPACE)
        .keys(1, 2, 1, COPY_KEYS)
        .docs(Group::Generic.doc("Copies a key's value and TTL to another key, optionally in another database.",
            "6.2.0", "O(1) for strings; O(N) for a collection of N nested elements.")
            .args(COPY_ARGS)),
    CommandSpec::new("move", 3, WRITE | FAST, move_cmd)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::Generic.doc("Moves a key to another database.", "1.0.0", "O(1)")
            .args(MOVE_ARGS)),
    CommandSpec::container("object", -2, 0)
        .subcommands(OBJECT_SUBCOMMANDS)
        .docs(Group::Generic.doc("A container for commands that inspect stored values.",
            "2.2.3", "Depends on subcommand.")),
];

const RENAME_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RW", "access", "delete"], 1, 0, 1),
    KeySpec::range(&["OW", "update"], 2, 0, 1),
];

const RENAMENX_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RW", "access", "delete"], 1, 0, 1),
    KeySpec::range(&["OW", "insert"], 2, 0, 1),
];

const SCAN_ARGS: &[Arg] = &[
    Arg::new("cursor", ArgType::Integer),
    Arg::new("pattern", ArgType::Pattern)
        .with_token("MATCH")
        .optional(),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
    Arg::new("type", ArgType::String)
        .with_token("TYPE")
        .since("6.0.0")
        .optional(),
];

const COPY_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RO", "access"], 1, 0, 1),
    KeySpec::range(&["OW", "update"], 2, 0, 1),
];

const COPY_ARGS: &[Arg] = &[
    Arg::key("source", 0),
    Arg::key("destination", 1),
    Arg::new("destination-db", ArgType::Integer)
        .with_token("DB")
        .optional(),
    Arg::token("replace", "REPLACE").optional(),
];

const MOVE_ARGS: &[Arg] = &[Arg::key("key", 0), Arg::new("db", ArgType::Integer)];

#[rustfmt::skip]
const OBJECT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("encoding", 3, READONLY, object_encoding)
        .acl(acl::KEYSPACE)
        .keys(2, 2, 1, &[KeySpec::range(&["RO"], 2, 0, 1)])
        .tips(&["nondeterministic_output"])
        .docs(Group::Generic.doc("Reports how a key's value is stored internally.", "2.2.3", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("help", 2, LOADING | STALE, object_help)
        .acl(acl::KEYSPACE)
        .docs(Group::Generic.doc("Lists the OBJECT subcommands.", "6.2.0", "O(1)")),
    CommandSpec::new("freq", 3, READONLY, object_freq)
        .acl(acl::KEYSPACE)
        .keys(2, 2, 1, &[KeySpec::range(&["RO"], 2, 0, 1)])
        .tips(&["nondeterministic_output"])
        .docs(Group::Generic.doc("Reports a key's logarithmic access frequency counter.",
            "4.0.0", "O(1)").args(&[Arg::key("key", 0)])),
    CommandSpec::new("idletime", 3, READONLY, object_idletime)
        .acl(acl::KEYSPACE)
        .keys(2, 2, 1, &[KeySpec::range(&["RO"], 2, 0, 1)])
        .tips(&["nondeterministic_output"])
        .docs(Group::Generic.doc("Reports the seconds since a key was last accessed.",
            "2.2.3", "O(1)").args(&[Arg::key("key", 0)])),
    CommandSpec::new("refcount", 3, READONLY, object_refcount)
        .acl(acl::KEYSPACE)
        .keys(2, 2, 1, &[KeySpec::range(&["RO"], 2, 0, 1)])
        .tips(&["nondeterministic_output"])
        .docs(Group::Generic.doc("Reports how many references a key's value has.", "2.2.3", "O(1)")
            .args(&[Arg::key("key", 0)])),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_type_none_keeps_expired_keys_like_redis() {
        let mut db = Db::new();
        db.set(b"live", Value::Int(1), false, 0);
        db.set(b"dead", Value::Int(1), false, 0);
        db.set_expire(b"dead", 50);
        let none = ScanOptions {
            pattern: None,
            count: 10,
            type_name: Some(b"NONE"),
        };
        assert!(scan_keeps(&mut db, b"dead", &none, 100));
        assert!(!scan_keeps(&mut db, b"live", &none, 100));
        assert_eq!(db.len(), 1, "the expired key was deleted on the way");
        db.set(b"dead", Value::Int(1), false, 0);
        db.set_expire(b"dead", 50);
        let plain = ScanOptions {
            pattern: Some(b"*d"),
            count: 10,
            type_name: None,
        };
        assert!(!scan_keeps(&mut db, b"dead", &plain, 100));
        assert!(!scan_keeps(&mut db, b"live", &plain, 100));
        assert_eq!(db.len(), 1);
    }

    #[test]
    fn db_index_checks_int_range_then_databases() {
        assert_eq!(db_index(b"3", 16), Ok(3));
        assert_eq!(db_index(b"16", 16), Err(CmdError::DbIndexOutOfRange));
        assert_eq!(db_index(b"-1", 16), Err(CmdError::DbIndexOutOfRange));
        assert_eq!(
            db_index(b"2147483648", 16),
            Err(CmdError::raw(ERR_NOT_INT32))
        );
        assert_eq!(db_index(b"x", 16), Err(CmdError::NotInteger));
    }
}
