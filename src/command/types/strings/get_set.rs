//! GET, SET and their variants (SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET
//! MSETNX), around the generic workers `get_generic`, `set_generic` and `mset_generic`,
//! with the expiry options SET and GETEX share.

use bytes::Bytes;

use super::shared::{opt_is, reply_string, with_string};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::store::value::Value;

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
    // Only NX and XX ask whether the key exists; otherwise the lookup would only
    // delete an expired key first (lazy expiry), which the deadline table alone decides.
    let found = if o.nx || o.xx {
        db.lookup_write(key, now).is_some()
    } else {
        db.expire_if_needed(key, now);
        false
    };
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
        if ctx.propagating() {
            // A relative TTL is recorded as the instant it ends, as Redis does.
            let record = vec![
                Bytes::from_static(b"SET"),
                Bytes::copy_from_slice(key),
                value.clone(),
                Bytes::from_static(b"PXAT"),
                Bytes::from(when.to_string()),
            ];
            ctx.propagate_as(record);
        }
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
pub(super) fn get(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_generic(ctx, &args[1])
}

/// `SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | KEEPTTL]`
///
/// # Returns
/// `+OK`, null when NX/XX stopped the write, or with GET the old value (or null).
pub(super) fn set(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = parse_set_options(&args[3..], OptionGrammar::Set)?;
    set_generic(ctx, &args[1], &args[2], &opts, "set", SetReply::OkOrNull)
}

/// `SETNX key value`
///
/// # Returns
/// `:1` if the key was set, `:0` if it already existed.
pub(super) fn setnx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = SetOptions {
        nx: true,
        ..SetOptions::default()
    };
    set_generic(ctx, &args[1], &args[2], &opts, "setnx", SetReply::OneOrZero)
}

/// `SETEX key seconds value`
pub(super) fn setex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = SetOptions {
        expire: Some((ExpireUnit::Ex, &args[2][..])),
        ..SetOptions::default()
    };
    set_generic(ctx, &args[1], &args[3], &opts, "setex", SetReply::OkOrNull)
}

/// `PSETEX key milliseconds value`
pub(super) fn psetex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = SetOptions {
        expire: Some((ExpireUnit::Px, &args[2][..])),
        ..SetOptions::default()
    };
    set_generic(ctx, &args[1], &args[3], &opts, "psetex", SetReply::OkOrNull)
}

/// `GETSET key value` — sets the value (dropping any TTL) and replies with the old one.
pub(super) fn getset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_generic(ctx, &args[1])?;
    let now = ctx.now();
    ctx.db()
        .set(&args[1], Value::string_from_arg(&args[2]), false, now);
    ctx.server.dirty += 1;
    ctx.notify(notify::STRING, "set", &args[1]);
    Ok(())
}

/// `GETDEL key` — replies with the value and deletes the key.
pub(super) fn getdel(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_generic(ctx, &args[1])?;
    let now = ctx.now();
    if ctx.db().remove(&args[1], now).is_some() {
        ctx.server.dirty += 1;
        ctx.notify(notify::GENERIC, "del", &args[1]);
        if ctx.propagating() {
            // Replayed as the deletion it is (UNLINK under lazyfree-lazy-user-del).
            let del: &'static [u8] = if ctx.server.config.lazyfree.user_del {
                b"UNLINK"
            } else {
                b"DEL"
            };
            ctx.propagate_as(vec![Bytes::from_static(del), args[1].clone()]);
        }
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
pub(super) fn getex(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = parse_set_options(&args[2..], OptionGrammar::GetEx)?;
    let key = &args[1][..];
    let now = ctx.now();
    let deletes_past = ctx.server.deletes_past_deadlines();
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
        Some((unit, when)) if !unit.is_relative() && when <= now && deletes_past => {
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
    if ctx.propagating() {
        let key = Bytes::copy_from_slice(key);
        let record = match (event, deadline) {
            ("del", _) => vec![ctx.expire_delete_word(), key],
            ("expire", Some((_, when))) => {
                vec![
                    Bytes::from_static(b"PEXPIREAT"),
                    key,
                    Bytes::from(when.to_string()),
                ]
            }
            _ => vec![Bytes::from_static(b"PERSIST"), key],
        };
        ctx.propagate_as(record);
    }
    ctx.server.dirty += 1;
    ctx.notify(notify::GENERIC, event, key);
    Ok(())
}

/// `MGET key [key ...]`
///
/// # Returns
/// An array with each key's value, null for missing keys and keys of other types.
pub(super) fn mget(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
pub(super) fn mset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    mset_generic(ctx, args, false)
}

/// `MSETNX key value [key value ...]` — sets all keys only if none exists; `:1` or `:0`.
pub(super) fn msetnx(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    mset_generic(ctx, args, true)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
