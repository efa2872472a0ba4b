//! A writer that sends the same bytes to several sockets at once, for a forked child
//! that streams a snapshot straight to replicas (Redis's diskless synchronization).
//!
//! The sockets are the parent's non-blocking client sockets: their blocking mode is
//! shared with the parent (it belongs to the open file, not to the process), so it is
//! left alone and a full socket is waited for with `poll(2)` instead. A socket that
//! fails, or stays full for the timeout, is dropped from the set; writing goes on to
//! the others and fails only when none is left.

use std::io::{self, Write};
use std::os::fd::RawFd;

/// Writes everything it is given to each of its sockets.
#[derive(Debug)]
pub struct Fanout {
    /// The sockets still being written (`None`: dropped after an error).
    fds: Vec<Option<RawFd>>,
    /// How long one socket may stay full, in ms.
    timeout_ms: i32,
}

impl Fanout {
    /// A writer to `fds`; a socket full for `timeout_ms` is given up.
    pub fn new(fds: Vec<RawFd>, timeout_ms: i32) -> Self {
        Fanout {
            fds: fds.into_iter().map(Some).collect(),
            timeout_ms,
        }
    }

    /// Writes `bytes` to socket number `index` only (each replica's own header).
    pub fn write_one(&mut self, index: usize, bytes: &[u8]) {
        if let Some(slot) = self.fds.get_mut(index) {
            if let Some(fd) = *slot {
                if write_fully(fd, bytes, self.timeout_ms).is_err() {
                    *slot = None;
                }
            }
        }
    }

    /// Whether socket number `index` got everything written so far.
    pub fn is_alive(&self, index: usize) -> bool {
        self.fds.get(index).is_some_and(Option::is_some)
    }
}

impl Write for Fanout {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        for slot in self.fds.iter_mut() {
            if let Some(fd) = *slot {
                if write_fully(fd, bytes, self.timeout_ms).is_err() {
                    *slot = None;
                }
            }
        }
        if self.fds.iter().all(Option::is_none) {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "no replica left"));
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes all of `bytes` to the non-blocking socket `fd`, waiting while it is full.
fn write_fully(fd: RawFd, mut bytes: &[u8], timeout_ms: i32) -> io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: `bytes` is a live slice of the given length; `fd` is an open socket
        // inherited from the parent (a closed one fails with EBADF, handled below).
        let n = unsafe { libc::send(fd, bytes.as_ptr().cast(), bytes.len(), libc::MSG_NOSIGNAL) };
        if n >= 0 {
            bytes = &bytes[n as usize..];
            continue;
        }
        let error = io::Error::last_os_error();
        match error.kind() {
            io::ErrorKind::Interrupted => {}
            io::ErrorKind::WouldBlock => wait_writable(fd, timeout_ms)?,
            _ => return Err(error),
        }
    }
    Ok(())
}

/// Waits until `fd` can take more bytes, or fails after `timeout_ms`.
fn wait_writable(fd: RawFd, timeout_ms: i32) -> io::Result<()> {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    loop {
        // SAFETY: one pollfd we own, count 1.
        let ready = unsafe { libc::poll(&mut poll, 1, timeout_ms) };
        match ready {
            0 => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "replica not reading",
                ))
            }
            n if n > 0 => return Ok(()),
            _ => {
                let error = io::Error::last_os_error();
                if error.kind() != io::ErrorKind::Interrupted {
                    return Err(error);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn every_socket_gets_every_byte_and_a_closed_one_is_dropped() {
        let (a, mut a_peer) = UnixStream::pair().expect("pair");
        let (b, b_peer) = UnixStream::pair().expect("pair");
        a.set_nonblocking(true).expect("nonblocking");
        drop(b_peer);
        let mut out = Fanout::new(vec![a.as_raw_fd(), b.as_raw_fd()], 1000);
        out.write_one(0, b"head:");
        out.write_all(b"shared").expect("one socket left");
        assert!(out.is_alive(0) && !out.is_alive(1));
        drop(a);
        let mut got = String::new();
        a_peer.read_to_string(&mut got).expect("read");
        assert_eq!(got, "head:shared");
    }

    #[test]
    fn a_full_socket_is_waited_for() {
        let (a, mut a_peer) = UnixStream::pair().expect("pair");
        a.set_nonblocking(true).expect("nonblocking");
        let big = vec![7u8; 4 << 20];
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            a_peer.read_to_end(&mut got).expect("read");
            got.len()
        });
        let mut out = Fanout::new(vec![a.as_raw_fd()], 5000);
        out.write_all(&big).expect("written");
        drop(out);
        drop(a);
        assert_eq!(reader.join().expect("reader"), big.len());
    }
}
