//! Random command generator for the geo commands over the shared small key space.
//!
//! Positions cluster around a few centres (the antimeridian and both polar limits
//! among them) so searches find members, with some at the exact coordinate limits and
//! some invalid. Members come from a pool of 300 (plus one 65-byte member), so sets
//! pass `zset-max-listpack-entries` and both encodings are exercised. Every search
//! reply is compared exactly, scan order and `COUNT n ANY` included: which members a
//! search finds and in which order is deterministic. Positions are random to the
//! micrometre, so few members share a distance; where they do (searching a STOREDIST
//! result, whose small distance scores all decode to one corner cell) the order under
//! COUNT comes from Redis's unstable partial quicksort, which ours reproduces.

/// Destinations of STORE, STOREDIST and GEOSEARCHSTORE.
const DESTS: &[&[u8]] = &[b"dst0", b"dst1", b"dst2"];

use super::super::random::{Cmd, Gen};
use super::key;
use rand::Rng;

/// Centres positions cluster around: Sicily, the antimeridian both sides, both
/// latitude limits, the null island.
const CENTRES: &[(f64, f64)] = &[
    (13.4, 38.1),
    (179.9, 0.0),
    (-179.9, 0.5),
    (0.0, 84.5),
    (120.0, -84.5),
    (0.0, 0.0),
];

/// Search radii / box sides (in whatever unit), including zero, huge and bad ones.
const SIZES: &[&[u8]] = &[
    b"0", b"1", b"10", b"50", b"100", b"200", b"500", b"1000", b"5000", b"20000", b"0.5", b"1e7",
    b"-1", b"x", b"inf",
];

/// Units, good and bad.
const UNITS: &[&[u8]] = &[
    b"m", b"km", b"KM", b"ft", b"mi", b"Mi", b"km", b"km", b"parsec",
];

/// COUNT arguments.
const COUNTS: &[&[u8]] = &[b"1", b"2", b"3", b"5", b"10", b"100", b"0", b"-1", b"x"];

fn word(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

fn member(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..100) {
        0 => b"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm".to_vec(),
        1 => b"\x00\r\n".to_vec(),
        2 => Vec::new(),
        _ => format!("m{}", g.rng.gen_range(0..300)).into_bytes(),
    }
}

/// A longitude and latitude: mostly near a centre, sometimes on a limit, rarely bad.
fn position(g: &mut Gen) -> (Vec<u8>, Vec<u8>) {
    let roll = g.rng.gen_range(0..100);
    if roll < 3 {
        let bad: &[&[u8]] = &[b"200", b"-180.000001", b"x", b"nan", b"", b"85.06"];
        return (
            g.pick(bad),
            format!("{:.6}", g.rng.gen_range(-80.0..80.0)).into_bytes(),
        );
    }
    let (lon, lat) = if roll < 6 {
        let lon = if g.chance(0.5) { 180.0 } else { -180.0 };
        (lon, g.rng.gen_range(-85.0..85.0))
    } else if roll < 9 {
        let lat = if g.chance(0.5) {
            85.05112878
        } else {
            -85.05112878
        };
        (g.rng.gen_range(-180.0..180.0), lat)
    } else {
        let (clon, clat) = CENTRES[g.rng.gen_range(0..CENTRES.len())];
        let lon: f64 = clon + g.rng.gen_range(-1.5..1.5);
        let lat: f64 = clat + g.rng.gen_range(-1.0..1.0);
        (wrap_lon(lon), lat.clamp(-85.05, 85.05))
    };
    (
        format!("{lon:.8}").into_bytes(),
        format!("{lat:.8}").into_bytes(),
    )
}

/// Brings a longitude back into [-180, 180].
fn wrap_lon(lon: f64) -> f64 {
    if lon > 180.0 {
        lon - 360.0
    } else if lon < -180.0 {
        lon + 360.0
    } else {
        lon
    }
}

fn geoadd(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let mut args = vec![word("GEOADD"), k];
    for _ in 0..g.rng.gen_range(0..3) {
        args.push(g.pick(&[b"NX", b"XX", b"CH", b"ch", b"nx"]));
    }
    let n = if g.chance(0.1) {
        g.rng.gen_range(20..60)
    } else {
        g.rng.gen_range(1..6)
    };
    for _ in 0..n {
        let (lon, lat) = position(g);
        args.extend([lon, lat, member(g)]);
    }
    args
}

/// Extra search options in random order: order, COUNT [ANY], WITH*, sometimes junk.
fn search_options(g: &mut Gen, with_allowed: bool) -> Vec<Vec<u8>> {
    let mut opts = Vec::new();
    for _ in 0..g.rng.gen_range(0..4) {
        match g.rng.gen_range(0..10) {
            0 | 1 => opts.push(g.pick(&[b"ASC", b"DESC", b"asc"])),
            2 | 3 => {
                opts.extend([word("COUNT"), g.pick(COUNTS)]);
                if g.chance(0.4) {
                    opts.push(word("ANY"));
                }
            }
            4 if g.chance(0.2) => opts.push(word("ANY")),
            5 if g.chance(0.1) => opts.push(g.pick(&[b"BOGUS", b"COUNT"])),
            _ if with_allowed || g.chance(0.05) => {
                opts.push(g.pick(&[b"WITHDIST", b"WITHCOORD", b"WITHHASH", b"withdist"]))
            }
            _ => {}
        }
    }
    opts
}

