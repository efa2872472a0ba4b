//! Redis's number parsing and formatting, byte for byte.
//!
//! Clients see these rules directly: which strings INCR accepts as integers, which ZADD
//! accepts as scores, how ZSCORE prints a double. Each function names the Redis routine
//! whose behaviour it reproduces, and its tests record what a real Redis 7.0.15 answered.
//!
//! Floats are parsed by the C library's `strtod` (through the shim in `longdouble.c`),
//! because Redis accepts exactly what `strtod` accepts — hex floats (`0x10`), `inf`,
//! `infinity` in any case — and Rust's parser has a different grammar.

use std::fmt::Write as _;
use std::os::raw::{c_char, c_int};

/// Most bytes an `i64` or `u64` takes in decimal (`-9223372036854775808`).
pub const MAX_I64_CHARS: usize = 20;

extern "C" {
    fn rr_strtod(s: *const c_char, len: usize, out: *mut f64, erange: *mut c_int) -> usize;
}

/// Parses a signed 64-bit integer with Redis's `string2ll` strictness: optional `-`,
/// then digits with no leading zero (except `"0"` itself), nothing else. Rejects `+1`,
/// `01`, `-0`, spaces, the empty string, strings over 20 bytes and overflow.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    if s.len() > MAX_I64_CHARS {
        return None;
    }
    if digits == b"0" {
        return (!negative).then_some(0);
    }
    let magnitude = parse_digits(digits)?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Parses an unsigned 64-bit integer with the same strictness as [`parse_i64`] (no
/// sign at all, no leading zero, at most 20 bytes, no overflow).
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    if s == b"0" {
        return Some(0);
    }
    parse_digits(s)
}

/// Digits `1-9` then `0-9`*, as a `u64`; `None` when empty, on any other byte, or on
/// overflow.
fn parse_digits(digits: &[u8]) -> Option<u64> {
    match digits.first() {
        Some(b'1'..=b'9') if digits.len() <= MAX_I64_CHARS => {}
        _ => return None,
    }
    let mut value: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(value)
}

/// Parses an unsigned 64-bit integer the lenient way Redis's `string2ull` does (stream
/// IDs use it): first as [`parse_i64`] (negative → `None`), otherwise as C `strtoull`
/// in base 10 over the bytes before the first NUL, which must all be consumed. So
/// leading whitespace, a `+`, leading zeros and even a `-` (which wraps: `-05` is
/// `2^64 - 5`) are accepted; overflow is not.
pub fn parse_u64_lax(s: &[u8]) -> Option<u64> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(nul) => &s[..nul],
        None => s,
    };
    if let Some(n) = parse_i64(s) {
        return u64::try_from(n).ok();
    }
    let start = s.iter().position(|&b| !is_c_space(b))?;
    let (negative, digits) = match s[start] {
        b'-' => (true, &s[start + 1..]),
        b'+' => (false, &s[start + 1..]),
        _ => (false, &s[start..]),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: u64 = 0;
    for &b in digits {
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// Memory units `memtoull` knows, with their multipliers (k, m and g are decimal).
const MEMORY_UNITS: [(&[u8], u64); 8] = [
    (b"", 1),
    (b"b", 1),
    (b"k", 1000),
    (b"kb", 1024),
    (b"m", 1000 * 1000),
    (b"mb", 1024 * 1024),
    (b"g", 1000 * 1000 * 1000),
    (b"gb", 1024 * 1024 * 1024),
];

/// Parses a memory size the way Redis's `memtoull` does (DEBUG
/// QUICKLIST-PACKED-THRESHOLD reads its argument with it), over the bytes before the
/// first NUL: decimal digits, then nothing or a unit from [`MEMORY_UNITS`] in any case.
/// No sign and no spaces are accepted, but the digits may be missing (`""` and `kb`
/// are 0), at most 127 of them; a number past `u64` saturates, as `strtoull` does, and
/// the unit's multiplication wraps, as it does in C.
pub fn parse_memtoull(s: &[u8]) -> Option<u64> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(nul) => &s[..nul],
        None => s,
    };
    let split = s
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let (_, multiplier) = MEMORY_UNITS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))?;
    if digits.len() >= 128 {
        return None;
    }
    let value = digits
        .iter()
        .try_fold(0u64, |v, &d| {
            v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .unwrap_or(u64::MAX);
    Some(value.wrapping_mul(*multiplier))
}

/// C `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Two ASCII digits for every value `0..100`, so formatting does half the divisions.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `n` in decimal into `buf` so that the digits end just before `end`, two at a
/// time; returns where they start. `buf[..end]` must have room for them (20 bytes
/// always do).
#[inline]
pub fn write_digits_before(mut n: u64, buf: &mut [u8], end: usize) -> usize {
    let mut pos = end;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        pos -= 1;
        buf[pos] = b'0' + n as u8;
    }
    pos
}

