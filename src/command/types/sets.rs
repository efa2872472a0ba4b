//! Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE
//! SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
//!
//! Values are [`SetValue`]s: an intset while every member is an integer and there are at
//! most `set-max-intset-entries` of them, a table otherwise (Redis 7.0 has no listpack
//! sets). Results of SINTERSTORE/SUNIONSTORE/SDIFFSTORE are built the way Redis builds
//! them — start from an empty intset and add — so OBJECT ENCODING agrees, and SMEMBERS of
//! an intset lists the members in ascending order as Redis does.
//!
//! Multi-key commands look up (and type-check) every key first, as Redis does: a
//! WRONGTYPE anywhere wins over an empty result. The db lends out one value at a time,
//! so an intersection copies the members of the smallest set and filters them set by
//! set; unions and differences accumulate into the result set.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::args::ScanOptions;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, BeginSearch, FindKeys, Group, KeySpec};
use crate::command::core::typed;
use crate::command::state::notify;
use crate::command::types::random_picks::PickBudget;
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::bstr::Bstr;
use crate::store::db::Db;
use crate::store::set::{Member, SetValue};
use crate::store::value::Value;
use crate::util::glob::glob_match;
use crate::util::numbers::parse_i64;

/// SINTERCARD's `numkeys` is not a positive integer.
const ERR_NUMKEYS: &str = "ERR numkeys should be greater than 0";
/// SINTERCARD's `numkeys` exceeds the arguments given.
const ERR_NUMKEYS_TOO_BIG: &str = "ERR Number of keys can't be greater than number of args";
/// SINTERCARD's LIMIT is negative or not an integer.
const ERR_LIMIT: &str = "ERR LIMIT can't be negative";
/// A SCAN-family cursor that is not an unsigned 64-bit number.
/// SPOP with a count pops one member at a time unless fewer than `count / 5` members
/// would remain (Redis's `SPOP_MOVE_STRATEGY_MUL`); then it moves the survivors instead.
const SPOP_MOVE_STRATEGY_MUL: usize = 5;
/// SRANDMEMBER's count is `i64::MIN` (its absolute value would not fit).
const ERR_RANDMEMBER_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

/// The set at `key` after the keys were already looked up (no touch, no counting).
fn peek_set<'a>(db: &'a mut Db, key: &[u8], now: i64) -> Option<&'a SetValue> {
    match db.peek(key, now).map(|obj| &obj.value) {
        Some(Value::Set(set)) => Some(set),
        _ => None,
    }
}

/// Runs `f` on the set at `key`, creating it (in the encoding `first` calls for) when
/// missing; WRONGTYPE when the key holds something else.
fn with_set_or_new<R>(
    db: &mut Db,
    key: &[u8],
    now: i64,
    first: &[u8],
    f: impl FnOnce(&mut SetValue) -> R,
) -> CmdResult<R> {
    match db.lookup_write(key, now) {
        Some(Value::Set(set)) => return Ok(f(set)),
        Some(_) => return Err(CmdError::WrongType),
        None => {}
    }
    let mut set = SetValue::for_member(first);
    let result = f(&mut set);
    if !set.is_empty() {
        db.insert_new(key, Value::Set(Box::new(set)), now);
    }
    Ok(result)
}

/// Writes one member as a bulk string.
fn reply_member(reply: &mut Reply<'_>, member: Member<'_>) {
    match member {
        Member::Int(n) => reply.bulk_int(n),
        Member::Bytes(bytes) => reply.bulk(bytes),
    }
}

/// Writes a whole set as a RESP3 set (an array in RESP2), in its iteration order.
fn reply_set(reply: &mut Reply<'_>, set: &SetValue) {
    reply.set_len(set.len());
    set.iter().for_each(|member| reply_member(reply, member));
}

/// Deletes `key` if its set was emptied, firing `del`; true if it did.
fn delete_if_empty(ctx: &mut Ctx<'_>, key: &[u8]) -> bool {
    let now = ctx.now();
    let db = ctx.db();
    if peek_set(db, key, now).is_some_and(SetValue::is_empty) {
        db.remove(key, now);
        ctx.notify(notify::GENERIC, "del", key);
        return true;
    }
    false
}

