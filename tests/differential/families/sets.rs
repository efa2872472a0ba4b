//! Random command generator for sets (and SORT): valid and invalid arguments over the
//! shared small key space, so WRONGTYPE and edge cases come up often.
//!
//! Two correct servers may legitimately differ in hashtable iteration order and in
//! random picks, so: members come from a pool of nine values (an SSCAN with COUNT 100
//! then finishes in one call and its cursor is comparable); replies listing a set are
//! compared as multisets; SPOP and exact SRANDMEMBERs only touch keys that never hold a
//! set (see [`NOT_SETS`]), other SRANDMEMBERs are shape-compared; SORT compares exactly
//! except where Redis keeps set order (BY nosort, or ALPHA with BY, whose ties keep
//! input order), and never stores such an order.

use super::super::compare::Check;
use super::super::random::{Cmd, Gen};
use super::{key, value};
use rand::Rng;

/// Members: integers (intsets) and text (hashtables); `0`..`3` and `7` name keys of the
/// shared space through the `k*` and `key:*` patterns.
const MEMBERS: &[&[u8]] = &[b"0", b"1", b"2", b"3", b"-5", b"10", b"7", b"a", b"b"];

/// BY/GET patterns: keys of the shared space, the element itself, hash fields, none.
const PATTERNS: &[&[u8]] = &[
    b"k*",
    b"k*",
    b"key:*",
    b"#",
    b"nosuch_*",
    b"k*->f",
    b"*",
    b"nostar",
    b"",
];

fn member(g: &mut Gen) -> Vec<u8> {
    g.pick(MEMBERS)
}

fn members(g: &mut Gen, max: usize) -> Vec<Vec<u8>> {
    let n = g.rng.gen_range(1..=max);
    (0..n).map(|_| member(g)).collect()
}

fn some_keys(g: &mut Gen, max: usize) -> Vec<Vec<u8>> {
    let n = g.rng.gen_range(1..=max);
    (0..n).map(|_| key(g)).collect()
}

/// One random command of the family.
pub fn generate(g: &mut Gen) -> Cmd {
    let k = key(g);
    let (args, check) = match g.rng.gen_range(0..30) {
        0..=4 => (
            [vec![b"SADD".to_vec(), k], members(g, 4)].concat(),
            Check::Exact,
        ),
        5 | 6 => (
            [vec![b"SREM".to_vec(), k], members(g, 3)].concat(),
            Check::Exact,
        ),
        7 => (vec![b"SMEMBERS".to_vec(), k], Check::Unordered),
        8 => (vec![b"SISMEMBER".to_vec(), k, member(g)], Check::Exact),
        9 => (
            [vec![b"SMISMEMBER".to_vec(), k], members(g, 4)].concat(),
            Check::Exact,
        ),
        10 => (vec![b"SCARD".to_vec(), k], Check::Exact),
        11 => spop(g),
        12 => srandmember(g, k),
        13 => (vec![b"SMOVE".to_vec(), k, key(g), member(g)], Check::Exact),
        14 | 15 => {
            let name = g.pick(&[b"SINTER", b"SUNION", b"SDIFF"]);
            ([vec![name], some_keys(g, 3)].concat(), Check::Unordered)
        }
        16 | 17 => {
            let name = g.pick(&[b"SINTERSTORE", b"SUNIONSTORE", b"SDIFFSTORE"]);
            ([vec![name, k], some_keys(g, 3)].concat(), Check::Exact)
        }
        18 => (sintercard(g), Check::Exact),
        19 => (sscan(g, k), Check::ScanReply),
        20 if g.chance(0.1) => (
            vec![b"SET".to_vec(), b"spop:str".to_vec(), value(g)],
            Check::Exact,
        ),
        20 => (vec![b"SET".to_vec(), k, value(g)], Check::Exact),
        21 => (
            vec![b"OBJECT".to_vec(), b"ENCODING".to_vec(), k],
            Check::Exact,
        ),
        22 => (
            [vec![b"DEL".to_vec()], some_keys(g, 2)].concat(),
            Check::Exact,
        ),
        23 if g.chance(0.2) => (
            vec![
                b"CONFIG".to_vec(),
                b"SET".to_vec(),
                b"set-max-intset-entries".to_vec(),
                g.pick(&[b"0", b"1", b"2", b"3", b"512"]),
            ],
            Check::Exact,
        ),
        24..=28 => sort(g, k),
        _ => (vec![b"TYPE".to_vec(), k], Check::Exact),
    };
    Cmd { args, check }
}

/// Keys that never hold a set: SPOP (and exact SRANDMEMBER) target only these, because
/// the harness sometimes drops a command's last argument, and `SPOP k` or
/// `SRANDMEMBER k` on a real set is a random pick. Whole-set pops are in the corpus.
const NOT_SETS: &[&[u8]] = &[b"spop:none", b"spop:str"];

