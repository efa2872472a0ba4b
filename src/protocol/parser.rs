//! The incremental RESP request parser.
//!
//! A request is either a multibulk (`*<n>\r\n` then `n` times `$<len>\r\n<bytes>\r\n`) or an
//! inline line (anything not starting with `*`, split like redis-cli quoting). The parser
//! keeps its place across reads — the items still expected and the length of the bulk in
//! progress, like Redis's `multibulklen` and `bulklen` — so a 500 MB bulk arriving in
//! 64 KB pieces is never rescanned, and its buffer is sized once when its header arrives.
//!
//! Arguments are cut out of the query buffer with `split_to(..).freeze()`: zero-copy
//! `Bytes` sharing the buffer's allocation. A big bulk (at least [`BIG_ARG`]) gets a
//! buffer of its own, exactly its size, so the argument owns exactly its bytes; whatever
//! keeps a smaller argument beyond the command copies it (docs/ARCHITECTURE.md,
//! "Zero-copy arguments, owned storage"). "Not enough bytes yet" is the normal
//! [`ParseOutcome::Incomplete`], not an error; errors are protocol violations after
//! which the client is answered and closed.

use std::mem::MaybeUninit;

use bytes::{Buf, Bytes, BytesMut};

use crate::error::ProtocolError;
use crate::protocol::inline::split_args;
use crate::protocol::names;
use crate::util::numbers::parse_i64;

/// Longest inline request, and longest `*`/`$` header line, Redis accepts (64 KB).
pub const INLINE_MAX_SIZE: usize = 64 * 1024;
/// Bulks at least this long get a buffer sized for them up front (Redis's
/// `PROTO_MBULK_BIG_ARG`), so they arrive into one allocation with no copying.
pub const BIG_ARG: usize = 32 * 1024;
/// Most arguments a request may have to take the one-pass path ([`RequestParser::parse`]);
/// longer ones are parsed incrementally.
const WHOLE_MAX_ARGS: usize = 32;
/// Most arguments a client that must still authenticate may send in one command.
const UNAUTHENTICATED_MAX_ARGS: i64 = 10;
/// Longest argument such a client may send.
const UNAUTHENTICATED_MAX_BULK: i64 = 16384;
/// Largest multibulk count (Redis compares against `INT_MAX`).
const MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;

/// Limits the parser enforces, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct ParseLimits {
    /// `proto-max-bulk-len`: the longest single argument.
    pub max_bulk_len: i64,
    /// Redis's pre-authentication limits (at most 10 arguments of at most 16 KB each)
    /// apply: true only while the client must still authenticate.
    pub unauthenticated: bool,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_bulk_len: 512 * 1024 * 1024,
            unauthenticated: false,
        }
    }
}

/// What one call of [`RequestParser::parse`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseOutcome {
    /// A whole command: its arguments, name first (never empty).
    Command(Vec<Bytes>),
    /// A request with no arguments (`*0`, an empty inline line): consumed, nothing to run.
    Empty,
    /// More bytes are needed; everything consumed so far is remembered.
    Incomplete,
}

/// Resumable parse state for one client.
#[derive(Debug, Default)]
pub struct RequestParser {
    /// Multibulk items still expected for the command in progress (0: none in progress).
    items_left: usize,
    /// Length of the bulk whose header was read, if its payload has not arrived yet.
    bulk_len: Option<usize>,
    /// Arguments parsed so far for the command in progress.
    args: Vec<Bytes>,
    /// Bytes of `args` together (CLIENT LIST `argv-mem`, client memory), kept as they
    /// are parsed so it is never summed again.
    args_len: usize,
    /// An emptied argument vector handed back after a command ran, reused so that a
    /// pipeline of commands does not allocate one vector each.
    spare: Vec<Bytes>,
    /// The big bulk in progress has a buffer of its own ([`dedicate`]).
    own_buffer: bool,
    /// The last command name handed out as static bytes ([`names`]); empty at first.
    last_name: Bytes,
    /// `last_name` as [`name_word`] reads it, when it is at most 8 bytes long.
    last_word: u64,
}

impl RequestParser {
    /// A parser at the start of a request.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when a multibulk request is partly parsed.
    pub fn in_progress(&self) -> bool {
        self.items_left > 0
    }

