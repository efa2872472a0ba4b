//! The range commands. Every range query (by rank, score or lexicographical order) is
//! reduced to a range of 0-based ranks walked ascending or descending, which both
//! encodings serve; ZRANGE and its older forms share one parser and one worker, as
//! Redis's zrangeGenericCommand does. Also ZCOUNT, ZLEXCOUNT and ZREMRANGEBY*.

use bytes::Bytes;

use super::shared::{
    delete_if_empty, reply_member, reply_members_len, store_result, ERR_FLOAT_RANGE, ERR_LEX_RANGE,
    ERR_LIMIT_RANK, ERR_WITHSCORES_LEX,
};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::typed;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::store::zset::ZSetValue;
use crate::util::numbers::parse_f64_lax;

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

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
///
/// # Returns
/// The members in the range (with scores when asked).
pub(super) fn zrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Auto, None, false)
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`
///
/// # Returns
/// The number of members stored.
pub(super) fn zrangestore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 3, RangeKind::Auto, None, true)
}

/// `ZREVRANGE key start stop [WITHSCORES]`
pub(super) fn zrevrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Rank, Some(true), false)
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`
pub(super) fn zrangebyscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Score, Some(false), false)
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`
pub(super) fn zrevrangebyscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Score, Some(true), false)
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`
pub(super) fn zrangebylex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Lex, Some(false), false)
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`
pub(super) fn zrevrangebylex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, 2, RangeKind::Lex, Some(true), false)
}

/// `ZCOUNT key min max`
///
/// # Returns
/// The number of members with scores in the range.
pub(super) fn zcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
pub(super) fn zlexcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
pub(super) fn zremrangebyrank(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, args, RangeKind::Rank, "zremrangebyrank")
}

/// `ZREMRANGEBYSCORE key min max`
pub(super) fn zremrangebyscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, args, RangeKind::Score, "zremrangebyscore")
}

/// `ZREMRANGEBYLEX key min max`
pub(super) fn zremrangebylex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    zremrange_generic(ctx, args, RangeKind::Lex, "zremrangebylex")
}
