//! Background jobs: work the event loop must not wait for runs on one worker thread.
//!
//! Today that is freeing what a command unlinked (FLUSHALL ASYNC's databases, big values
//! under lazy free); fsync and snapshot writing are next. The executor hands a job over
//! a channel and goes on at once; the worker runs jobs in order. Counters shared with
//! the worker (atomics, no locks) give INFO `lazyfree_pending_objects` and
//! `lazyfreed_objects`. When a job's result matters to the loop (an fsync done, a
//! snapshot written), the worker sends a [`Done`] back and wakes the reactor through
//! its `mio::Waker`; the reactor drains them with [`Background::take_done`].
//!
//! See docs/ARCHITECTURE.md, "Background work".

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Something the worker finished that the loop wants to hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// A job submitted with [`Background::run`] finished; `what` names it.
    Ran {
        /// The name the job was submitted under.
        what: &'static str,
    },
}

/// One unit of work for the worker.
enum Job {
    /// Drop these objects (`count` of them, for the lazyfree counters).
    Free { garbage: Box<dyn Send>, count: u64 },
    /// Run a closure, then report [`Done::Ran`].
    Run {
        work: Box<dyn FnOnce() + Send>,
        what: &'static str,
    },
}

/// Counters the worker and the loop both see.
#[derive(Default)]
struct Counters {
    /// Objects handed to the worker and not yet freed.
    pending: AtomicU64,
    /// Objects the worker freed since start (or CONFIG RESETSTAT).
    freed: AtomicU64,
}

/// The handle the executor keeps: submit jobs, read the counters.
pub struct Background {
    jobs: Option<Sender<Job>>,
    done: Receiver<Done>,
    counters: Arc<Counters>,
    worker: Option<JoinHandle<()>>,
}

impl Background {
    /// Starts the worker thread. `wake` is called after each reported completion (the
    /// reactor passes its `mio::Waker`); tests and tools pass a no-op.
    pub fn start(wake: impl Fn() + Send + 'static) -> Background {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (report, done) = mpsc::channel::<Done>();
        let counters = Arc::new(Counters::default());
        let shared = Arc::clone(&counters);
        let worker = std::thread::Builder::new()
            .name("bio".into())
            .spawn(move || work(inbox, report, shared, wake))
            .ok();
        Background {
            jobs: worker.as_ref().map(|_| jobs),
            done,
            counters,
            worker,
        }
    }

    /// Frees `garbage` (holding `count` objects) on the worker. If the worker could not
    /// be started, it is freed here and now: slower, never lost.
    pub fn free<T: Send + 'static>(&self, garbage: T, count: u64) {
        self.counters.pending.fetch_add(count, Ordering::Relaxed);
        let job = Job::Free {
            garbage: Box::new(garbage),
            count,
        };
        if let Err(mpsc::SendError(job)) = self.send(job) {
            run_job(job, &self.counters);
        }
    }

    /// Runs `work` on the worker; a [`Done::Ran`] named `what` follows.
    pub fn run(&self, what: &'static str, work: impl FnOnce() + Send + 'static) {
        let job = Job::Run {
            work: Box::new(work),
            what,
        };
        if let Err(mpsc::SendError(job)) = self.send(job) {
            run_job(job, &self.counters);
        }
    }

    fn send(&self, job: Job) -> Result<(), mpsc::SendError<Job>> {
        match &self.jobs {
            Some(jobs) => jobs.send(job),
            None => Err(mpsc::SendError(job)),
        }
    }

    /// Completions reported since the last call.
    pub fn take_done(&self) -> Vec<Done> {
        self.done.try_iter().collect()
    }

    /// Objects waiting to be freed (INFO `lazyfree_pending_objects`).
    pub fn pending_objects(&self) -> u64 {
        self.counters.pending.load(Ordering::Relaxed)
    }

    /// Objects freed in the background (INFO `lazyfreed_objects`).
    pub fn freed_objects(&self) -> u64 {
        self.counters.freed.load(Ordering::Relaxed)
    }

    /// CONFIG RESETSTAT: the freed counter starts again.
    pub fn reset_stats(&self) {
        self.counters.freed.store(0, Ordering::Relaxed);
    }
}

impl Drop for Background {
    /// Closes the queue and waits for the jobs already queued (nothing is left half
    /// done when the server exits).
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The worker's loop: every job in order until the executor's handle goes away.
fn work(inbox: Receiver<Job>, report: Sender<Done>, counters: Arc<Counters>, wake: impl Fn()) {
    for job in inbox {
        if let Some(done) = run_job(job, &counters) {
            if report.send(done).is_ok() {
                wake();
            }
        }
    }
}

/// Runs one job; returns the completion to report, if any.
fn run_job(job: Job, counters: &Counters) -> Option<Done> {
    match job {
        Job::Free { garbage, count } => {
            drop(garbage);
            counters.pending.fetch_sub(count, Ordering::Relaxed);
            counters.freed.fetch_add(count, Ordering::Relaxed);
            None
        }
        Job::Run { work, what } => {
            work();
            Some(Done::Ran { what })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn frees_in_the_background_and_counts() {
        let jobs = Background::start(|| {});
        jobs.free(vec![vec![0u8; 1024]; 100], 100);
        drop_and_wait(&jobs);
        assert_eq!(jobs.pending_objects(), 0);
        assert_eq!(jobs.freed_objects(), 100);
        jobs.reset_stats();
        assert_eq!(jobs.freed_objects(), 0);
    }

    #[test]
    fn reports_completions_and_wakes_the_loop() {
        let woken = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&woken);
        let jobs = Background::start(move || flag.store(true, Ordering::SeqCst));
        jobs.run("test", || {});
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut done = Vec::new();
        while done.is_empty() && std::time::Instant::now() < deadline {
            done = jobs.take_done();
            std::thread::yield_now();
        }
        assert_eq!(done, vec![Done::Ran { what: "test" }]);
        assert!(woken.load(Ordering::SeqCst));
    }

    /// Waits until the worker has emptied its queue (a marker job comes back).
    fn drop_and_wait(jobs: &Background) {
        jobs.run("marker", || {});
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while jobs.take_done().is_empty() && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
    }
}
