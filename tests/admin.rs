//! Observability and admin commands end to end, for what the differential corpus
//! (`tests/differential/admin.redis`) cannot compare byte for byte: timings, sizes,
//! addresses, and DEBUG (refused by Redis's default configuration).

mod common;

use common::{RawConn, TestServer};

/// The text of a bulk (or verbatim) reply.
fn text(reply: &[u8]) -> String {
    let s = String::from_utf8_lossy(reply).into_owned();
    let body = s.split_once("\r\n").map_or("", |(_, rest)| rest);
    body.trim_end_matches("\r\n").to_string()
}

/// The INFO line `name:value` of `section`, if present.
fn info_field(conn: &mut RawConn, section: &str, name: &str) -> Option<String> {
    let body = text(&conn.cmd(&[b"INFO", section.as_bytes()]));
    body.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
}

fn int(reply: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(reply);
    s.trim_start_matches(':')
        .trim_end()
        .parse()
        .expect("integer reply")
}

#[test]
fn commandstats_errorstats_and_latencystats_count_calls() {
    let server = TestServer::start();
    let mut c = server.raw();
    c.cmd(&[b"SET", b"k", b"v"]);
    c.cmd(&[b"GET", b"k"]);
    c.cmd(&[b"GET", b"missing"]);
    c.cmd(&[b"GET"]);
    c.cmd(&[b"LPUSH", b"k", b"x"]);
    c.cmd(&[b"NOSUCH"]);
    c.cmd(&[b"CONFIG", b"GET", b"hz"]);
    let get = info_field(&mut c, "commandstats", "cmdstat_get").unwrap();
    assert!(get.starts_with("calls=2,usec="), "{get}");
    assert!(get.ends_with(",rejected_calls=1,failed_calls=0"), "{get}");
    let lpush = info_field(&mut c, "commandstats", "cmdstat_lpush").unwrap();
    assert!(
        lpush.ends_with("rejected_calls=0,failed_calls=1"),
        "{lpush}"
    );
    assert!(info_field(&mut c, "commandstats", "cmdstat_config|get").is_some());
    assert_eq!(
        info_field(&mut c, "errorstats", "errorstat_ERR").unwrap(),
        "count=2"
    );
    assert_eq!(
        info_field(&mut c, "errorstats", "errorstat_WRONGTYPE").unwrap(),
        "count=1"
    );
    let lat = info_field(&mut c, "latencystats", "latency_percentiles_usec_get").unwrap();
    assert!(
        lat.starts_with("p50=") && lat.contains(",p99=") && lat.contains(",p99.9="),
        "{lat}"
    );
    assert_eq!(info_field(&mut c, "stats", "keyspace_hits").unwrap(), "1");
    assert_eq!(info_field(&mut c, "stats", "keyspace_misses").unwrap(), "1");
    assert_eq!(c.cmd(&[b"CONFIG", b"RESETSTAT"]), b"+OK\r\n");
    assert_eq!(info_field(&mut c, "commandstats", "cmdstat_get"), None);
    assert_eq!(info_field(&mut c, "errorstats", "errorstat_ERR"), None);
    let reset = info_field(&mut c, "commandstats", "cmdstat_config|resetstat").unwrap();
    assert!(reset.starts_with("calls=1,"), "{reset}");
    c.cmd(&[b"CONFIG", b"SET", b"latency-tracking", b"no"]);
    c.cmd(&[b"GET", b"k"]);
    assert_eq!(
        info_field(&mut c, "latencystats", "latency_percentiles_usec_get"),
        None
    );
}

#[test]
fn slowlog_records_trimmed_commands_with_client_details() {
    let server = TestServer::start();
    let mut c = server.raw();
    c.cmd(&[b"CLIENT", b"SETNAME", b"slowpoke"]);
    c.cmd(&[b"CONFIG", b"SET", b"slowlog-log-slower-than", b"0"]);
    let long = vec![b'x'; 200];
    let mut args: Vec<&[u8]> = vec![b"SADD", b"s", &long];
    let members: Vec<Vec<u8>> = (0..40).map(|i| format!("m{i}").into_bytes()).collect();
    args.extend(members.iter().map(|m| m.as_slice()));
    c.cmd(&args);
    let reply = String::from_utf8_lossy(&c.cmd(&[b"SLOWLOG", b"GET", b"1"])).into_owned();
    assert!(reply.starts_with("*1\r\n*6\r\n:"), "{reply}");
    assert!(reply.contains("*32\r\n$4\r\nSADD\r\n"), "{reply}");
    assert!(
        reply.contains(&format!("{}... (72 more bytes)", "x".repeat(128))),
        "{reply}"
    );
    assert!(reply.contains("... (12 more arguments)"), "{reply}");
    assert!(reply.contains("127.0.0.1:"), "{reply}");
    assert!(reply.ends_with("$8\r\nslowpoke\r\n"), "{reply}");
    c.cmd(&[b"CONFIG", b"SET", b"slowlog-max-len", b"3"]);
    for _ in 0..5 {
        c.cmd(&[b"PING"]);
    }
    assert_eq!(int(&c.cmd(&[b"SLOWLOG", b"LEN"])), 3);
    assert_eq!(c.cmd(&[b"SLOWLOG", b"RESET"]), b"+OK\r\n");
    // The RESET itself is logged after it ran.
    assert_eq!(int(&c.cmd(&[b"SLOWLOG", b"LEN"])), 1);
}

