//! SORT and SORT_RO: sort the elements of a list, set or sorted set (numerically or by bytes),
//! optionally by the values of other keys or hash fields (`BY`), fetching other keys'
//! values for each element (`GET`), and storing the result as a list (`STORE`).
//!
//! The rules follow Redis 7.0 exactly where clients can see them:
//!
//! * Options are parsed before the key is looked up, so a syntax error wins over
//!   WRONGTYPE; a LIMIT that is not an integer replies with the integer error.
//! * `BY pattern` without a `*` (up to the first NUL, as C's `strchr`) means "don't
//!   sort": lists keep their order (DESC walks from the tail, LIMIT takes a range), sets
//!   keep their iteration order — except with STORE, where a set is sorted by bytes so
//!   the stored list is deterministic (DESC still applies). Sorted sets keep their
//!   own (score, member) order, like lists, with or without STORE.
//! * A sorted set is converted to the skiplist encoding by SORT and SORT_RO alike,
//!   even when the sort then fails, as Redis does before loading it (OBJECT ENCODING
//!   shows it).
//! * Numeric sorting reads every score with C `strtod`: leading spaces, an empty string
//!   (0), hex and `inf` are accepted, trailing bytes, NaN and out-of-range values are
//!   not (`One or more scores can't be converted into double`). Equal scores are ordered
//!   by the elements' bytes. A missing BY key scores 0 (sorts first with ALPHA).
//! * ALPHA compares bytes; without STORE it compares like `strcoll` in the C locale,
//!   which stops at a NUL byte. The sort is stable (glibc's `qsort` is a merge sort), so
//!   ties among BY values keep the input order.
//! * Patterns substitute the element for the first `*`; `->field` after the `*` reads
//!   a hash field; `#` is the element itself. Keys that are missing or of the wrong type
//!   give null (an empty string when storing).

use std::cmp::Ordering;

use bytes::Bytes;

use crate::command::core::access;
use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group, KeySpec, LIMIT_OFFSET_COUNT};
use crate::command::state::notify;
use crate::command::types::lists::list_shape;
use crate::error::{c_str, CmdError, CmdResult};
use crate::store::db::Db;
use crate::store::hash::HashValue;
use crate::store::quicklist::QuickList;
use crate::store::value::Value;
use crate::util::numbers::{append_i64, strtod};

/// A score that does not read as a double.
const ERR_SCORES: &str = "ERR One or more scores can't be converted into double";

/// SORT's options, as given.
struct SortOptions<'a> {
    desc: bool,
    alpha: bool,
    /// LIMIT offset and count; (0, -1) when absent.
    limit: (i64, i64),
    store: Option<&'a Bytes>,
    by: Option<&'a [u8]>,
    /// A BY pattern without `*` was given.
    dontsort: bool,
    gets: Vec<&'a [u8]>,
}

impl<'a> SortOptions<'a> {
    /// Parses the options after the key, left to right as Redis does; STORE is only an
    /// option of the writing variant.
    fn parse(opts: &'a [Bytes], readonly: bool, reads_every_key: bool) -> CmdResult<Self> {
        let mut o = SortOptions {
            desc: false,
            alpha: false,
            limit: (0, -1),
            store: None,
            by: None,
            dontsort: false,
            gets: Vec::new(),
        };
        let mut i = 0;
        while i < opts.len() {
            let (arg, left) = (&opts[i], opts.len() - i - 1);
            if args::is(arg, "ASC") {
                o.desc = false;
            } else if args::is(arg, "DESC") {
                o.desc = true;
            } else if args::is(arg, "ALPHA") {
                o.alpha = true;
            } else if args::is(arg, "LIMIT") && left >= 2 {
                o.limit = (args::int(&opts[i + 1])?, args::int(&opts[i + 2])?);
                i += 2;
            } else if !readonly && args::is(arg, "STORE") && left >= 1 {
                o.store = Some(&opts[i + 1]);
                i += 1;
            } else if args::is(arg, "BY") && left >= 1 {
                o.by = Some(&opts[i + 1]);
                let constant = !c_str(&opts[i + 1], usize::MAX).contains(&b'*');
                if !constant && !reads_every_key {
                    return Err(CmdError::raw(ERR_BY_DENIED));
                }
                o.dontsort |= constant;
                i += 1;
            } else if args::is(arg, "GET") && left >= 1 {
                if !reads_every_key {
                    return Err(CmdError::raw(ERR_GET_DENIED));
                }
                o.gets.push(&opts[i + 1]);
                i += 1;
            } else {
                return Err(CmdError::Syntax);
            }
            i += 1;
        }
        Ok(o)
    }
}

