//! C `long double` arithmetic for INCRBYFLOAT and HINCRBYFLOAT.
//!
//! Redis does these increments in C `long double` (80-bit extended precision on
//! x86_64) and prints the sum with `%.17Lf` minus trailing zeros, so `10.5 + 0.1` is
//! stored as `10.6`, which plain `f64` arithmetic cannot reproduce (it gives
//! `10.600000000000001`). Rust has no long double, so the value lives in opaque storage
//! and every operation goes through the small C shim in `longdouble.c`, compiled by
//! `build.rs` against the same libc rules Redis relies on (`strtold`, `snprintf`).
//!
//! Parsing follows Redis's `string2ld`: not empty, under 5120 bytes, no leading
//! whitespace, the whole string consumed, no NaN, and no overflow to infinity or
//! underflow to zero; `inf`, `infinity` and hex floats are accepted as `strtold` does.

use std::os::raw::{c_char, c_int};

use thiserror::Error;

/// Longest string [`LongDouble::parse`] accepts, exclusive (Redis's
/// `MAX_LONG_DOUBLE_CHARS`); longer inputs are "not a valid float".
pub const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

/// Room for the common case of formatting without a heap buffer; the longest possible
/// text (about 4950 bytes, near the long double maximum) falls back to the heap.
const SMALL_FORMAT_BUF: usize = 128;

extern "C" {
    fn rr_ld_size() -> usize;
    fn rr_ld_parse(s: *const c_char, len: usize, out: *mut LongDouble) -> c_int;
    fn rr_ld_from_i64(v: i64, out: *mut LongDouble);
    fn rr_ld_add(a: *const LongDouble, b: *const LongDouble, out: *mut LongDouble);
    fn rr_ld_is_finite(v: *const LongDouble) -> c_int;
    fn rr_ld_format_human(v: *const LongDouble, out: *mut c_char, cap: usize) -> usize;
}

/// A C `long double`, held as opaque bytes big and aligned enough for every ABI
/// (80-bit x87 in 16 bytes on x86_64, IEEE quad on aarch64 Linux, a plain double on
/// Apple silicon). Only the C shim reads or writes the bytes.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct LongDouble {
    bytes: [u8; 16],
}

impl std::fmt::Debug for LongDouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = Vec::new();
        self.format_human(&mut text);
        write!(f, "LongDouble({})", String::from_utf8_lossy(&text))
    }
}

impl LongDouble {
    /// Positive zero (all-zero bytes are +0 in every long double format).
    pub const ZERO: LongDouble = LongDouble { bytes: [0; 16] };

    /// Parses `s` with Redis's `string2ld` rules (see the module docs); `None` is the
    /// "not a valid float" case.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_LONG_DOUBLE_CHARS || !storage_fits() {
            return None;
        }
        let mut value = LongDouble::ZERO;
        // SAFETY: the shim reads `s.len()` bytes of a valid slice and writes one long
        // double into `value`, whose storage is at least as big and aligned.
        let ok = unsafe { rr_ld_parse(s.as_ptr().cast(), s.len(), &mut value) };
        (ok == 1).then_some(value)
    }

    /// The integer `n` as a long double (exact: the x87 mantissa has 64 bits).
    pub fn from_i64(n: i64) -> LongDouble {
        let mut value = LongDouble::ZERO;
        if storage_fits() {
            // SAFETY: writes one long double into storage big and aligned enough.
            unsafe { rr_ld_from_i64(n, &mut value) };
        }
        value
    }

    /// Whether the value is neither NaN nor infinite.
    pub fn is_finite(&self) -> bool {
        // SAFETY: reads one long double from valid storage.
        unsafe { rr_ld_is_finite(self) == 1 }
    }

    /// Appends the value as Redis's human-friendly `ld2string` prints it (what
    /// INCRBYFLOAT stores and replies): `%.17Lf` with trailing zeros and a trailing
    /// dot removed, `-0` printed as `0`, infinities as `inf`/`-inf`. Never exponent
    /// form: `1e300` prints all 301 digits.
    pub fn format_human(&self, out: &mut Vec<u8>) {
        let mut small = [0u8; SMALL_FORMAT_BUF];
        // SAFETY: the shim writes at most `small.len()` bytes into `small`.
        let len = unsafe { rr_ld_format_human(self, small.as_mut_ptr().cast(), small.len()) };
        if len < small.len() {
            out.extend_from_slice(&small[..len]);
            return;
        }
        let mut big = vec![0u8; len + 1];
        // SAFETY: as above, with a buffer sized from the length the shim asked for.
        let len = unsafe { rr_ld_format_human(self, big.as_mut_ptr().cast(), big.len()) };
        out.extend_from_slice(&big[..len.min(big.len())]);
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    /// The sum, rounded to long double precision.
    fn add(self, other: LongDouble) -> LongDouble {
        let mut sum = LongDouble::ZERO;
        // SAFETY: reads two and writes one long double, all in valid storage.
        unsafe { rr_ld_add(&self, &other, &mut sum) };
        sum
    }
}

