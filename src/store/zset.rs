//! Sorted set values: a compact sorted vector of (member, score) pairs ordered by
//! (score, member) while small — standing in for Redis's listpack — and past
//! `zset-max-listpack-entries` members or `zset-max-listpack-value` bytes per member a
//! skiplist with spans that doubles as the member → score index, so each member is
//! stored once (see [`skiplist`]).
//!
//! OBJECT ENCODING reports `listpack` or `skiplist`, as Redis 7.0 does. Like Redis,
//! the small encoding stores scores as text, so a negative zero comes back as `0`
//! there, while the skiplist keeps `-0`. A skiplist never converts back on deletes.
//!
//! Every operation is expressed with 0-based ranks: a score or lex range becomes a
//! rank range through [`ZSetValue::count_before`], so both encodings share all the
//! range logic.

#[path = "zset_skiplist.rs"]
pub mod skiplist;

use crate::store::bstr::Bstr;
use skiplist::SkipList;

/// The two encodings of a sorted set.
#[derive(Debug, Clone)]
pub enum ZSetValue {
    /// (member, score) pairs ordered by (score, member).
    Listpack(Vec<(Bstr, f64)>),
    /// (score, member) order with ranks, and member → score lookup.
    SkipList {
        /// the list and its member index
        list: SkipList,
    },
}

/// True when (s1, e1) sorts before (s2, e2).
fn before(s1: f64, e1: &[u8], s2: f64, e2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && e1 < e2)
}

impl ZSetValue {
    /// An empty set in the small encoding.
    pub fn new_listpack() -> Self {
        ZSetValue::Listpack(Vec::new())
    }

    /// An empty set in the skiplist encoding.
    pub fn new_skiplist() -> Self {
        ZSetValue::SkipList {
            list: SkipList::new(),
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            ZSetValue::Listpack(v) => v.len(),
            ZSetValue::SkipList { list, .. } => list.len(),
        }
    }