/// `SADD key member [member ...]`
///
/// # Returns
/// The number of members that were not already in the set.
fn sadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let max = ctx.server.config.set_max_intset_entries;
    let now = ctx.now();
    let added = with_set_or_new(ctx.db(), &args[1], now, &args[2], |set| {
        args[2..]
            .iter()
            .filter(|member| set.insert(member, max))
            .count()
    })?;
    if added > 0 {
        ctx.notify(notify::SET, "sadd", &args[1]);
        ctx.server.dirty += added as u64;
    }
    ctx.reply.int(added as i64);
    Ok(())
}

/// `SREM key member [member ...]`
///
/// # Returns
/// The number of members removed. An emptied set is deleted.
fn srem(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let removed = match typed::write::<SetValue>(ctx.db(), &args[1], now)? {
        Some(set) => args[2..].iter().filter(|member| set.remove(member)).count(),
        None => 0,
    };
    if removed > 0 {
        ctx.notify(notify::SET, "srem", &args[1]);
        delete_if_empty(ctx, &args[1]);
        ctx.server.dirty += removed as u64;
    }
    ctx.reply.int(removed as i64);
    Ok(())
}

/// `SMEMBERS key`
///
/// # Returns
/// Every member (a set in RESP3); ascending for an intset.
fn smembers(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    match typed::read::<SetValue>(db, &args[1], now)? {
        Some(set) => reply_set(reply, set),
        None => reply.set_len(0),
    }
    Ok(())
}

/// `SISMEMBER key member`
///
/// # Returns
/// 1 if the member is in the set, else 0.
fn sismember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let found =
        typed::read::<SetValue>(ctx.db(), &args[1], now)?.is_some_and(|set| set.contains(&args[2]));
    ctx.reply.int(i64::from(found));
    Ok(())
}

/// `SMISMEMBER key member [member ...]`
///
/// # Returns
/// An array of 1/0, one per member asked about.
fn smismember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let set = typed::read::<SetValue>(db, &args[1], now)?;
    reply.array_len(args.len() - 2);
    for member in &args[2..] {
        reply.int(i64::from(
            set.as_ref().is_some_and(|set| set.contains(member)),
        ));
    }
    Ok(())
}

/// `SCARD key`
///
/// # Returns
/// The number of members (0 for a missing key).
fn scard(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let len = typed::read::<SetValue>(ctx.db(), &args[1], now)?.map_or(0, |set| set.len());
    ctx.reply.int(len as i64);
    Ok(())
}

/// `SPOP key [count]`
///
/// # Returns
/// Without count: a random member removed from the set, or null. With count: up to
/// `count` distinct random members removed (a set in RESP3). An emptied set is deleted.
fn spop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    match args.len() {
        2 => spop_one(ctx, &args[1]),
        3 => spop_count(ctx, &args[1], &args[2]),
        _ => Err(CmdError::Syntax),
    }
}

/// SPOP without a count.
fn spop_one(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    let now = ctx.now();
    let Ctx {
        dbs,
        server,
        session,
        reply,
        ..
    } = &mut *ctx;
    let Some(set) = typed::write::<SetValue>(&mut dbs[session.db], key, now)? else {
        reply.null();
        return Ok(());
    };
    set.compact();
    let popped = set.pop_random(&mut || server.rng.next_u64());
    match &popped {
        Some(member) => reply.bulk(member),
        None => reply.null(),
    }
    if let Some(member) = popped.filter(|_| server.propagation.enabled) {
        // The member chance picked is recorded, so a replay removes the same one.
        let record = vec![
            Bytes::from_static(b"SREM"),
            Bytes::copy_from_slice(key),
            Bytes::from(member),
        ];
        ctx.propagate_as(record);
    }
    ctx.notify(notify::SET, "spop", key);
    delete_if_empty(ctx, key);
    ctx.server.dirty += 1;
    Ok(())
}

