//! Snapshots of the keyspace as RDB files: SAVE in the loop, BGSAVE in a forked child,
//! the save points the cron checks, loading at start and DEBUG RELOAD.
//!
//! The file format lives in [`crate::persistence::rdb`]; this module decides when to
//! write, where, and what the server's state says afterwards, as Redis's `rdb.c`
//! entry points do.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::command::core::state::ServerState;
use crate::command::scripting::library::Functions;
use crate::command::state::persistence::BgSave;
use crate::config::{Config, EvictionPolicy};
use crate::persistence::atomic_file::{os_text, replace_file, SaveError};
use crate::persistence::fork::{fork_child, ChildExit};
use crate::persistence::rdb::{self, AccessMeta, Encodings, KeyMeta, LoadSink, SaveOptions};
use crate::store::db::{access_clock, initial_access, AccessMode};
use crate::store::{dict, Bstr, Db, Object, Value};

/// A save, fork or shutdown step failed; why was logged, as Redis logs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;

/// Seconds between background save attempts after a failed one (Redis's
/// `CONFIG_BGSAVE_RETRY_DELAY`).
const RETRY_DELAY_MS: i64 = 5_000;

/// The thresholds a loaded value's encoding is chosen by.
pub fn encodings(config: &Config) -> Encodings {
    Encodings {
        hash: crate::store::hash::Limits {
            max_entries: config.hash_max_listpack_entries,
            max_value: config.hash_max_listpack_value,
        },
        set_max_intset_entries: config.set_max_intset_entries,
        zset_max_listpack_entries: config.zset_max_listpack_entries,
        zset_max_listpack_value: config.zset_max_listpack_value,
        list_fill: config.list_max_listpack_size,
        list_depth: config.list_compress_depth,
    }
}

/// `rdbcompression` and `rdbchecksum`.
pub fn save_options(config: &Config) -> SaveOptions {
    SaveOptions {
        compression: config.rdbcompression,
        checksum: config.rdbchecksum,
        key_delay_us: config.rdb_key_save_delay,
    }
}

/// Which access metadata the policy keeps: LRU idle times under an LRU policy, LFU
/// counters under an LFU policy, none otherwise (as Redis writes them).
pub fn access_meta(config: &Config) -> AccessMeta {
    match config.maxmemory_policy {
        EvictionPolicy::AllkeysLru | EvictionPolicy::VolatileLru => AccessMeta::Lru,
        EvictionPolicy::AllkeysLfu | EvictionPolicy::VolatileLfu => AccessMeta::Lfu {
            decay_minutes: config.lfu_decay_time,
        },
        _ => AccessMeta::None,
    }
}

/// The RDB file, relative to the working directory (`dir`).
pub fn rdb_path(config: &Config) -> PathBuf {
    PathBuf::from(&config.dbfilename)
}

/// The AUX fields Redis 7.0 writes at the top of every file.
fn aux_fields(server: &ServerState) -> Vec<(&'static str, Vec<u8>)> {
    let used = crate::command::metrics::process::heap_bytes();
    vec![
        ("redis-ver", crate::REDIS_VERSION.as_bytes().to_vec()),
        ("redis-bits", b"64".to_vec()),
        ("ctime", (server.now_ms / 1000).to_string().into_bytes()),
        ("used-mem", used.to_string().into_bytes()),
        ("aof-base", b"0".to_vec()),
    ]
}

/// Writes the whole keyspace and the function libraries to `target` through `temp`
/// (also an AOF base file); the error is worded for the log.
pub fn write_to(
    dbs: &[Db],
    server: &ServerState,
    temp: &Path,
    target: &Path,
) -> Result<u64, String> {
    write_file(dbs, server, temp, target).map_err(|e| e.0)
}

/// Writes the whole keyspace and the function libraries to `target` through `temp`.
fn write_file(
    dbs: &[Db],
    server: &ServerState,
    temp: &Path,
    target: &Path,
) -> Result<u64, SaveError> {
    let codes = server.scripting.functions.library_codes();
    let code_refs: Vec<&[u8]> = codes.iter().map(|code| code.as_ref()).collect();
    let aux = aux_fields(server);
    let opts = save_options(&server.config);
    let access = access_meta(&server.config);
    let mut keys = 0;
    replace_file(temp, target, |out| {
        keys = rdb::write_rdb(
            &mut *out,
            dbs,
            &code_refs,
            &aux,
            opts,
            access,
            server.now_ms,
        )?;
        out.flush()
    })?;
    Ok(keys)
}

