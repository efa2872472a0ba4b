//! Replies are written, not built: handlers append protocol bytes straight into the
//! client's [`OutBuf`] through a [`Reply`] writer that knows the client's RESP version.
//!
//! Small replies are appended to a contiguous tail buffer; large values are queued as
//! shared `Bytes` chunks (no copy). The reactor drains an `OutBuf` with vectored writes,
//! resuming where a partial write stopped.

use std::collections::VecDeque;
use std::io::{self, IoSlice, Write};

use bytes::Bytes;

use super::deferred::{EncodedItems, ReplySource};
use super::sizing::{BufferSizing, Resize, SizingPolicy};
use crate::util::numbers::{self, format_double_17g};

/// The most a reply streamed element by element may queue ([`Reply::over_streaming_cap`]).
#[cfg(not(fuzzing))]
pub const MAX_STREAMED_REPLY: usize = 512 * 1024 * 1024;
/// The same cap in fuzz builds (`cfg(fuzzing)`, set by cargo-fuzz): 4 MB, so an input
/// that reaches it (HRANDFIELD with a count of -9223372036854775807) costs milliseconds
/// under the sanitizer instead of most of a minute; what happens at the cap is the same.
#[cfg(fuzzing)]
pub const MAX_STREAMED_REPLY: usize = 4 * 1024 * 1024;

/// Values at least this long are queued as shared chunks instead of being copied.
pub const SHARED_CHUNK_MIN: usize = 16 * 1024;
/// Longest bulk string written as one piece by [`Reply::short_bulk`]: a one-digit
/// length, so that header, bytes and CRLF fit 15 bytes.
const SHORT_BULK_MAX: usize = 9;

/// Copies `value` (at most [`SHORT_BULK_MAX`] bytes) into `line` at `at` with
/// fixed-size moves (two overlapping ones cover any length in their range), where a
/// copy of a length known only at run time would be a call.
#[inline(always)]
fn put_short(line: &mut [u8; 24], at: usize, value: &[u8]) {
    let n = value.len();
    if n >= 8 {
        line[at..at + 8].copy_from_slice(&value[..8]);
        line[at + n - 8..at + n].copy_from_slice(&value[n - 8..]);
    } else if n >= 4 {
        line[at..at + 4].copy_from_slice(&value[..4]);
        line[at + n - 4..at + n].copy_from_slice(&value[n - 4..]);
    } else {
        for (to, &from) in line[at..at + 3].iter_mut().zip(value) {
            *to = from;
        }
    }
}
/// The tail is sealed into a chunk past this size, so no buffer grows without bound and
/// memory is returned as chunks are written.
const TAIL_SEAL_SIZE: usize = 64 * 1024;
/// Most slices handed to one `writev`.
const MAX_IOV: usize = 64;
/// The most a deferred reply produces at a time: the next slice is made only once this
/// one is written.
const DEFERRED_SLICE: usize = 16 * 1024;

/// A client's pending output: queued chunks, then the tail being appended to. While a
/// reply is deferred, the order is: the chunks, what the deferred source has still to
/// produce, the chunks queued after it, the tail.
#[derive(Default)]
pub struct OutBuf {
    chunks: VecDeque<Bytes>,
    tail: Vec<u8>,
    /// Bytes of the first pending piece (a chunk, or the tail) already written.
    head_sent: usize,
    /// Total bytes queued and not yet written (what a deferred reply has still to
    /// produce is not known, so not counted).
    pending: usize,
    /// A reply being produced a slice at a time ([`super::deferred`]).
    deferred: Option<Box<Deferred>>,
    /// The size the tail is allocated at, by use ([`super::sizing`]).
    sizing: BufferSizing,
}

/// A deferred reply and the output queued behind it.
struct Deferred {
    source: Box<dyn ReplySource>,
    /// Chunks queued after the deferred reply started (the tail follows them).
    later: VecDeque<Bytes>,
}

