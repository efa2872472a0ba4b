//! String commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX
//! APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE SUBSTR SETRANGE LCS.
//!
//! As in Redis's `t_string.c`, a few generic workers ([`set_generic`], [`get_generic`],
//! [`incr_decr`], [`mset_generic`], [`get_range`]) do the work and each command is a thin
//! wrapper that parses its arguments. Integer-looking values are stored int-encoded;
//! APPEND and SETRANGE leave a "raw" string behind, INCRBYFLOAT an "embstr"/"raw" one,
//! exactly as Redis's OBJECT ENCODING reports them.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::state::notify;
use crate::error::{c_str, CmdError, CmdResult};
use crate::protocol::reply::{format_i64, itoa_buf, SHARED_CHUNK_MIN};
use crate::protocol::Reply;
use crate::store::bstr::Bstr;
use crate::store::value::Value;
use crate::util::longdouble::{incr_by_float, LongDoubleError};
use crate::util::numbers::parse_i64;

mod table;
pub use table::COMMANDS;

/// DECRBY with `i64::MIN`, whose negation overflows.
const ERR_DECREMENT_OVERFLOW: &str = "ERR decrement would overflow";
/// SETRANGE with a negative offset.
const ERR_OFFSET_OUT_OF_RANGE: &str = "ERR offset is out of range";
/// LCS on a key that holds another type.
const ERR_LCS_NOT_STRINGS: &str = "ERR The specified keys must contain string values";
/// LCS with both LEN and IDX.
const ERR_LCS_LEN_AND_IDX: &str =
    "ERR If you want both the length and indexes, please just use IDX.";
/// LCS on strings whose length does not fit its 32-bit table entries.
const ERR_LCS_TOO_LONG: &str = "ERR String too long for LCS";
/// LCS whose table would be larger than proto-max-bulk-len.
const ERR_LCS_TABLE_LIMIT: &str =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
/// LCS whose table could not be allocated.
const ERR_LCS_ALLOC: &str = "ERR Insufficient memory, failed allocating transient memory for LCS";

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// Runs `f` on a string value's bytes (integers as their decimal text).
///
/// # Errors
/// `WRONGTYPE` when the value is not a string.
fn with_string<R>(value: &Value, f: impl FnOnce(&[u8]) -> R) -> CmdResult<R> {
    match value {
        Value::Int(n) => {
            let mut digits = itoa_buf();
            Ok(f(format_i64(*n, &mut digits)))
        }
        Value::Str(s) | Value::RawStr(s) => Ok(f(s.as_slice())),
        #[allow(unreachable_patterns)]
        _ => Err(CmdError::WrongType),
    }
}

/// Replies with a string value as a bulk string; large values are queued without a copy.
///
/// # Errors
/// `WRONGTYPE` when the value is not a string.
fn reply_string(reply: &mut Reply<'_>, value: &Value) -> CmdResult {
    match value {
        Value::Int(n) => reply.bulk_int(*n),
        Value::Str(s) | Value::RawStr(s) if s.len() >= SHARED_CHUNK_MIN => {
            reply.bulk_bytes(&s.to_bytes())
        }
        Value::Str(s) | Value::RawStr(s) => reply.bulk(s.as_slice()),
        #[allow(unreachable_patterns)]
        _ => return Err(CmdError::WrongType),
    }
    Ok(())
}

/// A string value's bytes as shared `Bytes` (cheap for large values).
fn string_bytes(value: &Value) -> CmdResult<Bytes> {
    match value {
        Value::Str(s) | Value::RawStr(s) => Ok(s.to_bytes()),
        other => with_string(other, Bytes::copy_from_slice),
    }
}

/// Takes a string value apart into an owned buffer to grow in place (APPEND, SETRANGE).
fn into_vec(value: Value) -> Vec<u8> {
    match value {
        Value::Str(Bstr::Heap(boxed)) | Value::RawStr(Bstr::Heap(boxed)) => boxed.into_vec(),
        Value::Str(Bstr::Shared(shared)) | Value::RawStr(Bstr::Shared(shared)) => {
            Vec::from(*shared)
        }
        other => with_string(&other, <[u8]>::to_vec).unwrap_or_default(),
    }
}

