//! The stream family: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM here; XREAD and
//! XREADGROUP (with blocking) in [`read`]; consumer groups (XGROUP, XACK, XPENDING,
//! XCLAIM, XAUTOCLAIM) in [`groups`]; XINFO and XSETID in [`info`]; the table in
//! [`table`]. The data structure lives in `store::stream`; handlers parse arguments,
//! call it, and write Redis 7.0's replies.

pub mod groups;
pub mod info;
pub mod read;
pub mod table;

pub use table::COMMANDS;

use bytes::Bytes;

use crate::command::typed::{self, Collection};
use crate::command::{args, notify, Ctx};
use crate::error::{c_str, one_line, CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::stream::node::NodeEntry;
use crate::store::stream::{
    AppendError, IdSyntax, NodeLimits, ParsedId, Stream, StreamId, Trim, TrimStrategy,
};
use crate::store::value::Value;

/// An ID argument that does not parse.
pub const ERR_INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";
/// XADD with an ID not above the stream's top.
const ERR_ID_TOO_SMALL: &str =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
/// XADD with `0-0`.
const ERR_ID_ZERO: &str = "ERR The ID specified in XADD must be greater than 0-0";
/// XADD on a stream whose last ID is the largest possible.
const ERR_EXHAUSTED: &str =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
/// XADD with strings bigger than a listpack.
const ERR_TOO_LARGE: &str = "ERR Elements are too large to be stored";
/// MAXLEN and MINID together.
const ERR_BOTH_STRATEGIES: &str =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
/// A negative MAXLEN.
const ERR_MAXLEN_NEGATIVE: &str = "ERR The MAXLEN argument must be >= 0.";
/// A negative LIMIT.
const ERR_LIMIT_NEGATIVE: &str = "ERR The LIMIT argument must be >= 0.";
/// LIMIT with no MAXLEN/MINID.
const ERR_LIMIT_NO_STRATEGY: &str =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
/// XTRIM with no MAXLEN/MINID.
const ERR_XTRIM_NO_STRATEGY: &str = "ERR syntax error, XTRIM must be called with a trimming strategy";
/// LIMIT with an exact trim.
const ERR_LIMIT_NOT_APPROX: &str =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
/// An exclusive start past the largest ID.
pub const ERR_INVALID_START: &str = "ERR invalid start ID for the interval";
/// An exclusive end before the smallest ID.
pub const ERR_INVALID_END: &str = "ERR invalid end ID for the interval";

impl Collection for Stream {
    fn inside(value: &mut Value) -> Option<&mut Self> {
        match value {
            Value::Stream(stream) => Some(stream),
            _ => None,
        }
    }
}

/// The node limits from `stream-node-max-bytes` and `stream-node-max-entries`.
pub fn node_limits(ctx: &Ctx<'_>) -> NodeLimits {
    let stored = &ctx.server.config.stored;
    let get = |name: &str, default: i64| {
        stored.get(name).and_then(|v| v.parse::<i64>().ok()).unwrap_or(default)
    };
    NodeLimits {
        max_bytes: get("stream-node-max-bytes", 4096).max(0) as u64,
        max_entries: get("stream-node-max-entries", 100),
    }
}

/// Parses an ID argument.
///
/// # Errors
/// `ERR Invalid stream ID specified as stream command argument`.
pub fn parse_id(arg: &[u8], syntax: IdSyntax) -> CmdResult<ParsedId> {
    StreamId::parse(arg, syntax).ok_or(CmdError::raw(ERR_INVALID_ID))
}

/// Parses a strict ID (no `-`/`+`, missing sequence 0).
pub fn strict_id(arg: &[u8]) -> CmdResult<StreamId> {
    parse_id(arg, IdSyntax::STRICT).map(|p| p.id)
}

/// Parses a range bound: `(` makes it exclusive (then strict), moved inward by one.
///
/// # Errors
/// An invalid ID, or an exclusive bound with nothing beyond it.
pub fn interval_bound(arg: &[u8], missing_seq: u64, is_start: bool) -> CmdResult<StreamId> {
    if arg.len() > 1 && arg[0] == b'(' {
        let syntax = IdSyntax { missing_seq, ..IdSyntax::STRICT };
        let id = parse_id(&arg[1..], syntax)?.id;
        let moved = if is_start { id.next() } else { id.prev() };
        let err = if is_start { ERR_INVALID_START } else { ERR_INVALID_END };
        return moved.ok_or(CmdError::raw(err));
    }
    Ok(parse_id(arg, IdSyntax::lax(missing_seq))?.id)
}

/// A `-NOGROUP ...` (or other) error echoing client strings as C would print them.
pub fn error_with(parts: &[&[u8]]) -> CmdError {
    let mut text = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            text.extend_from_slice(c_str(part, usize::MAX));
        } else {
            text.extend_from_slice(part);
        }
    }
    CmdError::raw(one_line(text))
}

