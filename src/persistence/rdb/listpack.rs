//! Redis's listpack byte format, which RDB files carry for small hashes, sorted sets,
//! list nodes and stream nodes. This is not our in-memory
//! [`Listpack`](crate::store::listpack::Listpack): values are re-encoded on the way in
//! and out.
//!
//! ```text
//! <total bytes: u32 LE> <count: u16 LE, 65535 = unknown> <entry>... <0xFF>
//! entry = <encoding and data> <back length: size of the former, 1-5 bytes>
//! 0xxxxxxx          7-bit unsigned integer
//! 10LLLLLL          string of up to 63 bytes
//! 110xxxxx +1       13-bit signed integer
//! 1110LLLL +1       string of up to 4095 bytes (length big-endian)
//! 11110000 +4       string, 32-bit length (little-endian)
//! 11110001..0100    16, 24, 32, 64-bit signed integers (little-endian)
//! ```
//!
//! The back length stores its value 7 bits per byte, most significant first, with the
//! top bit set on every byte but the first, so it can be read from its last byte
//! leftwards.
//!
//! The writer applies `lpAppend`'s rule (a string that is the strict text of an `i64`
//! is stored as that integer), so a re-encoded blob is Redis's byte for byte. The reader
//! validates like `lpValidateIntegrity` with deep checks: header size, every entry
//! inside the blob, back lengths that match, the terminator and the count.

use crate::store::listpack::{Entry, Listpack};
use crate::util::numbers::parse_i64;

use super::read::{corrupt, Result};

/// Header bytes: total size and count.
const HEADER: usize = 6;
/// The terminator.
const EOF: u8 = 0xff;
/// The count field's "too many to say" value.
const COUNT_UNKNOWN: usize = 65535;

/// The bytes Redis's listpack holding `entries` takes (its `lpBytes`): DEBUG OBJECT
/// sums them over a list's packed nodes.
pub fn redis_listpack_len(entries: &Listpack) -> usize {
    let mut lp = LpWriter::new();
    for entry in entries {
        lp.push_entry(entry);
    }
    lp.finish().len()
}

/// Builds a listpack blob in Redis's format.
#[derive(Debug, Default)]
pub struct LpWriter {
    buf: Vec<u8>,
    count: usize,
}

impl LpWriter {
    /// An empty listpack.
    pub fn new() -> Self {
        LpWriter {
            buf: vec![0; HEADER],
            count: 0,
        }
    }

    /// Appends an integer entry.
    pub fn push_int(&mut self, v: i64) {
        let start = self.buf.len();
        let b = &mut self.buf;
        if (0..=127).contains(&v) {
            b.push(v as u8);
        } else if (-4096..=4095).contains(&v) {
            let u = (v as u64) & 0x1fff;
            b.extend_from_slice(&[0xc0 | (u >> 8) as u8, u as u8]);
        } else if let Ok(v) = i16::try_from(v) {
            b.push(0xf1);
            b.extend_from_slice(&v.to_le_bytes());
        } else if (-(1 << 23)..1 << 23).contains(&v) {
            b.push(0xf2);
            b.extend_from_slice(&v.to_le_bytes()[..3]);
        } else if let Ok(v) = i32::try_from(v) {
            b.push(0xf3);
            b.extend_from_slice(&v.to_le_bytes());
        } else {
            b.push(0xf4);
            b.extend_from_slice(&v.to_le_bytes());
        }
        self.end_entry(start);
    }

