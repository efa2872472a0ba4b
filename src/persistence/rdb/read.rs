//! The reading half of the format: an input that streams from any `Read`, counts its
//! offset (for error messages), keeps a running CRC-64 of what was consumed, and decodes
//! the primitives (lengths, strings in every encoding, times, doubles).
//!
//! Nothing read is trusted. A length is never allocated up front: short strings are
//! served from the 64 KB buffer (borrowed, no copy), long ones grow as their bytes
//! actually arrive, so a forged 4 GB length in a truncated file costs nothing; when the
//! total size is known (a DUMP payload) a length past the end fails at once.

use std::borrow::Cow;
use std::io::{self, Read};

use crate::persistence::crc64::crc64;
use crate::persistence::rdb::format::{ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF};
use crate::util::lzf;
use crate::util::numbers::{i64_to_bytes, parse_i64, strtod, MAX_I64_CHARS};

/// Buffer size, and the longest string served from the buffer.
const CHUNK: usize = 64 * 1024;

/// Why decoding stopped: a description of what was wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt(pub Cow<'static, str>);

/// Decoding results.
pub type Result<T> = std::result::Result<T, Corrupt>;

/// Fails with `message`.
pub fn corrupt<T>(message: impl Into<Cow<'static, str>>) -> Result<T> {
    Err(Corrupt(message.into()))
}

/// A string as read: an integer encoding (standing for its decimal text) or bytes,
/// borrowed from the input's buffer when possible.
#[derive(Debug)]
pub enum Str<'a> {
    /// An int-encoded string.
    Int(i64),
    /// The string's bytes.
    Bytes(Cow<'a, [u8]>),
}

impl Str<'_> {
    /// Calls `f` with the string's bytes (an integer formatted on the stack).
    pub fn with_bytes<T>(&self, f: impl FnOnce(&[u8]) -> T) -> T {
        match self {
            Str::Int(n) => f(i64_to_bytes(*n, &mut [0u8; MAX_I64_CHARS])),
            Str::Bytes(bytes) => f(bytes),
        }
    }

    /// The string's bytes, owned.
    pub fn into_vec(self) -> Vec<u8> {
        match self {
            Str::Int(n) => i64_to_bytes(n, &mut [0u8; MAX_I64_CHARS]).to_vec(),
            Str::Bytes(bytes) => bytes.into_owned(),
        }
    }

    /// The integer the string is the strict text of (Redis's `string2ll`).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Str::Int(n) => Some(*n),
            Str::Bytes(bytes) => parse_i64(bytes),
        }
    }

    /// The string's length in bytes.
    pub fn byte_len(&self) -> usize {
        self.with_bytes(<[u8]>::len)
    }
}

/// A length, or the tag of a specially encoded string.
enum Len {
    Plain(u64),
    Special(u8),
}

/// An RDB input; see the module docs.
pub struct Input<R: Read> {
    src: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    /// Input offset of `buf[0]`.
    base: u64,
    /// CRC-64 of the input before `buf[crc_from]`.
    crc: u64,
    crc_from: usize,
    /// The input's total size, when known.
    total: Option<u64>,
}

impl<R: Read> Input<R> {
    /// An input reading `src`, whose total size is `total` when known (the buffer is
    /// then no larger than the input: a small RESTORE payload costs a small buffer).
    pub fn new(src: R, total: Option<u64>) -> Self {
        let size = total.map_or(CHUNK, |t| usize::try_from(t).unwrap_or(CHUNK).min(CHUNK));
        Input {
            src,
            buf: vec![0; size].into_boxed_slice(),
            pos: 0,
            end: 0,
            base: 0,
            crc: 0,
            crc_from: 0,
            total,
        }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Folds the consumed, buffered bytes into the checksum.
    fn fold(&mut self) {
        self.crc = crc64(self.crc, &self.buf[self.crc_from..self.pos]);
        self.crc_from = self.pos;
    }

    /// The CRC-64 of everything consumed so far.
    pub fn checksum(&mut self) -> u64 {
        self.fold();
        self.crc
    }

    /// Makes at least `want` (at most [`CHUNK`]) unread bytes available; a buffer
    /// smaller than `want` only exists when the whole input is, and then fails as the
    /// end of input it is.
    #[inline]
    fn fill(&mut self, want: usize) -> Result<()> {
        if self.end - self.pos >= want {
            return Ok(());
        }
        self.refill(want)
    }

    /// The slow half of [`Input::fill`]: compacts the buffer and reads.
    #[cold]
    fn refill(&mut self, want: usize) -> Result<()> {
        self.fold();
        self.buf.copy_within(self.pos..self.end, 0);
        self.base += self.pos as u64;
        self.end -= self.pos;
        self.pos = 0;
        self.crc_from = 0;
        while self.end < want {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => return corrupt("unexpected end of input"),
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return corrupt(format!("read error: {e}")),
            }
        }
        Ok(())
    }

