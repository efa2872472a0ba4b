//! Random command generator for sorted sets: valid and invalid arguments over the
//! shared small key space, so WRONGTYPE and edge cases come up often.
//!
//! Members come from a small pool (plus one 65-byte member, which forces the skiplist
//! encoding), scores from a pool with ties, infinities and bad floats. Random picks
//! (ZRANDMEMBER) are shape-compared; ZSCAN uses a COUNT large enough to finish in one
//! call, so its cursor is comparable and its elements are compared as a multiset.

use super::super::compare::Check;
use super::super::random::{Cmd, Gen};
use super::key;
use rand::Rng;

/// The key lex commands may change or compare exactly: it only ever holds score 0, so
/// lex ranges are well defined (with mixed scores the result depends on the skiplist's
/// random shape, in Redis too).
const LEX_KEY: &str = "zlex";

/// A lex count: exact on [`LEX_KEY`], shape-compared elsewhere.
fn lex(g: &mut Gen, k: Vec<u8>) -> (Vec<Vec<u8>>, Check) {
    if g.chance(0.5) {
        (
            vec![name("ZLEXCOUNT"), name(LEX_KEY), g.pick(LEX), g.pick(LEX)],
            Check::Exact,
        )
    } else {
        (
            vec![name("ZLEXCOUNT"), k, g.pick(LEX), g.pick(LEX)],
            Check::Skip,
        )
    }
}

