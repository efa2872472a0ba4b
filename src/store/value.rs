//! Values and their encodings.
//!
//! A [`Value`] is what a key holds; an [`Object`] adds the access clock Redis keeps on
//! every object (for OBJECT IDLETIME and, later, LRU eviction). Encodings are a memory
//! decision (docs/ARCHITECTURE.md, "Encodings"): integer-looking strings are stored as integers, short strings
//! inline; OBJECT ENCODING reports the names Redis reports.

use bytes::Bytes;

use crate::store::bstr::Bstr;
use crate::store::hash::HashValue;
use crate::store::quicklist::QuickList;
use crate::store::set::SetValue;
use crate::store::stream::Stream;
use crate::store::zset::ZSetValue;
use crate::util::numbers::parse_i64;

/// Longest string Redis stores as `embstr` (one allocation with its object header).
pub const EMBSTR_LIMIT: usize = 44;

/// The data a key holds, in 32 bytes: small strings are the common case and pay for no
/// collection's size, so collections are boxed, except sorted sets, whose 24-byte value
/// fits (a small one is then a single allocation).
#[derive(Debug, Clone)]
pub enum Value {
    /// A string that reads as an `i64` ("int" encoding).
    Int(i64),
    /// A string; "embstr" up to 44 bytes, "raw" beyond.
    Str(Bstr),
    /// A string grown in place by APPEND or SETRANGE: always "raw", as in Redis.
    RawStr(Bstr),
    /// A list ("quicklist": every list in Redis 7.0).
    List(Box<QuickList>),
    /// A hash ("listpack" or "hashtable").
    Hash(Box<HashValue>),
    /// A set ("intset" or "hashtable").
    Set(Box<SetValue>),
    /// A sorted set ("listpack" or "skiplist"), unboxed: its small encoding is a
    /// pointer, a length and a count, and most sorted sets are small.
    ZSet(ZSetValue),
    /// A stream ("stream").
    Stream(Box<Stream>),
}

/// The Redis type names TYPE and SCAN TYPE use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// `string`
    String,
    /// `list`
    List,
    /// `hash`
    Hash,
    /// `set`
    Set,
    /// `zset`
    ZSet,
    /// `stream`
    Stream,
}

impl ValueType {
    /// The name TYPE replies with.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::List => "list",
            ValueType::Hash => "hash",
            ValueType::Set => "set",
            ValueType::ZSet => "zset",
            ValueType::Stream => "stream",
        }
    }
}

impl Value {
    /// A string value from a client argument, integer-encoded when it reads as one.
    pub fn string_from_arg(arg: &Bytes) -> Value {
        match try_int(arg) {
            Some(n) => Value::Int(n),
            None => Value::Str(Bstr::from_bytes(arg)),
        }
    }

    /// A string value from bytes a command produced, integer-encoded when possible.
    pub fn string_from_vec(bytes: Vec<u8>) -> Value {
        match try_int(&bytes) {
            Some(n) => Value::Int(n),
            None => Value::Str(Bstr::from_vec(bytes)),
        }
    }

    /// The value's type.
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::Int(_) | Value::Str(_) | Value::RawStr(_) => ValueType::String,
            Value::List(_) => ValueType::List,
            Value::Hash(_) => ValueType::Hash,
            Value::Set(_) => ValueType::Set,
            Value::ZSet(_) => ValueType::ZSet,
            Value::Stream(_) => ValueType::Stream,
        }
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Str(s) if s.len() <= EMBSTR_LIMIT => "embstr",
            Value::Str(_) | Value::RawStr(_) => "raw",
            Value::List(_) => "quicklist",
            Value::Hash(hash) => hash.encoding(),
            Value::Set(set) => set.encoding(),
            Value::ZSet(zset) => zset.encoding(),
            Value::Stream(_) => "stream",
        }
    }

    /// True for any string encoding.
    pub fn is_string(&self) -> bool {
        self.value_type() == ValueType::String
    }

    /// Roughly how many allocations freeing the value takes (Redis's
    /// `lazyfreeGetFreeEffort`): the nodes of a list or stream, the elements of a hash
    /// table, set or skiplist; 1 for anything held in one or two blocks. Values above
    /// [`LAZYFREE_THRESHOLD`] are worth freeing in the background.
    pub fn free_effort(&self) -> usize {
        use crate::store::hash::HashValue;
        use crate::store::set::SetValue;
        use crate::store::zset::ZSetValue;
        match self {
            Value::List(list) => list.node_count(),
            Value::Hash(hash) if matches!(**hash, HashValue::Table(_)) => hash.len(),
            Value::Set(set) if matches!(**set, SetValue::Table(_)) => set.len(),
            Value::ZSet(zset) if matches!(*zset, ZSetValue::SkipList { .. }) => zset.len(),
            Value::Stream(stream) => stream.node_count() + stream.groups.len(),
            _ => 1,
        }
    }
}

/// Free effort above which a lazily freed value goes to the background worker
/// (Redis's `LAZYFREE_THRESHOLD`): below it, handing it over costs more than freeing.
pub const LAZYFREE_THRESHOLD: usize = 64;

/// Redis's rule for storing a string as an integer: at most 20 bytes that parse
/// strictly as an `i64` (no sign tricks, no leading zeros, no spaces).
fn try_int(bytes: &[u8]) -> Option<i64> {
    if bytes.len() > 20 {
        return None;
    }
    parse_i64(bytes)
}

/// A value plus the per-object bookkeeping Redis keeps.
#[derive(Debug, Clone)]
pub struct Object {
    /// The data.
    pub value: Value,
    /// Access tracking, as Redis's 24-bit `lru` field: under LRU (and no policy) the
    /// seconds clock of the last access; under an LFU policy the minutes clock of the last
    /// decrement in the high bits and a logarithmic access counter in the low 8 bits.
    pub access_clock: u32,
    /// A private copy of a small integer (made by COPY): Redis gives copies their own
    /// object, so OBJECT REFCOUNT reports 1 instead of the shared objects' count.
    pub unshared: bool,
}

impl Object {
    /// Wraps a value with the given access stamp.
    pub fn new(value: Value, clock: u32) -> Self {
        Object {
            value,
            access_clock: clock,
            unshared: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_encodings_match_redis() {
        let enc =
            |s: &str| Value::string_from_arg(&Bytes::copy_from_slice(s.as_bytes())).encoding();
        assert_eq!(enc("123"), "int");
        assert_eq!(enc("-9223372036854775808"), "int");
        assert_eq!(enc("9223372036854775808"), "embstr");
        assert_eq!(enc("0123"), "embstr");
        assert_eq!(enc(&"x".repeat(44)), "embstr");
        assert_eq!(enc(&"x".repeat(45)), "raw");
        assert!(std::mem::size_of::<Value>() <= 32);
        assert_eq!(std::mem::size_of::<crate::store::zset::ZSetValue>(), 24);
    }
}
