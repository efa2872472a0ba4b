//! Fuzz target `args`: the public argument parsers, on arbitrary bytes.
//!
//! The first byte picks a parser family; the rest is the argument (or two arguments,
//! cut at the first `|`). Beyond "never panics", each family checks what its
//! documentation promises:
//! - integers (`parse_i64`, `parse_u64`, `args::int`, `non_negative`, `db_index`): an
//!   accepted text is the canonical decimal form, and every canonical form parses back;
//! - cursors (`scan_cursor`, `parse_u64_lax`): canonical forms parse to themselves;
//! - doubles (`parse_f64`, `parse_f64_lax`, `strtod`, `format_double_17g`): never NaN;
//!   a value printed with `%.17g` parses back to the same bits (ZADD score → ZSCORE →
//!   ZADD); score bounds as ZRANGEBYSCORE reads them (`(` then the lax parser);
//! - long doubles (`LongDouble`, `incr_by_float`, `hincr_by_float`): a result parses
//!   back;
//! - stream IDs (`StreamId::parse`, `interval_bound`): a parsed ID prints and parses
//!   back to itself; exclusive bounds move by exactly one;
//! - SCAN options, glob patterns (must stay fast: libFuzzer's timeout catches a
//!   blow-up), keyspace-event flags and client types.
//!
//! ZRANGEBYLEX bounds have no public parser; the `executor` target drives them.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use rredis::command::core::args;
use rredis::command::state::directory::ClientType;
use rredis::command::state::notify;
use rredis::command::types::streams::shared::interval_bound;
use rredis::store::stream::{IdSyntax, StreamId};
use rredis::util::glob::glob_match;
use rredis::util::longdouble::{hincr_by_float, incr_by_float, parse_hash_increment, LongDouble};
use rredis::util::numbers::{
    format_double_17g, i64_to_bytes, parse_f64, parse_f64_lax, parse_i64, parse_u64,
    parse_u64_lax, strtod, u64_to_bytes, MAX_I64_CHARS,
};

fuzz_target!(|data: &[u8]| {
    let Some((&family, arg)) = data.split_first() else {
        return;
    };
    let (a, b) = match arg.iter().position(|&c| c == b'|') {
        Some(bar) => (&arg[..bar], &arg[bar + 1..]),
        None => (arg, &[][..]),
    };
    match family % 7 {
        0 => integers(arg),
        1 => doubles(arg),
        2 => long_doubles(a, b),
        3 => stream_ids(arg),
        4 => scan_options(arg),
        5 => patterns(a, b, family & 0x80 != 0),
        _ => words(arg),
    }
});

/// Integers: strict parsing accepts exactly the canonical decimal texts.
fn integers(arg: &[u8]) {
    let mut buf = [0u8; MAX_I64_CHARS];
    if let Some(n) = parse_i64(arg) {
        assert_eq!(i64_to_bytes(n, &mut buf), arg);
        assert_eq!(args::int(arg).ok(), Some(n));
        assert_eq!(args::non_negative(arg).is_ok(), n >= 0);
        assert_eq!(args::db_index(arg, 16).is_ok(), (0..16).contains(&n));
    } else {
        assert!(args::int(arg).is_err());
    }
    if let Some(n) = parse_u64(arg) {
        assert_eq!(u64_to_bytes(n, &mut buf), arg);
        assert_eq!(args::scan_cursor(arg).ok(), Some(n));
        assert_eq!(parse_u64_lax(arg), Some(n));
    }
    let _ = args::scan_cursor(arg);
    let _ = parse_u64_lax(arg);
    // Every canonical form parses back, the extremes included.
    if arg.len() >= 8 {
        let n = i64::from_le_bytes(arg[..8].try_into().unwrap_or_default());
        assert_eq!(parse_i64(i64_to_bytes(n, &mut buf)), Some(n));
        assert_eq!(parse_u64(u64_to_bytes(n as u64, &mut buf)), Some(n as u64));
    }
}

