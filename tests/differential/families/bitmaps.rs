//! Random command generator for bitmaps: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
//! BITFIELD_RO over the shared small key space, mixed with SET (int, embstr and binary
//! values), GET, OBJECT ENCODING and a few non-string writes so WRONGTYPE and every
//! string encoding come up often.
//!
//! Writes only ever address bits below a few thousand, so strings stay small; offsets
//! at and beyond the 512MB limit are drawn only for reads and for offsets that must be
//! rejected (a valid SETBIT at 4294967295 would make both servers allocate 512MB).

use super::super::random::{Cmd, Gen};
use super::{int, key, value};
use rand::Rng;

/// Offsets that are not valid bit offsets (rejected before any allocation).
const BAD_OFFSETS: &[&[u8]] = &[
    b"-1",
    b"4294967296",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"abc",
    b"",
    b"1.5",
    b"+1",
    b" 1",
    b"#1",
];

/// BITFIELD types: valid, at the limits, and malformed.
const TYPES: &[&[u8]] = &[
    b"u1", b"u2", b"u3", b"u4", b"u5", b"u7", b"u8", b"u8", b"u16", b"u31", b"u32", b"u63", b"i1",
    b"i2", b"i3", b"i4", b"i7", b"i8", b"i8", b"i16", b"i32", b"i63", b"i64", b"i64",
];
const BAD_TYPES: &[&[u8]] = &[
    b"u64", b"u0", b"i0", b"i65", b"I8", b"U8", b"x8", b"u", b"i", b"", b"u-1", b"u+1", b"u08",
];

/// Values for BITFIELD SET/INCRBY: small, around field limits, extreme, not numbers.
const FIELD_VALUES: &[&[u8]] = &[
    b"0",
    b"1",
    b"-1",
    b"2",
    b"-2",
    b"7",
    b"8",
    b"-8",
    b"127",
    b"128",
    b"-128",
    b"-129",
    b"255",
    b"256",
    b"32767",
    b"-32768",
    b"65535",
    b"65536",
    b"2147483647",
    b"4294967295",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"4611686018427387904",
    b"9223372036854775808",
    b"abc",
    b"",
];

/// A bit offset for a write: small (keeps strings short) or invalid.
fn write_offset(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..20) {
        0 => g.pick(BAD_OFFSETS),
        1 => g.int_in(0, 3000),
        2 | 3 => g.int_in(0, 1000),
        _ => g.int_in(0, 120),
    }
}

/// A bit offset for a read: anything, including the last valid bit.
fn read_offset(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..20) {
        0 => g.pick(BAD_OFFSETS),
        1 => g.pick(&[b"4294967295", b"4294967288", b"100000"]),
        _ => g.int_in(0, 200),
    }
}

/// A BITFIELD offset: plain or `#N` positional (small for writes).
fn field_offset(g: &mut Gen, write: bool) -> Vec<u8> {
    if g.chance(0.25) {
        let n = if write || g.chance(0.8) {
            g.int_in(-1, 12)
        } else {
            g.pick(&[
                b"536870911",
                b"536870912",
                b"67108863",
                b"144115188075855872",
                b"288230376151711744",
                b"",
                b"x",
            ])
        };
        [b"#".to_vec(), n].concat()
    } else if write {
        write_offset(g)
    } else {
        read_offset(g)
    }
}

fn field_type(g: &mut Gen) -> Vec<u8> {
    if g.chance(0.05) {
        g.pick(BAD_TYPES)
    } else {
        g.pick(TYPES)
    }
}

fn field_value(g: &mut Gen) -> Vec<u8> {
    if g.chance(0.4) {
        g.int_in(-300, 300)
    } else {
        g.pick(FIELD_VALUES)
    }
}

/// A BITCOUNT/BITPOS index: small, negative, extreme or not a number.
fn index(g: &mut Gen) -> Vec<u8> {
    if g.chance(0.8) {
        g.int_in(-30, 30)
    } else {
        int(g)
    }
}

fn unit(g: &mut Gen) -> Vec<u8> {
    g.pick(&[b"BIT", b"bit", b"BYTE", b"byte", b"BIT", b"bits", b""])
}

