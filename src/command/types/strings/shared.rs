//! Helpers every string file uses: reading a value as bytes or an integer whatever its
//! encoding, replying with it, and the size limit on string growth.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::error::{c_str, CmdError, CmdResult};
use crate::protocol::reply::{format_i64, itoa_buf, SHARED_CHUNK_MIN};
use crate::protocol::Reply;
use crate::store::bstr::Bstr;
use crate::store::value::Value;
use crate::util::numbers::parse_i64;

/// Runs `f` on a string value's bytes (integers as their decimal text).
///
/// # Errors
/// `WRONGTYPE` when the value is not a string.
pub(super) fn with_string<R>(value: &Value, f: impl FnOnce(&[u8]) -> R) -> CmdResult<R> {
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
pub(super) fn reply_string(reply: &mut Reply<'_>, value: &Value) -> CmdResult {
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
pub(super) fn string_bytes(value: &Value) -> CmdResult<Bytes> {
    match value {
        Value::Str(s) | Value::RawStr(s) => Ok(s.to_bytes()),
        other => with_string(other, Bytes::copy_from_slice),
    }
}

/// Takes a string value apart into an owned buffer to grow in place (APPEND, SETRANGE).
pub(super) fn into_vec(value: Value) -> Vec<u8> {
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
pub(super) fn int_of(value: &Value) -> CmdResult<i64> {
    match value {
        Value::Int(n) => Ok(*n),
        other => with_string(other, parse_i64)?.ok_or(CmdError::NotInteger),
    }
}

/// Byte length of a string value (STRLEN and SETRANGE's reply).
pub(super) fn string_len(value: &Value) -> CmdResult<usize> {
    with_string(value, <[u8]>::len)
}

/// Matches an option the way Redis's `strcasecmp` does: on the bytes before any NUL.
pub(super) fn opt_is(arg: &[u8], option: &str) -> bool {
    args::is(c_str(arg, usize::MAX), option)
}

/// Redis's `checkStringLength`: a string of `size` bytes growing by `append` must stay
/// within proto-max-bulk-len.
pub(super) fn check_string_length(ctx: &Ctx<'_>, size: u64, append: u64) -> CmdResult {
    let limit = u64::try_from(ctx.server.config.proto_max_bulk_len).unwrap_or(0);
    match size.checked_add(append) {
        Some(total) if total <= limit => Ok(()),
        _ => Err(CmdError::StringTooLong),
    }
}