/// Doubles: never NaN; `%.17g` output parses back to the same value.
fn doubles(arg: &[u8]) {
    let r = strtod(arg);
    assert!(r.consumed <= arg.len());
    if let Some(x) = parse_f64(arg) {
        assert!(!x.is_nan());
        assert!(args::float(arg).is_ok());
        round_trips(x);
    }
    if let Some(x) = parse_f64_lax(arg) {
        assert!(!x.is_nan());
    }
    // A score bound: `(` marks it exclusive, the rest is read leniently.
    let bound = arg.strip_prefix(b"(").unwrap_or(arg);
    let _ = parse_f64_lax(bound);
    if arg.len() >= 8 {
        let x = f64::from_le_bytes(arg[..8].try_into().unwrap_or_default());
        if !x.is_nan() {
            round_trips(x);
        }
    }
}

/// `x` printed as Redis prints a score parses back to exactly `x`.
fn round_trips(x: f64) {
    let mut text = Vec::new();
    format_double_17g(x, &mut text);
    let back = parse_f64(&text).or_else(|| parse_f64_lax(&text));
    assert_eq!(back.map(f64::to_bits), Some(x.to_bits()), "{:?}", String::from_utf8_lossy(&text));
}

/// Long doubles: INCRBYFLOAT and HINCRBYFLOAT results parse back.
fn long_doubles(current: &[u8], incr: &[u8]) {
    if let Some(v) = LongDouble::parse(current) {
        let mut out = Vec::new();
        v.format_human(&mut out);
    }
    if let Ok(text) = incr_by_float(current, incr) {
        assert!(LongDouble::parse(&text).is_some(), "{text:?}");
    }
    if let Ok(step) = parse_hash_increment(incr) {
        if let Ok(text) = hincr_by_float(Some(current), step) {
            assert!(LongDouble::parse(&text).is_some(), "{text:?}");
        }
        let _ = hincr_by_float(None, step);
    }
}

/// Stream IDs: parsed IDs print and parse back; exclusive bounds move by one.
fn stream_ids(arg: &[u8]) {
    let syntaxes = [
        IdSyntax::STRICT,
        IdSyntax::lax(0),
        IdSyntax::lax(u64::MAX),
        IdSyntax {
            seq_star: true,
            ..IdSyntax::STRICT
        },
    ];
    for syntax in syntaxes {
        if let Some(parsed) = StreamId::parse(arg, syntax) {
            let text = parsed.id.to_text();
            let back = StreamId::parse(text.as_bytes(), IdSyntax::STRICT).map(|p| p.id);
            assert_eq!(back, Some(parsed.id));
        }
    }
    for is_start in [true, false] {
        let bound = interval_bound(arg, 0, is_start);
        if let (Ok(id), Some(inner)) = (&bound, arg.strip_prefix(b"(")) {
            if let Some(p) = StreamId::parse(inner, IdSyntax::STRICT) {
                let moved = if is_start { p.id.next() } else { p.id.prev() };
                assert_eq!(moved, Some(*id));
            }
        }
    }
}

/// SCAN options: any argument list parses or errors; COUNT is at least 1.
fn scan_options(arg: &[u8]) {
    let opts: Vec<Bytes> = arg
        .split(|&c| c == b' ')
        .map(Bytes::copy_from_slice)
        .collect();
    for allow_type in [false, true] {
        if let Ok(parsed) = args::ScanOptions::parse(&opts, allow_type) {
            assert!(parsed.count >= 1);
        }
    }
}

/// Glob matching: any pattern against any string, both case modes.
fn patterns(pattern: &[u8], string: &[u8], nocase: bool) {
    let _ = glob_match(pattern, string, nocase);
    if !pattern.iter().any(|c| b"*?[]\\".contains(c)) {
        assert_eq!(glob_match(pattern, string, false), pattern == string);
    }
}

/// Small word parsers: keyspace-event flags, client types.
fn words(arg: &[u8]) {
    let _ = notify::parse_flags(&String::from_utf8_lossy(arg));
    let _ = ClientType::parse(arg);
    let _ = args::is_c_option(arg, "nx");
}