#[test]
fn latency_monitor_records_slow_commands_and_debug_sleep() {
    let server = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut c = server.raw();
    c.cmd(&[b"CONFIG", b"SET", b"latency-monitor-threshold", b"10"]);
    assert_eq!(c.cmd(&[b"DEBUG", b"SLEEP", b"0.03"]), b"+OK\r\n");
    let latest = String::from_utf8_lossy(&c.cmd(&[b"LATENCY", b"LATEST"])).into_owned();
    assert!(
        latest.starts_with("*1\r\n*4\r\n$7\r\ncommand\r\n:"),
        "{latest}"
    );
    let history =
        String::from_utf8_lossy(&c.cmd(&[b"LATENCY", b"HISTORY", b"command"])).into_owned();
    assert!(history.starts_with("*1\r\n*2\r\n:"), "{history}");
    let graph = text(&c.cmd(&[b"LATENCY", b"GRAPH", b"command"]));
    assert!(graph.starts_with("command - high "), "{graph}");
    assert!(text(&c.cmd(&[b"LATENCY", b"DOCTOR"])).contains("command: 1 latency spikes"));
    let histogram =
        String::from_utf8_lossy(&c.cmd(&[b"LATENCY", b"HISTOGRAM", b"debug"])).into_owned();
    assert!(
        histogram.starts_with(
            "*2\r\n$5\r\ndebug\r\n*4\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n"
        ),
        "{histogram}"
    );
    assert_eq!(int(&c.cmd(&[b"LATENCY", b"RESET"])), 1);
    assert_eq!(c.cmd(&[b"LATENCY", b"LATEST"]), b"*0\r\n");
}

