//! The small encoding of a sorted set: one [`Listpack`] holding member, score, member,
//! score... ordered by (score, member), as Redis lays out a zset listpack.
//!
//! A score is stored as an integer entry when it is integral and fits an `i64` (so a
//! negative zero reads back as `0`, as in Redis, whose listpack holds scores as text),
//! and otherwise as the shortest text that reads back as the same double (`1.5`,
//! `2.5e-7`, `inf`). Members follow the listpack's own rule: canonical integers are
//! stored as integers. Every operation is a linear walk, which is what the size limits
//! (`zset-max-listpack-entries`, 128 by default) are for.

use std::borrow::Cow;
use std::io::Write as _;

use crate::store::listpack::{Entry, Listpack, Needle, Pos};
use crate::util::numbers::{i64_to_bytes, MAX_I64_CHARS};

/// Room for the text of any double written by [`encode_score`].
const SCORE_BUF: usize = 48;

/// True when (s1, e1) sorts before (s2, e2).
fn before(s1: f64, e1: &[u8], s2: f64, e2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && e1 < e2)
}

/// The entry bytes of `score`, written into `buf`.
fn encode_score(score: f64, buf: &mut [u8; SCORE_BUF]) -> &[u8] {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if score.fract() == 0.0 && (-TWO_63..TWO_63).contains(&score) {
        let mut ibuf = [0u8; MAX_I64_CHARS];
        let text = i64_to_bytes(score as i64, &mut ibuf);
        buf[..text.len()].copy_from_slice(text);
        return &buf[..text.len()];
    }
    let magnitude = score.abs();
    let mut out: &mut [u8] = &mut buf[..];
    let written = if (1e-4..1e16).contains(&magnitude) {
        write!(out, "{score}")
    } else {
        write!(out, "{score:e}")
    };
    let len = SCORE_BUF - out.len();
    debug_assert!(written.is_ok());
    &buf[..len]
}

/// The score an entry holds.
fn decode_score(entry: Entry<'_>) -> f64 {
    match entry {
        Entry::Int(n) => n as f64,
        Entry::Bytes(text) => std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0.0),
    }
}

/// A small sorted set.
#[derive(Debug, Clone, Default)]
pub struct ZListpack {
    lp: Listpack,
}

impl ZListpack {
    /// An empty set (no allocation).
    pub fn new() -> Self {
        ZListpack::default()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.lp.len() / 2
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.lp.is_empty()
    }

    /// Heap bytes held by the listpack buffer.
    pub fn heap_size(&self) -> usize {
        self.lp.byte_size() - std::mem::size_of::<Listpack>()
    }

    /// Position of `member`'s entry.
    fn find(&self, member: &[u8]) -> Option<Pos> {
        self.lp.find_needle(&Needle::new(member), 1)
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        let pos = self.find(member)?;
        let score = self.lp.next(pos)?;
        Some(decode_score(self.lp.get(score)))
    }

    /// Calls `f` on each (member, score) in order until it returns false.
    fn walk(&self, mut f: impl FnMut(&[u8], f64) -> bool) {
        let mut it = self.lp.iter();
        let mut buf = [0u8; MAX_I64_CHARS];
        while let (Some(m), Some(s)) = (it.next(), it.next()) {
            if !f(m.as_bytes(&mut buf), decode_score(s)) {
                return;
            }
        }
    }

