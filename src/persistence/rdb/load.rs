//! From a type byte and its payload to a [`Value`], in the encoding Redis would give it
//! under the caller's [`Encodings`]: a listpack hash with too many fields becomes a
//! table, a set of integers too large for an intset a table, a list read element by
//! element is rebuilt into nodes of the configured fill, a sorted set read from a
//! skiplist shrinks back into a listpack when it fits.
//!
//! Blobs are decoded straight into our own encodings, integers as integers, without a
//! detour through text. Everything is checked: duplicate fields or members, NaN scores,
//! unordered sorted sets and blobs that lie about their size are refused. An empty
//! collection reads as `None` (the caller decides whether that is an error).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::io::Read;

use crate::store::dict::Dict;
use crate::store::hash::HashValue;
use crate::store::listpack::{Entry, Listpack};
use crate::store::mstr::Mstr;
use crate::store::quicklist::QuickList;
use crate::store::set::SetValue;
use crate::store::zset::listpack::ZListpack;
use crate::store::zset::skiplist::SkipList;
use crate::store::zset::ZSetValue;
use crate::store::{Bstr, Value};
use crate::util::numbers::{parse_i64, strtod, MAX_I64_CHARS};

use super::api::Encodings;
use super::format::*;
use super::legacy::{read_intset, read_zipmap};
use super::listpack::LpReader;
use super::read::{corrupt, Input, Result, Str};
use super::stream::read_stream;
use super::ziplist::ZlReader;

/// Most elements a collection reserves room for before its elements arrive: counts come
/// from the input and are not trusted with an allocation.
const PREALLOC_MAX: usize = 1 << 16;

/// Reads the value of type `kind`; `None` for an empty collection.
pub fn read_value<R: Read>(inp: &mut Input<R>, kind: u8, enc: &Encodings) -> Result<Option<Value>> {
    match kind {
        TYPE_STRING => Ok(Some(string_value(inp.string()?))),
        TYPE_LIST => read_plain_list(inp, enc),
        TYPE_SET => read_set(inp, enc),
        TYPE_ZSET | TYPE_ZSET_2 => read_zset(inp, kind == TYPE_ZSET_2, enc),
        TYPE_HASH => read_hash(inp, enc),
        TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => read_quicklist(inp, kind, enc),
        TYPE_HASH_ZIPMAP | TYPE_LIST_ZIPLIST | TYPE_SET_INTSET | TYPE_ZSET_ZIPLIST
        | TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK | TYPE_ZSET_LISTPACK => {
            let blob = inp.string()?;
            blob.with_bytes(|blob| read_blob(blob, kind, enc))
        }
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 | TYPE_STREAM_LISTPACKS_3 => {
            read_stream(inp, kind).map(|s| Some(Value::Stream(Box::new(s))))
        }
        TYPE_MODULE | TYPE_MODULE_2 => corrupt("module values are not supported"),
        other => corrupt(format!("unknown value type {other}")),
    }
}

/// A string value in the encoding its bytes call for (an integer when they are the
/// strict text of one), copied once at most.
fn string_value(s: Str<'_>) -> Value {
    match s {
        Str::Int(n) => Value::Int(n),
        Str::Bytes(Cow::Owned(bytes)) => Value::string_from_vec(bytes),
        Str::Bytes(Cow::Borrowed(bytes)) => match parse_i64(bytes) {
            Some(n) => Value::Int(n),
            None => Value::Str(Bstr::from_slice(bytes)),
        },
    }
}

/// A value stored as one blob.
fn read_blob(blob: &[u8], kind: u8, enc: &Encodings) -> Result<Option<Value>> {
    match kind {
        TYPE_HASH_ZIPMAP => read_zipmap_hash(blob, enc),
        TYPE_LIST_ZIPLIST => {
            let mut list = QuickList::with_depth(enc.list_fill, enc.list_depth);
            let mut reader = ZlReader::new(blob)?;
            while let Some(entry) = reader.next_entry()? {
                push_entry_text(&mut list, entry);
            }
            Ok((!list.is_empty()).then(|| Value::List(Box::new(list))))
        }
        TYPE_SET_INTSET => {
            let mut set = SetValue::Intset(read_intset(blob)?);
            if set.len() > enc.set_max_intset_entries {
                set.convert_to_table();
            }
            Ok(Some(Value::Set(Box::new(set))))
        }
        TYPE_HASH_LISTPACK => hash_from_listpack(listpack_from_lp(blob)?, enc),
        TYPE_HASH_ZIPLIST => hash_from_listpack(listpack_from_zl(blob)?, enc),
        TYPE_ZSET_LISTPACK => zset_from_listpack(&listpack_from_lp(blob)?, enc),
        _ => zset_from_listpack(&listpack_from_zl(blob)?, enc),
    }
}