/// Whether [`LongDouble`]'s storage can hold this platform's C long double.
fn storage_fits() -> bool {
    // SAFETY: a pure query of a compile-time constant.
    unsafe { rr_ld_size() <= std::mem::size_of::<LongDouble>() }
}

/// Why a float increment failed; `Display` is Redis's exact error reply text.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum LongDoubleError {
    /// INCRBYFLOAT's stored value or increment, or HINCRBYFLOAT's increment, does not
    /// parse.
    #[error("ERR value is not a valid float")]
    NotFloat,
    /// HINCRBYFLOAT's stored field value does not parse.
    #[error("ERR hash value is not a float")]
    HashValueNotFloat,
    /// HINCRBYFLOAT's increment parsed as `inf`/`-inf` (checked before the key is
    /// even looked up, so it wins over WRONGTYPE).
    #[error("ERR value is NaN or Infinity")]
    IncrementNotFinite,
    /// The sum overflowed (or an `inf` increment was added).
    #[error("ERR increment would produce NaN or Infinity")]
    ResultNotFinite,
}

/// INCRBYFLOAT's arithmetic: `current + incr` in long double, formatted as Redis
/// stores it. Pass `b"0"` as `current` for a missing key, and an int-encoded value as
/// its decimal text. The caller checks the key's type first, as Redis does.
///
/// # Errors
/// [`LongDoubleError::NotFloat`] when either side does not parse (current first);
/// [`LongDoubleError::ResultNotFinite`] when the sum is infinite, including an `inf`
/// increment.
pub fn incr_by_float(current: &[u8], incr: &[u8]) -> Result<Vec<u8>, LongDoubleError> {
    let value = LongDouble::parse(current).ok_or(LongDoubleError::NotFloat)?;
    let incr = LongDouble::parse(incr).ok_or(LongDoubleError::NotFloat)?;
    sum_to_text(value, incr)
}

/// HINCRBYFLOAT's first step, run before the key is looked up or type-checked: the
/// increment must parse and be finite.
///
/// # Errors
/// [`LongDoubleError::NotFloat`] or [`LongDoubleError::IncrementNotFinite`].
pub fn parse_hash_increment(incr: &[u8]) -> Result<LongDouble, LongDoubleError> {
    let incr = LongDouble::parse(incr).ok_or(LongDoubleError::NotFloat)?;
    if incr.is_finite() {
        Ok(incr)
    } else {
        Err(LongDoubleError::IncrementNotFinite)
    }
}

/// HINCRBYFLOAT's arithmetic once the increment is validated by
/// [`parse_hash_increment`]: `current` is the field's value (`None` when the field or
/// key is missing, counting as 0).
///
/// # Errors
/// [`LongDoubleError::HashValueNotFloat`] when the stored value does not parse;
/// [`LongDoubleError::ResultNotFinite`] when the sum overflows.
pub fn hincr_by_float(
    current: Option<&[u8]>,
    incr: LongDouble,
) -> Result<Vec<u8>, LongDoubleError> {
    let value = match current {
        Some(text) => LongDouble::parse(text).ok_or(LongDoubleError::HashValueNotFloat)?,
        None => LongDouble::ZERO,
    };
    sum_to_text(value, incr)
}