    /// Appends `s`, as an integer entry when it is the strict text of one.
    pub fn push_bytes(&mut self, s: &[u8]) {
        if let Some(v) = parse_i64(s) {
            return self.push_int(v);
        }
        let start = self.buf.len();
        let len = s.len();
        if len < 64 {
            self.buf.push(0x80 | len as u8);
        } else if len < 4096 {
            self.buf
                .extend_from_slice(&[0xe0 | (len >> 8) as u8, len as u8]);
        } else {
            self.buf.push(0xf0);
            self.buf.extend_from_slice(&(len as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(s);
        self.end_entry(start);
    }

    /// Appends an entry of our own listpack.
    pub fn push_entry(&mut self, entry: Entry<'_>) {
        match entry {
            Entry::Int(v) => self.push_int(v),
            Entry::Bytes(s) => self.push_bytes(s),
        }
    }

    /// Writes the back length of the entry that starts at `start`.
    fn end_entry(&mut self, start: usize) {
        let size = (self.buf.len() - start) as u64;
        let groups = match size {
            0..=127 => 1,
            128..=16382 => 2,
            16383..=2097150 => 3,
            2097151..=268435454 => 4,
            _ => 5,
        };
        for i in (0..groups).rev() {
            let group = ((size >> (7 * i)) & 0x7f) as u8;
            self.buf
                .push(if i + 1 == groups { group } else { group | 0x80 });
        }
        self.count += 1;
    }

    /// The finished blob.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(EOF);
        let total = self.buf.len() as u32;
        self.buf[..4].copy_from_slice(&total.to_le_bytes());
        let count = self.count.min(COUNT_UNKNOWN) as u16;
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }
}

/// Reads a listpack blob entry by entry, checking it as it goes.
///
/// A string entry may hold the text of an integer (Redis never writes one, a forged
/// blob may): callers that need canonical entries re-check.
pub struct LpReader<'a> {
    blob: &'a [u8],
    pos: usize,
    seen: usize,
    declared: usize,
}

impl<'a> LpReader<'a> {
    /// Checks the header and terminator of `blob`.
    pub fn new(blob: &'a [u8]) -> Result<Self> {
        if blob.len() < HEADER + 1 {
            return corrupt("listpack too short");
        }
        let total = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
        if total != blob.len() || blob[blob.len() - 1] != EOF {
            return corrupt("listpack header or terminator is wrong");
        }
        Ok(LpReader {
            blob,
            pos: HEADER,
            seen: 0,
            declared: usize::from(u16::from_le_bytes([blob[4], blob[5]])),
        })
    }

    /// The blob's size in bytes (a bound for counts read from it).
    pub fn blob_len(&self) -> usize {
        self.blob.len()
    }

    /// The next entry, `None` at the terminator (where the count is checked).
    pub fn next_entry(&mut self) -> Result<Option<Entry<'a>>> {
        let end = self.blob.len() - 1;
        if self.pos == end {
            if self.declared != COUNT_UNKNOWN && self.declared != self.seen {
                return corrupt("listpack count is wrong");
            }
            return Ok(None);
        }
        let (entry, size) = decode(&self.blob[self.pos..end])?;
        let back = backlen_size(size);
        let after = self.pos + size + back;
        if after > end || read_backlen(&self.blob[self.pos + size..after]) != Some(size) {
            return corrupt("listpack entry is malformed");
        }
        self.pos = after;
        self.seen += 1;
        Ok(Some(entry))
    }

    /// The next entry, which must exist.
    pub fn expect_entry(&mut self) -> Result<Entry<'a>> {
        self.next_entry()?
            .map_or_else(|| corrupt("listpack ended early"), Ok)
    }

    /// The next entry as an integer (a string holding an integer's text counts, as
    /// Redis's stream code reads them).
    pub fn expect_int(&mut self) -> Result<i64> {
        match self.expect_entry()? {
            Entry::Int(v) => Ok(v),
            Entry::Bytes(s) => {
                parse_i64(s).map_or_else(|| corrupt("listpack integer expected"), Ok)
            }
        }
    }

    /// Checks that no entry is left.
    pub fn expect_end(&mut self) -> Result<()> {
        match self.next_entry()? {
            None => Ok(()),
            Some(_) => corrupt("listpack has extra entries"),
        }
    }
}

