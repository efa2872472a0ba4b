//! Hash commands: HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HDEL
//! HSTRLEN HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
//!
//! Values are [`HashValue`]s: a listpack of alternating fields and values while the hash
//! is small, a table once it has more than `hash-max-listpack-entries` fields or once a
//! field or value longer than `hash-max-listpack-value` is written. The conversion
//! points are Redis's: HSET/HSETNX/HMSET check their arguments' lengths before writing
//! (`hashTypeTryConversion`), every write checks the field and value it stores and the
//! field count after it (`hashTypeSet`), so HINCRBY/HINCRBYFLOAT results count too. A
//! listpack keeps insertion order, which HGETALL, HKEYS, HVALS, HSCAN and whole-hash
//! HRANDFIELD replies show, as Redis's do. A hash emptied by HDEL is deleted.
//!
//! Handlers parse, then run a store operation from [`crate::store::hash`]; the writes
//! share [`with_hash_or_new`], the listing commands [`getall_generic`].

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, Group};
use crate::command::core::typed;
use crate::command::state::notify;
use crate::command::types::random_picks::PickBudget;
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::db::Db;
use crate::store::hash::{entry_int, HashValue, Limits};
use crate::store::listpack::Entry;
use crate::store::value::Value;
use crate::util::glob::glob_match;
use crate::util::longdouble::{hincr_by_float, parse_hash_increment, LongDoubleError};
use crate::util::numbers::{i64_to_bytes, MAX_I64_CHARS};

/// HINCRBY on a field whose value is not an integer.
const ERR_HASH_NOT_INT: &str = "ERR hash value is not an integer";
/// HRANDFIELD's count is `i64::MIN` (its absolute value would not fit).
const ERR_RANDFIELD_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
/// HRANDFIELD WITHVALUES with a count whose reply length (twice it) would not fit.
const ERR_RANDFIELD_WITHVALUES_RANGE: &str = "ERR value is out of range";

/// Runs `f` on the hash at `key`, creating an empty listpack hash when missing (kept
/// only if `f` left it non-empty); WRONGTYPE when the key holds something else.
fn with_hash_or_new<R>(
    db: &mut Db,
    key: &[u8],
    now: i64,
    f: impl FnOnce(&mut HashValue) -> R,
) -> CmdResult<R> {
    match db.lookup_write(key, now) {
        Some(Value::Hash(hash)) => return Ok(f(hash)),
        Some(_) => return Err(CmdError::WrongType),
        None => {}
    }
    let mut hash = HashValue::new();
    let result = f(&mut hash);
    if !hash.is_empty() {
        db.insert_new(key, Value::Hash(Box::new(hash)), now);
    }
    Ok(result)
}

/// The configured listpack thresholds.
fn limits(ctx: &Ctx<'_>) -> Limits {
    Limits {
        max_entries: ctx.server.config.hash_max_listpack_entries,
        max_value: ctx.server.config.hash_max_listpack_value,
    }
}

/// Writes a field or value as a bulk string.
fn reply_entry(reply: &mut Reply<'_>, entry: Entry<'_>) {
    match entry {
        Entry::Int(n) => reply.bulk_int(n),
        Entry::Bytes(bytes) => reply.bulk(bytes),
    }
}

/// A float-increment failure as its error reply.
fn float_error(err: LongDoubleError) -> CmdError {
    CmdError::raw(err.to_string())
}

/// Records a write: keyspace event, dirty counter.
fn wrote(ctx: &mut Ctx<'_>, event: &'static str, key: &[u8], changes: u64) {
    ctx.notify(notify::HASH, event, key);
    ctx.server.dirty += changes;
}

/// HSET and HMSET: sets every field/value pair, creating the hash if needed.
fn set_generic(ctx: &mut Ctx<'_>, args: &[Bytes], name: &str) -> CmdResult<usize> {
    if args.len() % 2 == 1 {
        return Err(CmdError::wrong_arity(name));
    }
    let limits = limits(ctx);
    let now = ctx.now();
    let created = with_hash_or_new(ctx.db(), &args[1], now, |hash| {
        hash.prepare_write(args[2..].iter().map(|arg| &arg[..]), limits.max_value);
        args[2..]
            .chunks_exact(2)
            .filter(|pair| hash.set(&pair[0], &pair[1], limits))
            .count()
    })?;
    wrote(ctx, "hset", &args[1], ((args.len() - 2) / 2) as u64);
    Ok(created)
}

