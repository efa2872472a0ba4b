//! LZF, the compression RDB files and DUMP payloads use for strings.
//!
//! Redis compresses with liblzf built as its `lzfP.h` configures it (a 2^16-slot hash
//! table, the `VERY_FAST` variant). Compression is a heuristic, so two correct
//! compressors can disagree; ours makes every choice liblzf makes — the same hash of the
//! next three bytes, the same match extension, the same re-hashing after a match, the
//! same output-space checks — so a DUMP payload is byte for byte Redis's.
//!
//! # Format
//!
//! A sequence of runs: `000LLLLL` then `L+1` literal bytes; `LLLooooo oooooooo` a
//! back reference of `L+2` bytes (`L` in 1..=6) starting `o+1` bytes back; `111ooooo
//! LLLLLLLL oooooooo` the same with length `L+9`.
//!
//! Decompression trusts nothing: every run is checked against the input and the
//! announced output size, so hostile bytes give `None`, never a panic or an allocation
//! beyond what the input could expand to.

use std::cell::Cell;

/// log2 of the hash table size.
const HLOG: u32 = 16;
/// Hash table slots.
const HSIZE: usize = 1 << HLOG;
/// Longest literal run.
const MAX_LIT: usize = 1 << 5;
/// Farthest back reference.
const MAX_OFF: usize = 1 << 13;
/// Longest back reference, in bytes past the first two.
const MAX_REF: usize = (1 << 8) + (1 << 3);
/// Most output one input byte can stand for (a 3-byte reference of 264 bytes).
const MAX_EXPANSION: usize = 88;

/// The hash table, reused across calls: a slot holds `base + position` of the last
/// place its three bytes were seen, so entries from earlier calls (below the current
/// `base`) read as empty without clearing 256 KB per string.
#[derive(Default)]
struct Table {
    slots: Vec<u32>,
    base: u32,
}

thread_local! {
    static TABLE: Cell<Table> = Cell::new(Table::default());
}