/// Our listpack holding a Redis listpack blob's entries.
fn listpack_from_lp(blob: &[u8]) -> Result<Listpack> {
    let mut reader = LpReader::new(blob)?;
    let mut lp = Listpack::with_capacity(blob.len());
    while let Some(entry) = reader.next_entry()? {
        push_lp(&mut lp, entry);
    }
    Ok(lp)
}

/// Our listpack holding a ziplist blob's entries.
fn listpack_from_zl(blob: &[u8]) -> Result<Listpack> {
    let mut reader = ZlReader::new(blob)?;
    let mut lp = Listpack::with_capacity(blob.len());
    while let Some(entry) = reader.next_entry()? {
        push_lp(&mut lp, entry);
    }
    Ok(lp)
}

/// Appends an entry read from a file to our listpack, canonically (a string holding an
/// integer's text becomes the integer, as our listpack requires).
fn push_lp(lp: &mut Listpack, entry: Entry<'_>) {
    match entry {
        Entry::Int(n) => lp.push_int(n),
        Entry::Bytes(b) => lp.push_back(b),
    }
}

/// Pushes an entry onto a list, as its text.
fn push_entry_text(list: &mut QuickList, entry: Entry<'_>) {
    let mut buf = [0u8; MAX_I64_CHARS];
    list.push_back(entry.as_bytes(&mut buf));
}

/// Orders entries by their bytes (integers by their text).
fn cmp_entries(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let (mut x, mut y) = ([0u8; MAX_I64_CHARS], [0u8; MAX_I64_CHARS]);
    a.as_bytes(&mut x).cmp(b.as_bytes(&mut y))
}

/// Orders canonical entries (of our listpack, where an integer's text is never stored
/// as bytes): integers first, by value, then byte strings.
fn cmp_canonical(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    match (a, b) {
        (Entry::Int(x), Entry::Int(y)) => x.cmp(y),
        (Entry::Int(_), Entry::Bytes(_)) => Ordering::Less,
        (Entry::Bytes(_), Entry::Int(_)) => Ordering::Greater,
        (Entry::Bytes(x), Entry::Bytes(y)) => x.cmp(y),
    }
}

/// Keys (hash fields, sorted set members) compared pairwise rather than sorted.
const FEW_KEYS: usize = 32;

/// True when the entries at even positions of `lp` (hash fields, sorted set members)
/// are distinct: gathered on the stack and compared pairwise when few, sorted when
/// more.
fn distinct_keys(lp: &Listpack) -> bool {
    if lp.len() <= 2 * FEW_KEYS {
        let mut keys = [Entry::Int(0); FEW_KEYS];
        let mut n = 0;
        for (slot, key) in keys.iter_mut().zip(lp.iter().step_by(2)) {
            *slot = key;
            n += 1;
        }
        let keys = &keys[..n];
        return (1..n).all(|i| !keys[..i].contains(&keys[i]));
    }
    let mut sorted: Vec<Entry<'_>> = lp.iter().step_by(2).collect();
    sorted.sort_unstable_by(cmp_canonical);
    sorted.windows(2).all(|w| w[0] != w[1])
}

/// A plain list (type 1): a count and that many strings.
fn read_plain_list<R: Read>(inp: &mut Input<R>, enc: &Encodings) -> Result<Option<Value>> {
    let n = inp.count()?;
    let mut list = QuickList::with_depth(enc.list_fill, enc.list_depth);
    for _ in 0..n {
        inp.string()?.with_bytes(|b| list.push_back(b));
    }
    Ok((!list.is_empty()).then(|| Value::List(Box::new(list))))
}

/// A list of nodes: ziplists (type 14), or listpacks and plain elements (type 18). The
/// nodes are kept as the file has them, as Redis keeps them.
fn read_quicklist<R: Read>(inp: &mut Input<R>, kind: u8, enc: &Encodings) -> Result<Option<Value>> {
    let nodes = inp.count()?;
    let mut list = QuickList::with_depth(enc.list_fill, enc.list_depth);
    for _ in 0..nodes {
        let container = match kind {
            TYPE_LIST_QUICKLIST_2 => inp.length()?,
            _ => CONTAINER_PACKED,
        };
        let blob = inp.string()?;
        blob.with_bytes(|blob| push_list_node(&mut list, blob, container, kind))?;
    }
    Ok((!list.is_empty()).then(|| Value::List(Box::new(list))))
}