/// BY and GET read keys the data names, so a user must be able to read every key.
const ERR_BY_DENIED: &str = "ERR BY option of SORT denied due to insufficient ACL permissions.";
const ERR_GET_DENIED: &str = "ERR GET option of SORT denied due to insufficient ACL permissions.";

/// One element being sorted, with what it sorts by.
struct Item {
    elem: Vec<u8>,
    score: f64,
    /// The BY value for ALPHA; `None` when the BY key is missing.
    by: Option<Vec<u8>>,
}

/// The value `pattern` points to for `elem`, as Redis's `lookupKeyByPattern`: `#` is
/// the element; otherwise the first `*` is replaced by the element and the key read as
/// a string, or as a hash field when `->field` follows the `*`. `None` for a pattern
/// without `*` and for missing keys, fields or mismatched types.
fn lookup_by_pattern(db: &mut Db, pattern: &[u8], elem: &[u8], now: i64) -> Option<Vec<u8>> {
    if pattern.first() == Some(&b'#') && pattern.get(1).is_none_or(|&b| b == 0) {
        return Some(elem.to_vec());
    }
    let text = c_str(pattern, usize::MAX);
    let star = text.iter().position(|&b| b == b'*')?;
    let arrow = text[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|p| star + 1 + p);
    let field = arrow
        .filter(|&f| pattern.get(f + 2).is_some_and(|&b| b != 0))
        .map(|f| &pattern[f + 2..]);
    let key_end = field.map_or(pattern.len(), |field| pattern.len() - field.len() - 2);
    let mut key = Vec::with_capacity(key_end + elem.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    match (db.lookup_read(&key, now)?, field) {
        (Value::Hash(hash), Some(field)) => hash_field(hash, field),
        (Value::Int(n), None) => {
            let mut out = Vec::new();
            append_i64(&mut out, *n);
            Some(out)
        }
        (Value::Str(s) | Value::RawStr(s), None) => Some(s.as_slice().to_vec()),
        _ => None,
    }
}

/// The value of `field` in a hash.
fn hash_field(hash: &HashValue, field: &[u8]) -> Option<Vec<u8>> {
    match hash {
        HashValue::Listpack(lp) => {
            let mut entries = lp.iter();
            while let (Some(name), Some(value)) = (entries.next(), entries.next()) {
                if name.eq_bytes(field) {
                    return Some(value.to_vec());
                }
            }
            None
        }
        HashValue::Table(table) => table.get(field).map(|value| value.as_slice().to_vec()),
    }
}

/// A score as SORT reads it: C `strtod` up to the end (or a NUL), no range error, not
/// NaN.
fn sort_score(bytes: &[u8]) -> Option<f64> {
    let r = strtod(bytes);
    let rest_ok = r.consumed == bytes.len() || bytes[r.consumed] == 0;
    (rest_ok && !r.range_error && !r.value.is_nan()).then_some(r.value)
}

/// Bytes compared the way `strcoll` does in the C locale: up to the first NUL.
fn coll_cmp(a: &[u8], b: &[u8]) -> Ordering {
    c_str(a, usize::MAX).cmp(c_str(b, usize::MAX))
}

/// Redis's `sortCompare` for the options in force.
fn compare(a: &Item, b: &Item, o: &SortOptions<'_>) -> Ordering {
    let by_bytes = |x: &[u8], y: &[u8]| {
        if o.store.is_some() {
            x.cmp(y)
        } else {
            coll_cmp(x, y)
        }
    };
    let cmp = if !o.alpha {
        a.score
            .partial_cmp(&b.score)
            .filter(|c| c.is_ne())
            .unwrap_or_else(|| a.elem.cmp(&b.elem))
    } else if o.by.is_some() {
        match (&a.by, &b.by) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => by_bytes(x, y),
        }
    } else {
        by_bytes(&a.elem, &b.elem)
    };
    if o.desc {
        cmp.reverse()
    } else {
        cmp
    }
}

