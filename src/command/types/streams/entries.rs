//! The commands on a stream's entries: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM.

use bytes::Bytes;

use crate::command::core::typed;

use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::state::notify;
use crate::error::{c_str, CmdError, CmdResult};
use crate::store::stream::{AppendError, IdSyntax, ParsedId, Stream, StreamId, Trim, TrimStrategy};
use crate::store::value::Value;

use super::shared::{
    interval_bound, node_limits, parse_id, reply_entries, strict_id, ERR_BOTH_STRATEGIES,
    ERR_EXHAUSTED, ERR_ID_TOO_SMALL, ERR_ID_ZERO, ERR_LIMIT_NEGATIVE, ERR_LIMIT_NOT_APPROX,
    ERR_LIMIT_NO_STRATEGY, ERR_MAXLEN_NEGATIVE, ERR_TOO_LARGE, ERR_XTRIM_NO_STRATEGY,
};

/// Parsed XADD/XTRIM options.
struct AddTrimArgs {
    trim: Option<Trim>,
    /// Position of the ID argument (XADD): the `*`, the ID, or past the end.
    id_pos: usize,
    id: Option<ParsedId>,
    no_mkstream: bool,
}

/// Parses the options of XADD (`xadd`) or XTRIM as Redis's
/// `streamParseAddOrTrimArgsOrReply`.
fn parse_add_trim(ctx: &Ctx<'_>, args: &[Bytes], xadd: bool) -> CmdResult<AddTrimArgs> {
    let mut parsed = AddTrimArgs {
        trim: None,
        id_pos: args.len(),
        id: None,
        no_mkstream: false,
    };
    let (mut approx, mut limit, mut limit_given) = (false, 0i64, false);
    let mut strategy: Option<TrimStrategy> = None;
    let mut i = 2;
    while i < args.len() {
        let more = args.len() - 1 - i;
        let opt = &args[i][..];
        if xadd && opt == b"*" {
            break;
        } else if (args::is_c_option(opt, "maxlen") || args::is_c_option(opt, "minid")) && more > 0
        {
            if strategy.is_some() {
                return Err(CmdError::raw(ERR_BOTH_STRATEGIES));
            }
            approx = false;
            let next = &args[i + 1][..];
            if more >= 2 && (c_str(next, 2) == b"~" || c_str(next, 2) == b"=") {
                approx = c_str(next, 2) == b"~";
                i += 1;
            }
            strategy = Some(if args::is_c_option(opt, "maxlen") {
                let max = args::int(&args[i + 1])?;
                if max < 0 {
                    return Err(CmdError::raw(ERR_MAXLEN_NEGATIVE));
                }
                TrimStrategy::MaxLen(max as u64)
            } else {
                TrimStrategy::MinId(strict_id(&args[i + 1])?)
            });
            i += 1;
        } else if args::is_c_option(opt, "limit") && more > 0 {
            limit = args::int(&args[i + 1])?;
            if limit < 0 {
                return Err(CmdError::raw(ERR_LIMIT_NEGATIVE));
            }
            limit_given = true;
            i += 1;
        } else if xadd && args::is_c_option(opt, "nomkstream") {
            parsed.no_mkstream = true;
        } else if xadd {
            let syntax = IdSyntax {
                seq_star: true,
                ..IdSyntax::STRICT
            };
            parsed.id = Some(parse_id(opt, syntax)?);
            break;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    parsed.id_pos = i;
    parsed.trim = finish_trim(ctx, strategy, approx, limit, limit_given, xadd)?;
    Ok(parsed)
}

/// The checks after the option loop, and the default LIMIT of `~`.
fn finish_trim(
    ctx: &Ctx<'_>,
    strategy: Option<TrimStrategy>,
    approx: bool,
    mut limit: i64,
    limit_given: bool,
    xadd: bool,
) -> CmdResult<Option<Trim>> {
    if limit != 0 && strategy.is_none() {
        return Err(CmdError::raw(ERR_LIMIT_NO_STRATEGY));
    }
    if !xadd && strategy.is_none() {
        return Err(CmdError::raw(ERR_XTRIM_NO_STRATEGY));
    }
    if limit_given {
        if !approx {
            return Err(CmdError::raw(ERR_LIMIT_NOT_APPROX));
        }
    } else if approx {
        limit = node_limits(ctx).max_entries.saturating_mul(100);
        if limit <= 0 {
            limit = 10_000;
        }
        limit = limit.min(1_000_000);
    } else {
        limit = 0;
    }
    Ok(strategy.map(|strategy| Trim {
        strategy,
        approx,
        limit,
    }))
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value
/// [field value ...]`
///
/// # Returns
/// The new entry's ID; null with NOMKSTREAM on a missing key.
pub(super) fn xadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let parsed = parse_add_trim(ctx, args, true)?;
    let fields = args.len() as i64 - (parsed.id_pos as i64 + 1);
    if fields < 2 || fields % 2 == 1 {
        return Err(CmdError::wrong_arity("xadd"));
    }
    if matches!(parsed.id, Some(p) if p.seq_given && p.id.is_zero()) {
        return Err(CmdError::raw(ERR_ID_ZERO));
    }
    let (now, limits, key) = (ctx.now(), node_limits(ctx), &args[1]);
    if typed::write::<Stream>(ctx.db(), key, now)?.is_none() {
        if parsed.no_mkstream {
            ctx.reply.null();
            return Ok(());
        }
        ctx.db().insert_new(key, Value::Stream(Box::default()), now);
    }
    let Some(stream) = typed::write::<Stream>(ctx.db(), key, now)? else {
        return Ok(());
    };
    if stream.last_id == StreamId::MAX {
        return Err(CmdError::raw(ERR_EXHAUSTED));
    }
    let pairs: Vec<&[u8]> = args[parsed.id_pos + 1..].iter().map(|a| &a[..]).collect();
    let id = match stream.append(&pairs, parsed.id, now.max(0) as u64, limits) {
        Ok(id) => id,
        Err(AppendError::NotGreater) => return Err(CmdError::raw(ERR_ID_TOO_SMALL)),
        Err(AppendError::TooLarge) => return Err(CmdError::raw(ERR_TOO_LARGE)),
    };
    let trimmed = parsed.trim.map_or(0, |t| stream.trim(&t));
    let length = stream.len();
    ctx.reply.bulk(id.to_text().as_bytes());
    if ctx.propagating() {
        ctx.propagate_as(xadd_record(args, &parsed, id, length));
    }
    ctx.notify(notify::STREAM, "xadd", key);
    ctx.server.dirty += 1;
    if trimmed > 0 {
        ctx.notify(notify::STREAM, "xtrim", key);
    }
    ctx.signal_ready(key);
    Ok(())
}

/// How an XADD replays exactly: with the ID it got (not `*`) and, when it trimmed,
/// to the length it left (an approximate `~` trim depends on node boundaries).
fn xadd_record(args: &[Bytes], parsed: &AddTrimArgs, id: StreamId, length: u64) -> Vec<Bytes> {
    let mut record = vec![Bytes::from_static(b"XADD"), args[1].clone()];
    if parsed.trim.is_some() {
        record.extend(exact_trim(length));
    }
    record.push(Bytes::from(id.to_text()));
    record.extend(args[parsed.id_pos + 1..].iter().cloned());
    record
}

/// `MAXLEN = <length>`: trimming from the head down to what a trim left.
fn exact_trim(length: u64) -> [Bytes; 3] {
    [
        Bytes::from_static(b"MAXLEN"),
        Bytes::from_static(b"="),
        Bytes::from(length.to_string()),
    ]
}

/// `XRANGE key start end [COUNT count]`
///
/// # Returns
/// The entries in the range, oldest first.
pub(super) fn xrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    range_generic(ctx, args, false)
}

/// `XREVRANGE key end start [COUNT count]`
///
/// # Returns
/// The entries in the range, newest first.
pub(super) fn xrevrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    range_generic(ctx, args, true)
}

