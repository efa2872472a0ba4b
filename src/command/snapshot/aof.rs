//! The append-only file at run time, as Redis 7.0 keeps it: writes recorded by
//! dispatch ([`crate::command::state::propagation`]) are appended to the current
//! incremental file before any reply goes out, fsynced per `appendfsync` (`always` in
//! the loop, `everysec` on the background thread), and a rewrite (BGREWRITEAOF,
//! growth past `auto-aof-rewrite-percentage`, or turning the AOF on) forks a child
//! that writes a new base while the parent appends to a fresh incremental file, so no
//! rewrite buffer is needed. The manifest changes only by temp file and rename.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::command::core::state::ServerState;
use crate::command::snapshot::aof_load::{aof_dir, manifest_path};
use crate::command::snapshot::rdb as snapshot;
use crate::command::snapshot::rdb::Failed;
use crate::command::state::persistence::AofRewrite;
use crate::config::AppendFsync;
use crate::persistence::aof::commands::encode;
use crate::persistence::aof::manifest::Manifest;
use crate::persistence::atomic_file::{os_text, replace_file, sync_dir};
use crate::persistence::fork::{fork_child, ChildExit};
use crate::persistence::rdb::dump_payload;
use crate::store::Db;

/// Whether the AOF keeps recorded writes: it is on, or is being turned on and its
/// first rewrite runs.
fn aof_recording(server: &ServerState) -> bool {
    server.aof.on || (server.aof.waiting_rewrite && server.aof.rewrite.is_some())
}

/// Whether recorded writes are consumed: by the AOF or by the replication stream
/// (while a backlog exists).
fn recording(server: &ServerState) -> bool {
    aof_recording(server) || server.replication.is_active()
}

/// Keeps dispatch's recording switched on exactly while the AOF or the replication
/// stream wants it.
pub fn sync_recording(server: &mut ServerState) {
    server.propagation.enabled = recording(server);
    if !server.propagation.enabled {
        server.propagation.take_ops();
    }
}

/// Moves recorded ops into the write buffer, with SELECTs and `#TS:` annotations,
/// after giving the replication stream those it does not have yet.
fn feed(server: &mut ServerState) {
    // A replica's own replicas get its master's stream as it arrives, not our records.
    let replica = server.is_replica();
    let unreplicated = server.propagation.unreplicated();
    if !replica {
        server.replication.feed(unreplicated);
    }
    let ops = server.propagation.take_ops();
    if !aof_recording(server) {
        return;
    }
    let aof = &mut server.aof;
    let now_secs = server.now_ms / 1000;
    for op in ops.into_iter().filter(|op| !op.replicas_only()) {
        if server.config.aof_timestamp_enabled && now_secs > aof.last_timestamp {
            aof.last_timestamp = now_secs;
            aof.buffer
                .extend_from_slice(format!("#TS:{now_secs}\r\n").as_bytes());
        }
        if aof.selected_db != Some(op.db) {
            let db = Bytes::from(op.db.to_string());
            encode(&mut aof.buffer, &[Bytes::from_static(b"SELECT"), db]);
            aof.selected_db = Some(op.db);
        }
        encode(&mut aof.buffer, &op.args);
    }
}

/// Writes the buffer to the incremental file and fsyncs as `appendfsync` says. Runs
/// before replies are written, so with `always` nothing is acknowledged before it is
/// on disk. A write error keeps the data buffered and refuses writes (-MISCONF) until
/// a write succeeds; with `always`, as in Redis, the server exits.
pub fn flush(server: &mut ServerState) {
    if !server.propagation.ops.is_empty() {
        feed(server);
    }
    if server.aof.file.is_none() {
        return;
    }
    if !server.aof.buffer.is_empty() {
        write_buffer(server);
    }
    try_fsync(server);
}

