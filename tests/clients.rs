//! CLIENT, MONITOR and RESET against several real connections: what one client sees
//! of the others and does to them. (Error texts are compared with Redis in
//! `differential/clients.redis`; here the ids, addresses and timings are real.)

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{eventually, RawConn, TestServer};

/// The text of a bulk (or verbatim) reply.
fn bulk_text(reply: &[u8]) -> String {
    let text = String::from_utf8_lossy(reply).into_owned();
    let body = text.split_once("\r\n").map_or("", |(_, rest)| rest);
    let body = body.strip_suffix("\r\n").unwrap_or(body);
    body.strip_prefix("txt:").unwrap_or(body).to_string()
}

/// The `field=value` pairs of one CLIENT LIST line.
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    line.split(' ')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name} in {line}"))
}

fn client_id(conn: &mut RawConn) -> String {
    let reply = conn.cmd(&[b"CLIENT", b"ID"]);
    String::from_utf8_lossy(&reply[1..reply.len() - 2]).into_owned()
}

#[test]
fn client_list_shows_every_connection_with_its_state() {
    let server = TestServer::start();
    let mut a = server.raw();
    let mut b = server.raw();
    assert_eq!(a.cmd(&[b"CLIENT", b"SETNAME", b"alpha"]), b"+OK\r\n");
    assert_eq!(b.cmd(&[b"SELECT", b"3"]), b"+OK\r\n");
    b.send_cmd(&[b"SUBSCRIBE", b"ch1", b"ch2"]);
    assert!(b.read_reply().starts_with(b"*3\r\n"));
    assert!(b.read_reply().starts_with(b"*3\r\n"));
    let list = bulk_text(&a.cmd(&[b"CLIENT", b"LIST"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    let (mine, theirs) = (lines[0], lines[1]);
    assert_eq!(field(mine, "name"), "alpha");
    assert_eq!(field(mine, "cmd"), "client|list");
    assert_eq!(field(mine, "flags"), "N");
    assert_eq!(field(mine, "multi"), "-1");
    assert_eq!(field(theirs, "db"), "3");
    assert_eq!(field(theirs, "sub"), "2");
    assert_eq!(field(theirs, "flags"), "P");
    assert_eq!(field(theirs, "cmd"), "subscribe");
    assert!(field(theirs, "id").parse::<u64>().unwrap() > field(mine, "id").parse().unwrap());
    assert!(field(mine, "fd").parse::<i32>().unwrap() > 2);
    assert_eq!(field(mine, "laddr"), field(theirs, "laddr"));

    let pubsub_only = bulk_text(&a.cmd(&[b"CLIENT", b"LIST", b"TYPE", b"pubsub"]));
    assert_eq!(pubsub_only.lines().count(), 1);
    assert_eq!(field(pubsub_only.trim_end(), "sub"), "2");
    let by_id = field(mine, "id").to_string();
    let listed = bulk_text(&a.cmd(&[b"CLIENT", b"LIST", b"ID", by_id.as_bytes(), b"999"]));
    assert_eq!(listed.lines().count(), 1);
    assert_eq!(field(listed.trim_end(), "name"), "alpha");

    let info = bulk_text(&a.cmd(&[b"CLIENT", b"INFO"]));
    assert_eq!(field(info.trim_end(), "id"), field(mine, "id"));
    assert_eq!(field(info.trim_end(), "cmd"), "client|info");
}

#[test]
fn client_list_flags_follow_multi_and_blocking() {
    let server = TestServer::start();
    let mut observer = server.raw();
    let mut in_multi = server.raw();
    let mut blocked = server.raw();
    in_multi.cmd(&[b"MULTI"]);
    in_multi.cmd(&[b"SET", b"k", b"v"]);
    blocked.send_cmd(&[b"BLPOP", b"nolist", b"0"]);
    thread::sleep(Duration::from_millis(100));
    let list = bulk_text(&observer.cmd(&[b"CLIENT", b"LIST"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(field(lines[1], "flags"), "x");
    assert_eq!(field(lines[1], "multi"), "1");
    assert_eq!(field(lines[2], "flags"), "b");
    assert_eq!(field(lines[2], "cmd"), "blpop");
}

#[test]
fn client_kill_closes_the_matching_connections_only() {
    let server = TestServer::start();
    let mut killer = server.raw();
    let mut victim = server.raw();
    let mut bystander = server.raw();
    let victim_id = client_id(&mut victim);
    assert_eq!(
        killer.cmd(&[b"CLIENT", b"KILL", b"ID", victim_id.as_bytes()]),
        b":1\r\n"
    );
    assert!(victim.is_closed());
    assert_eq!(bystander.cmd(&[b"PING"]), b"+PONG\r\n");

    // The old form by address, the caller included when it matches.
    let list = bulk_text(&bystander.cmd(&[b"CLIENT", b"INFO"]));
    let addr = field(list.trim_end(), "addr").to_string();
    assert_eq!(
        killer.cmd(&[b"CLIENT", b"KILL", addr.as_bytes()]),
        b"+OK\r\n"
    );
    assert!(bystander.is_closed());

    // SKIPME: by default the caller survives a filter that matches it.
    let mut other = server.raw();
    assert_eq!(
        killer.cmd(&[b"CLIENT", b"KILL", b"TYPE", b"normal"]),
        b":1\r\n"
    );
    assert!(other.is_closed());
    assert_eq!(killer.cmd(&[b"PING"]), b"+PONG\r\n");
    assert_eq!(
        killer.cmd(&[b"CLIENT", b"KILL", b"TYPE", b"normal", b"SKIPME", b"no"]),
        b":1\r\n"
    );
    assert!(killer.is_closed());
}

#[test]
fn client_unblock_ends_a_wait_as_timeout_or_error() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut waiter = server.raw();
    let id = client_id(&mut waiter);
    waiter.send_cmd(&[b"BLPOP", b"nolist", b"0"]);
    thread::sleep(Duration::from_millis(100));
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"UNBLOCK", id.as_bytes()]),
        b":1\r\n"
    );
    assert_eq!(waiter.read_reply(), b"*-1\r\n");
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"UNBLOCK", id.as_bytes()]),
        b":0\r\n"
    );

    waiter.send_cmd(&[b"BLMOVE", b"nolist", b"dst", b"LEFT", b"LEFT", b"0"]);
    waiter.send_cmd(&[b"PING"]);
    thread::sleep(Duration::from_millis(100));
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"UNBLOCK", id.as_bytes(), b"ERROR"]),
        b":1\r\n"
    );
    assert_eq!(
        waiter.read_reply(),
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    // The pipeline behind the blocked command runs once it is unblocked.
    assert_eq!(waiter.read_reply(), b"+PONG\r\n");
}

