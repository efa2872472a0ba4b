//! The pops: ZPOPMIN/ZPOPMAX, ZMPOP and their blocking forms, sharing one worker as
//! Redis's genericZpopCommand does.

use bytes::Bytes;

use super::shared::{delete_if_empty, ERR_COUNT, ERR_NUMKEYS, ERR_POSITIVE};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::typed;
use crate::command::state::blocking::{parse_timeout, TimeoutReply};
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::store::zset::ZSetValue;
use crate::util::numbers::parse_i64;

/// How a pop replies (Redis's genericZpopCommand arguments).
#[derive(Clone, Copy)]
struct PopShape {
    max: bool,
    emit_key: bool,
    nested: bool,
    nil_when_empty: bool,
    /// Recorded for replay as ZPOPMIN/ZPOPMAX of the key it popped (with the count
    /// popped when `Some(true)`), as Redis propagates ZMPOP and the blocking pops;
    /// `None`: as sent.
    recorded_as_pop: Option<bool>,
}

/// Pops up to `count` (-1: one, plain) members from the first non-empty key of
/// `keys`; true when something was popped.
fn pop_generic(ctx: &mut Ctx<'_>, keys: &[Bytes], count: i64, shape: PopShape) -> CmdResult<bool> {
    let now = ctx.now();
    let mut found = None;
    for key in keys {
        if typed::write::<ZSetValue>(ctx.db(), key, now)?.is_some() {
            found = Some(key);
            break;
        }
    }
    let Some(key) = found else {
        if shape.nil_when_empty {
            ctx.reply.null_array();
        } else {
            ctx.reply.array_len(0);
        }
        return Ok(false);
    };
    if count == 0 {
        ctx.reply.array_len(0);
        return Ok(false);
    }
    let count = if count < 0 { 1 } else { count as u64 };
    let (db, reply) = ctx.db_and_reply();
    let Some(z) = typed::write::<ZSetValue>(db, key, now)? else {
        return Ok(false);
    };
    let len = z.len();
    let n = count.min(len as u64) as usize;
    match (shape.nested, shape.emit_key) {
        (false, false) => reply.array_len(n * 2),
        (true, false) => reply.array_len(n),
        (false, true) => {
            reply.array_len(n * 2 + 1);
            reply.bulk(key);
        }
        (true, true) => {
            reply.array_len(2);
            reply.bulk(key);
            reply.array_len(n);
        }
    }
    let (s, e) = if shape.max { (len - n, len) } else { (0, n) };
    z.for_range(s, e, shape.max, |m, sc| {
        if shape.nested {
            reply.array_len(2);
        }
        reply.bulk(m);
        reply.double(sc);
    });
    z.remove_range(s, e);
    ctx.notify(
        notify::ZSET,
        if shape.max { "zpopmax" } else { "zpopmin" },
        key,
    );
    delete_if_empty(ctx, key);
    ctx.server.dirty += n as u64;
    if let Some(with_count) = shape.recorded_as_pop.filter(|_| ctx.propagating()) {
        let name: &'static [u8] = if shape.max { b"ZPOPMAX" } else { b"ZPOPMIN" };
        let mut record = vec![Bytes::from_static(name), key.clone()];
        if with_count {
            record.push(Bytes::from(n.to_string()));
        }
        ctx.propagate_as(record);
    }
    Ok(true)
}

/// ZPOPMIN/ZPOPMAX worker.
fn zpop_minmax(ctx: &mut Ctx<'_>, args: &[Bytes], max: bool) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let count = match args.get(2) {
        Some(a) => Some(
            parse_i64(a)
                .filter(|&n| n >= 0)
                .ok_or(CmdError::raw(ERR_POSITIVE))?,
        ),
        None => None,
    };
    let nested = count.is_some() && ctx.reply.is_resp3();
    let shape = PopShape {
        max,
        emit_key: false,
        nested,
        nil_when_empty: false,
        recorded_as_pop: None,
    };
    pop_generic(ctx, &args[1..2], count.unwrap_or(-1), shape).map(|_| ())
}

/// `ZPOPMIN key [count]`
///
/// # Returns
/// The popped members with scores (nested pairs in RESP3 when a count is given).
pub(super) fn zpopmin(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zpop_minmax(ctx, args, false)
}

