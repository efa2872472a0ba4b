//! Sorted set commands: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT
//! ZLEXCOUNT ZRANGE ZRANGESTORE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
//! ZREVRANGEBYLEX ZREVRANGE ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN
//! ZPOPMAX ZMPOP BZPOPMIN BZPOPMAX BZMPOP ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE
//! ZDIFFSTORE ZINTERCARD ZRANDMEMBER ZSCAN.
//!
//! Values are [`ZSetValue`]s. Every range query is reduced to a range of 0-based ranks
//! (`start..end`, walked ascending or descending), which both encodings serve; the
//! ZRANGE family shares one parser and one worker, as Redis's zrangeGenericCommand
//! does, and the pops share one worker like genericZpopCommand.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::typed;
use crate::command::state::blocking::{parse_timeout, TimeoutReply};
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::db::Db;
use crate::store::value::Value;
use crate::store::zset::ZSetValue;
use crate::util::glob::glob_match;
use crate::util::numbers::{format_double_17g, parse_f64_lax, parse_i64};

mod algebra;
mod table;
use algebra::{zdiff, zdiffstore, zinter, zintercard, zinterstore, zunion, zunionstore};
pub use table::COMMANDS;

/// ZADD with both XX and NX.
const ERR_XX_NX: &str = "ERR XX and NX options at the same time are not compatible";
/// ZADD with GT/LT/NX combined.
const ERR_GT_LT_NX: &str = "ERR GT, LT, and/or NX options at the same time are not compatible";
/// ZADD INCR with several pairs.
const ERR_INCR_PAIR: &str = "ERR INCR option supports a single increment-element pair";
/// An increment that yields NaN (inf + -inf).
const ERR_NAN: &str = "ERR resulting score is not a number (NaN)";
/// A bad score bound.
const ERR_FLOAT_RANGE: &str = "ERR min or max is not a float";
/// A bad lex bound.
const ERR_LEX_RANGE: &str = "ERR min or max not valid string range item";
/// ZRANGE ... LIMIT without BYSCORE/BYLEX.
const ERR_LIMIT_RANK: &str =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
/// ZRANGE BYLEX WITHSCORES.
const ERR_WITHSCORES_LEX: &str =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
/// ZPOPMIN/ZPOPMAX count below 0.
const ERR_POSITIVE: &str = "ERR value is out of range, must be positive";
/// ZMPOP/ZINTERCARD/ZUNION numkeys.
const ERR_NUMKEYS: &str = "ERR numkeys should be greater than 0";
/// ZMPOP COUNT.
const ERR_COUNT: &str = "ERR count should be greater than 0";
/// ZRANDMEMBER count of i64::MIN.
const ERR_RANDMEMBER_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

/// Deletes `key` if its sorted set was emptied, firing `del`.
fn delete_if_empty(ctx: &mut Ctx<'_>, key: &[u8]) {
    let now = ctx.now();
    let db = ctx.db();
    let empty = matches!(db.peek(key, now).map(|o| &o.value), Some(Value::ZSet(z)) if z.is_empty());
    if empty {
        db.remove(key, now);
        ctx.notify(notify::GENERIC, "del", key);
    }
}

/// Writes a member and optionally its score; a RESP3 pair is a nested array.
fn reply_member(reply: &mut Reply<'_>, member: &[u8], score: f64, withscores: bool) {
    if withscores && reply.is_resp3() {
        reply.array_len(2);
    }
    reply.bulk(member);
    if withscores {
        reply.double(score);
    }
}

/// Array header for `n` members, flat pairs in RESP2 when `withscores`.
fn reply_members_len(reply: &mut Reply<'_>, n: usize, withscores: bool) {
    reply.array_len(if withscores && !reply.is_resp3() {
        n * 2
    } else {
        n
    });
}

// ---------------------------------------------------------------- ZADD / ZINCRBY

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
            db.insert_new(key, Value::ZSet(Box::new(z)), now);
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
fn zadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, args, false)
}