#[test]
fn client_pause_write_holds_writes_and_lets_reads_through() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut worker = server.raw();
    worker.cmd(&[b"SET", b"k", b"1"]);
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"PAUSE", b"300", b"WRITE"]),
        b"+OK\r\n"
    );
    let started = Instant::now();
    assert_eq!(worker.cmd(&[b"GET", b"k"]), b"$1\r\n1\r\n");
    assert!(started.elapsed() < Duration::from_millis(250));
    assert_eq!(worker.cmd(&[b"INCR", b"k"]), b":2\r\n");
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[test]
fn client_pause_all_holds_every_command_even_unpause() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut worker = server.raw();
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"PAUSE", b"400", b"ALL"]),
        b"+OK\r\n"
    );
    let started = Instant::now();
    worker.send_cmd(&[b"PING"]);
    worker.send_cmd(&[b"ECHO", b"after"]);
    // As in Redis, an ALL pause holds CLIENT UNPAUSE too: it runs when the pause ends.
    admin.send_cmd(&[b"CLIENT", b"UNPAUSE"]);
    assert_eq!(worker.read_reply(), b"+PONG\r\n");
    assert!(started.elapsed() >= Duration::from_millis(350));
    assert_eq!(worker.read_reply(), b"$5\r\nafter\r\n");
    assert_eq!(admin.read_reply(), b"+OK\r\n");

    // UNPAUSE from a WRITE pause is not held, and releases the writers at once.
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"PAUSE", b"10000", b"WRITE"]),
        b"+OK\r\n"
    );
    let started = Instant::now();
    worker.send_cmd(&[b"SET", b"k", b"v"]);
    thread::sleep(Duration::from_millis(100));
    assert_eq!(admin.cmd(&[b"CLIENT", b"UNPAUSE"]), b"+OK\r\n");
    assert_eq!(worker.read_reply(), b"+OK\r\n");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn client_reply_off_silences_until_on() {
    let server = TestServer::start();
    let mut conn = server.raw();
    conn.send_cmd(&[b"CLIENT", b"REPLY", b"OFF"]);
    conn.send_cmd(&[b"SET", b"k", b"v"]);
    conn.send_cmd(&[b"GET", b"k"]);
    assert_eq!(conn.cmd(&[b"CLIENT", b"REPLY", b"ON"]), b"+OK\r\n");
    assert_eq!(conn.cmd(&[b"GET", b"k"]), b"$1\r\nv\r\n");
    conn.send_cmd(&[b"CLIENT", b"REPLY", b"SKIP"]);
    conn.send_cmd(&[b"INCR", b"n"]);
    assert_eq!(conn.cmd(&[b"INCR", b"n"]), b":2\r\n");
}

