//! List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT
//! LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH
//! BLMPOP.
//!
//! As in Redis's `t_list.c`, a few generic workers do the work ([`push_generic`],
//! [`pop_generic`], [`move_generic`], [`mpop_generic`], [`blocking_pop_generic`],
//! [`blocking_move_generic`]) and each command is a thin wrapper that parses its
//! arguments. Every list is a [`QuickList`] ("quicklist" in OBJECT ENCODING); a list
//! emptied by a command is deleted with a `del` event.
//!
//! Blocking commands that find nothing to pop park the client with [`Ctx::block`] and
//! write no reply; the reactor runs the same command line again when a key is signalled
//! ready, so the handlers are re-entrant. Every command that can create a list or add
//! elements calls [`Ctx::signal_ready`] (Redis signals when a list key is created, which
//! is the only way a key with waiters can receive elements). Inside MULTI a blocking
//! command answers at once as its non-blocking form would.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, BeginSearch, FindKeys, Group, KeySpec};
use crate::command::core::typed;
use crate::command::state::blocking::{parse_timeout, TimeoutReply};
use crate::command::state::notify;
use crate::error::{c_str, CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::listpack::Entry;
use crate::store::quicklist::{Element, QuickList, Shape};
use crate::store::value::Value;
use crate::store::Db;
use crate::util::numbers::{i64_to_bytes, parse_i64, MAX_I64_CHARS};

/// LSET with an index outside the list.
const ERR_INDEX_OUT_OF_RANGE: &str = "ERR index out of range";
/// LPOS with `RANK 0`.
const ERR_RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
/// LPOS with a negative or non-integer COUNT.
const ERR_COUNT_NEGATIVE: &str = "ERR COUNT can't be negative";
/// LPOS with a negative or non-integer MAXLEN.
const ERR_MAXLEN_NEGATIVE: &str = "ERR MAXLEN can't be negative";
/// LMPOP/BLMPOP with a numkeys below 1 or not an integer.
const ERR_NUMKEYS: &str = "ERR numkeys should be greater than 0";
/// LMPOP/BLMPOP with a COUNT below 1 or not an integer.
const ERR_COUNT_POSITIVE: &str = "ERR count should be greater than 0";

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// An end of a list: LEFT is the head, RIGHT the tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The head (LPUSH, LPOP, LEFT).
    Left,
    /// The tail (RPUSH, RPOP, RIGHT).
    Right,
}

impl End {
    /// The event a push at this end fires.
    fn push_event(self) -> &'static str {
        match self {
            End::Left => "lpush",
            End::Right => "rpush",
        }
    }

    /// The event a pop from this end fires.
    fn pop_event(self) -> &'static str {
        match self {
            End::Left => "lpop",
            End::Right => "rpop",
        }
    }
}

/// Matches an option the way Redis's `strcasecmp` does: on the bytes before any NUL.
fn opt_is(arg: &[u8], option: &str) -> bool {
    args::is(c_str(arg, usize::MAX), option)
}

/// Parses `LEFT` or `RIGHT` (`ERR syntax error` otherwise).
fn parse_end(arg: &[u8]) -> CmdResult<End> {
    if opt_is(arg, "left") {
        Ok(End::Left)
    } else if opt_is(arg, "right") {
        Ok(End::Right)
    } else {
        Err(CmdError::Syntax)
    }
}

/// Parses an integer that must be within `min..`, with one error for anything else
/// (Redis's `getRangeLongFromObjectOrReply` / `getPositiveLongFromObjectOrReply` with a
/// custom message).
fn int_at_least(arg: &[u8], min: i64, err: &str) -> CmdResult<i64> {
    parse_i64(arg)
        .filter(|&n| n >= min)
        .ok_or_else(|| CmdError::raw(err))
}

/// Writes one list element as a bulk string (its node's prefix and its rest joined in
/// the reply).
#[inline]
fn reply_entry(reply: &mut Reply<'_>, element: Element<'_>) {
    let (prefix, rest) = element.split();
    reply_parts(reply, prefix, rest);
}

/// Writes the list element made of `prefix` and the entry `rest` as a bulk string.
#[inline]
fn reply_parts(reply: &mut Reply<'_>, prefix: &[u8], rest: Entry<'_>) {
    match (prefix, rest) {
        (b"", Entry::Bytes(bytes)) => reply.bulk(bytes),
        (b"", Entry::Int(n)) => reply.bulk_int(n),
        (prefix, Entry::Bytes(b"")) => reply.bulk(prefix),
        (prefix, Entry::Bytes(rest)) => reply.bulk_parts(prefix, rest),
        (prefix, Entry::Int(n)) => {
            let mut digits = [0; MAX_I64_CHARS];
            reply.bulk_parts(prefix, i64_to_bytes(n, &mut digits));
        }
    }
}