/// Appends one list node read from its blob, of the kind the file recorded: a plain
/// node's blob is its element, a packed node's a listpack (a ziplist before RDB 10).
fn push_list_node(list: &mut QuickList, blob: &[u8], container: u64, kind: u8) -> Result<()> {
    if blob.is_empty() {
        return corrupt("empty list node");
    }
    match container {
        CONTAINER_PLAIN => list.push_plain_node(blob),
        CONTAINER_PACKED if kind == TYPE_LIST_QUICKLIST_2 => {
            list.push_node(listpack_from_lp(blob)?)
        }
        CONTAINER_PACKED => list.push_node(listpack_from_zl(blob)?),
        _ => return corrupt("unknown list node container"),
    }
    Ok(())
}

/// A set (type 2): an intset while the members are integers and few enough, else a
/// table, as Redis decides.
fn read_set<R: Read>(inp: &mut Input<R>, enc: &Encodings) -> Result<Option<Value>> {
    let n = inp.count()?;
    if n == 0 {
        return Ok(None);
    }
    let mut set = if n > enc.set_max_intset_entries.min(1 << 30) {
        SetValue::Table(Dict::with_capacity(n.min(PREALLOC_MAX)))
    } else {
        SetValue::new_intset()
    };
    for _ in 0..n {
        let member = inp.string()?;
        let fresh = match (&mut set, member.as_int()) {
            (SetValue::Intset(ints), Some(v)) => ints.insert(v),
            _ => member.with_bytes(|b| set.insert(b, usize::MAX)),
        };
        if !fresh {
            return corrupt("duplicate set member");
        }
    }
    Ok(Some(Value::Set(Box::new(set))))
}

/// A sorted set as member/score pairs (types 3 and 5), converted to a listpack after
/// loading when it fits, as Redis does.
fn read_zset<R: Read>(inp: &mut Input<R>, binary: bool, enc: &Encodings) -> Result<Option<Value>> {
    let n = inp.count()?;
    if n == 0 {
        return Ok(None);
    }
    let mut list = SkipList::with_capacity(n.min(PREALLOC_MAX));
    let mut member = Vec::new();
    for _ in 0..n {
        member.clear();
        inp.string()?.with_bytes(|b| member.extend_from_slice(b));
        let score = if binary {
            inp.double()?
        } else {
            inp.text_double()?
        };
        if score.is_nan() {
            return corrupt("sorted set score is NaN");
        }
        if list.contains(&member) {
            return corrupt("duplicate sorted set member");
        }
        list.insert(score, &member);
    }
    let mut zset = ZSetValue::SkipList {
        list: Box::new(list),
    };
    zset.shrink_if_fits(enc.zset_max_listpack_entries, enc.zset_max_listpack_value);
    Ok(Some(Value::ZSet(zset)))
}

