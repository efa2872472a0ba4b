//! Glob-style pattern matching with exactly the semantics of Redis 7.0's matcher.
//!
//! KEYS, SCAN/HSCAN/SSCAN/ZSCAN `MATCH`, PSUBSCRIBE, CONFIG GET and ACL key patterns all
//! go through this one function, so its quirks are visible to clients and must be kept:
//!
//! - `*` matches any run of bytes, `?` exactly one byte, `\x` the byte `x`.
//! - `[...]` is a class: `^` first negates it, `a-z` is a range (a reversed range `z-a`
//!   means the same as `a-z`), `\` escapes the next byte inside it too. A class missing
//!   its closing `]` runs to the end of the pattern and still matches one byte.
//! - A lone trailing `\` matches a literal backslash.
//! - Range bounds compare bytes as C's *signed* `char`, so bytes `0x80..=0xff` sort
//!   below `0x00` in ranges (`[a-\xff]` is the range `-1..=97`).
//! - With `nocase`, only ASCII letters fold; an escaped byte inside a class still
//!   compares case-sensitively.
//! - An empty string is matched by nothing but an empty pattern: the patterns `*` and
//!   `**` do *not* match the empty key (KEYS and SCAN special-case a bare `*` before
//!   calling the matcher, so `KEYS *` still lists it).
//! - Against pathological patterns (`a*a*a*a*b`) the matcher stays polynomial: once the
//!   tail after a `*` failed at every later position, no earlier `*` retries. And
//!   a pattern whose `*`s nest more than 1000 deep fails instead of recursing further.

/// How many nested `*` expansions a pattern may need before it simply fails to match
/// (Redis's protection against stack exhaustion by abusive patterns).
const MAX_NESTING: u32 = 1000;

/// Returns whether `string` matches the glob `pattern`, exactly as Redis 7.0's
/// `stringmatchlen` decides it; `nocase` folds ASCII letters (CONFIG GET uses it).
///
/// Both sides are arbitrary bytes. The matcher never panics and runs in polynomial
/// time on any input.
pub fn glob_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut tail_failed = false;
    match_at(pattern, string, nocase, &mut tail_failed, 0)
}

/// The byte at `i`, or 0 past the end: Redis's patterns are NUL-terminated, and its
/// matcher peeks one byte past the length in a few places.
fn byte_at(buf: &[u8], i: usize) -> u8 {
    buf.get(i).copied().unwrap_or(0)
}

/// A byte as C's signed `char` widened to `int`, as the range comparisons see it.
fn signed(b: u8) -> i32 {
    b as i8 as i32
}

/// C `tolower` in the C locale on an `int` holding a signed `char`.
fn lower(c: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&c) {
        c + 32
    } else {
        c
    }
}