/// The elements to sort: a whole list or set, or for a list that is not sorted only
/// the LIMIT range (walked from the tail with DESC). Returns the elements and the
/// `start..=end` range of them to output.
fn load(value: Option<&mut Value>, o: &SortOptions<'_>) -> (Vec<Vec<u8>>, i64, i64) {
    let len = match value.as_deref() {
        Some(Value::List(list)) => list.len(),
        Some(Value::Set(set)) => set.len(),
        Some(Value::ZSet(z)) => z.len(),
        _ => 0,
    } as i64;
    let (start, end) = limit_range(o.limit, len);
    match value {
        Some(Value::List(list)) if o.dontsort => {
            if end < start {
                return (Vec::new(), start, end);
            }
            let elems = if o.desc {
                list.range(len - 1 - end, len - 1 - start)
                    .rev()
                    .map(|e| e.to_vec())
                    .collect()
            } else {
                list.range(start, end).map(|e| e.to_vec()).collect()
            };
            list.release_copies();
            (elems, 0, end - start)
        }
        Some(Value::ZSet(z)) if o.dontsort => {
            if end < start {
                return (Vec::new(), start, end);
            }
            let mut elems = Vec::with_capacity((end - start + 1) as usize);
            let (from, to) = if o.desc {
                (len - 1 - end, len - start)
            } else {
                (start, end + 1)
            };
            z.for_range(from as usize, to as usize, o.desc, |m, _| {
                elems.push(m.to_vec())
            });
            (elems, 0, end - start)
        }
        Some(Value::ZSet(z)) => (z.to_vec().into_iter().map(|(m, _)| m).collect(), start, end),
        Some(Value::List(list)) => {
            let mut elems = Vec::with_capacity(list.len());
            list.for_each(|e| elems.push(e.to_vec()));
            (elems, start, end)
        }
        Some(Value::Set(set)) => (set.iter().map(|m| m.to_vec()).collect(), start, end),
        _ => (Vec::new(), start, end),
    }
}

/// LIMIT applied to `len` elements: the `start..=end` indexes to output (empty when
/// `end < start`), with Redis's clamping and no overflow.
fn limit_range((offset, count): (i64, i64), len: i64) -> (i64, i64) {
    let start = offset.max(0);
    let mut end = if count < 0 {
        len - 1
    } else {
        (i128::from(start) + i128::from(count) - 1).min(i128::from(len)) as i64
    };
    if start >= len {
        return (len - 1, len - 2);
    }
    if end >= len {
        end = len - 1;
    }
    (start, end)
}

/// Fills in scores (or ALPHA BY values) and sorts; `Err` when a score is not a number.
fn sort_items(db: &mut Db, items: &mut [Item], o: &SortOptions<'_>, now: i64) -> CmdResult {
    let mut bad_score = false;
    for item in items.iter_mut() {
        match (o.by, o.alpha) {
            (None, true) => break,
            (None, false) => match sort_score(&item.elem) {
                Some(score) => item.score = score,
                None => bad_score = true,
            },
            (Some(pattern), alpha) => {
                let Some(by) = lookup_by_pattern(db, pattern, &item.elem, now) else {
                    continue;
                };
                if alpha {
                    item.by = Some(by);
                } else {
                    match sort_score(&by) {
                        Some(score) => item.score = score,
                        None => bad_score = true,
                    }
                }
            }
        }
    }
    if bad_score {
        return Err(CmdError::raw(ERR_SCORES));
    }
    items.sort_by(|a, b| compare(a, b, o));
    Ok(())
}