/// SPOP on a missing key or a string, with counts valid and not.
fn spop(g: &mut Gen) -> (Vec<Vec<u8>>, Check) {
    let k = g.pick(NOT_SETS);
    let mut args = vec![b"SPOP".to_vec(), k];
    if g.chance(0.7) {
        args.push(g.pick(&[b"100", b"1", b"0", b"-1", b"x", b"9223372036854775807"]));
    }
    (args, Check::Exact)
}

/// SRANDMEMBER: shape only on real sets (random, and the count may be dropped), exact on
/// keys that never hold a set.
fn srandmember(g: &mut Gen, k: Vec<u8>) -> (Vec<Vec<u8>>, Check) {
    let count = g.pick(&[
        b"-3",
        b"1",
        b"2",
        b"9",
        b"100",
        b"0",
        b"x",
        b"-9223372036854775808",
        b"1.5",
    ]);
    match g.rng.gen_range(0..3) {
        0 => (vec![b"SRANDMEMBER".to_vec(), k], Check::Skip),
        1 => (vec![b"SRANDMEMBER".to_vec(), k, count], Check::Skip),
        _ => (
            vec![b"SRANDMEMBER".to_vec(), g.pick(NOT_SETS), count],
            Check::Exact,
        ),
    }
}

fn sintercard(g: &mut Gen) -> Vec<Vec<u8>> {
    let keys = some_keys(g, 3);
    let numkeys = if g.chance(0.85) {
        keys.len().to_string().into_bytes()
    } else {
        g.pick(&[b"0", b"-1", b"x", b"4", b"1"])
    };
    let mut args = [vec![b"SINTERCARD".to_vec(), numkeys], keys].concat();
    if g.chance(0.5) {
        args.push(b"LIMIT".to_vec());
        args.push(g.pick(&[b"0", b"1", b"2", b"-1", b"x", b"100"]));
    }
    args
}

/// SSCAN always with a COUNT of 100 or an invalid one: sets stay far below 100 members
/// (nine pool values plus the harness's occasional junk argument), so a valid call
/// finishes in one step with cursor 0 on both servers whatever their hash order.
fn sscan(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let mut args = vec![b"SSCAN".to_vec(), k, g.pick(&[b"0", b"0", b"0", b"x", b""])];
    args.extend([
        b"COUNT".to_vec(),
        g.pick(&[b"100", b"100", b"1000", b"0", b"x"]),
    ]);
    if g.chance(0.4) {
        args.extend([
            b"MATCH".to_vec(),
            g.pick(&[b"*", b"1*", b"a", b"[ab]", b"", b"-*"]),
        ]);
    }
    args
}

/// SORT / SORT_RO with random options, compared exactly unless the order is one Redis
/// leaves to the set's iteration.
fn sort(g: &mut Gen, k: Vec<u8>) -> (Vec<Vec<u8>>, Check) {
    let store = g.chance(0.25);
    let name = if !store && g.chance(0.3) {
        b"SORT_RO".to_vec()
    } else {
        b"SORT".to_vec()
    };
    let mut args = vec![name, k];
    let alpha = g.chance(0.4);
    let by = if g.chance(0.4) {
        Some(g.pick(&[b"nosort", b"k*", b"nosuch_*", b"key:*", b"k*->f"]))
    } else {
        None
    };
    let nosort = by.as_deref() == Some(b"nosort");
    let order_free = nosort || (alpha && by.is_some());
    if store && order_free && !nosort {
        args.push(b"BY".to_vec());
        args.push(b"nosort".to_vec());
    } else if let Some(by) = by {
        args.push(b"BY".to_vec());
        args.push(by);
    }
    if !order_free && g.chance(0.3) {
        args.push(b"LIMIT".to_vec());
        args.push(g.pick(&[b"0", b"1", b"-1", b"5", b"x"]));
        args.push(g.pick(&[b"1", b"2", b"-1", b"0", b"100"]));
    }
    for _ in 0..g.rng.gen_range(0..3) {
        args.push(b"GET".to_vec());
        args.push(g.pick(PATTERNS));
    }
    if g.chance(0.3) {
        args.push(g.pick(&[b"ASC", b"DESC", b"desc"]));
    }
    if alpha && !(store && order_free) {
        args.push(b"ALPHA".to_vec());
    }
    if store {
        args.push(b"STORE".to_vec());
        args.push(key(g));
    } else if g.chance(0.03) {
        args.push(g.pick(&[b"STORE", b"BOGUS", b"LIMIT"]));
    }
    let check = if order_free && !store {
        Check::Unordered
    } else {
        Check::Exact
    };
    (args, check)
}
