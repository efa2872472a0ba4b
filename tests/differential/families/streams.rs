//! Random command generator for streams: XADD with explicit and `<ms>-*` IDs (never
//! `*`, whose IDs come from the clock), trimming exact and approximate, ranges, reads,
//! consumer groups and claims, over the shared small key space so WRONGTYPE and
//! missing keys come up often.
//!
//! Replies carrying idle times or delivery stamps (XPENDING's range form, XINFO
//! CONSUMERS, XINFO STREAM FULL) are compared by type only; BLOCK is never sent (a
//! pipelined stream cannot wait).

use super::super::compare::Check;
use super::super::random::{Cmd, Gen};
use super::key;
use rand::Rng;

fn name(n: &str) -> Vec<u8> {
    n.as_bytes().to_vec()
}

/// Groups and consumers: a small pool so they collide.
const GROUPS: &[&[u8]] = &[b"g1", b"g2", b"nogroup"];
const CONSUMERS: &[&[u8]] = &[b"alice", b"bob", b""];
const FIELDS: &[&[u8]] = &[b"f", b"g", b"1", b"", b"\x00\r\n"];

/// A small ID: `ms` in 0..12, sometimes with a sequence, sometimes malformed.
fn id(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..20) {
        0 => g.pick(&[
            b"-",
            b"+",
            b"abc",
            b"0-0",
            b"1-",
            b"-1",
            b"18446744073709551615-18446744073709551615",
        ]),
        1..=6 => g.int_in(0, 12),
        _ => format!("{}-{}", g.rng.gen_range(0..12), g.rng.gen_range(0..3)).into_bytes(),
    }
}

/// A range bound: an ID, `-`/`+`, or exclusive.
fn bound(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..6) {
        0 => name("-"),
        1 => name("+"),
        2 => [b"(".to_vec(), id(g)].concat(),
        _ => id(g),
    }
}

/// XADD with options and one to three pairs (sometimes an odd count).
fn xadd(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let mut args = vec![name("XADD"), k];
    if g.chance(0.05) {
        args.push(name("NOMKSTREAM"));
    }
    if g.chance(0.2) {
        args.push(g.pick(&[b"MAXLEN", b"MINID"]));
        if g.chance(0.5) {
            args.push(g.pick(&[b"~", b"="]));
        }
        args.push(if g.chance(0.5) {
            g.int_in(-1, 8)
        } else {
            id(g)
        });
        if g.chance(0.2) {
            args.extend([name("LIMIT"), g.int_in(-1, 5)]);
        }
    }
    args.push(if g.chance(0.2) {
        format!("{}-*", g.rng.gen_range(0..14)).into_bytes()
    } else {
        id(g)
    });
    let pairs = g.rng.gen_range(1..=3);
    for _ in 0..pairs {
        args.push(g.pick(FIELDS));
        args.push(g.pick(FIELDS));
    }
    if g.chance(0.03) {
        args.pop();
    }
    args
}

/// XREAD / XREADGROUP without BLOCK.
fn read(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let group = g.chance(0.6);
    let mut args = vec![name(if group { "XREADGROUP" } else { "XREAD" })];
    if group {
        args.extend([name("GROUP"), g.pick(GROUPS), g.pick(CONSUMERS)]);
        if g.chance(0.2) {
            args.push(name("NOACK"));
        }
    }
    if g.chance(0.5) {
        args.extend([name("COUNT"), g.int_in(-1, 3)]);
    }
    args.extend([name("STREAMS"), k]);
    args.push(match g.rng.gen_range(0..4) {
        0 => name(">"),
        1 => name("$"),
        _ => id(g),
    });
    args
}