#[test]
fn monitor_streams_commands_with_redacted_credentials() {
    let server = TestServer::start();
    let mut monitor = server.raw();
    let mut worker = server.raw();
    let worker_info = bulk_text(&worker.cmd(&[b"CLIENT", b"INFO"]));
    let addr = field(worker_info.trim_end(), "addr").to_string();
    assert_eq!(monitor.cmd(&[b"MONITOR"]), b"+OK\r\n");
    worker.cmd(&[b"SET", b"key", b"va\"l\n"]);
    worker.cmd(&[b"SELECT", b"2"]);
    worker.cmd(&[b"MULTI"]);
    worker.cmd(&[b"INCR", b"n"]);
    worker.cmd(&[b"EXEC"]);
    worker.cmd(&[b"HELLO", b"2", b"AUTH", b"default", b"secret"]);
    worker.cmd(&[b"CONFIG", b"GET", b"port"]);
    worker.cmd(&[b"PING"]);
    let expected = [
        "[0 ADDR] \"SET\" \"key\" \"va\\\"l\\n\"",
        "[2 ADDR] \"SELECT\" \"2\"",
        "[2 ADDR] \"MULTI\"",
        "[2 ADDR] \"INCR\" \"n\"",
        "[2 ADDR] \"EXEC\"",
        "[2 ADDR] \"HELLO\" \"2\" \"AUTH\" \"(redacted)\" \"(redacted)\"",
        "[2 ADDR] \"PING\"",
    ];
    for want in expected {
        let line = String::from_utf8(monitor.read_reply()).unwrap();
        let (stamp, rest) = line[1..].split_once(' ').unwrap();
        assert!(stamp.contains('.') && stamp.len() == 17, "{line}");
        assert_eq!(rest.trim_end(), want.replace("ADDR", &addr));
    }
    // A monitor may not touch the keyspace; RESET turns it back into a client.
    assert_eq!(
        monitor.cmd(&[b"GET", b"key"]),
        b"-ERR Replica can't interact with the keyspace\r\n"
    );
    assert_eq!(monitor.cmd(&[b"RESET"]), b"+RESET\r\n");
    assert_eq!(monitor.cmd(&[b"GET", b"key"]), b"$5\r\nva\"l\n\r\n");
}

#[test]
fn reset_forgets_subscriptions_transactions_and_name() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let mut publisher = server.raw();
    conn.cmd(&[b"CLIENT", b"SETNAME", b"n1"]);
    conn.cmd(&[b"SUBSCRIBE", b"ch"]);
    assert_eq!(conn.cmd(&[b"RESET"]), b"+RESET\r\n");
    assert_eq!(publisher.cmd(&[b"PUBLISH", b"ch", b"x"]), b":0\r\n");
    assert_eq!(conn.cmd(&[b"CLIENT", b"GETNAME"]), b"$-1\r\n");
    conn.cmd(&[b"WATCH", b"w"]);
    conn.cmd(&[b"MULTI"]);
    assert_eq!(conn.cmd(&[b"RESET"]), b"+RESET\r\n");
    assert_eq!(conn.cmd(&[b"EXEC"]), b"-ERR EXEC without MULTI\r\n");
}

#[test]
fn idle_timeout_spares_blocked_and_subscribed_clients() {
    let server = TestServer::start_with(&["--timeout", "1"]);
    let mut idle = server.raw();
    let mut subscriber = server.raw();
    let mut blocked = server.raw();
    idle.cmd(&[b"PING"]);
    subscriber.cmd(&[b"SUBSCRIBE", b"ch"]);
    blocked.send_cmd(&[b"BLPOP", b"nolist", b"0"]);
    thread::sleep(Duration::from_millis(2500));
    assert!(idle.is_closed());
    let mut publisher = server.raw();
    assert_eq!(publisher.cmd(&[b"RPUSH", b"nolist", b"x"]), b":1\r\n");
    assert_eq!(blocked.read_reply(), b"*2\r\n$6\r\nnolist\r\n$1\r\nx\r\n");
    assert_eq!(publisher.cmd(&[b"PUBLISH", b"ch", b"m"]), b":1\r\n");
}