    /// Takes back a command's argument vector once it ran, for reuse.
    pub fn recycle(&mut self, mut args: Vec<Bytes>) {
        args.clear();
        if args.capacity() <= 1024 {
            self.spare = args;
        }
    }

    /// Length of the bulk being received, so the reader can size its buffer for it.
    pub fn pending_bulk(&self) -> Option<usize> {
        self.bulk_len
    }

    /// Bytes still missing from the big bulk being received into `buf` (its payload and
    /// CRLF), if one is. The reader reads no more than this, as Redis does, so the bulk's
    /// buffer is filled exactly and never reallocated.
    pub fn big_bulk_missing(&self, buf: &BytesMut) -> Option<usize> {
        self.bulk_len
            .filter(|&len| len >= BIG_ARG)
            .map(|len| (len + 2).saturating_sub(buf.len()))
            .filter(|&missing| missing > 0)
    }

    /// Consumes one request from the front of `buf` if it is complete.
    pub fn parse(
        &mut self,
        buf: &mut BytesMut,
        limits: &ParseLimits,
    ) -> Result<ParseOutcome, ProtocolError> {
        if self.items_left == 0 {
            match buf.first() {
                None => return Ok(ParseOutcome::Incomplete),
                Some(b'*') => {
                    if let Some(args) = self.parse_whole(buf, limits) {
                        return Ok(ParseOutcome::Command(args));
                    }
                    if !self.start_multibulk(buf, limits)? {
                        return Ok(ParseOutcome::Incomplete);
                    }
                    if self.items_left == 0 {
                        return Ok(ParseOutcome::Empty);
                    }
                }
                Some(_) => return parse_inline(buf),
            }
        }
        self.parse_bulks(buf, limits)
    }

    /// The fast path: a whole, well-formed request of at most [`WHOLE_MAX_ARGS`] small
    /// arguments already in `buf` is measured in one pass over the bytes and cut off
    /// with one split; its arguments are slices of it. Anything else (a request not all
    /// here, a big argument, a header the incremental path would answer with an
    /// error, an unauthenticated client's limits) returns `None` with nothing
    /// consumed, and the incremental path takes it from the start.
    fn parse_whole(&mut self, buf: &mut BytesMut, limits: &ParseLimits) -> Option<Vec<Bytes>> {
        let bytes = &buf[..];
        let (count, mut pos) = header_number(bytes, 0, b'*')?;
        if count == 0 || count > WHOLE_MAX_ARGS || limits.unauthenticated {
            return None;
        }
        // Where each argument starts and how long it is; only the first `count` are
        // written, so the array is left uninitialized rather than zeroed per request.
        let mut spans = [MaybeUninit::<(usize, usize)>::uninit(); WHOLE_MAX_ARGS];
        for span in &mut spans[..count] {
            let (len, start) = header_number(bytes, pos, b'$')?;
            if len >= BIG_ARG || len as i64 > limits.max_bulk_len {
                return None;
            }
            // Like the incremental path (and Redis), the two bytes after a payload
            // are skipped unchecked.
            pos = start
                .checked_add(len + 2)
                .filter(|&end| end <= bytes.len())?;
            span.write((start, len));
        }
        let mut frame = buf.split_to(pos).freeze();
        let mut args = std::mem::take(&mut self.spare);
        args.reserve(count);
        // SAFETY: the loop above wrote every one of the first `count` spans (it returns
        // early otherwise).
        let spans = spans[..count]
            .iter()
            .map(|span| unsafe { span.assume_init() });
        let mut leading = spans.clone().take(count - 1);
        if let Some((start, len)) = spans.clone().next().filter(|_| count > 1) {
            if let Some(name) = self.static_name(&frame, start, len) {
                args.push(name);
                leading.next();
            }
        }
        for (start, len) in leading {
            args.push(frame.slice(start..start + len));
        }
        // The last argument is the frame itself, cut down: one reference count fewer.
        if let Some((start, len)) = spans.clone().next_back() {
            frame.advance(start);
            frame.truncate(len);
            args.push(frame);
        }
        Some(args)
    }