impl std::fmt::Debug for OutBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutBuf")
            .field("chunks", &self.chunks.len())
            .field("tail", &self.tail.len())
            .field("pending", &self.pending)
            .field("deferred", &self.deferred.is_some())
            .finish()
    }
}

impl OutBuf {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes waiting to be written (for output buffer limits and INFO).
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// True when nothing is waiting to be written.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pending == 0 && self.deferred.is_none()
    }

    /// True while a deferred reply is still being produced: the client runs no other
    /// command until it is complete, so replies stay in order.
    #[inline]
    pub fn has_deferred(&self) -> bool {
        self.deferred.is_some()
    }

    /// Makes `source` the rest of the reply being written: everything appended so far
    /// goes out first, then what `source` produces, then whatever is appended later.
    /// One deferred reply at a time: the client runs nothing else meanwhile.
    pub fn defer(&mut self, source: Box<dyn ReplySource>) {
        debug_assert!(self.deferred.is_none());
        self.seal_tail();
        self.deferred = Some(Box::new(Deferred {
            source,
            later: VecDeque::new(),
        }));
    }

    /// Everything pending in one contiguous buffer (nothing of it written yet); for
    /// scratch buffers that encode pieces of replies.
    pub fn into_contiguous(mut self) -> Vec<u8> {
        debug_assert_eq!(self.head_sent, 0);
        if self.chunks.is_empty() {
            return std::mem::take(&mut self.tail);
        }
        let mut all = Vec::with_capacity(self.pending);
        self.chunks
            .iter()
            .for_each(|chunk| all.extend_from_slice(chunk));
        all.extend_from_slice(&self.tail);
        all
    }

    /// Appends bytes to the tail.
    #[inline]
    pub fn extend(&mut self, bytes: &[u8]) {
        if bytes.len() <= 16 {
            self.extend_small(bytes);
        } else {
            self.make_room(bytes.len());
            self.tail.extend_from_slice(bytes);
        }
        self.pending += bytes.len();
    }

    /// Makes room for `additional` bytes in the tail; an unallocated tail gets its
    /// client's reply buffer size ([`super::sizing`]).
    #[inline(always)]
    fn make_room(&mut self, additional: usize) {
        if self.tail.capacity() - self.tail.len() < additional {
            self.grow_tail(additional);
        }
    }

    #[cold]
    fn grow_tail(&mut self, additional: usize) {
        if self.tail.capacity() == 0 {
            self.tail.reserve_exact(additional.max(self.sizing.target));
        } else {
            self.tail.reserve(additional);
        }
    }

    /// The reply buffer's size: what the tail is allocated at (CLIENT LIST `rbs`).
    pub fn reply_buffer_size(&self) -> usize {
        self.tail.capacity().max(self.sizing.target)
    }

    /// The most the reply buffer held since its peak last restarted (`rbp`).
    pub fn reply_buffer_peak(&self) -> usize {
        self.sizing.peak.max(self.tail.len())
    }

    /// The cron's visit: resizes the reply buffer by its use under `policy`.
    pub fn resize(&mut self, policy: SizingPolicy, now_ms: i64) -> Resize {
        self.sizing.note(self.tail.len());
        let resize = self.sizing.visit(policy, now_ms, self.tail.len());
        let (target, len, capacity) = (self.sizing.target, self.tail.len(), self.tail.capacity());
        if capacity > target && len <= target {
            // Shrunk, or grown past its size by long replies since the last visit.
            self.tail.shrink_to(target);
        } else if resize == Resize::Expanded && capacity > 0 && capacity < target {
            self.tail.reserve_exact(target - len);
        }
        resize
    }

    /// Makes room for `additional` more bytes in the tail at once.
    #[inline]
    pub fn reserve(&mut self, additional: usize) {
        self.make_room(additional);
    }

    /// Appends at most 16 bytes with fixed-size copies: most reply pieces (headers,
    /// short values, CRLF) are this short, and a call to `memcpy` for them costs more
    /// than the copy.
    #[inline(always)]
    fn extend_small(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        let mut chunk = [0u8; 16];
        // Two overlapping fixed-size copies cover any length in their range.
        if n >= 8 {
            chunk[..8].copy_from_slice(&bytes[..8]);
            chunk[n - 8..n].copy_from_slice(&bytes[n - 8..]);
        } else if n >= 4 {
            chunk[..4].copy_from_slice(&bytes[..4]);
            chunk[n - 4..n].copy_from_slice(&bytes[n - 4..]);
        } else {
            for (to, &from) in chunk.iter_mut().zip(bytes) {
                *to = from;
            }
        }
        self.make_room(16);
        let len = self.tail.len();
        // SAFETY: `make_room(16)` left room for 16 bytes past `len`; all 16 are written
        // from `chunk`, and only `bytes.len()` (at most 16) of them become part of the
        // tail, all of which were copied from `bytes`.
        unsafe {
            std::ptr::copy_nonoverlapping(chunk.as_ptr(), self.tail.as_mut_ptr().add(len), 16);
            self.tail.set_len(len + bytes.len());
        }
    }

    /// Queues a shared chunk after everything appended so far.
    pub fn push_chunk(&mut self, chunk: Bytes) {
        // A value too big to be copied into the reply buffer fills it, as far as its
        // sizing is concerned.
        self.sizing.note(self.sizing.target);
        self.seal_tail();
        self.pending += chunk.len();
        self.queue_chunk(chunk);
    }

    /// Queues `chunk` last among the chunks: after a deferred reply, if one is pending.
    fn queue_chunk(&mut self, chunk: Bytes) {
        match &mut self.deferred {
            None => self.chunks.push_back(chunk),
            Some(deferred) => deferred.later.push_back(chunk),
        }
    }

    /// Moves a large tail into the chunk queue so it is freed once written.
    #[inline]
    pub fn seal_if_large(&mut self) {
        if self.tail.len() >= TAIL_SEAL_SIZE {
            self.seal_tail();
        }
    }

    fn seal_tail(&mut self) {
        if self.tail.is_empty() {
            return;
        }
        // Bytes already sent from the tail belong to it; a queued chunk restarts at 0 only
        // when it is not the head piece.
        let tail = std::mem::take(&mut self.tail);
        self.queue_chunk(Bytes::from(tail));
    }

    /// Bytes in the contiguous tail (CLIENT LIST `obl`).
    pub fn tail_len(&self) -> usize {
        self.tail.len()
    }

    /// Shared chunks queued (CLIENT LIST `oll`).
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// Memory the buffer holds for its client: the bytes waiting to be written (shared
    /// chunks at their full length, as output limits count them), the tail's spare
    /// capacity and the chunk queue's slots. Client eviction and CLIENT LIST's
    /// `tot-mem` count it.
    pub fn memory(&self) -> usize {
        self.pending
            + (self.tail.capacity() - self.tail.len())
            + self.chunks.capacity() * std::mem::size_of::<Bytes>()
            + self.deferred.as_ref().map_or(0, |d| d.source.memory())
    }

    /// Appends everything pending in `self` (nothing of it written yet) to `other`.
    pub fn move_into(self, other: &mut OutBuf) {
        debug_assert_eq!(self.head_sent, 0);
        for chunk in self.chunks {
            other.push_chunk(chunk);
        }
        let Some(deferred) = self.deferred else {
            other.extend(&self.tail);
            return;
        };
        other.defer(deferred.source);
        for chunk in deferred.later {
            other.push_chunk(chunk);
        }
        other.extend(&self.tail);
    }

    /// The first byte queued, if any (a RESP type byte when the buffer holds replies).
    pub fn first_byte(&self) -> Option<u8> {
        match self.chunks.front() {
            Some(chunk) => chunk.first().copied(),
            None => self.tail.first().copied(),
        }
    }

    /// Drops everything pending (the client is going away).
    pub fn clear(&mut self) {
        *self = OutBuf::default();
    }

    /// Writes pending bytes to `sink` until done, `max` bytes are written, or the sink
    /// would block. Returns the bytes written; `WouldBlock` is not an error here.
    pub fn write_to<W: Write>(&mut self, sink: &mut W, max: usize) -> io::Result<usize> {
        let mut written = 0;
        self.sizing.note(self.tail.len());
        while (self.pending > 0 || self.deferred.is_some()) && written < max {
            if self.chunks.is_empty() && self.deferred.is_some() {
                self.produce_deferred();
                continue;
            }
            let result = if self.chunks.is_empty() {
                // The common case: one contiguous tail, a plain write.
                sink.write(&self.tail[self.head_sent..])
            } else {
                let mut slices = [IoSlice::new(&[]); MAX_IOV];
                let count = self.fill_io_slices(&mut slices);
                sink.write_vectored(&slices[..count])
            };
            let n = match result {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.advance(n);
            written += n;
        }
        Ok(written)
    }

    /// Queues the deferred reply's next slice as a chunk; once the reply is complete,
    /// the chunks queued behind it move up.
    #[cold]
    fn produce_deferred(&mut self) {
        let Some(deferred) = self.deferred.as_mut() else {
            return;
        };
        let mut slice = Vec::with_capacity(DEFERRED_SLICE + 1024);
        let done = deferred.source.produce(&mut slice, DEFERRED_SLICE);
        if !slice.is_empty() {
            self.pending += slice.len();
            self.chunks.push_back(Bytes::from(slice));
        }
        if done {
            if let Some(deferred) = self.deferred.take() {
                self.chunks.extend(deferred.later);
            }
        }
    }

    /// Fills `slices` with the pending pieces in order; returns how many it used. While
    /// a reply is deferred, only the chunks ahead of it are ready to go.
    fn fill_io_slices<'s>(&'s self, slices: &mut [IoSlice<'s>; MAX_IOV]) -> usize {
        let mut count = 0;
        let mut skip = self.head_sent;
        for chunk in self.chunks.iter().take(MAX_IOV) {
            slices[count] = IoSlice::new(&chunk[skip..]);
            count += 1;
            skip = 0;
        }
        if count < MAX_IOV && !self.tail.is_empty() && self.deferred.is_none() {
            slices[count] = IoSlice::new(&self.tail[skip..]);
            count += 1;
        }
        count
    }

    /// Empties the written tail. A tail grown past the seal size is freed at once; one
    /// grown past its reply buffer size but not that far is kept for the next replies
    /// (a pipeline of long replies would otherwise grow it again, copying, after every
    /// write) and brought back to its size by the cron ([`Self::resize`]).
    #[inline(always)]
    fn empty_tail(&mut self) {
        self.tail.clear();
        if self.tail.capacity() > TAIL_SEAL_SIZE {
            self.tail = Vec::new();
        }
    }

    /// Marks `n` bytes as written.
    fn advance(&mut self, mut n: usize) {
        if n == self.pending && self.chunks.is_empty() {
            // The usual case: the whole tail went out in one write.
            self.pending = 0;
            self.head_sent = 0;
            self.empty_tail();
            return;
        }
        self.pending -= n;
        while n > 0 {
            let head_len = match self.chunks.front() {
                Some(chunk) => chunk.len(),
                None => self.tail.len(),
            };
            let left = head_len - self.head_sent;
            if n < left {
                self.head_sent += n;
                return;
            }
            n -= left;
            self.head_sent = 0;
            if self.chunks.pop_front().is_none() {
                self.empty_tail();
            }
        }
        if self.pending == 0 {
            self.tail.clear();
        }
    }
}