#[test]
fn client_setinfo_accepts_library_name_and_version_as_redis_7_2_does() {
    let server = TestServer::start();
    let mut conn = server.raw();
    assert_eq!(
        conn.cmd(&[b"CLIENT", b"SETINFO", b"LIB-NAME", b"redis-py"]),
        b"+OK\r\n"
    );
    assert_eq!(
        conn.cmd(&[b"CLIENT", b"SETINFO", b"lib-ver", b"5.0.1"]),
        b"+OK\r\n"
    );
    assert_eq!(
        conn.cmd(&[b"CLIENT", b"SETINFO", b"lib-name", b"has space"]),
        b"-ERR lib-name cannot contain spaces, newlines or special characters.\r\n"
    );
    assert_eq!(
        conn.cmd(&[b"CLIENT", b"SETINFO", b"colour", b"red"]),
        b"-ERR Unrecognized option 'colour'\r\n"
    );
    assert_eq!(
        conn.cmd(&[b"CLIENT", b"SETINFO", b"lib-name"]),
        b"-ERR wrong number of arguments for 'client|setinfo' command\r\n"
    );
}

#[test]
fn client_no_touch_leaves_idle_time_alone_except_for_touch() {
    let server = TestServer::start();
    let mut conn = server.raw();
    conn.cmd(&[b"SET", b"k", b"v"]);
    thread::sleep(Duration::from_millis(2100));
    assert_eq!(conn.cmd(&[b"CLIENT", b"NO-TOUCH", b"on"]), b"+OK\r\n");
    assert_eq!(conn.cmd(&[b"GET", b"k"]), b"$1\r\nv\r\n");
    let idle = conn.cmd(&[b"OBJECT", b"IDLETIME", b"k"]);
    assert!(idle == b":2\r\n" || idle == b":3\r\n", "{idle:?}");
    assert_eq!(conn.cmd(&[b"TOUCH", b"k"]), b":1\r\n");
    assert_eq!(conn.cmd(&[b"OBJECT", b"IDLETIME", b"k"]), b":0\r\n");
    assert_eq!(
        conn.cmd(&[b"CLIENT", b"NO-TOUCH", b"maybe"]),
        b"-ERR syntax error\r\n"
    );
    let info = bulk_text(&conn.cmd(&[b"CLIENT", b"INFO"]));
    assert!(field(info.trim_end(), "flags").contains('T'), "{info}");
}

#[test]
fn client_pause_stops_active_expiry_until_it_ends() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut observer = server.raw();
    admin.cmd(&[b"SET", b"short", b"v", b"PX", b"50"]);
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"PAUSE", b"600", b"WRITE"]),
        b"+OK\r\n"
    );
    thread::sleep(Duration::from_millis(350));
    // Reads go on under a WRITE pause; the expired key was not collected by the cron.
    assert!(
        bulk_text(&observer.cmd(&[b"INFO", b"keyspace"])).contains("db0:keys=1,expires=1"),
        "active expiry ran during the pause"
    );
    thread::sleep(Duration::from_millis(600));
    assert!(!bulk_text(&observer.cmd(&[b"INFO", b"keyspace"])).contains("db0:"));
}

#[test]
fn client_pause_keeps_expired_keys_stored_but_reads_them_as_missing() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut reader = server.raw();
    admin.cmd(&[b"SET", b"k", b"v", b"PX", b"50"]);
    admin.cmd(&[b"SET", b"other", b"v", b"PX", b"50"]);
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"PAUSE", b"600", b"WRITE"]),
        b"+OK\r\n"
    );
    thread::sleep(Duration::from_millis(200));
    // As in Redis 7.0: the read misses, but the dataset stays as it was.
    assert_eq!(reader.cmd(&[b"GET", b"k"]), b"$-1\r\n");
    assert_eq!(reader.cmd(&[b"EXISTS", b"k"]), b":0\r\n");
    assert_eq!(reader.cmd(&[b"TTL", b"k"]), b":-2\r\n");
    assert_eq!(reader.cmd(&[b"DBSIZE"]), b":2\r\n");
    // RANDOMKEY still answers when every key is expired but held.
    assert!(reader.cmd(&[b"RANDOMKEY"]).starts_with(b"$"));
    thread::sleep(Duration::from_millis(700));
    assert_eq!(reader.cmd(&[b"GET", b"k"]), b"$-1\r\n");
    assert_eq!(reader.cmd(&[b"DBSIZE"]), b":0\r\n");
}