#[test]
fn debug_populate_digest_object_and_active_expire() {
    let server = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut c = server.raw();
    let zeros = format!("+{}\r\n", "0".repeat(40));
    assert_eq!(c.cmd(&[b"DEBUG", b"DIGEST"]), zeros.as_bytes());
    assert_eq!(c.cmd(&[b"DEBUG", b"POPULATE", b"3"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"GET", b"key:2"]), b"$7\r\nvalue:2\r\n");
    assert_eq!(
        c.cmd(&[b"DEBUG", b"POPULATE", b"1", b"p", b"10"]),
        b"+OK\r\n"
    );
    assert_eq!(c.cmd(&[b"GET", b"p:0"]), b"$10\r\nvalue:0\0\0\0\r\n");
    assert_eq!(
        c.cmd(&[b"DEBUG", b"POPULATE", b"-1"]),
        b"-ERR value is out of range, must be positive\r\n"
    );
    let first = c.cmd(&[b"DEBUG", b"DIGEST"]);
    assert_ne!(first, zeros.as_bytes());
    // Same content built another way (and another encoding) gives the same digest.
    c.cmd(&[b"SADD", b"s", b"1", b"2", b"3"]);
    let with_set = c.cmd(&[b"DEBUG", b"DIGEST"]);
    c.cmd(&[b"DEL", b"s"]);
    c.cmd(&[b"SADD", b"s", b"3", b"x", b"2", b"1"]);
    c.cmd(&[b"SREM", b"s", b"x"]);
    assert_eq!(c.cmd(&[b"DEBUG", b"DIGEST"]), with_set);
    let values =
        String::from_utf8_lossy(&c.cmd(&[b"DEBUG", b"DIGEST-VALUE", b"s", b"nokey"])).into_owned();
    assert!(
        values.starts_with("*2\r\n+") && values.ends_with(&zeros),
        "{values}"
    );
    let object = String::from_utf8_lossy(&c.cmd(&[b"DEBUG", b"OBJECT", b"key:0"])).into_owned();
    assert!(object.contains("encoding:embstr"), "{object}");
    assert_eq!(
        c.cmd(&[b"DEBUG", b"OBJECT", b"nokey"]),
        b"-ERR no such key\r\n"
    );
    let before = info_field(&mut c, "replication", "master_replid").unwrap();
    assert_eq!(c.cmd(&[b"DEBUG", b"CHANGE-REPL-ID"]), b"+OK\r\n");
    assert_ne!(
        info_field(&mut c, "replication", "master_replid").unwrap(),
        before
    );
    assert_eq!(c.cmd(&[b"DEBUG", b"SET-ACTIVE-EXPIRE", b"0"]), b"+OK\r\n");
    c.cmd(&[b"SET", b"t", b"v", b"PX", b"1"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(int(&c.cmd(&[b"DBSIZE"])), 6, "no background expiry");
    // DEBUG RELOAD saves and loads back; the key that expired is dropped on load.
    assert_eq!(c.cmd(&[b"DEBUG", b"RELOAD"]), b"+OK\r\n");
    assert_eq!(int(&c.cmd(&[b"DBSIZE"])), 5);
}

#[test]
fn memory_usage_grows_with_the_value_and_stats_report_keys() {
    let server = TestServer::start();
    let mut c = server.raw();
    c.cmd(&[b"SET", b"small", b"v"]);
    c.cmd(&[b"SET", b"big", &vec![b'x'; 10_000]]);
    let small = int(&c.cmd(&[b"MEMORY", b"USAGE", b"small"]));
    let big = int(&c.cmd(&[b"MEMORY", b"USAGE", b"big"]));
    assert!(small > 0 && big > 10_000 && big > small, "{small} {big}");
    let members: Vec<Vec<u8>> = (0..1000)
        .map(|i| format!("member-{i}").into_bytes())
        .collect();
    let mut args: Vec<&[u8]> = vec![b"SADD", b"set"];
    args.extend(members.iter().map(|m| m.as_slice()));
    c.cmd(&args);
    let sampled = int(&c.cmd(&[b"MEMORY", b"USAGE", b"set"]));
    let full = int(&c.cmd(&[b"MEMORY", b"USAGE", b"set", b"SAMPLES", b"0"]));
    assert!(sampled > 10_000 && full > 10_000, "{sampled} {full}");
    let stats = String::from_utf8_lossy(&c.cmd(&[b"MEMORY", b"STATS"])).into_owned();
    assert!(stats.starts_with("*56\r\n"), "27 pairs plus db.0: {stats}");
    assert!(stats.contains("$10\r\nkeys.count\r\n:3\r\n"), "{stats}");
    assert!(text(&c.cmd(&[b"MEMORY", b"MALLOC-STATS"])).contains("heap in use"));
    assert!(!text(&c.cmd(&[b"MEMORY", b"DOCTOR"])).is_empty());
}

#[test]
fn info_persistence_replication_and_instantaneous_metrics() {
    let server = TestServer::start();
    let mut c = server.raw();
    let lastsave = int(&c.cmd(&[b"LASTSAVE"]));
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_last_save_time").unwrap(),
        lastsave.to_string()
    );
    c.cmd(&[b"SET", b"a", b"1"]);
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_changes_since_last_save").unwrap(),
        "1"
    );
    let replid = info_field(&mut c, "replication", "master_replid").unwrap();
    assert_eq!(replid.len(), 40);
    assert_eq!(
        info_field(&mut c, "replication", "repl_backlog_size").unwrap(),
        "1048576"
    );
    for _ in 0..2000 {
        c.cmd(&[b"PING"]);
    }
    std::thread::sleep(std::time::Duration::from_millis(350));
    let ops: u64 = info_field(&mut c, "stats", "instantaneous_ops_per_sec")
        .unwrap()
        .parse()
        .unwrap();
    assert!(ops > 0, "ops/sec sampled by the cron");
    let cpu = info_field(&mut c, "cpu", "used_cpu_user_main_thread").unwrap();
    assert!(cpu.contains('.'), "{cpu}");
}

