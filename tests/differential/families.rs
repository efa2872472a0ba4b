//! Random command generators, one per command family. To add a family, write a
//! `fn(&mut Gen) -> Cmd` and list it in `FAMILIES` (and add a `#[test]` in
//! `differential.rs`). Generators must avoid replies that legitimately differ
//! between two correct servers: expiries are either huge, zero/negative, or
//! absolute in the far past/future; TTL-like replies are compared approximately.

mod bitmaps;
mod geo;
mod hashes;
mod hyperloglog;
mod lists;
mod sets;
mod streams;
mod zsets;

use super::compare::Check;
use super::random::{Cmd, Family, Gen};
use rand::Rng;

/// Every random family, by name.
pub const FAMILIES: &[Family] = &[
    Family {
        name: "strings",
        gen: strings,
    },
    Family {
        name: "keys",
        gen: keys,
    },
    Family {
        name: "expire",
        gen: expire,
    },
    Family {
        name: "lists",
        gen: lists::generate,
    },
    Family {
        name: "lists-compressed",
        gen: lists::generate_compressed,
    },
    Family {
        name: "lists-prefixed",
        gen: lists::generate_prefixed,
    },
    Family {
        name: "hashes",
        gen: hashes::generate,
    },
    Family {
        name: "sets",
        gen: sets::generate,
    },
    Family {
        name: "zsets",
        gen: zsets::generate,
    },
    Family {
        name: "bitmaps",
        gen: bitmaps::generate,
    },
    Family {
        name: "geo",
        gen: geo::generate,
    },
    Family {
        name: "hyperloglog",
        gen: hyperloglog::generate,
    },
    Family {
        name: "streams",
        gen: streams::generate,
    },
];

/// Looks a family up by name.
pub fn family(name: &str) -> &'static Family {
    FAMILIES
        .iter()
        .find(|f| f.name == name)
        .expect("known family")
}

/// The small key space: ten keys, including an empty and a binary one.
const KEYS: &[&[u8]] = &[
    b"k0",
    b"k1",
    b"k2",
    b"k3",
    b"k4",
    b"k5",
    b"",
    b"\x00\r\nbin",
    b"{k}6",
    b"key:7",
];

/// Integers at and around the edges, plus things that are not integers.
const INTS: &[&[u8]] = &[
    b"0",
    b"1",
    b"-1",
    b"2",
    b"10",
    b"-10",
    b"100",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775806",
    b"-9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"abc",
    b"",
    b"1.5",
    b" 1",
    b"1 ",
    b"+1",
    b"01",
    b"-0",
    b"0x10",
    b"1e3",
    b"\x00",
];

/// Values: numbers of all shapes, text, empty and binary.
const VALUES: &[&[u8]] = &[
    b"",
    b"0",
    b"1",
    b"-1",
    b"42",
    b"9999",
    b"10000",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775808",
    b"3.14",
    b"-2.5",
    b"1e5",
    b"1.0e3",
    b"10.5000",
    b"inf",
    b"-inf",
    b"nan",
    b" 1",
    b"1 ",
    b"abc",
    b"hello world",
    b"\x00\r\n\xff",
    b"0x10",
    b"010",
    b"+5",
    b"-0",
    b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

/// Floats for INCRBYFLOAT, including overflow and non-numbers.
const FLOATS: &[&[u8]] = &[
    b"0",
    b"1",
    b"-1",
    b"0.1",
    b"-0.1",
    b"1.5",
    b"3e2",
    b"1e308",
    b"-1e308",
    b"inf",
    b"-inf",
    b"nan",
    b"abc",
    b"",
    b"1.0000000000000001",
    b"5.0e3",
    b"0x10",
    b" 1",
    b"9223372036854775807",
    b".5",
    b"1.",
];

fn key(g: &mut Gen) -> Vec<u8> {
    g.pick(KEYS)
}

fn value(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..10) {
        0 => g.binary(6),
        1 => g.int_in(-1000, 1000),
        _ => g.pick(VALUES),
    }
}

fn int(g: &mut Gen) -> Vec<u8> {
    if g.chance(0.5) {
        g.int_in(-20, 20)
    } else {
        g.pick(INTS)
    }
}