/// The integer a string value holds, for the INCR family.
///
/// # Errors
/// `WRONGTYPE`, or `ERR value is not an integer or out of range`.
fn int_of(value: &Value) -> CmdResult<i64> {
    match value {
        Value::Int(n) => Ok(*n),
        other => with_string(other, parse_i64)?.ok_or(CmdError::NotInteger),
    }
}

/// Byte length of a string value (STRLEN and SETRANGE's reply).
fn string_len(value: &Value) -> CmdResult<usize> {
    with_string(value, <[u8]>::len)
}

/// Matches an option the way Redis's `strcasecmp` does: on the bytes before any NUL.
fn opt_is(arg: &[u8], option: &str) -> bool {
    args::is(c_str(arg, usize::MAX), option)
}

/// Redis's `checkStringLength`: a string of `size` bytes growing by `append` must stay
/// within proto-max-bulk-len.
fn check_string_length(ctx: &Ctx<'_>, size: u64, append: u64) -> CmdResult {
    let limit = u64::try_from(ctx.server.config.proto_max_bulk_len).unwrap_or(0);
    match size.checked_add(append) {
        Some(total) if total <= limit => Ok(()),
        _ => Err(CmdError::StringTooLong),
    }
}

// ---------------------------------------------------------------------------------------
// Expire times and SET/GETEX options
// ---------------------------------------------------------------------------------------

/// The unit and base of an expire argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpireUnit {
    /// `EX seconds` (relative).
    Ex,
    /// `PX milliseconds` (relative).
    Px,
    /// `EXAT unix-seconds`.
    ExAt,
    /// `PXAT unix-milliseconds`.
    PxAt,
}

impl ExpireUnit {
    fn in_seconds(self) -> bool {
        matches!(self, ExpireUnit::Ex | ExpireUnit::ExAt)
    }

    fn is_relative(self) -> bool {
        matches!(self, ExpireUnit::Ex | ExpireUnit::Px)
    }
}

/// Converts an expire argument to an absolute deadline in ms, as Redis's
/// `getExpireMillisecondsOrReply` does (including its wrap-around on overflow, which
/// then fails the positivity check).
///
/// # Errors
/// `ERR value is not an integer or out of range`, or
/// `ERR invalid expire time in '<cmd>' command` for zero, negative or overflowing times.
fn expire_deadline(arg: &[u8], unit: ExpireUnit, now: i64, cmd: &str) -> CmdResult<i64> {
    let invalid = || CmdError::InvalidExpireTime(cmd.to_string());
    let mut when = args::int(arg)?;
    if when <= 0 || (unit.in_seconds() && when > i64::MAX / 1000) {
        return Err(invalid());
    }
    if unit.in_seconds() {
        when *= 1000;
    }
    if unit.is_relative() {
        when = when.wrapping_add(now);
    }
    if when <= 0 {
        return Err(invalid());
    }
    Ok(when)
}

/// Options of SET (and the subset GETEX accepts).
#[derive(Debug, Default, Clone, Copy)]
struct SetOptions<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expire: Option<(ExpireUnit, &'a [u8])>,
}

/// Which command's option grammar to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OptionGrammar {
    /// SET: NX XX GET KEEPTTL EX PX EXAT PXAT.
    Set,
    /// GETEX: PERSIST EX PX EXAT PXAT.
    GetEx,
}