/// SORT and SORT_RO.
fn sort_generic(ctx: &mut Ctx<'_>, args: &[Bytes], readonly: bool) -> CmdResult {
    let reads_every_key = access::reads_every_key(ctx, args);
    let mut o = SortOptions::parse(&args[2..], readonly, reads_every_key)?;
    let now = ctx.now();
    let in_script = ctx.session.in_script;
    let db = ctx.db();
    let mut value = db.lookup_read(&args[1], now);
    let is_set = matches!(value, Some(Value::Set(_)));
    match value.as_deref_mut() {
        None | Some(Value::List(_)) | Some(Value::Set(_)) => {}
        Some(Value::ZSet(z)) => z.convert_to_skiplist(),
        Some(_) => return Err(CmdError::WrongType),
    }
    // A set has no order of its own: stored or scripted results are sorted anyway, so
    // they are the same on every replica (as Redis does).
    if o.dontsort && is_set && (o.store.is_some() || in_script) {
        (o.dontsort, o.alpha, o.by) = (false, true, None);
    }
    let (elems, start, end) = load(value, &o);
    let mut items: Vec<Item> = elems
        .into_iter()
        .map(|elem| Item {
            elem,
            score: 0.0,
            by: None,
        })
        .collect();
    if !o.dontsort {
        sort_items(db, &mut items, &o, now)?;
    }
    let picked = if end >= start {
        &items[start as usize..=end as usize]
    } else {
        &[][..]
    };
    match o.store {
        Some(dst) => store(ctx, dst, picked, &o.gets),
        None => reply_items(ctx, picked, &o.gets),
    }
    Ok(())
}

/// Replies with the elements, or for each element the values of the GET patterns.
fn reply_items(ctx: &mut Ctx<'_>, items: &[Item], gets: &[&[u8]]) {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    if gets.is_empty() {
        reply.array_len(items.len());
        items.iter().for_each(|item| reply.bulk(&item.elem));
        return;
    }
    reply.array_len(items.len() * gets.len());
    for item in items {
        for pattern in gets {
            match lookup_by_pattern(db, pattern, &item.elem, now) {
                Some(value) => reply.bulk(&value),
                None => reply.null(),
            }
        }
    }
}

/// Stores the result as a list at `dst` (GET values missing become empty strings), or
/// deletes `dst` when there is nothing; replies with the number of entries stored.
fn store(ctx: &mut Ctx<'_>, dst: &[u8], items: &[Item], gets: &[&[u8]]) {
    let now = ctx.now();
    let mut list = QuickList::shaped(list_shape(ctx));
    let db = ctx.db();
    for item in items {
        if gets.is_empty() {
            list.push_back(&item.elem);
        }
        for pattern in gets {
            list.push_back(&lookup_by_pattern(db, pattern, &item.elem, now).unwrap_or_default());
        }
    }
    let len = list.len();
    if len > 0 {
        db.set(dst, Value::List(Box::new(list)), false, now);
        ctx.notify(notify::LIST, "sortstore", dst);
        ctx.signal_ready(dst);
        ctx.server.dirty += len as u64;
    } else if db.remove(dst, now).is_some() {
        ctx.notify(notify::GENERIC, "del", dst);
        ctx.server.dirty += 1;
    }
    ctx.reply.int(len as i64);
}

/// `SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
/// [ASC | DESC] [ALPHA] [STORE destination]`
///
/// # Returns
/// The sorted elements (or their GET values), or with STORE the number of entries
/// stored.
fn sort(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    sort_generic(ctx, args, false)
}

/// `SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
/// [ASC | DESC] [ALPHA]`
///
/// # Returns
/// As SORT without STORE (which is a syntax error here).
fn sort_ro(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    sort_generic(ctx, args, true)
}

/// SORT and SORT_RO's table entries: one entry per command, with the flags, key specs, ACL
/// categories and argument structure Redis 7.0 reports (docs text in our own words).
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sort", -2, WRITE | DENYOOM | MOVABLE_KEYS, sort)
        .acl(acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS)
        .keys(1, 1, 1, SORT_KEYS)
        .docs(Group::Generic.doc("Sorts the elements of a list or set, optionally storing the result.",
            "1.0.0",
            "O(N+M*log(M)) for N elements to sort and M returned; O(N) when nothing is sorted.")
            .args(SORT_ARGS)),
    CommandSpec::new("sort_ro", -2, READONLY | MOVABLE_KEYS, sort_ro)
        .acl(acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS)
        .keys(1, 1, 1, SORT_RO_KEYS)
        .docs(Group::Generic.doc("Sorts the elements of a list or set (read-only SORT).",
            "7.0.0",
            "O(N+M*log(M)) for N elements to sort and M returned; O(N) when nothing is sorted.")
            .args(SORT_RO_ARGS)),
];

