//! Random command generator for hashes: valid and invalid arguments over the shared
//! small key space, so WRONGTYPE and edge cases come up often.
//!
//! Both encodings are exercised: the thresholds are lowered now and then by CONFIG SET,
//! and some fields and values are longer than the default `hash-max-listpack-value`
//! (64), so OBJECT ENCODING (compared exactly) checks the conversion points. Since a
//! hashtable's order is the server's own, listings are compared as multisets; fields come
//! from a pool of nine, so an HSCAN with COUNT 100 finishes in one call and its cursor is
//! comparable; HRANDFIELD is compared exactly only on keys that never hold a hash (see
//! [`NOT_HASHES`]) and by shape elsewhere.

use super::super::compare::Check;
use super::super::random::{Cmd, Gen};
use super::{key, value};
use rand::Rng;

/// A field longer than 64 bytes: converts a listpack hash to a table.
const LONG: &[u8] = b"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

/// Fields: text, integers (stored as integers in a listpack), empty, binary, long.
const FIELDS: &[&[u8]] = &[b"a", b"b", b"c", b"f", b"1", b"-5", b"", b"\x00\r\n", LONG];

/// Increments for HINCRBY and HINCRBYFLOAT, valid and not.
const INCRS: &[&[u8]] = &[
    b"1",
    b"-1",
    b"5",
    b"0",
    b"100",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775808",
    b"1.5",
    b"-0.25",
    b"1e3",
    b"inf",
    b"-inf",
    b"nan",
    b"x",
    b"",
    b" 1",
];

/// Keys that never hold a hash: HRANDFIELD on them is deterministic.
const NOT_HASHES: &[&[u8]] = &[b"hrand:none", b"hrand:str"];

fn field(g: &mut Gen) -> Vec<u8> {
    g.pick(FIELDS)
}

fn fields(g: &mut Gen, max: usize) -> Vec<Vec<u8>> {
    let n = g.rng.gen_range(1..=max);
    (0..n).map(|_| field(g)).collect()
}

/// A value: usually the shared pool, sometimes longer than 64 bytes.
fn hvalue(g: &mut Gen) -> Vec<u8> {
    if g.chance(0.05) {
        vec![b'v'; 65 + g.rng.gen_range(0..10)]
    } else {
        value(g)
    }
}

/// `n` field/value pairs, flattened.
fn pairs(g: &mut Gen, max: usize) -> Vec<Vec<u8>> {
    let n = g.rng.gen_range(1..=max);
    (0..n).flat_map(|_| [field(g), hvalue(g)]).collect()
}

/// One random command of the family.
pub fn generate(g: &mut Gen) -> Cmd {
    let k = key(g);
    let (args, check) = match g.rng.gen_range(0..32) {
        0..=4 => (
            [vec![b"HSET".to_vec(), k], pairs(g, 3)].concat(),
            Check::Exact,
        ),
        5 => (
            [vec![b"HMSET".to_vec(), k], pairs(g, 2)].concat(),
            Check::Exact,
        ),
        6 => (
            vec![b"HSETNX".to_vec(), k, field(g), hvalue(g)],
            Check::Exact,
        ),
        7 | 8 => (vec![b"HGET".to_vec(), k, field(g)], Check::Exact),
        9 => (
            [vec![b"HMGET".to_vec(), k], fields(g, 4)].concat(),
            Check::Exact,
        ),
        10 => (vec![b"HGETALL".to_vec(), k], Check::UnorderedPairs),
        11 => (vec![b"HKEYS".to_vec(), k], Check::Unordered),
        12 => (vec![b"HVALS".to_vec(), k], Check::Unordered),
        13 => (vec![b"HLEN".to_vec(), k], Check::Exact),
        14 => (vec![b"HEXISTS".to_vec(), k, field(g)], Check::Exact),
        15 => (vec![b"HSTRLEN".to_vec(), k, field(g)], Check::Exact),
        16 | 17 => (
            [vec![b"HDEL".to_vec(), k], fields(g, 3)].concat(),
            Check::Exact,
        ),
        18 | 19 => (
            vec![b"HINCRBY".to_vec(), k, field(g), g.pick(INCRS)],
            Check::Exact,
        ),
        20 | 21 => (
            vec![b"HINCRBYFLOAT".to_vec(), k, field(g), g.pick(INCRS)],
            Check::Exact,
        ),
        22 | 23 => hrandfield(g, k),
        24 => (hscan(g, k), Check::ScanReply),
        25 | 26 => (
            vec![b"OBJECT".to_vec(), b"ENCODING".to_vec(), k],
            Check::Exact,
        ),
        27 if g.chance(0.1) => (
            vec![b"SET".to_vec(), b"hrand:str".to_vec(), value(g)],
            Check::Exact,
        ),
        27 => (vec![b"SET".to_vec(), k, value(g)], Check::Exact),
        28 => (vec![b"DEL".to_vec(), k], Check::Exact),
        29 if g.chance(0.3) => (config(g), Check::Exact),
        _ => (vec![b"TYPE".to_vec(), k], Check::Exact),
    };
    Cmd { args, check }
}

