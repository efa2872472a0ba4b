//! A forked child that writes a snapshot while the parent keeps serving.
//!
//! This is how Redis takes a snapshot without stopping: `fork(2)` gives the child a
//! copy-on-write view of the whole keyspace frozen at one instant, the child writes it
//! out and exits, and the parent only pays for the pages it changes meanwhile. The
//! parent never waits for the child: the loop polls [`ForkedChild::try_wait`] from its
//! cron, as Redis's `checkChildrenDone` does.
//!
//! The child must not touch anything the parent's other threads might hold, so it runs
//! only the closure it is given, reports through a pipe, and leaves with `_exit(2)`
//! (no destructors, no buffered output flushed twice). Its exit status says whether the
//! work succeeded; the pipe carries how many bytes copy-on-write cost it, which INFO
//! reports as `rdb_last_cow_size`.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::FromRawFd;
use std::time::Instant;

/// How a child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildExit {
    /// The work returned success and the process exited with status 0.
    pub success: bool,
    /// The signal that terminated the child, if one did (SIGUSR1 is our own kill).
    pub signal: Option<i32>,
    /// Private memory the child dirtied (copy-on-write), as it reported before exiting.
    pub cow_bytes: u64,
}

/// A running child process started by [`fork_child`].
#[derive(Debug)]
pub struct ForkedChild {
    pid: libc::pid_t,
    report: File,
    started: Instant,
    /// How long `fork(2)` itself blocked the parent, in µs (INFO `latest_fork_usec`).
    pub fork_usec: u64,
}

/// Forks; the child runs `work` (true on success), reports its copy-on-write cost and
/// exits without returning. The parent gets a handle at once.
pub fn fork_child(work: impl FnOnce() -> bool) -> io::Result<ForkedChild> {
    fork_child_keeping(&[], work)
}

/// [`fork_child`] for a child that writes to some of the parent's sockets (`keep`,
/// replicas it streams a snapshot to): those stay open in the child.
pub fn fork_child_keeping(
    keep: &[libc::c_int],
    work: impl FnOnce() -> bool,
) -> io::Result<ForkedChild> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 writes two descriptors into the array we own.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by exactly one File each.
    let (report, mut child_end) = unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) };
    let started = Instant::now();
    // SAFETY: fork has no preconditions; the child below only runs `work` and exits.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid == 0 {
        drop(report);
        run_child(work, &mut child_end, keep);
    }
    drop(child_end);
    Ok(ForkedChild {
        pid,
        report,
        started,
        fork_usec: started.elapsed().as_micros() as u64,
    })
}

/// The child's whole life: default signal handling, the work, the report, `_exit`.
fn run_child(work: impl FnOnce() -> bool, report: &mut File, keep: &[libc::c_int]) -> ! {
    // SAFETY: restoring default dispositions in the single-threaded child; the parent's
    // handlers write to the parent's signal pipe, which the child must not do.
    unsafe {
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGUSR1] {
            libc::signal(signal, libc::SIG_DFL);
        }
    }
    close_inherited_sockets(keep);
    let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or(false);
    let _ = report.write_all(&private_dirty_bytes().to_le_bytes());
    // SAFETY: _exit ends the process without running the parent's atexit handlers or
    // destructors, which belong to the parent.
    unsafe { libc::_exit(if ok { 0 } else { 1 }) }
}

/// Closes the sockets the child inherited (listeners, clients), as Redis does after a
/// fork: a child that outlives a killed parent must not keep the port bound, and a
/// client must see its connection close when the server dies.
fn close_inherited_sockets(keep: &[libc::c_int]) {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    let fds: Vec<libc::c_int> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd > 2 && !keep.contains(&fd))
        .collect();
    for fd in fds {
        // SAFETY: fstat into a zeroed stat we own; close only descriptors that are
        // sockets, which nothing in the child uses.
        unsafe {
            let mut st: libc::stat = std::mem::zeroed();
            if libc::fstat(fd, &mut st) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFSOCK {
                libc::close(fd);
            }
        }
    }
}

/// Private memory this process has dirtied, from `/proc/self/smaps_rollup` (0 when the
/// file is unavailable).
fn private_dirty_bytes() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/self/smaps_rollup") else {
        return 0;
    };
    text.lines()
        .filter(|line| line.starts_with("Private_Dirty:"))
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum::<u64>()
        * 1024
}

impl ForkedChild {
    /// The child's process id.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// How long the child has been running.
    pub fn elapsed(&self) -> std::time::Duration {
        self.started.elapsed()
    }

    /// The child's exit, if it has exited; never blocks.
    pub fn try_wait(&mut self) -> Option<ChildExit> {
        self.wait(libc::WNOHANG)
    }

    /// Kills the child (SIGUSR1, as Redis does, so the kill is told apart from a crash)
    /// and reaps it.
    pub fn kill(mut self) -> ChildExit {
        // SAFETY: signalling our own child by the pid fork returned; it is not reaped yet.
        unsafe { libc::kill(self.pid, libc::SIGUSR1) };
        self.wait(0).unwrap_or(ChildExit {
            success: false,
            signal: Some(libc::SIGUSR1),
            cow_bytes: 0,
        })
    }

    /// Waits for the child to finish (blocking): for SAVE-like callers and shutdown.
    pub fn wait_blocking(mut self) -> ChildExit {
        self.wait(0).unwrap_or(ChildExit {
            success: false,
            signal: None,
            cow_bytes: 0,
        })
    }

    fn wait(&mut self, flags: libc::c_int) -> Option<ChildExit> {
        let mut status: libc::c_int = 0;
        // SAFETY: waitpid on our own child with a valid status pointer.
        let reaped = unsafe { libc::waitpid(self.pid, &mut status, flags) };
        if reaped != self.pid {
            return None;
        }
        let mut bytes = [0u8; 8];
        let cow_bytes = match self.report.read_exact(&mut bytes) {
            Ok(()) => u64::from_le_bytes(bytes),
            Err(_) => 0,
        };
        let signal = libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status));
        let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
        Some(ChildExit {
            success,
            signal,
            cow_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_reports_success_and_failure() {
        let ok = fork_child(|| true).expect("fork").wait_blocking();
        assert!(ok.success);
        assert_eq!(ok.signal, None);
        let failed = fork_child(|| false).expect("fork").wait_blocking();
        assert!(!failed.success);
    }

    #[test]
    fn a_killed_child_reports_the_signal() {
        let child = fork_child(|| {
            std::thread::sleep(std::time::Duration::from_secs(30));
            true
        })
        .expect("fork");
        let exit = child.kill();
        assert!(!exit.success);
        assert_eq!(exit.signal, Some(libc::SIGUSR1));
    }
}
