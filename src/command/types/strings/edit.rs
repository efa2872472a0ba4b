//! APPEND and SETRANGE, which edit a string in place, and the length and byte-range
//! reads STRLEN, GETRANGE and SUBSTR.

use bytes::Bytes;

use super::shared::{check_string_length, into_vec, string_len, with_string};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::store::bstr::Bstr;
use crate::store::value::Value;

/// SETRANGE with a negative offset.
const ERR_OFFSET_OUT_OF_RANGE: &str = "ERR offset is out of range";

/// `APPEND key value`
///
/// # Returns
/// The length of the string after the append. A missing key is created as SET would
/// (int-encoded when it can be); an existing one becomes a "raw" string.
pub(super) fn append(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
pub(super) fn strlen(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
pub(super) fn setrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
pub(super) fn getrange(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_range(ctx, args)
}

/// `SUBSTR key start end` — the deprecated name of GETRANGE.
pub(super) fn substr(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    get_range(ctx, args)
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
}
