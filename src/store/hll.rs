//! HyperLogLog sketches in Redis's own byte layout.
//!
//! An HLL is a plain string: a 16-byte header (`HYLL`, an encoding byte — 0 dense,
//! 1 sparse — three unused bytes and an 8-byte little-endian cached cardinality whose
//! top bit set means "stale"), then the registers. There are 16384 registers (p = 14)
//! of 6 bits each; the dense form packs them LSB-first into 12288 bytes. The sparse
//! form is a run-length code of opcodes:
//!
//! * `00xxxxxx` ZERO: `x+1` (1..64) zero registers;
//! * `01xxxxxx yyyyyyyy` XZERO: `(x<<8|y)+1` (1..16384) zero registers;
//! * `1vvvvvxx` VAL: `x+1` (1..4) registers of value `v+1` (1..32).
//!
//! A sparse sketch is promoted to dense when a register would exceed 32 or when it
//! would grow past `hll-sparse-max-bytes` (the caller passes the configured value). Elements are hashed with MurmurHash64A (seed `0xadc83b19`): the low 14 bits
//! pick the register, the position of the first set bit of the rest is the run length.
//! The cardinality is estimated from the register histogram with Ertl's improved
//! estimator, as Redis 7.0 does, so estimates and stored bytes equal Redis's.

/// Bits of the hash that pick the register.
const P: u32 = 14;
/// Bits left for the run length.
const Q: u32 = 64 - P;
/// Number of registers.
pub const REGISTERS: usize = 1 << P;
/// Header length.
pub const HDR_SIZE: usize = 16;
/// Length of a dense sketch.
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * 6).div_ceil(8);
/// Encoding byte of the dense form.
pub const DENSE: u8 = 0;
/// Encoding byte of the sparse form.
pub const SPARSE: u8 = 1;
/// Redis's default `hll-sparse-max-bytes`.
pub const SPARSE_MAX_BYTES: usize = 3000;
/// The hash seed Redis uses.
const SEED: u64 = 0xadc8_3b19;
/// 0.5 / ln 2.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_LEN: usize = 4;
const ZERO_MAX_LEN: usize = 64;

