//! Client-side caching through real connections: invalidation bytes with real client
//! ids (redirects, broken redirects), CLIENT LIST flags, INFO counters, disconnects and
//! the tracking table's size limit. (Option errors and the RESP2/RESP3 message shapes
//! are compared with Redis in `differential/tracking.redis`.)

mod common;

use std::thread;
use std::time::Duration;

use common::{RawConn, TestServer};

fn client_id(conn: &mut RawConn) -> String {
    let reply = conn.cmd(&[b"CLIENT", b"ID"]);
    String::from_utf8_lossy(&reply[1..reply.len() - 2]).into_owned()
}

/// The value of `name` in an INFO reply (RESP2 bulk).
fn info_field(conn: &mut RawConn, section: &[u8], name: &str) -> String {
    let reply = conn.cmd(&[b"INFO", section]);
    let text = String::from_utf8_lossy(&reply).into_owned();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("no {name} in INFO"))
        .to_string()
}

/// The `field=value` of the CLIENT INFO line.
fn client_info_field(conn: &mut RawConn, name: &str) -> String {
    let reply = conn.cmd(&[b"CLIENT", b"INFO"]);
    let text = String::from_utf8_lossy(&reply).into_owned();
    text.split([' ', '\r', '\n'])
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        .to_string()
}

fn invalidate_push(key: &str) -> Vec<u8> {
    format!(
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n${}\r\n{key}\r\n",
        key.len()
    )
    .into_bytes()
}

#[test]
fn resp3_client_gets_its_invalidations_after_its_own_reply() {
    let server = TestServer::start();
    let mut a = server.raw();
    let mut b = server.raw();
    a.cmd(&[b"HELLO", b"3"]);
    assert_eq!(a.cmd(&[b"CLIENT", b"TRACKING", b"ON"]), b"+OK\r\n");
    assert_eq!(a.cmd(&[b"CLIENT", b"GETREDIR"]), b":0\r\n");
    assert_eq!(client_info_field(&mut a, "flags"), "t");
    assert_eq!(client_info_field(&mut a, "redir"), "0");
    a.cmd(&[b"MGET", b"k1", b"k2"]);
    assert_eq!(info_field(&mut b, b"stats", "tracking_total_keys"), "2");
    assert_eq!(info_field(&mut b, b"stats", "tracking_total_items"), "2");
    assert_eq!(info_field(&mut b, b"clients", "tracking_clients"), "1");

    assert_eq!(b.cmd(&[b"SET", b"k1", b"x"]), b"+OK\r\n");
    assert_eq!(a.read_reply(), invalidate_push("k1"));
    // Its own write, pipelined: the invalidation right after that command's reply.
    a.send_cmd(&[b"SET", b"k2", b"mine"]);
    a.send_cmd(&[b"PING"]);
    assert_eq!(a.read_reply(), b"+OK\r\n");
    assert_eq!(a.read_reply(), invalidate_push("k2"));
    assert_eq!(a.read_reply(), b"+PONG\r\n");
    assert_eq!(info_field(&mut b, b"stats", "tracking_total_keys"), "0");
    assert_eq!(info_field(&mut b, b"stats", "tracking_total_items"), "0");
}

#[test]
fn redirect_to_a_resp2_subscriber_and_then_a_broken_redirect() {
    let server = TestServer::start();
    let mut tracker = server.raw();
    let mut sink = server.raw();
    let mut writer = server.raw();
    let sink_id = client_id(&mut sink);
    sink.cmd(&[b"SUBSCRIBE", b"__redis__:invalidate"]);
    let on = [
        b"CLIENT" as &[u8],
        b"TRACKING",
        b"ON",
        b"REDIRECT",
        sink_id.as_bytes(),
    ];
    assert_eq!(tracker.cmd(&on), b"+OK\r\n");
    assert_eq!(
        tracker.cmd(&[b"CLIENT", b"GETREDIR"]),
        format!(":{sink_id}\r\n").into_bytes()
    );
    assert_eq!(client_info_field(&mut tracker, "redir"), sink_id);
    tracker.cmd(&[b"GET", b"rk"]);
    writer.cmd(&[b"SET", b"rk", b"1"]);
    assert_eq!(
        sink.read_reply(),
        b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nrk\r\n"
    );
    writer.cmd(&[b"FLUSHALL"]);
    assert_eq!(
        sink.read_reply(),
        b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"
    );

    // The target leaves: the tracker (in RESP3) hears of it at the next invalidation.
    drop(sink);
    thread::sleep(Duration::from_millis(100));
    tracker.cmd(&[b"HELLO", b"3"]);
    tracker.cmd(&[b"GET", b"rk"]);
    writer.cmd(&[b"SET", b"rk", b"2"]);
    assert_eq!(
        tracker.read_reply(),
        format!(">2\r\n$21\r\ntracking-redir-broken\r\n:{sink_id}\r\n").into_bytes()
    );
    assert_eq!(client_info_field(&mut tracker, "flags"), "tR");
    let info = tracker.cmd(&[b"CLIENT", b"TRACKINGINFO"]);
    let expected = format!(
        "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n\
         $8\r\nredirect\r\n:{sink_id}\r\n$8\r\nprefixes\r\n*0\r\n"
    );
    assert_eq!(String::from_utf8_lossy(&info), expected);
    // Turning tracking on again clears the broken state.
    tracker.cmd(&[b"CLIENT", b"TRACKING", b"ON"]);
    assert_eq!(client_info_field(&mut tracker, "flags"), "t");
}