/// The whole keyspace and the function libraries as one RDB payload in memory, for a
/// SYNC client. Written in the loop and without `rdb-key-save-delay`.
pub fn to_bytes(dbs: &[Db], server: &ServerState) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_payload(dbs, server, &mut out)?;
    Ok(out)
}

/// The same payload written to `out` (a forked child streaming it to replicas).
pub fn write_payload(
    dbs: &[Db],
    server: &ServerState,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let codes = server.scripting.functions.library_codes();
    let code_refs: Vec<&[u8]> = codes.iter().map(|code| code.as_ref()).collect();
    let opts = SaveOptions {
        key_delay_us: 0,
        ..save_options(&server.config)
    };
    let access = access_meta(&server.config);
    rdb::write_rdb(
        out,
        dbs,
        &code_refs,
        &aux_fields(server),
        opts,
        access,
        server.now_ms,
    )?;
    Ok(())
}

/// The temp file a process with `pid` writes before renaming (`temp-<pid>.rdb`).
fn temp_path(pid: u32) -> PathBuf {
    PathBuf::from(format!("temp-{pid}.rdb"))
}

/// SAVE: writes the snapshot in the loop. On success `dirty` restarts at 0.
pub fn save(dbs: &[Db], server: &mut ServerState) -> Result<(), Failed> {
    server.rdb.saves += 1;
    let target = rdb_path(&server.config);
    match write_file(dbs, server, &temp_path(std::process::id()), &target) {
        Ok(_) => {
            log::info!("DB saved on disk");
            server.dirty = 0;
            server.rdb.lastsave = server.now_ms / 1000;
            server.rdb.last_save_ok = true;
            Ok(())
        }
        Err(error) => {
            log::warn!("{error}");
            Err(Failed)
        }
    }
}

/// BGSAVE: forks a child that writes the snapshot; the cron reaps it.
pub fn bgsave(dbs: &[Db], server: &mut ServerState) -> Result<(), Failed> {
    server.rdb.saves += 1;
    server.rdb.last_attempt_ms = server.now_ms;
    let target = rdb_path(&server.config);
    let snapshot_of: &ServerState = server;
    let child = fork_child(|| {
        let temp = temp_path(std::process::id());
        match write_file(dbs, snapshot_of, &temp, &target) {
            Ok(_) => {
                log::info!("DB saved on disk");
                true
            }
            Err(error) => {
                log::warn!("{error}");
                false
            }
        }
    });
    let child = match child {
        Ok(child) => child,
        Err(error) => {
            server.rdb.last_save_ok = false;
            log::warn!("Can't save in background: fork: {}", os_text(&error));
            return Err(Failed);
        }
    };
    log::info!("Background saving started by pid {}", child.pid());
    child_started();
    server.rdb.total_forks += 1;
    server.rdb.latest_fork_usec = child.fork_usec;
    server.rdb.bgsave = Some(BgSave {
        child,
        dirty_at_fork: server.dirty,
        started_secs: server.now_ms / 1000,
    });
    Ok(())
}

/// While a forked child reads the dataset, the parent dirties as few pages as it can:
/// no rehashing for balance, no access stamps (Redis's rules with a child active).
pub fn child_started() {
    dict::set_resize_allowed(false);
    crate::store::db::set_touch_allowed(false);
}

/// The child is gone: back to normal.
pub fn child_ended() {
    dict::set_resize_allowed(true);
    crate::store::db::set_touch_allowed(true);
}

/// The cron's part: reap a finished child, run a scheduled BGSAVE, and start one when
/// a save point is reached.
pub fn cron(dbs: &[Db], server: &mut ServerState) {
    if let Some(bg) = server.rdb.bgsave.as_mut() {
        if let Some(exit) = bg.child.try_wait() {
            finish_bgsave(server, exit);
        }
        return;
    }
    if server.child_active() {
        return;
    }
    if server.rdb.scheduled {
        server.rdb.scheduled = false;
        let _ = bgsave(dbs, server);
        return;
    }
    if let Some((secs, changes)) = due_save_point(server) {
        log::info!("{changes} changes in {secs} seconds. Saving...");
        let _ = bgsave(dbs, server);
    }
}

