//! Random command generator for lists: valid and invalid arguments over the
//! shared small key space, so WRONGTYPE and edge cases come up often.
//!
//! Pushes outnumber pops so lists grow to span several quicklist nodes now and
//! then; elements come from a small pool so LPOS/LREM/LINSERT pivots match.
//! Blocking commands are rare and use a 10 ms timeout (the same null on both
//! servers when nothing is there); none waits forever.

use super::super::random::{Cmd, Gen};
use super::{int, key, value};
use rand::Rng;
use std::cell::Cell;

/// Elements that recur, so searches find matches.
const POOL: &[&[u8]] = &[
    b"a", b"b", b"c", b"1", b"2", b"-1", b"", b"x\x00y", b"10000",
];

/// Indexes: mostly near the ends of short lists, sometimes extreme or invalid.
fn index(g: &mut Gen) -> Vec<u8> {
    if g.chance(0.8) {
        g.int_in(-12, 12)
    } else {
        int(g)
    }
}

thread_local! {
    /// Whether elements are made long and alike (the compressed-lists family), so that
    /// list nodes are big enough for LZF and shrink under it.
    static LONG: Cell<bool> = const { Cell::new(false) };
}

/// What a long element starts with.
const PADDING: &[u8] = b"a-long-and-compressible-list-element-";

thread_local! {
    /// Whether elements mostly begin alike in ways that share some of a node's prefix
    /// and not the rest (the prefixed-lists family).
    static PREFIXED: Cell<bool> = const { Cell::new(false) };
}

/// Elements that are a prefix of others, or share only part of one.
const BARE: &[&[u8]] = &[b"job:", b"job", b"jo", b"1", b"", b"j\x00b:1"];

/// An element that shares a beginning with many others: text before a number, digits
/// before digits (the rest may be an integer or not), a sign, or the bare prefix.
fn prefixed_element(g: &mut Gen) -> Vec<u8> {
    let n = g.rng.gen_range(0..40);
    match g.rng.gen_range(0..7) {
        0 | 1 => format!("job:{n}").into_bytes(),
        2 => format!("job:{}:x", n % 8).into_bytes(),
        3 => format!("1{n:02}").into_bytes(),
        4 => format!("-{}", n % 12).into_bytes(),
        5 => g.pick(BARE),
        _ => g.pick(POOL),
    }
}

/// An element: usually from the pool (padded to a long one in the compressed family).
fn element(g: &mut Gen) -> Vec<u8> {
    if PREFIXED.with(Cell::get) {
        return prefixed_element(g);
    }
    let short = if g.chance(0.7) {
        g.pick(POOL)
    } else {
        value(g)
    };
    match LONG.with(Cell::get) {
        true => [PADDING, &short].concat(),
        false => short,
    }
}

/// One random command for lists with compressed nodes: now and then a CONFIG SET of
/// the compression depth or the node size (each list keeps the ones it was created
/// with), otherwise the list family's commands with long elements.
pub fn generate_compressed(g: &mut Gen) -> Cmd {
    if g.chance(0.04) {
        let args = if g.chance(0.5) {
            let depth = g.pick(&[b"0", b"1", b"1", b"2", b"3"]);
            vec![
                b"CONFIG".to_vec(),
                b"SET".to_vec(),
                b"list-compress-depth".to_vec(),
                depth,
            ]
        } else {
            let fill = g.pick(&[b"2", b"4", b"4", b"8", b"-1", b"-2"]);
            vec![
                b"CONFIG".to_vec(),
                b"SET".to_vec(),
                b"list-max-listpack-size".to_vec(),
                fill,
            ]
        };
        return Cmd::exact(args);
    }
    LONG.with(|long| long.set(true));
    let cmd = generate(g);
    LONG.with(|long| long.set(false));
    cmd
}

/// One random command for lists whose elements share prefixes in part (list nodes keep
/// the bytes their elements begin with once): now and then a CONFIG SET of a small
/// node size, so nodes split and merge under different prefixes.
pub fn generate_prefixed(g: &mut Gen) -> Cmd {
    if g.chance(0.03) {
        let fill = g.pick(&[b"2", b"3", b"8", b"-1", b"-2"]);
        return Cmd::exact(vec![
            b"CONFIG".to_vec(),
            b"SET".to_vec(),
            b"list-max-listpack-size".to_vec(),
            fill,
        ]);
    }
    PREFIXED.with(|prefixed| prefixed.set(true));
    let cmd = generate(g);
    PREFIXED.with(|prefixed| prefixed.set(false));
    cmd
}

/// LEFT or RIGHT in any case, sometimes a wrong word.
fn end(g: &mut Gen) -> Vec<u8> {
    g.pick(&[
        b"LEFT", b"RIGHT", b"left", b"Right", b"LEFT", b"RIGHT", b"middle",
    ])
}

/// A count for pops: small, zero, negative or not a number.
fn count(g: &mut Gen) -> Vec<u8> {
    if g.chance(0.85) {
        g.int_in(0, 6)
    } else {
        int(g)
    }
}

