//! The replication stream a SYNC client reads (Redis's test harness, `redis-cli
//! --replica`): the same commands sent to our server and to a real redis-server 7.0
//! must come out of both streams as the same commands, byte for byte (deadlines
//! aside), including how each write is rewritten for replay (relative TTLs as PXAT,
//! GETDEL as DEL, INCRBYFLOAT as SET KEEPTTL, ZMPOP/LMPOP/blocking pops as plain
//! pops, XREADGROUP as the XCLAIMs and XGROUP calls that replay its deliveries) and
//! which groups are wrapped in MULTI/EXEC.

mod common;

use std::io::Read;
use std::time::Duration;

use common::{scratch_dir, RawConn, RealRedis, TestServer};

/// Sends SYNC on `conn` and reads past the snapshot: newlines (keep-alives while it is
/// prepared), `$<len>\r\n` and the RDB bytes. Returns the snapshot.
fn attach(conn: &mut RawConn) -> Vec<u8> {
    conn.send(b"SYNC\r\n");
    let header = loop {
        let line = read_line(conn);
        if !line.is_empty() {
            break line;
        }
    };
    assert_eq!(header[0], b'$', "{}", String::from_utf8_lossy(&header));
    let len: usize = String::from_utf8_lossy(&header[1..])
        .parse()
        .expect("length");
    conn.read_exact(len)
}

/// One line without its line ending.
fn read_line(conn: &mut RawConn) -> Vec<u8> {
    let mut line = Vec::new();
    let mut byte = [0u8];
    while conn.stream.read_exact(&mut byte).is_ok() && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    line
}

/// One command of the stream, as its arguments.
fn read_command(conn: &mut RawConn) -> Vec<String> {
    let header = read_line(conn);
    let count: usize = String::from_utf8_lossy(&header[1..])
        .parse()
        .expect("count");
    (0..count)
        .map(|_| {
            let len_line = read_line(conn);
            let len: usize = String::from_utf8_lossy(&len_line[1..])
                .parse()
                .expect("len");
            let arg = conn.read_exact(len + 2);
            String::from_utf8_lossy(&arg[..len]).into_owned()
        })
        .collect()
}

/// The commands sent, one per line (arguments split on spaces).
const SCRIPT: &[&str] = &[
    "SELECT 9",
    "SET foo1 bar EX 200",
    "SET foo2 bar PXAT 99999999999999",
    "GETDEL foo1",
    "GETDEL nosuch",
    "INCRBYFLOAT f 1.5",
    "ZADD z 1 a 2 b 3 c",
    "ZMPOP 1 z MIN COUNT 2",
    "ZMPOP 1 z MAX COUNT 7",
    "RPUSH l a b c",
    "LMPOP 1 l LEFT COUNT 5",
    "RPUSH l x y",
    "BLPOP l 0",
    "BLMPOP 0 1 l RIGHT COUNT 3",
    "RPUSH src 1 2",
    "BLMOVE src dst LEFT RIGHT 0",
    "BRPOPLPUSH src dst 0",
    "ZADD bz 5 m",
    "BZPOPMIN bz 0",
    "MULTI",
    "SET a 1",
    "SET b 2",
    "EXEC",
    "MULTI",
    "SET single 1",
    "EXEC",
    "XADD st 1-1 f v",
    "XADD st 2-1 f v",
    "XADD st 3-1 f v",
    "XGROUP CREATE st g 0",
    "XREADGROUP GROUP g alice COUNT 2 STREAMS st >",
    "XREADGROUP GROUP g alice STREAMS st 0",
    "XREADGROUP GROUP g bob NOACK STREAMS st >",
    "XREADGROUP GROUP g bob NOACK STREAMS st >",
    "MULTI",
    "XADD st 4-1 f v",
    "XREADGROUP GROUP g carol STREAMS st >",
    "EXEC",
    "PUBLISH chan hello",
    "MULTI",
    "PUBLISH chan one",
    "SET afterpub 1",
    "EXEC",
    "EVAL redis.call('publish','chan','lua') 0",
    "DEBUG SET-ACTIVE-EXPIRE 0",
    "SET e1 v PX 1",
    "SET end 1",
];

/// Runs the script on `ours_or_redis` with a SYNC reader attached; returns what the
/// stream carried up to the final write, deadlines replaced by `*`.
fn stream_of(mut conn: RawConn, mut reader: RawConn) -> Vec<Vec<String>> {
    conn.cmd(&[b"CONFIG", b"SET", b"repl-ping-replica-period", b"3600"]);
    let snapshot = attach(&mut reader);
    assert!(snapshot.starts_with(b"REDIS00"), "an RDB payload");
    for line in SCRIPT {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        conn.cmd(&args);
    }
    std::thread::sleep(Duration::from_millis(20));
    // Lazy expiry found by a read: its DEL comes out alone, never in MULTI/EXEC. (One
    // key only: SCAN's order, and so the order of several DELs, is the table's.)
    conn.cmd(&[b"SCAN", b"0"]);
    conn.cmd(&[b"SET", b"done", b"1"]);
    conn.cmd(&[b"DEBUG", b"SET-ACTIVE-EXPIRE", b"1"]);
    let mut seen = Vec::new();
    loop {
        let mut command = read_command(&mut reader);
        if command.len() >= 5 && command[3] == "PXAT" {
            command[4] = "*".into();
        }
        if command.len() == 14 && command[0] == "XCLAIM" {
            command[7] = "*".into();
        }
        let last = command == ["SET", "done", "1"];
        seen.push(command);
        if last {
            return seen;
        }
    }
}

#[test]
fn the_stream_matches_redis_command_for_command() {
    let dir = scratch_dir("replication-stream");
    let Some(redis) = RealRedis::start(&dir, &["--save", ""]) else {
        eprintln!("redis-server is not installed: nothing to compare with");
        return;
    };
    let ours = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let theirs = stream_of(redis.raw(), redis.raw());
    let mine = stream_of(ours.raw(), ours.raw());
    assert_eq!(mine, theirs);
    assert!(theirs.len() > 20, "the stream carried the script");
}

#[test]
fn a_sync_client_is_a_replica_and_leaves_cleanly() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let mut reader = server.raw();
    attach(&mut reader);
    let info = String::from_utf8_lossy(&conn.cmd(&[b"INFO", b"replication"])).into_owned();
    assert!(info.contains("connected_slaves:1"), "{info}");
    let list =
        String::from_utf8_lossy(&conn.cmd(&[b"CLIENT", b"LIST", b"TYPE", b"replica"])).into_owned();
    assert!(list.contains("flags=S"), "{list}");
    drop(reader);
    std::thread::sleep(Duration::from_millis(100));
    let info = String::from_utf8_lossy(&conn.cmd(&[b"INFO", b"replication"])).into_owned();
    assert!(info.contains("connected_slaves:0"), "{info}");
    assert_eq!(conn.cmd(&[b"SET", b"after", b"1"]), b"+OK\r\n");
}