#[test]
fn debug_digest_equals_redis_for_every_type_and_encoding() {
    // A directory of its own: a dump.rdb another run left in /tmp must not load.
    let dir = common::scratch_dir("debug-redis");
    let Some(redis) = common::RealRedis::start(&dir, &["--save", ""]) else {
        eprintln!("redis-server not available: digest comparison skipped");
        return;
    };
    let ours = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut conns = [ours.raw(), redis.raw()];
    let many: Vec<Vec<u8>> = (0..600).map(|i| format!("m{i}").into_bytes()).collect();
    let mut script: Vec<Vec<&[u8]>> = vec![
        vec![b"SET", b"s", b"hello"],
        vec![b"SET", b"n", b"-12345"],
        vec![b"SET", b"ttl", b"v", b"EX", b"100"],
        vec![b"RPUSH", b"l", b"a", b"b", b"3"],
        vec![b"SADD", b"si", b"1", b"2", b"3"],
        vec![b"SADD", b"ss", b"a", b"b"],
        vec![b"HSET", b"h", b"f", b"v", b"g", b"1"],
        vec![
            b"ZADD", b"z", b"1.5", b"a", b"2", b"b", b"-3e10", b"c", b"inf", b"d",
        ],
        vec![b"SELECT", b"3"],
        vec![b"SET", b"x", b"y"],
    ];
    let mut big_set: Vec<&[u8]> = vec![b"SADD", b"bigset"];
    let mut big_hash: Vec<&[u8]> = vec![b"HSET", b"bighash"];
    let mut big_zset: Vec<&[u8]> = vec![b"ZADD", b"bigzset"];
    for m in &many {
        big_set.push(m);
        big_hash.extend([m.as_slice(), m.as_slice()]);
        big_zset.extend([&b"0.1"[..], m.as_slice()]);
    }
    script.extend([big_set, big_hash, big_zset]);
    let mut replies = Vec::new();
    for conn in conns.iter_mut() {
        for command in &script {
            conn.cmd(command);
        }
        let digest = conn.cmd(&[b"DEBUG", b"DIGEST"]);
        let values = conn.cmd(&[
            b"DEBUG",
            b"DIGEST-VALUE",
            b"x",
            b"bigset",
            b"bighash",
            b"bigzset",
            b"nokey",
        ]);
        conn.cmd(&[b"SELECT", b"0"]);
        let db0 = conn.cmd(&[
            b"DEBUG",
            b"DIGEST-VALUE",
            b"s",
            b"n",
            b"ttl",
            b"l",
            b"si",
            b"ss",
            b"h",
            b"z",
        ]);
        replies.push((digest, values, db0));
    }
    assert_eq!(replies[0], replies[1]);
}