/// Between 1 and `max` keys.
fn some_keys(g: &mut Gen, max: usize) -> Vec<Vec<u8>> {
    let n = g.rng.gen_range(1..=max);
    (0..n).map(|_| key(g)).collect()
}

/// Strings: GET SET and options, the INCR family, ranges, MGET/MSET, LCS...
fn strings(g: &mut Gen) -> Cmd {
    let k = key(g);
    let args = match g.rng.gen_range(0..26) {
        0 | 1 => vec![b"GET".to_vec(), k],
        2 | 3 => set_command(g, k),
        4 => vec![b"SETNX".to_vec(), k, value(g)],
        5 => vec![
            b"SETEX".to_vec(),
            k,
            g.pick(&[b"100000", b"0", b"-1", b"abc", b"9223372036854775807"]),
            value(g),
        ],
        6 => vec![
            b"PSETEX".to_vec(),
            k,
            g.pick(&[b"100000000", b"0", b"-5", b"x"]),
            value(g),
        ],
        7 => vec![b"GETSET".to_vec(), k, value(g)],
        8 => vec![b"GETDEL".to_vec(), k],
        9 => [vec![b"MGET".to_vec()], some_keys(g, 4)].concat(),
        10 => mset(g, b"MSET"),
        11 => mset(g, b"MSETNX"),
        12 => vec![b"APPEND".to_vec(), k, value(g)],
        13 => vec![b"STRLEN".to_vec(), k],
        14 => vec![g.pick(&[b"INCR", b"DECR"]), k],
        15 | 16 => vec![g.pick(&[b"INCRBY", b"DECRBY"]), k, int(g)],
        17 => vec![b"INCRBYFLOAT".to_vec(), k, g.pick(FLOATS)],
        18 | 19 => vec![g.pick(&[b"GETRANGE", b"SUBSTR"]), k, int(g), int(g)],
        20 => vec![b"SETRANGE".to_vec(), k, setrange_offset(g), value(g)],
        21 => lcs(g),
        22 => vec![b"GETEX".to_vec(), k],
        23 => vec![b"TYPE".to_vec(), k],
        24 => vec![b"DEL".to_vec(), k],
        _ => vec![b"SET".to_vec(), k, g.int_in(-5, 5)],
    };
    Cmd::exact(args)
}

fn setrange_offset(g: &mut Gen) -> Vec<u8> {
    if g.chance(0.8) {
        g.int_in(0, 60)
    } else {
        g.pick(&[b"-1", b"536870912", b"abc", b"", b"9223372036854775807"])
    }
}

fn mset(g: &mut Gen, name: &[u8]) -> Vec<Vec<u8>> {
    let mut args = vec![name.to_vec()];
    for _ in 0..g.rng.gen_range(1..4) {
        args.push(key(g));
        args.push(value(g));
    }
    args
}

fn lcs(g: &mut Gen) -> Vec<Vec<u8>> {
    let mut args = vec![b"LCS".to_vec(), key(g), key(g)];
    let opts: &[&[u8]] = &[b"LEN", b"IDX", b"WITHMATCHLEN", b"MINMATCHLEN", b"BOGUS"];
    for _ in 0..g.rng.gen_range(0..3) {
        let opt = g.pick(opts);
        let has_arg = opt == b"MINMATCHLEN";
        args.push(opt);
        if has_arg {
            args.push(int(g));
        }
    }
    args
}

/// SET with a random subset of its options (sometimes conflicting).
fn set_command(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let mut args = vec![b"SET".to_vec(), k, value(g)];
    for _ in 0..g.rng.gen_range(0..3) {
        match g.rng.gen_range(0..7) {
            0 => args.push(g.pick(&[b"NX", b"nx"])),
            1 => args.push(g.pick(&[b"XX", b"xx"])),
            2 => args.push(b"GET".to_vec()),
            3 => args.push(b"KEEPTTL".to_vec()),
            _ => args.extend(expiry_option(g)),
        }
    }
    args
}