/// XGROUP subcommands.
fn xgroup(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let group = g.pick(GROUPS);
    match g.rng.gen_range(0..6) {
        0 | 1 => {
            let mut args = vec![
                name("XGROUP"),
                name("CREATE"),
                k,
                group,
                if g.chance(0.3) { name("$") } else { id(g) },
            ];
            if g.chance(0.4) {
                args.push(name("MKSTREAM"));
            }
            if g.chance(0.2) {
                args.extend([name("ENTRIESREAD"), g.int_in(-2, 5)]);
            }
            args
        }
        2 => vec![
            name("XGROUP"),
            name("SETID"),
            k,
            group,
            if g.chance(0.3) { name("$") } else { id(g) },
        ],
        3 => vec![name("XGROUP"), name("DESTROY"), k, group],
        4 => vec![
            name("XGROUP"),
            name("CREATECONSUMER"),
            k,
            group,
            g.pick(CONSUMERS),
        ],
        _ => vec![
            name("XGROUP"),
            name("DELCONSUMER"),
            k,
            group,
            g.pick(CONSUMERS),
        ],
    }
}

/// Claims with min-idle-time 0 (deterministic).
fn claim(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    if g.chance(0.5) {
        let mut args = vec![
            name("XCLAIM"),
            k,
            g.pick(GROUPS),
            g.pick(CONSUMERS),
            name("0"),
            id(g),
            id(g),
        ];
        for opt in [&b"FORCE"[..], b"JUSTID"] {
            if g.chance(0.3) {
                args.push(opt.to_vec());
            }
        }
        if g.chance(0.2) {
            args.extend([name("RETRYCOUNT"), g.int_in(0, 5)]);
        }
        if g.chance(0.1) {
            args.extend([name("LASTID"), id(g)]);
        }
        args
    } else {
        let mut args = vec![
            name("XAUTOCLAIM"),
            k,
            g.pick(GROUPS),
            g.pick(CONSUMERS),
            name("0"),
            bound(g),
        ];
        if g.chance(0.5) {
            args.extend([name("COUNT"), g.int_in(0, 4)]);
        }
        if g.chance(0.3) {
            args.push(name("JUSTID"));
        }
        args
    }
}

/// One random stream command.
pub fn generate(g: &mut Gen) -> Cmd {
    let k = key(g);
    let (args, check) = match g.rng.gen_range(0..30) {
        0..=8 => (xadd(g, k), Check::Exact),
        9 | 10 => (
            vec![
                name("XRANGE"),
                k,
                bound(g),
                bound(g),
                name("COUNT"),
                g.int_in(-1, 4),
            ],
            Check::Exact,
        ),
        11 => (vec![name("XREVRANGE"), k, bound(g), bound(g)], Check::Exact),
        12 => (vec![name("XLEN"), k], Check::Exact),
        13 => (vec![name("XDEL"), k, id(g), id(g)], Check::Exact),
        14 => {
            let mut args = vec![name("XTRIM"), k, g.pick(&[b"MAXLEN", b"MINID"])];
            if g.chance(0.5) {
                args.push(g.pick(&[b"~", b"="]));
            }
            args.push(if g.chance(0.5) {
                g.int_in(-1, 6)
            } else {
                id(g)
            });
            (args, Check::Exact)
        }
        15..=18 => (read(g, k), Check::Exact),
        19 | 20 => (xgroup(g, k), Check::Exact),
        21 => (
            vec![name("XACK"), k, g.pick(GROUPS), id(g), id(g)],
            Check::Exact,
        ),
        22 => (vec![name("XPENDING"), k, g.pick(GROUPS)], Check::Exact),
        23 => (
            vec![
                name("XPENDING"),
                k,
                g.pick(GROUPS),
                bound(g),
                bound(g),
                g.int_in(-1, 5),
            ],
            Check::Skip,
        ),
        24 | 25 => (claim(g, k), Check::Exact),
        26 => (vec![name("XINFO"), name("STREAM"), k], Check::Exact),
        27 => (vec![name("XINFO"), name("GROUPS"), k], Check::Exact),
        28 => (vec![name("XSETID"), k, id(g)], Check::Exact),
        _ => (
            vec![name("XINFO"), name("STREAM"), k, name("FULL")],
            Check::Skip,
        ),
    };
    Cmd { args, check }
}