/// `HSET key field value [field value ...]`
///
/// # Returns
/// The number of fields that were new.
fn hset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let created = set_generic(ctx, args, "hset")?;
    ctx.reply.int(created as i64);
    Ok(())
}

/// `HMSET key field value [field value ...]` (deprecated form of HSET)
///
/// # Returns
/// OK.
fn hmset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    set_generic(ctx, args, "hmset")?;
    ctx.reply.ok();
    Ok(())
}

/// `HSETNX key field value`
///
/// # Returns
/// 1 if the field was set, 0 if it already existed (and was left alone).
fn hsetnx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (field, value) = (&args[2], &args[3]);
    let limits = limits(ctx);
    let now = ctx.now();
    let set = with_hash_or_new(ctx.db(), &args[1], now, |hash| {
        if hash.contains(field) {
            return false;
        }
        hash.prepare_write([&field[..], &value[..]], limits.max_value);
        hash.set(field, value, limits);
        true
    })?;
    if set {
        wrote(ctx, "hset", &args[1], 1);
    }
    ctx.reply.int(i64::from(set));
    Ok(())
}

/// `HGET key field`
///
/// # Returns
/// The field's value, or null.
fn hget(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    match typed::read::<HashValue>(db, &args[1], now)?.and_then(|hash| hash.get(&args[2])) {
        Some(value) => reply_entry(reply, value),
        None => reply.null(),
    }
    Ok(())
}

/// `HMGET key field [field ...]`
///
/// # Returns
/// One value (or null) per field asked for.
fn hmget(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let hash = typed::read::<HashValue>(db, &args[1], now)?;
    reply.array_len(args.len() - 2);
    for field in &args[2..] {
        match hash.as_ref().and_then(|hash| hash.get(field)) {
            Some(value) => reply_entry(reply, value),
            None => reply.null(),
        }
    }
    Ok(())
}

/// HGETALL, HKEYS and HVALS: lists fields, values or both (a map in RESP3).
fn getall_generic(ctx: &mut Ctx<'_>, key: &[u8], fields: bool, values: bool) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let hash = typed::read::<HashValue>(db, key, now)?;
    let len = hash.as_ref().map_or(0, |hash| hash.len());
    if fields && values {
        reply.map_len(len);
    } else {
        reply.array_len(len);
    }
    for (field, value) in hash.iter().flat_map(|hash| hash.iter()) {
        if fields {
            reply_entry(reply, field);
        }
        if values {
            reply_entry(reply, value);
        }
    }
    Ok(())
}

/// `HGETALL key`
///
/// # Returns
/// Every field and its value (a map in RESP3, a flat array in RESP2).
fn hgetall(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    getall_generic(ctx, &args[1], true, true)
}

/// `HKEYS key`
///
/// # Returns
/// Every field.
fn hkeys(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    getall_generic(ctx, &args[1], true, false)
}

/// `HVALS key`
///
/// # Returns
/// Every value.
fn hvals(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    getall_generic(ctx, &args[1], false, true)
}

/// `HLEN key`
///
/// # Returns
/// The number of fields (0 for a missing key).
fn hlen(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let len = typed::read::<HashValue>(ctx.db(), &args[1], now)?.map_or(0, |hash| hash.len());
    ctx.reply.int(len as i64);
    Ok(())
}

/// `HEXISTS key field`
///
/// # Returns
/// 1 if the field exists, else 0.
fn hexists(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let found = typed::read::<HashValue>(ctx.db(), &args[1], now)?
        .is_some_and(|hash| hash.contains(&args[2]));
    ctx.reply.int(i64::from(found));
    Ok(())
}

/// `HSTRLEN key field`
///
/// # Returns
/// The length of the field's value (0 when missing).
fn hstrlen(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let len = typed::read::<HashValue>(ctx.db(), &args[1], now)?
        .map_or(0, |hash| hash.value_len(&args[2]));
    ctx.reply.int(len as i64);
    Ok(())
}