/// Writes the items of an [`EncodedItems`] snapshot one by one.
pub struct ItemEncoder {
    out: OutBuf,
    resp3: bool,
    ends: Vec<usize>,
}

impl ItemEncoder {
    /// Adds one item: whatever `write` writes.
    pub fn item(&mut self, write: impl FnOnce(&mut Reply<'_>)) {
        write(&mut Reply {
            out: &mut self.out,
            resp3: self.resp3,
        });
        self.ends.push(self.out.pending());
    }
}

/// The reply writer handed to command handlers.
pub struct Reply<'a> {
    out: &'a mut OutBuf,
    resp3: bool,
}

impl<'a> Reply<'a> {
    /// A writer appending to `out` in protocol version `resp` (2 or 3).
    pub fn new(out: &'a mut OutBuf, resp: u8) -> Self {
        Reply {
            out,
            resp3: resp >= 3,
        }
    }

    /// A writer on the same buffer as `other` but in protocol version `resp` (HELLO
    /// answers in the version it switches to).
    pub fn new_like<'b>(other: &'b mut Reply<'_>, resp: u8) -> Reply<'b> {
        Reply {
            out: other.out,
            resp3: resp >= 3,
        }
    }

    /// True when the client speaks RESP3.
    pub fn is_resp3(&self) -> bool {
        self.resp3
    }