/// XRANGE and XREVRANGE.
fn range_generic(ctx: &mut Ctx<'_>, args: &[Bytes], rev: bool) -> CmdResult {
    let (start_arg, end_arg) = if rev {
        (&args[3], &args[2])
    } else {
        (&args[2], &args[3])
    };
    let start = interval_bound(start_arg, 0, true)?;
    let end = interval_bound(end_arg, u64::MAX, false)?;
    let mut count: i64 = -1;
    let mut j = 4;
    while j < args.len() {
        if args::is_c_option(&args[j], "count") && j + 1 < args.len() {
            count = args::int(&args[j + 1])?.max(0);
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(stream) = typed::read::<Stream>(db, &args[1], now)? else {
        reply.array_len(0);
        return Ok(());
    };
    if count == 0 {
        reply.null_array();
        return Ok(());
    }
    let limit = if count < 0 { 0 } else { count as usize };
    let entries = stream.range(start, end, rev, limit);
    reply_entries(reply, &entries);
    Ok(())
}

/// `XLEN key`
///
/// # Returns
/// The number of entries (0 for a missing key).
pub(super) fn xlen(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let len = typed::read::<Stream>(db, &args[1], now)?.map_or(0, |s| s.len());
    reply.int(len as i64);
    Ok(())
}

/// `XDEL key id [id ...]`
///
/// # Returns
/// The number of entries deleted.
pub(super) fn xdel(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let Some(stream) = typed::write::<Stream>(ctx.db(), &args[1], now)? else {
        ctx.reply.int(0);
        return Ok(());
    };
    let ids = args[2..]
        .iter()
        .map(|a| strict_id(a))
        .collect::<CmdResult<Vec<_>>>()?;
    let deleted = stream.delete_ids(&ids);
    if deleted > 0 {
        ctx.notify(notify::STREAM, "xdel", &args[1]);
        ctx.server.dirty += deleted;
    }
    ctx.reply.int(deleted as i64);
    Ok(())
}

/// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]`
///
/// # Returns
/// The number of entries removed.
pub(super) fn xtrim(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let parsed = parse_add_trim(ctx, args, false)?;
    let now = ctx.now();
    let Some(stream) = typed::write::<Stream>(ctx.db(), &args[1], now)? else {
        ctx.reply.int(0);
        return Ok(());
    };
    let deleted = parsed.trim.map_or(0, |t| stream.trim(&t));
    let length = stream.len();
    if deleted > 0 {
        if ctx.propagating() {
            let mut record = vec![Bytes::from_static(b"XTRIM"), args[1].clone()];
            record.extend(exact_trim(length));
            ctx.propagate_as(record);
        }
        ctx.notify(notify::STREAM, "xtrim", &args[1]);
        ctx.server.dirty += deleted as u64;
    }
    ctx.reply.int(deleted);
    Ok(())
}
