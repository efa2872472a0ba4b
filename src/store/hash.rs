//! Hash values: a compact listpack of field/value pairs while small, a dict past
//! `hash-max-listpack-entries` fields or `hash-max-listpack-value` bytes.
//!
//! OBJECT ENCODING reports `listpack` or `hashtable`, as Redis 7.0 does. A hash never
//! converts back to a listpack once it became a table.

use crate::store::bstr::Bstr;
use crate::store::dict::Dict;
use crate::store::listpack::Listpack;

/// The two encodings of a hash.
#[derive(Debug, Clone)]
pub enum HashValue {
    /// Fields and values alternating in one contiguous buffer.
    Listpack(Listpack),
    /// A dict from field to value.
    Table(Dict<Bstr, Bstr>),
}

impl HashValue {
    /// An empty hash in the compact encoding.
    pub fn new() -> Self {
        HashValue::Listpack(Listpack::new())
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.len() / 2,
            HashValue::Table(table) => table.len(),
        }
    }

    /// True when the hash has no fields (its key must then be deleted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            HashValue::Listpack(_) => "listpack",
            HashValue::Table(_) => "hashtable",
        }
    }
}

impl Default for HashValue {
    fn default() -> Self {
        HashValue::new()
    }
}