/// Decodes the entry at the start of `rest`: the entry and its size without the back
/// length.
fn decode(rest: &[u8]) -> Result<(Entry<'_>, usize)> {
    let byte = |i: usize| {
        rest.get(i)
            .copied()
            .map_or_else(|| corrupt("listpack entry cut short"), Ok)
    };
    let first = byte(0)?;
    let int_le = |n: usize| -> Result<i64> {
        let mut le = [0u8; 8];
        le[..n].copy_from_slice(
            rest.get(1..1 + n)
                .map_or_else(|| corrupt("listpack entry cut short"), Ok)?,
        );
        let shift = 64 - 8 * n as u32;
        Ok((i64::from_le_bytes(le) << shift) >> shift)
    };
    let string = |skip: usize, len: usize| -> Result<(Entry<'_>, usize)> {
        let s = rest
            .get(skip..skip + len)
            .map_or_else(|| corrupt("listpack string cut short"), Ok)?;
        Ok((Entry::Bytes(s), skip + len))
    };
    match first {
        0x00..=0x7f => Ok((Entry::Int(i64::from(first)), 1)),
        0x80..=0xbf => string(1, usize::from(first & 0x3f)),
        0xc0..=0xdf => {
            let raw = (i64::from(first & 0x1f) << 8) | i64::from(byte(1)?);
            Ok((Entry::Int((raw << 51) >> 51), 2))
        }
        0xe0..=0xef => string(2, (usize::from(first & 0x0f) << 8) | usize::from(byte(1)?)),
        0xf0 => {
            let len = u32::from_le_bytes([byte(1)?, byte(2)?, byte(3)?, byte(4)?]);
            string(5, len as usize)
        }
        0xf1 => Ok((Entry::Int(int_le(2)?), 3)),
        0xf2 => Ok((Entry::Int(int_le(3)?), 4)),
        0xf3 => Ok((Entry::Int(int_le(4)?), 5)),
        0xf4 => Ok((Entry::Int(int_le(8)?), 9)),
        _ => corrupt("listpack entry has an unknown encoding"),
    }
}

/// Bytes the back length of an entry of `size` bytes takes.
fn backlen_size(size: usize) -> usize {
    match size {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    }
}

/// Reads a back length written over exactly `bytes`: most significant group first,
/// without the top bit; every later byte with it.
fn read_backlen(bytes: &[u8]) -> Option<usize> {
    let (&first, rest) = bytes.split_first()?;
    if first & 0x80 != 0 || rest.iter().any(|b| b & 0x80 == 0) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0, |acc, b| (acc << 7) | usize::from(b & 0x7f)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(blob: &[u8]) -> Result<Vec<Vec<u8>>> {
        let mut reader = LpReader::new(blob)?;
        let mut out = Vec::new();
        while let Some(e) = reader.next_entry()? {
            out.push(e.to_vec());
        }
        Ok(out)
    }

    #[test]
    fn encodes_like_redis() {
        let mut lp = LpWriter::new();
        lp.push_bytes(b"a");
        lp.push_bytes(b"1");
        lp.push_int(-1);
        lp.push_int(300);
        let blob = lp.finish();
        // "a" is 0x81 'a' + back length 2; 1 is 0x01 + 1; -1 is 13-bit; 300 too.
        let want = [
            17, 0, 0, 0, 4, 0, 0x81, b'a', 2, 0x01, 1, 0xdf, 0xff, 2, 0xc1, 0x2c, 2, 0xff,
        ];
        assert_eq!(blob[..4], (want.len() as u32).to_le_bytes());
        assert_eq!(blob[4..], want[4..]);
    }

    #[test]
    fn round_trips_every_encoding() {
        let mut values: Vec<Vec<u8>> = [
            0i64,
            127,
            128,
            -1,
            -4096,
            4095,
            4096,
            -32768,
            32767,
            40000,
            -8388608,
            8388607,
            8388608,
            i32::MIN as i64,
            i32::MAX as i64,
            1 << 40,
            i64::MIN,
            i64::MAX,
        ]
        .iter()
        .map(|n| n.to_string().into_bytes())
        .collect();
        for len in [0, 1, 63, 64, 127, 200, 4095, 4096, 20000] {
            values.push(vec![b'z'; len]);
        }
        values.push(b"-0".to_vec());
        values.push(b"007".to_vec());
        let mut lp = LpWriter::new();
        for v in &values {
            lp.push_bytes(v);
        }
        assert_eq!(entries(&lp.finish()), Ok(values));
    }

    #[test]
    fn hostile_blobs_are_refused() {
        let mut lp = LpWriter::new();
        for v in [&b"hello"[..], b"12", &[b'q'; 300]] {
            lp.push_bytes(v);
        }
        let blob = lp.finish();
        for cut in 0..blob.len() {
            assert!(entries(&blob[..cut]).is_err());
        }
        let mut seed = 3u64;
        for i in 0..20_000 {
            let mut forged = blob.clone();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = 4 + (seed as usize % (forged.len() - 4));
            forged[at] = (seed >> 32) as u8 ^ (i as u8);
            let _ = entries(&forged);
        }
        let mut wrong_count = blob.clone();
        wrong_count[4] = 2;
        assert!(entries(&wrong_count).is_err());
        assert!(entries(&[7, 0, 0, 0, 0, 0, 0xff]).is_ok());
    }
}