/// Parses SET/GETEX options with Redis's rules: conflicting options are a syntax error,
/// repeating the same one is allowed (the last expire wins).
///
/// # Errors
/// `ERR syntax error`.
fn parse_set_options(opts: &[Bytes], grammar: OptionGrammar) -> CmdResult<SetOptions<'_>> {
    let mut o = SetOptions::default();
    let is_set = grammar == OptionGrammar::Set;
    let mut i = 0;
    while i < opts.len() {
        let opt = &opts[i][..];
        let next = opts.get(i + 1).map(|b| &b[..]);
        let expire_unit = [
            ("EX", ExpireUnit::Ex),
            ("PX", ExpireUnit::Px),
            ("EXAT", ExpireUnit::ExAt),
            ("PXAT", ExpireUnit::PxAt),
        ]
        .into_iter()
        .find(|(name, _)| opt_is(opt, name))
        .map(|(_, unit)| unit);
        if is_set && opt_is(opt, "NX") && !o.xx {
            o.nx = true;
        } else if is_set && opt_is(opt, "XX") && !o.nx {
            o.xx = true;
        } else if is_set && opt_is(opt, "GET") {
            o.get = true;
        } else if is_set && opt_is(opt, "KEEPTTL") && o.expire.is_none() {
            o.keep_ttl = true;
        } else if !is_set && opt_is(opt, "PERSIST") && o.expire.is_none() {
            o.persist = true;
        } else if let (Some(unit), Some(value)) = (expire_unit, next) {
            if o.keep_ttl || o.persist || o.expire.is_some_and(|(other, _)| other != unit) {
                return Err(CmdError::Syntax);
            }
            o.expire = Some((unit, value));
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------
// GET / SET family
// ---------------------------------------------------------------------------------------

/// How a SET-like command reports success and an NX/XX abort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetReply {
    /// `+OK` / null (SET, SETEX, PSETEX).
    OkOrNull,
    /// `:1` / `:0` (SETNX).
    OneOrZero,
}

/// Replies with the string at `key`, or null when it is missing (Redis's
/// `getGenericCommand`).
///
/// # Errors
/// `WRONGTYPE` when the key holds another type.
fn get_generic(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    match db.lookup_read(key, now) {
        Some(value) => reply_string(reply, value),
        None => {
            reply.null();
            Ok(())
        }
    }
}

/// The worker behind SET, SETNX, SETEX and PSETEX (Redis's `setGenericCommand`).
fn set_generic(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    value: &Bytes,
    o: &SetOptions<'_>,
    cmd: &str,
    kind: SetReply,
) -> CmdResult {
    let now = ctx.now();
    let deadline = match o.expire {
        Some((unit, arg)) => Some(expire_deadline(arg, unit, now, cmd)?),
        None => None,
    };
    if o.get {
        get_generic(ctx, key)?;
    }
    let db = ctx.db();
    let found = db.lookup_write(key, now).is_some();
    if (o.nx && found) || (o.xx && !found) {
        if !o.get {
            match kind {
                SetReply::OkOrNull => ctx.reply.null(),
                SetReply::OneOrZero => ctx.reply.int(0),
            }
        }
        return Ok(());
    }
    db.set(key, Value::string_from_arg(value), o.keep_ttl, now);
    ctx.server.dirty += 1;
    ctx.notify(notify::STRING, "set", key);
    if let Some(when) = deadline {
        ctx.db().set_expire(key, when);
        ctx.notify(notify::GENERIC, "expire", key);
    }
    if !o.get {
        match kind {
            SetReply::OkOrNull => ctx.reply.ok(),
            SetReply::OneOrZero => ctx.reply.int(1),
        }
    }
    Ok(())
}

/// `GET key`
///
/// # Returns
/// The value as a bulk string, or null when the key does not exist.
fn get(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_generic(ctx, &args[1])
}

/// `SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | KEEPTTL]`
///
/// # Returns
/// `+OK`, null when NX/XX stopped the write, or with GET the old value (or null).
fn set(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = parse_set_options(&args[3..], OptionGrammar::Set)?;
    set_generic(ctx, &args[1], &args[2], &opts, "set", SetReply::OkOrNull)
}

/// `SETNX key value`
///
/// # Returns
/// `:1` if the key was set, `:0` if it already existed.
fn setnx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = SetOptions {
        nx: true,
        ..SetOptions::default()
    };
    set_generic(ctx, &args[1], &args[2], &opts, "setnx", SetReply::OneOrZero)
}

/// `SETEX key seconds value`
fn setex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = SetOptions {
        expire: Some((ExpireUnit::Ex, &args[2][..])),
        ..SetOptions::default()
    };
    set_generic(ctx, &args[1], &args[3], &opts, "setex", SetReply::OkOrNull)
}

