//! Streams against the real binary: blocking XREAD/XREADGROUP with several
//! connections (wake-ups, FIFO order, timeouts, `$`, deleted keys and groups), plus
//! exact replies of the basic commands. The byte-for-byte comparison with Redis of every
//! command lives in `differential/streams.redis`.

mod common;

use std::io::Read;
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{RawConn, TestServer};

/// Time for a sent blocking command to reach the server and block.
const SETTLE: Duration = Duration::from_millis(150);
const NULL_ARRAY: &[u8] = b"*-1\r\n";

fn words(line: &str) -> Vec<&[u8]> {
    line.split(' ').map(str::as_bytes).collect()
}

fn send(conn: &mut RawConn, line: &str) {
    conn.send_cmd(&words(line));
}

#[track_caller]
fn check(conn: &mut RawConn, line: &str, expected: &[u8]) {
    let reply = conn.cmd(&words(line));
    assert_eq!(
        String::from_utf8_lossy(&reply),
        String::from_utf8_lossy(expected),
        "reply to {line}"
    );
}

/// Asserts nothing arrives on `conn` within `wait`.
fn assert_silent(conn: &mut RawConn, wait: Duration) {
    conn.stream.set_read_timeout(Some(wait)).expect("timeout");
    let mut byte = [0u8; 1];
    let got = conn.stream.read(&mut byte);
    conn.stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    assert!(got.is_err(), "unexpected reply byte {byte:?}");
}

/// The XREAD reply of one stream with one entry of one field.
fn one_entry(key: &str, id: &str, field: &str, value: &str) -> Vec<u8> {
    format!(
        "*1\r\n*2\r\n${}\r\n{key}\r\n*1\r\n*2\r\n${}\r\n{id}\r\n*2\r\n${}\r\n{field}\r\n${}\r\n{value}\r\n",
        key.len(),
        id.len(),
        field.len(),
        value.len()
    )
    .into_bytes()
}

#[test]
fn xadd_and_xrange_exact_replies() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, "XADD s 1-1 a 1", b"$3\r\n1-1\r\n");
    check(&mut c, "XADD s 1-* b 2", b"$3\r\n1-2\r\n");
    check(
        &mut c,
        "XADD s 1-0 a 1",
        b"-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n",
    );
    check(&mut c, "XLEN s", b":2\r\n");
    check(
        &mut c,
        "XRANGE s (1-1 +",
        b"*1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    check(&mut c, "XRANGE s - + COUNT 0", NULL_ARRAY);
    check(&mut c, "TYPE s", b"+stream\r\n");
    check(&mut c, "OBJECT ENCODING s", b"$6\r\nstream\r\n");
}

#[test]
fn blocked_xread_is_woken_by_xadd_in_fifo_order() {
    let server = TestServer::start();
    let mut waiters: Vec<RawConn> = (0..3).map(|_| server.raw()).collect();
    for waiter in &mut waiters {
        send(waiter, "XREAD BLOCK 0 STREAMS s $");
        sleep(Duration::from_millis(30));
    }
    sleep(SETTLE);
    let mut writer = server.raw();
    check(&mut writer, "XADD s 5-0 f v", b"$3\r\n5-0\r\n");
    for (i, waiter) in waiters.iter_mut().enumerate() {
        assert_eq!(
            waiter.read_reply(),
            one_entry("s", "5-0", "f", "v"),
            "waiter {i}"
        );
    }
}

#[test]
fn dollar_is_resolved_when_blocking() {
    let server = TestServer::start();
    let mut writer = server.raw();
    check(&mut writer, "XADD s 1-0 f old", b"$3\r\n1-0\r\n");
    let mut waiter = server.raw();
    send(&mut waiter, "XREAD BLOCK 0 STREAMS s $");
    sleep(SETTLE);
    check(&mut writer, "XADD s 2-0 f new", b"$3\r\n2-0\r\n");
    assert_eq!(waiter.read_reply(), one_entry("s", "2-0", "f", "new"));
}

#[test]
fn blocked_xread_times_out_with_a_null_array() {
    let server = TestServer::start();
    let mut waiter = server.raw();
    let start = Instant::now();
    check(&mut waiter, "XREAD BLOCK 100 STREAMS s 0", NULL_ARRAY);
    assert!(start.elapsed() >= Duration::from_millis(99));
}