/// The first save point reached: enough changes and enough time since the last save,
/// and, after a failure, the retry delay passed.
fn due_save_point(server: &ServerState) -> Option<(u64, u64)> {
    let rdb = &server.rdb;
    let now_secs = server.now_ms / 1000;
    let may_retry = rdb.last_save_ok || server.now_ms - rdb.last_attempt_ms > RETRY_DELAY_MS;
    server
        .config
        .save_points()
        .into_iter()
        .find(|&(secs, changes)| {
            server.dirty >= changes && now_secs - rdb.lastsave > secs as i64 && may_retry
        })
}

/// Records how a background save ended (Redis's `backgroundSaveDoneHandlerDisk`).
fn finish_bgsave(server: &mut ServerState, exit: ChildExit) {
    let Some(bg) = server.rdb.bgsave.take() else {
        return;
    };
    child_ended();
    let rdb = &mut server.rdb;
    rdb.last_bgsave_secs = server.now_ms / 1000 - bg.started_secs;
    rdb.last_cow_bytes = exit.cow_bytes;
    match exit.signal {
        None if exit.success => {
            log::info!("Background saving terminated with success");
            server.dirty = server.dirty.saturating_sub(bg.dirty_at_fork);
            rdb.lastsave = server.now_ms / 1000;
            rdb.last_save_ok = true;
        }
        None => {
            log::warn!("Background saving error");
            rdb.last_save_ok = false;
        }
        Some(signal) => {
            log::warn!("Background saving terminated by signal {signal}");
            let _ = std::fs::remove_file(temp_path(bg.child.pid() as u32));
            if signal != libc::SIGUSR1 {
                rdb.last_save_ok = false;
            }
        }
    }
}

/// Stops a background save in progress (FLUSHALL, SHUTDOWN, DEBUG RELOAD): its file
/// would be stale or is not wanted.
pub fn kill_bgsave(server: &mut ServerState) {
    if let Some(bg) = server.rdb.bgsave.take() {
        let pid = bg.child.pid();
        let exit = bg.child.kill();
        let _ = std::fs::remove_file(temp_path(pid as u32));
        child_ended();
        log::warn!(
            "Background saving terminated by signal {}",
            exit.signal.unwrap_or(libc::SIGUSR1)
        );
    }
}

/// Where loaded keys go: the databases, with keys already expired dropped (as a
/// master does) and access metadata applied under the policy that uses it.
struct IntoDbs<'a> {
    dbs: &'a mut [Db],
    /// Keys already expired are kept (an AOF's base, whose commands may still touch
    /// them, or a replica's data, which its master expires), as Redis keeps them.
    keep_expired: bool,
    functions: &'a mut Functions,
    /// Replace existing keys and libraries instead of failing on duplicates.
    merge: bool,
    now_ms: i64,
    loaded: u64,
    expired: u64,
    /// `key-load-delay`, in microseconds per key.
    key_delay_us: i32,
}

impl LoadSink for IntoDbs<'_> {
    fn function(&mut self, code: Vec<u8>) -> Result<(), String> {
        self.functions
            .load_library(&Bytes::from(code), self.merge)
            .map(|_| ())
    }

    fn key(&mut self, db: usize, key: Bstr, value: Value, meta: KeyMeta) -> Result<(), String> {
        let count = self.dbs.len();
        let Some(target) = self.dbs.get_mut(db) else {
            return Err(format!(
                "FATAL: Data file was created with a Redis server configured to handle more than {count} databases. Exiting"
            ));
        };
        if !self.keep_expired && meta.expire_ms.is_some_and(|when| when < self.now_ms) {
            self.expired += 1;
            return Ok(());
        }
        if !self.merge && target.has_key(key.as_slice()) {
            return Err(format!(
                "Duplicate key '{}' in the RDB file",
                String::from_utf8_lossy(key.as_slice())
            ));
        }
        let clock = loaded_clock(target.access_mode, &meta, self.now_ms);
        target.put(key.as_slice(), Object::new(value, clock), meta.expire_ms);
        self.loaded += 1;
        crate::util::delay::per_item(self.key_delay_us, self.loaded);
        Ok(())
    }
}