/// The slot of the three bytes folded into `h` (liblzf's `VERY_FAST` hash).
fn slot(h: u32) -> usize {
    ((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// Compresses `input` into at most `max_out` bytes, exactly as liblzf's `lzf_compress`
/// does; `None` when the input is empty or the output does not fit.
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    if input.is_empty() || max_out == 0 {
        return None;
    }
    TABLE.with(|cell| {
        let mut table = cell.take();
        let base = prepare(&mut table, input.len());
        let out =
            base.and_then(|base| Compressor::new(input, max_out, &mut table.slots, base).run());
        cell.set(table);
        out
    })
}

/// Reserves `base..base + len` for this call's positions; `None` for inputs too long
/// for 32-bit slots (over 4 GB, never met in practice: they are stored uncompressed).
fn prepare(table: &mut Table, len: usize) -> Option<u32> {
    let len = u32::try_from(len).ok().filter(|&l| l < u32::MAX / 2)?;
    if table.slots.is_empty() || table.base.checked_add(len).is_none() {
        table.slots = vec![0; HSIZE];
        table.base = 1;
    }
    let base = table.base;
    table.base = base + len;
    Some(base)
}

/// The state of one compression.
struct Compressor<'a> {
    input: &'a [u8],
    max_out: usize,
    slots: &'a mut [u32],
    base: u32,
    out: Vec<u8>,
    /// Bytes in the current literal run (its header byte is reserved before them).
    lit: usize,
}

impl<'a> Compressor<'a> {
    fn new(input: &'a [u8], max_out: usize, slots: &'a mut [u32], base: u32) -> Self {
        let mut out = Vec::with_capacity(max_out.min(input.len() + input.len() / 32 + 2));
        out.push(0);
        Compressor {
            input,
            max_out,
            slots,
            base,
            out,
            lit: 0,
        }
    }

    /// Records position `ip` for hash `h`; returns the position recorded there before
    /// in this call, if any.
    fn remember(&mut self, h: u32, ip: usize) -> Option<usize> {
        let at = slot(h);
        let old = self.slots[at];
        self.slots[at] = self.base + ip as u32;
        (old >= self.base).then(|| (old - self.base) as usize)
    }

    /// The main loop; see the module docs for the format.
    fn run(mut self) -> Option<Vec<u8>> {
        let input = self.input;
        let n = input.len();
        let mut ip = 0;
        if n >= 3 {
            let mut h = (u32::from(input[0]) << 8) | u32::from(input[1]);
            while ip < n - 2 {
                h = (h << 8) | u32::from(input[ip + 2]);
                let candidate = self.remember(h, ip);
                match candidate.filter(|&r| self.usable(r, ip)) {
                    Some(r) => {
                        ip = self.back_reference(r, ip)?;
                        if ip >= n - 2 {
                            break;
                        }
                        h = self.rehash_after_match(ip);
                    }
                    None => {
                        self.literal(input[ip])?;
                        ip += 1;
                    }
                }
            }
        }
        self.finish(ip)
    }

    /// Whether an earlier position `r` can be referenced from `ip` (liblzf refuses a
    /// reference to the very first byte, and we follow it).
    fn usable(&self, r: usize, ip: usize) -> bool {
        let input = self.input;
        r > 0
            && r < ip
            && ip - r - 1 < MAX_OFF
            && input[r + 2] == input[ip + 2]
            && input[r] == input[ip]
            && input[r + 1] == input[ip + 1]
    }

    /// Appends one literal byte, closing the run when it is full.
    fn literal(&mut self, byte: u8) -> Option<()> {
        if self.out.len() >= self.max_out {
            return None;
        }
        self.lit += 1;
        self.out.push(byte);
        if self.lit == MAX_LIT {
            self.close_run();
            self.out.push(0);
        }
        Some(())
    }

    /// Writes the current run's header (dropping the reserved byte of an empty run).
    fn close_run(&mut self) {
        let at = self.out.len() - self.lit - 1;
        self.out[at] = (self.lit as u8).wrapping_sub(1);
        if self.lit == 0 {
            self.out.pop();
        }
        self.lit = 0;
    }

    /// Emits a back reference from `ip` to `r`; returns the position after it.
    fn back_reference(&mut self, r: usize, ip: usize) -> Option<usize> {
        let op = self.out.len() - usize::from(self.lit == 0);
        if op + 3 + 1 >= self.max_out {
            return None;
        }
        self.close_run();
        let len = self.match_length(r, ip) - 2;
        let off = ip - r - 1;
        if len < 7 {
            self.out.push(((off >> 8) + (len << 5)) as u8);
        } else {
            self.out.push(((off >> 8) + (7 << 5)) as u8);
            self.out.push((len - 7) as u8);
        }
        self.out.push(off as u8);
        self.out.push(0);
        Some(ip + len + 2)
    }

    /// How many bytes at `ip` repeat those at `r`, extended as liblzf does (sixteen
    /// unchecked-against-the-cap steps first when the cap allows more than sixteen).
    fn match_length(&self, r: usize, ip: usize) -> usize {
        let input = self.input;
        let max = (input.len() - ip - 2).min(MAX_REF);
        let mut len = 2;
        if max > 16 {
            for _ in 0..16 {
                len += 1;
                if input[r + len] != input[ip + len] {
                    return len;
                }
            }
        }
        loop {
            len += 1;
            if !(len < max && input[r + len] == input[ip + len]) {
                return len;
            }
        }
    }

    /// Hashes the two positions before `ip` (the end of a match) as `VERY_FAST` does;
    /// returns the running hash.
    fn rehash_after_match(&mut self, ip: usize) -> u32 {
        let input = self.input;
        let at = ip - 2;
        let mut h = (u32::from(input[at]) << 8) | u32::from(input[at + 1]);
        h = (h << 8) | u32::from(input[at + 2]);
        self.remember(h, at);
        h = (h << 8) | u32::from(input[at + 3]);
        self.remember(h, at + 1);
        h
    }

    /// Copies the last bytes as literals and closes the final run.
    fn finish(mut self, mut ip: usize) -> Option<Vec<u8>> {
        if self.out.len() + 3 > self.max_out {
            return None;
        }
        while ip < self.input.len() {
            self.lit += 1;
            self.out.push(self.input[ip]);
            ip += 1;
            if self.lit == MAX_LIT {
                self.close_run();
                self.out.push(0);
            }
        }
        self.close_run();
        Some(self.out)
    }
}

/// Decompresses `input`, which must expand to exactly `len` bytes; `None` for anything
/// malformed, too long or too short.
pub fn decompress(input: &[u8], len: usize) -> Option<Vec<u8>> {
    if len > input.len().saturating_mul(MAX_EXPANSION) {
        return None;
    }
    let mut out = Vec::with_capacity(len);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < MAX_LIT {
            let run = input.get(ip..ip + ctrl + 1)?;
            if out.len() + run.len() > len {
                return None;
            }
            out.extend_from_slice(run);
            ip += run.len();
        } else {
            ip = copy_reference(input, ip, ctrl, &mut out, len)?;
        }
    }
    (out.len() == len).then_some(out)
}

