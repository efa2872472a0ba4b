//! Typed key lookups shared by the collection families: the value at a key as the type
//! a command works on, `None` when the key is missing, or WRONGTYPE.
//!
//! `read` counts a keyspace hit or miss (and a `keymiss` event), as Redis's
//! `lookupKeyRead`; `write` does not, as `lookupKeyWrite`. Both apply lazy expiry.

use crate::error::{CmdError, CmdResult};
use crate::store::hash::HashValue;
use crate::store::quicklist::QuickList;
use crate::store::set::SetValue;
use crate::store::value::Value;
use crate::store::zset::ZSetValue;
use crate::store::Db;

/// A collection type a [`Value`] may hold.
pub trait Collection {
    /// The collection inside `value`, if `value` holds this type.
    fn inside(value: &mut Value) -> Option<&mut Self>;
}

impl Collection for QuickList {
    fn inside(value: &mut Value) -> Option<&mut Self> {
        match value {
            Value::List(list) => Some(list),
            _ => None,
        }
    }
}

impl Collection for HashValue {
    fn inside(value: &mut Value) -> Option<&mut Self> {
        match value {
            Value::Hash(hash) => Some(hash),
            _ => None,
        }
    }
}

impl Collection for SetValue {
    fn inside(value: &mut Value) -> Option<&mut Self> {
        match value {
            Value::Set(set) => Some(set),
            _ => None,
        }
    }
}

impl Collection for ZSetValue {
    fn inside(value: &mut Value) -> Option<&mut Self> {
        match value {
            Value::ZSet(zset) => Some(zset),
            _ => None,
        }
    }
}

/// The `T` at `key` for reading (a hit or a miss is counted).
///
/// # Errors
/// WRONGTYPE when the key holds another type.
pub fn read<'a, T: Collection>(
    db: &'a mut Db,
    key: &[u8],
    now: i64,
) -> CmdResult<Option<&'a mut T>> {
    of_type(db.lookup_read(key, now))
}

/// The `T` at `key` for writing.
///
/// # Errors
/// WRONGTYPE when the key holds another type.
pub fn write<'a, T: Collection>(
    db: &'a mut Db,
    key: &[u8],
    now: i64,
) -> CmdResult<Option<&'a mut T>> {
    of_type(db.lookup_write(key, now))
}

fn of_type<T: Collection>(value: Option<&mut Value>) -> CmdResult<Option<&mut T>> {
    match value {
        None => Ok(None),
        Some(value) => T::inside(value).map(Some).ok_or(CmdError::WrongType),
    }
}
