//! This server as a replica of a real redis-server 7.0 master: the full
//! resynchronization (streamed with an end mark, and sized from the master's disk),
//! the live stream, partial resynchronization after a broken link, the master's
//! password, expiry left to the master, and promotion with REPLICAOF NO ONE. The
//! dataset is compared with DEBUG DIGEST, which both servers compute the same way.

mod common;

use common::{eventually, info_field, scratch_dir, RawConn, RealRedis, TestServer};

/// A real master for one test; `None` (the test is skipped with a note) when
/// redis-server is not installed.
fn real_master(what: &str, extra: &[&str]) -> Option<RealRedis> {
    let dir = scratch_dir(what);
    let mut args = vec!["--save", "", "--repl-diskless-sync-delay", "0"];
    args.extend_from_slice(extra);
    let master = RealRedis::start(&dir, &args);
    if master.is_none() {
        eprintln!("redis-server is not installed: no master to follow");
    }
    master
}

fn text(reply: Vec<u8>) -> String {
    String::from_utf8_lossy(&reply).into_owned()
}

/// Makes `replica` follow `master` and waits for the link to come up.
fn follow(replica: &mut RawConn, master: &RealRedis) {
    let port = master.port.to_string();
    assert_eq!(
        replica.cmd(&[b"REPLICAOF", b"127.0.0.1", port.as_bytes()]),
        b"+OK\r\n"
    );
    let up = eventually(|| info_field(replica, "replication", "master_link_status") == "up");
    assert!(
        up,
        "the link to the master never came up: {}",
        text(replica.cmd(&[b"INFO", b"replication"]))
    );
}

/// True once both servers hold the same data.
fn same_data(master: &mut RawConn, replica: &mut RawConn) -> bool {
    eventually(|| master.cmd(&[b"DEBUG", b"DIGEST"]) == replica.cmd(&[b"DEBUG", b"DIGEST"]))
}

/// Keys of every type in two databases, some with a TTL.
fn fill(master: &mut RawConn) {
    let steps: &[&[&[u8]]] = &[
        &[b"SET", b"s", b"string"],
        &[b"SET", b"ttl", b"v", b"EX", b"1000"],
        &[b"RPUSH", b"l", b"a", b"b", b"c"],
        &[b"HSET", b"h", b"f", b"v", b"g", b"w"],
        &[b"SADD", b"set", b"x", b"y", b"1"],
        &[b"ZADD", b"z", b"1", b"a", b"2.5", b"b"],
        &[b"XADD", b"st", b"1-1", b"f", b"v"],
        &[b"PFADD", b"hll", b"a", b"b"],
        &[b"SELECT", b"3"],
        &[b"SET", b"in3", b"x"],
        &[b"SELECT", b"0"],
    ];
    for step in steps {
        let reply = master.cmd(step);
        assert!(!reply.starts_with(b"-"), "{:?}", text(reply));
    }
}