fn write_buffer(server: &mut ServerState) {
    let aof = &mut server.aof;
    let Some(file) = aof.file.as_mut() else {
        return;
    };
    match file.write_all(&aof.buffer) {
        Ok(()) => {
            let n = aof.buffer.len() as u64;
            aof.incr_size += n;
            aof.current_size += n;
            aof.buffer.clear();
            if aof.buffer.capacity() > 64 * 1024 {
                aof.buffer = Vec::new();
            }
            if !aof.last_write_ok {
                log::warn!("AOF write error looks solved, Redis can write again.");
                aof.last_write_ok = true;
            }
        }
        Err(e) => {
            log::warn!("Error writing to the AOF file: {}", os_text(&e));
            if server.config.appendfsync == AppendFsync::Always {
                log::warn!("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
                std::process::exit(1);
            }
            aof.last_write_ok = false;
            aof.last_write_error = os_text(&e);
            // A partial write is cut back so the file never holds half a command.
            let _ = file.set_len(aof.incr_size);
        }
    }
}

fn try_fsync(server: &mut ServerState) {
    let aof = &mut server.aof;
    if aof.fsynced_size == aof.incr_size {
        return;
    }
    if server.config.no_appendfsync_on_rewrite
        && (aof.rewrite.is_some() || server.rdb.in_progress())
    {
        return;
    }
    let now_secs = server.now_ms / 1000;
    let Some(file) = aof.file.as_ref() else {
        return;
    };
    match server.config.appendfsync {
        AppendFsync::Always => {
            if let Err(e) = file.sync_data() {
                log::warn!("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...", os_text(&e));
                std::process::exit(1);
            }
            aof.fsynced_size = aof.incr_size;
            aof.last_fsync_secs = now_secs;
        }
        AppendFsync::Everysec if now_secs > aof.last_fsync_secs => {
            if aof.fsync_running.load(Ordering::Acquire) {
                return;
            }
            let Ok(handle) = file.try_clone() else {
                return;
            };
            let running = aof.fsync_running.clone();
            running.store(true, Ordering::Release);
            server.background.run("aof-fsync", move || {
                if let Err(e) = handle.sync_data() {
                    log::warn!("Fail to fsync the AOF file: {e}");
                }
                running.store(false, Ordering::Release);
            });
            aof.fsynced_size = aof.incr_size;
            aof.last_fsync_secs = now_secs;
        }
        _ => {}
    }
}

/// Opens (creating) an incremental file for appending.
fn open_incr(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            format!(
                "Can't open the append-only file {}: {}",
                path.display(),
                os_text(&e)
            )
        })
}

/// Writes the manifest through a temp file and a rename.
fn persist_manifest(server: &ServerState, manifest: &Manifest) -> Result<(), String> {
    let target = manifest_path(server);
    let temp = aof_dir(server).join(format!("temp-{}.manifest", server.config.appendfilename));
    let text = manifest.render();
    replace_file(&temp, &target, |out| out.write_all(text.as_bytes())).map_err(|e| e.0)
}

fn create_dir(server: &ServerState) -> Result<(), String> {
    let dir = aof_dir(server);
    std::fs::create_dir_all(&dir).map_err(|e| {
        format!(
            "Can't open or create append-only dir {}: {}",
            dir.display(),
            os_text(&e)
        )
    })
}

