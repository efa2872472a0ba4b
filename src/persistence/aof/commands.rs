//! Commands in an AOF file: RESP arrays of bulk strings, with `#...` annotation lines
//! allowed between them (Redis writes `#TS:` timestamps). Reading keeps track of the
//! offset after the last complete command, so a file cut short by a crash can be
//! truncated back to it (`aof-load-truncated`).

use std::io::{self, BufRead, Read};

use bytes::Bytes;

/// Longest line the reader accepts before a bulk (headers and annotations).
const MAX_LINE: usize = 1024;

/// Appends `args` to `out` as a RESP array of bulk strings.
pub fn encode(out: &mut Vec<u8>, args: &[Bytes]) {
    out.push(b'*');
    out.extend_from_slice(args.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for arg in args {
        out.push(b'$');
        out.extend_from_slice(arg.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// Why reading stopped before the end of the file.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The file ends inside a command (a crash mid-write).
    Truncated,
    /// Bytes that are not a command.
    Format,
    /// The disk failed.
    Io(String),
}

/// Reads commands one by one from an AOF file (after any RDB preamble).
pub struct CommandReader<R> {
    input: R,
    /// Offset of the end of the last complete command.
    pub valid_up_to: u64,
    offset: u64,
}

impl<R: BufRead> CommandReader<R> {
    /// A reader whose input starts at byte `offset` of its file.
    pub fn new(input: R, offset: u64) -> Self {
        CommandReader {
            input,
            valid_up_to: offset,
            offset,
        }
    }

    /// The next command, `None` at a clean end of file.
    pub fn next_command(&mut self) -> Result<Option<Vec<Bytes>>, ReadError> {
        let count = loop {
            let Some(line) = self.line()? else {
                return Ok(None);
            };
            match line.first() {
                Some(b'#') => {
                    self.valid_up_to = self.offset;
                    continue;
                }
                Some(b'*') => {
                    break number(&line[1..])
                        .filter(|&n| n >= 1)
                        .ok_or(ReadError::Format)?
                }
                _ => return Err(ReadError::Format),
            }
        };
        let mut args = Vec::with_capacity(count.min(1024) as usize);
        for _ in 0..count {
            let line = self.line()?.ok_or(ReadError::Truncated)?;
            if line.first() != Some(&b'$') {
                return Err(ReadError::Format);
            }
            let len = number(&line[1..]).ok_or(ReadError::Format)?;
            args.push(self.bulk(len)?);
        }
        self.valid_up_to = self.offset;
        Ok(Some(args))
    }

    /// One `\r\n`-terminated line without its terminator; `None` at end of file
    /// before any byte.
    fn line(&mut self) -> Result<Option<Vec<u8>>, ReadError> {
        let mut line = Vec::new();
        let read = (&mut self.input)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .map_err(io_error)?;
        self.offset += read as u64;
        if read == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\r\n") {
            return Err(if read >= MAX_LINE {
                ReadError::Format
            } else {
                ReadError::Truncated
            });
        }
        line.truncate(line.len() - 2);
        Ok(Some(line))
    }

    /// A bulk of `len` bytes and its `\r\n`, read without trusting `len` for an
    /// allocation larger than what the file delivers.
    fn bulk(&mut self, len: u64) -> Result<Bytes, ReadError> {
        let mut data = Vec::with_capacity(len.min(1 << 20) as usize);
        let got = (&mut self.input)
            .take(len + 2)
            .read_to_end(&mut data)
            .map_err(io_error)?;
        self.offset += got as u64;
        if (got as u64) < len + 2 {
            return Err(ReadError::Truncated);
        }
        if !data.ends_with(b"\r\n") {
            return Err(ReadError::Format);
        }
        data.truncate(len as usize);
        // The buffer grew by doubling: give back the slack, or a stored value would
        // keep it.
        data.shrink_to_fit();
        Ok(Bytes::from(data))
    }
}

fn io_error(error: io::Error) -> ReadError {
    ReadError::Io(error.to_string())
}

/// A non-negative decimal count.
fn number(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<Bytes> {
        words
            .iter()
            .map(|w| Bytes::copy_from_slice(w.as_bytes()))
            .collect()
    }

    #[test]
    fn commands_round_trip_with_annotations() {
        let mut file = b"#TS:1700000000\r\n".to_vec();
        encode(&mut file, &args(&["SET", "k", "v\r\n"]));
        encode(&mut file, &args(&["DEL", ""]));
        let mut reader = CommandReader::new(&file[..], 0);
        assert_eq!(
            reader.next_command(),
            Ok(Some(args(&["SET", "k", "v\r\n"])))
        );
        assert_eq!(reader.next_command(), Ok(Some(args(&["DEL", ""]))));
        assert_eq!(reader.next_command(), Ok(None));
        assert_eq!(reader.valid_up_to, file.len() as u64);
    }

    #[test]
    fn a_cut_file_reports_where_the_last_command_ended() {
        let mut file = Vec::new();
        encode(&mut file, &args(&["SET", "a", "1"]));
        let whole = file.len() as u64;
        encode(&mut file, &args(&["SET", "b", "2"]));
        for cut in whole as usize + 1..file.len() {
            let mut reader = CommandReader::new(&file[..cut], 0);
            assert!(reader.next_command().expect("first").is_some());
            assert_eq!(
                reader.next_command(),
                Err(ReadError::Truncated),
                "cut at {cut}"
            );
            assert_eq!(reader.valid_up_to, whole);
        }
    }

    #[test]
    fn garbage_is_a_format_error_and_huge_lengths_allocate_nothing() {
        let mut reader = CommandReader::new(&b"hello\r\n"[..], 0);
        assert_eq!(reader.next_command(), Err(ReadError::Format));
        let huge = b"*1\r\n$9999999999999\r\nabc";
        let mut reader = CommandReader::new(&huge[..], 0);
        assert_eq!(reader.next_command(), Err(ReadError::Truncated));
        let mut reader = CommandReader::new(&b"*0\r\n"[..], 0);
        assert_eq!(reader.next_command(), Err(ReadError::Format));
    }
}