    /// Bytes queued so far in the underlying buffer.
    pub fn pending(&self) -> usize {
        self.out.pending()
    }

    /// The underlying buffer, for its figures (CLIENT INFO of the caller).
    pub fn buffer(&self) -> &OutBuf {
        self.out
    }

    /// Makes `source` the rest of this reply ([`OutBuf::defer`]).
    pub fn defer(&mut self, source: Box<dyn ReplySource>) {
        self.out.defer(source);
    }

    /// Encodes, in this writer's protocol version, the items a deferred reply will pick
    /// from: `fill` writes each one through [`ItemEncoder::item`].
    pub fn encode_items(&self, fill: impl FnOnce(&mut ItemEncoder)) -> EncodedItems {
        let mut encoder = ItemEncoder {
            out: OutBuf::new(),
            resp3: self.resp3,
            ends: Vec::new(),
        };
        fill(&mut encoder);
        EncodedItems::from_parts(encoder.out.into_contiguous(), encoder.ends)
    }

    /// True once a reply streamed element by element (a huge negative count to
    /// SRANDMEMBER, ZRANDMEMBER, HRANDFIELD) has queued [`MAX_STREAMED_REPLY`] bytes:
    /// the command stops there and the client is closed after the write, as Redis does
    /// to a client past its output limit, rather than filling memory or never ending.
    pub fn over_streaming_cap(&self) -> bool {
        self.out.pending() > MAX_STREAMED_REPLY
    }

