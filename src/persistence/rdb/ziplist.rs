//! Redis's ziplist byte format, which files from Redis 2.6 to 6.2 carry for small
//! lists, hashes and sorted sets (and for quicklist nodes). Only read: Redis 7.0 never
//! writes one, and neither do we.
//!
//! ```text
//! <total bytes: u32 LE> <offset of the last entry: u32 LE> <count: u16 LE> <entry>... <0xFF>
//! entry = <previous entry's size: 1 byte, or 0xFE + u32 LE> <encoding> <data>
//! 00LLLLLL | 01LLLLLL LLLLLLLL | 10______ + u32 BE   strings
//! 0xC0 i16, 0xD0 i32, 0xE0 i64, 0xF0 i24, 0xFE i8    integers (little-endian)
//! 0xF1..=0xFD                                        the integers 0..=12
//! ```
//!
//! The reader checks what `ziplistValidateIntegrity` checks in its deep mode: the
//! header, every entry inside the blob, each previous-size field, the tail offset and
//! the count.

use crate::store::listpack::Entry;

use super::read::{corrupt, Result};

/// Header bytes.
const HEADER: usize = 10;
/// The terminator.
const END: u8 = 0xff;

/// Reads a ziplist blob entry by entry.
pub struct ZlReader<'a> {
    blob: &'a [u8],
    pos: usize,
    prev_size: usize,
    prev_start: Option<usize>,
    seen: usize,
}

impl<'a> ZlReader<'a> {
    /// Checks the header and terminator of `blob`.
    pub fn new(blob: &'a [u8]) -> Result<Self> {
        if blob.len() < HEADER + 1 {
            return corrupt("ziplist too short");
        }
        let u32_at =
            |at: usize| u32::from_le_bytes([blob[at], blob[at + 1], blob[at + 2], blob[at + 3]]);
        if u32_at(0) as usize != blob.len() || blob[blob.len() - 1] != END {
            return corrupt("ziplist header or terminator is wrong");
        }
        if u32_at(4) as usize > blob.len() - 1 {
            return corrupt("ziplist tail offset is wrong");
        }
        Ok(ZlReader {
            blob,
            pos: HEADER,
            prev_size: 0,
            prev_start: None,
            seen: 0,
        })
    }

    /// The next entry, `None` at the terminator (where the tail and count are checked).
    pub fn next_entry(&mut self) -> Result<Option<Entry<'a>>> {
        let end = self.blob.len() - 1;
        if self.blob[self.pos] == END {
            return self.finish(end).map(|()| None);
        }
        let rest = &self.blob[self.pos..end];
        let (prev, prev_len) = match rest.first() {
            Some(&b) if b < 0xfe => (usize::from(b), 1),
            Some(0xfe) if rest.len() >= 5 => (
                u32::from_le_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize,
                5,
            ),
            _ => return corrupt("ziplist entry is malformed"),
        };
        if prev != self.prev_size {
            return corrupt("ziplist previous-entry size is wrong");
        }
        let (entry, size) = decode(&rest[prev_len..])?;
        self.prev_start = Some(self.pos);
        self.prev_size = prev_len + size;
        self.pos += prev_len + size;
        self.seen += 1;
        Ok(Some(entry))
    }

    /// Checks the end: the terminator is the last byte, the tail offset points at the
    /// last entry, the count matches.
    fn finish(&self, end: usize) -> Result<()> {
        let tail =
            u32::from_le_bytes([self.blob[4], self.blob[5], self.blob[6], self.blob[7]]) as usize;
        let count = usize::from(u16::from_le_bytes([self.blob[8], self.blob[9]]));
        if self.pos != end || self.prev_start.is_some_and(|last| last != tail) {
            return corrupt("ziplist layout is wrong");
        }
        if count != 0xffff && count != self.seen {
            return corrupt("ziplist count is wrong");
        }
        Ok(())
    }
}