/// Member pool; the last one is longer than zset-max-listpack-value.
const MEMBERS: &[&[u8]] = &[
    b"a",
    b"b",
    b"c",
    b"d",
    b"e",
    b"f",
    b"",
    b"1",
    b"10",
    b"\x00\r\n",
    b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

/// SORT / SORT_RO of a key (most often a sorted set): BY nosort keeps zset order with
/// LIMIT on it; ALPHA and numeric sorts of members (numeric ones fail on letters).
/// ALPHA compares like `strcoll`, for which `""` and `"\0\r\n"` are equal, and ties
/// keep the load order, which is the hash order of a skiplist zset in Redis: so an
/// ALPHA reply is compared as a multiset, or only by shape under LIMIT.
fn sort(g: &mut Gen, k: Vec<u8>) -> (Vec<Vec<u8>>, Check) {
    let mut args = vec![g.pick(&[b"SORT", b"SORT_RO"]), k];
    let mut alpha = false;
    if g.chance(0.5) {
        args.extend([name("BY"), name("nosort")]);
    } else if g.chance(0.6) {
        args.push(name("ALPHA"));
        alpha = true;
    }
    if g.chance(0.4) {
        args.push(name("DESC"));
    }
    if g.chance(0.5) {
        args.push(name("LIMIT"));
        args.push(g.pick(&[b"0", b"1", b"2", b"-1", b"5"]));
        args.push(g.pick(&[b"0", b"1", b"3", b"-1", b"100"]));
        if alpha {
            return (args, Check::Skip);
        }
    }
    (
        args,
        if alpha {
            Check::Unordered
        } else {
            Check::Exact
        },
    )
}

/// Score pool: ties, fractions, infinities, negative zero, bad values.
const SCORES: &[&[u8]] = &[
    b"0", b"1", b"1", b"2", b"2", b"3", b"-1", b"1.5", b"-0", b"inf", b"-inf", b"1e20", b"0.1",
    b"x",
];

/// Score range bounds.
const BOUNDS: &[&[u8]] = &[
    b"-inf", b"+inf", b"0", b"1", b"(1", b"2", b"(2", b"3", b"-1", b"1.5", b"x", b"(", b"inf",
];

/// Lex range bounds.
const LEX: &[&[u8]] = &[
    b"-", b"+", b"[a", b"(a", b"[c", b"(c", b"[e", b"[", b"(", b"a", b"[1",
];

/// Rank arguments.
const RANKS: &[&[u8]] = &[b"0", b"1", b"-1", b"2", b"-2", b"5", b"100", b"-100", b"x"];

fn member(g: &mut Gen) -> Vec<u8> {
    if g.chance(0.03) {
        g.pick(&MEMBERS[10..])
    } else {
        g.pick(&MEMBERS[..10])
    }
}

fn some_keys(g: &mut Gen, max: usize) -> Vec<Vec<u8>> {
    let n = g.rng.gen_range(1..=max);
    (0..n).map(|_| key(g)).collect()
}

fn name(n: &str) -> Vec<u8> {
    n.as_bytes().to_vec()
}

/// ZADD with random options and pairs.
fn zadd(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let mut args = vec![name("ZADD"), k];
    for opt in [&b"NX"[..], b"XX", b"GT", b"LT", b"CH", b"INCR"] {
        if g.chance(0.08) {
            args.push(opt.to_vec());
        }
    }
    let n = if g.chance(0.1) {
        0
    } else {
        g.rng.gen_range(1..=4)
    };
    for _ in 0..n {
        args.push(g.pick(SCORES));
        args.push(member(g));
    }
    if g.chance(0.03) {
        args.push(g.pick(SCORES));
    }
    args
}

/// ZRANGE-family options.
fn range_opts(g: &mut Gen, args: &mut Vec<Vec<u8>>, full: bool) {
    if full && g.chance(0.4) {
        args.push(g.pick(&[b"BYSCORE", b"BYLEX"]));
    }
    if full && g.chance(0.3) {
        args.push(name("REV"));
    }
    if g.chance(0.3) {
        args.push(name("LIMIT"));
        args.push(g.pick(&[b"0", b"1", b"-1", b"3"]));
        args.push(g.pick(&[b"0", b"1", b"-1", b"2", b"10"]));
    }
    if g.chance(0.4) {
        args.push(name("WITHSCORES"));
    }
}

/// One ZRANGE-family command.
fn zrange(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    match g.rng.gen_range(0..6) {
        0 | 1 => {
            let mut args = vec![name("ZRANGE"), k];
            let pool = g.pick(&[&b"r"[..], b"s", b"l"]);
            let p: &[&[u8]] = match pool[0] {
                b'r' => RANKS,
                b's' => BOUNDS,
                _ => LEX,
            };
            args.push(g.pick(p));
            args.push(g.pick(p));
            range_opts(g, &mut args, true);
            args
        }
        2 => {
            let n = g.pick(&[b"ZRANGEBYSCORE", b"ZREVRANGEBYSCORE"]);
            let mut args = vec![n, k, g.pick(BOUNDS), g.pick(BOUNDS)];
            range_opts(g, &mut args, false);
            args
        }
        3 => {
            let n = g.pick(&[b"ZRANGEBYLEX", b"ZREVRANGEBYLEX"]);
            let mut args = vec![n, k, g.pick(LEX), g.pick(LEX)];
            range_opts(g, &mut args, false);
            args
        }
        4 => {
            let mut args = vec![name("ZREVRANGE"), k, g.pick(RANKS), g.pick(RANKS)];
            if g.chance(0.5) {
                args.push(name("WITHSCORES"));
            }
            args
        }
        _ => {
            let (lo, hi) = match g.rng.gen_range(0..3) {
                0 => (g.pick(RANKS), g.pick(RANKS)),
                1 => (g.pick(BOUNDS), g.pick(BOUNDS)),
                _ => (g.pick(LEX), g.pick(LEX)),
            };
            let mut args = vec![name("ZRANGESTORE"), key(g), k, lo, hi];
            range_opts(g, &mut args, true);
            args
        }
    }
}

/// Set algebra over random keys.
fn algebra(g: &mut Gen) -> Vec<Vec<u8>> {
    let keys = some_keys(g, 3);
    let n = g.pick(&[
        b"ZUNION",
        b"ZINTER",
        b"ZDIFF",
        b"ZUNIONSTORE",
        b"ZINTERSTORE",
        b"ZDIFFSTORE",
        b"ZINTERCARD",
    ]);
    let store = n.ends_with(b"STORE");
    let mut args = vec![n.clone()];
    if store {
        args.push(key(g));
    }
    let numkeys = if g.chance(0.05) { 0 } else { keys.len() };
    args.push(numkeys.to_string().into_bytes());
    args.extend(keys.iter().cloned());
    if g.chance(0.3) {
        args.push(name("WEIGHTS"));
        for _ in 0..keys.len() {
            args.push(g.pick(&[b"1", b"2", b"-1", b"0.5", b"inf", b"0", b"x"]));
        }
    }
    if g.chance(0.3) {
        args.push(name("AGGREGATE"));
        args.push(g.pick(&[b"SUM", b"MIN", b"MAX", b"FOO"]));
    }
    if g.chance(0.3) {
        args.push(name("WITHSCORES"));
    }
    if &n[..] == b"ZINTERCARD" && g.chance(0.5) {
        args.push(name("LIMIT"));
        args.push(g.pick(&[b"0", b"1", b"2", b"-1"]));
    }
    args
}

/// Pops, plain and (with a tiny timeout, so nothing stalls) blocking.
fn pop(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let count = g.pick(&[b"0", b"1", b"2", b"10", b"-1", b"x"]);
    match g.rng.gen_range(0..4) {
        0 => {
            let mut args = vec![g.pick(&[b"ZPOPMIN", b"ZPOPMAX"]), k];
            if g.chance(0.5) {
                args.push(count);
            }
            args
        }
        1 => {
            let keys = some_keys(g, 2);
            let mut args = vec![name("ZMPOP"), keys.len().to_string().into_bytes()];
            args.extend(keys);
            args.push(g.pick(&[b"MIN", b"MAX", b"FOO"]));
            if g.chance(0.5) {
                args.push(name("COUNT"));
                args.push(count);
            }
            args
        }
        2 => [
            vec![g.pick(&[b"BZPOPMIN", b"BZPOPMAX"])],
            some_keys(g, 2),
            vec![name("0.001")],
        ]
        .concat(),
        _ => {
            let keys = some_keys(g, 2);
            let mut args = vec![
                name("BZMPOP"),
                name("0.001"),
                keys.len().to_string().into_bytes(),
            ];
            args.extend(keys);
            args.push(g.pick(&[b"MIN", b"MAX"]));
            if g.chance(0.5) {
                args.push(name("COUNT"));
                args.push(count);
            }
            args
        }
    }
}

/// One random command of the family.
pub fn generate(g: &mut Gen) -> Cmd {
    let k = key(g);
    let (args, check) = match g.rng.gen_range(0..36) {
        0..=6 => (zadd(g, k), Check::Exact),
        7 => {
            let n = g.rng.gen_range(1..=3);
            let pairs: Vec<_> = (0..n).flat_map(|_| [name("0"), member(g)]).collect();
            (
                [vec![name("ZADD"), name(LEX_KEY)], pairs].concat(),
                Check::Exact,
            )
        }
        8 => (
            vec![name("ZINCRBY"), k, g.pick(SCORES), member(g)],
            Check::Exact,
        ),
        9 | 10 => {
            let n = g.rng.gen_range(1..=3);
            let members: Vec<_> = (0..n).map(|_| member(g)).collect();
            ([vec![name("ZREM"), k], members].concat(), Check::Exact)
        }
        11 => (vec![name("ZCARD"), k], Check::Exact),
        12 => (vec![name("ZSCORE"), k, member(g)], Check::Exact),
        13 => (vec![name("ZMSCORE"), k, member(g), member(g)], Check::Exact),
        14 => (
            vec![g.pick(&[b"ZRANK", b"ZREVRANK"]), k, member(g)],
            Check::Exact,
        ),
        15 => (
            vec![name("ZCOUNT"), k, g.pick(BOUNDS), g.pick(BOUNDS)],
            Check::Exact,
        ),
        16 => lex(g, k),
        17..=21 => {
            let args = zrange(g, k);
            let lexy = args.iter().any(|a| a.eq_ignore_ascii_case(b"BYLEX"))
                || args[0].ends_with(b"BYLEX");
            match (lexy, args[0].as_slice()) {
                (true, b"ZRANGESTORE") => (Vec::new(), Check::Exact),
                (true, _) if g.chance(0.5) => {
                    let mut args = args;
                    args[1] = name(LEX_KEY);
                    (args, Check::Exact)
                }
                (true, _) => (args, Check::Skip),
                _ => (args, Check::Exact),
            }
        }
        22 => (
            vec![name("ZREMRANGEBYRANK"), k, g.pick(RANKS), g.pick(RANKS)],
            Check::Exact,
        ),
        23 => (
            vec![name("ZREMRANGEBYSCORE"), k, g.pick(BOUNDS), g.pick(BOUNDS)],
            Check::Exact,
        ),
        24 => (
            vec![
                name("ZREMRANGEBYLEX"),
                name(LEX_KEY),
                g.pick(LEX),
                g.pick(LEX),
            ],
            Check::Exact,
        ),
        25 | 26 => (pop(g, k), Check::Exact),
        27 | 28 => (algebra(g), Check::Exact),
        29 => {
            let mut args = vec![name("ZRANDMEMBER"), k];
            if g.chance(0.7) {
                args.push(g.pick(&[b"1", b"-3", b"0", b"100", b"x", b"5"]));
                if g.chance(0.5) {
                    args.push(g.pick(&[b"WITHSCORES", b"FOO"]));
                }
            }
            (args, Check::Skip)
        }
        30 => {
            let mut args = vec![name("ZSCAN"), k, name("0"), name("COUNT"), name("1000")];
            if g.chance(0.3) {
                args.push(name("MATCH"));
                args.push(g.pick(&[b"*a*", b"?", b"*"]));
            }
            (args, Check::ScanReply)
        }
        31 => (vec![name("OBJECT"), name("ENCODING"), k], Check::Exact),
        32 => (
            vec![name("ZRANGE"), k, name("0"), name("-1"), name("WITHSCORES")],
            Check::Exact,
        ),
        33 | 34 => sort(g, k),
        _ => (vec![name("TYPE"), k], Check::Exact),
    };
    if args.is_empty() {
        return Cmd::exact(vec![name("ZCARD"), name(LEX_KEY)]);
    }
    Cmd { args, check }
}
