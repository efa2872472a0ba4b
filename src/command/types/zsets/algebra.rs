//! Sorted-set algebra: ZUNION ZINTER ZDIFF, their STORE forms and ZINTERCARD, with
//! WEIGHTS and AGGREGATE, reading sets as sorted sets of score 1.

use bytes::Bytes;

use super::shared::{reply_member, reply_members_len, store_result};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::store::db::Db;
use crate::store::value::Value;
use crate::util::numbers::parse_i64;

/// Which set operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

/// How scores of the same member combine.
#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// Combines `value` into `target` (a NaN sum becomes 0, as in Redis).
fn aggregate(target: &mut f64, value: f64, agg: Aggregate) {
    match agg {
        Aggregate::Sum => {
            *target += value;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => *target = target.min(value),
        Aggregate::Max => *target = target.max(value),
    }
}

/// One input: its (member, score) pairs (sets score 1) and lookup, plus weight.
struct Input {
    pairs: Vec<(Vec<u8>, f64)>,
    index: std::collections::HashMap<Vec<u8>, f64>,
    weight: f64,
}

/// Reads input `key` (a sorted set or a set), or WRONGTYPE.
fn load_input(db: &mut Db, key: &[u8], now: i64, write: bool) -> CmdResult<Input> {
    let value = if write {
        db.lookup_write(key, now)
    } else {
        db.lookup_read(key, now)
    };
    let pairs = match value {
        None => Vec::new(),
        Some(Value::ZSet(z)) => z.to_vec(),
        Some(Value::Set(s)) => s.iter().map(|m| (m.to_vec(), 1.0)).collect(),
        Some(_) => return Err(CmdError::WrongType),
    };
    let index = pairs.iter().cloned().collect();
    Ok(Input {
        pairs,
        index,
        weight: 1.0,
    })
}

/// Options after the keys: weights, aggregate, withscores, limit.
struct AlgebraOpts {
    agg: Aggregate,
    withscores: bool,
    limit: u64,
}

/// Parses the options after the input keys (Redis's rules, in its order).
fn parse_algebra_opts(
    rest: &[Bytes],
    inputs: &mut [Input],
    op: SetOp,
    store: bool,
    card: bool,
) -> CmdResult<AlgebraOpts> {
    let mut o = AlgebraOpts {
        agg: Aggregate::Sum,
        withscores: false,
        limit: 0,
    };
    let n = inputs.len();
    let mut j = 0;
    while j < rest.len() {
        let remaining = rest.len() - j;
        let a = &rest[j];
        if op != SetOp::Diff && !card && remaining > n && args::is(a, "WEIGHTS") {
            for (i, input) in inputs.iter_mut().enumerate() {
                input.weight = crate::util::numbers::parse_f64(&rest[j + 1 + i])
                    .ok_or(CmdError::raw("ERR weight value is not a float"))?;
            }
            j += 1 + n;
        } else if op != SetOp::Diff && !card && remaining >= 2 && args::is(a, "AGGREGATE") {
            o.agg = match &rest[j + 1] {
                v if args::is(v, "SUM") => Aggregate::Sum,
                v if args::is(v, "MIN") => Aggregate::Min,
                v if args::is(v, "MAX") => Aggregate::Max,
                _ => return Err(CmdError::Syntax),
            };
            j += 2;
        } else if !store && !card && args::is(a, "WITHSCORES") {
            o.withscores = true;
            j += 1;
        } else if card && remaining >= 2 && args::is(a, "LIMIT") {
            let l = parse_i64(&rest[j + 1]).filter(|&l| l >= 0);
            o.limit = l.ok_or(CmdError::raw("ERR LIMIT can't be negative"))? as u64;
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok(o)
}

/// Computes the result of `op` over `inputs`, unordered.
fn compute(inputs: &mut [Input], op: SetOp, agg: Aggregate, limit: u64) -> Vec<(Vec<u8>, f64)> {
    match op {
        SetOp::Diff => {
            let (first, rest) = inputs.split_at(1);
            first[0]
                .pairs
                .iter()
                .filter(|(m, _)| !rest.iter().any(|i| i.index.contains_key(m)))
                .cloned()
                .collect()
        }
        SetOp::Inter => intersect(inputs, agg, limit),
        SetOp::Union => unite(inputs, agg),
    }
}

/// `weight * score`, with NaN (0 * inf) read as 0.
fn weighted(weight: f64, score: f64) -> f64 {
    let v = weight * score;
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

/// The intersection, smallest input first, stopping at `limit` members (0: none).
fn intersect(inputs: &mut [Input], agg: Aggregate, limit: u64) -> Vec<(Vec<u8>, f64)> {
    inputs.sort_by_key(|i| i.pairs.len());
    let (first, rest) = inputs.split_at(1);
    let mut out = Vec::new();
    'outer: for (m, s) in &first[0].pairs {
        let mut score = weighted(first[0].weight, *s);
        for other in rest {
            let Some(v) = other.index.get(m) else {
                continue 'outer;
            };
            // Only the first product is cleaned of NaN, as in Redis.
            aggregate(&mut score, other.weight * *v, agg);
        }
        out.push((m.clone(), score));
        if limit > 0 && out.len() as u64 >= limit {
            break;
        }
    }
    out
}

/// The union, smallest input first.
fn unite(inputs: &mut [Input], agg: Aggregate) -> Vec<(Vec<u8>, f64)> {
    inputs.sort_by_key(|i| i.pairs.len());
    let mut acc: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
    let mut out: Vec<(Vec<u8>, f64)> = Vec::new();
    for input in inputs.iter() {
        for (m, s) in &input.pairs {
            let v = weighted(input.weight, *s);
            match acc.get(m) {
                Some(&i) => aggregate(&mut out[i].1, v, agg),
                None => {
                    acc.insert(m.clone(), out.len());
                    out.push((m.clone(), v));
                }
            }
        }
    }
    out
}

/// The shared worker of ZUNION/ZINTER/ZDIFF(STORE)/ZINTERCARD (Redis's
/// zunionInterDiffGenericCommand); `dst` is the destination of the STORE forms.
fn algebra_generic(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    at: usize,
    op: SetOp,
    store: bool,
    card: bool,
) -> CmdResult {
    let numkeys = args::int(&args[at])?;
    if numkeys < 1 {
        let name = args::lower_name(&args[0]);
        return Err(CmdError::raw(format!(
            "ERR at least 1 input key is needed for '{name}' command"
        )));
    }
    if numkeys as u64 > (args.len() - at - 1) as u64 {
        return Err(CmdError::Syntax);
    }
    let keys = &args[at + 1..at + 1 + numkeys as usize];
    let now = ctx.now();
    let mut inputs = Vec::with_capacity(keys.len());
    for key in keys {
        inputs.push(load_input(ctx.db(), key, now, store)?);
    }
    let opts = parse_algebra_opts(&args[at + 1 + keys.len()..], &mut inputs, op, store, card)?;
    let mut result = compute(&mut inputs, op, opts.agg, if card { opts.limit } else { 0 });
    if card {
        ctx.reply.int(result.len() as i64);
        return Ok(());
    }
    result.sort_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.cmp(&b.0))
    });
    if store {
        let event = match op {
            SetOp::Union => "zunionstore",
            SetOp::Inter => "zinterstore",
            SetOp::Diff => "zdiffstore",
        };
        return store_result(ctx, &args[1], result, event, true);
    }
    let reply = &mut ctx.reply;
    reply_members_len(reply, result.len(), opts.withscores);
    for (m, s) in &result {
        reply_member(reply, m, *s, opts.withscores);
    }
    Ok(())
}

/// `ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
///
/// # Returns
/// The union, ordered by score.
pub(super) fn zunion(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    algebra_generic(ctx, args, 1, SetOp::Union, false, false)
}

/// `ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub(super) fn zinter(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    algebra_generic(ctx, args, 1, SetOp::Inter, false, false)
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`
pub(super) fn zdiff(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    algebra_generic(ctx, args, 1, SetOp::Diff, false, false)
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]`
///
/// # Returns
/// The size of the stored result.
pub(super) fn zunionstore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    algebra_generic(ctx, args, 2, SetOp::Union, true, false)
}

/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]`
pub(super) fn zinterstore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    algebra_generic(ctx, args, 2, SetOp::Inter, true, false)
}

/// `ZDIFFSTORE destination numkeys key [key ...]`
pub(super) fn zdiffstore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    algebra_generic(ctx, args, 2, SetOp::Diff, true, false)
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`
///
/// # Returns
/// The size of the intersection, stopping at LIMIT when given.
pub(super) fn zintercard(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    algebra_generic(ctx, args, 1, SetOp::Inter, false, true)
}