/// One random command of the family.
pub fn generate(g: &mut Gen) -> Cmd {
    let k = key(g);
    let args = match g.rng.gen_range(0..44) {
        0..=7 => {
            let name = g.pick(&[b"LPUSH", b"RPUSH", b"LPUSH", b"RPUSH", b"LPUSHX", b"RPUSHX"]);
            let n = if g.chance(0.02) {
                0
            } else {
                g.rng.gen_range(1..=5)
            };
            let mut args = vec![name, k];
            args.extend((0..n).map(|_| element(g)));
            args
        }
        8..=11 => {
            let mut args = vec![g.pick(&[b"LPOP", b"RPOP"]), k];
            if g.chance(0.5) {
                args.push(count(g));
            }
            if g.chance(0.02) {
                args.push(b"1".to_vec());
            }
            args
        }
        12 => vec![b"LLEN".to_vec(), k],
        13..=15 => vec![b"LRANGE".to_vec(), k, index(g), index(g)],
        16 => vec![b"LINDEX".to_vec(), k, index(g)],
        17 => vec![b"LSET".to_vec(), k, index(g), element(g)],
        18 | 19 => {
            let place = g.pick(&[b"BEFORE", b"AFTER", b"before", b"after", b"AROUND"]);
            vec![b"LINSERT".to_vec(), k, place, element(g), element(g)]
        }
        20 | 21 => vec![b"LREM".to_vec(), k, index(g), element(g)],
        22 => vec![b"LTRIM".to_vec(), k, index(g), index(g)],
        23..=25 => lpos(g, k),
        26 | 27 => vec![b"LMOVE".to_vec(), k, key(g), end(g), end(g)],
        28 => vec![b"RPOPLPUSH".to_vec(), k, key(g)],
        29 | 30 => mpop(g, false),
        31 => blocking(g, k),
        32 | 33 => vec![b"SET".to_vec(), k, value(g)],
        34 => vec![b"DEL".to_vec(), k],
        35 => vec![b"TYPE".to_vec(), k],
        36 => vec![b"OBJECT".to_vec(), b"ENCODING".to_vec(), k],
        37 => vec![b"EXISTS".to_vec(), k],
        _ => {
            // Grow a list by several elements at once.
            let mut args = vec![b"RPUSH".to_vec(), k];
            let n = g.rng.gen_range(5..40);
            args.extend((0..n).map(|_| element(g)));
            args
        }
    };
    Cmd::exact(args)
}

/// LPOS with any mix of options, valid or not.
fn lpos(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let mut args = vec![b"LPOS".to_vec(), k, element(g)];
    for _ in 0..g.rng.gen_range(0..=3) {
        match g.rng.gen_range(0..8) {
            0 | 1 => {
                let rank = if g.chance(0.8) {
                    g.int_in(-4, 4)
                } else {
                    int(g)
                };
                args.extend([b"RANK".to_vec(), rank]);
            }
            2 | 3 => args.extend([b"COUNT".to_vec(), count(g)]),
            4 | 5 => args.extend([b"MAXLEN".to_vec(), count(g)]),
            6 => args.push(g.pick(&[b"RANK", b"COUNT", b"MAXLEN"])),
            _ => args.push(g.pick(&[b"FOO", b"1"])),
        }
    }
    args
}

/// LMPOP (or BLMPOP with a tiny timeout) with valid and invalid numkeys/COUNT.
fn mpop(g: &mut Gen, blocking: bool) -> Vec<Vec<u8>> {
    let mut args = if blocking {
        vec![b"BLMPOP".to_vec(), g.pick(&[b"0.01", b"0.01", b"-1", b"x"])]
    } else {
        vec![b"LMPOP".to_vec()]
    };
    let n = g.rng.gen_range(1..=3);
    args.push(if g.chance(0.9) {
        n.to_string().into_bytes()
    } else {
        int(g)
    });
    args.extend((0..n).map(|_| key(g)));
    args.push(end(g));
    if g.chance(0.5) {
        args.extend([b"COUNT".to_vec(), count(g)]);
    }
    if g.chance(0.03) {
        args.push(b"COUNT".to_vec());
    }
    args
}

/// A blocking command that either finds data or times out after 10 ms.
fn blocking(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let timeout = g.pick(&[b"0.01", b"0.01", b"0.01", b"-1", b"abc", b"inf"]);
    match g.rng.gen_range(0..5) {
        0 | 1 => {
            let mut args = vec![g.pick(&[b"BLPOP", b"BRPOP"]), k];
            if g.chance(0.5) {
                args.push(key(g));
            }
            args.push(timeout);
            args
        }
        2 => vec![b"BLMOVE".to_vec(), k, key(g), end(g), end(g), timeout],
        3 => vec![b"BRPOPLPUSH".to_vec(), k, key(g), timeout],
        _ => mpop(g, true),
    }
}