/// The sorted key, the keys BY/GET read (named by the data, so of unknown position) and,
/// for SORT, the STORE destination (its keyword may stand anywhere).
const SORT_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RO", "access"], 1, 0, 1),
    KeySpec::unknown(&["RO", "access"]),
    KeySpec::unknown(&["OW", "update"]),
];
/// SORT_RO's keys: SORT's without the STORE destination.
const SORT_RO_KEYS: &[KeySpec] = &[SORT_KEYS[0], SORT_KEYS[1]];

/// The arguments SORT and SORT_RO share; SORT adds STORE.
const SORT_RO_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("pattern", ArgType::KeyPattern(1))
        .with_token("BY")
        .optional(),
    LIMIT_OFFSET_COUNT,
    Arg::new("pattern", ArgType::KeyPattern(1))
        .with_token("GET")
        .optional()
        .multiple()
        .multiple_token(),
    Arg::one_of(
        "order",
        &[Arg::token("asc", "ASC"), Arg::token("desc", "DESC")],
    )
    .optional(),
    Arg::token("sorting", "ALPHA").optional(),
];
/// SORT's arguments: SORT_RO's, then STORE.
const SORT_ARGS: &[Arg] = &[
    SORT_RO_ARGS[0],
    SORT_RO_ARGS[1],
    SORT_RO_ARGS[2],
    SORT_RO_ARGS[3],
    SORT_RO_ARGS[4],
    SORT_RO_ARGS[5],
    Arg::key("destination", 2).with_token("STORE").optional(),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_range_clamps_like_redis() {
        assert_eq!(limit_range((0, -1), 6), (0, 5));
        assert_eq!(limit_range((2, i64::MAX), 6), (2, 5));
        assert_eq!(limit_range((i64::MAX, i64::MAX), 6), (5, 4));
        assert_eq!(limit_range((-5, 2), 6), (0, 1));
        assert_eq!(limit_range((0, 0), 6), (0, -1));
        assert_eq!(limit_range((0, -1), 0), (-1, -2));
        assert_eq!(limit_range((i64::MIN, i64::MIN), 3), (0, 2));
    }

    #[test]
    fn scores_follow_strtod() {
        assert_eq!(sort_score(b""), Some(0.0));
        assert_eq!(sort_score(b" 1"), Some(1.0));
        assert_eq!(sort_score(b"1e5"), Some(1e5));
        assert_eq!(sort_score(b"0x10"), Some(16.0));
        assert_eq!(sort_score(b"2\x00junk"), Some(2.0));
        assert_eq!(sort_score(b"-inf"), Some(f64::NEG_INFINITY));
        for bad in [&b"1 "[..], b"nan", b"1e400", b"1e-400", b"abc"] {
            assert_eq!(sort_score(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn collation_stops_at_nul() {
        assert_eq!(coll_cmp(b"a\x00b", b"a\x00c"), Ordering::Equal);
        assert_eq!(coll_cmp(b"B", b"a"), Ordering::Less);
        assert_eq!(coll_cmp(b"ab", b"abc"), Ordering::Less);
    }

    #[test]
    fn hash_fields_read_from_both_encodings() {
        use crate::store::dict::Dict;
        use crate::store::listpack::Listpack;
        use crate::store::mstr::Mstr;
        let mut lp = Listpack::new();
        for entry in [&b"f"[..], b"5", b"g", b"x", b"5", b"f"] {
            lp.push_back(entry);
        }
        let compact = HashValue::Listpack(lp);
        assert_eq!(hash_field(&compact, b"f"), Some(b"5".to_vec()));
        assert_eq!(hash_field(&compact, b"5"), Some(b"f".to_vec()));
        assert_eq!(hash_field(&compact, b"x"), None);
        let mut table = Dict::new();
        table.insert(Mstr::from_slice(b"f"), Mstr::from_slice(b"7"));
        let table = HashValue::Table(table);
        assert_eq!(hash_field(&table, b"f"), Some(b"7".to_vec()));
        assert_eq!(hash_field(&table, b"g"), None);
    }
}
