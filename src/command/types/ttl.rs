//! Expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (with NX XX GT LT), TTL PTTL
//! EXPIRETIME PEXPIRETIME and PERSIST.
//!
//! Deadlines are absolute Unix times in ms kept in the database's expires table. The four
//! setters share one worker, as in Redis: a relative time is added to the command's
//! cached clock, an absolute one to zero, and a deadline that is not in the future
//! deletes the key at once (still replying 1). Reading commands look keys up without
//! touching them, so asking for a TTL does not count as an access.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, Group};
use crate::command::state::notify;
use crate::command::types::keys::{is_opt, lookup_no_touch};
use crate::error::{c_str, one_line, CmdError, CmdResult};

/// NX together with XX, GT or LT.
const ERR_NX_WITH_OTHERS: &str =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
/// GT together with LT.
const ERR_GT_AND_LT: &str = "ERR GT and LT options at the same time are not compatible";
/// Start of the error for an unknown option; the option follows.
const ERR_UNSUPPORTED_OPTION: &[u8] = b"ERR Unsupported option ";

/// The unit of an expire argument.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// Seconds (EXPIRE, EXPIREAT).
    Seconds,
    /// Milliseconds (PEXPIRE, PEXPIREAT).
    Millis,
}

/// The NX/XX/GT/LT conditions of a setter.
#[derive(Default)]
struct Condition {
    /// Only if the key has no TTL.
    nx: bool,
    /// Only if the key has a TTL.
    xx: bool,
    /// Only if the new deadline is later than the current one (none counts as infinite).
    gt: bool,
    /// Only if the new deadline is earlier than the current one (none counts as infinite).
    lt: bool,
}

impl Condition {
    /// Parses the options after the time; repeats are allowed, conflicts are not.
    fn parse(opts: &[Bytes]) -> CmdResult<Condition> {
        let mut cond = Condition::default();
        for opt in opts {
            if is_opt(opt, "nx") {
                cond.nx = true;
            } else if is_opt(opt, "xx") {
                cond.xx = true;
            } else if is_opt(opt, "gt") {
                cond.gt = true;
            } else if is_opt(opt, "lt") {
                cond.lt = true;
            } else {
                let text = [ERR_UNSUPPORTED_OPTION, c_str(opt, usize::MAX)].concat();
                return Err(CmdError::raw(one_line(text)));
            }
        }
        if cond.nx && (cond.xx || cond.gt || cond.lt) {
            return Err(CmdError::raw(ERR_NX_WITH_OTHERS));
        }
        if cond.gt && cond.lt {
            return Err(CmdError::raw(ERR_GT_AND_LT));
        }
        Ok(cond)
    }

    /// True if a key whose deadline is `current` may get the deadline `when`.
    fn allows(&self, current: Option<i64>, when: i64) -> bool {
        !(self.nx && current.is_some()
            || self.xx && current.is_none()
            || self.gt && current.is_none_or(|current| when <= current)
            || self.lt && current.is_some_and(|current| when >= current))
    }
}

/// The absolute deadline in ms for the time argument `arg` counted from `basetime` (ms),
/// or `ERR invalid expire time in '<name>' command` when it overflows.
fn deadline(arg: &[u8], basetime: i64, unit: Unit, name: &str) -> CmdResult<i64> {
    let when = args::int(arg)?;
    let when = match unit {
        Unit::Seconds => when.checked_mul(1000),
        Unit::Millis => Some(when),
    };
    when.and_then(|when| when.checked_add(basetime))
        .ok_or_else(|| CmdError::InvalidExpireTime(name.to_string()))
}

/// EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: `args[2]` in `unit` from `basetime`.
fn expire_generic(
    ctx: &mut Ctx<'_>,
    args: &[Bytes],
    basetime: i64,
    unit: Unit,
    name: &str,
) -> CmdResult {
    let cond = Condition::parse(&args[3..])?;
    let when = deadline(&args[2], basetime, unit, name)?;
    let key = &args[1];
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    if db.lookup_write(key, now).is_none() || !cond.allows(db.expire_at(key), when) {
        ctx.reply.int(0);
        return Ok(());
    }
    let delete = when <= now && ctx.server.deletes_past_deadlines();
    let event = if delete {
        db.remove(key, now);
        "del"
    } else {
        db.set_expire(key, when);
        "expire"
    };
    if ctx.propagating() {
        // Recorded as an absolute deadline (or the deletion), so a replay later
        // sets the same instant.
        let record = if delete {
            vec![ctx.expire_delete_word(), key.clone()]
        } else {
            vec![
                Bytes::from_static(b"PEXPIREAT"),
                key.clone(),
                Bytes::from(when.to_string()),
            ]
        };
        ctx.propagate_as(record);
    }
    ctx.server.dirty += 1;
    ctx.notify(notify::GENERIC, event, key);
    ctx.reply.int(1);
    Ok(())
}

/// `EXPIRE key seconds [NX | XX | GT | LT]`
///
/// # Returns
/// 1 if the TTL was set (or the key deleted because it is not positive), 0 if the key is
/// missing or the condition failed.
fn expire(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    expire_generic(ctx, args, now, Unit::Seconds, "expire")
}

/// `PEXPIRE key milliseconds [NX | XX | GT | LT]` — as EXPIRE, in milliseconds.
fn pexpire(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    expire_generic(ctx, args, now, Unit::Millis, "pexpire")
}

/// `EXPIREAT key unix-time-seconds [NX | XX | GT | LT]` — as EXPIRE, with an absolute
/// Unix time; a time in the past deletes the key.
fn expireat(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    expire_generic(ctx, args, 0, Unit::Seconds, "expireat")
}