/// CONFIG SET of one of the two conversion thresholds (small values make conversions
/// frequent; the defaults bring new hashes back to listpacks).
fn config(g: &mut Gen) -> Vec<Vec<u8>> {
    let (name, value) = if g.chance(0.5) {
        (
            b"hash-max-listpack-entries".to_vec(),
            g.pick(&[b"0", b"1", b"2", b"3", b"512", b"512"]),
        )
    } else {
        (
            b"hash-max-listpack-value".to_vec(),
            g.pick(&[b"0", b"1", b"3", b"64", b"64"]),
        )
    };
    vec![b"CONFIG".to_vec(), b"SET".to_vec(), name, value]
}

/// HRANDFIELD: shape only on keys that may hold a hash (random picks, and the harness may
/// drop the count), exact on keys that never hold one.
fn hrandfield(g: &mut Gen, k: Vec<u8>) -> (Vec<Vec<u8>>, Check) {
    let count = g.pick(&[
        b"-3",
        b"1",
        b"2",
        b"9",
        b"100",
        b"0",
        b"x",
        b"-9223372036854775808",
        b"4611686018427387904",
        b"-4611686018427387904",
        b"1.5",
    ]);
    // A huge negative count on a real hash asks for that many replies: Redis would try
    // to send them all (and run out of memory), so such counts only go to keys that
    // never hold a hash.
    let safe_count = g.pick(&[b"-3", b"1", b"2", b"9", b"100", b"0", b"x", b"1.5"]);
    let mut args = match g.rng.gen_range(0..3) {
        0 => return (vec![b"HRANDFIELD".to_vec(), k], Check::Skip),
        1 => vec![b"HRANDFIELD".to_vec(), k, safe_count],
        _ => vec![b"HRANDFIELD".to_vec(), g.pick(NOT_HASHES), count],
    };
    if g.chance(0.5) {
        args.push(g.pick(&[b"WITHVALUES", b"withvalues", b"WITHVALUE"]));
    }
    let exact = NOT_HASHES.iter().any(|k| args[1] == *k);
    (args, if exact { Check::Exact } else { Check::Skip })
}

/// HSCAN always with a COUNT of 100 or an invalid one: hashes stay far below 50 fields
/// (nine pool fields plus the harness's occasional junk argument), so a valid call
/// finishes in one step with cursor 0 on both servers whatever their hash order.
fn hscan(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let mut args = vec![b"HSCAN".to_vec(), k, g.pick(&[b"0", b"0", b"0", b"x", b""])];
    args.extend([
        b"COUNT".to_vec(),
        g.pick(&[b"100", b"100", b"1000", b"0", b"x"]),
    ]);
    if g.chance(0.4) {
        args.extend([
            b"MATCH".to_vec(),
            g.pick(&[b"*", b"1*", b"a", b"[ab]", b"", b"-*", b"f*"]),
        ]);
    }
    args
}
