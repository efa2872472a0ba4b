//! SIGINT/SIGTERM handling: the handler only writes the signal's number to a pipe the
//! reactor watches (a write is async-signal-safe), so shutdown happens in the loop,
//! after the replies in flight are written. As in Redis, a second SIGINT while a
//! shutdown is pending (a busy script delays it) exits at once.

use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use mio::unix::pipe::{self, Receiver, Sender};

/// Write end of the signal pipe, for the handler.
static SIGNAL_FD: AtomicI32 = AtomicI32::new(-1);
/// A shutdown signal arrived and the server has not stopped yet.
static PENDING: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(signal: libc::c_int) {
    if signal == libc::SIGINT && PENDING.swap(true, Ordering::Relaxed) {
        const INSIST: &[u8] = b"You insist... exiting now.\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe; the buffer is static.
        unsafe {
            libc::write(2, INSIST.as_ptr() as *const libc::c_void, INSIST.len());
            libc::_exit(1);
        }
    }
    PENDING.store(true, Ordering::Relaxed);
    let fd = SIGNAL_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = signal as u8;
        // SAFETY: write(2) is async-signal-safe; the buffer is a live local.
        unsafe { libc::write(fd, &byte as *const u8 as *const libc::c_void, 1) };
    }
}

/// The shutdown a signal asked for did not happen (its save failed): a later SIGINT
/// is a first one again.
pub fn shutdown_abandoned() {
    PENDING.store(false, Ordering::Relaxed);
}

/// Reads every signal the pipe holds and logs each as Redis does; true if any came.
pub fn drain(pipe: &mut Receiver) -> bool {
    let mut bytes = [0u8; 64];
    let mut any = false;
    while let Ok(n) = pipe.read(&mut bytes) {
        if n == 0 {
            break;
        }
        for &signal in &bytes[..n] {
            let name = match libc::c_int::from(signal) {
                libc::SIGINT => "SIGINT",
                libc::SIGTERM => "SIGTERM",
                _ => "shutdown signal,",
            };
            log::warn!("Received {name} scheduling shutdown...");
        }
        any = true;
    }
    any
}

/// Installs the handlers; returns the pipe's read end (to register with the poll) and
/// its write end (kept alive for as long as the handlers may fire).
pub fn install() -> io::Result<(Receiver, Sender)> {
    let (sender, receiver) = pipe::new()?;
    SIGNAL_FD.store(sender.as_raw_fd(), Ordering::Relaxed);
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: sigaction with a zeroed struct, an empty mask and a handler that only
        // performs an async-signal-safe write.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = libc::SA_RESTART;
            if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    // SAFETY: ignoring SIGPIPE so a write to a closed socket is an error, not death.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    Ok((receiver, sender))
}