/// SPOP with a count.
fn spop_count(ctx: &mut Ctx<'_>, key: &[u8], count: &[u8]) -> CmdResult {
    let count = parse_i64(count)
        .filter(|&n| n >= 0)
        .ok_or(CmdError::MustBePositive)?;
    let now = ctx.now();
    let max = ctx.server.config.set_max_intset_entries;
    let Ctx {
        dbs,
        server,
        session,
        reply,
        ..
    } = &mut *ctx;
    let db = &mut dbs[session.db];
    let Some(set) = typed::write::<SetValue>(db, key, now)? else {
        reply.set_len(0);
        return Ok(());
    };
    if count == 0 {
        reply.set_len(0);
        return Ok(());
    }
    set.compact();
    let recording = server.propagation.enabled;
    let mut rng = || server.rng.next_u64();
    // What a replay must do: DEL when everything went, else SREM of what chance picked.
    let mut record = vec![Bytes::from_static(b"SREM"), Bytes::copy_from_slice(key)];
    let taken = if count as u64 >= set.len() as u64 {
        let all = std::mem::replace(set, SetValue::new_intset());
        reply_set(reply, &all);
        record[0] = Bytes::from_static(b"DEL");
        all.len()
    } else if (set.len() - count as usize).saturating_mul(SPOP_MOVE_STRATEGY_MUL) > count as usize {
        reply.set_len(count as usize);
        for _ in 0..count {
            if let Some(member) = set.pop_random(&mut rng) {
                reply.bulk(&member);
                if recording {
                    record.push(Bytes::from(member));
                }
            }
        }
        count as usize
    } else {
        pop_keeping_few(
            set,
            count as usize,
            max,
            &mut rng,
            reply,
            recording.then_some(&mut record),
        )
    };
    ctx.propagate_as(record);
    ctx.notify(notify::SET, "spop", key);
    delete_if_empty(ctx, key);
    ctx.server.dirty += taken as u64;
    Ok(())
}

/// SPOP of most of a set, as Redis does it: pick the few members to keep, add them to a
/// fresh set (an intset while they allow it), and reply with all the others. Cheaper than popping one
/// by one, and it leaves a compact table instead of a sparse one.
fn pop_keeping_few(
    set: &mut SetValue,
    count: usize,
    max_intset: usize,
    rng: &mut impl FnMut() -> u64,
    reply: &mut Reply<'_>,
    mut record: Option<&mut Vec<Bytes>>,
) -> usize {
    let keep = distinct_random(set, set.len() - count, rng);
    let mut kept = SetValue::new_intset();
    for member in &keep {
        kept.insert(member.as_slice(), max_intset);
    }
    let old = std::mem::replace(set, kept);
    reply.set_len(count);
    for member in old.iter().filter(|m| !set.contains_member(*m)) {
        reply_member(reply, member);
        if let Some(record) = record.as_mut() {
            record.push(Bytes::from(member.to_vec()));
        }
    }
    count
}

/// `SRANDMEMBER key [count]`
///
/// # Returns
/// Without count: a random member, or null. A positive count: that many distinct
/// members (all of them when the set is smaller). A negative count: that many members
/// picked independently (repeats possible). Always an array with a count.
fn srandmember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let count = match args.get(2) {
        None => None,
        Some(arg) => match args::int(arg)? {
            i64::MIN => return Err(CmdError::raw(ERR_RANDMEMBER_RANGE)),
            n => Some(n),
        },
    };
    let now = ctx.now();
    let Ctx {
        dbs,
        server,
        session,
        reply,
        ..
    } = &mut *ctx;
    let mut rng = || server.rng.next_u64();
    let set = typed::read::<SetValue>(&mut dbs[session.db], &args[1], now)?.map(|set| {
        set.compact();
        &*set
    });
    match (set, count) {
        (None, None) => reply.null(),
        (None, Some(_)) => reply.array_len(0),
        (Some(set), None) => match set.random(&mut rng) {
            Some(member) => reply_member(reply, member),
            None => reply.null(),
        },
        (Some(set), Some(n)) if n < 0 => {
            // Written while small, then deferred: never collected up front.
            let wanted = n.unsigned_abs();
            reply.array_len(wanted as usize);
            let budget = PickBudget::new(reply, session);
            let mut left = wanted;
            while left > 0 && budget.inline(reply, left, set.len()) {
                if let Some(member) = set.random(&mut rng) {
                    reply_member(reply, member);
                }
                left -= 1;
            }
            budget.finish(reply, session, &mut server.rng, left, |reply| {
                reply.encode_items(|items| {
                    set.iter()
                        .for_each(|member| items.item(|reply| reply_member(reply, member)))
                })
            });
        }
        (Some(set), Some(n)) if n as u64 >= set.len() as u64 => {
            reply.array_len(set.len());
            set.iter().for_each(|member| reply_member(reply, member));
        }
        (Some(set), Some(n)) => {
            let picked = distinct_random(set, n as usize, &mut rng);
            reply.array_len(picked.len());
            picked
                .iter()
                .for_each(|member| reply.bulk(member.as_slice()));
        }
    }
    Ok(())
}