/// `ZINCRBY key increment member`
///
/// # Returns
/// The new score.
fn zincrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, args, true)
}

// ---------------------------------------------------------------- simple lookups

/// `ZREM key member [member ...]`
///
/// # Returns
/// The number of members removed.
fn zrem(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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

/// `ZCARD key`
///
/// # Returns
/// The number of members (0 for a missing key).
fn zcard(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let n = typed::read::<ZSetValue>(db, &args[1], now)?.map_or(0, |z| z.len());
    reply.int(n as i64);
    Ok(())
}

/// `ZSCORE key member`
///
/// # Returns
/// The score, or null.
fn zscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    match typed::read::<ZSetValue>(db, &args[1], now)?.and_then(|z| z.score(&args[2])) {
        Some(s) => reply.double(s),
        None => reply.null(),
    }
    Ok(())
}

/// `ZMSCORE key member [member ...]`
///
/// # Returns
/// One score or null per member.
fn zmscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let z = typed::read::<ZSetValue>(db, &args[1], now)?;
    reply.array_len(args.len() - 2);
    for m in &args[2..] {
        match z.as_ref().and_then(|z| z.score(m)) {
            Some(s) => reply.double(s),
            None => reply.null(),
        }
    }
    Ok(())
}

/// ZRANK/ZREVRANK worker.
fn rank_generic(ctx: &mut Ctx<'_>, args: &[Bytes], rev: bool) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(z) = typed::read::<ZSetValue>(db, &args[1], now)? else {
        reply.null();
        return Ok(());
    };
    match z.rank(&args[2]) {
        Some(r) if rev => reply.int((z.len() - 1 - r) as i64),
        Some(r) => reply.int(r as i64),
        None => reply.null(),
    }
    Ok(())
}

/// `ZRANK key member`
///
/// # Returns
/// The 0-based ascending rank, or null.
fn zrank(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    rank_generic(ctx, args, false)
}

/// `ZREVRANK key member`
///
/// # Returns
/// The 0-based descending rank, or null.
fn zrevrank(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    rank_generic(ctx, args, true)
}

// ---------------------------------------------------------------- ranges

/// A score range (Redis's zrangespec).
#[derive(Clone, Copy)]
struct ScoreRange {
    min: f64,
    max: f64,
    minex: bool,
    maxex: bool,
}

