//! One connected client: its socket, query buffer and parse state, output buffer, the
//! [`Session`] commands see, and the flags that decide when it closes.
//!
//! A client is only ever removed from the slab by the reactor, between events, never in
//! the middle of a command.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

use bytes::BytesMut;
use mio::net::{TcpStream, UnixStream};
use mio::{event::Source, Interest, Registry, Token};

use crate::command::state::directory::{BufferStats, ClientView};
use crate::command::state::session::Session;
use crate::error::ProtocolError;
use crate::protocol::{OutBuf, Reply, RequestParser};

/// A client socket: TCP or unix.
pub enum Stream {
    /// A TCP connection.
    Tcp(TcpStream),
    /// A unix-socket connection.
    Unix(UnixStream),
}

impl Stream {
    /// The socket's file descriptor (CLIENT LIST `fd=`).
    pub fn raw_fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Unix(s) => s.as_raw_fd(),
        }
    }
}

/// `recv(fd, buf, 0)` as a bare system call.
///
/// glibc's `recv` and `send` are pthread cancellation points: in a process with more
/// than one thread (ours has the lazy-free and snapshot threads) each call switches
/// asynchronous cancellation on and off around the system call, which costs about as
/// much as the rest of a small request's user-space work on the socket. The server
/// never cancels threads, so it calls the kernel directly.
fn raw_recv(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the whole call.
    unsafe { raw_recv_into(fd, buf.as_mut_ptr(), buf.len()) }
}

/// [`raw_recv`] into `len` bytes at `to`, which may be uninitialized.
///
/// # Safety
/// `to` must be valid for writes of `len` bytes for the whole call.
unsafe fn raw_recv_into(fd: RawFd, to: *mut u8, len: usize) -> io::Result<usize> {
    // SAFETY: the caller vouches for `to..to + len`; a null source address with a null
    // length asks the kernel for no address.
    let n = unsafe {
        libc::syscall(
            libc::SYS_recvfrom,
            fd,
            to,
            len,
            0,
            std::ptr::null_mut::<libc::sockaddr>(),
            std::ptr::null_mut::<libc::socklen_t>(),
        )
    };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// `send(fd, buf, MSG_NOSIGNAL)` as a bare system call (see [`raw_recv`]); like std's
/// sockets, a peer that went away gives `EPIPE`, never `SIGPIPE`.
fn raw_send(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes for the whole call, and a
    // null destination with a zero length means the connected peer.
    let n = unsafe {
        libc::syscall(
            libc::SYS_sendto,
            fd,
            buf.as_ptr(),
            buf.len(),
            libc::MSG_NOSIGNAL,
            std::ptr::null::<libc::sockaddr>(),
            0 as libc::socklen_t,
        )
    };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

impl Stream {
    /// Reads at most `max` bytes straight into the spare capacity of `buf` (no scratch
    /// buffer, no copy): how a big argument arrives into the buffer made for it.
    pub fn read_into_spare(&mut self, buf: &mut BytesMut, max: usize) -> io::Result<usize> {
        let spare = buf.spare_capacity_mut();
        let len = spare.len().min(max);
        // SAFETY: the spare capacity is valid for writes of `len` bytes.
        let n = unsafe { raw_recv_into(self.raw_fd(), spare.as_mut_ptr().cast::<u8>(), len)? };
        // SAFETY: the kernel initialized the first `n` bytes of the spare capacity.
        unsafe { buf.set_len(buf.len() + n) };
        Ok(n)
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        raw_recv(self.raw_fd(), buf)
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        raw_send(self.raw_fd(), buf)
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write_vectored(bufs),
            Stream::Unix(s) => s.write_vectored(bufs),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Source for Stream {
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.register(registry, token, interests),
            Stream::Unix(s) => s.register(registry, token, interests),
        }
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.reregister(registry, token, interests),
            Stream::Unix(s) => s.reregister(registry, token, interests),
        }
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.deregister(registry),
            Stream::Unix(s) => s.deregister(registry),
        }
    }
}

/// The reactor's clients. Each lives in a box of its own so that taking a client out
/// of the slab for a command batch (and putting it back) moves a pointer, not the whole
/// state machine.
pub type ClientSlab = slab::Slab<Box<Client>>;

/// One client's state machine.
pub struct Client {
    /// The socket.
    pub stream: Stream,
    /// Bytes read and not yet parsed.
    pub query: BytesMut,
    /// Where parsing resumes.
    pub parser: RequestParser,
    /// Replies not yet written.
    pub out: OutBuf,
    /// What commands see and change.
    pub session: Session,
    /// Registered for WRITABLE because a write would have blocked.
    pub write_registered: bool,
    /// Queued in the reactor's pending-write list.
    pub write_queued: bool,
    /// The peer closed, an I/O error happened, or a limit was hit: close now, dropping
    /// pending output.
    pub close_asap: bool,
    /// The peer shut down its sending side: run what it sent, write the replies, close.
    pub peer_closed: bool,
    /// Since when the output buffer has been over its class's soft limit.
    pub over_soft_limit_since: Option<Instant>,
    /// The memory this client held when last counted (`server/client_memory.rs`):
    /// its share of the clients' total.
    pub memory: usize,
}