    /// Inserts a member known to be absent at its place in the order.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        let mut at = None;
        let mut pos = self.lp.first();
        let mut buf = [0u8; MAX_I64_CHARS];
        while let Some(p) = pos {
            let Some(sp) = self.lp.next(p) else { break };
            let s = decode_score(self.lp.get(sp));
            if !before(s, self.lp.get(p).as_bytes(&mut buf), score, member) {
                at = Some(p);
                break;
            }
            pos = self.lp.next(sp);
        }
        let mut sbuf = [0u8; SCORE_BUF];
        let text = encode_score(score, &mut sbuf);
        match at {
            Some(p) => {
                let m = self.lp.insert_before(p, member);
                self.lp.insert_after(m, text);
            }
            None => {
                self.lp.push_back(member);
                self.lp.push_back(text);
            }
        }
    }

    /// Appends a member that sorts after every present one (building from an ordered
    /// source).
    pub fn push_back(&mut self, member: &[u8], score: f64) {
        let mut sbuf = [0u8; SCORE_BUF];
        self.lp.push_back(member);
        self.lp.push_back(encode_score(score, &mut sbuf));
    }

    /// Removes `member`, returning its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let pos = self.find(member)?;
        let score_pos = self.lp.next(pos)?;
        let score = decode_score(self.lp.get(score_pos));
        if let Some(score_pos) = self.lp.remove(pos) {
            self.lp.remove(score_pos);
        }
        Some(score)
    }

    /// Changes the score of a present member (remove and reinsert, as Redis does).
    pub fn update(&mut self, member: &[u8], score: f64) {
        if self.remove(member).is_some() {
            self.insert(member, score);
        }
    }

    /// 0-based rank of `member`.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let needle = Needle::new(member);
        self.lp
            .iter()
            .step_by(2)
            .position(|entry| needle.matches(&entry))
    }

    /// How many leading members satisfy `pred`.
    pub fn count_before(&self, pred: impl Fn(&[u8], f64) -> bool) -> usize {
        let mut n = 0;
        self.walk(|m, s| {
            let go = pred(m, s);
            n += go as usize;
            go
        });
        n
    }

    /// The member at 0-based rank (an integer member is formatted, hence `Cow`).
    pub fn get(&self, rank: usize) -> Option<(Cow<'_, [u8]>, f64)> {
        let pos = self.lp.index(isize::try_from(rank.checked_mul(2)?).ok()?)?;
        let score = decode_score(self.lp.get(self.lp.next(pos)?));
        let member = match self.lp.get(pos) {
            Entry::Bytes(b) => Cow::Borrowed(b),
            int => Cow::Owned(int.to_vec()),
        };
        Some((member, score))
    }

    /// Visits ranks `start..end` (clamped) ascending, or descending when `rev`.
    pub fn for_range(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64)) {
        let end = end.min(self.len());
        if start >= end {
            return;
        }
        let mut buf = [0u8; MAX_I64_CHARS];
        let mut it = self.lp.iter();
        if rev {
            for _ in end..self.len() {
                it.next_back();
                it.next_back();
            }
            for _ in start..end {
                if let (Some(s), Some(m)) = (it.next_back(), it.next_back()) {
                    f(m.as_bytes(&mut buf), decode_score(s));
                }
            }
        } else {
            let mut it = it.skip(2 * start);
            for _ in start..end {
                if let (Some(m), Some(s)) = (it.next(), it.next()) {
                    f(m.as_bytes(&mut buf), decode_score(s));
                }
            }
        }
    }

    /// Removes ranks `start..end` (already clamped and non-empty).
    pub fn remove_range(&mut self, start: usize, end: usize) {
        self.lp
            .remove_range((2 * start) as isize, 2 * (end - start));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_trip_through_entries() {
        for score in [
            0.0,
            -0.0,
            1.0,
            -7.0,
            1.5,
            0.1,
            -2.5e-7,
            1e16,
            1e300,
            -1e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            9.223372036854775e18,
            -9.223_372_036_854_776e18,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let mut z = ZListpack::new();
            z.insert(b"m", score);
            let back = z.score(b"m").unwrap_or(f64::NAN);
            let want = if score == 0.0 { 0.0 } else { score };
            assert_eq!(back.to_bits(), want.to_bits(), "{score:e}");
        }
    }

    #[test]
    fn integer_members_and_order() {
        let mut z = ZListpack::new();
        for (m, s) in [("10", 2.0), ("a", 1.0), ("-3", 1.0), ("b", 0.5)] {
            z.insert(m.as_bytes(), s);
        }
        let mut got = Vec::new();
        z.for_range(0, 9, false, |m, s| got.push((m.to_vec(), s)));
        let want = [("b", 0.5), ("-3", 1.0), ("a", 1.0), ("10", 2.0)];
        let want: Vec<_> = want
            .iter()
            .map(|(m, s)| (m.as_bytes().to_vec(), *s))
            .collect();
        assert_eq!(got, want);
        assert_eq!(z.rank(b"10"), Some(3));
        assert_eq!(z.get(1).map(|(m, _)| m.into_owned()), Some(b"-3".to_vec()));
        let mut rev = Vec::new();
        z.for_range(1, 3, true, |m, s| rev.push((m.to_vec(), s)));
        assert_eq!(rev, vec![want[2].clone(), want[1].clone()]);
        assert_eq!(z.remove(b"-3"), Some(1.0));
        assert_eq!(z.remove(b"-3"), None);
        assert_eq!(z.len(), 3);
    }
}