#[test]
fn a_replica_loads_the_masters_snapshot_and_follows_its_writes() {
    for diskless in ["yes", "no"] {
        let Some(master) = real_master("replica-follow", &["--repl-diskless-sync", diskless])
        else {
            return;
        };
        let mut m = master.raw();
        fill(&mut m);
        let ours = TestServer::start_with(&["--enable-debug-command", "yes"]);
        let mut r = ours.raw();
        r.cmd(&[b"SET", b"mine", b"gone after the sync"]);
        follow(&mut r, &master);
        assert!(
            same_data(&mut m, &mut r),
            "snapshot differs (diskless {diskless})"
        );
        assert_eq!(r.cmd(&[b"EXISTS", b"mine"]), b":0\r\n");

        let big = vec![b'v'; 300_000];
        let writes: &[&[&[u8]]] = &[
            &[b"INCR", b"n"],
            &[b"EXPIRE", b"s", b"500"],
            &[b"SPOP", b"set"],
            &[b"MULTI"],
            &[b"LPUSH", b"l", b"0"],
            &[b"HDEL", b"h", b"f"],
            &[b"EXEC"],
            &[
                b"EVAL",
                b"redis.call('set','fromlua',ARGV[1]) return 1",
                b"0",
                b"x",
            ],
            &[b"SET", b"big", &big],
            &[b"SELECT", b"5"],
            &[b"ZINCRBY", b"z5", b"3", b"m"],
            &[b"SELECT", b"0"],
        ];
        for write in writes {
            m.cmd(write);
        }
        assert!(
            same_data(&mut m, &mut r),
            "stream not applied (diskless {diskless})"
        );
        assert!(text(r.cmd(&[b"SET", b"k", b"v"])).starts_with("-READONLY"));
        let offset = info_field(&mut m, "replication", "master_repl_offset");
        assert!(eventually(|| info_field(
            &mut r,
            "replication",
            "slave_repl_offset"
        ) == offset));
        let role = text(r.cmd(&[b"ROLE"]));
        assert!(
            role.contains("slave") && role.contains("connected"),
            "{role}"
        );
        // The replica acknowledges its offset once a second.
        assert!(
            eventually_long(|| text(m.cmd(&[b"INFO", b"replication"]))
                .contains(&format!("state=online,offset={offset},"))),
            "the master never saw our acknowledgement"
        );
    }
}

/// [`eventually`] for checks that take the replica's once-a-second cadence.
fn eventually_long(mut check: impl FnMut() -> bool) -> bool {
    (0..3).any(|_| eventually(&mut check))
}

#[test]
fn a_broken_link_resumes_with_a_partial_resynchronization() {
    let Some(master) = real_master("replica-psync", &[]) else {
        return;
    };
    let mut m = master.raw();
    fill(&mut m);
    let ours = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut r = ours.raw();
    follow(&mut r, &master);
    assert!(same_data(&mut m, &mut r));
    m.cmd(&[b"CLIENT", b"KILL", b"TYPE", b"replica"]);
    m.cmd(&[b"SET", b"while", b"down"]);
    assert!(eventually_long(|| info_field(
        &mut m,
        "stats",
        "sync_partial_ok"
    ) == "1"));
    assert_eq!(info_field(&mut m, "stats", "sync_full"), "1");
    m.cmd(&[b"SET", b"after", b"up"]);
    assert!(same_data(&mut m, &mut r));
}

#[test]
fn the_masters_password_is_sent_before_replicating() {
    let Some(master) = real_master("replica-auth", &["--requirepass", "s3cret"]) else {
        return;
    };
    let mut m = master.raw();
    assert_eq!(m.cmd(&[b"AUTH", b"s3cret"]), b"+OK\r\n");
    m.cmd(&[b"SET", b"guarded", b"1"]);
    let ours = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut r = ours.raw();
    let port = master.port.to_string();
    r.cmd(&[b"REPLICAOF", b"127.0.0.1", port.as_bytes()]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        info_field(&mut r, "replication", "master_link_status"),
        "down"
    );
    assert_eq!(
        r.cmd(&[b"CONFIG", b"SET", b"masterauth", b"s3cret"]),
        b"+OK\r\n"
    );
    assert!(eventually_long(|| info_field(
        &mut r,
        "replication",
        "master_link_status"
    ) == "up"));
    assert!(same_data(&mut m, &mut r));
}