/// `count` distinct random members of `set`, which has more than `count` members:
/// a partial shuffle of all members when `count` is a large share of the set, else
/// random picks until enough distinct ones came up.
fn distinct_random(set: &SetValue, count: usize, rng: &mut impl FnMut() -> u64) -> Vec<Bstr> {
    if count.saturating_mul(3) > set.len() {
        let mut all: Vec<Bstr> = members_of(set);
        for i in 0..count {
            let j = i + (rng() % (all.len() - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(count);
        return all;
    }
    let mut seen = std::collections::HashSet::with_capacity(count);
    let mut picked = Vec::with_capacity(count);
    while picked.len() < count {
        let Some(member) = set.random(rng).map(member_bstr) else {
            break;
        };
        if seen.insert(member.as_slice().to_vec()) {
            picked.push(member);
        }
    }
    picked
}

/// `SMOVE source destination member`
///
/// # Returns
/// 1 if the member was moved (or source and destination are the same set holding it),
/// else 0.
fn smove(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (src, dst, member) = (&args[1], &args[2], &args[3]);
    let now = ctx.now();
    let max = ctx.server.config.set_max_intset_entries;
    let db = ctx.db();
    let src_kind = db
        .lookup_write(src, now)
        .map(|v| matches!(v, Value::Set(_)));
    let dst_kind = db
        .lookup_write(dst, now)
        .map(|v| matches!(v, Value::Set(_)));
    match (src_kind, dst_kind) {
        (None, _) => {
            ctx.reply.int(0);
            return Ok(());
        }
        (Some(false), _) | (_, Some(false)) => return Err(CmdError::WrongType),
        _ => {}
    }
    if src == dst {
        let found = peek_set(db, src, now).is_some_and(|set| set.contains(member));
        ctx.reply.int(i64::from(found));
        return Ok(());
    }
    if !typed::write::<SetValue>(db, src, now)?.is_some_and(|set| set.remove(member)) {
        ctx.reply.int(0);
        return Ok(());
    }
    ctx.notify(notify::SET, "srem", src);
    delete_if_empty(ctx, src);
    ctx.server.dirty += 1;
    let added = with_set_or_new(ctx.db(), dst, now, member, |set| set.insert(member, max))?;
    if added {
        ctx.server.dirty += 1;
        ctx.notify(notify::SET, "sadd", dst);
    } else {
        // The destination already held the member: only the source changed, so only
        // it counts for WATCH and tracking, as in Redis.
        ctx.write_without_key_signal();
        let db = ctx.session.db;
        ctx.signal_modified(db, src);
    }
    ctx.reply.int(1);
    Ok(())
}

/// Looks up every key (read or write intent) and checks they all hold sets. Returns
/// each key's set size, `None` for a missing key.
fn lookup_sets(ctx: &mut Ctx<'_>, keys: &[Bytes], write: bool) -> CmdResult<Vec<Option<usize>>> {
    let now = ctx.now();
    let db = ctx.db();
    keys.iter()
        .map(|key| {
            let set = if write {
                typed::write::<SetValue>(db, key, now)?
            } else {
                typed::read::<SetValue>(db, key, now)?
            };
            Ok(set.map(|set| set.len()))
        })
        .collect()
}

/// A member as a compact owned string (inline when short: no allocation).
fn member_bstr(member: Member<'_>) -> Bstr {
    match member {
        Member::Bytes(bytes) => Bstr::from_slice(bytes),
        Member::Int(_) => Bstr::from_vec(member.to_vec()),
    }
}

/// Every member of `set`, copied, in iteration order.
fn members_of(set: &SetValue) -> Vec<Bstr> {
    set.iter().map(member_bstr).collect()
}

/// The members common to every set at `keys` (all known to exist), in the iteration
/// order of the smallest set.
fn intersect(db: &mut Db, keys: &[Bytes], sizes: &[usize], now: i64) -> Vec<Bstr> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| sizes[i]);
    let Some(smallest) = peek_set(db, &keys[order[0]], now) else {
        return Vec::new();
    };
    let mut members = members_of(smallest);
    for &i in &order[1..] {
        if members.is_empty() {
            break;
        }
        match peek_set(db, &keys[i], now) {
            Some(set) => members.retain(|member| set.contains(member.as_slice())),
            None => members.clear(),
        }
    }
    members
}

/// What a multi-set command does with its result.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    /// Reply with the members.
    Reply,
    /// Store the result at the destination and reply with its size.
    Store,
    /// Reply with the size only, counting at most this many (0: no limit).
    Count(usize),
}