#[test]
fn blocked_commands_count_once_when_served_or_timed_out() {
    let server = TestServer::start();
    let mut waiter = server.raw();
    let mut pusher = server.raw();
    waiter.send_cmd(&[b"BLPOP", b"q", b"0"]);
    std::thread::sleep(std::time::Duration::from_millis(100));
    pusher.cmd(&[b"RPUSH", b"q", b"x"]);
    assert_eq!(waiter.read_reply(), b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    waiter.cmd(&[b"BLPOP", b"q", b"0.05"]);
    let blpop = info_field(&mut pusher, "commandstats", "cmdstat_blpop").unwrap();
    assert!(blpop.starts_with("calls=2,usec="), "{blpop}");
    let usec: u64 = blpop["calls=2,usec=".len()..]
        .split(',')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap();
    // Both runs that blocked are included, but not the time spent waiting.
    assert!(usec < 50_000, "{blpop}");
}

#[test]
fn client_unblock_counts_a_failed_call_whichever_reply_it_gives() {
    let server = TestServer::start();
    let mut waiter = server.raw();
    let mut admin = server.raw();
    let id = String::from_utf8_lossy(&waiter.cmd(&[b"CLIENT", b"ID"]))
        .trim()
        .trim_start_matches(':')
        .to_string();
    for (how, reply) in [
        (&b"TIMEOUT"[..], &b"*-1\r\n"[..]),
        (
            b"ERROR",
            b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n",
        ),
    ] {
        waiter.send_cmd(&[b"BLPOP", b"q", b"0"]);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(
            admin.cmd(&[b"CLIENT", b"UNBLOCK", id.as_bytes(), how]),
            b":1\r\n"
        );
        assert_eq!(waiter.read_reply(), reply);
    }
    // A deadline that passes is no failure.
    assert_eq!(waiter.cmd(&[b"BLPOP", b"q", b"0.05"]), b"*-1\r\n");
    // As Redis 7.0 counts them: both unblocked calls failed, one error reply.
    let blpop = info_field(&mut admin, "commandstats", "cmdstat_blpop").unwrap();
    assert!(blpop.starts_with("calls=3,"), "{blpop}");
    assert!(
        blpop.ends_with(",rejected_calls=0,failed_calls=2"),
        "{blpop}"
    );
    let errors = info_field(&mut admin, "errorstats", "errorstat_UNBLOCKED").unwrap();
    assert_eq!(errors, "count=1");
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a probe");
    probe.local_addr().expect("probe address").port()
}

/// A connection to `port` on loopback, if something listens there.
fn connect(port: u16) -> Option<RawConn> {
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    Some(RawConn { stream })
}

#[test]
fn config_set_port_and_bind_move_the_listener_or_fail_whole() {
    let server = TestServer::start_with(&["--bind", "127.0.0.1"]);
    let mut conn = server.raw();
    let new_port = free_port();
    let port_text = new_port.to_string();
    let set = |port: &str, extra: &[&[u8]]| {
        let mut args: Vec<&[u8]> = vec![b"CONFIG", b"SET", b"port", port.as_bytes()];
        args.extend_from_slice(extra);
        args.iter().map(|a| a.to_vec()).collect::<Vec<_>>()
    };
    let args = set(&port_text, &[]);
    let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    assert_eq!(conn.cmd(&refs), b"+OK\r\n");
    assert!(
        connect(server.addr.port()).is_none(),
        "the old port is closed"
    );
    let mut moved = connect(new_port).expect("the new port listens");
    assert_eq!(moved.cmd(&[b"PING"]), b"+PONG\r\n");
    // A port in use: the whole CONFIG SET fails, maxmemory included.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let busy_port = busy.local_addr().expect("address").port().to_string();
    let args = set(&busy_port, &[b"maxmemory", b"12345"]);
    let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    assert_eq!(
        moved.cmd(&refs),
        b"-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port\r\n"
            .to_vec()
    );
    assert_eq!(
        moved.cmd(&[b"CONFIG", b"GET", b"maxmemory"]),
        b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"
    );
    assert!(connect(new_port).is_some(), "still listening where it was");
    // bind: an address this machine does not have fails and keeps the old one.
    let reply = moved.cmd(&[b"CONFIG", b"SET", b"bind", b"10.255.255.1"]);
    assert_eq!(
        reply,
        b"-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n"
            .to_vec()
    );
    assert!(
        connect(new_port).is_some(),
        "the old bind address still listens"
    );
    assert_eq!(
        moved.cmd(&[b"CONFIG", b"SET", b"bind", b"127.0.0.1 -::1"]),
        b"+OK\r\n"
    );
    assert_eq!(
        connect(new_port).expect("rebound").cmd(&[b"PING"]),
        b"+PONG\r\n"
    );
}

#[test]
fn debug_protocol_replies_every_type_as_redis_does() {
    let dir = common::scratch_dir("debug-protocol");
    let Some(redis) = common::RealRedis::start(&dir, &["--save", ""]) else {
        eprintln!("redis-server is not installed: nothing to compare with");
        return;
    };
    let ours = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let types = [
        "string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push",
        "verbatim", "true", "false", "bogus",
    ];
    for hello in ["2", "3"] {
        let (mut mine, mut theirs) = (ours.raw(), redis.raw());
        mine.cmd(&[b"HELLO", hello.as_bytes()]);
        theirs.cmd(&[b"HELLO", hello.as_bytes()]);
        for kind in types {
            let args: &[&[u8]] = &[b"DEBUG", b"PROTOCOL", kind.as_bytes()];
            // Attributes and pushes come with a reply after them: read both.
            let two = hello == "3" && matches!(kind, "attrib" | "push");
            let read = |conn: &mut RawConn| {
                conn.send_cmd(args);
                let mut reply = conn.read_reply();
                if two {
                    reply.extend(conn.read_reply());
                }
                reply
            };
            assert_eq!(
                String::from_utf8_lossy(&read(&mut mine)),
                String::from_utf8_lossy(&read(&mut theirs)),
                "DEBUG PROTOCOL {kind} in RESP{hello}"
            );
        }
    }
    let mut conn = ours.raw();
    let script = "return redis.call('debug', 'protocol', 'string')";
    let refused = conn.cmd(&[b"EVAL", script.as_bytes(), b"0"]);
    assert!(
        refused.starts_with(b"-ERR This Redis command is not allowed from script"),
        "{}",
        String::from_utf8_lossy(&refused)
    );
    let allow = &[b"DEBUG".as_slice(), b"SET-DISABLE-DENY-SCRIPTS", b"1"];
    assert_eq!(conn.cmd(allow), b"+OK\r\n");
    assert_eq!(
        conn.cmd(&[b"EVAL", script.as_bytes(), b"0"]),
        b"$11\r\nHello World\r\n"
    );
}