/// At start with `appendonly yes`, after loading: makes a base for an empty AOF
/// (written in the loop: the dataset is empty or just loaded) and opens the last
/// incremental file for appending.
pub fn open_at_start(dbs: &[Db], server: &mut ServerState) -> Result<(), String> {
    create_dir(server)?;
    let mut manifest = server.aof.manifest.clone();
    let prefix = server.config.appendfilename.clone();
    if manifest.base.is_none() && manifest.incr.is_empty() {
        let name = manifest.new_base(&prefix, server.config.aof_use_rdb_preamble);
        let temp = PathBuf::from(format!("temp-rewriteaof-{}.aof", std::process::id()));
        write_base(dbs, server, &temp).map_err(|e| format!("Writing the AOF base file: {e}"))?;
        std::fs::rename(&temp, aof_dir(server).join(&name)).map_err(|e| os_text(&e))?;
        log::info!("Creating AOF base file {name} on server start");
    }
    let created = manifest.incr.is_empty();
    let name = match manifest.incr.last() {
        Some(last) => last.name.clone(),
        None => manifest.new_incr(&prefix),
    };
    let path = aof_dir(server).join(&name);
    let file = open_incr(&path)?;
    persist_manifest(server, &manifest)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    server.aof.manifest = manifest;
    server.aof.file = Some(file);
    server.aof.incr_size = size;
    server.aof.fsynced_size = size;
    server.aof.on = true;
    server.aof.current_size = files_size(server);
    server.aof.base_size = server.aof.current_size;
    sync_recording(server);
    let verb = if created { "Creating" } else { "Opening" };
    log::info!("{verb} AOF incr file {name} on server start");
    Ok(())
}

/// Bytes of the base and incremental files.
fn files_size(server: &ServerState) -> u64 {
    let dir = aof_dir(server);
    server
        .aof
        .manifest
        .load_order()
        .filter_map(|f| std::fs::metadata(dir.join(&f.name)).ok())
        .map(|m| m.len())
        .sum()
}

/// Writes a base file of the whole dataset to `path`: an RDB file, or (with
/// `aof-use-rdb-preamble no`) commands: each library as FUNCTION LOAD, each key as
/// RESTORE of its DUMP payload plus PEXPIREAT, which Redis and this server both replay.
fn write_base(dbs: &[Db], server: &ServerState, path: &Path) -> Result<(), String> {
    if server.config.aof_use_rdb_preamble {
        return snapshot::write_to(dbs, server, path, &PathBuf::from(path)).map(|_| ());
    }
    let opts = snapshot::save_options(&server.config);
    let mut out = Vec::new();
    for code in server.scripting.functions.library_codes() {
        let load = [
            Bytes::from_static(b"FUNCTION"),
            Bytes::from_static(b"LOAD"),
            code,
        ];
        encode(&mut out, &load);
    }
    for (index, db) in dbs.iter().enumerate().filter(|(_, db)| !db.is_empty()) {
        encode(
            &mut out,
            &[
                Bytes::from_static(b"SELECT"),
                Bytes::from(index.to_string()),
            ],
        );
        for (key, obj) in db.iter() {
            let payload = Bytes::from(dump_payload(&obj.value, opts));
            let restore = [
                Bytes::from_static(b"RESTORE"),
                key.to_bytes(),
                Bytes::from_static(b"0"),
                payload,
            ];
            encode(&mut out, &restore);
            if let Some(when) = db.expire_at(key.as_slice()) {
                let at = [
                    Bytes::from_static(b"PEXPIREAT"),
                    key.to_bytes(),
                    Bytes::from(when.to_string()),
                ];
                encode(&mut out, &at);
            }
        }
    }
    replace_file(path, path, |file| file.write_all(&out)).map_err(|e| e.0)
}

/// BGREWRITEAOF (and the automatic and enabling rewrites): a fresh incremental file
/// takes the writes from now on while a child writes the new base.
pub fn start_rewrite(dbs: &[Db], server: &mut ServerState) -> Result<(), String> {
    if server.child_active() {
        return Err("another child process is active".into());
    }
    if let Err(e) = create_dir(server).and_then(|()| switch_incr(server)) {
        server.aof.last_rewrite_ok = false;
        log::warn!("{e}");
        return Err(e);
    }
    server.aof.rewrites += 1;
    let snapshot_of: &ServerState = server;
    let child = fork_child(|| {
        let temp = PathBuf::from(format!("temp-rewriteaof-bg-{}.aof", std::process::id()));
        match write_base(dbs, snapshot_of, &temp) {
            Ok(()) => {
                log::info!(
                    "Successfully created the temporary AOF base file {}",
                    temp.display()
                );
                true
            }
            Err(e) => {
                log::warn!("{e}");
                false
            }
        }
    })
    .map_err(|e| {
        let text = format!(
            "Can't rewrite append only file in background: fork: {}",
            os_text(&e)
        );
        log::warn!("{text}");
        text
    });
    let child = match child {
        Ok(child) => child,
        Err(e) => {
            server.aof.last_rewrite_ok = false;
            return Err(e);
        }
    };
    log::info!(
        "Background append only file rewriting started by pid {}",
        child.pid()
    );
    snapshot::child_started();
    server.rdb.total_forks += 1;
    server.rdb.latest_fork_usec = child.fork_usec;
    server.aof.rewrite_scheduled = false;
    server.aof.rewrite = Some(AofRewrite {
        child,
        started_secs: server.now_ms / 1000,
    });
    sync_recording(server);
    Ok(())
}

