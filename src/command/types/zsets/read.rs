//! Reads of single members and of the whole set that are not ranges: ZCARD, ZSCORE,
//! ZMSCORE, ZRANK, ZREVRANK, ZRANDMEMBER and ZSCAN.

use bytes::Bytes;

use super::shared::{reply_member, reply_members_len, ERR_RANDMEMBER_RANGE};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::typed;
use crate::command::types::random_picks::PickBudget;
use crate::error::{CmdError, CmdResult};
use crate::store::zset::ZSetValue;
use crate::util::glob::glob_match;
use crate::util::numbers::format_double_17g;

/// `ZCARD key`
///
/// # Returns
/// The number of members (0 for a missing key).
pub(super) fn zcard(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
pub(super) fn zscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
pub(super) fn zmscore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
pub(super) fn zrank(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    rank_generic(ctx, args, false)
}

/// `ZREVRANK key member`
///
/// # Returns
/// The 0-based descending rank, or null.
pub(super) fn zrevrank(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    rank_generic(ctx, args, true)
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`
///
/// # Returns
/// One member (or null); with a count, distinct members (positive) or members with
/// repetitions (negative), with scores when asked.
pub(super) fn zrandmember(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
            // WITHSCORES doubles the reply: Redis refuses counts whose double overflows.
            if args.len() == 4 && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&n) {
                return Err(CmdError::raw("ERR value is out of range"));
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
        // Written while small, then deferred: never collected up front.
        let n = count.unsigned_abs();
        reply_members_len(reply, n as usize, withscores);
        let budget = PickBudget::new(reply, session);
        let mut left = n;
        while left > 0 && budget.inline(reply, left, len) {
            if let Some((m, s)) = z.get(server.rng.below(len as u64) as usize) {
                reply_member(reply, &m, s, withscores);
            }
            left -= 1;
        }
        budget.finish(reply, session, &mut server.rng, left, |reply| {
            reply.encode_items(|items| {
                z.for_range(0, len, false, |m, s| {
                    items.item(|reply| reply_member(reply, m, s, withscores))
                })
            })
        });
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
pub(super) fn zscan(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
    reply.scan_header(next, found.len() * 2);
    let mut buf = Vec::new();
    for (m, s) in found {
        reply.bulk(&m);
        buf.clear();
        format_double_17g(s, &mut buf);
        reply.bulk(&buf);
    }
    Ok(())
}