#[test]
fn expired_keys_read_as_missing_until_the_master_deletes_them() {
    let Some(master) = real_master("replica-expiry", &[]) else {
        return;
    };
    let mut m = master.raw();
    m.cmd(&[b"DEBUG", b"SET-ACTIVE-EXPIRE", b"0"]);
    let ours = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut r = ours.raw();
    follow(&mut r, &master);
    m.cmd(&[b"SET", b"short", b"v", b"PX", b"100"]);
    assert!(eventually(|| r.cmd(&[b"DBSIZE"]) == b":1\r\n"));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(r.cmd(&[b"GET", b"short"]), b"$-1\r\n");
    assert_eq!(
        r.cmd(&[b"DBSIZE"]),
        b":1\r\n",
        "the replica deleted a key on its own"
    );
    // The master finds it expired and propagates the DEL.
    assert_eq!(m.cmd(&[b"GET", b"short"]), b"$-1\r\n");
    assert!(eventually(|| r.cmd(&[b"DBSIZE"]) == b":0\r\n"));
}

#[test]
fn a_replica_named_at_start_follows_and_promotion_makes_it_a_master() {
    let Some(master) = real_master("replica-start", &[]) else {
        return;
    };
    let mut m = master.raw();
    fill(&mut m);
    let port = master.port.to_string();
    let ours = TestServer::start_with(&[
        "--enable-debug-command",
        "yes",
        "--replicaof",
        "127.0.0.1",
        &port,
    ]);
    let mut r = ours.raw();
    assert!(eventually(|| info_field(
        &mut r,
        "replication",
        "master_link_status"
    ) == "up"));
    assert!(same_data(&mut m, &mut r));
    assert_eq!(
        text(r.cmd(&[b"CONFIG", b"GET", b"replicaof"])),
        format!(
            "*2\r\n$9\r\nreplicaof\r\n${}\r\n127.0.0.1 {port}\r\n",
            port.len() + 10
        )
    );
    let master_id = info_field(&mut m, "replication", "master_replid");
    assert_eq!(r.cmd(&[b"REPLICAOF", b"NO", b"ONE"]), b"+OK\r\n");
    assert_eq!(info_field(&mut r, "replication", "role"), "master");
    assert_eq!(
        info_field(&mut r, "replication", "master_replid2"),
        master_id
    );
    assert_eq!(r.cmd(&[b"SET", b"k", b"v"]), b"+OK\r\n");
    m.cmd(&[b"SET", b"s", b"changed on the old master"]);
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(r.cmd(&[b"GET", b"s"]), b"$6\r\nstring\r\n");
}

#[test]
fn a_replica_of_nothing_reports_its_link_down() {
    let ours = TestServer::start();
    let mut r = ours.raw();
    assert_eq!(r.cmd(&[b"REPLICAOF", b"127.0.0.1", b"1"]), b"+OK\r\n");
    assert_eq!(
        r.cmd(&[b"REPLICAOF", b"127.0.0.1", b"1"]),
        b"+OK Already connected to specified master\r\n"
    );
    assert_eq!(info_field(&mut r, "replication", "role"), "slave");
    assert_eq!(
        info_field(&mut r, "replication", "master_link_status"),
        "down"
    );
    assert_eq!(
        info_field(&mut r, "replication", "master_link_down_since_seconds"),
        "-1"
    );
    let role = text(r.cmd(&[b"ROLE"]));
    assert!(
        role.starts_with("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:1\r\n"),
        "{role}"
    );
    assert!(role.ends_with(":-1\r\n"), "{role}");
    assert_eq!(r.cmd(&[b"REPLICAOF", b"NO", b"ONE"]), b"+OK\r\n");
    assert_eq!(info_field(&mut r, "replication", "role"), "master");
}