/// SINTER, SINTERSTORE and SINTERCARD: the intersection of the sets at `keys`.
fn inter_generic(ctx: &mut Ctx<'_>, dst: Option<&Bytes>, keys: &[Bytes], out: Output) -> CmdResult {
    let sizes = lookup_sets(ctx, keys, out == Output::Store)?;
    let now = ctx.now();
    let members = match sizes.iter().copied().collect::<Option<Vec<usize>>>() {
        Some(sizes) => intersect(ctx.db(), keys, &sizes, now),
        None => Vec::new(),
    };
    match (out, dst) {
        (Output::Count(limit), _) => {
            let n = if limit > 0 {
                members.len().min(limit)
            } else {
                members.len()
            };
            ctx.reply.int(n as i64);
        }
        (Output::Store, Some(dst)) => {
            let max = ctx.server.config.set_max_intset_entries;
            let mut result = SetValue::new_intset();
            members.iter().for_each(|member| {
                result.insert(member.as_slice(), max);
            });
            store_result(ctx, dst, result, "sinterstore");
        }
        _ => {
            ctx.reply.set_len(members.len());
            members
                .iter()
                .for_each(|member| ctx.reply.bulk(member.as_slice()));
        }
    }
    Ok(())
}

/// Stores a computed set at `dst` (replacing any value and TTL), or deletes `dst` when
/// the result is empty; replies with the result's size.
fn store_result(ctx: &mut Ctx<'_>, dst: &[u8], result: SetValue, event: &'static str) {
    let now = ctx.now();
    let len = result.len();
    if len > 0 {
        ctx.db().set(dst, Value::Set(Box::new(result)), false, now);
        ctx.notify(notify::SET, event, dst);
        ctx.server.dirty += 1;
    } else if ctx.db().remove(dst, now).is_some() {
        ctx.notify(notify::GENERIC, "del", dst);
        ctx.server.dirty += 1;
    }
    ctx.reply.int(len as i64);
}