    /// The name at `frame[start..start + len]` as static bytes when it spells a known
    /// command name ([`names`]). The client's last name is remembered, since a client
    /// mostly repeats its commands; a name of up to 8 bytes is compared with it as one
    /// word.
    #[inline]
    fn static_name(&mut self, frame: &[u8], start: usize, len: usize) -> Option<Bytes> {
        let word = name_word(frame, start, len);
        let name = &frame[start..start + len];
        let last = &self.last_name[..];
        let same = last.len() == len
            && match word {
                Some(word) => word == self.last_word,
                None => last == name,
            };
        if same {
            return Some(self.last_name.clone());
        }
        let found = names::lookup(name)?;
        // Read from a padded copy, so the word is right however the name arrived.
        let mut padded = [0u8; 8];
        if let Some(head) = padded.get_mut(..len) {
            head.copy_from_slice(name);
        }
        self.last_word = u64::from_le_bytes(padded);
        self.last_name = found.clone();
        Some(found)
    }

    /// Reads the `*<count>` line. Returns false when the line is not complete yet.
    fn start_multibulk(
        &mut self,
        buf: &mut BytesMut,
        limits: &ParseLimits,
    ) -> Result<bool, ProtocolError> {
        let Some(cr) = find_cr(buf) else {
            if buf.len() > INLINE_MAX_SIZE {
                return Err(ProtocolError::TooBigMbulkCount);
            }
            return Ok(false);
        };
        let count = parse_i64(&buf[1..cr]).ok_or(ProtocolError::InvalidMultibulkLength)?;
        if count > MAX_MULTIBULK_LEN {
            return Err(ProtocolError::InvalidMultibulkLength);
        }
        if limits.unauthenticated && count > UNAUTHENTICATED_MAX_ARGS {
            return Err(ProtocolError::UnauthenticatedMultibulkLength);
        }
        buf.advance(cr + 2);
        self.items_left = count.max(0) as usize;
        self.args = std::mem::take(&mut self.spare);
        self.args.reserve(self.items_left.min(1024));
        Ok(true)
    }

    /// Reads `$<len>` headers and payloads until the command is complete or bytes run out.
    fn parse_bulks(
        &mut self,
        buf: &mut BytesMut,
        limits: &ParseLimits,
    ) -> Result<ParseOutcome, ProtocolError> {
        while self.items_left > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => match read_bulk_header(buf, limits)? {
                    Some(len) => {
                        self.bulk_len = Some(len);
                        self.own_buffer = len >= BIG_ARG && dedicate(buf, len);
                        len
                    }
                    None => return Ok(ParseOutcome::Incomplete),
                },
            };
            if buf.len() < len + 2 {
                return Ok(ParseOutcome::Incomplete);
            }
            let shared = len < BIG_ARG || std::mem::take(&mut self.own_buffer);
            self.args.push(take_bulk(buf, len, shared));
            self.args_len += len;
            buf.advance(2);
            self.bulk_len = None;
            self.items_left -= 1;
        }
        self.args_len = 0;
        Ok(ParseOutcome::Command(std::mem::take(&mut self.args)))
    }

    /// Bytes of the arguments of a partly received command held so far (a multibulk
    /// whose last bulks have not arrived): memory the client holds besides its query
    /// buffer.
    pub fn argv_len(&self) -> usize {
        self.args_len
    }
}

/// Gives a big bulk whose bytes have not all arrived a buffer of its own, exactly its
/// size plus CRLF, holding what arrived so far (like Redis making the query buffer the
/// argument). The argument cut from it then owns its allocation: a value stored from it
/// holds its own bytes and nothing more, and the query buffer does not stay grown.
/// Returns false when the whole bulk is already buffered (nothing to wait for).
fn dedicate(buf: &mut BytesMut, len: usize) -> bool {
    if buf.len() >= len + 2 {
        return false;
    }
    let mut own = BytesMut::with_capacity(len + 2);
    own.extend_from_slice(buf);
    *buf = own;
    true
}

/// Cuts the next `len` bytes out of `buf`: shared with the buffer when `shared` (a
/// small argument, or a big one in the buffer [`dedicate`] made for it, unless more
/// bytes than it arrived there), copied out otherwise, so no big argument ever pins a
/// buffer larger than itself.
fn take_bulk(buf: &mut BytesMut, len: usize, shared: bool) -> Bytes {
    if shared && (len < BIG_ARG || buf.capacity() == len + 2) {
        return buf.split_to(len).freeze();
    }
    let copy = Bytes::copy_from_slice(&buf[..len]);
    buf.advance(len);
    copy
}

