//! Real replication, master side: a real redis-server 7.0 replicates our server.
//! It loads the dataset (every type, several databases, TTLs), follows live writes
//! as they are propagated (EXPIRE as PEXPIREAT, scripts and MULTI as their effects,
//! SPOP as SREM, blocking pops as plain pops), continues with `+CONTINUE` after its
//! link is cut or it restarts, and acknowledges, which WAIT and
//! `min-replicas-to-write` count. Datasets are compared with DEBUG DIGEST, which both
//! servers compute alike.
//!
//! Each test skips (with a note) when redis-server is not installed.

mod common;

use std::time::{Duration, Instant};

use common::{info_field, scratch_dir, RawConn, RealRedis, TestServer};

/// Our server, with DEBUG on (for DEBUG DIGEST).
fn master(extra: &[&str]) -> TestServer {
    let mut args = vec!["--enable-debug-command", "yes"];
    args.extend_from_slice(extra);
    TestServer::start_with(&args)
}

/// A real redis-server replicating `master`, in `dir`.
fn replica_of(master: &TestServer, dir: &std::path::Path, extra: &[&str]) -> Option<RealRedis> {
    let port = master.addr.port().to_string();
    let mut args = vec!["--replicaof", "127.0.0.1", &port, "--save", ""];
    args.extend_from_slice(extra);
    let replica = RealRedis::start(dir, &args);
    if replica.is_none() {
        eprintln!("redis-server is not installed: replication test skipped");
    }
    replica
}

