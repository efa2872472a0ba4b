//! The writing half of the format: an output that buffers, counts and checksums what
//! goes through it, with the primitives every value is made of (lengths, strings with
//! Redis's choice of encoding, times, doubles).

use std::io::{self, Write};

use crate::persistence::crc64::crc64;
use crate::persistence::rdb::format::{
    encode_int, encode_len, ENC_LZF, INT_ENCODING_MAX_LEN, LZF_MIN_LEN,
};
use crate::util::lzf;
use crate::util::numbers::{i64_to_bytes, parse_i64, MAX_I64_CHARS};

/// Bytes gathered before one write to the destination.
const BUFFER: usize = 64 * 1024;

/// An RDB output: buffered, checksummed when asked, compressing strings when asked.
pub struct Output<W: Write> {
    dst: W,
    buf: Vec<u8>,
    crc: u64,
    checksum: bool,
    compression: bool,
}

impl<W: Write> Output<W> {
    /// An output to `dst`; `checksum` keeps a running CRC-64, `compression` tries LZF
    /// on strings as `rdbcompression` does.
    pub fn new(dst: W, checksum: bool, compression: bool) -> Self {
        Output {
            dst,
            buf: Vec::with_capacity(BUFFER),
            crc: 0,
            checksum,
            compression,
        }
    }

    /// Sends the buffered bytes to the destination.
    fn drain(&mut self) -> io::Result<()> {
        if self.checksum {
            self.crc = crc64(self.crc, &self.buf);
        }
        self.dst.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// The checksum of everything written so far (0 when checksums are off).
    pub fn checksum(&mut self) -> io::Result<u64> {
        self.drain()?;
        Ok(self.crc)
    }

    /// Flushes and hands back the destination.
    pub fn finish(mut self) -> io::Result<W> {
        self.drain()?;
        self.dst.flush()?;
        Ok(self.dst)
    }

    /// Raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.buf.len() + bytes.len() > BUFFER {
            self.drain()?;
            if bytes.len() >= BUFFER {
                if self.checksum {
                    self.crc = crc64(self.crc, bytes);
                }
                return self.dst.write_all(bytes);
            }
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// One byte (an opcode or a type).
    pub fn byte(&mut self, b: u8) -> io::Result<()> {
        self.bytes(&[b])
    }

    /// A length.
    pub fn length(&mut self, len: u64) -> io::Result<()> {
        let (bytes, used) = encode_len(len);
        self.bytes(&bytes[..used])
    }

    /// A time in milliseconds, 8 bytes little-endian.
    pub fn millis(&mut self, ms: i64) -> io::Result<()> {
        self.bytes(&ms.to_le_bytes())
    }

    /// A double in binary, 8 bytes little-endian.
    pub fn double(&mut self, d: f64) -> io::Result<()> {
        self.bytes(&d.to_bits().to_le_bytes())
    }

    /// A string as Redis's `rdbSaveRawString` writes it: int-encoded when it is the
    /// text of a 32-bit integer, LZF-compressed when that is on, the string is over 20
    /// bytes and compression saves at least four, else verbatim.
    pub fn string(&mut self, s: &[u8]) -> io::Result<()> {
        if s.len() <= INT_ENCODING_MAX_LEN {
            if let Some((bytes, used)) = parse_i64(s).and_then(encode_int) {
                return self.bytes(&bytes[..used]);
            }
        }
        if self.compression && s.len() > LZF_MIN_LEN {
            if let Some(packed) = lzf::compress(s, s.len() - 4) {
                self.byte(0xc0 | ENC_LZF)?;
                self.length(packed.len() as u64)?;
                self.length(s.len() as u64)?;
                return self.bytes(&packed);
            }
        }
        self.length(s.len() as u64)?;
        self.bytes(s)
    }

    /// An integer string (Redis's `rdbSaveLongLongAsStringObject`): int-encoded when it
    /// fits 32 bits, else its decimal text.
    pub fn int_string(&mut self, n: i64) -> io::Result<()> {
        if let Some((bytes, used)) = encode_int(n) {
            return self.bytes(&bytes[..used]);
        }
        let mut buf = [0u8; MAX_I64_CHARS];
        let text = i64_to_bytes(n, &mut buf);
        self.length(text.len() as u64)?;
        self.bytes(text)
    }
}