/// Before a rewrite: everything so far goes to the current file, and the writes from
/// now on to a new incremental file (a temporary one while the AOF is being turned
/// on), recorded in the manifest first.
fn switch_incr(server: &mut ServerState) -> Result<(), String> {
    if !server.aof.on && !server.aof.waiting_rewrite {
        server.aof.selected_db = None;
        return Ok(());
    }
    flush(server);
    // Only now, after the flush: the commands it encoded (with the SELECT their
    // database needed) went to the old file, and the new file's first command must
    // bring its own SELECT.
    server.aof.selected_db = None;
    let dir = aof_dir(server);
    let prefix = server.config.appendfilename.clone();
    let (file, manifest) = if server.aof.waiting_rewrite {
        let temp = dir.join(temp_incr_name(&prefix));
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&temp);
        (file.map_err(|e| os_text(&e))?, None)
    } else {
        let mut manifest = server.aof.manifest.clone();
        let name = manifest.new_incr(&prefix);
        let file = open_incr(&dir.join(&name))?;
        persist_manifest(server, &manifest)?;
        log::info!("Creating AOF incr file {name} on background rewrite");
        (file, Some(manifest))
    };
    if let Some(old) = server.aof.file.replace(file) {
        server.background.run("aof-fsync", move || {
            let _ = old.sync_data();
        });
    }
    if let Some(manifest) = manifest {
        server.aof.manifest = manifest;
    }
    server.aof.incr_size = 0;
    server.aof.fsynced_size = 0;
    Ok(())
}

fn temp_incr_name(prefix: &str) -> String {
    format!("temp-{prefix}.incr")
}

/// The cron's part: reap a finished rewrite, run a scheduled one, start one when the
/// AOF grew past `auto-aof-rewrite-percentage`.
pub fn cron(dbs: &[Db], server: &mut ServerState) {
    if let Some(rewrite) = server.aof.rewrite.as_mut() {
        if let Some(exit) = rewrite.child.try_wait() {
            finish_rewrite(server, exit);
        }
        return;
    }
    if server.child_active() {
        return;
    }
    if !server.aof.rewrite_scheduled && !grown_past_limit(server) {
        return;
    }
    if rewrite_limited(server) {
        return;
    }
    if !server.aof.rewrite_scheduled {
        log::info!(
            "Starting automatic rewriting of AOF on {}% growth",
            growth(server)
        );
    }
    let _ = start_rewrite(dbs, server);
}

/// Failures after which automatic rewrites are spaced out.
const LIMIT_AFTER_FAILURES: u64 = 3;
/// Longest wait between limited automatic rewrites, in minutes.
const LIMIT_MAX_MINUTES: i64 = 60;

/// True while automatic (and scheduled) rewrites wait after repeated failures, as
/// Redis's aofRewriteLimited: the wait doubles from one minute up to an hour with
/// each failure past the third. BGREWRITEAOF itself is never held.
fn rewrite_limited(server: &mut ServerState) -> bool {
    let now_secs = server.now_ms / 1000;
    let aof = &mut server.aof;
    if aof.consecutive_failures < LIMIT_AFTER_FAILURES {
        aof.limit_delay_minutes = 0;
        aof.limit_until_secs = 0;
        return false;
    }
    if aof.limit_until_secs != 0 {
        if now_secs < aof.limit_until_secs {
            return true;
        }
        aof.limit_until_secs = 0;
        return false;
    }
    aof.limit_delay_minutes = (aof.limit_delay_minutes * 2).clamp(1, LIMIT_MAX_MINUTES);
    aof.limit_until_secs = now_secs + aof.limit_delay_minutes * 60;
    log::warn!(
        "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
        aof.limit_delay_minutes
    );
    true
}