/// The access stamp of a loaded key: its saved idle time or LFU counter when the
/// policy uses one, else a fresh stamp.
fn loaded_clock(mode: AccessMode, meta: &KeyMeta, now_ms: i64) -> u32 {
    match (mode, meta.idle_secs, meta.freq) {
        (AccessMode::Lru, Some(idle), _) => access_clock(now_ms).wrapping_sub(idle as u32),
        (AccessMode::Lfu { .. }, _, Some(freq)) => {
            (initial_access(mode, now_ms) & !0xFF) | u32::from(freq)
        }
        _ => initial_access(mode, now_ms),
    }
}

/// Loads `path` into the databases. `merge` replaces existing keys (DEBUG RELOAD
/// MERGE); otherwise a key already present is an error.
pub fn load(
    dbs: &mut [Db],
    server: &mut ServerState,
    path: &Path,
    merge: bool,
) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("{}: {}", path.display(), os_text(&e)))?;
    let started = std::time::Instant::now();
    load_from(dbs, server, file, merge, false).map_err(|e| format!("{e} of {}", path.display()))?;
    log::info!(
        "DB loaded from disk: {:.3} seconds",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Loads an RDB stream (a file, or an AOF's base when `aof_base`) into the databases;
/// returns how many bytes the RDB data took (an AOF base may go on with commands
/// after them).
pub fn load_from(
    dbs: &mut [Db],
    server: &mut ServerState,
    input: impl Read,
    merge: bool,
    aof_base: bool,
) -> Result<u64, String> {
    let enc = encodings(&server.config);
    let mut sink = IntoDbs {
        keep_expired: aof_base || server.is_replica(),
        dbs,
        functions: &mut server.scripting.functions,
        merge,
        now_ms: server.now_ms,
        loaded: 0,
        expired: 0,
        key_delay_us: server.config.key_load_delay,
    };
    let result = rdb::load_rdb(input, &enc, &mut sink);
    let (loaded, expired) = (sink.loaded, sink.expired);
    server.rdb.loaded_keys = loaded;
    server.rdb.loaded_expired = expired;
    let stats = result.map_err(|e| format!("{} at offset {}", e.message, e.offset))?;
    log::info!("Done loading RDB, keys loaded: {loaded}, keys expired: {expired}.");
    Ok(stats.bytes)
}

/// Loads the RDB file at start, if there is one. An unreadable or damaged file stops
/// the server: it never runs on half-loaded data.
pub fn load_at_start(dbs: &mut [Db], server: &mut ServerState) -> Result<(), String> {
    let path = rdb_path(&server.config);
    if !path.exists() {
        return Ok(());
    }
    load(dbs, server, &path, false)
        .map_err(|e| format!("Fatal error loading the DB: {e}. Exiting."))
}

/// Empties every database and the function libraries, as Redis's `emptyData` before
/// a reload: watchers and caching clients are told.
pub fn empty_all(dbs: &mut [Db], server: &mut ServerState) {
    for (index, db) in dbs.iter_mut().enumerate() {
        server.watches.touch_db(index, db, None, server.now_ms);
        db.clear();
    }
    server.tracking.flush();
    server.scripting.functions = Functions::default();
}

/// DEBUG RELOAD's options: save first, empty the dataset first, and let the file's
/// keys and libraries replace existing ones.
#[derive(Debug, Clone, Copy)]
pub struct Reload {
    /// Write the snapshot before reading it back (not NOSAVE).
    pub save: bool,
    /// Empty the databases and the function libraries first (not NOFLUSH).
    pub flush: bool,
    /// Replace conflicting keys and libraries (MERGE).
    pub merge: bool,
}

/// DEBUG RELOAD: save (unless NOSAVE), empty (unless NOFLUSH), load the file back.
/// Err carries the reply's error text.
pub fn reload(dbs: &mut [Db], server: &mut ServerState, how: Reload) -> Result<(), &'static str> {
    if how.save {
        kill_bgsave(server);
        save(dbs, server).map_err(|Failed| "ERR")?;
    }
    if how.flush {
        empty_all(dbs, server);
    }
    let path = rdb_path(&server.config);
    if let Err(error) = load(dbs, server, &path, how.merge) {
        log::warn!("{error}");
        return Err("ERR Error trying to load the RDB dump");
    }
    log::warn!("DB reloaded by DEBUG RELOAD");
    Ok(())
}