/// Matches `pat` against `s` from their starts. `tail_failed` is shared by the whole
/// recursion: it is set once the rest of a pattern after some `*` has failed at every
/// position, which proves no earlier `*` can succeed by consuming more.
fn match_at(pat: &[u8], s: &[u8], nocase: bool, tail_failed: &mut bool, nesting: u32) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    let (mut p, mut i) = (0usize, 0usize);
    while p < pat.len() && i < s.len() {
        match pat[p] {
            b'*' => {
                while p + 1 < pat.len() && pat[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pat.len() {
                    return true;
                }
                while i < s.len() {
                    if match_at(&pat[p + 1..], &s[i..], nocase, tail_failed, nesting + 1) {
                        return true;
                    }
                    if *tail_failed {
                        return false;
                    }
                    i += 1;
                }
                *tail_failed = true;
                return false;
            }
            b'?' => i += 1,
            b'[' => {
                let (after, matched) = match_class(pat, p + 1, s[i], nocase);
                if !matched {
                    return false;
                }
                p = after;
                i += 1;
            }
            _ => {
                if pat[p] == b'\\' && pat.len() - p >= 2 {
                    p += 1;
                }
                if !bytes_equal(pat[p], s[i], nocase) {
                    return false;
                }
                i += 1;
            }
        }
        p += 1;
        if i == s.len() {
            while byte_at(pat, p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    p == pat.len() && i == s.len()
}

/// Single-byte comparison outside classes, folding ASCII case when asked.
fn bytes_equal(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        lower(signed(a)) == lower(signed(b))
    } else {
        a == b
    }
}

/// Matches the byte `c` against the class whose body starts at `p` (just past `[`).
/// Returns the position of the class's last byte (its `]`, or the pattern's last byte
/// when unterminated) and whether `c` matched, negation applied.
fn match_class(pat: &[u8], mut p: usize, c: u8, nocase: bool) -> (usize, bool) {
    let negate = byte_at(pat, p) == b'^';
    if negate {
        p += 1;
    }
    let mut matched = false;
    loop {
        let left = pat.len().saturating_sub(p);
        let pc = byte_at(pat, p);
        if pc == b'\\' && left >= 2 {
            p += 1;
            // Escapes inside a class compare case-sensitively even with `nocase`.
            matched |= pat[p] == c;
        } else if pc == b']' {
            break;
        } else if left == 0 {
            // Unterminated class: it ends with the pattern.
            p -= 1;
            break;
        } else if left >= 3 && pat[p + 1] == b'-' {
            matched |= in_range(pat[p], pat[p + 2], c, nocase);
            p += 2;
        } else {
            matched |= bytes_equal(pc, c, nocase);
        }
        p += 1;
    }
    (p, matched != negate)
}

/// Whether `c` lies in the range `a-b` (either order), comparing signed chars.
fn in_range(a: u8, b: u8, c: u8, nocase: bool) -> bool {
    let (mut lo, mut hi, mut c) = (signed(a), signed(b), signed(c));
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    if nocase {
        (lo, hi, c) = (lower(lo), lower(hi), lower(c));
    }
    lo <= c && c <= hi
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    /// A fixed keyspace; each case lists the keys Redis 7.0.15's `KEYS pattern` returned
    /// for it (recorded from a real server, in this order).
    const KEYS: &[&[u8]] = &[
        b"",
        b"a",
        b"b",
        b"A",
        b"ab",
        b"abc",
        b"aXc",
        b"a*c",
        b"a?c",
        b"a[c",
        b"a]c",
        b"a\\c",
        b"a-c",
        b"a^c",
        b"hello",
        b"hallo",
        b"hxllo",
        b"hllo",
        b"heeeello",
        b"foo:bar",
        b"foo:baz",
        b"\\",
        b"[",
        b"]",
        b"^",
        b"-",
        b"\x00",
        b"a\x00b",
        b"\x7f",
        b"\x80",
        b"\xff",
        b"\xfe\xff",
        b"z",
        b"Z",
        b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
    ];
    #[rustfmt::skip]
    const CASES: &[(&[u8], &[&[u8]])] = &[
        (b"**", &[b"a", b"b", b"A", b"ab", b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c", b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello", b"foo:bar", b"foo:baz", b"\\", b"[", b"]", b"^", b"-", b"\x00", b"a\x00b", b"\x7f", b"\x80", b"\xff", b"\xfe\xff", b"z", b"Z", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"]),
        (b"?", &[b"a", b"b", b"A", b"\\", b"[", b"]", b"^", b"-", b"\x00", b"\x7f", b"\x80", b"\xff", b"z", b"Z"]),
        (b"??", &[b"ab", b"\xfe\xff"]),
        (b"???", &[b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c", b"a\x00b"]),
        (b"*?", &[b"a", b"b", b"A", b"ab", b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c", b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello", b"foo:bar", b"foo:baz", b"\\", b"[", b"]", b"^", b"-", b"\x00", b"a\x00b", b"\x7f", b"\x80", b"\xff", b"\xfe\xff", b"z", b"Z", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"]),
        (b"a*", &[b"a", b"ab", b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c", b"a\x00b", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"]),
        (b"*c", &[b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c"]),
        (b"a?c", &[b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c"]),
        (b"a*c", &[b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c"]),
        (b"h?llo", &[b"hello", b"hallo", b"hxllo"]),
        (b"h*llo", &[b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello"]),
        (b"h[ae]llo", &[b"hello", b"hallo"]),
        (b"h[^e]llo", &[b"hallo", b"hxllo"]),
        (b"h[a-b]llo", &[b"hallo"]),
        (b"h[b-a]llo", &[b"hallo"]),
        (b"h[z-a]llo", &[b"hello", b"hallo", b"hxllo"]),
        (b"foo:ba[rz]", &[b"foo:bar", b"foo:baz"]),
        (b"foo:ba[^r]", &[b"foo:baz"]),
        (b"a\\*c", &[b"a*c"]),
        (b"a\\?c", &[b"a?c"]),
        (b"a\\[c", &[b"a[c"]),
        (b"a[\\]]c", &[b"a]c"]),
        (b"a[\\^]c", &[b"a^c"]),
        (b"a[\\-]c", &[b"a-c"]),
        (b"a[-]c", &[b"a-c"]),
        (b"a[]c", &[]),
        (b"a[^]c", &[b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c"]),
        (b"a[x-]c", &[b"ab"]),
        (b"a[-x]c", &[b"a-c"]),
        (b"a[a-]", &[]),
        (b"[", &[]),
        (b"[a", &[b"a"]),
        (b"[^a", &[b"b", b"A", b"\\", b"[", b"]", b"^", b"-", b"\x00", b"\x7f", b"\x80", b"\xff", b"z", b"Z"]),
        (b"[]", &[]),
        (b"[^]", &[b"a", b"b", b"A", b"\\", b"[", b"]", b"^", b"-", b"\x00", b"\x7f", b"\x80", b"\xff", b"z", b"Z"]),
        (b"\\", &[b"\\"]),
        (b"\\\\", &[b"\\"]),
        (b"a\\", &[]),
        (b"a\\c", &[]),
        (b"a\\\\c", &[b"a\\c"]),
        (b"\\a", &[b"a"]),
        (b"[\\", &[b"\\"]),
        (b"[a-", &[b"a", b"-"]),
        (b"[a-c", &[b"a", b"b"]),
        (b"[z-a]", &[b"a", b"b", b"z"]),
        (b"[A-z]", &[b"a", b"b", b"A", b"\\", b"[", b"]", b"^", b"z", b"Z"]),
        (b"[a-\xff]", &[b"a", b"A", b"\\", b"[", b"]", b"^", b"-", b"\x00", b"\xff", b"Z"]),
        (b"[\x80-\xff]", &[b"\x80", b"\xff"]),
        (b"[\x00-\x7f]", &[b"a", b"b", b"A", b"\\", b"[", b"]", b"^", b"-", b"\x00", b"\x7f", b"z", b"Z"]),
        (b"[\xff-\x00]", &[b"\x00", b"\xff"]),
        (b"\xff", &[b"\xff"]),
        (b"?\xff", &[b"\xfe\xff"]),
        (b"[\x00]", &[b"\x00"]),
        (b"a?b", &[b"a\x00b"]),
        (b"a[\x00]b", &[b"a\x00b"]),
        (b"*\x00*", &[b"\x00", b"a\x00b"]),
        (b"a*a*a*a*a*a*a*a*a*b", &[b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"]),
        (b"a*a*a*a*a*a*a*a*a*c", &[]),
        (b"*a*b", &[b"ab", b"a\x00b", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"]),
        (b"*[Aa]*", &[b"a", b"A", b"ab", b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c", b"hallo", b"foo:bar", b"foo:baz", b"a\x00b", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"]),
        (b"[^a-z]", &[b"A", b"\\", b"[", b"]", b"^", b"-", b"\x00", b"\x7f", b"\x80", b"\xff", b"Z"]),
        (b"[!a]", &[b"a"]),
        (b"[a-z", &[b"a", b"b", b"z"]),
        (b"^", &[b"^"]),
        (b"[\\^]", &[b"^"]),
        (b"[[]", &[b"["]),
        (b"[[-]]", &[b"\\", b"[", b"]"]),
        (b"*]", &[b"]"]),
        (b"?]*", &[b"a]c"]),
        (b"[]]", &[]),
        (b"*[^]", &[b"a", b"b", b"A", b"ab", b"abc", b"aXc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"a-c", b"a^c", b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello", b"foo:bar", b"foo:baz", b"\\", b"[", b"]", b"^", b"-", b"\x00", b"a\x00b", b"\x7f", b"\x80", b"\xff", b"\xfe\xff", b"z", b"Z", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"]),
        (b"h*l*o", &[b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello"]),
        (b"h?*?o", &[b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello"]),
        (b"*l?", &[b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello"]),
        (b"z*", &[b"z"]),
        (b"Z*", &[b"Z"]),
    ];

    #[test]
    fn matches_recorded_redis_keys_results() {
        for (pattern, expected) in CASES {
            let got: Vec<&[u8]> = KEYS
                .iter()
                .copied()
                .filter(|k| glob_match(pattern, k, false))
                .collect();
            assert_eq!(
                &got,
                expected,
                "pattern {:?}",
                String::from_utf8_lossy(pattern)
            );
        }
    }

    #[test]
    fn star_does_not_match_empty_string() {
        assert!(!glob_match(b"*", b"", false));
        assert!(!glob_match(b"**", b"", false));
        assert!(glob_match(b"", b"", false));
        assert!(!glob_match(b"", b"a", false));
    }

    #[test]
    fn nocase_as_config_get_sees_it() {
        // Pattern, config name, whether Redis's CONFIG GET returned it.
        let cases: &[(&[u8], &[u8], bool)] = &[
            (b"[M]AXMEMORY", b"maxmemory", true),
            (b"[\\M]axmemory", b"maxmemory", false),
            (b"[\\m]AXMEMORY", b"maxmemory", true),
            (b"[A-z]axmemory", b"maxmemory", true),
            (b"[^A]AXMEMORY", b"maxmemory", true),
            (b"MAXMEMORY-POLIC?", b"maxmemory-policy", true),
            (b"*MEMORY", b"replica-ignore-maxmemory", true),
            (b"[Z-A]axmemory", b"maxmemory", true),
            (b"[_-a]axmemory", b"maxmemory", false),
            (b"[[-_]axmemory", b"maxmemory", false),
            (b"maxmemory[-_]policy", b"maxmemory-policy", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(glob_match(pattern, name, true), *expected, "{:?}", pattern);
        }
        assert!(!glob_match(b"[M]AXMEMORY", b"maxmemory", false));
    }

    #[test]
    fn nesting_deeper_than_1000_stars_fails() {
        // Checked with KEYS against a key of 1200 `a`s: `*a` x1000 matches, x1001 not;
        // `a*` x1001 matches because a trailing star needs no recursion.
        let key = vec![b'a'; 1200];
        assert!(glob_match(&b"*a".repeat(999), &key, false));
        assert!(glob_match(&b"*a".repeat(1000), &key, false));
        assert!(!glob_match(&b"*a".repeat(1001), &key, false));
        assert!(glob_match(&b"a*".repeat(1001), &key, false));
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let key = vec![b'a'; 5000];
        let pattern = b"a*"
            .repeat(40)
            .into_iter()
            .chain(*b"b")
            .collect::<Vec<u8>>();
        let start = std::time::Instant::now();
        assert!(!glob_match(&pattern, &key, false));
        assert!(!glob_match(b"*a*a*a*a*a*a*a*a*a*a*a*a*b", &key, false));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }
}
