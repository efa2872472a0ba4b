//! Memory that is bounded and told truthfully: stored values own their bytes (no value,
//! slow-log entry or name pins a larger query buffer), INFO `used_memory` reports what
//! is held, maxmemory evicts the keys each policy names and refuses `denyoom` commands
//! with Redis's error, and commands given huge counts answer without exhausting memory.

mod common;

use std::time::{Duration, Instant};

use common::{info_field, RawConn, TestServer};

/// INFO `used_memory`.
fn used_memory(conn: &mut RawConn) -> u64 {
    info_field(conn, "memory", "used_memory")
        .parse()
        .expect("used_memory is a number")
}

/// Waits up to 3 seconds (the cron trims idle query buffers) for `used_memory` to
/// fall below `limit`; returns the last reading.
fn settles_below(conn: &mut RawConn, limit: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let used = used_memory(conn);
        if used < limit || Instant::now() > deadline {
            return used;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

const MB: usize = 1 << 20;

#[test]
fn small_values_do_not_pin_the_buffers_of_big_ones() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let big = vec![b'x'; 100 * MB];
    let small = vec![b'y'; 16 * 1024];
    for round in 0..5 {
        assert_eq!(conn.cmd(&[b"SET", b"tmp", &big]), b"+OK\r\n");
        assert_eq!(conn.cmd(&[b"DEL", b"tmp"]), b":1\r\n");
        let key = format!("key_{round}");
        assert_eq!(conn.cmd(&[b"SET", key.as_bytes(), &small]), b"+OK\r\n");
    }
    // Real Redis holds about 1 MB here; before values owned their bytes, 500 MB.
    let used = settles_below(&mut conn, 16 * MB as u64);
    assert!(used < 16 * MB as u64, "used_memory {used} after the rounds");
    let usage = conn.cmd(&[b"MEMORY", b"USAGE", b"key_0"]);
    let usage: u64 = String::from_utf8_lossy(&usage[1..usage.len() - 2])
        .parse()
        .expect("MEMORY USAGE is an integer");
    assert!(
        (16 * 1024..32 * 1024).contains(&usage),
        "MEMORY USAGE {usage}"
    );
}

/// Redis's "trim on SET with big value" (unit/type/string, run there only under
/// jemalloc): a value above the 32 KB big-argument size, sent after a bigger one grew
/// the query buffer, is stored trimmed to its size.
#[test]
fn a_big_value_after_a_bigger_one_is_stored_trimmed() {
    let server = TestServer::start();
    let mut conn = server.raw();
    assert_eq!(
        conn.cmd(&[b"SET", b"key", &vec![b'A'; 100_000]]),
        b"+OK\r\n"
    );
    assert_eq!(conn.cmd(&[b"SET", b"key", &vec![b'A'; 33_000]]), b"+OK\r\n");
    let usage = int(&mut conn, &[b"MEMORY", b"USAGE", b"key"]);
    assert!((33_000..42_000).contains(&usage), "MEMORY USAGE {usage}");
}

#[test]
fn the_slow_log_keeps_copies_not_query_buffers() {
    let server = TestServer::start();
    let mut conn = server.raw();
    conn.cmd(&[b"CONFIG", b"SET", b"slowlog-log-slower-than", b"0"]);
    let big = vec![b'x'; 100 * MB];
    assert_eq!(conn.cmd(&[b"SET", b"big", &big]), b"+OK\r\n");
    for _ in 0..5 {
        conn.cmd(&[b"APPEND", b"big", b"tail"]);
    }
    assert_eq!(conn.cmd(&[b"DEL", b"big"]), b":1\r\n");
    let used = settles_below(&mut conn, 16 * MB as u64);
    assert!(used < 16 * MB as u64, "used_memory {used} after DEL");
    let entries = conn.cmd(&[b"SLOWLOG", b"LEN"]);
    assert!(entries.starts_with(b":"), "the slow log still answers");
}

/// The integer reply of `args`.
fn int(conn: &mut RawConn, args: &[&[u8]]) -> i64 {
    let reply = conn.cmd(args);
    assert_eq!(reply[0], b':', "{}", String::from_utf8_lossy(&reply));
    String::from_utf8_lossy(&reply[1..reply.len() - 2])
        .parse()
        .expect("an integer reply")
}

/// Writes `count` keys `{prefix}{i}` of `size` bytes each (pipelined), with a TTL of
/// `ttl(i)` seconds where it gives one.
fn fill(
    conn: &mut RawConn,
    prefix: &str,
    count: usize,
    size: usize,
    ttl: impl Fn(usize) -> Option<u64>,
) {
    let value = vec![b'v'; size];
    let mut batch = Vec::new();
    for i in 0..count {
        let key = format!("{prefix}{i}");
        let mut args: Vec<Vec<u8>> = vec![b"SET".to_vec(), key.into_bytes(), value.clone()];
        if let Some(seconds) = ttl(i) {
            args.push(b"EX".to_vec());
            args.push(seconds.to_string().into_bytes());
        }
        let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        batch.extend(common::encode(&refs));
    }
    conn.send(&batch);
    for _ in 0..count {
        assert_eq!(conn.read_reply(), b"+OK\r\n");
    }
}

/// Sets maxmemory to what is used now minus `shed` bytes, under `policy`, and runs a
/// command so a pass evicts (CONFIG SET alone starts a cycle too).
fn squeeze(conn: &mut RawConn, policy: &str, shed: u64) {
    conn.cmd(&[b"CONFIG", b"SET", b"maxmemory-policy", policy.as_bytes()]);
    conn.cmd(&[b"CONFIG", b"SET", b"maxmemory-samples", b"10"]);
    let limit = used_memory(conn).saturating_sub(shed).max(1);
    let reply = conn.cmd(&[
        b"CONFIG",
        b"SET",
        b"maxmemory",
        limit.to_string().as_bytes(),
    ]);
    assert_eq!(reply, b"+OK\r\n");
    conn.cmd(&[b"PING"]);
}

fn exists(conn: &mut RawConn, key: &str) -> bool {
    int(conn, &[b"EXISTS", key.as_bytes()]) == 1
}

#[test]
fn allkeys_lru_keeps_recently_touched_keys() {
    let server = TestServer::start();
    let mut conn = server.raw();
    fill(&mut conn, "old:", 1000, 1000, |_| None);
    fill(&mut conn, "hot:", 1000, 1000, |_| None);
    // The LRU clock counts seconds: let the keys age, then touch half of them.
    std::thread::sleep(Duration::from_millis(2100));
    for i in 0..1000 {
        conn.cmd(&[b"GET", format!("hot:{i}").as_bytes()]);
    }
    squeeze(&mut conn, "allkeys-lru", 600 * 1000);
    let evicted = info_field(&mut conn, "stats", "evicted_keys");
    assert!(evicted.parse::<u64>().unwrap() >= 250, "evicted {evicted}");
    let hot_kept = (0..1000)
        .filter(|i| exists(&mut conn, &format!("hot:{i}")))
        .count();
    assert_eq!(hot_kept, 1000, "recently used keys were evicted");
    let limit: u64 = info_field(&mut conn, "memory", "maxmemory")
        .parse()
        .unwrap();
    assert!(used_memory(&mut conn) <= limit + 64 * 1024);
}

#[test]
fn volatile_policies_evict_only_keys_with_a_ttl() {
    for policy in [
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    ] {
        let server = TestServer::start();
        let mut conn = server.raw();
        fill(&mut conn, "keep:", 500, 1000, |_| None);
        fill(&mut conn, "ttl:", 500, 1000, |i| Some(1000 + i as u64));
        squeeze(&mut conn, policy, 400 * 1000);
        let kept = (0..500)
            .filter(|i| exists(&mut conn, &format!("keep:{i}")))
            .count();
        assert_eq!(kept, 500, "{policy} evicted a key without a TTL");
        let ttl_kept = (0..500)
            .filter(|i| exists(&mut conn, &format!("ttl:{i}")))
            .count();
        assert!(ttl_kept < 250, "{policy} kept {ttl_kept} keys with a TTL");
        // Squeezed past what the volatile keys hold: writes are refused, nothing else goes.
        squeeze(&mut conn, policy, 2000 * 1000);
        let reply = conn.cmd(&[b"SET", b"more", b"x"]);
        assert_eq!(
            reply,
            b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
        );
        assert_eq!(int(&mut conn, &[b"DBSIZE"]), 500, "{policy}");
    }
}

#[test]
fn volatile_ttl_evicts_the_nearest_deadlines_first() {
    let server = TestServer::start();
    let mut conn = server.raw();
    fill(&mut conn, "ttl:", 1000, 1000, |i| {
        Some(1000 + 10 * i as u64)
    });
    squeeze(&mut conn, "volatile-ttl", 400 * 1000);
    let (mut gone, mut kept) = (Vec::new(), Vec::new());
    for i in 0..1000 {
        if exists(&mut conn, &format!("ttl:{i}")) {
            kept.push(i);
        } else {
            gone.push(i);
        }
    }
    let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
    assert!(gone.len() >= 250, "evicted {}", gone.len());
    // Sampled, not exact: the evicted deadlines are much nearer on the whole.
    assert!(
        mean(&gone) + 250.0 < mean(&kept),
        "gone {} kept {}",
        mean(&gone),
        mean(&kept)
    );
}

#[test]
fn noeviction_refuses_denyoom_commands_only() {
    let server = TestServer::start();
    let mut conn = server.raw();
    fill(&mut conn, "k:", 100, 1000, |_| None);
    squeeze(&mut conn, "noeviction", 50 * 1000);
    let oom = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    assert_eq!(conn.cmd(&[b"SET", b"new", b"v"]), oom);
    assert_eq!(conn.cmd(&[b"LPUSH", b"list", b"v"]), oom);
    assert_eq!(conn.cmd(&[b"GET", b"k:1"]).len(), 1000 + 9);
    assert_eq!(int(&mut conn, &[b"DEL", b"k:1"]), 1);
    assert_eq!(int(&mut conn, &[b"DBSIZE"]), 99);
    assert_eq!(info_field(&mut conn, "stats", "evicted_keys"), "0");
    assert_eq!(
        info_field(&mut conn, "memory", "maxmemory_policy"),
        "noeviction"
    );
    let errors = info_field(&mut conn, "errorstats", "errorstat_OOM");
    assert_eq!(errors, "count=2");
}

#[test]
fn evicted_keys_are_notified_and_recorded_as_dels() {
    let server = TestServer::start_with(&["--appendonly", "yes", "--notify-keyspace-events", "Ee"]);
    let mut conn = server.raw();
    let mut listener = server.raw();
    listener.cmd(&[b"SUBSCRIBE", b"__keyevent@0__:evicted"]);
    fill(&mut conn, "k:", 3, 10, |_| None);
    conn.cmd(&[b"CONFIG", b"SET", b"maxmemory-policy", b"allkeys-random"]);
    conn.cmd(&[b"CONFIG", b"SET", b"maxmemory", b"1"]);
    assert_eq!(
        conn.cmd(&[b"SET", b"x", b"y"]),
        b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
    assert_eq!(int(&mut conn, &[b"DBSIZE"]), 0);
    let mut notified = Vec::new();
    for _ in 0..3 {
        let message = listener.read_reply();
        notified.push(String::from_utf8_lossy(&message).into_owned());
    }
    for i in 0..3 {
        assert!(
            notified.iter().any(|m| m.contains(&format!("k:{i}"))),
            "{notified:?}"
        );
    }
    conn.cmd(&[b"CONFIG", b"SET", b"maxmemory", b"0"]);
    let dir = conn.cmd(&[b"CONFIG", b"GET", b"dir"]);
    let dir = String::from_utf8_lossy(&dir)
        .split("\r\n")
        .nth(4)
        .unwrap_or("")
        .to_string();
    let mut aof = String::new();
    for entry in
        std::fs::read_dir(std::path::Path::new(&dir).join("appendonlydir")).expect("AOF dir")
    {
        let path = entry.expect("entry").path();
        if path.to_string_lossy().ends_with(".incr.aof") {
            aof.push_str(&String::from_utf8_lossy(
                &std::fs::read(path).expect("read AOF"),
            ));
        }
    }
    assert_eq!(aof.matches("$3\r\nDEL\r\n$3\r\nk:").count(), 3, "{aof:?}");
}

#[test]
fn lazy_eviction_frees_big_values_in_the_background() {
    let server = TestServer::start_with(&["--lazyfree-lazy-eviction", "yes"]);
    let mut conn = server.raw();
    for key in 0..4 {
        let mut args: Vec<Vec<u8>> = vec![b"SADD".to_vec(), format!("set{key}").into_bytes()];
        args.extend((0..20_000).map(|i| format!("element-{i}").into_bytes()));
        let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        assert_eq!(int(&mut conn, &refs), 20_000);
    }
    squeeze(&mut conn, "allkeys-lru", 1 << 20);
    // The worker frees them soon after: wait for its count.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut freed = 0;
    while freed == 0 && Instant::now() < deadline {
        freed = info_field(&mut conn, "memory", "lazyfreed_objects")
            .parse()
            .expect("a count");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(freed >= 1, "lazyfreed_objects {freed}");
    assert!(int(&mut conn, &[b"DBSIZE"]) < 4);
}

#[test]
fn huge_counts_and_sizes_are_answered_under_a_memory_limit() {
    // 1.5 GB of address space: enough for the server, far from enough for what
    // these commands would take if they believed their arguments.
    let server = TestServer::start_under_limit(1536 << 20, &["--enable-debug-command", "yes"]);
    let mut conn = server.raw();
    conn.cmd(&[b"SADD", b"s", b"a", b"b", b"c"]);
    conn.cmd(&[b"ZADD", b"z", b"1", b"a", b"2", b"b"]);
    conn.cmd(&[b"HSET", b"h", b"f", b"v"]);
    let size_error = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    let steps: [(&[&[u8]], &[u8]); 6] = [
        (
            &[b"DEBUG", b"POPULATE", b"1", b"k", b"9223372036854775807"],
            size_error,
        ),
        (
            &[b"SETRANGE", b"str", b"9223372036854775807", b"x"],
            size_error,
        ),
        (
            &[b"SETBIT", b"bits", b"4294967296", b"1"],
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (&[b"SRANDMEMBER", b"s", b"9223372036854775807"], b"*3\r\n"),
        (
            &[b"LPOS", b"nolist", b"a", b"COUNT", b"9223372036854775807"],
            b"*0\r\n",
        ),
        (
            &[
                b"XAUTOCLAIM",
                b"x",
                b"g",
                b"c",
                b"0",
                b"0",
                b"COUNT",
                b"9223372036854775807",
            ],
            b"-ERR COUNT must be > 0\r\n",
        ),
    ];
    for (args, expected) in steps {
        let reply = conn.cmd(args);
        assert!(
            reply.starts_with(expected),
            "{:?}: {}",
            args[0],
            String::from_utf8_lossy(&reply)
        );
    }
    // Negative counts (replies of up to 2^63 picks): tests/random_picks.rs.
    assert_eq!(conn.cmd(&[b"PING"]), b"+PONG\r\n", "the server survived");
}

#[test]
fn debug_populate_stops_before_memory_runs_out() {
    let server = TestServer::start_under_limit(1 << 30, &["--enable-debug-command", "yes"]);
    let mut conn = server.raw();
    let reply = conn.cmd(&[b"DEBUG", b"POPULATE", b"1000000000", b"big", b"100000"]);
    let text = String::from_utf8_lossy(&reply);
    assert!(
        text.starts_with("-ERR DEBUG POPULATE stopped after"),
        "{text}"
    );
    assert_eq!(conn.cmd(&[b"PING"]), b"+PONG\r\n", "the server survived");
    assert!(int(&mut conn, &[b"DBSIZE"]) > 1000);
}

#[test]
fn the_keyspace_table_does_not_double_past_maxmemory() {
    // Latency histograms (24 KB per command name, made on first use) off, as Redis's
    // own test does, so only the table could push memory over.
    let server = TestServer::start_with(&["--latency-tracking", "no"]);
    let mut conn = server.raw();
    // 4096 keys fill a 4096-bucket table: the next key would double it (64 KB more).
    fill(&mut conn, "key:", 4096, 1, |_| None);
    conn.cmd(&[b"CONFIG", b"SET", b"maxmemory-policy", b"allkeys-random"]);
    let limit = used_memory(&mut conn) + 10 * 1024;
    let limit = limit.to_string();
    conn.cmd(&[b"CONFIG", b"SET", b"maxmemory", limit.as_bytes()]);
    assert_eq!(conn.cmd(&[b"SET", b"k1", b"v1"]), b"+OK\r\n");
    assert_eq!(conn.cmd(&[b"SET", b"k2", b"v2"]), b"+OK\r\n");
    // No key had to go to pay for a bigger table.
    assert_eq!(int(&mut conn, &[b"DBSIZE"]), 4098);
    assert_eq!(info_field(&mut conn, "stats", "evicted_keys"), "0");
}

#[test]
fn maxmemory_clients_is_accepted_and_given_back_as_written() {
    let server = TestServer::start();
    let mut conn = server.raw();
    for (value, back) in [
        ("10mb", "$8\r\n10485760\r\n"),
        ("5%", "$2\r\n5%\r\n"),
        ("0", "$1\r\n0\r\n"),
    ] {
        let reply = conn.cmd(&[b"CONFIG", b"SET", b"maxmemory-clients", value.as_bytes()]);
        assert_eq!(reply, b"+OK\r\n", "{value}");
        let reply = conn.cmd(&[b"CONFIG", b"GET", b"maxmemory-clients"]);
        assert!(
            reply.ends_with(back.as_bytes()),
            "{}",
            String::from_utf8_lossy(&reply)
        );
    }
}

#[test]
fn invalidations_of_evicted_keys_come_before_the_reply() {
    let server = TestServer::start();
    let mut conn = server.raw();
    conn.cmd(&[b"HELLO", b"3"]);
    assert_eq!(conn.cmd(&[b"CLIENT", b"TRACKING", b"on"]), b"+OK\r\n");
    let used = used_memory(&mut conn);
    let limit = (used + 100 * 1024).to_string();
    conn.cmd(&[b"CONFIG", b"SET", b"maxmemory", limit.as_bytes()]);
    conn.cmd(&[b"CONFIG", b"SET", b"maxmemory-policy", b"volatile-random"]);
    conn.cmd(&[b"SETEX", b"volatile-key", b"10000", b"x"]);
    assert_eq!(conn.cmd(&[b"GET", b"volatile-key"]), b"$1\r\nx\r\n");
    // 200 KB in one value puts memory over the limit; the next command evicts.
    assert_eq!(
        conn.cmd(&[b"SETBIT", b"big-key", b"1600000", b"0"]),
        b":0\r\n"
    );
    conn.send_cmd(&[b"GETBIT", b"big-key", b"0"]);
    let first = conn.read_reply();
    assert_eq!(
        first,
        b">2\r\n$10\r\ninvalidate\r\n*1\r\n$12\r\nvolatile-key\r\n",
        "the invalidation first: {}",
        String::from_utf8_lossy(&first)
    );
    assert_eq!(conn.read_reply(), b":0\r\n");
}

#[test]
fn unlink_frees_big_values_in_the_background_and_small_ones_at_once() {
    let server = TestServer::start();
    let mut conn = server.raw();
    conn.cmd(&[b"CONFIG", b"SET", b"stream-node-max-entries", b"5"]);
    for i in 0..1000 {
        conn.cmd(&[b"XADD", b"stream", b"*", b"foo", i.to_string().as_bytes()]);
    }
    conn.cmd(&[b"SET", b"small", b"v"]);
    conn.cmd(&[b"CONFIG", b"RESETSTAT"]);
    // One small value (freed at once) and one stream of 200 nodes (past the threshold).
    assert_eq!(int(&mut conn, &[b"UNLINK", b"small", b"stream"]), 2);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut freed = 0;
    while freed == 0 && Instant::now() < deadline {
        freed = info_field(&mut conn, "memory", "lazyfreed_objects")
            .parse()
            .expect("a count");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(freed, 1, "only the stream went to the worker");
    assert_eq!(
        info_field(&mut conn, "memory", "lazyfree_pending_objects"),
        "0"
    );
}