/// `BITFIELD`/`BITFIELD_RO` with a random run of operations.
fn bitfield(g: &mut Gen, k: Vec<u8>, read_only: bool) -> Vec<Vec<u8>> {
    let name: &[u8] = if read_only {
        b"BITFIELD_RO"
    } else {
        b"BITFIELD"
    };
    let mut args = vec![name.to_vec(), k];
    for _ in 0..g.rng.gen_range(0..5) {
        let write = !read_only || g.chance(0.05);
        match g.rng.gen_range(0..10) {
            0..=2 => {
                args.extend([
                    g.pick(&[b"GET", b"get"]),
                    field_type(g),
                    field_offset(g, false),
                ]);
            }
            3..=7 if write => {
                let op = g.pick(&[b"SET", b"INCRBY", b"incrby", b"set"]);
                args.extend([op, field_type(g), field_offset(g, true), field_value(g)]);
            }
            8 => {
                let mode = g.pick(&[b"WRAP", b"SAT", b"FAIL", b"sat", b"fail", b"BOGUS"]);
                args.extend([b"OVERFLOW".to_vec(), mode]);
            }
            9 if g.chance(0.2) => args.push(g.pick(&[b"BOGUS", b"GET", b"OVERFLOW"])),
            _ => args.extend([b"GET".to_vec(), field_type(g), field_offset(g, false)]),
        }
    }
    args
}

fn bitop(g: &mut Gen) -> Vec<Vec<u8>> {
    let op = g.pick(&[
        b"AND", b"OR", b"XOR", b"NOT", b"and", b"or", b"Xor", b"not", b"NOP",
    ]);
    let mut args = vec![b"BITOP".to_vec(), op, key(g)];
    let sources = if g.chance(0.5) {
        1
    } else {
        g.rng.gen_range(1..=4)
    };
    for _ in 0..sources {
        args.push(key(g));
    }
    args
}

fn bitpos(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let bit = if g.chance(0.9) {
        g.pick(&[b"0", b"1"])
    } else {
        int(g)
    };
    let mut args = vec![b"BITPOS".to_vec(), k, bit];
    let extra = g.rng.gen_range(0..=3);
    if extra >= 1 {
        args.push(index(g));
    }
    if extra >= 2 {
        args.push(index(g));
    }
    if extra >= 3 {
        args.push(unit(g));
    }
    args
}

fn bitcount(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let mut args = vec![b"BITCOUNT".to_vec(), k];
    match g.rng.gen_range(0..6) {
        0 => {}
        1 => args.push(index(g)),
        2 | 3 => args.extend([index(g), index(g)]),
        _ => args.extend([index(g), index(g), unit(g)]),
    }
    args
}

/// A string value: binary, all-ones/all-zeros runs, integers or the shared values.
fn bitmap_value(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..8) {
        0 => g.binary(12),
        1 => vec![0xff; g.rng.gen_range(1..40)],
        2 => vec![0x00; g.rng.gen_range(1..40)],
        3 => {
            // A long run with one odd byte somewhere: exercises the word-at-a-time paths.
            let (len, fill) = (g.rng.gen_range(30..300), g.pick(&[b"\x00", b"\xff"])[0]);
            let mut bytes = vec![fill; len];
            let at = g.rng.gen_range(0..len);
            bytes[at] = g.rng.gen();
            bytes
        }
        _ => value(g),
    }
}

/// One random command of the family.
pub fn generate(g: &mut Gen) -> Cmd {
    let k = key(g);
    let args = match g.rng.gen_range(0..32) {
        0..=4 => {
            let bit = if g.chance(0.93) {
                g.pick(&[b"0", b"1"])
            } else {
                int(g)
            };
            vec![b"SETBIT".to_vec(), k, write_offset(g), bit]
        }
        5 | 6 => vec![b"GETBIT".to_vec(), k, read_offset(g)],
        7..=9 => bitcount(g, k),
        10..=13 => bitpos(g, k),
        14..=16 => bitop(g),
        17..=20 => bitfield(g, k, false),
        21 | 22 => bitfield(g, k, true),
        23 | 24 => vec![b"SET".to_vec(), k, bitmap_value(g)],
        25 => vec![b"GET".to_vec(), k],
        26 => vec![b"OBJECT".to_vec(), b"ENCODING".to_vec(), k],
        27 => vec![b"STRLEN".to_vec(), k],
        28 if g.chance(0.3) => vec![b"RPUSH".to_vec(), k, b"a".to_vec()],
        29 if g.chance(0.3) => vec![b"SADD".to_vec(), k, b"1".to_vec()],
        30 => vec![b"DEL".to_vec(), k],
        _ => vec![b"APPEND".to_vec(), k, g.binary(3)],
    };
    Cmd::exact(args)
}