/// `FROMMEMBER m` or `FROMLONLAT lon lat`.
fn from(g: &mut Gen) -> Vec<Vec<u8>> {
    if g.chance(0.4) {
        vec![word("FROMMEMBER"), member(g)]
    } else {
        let (lon, lat) = position(g);
        vec![word("FROMLONLAT"), lon, lat]
    }
}

/// `BYRADIUS r unit` or `BYBOX w h unit`.
fn by(g: &mut Gen) -> Vec<Vec<u8>> {
    if g.chance(0.5) {
        vec![word("BYRADIUS"), g.pick(SIZES), g.pick(UNITS)]
    } else {
        vec![word("BYBOX"), g.pick(SIZES), g.pick(SIZES), g.pick(UNITS)]
    }
}

fn geosearch(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let store = g.chance(0.3);
    let mut args = if store {
        vec![word("GEOSEARCHSTORE"), g.pick(DESTS), k]
    } else {
        vec![word("GEOSEARCH"), k]
    };
    let mut parts = vec![from(g), by(g)];
    if g.chance(0.1) {
        parts.pop();
    }
    if g.chance(0.2) {
        parts.reverse();
    }
    args.extend(parts.into_iter().flatten());
    args.extend(search_options(g, !store));
    if store && g.chance(0.4) {
        args.push(word("STOREDIST"));
    }
    args
}

fn georadius(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let by_member = g.chance(0.4);
    let read_only = g.chance(0.3);
    let name = match (by_member, read_only) {
        (false, false) => "GEORADIUS",
        (false, true) => "GEORADIUS_RO",
        (true, false) => "GEORADIUSBYMEMBER",
        (true, true) => "GEORADIUSBYMEMBER_RO",
    };
    let mut args = vec![word(name), k];
    if by_member {
        args.push(member(g));
    } else {
        let (lon, lat) = position(g);
        args.extend([lon, lat]);
    }
    args.extend([g.pick(SIZES), g.pick(UNITS)]);
    let store = !read_only && g.chance(0.3);
    args.extend(search_options(g, !store));
    if store || g.chance(0.02) {
        args.extend([g.pick(&[b"STORE", b"STOREDIST"]), g.pick(DESTS)]);
    }
    args
}

/// A score GEOADD would not write: negative, huge, infinite, fractional, or a random
/// 52-bit value (random, so that no two members decode to one position).
fn odd_score(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..4) {
        0 => g.pick(&[b"-1", b"1e300", b"inf", b"-inf", b"4503599627370496"]),
        1 => format!("{:.3}", g.rng.gen_range(0.0..4.5e15)).into_bytes(),
        _ => g.rng.gen_range(0u64..1 << 52).to_string().into_bytes(),
    }
}

/// A search source: usually a shared key, sometimes a store destination.
fn source(g: &mut Gen, k: Vec<u8>) -> Vec<u8> {
    if g.chance(0.15) {
        g.pick(DESTS)
    } else {
        k
    }
}

/// One random geo command (or a sorted-set / string command touching the same keys).
pub fn generate(g: &mut Gen) -> Cmd {
    let k = key(g);
    let args = match g.rng.gen_range(0..40) {
        0..=9 => geoadd(g, k),
        10..=11 => {
            let n = g.rng.gen_range(0..4);
            let name = if g.chance(0.5) { "GEOPOS" } else { "GEOHASH" };
            let mut args = vec![word(name), k];
            args.extend((0..n).map(|_| member(g)));
            args
        }
        12..=13 => {
            let mut args = vec![word("GEODIST"), k, member(g), member(g)];
            if g.chance(0.6) {
                args.push(g.pick(UNITS));
            }
            args
        }
        14..=24 => {
            let k = source(g, k);
            geosearch(g, k)
        }
        25..=32 => {
            let k = source(g, k);
            georadius(g, k)
        }
        33 => {
            let k = if g.chance(0.5) { g.pick(DESTS) } else { k };
            vec![word("ZRANGE"), k, word("0"), word("-1"), word("WITHSCORES")]
        }
        34 => vec![word("ZREM"), k, member(g), member(g)],
        35 => vec![word("OBJECT"), word("ENCODING"), g.pick(DESTS)],
        36 if g.chance(0.2) => vec![word("DEL"), k],
        37 if g.chance(0.2) => vec![word("SET"), k, word("v")],
        38 => vec![word("ZADD"), k, odd_score(g), member(g)],
        _ => vec![word("ZCARD"), k],
    };
    Cmd::exact(args)
}