/// `PSETEX key milliseconds value`
fn psetex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = SetOptions {
        expire: Some((ExpireUnit::Px, &args[2][..])),
        ..SetOptions::default()
    };
    set_generic(ctx, &args[1], &args[3], &opts, "psetex", SetReply::OkOrNull)
}

/// `GETSET key value` — sets the value (dropping any TTL) and replies with the old one.
fn getset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_generic(ctx, &args[1])?;
    let now = ctx.now();
    ctx.db()
        .set(&args[1], Value::string_from_arg(&args[2]), false, now);
    ctx.server.dirty += 1;
    ctx.notify(notify::STRING, "set", &args[1]);
    Ok(())
}

/// `GETDEL key` — replies with the value and deletes the key.
fn getdel(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_generic(ctx, &args[1])?;
    let now = ctx.now();
    if ctx.db().remove(&args[1], now).is_some() {
        ctx.server.dirty += 1;
        ctx.notify(notify::GENERIC, "del", &args[1]);
    }
    Ok(())
}

/// `GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | PERSIST]`
///
/// # Returns
/// The value (or null), after which the TTL is set, removed, or — for an absolute time
/// already past — the key deleted. A missing key replies null before the expire
/// argument is even validated, as in Redis.
fn getex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = parse_set_options(&args[2..], OptionGrammar::GetEx)?;
    let key = &args[1][..];
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(value) = db.lookup_read(key, now) else {
        reply.null();
        return Ok(());
    };
    with_string(value, |_| ())?;
    let deadline = match opts.expire {
        Some((unit, arg)) => Some((unit, expire_deadline(arg, unit, now, "getex")?)),
        None => None,
    };
    reply_string(reply, value)?;
    let event = match deadline {
        Some((unit, when)) if !unit.is_relative() && when <= now => {
            db.remove(key, now);
            "del"
        }
        Some((_, when)) => {
            db.set_expire(key, when);
            "expire"
        }
        None if opts.persist && db.persist(key) => "persist",
        None => return Ok(()),
    };
    ctx.server.dirty += 1;
    ctx.notify(notify::GENERIC, event, key);
    Ok(())
}

/// `MGET key [key ...]`
///
/// # Returns
/// An array with each key's value, null for missing keys and keys of other types.
fn mget(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    reply.array_len(args.len() - 1);
    for key in &args[1..] {
        match db.lookup_read(key, now) {
            Some(value) if value.is_string() => reply_string(reply, value)?,
            _ => reply.null(),
        }
    }
    Ok(())
}

/// The worker behind MSET and MSETNX (Redis's `msetGenericCommand`).
fn mset_generic(ctx: &mut Ctx<'_>, args: &[Bytes], nx: bool) -> CmdResult {
    if args.len().is_multiple_of(2) {
        return Err(CmdError::wrong_arity(if nx { "msetnx" } else { "mset" }));
    }
    let now = ctx.now();
    let db = ctx.db();
    if nx
        && args[1..]
            .iter()
            .step_by(2)
            .any(|key| db.lookup_write(key, now).is_some())
    {
        ctx.reply.int(0);
        return Ok(());
    }
    for pair in args[1..].chunks_exact(2) {
        ctx.db()
            .set(&pair[0], Value::string_from_arg(&pair[1]), false, now);
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    ctx.server.dirty += (args.len() as u64 - 1) / 2;
    if nx {
        ctx.reply.int(1);
    } else {
        ctx.reply.ok();
    }
    Ok(())
}

/// `MSET key value [key value ...]` — replies `+OK`.
fn mset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    mset_generic(ctx, args, false)
}

/// `MSETNX key value [key value ...]` — sets all keys only if none exists; `:1` or `:0`.
fn msetnx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    mset_generic(ctx, args, true)
}

// ---------------------------------------------------------------------------------------
// APPEND / STRLEN / SETRANGE / GETRANGE
// ---------------------------------------------------------------------------------------