fn grown_past_limit(server: &ServerState) -> bool {
    let (config, aof) = (&server.config, &server.aof);
    if !aof.on
        || config.auto_aof_rewrite_percentage == 0
        || aof.current_size <= config.auto_aof_rewrite_min_size
    {
        return false;
    }
    growth(server) >= config.auto_aof_rewrite_percentage
}

/// How much the AOF grew since its last rewrite, in percent of its size then.
fn growth(server: &ServerState) -> u64 {
    let aof = &server.aof;
    let base = aof.base_size.max(1);
    (aof.current_size.saturating_mul(100) / base).saturating_sub(100)
}

/// Installs a finished rewrite's base (Redis's `backgroundRewriteDoneHandler`).
fn finish_rewrite(server: &mut ServerState, exit: ChildExit) {
    let Some(rewrite) = server.aof.rewrite.take() else {
        return;
    };
    snapshot::child_ended();
    let pid = rewrite.child.pid();
    server.aof.last_rewrite_secs = server.now_ms / 1000 - rewrite.started_secs;
    server.aof.last_cow_bytes = exit.cow_bytes;
    let temp = PathBuf::from(format!("temp-rewriteaof-bg-{pid}.aof"));
    let outcome = if exit.success && exit.signal.is_none() {
        log::info!("Background AOF rewrite terminated with success");
        install_rewrite(server, &temp)
    } else {
        let how = exit
            .signal
            .map_or("with error".to_string(), |s| format!("by signal {s}"));
        log::warn!("Background AOF rewrite terminated {how}");
        Err(exit.signal == Some(libc::SIGUSR1))
    };
    let _ = std::fs::remove_file(&temp);
    match outcome {
        Ok(()) => {
            server.aof.last_rewrite_ok = true;
            server.aof.consecutive_failures = 0;
            log::info!("Background AOF rewrite finished successfully");
        }
        Err(killed) => {
            if !killed {
                server.aof.last_rewrite_ok = false;
                server.aof.consecutive_failures += 1;
            }
            if server.aof.waiting_rewrite {
                server.aof.buffer.clear();
                server.aof.file = None;
                let name = temp_incr_name(&server.config.appendfilename);
                let _ = std::fs::remove_file(aof_dir(server).join(&name));
                log::info!("Removing the temp incr aof file {name} in the background");
                server.aof.rewrite_scheduled = true;
            }
        }
    }
    sync_recording(server);
}

/// Renames the new base (and, when turning the AOF on, the temporary incremental
/// file) into place and writes the manifest. Err(false): the rewrite failed.
fn install_rewrite(server: &mut ServerState, temp: &Path) -> Result<(), bool> {
    let dir = aof_dir(server);
    let prefix = server.config.appendfilename.clone();
    let mut manifest = server.aof.manifest.clone();
    let base = manifest.new_base(&prefix, server.config.aof_use_rdb_preamble);
    let fail = |what: String| {
        log::warn!("{what}");
        false
    };
    std::fs::rename(temp, dir.join(&base)).map_err(|e| {
        fail(format!(
            "Error trying to rename the temporary AOF base file: {}",
            os_text(&e)
        ))
    })?;
    if server.aof.waiting_rewrite {
        let incr = manifest.new_incr(&prefix);
        std::fs::rename(dir.join(temp_incr_name(&prefix)), dir.join(&incr)).map_err(|e| {
            fail(format!(
                "Error trying to rename the temporary AOF incr file: {}",
                os_text(&e)
            ))
        })?;
    }
    if server.aof.file.is_some() {
        manifest.retire_rewritten_incr();
    } else {
        manifest.retire_all_incr();
    }
    persist_manifest(server, &manifest).map_err(fail)?;
    sync_dir(&dir.join(&base));
    server.aof.manifest = manifest;
    if server.aof.waiting_rewrite {
        server.aof.waiting_rewrite = false;
        server.aof.on = true;
    }
    delete_history(server);
    server.aof.current_size = files_size(server);
    server.aof.base_size = server.aof.current_size;
    Ok(())
}

