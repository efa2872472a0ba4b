//! Random command generator for HyperLogLog: PFADD PFCOUNT PFMERGE over a few keys,
//! with GET comparing the sketches' bytes (sparse and dense), sketches grown past the
//! sparse limit (which CONFIG SET hll-sparse-max-bytes moves), and non-HLL or damaged
//! strings so WRONGTYPE and Redis's corruption checks come up.

use super::super::random::{Cmd, Gen};
use rand::Rng;

const KEYS: &[&[u8]] = &[b"hll:a", b"hll:b", b"hll:c", b"hll:d", b"plain", b"list"];

/// Limits for hll-sparse-max-bytes: tiny, small, Redis's default, large.
const SPARSE_LIMITS: &[&[u8]] = &[b"0", b"40", b"300", b"3000", b"3000", b"12000"];

fn key(g: &mut Gen) -> Vec<u8> {
    g.pick(KEYS)
}

/// One element: from a small pool (repeats change nothing) or a wide range.
fn element(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..10) {
        0 => g.binary(5),
        1..=4 => format!("e{}", g.rng.gen_range(0..50)).into_bytes(),
        _ => format!("x{}", g.rng.gen_range(0..200_000)).into_bytes(),
    }
}

/// PFADD with none, a few or many elements (many pushes a sketch towards dense).
fn pfadd(g: &mut Gen, k: Vec<u8>) -> Vec<Vec<u8>> {
    let count = match g.rng.gen_range(0..10) {
        0 => 0,
        1..=6 => g.rng.gen_range(1..6),
        _ => g.rng.gen_range(50..400),
    };
    let mut args = vec![b"PFADD".to_vec(), k];
    args.extend((0..count).map(|_| element(g)));
    args
}

/// A string that is not a valid sketch: wrong magic, cut short, or a sketch header
/// with a bad encoding byte.
fn damaged(g: &mut Gen) -> Vec<u8> {
    match g.rng.gen_range(0..3) {
        0 => g.binary(8),
        1 => b"HYLL".to_vec(),
        _ => {
            let mut bytes = b"HYLL".to_vec();
            bytes.push(g.rng.gen_range(2..255));
            bytes.extend_from_slice(&[0; 11]);
            bytes
        }
    }
}

/// One random HyperLogLog command.
pub fn generate(g: &mut Gen) -> Cmd {
    let k = key(g);
    let args = match g.rng.gen_range(0..30) {
        0..=9 => pfadd(g, k),
        10..=13 => {
            let n = g.rng.gen_range(1..4);
            let mut args = vec![b"PFCOUNT".to_vec()];
            args.extend((0..n).map(|_| key(g)));
            args
        }
        14..=16 => {
            let n = g.rng.gen_range(0..4);
            let mut args = vec![b"PFMERGE".to_vec(), k];
            args.extend((0..n).map(|_| key(g)));
            args
        }
        17..=20 => vec![b"GET".to_vec(), k],
        21 => vec![
            b"CONFIG".to_vec(),
            b"SET".to_vec(),
            b"hll-sparse-max-bytes".to_vec(),
            g.pick(SPARSE_LIMITS),
        ],
        22 => vec![b"SET".to_vec(), b"plain".to_vec(), damaged(g)],
        23 => vec![b"RPUSH".to_vec(), b"list".to_vec(), b"v".to_vec()],
        24 => vec![b"APPEND".to_vec(), k, g.binary(2)],
        25 => vec![b"STRLEN".to_vec(), k],
        26 => vec![b"DEL".to_vec(), k],
        27 => vec![b"COPY".to_vec(), k, key(g), b"REPLACE".to_vec()],
        28 => vec![b"TYPE".to_vec(), k],
        _ => vec![b"PFCOUNT".to_vec(), k],
    };
    Cmd::exact(args)
}