/// `APPEND key value`
///
/// # Returns
/// The length of the string after the append. A missing key is created as SET would
/// (int-encoded when it can be); an existing one becomes a "raw" string.
fn append(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (key, tail) = (&args[1], &args[2]);
    let now = ctx.now();
    let old_len = match ctx.db().lookup_write(key, now) {
        None => None,
        Some(value) => Some(string_len(value)?),
    };
    let Some(old_len) = old_len else {
        ctx.db().insert_new(key, Value::string_from_arg(tail), now);
        ctx.server.dirty += 1;
        ctx.notify(notify::STRING, "append", key);
        ctx.reply.int(tail.len() as i64);
        return Ok(());
    };
    check_string_length(ctx, old_len as u64, tail.len() as u64)?;
    let total = grow_string(ctx, key, |buf| buf.extend_from_slice(tail));
    ctx.server.dirty += 1;
    ctx.notify(notify::STRING, "append", key);
    ctx.reply.int(total as i64);
    Ok(())
}

/// Rewrites the existing string at `key` in place as a "raw" string and returns its new
/// length.
fn grow_string(ctx: &mut Ctx<'_>, key: &[u8], edit: impl FnOnce(&mut Vec<u8>)) -> usize {
    let now = ctx.now();
    let Some(slot) = ctx.db().lookup_write(key, now) else {
        return 0;
    };
    let mut buf = into_vec(std::mem::replace(slot, Value::Int(0)));
    edit(&mut buf);
    let len = buf.len();
    *slot = Value::RawStr(Bstr::from_vec(buf));
    len
}

/// `STRLEN key` — the string's length in bytes, 0 for a missing key.
fn strlen(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let len = match db.lookup_read(&args[1], now) {
        Some(value) => string_len(value)?,
        None => 0,
    };
    reply.int(len as i64);
    Ok(())
}

/// `SETRANGE key offset value`
///
/// # Returns
/// The string's length afterwards. Gaps are zero-filled; an empty value changes nothing
/// (and creates no key).
fn setrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (key, patch) = (&args[1], &args[3]);
    let offset = args::int(&args[2])?;
    let offset = u64::try_from(offset).map_err(|_| CmdError::raw(ERR_OFFSET_OUT_OF_RANGE))?;
    let now = ctx.now();
    let old_len = match ctx.db().lookup_write(key, now) {
        None => None,
        Some(value) => Some(string_len(value)?),
    };
    if patch.is_empty() {
        ctx.reply.int(old_len.unwrap_or(0) as i64);
        return Ok(());
    }
    check_string_length(ctx, offset, patch.len() as u64)?;
    // Fits in usize: bounded by proto-max-bulk-len, itself a size we could allocate.
    let start = offset as usize;
    let splice = |buf: &mut Vec<u8>| {
        let end = start + patch.len();
        if buf.len() < end {
            buf.resize(end, 0);
        }
        buf[start..end].copy_from_slice(patch);
    };
    let total = if old_len.is_some() {
        grow_string(ctx, key, splice)
    } else {
        let mut buf = Vec::new();
        splice(&mut buf);
        let len = buf.len();
        ctx.db()
            .insert_new(key, Value::RawStr(Bstr::from_vec(buf)), now);
        len
    };
    ctx.server.dirty += 1;
    ctx.notify(notify::STRING, "setrange", key);
    ctx.reply.int(total as i64);
    Ok(())
}

/// The byte range `start..=end` (Redis's inclusive, negative-from-the-end indexes) of
/// a string of `len` bytes, or `None` when it is empty.
fn clamp_range(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let len = len as i64;
    let from_end = |index: i64| {
        if index < 0 {
            (len + index).max(0)
        } else {
            index
        }
    };
    let (start, end) = (from_end(start), from_end(end).min(len - 1));
    if start > end || len == 0 {
        return None;
    }
    Some((start as usize, end as usize))
}