/// Clients a CLIENT PAUSE holds back count as blocked in INFO, as in Redis (its pause
/// unit waits on `blocked_clients` to see that a write was held).
#[test]
fn paused_clients_count_as_blocked_in_info() {
    let server = TestServer::start();
    let mut admin = server.raw();
    let mut writer = server.raw();
    assert_eq!(
        admin.cmd(&[b"CLIENT", b"PAUSE", b"100000", b"WRITE"]),
        b"+OK\r\n".to_vec()
    );
    writer.send_cmd(&[b"SET", b"k", b"v"]);
    thread::sleep(Duration::from_millis(100));
    let info = bulk_text(&admin.cmd(&[b"INFO", b"clients"]));
    assert!(info.contains("blocked_clients:1\r\n"), "{info}");
    assert_eq!(admin.cmd(&[b"CLIENT", b"UNPAUSE"]), b"+OK\r\n".to_vec());
    assert_eq!(writer.read_reply(), b"+OK\r\n".to_vec());
    let info = bulk_text(&admin.cmd(&[b"INFO", b"clients"]));
    assert!(info.contains("blocked_clients:0\r\n"), "{info}");
}

#[test]
fn the_callers_query_buffer_holds_its_command_as_in_redis() {
    let server = TestServer::start();
    let mut conn = server.raw();
    // `*2\r\n$6\r\nclient\r\n$4\r\ninfo\r\n` is 26 bytes; "client" + "info" are 10.
    let line = bulk_text(&conn.cmd(&[b"CLIENT", b"INFO"]));
    assert_eq!(field(&line, "qbuf"), "26", "{line}");
    assert_eq!(field(&line, "argv-mem"), "10", "{line}");
    assert_eq!(field(&line, "multi-mem"), "0", "{line}");
}

/// CLIENT INFO's `rbs` (reply buffer size) and `rbp` (its recent peak) for `conn`.
fn reply_buffer(conn: &mut RawConn) -> (usize, usize) {
    let line = bulk_text(&conn.cmd(&[b"CLIENT", b"INFO"]));
    let number = |name| field(&line, name).parse::<usize>().expect("a number");
    (number("rbs"), number("rbp"))
}

/// The INFO stats counter `name`.
fn stat(conn: &mut RawConn, name: &str) -> u64 {
    common::info_field(conn, "stats", name)
        .parse()
        .expect("a counter")
}

#[test]
fn reply_buffers_grow_with_big_replies_and_shrink_when_idle() {
    let server = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut admin = server.raw();
    let mut busy = server.raw();
    // A fresh client starts at the minimum, 1 KB.
    assert_eq!(reply_buffer(&mut busy).0, 1024);
    admin.cmd(&[b"SET", b"big", &vec![b'x'; 32 * 1024]]);
    assert_eq!(
        admin.cmd(&[b"DEBUG", b"REPLYBUFFER", b"PEAK-RESET-TIME", b"NEVER"]),
        b"+OK\r\n"
    );
    // Replies that fill the buffer double it at each cron visit, up to 16 KB.
    assert!(eventually(|| {
        busy.cmd(&[b"GET", b"big"]);
        reply_buffer(&mut busy).0 == 16 * 1024
    }));
    assert!(stat(&mut admin, "reply_buffer_expands") >= 4);
    // With resizing off nothing moves, whatever the peak.
    admin.cmd(&[b"DEBUG", b"REPLYBUFFER", b"RESIZING", b"0"]);
    admin.cmd(&[b"DEBUG", b"REPLYBUFFER", b"PEAK-RESET-TIME", b"100"]);
    thread::sleep(Duration::from_millis(500));
    assert_eq!(reply_buffer(&mut busy).0, 16 * 1024);
    // Resizing on, an idle client's peak restarts and its buffer shrinks to the
    // minimum.
    admin.cmd(&[b"DEBUG", b"REPLYBUFFER", b"RESIZING", b"1"]);
    assert!(eventually(|| reply_buffer(&mut busy).0 < 2048));
    assert!(stat(&mut admin, "reply_buffer_shrinks") >= 1);
    let (size, peak) = reply_buffer(&mut busy);
    assert!(size >= 1024 && peak < size, "rbs={size} rbp={peak}");
    // RESET restores the 5 s default; bad values get Redis's errors.
    let script = [
        ("DEBUG REPLYBUFFER PEAK-RESET-TIME RESET", "+OK\r\n"),
        (
            "DEBUG REPLYBUFFER PEAK-RESET-TIME soon",
            "-ERR value is not an integer or out of range\r\n",
        ),
        (
            "DEBUG REPLYBUFFER SIZE 1",
            "-ERR unknown subcommand or wrong number of arguments for 'REPLYBUFFER'. Try DEBUG HELP.\r\n",
        ),
        (
            "DEBUG replybuffer RESIZING",
            "-ERR unknown subcommand or wrong number of arguments for 'replybuffer'. Try DEBUG HELP.\r\n",
        ),
    ];
    common::script(&mut admin, &script);
}