/// One lex bound (Redis's zlexrangespec item).
#[derive(Clone)]
enum LexBound {
    NegInf,
    PosInf,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

/// Parses one score bound: a lax double, `(` for exclusive.
fn parse_score_bound(arg: &[u8]) -> CmdResult<(f64, bool)> {
    let (text, ex) = match arg.first() {
        Some(b'(') => (&arg[1..], true),
        _ => (arg, false),
    };
    parse_f64_lax(text)
        .map(|v| (v, ex))
        .ok_or(CmdError::raw(ERR_FLOAT_RANGE))
}

/// Parses `min max` as a score range.
fn parse_score_range(min: &[u8], max: &[u8]) -> CmdResult<ScoreRange> {
    let (min, minex) = parse_score_bound(min)?;
    let (max, maxex) = parse_score_bound(max)?;
    Ok(ScoreRange {
        min,
        max,
        minex,
        maxex,
    })
}

/// Parses one lex bound: `-`, `+`, `[x` or `(x`.
fn parse_lex_bound(arg: &[u8]) -> CmdResult<LexBound> {
    match arg {
        b"-" => Ok(LexBound::NegInf),
        b"+" => Ok(LexBound::PosInf),
        [b'[', rest @ ..] => Ok(LexBound::Incl(rest.to_vec())),
        [b'(', rest @ ..] => Ok(LexBound::Excl(rest.to_vec())),
        _ => Err(CmdError::raw(ERR_LEX_RANGE)),
    }
}

/// False when the range is empty by its bounds alone (min above max, or equal with
/// an exclusive side; `-` and `+` count as exclusive), as Redis's zslIsInLexRange.
fn lex_range_valid(min: &LexBound, max: &LexBound) -> bool {
    let part = |b: &LexBound| match b {
        LexBound::NegInf => (0, Vec::new(), true),
        LexBound::Incl(v) => (1, v.clone(), false),
        LexBound::Excl(v) => (1, v.clone(), true),
        LexBound::PosInf => (2, Vec::new(), true),
    };
    let ((a, va, exa), (b, vb, exb)) = (part(min), part(max));
    match (a, &va).cmp(&(b, &vb)) {
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => !(exa || exb),
        std::cmp::Ordering::Less => true,
    }
}

/// True when `m` is at or above the lower bound.
fn lex_gte_min(m: &[u8], min: &LexBound) -> bool {
    match min {
        LexBound::NegInf => true,
        LexBound::PosInf => false,
        LexBound::Incl(v) => m >= v.as_slice(),
        LexBound::Excl(v) => m > v.as_slice(),
    }
}

/// True when `m` is at or below the upper bound.
fn lex_lte_max(m: &[u8], max: &LexBound) -> bool {
    match max {
        LexBound::NegInf => false,
        LexBound::PosInf => true,
        LexBound::Incl(v) => m <= v.as_slice(),
        LexBound::Excl(v) => m < v.as_slice(),
    }
}

/// The ranks `start..end` whose scores fall in `r`.
fn score_ranks(z: &ZSetValue, r: &ScoreRange) -> (usize, usize) {
    let start = z.count_before_score(|s| if r.minex { s <= r.min } else { s < r.min });
    let end = z.count_before_score(|s| if r.maxex { s < r.max } else { s <= r.max });
    (start, end.max(start))
}

/// The ranks in a lex range, found the way Redis walks each encoding (which only
/// matters when scores differ): forward from the first member at or above `min`, or
/// backward from the last at or below `max` when `rev`.
fn lex_ranks(z: &ZSetValue, min: &LexBound, max: &LexBound, rev: bool) -> (usize, usize) {
    lex_ranks_checked(z, min, max, rev, true)
}

/// [`lex_ranks`], with the up-front "is anything in range" test optional: Redis skips
/// it when deleting from a skiplist (ZREMRANGEBYLEX), which matters only when scores
/// differ.
fn lex_ranks_checked(
    z: &ZSetValue,
    min: &LexBound,
    max: &LexBound,
    rev: bool,
    check: bool,
) -> (usize, usize) {
    let len = z.len();
    let member = |r: usize| z.get(r).map(|(m, _)| m.to_vec()).unwrap_or_default();
    let check = check || matches!(z, ZSetValue::Listpack(_));
    let in_range = |len: usize| {
        lex_range_valid(min, max)
            && lex_gte_min(&member(len - 1), min)
            && lex_lte_max(&member(0), max)
    };
    if len == 0 || (check && !in_range(len)) {
        return (0, 0);
    }
    if !rev {
        let first = match z {
            ZSetValue::Listpack(_) => z.position(|m, _| lex_gte_min(m, min)).unwrap_or(len),
            ZSetValue::SkipList { .. } => z.count_before(|m, _| !lex_gte_min(m, min)),
        };
        let mut end = first;
        while end < len && lex_lte_max(&member(end), max) {
            end += 1;
        }
        return (first, end);
    }
    let last = match z {
        ZSetValue::Listpack(_) => z.rposition(|m, _| lex_lte_max(m, max)).map_or(0, |i| i + 1),
        ZSetValue::SkipList { .. } => z.count_before(|m, _| lex_lte_max(m, max)),
    };
    let mut start = last;
    while start > 0 && lex_gte_min(&member(start - 1), min) {
        start -= 1;
    }
    (start, last)
}

/// Applies LIMIT `offset count` to ranks `start..end` walked in `rev` order.
fn apply_limit(start: usize, end: usize, rev: bool, offset: i64, limit: i64) -> (usize, usize) {
    if offset < 0 {
        return (0, 0);
    }
    let avail = end.saturating_sub(start);
    let off = (offset as u64).min(avail as u64) as usize;
    let take = if limit < 0 {
        avail - off
    } else {
        (limit as u64).min((avail - off) as u64) as usize
    };
    if rev {
        (end - off - take, end - off)
    } else {
        (start + off, start + off + take)
    }
}

/// Normalises a rank pair as ZRANGE does; `None` when empty.
fn rank_window(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 {
        (start + len).max(0)
    } else {
        start
    };
    let end = if end < 0 { end + len } else { end };
    if start > end || start >= len {
        return None;
    }
    Some((start as usize, end.min(len - 1) as usize))
}

/// How the range is given.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeKind {
    Auto,
    Rank,
    Score,
    Lex,
}

