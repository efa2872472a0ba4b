//! What several sorted-set files share: the family's error texts, the member reply
//! shapes (flat pairs in RESP2, nested pairs in RESP3), deleting an emptied set, and
//! storing a computed result (ZRANGESTORE and the algebra's STORE forms).

use bytes::Bytes;

use crate::command::core::command::Ctx;
use crate::command::state::notify;
use crate::error::CmdResult;
use crate::protocol::Reply;
use crate::store::value::Value;
use crate::store::zset::ZSetValue;

/// ZADD with both XX and NX.
pub(super) const ERR_XX_NX: &str = "ERR XX and NX options at the same time are not compatible";
/// ZADD with GT/LT/NX combined.
pub(super) const ERR_GT_LT_NX: &str =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
/// ZADD INCR with several pairs.
pub(super) const ERR_INCR_PAIR: &str = "ERR INCR option supports a single increment-element pair";
/// An increment that yields NaN (inf + -inf).
pub(super) const ERR_NAN: &str = "ERR resulting score is not a number (NaN)";
/// A bad score bound.
pub(super) const ERR_FLOAT_RANGE: &str = "ERR min or max is not a float";
/// A bad lex bound.
pub(super) const ERR_LEX_RANGE: &str = "ERR min or max not valid string range item";
/// ZRANGE ... LIMIT without BYSCORE/BYLEX.
pub(super) const ERR_LIMIT_RANK: &str =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
/// ZRANGE BYLEX WITHSCORES.
pub(super) const ERR_WITHSCORES_LEX: &str =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
/// ZPOPMIN/ZPOPMAX count below 0.
pub(super) const ERR_POSITIVE: &str = "ERR value is out of range, must be positive";
/// ZMPOP/ZINTERCARD/ZUNION numkeys.
pub(super) const ERR_NUMKEYS: &str = "ERR numkeys should be greater than 0";
/// ZMPOP COUNT.
pub(super) const ERR_COUNT: &str = "ERR count should be greater than 0";
/// ZRANDMEMBER count of i64::MIN.
pub(super) const ERR_RANDMEMBER_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

/// Deletes `key` if its sorted set was emptied, firing `del`.
pub(super) fn delete_if_empty(ctx: &mut Ctx<'_>, key: &[u8]) {
    let now = ctx.now();
    let db = ctx.db();
    let empty = matches!(db.peek(key, now).map(|o| &o.value), Some(Value::ZSet(z)) if z.is_empty());
    if empty {
        db.remove(key, now);
        ctx.notify(notify::GENERIC, "del", key);
    }
}

/// Writes a member and optionally its score; a RESP3 pair is a nested array.
pub(super) fn reply_member(reply: &mut Reply<'_>, member: &[u8], score: f64, withscores: bool) {
    if withscores && reply.is_resp3() {
        reply.array_len(2);
    }
    reply.bulk(member);
    if withscores {
        reply.double(score);
    }
}

/// Array header for `n` members, flat pairs in RESP2 when `withscores`.
pub(super) fn reply_members_len(reply: &mut Reply<'_>, n: usize, withscores: bool) {
    reply.array_len(if withscores && !reply.is_resp3() {
        n * 2
    } else {
        n
    });
}

/// Stores `members` (ascending or any order) as a new sorted set at `dst`, replacing
/// what was there; an empty result deletes `dst`. Replies with the size.
pub(super) fn store_result(
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
    ctx.db().set(dst, Value::ZSet(z), false, now);
    ctx.notify(notify::ZSET, event, dst);
    ctx.signal_ready(dst);
    ctx.server.dirty += 1;
    ctx.reply.int(n as i64);
    Ok(())
}