/// Writes elements as an array.
fn reply_entries<'e>(reply: &mut Reply<'_>, elements: impl ExactSizeIterator<Item = Element<'e>>) {
    reply.array_len(elements.len());
    for element in elements {
        reply_entry(reply, element);
    }
}

/// Pushes `values` one by one at `end`.
fn push_all(list: &mut QuickList, values: &[Bytes], end: End) {
    for value in values {
        match end {
            End::Left => list.push_front(value),
            End::Right => list.push_back(value),
        }
    }
}

/// Pops one element from `end`.
fn pop_one(list: &mut QuickList, end: End) -> Option<Vec<u8>> {
    match end {
        End::Left => list.pop_front(),
        End::Right => list.pop_back(),
    }
}

/// Replies with up to `count` elements taken from `end` (nearest first) as an array and
/// removes them; returns how many were popped.
fn pop_range(reply: &mut Reply<'_>, list: &mut QuickList, end: End, count: u64) -> usize {
    let len = list.len();
    let n = usize::try_from(count).unwrap_or(usize::MAX).min(len);
    if n == 0 {
        reply.array_len(0);
        return 0;
    }
    let start = match end {
        End::Left => 0,
        End::Right => len - n,
    };
    let range = list.range(start as i64, (start + n) as i64 - 1);
    match end {
        End::Left => reply_entries(reply, range),
        End::Right => reply_entries(reply, range.rev()),
    }
    list.remove_range(start, n)
}

/// What follows popping `count` elements from `key` at `end` (Redis's
/// `listElementsRemoved`): the pop event, deletion of an emptied list, dirty.
fn elements_removed(ctx: &mut Ctx<'_>, key: &[u8], end: End, count: usize, emptied: bool) {
    ctx.notify(notify::LIST, end.pop_event(), key);
    if emptied {
        let now = ctx.now();
        ctx.db().remove(key, now);
        ctx.notify(notify::GENERIC, "del", key);
    }
    ctx.server.dirty += count as u64;
}

// ---------------------------------------------------------------------------------------
// Pushes and pops
// ---------------------------------------------------------------------------------------

/// LPUSH/RPUSH/LPUSHX/RPUSHX: pushes `args[2..]` at `end`, creating the list unless
/// `only_existing`; replies with the new length (0 when an X variant found no list).
fn push_generic(ctx: &mut Ctx<'_>, args: &[Bytes], end: End, only_existing: bool) -> CmdResult {
    let key = &args[1];
    let (now, shape) = (ctx.now(), list_shape(ctx));
    let db = ctx.db();
    let len = match typed::write::<QuickList>(db, key, now)? {
        Some(list) => {
            push_all(list, &args[2..], end);
            list.len()
        }
        None if only_existing => {
            ctx.reply.int(0);
            return Ok(());
        }
        None => {
            let mut list = QuickList::shaped(shape);
            push_all(&mut list, &args[2..], end);
            let len = list.len();
            db.insert_new(key, Value::List(Box::new(list)), now);
            len
        }
    };
    ctx.reply.int(len as i64);
    ctx.server.dirty += (args.len() - 2) as u64;
    ctx.signal_ready(key);
    ctx.notify(notify::LIST, end.push_event(), key);
    Ok(())
}

/// `LPUSH key element [element ...]`
fn lpush(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    push_generic(ctx, args, End::Left, false)
}

/// `RPUSH key element [element ...]`
fn rpush(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    push_generic(ctx, args, End::Right, false)
}

/// `LPUSHX key element [element ...]`
fn lpushx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    push_generic(ctx, args, End::Left, true)
}

/// `RPUSHX key element [element ...]`
fn rpushx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    push_generic(ctx, args, End::Right, true)
}

/// LPOP/RPOP: one element as a bulk string, or with a count an array of up to `count`
/// elements (a missing key is a null, or a null array with a count).
fn pop_generic(ctx: &mut Ctx<'_>, args: &[Bytes], end: End) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::wrong_arity(end.pop_event()));
    }
    let count = match args.get(2) {
        Some(arg) => Some(
            parse_i64(arg)
                .filter(|&n| n >= 0)
                .ok_or(CmdError::MustBePositive)?,
        ),
        None => None,
    };
    let key = &args[1];
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(list) = typed::write::<QuickList>(db, key, now)? else {
        match count {
            Some(_) => reply.null_array(),
            None => reply.null(),
        }
        return Ok(());
    };
    let popped = match count {
        Some(0) => {
            reply.array_len(0);
            return Ok(());
        }
        Some(n) => pop_range(reply, list, end, n as u64),
        None => {
            match pop_one(list, end) {
                Some(value) => reply.bulk(&value),
                None => reply.null(),
            }
            1
        }
    };
    let emptied = list.is_empty();
    elements_removed(ctx, key, end, popped, emptied);
    Ok(())
}

/// `LPOP key [count]`
fn lpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    pop_generic(ctx, args, End::Left)
}

/// `RPOP key [count]`
fn rpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    pop_generic(ctx, args, End::Right)
}