/// `ZPOPMAX key [count]`
pub(super) fn zpopmax(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zpop_minmax(ctx, args, true)
}

/// Parses a positive count bounded like Redis's getRangeLong, with one error text.
fn positive(arg: &[u8], err: &'static str) -> CmdResult<i64> {
    parse_i64(arg).filter(|&n| n >= 1).ok_or(CmdError::raw(err))
}

/// Parses `numkeys key... MIN|MAX [COUNT count]` from `at`: (keys, max, count).
fn parse_mpop(args: &[Bytes], at: usize) -> CmdResult<(&[Bytes], bool, i64)> {
    let numkeys = positive(&args[at], ERR_NUMKEYS)? as u64;
    let where_idx = (at as u64 + 1).saturating_add(numkeys);
    if where_idx >= args.len() as u64 {
        return Err(CmdError::Syntax);
    }
    let w = where_idx as usize;
    let max = match &args[w] {
        a if args::is(a, "MIN") => false,
        a if args::is(a, "MAX") => true,
        _ => return Err(CmdError::Syntax),
    };
    let mut count = -1;
    let mut j = w + 1;
    while j < args.len() {
        if count == -1 && args::is(&args[j], "COUNT") && j + 1 < args.len() {
            count = positive(&args[j + 1], ERR_COUNT)?;
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok((&args[at + 1..w], max, count.max(1)))
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`
///
/// # Returns
/// `[key, [[member, score], ...]]`, or null when every key is empty.
pub(super) fn zmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (keys, max, count) = parse_mpop(args, 1)?;
    let shape = PopShape {
        max,
        emit_key: true,
        nested: true,
        nil_when_empty: true,
        recorded_as_pop: Some(true),
    };
    pop_generic(ctx, keys, count, shape).map(|_| ())
}

/// The blocking pop worker: pops from the first non-empty key, else blocks (or
/// replies null inside MULTI).
fn blocking_pop(
    ctx: &mut Ctx<'_>,
    keys: &[Bytes],
    deadline: Option<i64>,
    count: i64,
    shape: PopShape,
) -> CmdResult {
    let now = ctx.now();
    // Served by the reactor, only the key that became ready counts, and a key that
    // stopped being a sorted set leaves the client waiting (Redis's semantics).
    let serving = ctx.session.serving_key.clone();
    for key in keys
        .iter()
        .filter(|key| serving.as_ref().is_none_or(|ready| ready == *key))
    {
        let ready = match typed::write::<ZSetValue>(ctx.db(), key, now) {
            Err(CmdError::WrongType) if serving.is_some() => None,
            other => other?,
        };
        if ready.is_some_and(|z| !z.is_empty()) {
            return pop_generic(ctx, std::slice::from_ref(key), count, shape).map(|_| ());
        }
    }
    if ctx.may_block() {
        ctx.block(keys, deadline, TimeoutReply::NullArray);
    } else {
        ctx.reply.null_array();
    }
    Ok(())
}

/// BZPOPMIN/BZPOPMAX worker.
fn bzpop_minmax(ctx: &mut Ctx<'_>, args: &[Bytes], max: bool) -> CmdResult {
    let deadline = parse_timeout(&args[args.len() - 1], ctx.now())?;
    let shape = PopShape {
        max,
        emit_key: true,
        nested: false,
        nil_when_empty: true,
        recorded_as_pop: Some(false),
    };
    blocking_pop(ctx, &args[1..args.len() - 1], deadline, -1, shape)
}

/// `BZPOPMIN key [key ...] timeout`
///
/// # Returns
/// `[key, member, score]`, or null on timeout.
pub(super) fn bzpopmin(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    bzpop_minmax(ctx, args, false)
}

/// `BZPOPMAX key [key ...] timeout`
pub(super) fn bzpopmax(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    bzpop_minmax(ctx, args, true)
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`
///
/// # Returns
/// As ZMPOP, or null on timeout.
pub(super) fn bzmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (keys, max, count) = parse_mpop(args, 2)?;
    let deadline = parse_timeout(&args[1], ctx.now())?;
    let shape = PopShape {
        max,
        emit_key: true,
        nested: true,
        nil_when_empty: true,
        recorded_as_pop: Some(true),
    };
    blocking_pop(ctx, keys, deadline, count, shape)
}