/// The worker behind GETRANGE and SUBSTR.
fn get_range(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let start = args::int(&args[2])?;
    let end = args::int(&args[3])?;
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(value) = db.lookup_read(&args[1], now) else {
        reply.bulk(b"");
        return Ok(());
    };
    with_string(value, |bytes| match clamp_range(bytes.len(), start, end) {
        Some((from, to)) => reply.bulk(&bytes[from..=to]),
        None => reply.bulk(b""),
    })
}

/// `GETRANGE key start end` — the substring between two inclusive offsets.
fn getrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_range(ctx, args)
}

/// `SUBSTR key start end` — the deprecated name of GETRANGE.
fn substr(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_range(ctx, args)
}

// ---------------------------------------------------------------------------------------
// INCR family
// ---------------------------------------------------------------------------------------

/// Adds `by` to the integer at `key` (0 when missing), keeping its TTL (Redis's
/// `incrDecrCommand`).
///
/// # Returns
/// The new value as an integer reply.
/// Integers `0..SHARED_INTEGERS` are shared objects in Redis (OBJECT REFCOUNT).
const SHARED_INTEGERS: i64 = 10_000;

fn incr_decr(ctx: &mut Ctx<'_>, key: &[u8], by: i64) -> CmdResult {
    let now = ctx.now();
    let db = ctx.db();
    let new = match db.lookup_write_object(key, now) {
        Some(obj) => {
            let new = int_of(&obj.value)?
                .checked_add(by)
                .ok_or(CmdError::Overflow)?;
            obj.value = Value::Int(new);
            // Redis answers with a shared object whenever the result is a small integer.
            obj.unshared &= !(0..SHARED_INTEGERS).contains(&new);
            new
        }
        None => {
            db.insert_new(key, Value::Int(by), now);
            by
        }
    };
    ctx.server.dirty += 1;
    ctx.notify(notify::STRING, "incrby", key);
    ctx.reply.int(new);
    Ok(())
}

/// `INCR key`
fn incr(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    incr_decr(ctx, &args[1], 1)
}

/// `DECR key`
fn decr(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    incr_decr(ctx, &args[1], -1)
}

/// `INCRBY key increment`
fn incrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let by = args::int(&args[2])?;
    incr_decr(ctx, &args[1], by)
}

/// `DECRBY key decrement` (`i64::MIN` is refused: its negation overflows).
fn decrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let by = args::int(&args[2])?;
    let by = by
        .checked_neg()
        .ok_or(CmdError::raw(ERR_DECREMENT_OVERFLOW))?;
    incr_decr(ctx, &args[1], by)
}