/// A parsed ZRANGE-family request.
struct RangeRequest {
    kind: RangeKind,
    rev: bool,
    withscores: bool,
    offset: i64,
    limit: i64,
    min: Bytes,
    max: Bytes,
}

/// Parses the ZRANGE-family options after `min max` (at `first`), with the kind and
/// direction fixed by the command or left to the options (Redis's
/// zrangeGenericCommand step 1).
fn parse_range_request(
    args: &[Bytes],
    first: usize,
    kind: RangeKind,
    rev: Option<bool>,
    store: bool,
) -> CmdResult<RangeRequest> {
    let (mut kind, mut dir) = (kind, rev);
    let (mut withscores, mut offset, mut limit) = (false, 0i64, -1i64);
    let mut j = first + 2;
    while j < args.len() {
        let left = args.len() - j - 1;
        let a = &args[j];
        if !store && args::is(a, "WITHSCORES") {
            withscores = true;
        } else if args::is(a, "LIMIT") && left >= 2 {
            offset = args::int(&args[j + 1])?;
            limit = args::int(&args[j + 2])?;
            j += 2;
        } else if dir.is_none() && args::is(a, "REV") {
            dir = Some(true);
        } else if kind == RangeKind::Auto && args::is(a, "BYLEX") {
            kind = RangeKind::Lex;
        } else if kind == RangeKind::Auto && args::is(a, "BYSCORE") {
            kind = RangeKind::Score;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let rev = dir.unwrap_or(false);
    if kind == RangeKind::Auto {
        kind = RangeKind::Rank;
    }
    if limit != -1 && kind == RangeKind::Rank {
        return Err(CmdError::raw(ERR_LIMIT_RANK));
    }
    if withscores && kind == RangeKind::Lex {
        return Err(CmdError::raw(ERR_WITHSCORES_LEX));
    }
    let (mut min, mut max) = (args[first].clone(), args[first + 1].clone());
    if rev && kind != RangeKind::Rank {
        std::mem::swap(&mut min, &mut max);
    }
    Ok(RangeRequest {
        kind,
        rev,
        withscores,
        offset,
        limit,
        min,
        max,
    })
}

/// A validated range, before the key is looked at.
enum ParsedRange {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexBound, LexBound),
}

/// Parses the bounds of a request (Redis's step 2), raising the range errors.
fn parse_bounds(req: &RangeRequest) -> CmdResult<ParsedRange> {
    Ok(match req.kind {
        RangeKind::Score => ParsedRange::Score(parse_score_range(&req.min, &req.max)?),
        RangeKind::Lex => ParsedRange::Lex(parse_lex_bound(&req.min)?, parse_lex_bound(&req.max)?),
        _ => ParsedRange::Rank(args::int(&req.min)?, args::int(&req.max)?),
    })
}

/// The ranks `start..end` a request selects in `z`, walked descending when `req.rev`.
fn request_ranks(z: &ZSetValue, req: &RangeRequest, range: &ParsedRange) -> (usize, usize) {
    match range {
        ParsedRange::Rank(s, e) => match rank_window(*s, *e, z.len()) {
            Some((s, e)) if req.rev => (z.len() - 1 - e, z.len() - s),
            Some((s, e)) => (s, e + 1),
            None => (0, 0),
        },
        ParsedRange::Score(r) => {
            let (s, e) = score_ranks(z, r);
            apply_limit(s, e, req.rev, req.offset, req.limit)
        }
        ParsedRange::Lex(min, max) => {
            let (s, e) = lex_ranks(z, min, max, req.rev);
            apply_limit(s, e, req.rev, req.offset, req.limit)
        }
    }
}

/// The shared ZRANGE-family worker: replies with the selected members, or stores them
/// at `args[1]` when `store` (ZRANGESTORE).
fn zrange_generic(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    first: usize,
    kind: RangeKind,
    rev: Option<bool>,
    store: bool,
) -> CmdResult {
    let req = parse_range_request(args, first, kind, rev, store)?;
    let range = parse_bounds(&req)?;
    let now = ctx.now();
    let src = &args[first - 1];
    let (db, reply) = ctx.db_and_reply();
    let z = if store {
        typed::write::<ZSetValue>(db, src, now)?
    } else {
        typed::read::<ZSetValue>(db, src, now)?
    };
    if store {
        let picked = z.map(|z| {
            let (s, e) = request_ranks(z, &req, &range);
            let mut out = Vec::with_capacity(e - s);
            z.for_range(s, e, req.rev, |m, sc| out.push((m.to_vec(), sc)));
            out
        });
        return store_result(
            ctx,
            &args[1],
            picked.unwrap_or_default(),
            "zrangestore",
            false,
        );
    }
    let Some(z) = z else {
        reply.array_len(0);
        return Ok(());
    };
    let (s, e) = request_ranks(z, &req, &range);
    reply_members_len(reply, e.saturating_sub(s), req.withscores);
    z.for_range(s, e, req.rev, |m, sc| {
        reply_member(reply, m, sc, req.withscores)
    });
    Ok(())
}

/// Stores `members` (ascending or any order) as a new sorted set at `dst`, replacing
/// what was there; an empty result deletes `dst`. Replies with the size.
fn store_result(
    ctx: &mut Ctx<'_>,
    dst: &Bytes,
    members: Vec<(Vec<u8>, f64)>,
    event: &'static str,
    shrink: bool,
) -> CmdResult {
    let now = ctx.now();
    let lim = (
        ctx.server.config.zset_max_listpack_entries,
        ctx.server.config.zset_max_listpack_value,
    );
    let n = members.len();
    if n == 0 {
        if ctx.db().remove(dst, now).is_some() {
            ctx.notify(notify::GENERIC, "del", dst);
            ctx.server.dirty += 1;
        }
        ctx.reply.int(0);
        return Ok(());
    }
    let mut z = ZSetValue::new_listpack();
    for (m, s) in &members {
        if shrink {
            z.convert_to_skiplist();
        }
        z.insert(m, *s, lim.0, lim.1);
    }
    if shrink {
        z.shrink_if_fits(lim.0, lim.1);
    }
    ctx.db().set(dst, Value::ZSet(Box::new(z)), false, now);
    ctx.notify(notify::ZSET, event, dst);
    ctx.signal_ready(dst);
    ctx.server.dirty += 1;
    ctx.reply.int(n as i64);
    Ok(())
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
///
/// # Returns
/// The members in the range (with scores when asked).
fn zrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Auto, None, false)
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`
///
/// # Returns
/// The number of members stored.
fn zrangestore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 3, RangeKind::Auto, None, true)
}

/// `ZREVRANGE key start stop [WITHSCORES]`
fn zrevrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Rank, Some(true), false)
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`
fn zrangebyscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Score, Some(false), false)
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`
fn zrevrangebyscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Score, Some(true), false)
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`
fn zrangebylex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Lex, Some(false), false)
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`
fn zrevrangebylex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Lex, Some(true), false)
}

/// `ZCOUNT key min max`
///
/// # Returns
/// The number of members with scores in the range.
fn zcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let range = parse_score_range(&args[2], &args[3])?;
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let n = typed::read::<ZSetValue>(db, &args[1], now)?.map_or(0, |z| {
        let (s, e) = score_ranks(z, &range);
        e - s
    });
    reply.int(n as i64);
    Ok(())
}

/// `ZLEXCOUNT key min max`
///
/// # Returns
/// The number of members in the lex range.
fn zlexcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (min, max) = (parse_lex_bound(&args[2])?, parse_lex_bound(&args[3])?);
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let n = typed::read::<ZSetValue>(db, &args[1], now)?.map_or(0, |z| {
        let (s, e) = lex_ranks(z, &min, &max, false);
        e - s
    });
    reply.int(n as i64);
    Ok(())
}

/// The shared ZREMRANGEBY* worker (Redis's zremrangeGenericCommand).
fn zremrange_generic(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    kind: RangeKind,
    event: &'static str,
) -> CmdResult {
    let range = match kind {
        RangeKind::Score => ParsedRange::Score(parse_score_range(&args[2], &args[3])?),
        RangeKind::Lex => ParsedRange::Lex(parse_lex_bound(&args[2])?, parse_lex_bound(&args[3])?),
        _ => ParsedRange::Rank(args::int(&args[2])?, args::int(&args[3])?),
    };
    let now = ctx.now();
    let Some(z) = typed::write::<ZSetValue>(ctx.db(), &args[1], now)? else {
        ctx.reply.int(0);
        return Ok(());
    };
    let (s, e) = match &range {
        ParsedRange::Rank(s, e) => rank_window(*s, *e, z.len()).map_or((0, 0), |(s, e)| (s, e + 1)),
        ParsedRange::Score(r) => score_ranks(z, r),
        ParsedRange::Lex(min, max) => lex_ranks_checked(z, min, max, false, false),
    };
    let removed = z.remove_range(s, e);
    if removed > 0 {
        ctx.notify(notify::ZSET, event, &args[1]);
        delete_if_empty(ctx, &args[1]);
        ctx.server.dirty += removed as u64;
    }
    ctx.reply.int(removed as i64);
    Ok(())
}

/// `ZREMRANGEBYRANK key start stop`
///
/// # Returns
/// The number of members removed.
fn zremrangebyrank(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, args, RangeKind::Rank, "zremrangebyrank")
}

/// `ZREMRANGEBYSCORE key min max`
fn zremrangebyscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, args, RangeKind::Score, "zremrangebyscore")
}

/// `ZREMRANGEBYLEX key min max`
fn zremrangebylex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, args, RangeKind::Lex, "zremrangebylex")
}

// ---------------------------------------------------------------- pops

/// How a pop replies (Redis's genericZpopCommand arguments).
#[derive(Clone, Copy)]
struct PopShape {
    max: bool,
    emit_key: bool,
    nested: bool,
    nil_when_empty: bool,
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
    };
    pop_generic(ctx, &args[1..2], count.unwrap_or(-1), shape).map(|_| ())
}

/// `ZPOPMIN key [count]`
///
/// # Returns
/// The popped members with scores (nested pairs in RESP3 when a count is given).
fn zpopmin(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zpop_minmax(ctx, args, false)
}

/// `ZPOPMAX key [count]`
fn zpopmax(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
fn zmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (keys, max, count) = parse_mpop(args, 1)?;
    let shape = PopShape {
        max,
        emit_key: true,
        nested: true,
        nil_when_empty: true,
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
    };
    blocking_pop(ctx, &args[1..args.len() - 1], deadline, -1, shape)
}

/// `BZPOPMIN key [key ...] timeout`
///
/// # Returns
/// `[key, member, score]`, or null on timeout.
fn bzpopmin(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    bzpop_minmax(ctx, args, false)
}

/// `BZPOPMAX key [key ...] timeout`
fn bzpopmax(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    bzpop_minmax(ctx, args, true)
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`
///
/// # Returns
/// As ZMPOP, or null on timeout.
fn bzmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (keys, max, count) = parse_mpop(args, 2)?;
    let deadline = parse_timeout(&args[1], ctx.now())?;
    let shape = PopShape {
        max,
        emit_key: true,
        nested: true,
        nil_when_empty: true,
    };
    blocking_pop(ctx, keys, deadline, count, shape)
}