/// Pops up to `count` elements from the first non-empty list among `keys` and replies
/// `[key, [elements]]`; true if something was popped. Missing keys are skipped; the
/// first key of another type is an error.
fn mpop_generic(ctx: &mut Ctx<'_>, keys: &[Bytes], end: End, count: u64) -> CmdResult<bool> {
    let now = ctx.now();
    for key in keys {
        let (db, reply) = ctx.db_and_reply();
        let Some(list) = typed::write::<QuickList>(db, key, now)? else {
            continue;
        };
        if list.is_empty() {
            continue;
        }
        reply.array_len(2);
        reply.bulk(key);
        let popped = pop_range(reply, list, end, count);
        let emptied = list.is_empty();
        elements_removed(ctx, key, end, popped, emptied);
        record_as_pop(ctx, key, end, Some(popped as u64));
        return Ok(true);
    }
    Ok(false)
}

/// A pop from a blocking or multi-key command is replayed as LPOP/RPOP of the key it
/// popped from (with the number popped for LMPOP/BLMPOP), as Redis propagates it.
fn record_as_pop(ctx: &mut Ctx<'_>, key: &Bytes, end: End, popped: Option<u64>) {
    if !ctx.propagating() {
        return;
    }
    let name: &'static [u8] = match end {
        End::Left => b"LPOP",
        End::Right => b"RPOP",
    };
    let mut record = vec![Bytes::from_static(name), key.clone()];
    if let Some(popped) = popped {
        record.push(Bytes::from(popped.to_string()));
    }
    ctx.propagate_as(record);
}

/// Parsed LMPOP/BLMPOP arguments after the numkeys position.
struct MpopArgs<'a> {
    keys: &'a [Bytes],
    end: End,
    count: u64,
}