/// Deletes the files a rewrite retired, unless `aof-disable-auto-gc`.
pub fn delete_history(server: &mut ServerState) {
    if server.config.aof_disable_auto_gc || server.aof.manifest.history.is_empty() {
        return;
    }
    let dir = aof_dir(server);
    let mut manifest = server.aof.manifest.clone();
    let history = std::mem::take(&mut manifest.history);
    if persist_manifest(server, &manifest).is_err() {
        return;
    }
    for file in history {
        let _ = std::fs::remove_file(dir.join(&file.name));
        log::info!("Removing the history file {} in the background", file.name);
    }
    server.aof.manifest = manifest;
}

/// CONFIG SET appendonly: turning on starts the rewrite that makes the first base
/// (the AOF counts once it is done); turning off flushes, fsyncs and closes. Inside
/// EXEC the rewrite is only scheduled: a base taken mid-transaction would hold the
/// transaction's first commands and the AOF would then get the whole transaction too.
pub fn apply_config(dbs: &[Db], server: &mut ServerState, in_exec: bool) -> Result<(), Failed> {
    let wanted = server.config.appendonly;
    let active = server.aof.on || server.aof.waiting_rewrite;
    let mut result = Ok(());
    if wanted && !active {
        server.aof.waiting_rewrite = true;
        if server.child_active() {
            server.aof.rewrite_scheduled = true;
            log::warn!("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
        } else if in_exec {
            server.aof.rewrite_scheduled = true;
            log::warn!("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
        } else if let Err(e) = start_rewrite(dbs, server) {
            server.aof.waiting_rewrite = false;
            log::warn!("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation: {e}");
            result = Err(Failed);
        }
    } else if !wanted && active {
        stop(server);
    }
    sync_recording(server);
    result
}

/// Turns the AOF off: the buffer is written and fsynced, any rewrite is killed.
pub fn stop(server: &mut ServerState) {
    flush(server);
    if let Some(file) = server.aof.file.take() {
        let _ = file.sync_data();
    }
    kill_rewrite(server);
    server.aof.on = false;
    server.aof.waiting_rewrite = false;
    server.aof.rewrite_scheduled = false;
    server.aof.selected_db = None;
    server.aof.buffer.clear();
    sync_recording(server);
}

/// Stops a rewrite in progress (shutdown, AOF turned off).
pub fn kill_rewrite(server: &mut ServerState) {
    if let Some(rewrite) = server.aof.rewrite.take() {
        let pid = rewrite.child.pid();
        let _ = rewrite.child.kill();
        let _ = std::fs::remove_file(format!("temp-rewriteaof-bg-{pid}.aof"));
        snapshot::child_ended();
        log::warn!("Killing running AOF rewrite child: {pid}");
    }
}

/// Shutdown: a rewrite is stopped, everything recorded reaches the disk. While the
/// AOF is still being turned on there is no complete AOF yet: refused unless `force`.
pub fn prepare_shutdown(server: &mut ServerState, force: bool) -> Result<(), Failed> {
    if server.aof.waiting_rewrite && !force {
        log::warn!("Writing initial AOF, can't exit.");
        return Err(Failed);
    }
    kill_rewrite(server);
    if server.aof.on {
        log::info!("Calling fsync() on the AOF file.");
        flush(server);
        if let Some(file) = server.aof.file.as_ref() {
            let _ = file.sync_data();
        }
    }
    Ok(())
}