/// A sorted set from a listpack or ziplist of member, score pairs (here in our
/// listpack), which must be in (score, member) order with distinct members.
fn zset_from_listpack(entries: &Listpack, enc: &Encodings) -> Result<Option<Value>> {
    if !entries.len().is_multiple_of(2) {
        return corrupt("sorted set blob has an odd number of entries");
    }
    if entries.is_empty() {
        return Ok(None);
    }
    if !distinct_keys(entries) {
        return corrupt("duplicate sorted set member");
    }
    let mut lp = ZListpack::new();
    let mut prev: Option<(f64, Entry<'_>)> = None;
    let mut it = entries.iter();
    while let (Some(member), Some(score)) = (it.next(), it.next()) {
        let score = entry_score(&score)?;
        if let Some((s, m)) = prev {
            if s > score || (s == score && cmp_entries(&m, &member) != Ordering::Less) {
                return corrupt("sorted set blob is out of order");
            }
        }
        prev = Some((score, member));
        let mut buf = [0u8; MAX_I64_CHARS];
        lp.push_back(member.as_bytes(&mut buf), score);
    }
    let mut zset = ZSetValue::Listpack(lp);
    if zset.len() > enc.zset_max_listpack_entries {
        zset.convert_to_skiplist();
    }
    Ok(Some(Value::ZSet(zset)))
}

/// The score a blob entry holds (Redis reads its text with `strtod`).
fn entry_score(entry: &Entry<'_>) -> Result<f64> {
    let score = match entry {
        Entry::Int(n) => *n as f64,
        Entry::Bytes(text) if text.len() < 128 => strtod(text).value,
        Entry::Bytes(_) => f64::NAN,
    };
    if score.is_nan() {
        return corrupt("sorted set score is not a number");
    }
    Ok(score)
}

/// A hash from a listpack or ziplist of field, value pairs (here in our listpack) with
/// distinct fields, a table when it has more fields than `hash-max-listpack-entries`.
fn hash_from_listpack(lp: Listpack, enc: &Encodings) -> Result<Option<Value>> {
    if !lp.len().is_multiple_of(2) {
        return corrupt("hash blob has an odd number of entries");
    }
    if lp.is_empty() {
        return Ok(None);
    }
    if !distinct_keys(&lp) {
        return corrupt("duplicate hash field");
    }
    let mut hash = HashValue::Listpack(lp);
    if hash.len() > enc.hash.max_entries {
        hash.convert_to_table();
    }
    Ok(Some(Value::Hash(Box::new(hash))))
}

/// A hash from a zipmap, a table past either listpack limit.
fn read_zipmap_hash(blob: &[u8], enc: &Encodings) -> Result<Option<Value>> {
    let pairs = read_zipmap(blob)?;
    let mut lp = Listpack::with_capacity(blob.len());
    let mut longest = 0;
    for (field, value) in &pairs {
        longest = longest.max(field.len()).max(value.len());
        lp.push_back(field);
        lp.push_back(value);
    }
    if !distinct_keys(&lp) {
        return corrupt("duplicate hash field");
    }
    let mut hash = HashValue::Listpack(lp);
    if hash.len() > enc.hash.max_entries || longest > enc.hash.max_value {
        hash.convert_to_table();
    }
    Ok(Some(Value::Hash(Box::new(hash))))
}

/// A hash as field/value strings (type 4): a listpack until it holds too many fields or
/// a long string, as Redis decides while reading.
fn read_hash<R: Read>(inp: &mut Input<R>, enc: &Encodings) -> Result<Option<Value>> {
    let n = inp.count()?;
    if n == 0 {
        return Ok(None);
    }
    let limits = enc.hash;
    let mut lp = (n <= limits.max_entries).then(Listpack::new);
    let mut table: Dict<Mstr, Mstr> =
        Dict::with_capacity(if lp.is_some() { 0 } else { n.min(PREALLOC_MAX) });
    let mut field = Vec::new();
    for _ in 0..n {
        field.clear();
        inp.string()?.with_bytes(|b| field.extend_from_slice(b));
        let value = inp.string()?;
        if let Some(pack) = lp.as_mut() {
            if field.len() <= limits.max_value && value.byte_len() <= limits.max_value {
                pack.push_back(&field);
                value.with_bytes(|v| pack.push_back(v));
                continue;
            }
            table = listpack_to_table(pack, n)?;
            lp = None;
        }
        let value = value.with_bytes(Mstr::from_slice);
        if table.insert(Mstr::from_slice(&field), value).is_some() {
            return corrupt("duplicate hash field");
        }
    }
    let hash = match lp {
        Some(pack) if !distinct_keys(&pack) => return corrupt("duplicate hash field"),
        Some(pack) => HashValue::Listpack(pack),
        None => HashValue::Table(table),
    };
    Ok(Some(Value::Hash(Box::new(hash))))
}

/// The pairs of a listpack being built, moved into a table (fields checked distinct).
fn listpack_to_table(lp: &Listpack, expected: usize) -> Result<Dict<Mstr, Mstr>> {
    let mut table = Dict::with_capacity(expected.min(PREALLOC_MAX));
    let mut it = lp.iter();
    while let (Some(f), Some(v)) = (it.next(), it.next()) {
        let (mut fb, mut vb) = ([0u8; MAX_I64_CHARS], [0u8; MAX_I64_CHARS]);
        let field = Mstr::from_slice(f.as_bytes(&mut fb));
        if table
            .insert(field, Mstr::from_slice(v.as_bytes(&mut vb)))
            .is_some()
        {
            return corrupt("duplicate hash field");
        }
    }
    Ok(table)
}