// ---------------------------------------------------------------- random / scan

/// `ZRANDMEMBER key [count [WITHSCORES]]`
///
/// # Returns
/// One member (or null); with a count, distinct members (positive) or members with
/// repetitions (negative), with scores when asked.
fn zrandmember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let count = match args.get(2) {
        None => None,
        Some(a) => {
            let n = args::int(a)?;
            if n == i64::MIN {
                return Err(CmdError::raw(ERR_RANDMEMBER_RANGE));
            }
            if args.len() > 4 || (args.len() == 4 && !args::is(&args[3], "WITHSCORES")) {
                return Err(CmdError::Syntax);
            }
            Some(n)
        }
    };
    let withscores = args.len() == 4;
    let now = ctx.now();
    let Ctx {
        dbs,
        server,
        session,
        reply,
        ..
    } = ctx;
    let Some(z) = typed::read::<ZSetValue>(&mut dbs[session.db], &args[1], now)? else {
        if count.is_some() {
            reply.array_len(0);
        } else {
            reply.null();
        }
        return Ok(());
    };
    let Some(count) = count else {
        let r = server.rng.below(z.len() as u64) as usize;
        match z.get(r) {
            Some((m, _)) => reply.bulk(&m),
            None => reply.null(),
        }
        return Ok(());
    };
    let len = z.len();
    if count < 0 {
        // Streamed: a huge count must not be collected up front.
        let n = count.unsigned_abs();
        reply_members_len(reply, n as usize, withscores);
        for _ in 0..n {
            if let Some((m, s)) = z.get(server.rng.below(len as u64) as usize) {
                reply_member(reply, &m, s, withscores);
            }
        }
        return Ok(());
    }
    let ranks = distinct_ranks(count as u64, len, &mut || server.rng.next_u64());
    reply_members_len(reply, ranks.len(), withscores);
    for r in ranks {
        if let Some((m, s)) = z.get(r) {
            reply_member(reply, &m, s, withscores);
        }
    }
    Ok(())
}