/// Formats `n` in decimal (Redis's `ll2string`) into `buf`, returning the text.
#[inline]
pub fn i64_to_bytes(n: i64, buf: &mut [u8; MAX_I64_CHARS]) -> &[u8] {
    let mut pos = write_digits_before(n.unsigned_abs(), buf, MAX_I64_CHARS);
    if n < 0 {
        pos -= 1;
        buf[pos] = b'-';
    }
    &buf[pos..]
}

/// Formats `n` in decimal (Redis's `ull2string`) into `buf`, returning the text.
#[inline]
pub fn u64_to_bytes(n: u64, buf: &mut [u8; MAX_I64_CHARS]) -> &[u8] {
    let pos = write_digits_before(n, buf, MAX_I64_CHARS);
    &buf[pos..]
}

/// Appends `n` in decimal to `out`.
pub fn append_i64(out: &mut Vec<u8>, n: i64) {
    let mut buf = [0u8; MAX_I64_CHARS];
    out.extend_from_slice(i64_to_bytes(n, &mut buf));
}

/// What C `strtod` made of the start of a byte string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strtod {
    /// The value parsed (0 when nothing was).
    pub value: f64,
    /// How many bytes formed the number, leading whitespace included; 0 when none.
    pub consumed: usize,
    /// Whether `strtod` reported `ERANGE` (overflow to ±inf, underflow to 0 or a
    /// subnormal).
    pub range_error: bool,
}

/// Runs C `strtod` on the longest numeric prefix of `s` (a NUL byte ends it, as it
/// would end a C string). The building block of the stricter parsers below.
pub fn strtod(s: &[u8]) -> Strtod {
    let mut value = 0.0f64;
    let mut erange: c_int = 0;
    // SAFETY: the shim reads exactly `s.len()` bytes from a valid slice and writes the
    // two out-parameters, which point to live locals.
    let consumed = unsafe { rr_strtod(s.as_ptr().cast(), s.len(), &mut value, &mut erange) };
    Strtod {
        value,
        consumed: consumed.min(s.len()),
        range_error: erange != 0,
    }
}

/// Largest integer magnitude below which every `i64` is exactly an `f64`.
const EXACT_INT_LIMIT: i64 = 1 << 53;

/// Parses a double the way Redis's `string2d` / `getDoubleFromObject` do (ZADD scores,
/// ZINCRBY increments, HRANDFIELD...): C `strtod` must consume the whole string, which
/// must not be empty or start with whitespace; NaN, overflow to ±inf and underflow to
/// zero are rejected, while `inf`, `-Infinity`, `+1.5`, `.5`, `5.` and hex floats such
/// as `0x10` or `0x1p-2` are accepted.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if let Some(n) = parse_i64(s) {
        if (-EXACT_INT_LIMIT..=EXACT_INT_LIMIT).contains(&n) {
            return Some(n as f64);
        }
    }
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let r = strtod(s);
    let out_of_range = r.range_error && (r.value.is_infinite() || r.value == 0.0);
    if r.consumed != s.len() || out_of_range || r.value.is_nan() {
        return None;
    }
    Some(r.value)
}

/// Parses a double the lenient way ZRANGEBYSCORE/ZCOUNT bounds are (`zslParseRange`):
/// `strtod`, then only a NUL or the end may follow, and NaN is rejected. So leading
/// whitespace, the empty string (0) and overflow (`1e400` → inf) are accepted, while
/// trailing spaces are not. A leading `(` must be stripped by the caller.
pub fn parse_f64_lax(s: &[u8]) -> Option<f64> {
    let r = strtod(s);
    let rest_ok = r.consumed == s.len() || s[r.consumed] == 0;
    (rest_ok && !r.value.is_nan()).then_some(r.value)
}

