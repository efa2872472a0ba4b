//! Sorted set values: while small, member, score pairs packed in one exact-size buffer
//! ordered by (score, member), as Redis orders its zset listpack (see [`listpack`]); past
//! `zset-max-listpack-entries` members or `zset-max-listpack-value` bytes per member a
//! skiplist with spans that doubles as the member → score index, so each member is
//! stored once (see [`skiplist`]).
//!
//! OBJECT ENCODING reports `listpack` or `skiplist`, as Redis 7.0 does. Like Redis,
//! the small encoding cannot hold a negative zero (it comes back as `0` there), while
//! the skiplist keeps `-0`. A skiplist never converts back on deletes.
//!
//! Every operation is expressed with 0-based ranks: a score or lex range becomes a
//! rank range through [`ZSetValue::count_before`], so both encodings share all the
//! range logic.

pub mod listpack;
pub mod skiplist;

use std::borrow::Cow;

use listpack::ZListpack;
use skiplist::SkipList;

/// The two encodings of a sorted set.
#[derive(Debug, Clone)]
pub enum ZSetValue {
    /// member, score pairs in one listpack, ordered by (score, member).
    Listpack(ZListpack),
    /// (score, member) order with ranks, and member → score lookup (boxed: its header
    /// is large, and most sorted sets are small).
    SkipList {
        /// the list and its member index
        list: Box<SkipList>,
    },
}

impl ZSetValue {
    /// An empty set in the small encoding.
    pub fn new_listpack() -> Self {
        ZSetValue::Listpack(ZListpack::new())
    }

    /// An empty set in the skiplist encoding.
    pub fn new_skiplist() -> Self {
        ZSetValue::SkipList {
            list: Box::new(SkipList::new()),
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            ZSetValue::Listpack(lp) => lp.len(),
            ZSetValue::SkipList { list } => list.len(),
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

    /// Approximate heap bytes held (MEMORY USAGE-style accounting).
    pub fn heap_size(&self) -> usize {
        match self {
            ZSetValue::Listpack(lp) => lp.heap_size(),
            ZSetValue::SkipList { list } => list.heap_size(),
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSetValue::Listpack(lp) => lp.score(member),
            ZSetValue::SkipList { list } => list.score(member),
        }
    }

    /// Converts to the skiplist encoding (no-op when already there).
    pub fn convert_to_skiplist(&mut self) {
        if let ZSetValue::Listpack(lp) = self {
            let mut list = SkipList::with_capacity(lp.len());
            lp.for_range(0, usize::MAX, false, |m, s| list.insert(s, m));
            *self = ZSetValue::SkipList {
                list: Box::new(list),
            };
        }
    }

    /// Converts a skiplist back to the small encoding when it fits (used for results
    /// built by the set-algebra commands, as Redis's zsetConvertToListpackIfNeeded).
    pub fn shrink_if_fits(&mut self, max_entries: usize, max_value: usize) {
        if let ZSetValue::SkipList { list } = self {
            let mut maxlen = 0;
            list.for_range(0, usize::MAX, false, |m, _| maxlen = maxlen.max(m.len()));
            if list.len() <= max_entries && maxlen <= max_value {
                let mut lp = ZListpack::new();
                list.for_range(0, usize::MAX, false, |m, s| lp.push_back(m, s));
                *self = ZSetValue::Listpack(lp);
            }
        }
    }

    /// Inserts a member known to be absent, converting to a skiplist first when the
    /// set would outgrow the small encoding (so the member keeps a `-0` score).
    pub fn insert(&mut self, member: &[u8], score: f64, max_entries: usize, max_value: usize) {
        match self {
            ZSetValue::Listpack(lp) if lp.len() + 1 > max_entries || member.len() > max_value => {
                self.convert_to_skiplist();
                self.insert(member, score, max_entries, max_value);
            }
            ZSetValue::Listpack(lp) => lp.insert(member, score),
            ZSetValue::SkipList { list } => list.insert(score, member),
        }
    }

    /// Changes the score of a present member.
    pub fn update(&mut self, member: &[u8], new_score: f64) {
        match self {
            ZSetValue::Listpack(lp) => lp.update(member, new_score),
            ZSetValue::SkipList { list } => {
                list.update_score(member, new_score);
            }
        }
    }

    /// Removes `member`; false when absent.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            ZSetValue::Listpack(lp) => lp.remove(member).is_some(),
            ZSetValue::SkipList { list } => list.delete(member).is_some(),
        }
    }

    /// 0-based rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match self {
            ZSetValue::Listpack(lp) => lp.rank(member),
            ZSetValue::SkipList { list } => list.rank(member),
        }
    }

    /// How many leading members satisfy `pred` (which must hold for a prefix).
    pub fn count_before(&self, pred: impl Fn(&[u8], f64) -> bool) -> usize {
        match self {
            ZSetValue::Listpack(lp) => lp.count_before(pred),
            ZSetValue::SkipList { list } => list.count_before(pred),
        }
    }

    /// [`ZSetValue::count_before`] for a predicate on scores alone (which a skiplist
    /// answers without reading members).
    pub fn count_before_score(&self, pred: impl Fn(f64) -> bool) -> usize {
        match self {
            ZSetValue::Listpack(lp) => lp.count_before(|_, s| pred(s)),
            ZSetValue::SkipList { list } => list.count_before_score(pred),
        }
    }

    /// Rank of the first member satisfying `pred` in ascending order, scanning every
    /// member (no monotonicity needed).
    pub fn position(&self, pred: impl Fn(&[u8], f64) -> bool) -> Option<usize> {
        let (mut i, mut found) = (0, None);
        self.for_range(0, usize::MAX, false, |m, s| {
            if found.is_none() && pred(m, s) {
                found = Some(i);
            }
            i += 1;
        });
        found
    }

    /// Rank of the last member satisfying `pred`, scanning every member.
    pub fn rposition(&self, pred: impl Fn(&[u8], f64) -> bool) -> Option<usize> {
        let (mut i, mut found) = (self.len(), None);
        self.for_range(0, usize::MAX, true, |m, s| {
            i -= 1;
            if found.is_none() && pred(m, s) {
                found = Some(i);
            }
        });
        found
    }

    /// The member at 0-based rank (borrowed, except a listpack's integer member).
    pub fn get(&self, rank: usize) -> Option<(Cow<'_, [u8]>, f64)> {
        match self {
            ZSetValue::Listpack(lp) => lp.get(rank),
            ZSetValue::SkipList { list } => list.get(rank).map(|(m, s)| (Cow::Borrowed(m), s)),
        }
    }

    /// Visits ranks `start..end` (clamped) ascending, or descending when `rev`.
    pub fn for_range(&self, start: usize, end: usize, rev: bool, f: impl FnMut(&[u8], f64)) {
        match self {
            ZSetValue::Listpack(lp) => lp.for_range(start, end, rev, f),
            ZSetValue::SkipList { list } => list.for_range(start, end, rev, f),
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
            ZSetValue::Listpack(lp) => lp.remove_range(start, end),
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
            ZSetValue::Listpack(lp) => {
                lp.for_range(0, usize::MAX, false, f);
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

#[cfg(test)]
mod tests;