/// For the fast path: the number of a complete `<marker><digits>\r\n` header line at
/// `pos` and where the line ends; `None` for anything else (no leading zeros, no sign,
/// at most 9 digits), which the incremental path then reads and judges. One or two
/// digits, nearly every header, take no loop.
#[inline(always)]
fn header_number(bytes: &[u8], pos: usize, marker: u8) -> Option<(usize, usize)> {
    let line = bytes.get(pos..)?;
    let &[first, d1, next, ..] = line else {
        return None;
    };
    let d1 = usize::from(d1.wrapping_sub(b'0'));
    if first != marker || d1 > 9 {
        return None;
    }
    if next == b'\r' {
        return (line.get(3) == Some(&b'\n')).then_some((d1, pos + 4));
    }
    if d1 == 0 {
        return None;
    }
    let mut value = d1;
    let mut end = 2;
    while let Some(&digit) = line.get(end) {
        let digit = usize::from(digit.wrapping_sub(b'0'));
        if digit > 9 {
            break;
        }
        if end == 10 {
            return None;
        }
        value = value * 10 + digit;
        end += 1;
    }
    (line.get(end..end + 2)? == b"\r\n").then_some((value, pos + end + 2))
}

/// A name of at most 8 bytes at `frame[start..]` as one little-endian word, the bytes
/// past its end cleared. The first argument of a request of two or more is always
/// followed by at least 8 bytes (its CRLF, the next header, the next payload's CRLF),
/// so the load stays inside the frame; `None` for a longer name.
#[inline]
fn name_word(frame: &[u8], start: usize, len: usize) -> Option<u64> {
    if len > 8 {
        return None;
    }
    let bytes: [u8; 8] = frame.get(start..start + 8)?.try_into().ok()?;
    let mask = u64::MAX.checked_shr(64 - 8 * len as u32).unwrap_or(0);
    Some(u64::from_le_bytes(bytes) & mask)
}

/// Reads one `$<len>\r\n` header; `None` when it is not complete yet.
fn read_bulk_header(
    buf: &mut BytesMut,
    limits: &ParseLimits,
) -> Result<Option<usize>, ProtocolError> {
    let Some(cr) = find_cr(buf) else {
        if buf.len() > INLINE_MAX_SIZE {
            return Err(ProtocolError::TooBigBulkCount);
        }
        return Ok(None);
    };
    if buf[0] != b'$' {
        return Err(ProtocolError::ExpectedDollar(buf[0]));
    }
    match parse_i64(&buf[1..cr]) {
        Some(len) if len >= 0 && len <= limits.max_bulk_len => {
            if limits.unauthenticated && len > UNAUTHENTICATED_MAX_BULK {
                return Err(ProtocolError::UnauthenticatedBulkLength);
            }
            buf.advance(cr + 2);
            Ok(Some(len as usize))
        }
        _ => Err(ProtocolError::InvalidBulkLength),
    }
}

/// Position of the first CR if a byte follows it. Like Redis's `strchr` on the query
/// buffer, the search stops at a NUL byte.
fn find_cr(buf: &[u8]) -> Option<usize> {
    let cr = buf.iter().position(|&b| b == b'\r' || b == 0)?;
    (buf[cr] == b'\r' && cr + 1 < buf.len()).then_some(cr)
}