/// `PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]` — as EXPIREAT, in ms.
fn pexpireat(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    expire_generic(ctx, args, 0, Unit::Millis, "pexpireat")
}

/// TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing key, -1 without a TTL,
/// otherwise the remaining time (or the deadline when `absolute`) in `unit`, seconds
/// rounded to the nearest.
fn ttl_generic(ctx: &mut Ctx<'_>, args: &[Bytes], unit: Unit, absolute: bool) -> CmdResult {
    let key = &args[1];
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    let exists = lookup_no_touch(db, key, now).is_some();
    let answer = match (exists, db.expire_at(key)) {
        (false, _) => -2,
        (true, None) => -1,
        (true, Some(when)) => {
            let ms = if absolute {
                when
            } else {
                when.saturating_sub(now)
            }
            .max(0);
            match unit {
                Unit::Millis => ms,
                Unit::Seconds => ((i128::from(ms) + 500) / 1000) as i64,
            }
        }
    };
    ctx.reply.int(answer);
    Ok(())
}

/// `TTL key`
///
/// # Returns
/// Seconds left (rounded), -1 if the key has no TTL, -2 if it does not exist.
fn ttl(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, args, Unit::Seconds, false)
}

/// `PTTL key` — as TTL, in milliseconds.
fn pttl(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, args, Unit::Millis, false)
}

/// `EXPIRETIME key`
///
/// # Returns
/// The deadline as a Unix time in seconds (rounded), -1 without a TTL, -2 if missing.
fn expiretime(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, args, Unit::Seconds, true)
}

/// `PEXPIRETIME key` — as EXPIRETIME, in milliseconds.
fn pexpiretime(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, args, Unit::Millis, true)
}

/// `PERSIST key`
///
/// # Returns
/// 1 if the key's TTL was removed, 0 if the key is missing or had none.
fn persist(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let now = ctx.now();
    let db = &mut ctx.dbs[ctx.session.db];
    let removed = db.lookup_write(key, now).is_some() && db.persist(key);
    if removed {
        ctx.server.dirty += 1;
        ctx.notify(notify::GENERIC, "persist", key);
    }
    ctx.reply.int(i64::from(removed));
    Ok(())
}

/// The expiry commands' table: one entry per command, with the flags, key specs, ACL
/// categories and argument structure Redis 7.0 reports (docs text in our own words).
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("expire", -3, WRITE | FAST, expire)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Generic.doc("Sets a key's time to live in seconds.", "1.0.0", "O(1)")
            .history(&[("7.0.0", "Added the `NX`, `XX`, `GT` and `LT` options.")])
            .args(EXPIRE_ARGS)),
    CommandSpec::new("pexpire", -3, WRITE | FAST, pexpire)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Generic.doc("Sets a key's time to live in milliseconds.", "2.6.0", "O(1)")
            .history(&[("7.0.0", "Added the `NX`, `XX`, `GT` and `LT` options.")])
            .args(PEXPIRE_ARGS)),
    CommandSpec::new("expireat", -3, WRITE | FAST, expireat)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Generic.doc("Sets a key to expire at a Unix time in seconds.", "1.2.0", "O(1)")
            .history(&[("7.0.0", "Added the `NX`, `XX`, `GT` and `LT` options.")])
            .args(EXPIREAT_ARGS)),
    CommandSpec::new("pexpireat", -3, WRITE | FAST, pexpireat)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Generic.doc("Sets a key to expire at a Unix time in milliseconds.",
            "2.6.0", "O(1)")
            .history(&[("7.0.0", "Added the `NX`, `XX`, `GT` and `LT` options.")])
            .args(PEXPIREAT_ARGS)),
    CommandSpec::new("ttl", 2, READONLY | FAST, ttl)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Generic.doc("Reports a key's time to live in seconds.", "1.0.0", "O(1)")
            .history(&[("2.8.0", "Replies -2 for a missing key.")]).args(&[Arg::key("key", 0)])),
    CommandSpec::new("pttl", 2, READONLY | FAST, pttl)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Generic.doc("Reports a key's time to live in milliseconds.", "2.6.0", "O(1)")
            .history(&[("2.8.0", "Replies -2 for a missing key.")]).args(&[Arg::key("key", 0)])),
    CommandSpec::new("expiretime", 2, READONLY | FAST, expiretime)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Generic.doc("Reports when a key expires, as a Unix time in seconds.",
            "7.0.0", "O(1)").args(&[Arg::key("key", 0)])),
    CommandSpec::new("pexpiretime", 2, READONLY | FAST, pexpiretime)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Generic.doc("Reports when a key expires, as a Unix time in milliseconds.",
            "7.0.0", "O(1)").args(&[Arg::key("key", 0)])),
    CommandSpec::new("persist", 2, WRITE | FAST, persist)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Generic.doc("Removes a key's time to live.", "2.2.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
];

/// NX | XX | GT | LT, the conditions the four setters take since 7.0.0.
const CONDITION: Arg = Arg::one_of(
    "condition",
    &[
        Arg::token("nx", "NX"),
        Arg::token("xx", "XX"),
        Arg::token("gt", "GT"),
        Arg::token("lt", "LT"),
    ],
)
.since("7.0.0")
.optional();

const EXPIRE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("seconds", ArgType::Integer),
    CONDITION,
];

const PEXPIRE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("milliseconds", ArgType::Integer),
    CONDITION,
];

const EXPIREAT_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("unix-time-seconds", ArgType::UnixTime),
    CONDITION,
];

const PEXPIREAT_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("unix-time-milliseconds", ArgType::UnixTime),
    CONDITION,
];