    /// `+OK`.
    pub fn ok(&mut self) {
        self.out.extend(b"+OK\r\n");
    }

    /// A simple string: `+text`.
    #[inline]
    pub fn simple(&mut self, text: &[u8]) {
        self.line(b'+', text);
    }

    /// An error: `-text` (text includes its code, e.g. `ERR ...`).
    pub fn error(&mut self, text: &[u8]) {
        self.line(b'-', text);
    }

    /// An integer: `:n`.
    pub fn int(&mut self, n: i64) {
        self.header(b':', n);
    }

    /// A bulk string copied into the buffer (or queued shared if large).
    pub fn bulk(&mut self, value: &[u8]) {
        if value.len() <= SHORT_BULK_MAX {
            return self.short_bulk(value);
        }
        self.header(b'$', value.len() as i64);
        self.out.extend(value);
        self.out.extend(b"\r\n");
    }

    /// A bulk string given in two pieces, `head` then `tail` (a list element: the
    /// prefix its node shares, then the rest), joined only in the reply.
    #[inline]
    pub fn bulk_parts(&mut self, head: &[u8], tail: &[u8]) {
        let n = head.len() + tail.len();
        if n <= SHORT_BULK_MAX {
            let mut line = [0u8; 24];
            line[..4].copy_from_slice(&[b'$', b'0' + n as u8, b'\r', b'\n']);
            put_short(&mut line, 4, head);
            put_short(&mut line, 4 + head.len(), tail);
            line[4 + n..6 + n].copy_from_slice(b"\r\n");
            self.out.extend(&line[..6 + n]);
            return;
        }
        self.header(b'$', n as i64);
        self.out.extend(head);
        self.out.extend(tail);
        self.out.extend(b"\r\n");
    }