/// A fixed stack buffer that `write!` can fill, for formatting without allocating.
struct StackText {
    buf: [u8; 40],
    len: usize,
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Appends `d` as C's `printf("%.17g", d)` prints it — how Redis 7.0 replies with
/// doubles (ZSCORE, ZINCRBY, WITHSCORES...): 17 significant digits, trailing zeros
/// dropped, exponent form (`1e+20`, `1.0000000000000001e-05`) when the exponent is
/// below -4 or at least 17. Infinities are `inf`/`-inf`, NaN `nan`/`-nan`, and
/// negative zero `-0`.
pub fn format_double_17g(d: f64, out: &mut Vec<u8>) {
    if !d.is_finite() {
        if d.is_sign_negative() {
            out.push(b'-');
        }
        out.extend_from_slice(if d.is_nan() { b"nan" } else { b"inf" });
        return;
    }
    // Integers below 1e17 have at most 17 digits, so %.17g prints them exactly.
    if d.trunc() == d && d.abs() < 1e17 && d != 0.0 {
        append_i64(out, d as i64);
        return;
    }
    if d.is_sign_negative() {
        out.push(b'-');
    }
    let mut text = StackText {
        buf: [0; 40],
        len: 0,
    };
    if write!(text, "{:.16e}", d.abs()).is_err() {
        return; // unreachable: the text is always 21..=23 bytes long
    }
    let text = &text.buf[..text.len];
    // `text` is `D.DDDDDDDDDDDDDDDDe<exp>`: 17 digits, then a decimal exponent.
    let Some(e_pos) = text.iter().position(|&b| b == b'e') else {
        return;
    };
    let mut digits = [0u8; 17];
    digits[0] = text[0];
    digits[1..].copy_from_slice(&text[2..e_pos]);
    let exp: i32 = std::str::from_utf8(&text[e_pos + 1..])
        .ok()
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    layout_g(&digits, exp, out);
}

/// Lays out 17 significant digits with decimal exponent `exp` as `%g` does.
fn layout_g(digits: &[u8; 17], exp: i32, out: &mut Vec<u8>) {
    let significant = digits.len() - digits.iter().rev().take_while(|&&b| b == b'0').count();
    let significant = significant.max(1);
    if !(-4..17).contains(&exp) {
        out.push(digits[0]);
        if significant > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..significant]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        if exp.abs() < 10 {
            out.push(b'0');
        }
        append_i64(out, i64::from(exp.abs()));
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        out.extend_from_slice(&digits[..int_len]);
        if significant > int_len {
            out.push(b'.');
            out.extend_from_slice(&digits[int_len..significant]);
        }
    } else {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-exp - 1) as usize));
        out.extend_from_slice(&digits[..significant]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern "C" {
        fn rr_format_g17(v: f64, out: *mut c_char, cap: usize) -> usize;
    }

    /// C's own `%.17g`, the oracle for [`format_double_17g`].
    fn c_g17(v: f64) -> Vec<u8> {
        let mut buf = [0u8; 64];
        // SAFETY: the shim writes at most `buf.len()` bytes into `buf`.
        let n = unsafe { rr_format_g17(v, buf.as_mut_ptr().cast(), buf.len()) };
        buf[..n].to_vec()
    }

    fn g17(v: f64) -> String {
        let mut out = Vec::new();
        format_double_17g(v, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn parse_i64_matches_incrby() {
        // Argument to `INCRBY k <arg>` on k=0, and Redis 7.0.15's verdict.
        let cases: &[(&[u8], Option<i64>)] = &[
            (b"1", Some(1)),
            (b"+1", None),
            (b"01", None),
            (b"-0", None),
            (b"0", Some(0)),
            (b"-1", Some(-1)),
            (b" 1", None),
            (b"1 ", None),
            (b"9223372036854775807", Some(i64::MAX)),
            (b"9223372036854775808", None),
            (b"-9223372036854775808", Some(i64::MIN)),
            (b"-9223372036854775809", None),
            (b"00", None),
            (b"-", None),
            (b"", None),
            (b"1a", None),
            (b"000000000000000000001", None),
            (b"0x10", None),
            (b"1e3", None),
            (b"1.0", None),
            (b"99999999999999999999", None),
            (b"18446744073709551616", None),
            (b"-00", None),
            (b"1\x00", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_i64(input), *expected, "{:?}", input);
        }
    }

    #[test]
    fn parse_u64_strict_and_lax() {
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"01"), None);
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_u64(b"+1"), None);
        // Stream ID parts as XADD accepted or refused them in Redis 7.0.15.
        let cases: &[(&[u8], Option<u64>)] = &[
            (b" 1", Some(1)),
            (b"+2", Some(2)),
            (b"05", Some(5)),
            (b"\t3", Some(3)),
            (b"-05", Some(18446744073709551611)),
            (b"18446744073709551615", Some(u64::MAX)),
            (b"18446744073709551616", None),
            (b"1 ", None),
            (b"", None),
            (b"-1", None),
            (b"+", None),
            (b" ", None),
            (b"7\x00junk", Some(7)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_u64_lax(input), *expected, "{:?}", input);
        }
    }

    #[test]
    fn integer_formatting() {
        let mut buf = [0u8; MAX_I64_CHARS];
        for n in [
            0,
            1,
            -1,
            9,
            10,
            99,
            100,
            -100,
            12345,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            assert_eq!(i64_to_bytes(n, &mut buf), n.to_string().as_bytes());
        }
        let mut x: i64 = 1;
        for _ in 0..62 {
            x = x.wrapping_mul(7).wrapping_add(3);
            assert_eq!(i64_to_bytes(x, &mut buf), x.to_string().as_bytes());
        }
        assert_eq!(u64_to_bytes(u64::MAX, &mut buf), b"18446744073709551615");
        assert_eq!(u64_to_bytes(0, &mut buf), b"0");
        let mut v = b"x".to_vec();
        append_i64(&mut v, -42);
        assert_eq!(v, b"x-42");
    }

    #[test]
    fn parse_f64_matches_zadd() {
        // `ZADD z <arg> m` then `ZSCORE z m` in Redis 7.0.15 (skiplist encoding, so the
        // score is printed straight from the double). `None` = "value is not a valid float".
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"1", Some("1")),
            (b"0x10", Some("16")),
            (b"0X1p-2", Some("0.25")),
            (b"0x", None),
            (b"0x.8", Some("0.5")),
            (b"0x1P+4", Some("16")),
            (b" 1", None),
            (b"1 ", None),
            (b"\t1", None),
            (b"inf", Some("inf")),
            (b"+inf", Some("inf")),
            (b"-inf", Some("-inf")),
            (b"Inf", Some("inf")),
            (b"INFINITY", Some("inf")),
            (b"-Infinity", Some("-inf")),
            (b"infinit", None),
            (b"nan", None),
            (b"NaN", None),
            (b"-nan", None),
            (b"nan(1)", None),
            (b"1e400", None),
            (b"-1e400", None),
            (b"1e-400", None),
            (b"1e-310", Some("9.9999999999999694e-311")),
            (b"4.9e-324", Some("4.9406564584124654e-324")),
            (b"2e-324", None),
            (b"2.4703282292062327e-324", None),
            (b"2.4703282292062328e-324", Some("4.9406564584124654e-324")),
            (b"-0", Some("-0")),
            (b"+0", Some("0")),
            (b"0.0", Some("0")),
            (b"", None),
            (b".5", Some("0.5")),
            (b"5.", Some("5")),
            (b".", None),
            (b"+.5e1", Some("5")),
            (b"1e", None),
            (b"1e+", None),
            (b"1.5E+3", Some("1500")),
            (b"+-1", None),
            (b"1_0", None),
            (b"1\x00", None),
            (b"1.1", Some("1.1000000000000001")),
            (b"0.1", Some("0.10000000000000001")),
            (b"123456789012345678", Some("1.2345678901234568e+17")),
            (b"1e20", Some("1e+20")),
            (b"1e-5", Some("1.0000000000000001e-05")),
            (b"2.5e-310", Some("2.5000000000000171e-310")),
            (b"1e16", Some("10000000000000000")),
            (b"1e17", Some("1e+17")),
            (b"12345678901234567890", Some("1.2345678901234567e+19")),
            (b"0.0001", Some("0.0001")),
            (b"0.00001", Some("1.0000000000000001e-05")),
            (b"1.00000762939453125", Some("1.0000076293945312")),
            (b"-", None),
            (b"+", None),
            (b"e5", None),
            (b"1,5", None),
            (b"0x1p-1075", None),
            (b"0x1p-1074", Some("4.9406564584124654e-324")),
            (b"0x1.fffffffffffffp1023", Some("1.7976931348623157e+308")),
            (b"0x1p1024", None),
            (b"00001", Some("1")),
            (b"1e-320", Some("9.9998886718268301e-321")),
            (b"9007199254740993", Some("9007199254740992")),
            (b"0.30000000000000004", Some("0.30000000000000004")),
            (b"1e15", Some("1000000000000000")),
            (b"1.5e300", Some("1.5000000000000001e+300")),
        ];
        for (input, expected) in cases {
            let got = parse_f64(input).map(g17);
            assert_eq!(
                got.as_deref(),
                *expected,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn parse_f64_lax_matches_zcount_bounds() {
        // `ZCOUNT z <arg> +inf` on {a:1, b:2} in Redis 7.0.15: accepted or
        // "min or max is not a float".
        let cases: &[(&[u8], Option<f64>)] = &[
            (b" 1", Some(1.0)),
            (b"", Some(0.0)),
            (b"1e400", Some(f64::INFINITY)),
            (b"-1e400", Some(f64::NEG_INFINITY)),
            (b"1\x00abc", Some(1.0)),
            (b"nan", None),
            (b"1 ", None),
            (b"0x1", Some(1.0)),
            (b"1e-400", Some(0.0)),
            (b"\t2", Some(2.0)),
            (b"-inf", Some(f64::NEG_INFINITY)),
            (b"+inf", Some(f64::INFINITY)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_f64_lax(input), *expected, "{:?}", input);
        }
    }

    #[test]
    fn format_17g_known_strings() {
        let cases: &[(f64, &str)] = &[
            (1.1, "1.1000000000000001"),
            (0.1, "0.10000000000000001"),
            (1e20, "1e+20"),
            (1e-5, "1.0000000000000001e-05"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (2.5e-310, "2.5000000000000171e-310"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (99999999999999984.0, "99999999999999984"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012344999999999999"),
            (1e100, "1e+100"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "4.9406564584124654e-324"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            // Exactly 1.00000762939453125: a tie at 17 digits, rounded to even.
            (1.0 + 1.0 / 131072.0, "1.0000076293945312"),
            (3.0e-5, "3.0000000000000001e-05"),
            (12.5, "12.5"),
        ];
        for (value, expected) in cases {
            assert_eq!(g17(*value), *expected, "{value:e}");
        }
    }

    #[test]
    fn format_17g_equals_c_printf() {
        // Random bit patterns (every exponent, subnormals) plus random "human" values.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in 0..200_000 {
            let bits = next();
            let value = match i % 4 {
                0 => f64::from_bits(bits),
                1 => (bits % 2_000_000) as f64 / 1000.0 - 1000.0,
                2 => (bits >> 11) as f64 * 2f64.powi((bits % 40) as i32 - 20),
                _ => ((bits % 100_000) as f64) * 10f64.powi((bits >> 40) as i32 % 30 - 15),
            };
            if value.is_nan() {
                continue;
            }
            let mut ours = Vec::new();
            format_double_17g(value, &mut ours);
            assert_eq!(ours, c_g17(value), "bits {:#x}", value.to_bits());
        }
    }

    #[test]
    fn memtoull_units_and_quirks() {
        let cases: &[(&[u8], Option<u64>)] = &[
            (b"0", Some(0)),
            (b"1b", Some(1)),
            (b"5B", Some(5)),
            (b"100", Some(100)),
            (b"2k", Some(2000)),
            (b"2KB", Some(2048)),
            (b"3m", Some(3_000_000)),
            (b"3mb", Some(3 << 20)),
            (b"4g", Some(4_000_000_000)),
            (b"4Gb", Some(4 << 30)),
            (b"", Some(0)),
            (b"kb", Some(0)),
            (b"007", Some(7)),
            (b"12\0junk", Some(12)),
            (b"99999999999999999999999", Some(u64::MAX)),
            (b"17179869184gb", Some(0)),
            (b"-1", None),
            (b"+1", None),
            (b" 1", None),
            (b"1 ", None),
            (b"1.5mb", None),
            (b"1tb", None),
            (b"1bb", None),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_memtoull(text),
                *expected,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        assert_eq!(parse_memtoull(&[b'1'; 128]), None);
        assert_eq!(parse_memtoull(&[b'0'; 127]), Some(0));
    }
}