/// `HDEL key field [field ...]`
///
/// # Returns
/// The number of fields removed. An emptied hash is deleted (and `del` fired).
fn hdel(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (key, now) = (&args[1], ctx.now());
    let db = ctx.db();
    let (mut deleted, mut emptied) = (0u64, false);
    if let Some(hash) = typed::write::<HashValue>(db, key, now)? {
        for field in &args[2..] {
            if hash.remove(field) {
                deleted += 1;
                if hash.is_empty() {
                    emptied = true;
                    break;
                }
            }
        }
    }
    if emptied {
        db.remove(key, now);
    }
    if deleted > 0 {
        wrote(ctx, "hdel", key, deleted);
        if emptied {
            ctx.notify(notify::GENERIC, "del", key);
        }
    }
    ctx.reply.int(deleted as i64);
    Ok(())
}

/// `HINCRBY key field increment`
///
/// # Returns
/// The field's value after adding `increment` to it (a missing field counts as 0).
fn hincrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let incr = args::int(&args[3])?;
    let (field, limits, now) = (&args[2], limits(ctx), ctx.now());
    let value = with_hash_or_new(ctx.db(), &args[1], now, |hash| {
        let current = match hash.get(field) {
            Some(value) => entry_int(&value).ok_or(CmdError::raw(ERR_HASH_NOT_INT))?,
            None => 0,
        };
        let value = current.checked_add(incr).ok_or(CmdError::Overflow)?;
        let mut buf = [0u8; MAX_I64_CHARS];
        hash.set(field, i64_to_bytes(value, &mut buf), limits);
        Ok::<i64, CmdError>(value)
    })??;
    ctx.reply.int(value);
    wrote(ctx, "hincrby", &args[1], 1);
    Ok(())
}

/// `HINCRBYFLOAT key field increment`
///
/// # Returns
/// The field's value after adding `increment` (long double arithmetic, as Redis), as a
/// bulk string.
fn hincrbyfloat(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let incr = parse_hash_increment(&args[3]).map_err(float_error)?;
    let (field, limits, now) = (&args[2], limits(ctx), ctx.now());
    let text = with_hash_or_new(ctx.db(), &args[1], now, |hash| {
        let current = hash.get(field).map(|value| value.to_vec());
        let text = hincr_by_float(current.as_deref(), incr).map_err(float_error)?;
        hash.set(field, &text, limits);
        Ok::<Vec<u8>, CmdError>(text)
    })??;
    ctx.reply.bulk(&text);
    wrote(ctx, "hincrbyfloat", &args[1], 1);
    Ok(())
}

/// `HRANDFIELD key [count [WITHVALUES]]`
///
/// # Returns
/// Without count: a random field, or null. A positive count: that many distinct fields
/// (the whole hash when it is smaller). A negative count: that many independent picks
/// (repeats possible). WITHVALUES adds each value: after its field in RESP2, as a
/// `[field, value]` pair in RESP3.
fn hrandfield(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() == 2 {
        return randfield_one(ctx, &args[1]);
    }
    let count = match args::int(&args[2])? {
        i64::MIN => return Err(CmdError::raw(ERR_RANDFIELD_RANGE)),
        n => n,
    };
    let withvalues = match args.len() {
        3 => false,
        4 if args::is(&args[3], "WITHVALUES") => true,
        _ => return Err(CmdError::Syntax),
    };
    if withvalues && count.unsigned_abs() > (i64::MAX / 2) as u64 {
        return Err(CmdError::raw(ERR_RANDFIELD_WITHVALUES_RANGE));
    }
    randfield_count(ctx, &args[1], count, withvalues)
}

/// HRANDFIELD without a count.
fn randfield_one(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    let now = ctx.now();
    let Ctx {
        dbs,
        server,
        session,
        reply,
        ..
    } = &mut *ctx;
    let Some(hash) = typed::read::<HashValue>(&mut dbs[session.db], key, now)? else {
        reply.null();
        return Ok(());
    };
    let mut done = false;
    hash.random_pairs(1, &mut || server.rng.next_u64(), |field, _| {
        reply_entry(reply, field);
        done = true;
        false
    });
    if !done {
        reply.null();
    }
    Ok(())
}

/// Writes the array header of an HRANDFIELD reply of `pairs` picks.
fn randfield_header(reply: &mut Reply<'_>, pairs: u64, withvalues: bool) {
    let len = if withvalues && !reply.is_resp3() {
        pairs.saturating_mul(2)
    } else {
        pairs
    };
    reply.array_len(usize::try_from(len).unwrap_or(usize::MAX));
}