    /// One byte.
    #[inline]
    pub fn u8(&mut self) -> Result<u8> {
        self.fill(1)?;
        self.pos += 1;
        Ok(self.buf[self.pos - 1])
    }

    /// `N` bytes.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.fill(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.buf[self.pos..self.pos + N]);
        self.pos += N;
        Ok(out)
    }

    /// `n` bytes: borrowed from the buffer when short, else read as they come.
    pub fn bytes(&mut self, n: u64) -> Result<Cow<'_, [u8]>> {
        if self
            .total
            .is_some_and(|total| n > total.saturating_sub(self.offset()))
        {
            return corrupt("a length runs past the end of the input");
        }
        let Ok(n) = usize::try_from(n) else {
            return corrupt("a length does not fit in memory");
        };
        if n <= CHUNK {
            self.fill(n)?;
            let start = self.pos;
            self.pos += n;
            return Ok(Cow::Borrowed(&self.buf[start..start + n]));
        }
        self.long_bytes(n).map(Cow::Owned)
    }

    /// Reads `n` (more than a buffer) bytes, growing the result only as data arrives.
    fn long_bytes(&mut self, n: usize) -> Result<Vec<u8>> {
        self.fold();
        let mut out = self.buf[self.pos..self.end].to_vec();
        self.crc = crc64(self.crc, &out);
        self.base += self.end as u64;
        (self.pos, self.end, self.crc_from) = (0, 0, 0);
        while out.len() < n {
            let old = out.len();
            let step = (n - old).min(old.max(CHUNK));
            out.resize(old + step, 0);
            if let Err(e) = self.src.read_exact(&mut out[old..]) {
                return corrupt(match e.kind() {
                    io::ErrorKind::UnexpectedEof => "unexpected end of input".into(),
                    _ => format!("read error: {e}"),
                });
            }
            self.crc = crc64(self.crc, &out[old..]);
            self.base += step as u64;
        }
        Ok(out)
    }

    /// A length or a special-encoding tag.
    fn len_or_special(&mut self) -> Result<Len> {
        let first = self.u8()?;
        Ok(match (first >> 6, first) {
            (0, _) => Len::Plain(u64::from(first)),
            (1, _) => Len::Plain((u64::from(first & 0x3f) << 8) | u64::from(self.u8()?)),
            (3, _) => Len::Special(first & 0x3f),
            (_, 0x80) => Len::Plain(u64::from(u32::from_be_bytes(self.array()?))),
            (_, 0x81) => Len::Plain(u64::from_be_bytes(self.array()?)),
            _ => return corrupt(format!("unknown length encoding {first:#x}")),
        })
    }

    /// A length (a count, an ID half...).
    pub fn length(&mut self) -> Result<u64> {
        match self.len_or_special()? {
            Len::Plain(n) => Ok(n),
            Len::Special(_) => corrupt("a string encoding where a length was expected"),
        }
    }

    /// A length that must fit `usize` (a count of things to read).
    pub fn count(&mut self) -> Result<usize> {
        let n = self.length()?;
        usize::try_from(n).or_else(|_| corrupt("a count does not fit in memory"))
    }

    /// A string in any of its encodings.
    pub fn string(&mut self) -> Result<Str<'_>> {
        match self.len_or_special()? {
            Len::Plain(n) => self.bytes(n).map(Str::Bytes),
            Len::Special(ENC_INT8) => Ok(Str::Int(i64::from(self.u8()? as i8))),
            Len::Special(ENC_INT16) => Ok(Str::Int(i64::from(i16::from_le_bytes(self.array()?)))),
            Len::Special(ENC_INT32) => Ok(Str::Int(i64::from(i32::from_le_bytes(self.array()?)))),
            Len::Special(ENC_LZF) => self.lzf_string().map(|v| Str::Bytes(Cow::Owned(v))),
            Len::Special(other) => corrupt(format!("unknown string encoding {other}")),
        }
    }

    /// The rest of an LZF string: compressed length, length, compressed bytes.
    fn lzf_string(&mut self) -> Result<Vec<u8>> {
        let packed_len = self.length()?;
        let len = self.length()?;
        let packed = self.bytes(packed_len)?;
        usize::try_from(len)
            .ok()
            .and_then(|len| lzf::decompress(&packed, len))
            .map_or_else(|| corrupt("invalid LZF compressed string"), Ok)
    }

    /// A string, owned.
    pub fn string_vec(&mut self) -> Result<Vec<u8>> {
        self.string().map(Str::into_vec)
    }

    /// A time in ms, 8 bytes little-endian.
    pub fn millis(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A binary double, 8 bytes little-endian.
    pub fn double(&mut self) -> Result<f64> {
        Ok(f64::from_bits(u64::from_le_bytes(self.array()?)))
    }

    /// A double as old files wrote it: a length byte (253 NaN, 254 +inf, 255 -inf)
    /// and that many bytes of text.
    pub fn text_double(&mut self) -> Result<f64> {
        match self.u8()? {
            255 => Ok(f64::NEG_INFINITY),
            254 => Ok(f64::INFINITY),
            253 => Ok(f64::NAN),
            len => {
                let text = self.bytes(u64::from(len))?;
                let parsed = strtod(&text);
                if parsed.consumed == 0 {
                    return corrupt("a score is not a number");
                }
                Ok(parsed.value)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(bytes: &[u8]) -> Input<&[u8]> {
        Input::new(bytes, Some(bytes.len() as u64))
    }

    #[test]
    fn lengths_and_strings() {
        let data = [
            0x05, 0x41, 0x00, 0x80, 0, 1, 0, 0, 0xc0, 0xfe, 0xc1, 0x10, 0x27, 2, b'h', b'i',
        ];
        let mut inp = input(&data);
        assert_eq!(inp.length(), Ok(5));
        assert_eq!(inp.length(), Ok(0x100));
        assert_eq!(inp.length(), Ok(0x10000));
        assert_eq!(inp.string().map(|s| s.as_int()), Ok(Some(-2)));
        assert_eq!(inp.string().map(|s| s.into_vec()), Ok(b"10000".to_vec()));
        assert_eq!(inp.string_vec(), Ok(b"hi".to_vec()));
        assert_eq!(inp.offset(), data.len() as u64);
        assert!(inp.u8().is_err());
        assert_eq!(inp.checksum(), crc64(0, &data));
    }

    #[test]
    fn forged_lengths_fail_without_allocating() {
        let data = [0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, b'x'];
        assert!(input(&data).string().is_err());
        // An unknown total: the bytes run out long before the length.
        let mut inp = Input::new(&data[..], None);
        assert!(inp.string().is_err());
        let lzf = [
            0xc3, 0x02, 0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
        ];
        assert!(input(&lzf).string().is_err());
    }

    #[test]
    fn long_strings_stream_through() {
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut data = vec![0x80];
        data.extend_from_slice(&(body.len() as u32).to_be_bytes());
        data.extend_from_slice(&body);
        data.push(7);
        let mut inp = Input::new(&data[..], None);
        assert_eq!(inp.string_vec(), Ok(body));
        assert_eq!(inp.u8(), Ok(7));
        assert_eq!(inp.checksum(), crc64(0, &data));
        assert!(inp.u8().is_err());
    }
}