    /// A bulk string of at most [`SHORT_BULK_MAX`] bytes (list elements, hash fields,
    /// small values): its header, bytes and CRLF are put together with fixed-size
    /// moves and appended as one piece of at most 15 bytes, one copy instead of three.
    #[inline]
    fn short_bulk(&mut self, value: &[u8]) {
        let n = value.len();
        let mut line = [0u8; 16];
        line[..4].copy_from_slice(&[b'$', b'0' + n as u8, b'\r', b'\n']);
        // Two overlapping fixed-size copies cover any length in their range.
        if n >= 8 {
            line[4..12].copy_from_slice(&value[..8]);
            line[n - 4..n + 4].copy_from_slice(&value[n - 8..]);
        } else if n >= 4 {
            line[4..8].copy_from_slice(&value[..4]);
            line[n..n + 4].copy_from_slice(&value[n - 4..]);
        } else {
            for (to, &from) in line[4..].iter_mut().zip(value) {
                *to = from;
            }
        }
        line[4 + n..6 + n].copy_from_slice(b"\r\n");
        self.out.extend(&line[..6 + n]);
    }

    /// A bulk string from shared bytes: large values are queued without copying.
    pub fn bulk_bytes(&mut self, value: &Bytes) {
        if value.len() < SHARED_CHUNK_MIN {
            return self.bulk(value);
        }
        self.header(b'$', value.len() as i64);
        self.out.push_chunk(value.clone());
        self.out.extend(b"\r\n");
    }

    /// An integer sent as a bulk string (as GET of an integer-encoded value).
    pub fn bulk_int(&mut self, n: i64) {
        let mut digits = itoa_buf();
        self.bulk(format_i64(n, &mut digits));
    }

    /// The null bulk string: `$-1` in RESP2, `_` in RESP3.
    pub fn null(&mut self) {
        self.out
            .extend(if self.resp3 { b"_\r\n" } else { b"$-1\r\n" });
    }

