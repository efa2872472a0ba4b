//! Memory that is bounded and told truthfully: stored values own their bytes (no value,
//! slow-log entry or name pins a larger query buffer), INFO `used_memory` reports what
//! is held, maxmemory evicts the keys each policy names and refuses `denyoom` commands
//! with Redis's error, and commands given huge counts answer without exhausting memory.

mod common;

use std::time::{Duration, Instant};

use common::{RawConn, TestServer};

/// One field of `INFO <section>` as text.
fn info_field(conn: &mut RawConn, section: &str, name: &str) -> String {
    let reply = conn.cmd(&[b"INFO", section.as_bytes()]);
    let text = String::from_utf8_lossy(&reply).into_owned();
    let prefix = format!("{name}:");
    text.split("\r\n")
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} in INFO {section}"))
        .to_string()
}

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
