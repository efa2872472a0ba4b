//! Stream entry IDs: `<ms>-<seq>`, two unsigned 64-bit halves ordered as one 128-bit
//! number, parsed the lenient way Redis parses them and printed as Redis prints them.

use crate::util::numbers::parse_u64_lax;

/// An entry ID. Ordering is by `ms`, then `seq`, as Redis compares IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    /// Milliseconds part.
    pub ms: u64,
    /// Sequence part.
    pub seq: u64,
}

/// Longest ID argument Redis parses (its buffer holds 127 bytes and a NUL).
const MAX_ID_ARG: usize = 127;

/// How an ID argument may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdSyntax {
    /// The sequence used when only `<ms>` is given (0 for starts, `u64::MAX` for ends).
    pub missing_seq: u64,
    /// Refuse `-` and `+` (XADD, XDEL, XACK...).
    pub strict: bool,
    /// Accept `<ms>-*` (XADD only).
    pub seq_star: bool,
}

impl IdSyntax {
    /// A plain ID with `-`/`+` refused and a missing sequence of 0.
    pub const STRICT: IdSyntax = IdSyntax {
        missing_seq: 0,
        strict: true,
        seq_star: false,
    };
    /// An ID where `-` and `+` are accepted, missing sequence `missing_seq`.
    pub const fn lax(missing_seq: u64) -> IdSyntax {
        IdSyntax {
            missing_seq,
            strict: false,
            seq_star: false,
        }
    }
}

/// A parsed ID argument: the ID, and whether its sequence was given (`false` for
/// `<ms>-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedId {
    /// The ID (sequence 0 for `<ms>-*`).
    pub id: StreamId,
    /// False when the argument was `<ms>-*`.
    pub seq_given: bool,
}

impl StreamId {
    /// The smallest ID, `0-0`.
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    /// The largest ID.
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// An ID from its parts.
    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// True for `0-0`.
    pub fn is_zero(&self) -> bool {
        self.ms == 0 && self.seq == 0
    }

    /// The next ID, or `None` past the largest.
    pub fn next(&self) -> Option<StreamId> {
        if self.seq < u64::MAX {
            Some(StreamId::new(self.ms, self.seq + 1))
        } else if self.ms < u64::MAX {
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            None
        }
    }

    /// The previous ID, or `None` before `0-0`.
    pub fn prev(&self) -> Option<StreamId> {
        if self.seq > 0 {
            Some(StreamId::new(self.ms, self.seq - 1))
        } else if self.ms > 0 {
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            None
        }
    }

    /// The `<ms>-<seq>` text.
    pub fn to_text(&self) -> String {
        format!("{}-{}", self.ms, self.seq)
    }

    /// Parses an ID argument as Redis's `streamGenericParseIDOrReply` does: `-`, `+`
    /// (unless strict), `<ms>`, `<ms>-<seq>`, `<ms>-*` (if allowed); bytes after a NUL
    /// are ignored, as C sees the argument.
    pub fn parse(arg: &[u8], syntax: IdSyntax) -> Option<ParsedId> {
        if arg.len() > MAX_ID_ARG {
            return None;
        }
        let text = match arg.iter().position(|&b| b == 0) {
            Some(nul) => &arg[..nul],
            None => arg,
        };
        let given = |id| {
            Some(ParsedId {
                id,
                seq_given: true,
            })
        };
        match text {
            b"-" | b"+" if syntax.strict => None,
            b"-" => given(StreamId::MIN),
            b"+" => given(StreamId::MAX),
            _ => parse_parts(text, syntax),
        }
    }
}

/// The `<ms>[-<seq>|-*]` forms.
fn parse_parts(text: &[u8], syntax: IdSyntax) -> Option<ParsedId> {
    let (ms_text, seq_text) = match text.iter().position(|&b| b == b'-') {
        Some(dash) => (&text[..dash], Some(&text[dash + 1..])),
        None => (text, None),
    };
    let ms = parse_u64_lax(ms_text)?;
    match seq_text {
        None => Some(ParsedId {
            id: StreamId::new(ms, syntax.missing_seq),
            seq_given: true,
        }),
        Some(b"*") if syntax.seq_star => Some(ParsedId {
            id: StreamId::new(ms, 0),
            seq_given: false,
        }),
        Some(seq) => Some(ParsedId {
            id: StreamId::new(ms, parse_u64_lax(seq)?),
            seq_given: true,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_redis() {
        let p = |s: &str, syn| StreamId::parse(s.as_bytes(), syn).map(|p| (p.id, p.seq_given));
        assert_eq!(
            p("5", IdSyntax::lax(u64::MAX)),
            Some((StreamId::new(5, u64::MAX), true))
        );
        assert_eq!(
            p("5-3", IdSyntax::STRICT),
            Some((StreamId::new(5, 3), true))
        );
        assert_eq!(p("-", IdSyntax::STRICT), None);
        assert_eq!(p("+", IdSyntax::lax(0)), Some((StreamId::MAX, true)));
        let star = IdSyntax {
            seq_star: true,
            ..IdSyntax::STRICT
        };
        assert_eq!(p("7-*", star), Some((StreamId::new(7, 0), false)));
        assert_eq!(p("7-*", IdSyntax::STRICT), None);
        assert_eq!(p("1-2-3", IdSyntax::STRICT), None);
        assert_eq!(p("abc", IdSyntax::STRICT), None);
        assert_eq!(StreamId::MAX.next(), None);
        assert_eq!(StreamId::MIN.prev(), None);
        assert_eq!(StreamId::new(1, u64::MAX).next(), Some(StreamId::new(2, 0)));
    }
}