/// Writes one entry: `[id, [field, value, ...]]`.
pub fn reply_entry(reply: &mut Reply<'_>, id: StreamId, entry: &NodeEntry<'_>) {
    reply.array_len(2);
    reply.bulk(id.to_text().as_bytes());
    reply.array_len(entry.pair_count() * 2);
    for s in entry.strings() {
        reply.bulk(s);
    }
}

/// Writes a list of entries.
pub fn reply_entries(reply: &mut Reply<'_>, entries: &[(StreamId, NodeEntry<'_>)]) {
    reply.array_len(entries.len());
    for (id, entry) in entries {
        reply_entry(reply, *id, entry);
    }
}

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
    let mut parsed = AddTrimArgs { trim: None, id_pos: args.len(), id: None, no_mkstream: false };
    let (mut approx, mut limit, mut limit_given) = (false, 0i64, false);
    let mut strategy: Option<TrimStrategy> = None;
    let mut i = 2;
    while i < args.len() {
        let more = args.len() - 1 - i;
        let opt = &args[i][..];
        if xadd && opt == b"*" {
            break;
        } else if (args::is_c_option(opt, "maxlen") || args::is_c_option(opt, "minid")) && more > 0 {
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
            let syntax = IdSyntax { seq_star: true, ..IdSyntax::STRICT };
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
    Ok(strategy.map(|strategy| Trim { strategy, approx, limit }))
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value
/// [field value ...]`
///
/// # Returns
/// The new entry's ID; null with NOMKSTREAM on a missing key.
fn xadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
    ctx.reply.bulk(id.to_text().as_bytes());
    ctx.notify(notify::STREAM, "xadd", key);
    ctx.server.dirty += 1;
    if trimmed > 0 {
        ctx.notify(notify::STREAM, "xtrim", key);
    }
    ctx.signal_ready(key);
    Ok(())
}

/// `XRANGE key start end [COUNT count]`
///
/// # Returns
/// The entries in the range, oldest first.
fn xrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    range_generic(ctx, args, false)
}

/// `XREVRANGE key end start [COUNT count]`
///
/// # Returns
/// The entries in the range, newest first.
fn xrevrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    range_generic(ctx, args, true)
}

/// XRANGE and XREVRANGE.
fn range_generic(ctx: &mut Ctx<'_>, args: &[Bytes], rev: bool) -> CmdResult {
    let (start_arg, end_arg) = if rev { (&args[3], &args[2]) } else { (&args[2], &args[3]) };
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
fn xlen(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
fn xdel(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let Some(stream) = typed::write::<Stream>(ctx.db(), &args[1], now)? else {
        ctx.reply.int(0);
        return Ok(());
    };
    let ids = args[2..].iter().map(|a| strict_id(a)).collect::<CmdResult<Vec<_>>>()?;
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
fn xtrim(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let parsed = parse_add_trim(ctx, args, false)?;
    let now = ctx.now();
    let Some(stream) = typed::write::<Stream>(ctx.db(), &args[1], now)? else {
        ctx.reply.int(0);
        return Ok(());
    };
    let deleted = parsed.trim.map_or(0, |t| stream.trim(&t));
    if deleted > 0 {
        ctx.notify(notify::STREAM, "xtrim", &args[1]);
        ctx.server.dirty += deleted as u64;
    }
    ctx.reply.int(deleted);
    Ok(())
}