/// `count` distinct random ranks out of `len`: all of them, last first, when `count`
/// covers the set (Redis's reply order then), else random picks.
fn distinct_ranks(count: u64, len: usize, rng: &mut impl FnMut() -> u64) -> Vec<usize> {
    if count >= len as u64 {
        return (0..len).rev().collect();
    }
    let mut picked = std::collections::HashSet::new();
    let mut out = Vec::new();
    while (out.len() as u64) < count {
        let r = (rng() % len as u64) as usize;
        if picked.insert(r) {
            out.push(r);
        }
    }
    out
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`
///
/// # Returns
/// `[next cursor, [member, score, ...]]`; a listpack is returned whole (cursor 0).
fn zscan(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let cursor = args::scan_cursor(&args[2])?;
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(z) = typed::read::<ZSetValue>(db, &args[1], now)? else {
        reply.array_len(2);
        reply.bulk(b"0");
        reply.array_len(0);
        return Ok(());
    };
    let args::ScanOptions { pattern, count, .. } = args::ScanOptions::parse(&args[3..], false)?;
    let mut found: Vec<(Vec<u8>, f64)> = Vec::new();
    let next = z.scan(cursor, count, |m, s| {
        if pattern.is_none_or(|p| glob_match(p, m, false)) {
            found.push((m.to_vec(), s));
        }
    });
    reply.array_len(2);
    reply.bulk(next.to_string().as_bytes());
    reply.array_len(found.len() * 2);
    let mut buf = Vec::new();
    for (m, s) in found {
        reply.bulk(&m);
        buf.clear();
        format_double_17g(s, &mut buf);
        reply.bulk(&buf);
    }
    Ok(())
}