/// Polls `check` every 20 ms for up to `secs` seconds; true once it held.
fn within(secs: u64, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Waits until the replica's link to its master is up.
fn wait_link_up(replica: &RealRedis) {
    let mut conn = replica.raw();
    assert!(
        within(15, || info_field(
            &mut conn,
            "replication",
            "master_link_status"
        ) == "up"),
        "the replica never synchronized"
    );
}

/// Runs commands (arguments split on spaces), asserting each reply's bytes.
fn run(conn: &mut RawConn, steps: &[(&str, &str)]) {
    for (command, expected) in steps {
        let args: Vec<&[u8]> = command.split(' ').map(str::as_bytes).collect();
        let reply = conn.cmd(&args);
        assert_eq!(String::from_utf8_lossy(&reply), *expected, "{command}");
    }
}

/// DEBUG DIGEST's reply.
fn digest(conn: &mut RawConn) -> Vec<u8> {
    conn.cmd(&[b"DEBUG", b"DIGEST"])
}

/// WAITs on `conn` until one replica acknowledged its writes.
fn wait_acked(conn: &mut RawConn) {
    assert_eq!(conn.cmd(&[b"WAIT", b"1", b"10000"]), b":1\r\n");
}

/// A dataset of every type in three databases, with TTLs.
fn fill(conn: &mut RawConn) {
    let mut big_hash = vec!["HSET", "bighash"];
    let fields: Vec<String> = (0..300).map(|i| format!("f{i}")).collect();
    for field in &fields {
        big_hash.push(field);
        big_hash.push("value");
    }
    let args: Vec<&[u8]> = big_hash.iter().map(|s| s.as_bytes()).collect();
    assert_eq!(conn.cmd(&args), b":300\r\n");
    run(
        conn,
        &[
            ("SET str hello", "+OK\r\n"),
            ("SET ttl v PX 100000", "+OK\r\n"),
            ("RPUSH list a b c", ":3\r\n"),
            ("HSET hash f v g w", ":2\r\n"),
            ("SADD set a b c d e", ":5\r\n"),
            ("SADD ints 1 2 3", ":3\r\n"),
            ("ZADD zset 1 a 2 b 3 c", ":3\r\n"),
            ("XADD stream 1-1 f v", "$3\r\n1-1\r\n"),
            ("PFADD hll a b c", ":1\r\n"),
            ("SETBIT bits 7 1", ":0\r\n"),
            ("SELECT 3", "+OK\r\n"),
            ("SET s3 x", "+OK\r\n"),
            ("LPUSH l3 1 2", ":2\r\n"),
            ("EXPIRE l3 5000", ":1\r\n"),
            ("SELECT 15", "+OK\r\n"),
            ("ZADD z15 1.5 m", ":1\r\n"),
            ("SELECT 0", "+OK\r\n"),
        ],
    );
}

/// Sends a command whose reply is random (SPOP) or checked elsewhere.
fn send(conn: &mut RawConn, command: &str) -> Vec<u8> {
    let args: Vec<&[u8]> = command.split(' ').map(str::as_bytes).collect();
    conn.cmd(&args)
}

/// Live writes whose propagation is rewritten or grouped: EXPIRE and SET EX (absolute
/// times), a script and a transaction (their effects in MULTI/EXEC), SPOP (SREM),
/// INCRBYFLOAT (SET), a BLPOP served by a push (a plain pop), and a write in
/// another database.
fn live_writes(conn: &mut RawConn, server: &TestServer) {
    run(
        conn,
        &[
            ("EXPIRE str 500", ":1\r\n"),
            ("SET ex v EX 100", "+OK\r\n"),
            ("INCRBYFLOAT float 1.5", "$3\r\n1.5\r\n"),
            ("MULTI", "+OK\r\n"),
            ("INCR counter", "+QUEUED\r\n"),
            ("LPUSH list x", "+QUEUED\r\n"),
            ("EXEC", "*2\r\n:1\r\n:4\r\n"),
        ],
    );
    send(conn, "SPOP set");
    send(conn, "SPOP set 2");
    let script = "redis.call('set', KEYS[1], ARGV[1]); return redis.call('incr', 'counter')";
    let reply = conn.cmd(&[b"EVAL", script.as_bytes(), b"1", b"skey", b"sval"]);
    assert_eq!(reply, b":2\r\n");
    let mut blocked = server.raw();
    blocked.send_cmd(&[b"BLPOP", b"queue", b"10"]);
    std::thread::sleep(Duration::from_millis(100));
    run(conn, &[("RPUSH queue a b", ":2\r\n")]);
    assert_eq!(blocked.read_reply(), b"*2\r\n$5\r\nqueue\r\n$1\r\na\r\n");
    run(
        conn,
        &[
            ("SELECT 3", "+OK\r\n"),
            ("SET later y", "+OK\r\n"),
            ("DEL s3", ":1\r\n"),
            ("SELECT 0", "+OK\r\n"),
        ],
    );
}

#[test]
fn a_real_replica_loads_the_dataset_and_follows_live_writes() {
    let server = master(&[]);
    let mut conn = server.raw();
    fill(&mut conn);
    let dir = scratch_dir("replica");
    let Some(replica) = replica_of(&server, &dir, &[]) else {
        return;
    };
    wait_link_up(&replica);
    let mut rconn = replica.raw();
    wait_acked(&mut conn);
    assert_eq!(digest(&mut conn), digest(&mut rconn), "after the snapshot");
    let line = info_field(&mut conn, "replication", "slave0");
    let expected = format!("ip=127.0.0.1,port={},state=online,offset=", replica.port);
    assert!(line.starts_with(&expected), "{line}");
    assert_eq!(
        info_field(&mut conn, "replication", "connected_slaves"),
        "1"
    );
    assert_eq!(info_field(&mut conn, "stats", "sync_full"), "1");

    live_writes(&mut conn, &server);
    wait_acked(&mut conn);
    assert_eq!(
        digest(&mut conn),
        digest(&mut rconn),
        "after the live writes"
    );
    let ttl = send(&mut rconn, "TTL str");
    assert!(ttl == b":500\r\n" || ttl == b":499\r\n", "{ttl:?}");
    // The replica's offset is the master's.
    let offset = info_field(&mut conn, "replication", "master_repl_offset");
    assert!(within(5, || info_field(
        &mut rconn,
        "replication",
        "master_repl_offset"
    ) == offset));
}

/// Both sides' offsets are equal and their datasets too.
fn assert_in_step(conn: &mut RawConn, rconn: &mut RawConn) {
    wait_acked(conn);
    assert_eq!(digest(conn), digest(rconn));
}

#[test]
fn a_cut_link_continues_from_the_backlog() {
    let server = master(&[]);
    let mut conn = server.raw();
    fill(&mut conn);
    let dir = scratch_dir("replica");
    let Some(replica) = replica_of(&server, &dir, &[]) else {
        return;
    };
    wait_link_up(&replica);
    let mut rconn = replica.raw();
    assert_in_step(&mut conn, &mut rconn);
    run(&mut conn, &[("CLIENT KILL TYPE replica", ":1\r\n")]);
    run(&mut conn, &[("SET during cut", "+OK\r\n")]);
    assert!(within(10, || info_field(
        &mut conn,
        "stats",
        "sync_partial_ok"
    ) == "1"));
    wait_link_up(&replica);
    assert_in_step(&mut conn, &mut rconn);
    assert_eq!(info_field(&mut conn, "stats", "sync_full"), "1");
    assert_eq!(info_field(&mut conn, "stats", "sync_partial_err"), "0");
    assert_eq!(send(&mut rconn, "GET during"), b"$3\r\ncut\r\n");
}

#[test]
fn a_restarted_replica_continues_from_the_backlog() {
    let server = master(&[]);
    let mut conn = server.raw();
    fill(&mut conn);
    let dir = scratch_dir("replica");
    // With a save point the replica keeps its replication id and offset in its
    // snapshot when it shuts down, and asks to continue from there.
    let save = ["--save", "3600 1"];
    let Some(replica) = replica_of(&server, &dir, &save) else {
        return;
    };
    wait_link_up(&replica);
    let mut rconn = replica.raw();
    assert_in_step(&mut conn, &mut rconn);
    rconn.send_cmd(&[b"SHUTDOWN"]);
    assert!(rconn.is_closed());
    drop(replica);
    run(&mut conn, &[("SET while down", "+OK\r\n")]);
    let Some(replica) = replica_of(&server, &dir, &save) else {
        return;
    };
    wait_link_up(&replica);
    let mut rconn = replica.raw();
    assert_in_step(&mut conn, &mut rconn);
    assert_eq!(info_field(&mut conn, "stats", "sync_partial_ok"), "1");
    assert_eq!(info_field(&mut conn, "stats", "sync_full"), "1");
}

#[test]
fn wait_counts_replicas_that_acknowledged() {
    let server = master(&[]);
    let mut conn = server.raw();
    run(&mut conn, &[("SET k v", "+OK\r\n"), ("WAIT 0 0", ":0\r\n")]);
    let started = Instant::now();
    run(&mut conn, &[("WAIT 1 200", ":0\r\n")]);
    // The clock is in whole milliseconds: the wait may end up to 1 ms early.
    assert!(started.elapsed() >= Duration::from_millis(199));
    let dir = scratch_dir("replica");
    let Some(replica) = replica_of(&server, &dir, &[]) else {
        return;
    };
    wait_link_up(&replica);
    for i in 0..5 {
        run(&mut conn, &[(&format!("SET k{i} v"), "+OK\r\n")]);
        // A GETACK goes out with the WAIT: the answer comes before the replica's
        // once-a-second acknowledgement would.
        run(&mut conn, &[("WAIT 1 0", ":1\r\n")]);
    }
    run(&mut conn, &[("WAIT 2 100", ":1\r\n")]);
    // A replica that does not process the stream does not acknowledge; once it
    // does, the same WAIT is answered.
    let mut sleeper = replica.raw();
    sleeper.send_cmd(&[b"DEBUG", b"SLEEP", b"1.5"]);
    std::thread::sleep(Duration::from_millis(100));
    run(&mut conn, &[("INCR n", ":1\r\n"), ("WAIT 1 500", ":0\r\n")]);
    run(&mut conn, &[("WAIT 1 5000", ":1\r\n")]);
    assert_eq!(sleeper.read_reply(), b"+OK\r\n");
    // Inside MULTI it answers at once. (The GETACK the last WAIT sent is in the
    // offset it waits for, and a replica's answer to GETACK does not count the
    // GETACK itself, so the count may be 0 until the next acknowledgement.)
    run(
        &mut conn,
        &[("MULTI", "+OK\r\n"), ("WAIT 5 0", "+QUEUED\r\n")],
    );
    let exec = send(&mut conn, "EXEC");
    assert!(
        exec == b"*1\r\n:1\r\n" || exec == b"*1\r\n:0\r\n",
        "{exec:?}"
    );
}

#[test]
fn min_replicas_to_write_counts_replicas_that_acknowledge() {
    let server = master(&[
        "--min-replicas-to-write",
        "1",
        "--min-replicas-max-lag",
        "2",
    ]);
    let mut conn = server.raw();
    let refused = "-NOREPLICAS Not enough good replicas to write.\r\n";
    run(&mut conn, &[("SET k v", refused), ("GET k", "$-1\r\n")]);
    assert_eq!(
        info_field(&mut conn, "replication", "min_slaves_good_slaves"),
        "0"
    );
    let dir = scratch_dir("replica");
    let Some(replica) = replica_of(&server, &dir, &[]) else {
        return;
    };
    wait_link_up(&replica);
    run(&mut conn, &[("SET k v", "+OK\r\n")]);
    assert_eq!(
        info_field(&mut conn, "replication", "min_slaves_good_slaves"),
        "1"
    );
    // A replica that stops acknowledging for longer than the lag no longer counts.
    let mut sleeper = replica.raw();
    sleeper.send_cmd(&[b"DEBUG", b"SLEEP", b"4"]);
    assert!(within(6, || send(&mut conn, "SET k v") == refused.as_bytes()));
    assert!(within(8, || send(&mut conn, "SET k v") == b"+OK\r\n"));
    // Nor does one that went away.
    drop(replica);
    assert!(within(5, || send(&mut conn, "SET k v") == refused.as_bytes()));
    assert_eq!(
        info_field(&mut conn, "replication", "connected_slaves"),
        "0"
    );
}

#[test]
fn the_snapshot_is_not_held_to_the_replica_output_limit() {
    let server = master(&[]);
    let mut conn = server.raw();
    // Bytes that do not compress, so that the snapshot is over 2 MB.
    let mut state = 88172645463325252u64;
    let big: Vec<u8> = (0..512 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    for key in [&b"big1"[..], b"big2", b"big3", b"big4"] {
        assert_eq!(conn.cmd(&[b"SET", key, &big]), b"+OK\r\n");
    }
    let limit = [
        &b"CONFIG"[..],
        b"SET",
        b"client-output-buffer-limit",
        b"replica 256kb 0 0",
    ];
    assert_eq!(conn.cmd(&limit), b"+OK\r\n");
    let dir = scratch_dir("replica");
    let Some(replica) = replica_of(&server, &dir, &[]) else {
        return;
    };
    wait_link_up(&replica);
    let mut rconn = replica.raw();
    assert_in_step(&mut conn, &mut rconn);
    assert_eq!(info_field(&mut conn, "stats", "sync_full"), "1");
}
