//! INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT: strings used as numbers, through one
//! integer worker as Redis's incrDecrCommand.

use bytes::Bytes;

use super::shared::{int_of, with_string};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::store::bstr::Bstr;
use crate::store::value::Value;
use crate::util::longdouble::{incr_by_float, LongDoubleError};

/// DECRBY with `i64::MIN`, whose negation overflows.
const ERR_DECREMENT_OVERFLOW: &str = "ERR decrement would overflow";

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
pub(super) fn incr(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    incr_decr(ctx, &args[1], 1)
}

/// `DECR key`
pub(super) fn decr(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    incr_decr(ctx, &args[1], -1)
}

/// `INCRBY key increment`
pub(super) fn incrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let by = args::int(&args[2])?;
    incr_decr(ctx, &args[1], by)
}

/// `DECRBY key decrement` (`i64::MIN` is refused: its negation overflows).
pub(super) fn decrby(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let by = args::int(&args[2])?;
    let by = by
        .checked_neg()
        .ok_or(CmdError::raw(ERR_DECREMENT_OVERFLOW))?;
    incr_decr(ctx, &args[1], by)
}

/// `INCRBYFLOAT key increment` — adds in C long double precision, stores the sum as a
/// string (keeping the TTL) and replies with it as a bulk string.
pub(super) fn incrbyfloat(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
    if ctx.propagating() {
        // Replayed as the value it produced, so that float formatting cannot drift.
        ctx.propagate_as(vec![
            Bytes::from_static(b"SET"),
            key.clone(),
            Bytes::copy_from_slice(&text),
            Bytes::from_static(b"KEEPTTL"),
        ]);
    }
    ctx.reply.bulk(&text);
    Ok(())
}