/// Parses `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at `numkeys_idx`.
fn parse_mpop(args: &[Bytes], numkeys_idx: usize) -> CmdResult<MpopArgs<'_>> {
    let numkeys = int_at_least(&args[numkeys_idx], 1, ERR_NUMKEYS)? as u64;
    let available = (args.len() - numkeys_idx - 1) as u64;
    if numkeys >= available {
        return Err(CmdError::Syntax);
    }
    let where_idx = numkeys_idx + 1 + numkeys as usize;
    let end = parse_end(&args[where_idx])?;
    let mut count = None;
    let mut j = where_idx + 1;
    while j < args.len() {
        if count.is_none() && opt_is(&args[j], "count") && j + 1 < args.len() {
            count = Some(int_at_least(&args[j + 1], 1, ERR_COUNT_POSITIVE)? as u64);
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok(MpopArgs {
        keys: &args[numkeys_idx + 1..where_idx],
        end,
        count: count.unwrap_or(1),
    })
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`
fn lmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let parsed = parse_mpop(args, 1)?;
    if !mpop_generic(ctx, parsed.keys, parsed.end, parsed.count)? {
        ctx.reply.null_array();
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------

/// `LLEN key`
fn llen(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let len = typed::read::<QuickList>(db, &args[1], now)?.map_or(0, |list| list.len());
    reply.int(len as i64);
    Ok(())
}

/// `LRANGE key start stop`
fn lrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let start = args::int(&args[2])?;
    let stop = args::int(&args[3])?;
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    match typed::read::<QuickList>(db, &args[1], now)? {
        Some(list) => {
            let (first, count) = list.range_span(start, stop);
            reply.array_len(count);
            list.for_each_span(first, count, |prefix, rest| {
                reply_parts(reply, prefix, rest)
            });
            list.release_copies();
        }
        None => reply.array_len(0),
    }
    Ok(())
}

/// `LINDEX key index`
fn lindex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(list) = typed::read::<QuickList>(db, &args[1], now)? else {
        reply.null();
        return Ok(());
    };
    let index = args::int(&args[2])?;
    match list.entry(index) {
        Some(entry) => reply_entry(reply, entry),
        None => reply.null(),
    }
    list.release_copies();
    Ok(())
}

/// Parsed LPOS options.
struct LposOptions {
    rank: i64,
    count: Option<i64>,
    maxlen: i64,
}

/// Parses `[RANK rank] [COUNT num-matches] [MAXLEN len]` (repeats allowed, last wins).
fn parse_lpos_options(args: &[Bytes]) -> CmdResult<LposOptions> {
    let mut opts = LposOptions {
        rank: 1,
        count: None,
        maxlen: 0,
    };
    let mut j = 3;
    while j < args.len() {
        let more = j + 1 < args.len();
        if more && opt_is(&args[j], "rank") {
            opts.rank = args::int(&args[j + 1])?;
            if opts.rank == 0 {
                return Err(CmdError::raw(ERR_RANK_ZERO));
            }
        } else if more && opt_is(&args[j], "count") {
            opts.count = Some(int_at_least(&args[j + 1], 0, ERR_COUNT_NEGATIVE)?);
        } else if more && opt_is(&args[j], "maxlen") {
            opts.maxlen = int_at_least(&args[j + 1], 0, ERR_MAXLEN_NEGATIVE)?;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 2;
    }
    Ok(opts)
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`
///
/// As in Redis, `RANK -9223372036854775808` negates to itself: the scan runs from the
/// tail and every match counts, so COUNT stops limiting the result.
fn lpos(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = parse_lpos_options(args)?;
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(list) = typed::read::<QuickList>(db, &args[1], now)? else {
        match opts.count {
            Some(_) => reply.array_len(0),
            None => reply.null(),
        }
        return Ok(());
    };
    let (rank, count) = match (opts.rank, opts.count) {
        (i64::MIN, Some(_)) => (-1, 0),
        (i64::MIN, None) => (-1, 1),
        (rank, count) => (rank, count.unwrap_or(1)),
    };
    let maxlen = usize::try_from(opts.maxlen).unwrap_or(usize::MAX);
    let found = list.position(
        &args[2],
        rank,
        usize::try_from(count).unwrap_or(usize::MAX),
        maxlen,
    );
    list.release_copies();
    match (opts.count, found.first()) {
        (Some(_), _) => {
            reply.array_len(found.len());
            for index in found {
                reply.int(index as i64);
            }
        }
        (None, Some(&index)) => reply.int(index as i64),
        (None, None) => reply.null(),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// In-place changes
// ---------------------------------------------------------------------------------------

/// `LSET key index element`
fn lset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let Some(list) = typed::write::<QuickList>(ctx.db(), &args[1], now)? else {
        return Err(CmdError::NoSuchKey);
    };
    let index = args::int(&args[2])?;
    if !list.set(index, &args[3]) {
        return Err(CmdError::raw(ERR_INDEX_OUT_OF_RANGE));
    }
    ctx.reply.ok();
    ctx.notify(notify::LIST, "lset", &args[1]);
    ctx.server.dirty += 1;
    Ok(())
}

/// `LINSERT key BEFORE|AFTER pivot element` — the new length, -1 when the pivot is
/// absent, 0 when the key is.
fn linsert(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let after = if opt_is(&args[2], "after") {
        true
    } else if opt_is(&args[2], "before") {
        false
    } else {
        return Err(CmdError::Syntax);
    };
    let now = ctx.now();
    let Some(list) = typed::write::<QuickList>(ctx.db(), &args[1], now)? else {
        ctx.reply.int(0);
        return Ok(());
    };
    match list.insert(&args[3], &args[4], after) {
        Some(len) => {
            ctx.notify(notify::LIST, "linsert", &args[1]);
            ctx.server.dirty += 1;
            ctx.reply.int(len as i64);
        }
        None => ctx.reply.int(-1),
    }
    Ok(())
}

/// `LREM key count element` — removes the first `count` matches (from the tail when
/// negative, all when 0); replies with how many were removed.
fn lrem(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let count = args::int(&args[2])?;
    let now = ctx.now();
    let Some(list) = typed::write::<QuickList>(ctx.db(), &args[1], now)? else {
        ctx.reply.int(0);
        return Ok(());
    };
    let removed = list.remove(&args[3], count);
    let emptied = list.is_empty();
    if removed > 0 {
        ctx.notify(notify::LIST, "lrem", &args[1]);
        if emptied {
            ctx.db().remove(&args[1], now);
            ctx.notify(notify::GENERIC, "del", &args[1]);
        }
        ctx.server.dirty += removed as u64;
    }
    ctx.reply.int(removed as i64);
    Ok(())
}

/// `LTRIM key start stop` — keeps only the range; an empty range deletes the list.
fn ltrim(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let start = args::int(&args[2])?;
    let stop = args::int(&args[3])?;
    let now = ctx.now();
    let Some(list) = typed::write::<QuickList>(ctx.db(), &args[1], now)? else {
        ctx.reply.ok();
        return Ok(());
    };
    let removed = list.trim(start, stop);
    let emptied = list.is_empty();
    ctx.notify(notify::LIST, "ltrim", &args[1]);
    if emptied {
        ctx.db().remove(&args[1], now);
        ctx.notify(notify::GENERIC, "del", &args[1]);
    }
    if removed == 0 {
        // Redis marks the key modified even when nothing was trimmed.
        let db = ctx.session.db;
        ctx.signal_modified(db, &args[1]);
    }
    ctx.server.dirty += removed as u64;
    ctx.reply.ok();
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Moves
// ---------------------------------------------------------------------------------------

/// LMOVE/RPOPLPUSH: pops from `from` of `args[1]` and pushes at `to` of `args[2]`,
/// replying with the element (null when the source is missing). The destination's type
/// is checked before anything is popped; the same key rotates the list.
fn move_generic(ctx: &mut Ctx<'_>, args: &[Bytes], from: End, to: End) -> CmdResult {
    let (src, dst) = (&args[1], &args[2]);
    let (now, shape) = (ctx.now(), list_shape(ctx));
    let db = ctx.db();
    if typed::write::<QuickList>(db, src, now)?.is_none() {
        ctx.reply.null();
        return Ok(());
    }
    if src != dst {
        typed::write::<QuickList>(db, dst, now)?;
    }
    let Some(list) = typed::write::<QuickList>(db, src, now)? else {
        return Ok(());
    };
    let Some(value) = pop_one(list, from) else {
        return Ok(());
    };
    let mut emptied = false;
    if src == dst {
        match to {
            End::Left => list.push_front(&value),
            End::Right => list.push_back(&value),
        }
    } else {
        emptied = list.is_empty();
        push_value(db, dst, &value, to, shape, now);
        if emptied {
            db.remove(src, now);
        }
    }
    ctx.reply.bulk(&value);
    ctx.signal_ready(dst);
    ctx.notify(notify::LIST, to.push_event(), dst);
    ctx.notify(notify::LIST, from.pop_event(), src);
    if emptied {
        ctx.notify(notify::GENERIC, "del", src);
    }
    ctx.server.dirty += 1;
    Ok(())
}

/// How a list created now is laid out: the node fill and compression depth in force.
pub(crate) fn list_shape(ctx: &Ctx<'_>) -> Shape {
    let config = &ctx.server.config;
    Shape {
        fill: config.list_max_listpack_size,
        depth: config.list_compress_depth,
    }
}

/// Pushes one value at `end` of the list at `key` (already type-checked), creating it.
fn push_value(db: &mut Db, key: &[u8], value: &[u8], end: End, shape: Shape, now: i64) {
    if let Some(Value::List(list)) = db.lookup_write(key, now) {
        match end {
            End::Left => list.push_front(value),
            End::Right => list.push_back(value),
        }
        return;
    }
    let mut list = QuickList::shaped(shape);
    list.push_back(value);
    db.insert_new(key, Value::List(Box::new(list)), now);
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`
fn lmove(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let from = parse_end(&args[3])?;
    let to = parse_end(&args[4])?;
    move_generic(ctx, args, from, to)
}

/// `RPOPLPUSH source destination`
fn rpoplpush(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    move_generic(ctx, args, End::Right, End::Left)
}

// ---------------------------------------------------------------------------------------
// Blocking commands
// ---------------------------------------------------------------------------------------

/// BLPOP/BRPOP: pops one element from the first non-empty list among `keys`, replying
/// `[key, element]`; otherwise blocks on all of them (a null array inside MULTI).
fn blocking_pop_generic(ctx: &mut Ctx<'_>, args: &[Bytes], end: End) -> CmdResult {
    let deadline = parse_timeout(&args[args.len() - 1], ctx.now())?;
    let serving = ctx.session.serving_key.is_some();
    let keys = &args[1..args.len() - 1];
    let now = ctx.now();
    for key in serving_keys(ctx, keys) {
        let (db, reply) = ctx.db_and_reply();
        let Some(list) = ready_list(db, key, now, serving)? else {
            continue;
        };
        let Some(value) = pop_one(list, end) else {
            continue;
        };
        let emptied = list.is_empty();
        reply.array_len(2);
        reply.bulk(key);
        reply.bulk(&value);
        elements_removed(ctx, key, end, 1, emptied);
        record_as_pop(ctx, key, end, None);
        return Ok(());
    }
    block_or_null(ctx, keys, deadline, Immediate::NullArray);
    Ok(())
}

/// The keys a blocking command may pop from: all of them on its first run; only the key
/// that became ready when the reactor serves it (as Redis serves a waiter from the key
/// that received data, not from whichever of its keys happens to be non-empty).
fn serving_keys<'k>(ctx: &Ctx<'_>, keys: &'k [Bytes]) -> impl Iterator<Item = &'k Bytes> + 'k {
    let serving = ctx.session.serving_key.clone();
    keys.iter()
        .filter(move |key| serving.as_ref().is_none_or(|ready| ready == *key))
}

/// The list at `key` for a blocking pop. While being served, a key that stopped being a
/// list is "not ready" (the client keeps waiting) instead of a WRONGTYPE error.
fn ready_list<'a>(
    db: &'a mut Db,
    key: &[u8],
    now: i64,
    serving: bool,
) -> CmdResult<Option<&'a mut QuickList>> {
    match typed::write::<QuickList>(db, key, now) {
        Err(CmdError::WrongType) if serving => Ok(None),
        other => other,
    }
}

/// How a blocking command answers inside MULTI when nothing is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Immediate {
    /// A null array (BLPOP, BRPOP, BLMPOP).
    NullArray,
    /// A null bulk string (BLMOVE, BRPOPLPUSH).
    NullBulk,
}

/// Blocks on `keys` (every list command times out with a null array, as Redis's
/// `replyToBlockedClientTimedOut` does), or inside MULTI answers `immediate` at once.
fn block_or_null(ctx: &mut Ctx<'_>, keys: &[Bytes], deadline: Option<i64>, immediate: Immediate) {
    if ctx.may_block() {
        ctx.block(keys, deadline, TimeoutReply::NullArray);
    } else {
        match immediate {
            Immediate::NullArray => ctx.reply.null_array(),
            Immediate::NullBulk => ctx.reply.null(),
        }
    }
}

/// `BLPOP key [key ...] timeout`
fn blpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    blocking_pop_generic(ctx, args, End::Left)
}

/// `BRPOP key [key ...] timeout`
fn brpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    blocking_pop_generic(ctx, args, End::Right)
}

/// BLMOVE/BRPOPLPUSH: LMOVE when the source has elements, else blocks on the source.
fn blocking_move_generic(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    from: End,
    to: End,
    deadline: Option<i64>,
) -> CmdResult {
    let now = ctx.now();
    let serving = ctx.session.serving_key.is_some();
    if ready_list(ctx.db(), &args[1], now, serving)?.is_some_and(|list| !list.is_empty()) {
        move_generic(ctx, args, from, to)?;
        if ctx.propagating() {
            // Replayed as the non-blocking move, as Redis propagates it.
            let record = if args.len() == 6 {
                let mut record = vec![Bytes::from_static(b"LMOVE")];
                record.extend_from_slice(&args[1..5]);
                record
            } else {
                vec![
                    Bytes::from_static(b"RPOPLPUSH"),
                    args[1].clone(),
                    args[2].clone(),
                ]
            };
            ctx.propagate_as(record);
        }
        return Ok(());
    }
    block_or_null(ctx, &args[1..2], deadline, Immediate::NullBulk);
    Ok(())
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`
fn blmove(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let from = parse_end(&args[3])?;
    let to = parse_end(&args[4])?;
    let deadline = parse_timeout(&args[5], ctx.now())?;
    blocking_move_generic(ctx, args, from, to, deadline)
}

/// `BRPOPLPUSH source destination timeout`
fn brpoplpush(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let deadline = parse_timeout(&args[3], ctx.now())?;
    blocking_move_generic(ctx, args, End::Right, End::Left, deadline)
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`
fn blmpop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let parsed = parse_mpop(args, 2)?;
    let deadline = parse_timeout(&args[1], ctx.now())?;
    let candidates: Vec<Bytes> = serving_keys(ctx, parsed.keys).cloned().collect();
    let served = match mpop_generic(ctx, &candidates, parsed.end, parsed.count) {
        Err(CmdError::WrongType) if ctx.session.serving_key.is_some() => false,
        other => other?,
    };
    if !served {
        block_or_null(ctx, parsed.keys, deadline, Immediate::NullArray);
    }
    Ok(())
}

/// The list family's table: one entry per command, with the flags, key specs, ACL
/// categories and argument structure Redis 7.0 reports (docs text in our own words).
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("lpush", -3, WRITE | DENYOOM | FAST, lpush)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_INSERT)
        .docs(Group::List.doc("Prepends elements to a list, creating it if needed.",
            "1.0.0", "O(1) per element added, so O(N) for N elements.")
            .history(&[("2.4.0", "Takes several `element` arguments.")]).args(KEY_ELEMENTS)),
    CommandSpec::new("rpush", -3, WRITE | DENYOOM | FAST, rpush)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_INSERT)
        .docs(Group::List.doc("Appends elements to a list, creating it if needed.",
            "1.0.0", "O(1) per element added, so O(N) for N elements.")
            .history(&[("2.4.0", "Takes several `element` arguments.")]).args(KEY_ELEMENTS)),
    CommandSpec::new("lpushx", -3, WRITE | DENYOOM | FAST, lpushx)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_INSERT)
        .docs(Group::List.doc("Prepends elements to a list only when the list exists.",
            "2.2.0", "O(1) per element added, so O(N) for N elements.")
            .history(&[("4.0.0", "Takes several `element` arguments.")]).args(KEY_ELEMENTS)),
    CommandSpec::new("rpushx", -3, WRITE | DENYOOM | FAST, rpushx)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_INSERT)
        .docs(Group::List.doc("Appends elements to a list only when the list exists.",
            "2.2.0", "O(1) per element added, so O(N) for N elements.")
            .history(&[("4.0.0", "Takes several `element` arguments.")]).args(KEY_ELEMENTS)),
    CommandSpec::new("lpop", -2, WRITE | FAST, lpop)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_ACCESS_DELETE)
        .docs(Group::List.doc("Removes and returns the first elements of a list.",
            "1.0.0", "O(N) where N is the number of elements popped.")
            .history(&[("6.2.0", "New optional `count` argument.")]).args(LPOP_ARGS)),
    CommandSpec::new("rpop", -2, WRITE | FAST, rpop)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_ACCESS_DELETE)
        .docs(Group::List.doc("Removes and returns the last elements of a list.",
            "1.0.0", "O(N) where N is the number of elements popped.")
            .history(&[("6.2.0", "New optional `count` argument.")]).args(LPOP_ARGS)),
    CommandSpec::new("llen", 2, READONLY | FAST, llen)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::List.doc("Returns the number of elements in a list.", "1.0.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("lrange", 4, READONLY, lrange)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::List.doc("Returns a range of a list's elements.",
            "1.0.0",
            "O(S+N) where S is the distance of the start offset from the nearer end and N the number of elements returned.")
            .args(KEY_START_STOP)),
    CommandSpec::new("lindex", 3, READONLY, lindex)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::List.doc("Returns the element at an index of a list.",
            "1.0.0",
            "O(N) where N is the number of elements walked to reach the index (O(1) at either end).")
            .args(LINDEX_ARGS)),
    CommandSpec::new("lset", 4, WRITE | DENYOOM, lset)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::List.doc("Replaces the element at an index of a list.",
            "1.0.0",
            "O(N) where N is the number of elements walked to reach the index (O(1) at either end).")
            .args(LSET_ARGS)),
    CommandSpec::new("linsert", 5, WRITE | DENYOOM, linsert)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_INSERT)
        .docs(Group::List.doc("Inserts an element before or after the first occurrence of another in a list.",
            "2.2.0", "O(N) where N is the number of elements walked before finding the pivot.")
            .args(LINSERT_ARGS)),
    CommandSpec::new("lrem", 4, WRITE, lrem)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_DELETE)
        .docs(Group::List.doc("Removes occurrences of an element from a list.",
            "1.0.0",
            "O(N+M) where N is the length of the list and M the number of elements removed.")
            .args(LREM_ARGS)),
    CommandSpec::new("ltrim", 4, WRITE, ltrim)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RW_DELETE)
        .docs(Group::List.doc("Trims a list to a range of indexes, deleting it when the range is empty.",
            "1.0.0", "O(N) where N is the number of elements removed.").args(KEY_START_STOP)),
    CommandSpec::new("lpos", -3, READONLY, lpos)
        .acl(acl::LIST)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::List.doc("Returns the indexes of the elements of a list equal to a value.",
            "6.0.6",
            "O(N) where N is the number of elements scanned; O(1) in practice for matches near the scanned end and with MAXLEN.")
            .args(LPOS_ARGS)),
    CommandSpec::new("lmove", 5, WRITE | DENYOOM, lmove)
        .acl(acl::LIST)
        .keys(1, 2, 1, LMOVE_KEYS)
        .docs(Group::List.doc("Pops an element from one end of a list and pushes it at an end of another (or the same) list.",
            "6.2.0", "O(1)").args(LMOVE_ARGS)),
    CommandSpec::new("rpoplpush", 3, WRITE | DENYOOM, rpoplpush)
        .acl(acl::LIST)
        .keys(1, 2, 1, LMOVE_KEYS)
        .docs(Group::List.doc("Pops the last element of a list and prepends it to another (or the same) list.",
            "1.2.0", "O(1)")
            .deprecated("6.2.0", "`LMOVE` with the `RIGHT` and `LEFT` arguments")
            .args(RPOPLPUSH_ARGS)),
    CommandSpec::new("lmpop", -4, WRITE | MOVABLE_KEYS, lmpop)
        .acl(acl::LIST)
        .keys(0, 0, 0, LMPOP_KEYS)
        .docs(Group::List.doc("Pops elements from the first non-empty list among several keys.",
            "7.0.0",
            "O(N+M) where N is the number of keys given and M the number of elements popped.")
            .args(LMPOP_ARGS)),
    CommandSpec::new("blpop", -3, WRITE | NOSCRIPT | BLOCKING, blpop)
        .acl(acl::LIST)
        .keys(1, -2, 1, &[KeySpec::range(&["RW", "access", "delete"], 1, -2, 1)])
        .docs(Group::List.doc("Pops the first element of the first non-empty list among several keys, waiting for one if needed.",
            "2.0.0", "O(N) where N is the number of keys given.")
            .history(&[("6.0.0", "The `timeout` is a double, no longer an integer.")])
            .args(KEYS_TIMEOUT)),
    CommandSpec::new("brpop", -3, WRITE | NOSCRIPT | BLOCKING, brpop)
        .acl(acl::LIST)
        .keys(1, -2, 1, &[KeySpec::range(&["RW", "access", "delete"], 1, -2, 1)])
        .docs(Group::List.doc("Pops the last element of the first non-empty list among several keys, waiting for one if needed.",
            "2.0.0", "O(N) where N is the number of keys given.")
            .history(&[("6.0.0", "The `timeout` is a double, no longer an integer.")])
            .args(KEYS_TIMEOUT)),
    CommandSpec::new("blmove", 6, WRITE | DENYOOM | NOSCRIPT | BLOCKING, blmove)
        .acl(acl::LIST)
        .keys(1, 2, 1, LMOVE_KEYS)
        .docs(Group::List.doc("Moves an element between lists like LMOVE, waiting for the source to have one if needed.",
            "6.2.0", "O(1)").args(BLMOVE_ARGS)),
    CommandSpec::new("brpoplpush", 4, WRITE | DENYOOM | NOSCRIPT | BLOCKING, brpoplpush)
        .acl(acl::LIST)
        .keys(1, 2, 1, LMOVE_KEYS)
        .docs(Group::List.doc("Moves the last element of a list to the head of another like RPOPLPUSH, waiting for one if needed.",
            "2.2.0", "O(1)")
            .history(&[("6.0.0", "The `timeout` is a double, no longer an integer.")])
            .deprecated("6.2.0", "`BLMOVE` with the `RIGHT` and `LEFT` arguments")
            .args(BRPOPLPUSH_ARGS)),
    CommandSpec::new("blmpop", -5, WRITE | BLOCKING | MOVABLE_KEYS, blmpop)
        .acl(acl::LIST)
        .keys(0, 0, 0, BLMPOP_KEYS)
        .docs(Group::List.doc("Pops elements from the first non-empty list among several keys, waiting for one if needed.",
            "7.0.0",
            "O(N+M) where N is the number of keys given and M the number of elements popped.")
            .args(BLMPOP_ARGS)),
];

/// LEFT | RIGHT, the end a list command works at.
const LEFT_RIGHT: &[Arg] = &[Arg::token("left", "LEFT"), Arg::token("right", "RIGHT")];

const KEY_ELEMENTS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("element", ArgType::String).multiple(),
];

const LPOP_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("count", ArgType::Integer)
        .since("6.2.0")
        .optional(),
];

const KEY_START_STOP: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("start", ArgType::Integer),
    Arg::new("stop", ArgType::Integer),
];

const LINDEX_ARGS: &[Arg] = &[Arg::key("key", 0), Arg::new("index", ArgType::Integer)];

const LSET_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("index", ArgType::Integer),
    Arg::new("element", ArgType::String),
];

const LINSERT_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::one_of(
        "where",
        &[Arg::token("before", "BEFORE"), Arg::token("after", "AFTER")],
    ),
    Arg::new("pivot", ArgType::String),
    Arg::new("element", ArgType::String),
];

const LREM_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("count", ArgType::Integer),
    Arg::new("element", ArgType::String),
];

const LPOS_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("element", ArgType::String),
    Arg::new("rank", ArgType::Integer)
        .with_token("RANK")
        .optional(),
    Arg::new("num-matches", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
    Arg::new("len", ArgType::Integer)
        .with_token("MAXLEN")
        .optional(),
];

const LMOVE_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RW", "access", "delete"], 1, 0, 1),
    KeySpec::range(&["RW", "insert"], 2, 0, 1),
];

const LMOVE_ARGS: &[Arg] = &[
    Arg::key("source", 0),
    Arg::key("destination", 1),
    Arg::one_of("wherefrom", LEFT_RIGHT),
    Arg::one_of("whereto", LEFT_RIGHT),
];

const RPOPLPUSH_ARGS: &[Arg] = &[Arg::key("source", 0), Arg::key("destination", 1)];

const LMPOP_KEYS: &[KeySpec] = &[KeySpec {
    flags: &["RW", "access", "delete"],
    begin: BeginSearch::Index(1),
    find: FindKeys::KeyNum {
        key_num_index: 0,
        first_key: 1,
        step: 1,
    },
}];

const LMPOP_ARGS: &[Arg] = &[
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).multiple(),
    Arg::one_of("where", LEFT_RIGHT),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
];

const KEYS_TIMEOUT: &[Arg] = &[
    Arg::key("key", 0).multiple(),
    Arg::new("timeout", ArgType::Double),
];

const BLMOVE_ARGS: &[Arg] = &[
    Arg::key("source", 0),
    Arg::key("destination", 1),
    Arg::one_of("wherefrom", LEFT_RIGHT),
    Arg::one_of("whereto", LEFT_RIGHT),
    Arg::new("timeout", ArgType::Double),
];

const BRPOPLPUSH_ARGS: &[Arg] = &[
    Arg::key("source", 0),
    Arg::key("destination", 1),
    Arg::new("timeout", ArgType::Double),
];

const BLMPOP_KEYS: &[KeySpec] = &[KeySpec {
    flags: &["RW", "access", "delete"],
    begin: BeginSearch::Index(2),
    find: FindKeys::KeyNum {
        key_num_index: 0,
        first_key: 1,
        step: 1,
    },
}];

const BLMPOP_ARGS: &[Arg] = &[
    Arg::new("timeout", ArgType::Double),
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).multiple(),
    Arg::one_of("where", LEFT_RIGHT),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
];
