//! Set values: an intset while every member is an integer and there are at most
//! `set-max-intset-entries` of them, a dict otherwise.
//!
//! OBJECT ENCODING reports `intset` or `hashtable`, as Redis 7.0 does (7.0 has no
//! listpack encoding for sets). A set never converts back to an intset.

use crate::store::bstr::Bstr;
use crate::store::dict::Dict;
use crate::store::intset::IntSet;

/// The two encodings of a set.
#[derive(Debug, Clone)]
pub enum SetValue {
    /// Sorted integers at the narrowest width that fits them all.
    Intset(IntSet),
    /// A dict of members (no values).
    Table(Dict<Bstr, ()>),
}

impl SetValue {
    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            SetValue::Intset(set) => set.len(),
            SetValue::Table(table) => table.len(),
        }
    }

    /// True when the set has no members (its key must then be deleted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            SetValue::Intset(_) => "intset",
            SetValue::Table(_) => "hashtable",
        }
    }
}