/// Decodes the encoding and data at the start of `rest`: the entry and its size.
fn decode(rest: &[u8]) -> Result<(Entry<'_>, usize)> {
    let Some(&enc) = rest.first() else {
        return corrupt("ziplist entry cut short");
    };
    let take = |from: usize, len: usize| {
        rest.get(from..from + len)
            .map_or_else(|| corrupt("ziplist entry cut short"), Ok)
    };
    let int = |len: usize| -> Result<(Entry<'_>, usize)> {
        let mut le = [0u8; 8];
        le[..len].copy_from_slice(take(1, len)?);
        let shift = 64 - 8 * len as u32;
        Ok((
            Entry::Int((i64::from_le_bytes(le) << shift) >> shift),
            1 + len,
        ))
    };
    let string = |head: usize, len: usize| -> Result<(Entry<'_>, usize)> {
        Ok((Entry::Bytes(take(head, len)?), head + len))
    };
    match enc {
        0x00..=0x3f => string(1, usize::from(enc)),
        0x40..=0x7f => string(
            2,
            (usize::from(enc & 0x3f) << 8) | usize::from(take(1, 1)?[0]),
        ),
        0x80..=0xbf => {
            let b = take(1, 4)?;
            string(5, u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        }
        0xc0 => int(2),
        0xd0 => int(4),
        0xe0 => int(8),
        0xf0 => int(3),
        0xfe => int(1),
        0xf1..=0xfd => Ok((Entry::Int(i64::from(enc & 0x0f) - 1), 1)),
        _ => corrupt("ziplist entry has an unknown encoding"),
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Builds a ziplist from entries already encoded (encoding byte and data), for
    /// tests here and in the value tests.
    pub fn ziplist(encoded: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut prev = 0usize;
        let mut tail = HEADER;
        for e in encoded {
            tail = HEADER + body.len();
            let start = body.len();
            if prev < 254 {
                body.push(prev as u8);
            } else {
                body.push(0xfe);
                body.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            body.extend_from_slice(e);
            prev = body.len() - start;
        }
        let total = HEADER + body.len() + 1;
        let mut out = Vec::new();
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out.extend_from_slice(&(tail as u32).to_le_bytes());
        out.extend_from_slice(&(encoded.len() as u16).to_le_bytes());
        out.extend_from_slice(&body);
        out.push(END);
        out
    }

    /// A ziplist string entry's encoding and data.
    pub fn zl_str(s: &[u8]) -> Vec<u8> {
        let mut e = Vec::new();
        if s.len() < 64 {
            e.push(s.len() as u8);
        } else if s.len() < 16384 {
            e.extend_from_slice(&[0x40 | (s.len() >> 8) as u8, s.len() as u8]);
        } else {
            e.push(0x80);
            e.extend_from_slice(&(s.len() as u32).to_be_bytes());
        }
        e.extend_from_slice(s);
        e
    }

    fn entries(blob: &[u8]) -> Result<Vec<Vec<u8>>> {
        let mut reader = ZlReader::new(blob)?;
        let mut out = Vec::new();
        while let Some(e) = reader.next_entry()? {
            out.push(e.to_vec());
        }
        Ok(out)
    }

    #[test]
    fn decodes_every_encoding() {
        let long = vec![b'L'; 300];
        let huge = vec![b'H'; 20000];
        let blob = ziplist(&[
            &[0xf3],
            &[0xfe, 0x80],
            &[0xc0, 0x39, 0x30],
            &[0xf0, 0xff, 0xff, 0x7f],
            &[0xd0, 0, 0, 0, 0x80],
            &[0xe0, 1, 0, 0, 0, 0, 0, 0, 0],
            &zl_str(b"hello"),
            &zl_str(&long),
            &zl_str(&huge),
            &[0xf1],
        ]);
        let got = entries(&blob).expect("valid");
        let want: Vec<Vec<u8>> = vec![
            b"2".to_vec(),
            b"-128".to_vec(),
            b"12345".to_vec(),
            b"8388607".to_vec(),
            b"-2147483648".to_vec(),
            b"1".to_vec(),
            b"hello".to_vec(),
            long,
            huge,
            b"0".to_vec(),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn truncated_and_forged_blobs_are_refused() {
        let blob = ziplist(&[&zl_str(b"abc"), &[0xf5], &zl_str(&[b'x'; 260]), &[0xf2]]);
        assert!(entries(&blob).is_ok());
        for cut in 0..blob.len() {
            assert!(entries(&blob[..cut]).is_err());
        }
        let mut seed = 11u64;
        for _ in 0..20_000 {
            let mut forged = blob.clone();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = seed as usize % forged.len();
            forged[at] ^= (seed >> 40) as u8 | 1;
            let _ = entries(&forged);
        }
        let mut bad_tail = blob.clone();
        bad_tail[4] = 10;
        assert!(entries(&bad_tail).is_err());
    }
}
