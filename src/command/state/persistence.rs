//! What the server knows about its snapshots and its append-only file: the last save,
//! the background save or rewrite in progress, what the last load found, and the AOF
//! being appended. INFO's persistence section, LASTSAVE and the
//! save-point check in the cron read it; only the snapshot code changes it.

use crate::persistence::aof::manifest::Manifest;
use crate::persistence::fork::ForkedChild;

/// A background save whose child is still running.
#[derive(Debug)]
pub struct BgSave {
    /// The child writing the snapshot.
    pub child: ForkedChild,
    /// `dirty` when the child forked: what the snapshot covers, subtracted on success.
    pub dirty_at_fork: u64,
    /// When it started (unix seconds), for `rdb_current_bgsave_time_sec`.
    pub started_secs: i64,
}

/// Snapshot bookkeeping (Redis's `lastsave`, `lastbgsave_status`, `rdb_child_pid`...).
#[derive(Debug)]
pub struct RdbState {
    /// Unix time of the last successful save (LASTSAVE); the start time before any.
    pub lastsave: i64,
    /// Whether the last save (foreground or background) succeeded.
    pub last_save_ok: bool,
    /// The background save in progress, if any.
    pub bgsave: Option<BgSave>,
    /// BGSAVE SCHEDULE asked for a save while another child was running.
    pub scheduled: bool,
    /// Seconds the last background save took (-1 before the first).
    pub last_bgsave_secs: i64,
    /// When the last background save was attempted (ms), to space out retries after
    /// a failure as Redis does.
    pub last_attempt_ms: i64,
    /// Successful saves since start.
    pub saves: u64,
    /// Copy-on-write bytes the last child reported.
    pub last_cow_bytes: u64,
    /// How long the last `fork` blocked the loop, in µs.
    pub latest_fork_usec: u64,
    /// Forks since start.
    pub total_forks: u64,
    /// Keys the last load inserted.
    pub loaded_keys: u64,
    /// Keys the last load dropped because they had already expired.
    pub loaded_expired: u64,
}

impl RdbState {
    /// State for a server started at `started_ms`.
    pub fn new(started_ms: i64) -> Self {
        RdbState {
            lastsave: started_ms / 1000,
            last_save_ok: true,
            bgsave: None,
            scheduled: false,
            last_bgsave_secs: -1,
            last_attempt_ms: 0,
            saves: 0,
            last_cow_bytes: 0,
            latest_fork_usec: 0,
            total_forks: 0,
            loaded_keys: 0,
            loaded_expired: 0,
        }
    }

    /// True while a background save runs.
    pub fn in_progress(&self) -> bool {
        self.bgsave.is_some()
    }
}

/// A background AOF rewrite whose child is still running.
#[derive(Debug)]
pub struct AofRewrite {
    /// The child writing the new base file.
    pub child: ForkedChild,
    /// When it started (unix seconds).
    pub started_secs: i64,
}

/// The append-only file (Redis's `aof_state`, `aof_fd`, `aof_buf`, manifest...).
#[derive(Debug)]
pub struct AofState {
    /// Commands are being appended (AOF_ON).
    pub on: bool,
    /// Turned on at run time: the first rewrite must finish before the AOF counts
    /// (AOF_WAIT_REWRITE); meanwhile commands go to a temporary incremental file.
    pub waiting_rewrite: bool,
    /// The incremental file being appended to.
    pub file: Option<std::fs::File>,
    /// The files that make up the AOF.
    pub manifest: Manifest,
    /// Commands recorded and not yet written.
    pub buffer: Vec<u8>,
    /// The database the last written command ran in (a SELECT precedes a change).
    pub selected_db: Option<usize>,
    /// The unix second of the last `#TS:` annotation.
    pub last_timestamp: i64,
    /// The rewrite in progress, if any.
    pub rewrite: Option<AofRewrite>,
    /// A rewrite waits for the running child (or for the transaction) to finish.
    pub rewrite_scheduled: bool,
    /// Whether the last rewrite succeeded.
    pub last_rewrite_ok: bool,
    /// Whether the last write to the file succeeded.
    pub last_write_ok: bool,
    /// Why the last write failed (for -MISCONF).
    pub last_write_error: String,
    /// Rewrites started since start.
    pub rewrites: u64,
    /// Rewrites that failed in a row.
    pub consecutive_failures: u64,
    /// After repeated failures, the automatic rewrites wait this many minutes (1, 2,
    /// 4... up to 60), so that a rewrite that keeps failing does not leave a new
    /// incremental file behind every cron tick; 0 when not limited.
    pub limit_delay_minutes: i64,
    /// When the limited automatic rewrite may run again (unix seconds; 0: now).
    pub limit_until_secs: i64,
    /// Seconds the last rewrite took (-1 before the first).
    pub last_rewrite_secs: i64,
    /// Copy-on-write bytes the last rewrite child reported.
    pub last_cow_bytes: u64,
    /// Size of the AOF (base + increments) now.
    pub current_size: u64,
    /// Size of the AOF after the last rewrite (the auto-rewrite baseline).
    pub base_size: u64,
    /// Bytes written to the incremental file being appended.
    pub incr_size: u64,
    /// `incr_size` at the last fsync.
    pub fsynced_size: u64,
    /// Unix second of the last fsync (everysec runs one a second).
    pub last_fsync_secs: i64,
    /// Set while the background thread fsyncs the file.
    pub fsync_running: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Writes that went ahead while an fsync took over two seconds.
    pub delayed_fsyncs: u64,
}

impl Default for AofState {
    fn default() -> Self {
        AofState {
            on: false,
            waiting_rewrite: false,
            file: None,
            manifest: Manifest::default(),
            buffer: Vec::new(),
            selected_db: None,
            last_timestamp: 0,
            rewrite: None,
            rewrite_scheduled: false,
            last_rewrite_ok: true,
            last_write_ok: true,
            last_write_error: String::new(),
            rewrites: 0,
            consecutive_failures: 0,
            limit_delay_minutes: 0,
            limit_until_secs: 0,
            last_rewrite_secs: -1,
            last_cow_bytes: 0,
            current_size: 0,
            base_size: 0,
            incr_size: 0,
            fsynced_size: 0,
            last_fsync_secs: 0,
            fsync_running: std::sync::Arc::default(),
            delayed_fsyncs: 0,
        }
    }
}
