//! Shared argument parsing: integers, floats and options, with Redis's exact errors.

use bytes::Bytes;

use crate::error::{CmdError, CmdResult};
use crate::util::numbers::{parse_f64, parse_i64};

/// Parses an `i64` argument (`ERR value is not an integer or out of range`).
pub fn int(arg: &[u8]) -> CmdResult<i64> {
    parse_i64(arg).ok_or(CmdError::NotInteger)
}

/// Parses a non-negative count (`ERR value is out of range, must be positive` when negative).
pub fn non_negative(arg: &[u8]) -> CmdResult<i64> {
    let n = int(arg)?;
    if n < 0 {
        return Err(CmdError::MustBePositive);
    }
    Ok(n)
}

/// Parses a double (`ERR value is not a valid float`).
pub fn float(arg: &[u8]) -> CmdResult<f64> {
    parse_f64(arg).ok_or(CmdError::NotFloat)
}

/// Case-insensitive comparison of an argument with an option name.
#[inline]
pub fn is(arg: &[u8], option: &str) -> bool {
    arg.eq_ignore_ascii_case(option.as_bytes())
}

/// A database index argument: an integer within `0..databases`.
pub fn db_index(arg: &[u8], databases: usize) -> CmdResult<usize> {
    let index = parse_i64(arg).ok_or(CmdError::raw("ERR value is not an integer or out of range"))?;
    if index < 0 || index as u64 >= databases as u64 {
        return Err(CmdError::DbIndexOutOfRange);
    }
    Ok(index as usize)
}

/// The lower-case name of a command argument, for error texts.
pub fn lower_name(arg: &Bytes) -> String {
    String::from_utf8_lossy(arg).to_ascii_lowercase()
}
