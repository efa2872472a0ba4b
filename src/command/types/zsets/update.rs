//! ZADD, ZINCRBY and ZREM: the commands that add, re-score or remove named members.

use bytes::Bytes;

use super::shared::{delete_if_empty, ERR_GT_LT_NX, ERR_INCR_PAIR, ERR_NAN, ERR_XX_NX};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::typed;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::store::value::Value;
use crate::store::zset::ZSetValue;

/// ZADD's option flags.
#[derive(Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

/// What adding one element did.
enum AddOutcome {
    Added(f64),
    Updated(f64),
    Unchanged(f64),
    Nop,
}

/// Adds or updates one element under `f` (Redis's zsetAdd); Err on a NaN result.
fn zset_add(
    z: &mut ZSetValue,
    member: &[u8],
    score: f64,
    f: AddFlags,
    lim: (usize, usize),
) -> CmdResult<AddOutcome> {
    match z.score(member) {
        Some(cur) => {
            if f.nx {
                return Ok(AddOutcome::Nop);
            }
            let new = if f.incr { score + cur } else { score };
            if new.is_nan() {
                return Err(CmdError::raw(ERR_NAN));
            }
            if (f.lt && new >= cur) || (f.gt && new <= cur) {
                return Ok(AddOutcome::Nop);
            }
            if new != cur {
                z.update(member, new);
                return Ok(AddOutcome::Updated(new));
            }
            Ok(AddOutcome::Unchanged(new))
        }
        None if f.xx => Ok(AddOutcome::Nop),
        None => {
            z.insert(member, score, lim.0, lim.1);
            Ok(AddOutcome::Added(score))
        }
    }
}

/// Parses ZADD's leading options; returns the flags and the index of the first score.
fn parse_add_flags(args: &[Bytes], incr: bool) -> CmdResult<(AddFlags, usize)> {
    let mut f = AddFlags {
        incr,
        ..AddFlags::default()
    };
    let mut i = 2;
    while i < args.len() {
        let a = &args[i];
        match () {
            _ if args::is(a, "NX") => f.nx = true,
            _ if args::is(a, "XX") => f.xx = true,
            _ if args::is(a, "GT") => f.gt = true,
            _ if args::is(a, "LT") => f.lt = true,
            _ if args::is(a, "CH") => f.ch = true,
            _ if args::is(a, "INCR") => f.incr = true,
            _ => break,
        }
        i += 1;
    }
    let elements = args.len() - i;
    if elements == 0 || !elements.is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    if f.nx && f.xx {
        return Err(CmdError::raw(ERR_XX_NX));
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return Err(CmdError::raw(ERR_GT_LT_NX));
    }
    if f.incr && elements > 2 {
        return Err(CmdError::raw(ERR_INCR_PAIR));
    }
    Ok((f, i))
}

/// The shared ZADD/ZINCRBY worker (Redis's zaddGenericCommand).
fn zadd_generic(ctx: &mut Ctx<'_>, args: &[Bytes], incr: bool) -> CmdResult {
    let (f, first) = parse_add_flags(args, incr)?;
    let pairs: Vec<(f64, &Bytes)> = args[first..]
        .chunks(2)
        .map(|p| Ok((args::float(&p[0])?, &p[1])))
        .collect::<CmdResult<_>>()?;
    let key = &args[1];
    let now = ctx.now();
    let lim = (
        ctx.server.config.zset_max_listpack_entries,
        ctx.server.config.zset_max_listpack_value,
    );
    let db = ctx.db();
    let z = match typed::write::<ZSetValue>(db, key, now)? {
        Some(z) => z,
        None if f.xx => return reply_add(ctx, f, 0, 0, None),
        None => {
            let mut z = ZSetValue::new_listpack();
            if lim.0 == 0 || lim.1 < pairs[0].1.len() {
                z.convert_to_skiplist();
            }
            db.insert_new(key, Value::ZSet(z), now);
            match typed::write::<ZSetValue>(db, key, now)? {
                Some(z) => z,
                None => return Ok(()),
            }
        }
    };
    let (mut added, mut updated, mut last) = (0, 0, None);
    let mut failure = None;
    for (score, member) in pairs {
        match zset_add(z, member, score, f, lim) {
            Ok(AddOutcome::Added(s)) => (added, last) = (added + 1, Some(s)),
            Ok(AddOutcome::Updated(s)) => (updated, last) = (updated + 1, Some(s)),
            Ok(AddOutcome::Unchanged(s)) => last = Some(s),
            Ok(AddOutcome::Nop) => last = None,
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if added + updated > 0 {
        ctx.notify(notify::ZSET, if f.incr { "zincr" } else { "zadd" }, key);
    }
    if added > 0 {
        ctx.signal_ready(key);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    ctx.server.dirty += added + updated;
    reply_add(ctx, f, added, updated, last)
}

/// ZADD's reply: the count (added, or added+updated with CH), or INCR's new score.
fn reply_add(
    ctx: &mut Ctx<'_>,
    f: AddFlags,
    added: u64,
    updated: u64,
    last: Option<f64>,
) -> CmdResult {
    match (f.incr, last) {
        (true, Some(s)) => ctx.reply.double(s),
        (true, None) => ctx.reply.null(),
        _ => ctx
            .reply
            .int((if f.ch { added + updated } else { added }) as i64),
    }
    Ok(())
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
///
/// # Returns
/// The number of members added (or changed with CH); with INCR the new score or null.
pub(super) fn zadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, args, false)
}

/// `ZINCRBY key increment member`
///
/// # Returns
/// The new score.
pub(super) fn zincrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, args, true)
}

/// `ZREM key member [member ...]`
///
/// # Returns
/// The number of members removed.
pub(super) fn zrem(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let Some(z) = typed::write::<ZSetValue>(ctx.db(), &args[1], now)? else {
        ctx.reply.int(0);
        return Ok(());
    };
    let removed = args[2..].iter().filter(|m| z.remove(m)).count();
    if removed > 0 {
        ctx.notify(notify::ZSET, "zrem", &args[1]);
        delete_if_empty(ctx, &args[1]);
        ctx.server.dirty += removed as u64;
    }
    ctx.reply.int(removed as i64);
    Ok(())
}