    /// The null array: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        self.out
            .extend(if self.resp3 { b"_\r\n" } else { b"*-1\r\n" });
    }

    /// An array header of `n` elements.
    pub fn array_len(&mut self, n: usize) {
        self.header(b'*', n as i64);
    }

    /// The head of a SCAN-family reply: `[next cursor, [n elements...]]`; the caller
    /// writes the `n` elements.
    pub fn scan_header(&mut self, next_cursor: u64, n: usize) {
        self.array_len(2);
        let mut digits = itoa_buf();
        self.bulk(format_u64(next_cursor, &mut digits));
        self.array_len(n);
    }

    /// A map header of `n` pairs: `%n` in RESP3, a flat array of `2n` in RESP2.
    pub fn map_len(&mut self, n: usize) {
        if self.resp3 {
            self.header(b'%', n as i64);
        } else {
            self.header(b'*', 2 * n as i64);
        }
    }

    /// A set header: `~n` in RESP3, an array in RESP2.
    pub fn set_len(&mut self, n: usize) {
        self.header(if self.resp3 { b'~' } else { b'*' }, n as i64);
    }

    /// A push header (out-of-band messages): `>n` in RESP3, an array in RESP2.
    pub fn push_len(&mut self, n: usize) {
        self.header(if self.resp3 { b'>' } else { b'*' }, n as i64);
    }

    /// A big number: `(digits` in RESP3, a bulk string in RESP2.
    pub fn big_number(&mut self, digits: &[u8]) {
        if self.resp3 {
            self.line(b'(', digits);
        } else {
            self.bulk(digits);
        }
    }

    /// An attribute header (`|n`, n key/value pairs describing the reply that
    /// follows); RESP3 only, so a RESP2 reply carries nothing.
    pub fn attribute_len(&mut self, n: usize) {
        if self.resp3 {
            self.header(b'|', n as i64);
        }
    }

    /// A double: `,<%.17g>` in RESP3, a bulk string in RESP2.
    pub fn double(&mut self, value: f64) {
        let mut text = Vec::with_capacity(24);
        format_double_17g(value, &mut text);
        if self.resp3 {
            self.line(b',', &text);
        } else {
            self.bulk(&text);
        }
    }

    /// A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
    pub fn boolean(&mut self, value: bool) {
        match (self.resp3, value) {
            (true, true) => self.out.extend(b"#t\r\n"),
            (true, false) => self.out.extend(b"#f\r\n"),
            (false, v) => self.int(v as i64),
        }
    }

    /// A verbatim string (`=len\r\ntxt:...` in RESP3), a bulk string in RESP2.
    pub fn verbatim(&mut self, format: &[u8; 3], text: &[u8]) {
        if !self.resp3 {
            return self.bulk(text);
        }
        self.header(b'=', text.len() as i64 + 4);
        self.out.extend(format);
        self.out.extend(b":");
        self.out.extend(text);
        self.out.extend(b"\r\n");
    }

    /// Bytes already in protocol form.
    pub fn raw(&mut self, encoded: &[u8]) {
        self.out.extend(encoded);
    }

    #[inline]
    fn line(&mut self, kind: u8, text: &[u8]) {
        if text.len() <= 13 {
            // A short line (`+PONG`, `+QUEUED`, a short error) goes in with one copy.
            let mut line = [0u8; 16];
            line[0] = kind;
            line[1..1 + text.len()].copy_from_slice(text);
            line[1 + text.len()] = b'\r';
            line[2 + text.len()] = b'\n';
            return self.out.extend(&line[..text.len() + 3]);
        }
        self.out.reserve(text.len() + 3);
        self.out.extend(&[kind]);
        self.out.extend(text);
        self.out.extend(b"\r\n");
    }

    /// A `<kind><n>\r\n` line: an integer reply or a length header.
    #[inline]
    fn header(&mut self, kind: u8, n: i64) {
        if (0..10).contains(&n) {
            // One digit, nearly every count and flag reply: four bytes, no formatting.
            return self.out.extend(&[kind, b'0' + n as u8, b'\r', b'\n']);
        }
        self.header_long(kind, n);
    }

    /// [`Self::header`] for numbers of more than one digit: the line is formatted
    /// backwards into one buffer, CRLF first, and appended in one piece.
    fn header_long(&mut self, kind: u8, n: i64) {
        // The kind, a sign, 20 digits at most, CRLF.
        let mut line = [0u8; 24];
        line[22] = b'\r';
        line[23] = b'\n';
        let mut start = numbers::write_digits_before(n.unsigned_abs(), &mut line, 22);
        if n < 0 {
            start -= 1;
            line[start] = b'-';
        }
        start -= 1;
        line[start] = kind;
        self.out.extend(&line[start..]);
    }
}

/// Scratch space for [`format_i64`].
pub fn itoa_buf() -> [u8; 20] {
    [0u8; 20]
}

/// Formats `n` in decimal into `buf`, returning the digits.
#[inline]
pub fn format_i64(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    numbers::i64_to_bytes(n, buf)
}

