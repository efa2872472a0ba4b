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

/// Copies of `args` that own exactly their bytes, for a command line kept beyond the
/// command (a blocked or postponed client's): arguments are slices of the query buffer,
/// and keeping them would keep that whole buffer.
pub fn owned(args: &[Bytes]) -> Vec<Bytes> {
    args.iter().map(|arg| Bytes::copy_from_slice(arg)).collect()
}

/// Case-insensitive comparison of an argument with an option name.
#[inline]
pub fn is(arg: &[u8], option: &str) -> bool {
    arg.eq_ignore_ascii_case(option.as_bytes())
}

/// A database index argument: an integer within `0..databases`.
pub fn db_index(arg: &[u8], databases: usize) -> CmdResult<usize> {
    let index =
        parse_i64(arg).ok_or(CmdError::raw("ERR value is not an integer or out of range"))?;
    if index < 0 || index as u64 >= databases as u64 {
        return Err(CmdError::DbIndexOutOfRange);
    }
    Ok(index as usize)
}

/// The lower-case name of a command argument, for error texts.
pub fn lower_name(arg: &Bytes) -> String {
    String::from_utf8_lossy(arg).to_ascii_lowercase()
}

/// Option names compared the way Redis's `strcasecmp` does on C strings: the argument
/// ends at its first NUL byte.
pub fn is_c_option(arg: &[u8], name: &str) -> bool {
    crate::error::c_str(arg, usize::MAX).eq_ignore_ascii_case(name.as_bytes())
}

/// The error for a cursor that does not parse.
pub const ERR_INVALID_CURSOR: &str = "ERR invalid cursor";

/// A SCAN-family cursor as Redis reads it with `strtoul`: the text up to the first NUL,
/// no leading whitespace, an optional sign (`-` wraps around), decimal digits, no
/// overflow. The empty string is cursor 0.
pub fn scan_cursor(arg: &[u8]) -> CmdResult<u64> {
    let invalid = || CmdError::raw(ERR_INVALID_CURSOR);
    let text = crate::error::c_str(arg, usize::MAX);
    let (negative, digits) = match text.first() {
        None => return Ok(0),
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        Some(_) => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let value = digits
        .iter()
        .try_fold(0u64, |acc, &d| {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .ok_or_else(invalid)?;
    Ok(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// The options of SCAN, HSCAN, SSCAN and ZSCAN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions<'a> {
    /// MATCH pattern; `None` for none or `*` (the last MATCH wins).
    pub pattern: Option<&'a [u8]>,
    /// COUNT: how much work to aim for in one call (at least 1).
    pub count: usize,
    /// TYPE name up to its first NUL (SCAN only).
    pub type_name: Option<&'a [u8]>,
}

impl<'a> ScanOptions<'a> {
    /// Parses `[MATCH pattern] [COUNT count]` (plus `[TYPE type]` when `allow_type`), in
    /// any order, repeats allowed.
    pub fn parse(opts: &'a [Bytes], allow_type: bool) -> CmdResult<Self> {
        let mut parsed = ScanOptions {
            pattern: None,
            count: 10,
            type_name: None,
        };
        for pair in opts.chunks(2) {
            let [name, value] = pair else {
                return Err(CmdError::Syntax);
            };
            if is_c_option(name, "count") {
                parsed.count = usize::try_from(int(value)?)
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or(CmdError::Syntax)?;
            } else if is_c_option(name, "match") {
                parsed.pattern = (&value[..] != b"*").then_some(&value[..]);
            } else if allow_type && is_c_option(name, "type") {
                parsed.type_name = Some(crate::error::c_str(value, usize::MAX));
            } else {
                return Err(CmdError::Syntax);
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_parse_like_strtoul() {
        assert_eq!(scan_cursor(b"0"), Ok(0));
        assert_eq!(scan_cursor(b""), Ok(0));
        assert_eq!(scan_cursor(b"+12"), Ok(12));
        assert_eq!(scan_cursor(b"5\0junk"), Ok(5));
        assert_eq!(scan_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(scan_cursor(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(scan_cursor(b"007"), Ok(7));
        assert_eq!(scan_cursor(b"-18446744073709551615"), Ok(1));
        for bad in [
            &b" 1"[..],
            b"1 ",
            b"1x",
            b"18446744073709551616",
            b"-",
            b"+",
            b"0x1",
            b"1.0",
        ] {
            assert!(scan_cursor(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scan_options() {
        let opts: Vec<Bytes> = ["MATCH", "a*", "count", "5", "match", "*"]
            .iter()
            .map(|s| Bytes::from(*s))
            .collect();
        let parsed = ScanOptions::parse(&opts, false).unwrap();
        assert_eq!((parsed.pattern, parsed.count), (None, 5));
        let typed: Vec<Bytes> = ["TYPE", "list"].iter().map(|s| Bytes::from(*s)).collect();
        assert!(ScanOptions::parse(&typed, false).is_err());
        assert_eq!(
            ScanOptions::parse(&typed, true).unwrap().type_name,
            Some(&b"list"[..])
        );
        let zero: Vec<Bytes> = ["COUNT", "0"].iter().map(|s| Bytes::from(*s)).collect();
        assert_eq!(ScanOptions::parse(&zero, false), Err(CmdError::Syntax));
    }
}