#[test]
fn xread_waits_through_a_deleted_key() {
    let server = TestServer::start();
    let mut waiter = server.raw();
    send(&mut waiter, "XREAD BLOCK 0 STREAMS s 0");
    sleep(SETTLE);
    let mut writer = server.raw();
    check(&mut writer, "SET s x", b"+OK\r\n");
    check(&mut writer, "DEL s", b":1\r\n");
    assert_silent(&mut waiter, Duration::from_millis(200));
    check(&mut writer, "XADD s 3-0 f v", b"$3\r\n3-0\r\n");
    assert_eq!(waiter.read_reply(), one_entry("s", "3-0", "f", "v"));
}

#[test]
fn blocked_xreadgroup_gets_new_entries_once() {
    let server = TestServer::start();
    let mut writer = server.raw();
    check(&mut writer, "XGROUP CREATE s g $ MKSTREAM", b"+OK\r\n");
    let mut a = server.raw();
    let mut b = server.raw();
    send(&mut a, "XREADGROUP GROUP g alice BLOCK 0 STREAMS s >");
    sleep(Duration::from_millis(30));
    send(&mut b, "XREADGROUP GROUP g bob BLOCK 0 STREAMS s >");
    sleep(SETTLE);
    check(&mut writer, "XADD s 1-0 f v", b"$3\r\n1-0\r\n");
    assert_eq!(a.read_reply(), one_entry("s", "1-0", "f", "v"));
    assert_silent(&mut b, Duration::from_millis(200));
    check(&mut writer, "XADD s 2-0 f w", b"$3\r\n2-0\r\n");
    assert_eq!(b.read_reply(), one_entry("s", "2-0", "f", "w"));
    check(
        &mut writer,
        "XPENDING s g",
        b"*4\r\n:2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n",
    );
}

#[test]
fn blocked_xreadgroup_errors_when_its_group_or_key_goes() {
    let server = TestServer::start();
    let mut writer = server.raw();
    check(&mut writer, "XGROUP CREATE s g $ MKSTREAM", b"+OK\r\n");
    let mut waiter = server.raw();
    send(&mut waiter, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >");
    sleep(SETTLE);
    check(&mut writer, "XGROUP DESTROY s g", b":1\r\n");
    assert_eq!(
        waiter.read_reply(),
        b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n".to_vec()
    );
    check(&mut writer, "XGROUP CREATE s g $", b"+OK\r\n");
    send(&mut waiter, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >");
    sleep(SETTLE);
    check(&mut writer, "DEL s", b":1\r\n");
    assert_eq!(waiter.read_reply(), KEY_GONE);
}

#[test]
fn xread_inside_multi_does_not_block() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, "MULTI", b"+OK\r\n");
    check(&mut c, "XREAD BLOCK 0 STREAMS s $", b"+QUEUED\r\n");
    check(&mut c, "EXEC", b"*1\r\n*-1\r\n");
}

/// What a client blocked in XREADGROUP on `s` is told when `step` (a command from
/// another client, answered `step_reply`) takes the stream away.
fn reply_when_stream_goes(step: &str, step_reply: &[u8]) -> Vec<u8> {
    let server = TestServer::start();
    let mut writer = server.raw();
    check(&mut writer, "XGROUP CREATE s g $ MKSTREAM", b"+OK\r\n");
    let mut waiter = server.raw();
    send(&mut waiter, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >");
    sleep(SETTLE);
    check(&mut writer, step, step_reply);
    waiter.read_reply()
}

const KEY_GONE: &[u8] = b"-UNBLOCKED the stream key no longer exists\r\n";

#[test]
fn blocked_xreadgroup_errors_when_its_key_expires() {
    assert_eq!(reply_when_stream_goes("PEXPIRE s 50", b":1\r\n"), KEY_GONE);
}

/// SWAPDB takes the stream away from under a blocked XREADGROUP: UNBLOCKED, as Redis.
#[test]
fn blocked_xreadgroup_errors_when_swapdb_takes_its_stream() {
    assert_eq!(reply_when_stream_goes("SWAPDB 0 1", b"+OK\r\n"), KEY_GONE);
}
