//! From a [`Value`] to its type byte and payload, as Redis 7.0's `rdbSaveObjectType`
//! and `rdbSaveObject` write them: a type per encoding, blobs in Redis's formats (our
//! in-memory listpacks are re-encoded entry by entry), tables as counted sequences of
//! strings, skiplists from the greatest member down.

use std::io::{self, Write};

use crate::store::hash::HashValue;
use crate::store::quicklist::QuickList;
use crate::store::set::SetValue;
use crate::store::zset::ZSetValue;
use crate::store::Value;
use crate::util::numbers::MAX_I64_CHARS;

use super::format::*;
use super::legacy::intset_blob;
use super::listpack::LpWriter;
use super::stream::write_stream;
use super::write::Output;

/// The type byte Redis 7.0 writes for `value`'s encoding.
pub fn type_byte(value: &Value) -> u8 {
    match value {
        Value::Int(_) | Value::Str(_) | Value::RawStr(_) => TYPE_STRING,
        Value::List(_) => TYPE_LIST_QUICKLIST_2,
        Value::Hash(h) => match **h {
            HashValue::Listpack(_) => TYPE_HASH_LISTPACK,
            HashValue::Table(_) => TYPE_HASH,
        },
        Value::Set(s) => match **s {
            SetValue::Intset(_) => TYPE_SET_INTSET,
            SetValue::Table(_) => TYPE_SET,
        },
        Value::ZSet(z) => match *z {
            ZSetValue::Listpack(_) => TYPE_ZSET_LISTPACK,
            ZSetValue::SkipList { .. } => TYPE_ZSET_2,
        },
        Value::Stream(_) => TYPE_STREAM_LISTPACKS_2,
    }
}

/// Writes `value`'s payload (what follows its type byte and key).
pub fn write_value<W: Write>(out: &mut Output<W>, value: &Value) -> io::Result<()> {
    match value {
        Value::Int(n) => out.int_string(*n),
        Value::Str(s) | Value::RawStr(s) => out.string(s.as_slice()),
        Value::List(list) => write_list(out, list),
        Value::Hash(hash) => write_hash(out, hash),
        Value::Set(set) => write_set(out, set),
        Value::ZSet(zset) => write_zset(out, zset),
        Value::Stream(stream) => write_stream(out, stream),
    }
}

/// A list: its node count, then per node its container and contents: a plain node's
/// element as a string, a packed node's elements as a listpack blob.
fn write_list<W: Write>(out: &mut Output<W>, list: &QuickList) -> io::Result<()> {
    out.length(list.node_count() as u64)?;
    for node in list.nodes() {
        if node.is_plain() {
            out.length(CONTAINER_PLAIN)?;
            for entry in node.entries().iter() {
                let mut digits = [0; MAX_I64_CHARS];
                out.string(entry.as_bytes(&mut digits))?;
            }
            continue;
        }
        let mut lp = LpWriter::new();
        for entry in node.entries().iter() {
            lp.push_entry(entry);
        }
        out.length(CONTAINER_PACKED)?;
        out.string(&lp.finish())?;
    }
    Ok(())
}

/// A hash: a listpack blob of field, value, ..., or a count and field/value strings.
fn write_hash<W: Write>(out: &mut Output<W>, hash: &HashValue) -> io::Result<()> {
    match hash {
        HashValue::Listpack(pack) => {
            let mut lp = LpWriter::new();
            for entry in pack {
                lp.push_entry(entry);
            }
            out.string(&lp.finish())
        }
        HashValue::Table(table) => {
            out.length(table.len() as u64)?;
            for (field, value) in table.iter() {
                out.string(field.as_slice())?;
                out.string(value.as_slice())?;
            }
            Ok(())
        }
    }
}

/// A set: an intset blob, or a count and member strings.
fn write_set<W: Write>(out: &mut Output<W>, set: &SetValue) -> io::Result<()> {
    match set {
        SetValue::Intset(ints) => out.string(&intset_blob(ints)),
        SetValue::Table(table) => {
            out.length(table.len() as u64)?;
            for (member, ()) in table.iter() {
                out.string(member.as_slice())?;
            }
            Ok(())
        }
    }
}

/// A sorted set: a listpack blob of member, score, ... with scores as Redis stores
/// them (an integer entry, else `%.17g` text), or a count and member, binary score
/// pairs from the greatest down.
fn write_zset<W: Write>(out: &mut Output<W>, zset: &ZSetValue) -> io::Result<()> {
    match zset {
        ZSetValue::Listpack(_) => {
            let mut lp = LpWriter::new();
            let mut text = Vec::with_capacity(32);
            zset.for_range(0, usize::MAX, false, |member, score| {
                lp.push_bytes(member);
                match double_as_int(score) {
                    Some(n) => lp.push_int(n),
                    None => {
                        text.clear();
                        double_text(score, &mut text);
                        lp.push_bytes(&text);
                    }
                }
            });
            out.string(&lp.finish())
        }
        ZSetValue::SkipList { list } => {
            out.length(list.len() as u64)?;
            let mut result = Ok(());
            zset.for_range(0, usize::MAX, true, |member, score| {
                if result.is_ok() {
                    result = out.string(member).and_then(|()| out.double(score));
                }
            });
            result
        }
    }
}
