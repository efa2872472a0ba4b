//! The wire protocol end to end: pipelining, inline commands, frames split at every
//! byte, protocol errors (exact text, then close), garbage from one client while others
//! keep working, many concurrent clients, and clean shutdown on SIGTERM.

mod common;

use std::io::{Read, Write};
use std::thread;
use std::time::Duration;

use common::{encode, TestServer};

#[test]
fn pipelined_multibulk_and_inline_commands() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let mut batch = encode(&[b"PING"]);
    batch.extend_from_slice(b"ECHO \"a b\" \r\n");
    batch.extend(encode(&[b"ECHO", b"x\r\ny\x00"]));
    batch.extend_from_slice(b"\r\n"); // an empty inline line: no reply
    batch.extend(encode(&[b"PING", b"last"]));
    conn.send(&batch);
    let expected: &[u8] = b"+PONG\r\n$3\r\na b\r\n$5\r\nx\r\ny\x00\r\n$4\r\nlast\r\n";
    assert_eq!(conn.read_exact(expected.len()), expected);
}

#[test]
fn frames_split_at_every_byte() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let request = encode(&[b"ECHO", b"split-me"]);
    for cut in 1..request.len() {
        conn.send(&request[..cut]);
        thread::sleep(Duration::from_millis(2));
        conn.send(&request[cut..]);
        assert_eq!(conn.read_reply(), b"$8\r\nsplit-me\r\n", "cut at {cut}");
    }
}

/// Sends `request` on a fresh connection; returns the reply bytes and whether the server
/// closed the connection afterwards.
fn protocol_error(server: &TestServer, request: &[u8]) -> (Vec<u8>, bool) {
    let mut conn = server.raw();
    conn.send(request);
    let reply = conn.read_reply();
    (reply, conn.is_closed())
}

#[test]
fn protocol_errors_reply_then_close() {
    let server = TestServer::start();
    let cases: &[(&[u8], &[u8])] = &[
        (
            b"*abc\r\n",
            b"-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*1\r\n$-5\r\n",
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\n$600000000\r\n",
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\n+PING\r\n",
            b"-ERR Protocol error: expected '$', got '+'\r\n",
        ),
        (
            b"ECHO \"unterminated\r\n",
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
    ];
    for (request, expected) in cases {
        let (reply, closed) = protocol_error(&server, request);
        assert_eq!(
            reply,
            *expected,
            "request {:?}",
            String::from_utf8_lossy(request)
        );
        assert!(
            closed,
            "connection left open after {:?}",
            String::from_utf8_lossy(request)
        );
    }
}

#[test]
fn oversize_inline_and_headers_are_refused() {
    let server = TestServer::start();
    let (reply, closed) = protocol_error(&server, &vec![b'a'; 70 * 1024]);
    assert_eq!(reply, b"-ERR Protocol error: too big inline request\r\n");
    assert!(closed);
    let mut header = b"*".to_vec();
    header.extend(vec![b'1'; 70 * 1024]);
    let (reply, closed) = protocol_error(&server, &header);
    assert_eq!(
        reply,
        b"-ERR Protocol error: too big mbulk count string\r\n"
    );
    assert!(closed);
}

#[test]
fn garbage_from_one_client_does_not_disturb_others() {
    let server = TestServer::start();
    let mut good = server.raw();
    assert_eq!(good.cmd(&[b"PING"]), b"+PONG\r\n");
    let mut seed = 0x1234_5678_u64;
    for _ in 0..50 {
        let mut bad = server.raw();
        let garbage: Vec<u8> = (0..512)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        let _ = bad.stream.write_all(&garbage);
        assert_eq!(
            good.cmd(&[b"ECHO", b"still here"]),
            b"$10\r\nstill here\r\n"
        );
    }
}

#[test]
fn a_thousand_concurrent_clients() {
    let server = TestServer::start();
    let mut conns: Vec<_> = (0..1000).map(|_| server.raw()).collect();
    for (i, conn) in conns.iter_mut().enumerate() {
        conn.send_cmd(&[b"ECHO", format!("client-{i}").as_bytes()]);
    }
    for (i, conn) in conns.iter_mut().enumerate() {
        let text = format!("client-{i}");
        assert_eq!(
            conn.read_reply(),
            format!("${}\r\n{text}\r\n", text.len()).into_bytes()
        );
    }
}

#[test]
fn quit_replies_ok_and_closes() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let mut batch = encode(&[b"QUIT"]);
    batch.extend(encode(&[b"PING"]));
    conn.send(&batch);
    assert_eq!(conn.read_reply(), b"+OK\r\n");
    assert!(conn.is_closed());
}

#[test]
fn big_bulk_arrives_in_pieces() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let payload = vec![b'z'; 3 * 1024 * 1024 + 7];
    let request = encode(&[b"ECHO", &payload]);
    for piece in request.chunks(64 * 1024) {
        conn.send(piece);
    }
    let reply = conn.read_reply();
    let header = format!("${}\r\n", payload.len()).into_bytes();
    assert_eq!(&reply[..header.len()], &header[..]);
    assert_eq!(reply.len(), header.len() + payload.len() + 2);
}

#[test]
fn sigterm_finishes_cleanly() {
    let server = TestServer::start();
    let mut conn = server.raw();
    assert_eq!(conn.cmd(&[b"PING"]), b"+PONG\r\n");
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
    let mut buf = [0u8; 1];
    assert!(matches!(conn.stream.read(&mut buf), Ok(0) | Err(_)));
}

#[test]
fn half_closed_peer_still_gets_its_replies() {
    let server = TestServer::start();
    let mut conn = server.raw();
    conn.send(&encode(&[b"ECHO", b"bye"]));
    conn.stream
        .shutdown(std::net::Shutdown::Write)
        .expect("shutdown");
    assert_eq!(conn.read_reply(), b"$3\r\nbye\r\n");
    assert!(conn.is_closed());
}
