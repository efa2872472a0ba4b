//! The append-only file: what a client was told is done survives kill -9 under each
//! `appendfsync` policy; commands whose effect depends on the clock or on chance replay
//! to the same data; BGREWRITEAOF, turning the AOF on at run time, a file cut short,
//! and files that travel both ways with real redis-server 7.0 (and pass
//! `redis-check-aof`).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{scratch_dir, RawConn, RealRedis, TestServer};

fn ours_in(dir: &Path, extra: &[&str]) -> TestServer {
    let mut args = vec![
        "--dir",
        dir.to_str().expect("utf-8"),
        "--appendonly",
        "yes",
        "--save",
        "",
        "--enable-debug-command",
        "yes",
    ];
    args.extend_from_slice(extra);
    TestServer::start_with(&args)
}

fn info_field(conn: &mut RawConn, field: &str) -> String {
    let info = conn.cmd(&[b"INFO", b"persistence"]);
    String::from_utf8_lossy(&info)
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")).map(str::to_string))
        .unwrap_or_default()
}

fn wait_rewrite_done(conn: &mut RawConn) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while info_field(conn, "aof_rewrite_in_progress") != "0"
        || info_field(conn, "aof_rewrite_scheduled") != "0"
    {
        assert!(Instant::now() < deadline, "rewrite never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn cmd(conn: &mut RawConn, line: &str) -> Vec<u8> {
    let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    conn.cmd(&args)
}

/// Writes whose replay must not depend on when or by chance: TTLs, SPOP, XADD *,
/// a transaction, a script, and keys that expire.
fn nondeterministic_writes(conn: &mut RawConn) {
    for line in [
        "SET plain v",
        "SET withex v EX 1000",
        "SETEX setex 1000 v",
        "SET gone v PX 1",
        "EXPIRE plain 5000",
        "SADD s a b c d e f g h i j",
        "SPOP s",
        "SPOP s 3",
        "XADD st * f v",
        "XADD st MAXLEN ~ 1 * f v2",
        "RPUSH l a b c",
        "INCRBYFLOAT f 1.5",
        "MULTI",
        "INCR counter",
        "LPUSH l z",
        "EXEC",
    ] {
        let reply = cmd(conn, line);
        assert!(
            !reply.starts_with(b"-"),
            "{line}: {}",
            String::from_utf8_lossy(&reply)
        );
    }
    let script = b"redis.call('SET', 'fromscript', '1'); return redis.call('SPOP', KEYS[1])";
    conn.cmd(&[b"EVAL", script, b"1", b"s"]);
    std::thread::sleep(Duration::from_millis(5));
    cmd(conn, "GET gone");
}

fn digest(conn: &mut RawConn) -> Vec<u8> {
    conn.cmd(&[b"DEBUG", b"DIGEST"])
}

#[test]
fn writes_replay_to_the_same_data_after_kill_9() {
    let dir = scratch_dir("aof-replay");
    let (before, ttl) = {
        let ours = ours_in(&dir, &["--appendfsync", "always"]);
        let mut conn = ours.raw();
        nondeterministic_writes(&mut conn);
        assert_eq!(info_field(&mut conn, "aof_enabled"), "1");
        (digest(&mut conn), cmd(&mut conn, "PEXPIRETIME withex"))
    };
    let aof_dir = dir.join("appendonlydir");
    let manifest =
        std::fs::read_to_string(aof_dir.join("appendonly.aof.manifest")).expect("manifest");
    assert_eq!(
        manifest,
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    assert_eq!(digest(&mut conn), before);
    assert_eq!(cmd(&mut conn, "PEXPIRETIME withex"), ttl);
    assert_eq!(cmd(&mut conn, "EXISTS gone"), b":0\r\n");
}

#[test]
fn bgrewriteaof_compacts_and_keeps_everything() {
    let dir = scratch_dir("aof-rewrite");
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    nondeterministic_writes(&mut conn);
    assert_eq!(
        cmd(&mut conn, "BGREWRITEAOF"),
        b"+Background append only file rewriting started\r\n"
    );
    wait_rewrite_done(&mut conn);
    assert_eq!(info_field(&mut conn, "aof_last_bgrewrite_status"), "ok");
    cmd(&mut conn, "SET after rewrite");
    let before = digest(&mut conn);
    let aof_dir = dir.join("appendonlydir");
    let manifest =
        std::fs::read_to_string(aof_dir.join("appendonly.aof.manifest")).expect("manifest");
    assert_eq!(
        manifest,
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    assert!(
        !aof_dir.join("appendonly.aof.1.incr.aof").exists(),
        "history kept"
    );
    drop(ours);
    let ours = ours_in(&dir, &[]);
    assert_eq!(digest(&mut ours.raw()), before);
}

#[test]
fn turning_the_aof_on_at_run_time_writes_a_base_first() {
    let dir = scratch_dir("aof-enable");
    let ours = TestServer::start_with(&[
        "--dir",
        dir.to_str().expect("utf-8"),
        "--save",
        "",
        "--enable-debug-command",
        "yes",
    ]);
    let mut conn = ours.raw();
    cmd(&mut conn, "SET before-aof 1");
    assert_eq!(cmd(&mut conn, "CONFIG SET appendonly yes"), b"+OK\r\n");
    wait_rewrite_done(&mut conn);
    assert_eq!(info_field(&mut conn, "aof_enabled"), "1");
    cmd(&mut conn, "SET after-aof 1");
    let before = digest(&mut conn);
    assert_eq!(cmd(&mut conn, "DEBUG LOADAOF"), b"+OK\r\n");
    assert_eq!(digest(&mut conn), before);
    drop(ours);
    let ours = ours_in(&dir, &[]);
    assert_eq!(digest(&mut ours.raw()), before);
}

/// Writes an AOF directory by hand into `dir`: the manifest's text, and each file's
/// commands. Returns the directory's path.
fn write_aof_dir(dir: &Path, manifest: &str, files: &[(&str, &[&[&[u8]]])]) -> std::path::PathBuf {
    let aof_dir = dir.join("appendonlydir");
    std::fs::create_dir_all(&aof_dir).expect("dir");
    std::fs::write(aof_dir.join("appendonly.aof.manifest"), manifest).expect("manifest");
    for (name, commands) in files {
        let bytes: Vec<u8> = commands
            .iter()
            .flat_map(|args| common::encode(args))
            .collect();
        std::fs::write(aof_dir.join(name), bytes).expect("aof file");
    }
    aof_dir
}

/// A file the manifest names but the directory lacks stops start-up before anything
/// loads (as in Redis), instead of serving part of the history.
#[test]
fn a_missing_file_named_by_the_manifest_stops_start_up() {
    let dir = scratch_dir("aof-missing-file");
    write_aof_dir(
        &dir,
        "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
        &[("appendonly.aof.1.incr.aof", &[&[b"SET", b"k", b"v"]])],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_rredis-server"))
        .args(["--port", "0", "--bind", "127.0.0.1", "--appendonly", "yes"])
        .arg("--dir")
        .arg(&dir)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        log.contains("Unable to obtain the AOF file appendonly.aof.1.base.aof length"),
        "{log}"
    );
}

/// Every FLUSHALL and FLUSHDB is logged, also of empty databases and when FLUSHALL's
/// own save brings the change counter back to where it was (as Redis logs them).
#[test]
fn every_flush_reaches_the_aof() {
    let dir = scratch_dir("aof-flushes");
    let ours = ours_in(&dir, &["--save", "900 1"]);
    let mut conn = ours.raw();
    wait_rewrite_done(&mut conn);
    for line in [
        "SET k v", "FLUSHALL", "FLUSHALL", "FLUSHDB", "FLUSHDB", "SET k v2", "FLUSHALL",
    ] {
        assert_eq!(cmd(&mut conn, line), b"+OK\r\n", "{line}");
    }
    // FLUSHALL's own save leaves no change unsaved (as in Redis 7.0).
    assert_eq!(info_field(&mut conn, "rdb_changes_since_last_save"), "0");
    let aof_dir = dir.join("appendonlydir");
    let mut logged = String::new();
    for entry in std::fs::read_dir(&aof_dir).expect("aof dir") {
        let path = entry.expect("entry").path();
        if path.to_string_lossy().ends_with(".incr.aof") {
            logged.push_str(&String::from_utf8_lossy(
                &std::fs::read(&path).expect("read"),
            ));
        }
    }
    let logged = logged.to_ascii_lowercase();
    assert_eq!(logged.matches("\r\nflushall\r\n").count(), 3, "{logged}");
    assert_eq!(logged.matches("\r\nflushdb\r\n").count(), 2, "{logged}");
}

/// While an AOF loads nothing expires and a past deadline does not delete (as in
/// Redis): the list that PEXPIREAT gave a past deadline still takes the RPUSH after
/// it, and the whole list is gone once loading ends.
#[test]
fn a_past_deadline_in_the_aof_applies_to_everything_after_it() {
    let dir = scratch_dir("aof-past-expire");
    let commands: &[&[&[u8]]] = &[
        &[b"RPUSH", b"list", b"foo"],
        &[b"PEXPIREAT", b"list", b"1000"],
        &[b"RPUSH", b"list", b"bar"],
        &[b"SET", b"kept", b"1"],
    ];
    write_aof_dir(
        &dir,
        "file appendonly.aof.1.incr.aof seq 1 type i\n",
        &[("appendonly.aof.1.incr.aof", commands)],
    );
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    assert_eq!(cmd(&mut conn, "LLEN list"), b":0\r\n");
    assert_eq!(cmd(&mut conn, "EXISTS list kept"), b":1\r\n");
    // Outside loading, a past deadline deletes at once, as before.
    cmd(&mut conn, "RPUSH other x");
    assert_eq!(cmd(&mut conn, "PEXPIREAT other 1000"), b":1\r\n");
    assert_eq!(cmd(&mut conn, "DBSIZE"), b":1\r\n");
}

/// A write in another database, recorded in the same loop turn as BGREWRITEAOF, goes
/// to the old file with its SELECT; the new incremental file must then start with a
/// SELECT of its own, or the writes after the rewrite replay into database 0.
#[test]
fn writes_after_a_rewrite_replay_into_their_own_database() {
    let dir = scratch_dir("aof-rewrite-select");
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    wait_rewrite_done(&mut conn);
    let mut batch = Vec::new();
    for args in [
        &[&b"SELECT"[..], b"9"][..],
        &[b"SET", b"before", b"1"],
        &[b"BGREWRITEAOF"],
        &[b"SET", b"after", b"2"],
    ] {
        batch.extend(common::encode(args));
    }
    conn.send(&batch);
    for _ in 0..4 {
        conn.read_reply();
    }
    wait_rewrite_done(&mut conn);
    cmd(&mut conn, "SET later 3");
    let before = digest(&mut conn);
    assert_eq!(cmd(&mut conn, "DEBUG LOADAOF"), b"+OK\r\n");
    assert_eq!(digest(&mut conn), before);
    drop(ours);
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    assert_eq!(cmd(&mut conn, "DBSIZE"), b":0\r\n");
    cmd(&mut conn, "SELECT 9");
    assert_eq!(
        cmd(&mut conn, "MGET before after later"),
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
}

/// Turned on inside a transaction, the AOF's first rewrite waits for EXEC to end (as
/// in Redis): a base taken mid-transaction would hold its first commands, and the
/// transaction would then be logged after it again.
#[test]
fn the_aof_turned_on_inside_exec_counts_the_transaction_once() {
    let dir = scratch_dir("aof-in-exec");
    let ours = TestServer::start_with(&[
        "--dir",
        dir.to_str().expect("utf-8"),
        "--save",
        "",
        "--enable-debug-command",
        "yes",
    ]);
    let mut conn = ours.raw();
    for line in ["MULTI", "INCR n", "CONFIG SET appendonly yes", "INCR n"] {
        cmd(&mut conn, line);
    }
    // EXEC and INFO in one write run in one loop turn, before the cron can start the
    // rewrite: it is scheduled, not started.
    let mut both = common::encode(&[b"EXEC"]);
    both.extend(common::encode(&[b"INFO", b"persistence"]));
    conn.send(&both);
    assert_eq!(conn.read_reply(), b"*3\r\n:1\r\n+OK\r\n:2\r\n");
    let info = String::from_utf8_lossy(&conn.read_reply()).to_string();
    assert!(info.contains("aof_rewrite_scheduled:1\r\n"), "{info}");
    assert!(info.contains("aof_rewrite_in_progress:0\r\n"), "{info}");
    wait_rewrite_done(&mut conn);
    assert_eq!(info_field(&mut conn, "aof_enabled"), "1");
    cmd(&mut conn, "INCR n");
    drop(ours);
    let ours = ours_in(&dir, &[]);
    assert_eq!(cmd(&mut ours.raw(), "GET n"), b"$1\r\n3\r\n");
}

#[test]
fn a_cut_short_file_loads_up_to_its_last_command_only_when_allowed() {
    let dir = scratch_dir("aof-truncated");
    {
        let ours = ours_in(&dir, &[]);
        let mut conn = ours.raw();
        cmd(&mut conn, "SET complete 1");
    }
    let incr = dir.join("appendonlydir").join("appendonly.aof.1.incr.aof");
    let mut bytes = std::fs::read(&incr).expect("incr");
    let whole = bytes.len() as u64;
    bytes.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf");
    std::fs::write(&incr, &bytes).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_rredis-server"))
        .args([
            "--port",
            "0",
            "--dir",
            dir.to_str().expect("utf-8"),
            "--appendonly",
            "yes",
            "--aof-load-truncated",
            "no",
        ])
        .output()
        .expect("run");
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started on a truncated AOF:\n{log}");
    assert!(log.contains("appendonly.aof.1.incr.aof"), "{log}");
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    assert_eq!(cmd(&mut conn, "GET complete"), b"$1\r\n1\r\n");
    assert_eq!(std::fs::metadata(&incr).expect("incr").len(), whole);
}

#[test]
fn acknowledged_writes_survive_kill_9_with_every_fsync_policy() {
    for policy in ["always", "everysec", "no"] {
        let dir = scratch_dir("aof-crash");
        let ours = ours_in(&dir, &["--appendfsync", policy]);
        let mut conn = ours.raw();
        let mut acknowledged = 0u32;
        for i in 0..3000u32 {
            let key = format!("k{i}");
            conn.send_cmd(&[b"SET", key.as_bytes(), b"v"]);
            if i % 50 == 49 {
                for _ in 0..50 {
                    assert_eq!(conn.read_reply(), b"+OK\r\n");
                    acknowledged += 1;
                }
            }
        }
        drop(ours); // SIGKILL, with up to 0 replies unread
        let ours = ours_in(&dir, &[]);
        let kept = cmd(&mut ours.raw(), "DBSIZE");
        let kept: u32 = String::from_utf8_lossy(&kept[1..kept.len() - 2])
            .parse()
            .expect("count");
        assert!(
            kept >= acknowledged,
            "{policy}: {acknowledged} acknowledged, {kept} kept"
        );
    }
}

#[test]
fn files_travel_both_ways_with_real_redis() {
    let dir = scratch_dir("aof-ours");
    let before = {
        let ours = ours_in(&dir, &[]);
        let mut conn = ours.raw();
        nondeterministic_writes(&mut conn);
        conn.cmd(&[
            b"FUNCTION",
            b"LOAD",
            b"#!lua name=lib\nredis.register_function('f', function() return 1 end)",
        ]);
        digest(&mut conn)
    };
    if let Ok(out) = Command::new("redis-check-aof")
        .arg(dir.join("appendonlydir").join("appendonly.aof.manifest"))
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("is valid"),
            "redis-check-aof:\n{text}"
        );
    }
    let Some(redis) = RealRedis::start(&dir, &["--appendonly", "yes", "--save", ""]) else {
        eprintln!("redis-server is not installed: skipping the comparison with real Redis");
        return;
    };
    let mut conn = redis.raw();
    assert_eq!(digest(&mut conn), before);
    cmd(&mut conn, "SET written-by redis");
    cmd(&mut conn, "BGREWRITEAOF");
    std::thread::sleep(Duration::from_millis(500));
    cmd(&mut conn, "SET after-redis-rewrite 1");
    let redis_digest = digest(&mut conn);
    drop(redis);
    let ours = ours_in(&dir, &[]);
    assert_eq!(digest(&mut ours.raw()), redis_digest);
}

#[test]
fn an_old_style_single_file_aof_is_migrated_into_the_directory() {
    let dir = scratch_dir("aof-old-style");
    std::fs::write(
        dir.join("appendonly.aof"),
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n",
    )
    .expect("write");
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    assert_eq!(cmd(&mut conn, "GET old"), b"$5\r\nstyle\r\n");
    let manifest = std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest"))
        .expect("manifest");
    assert!(
        manifest.starts_with("file appendonly.aof seq 1 type b\n"),
        "{manifest}"
    );
    assert!(!dir.join("appendonly.aof").exists());
}

#[test]
fn kill_9_during_a_rewrite_loses_nothing() {
    let dir = scratch_dir("aof-kill-rewrite");
    let before = {
        let ours = ours_in(&dir, &["--enable-debug-command", "yes"]);
        let mut conn = ours.raw();
        cmd(&mut conn, "DEBUG POPULATE 200000");
        nondeterministic_writes(&mut conn);
        cmd(&mut conn, "BGREWRITEAOF");
        cmd(&mut conn, "SET during rewrite");
        digest(&mut conn)
    }; // SIGKILL while the child may still be writing
    std::thread::sleep(Duration::from_millis(300));
    let ours = ours_in(&dir, &[]);
    assert_eq!(digest(&mut ours.raw()), before);
}

/// A migration that stopped after writing the manifest but before moving the old
/// file is finished at the next start (as Redis finishes it).
#[test]
fn an_interrupted_migration_of_an_old_style_file_is_finished() {
    let dir = scratch_dir("aof-old-style-interrupted");
    std::fs::write(
        dir.join("appendonly.aof"),
        b"*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n",
    )
    .expect("write");
    let aof_dir = write_aof_dir(&dir, "file appendonly.aof seq 1 type b\n", &[]);
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    assert_eq!(cmd(&mut conn, "GET old"), b"$5\r\nstyle\r\n");
    assert!(!dir.join("appendonly.aof").exists());
    assert!(aof_dir.join("appendonly.aof").exists());
}

/// The manifest's file list as lines.
fn manifest_lines(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest"))
        .expect("manifest");
    text.lines().map(str::to_string).collect()
}

/// History kept under `aof-disable-auto-gc yes` goes as soon as it is turned off;
/// DEBUG LOADAOF takes the manifest on disk as it is, so the next incremental file
/// continues from its numbers (a rewrite with the AOF off leaves no incremental file,
/// and the next one is number 1 again, as in Redis).
#[test]
fn history_and_sequence_numbers_follow_the_manifest_on_disk() {
    let dir = scratch_dir("aof-history");
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    wait_rewrite_done(&mut conn);
    cmd(&mut conn, "CONFIG SET aof-disable-auto-gc yes");
    cmd(&mut conn, "SET k v");
    cmd(&mut conn, "BGREWRITEAOF");
    wait_rewrite_done(&mut conn);
    let kept = manifest_lines(&dir);
    assert!(kept.iter().any(|l| l.ends_with(" type h")), "{kept:?}");
    cmd(&mut conn, "CONFIG SET aof-disable-auto-gc no");
    let after = manifest_lines(&dir);
    assert_eq!(
        after,
        vec![
            "file appendonly.aof.2.base.rdb seq 2 type b".to_string(),
            "file appendonly.aof.2.incr.aof seq 2 type i".to_string()
        ]
    );
    assert!(!dir.join("appendonlydir/appendonly.aof.1.incr.aof").exists());
    cmd(&mut conn, "CONFIG SET appendonly no");
    cmd(&mut conn, "BGREWRITEAOF");
    wait_rewrite_done(&mut conn);
    assert_eq!(
        manifest_lines(&dir),
        vec!["file appendonly.aof.3.base.rdb seq 3 type b".to_string()]
    );
    assert_eq!(cmd(&mut conn, "DEBUG LOADAOF"), b"+OK\r\n");
    assert_eq!(cmd(&mut conn, "GET k"), b"$1\r\nv\r\n");
    cmd(&mut conn, "CONFIG SET appendonly yes");
    wait_rewrite_done(&mut conn);
    assert_eq!(
        manifest_lines(&dir),
        vec![
            "file appendonly.aof.4.base.rdb seq 4 type b".to_string(),
            "file appendonly.aof.1.incr.aof seq 1 type i".to_string()
        ]
    );
}

/// The pid of the server's forked child, once there is one.
fn child_pid(server_pid: u32) -> Option<String> {
    let path = format!("/proc/{server_pid}/task/{server_pid}/children");
    let children = std::fs::read_to_string(path).ok()?;
    children.split_whitespace().next().map(str::to_string)
}

/// After three rewrites in a row fail, automatic rewrites wait (a minute at first,
/// as Redis's limit): a failing rewrite must not start again, with a new incremental
/// file, on every cron tick. BGREWRITEAOF itself is still obeyed.
#[test]
fn repeated_rewrite_failures_hold_the_automatic_rewrites() {
    let dir = scratch_dir("aof-rewrite-limit");
    let ours = ours_in(&dir, &[]);
    let mut conn = ours.raw();
    wait_rewrite_done(&mut conn);
    for line in [
        "CONFIG SET rdb-key-save-delay 10000000",
        "CONFIG SET auto-aof-rewrite-percentage 1",
        "CONFIG SET auto-aof-rewrite-min-size 1kb",
        "SET k v",
    ] {
        assert_eq!(cmd(&mut conn, line), b"+OK\r\n", "{line}");
    }
    for _ in 0..3 {
        cmd(&mut conn, "BGREWRITEAOF");
        let deadline = Instant::now() + Duration::from_secs(10);
        let pid = loop {
            if let Some(pid) = child_pid(ours.pid()) {
                break pid;
            }
            assert!(Instant::now() < deadline, "no rewrite child");
            std::thread::sleep(Duration::from_millis(10));
        };
        let killed = Command::new("kill")
            .args(["-9", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        wait_rewrite_done(&mut conn);
    }
    let files = manifest_lines(&dir).len();
    cmd(&mut conn, &format!("SET x {}", "x".repeat(2048)));
    // Several cron ticks: nothing starts.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(info_field(&mut conn, "aof_rewrite_in_progress"), "0");
    assert_eq!(manifest_lines(&dir).len(), files);
    assert_eq!(
        cmd(&mut conn, "BGREWRITEAOF"),
        b"+Background append only file rewriting started\r\n"
    );
    assert_eq!(info_field(&mut conn, "aof_rewrite_in_progress"), "1");
}