#[test]
fn bcast_prefixes_counters_and_disconnect_cleanup() {
    let server = TestServer::start();
    let mut a = server.raw();
    let mut b = server.raw();
    a.cmd(&[b"HELLO", b"3"]);
    let on = [
        b"CLIENT" as &[u8],
        b"TRACKING",
        b"ON",
        b"BCAST",
        b"PREFIX",
        b"user:",
        b"PREFIX",
        b"item:",
    ];
    assert_eq!(a.cmd(&on), b"+OK\r\n");
    assert_eq!(client_info_field(&mut a, "flags"), "tB");
    assert_eq!(info_field(&mut b, b"stats", "tracking_total_prefixes"), "2");
    b.cmd(&[b"MSET", b"user:2", b"x", b"user:1", b"y", b"other", b"z"]);
    assert_eq!(
        a.read_reply(),
        b">2\r\n$10\r\ninvalidate\r\n*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n"
    );
    // A second subscriber of the same prefix shares it.
    let mut c = server.raw();
    c.cmd(&[b"HELLO", b"3"]);
    let on_c = [
        b"CLIENT" as &[u8],
        b"TRACKING",
        b"ON",
        b"BCAST",
        b"PREFIX",
        b"user:",
    ];
    c.cmd(&on_c);
    assert_eq!(info_field(&mut b, b"stats", "tracking_total_prefixes"), "2");
    assert_eq!(info_field(&mut b, b"clients", "tracking_clients"), "2");
    drop(a);
    thread::sleep(Duration::from_millis(100));
    assert_eq!(info_field(&mut b, b"stats", "tracking_total_prefixes"), "1");
    assert_eq!(info_field(&mut b, b"clients", "tracking_clients"), "1");
    assert_eq!(c.cmd(&[b"RESET"]), b"+RESET\r\n");
    assert_eq!(info_field(&mut b, b"stats", "tracking_total_prefixes"), "0");
    assert_eq!(info_field(&mut b, b"clients", "tracking_clients"), "0");
    assert_eq!(c.cmd(&[b"CLIENT", b"GETREDIR"]), b":-1\r\n");
}

#[test]
fn tracking_table_limit_evicts_keys_with_invalidations() {
    let server = TestServer::start();
    let mut a = server.raw();
    let mut admin = server.raw();
    a.cmd(&[b"HELLO", b"3"]);
    a.cmd(&[b"CLIENT", b"TRACKING", b"ON"]);
    a.cmd(&[b"MGET", b"e1", b"e2", b"e3"]);
    assert_eq!(info_field(&mut admin, b"stats", "tracking_total_keys"), "3");
    let set = [b"CONFIG" as &[u8], b"SET", b"tracking-table-max-keys", b"1"];
    assert_eq!(admin.cmd(&set), b"+OK\r\n");
    // The cron trims the table: two of the three keys go, each with an invalidation.
    let mut evicted: Vec<Vec<u8>> = (0..2).map(|_| a.read_reply()).collect();
    evicted.sort();
    evicted.dedup();
    assert_eq!(evicted.len(), 2);
    for push in &evicted {
        assert!(
            [
                invalidate_push("e1"),
                invalidate_push("e2"),
                invalidate_push("e3")
            ]
            .contains(push),
            "{}",
            String::from_utf8_lossy(push)
        );
    }
    assert_eq!(info_field(&mut admin, b"stats", "tracking_total_keys"), "1");
    assert_eq!(a.cmd(&[b"PING"]), b"+PONG\r\n");
}

#[test]
fn the_table_limit_applies_before_the_next_command_even_a_queued_one() {
    let server = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut admin = server.raw();
    let mut rd = server.raw();
    admin.cmd(&[b"CONFIG", b"SET", b"tracking-table-max-keys", b"2"]);
    // With the cron paused only a command can apply the limit.
    assert_eq!(admin.cmd(&[b"DEBUG", b"PAUSE-CRON", b"1"]), b"+OK\r\n");
    rd.cmd(&[b"HELLO", b"3"]);
    assert_eq!(rd.cmd(&[b"CLIENT", b"TRACKING", b"on"]), b"+OK\r\n");
    assert_eq!(
        rd.cmd(&[b"MGET", b"1{tag}", b"2{tag}"]),
        b"*2\r\n_\r\n_\r\n"
    );
    assert_eq!(rd.cmd(&[b"MULTI"]), b"+OK\r\n");
    admin.cmd(&[b"CONFIG", b"SET", b"tracking-table-max-keys", b"1"]);
    rd.send_cmd(&[b"PING"]);
    let first = String::from_utf8_lossy(&rd.read_reply()).into_owned();
    assert!(first.starts_with(">2\r\n$10\r\ninvalidate\r\n"), "{first}");
    assert_eq!(rd.read_reply(), b"+QUEUED\r\n");
    assert_eq!(rd.cmd(&[b"EXEC"]), b"*1\r\n+PONG\r\n");
    assert_eq!(admin.cmd(&[b"DEBUG", b"PAUSE-CRON", b"0"]), b"+OK\r\n");
}