    /// True when the set has no members (its key must then be deleted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            ZSetValue::Listpack(_) => "listpack",
            ZSetValue::SkipList { .. } => "skiplist",
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSetValue::Listpack(v) => v
                .iter()
                .find(|(m, _)| m.as_slice() == member)
                .map(|(_, s)| *s),
            ZSetValue::SkipList { list } => list.score(member),
        }
    }

    /// Converts to the skiplist encoding (no-op when already there).
    pub fn convert_to_skiplist(&mut self) {
        if let ZSetValue::Listpack(v) = self {
            let mut list = SkipList::with_capacity(v.len());
            for (m, s) in v.drain(..) {
                list.insert(s, m.as_slice());
            }
            *self = ZSetValue::SkipList { list };
        }
    }

    /// Converts a skiplist back to the small encoding when it fits (used for results
    /// built by the set-algebra commands, as Redis's zsetConvertToListpackIfNeeded).
    pub fn shrink_if_fits(&mut self, max_entries: usize, max_value: usize) {
        if let ZSetValue::SkipList { list, .. } = self {
            let mut maxlen = 0;
            list.for_range(0, usize::MAX, false, |m, _| maxlen = maxlen.max(m.len()));
            if list.len() <= max_entries && maxlen <= max_value {
                let mut v = Vec::with_capacity(list.len());
                list.for_range(0, usize::MAX, false, |m, s| {
                    v.push((Bstr::from_slice(m), norm(s)))
                });
                *self = ZSetValue::Listpack(v);
            }
        }
    }

    /// Inserts a member known to be absent, converting to a skiplist first when the
    /// set would outgrow the small encoding (so the member keeps a `-0` score).
    pub fn insert(&mut self, member: &[u8], score: f64, max_entries: usize, max_value: usize) {
        match self {
            ZSetValue::Listpack(v) if v.len() + 1 > max_entries || member.len() > max_value => {
                self.convert_to_skiplist();
                self.insert(member, score, max_entries, max_value);
            }
            ZSetValue::Listpack(v) => {
                let score = norm(score);
                let at = v.partition_point(|(m, s)| before(*s, m.as_slice(), score, member));
                v.insert(at, (Bstr::from_slice(member), score));
            }
            ZSetValue::SkipList { list } => list.insert(score, member),
        }
    }

    /// Changes the score of a present member.
    pub fn update(&mut self, member: &[u8], new_score: f64) {
        match self {
            ZSetValue::Listpack(v) => {
                if let Some(i) = v.iter().position(|(m, _)| m.as_slice() == member) {
                    let (m, _) = v.remove(i);
                    let score = norm(new_score);
                    let at = v.partition_point(|(e, s)| before(*s, e.as_slice(), score, member));
                    v.insert(at, (m, score));
                }
            }
            ZSetValue::SkipList { list } => {
                list.update_score(member, new_score);
            }
        }
    }

    /// Removes `member`; false when absent.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            ZSetValue::Listpack(v) => match v.iter().position(|(m, _)| m.as_slice() == member) {
                Some(i) => {
                    v.remove(i);
                    true
                }
                None => false,
            },
            ZSetValue::SkipList { list } => list.delete(member).is_some(),
        }
    }

    /// 0-based rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match self {
            ZSetValue::Listpack(v) => v.iter().position(|(m, _)| m.as_slice() == member),
            ZSetValue::SkipList { list } => list.rank(member),
        }
    }

    /// How many leading members satisfy `pred` (which must hold for a prefix).
    pub fn count_before(&self, pred: impl Fn(&[u8], f64) -> bool) -> usize {
        match self {
            ZSetValue::Listpack(v) => v.partition_point(|(m, s)| pred(m.as_slice(), *s)),
            ZSetValue::SkipList { list, .. } => list.count_before(pred),
        }
    }

    /// [`ZSetValue::count_before`] for a predicate on scores alone (which a skiplist
    /// answers without reading members).
    pub fn count_before_score(&self, pred: impl Fn(f64) -> bool) -> usize {
        match self {
            ZSetValue::Listpack(v) => v.partition_point(|(_, s)| pred(*s)),
            ZSetValue::SkipList { list } => list.count_before_score(pred),
        }
    }

    /// The member at 0-based rank.
    pub fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        match self {
            ZSetValue::Listpack(v) => v.get(rank).map(|(m, s)| (m.as_slice(), *s)),
            ZSetValue::SkipList { list, .. } => list.get(rank),
        }
    }

    /// Visits ranks `start..end` (clamped) ascending, or descending when `rev`.
    pub fn for_range(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64)) {
        match self {
            ZSetValue::Listpack(v) => {
                let end = end.min(v.len());
                if start >= end {
                    return;
                }
                let slice = &v[start..end];
                if rev {
                    slice.iter().rev().for_each(|(m, s)| f(m.as_slice(), *s));
                } else {
                    slice.iter().for_each(|(m, s)| f(m.as_slice(), *s));
                }
            }
            ZSetValue::SkipList { list, .. } => list.for_range(start, end, rev, f),
        }
    }

    /// Every (member, score) pair in ascending order.
    pub fn to_vec(&self) -> Vec<(Vec<u8>, f64)> {
        let mut out = Vec::with_capacity(self.len());
        self.for_range(0, usize::MAX, false, |m, s| out.push((m.to_vec(), s)));
        out
    }

    /// Removes ranks `start..end` (clamped); returns how many were removed.
    pub fn remove_range(&mut self, start: usize, end: usize) -> usize {
        let end = end.min(self.len());
        if start >= end {
            return 0;
        }
        match self {
            ZSetValue::Listpack(v) => {
                v.drain(start..end);
            }
            ZSetValue::SkipList { list } => {
                let mut doomed = Vec::with_capacity(end - start);
                list.for_range(start, end, false, |m, _| doomed.push(m.to_vec()));
                for m in doomed {
                    list.delete(&m);
                }
            }
        }
        end - start
    }

    /// One SCAN step: the small encoding returns everything at once (cursor 0), the
    /// skiplist scans its member index.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], f64)) -> u64 {
        match self {
            ZSetValue::Listpack(v) => {
                v.iter().for_each(|(m, s)| f(m.as_slice(), *s));
                0
            }
            ZSetValue::SkipList { list } => {
                let mut cursor = cursor;
                let mut seen = 0;
                let mut maxiter = count.saturating_mul(10).max(10);
                loop {
                    cursor = list.scan_step(cursor, |m, s| {
                        seen += 1;
                        f(m, s)
                    });
                    maxiter -= 1;
                    if cursor == 0 || maxiter == 0 || seen >= count {
                        return cursor;
                    }
                }
            }
        }
    }
}

/// The small encoding keeps scores as text, where a negative zero prints as `0`.
fn norm(score: f64) -> f64 {
    if score == 0.0 {
        0.0
    } else {
        score
    }
}

#[cfg(test)]
#[path = "zset_tests.rs"]
mod tests;