/// Parses one inline request line (up to LF, an optional CR before it dropped).
fn parse_inline(buf: &mut BytesMut) -> Result<ParseOutcome, ProtocolError> {
    let Some(lf) = buf
        .iter()
        .position(|&b| b == b'\n' || b == 0)
        .filter(|&i| buf[i] == b'\n')
    else {
        if buf.len() > INLINE_MAX_SIZE {
            return Err(ProtocolError::TooBigInline);
        }
        return Ok(ParseOutcome::Incomplete);
    };
    let end = if lf > 0 && buf[lf - 1] == b'\r' {
        lf - 1
    } else {
        lf
    };
    let args = split_args(&buf[..end]).ok_or(ProtocolError::UnbalancedQuotes)?;
    buf.advance(lf + 1);
    Ok(if args.is_empty() {
        ParseOutcome::Empty
    } else {
        ParseOutcome::Command(args)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header rule spelled out plainly: what the fast `header_number` must agree with.
    fn header_number_plain(bytes: &[u8], pos: usize, marker: u8) -> Option<(usize, usize)> {
        let line = bytes.get(pos..)?;
        let digits = line
            .get(1..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let text = std::str::from_utf8(&line[1..1 + digits]).ok()?;
        let leading_zero = digits > 1 && text.starts_with('0');
        if line[0] != marker || digits == 0 || digits > 9 || leading_zero {
            return None;
        }
        (line.get(1 + digits..3 + digits)? == b"\r\n")
            .then(|| (text.parse().unwrap_or(0), pos + digits + 3))
    }

    #[test]
    fn header_numbers_agree_with_the_plain_rule() {
        let pieces: [&[u8]; 12] = [
            b"",
            b"0",
            b"1",
            b"9",
            b"00",
            b"07",
            b"12",
            b"123456789",
            b"1234567890",
            b"-1",
            b"x",
            b"99999999",
        ];
        let tails: [&[u8]; 5] = [b"\r\n", b"\r", b"", b"\n", b"\r\nrest"];
        for marker in [b'*', b'$'] {
            for digits in pieces {
                for tail in tails {
                    let mut line = vec![b'>', marker];
                    line.extend_from_slice(digits);
                    line.extend_from_slice(tail);
                    for expected_marker in [b'*', b'$'] {
                        assert_eq!(
                            header_number(&line, 1, expected_marker),
                            header_number_plain(&line, 1, expected_marker),
                            "{:?}",
                            String::from_utf8_lossy(&line)
                        );
                    }
                }
            }
        }
    }

    fn parse_all(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::from(input);
        let mut commands = Vec::new();
        loop {
            match parser.parse(&mut buf, &ParseLimits::default())? {
                ParseOutcome::Command(args) => {
                    commands.push(args.iter().map(|a| a.to_vec()).collect())
                }
                ParseOutcome::Empty => {}
                ParseOutcome::Incomplete => return Ok(commands),
            }
        }
    }

    /// Feeds `input` split at `cut`, as two reads, and collects the commands.
    fn parse_split(input: &[u8], cut: usize) -> Vec<Vec<Vec<u8>>> {
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::new();
        let mut commands = Vec::new();
        for piece in [&input[..cut], &input[cut..]] {
            buf.extend_from_slice(piece);
            loop {
                match parser.parse(&mut buf, &ParseLimits::default()) {
                    Ok(ParseOutcome::Command(args)) => {
                        commands.push(args.iter().map(|a| a.to_vec()).collect())
                    }
                    Ok(ParseOutcome::Empty) => {}
                    Ok(ParseOutcome::Incomplete) => break,
                    Err(err) => panic!("split at {cut}: {err}"),
                }
            }
        }
        commands
    }

    #[test]
    fn multibulk_and_inline_pipeline() {
        let input = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n*1\r\n$4\r\nPING\r\n";
        let expected = vec![
            vec![b"GET".to_vec(), b"k".to_vec()],
            vec![b"PING".to_vec()],
            vec![b"PING".to_vec()],
        ];
        assert_eq!(parse_all(input).unwrap(), expected);
    }

    #[test]
    fn every_split_point_gives_the_same_commands() {
        let input = b"*3\r\n$3\r\nSET\r\n$3\r\nk\x00\n\r\n$0\r\n\r\n*0\r\nECHO \"a b\"\r\n*1\r\n$4\r\nPING\r\n";
        let whole = parse_all(input).unwrap();
        assert_eq!(whole.len(), 3);
        for cut in 0..=input.len() {
            assert_eq!(parse_split(input, cut), whole, "split at {cut}");
        }
    }

    /// Feeds `input` one byte at a time: after the first header line every request is
    /// in progress, so only the incremental path ever runs.
    fn parse_bytewise(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::new();
        let mut commands = Vec::new();
        for &byte in input {
            buf.extend_from_slice(&[byte]);
            loop {
                match parser.parse(&mut buf, &ParseLimits::default())? {
                    ParseOutcome::Command(args) => {
                        commands.push(args.iter().map(|a| a.to_vec()).collect())
                    }
                    ParseOutcome::Empty => {}
                    ParseOutcome::Incomplete => break,
                }
            }
        }
        Ok(commands)
    }

    #[test]
    fn the_one_pass_path_agrees_with_the_incremental_one() {
        let many: Vec<u8> = {
            let mut frame = b"*33\r\n".to_vec();
            for i in 0..33 {
                frame.extend_from_slice(format!("$2\r\n{i:02}\r\n").as_bytes());
            }
            frame
        };
        let inputs: Vec<Vec<u8>> = vec![
            b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n".to_vec(),
            b"*2\r\n$03\r\nGET\r\n$1\r\nk\r\n".to_vec(),
            b"*2\r\n$+3\r\nGET\r\n$1\r\nk\r\n".to_vec(),
            b"*01\r\n$4\r\nPING\r\n".to_vec(),
            b"*1\r\n$4\rxPING\r\n".to_vec(),
            b"*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n".to_vec(),
            b"*1\r\n$1234567890\r\n".to_vec(),
            b"*2\r\n$1\r\na\r\n:1\r\n".to_vec(),
            many,
        ];
        for input in &inputs {
            assert_eq!(
                parse_all(input),
                parse_bytewise(input),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn protocol_errors() {
        assert_eq!(
            parse_all(b"*abc\r\n"),
            Err(ProtocolError::InvalidMultibulkLength)
        );
        assert_eq!(
            parse_all(b"*3000000000\r\n"),
            Err(ProtocolError::InvalidMultibulkLength)
        );
        assert_eq!(
            parse_all(b"*1\r\n$-1\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse_all(b"*1\r\n$600000000\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse_all(b"*1\r\n:1\r\n"),
            Err(ProtocolError::ExpectedDollar(b':'))
        );
        assert_eq!(
            parse_all(b"\"unbalanced\r\n"),
            Err(ProtocolError::UnbalancedQuotes)
        );
        assert_eq!(
            parse_all(&vec![b'a'; INLINE_MAX_SIZE + 1]),
            Err(ProtocolError::TooBigInline)
        );
    }

    #[test]
    fn unauthenticated_clients_get_redis_limits() {
        let limits = ParseLimits {
            unauthenticated: true,
            ..ParseLimits::default()
        };
        let parse = |input: &[u8]| {
            let mut buf = BytesMut::from(input);
            RequestParser::new().parse(&mut buf, &limits)
        };
        assert!(matches!(parse(b"*10\r\n"), Ok(ParseOutcome::Incomplete)));
        assert_eq!(
            parse(b"*11\r\n"),
            Err(ProtocolError::UnauthenticatedMultibulkLength)
        );
        assert!(matches!(
            parse(b"*1\r\n$16384\r\n"),
            Ok(ParseOutcome::Incomplete)
        ));
        assert_eq!(
            parse(b"*1\r\n$16385\r\n"),
            Err(ProtocolError::UnauthenticatedBulkLength)
        );
        assert_eq!(
            parse(b"*1\r\n$600000000\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
    }

    #[test]
    fn negative_and_zero_counts_are_empty_requests() {
        assert_eq!(
            parse_all(b"*0\r\n*-5\r\n\r\n").unwrap(),
            Vec::<Vec<Vec<u8>>>::new()
        );
    }

    #[test]
    fn big_bulk_fills_a_buffer_of_its_own() {
        let payload = vec![b'y'; 100_000];
        let mut input =
            format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n", payload.len()).into_bytes();
        input.extend_from_slice(&payload);
        input.extend_from_slice(b"\r\n*1\r\n$4\r\nPING\r\n");
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::new();
        let mut commands = Vec::new();
        let mut at = 0;
        while at < input.len() {
            // A reader that reads no more than the big bulk still misses.
            let want = parser.big_bulk_missing(&buf).unwrap_or(7000);
            let end = (at + want.min(7000)).min(input.len());
            buf.extend_from_slice(&input[at..end]);
            at = end;
            while let Ok(ParseOutcome::Command(args)) =
                parser.parse(&mut buf, &ParseLimits::default())
            {
                if args.len() == 3 {
                    // The bulk's own buffer was used up exactly: nothing else shares it.
                    assert_eq!(buf.capacity(), 0);
                }
                commands.push(args);
            }
        }
        assert_eq!(commands.len(), 2);
        assert_eq!(&commands[0][2][..], &payload[..]);
    }

    #[test]
    fn big_bulk_is_not_rescanned_and_arrives_whole() {
        let payload = vec![b'x'; 200_000];
        let mut input = format!("*2\r\n$4\r\nECHO\r\n${}\r\n", payload.len()).into_bytes();
        input.extend_from_slice(&payload);
        input.extend_from_slice(b"\r\n");
        let mut parser = RequestParser::new();
        let mut buf = BytesMut::new();
        let mut got = None;
        for piece in input.chunks(4096) {
            buf.extend_from_slice(piece);
            if let ParseOutcome::Command(args) =
                parser.parse(&mut buf, &ParseLimits::default()).unwrap()
            {
                got = Some(args);
            }
            if got.is_none() && buf.len() > 8192 {
                assert_eq!(parser.pending_bulk(), Some(payload.len()));
            }
        }
        assert_eq!(got.map(|args| args[1].len()), Some(payload.len()));
    }

    /// A tiny xorshift generator so the random tests need no extra crate.
    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    fn encode(args: &[Vec<u8>]) -> Vec<u8> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            out.extend(format!("${}\r\n", arg.len()).into_bytes());
            out.extend_from_slice(arg);
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    #[test]
    fn random_frames_survive_random_read_boundaries() {
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200 {
            let commands: Vec<Vec<Vec<u8>>> = (0..1 + next(&mut seed) % 20)
                .map(|_| {
                    (0..1 + next(&mut seed) % 5)
                        .map(|_| {
                            (0..next(&mut seed) % 40)
                                .map(|_| next(&mut seed) as u8)
                                .collect()
                        })
                        .collect()
                })
                .collect();
            let stream: Vec<u8> = commands.iter().flat_map(|c| encode(c)).collect();
            let mut parser = RequestParser::new();
            let mut buf = BytesMut::new();
            let mut got = Vec::new();
            let mut pos = 0;
            while pos < stream.len() {
                let take = (1 + next(&mut seed) % 64) as usize;
                let end = (pos + take).min(stream.len());
                buf.extend_from_slice(&stream[pos..end]);
                pos = end;
                while let Ok(ParseOutcome::Command(args)) =
                    parser.parse(&mut buf, &ParseLimits::default())
                {
                    got.push(args.iter().map(|a| a.to_vec()).collect::<Vec<_>>());
                }
            }
            assert_eq!(got, commands);
        }
    }

    #[test]
    fn random_garbage_never_panics() {
        let mut seed = 42;
        for _ in 0..2000 {
            let len = (next(&mut seed) % 300) as usize;
            let alphabet = b"*$\r\n0123456789-+:\"' abc\x00";
            let garbage: Vec<u8> = (0..len)
                .map(|_| alphabet[(next(&mut seed) % alphabet.len() as u64) as usize])
                .collect();
            let mut parser = RequestParser::new();
            let mut buf = BytesMut::from(&garbage[..]);
            for _ in 0..100 {
                match parser.parse(&mut buf, &ParseLimits::default()) {
                    Ok(ParseOutcome::Incomplete) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        }
    }

    #[test]
    fn known_command_names_are_static_and_the_rest_share_the_buffer() {
        crate::protocol::names::register(["get"]);
        // After each interned GET, names that differ from it in one byte, in length,
        // or that are longer than a word: none may be taken for the remembered one.
        let names = [
            ("GET", true),
            ("GET", true),
            ("GeT", false),
            ("get", true),
            ("GEX", false),
            ("GET", true),
            ("GE", false),
            ("GET", true),
            ("GETT", false),
            ("", false),
            ("GET", true),
            ("GETGETGETGET", false),
            ("GETGETGETGET", false),
            ("get", true),
        ];
        let mut input = Vec::new();
        for (name, _) in names {
            input.extend_from_slice(&encode(&[name.as_bytes().to_vec(), b"k".to_vec()]));
        }
        let mut buf = BytesMut::from(&input[..]);
        let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
        let mut parser = RequestParser::new();
        for (name, interned) in names {
            let Ok(ParseOutcome::Command(args)) = parser.parse(&mut buf, &ParseLimits::default())
            else {
                panic!("a whole command");
            };
            assert_eq!((&args[0][..], &args[1][..]), (name.as_bytes(), &b"k"[..]));
            let in_buffer = |arg: &Bytes| range.contains(&(arg.as_ptr() as usize));
            assert_eq!(in_buffer(&args[0]), !interned, "{name:?}");
            assert!(in_buffer(&args[1]));
        }
    }
}