/// The union of the sets at `keys` (missing keys are empty), built from an empty intset.
fn union(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> SetValue {
    let now = ctx.now();
    let max = ctx.server.config.set_max_intset_entries;
    let db = ctx.db();
    let mut result = SetValue::new_intset();
    for key in keys {
        if let Some(set) = peek_set(db, key, now) {
            set.iter().for_each(|member| {
                result.insert_member(member, max);
            });
        }
    }
    result
}

/// The members of the first set at `keys` that are in none of the others, built from an
/// empty intset. Redis picks one of two algorithms by estimated work; the second one adds
/// the whole first set before removing, which can leave a table where the first one would
/// leave an intset, so that choice is reproduced for OBJECT ENCODING's sake.
fn difference(ctx: &mut Ctx<'_>, keys: &[Bytes], sizes: &[Option<usize>]) -> SetValue {
    let now = ctx.now();
    let max = ctx.server.config.set_max_intset_entries;
    let mut result = SetValue::new_intset();
    let Some(first_len) = sizes[0] else {
        return result;
    };
    if keys[1..].iter().any(|key| key == &keys[0]) {
        return result;
    }
    let others: usize = sizes[1..].iter().flatten().sum();
    let present = sizes.iter().flatten().count();
    let adds_whole_first = (first_len * present) / 2 > first_len + others;
    let db = ctx.db();
    let mut survivors = peek_set(db, &keys[0], now)
        .map(members_of)
        .unwrap_or_default();
    for key in &keys[1..] {
        if let Some(set) = peek_set(db, key, now) {
            survivors.retain(|member| !set.contains(member.as_slice()));
        }
    }
    survivors.iter().for_each(|member| {
        result.insert(member.as_slice(), max);
    });
    let first_is_compact = peek_set(db, &keys[0], now)
        .is_some_and(|set| set.len() <= max && set.iter().all(|m| is_int_member(m)));
    if adds_whole_first && !first_is_compact {
        result.convert_to_table();
    }
    result
}

/// True if a member would be stored in an intset.
fn is_int_member(member: Member<'_>) -> bool {
    match member {
        Member::Int(_) => true,
        Member::Bytes(bytes) => parse_i64(bytes).is_some(),
    }
}

/// SUNION, SUNIONSTORE, SDIFF and SDIFFSTORE.
fn union_diff_generic(
    ctx: &mut Ctx<'_>,
    dst: Option<&Bytes>,
    keys: &[Bytes],
    diff: bool,
) -> CmdResult {
    let sizes = lookup_sets(ctx, keys, dst.is_some())?;
    let result = if diff {
        difference(ctx, keys, &sizes)
    } else {
        union(ctx, keys)
    };
    match dst {
        Some(dst) => {
            let event = if diff { "sdiffstore" } else { "sunionstore" };
            store_result(ctx, dst, result, event);
        }
        None => reply_set(&mut ctx.reply, &result),
    }
    Ok(())
}

/// `SINTER key [key ...]`
///
/// # Returns
/// The members every set has (a set in RESP3); empty when any key is missing.
fn sinter(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    inter_generic(ctx, None, &args[1..], Output::Reply)
}

/// `SINTERSTORE destination key [key ...]`
///
/// # Returns
/// The size of the intersection stored at `destination` (deleted when empty).
fn sinterstore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    inter_generic(ctx, Some(&args[1]), &args[2..], Output::Store)
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`
///
/// # Returns
/// The size of the intersection, at most `limit` when a positive LIMIT is given.
fn sintercard(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let numkeys = parse_i64(&args[1])
        .filter(|&n| n > 0)
        .ok_or(CmdError::raw(ERR_NUMKEYS))?;
    if numkeys as u64 > (args.len() - 2) as u64 {
        return Err(CmdError::raw(ERR_NUMKEYS_TOO_BIG));
    }
    let keys_end = 2 + numkeys as usize;
    let mut limit = 0usize;
    let mut rest = &args[keys_end..];
    while let Some((option, more)) = rest.split_first() {
        if !args::is(option, "LIMIT") || more.is_empty() {
            return Err(CmdError::Syntax);
        }
        let n = parse_i64(&more[0])
            .filter(|&n| n >= 0)
            .ok_or(CmdError::raw(ERR_LIMIT))?;
        limit = usize::try_from(n).unwrap_or(usize::MAX);
        rest = &more[1..];
    }
    inter_generic(ctx, None, &args[2..keys_end], Output::Count(limit))
}

/// `SUNION key [key ...]`
///
/// # Returns
/// The members of all the sets together (a set in RESP3).
fn sunion(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    union_diff_generic(ctx, None, &args[1..], false)
}

/// `SUNIONSTORE destination key [key ...]`
///
/// # Returns
/// The size of the union stored at `destination` (deleted when empty).
fn sunionstore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    union_diff_generic(ctx, Some(&args[1]), &args[2..], false)
}

/// `SDIFF key [key ...]`
///
/// # Returns
/// The members of the first set that no other set has (a set in RESP3).
fn sdiff(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    union_diff_generic(ctx, None, &args[1..], true)
}

/// `SDIFFSTORE destination key [key ...]`
///
/// # Returns
/// The size of the difference stored at `destination` (deleted when empty).
fn sdiffstore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    union_diff_generic(ctx, Some(&args[1]), &args[2..], true)
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`
///
/// # Returns
/// `[next cursor, members]`. An intset is returned whole in one call (cursor 0).
fn sscan(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let cursor = args::scan_cursor(&args[2])?;
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(set) = typed::read::<SetValue>(db, &args[1], now)? else {
        reply.array_len(2);
        reply.bulk(b"0");
        reply.array_len(0);
        return Ok(());
    };
    let ScanOptions { pattern, count, .. } = ScanOptions::parse(&args[3..], false)?;
    let mut found: Vec<Vec<u8>> = Vec::new();
    let next = set.scan(cursor, count, |member| {
        let bytes = member.to_vec();
        if pattern.is_none_or(|p| glob_match(p, &bytes, false)) {
            found.push(bytes);
        }
    });
    reply.scan_header(next, found.len());
    found.iter().for_each(|member| reply.bulk(member));
    Ok(())
}

/// The set family's table: one entry per command, with the flags, key specs, ACL
/// categories and argument structure Redis 7.0 reports (docs text in our own words).
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sadd", -3, WRITE | DENYOOM | FAST, sadd)
        .acl(acl::SET)
        .keys(1, 1, 1, key1::RW_INSERT)
        .docs(Group::Set.doc("Adds members to a set, creating it if needed.",
            "1.0.0", "O(1) per member.")
            .history(&[("2.4.0", "Takes several `member` arguments.")]).args(KEY_MEMBERS)),
    CommandSpec::new("srem", -3, WRITE | FAST, srem)
        .acl(acl::SET)
        .keys(1, 1, 1, key1::RW_DELETE)
        .docs(Group::Set.doc("Removes members from a set.", "1.0.0", "O(N) for N members removed.")
            .history(&[("2.4.0", "Takes several `member` arguments.")]).args(KEY_MEMBERS)),
    CommandSpec::new("smembers", 2, READONLY, smembers)
        .acl(acl::SET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output_order"])
        .docs(Group::Set.doc("Lists every member of a set.", "1.0.0", "O(N) for N members.")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("sismember", 3, READONLY | FAST, sismember)
        .acl(acl::SET)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::Set.doc("Tells whether a value is a member of a set.", "1.0.0", "O(1)")
            .args(KEY_MEMBER)),
    CommandSpec::new("smismember", -3, READONLY | FAST, smismember)
        .acl(acl::SET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Set.doc("Tells, for each value, whether it is a member of a set.",
            "6.2.0", "O(N) for N values.").args(KEY_MEMBERS)),
    CommandSpec::new("scard", 2, READONLY | FAST, scard)
        .acl(acl::SET)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::Set.doc("Counts the members of a set.", "1.0.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("spop", -2, WRITE | FAST, spop)
        .acl(acl::SET)
        .keys(1, 1, 1, key1::RW_ACCESS_DELETE)
        .tips(&["nondeterministic_output"])
        .docs(Group::Set.doc("Removes and returns random members of a set.",
            "1.0.0", "O(1) without count, else O(N) for a count of N.")
            .history(&[("3.2.0", "Takes a `count` argument.")]).args(SPOP_ARGS)),
    CommandSpec::new("srandmember", -2, READONLY, srandmember)
        .acl(acl::SET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Set.doc("Returns random members of a set without removing them.",
            "1.0.0", "O(1) without count, else O(N) for a count of absolute value N.")
            .history(&[("2.6.0", "Takes a `count` argument.")]).args(SRANDMEMBER_ARGS)),
    CommandSpec::new("smove", 4, WRITE | FAST, smove)
        .acl(acl::SET)
        .keys(1, 2, 1, SMOVE_KEYS)
        .docs(Group::Set.doc("Moves a member from one set to another.", "1.0.0", "O(1)")
            .args(SMOVE_ARGS)),
    CommandSpec::new("sinter", -2, READONLY, sinter)
        .acl(acl::SET)
        .keys(1, -1, 1, &[KeySpec::range(&["RO", "access"], 1, -1, 1)])
        .tips(&["nondeterministic_output_order"])
        .docs(Group::Set.doc("Returns the members common to several sets.",
            "1.0.0", "O(N*M): N members of the smallest set checked against M sets.")
            .args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("sintercard", -3, READONLY | MOVABLE_KEYS, sintercard)
        .acl(acl::SET)
        .keys(0, 0, 0, SINTERCARD_KEYS)
        .docs(Group::Set.doc("Counts the members common to several sets, optionally stopping at a limit.",
            "7.0.0", "O(N*M): N members of the smallest set checked against M sets.")
            .args(SINTERCARD_ARGS)),
    CommandSpec::new("sinterstore", -3, WRITE | DENYOOM, sinterstore)
        .acl(acl::SET)
        .keys(1, -1, 1, SINTERSTORE_KEYS)
        .docs(Group::Set.doc("Stores the members common to several sets in a key.",
            "1.0.0", "O(N*M): N members of the smallest set checked against M sets.")
            .args(STORE_ARGS)),
    CommandSpec::new("sunion", -2, READONLY, sunion)
        .acl(acl::SET)
        .keys(1, -1, 1, &[KeySpec::range(&["RO", "access"], 1, -1, 1)])
        .tips(&["nondeterministic_output_order"])
        .docs(Group::Set.doc("Returns the members of several sets together.",
            "1.0.0", "O(N) for N members across all the sets.")
            .args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("sunionstore", -3, WRITE | DENYOOM, sunionstore)
        .acl(acl::SET)
        .keys(1, -1, 1, SUNIONSTORE_KEYS)
        .docs(Group::Set.doc("Stores the members of several sets together in a key.",
            "1.0.0", "O(N) for N members across all the sets.").args(STORE_ARGS)),
    CommandSpec::new("sdiff", -2, READONLY, sdiff)
        .acl(acl::SET)
        .keys(1, -1, 1, &[KeySpec::range(&["RO", "access"], 1, -1, 1)])
        .tips(&["nondeterministic_output_order"])
        .docs(Group::Set.doc("Returns the members of a set that none of the other sets have.",
            "1.0.0", "O(N) for N members across all the sets.")
            .args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("sdiffstore", -3, WRITE | DENYOOM, sdiffstore)
        .acl(acl::SET)
        .keys(1, -1, 1, SUNIONSTORE_KEYS)
        .docs(Group::Set.doc("Stores the members of a set that none of the other sets have in a key.",
            "1.0.0", "O(N) for N members across all the sets.").args(STORE_ARGS)),
    CommandSpec::new("sscan", -3, READONLY, sscan)
        .acl(acl::SET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Set.doc("Walks the members of a set a few at a time with a cursor.",
            "2.8.0", "O(1) per call; O(N) for a full iteration over N members.").args(SSCAN_ARGS)),
];

const KEY_MEMBERS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("member", ArgType::String).multiple(),
];

const KEY_MEMBER: &[Arg] = &[Arg::key("key", 0), Arg::new("member", ArgType::String)];

const SPOP_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("count", ArgType::Integer)
        .since("3.2.0")
        .optional(),
];

const SRANDMEMBER_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("count", ArgType::Integer)
        .since("2.6.0")
        .optional(),
];

const SMOVE_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RW", "access", "delete"], 1, 0, 1),
    KeySpec::range(&["RW", "insert"], 2, 0, 1),
];

const SMOVE_ARGS: &[Arg] = &[
    Arg::key("source", 0),
    Arg::key("destination", 1),
    Arg::new("member", ArgType::String),
];

const SINTERCARD_KEYS: &[KeySpec] = &[KeySpec {
    flags: &["RO", "access"],
    begin: BeginSearch::Index(1),
    find: FindKeys::KeyNum {
        key_num_index: 0,
        first_key: 1,
        step: 1,
    },
}];

const SINTERCARD_ARGS: &[Arg] = &[
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).multiple(),
    Arg::new("limit", ArgType::Integer)
        .with_token("LIMIT")
        .optional(),
];

/// SINTERSTORE's keys: Redis 7.0 declares its destination RW, where SUNIONSTORE and
/// SDIFFSTORE declare theirs OW.
const SINTERSTORE_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RW", "update"], 1, 0, 1),
    KeySpec::range(&["RO", "access"], 2, -1, 1),
];

const STORE_ARGS: &[Arg] = &[Arg::key("destination", 0), Arg::key("key", 1).multiple()];

/// SUNIONSTORE and SDIFFSTORE's keys: the destination, then the sources.
const SUNIONSTORE_KEYS: &[KeySpec] = &[
    KeySpec::range(&["OW", "update"], 1, 0, 1),
    KeySpec::range(&["RO", "access"], 2, -1, 1),
];

const SSCAN_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("cursor", ArgType::Integer),
    Arg::new("pattern", ArgType::Pattern)
        .with_token("MATCH")
        .optional(),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
];