/// Formats `n` in decimal into `buf`, returning the digits (SCAN cursors use every bit).
#[inline]
pub fn format_u64(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    numbers::u64_to_bytes(n, buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Reply), resp: u8) -> Vec<u8> {
        let mut out = OutBuf::new();
        f(&mut Reply::new(&mut out, resp));
        let mut sink = Vec::new();
        out.write_to(&mut sink, usize::MAX).unwrap();
        assert!(out.is_empty());
        sink
    }

    #[test]
    fn lines_of_every_short_length_are_whole() {
        for len in 0..20 {
            let text = vec![b'x'; len];
            for resp in [2, 3] {
                let mut expected = vec![b'+'];
                expected.extend_from_slice(&text);
                expected.extend_from_slice(b"\r\n");
                assert_eq!(written(|r| r.simple(&text), resp), expected, "length {len}");
            }
        }
    }

    #[test]
    fn bulks_of_every_short_length_are_whole() {
        for len in 0..24 {
            let text: Vec<u8> = (0..len as u8).map(|i| b'a' + i).collect();
            let mut expected = format!("${len}\r\n").into_bytes();
            expected.extend_from_slice(&text);
            expected.extend_from_slice(b"\r\n");
            // Twice in a row, so a short bulk after another lands mid-buffer too.
            let twice = [expected.clone(), expected.clone()].concat();
            for resp in [2, 3] {
                let got = written(
                    |r| {
                        r.bulk(&text);
                        r.bulk(&text);
                    },
                    resp,
                );
                assert_eq!(got, twice, "length {len}");
            }
        }
    }

    #[test]
    fn bulks_in_two_parts_are_the_joined_bulk() {
        for len in 0..24 {
            let text: Vec<u8> = (0..len as u8).map(|i| b'a' + i).collect();
            let whole = written(|r| r.bulk(&text), 2);
            for cut in 0..=len {
                let (head, tail) = text.split_at(cut);
                let got = written(|r| r.bulk_parts(head, tail), 2);
                assert_eq!(got, whole, "length {len} cut at {cut}");
            }
        }
    }

    #[test]
    fn integers_format_as_std_does() {
        let mut samples = vec![
            0i64,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            999,
            1000,
            65535,
            i64::MAX,
            i64::MIN,
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            samples.push(x as i64 >> (x % 64));
        }
        for n in samples {
            let mut digits = itoa_buf();
            assert_eq!(format_i64(n, &mut digits), n.to_string().as_bytes());
            assert_eq!(
                format_u64(n as u64, &mut digits),
                (n as u64).to_string().as_bytes()
            );
            for resp in [2, 3] {
                let line = written(|r| r.int(n), resp);
                assert_eq!(line, format!(":{n}\r\n").into_bytes());
            }
        }
    }

    #[test]
    fn resp2_and_resp3_shapes() {
        assert_eq!(
            written(|r| r.int(i64::MIN), 2),
            b":-9223372036854775808\r\n"
        );
        assert_eq!(written(|r| r.null(), 2), b"$-1\r\n");
        assert_eq!(written(|r| r.null(), 3), b"_\r\n");
        assert_eq!(written(|r| r.map_len(2), 2), b"*4\r\n");
        assert_eq!(written(|r| r.map_len(2), 3), b"%2\r\n");
        assert_eq!(written(|r| r.bulk(b""), 2), b"$0\r\n\r\n");
        assert_eq!(written(|r| r.boolean(true), 2), b":1\r\n");
        assert_eq!(
            written(|r| r.verbatim(b"txt", b"hi"), 3),
            b"=6\r\ntxt:hi\r\n"
        );
    }

    #[test]
    fn shared_chunks_keep_order_across_partial_writes() {
        let big = Bytes::from(vec![b'x'; SHARED_CHUNK_MIN]);
        let mut out = OutBuf::new();
        let mut reply = Reply::new(&mut out, 2);
        reply.ok();
        reply.bulk_bytes(&big);
        reply.int(7);
        let mut expected = b"+OK\r\n$16384\r\n".to_vec();
        expected.extend_from_slice(&big);
        expected.extend_from_slice(b"\r\n:7\r\n");
        let mut sink = Vec::new();
        while !out.is_empty() {
            let mut step = Vec::new();
            out.write_to(&mut LimitedWriter(&mut step, 7), 7).unwrap();
            sink.extend_from_slice(&step);
        }
        assert_eq!(sink, expected);
    }

    /// A writer accepting at most `.1` bytes per call.
    struct LimitedWriter<'a>(&'a mut Vec<u8>, usize);
    impl Write for LimitedWriter<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn scan_header_writes_cursor_as_bulk() {
        let head = written(
            |r| {
                r.scan_header(1234567, 1);
                r.bulk(b"k");
            },
            2,
        );
        assert_eq!(head, b"*2\r\n$7\r\n1234567\r\n*1\r\n$1\r\nk\r\n");
        let empty = written(|r| r.scan_header(0, 0), 3);
        assert_eq!(empty, b"*2\r\n$1\r\n0\r\n*0\r\n");
    }
}