/// Adds, rejects a non-finite sum, and formats the result.
fn sum_to_text(value: LongDouble, incr: LongDouble) -> Result<Vec<u8>, LongDoubleError> {
    let sum = value + incr;
    if !sum.is_finite() {
        return Err(LongDoubleError::ResultNotFinite);
    }
    let mut text = Vec::with_capacity(24);
    sum.format_human(&mut text);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(stored value or None, increment, INCRBYFLOAT's reply)` from Redis 7.0.15;
    /// `Err` holds the error text.
    const INCRBYFLOAT_CASES: &[(Option<&str>, &str, Result<&str, &str>)] = &[
        (Some("10.5"), "0.1", Ok("10.6")),
        (None, "0x10", Ok("16")),
        (None, "1e5000", Err("ERR value is not a valid float")),
        (None, "1e4933", Err("ERR value is not a valid float")),
        (
            None,
            "inf",
            Err("ERR increment would produce NaN or Infinity"),
        ),
        (
            None,
            "-inf",
            Err("ERR increment would produce NaN or Infinity"),
        ),
        (
            None,
            "Infinity",
            Err("ERR increment would produce NaN or Infinity"),
        ),
        (None, "nan", Err("ERR value is not a valid float")),
        (None, " 1", Err("ERR value is not a valid float")),
        (None, "1 ", Err("ERR value is not a valid float")),
        (None, "", Err("ERR value is not a valid float")),
        (Some(" 1"), "1", Err("ERR value is not a valid float")),
        (Some("1 "), "1", Err("ERR value is not a valid float")),
        (Some("abc"), "1", Err("ERR value is not a valid float")),
        (Some("0"), "-0", Ok("0")),
        (None, "-0", Ok("0")),
        (Some("-0"), "0", Ok("0")),
        (Some("-0"), "-0", Ok("0")),
        (None, "5.0e3", Ok("5000")),
        (None, "1.5e-20", Ok("0")),
        (None, "1e-17", Ok("0.00000000000000001")),
        (None, "5e-18", Ok("0")),
        (None, "-5e-18", Ok("0")),
        (None, "-1e-18", Ok("0")),
        (Some("1e-400"), "1", Ok("1")),
        (Some("1e-5000"), "1", Err("ERR value is not a valid float")),
        (None, "1e-5000", Err("ERR value is not a valid float")),
        (None, "0.1", Ok("0.1")),
        (Some("0.1"), "0.2", Ok("0.3")),
        (Some("3"), "1.1", Ok("4.1")),
        (
            None,
            "123456789012345678901234567890",
            Ok("123456789012345678899921813504"),
        ),
        (None, "1.23456789012345678901", Ok("1.23456789012345679")),
        (None, "-1.5", Ok("-1.5")),
        (None, "0x1p-16445", Ok("0")),
        (None, "0x1p-16446", Err("ERR value is not a valid float")),
        (None, "1e", Err("ERR value is not a valid float")),
        (None, "+1.5", Ok("1.5")),
        (
            Some("inf"),
            "0",
            Err("ERR increment would produce NaN or Infinity"),
        ),
        (None, "1\0", Err("ERR value is not a valid float")),
        (None, ".5", Ok("0.5")),
        (None, "0x", Err("ERR value is not a valid float")),
        (
            Some("1.18e4932"),
            "1e4932",
            Err("ERR increment would produce NaN or Infinity"),
        ),
        (None, "7.0", Ok("7")),
        (None, "100", Ok("100")),
        (None, "1e20", Ok("100000000000000000000")),
        (None, "1e21", Ok("1000000000000000000000")),
        (None, "9.99999999999999999999", Ok("10")),
    ];

    /// `1e300` as Redis 7.0.15 stores it after `INCRBYFLOAT k 1e300` (301 digits).
    const E300: &str = "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144";

    #[test]
    fn storage_holds_a_long_double() {
        assert!(storage_fits());
    }

    #[test]
    fn incrbyfloat_matches_redis() {
        if !x87_long_double() {
            return; // the recorded results are x86_64's 80-bit ones
        }
        for (current, incr, expected) in INCRBYFLOAT_CASES {
            let got = incr_by_float(current.unwrap_or("0").as_bytes(), incr.as_bytes());
            let got = got.map(|v| String::from_utf8_lossy(&v).into_owned());
            let got = got.as_deref().map_err(|e| e.to_string());
            assert_eq!(
                got,
                expected.map_err(str::to_string),
                "{current:?} + {incr:?}"
            );
        }
    }

    #[test]
    fn huge_magnitudes_print_every_digit() {
        if !x87_long_double() {
            return;
        }
        assert_eq!(
            incr_by_float(b"0", b"1e300").ok(),
            Some(E300.as_bytes().to_vec())
        );
        assert_eq!(
            incr_by_float(b"1", b"1e300").ok(),
            Some(E300.as_bytes().to_vec())
        );
        // `INCRBYFLOAT k 1e4932` gives 4933 digits; `-1e4932` one byte more.
        let big = incr_by_float(b"0", b"1e4932").unwrap_or_default();
        assert_eq!(big.len(), 4933);
        assert!(big.starts_with(b"1000000000000000000006018949387963891323"));
        assert!(big.ends_with(b"0876379371163141086538418113791886622720"));
        let negative = incr_by_float(b"0", b"-1e4932").unwrap_or_default();
        assert_eq!(negative.len(), 4934);
        assert_eq!(&negative[1..], &big[..]);
        assert_eq!(incr_by_float(b"0", b"1e+4932").ok(), Some(big));
    }

    #[test]
    fn length_limit_is_5120_bytes() {
        // 5119 bytes parse, 5120 do not (Redis replied 1 and "not a valid float").
        let mut ok = vec![b'0'; 5118];
        ok.push(b'1');
        assert_eq!(incr_by_float(b"0", &ok).ok(), Some(b"1".to_vec()));
        let mut too_long = vec![b'0'; 5119];
        too_long.push(b'1');
        assert_eq!(
            incr_by_float(b"0", &too_long),
            Err(LongDoubleError::NotFloat)
        );
        assert!(LongDouble::parse(&vec![b'1'; 5119]).is_none()); // overflows instead
    }

    #[test]
    fn hincrbyfloat_matches_redis() {
        if !x87_long_double() {
            return;
        }
        let run = |current: Option<&[u8]>, incr: &[u8]| -> Result<Vec<u8>, LongDoubleError> {
            hincr_by_float(current, parse_hash_increment(incr)?)
        };
        assert_eq!(run(Some(b"10.5"), b"0.1"), Ok(b"10.6".to_vec()));
        assert_eq!(run(None, b"inf"), Err(LongDoubleError::IncrementNotFinite));
        assert_eq!(run(None, b"nan"), Err(LongDoubleError::NotFloat));
        assert_eq!(run(None, b"abc"), Err(LongDoubleError::NotFloat));
        assert_eq!(
            run(Some(b"abc"), b"1"),
            Err(LongDoubleError::HashValueNotFloat)
        );
        assert_eq!(
            run(Some(b" 1"), b"1"),
            Err(LongDoubleError::HashValueNotFloat)
        );
        assert_eq!(
            run(Some(b"1.18e4932"), b"1e4932"),
            Err(LongDoubleError::ResultNotFinite)
        );
        assert_eq!(run(None, b"1e300"), Ok(E300.as_bytes().to_vec()));
        assert_eq!(run(None, b"-0"), Ok(b"0".to_vec()));
        assert_eq!(run(Some(b"5"), b"0x10"), Ok(b"21".to_vec()));
        assert_eq!(
            LongDoubleError::IncrementNotFinite.to_string(),
            "ERR value is NaN or Infinity"
        );
        assert_eq!(
            LongDoubleError::HashValueNotFloat.to_string(),
            "ERR hash value is not a float"
        );
    }

    #[test]
    fn integers_widen_exactly() {
        let mut text = Vec::new();
        LongDouble::from_i64(i64::MIN).format_human(&mut text);
        if x87_long_double() {
            assert_eq!(text, b"-9223372036854775808");
        }
        text.clear();
        (LongDouble::from_i64(42) + LongDouble::ZERO).format_human(&mut text);
        assert_eq!(text, b"42");
    }

    /// Whether this platform's long double is the 80-bit x87 format the recorded
    /// Redis results came from.
    fn x87_long_double() -> bool {
        cfg!(target_arch = "x86_64")
    }
}