/// An `EX/PX/EXAT/PXAT n` pair: huge, zero, negative, past, far future or not a number
/// (never a short relative expiry, which could elapse between the two servers).
fn expiry_option(g: &mut Gen) -> Vec<Vec<u8>> {
    let (opt, vals): (&[u8], &[&[u8]]) = match g.rng.gen_range(0..4) {
        0 => (
            b"EX",
            &[
                b"100000",
                b"5000000",
                b"0",
                b"-1",
                b"abc",
                b"9223372036854775807",
                b"4611686018427388",
            ],
        ),
        1 => (
            b"PX",
            &[b"100000000", b"0", b"-100", b"1.5", b"9223372036854775807"],
        ),
        2 => (
            b"EXAT",
            &[b"4102444800", b"1", b"1000000000", b"0", b"-1", b"x"],
        ),
        _ => (
            b"PXAT",
            &[
                b"4102444800000",
                b"1",
                b"1600000000000",
                b"0",
                b"9223372036854775807",
            ],
        ),
    };
    vec![opt.to_vec(), g.pick(vals)]
}

/// Keys: existence, type, renames, copies across databases, SCAN/KEYS, OBJECT.
fn keys(g: &mut Gen) -> Cmd {
    let k = key(g);
    let args = match g.rng.gen_range(0..24) {
        0..=3 => vec![b"SET".to_vec(), k, value(g)],
        4 => [vec![g.pick(&[b"DEL", b"UNLINK"])], some_keys(g, 3)].concat(),
        5 => [vec![g.pick(&[b"EXISTS", b"TOUCH"])], some_keys(g, 3)].concat(),
        6 => vec![b"TYPE".to_vec(), k],
        7 | 8 => vec![g.pick(&[b"RENAME", b"RENAMENX"]), k, key(g)],
        9 => copy(g),
        10 => vec![
            b"MOVE".to_vec(),
            k,
            g.pick(&[b"0", b"1", b"2", b"16", b"-1", b"x"]),
        ],
        11 => vec![b"SELECT".to_vec(), g.pick(&[b"0", b"0", b"0", b"1", b"2"])],
        12 => {
            return Cmd {
                args: vec![b"KEYS".to_vec(), pattern(g)],
                check: Check::Unordered,
            }
        }
        13 => return scan(g),
        14 => vec![b"DBSIZE".to_vec()],
        15 => vec![
            b"OBJECT".to_vec(),
            g.pick(&[b"ENCODING", b"REFCOUNT", b"encoding"]),
            k,
        ],
        16 => vec![b"INCR".to_vec(), k],
        17 => vec![b"APPEND".to_vec(), k, value(g)],
        18 if g.chance(0.1) => vec![
            b"SWAPDB".to_vec(),
            g.pick(&[b"0", b"1", b"2", b"16", b"x"]),
            g.pick(&[b"0", b"1"]),
        ],
        19 if g.chance(0.05) => vec![b"FLUSHDB".to_vec()],
        20 => vec![b"GET".to_vec(), k],
        21 => vec![b"SETRANGE".to_vec(), k, g.int_in(0, 10), value(g)],
        _ => vec![b"EXISTS".to_vec(), k],
    };
    Cmd::exact(args)
}

fn copy(g: &mut Gen) -> Vec<Vec<u8>> {
    let mut args = vec![b"COPY".to_vec(), key(g), key(g)];
    if g.chance(0.4) {
        args.push(b"DB".to_vec());
        args.push(g.pick(&[b"0", b"1", b"2", b"16", b"-1", b"x"]));
    }
    if g.chance(0.4) {
        args.push(g.pick(&[b"REPLACE", b"replace"]));
    }
    args
}

/// Glob patterns: classes, ranges, negation, escapes, and literal keys.
fn pattern(g: &mut Gen) -> Vec<u8> {
    g.pick(&[
        b"*", b"k*", b"k?", b"k[0-3]", b"k[^0-3]", b"k[!1]", b"*[0-9]", b"\\*", b"k\\1", b"",
        b"{k}*", b"key:*", b"*\x00*", b"[a-z]*", b"k[3-0]", b"k[", b"*?*?", b"[\\]]", b"\x00*",
        b"K*",
    ])
}