impl Client {
    /// A client for a freshly accepted socket.
    pub fn new(stream: Stream, session: Session) -> Self {
        Client {
            stream,
            query: BytesMut::new(),
            parser: RequestParser::new(),
            out: OutBuf::new(),
            session,
            write_registered: false,
            write_queued: false,
            close_asap: false,
            peer_closed: false,
            over_soft_limit_since: None,
            memory: 0,
        }
    }

    /// A client for a socket just accepted from `peer` on `local`, with id `id`.
    pub fn accepted(stream: Stream, peer: String, local: String, id: u64, now_ms: i64) -> Self {
        let mut session = Session::new(id, peer, local, now_ms);
        session.fd = stream.raw_fd();
        session.unix_socket = matches!(stream, Stream::Unix(_));
        Client::new(stream, session)
    }

    /// Answers a protocol error and marks the client to close once the reply is
    /// written (Redis's `-ERR Protocol error: ...`).
    pub fn reject_protocol(&mut self, err: &ProtocolError) {
        log::debug!("Protocol error ({err}) from client {}", self.session.addr);
        Reply::new(&mut self.out, self.session.resp).error(&err.reply_text());
        self.session.close_after_reply = true;
        self.query.clear();
    }

    /// This client as CLIENT LIST sees it.
    pub fn view(&self) -> ClientView<'_> {
        ClientView {
            session: &self.session,
            buffers: self.buffer_stats(),
        }
    }

    /// The figures of this client's buffers, as CLIENT LIST reports them.
    pub fn buffer_stats(&self) -> BufferStats {
        BufferStats {
            query_len: self.query.len(),
            query_free: self.query.capacity() - self.query.len(),
            argv_mem: self.parser.argv_len(),
            reply_tail: self.out.tail_len(),
            reply_chunks: self.out.chunk_count(),
            reply_pending: self.out.pending(),
            reply_memory: self.out.memory(),
            reply_buffer_size: self.out.reply_buffer_size(),
            reply_buffer_peak: self.out.reply_buffer_peak(),
            write_registered: self.write_registered,
        }
    }

    /// Gives an emptied query buffer back the room its parsed commands took: commands
    /// are cut from its front, and until the next read reclaims that room its spare
    /// capacity (`qbuf-free`, the client's counted memory) looks smaller than what is
    /// allocated, then jumps back. Reclaiming here keeps the figure what is held. Costs
    /// nothing to copy: the buffer is empty.
    #[inline]
    pub fn reclaim_query(&mut self) {
        if self.query.is_empty() {
            let spare = self.query.capacity();
            // Succeeds, without allocating, only when room was cut from the front.
            let _ = self.query.try_reclaim(spare + 1);
        }
    }

    /// True while the next buffered command may run: not closing, not waiting on a
    /// blocking command or a CLIENT PAUSE, not still writing a deferred reply.
    pub fn ready_for_command(&self) -> bool {
        !self.close_asap
            && !self.session.close_after_reply
            && self.session.blocked.is_none()
            && self.session.postponed.is_none()
            && !self.out.has_deferred()
    }

    /// True when the client should be closed now: an error, or a close-after-reply (or
    /// a peer that stopped sending) whose replies are all written.
    pub fn should_close(&self) -> bool {
        self.close_asap
            || ((self.session.close_after_reply || self.peer_closed) && self.out.is_empty())
    }

    /// Checks the output buffer against `limit`; true if the client must be cut off.
    pub fn output_over_limit(&mut self, limit: &crate::config::OutputLimit) -> bool {
        let counted = self
            .out
            .pending()
            .saturating_sub(self.session.snapshot_unsent);
        let pending = counted as u64;
        if limit.hard > 0 && pending >= limit.hard {
            return true;
        }
        if limit.soft == 0 || pending < limit.soft {
            self.over_soft_limit_since = None;
            return false;
        }
        let since = *self.over_soft_limit_since.get_or_insert_with(Instant::now);
        since.elapsed().as_secs() >= limit.soft_seconds
    }

    /// The output-limit class: replica for replicas, pubsub for subscribed clients,
    /// normal otherwise (monitors included, as in Redis).
    pub fn output_class(&self) -> usize {
        if self.session.replica {
            1
        } else if self.session.subscriptions.total() > 0 {
            2
        } else {
            0
        }
    }

    /// True while new input should still be read and run.
    pub fn accepts_input(&self) -> bool {
        !(self.close_asap || self.peer_closed || self.session.close_after_reply)
    }
}