/// The sketch's content is inconsistent (Redis's INVALIDOBJ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// MurmurHash64A over `data` (blocks read little-endian, as Redis does on every host).
pub fn murmur64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (data.len() as u64).wrapping_mul(M);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let mut word = [0u8; 8];
        word.copy_from_slice(block);
        let mut k = u64::from_le_bytes(word).wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &byte) in tail.iter().enumerate() {
            h ^= u64::from(byte) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register `element` maps to and its run length (1..=51).
pub fn pattern(element: &[u8]) -> (usize, u8) {
    let hash = murmur64a(element, SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// A fresh empty sketch: sparse, one XZERO covering every register, valid cache of 0.
pub fn new_sparse() -> Vec<u8> {
    let mut hll = vec![0u8; HDR_SIZE + 2];
    hll[..4].copy_from_slice(b"HYLL");
    hll[4] = SPARSE;
    set_xzero(&mut hll[HDR_SIZE..], REGISTERS);
    hll
}

/// Whether `bytes` passes Redis's header check (magic, known encoding, dense length).
pub fn is_valid(bytes: &[u8]) -> bool {
    bytes.len() >= HDR_SIZE
        && &bytes[..4] == b"HYLL"
        && bytes[4] <= SPARSE
        && (bytes[4] != DENSE || bytes.len() == DENSE_SIZE)
}

/// The cached cardinality, when the cache is valid.
pub fn cached(hll: &[u8]) -> Option<u64> {
    if hll[15] & 0x80 != 0 {
        return None;
    }
    let mut card = [0u8; 8];
    card.copy_from_slice(&hll[8..16]);
    Some(u64::from_le_bytes(card))
}

/// Stores `card` as the cached cardinality.
pub fn set_cached(hll: &mut [u8], card: u64) {
    hll[8..16].copy_from_slice(&card.to_le_bytes());
}

/// Marks the cached cardinality stale.
pub fn invalidate(hll: &mut [u8]) {
    hll[15] |= 0x80;
}

// --- dense registers ------------------------------------------------------------------

/// Register `index` of the packed 6-bit array `regs`.
fn dense_get(regs: &[u8], index: usize) -> u8 {
    let bit = index * 6;
    let (byte, shift) = (bit / 8, bit % 8);
    let lo = regs.get(byte).copied().unwrap_or(0) as u32;
    let hi = regs.get(byte + 1).copied().unwrap_or(0) as u32;
    (((lo >> shift) | (hi << (8 - shift))) & 63) as u8
}

/// Sets register `index` of `regs` to `value` (< 64).
fn dense_put(regs: &mut [u8], index: usize, value: u8) {
    let bit = index * 6;
    let (byte, shift) = (bit / 8, bit % 8);
    let value = u32::from(value & 63);
    if let Some(lo) = regs.get_mut(byte) {
        *lo = ((u32::from(*lo) & !(63u32 << shift)) | (value << shift)) as u8;
    }
    if shift > 2 {
        if let Some(hi) = regs.get_mut(byte + 1) {
            *hi = ((u32::from(*hi) & !(63u32 >> (8 - shift))) | (value >> (8 - shift))) as u8;
        }
    }
}

/// Raises register `index` to `count`; true if it changed.
fn dense_set(regs: &mut [u8], index: usize, count: u8) -> bool {
    if count > dense_get(regs, index) {
        dense_put(regs, index, count);
        true
    } else {
        false
    }
}

// --- sparse opcodes -------------------------------------------------------------------

/// One decoded sparse opcode.
#[derive(Clone, Copy)]
enum Op {
    /// A run of zeros (ZERO or XZERO) of this length, and the opcode's size in bytes.
    Zero(usize, usize),
    /// A run of `len` registers of `value`.
    Val(u8, usize),
}

/// Decodes the opcode at `sparse[at]` (a byte past the end reads as 0, like Redis's
/// trailing NUL).
fn op_at(sparse: &[u8], at: usize) -> Op {
    let byte = sparse[at];
    if byte & 0x80 != 0 {
        Op::Val(((byte >> 2) & 0x1f) + 1, (byte & 3) as usize + 1)
    } else if byte & 0x40 != 0 {
        let low = sparse.get(at + 1).copied().unwrap_or(0) as usize;
        Op::Zero((((byte & 0x3f) as usize) << 8 | low) + 1, 2)
    } else {
        Op::Zero((byte & 0x3f) as usize + 1, 1)
    }
}

fn val_byte(value: u8, len: usize) -> u8 {
    0x80 | ((value - 1) << 2) | (len as u8 - 1)
}

fn set_xzero(out: &mut [u8], len: usize) {
    let l = len - 1;
    out[0] = (l >> 8) as u8 | 0x40;
    out[1] = (l & 0xff) as u8;
}

/// Appends a zero run of `len` (1..=16384) as ZERO or XZERO.
fn push_zero(seq: &mut Vec<u8>, len: usize) {
    if len > ZERO_MAX_LEN {
        let mut two = [0u8; 2];
        set_xzero(&mut two, len);
        seq.extend_from_slice(&two);
    } else {
        seq.push((len - 1) as u8);
    }
}

/// Raises register `index` of a sparse sketch to `count`, promoting to dense when
/// needed. Ok(true) if a register changed.
fn sparse_set(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, Corrupt> {
    if count > VAL_MAX_VALUE {
        return promote(hll, index, count);
    }
    // Find the opcode covering `index`.
    let mut at = HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut found = None;
    while at < hll.len() {
        let op = op_at(hll, at);
        let (span, size) = match op {
            Op::Zero(len, size) => (len, size),
            Op::Val(_, len) => (len, 1),
        };
        if index < first + span {
            found = Some((op, span, size));
            break;
        }
        prev = Some(at);
        at += size;
        first += span;
    }
    let Some((op, span, size)) = found else {
        return Err(Corrupt);
    };
    // Fast paths: a single register opcode is rewritten in place.
    let in_place = match op {
        Op::Val(old, len) => {
            if old >= count {
                return Ok(false);
            }
            len == 1
        }
        Op::Zero(len, size) => size == 1 && len == 1,
    };
    if in_place {
        hll[at] = val_byte(count, 1);
    } else {
        let last = first + span - 1;
        let mut seq = Vec::with_capacity(5);
        match op {
            Op::Zero(..) => {
                if index != first {
                    push_zero(&mut seq, index - first);
                }
                seq.push(val_byte(count, 1));
                if index != last {
                    push_zero(&mut seq, last - index);
                }
            }
            Op::Val(value, _) => {
                if index != first {
                    seq.push(val_byte(value, index - first));
                }
                seq.push(val_byte(count, 1));
                if index != last {
                    seq.push(val_byte(value, last - index));
                }
            }
        }
        if seq.len() > size && hll.len() + seq.len() - size > sparse_max {
            return promote(hll, index, count);
        }
        if at + size <= hll.len() {
            hll.splice(at..at + size, seq);
        } else {
            // A trailing XZERO cut after its first byte (its second read as Redis's NUL
            // terminator): Redis writes the new opcodes over it but grows the length by
            // the size difference only, so the last written byte falls off the end.
            let new_len = hll.len() + seq.len() - size;
            hll.truncate(at);
            hll.extend_from_slice(&seq);
            hll.truncate(new_len);
        }
    }
    merge_adjacent(hll, prev.unwrap_or(HDR_SIZE));
    invalidate(hll);
    Ok(true)
}

/// Redis's step after a sparse update: from `start`, over at most five opcodes, fuse
/// neighbouring VAL opcodes of equal value while the run fits in one opcode.
fn merge_adjacent(hll: &mut Vec<u8>, start: usize) {
    let mut at = start;
    let mut budget = 5;
    while at < hll.len() && budget > 0 {
        budget -= 1;
        match op_at(hll, at) {
            Op::Zero(_, size) => {
                at += size;
                continue;
            }
            Op::Val(v1, l1) => {
                if at + 1 < hll.len() {
                    if let Op::Val(v2, l2) = op_at(hll, at + 1) {
                        if hll[at + 1] & 0x80 != 0 && v1 == v2 && l1 + l2 <= VAL_MAX_LEN {
                            hll[at + 1] = val_byte(v1, l1 + l2);
                            hll.remove(at);
                            continue;
                        }
                    }
                }
                at += 1;
            }
        }
    }
}

/// Converts to dense, then sets the register there.
fn promote(hll: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    to_dense(hll)?;
    dense_set(&mut hll[HDR_SIZE..], index, count);
    Ok(true)
}

/// Converts a sparse sketch to dense in place (header copied, encoding changed); a
/// dense one is left alone.
pub fn to_dense(hll: &mut Vec<u8>) -> Result<(), Corrupt> {
    if hll[4] == DENSE {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&hll[..HDR_SIZE]);
    dense[4] = DENSE;
    let regs = &mut dense[HDR_SIZE..];
    let mut idx = 0usize;
    let mut at = HDR_SIZE;
    while at < hll.len() {
        match op_at(hll, at) {
            Op::Zero(len, size) => {
                idx += len;
                at += size;
            }
            Op::Val(value, len) => {
                if idx + len > REGISTERS {
                    return Err(Corrupt);
                }
                for i in idx..idx + len {
                    dense_put(regs, i, value);
                }
                idx += len;
                at += 1;
            }
        }
    }
    if idx != REGISTERS {
        return Err(Corrupt);
    }
    *hll = dense;
    Ok(())
}

/// Adds `element`; Ok(true) if a register changed.
pub fn add(hll: &mut Vec<u8>, element: &[u8], sparse_max: usize) -> Result<bool, Corrupt> {
    let (index, count) = pattern(element);
    match hll[4] {
        DENSE => Ok(dense_set(&mut hll[HDR_SIZE..], index, count)),
        SPARSE => sparse_set(hll, index, count, sparse_max),
        _ => Err(Corrupt),
    }
}

/// Raises register `index` to `count` in whatever encoding the sketch has (PFMERGE).
pub fn set_register(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, Corrupt> {
    match hll[4] {
        DENSE => Ok(dense_set(&mut hll[HDR_SIZE..], index, count)),
        _ => sparse_set(hll, index, count, sparse_max),
    }
}

/// Folds the sketch's registers into `max` (one byte per register), keeping maxima.
pub fn merge_into(max: &mut [u8], hll: &[u8]) -> Result<(), Corrupt> {
    if hll[4] == DENSE {
        let regs = &hll[HDR_SIZE..];
        for (i, slot) in max.iter_mut().enumerate().take(REGISTERS) {
            *slot = (*slot).max(dense_get(regs, i));
        }
        return Ok(());
    }
    let mut idx = 0usize;
    let mut at = HDR_SIZE;
    while at < hll.len() {
        match op_at(hll, at) {
            Op::Zero(len, size) => {
                idx += len;
                at += size;
            }
            Op::Val(value, len) => {
                if idx + len > REGISTERS {
                    return Err(Corrupt);
                }
                for slot in &mut max[idx..idx + len] {
                    *slot = (*slot).max(value);
                }
                idx += len;
                at += 1;
            }
        }
    }
    if idx != REGISTERS {
        return Err(Corrupt);
    }
    Ok(())
}

/// The estimate of a stored sketch (ignores the cache).
pub fn count(hll: &[u8]) -> Result<u64, Corrupt> {
    let mut histo = [0u32; 64];
    if hll[4] == DENSE {
        let regs = &hll[HDR_SIZE..];
        for i in 0..REGISTERS {
            histo[dense_get(regs, i) as usize] += 1;
        }
    } else {
        let mut idx = 0usize;
        let mut at = HDR_SIZE;
        while at < hll.len() {
            match op_at(hll, at) {
                Op::Zero(len, size) => {
                    idx += len;
                    histo[0] += len as u32;
                    at += size;
                }
                Op::Val(value, len) => {
                    idx += len;
                    histo[value as usize] += len as u32;
                    at += 1;
                }
            }
        }
        if idx != REGISTERS {
            return Err(Corrupt);
        }
    }
    Ok(estimate(&histo))
}

/// The estimate of one-byte-per-register maxima (multi-key PFCOUNT).
pub fn count_raw(max: &[u8]) -> u64 {
    let mut histo = [0u32; 64];
    for &reg in max.iter().take(REGISTERS) {
        histo[(reg & 63) as usize] += 1;
    }
    estimate(&histo)
}

/// Ertl's improved estimator over the register histogram.
fn estimate(histo: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let q = Q as usize;
    let mut z = m * tau((m - f64::from(histo[q + 1])) / m);
    for j in (1..=q).rev() {
        z += f64::from(histo[j]);
        z *= 0.5;
    }
    z += m * sigma(f64::from(histo[0]) / m);
    let e = (ALPHA_INF * m * m / z).round();
    if e.is_finite() && e >= 0.0 {
        e as u64
    } else {
        0
    }
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if before == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if before == z {
            return z / 3.0;
        }
    }
}

/// Every register of a dense sketch, in order.
pub fn dense_registers(hll: &[u8]) -> Vec<u8> {
    let regs = &hll[HDR_SIZE..];
    (0..REGISTERS).map(|i| dense_get(regs, i)).collect()
}

/// The opcodes of a sparse sketch in PFDEBUG DECODE's notation: `z:len` (ZERO),
/// `Z:len` (XZERO), `v:value,len` (VAL), space separated.
pub fn decode_sparse(hll: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut at = HDR_SIZE;
    while at < hll.len() {
        match op_at(hll, at) {
            Op::Zero(len, 1) => parts.push(format!("z:{len}")),
            Op::Zero(len, size) => {
                parts.push(format!("Z:{len}"));
                at += size - 1;
            }
            Op::Val(value, len) => parts.push(format!("v:{value},{len}")),
        }
        at += 1;
    }
    parts.join(" ")
}

/// PFSELFTEST's checks of this module: every register value round-trips through the
/// dense packing, and the sparse and dense forms agree (bytes decoded, estimates, and
/// an error within bounds) while growing. `Err` names the first failure.
pub fn self_test() -> Result<(), String> {
    let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
    for round in 0..64u32 {
        for i in 0..REGISTERS {
            dense_put(&mut regs, i, ((i as u32 + round) % 64) as u8);
        }
        for i in 0..REGISTERS {
            if u32::from(dense_get(&regs, i)) != (i as u32 + round) % 64 {
                return Err(format!("TESTFAILED Register error at {i}"));
            }
        }
    }
    let (mut sparse, mut dense) = (new_sparse(), new_sparse());
    to_dense(&mut dense).map_err(|_| "TESTFAILED conversion failed".to_string())?;
    for n in 1..=20_000u32 {
        let element = n.to_le_bytes();
        let (a, b) = (
            add(&mut sparse, &element, SPARSE_MAX_BYTES),
            add(&mut dense, &element, SPARSE_MAX_BYTES),
        );
        if a.is_err() || b.is_err() {
            return Err("TESTFAILED corrupted sketch".into());
        }
        if n % 1000 == 0 {
            let mut expanded = sparse.clone();
            let same = to_dense(&mut expanded).is_ok() && expanded[HDR_SIZE..] == dense[HDR_SIZE..];
            let (est_s, est_d) = (count(&sparse), count(&dense));
            let est = est_d.unwrap_or(0) as f64;
            let error = (est - f64::from(n)).abs() / f64::from(n);
            if !same || est_s != est_d || error > 0.05 {
                return Err(format!("TESTFAILED Too big error. card:{n} abserr:{error}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sketch_layout() {
        let hll = new_sparse();
        assert_eq!(&hll[..], b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        assert_eq!(count(&hll), Ok(0));
    }

    #[test]
    fn dense_registers_round_trip() {
        let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
        for i in 0..REGISTERS {
            dense_put(&mut regs, i, (i % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(dense_get(&regs, i), (i % 64) as u8);
        }
    }

    #[test]
    fn self_test_passes() {
        assert_eq!(self_test(), Ok(()));
        let mut hll = new_sparse();
        add(&mut hll, b"a", SPARSE_MAX_BYTES).unwrap();
        assert_eq!(decode_sparse(&hll), "Z:12711 v:2,1 Z:3672");
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut sparse = new_sparse();
        let mut dense = new_sparse();
        to_dense(&mut dense).unwrap();
        for i in 0..2000u32 {
            let e = i.to_string();
            add(&mut sparse, e.as_bytes(), SPARSE_MAX_BYTES).unwrap();
            add(&mut dense, e.as_bytes(), SPARSE_MAX_BYTES).unwrap();
        }
        assert_eq!(count(&sparse), count(&dense));
    }
}