#[test]
fn a_chain_passes_the_masters_stream_on_to_the_next_replica() {
    let Some(master) = real_master("replica-chain-top", &[]) else {
        return;
    };
    let mut m = master.raw();
    fill(&mut m);
    // Our server in the middle, and a real replica and one of ours below it.
    let middle = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut mid = middle.raw();
    follow(&mut mid, &master);
    let dir = scratch_dir("replica-chain-bottom");
    let middle_port = middle.addr.port().to_string();
    let args = [
        "--save",
        "",
        "--replicaof",
        "127.0.0.1",
        middle_port.as_str(),
    ];
    let Some(bottom) = RealRedis::start(&dir, &args) else {
        return;
    };
    let mut b = bottom.raw();
    let ours_below = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut below = ours_below.raw();
    let port = middle_port.as_bytes();
    assert_eq!(below.cmd(&[b"REPLICAOF", b"127.0.0.1", port]), b"+OK\r\n");
    assert!(eventually(|| info_field(
        &mut b,
        "replication",
        "master_link_status"
    ) == "up"));
    assert!(eventually(|| info_field(
        &mut below,
        "replication",
        "master_link_status"
    ) == "up"));
    m.cmd(&[b"SET", b"later", b"1"]);
    m.cmd(&[b"SELECT", b"7"]);
    m.cmd(&[b"LPUSH", b"deep", b"x"]);
    for replica in [&mut b, &mut below, &mut mid] {
        assert!(same_data(&mut m, replica));
    }
    let offset = info_field(&mut m, "replication", "master_repl_offset");
    assert!(eventually(|| info_field(
        &mut b,
        "replication",
        "master_repl_offset"
    ) == offset));
    assert!(eventually(|| info_field(
        &mut below,
        "replication",
        "master_repl_offset"
    ) == offset));
}

/// Becoming a replica answers every blocked client with an error and closes it (as
/// Redis does): served later from the master's stream, a BLPOP would pop on the
/// replica alone and the two datasets would part.
#[test]
fn becoming_a_replica_disconnects_blocked_clients() {
    let Some(master) = real_master("repl-blocked", &[]) else {
        return;
    };
    let ours = TestServer::start();
    let mut waiter = ours.raw();
    let mut r = ours.raw();
    waiter.send_cmd(&[b"BLPOP", b"foo", b"0"]);
    assert!(eventually(|| info_field(
        &mut r,
        "clients",
        "blocked_clients"
    ) == "1"));
    follow(&mut r, &master);
    assert_eq!(
        waiter.read_reply(),
        b"-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n"
    );
    assert!(waiter.is_closed());
    let mut m = master.raw();
    m.cmd(&[b"RPUSH", b"foo", b"a", b"b", b"c"]);
    let all = b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n";
    assert!(eventually(
        || r.cmd(&[b"LRANGE", b"foo", b"0", b"-1"]) == all
    ));
    assert_eq!(m.cmd(&[b"LRANGE", b"foo", b"0", b"-1"]), all);
    let errors = info_field(&mut r, "errorstats", "errorstat_UNBLOCKED");
    assert_eq!(errors, "count=1");
}

/// A partial resynchronization goes on in the database the stream had selected: the
/// master does not send SELECT again, so writes after the break must not land in
/// database 0.
#[test]
fn a_resumed_stream_keeps_its_selected_database() {
    let Some(master) = real_master("replica-psync-db", &[]) else {
        return;
    };
    let mut m = master.raw();
    m.cmd(&[b"SELECT", b"9"]);
    let ours = TestServer::start();
    let mut r = ours.raw();
    follow(&mut r, &master);
    r.cmd(&[b"SELECT", b"9"]);
    // A write after the full resynchronization: the stream selects database 9.
    m.cmd(&[b"SET", b"a", b"1"]);
    assert!(eventually(|| r.cmd(&[b"GET", b"a"]) == b"$1\r\n1\r\n"));
    // Our side breaks the link; the master's stream stays in database 9.
    r.cmd(&[b"CLIENT", b"KILL", b"TYPE", b"master"]);
    assert!(eventually_long(|| info_field(
        &mut m,
        "stats",
        "sync_partial_ok"
    ) == "1"));
    m.cmd(&[b"SET", b"b", b"2"]);
    assert!(eventually(|| r.cmd(&[b"GET", b"b"]) == b"$1\r\n2\r\n"));
    r.cmd(&[b"SELECT", b"0"]);
    assert_eq!(r.cmd(&[b"DBSIZE"]), b":0\r\n");
}