fn scan(g: &mut Gen) -> Cmd {
    let mut args = vec![
        b"SCAN".to_vec(),
        b"0".to_vec(),
        b"COUNT".to_vec(),
        b"1000".to_vec(),
    ];
    if g.chance(0.5) {
        args.extend([b"MATCH".to_vec(), pattern(g)]);
    }
    if g.chance(0.3) {
        args.extend([
            b"TYPE".to_vec(),
            g.pick(&[b"string", b"STRING", b"list", b"nosuchtype"]),
        ]);
    }
    Cmd {
        args,
        check: Check::ScanReply,
    }
}

/// Expiry: setting, reading and clearing TTLs with every option.
fn expire(g: &mut Gen) -> Cmd {
    let k = key(g);
    let (args, check) = match g.rng.gen_range(0..18) {
        0..=2 => (set_command(g, k), Check::Exact),
        3 => (vec![b"SET".to_vec(), k, value(g)], Check::Exact),
        4..=7 => (expire_command(g, k), Check::Exact),
        8 => (vec![b"TTL".to_vec(), k], Check::Approx(1)),
        9 => (vec![b"PTTL".to_vec(), k], Check::Approx(1500)),
        10 => (vec![b"EXPIRETIME".to_vec(), k], Check::Approx(2)),
        11 => (vec![b"PEXPIRETIME".to_vec(), k], Check::Approx(1500)),
        12 => (vec![b"PERSIST".to_vec(), k], Check::Exact),
        13 => (getex(g, k), Check::Exact),
        14 => (vec![b"DEL".to_vec(), k], Check::Exact),
        15 => (vec![b"EXISTS".to_vec(), k], Check::Exact),
        16 => (vec![b"RENAME".to_vec(), k, key(g)], Check::Exact),
        _ => (vec![b"GET".to_vec(), k], Check::Exact),
    };
    Cmd { args, check }
}

/// EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT with safe values and random NX/XX/GT/LT flags.
/// GT and LT are used alone only with absolute times: `EXPIRE k 100000 GT` applied
/// twice compares now+100000s with then+100000s, which depends on whether a
/// millisecond passed in between — different on two correct servers.
fn expire_command(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let absolute = g.chance(0.5);
    let (name, vals): (&[u8], &[&[u8]]) = match g.rng.gen_range(0..2) + if absolute { 2 } else { 0 }
    {
        0 => (
            b"EXPIRE",
            &[
                b"100000",
                b"200000",
                b"0",
                b"-1",
                b"abc",
                b"9223372036854775807",
                b"9223372036854775",
            ],
        ),
        1 => (
            b"PEXPIRE",
            &[
                b"100000000",
                b"300000000",
                b"0",
                b"-5",
                b"9223372036854775807",
                b"1.5",
            ],
        ),
        2 => (
            b"EXPIREAT",
            &[
                b"4102444800",
                b"4102444900",
                b"1",
                b"0",
                b"-9223372036854775808",
            ],
        ),
        _ => (
            b"PEXPIREAT",
            &[b"4102444800000", b"1", b"0", b"9223372036854775807"],
        ),
    };
    let mut args = vec![name.to_vec(), k, g.pick(vals)];
    if absolute {
        for _ in 0..g.rng.gen_range(0..3) {
            args.push(g.pick(&[b"NX", b"XX", b"GT", b"LT", b"gt", b"BAD"]));
        }
    } else if g.chance(0.1) {
        args.extend([g.pick(&[b"NX", b"GT"]), g.pick(&[b"LT", b"nx"])]); // always an error
    } else if g.chance(0.5) {
        args.push(g.pick(&[b"NX", b"XX", b"xx", b"BAD"]));
    }
    args
}

fn getex(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let mut args = vec![b"GETEX".to_vec(), k];
    match g.rng.gen_range(0..4) {
        0 => args.push(b"PERSIST".to_vec()),
        1 => args.extend(expiry_option(g)),
        2 => {
            args.extend(expiry_option(g));
            args.push(b"PERSIST".to_vec());
        }
        _ => {}
    }
    args
}