/// Writes one HRANDFIELD pick.
fn randfield_pick(reply: &mut Reply<'_>, field: Entry<'_>, value: Entry<'_>, withvalues: bool) {
    if withvalues && reply.is_resp3() {
        reply.array_len(2);
    }
    reply_entry(reply, field);
    if withvalues {
        reply_entry(reply, value);
    }
}

/// HRANDFIELD with a count (already range-checked).
fn randfield_count(ctx: &mut Ctx<'_>, key: &[u8], count: i64, withvalues: bool) -> CmdResult {
    let now = ctx.now();
    let Ctx {
        dbs,
        server,
        session,
        reply,
        ..
    } = &mut *ctx;
    let mut rng = || server.rng.next_u64();
    let Some(hash) = typed::read::<HashValue>(&mut dbs[session.db], key, now)? else {
        reply.array_len(0);
        return Ok(());
    };
    let size = hash.len() as u64;
    let wanted = count.unsigned_abs();
    if wanted == 0 {
        reply.array_len(0);
    } else if count < 0 || wanted == 1 {
        // Written while small, then deferred: never collected up front.
        randfield_header(reply, wanted, withvalues);
        let budget = PickBudget::new(reply, session);
        let mut left = wanted;
        hash.random_pairs(wanted, &mut rng, |field, value| {
            randfield_pick(reply, field, value, withvalues);
            left -= 1;
            left > 0 && budget.inline(reply, left, hash.len())
        });
        budget.finish(reply, session, &mut server.rng, left, |reply| {
            reply.encode_items(|items| {
                hash.iter().for_each(|(field, value)| {
                    items.item(|reply| randfield_pick(reply, field, value, withvalues))
                })
            })
        });
    } else if wanted >= size {
        randfield_header(reply, size, withvalues);
        hash.iter()
            .for_each(|(field, value)| randfield_pick(reply, field, value, withvalues));
    } else {
        randfield_header(reply, wanted, withvalues);
        for (field, value) in hash.distinct_random_pairs(wanted as usize, &mut rng) {
            let (field, value) = (
                Entry::Bytes(field.as_slice()),
                Entry::Bytes(value.as_slice()),
            );
            randfield_pick(reply, field, value, withvalues);
        }
    }
    Ok(())
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`
///
/// # Returns
/// `[next cursor, [field, value, ...]]`. A listpack hash is returned whole in one call
/// (cursor 0); a table is walked with the dict's reverse-binary cursor.
fn hscan(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let cursor = args::scan_cursor(&args[2])?;
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(hash) = typed::read::<HashValue>(db, &args[1], now)? else {
        reply.array_len(2);
        reply.bulk(b"0");
        reply.array_len(0);
        return Ok(());
    };
    let args::ScanOptions { pattern, count, .. } = args::ScanOptions::parse(&args[3..], false)?;
    let mut found: Vec<Vec<u8>> = Vec::new();
    let next = hash.scan(cursor, count, |field, value| {
        let field = field.to_vec();
        if pattern.is_none_or(|p| glob_match(p, &field, false)) {
            found.push(field);
            found.push(value.to_vec());
        }
    });
    reply.scan_header(next, found.len());
    found.iter().for_each(|item| reply.bulk(item));
    Ok(())
}

/// The hash family's table: one entry per command, with the flags, key specs, ACL
/// categories and argument structure Redis 7.0 reports (docs text in our own words).
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("hset", -4, WRITE | DENYOOM | FAST, hset)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Hash.doc("Sets fields of a hash to values, creating it if needed.",
            "2.0.0", "O(1) per field/value pair.")
            .history(&[("4.0.0", "Takes several `field` and `value` pairs.")]).args(HSET_ARGS)),
    CommandSpec::new("hsetnx", 4, WRITE | DENYOOM | FAST, hsetnx)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RW_INSERT)
        .docs(Group::Hash.doc("Sets a field of a hash only if the field does not exist yet.",
            "2.0.0", "O(1)").args(HSETNX_ARGS)),
    CommandSpec::new("hmset", -4, WRITE | DENYOOM | FAST, hmset)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Hash.doc("Sets fields of a hash to values and replies OK.",
            "2.0.0", "O(N) for N fields set.")
            .deprecated("4.0.0", "`HSET` with multiple field-value pairs").args(HSET_ARGS)),
    CommandSpec::new("hget", 3, READONLY | FAST, hget)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Hash.doc("Returns the value of a field of a hash.", "2.0.0", "O(1)")
            .args(KEY_FIELD)),
    CommandSpec::new("hmget", -3, READONLY | FAST, hmget)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Hash.doc("Returns the values of several fields of a hash.",
            "2.0.0", "O(N) for N fields asked for.").args(KEY_FIELDS)),
    CommandSpec::new("hgetall", 2, READONLY, hgetall)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output_order"])
        .docs(Group::Hash.doc("Returns every field of a hash with its value.",
            "2.0.0", "O(N) for a hash of N fields.").args(&[Arg::key("key", 0)])),
    CommandSpec::new("hkeys", 2, READONLY, hkeys)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output_order"])
        .docs(Group::Hash.doc("Returns every field of a hash.",
            "2.0.0", "O(N) for a hash of N fields.").args(&[Arg::key("key", 0)])),
    CommandSpec::new("hvals", 2, READONLY, hvals)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output_order"])
        .docs(Group::Hash.doc("Returns every value of a hash.",
            "2.0.0", "O(N) for a hash of N fields.").args(&[Arg::key("key", 0)])),
    CommandSpec::new("hlen", 2, READONLY | FAST, hlen)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::Hash.doc("Counts the fields of a hash.", "2.0.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("hexists", 3, READONLY | FAST, hexists)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::Hash.doc("Tells whether a field exists in a hash.", "2.0.0", "O(1)")
            .args(KEY_FIELD)),
    CommandSpec::new("hdel", -3, WRITE | FAST, hdel)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RW_DELETE)
        .docs(Group::Hash.doc("Removes fields from a hash, deleting it once empty.",
            "2.0.0", "O(N) for N fields removed.")
            .history(&[("2.4.0", "Takes several `field` arguments.")]).args(KEY_FIELDS)),
    CommandSpec::new("hstrlen", 3, READONLY | FAST, hstrlen)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::Hash.doc("Returns the length of the value of a field of a hash.",
            "3.2.0", "O(1)").args(KEY_FIELD)),
    CommandSpec::new("hincrby", 4, WRITE | DENYOOM | FAST, hincrby)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::Hash.doc("Adds an integer to the integer value of a field of a hash.",
            "2.0.0", "O(1)").args(HINCRBY_ARGS)),
    CommandSpec::new("hincrbyfloat", 4, WRITE | DENYOOM | FAST, hincrbyfloat)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::Hash.doc("Adds a float to the numeric value of a field of a hash.",
            "2.6.0", "O(1)").args(HINCRBYFLOAT_ARGS)),
    CommandSpec::new("hrandfield", -2, READONLY, hrandfield)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Hash.doc("Returns random fields of a hash, with their values if asked.",
            "6.2.0", "O(N) for N fields returned.").args(HRANDFIELD_ARGS)),
    CommandSpec::new("hscan", -3, READONLY, hscan)
        .acl(acl::HASH)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Hash.doc("Iterates over the fields and values of a hash.",
            "2.8.0", "O(1) per call, O(N) for a whole iteration over N fields.").args(HSCAN_ARGS)),
];

const HSET_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::block(
        "field_value",
        &[
            Arg::new("field", ArgType::String),
            Arg::new("value", ArgType::String),
        ],
    )
    .multiple(),
];

const HSETNX_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("field", ArgType::String),
    Arg::new("value", ArgType::String),
];

const KEY_FIELD: &[Arg] = &[Arg::key("key", 0), Arg::new("field", ArgType::String)];

const KEY_FIELDS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("field", ArgType::String).multiple(),
];

const HINCRBY_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("field", ArgType::String),
    Arg::new("increment", ArgType::Integer),
];

const HINCRBYFLOAT_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("field", ArgType::String),
    Arg::new("increment", ArgType::Double),
];

const HRANDFIELD_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::block(
        "options",
        &[
            Arg::new("count", ArgType::Integer),
            Arg::token("withvalues", "WITHVALUES").optional(),
        ],
    )
    .optional(),
];

const HSCAN_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("cursor", ArgType::Integer),
    Arg::new("pattern", ArgType::Pattern)
        .with_token("MATCH")
        .optional(),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
];