/// Expands the back reference whose control byte `ctrl` was just read (its operand
/// bytes start at `ip`); returns the input position after it.
fn copy_reference(
    input: &[u8],
    mut ip: usize,
    ctrl: usize,
    out: &mut Vec<u8>,
    len: usize,
) -> Option<usize> {
    let mut run = ctrl >> 5;
    if run == 7 {
        run += usize::from(*input.get(ip)?);
        ip += 1;
    }
    let back = ((ctrl & 0x1f) << 8) + usize::from(*input.get(ip)?) + 1;
    ip += 1;
    let run = run + 2;
    if out.len() + run > len || back > out.len() {
        return None;
    }
    let start = out.len() - back;
    if back >= run {
        out.extend_from_within(start..start + run);
    } else {
        let mut at = start;
        while at < start + run {
            let byte = out[at];
            out.push(byte);
            at += 1;
        }
    }
    Some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compresses the way RDB does: only when it saves at least four bytes.
    fn rdb_compress(data: &[u8]) -> Option<Vec<u8>> {
        compress(data, data.len().checked_sub(4)?)
    }

    #[test]
    fn round_trips() {
        let mut cases: Vec<Vec<u8>> = vec![
            vec![b'a'; 21],
            vec![b'a'; 1000],
            b"abcabcabcabcabcabcabcabcabcabc".to_vec(),
            (0..5000u32).map(|i| (i % 7) as u8).collect(),
            (0..70_000u32).map(|i| (i / 300) as u8).collect(),
        ];
        let mut seed = 1u64;
        cases.push(
            (0..4000)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    if i % 3 == 0 {
                        b'x'
                    } else {
                        (seed >> 60) as u8
                    }
                })
                .collect(),
        );
        for data in cases {
            let packed = rdb_compress(&data).expect("compressible");
            assert!(packed.len() <= data.len() - 4);
            assert_eq!(decompress(&packed, data.len()), Some(data.clone()));
            assert_eq!(decompress(&packed, data.len() + 1), None);
            assert_eq!(decompress(&packed, data.len() - 1), None);
        }
    }

    #[test]
    fn known_outputs() {
        // Twenty-one 'a's: two literals (a reference may not point at byte 0), then one
        // reference of 19 bytes, one back (tests/rdb_codec.rs checks it against Redis).
        assert_eq!(
            rdb_compress(&[b'a'; 21]),
            Some(vec![1, b'a', b'a', 0xe0, 10, 0])
        );
        assert_eq!(rdb_compress(b"abcdefghijklmnopqrstuvwxyz"), None);
        assert_eq!(compress(b"", 10), None);
        assert_eq!(compress(b"ab", 10), Some(vec![1, b'a', b'b']));
    }

    #[test]
    fn hostile_input_never_panics() {
        let mut seed = 7u64;
        for round in 0..2000 {
            let len = round % 40;
            let input: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            for out_len in [0, 1, 10, 100, 5000] {
                let _ = decompress(&input, out_len);
            }
        }
        assert_eq!(decompress(&[0xe0], 100), None);
        assert_eq!(decompress(&[0xff, 0xff, 0xff], 1000), None);
        assert_eq!(decompress(&[5, 1, 2], 6), None);
        assert_eq!(decompress(&[0], usize::MAX), None);
    }
}