/// `INCRBYFLOAT key increment` — adds in C long double precision, stores the sum as a
/// string (keeping the TTL) and replies with it as a bulk string.
fn incrbyfloat(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (key, incr) = (&args[1], &args[2]);
    let now = ctx.now();
    let db = ctx.db();
    let float_err = |err: LongDoubleError| match err {
        LongDoubleError::ResultNotFinite => CmdError::NanOrInfinity,
        LongDoubleError::NotFloat => CmdError::NotFloat,
        other => CmdError::raw(other.to_string()),
    };
    let text = match db.lookup_write(key, now) {
        Some(slot) => {
            let text =
                with_string(slot, |current| incr_by_float(current, incr))?.map_err(float_err)?;
            *slot = Value::Str(Bstr::from_slice(&text));
            text
        }
        None => {
            let text = incr_by_float(b"0", incr).map_err(float_err)?;
            db.insert_new(key, Value::Str(Bstr::from_slice(&text)), now);
            text
        }
    };
    ctx.server.dirty += 1;
    ctx.notify(notify::STRING, "incrbyfloat", key);
    ctx.reply.bulk(&text);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// LCS
// ---------------------------------------------------------------------------------------

/// LCS options.
#[derive(Debug, Default, Clone, Copy)]
struct LcsOptions {
    len: bool,
    idx: bool,
    with_match_len: bool,
    min_match_len: u64,
}

/// Parses LCS options.
///
/// # Errors
/// `ERR syntax error`, a non-integer MINMATCHLEN, or both LEN and IDX.
fn parse_lcs_options(opts: &[Bytes]) -> CmdResult<LcsOptions> {
    let mut o = LcsOptions::default();
    let mut i = 0;
    while i < opts.len() {
        let opt = &opts[i][..];
        if opt_is(opt, "IDX") {
            o.idx = true;
        } else if opt_is(opt, "LEN") {
            o.len = true;
        } else if opt_is(opt, "WITHMATCHLEN") {
            o.with_match_len = true;
        } else if opt_is(opt, "MINMATCHLEN") && i + 1 < opts.len() {
            o.min_match_len = args::int(&opts[i + 1])?.max(0) as u64;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if o.idx && o.len {
        return Err(CmdError::raw(ERR_LCS_LEN_AND_IDX));
    }
    Ok(o)
}

/// The dynamic-programming table: `table[i * (b.len() + 1) + j]` is the LCS length of
/// `a[..i]` and `b[..j]`.
///
/// # Errors
/// Redis's LCS memory errors when the table would exceed proto-max-bulk-len or cannot
/// be allocated.
fn lcs_table(a: &[u8], b: &[u8], limit: i64) -> CmdResult<Vec<u32>> {
    if a.len() as u64 >= u64::from(u32::MAX - 1) || b.len() as u64 >= u64::from(u32::MAX - 1) {
        return Err(CmdError::raw(ERR_LCS_TOO_LONG));
    }
    let cells = (a.len() as u64 + 1) * (b.len() as u64 + 1);
    let bytes = cells.checked_mul(4).ok_or(CmdError::raw(ERR_LCS_ALLOC))?;
    if bytes > u64::try_from(limit).unwrap_or(0) {
        return Err(CmdError::raw(ERR_LCS_TABLE_LIMIT));
    }
    let cells = usize::try_from(cells).map_err(|_| CmdError::raw(ERR_LCS_ALLOC))?;
    let mut table: Vec<u32> = Vec::new();
    table
        .try_reserve_exact(cells)
        .map_err(|_| CmdError::raw(ERR_LCS_ALLOC))?;
    table.resize(cells, 0);
    let width = b.len() + 1;
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            table[i * width + j] = if a[i - 1] == b[j - 1] {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    Ok(table)
}

/// One matching range: positions in `a`, positions in `b` (inclusive), its length.
type LcsMatch = ((u32, u32), (u32, u32), u32);

/// Walks the table back from the end, collecting the common subsequence and the
/// matching ranges from last to first, as Redis reports them.
fn lcs_walk(a: &[u8], b: &[u8], table: &[u32], min_len: u64) -> (Vec<u8>, Vec<LcsMatch>) {
    let width = b.len() + 1;
    let total = table[a.len() * width + b.len()] as usize;
    let mut text = vec![0u8; total];
    let mut matches = Vec::new();
    let (mut i, mut j, mut idx) = (a.len(), b.len(), total);
    // The range being extended backwards: (a_start, a_end, b_start, b_end).
    let mut range: Option<(usize, usize, usize, usize)> = None;
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            text[idx - 1] = a[i - 1];
            range = match range {
                None => Some((i - 1, i - 1, j - 1, j - 1)),
                Some((sa, ea, sb, eb)) if sa == i && sb == j => Some((sa - 1, ea, sb - 1, eb)),
                Some(r) => {
                    emit = true;
                    Some(r)
                }
            };
            if range.is_some_and(|(sa, _, sb, _)| sa == 0 || sb == 0) {
                emit = true;
            }
            (idx, i, j) = (idx - 1, i - 1, j - 1);
        } else {
            if table[(i - 1) * width + j] > table[i * width + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            emit = range.is_some();
        }
        if let (true, Some((sa, ea, sb, eb))) = (emit, range) {
            let len = (ea - sa + 1) as u64;
            if len >= min_len {
                matches.push(((sa as u32, ea as u32), (sb as u32, eb as u32), len as u32));
            }
            range = None;
        }
    }
    (text, matches)
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]`
///
/// # Returns
/// The longest common subsequence; with LEN its length; with IDX a map of `matches`
/// (ranges in both strings, last first, optionally with their lengths) and `len`.
/// Missing keys count as empty strings.
fn lcs(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let db = ctx.db();
    let not_strings = || CmdError::raw(ERR_LCS_NOT_STRINGS);
    let a = db
        .lookup_read(&args[1], now)
        .map(|v| string_bytes(v).map_err(|_| not_strings()))
        .transpose();
    let b = db
        .lookup_read(&args[2], now)
        .map(|v| string_bytes(v).map_err(|_| not_strings()))
        .transpose();
    let (a, b) = (a?.unwrap_or_default(), b?.unwrap_or_default());
    let opts = parse_lcs_options(&args[3..])?;
    let table = lcs_table(&a, &b, ctx.server.config.proto_max_bulk_len)?;
    if opts.len {
        ctx.reply.int(i64::from(table[table.len() - 1]));
        return Ok(());
    }
    let (text, matches) = lcs_walk(&a, &b, &table, opts.min_match_len);
    if !opts.idx {
        ctx.reply.bulk(&text);
        return Ok(());
    }
    reply_lcs_matches(&mut ctx.reply, &matches, opts.with_match_len, text.len());
    Ok(())
}

/// LCS IDX's reply: a map of `matches` (each `[[a_from, a_to], [b_from, b_to]]`, plus
/// the match length with WITHMATCHLEN) and `len`.
fn reply_lcs_matches(reply: &mut Reply<'_>, matches: &[LcsMatch], with_len: bool, total: usize) {
    reply.map_len(2);
    reply.bulk(b"matches");
    reply.array_len(matches.len());
    for &((a_from, a_to), (b_from, b_to), len) in matches {
        reply.array_len(2 + usize::from(with_len));
        for (from, to) in [(a_from, a_to), (b_from, b_to)] {
            reply.array_len(2);
            reply.int(i64::from(from));
            reply.int(i64::from(to));
        }
        if with_len {
            reply.int(i64::from(len));
        }
    }
    reply.bulk(b"len");
    reply.int(total as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamp_range_matches_redis() {
        assert_eq!(clamp_range(11, 0, 4), Some((0, 4)));
        assert_eq!(clamp_range(11, -5, -1), Some((6, 10)));
        assert_eq!(clamp_range(11, -1, -5), None);
        assert_eq!(clamp_range(11, 5, 1), None);
        assert_eq!(clamp_range(11, 0, -100), Some((0, 0)));
        assert_eq!(clamp_range(11, -100, -100), Some((0, 0)));
        assert_eq!(clamp_range(11, 100, 200), None);
        assert_eq!(clamp_range(11, i64::MIN, i64::MAX), Some((0, 10)));
        assert_eq!(clamp_range(0, 0, -1), None);
        assert_eq!(clamp_range(0, 0, 0), None);
    }

    #[test]
    fn expire_deadlines() {
        let now = 1_700_000_000_000;
        assert_eq!(
            expire_deadline(b"10", ExpireUnit::Ex, now, "set"),
            Ok(now + 10_000)
        );
        assert_eq!(expire_deadline(b"10", ExpireUnit::PxAt, now, "set"), Ok(10));
        assert!(expire_deadline(b"9223372036854775", ExpireUnit::Ex, now, "set").is_err());
        assert_eq!(
            expire_deadline(b"9223372036854775", ExpireUnit::ExAt, now, "set"),
            Ok(9_223_372_036_854_775_000)
        );
        assert!(expire_deadline(b"9223372036854775807", ExpireUnit::Px, now, "set").is_err());
        assert_eq!(
            expire_deadline(b"x", ExpireUnit::Px, now, "set"),
            Err(CmdError::NotInteger)
        );
    }

    #[test]
    fn lcs_walk_reports_ranges_last_first() {
        let (a, b) = (b"ohmytext", b"mynewtext");
        let table = lcs_table(a, b, 1 << 20).unwrap_or_default();
        let (text, matches) = lcs_walk(a, b, &table, 0);
        assert_eq!(text, b"mytext");
        assert_eq!(matches, vec![((4, 7), (5, 8), 4), ((2, 3), (0, 1), 2)]);
    }
}
