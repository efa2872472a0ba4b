//! Client eviction (`maxmemory-clients`): clients whose memory together passes the
//! limit are closed, largest first, as Redis 7.0 does; `CLIENT NO-EVICT on` protects
//! a client; the other clients keep being served. These reproduce the cases of
//! Redis's `unit/client-eviction.tcl`, which its suite skips against an external
//! server.

mod common;

use std::io::Write;
use std::thread;
use std::time::Duration;

use common::{eventually, info_field, RawConn, TestServer};

const KB: usize = 1024;
const MB: usize = 1024 * 1024;

/// The value of `name=` in one CLIENT LIST line.
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    line.split(' ')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name} in {line}"))
}

/// The lines of CLIENT LIST.
fn client_lines(conn: &mut RawConn) -> Vec<String> {
    let reply = conn.cmd(&[b"CLIENT", b"LIST"]);
    let text = String::from_utf8_lossy(&reply).into_owned();
    let body = text.split_once("\r\n").map_or("", |(_, rest)| rest);
    body.lines()
        .filter(|l| l.starts_with("id="))
        .map(str::to_string)
        .collect()
}

/// The CLIENT LIST line of the client named `name`, if it is connected.
fn client_named(conn: &mut RawConn, name: &str) -> Option<String> {
    let wanted = format!(" name={name} ");
    client_lines(conn).into_iter().find(|l| l.contains(&wanted))
}

/// A numeric field of the client named `name`.
fn client_number(conn: &mut RawConn, name: &str, what: &str) -> usize {
    let line = client_named(conn, name).unwrap_or_else(|| panic!("{name} is gone"));
    field(&line, what).parse().expect("a number")
}

fn evicted_clients(conn: &mut RawConn) -> u64 {
    info_field(conn, "stats", "evicted_clients")
        .parse()
        .expect("a number")
}

fn config_set(conn: &mut RawConn, name: &str, value: &str) {
    let reply = conn.cmd(&[b"CONFIG", b"SET", name.as_bytes(), value.as_bytes()]);
    assert_eq!(reply, b"+OK\r\n", "CONFIG SET {name} {value}");
}

/// A connection named `name`.
fn named(server: &TestServer, name: &str) -> RawConn {
    let mut conn = server.raw();
    assert_eq!(
        conn.cmd(&[b"CLIENT", b"SETNAME", name.as_bytes()]),
        b"+OK\r\n"
    );
    conn
}

/// Sends the start of a command whose one argument is `size` bytes long and `sent`
/// of its bytes, so the server holds them in the query buffer waiting for the rest.
/// The server may close the connection meanwhile: write errors are expected then.
fn start_big_argument(conn: &mut RawConn, size: usize, sent: usize) {
    let mut bytes = format!("*2\r\n$3\r\nset\r\n${size}\r\n").into_bytes();
    bytes.resize(bytes.len() + sent, b'v');
    let _ = conn.stream.set_write_timeout(Some(Duration::from_secs(10)));
    let _ = conn.stream.write_all(&bytes);
}

/// A client whose query buffer holds `size` bytes of a command still arriving.
fn client_with_query(
    server: &TestServer,
    observer: &mut RawConn,
    name: &str,
    size: usize,
) -> RawConn {
    let mut conn = named(server, name);
    start_big_argument(&mut conn, size + 1, size);
    assert!(
        eventually(|| client_named(observer, name)
            .is_some_and(|line| field(&line, "qbuf").parse::<usize>().unwrap_or(0) >= size)),
        "{name} never held its query buffer"
    );
    conn
}

/// A control connection that is never evicted itself.
fn control(server: &TestServer) -> RawConn {
    let mut conn = named(server, "control");
    assert_eq!(conn.cmd(&[b"CLIENT", b"NO-EVICT", b"on"]), b"+OK\r\n");
    conn
}

#[test]
fn a_client_growing_its_query_buffer_past_the_limit_is_evicted() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    config_set(&mut ctl, "maxmemory-clients", "3000000");
    let mut big = named(&server, "big");
    start_big_argument(&mut big, 4 * MB, 4 * MB);
    assert!(eventually(|| client_named(&mut ctl, "big").is_none()));
    assert!(big.is_closed());
    assert_eq!(evicted_clients(&mut ctl), 1);
    // Everyone else is still served.
    let mut other = server.raw();
    assert_eq!(other.cmd(&[b"PING"]), b"+PONG\r\n");
    assert_eq!(ctl.cmd(&[b"PING"]), b"+PONG\r\n");
}

#[test]
fn a_client_that_lets_replies_pile_up_is_evicted_before_the_limit() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    let limit = 3_000_000;
    config_set(&mut ctl, "maxmemory-clients", &limit.to_string());
    ctl.cmd(&[b"SETRANGE", b"k", b"200000", b"v"]);
    let mut reader = named(&server, "reader");
    let reply = reader.cmd(&[b"GET", b"k"]);
    assert_eq!(reply.len(), "$200001\r\n".len() + 200_001 + 2);
    // Now ask again and again without reading: the replies stay in the server.
    let mut sent = 0;
    while let Some(line) = client_named(&mut ctl, "reader") {
        assert!(field(&line, "tot-mem").parse::<usize>().expect("number") < limit);
        assert!(sent < 1000, "never evicted");
        let _ = reader.stream.write_all(b"GET k\r\n");
        sent += 1;
        thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(evicted_clients(&mut ctl), 1);
    assert_eq!(ctl.cmd(&[b"PING"]), b"+PONG\r\n");
}

#[test]
fn no_evict_protects_a_client_until_it_is_turned_off() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    config_set(&mut ctl, "maxmemory-clients", "1");
    ctl.cmd(&[b"SETRANGE", b"k", b"1000000", b"v"]);
    let mut greedy = named(&server, "greedy");
    assert_eq!(greedy.cmd(&[b"CLIENT", b"NO-EVICT", b"on"]), b"+OK\r\n");
    // Far past the limit (at least 128 KB, whatever is set), and still connected.
    // More than the kernel's socket buffers can absorb, so most stays in the server.
    let _ = greedy.stream.write_all(&b"GET k\r\n".repeat(32));
    assert!(eventually(
        || client_number(&mut ctl, "greedy", "tot-mem") > 4 * MB
    ));
    assert!(client_named(&mut ctl, "greedy").is_some());
    assert_eq!(evicted_clients(&mut ctl), 0);
    // Without the flag it goes.
    let _ = greedy.stream.write_all(b"CLIENT NO-EVICT off\r\n");
    assert!(eventually(|| client_named(&mut ctl, "greedy").is_none()));
    assert_eq!(evicted_clients(&mut ctl), 1);
}

#[test]
fn the_limit_can_be_a_percentage_of_maxmemory() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    config_set(&mut ctl, "maxmemory", "100mb");
    config_set(&mut ctl, "maxmemory-clients", "3%");
    let reply = ctl.cmd(&[b"CONFIG", b"GET", b"maxmemory-clients"]);
    assert!(
        reply.ends_with(b"$2\r\n3%\r\n"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    let limit = 100 * MB * 3 / 100;
    // Half the limit stays, and is counted.
    let _half = client_with_query(&server, &mut ctl, "half", limit / 2);
    let tot_mem = client_number(&mut ctl, "half", "tot-mem");
    assert!(tot_mem >= limit / 2 && tot_mem < limit, "tot-mem={tot_mem}");
    // The whole limit goes.
    let mut whole = named(&server, "whole");
    start_big_argument(&mut whole, limit, limit);
    assert!(eventually(|| client_named(&mut ctl, "whole").is_none()));
    assert!(client_named(&mut ctl, "half").is_some());
    // A percentage means nothing without maxmemory: eviction is off.
    config_set(&mut ctl, "maxmemory", "0");
    let _again = client_with_query(&server, &mut ctl, "again", limit + MB);
    assert_eq!(evicted_clients(&mut ctl), 1);
}

#[test]
fn setting_the_limit_back_to_zero_stops_eviction() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    config_set(&mut ctl, "maxmemory-clients", "1mb");
    config_set(&mut ctl, "maxmemory-clients", "0");
    let _big = client_with_query(&server, &mut ctl, "big", 3 * MB);
    thread::sleep(Duration::from_millis(200));
    assert!(client_named(&mut ctl, "big").is_some());
    assert_eq!(evicted_clients(&mut ctl), 0);
}

#[test]
fn lowering_the_limit_evicts_the_largest_clients_first() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    let sizes = [128 * KB, MB, 3 * MB];
    let mut conns = Vec::new();
    let mut memory = Vec::new();
    for (i, size) in sizes.iter().enumerate() {
        for j in 0..3 {
            let name = format!("client-{i}-{j}");
            conns.push(client_with_query(&server, &mut ctl, &name, *size));
        }
        memory.push(client_number(&mut ctl, &format!("client-{i}-0"), "tot-mem"));
    }
    let mut total: usize = memory.iter().map(|m| m * 3).sum();
    for (step, size) in memory.iter().enumerate().rev() {
        total -= 3 * size;
        // Plus a margin far below any client's size, for the control connection's own
        // figure, which moves by a few bytes between commands.
        let ctl_mem = client_number(&mut ctl, "control", "tot-mem") + 16 * KB;
        config_set(
            &mut ctl,
            "maxmemory-clients",
            &(total + ctl_mem).to_string(),
        );
        let lines = client_lines(&mut ctl);
        for i in 0..sizes.len() {
            let count = lines
                .iter()
                .filter(|l| l.contains(&format!("name=client-{i}-")))
                .count();
            let expected = if i < step { 3 } else { 0 };
            assert_eq!(count, expected, "after evicting size {step}: size {i}");
        }
    }
    assert_eq!(evicted_clients(&mut ctl), 9);
}

#[test]
fn eviction_stops_as_soon_as_the_clients_fit() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    let mut conns = Vec::new();
    for j in 0..10 {
        conns.push(client_with_query(
            &server,
            &mut ctl,
            &format!("client{j}"),
            MB,
        ));
    }
    let largest = (0..10)
        .map(|j| client_number(&mut ctl, &format!("client{j}"), "tot-mem"))
        .max()
        .unwrap_or(0);
    // Room for five and a half: the control connection's own figure moves by a few
    // bytes between commands (its query buffer's spare room follows what it sent).
    let limit = largest * 10 / 2 + largest / 2 + client_number(&mut ctl, "control", "tot-mem");
    config_set(&mut ctl, "maxmemory-clients", &limit.to_string());
    let lines = client_lines(&mut ctl);
    let total: usize = lines
        .iter()
        .map(|l| field(l, "tot-mem").parse::<usize>().unwrap_or(0))
        .sum();
    assert!(total <= limit, "{total} > {limit}");
    assert_eq!(
        lines.iter().filter(|l| l.contains("name=client")).count(),
        5
    );
    assert_eq!(evicted_clients(&mut ctl), 5);
}

#[test]
fn evicted_clients_is_reset_by_config_resetstat() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    config_set(&mut ctl, "maxmemory-clients", "1mb");
    let mut big = named(&server, "big");
    start_big_argument(&mut big, 2 * MB, 2 * MB);
    assert!(eventually(|| evicted_clients(&mut ctl) == 1));
    assert_eq!(ctl.cmd(&[b"CONFIG", b"RESETSTAT"]), b"+OK\r\n");
    assert_eq!(evicted_clients(&mut ctl), 0);
}

#[test]
fn a_transaction_queue_counts_and_can_get_its_client_evicted() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    let limit = 3_000_000;
    config_set(&mut ctl, "maxmemory-clients", &limit.to_string());
    let mut tx = named(&server, "tx");
    let value = vec![b'v'; limit / 4];
    assert_eq!(tx.cmd(&[b"MULTI"]), b"+OK\r\n");
    assert_eq!(tx.cmd(&[b"SET", b"k", &value]), b"+QUEUED\r\n");
    assert_eq!(
        client_number(&mut ctl, "tx", "multi-mem"),
        3 + 1 + limit / 4
    );
    assert!(client_number(&mut ctl, "tx", "tot-mem") > limit / 4);
    for _ in 0..5 {
        // The server may evict the client while it is still sending: a reset
        // connection is the expected end, not a failure.
        let request = common::encode(&[b"SET", b"k", &value]);
        if tx.stream.write_all(&request).is_err() {
            break;
        }
    }
    assert!(eventually(|| client_named(&mut ctl, "tx").is_none()));
    assert_eq!(evicted_clients(&mut ctl), 1);
}

#[test]
fn watched_keys_and_subscriptions_count() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    config_set(&mut ctl, "maxmemory-clients", "200000");
    let mut watcher = named(&server, "watcher");
    let mut closed = false;
    for j in 0..200_000 {
        watcher.send_cmd(&[b"WATCH", j.to_string().as_bytes()]);
        let mut reply = [0u8; 5];
        if std::io::Read::read_exact(&mut watcher.stream, &mut reply).is_err() {
            closed = true;
            break;
        }
    }
    assert!(closed, "a client watching 200000 keys was never evicted");
    let mut subscriber = named(&server, "subscriber");
    let mut closed = false;
    for j in 0..200_000 {
        subscriber.send_cmd(&[b"PSUBSCRIBE", j.to_string().as_bytes()]);
        let mut reply = Vec::new();
        if read_reply_or_eof(&mut subscriber, &mut reply) {
            closed = true;
            break;
        }
    }
    assert!(closed, "a client with 200000 patterns was never evicted");
    assert_eq!(evicted_clients(&mut ctl), 2);
}

/// Reads one pub/sub confirmation (a three-element array); true on EOF or reset.
fn read_reply_or_eof(conn: &mut RawConn, out: &mut Vec<u8>) -> bool {
    let mut byte = [0u8; 1];
    let mut lines = 0;
    // `*3`, `$10`, `psubscribe`, `$n`, name, `:count`: six lines.
    while lines < 6 {
        match std::io::Read::read(&mut conn.stream, &mut byte) {
            Ok(1) => {
                out.push(byte[0]);
                if byte[0] == b'\n' {
                    lines += 1;
                }
            }
            _ => return true,
        }
    }
    false
}

#[test]
fn the_output_buffer_limit_acts_before_client_eviction() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    config_set(&mut ctl, "maxmemory-clients", "10mb");
    config_set(&mut ctl, "client-output-buffer-limit", "normal 3mb 0 0");
    ctl.cmd(&[b"SETRANGE", b"k", (4 * MB).to_string().as_bytes(), b"v"]);
    let _query = client_with_query(&server, &mut ctl, "query", 10 * MB - 4 * MB - 64 * KB);
    let mut readers: Vec<RawConn> = (0..2)
        .map(|i| named(&server, &format!("obuf{i}")))
        .collect();
    for reader in readers.iter_mut() {
        let _ = reader.stream.write_all(b"GET k\r\n");
    }
    assert!(eventually(
        || client_named(&mut ctl, "obuf0").is_none() && client_named(&mut ctl, "obuf1").is_none()
    ));
    assert!(client_named(&mut ctl, "query").is_some());
    assert_eq!(evicted_clients(&mut ctl), 0);
}

#[test]
fn client_list_and_info_memory_count_what_clients_hold() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    let mut partial = named(&server, "partial");
    // Two arguments parsed, the third (100000 bytes) still arriving.
    partial.send(b"*3\r\n$3\r\nset\r\n$3\r\nkey\r\n$100000\r\nvvvv");
    assert!(eventually(|| client_number(
        &mut ctl, "partial", "argv-mem"
    ) == 6));
    let line = client_named(&mut ctl, "partial").expect("connected");
    let qbuf_total: usize = field(&line, "qbuf").parse::<usize>().unwrap_or(0)
        + field(&line, "qbuf-free").parse::<usize>().unwrap_or(0);
    assert!(qbuf_total >= 100_000, "{line}");
    assert!(field(&line, "tot-mem").parse::<usize>().unwrap_or(0) >= qbuf_total + 6);
    // INFO's mem_clients_normal follows within a cron tick or two.
    assert!(eventually(|| info_field(
        &mut ctl,
        "memory",
        "mem_clients_normal"
    )
    .parse::<usize>()
    .is_ok_and(|m| m >= qbuf_total)));
}

#[test]
fn invalidations_piling_up_on_a_redirect_target_get_it_evicted() {
    let server = TestServer::start();
    let mut ctl = control(&server);
    let limit = 3_000_000;
    config_set(&mut ctl, "maxmemory-clients", &limit.to_string());
    let mut target = named(&server, "redirected");
    let id = target.cmd(&[b"CLIENT", b"ID"]);
    let id = String::from_utf8_lossy(&id[1..id.len() - 2]).into_owned();
    target.send_cmd(&[b"SUBSCRIBE", b"__redis__:invalidate"]);
    let mut tracker = server.raw();
    let reply = tracker.cmd(&[
        b"CLIENT",
        b"TRACKING",
        b"on",
        b"REDIRECT",
        id.as_bytes(),
        b"BCAST",
    ]);
    assert_eq!(reply, b"+OK\r\n");
    // Every INCR of a 200 KB key name sends the name to the target, which never reads.
    let key = "k".repeat(200 * KB);
    let script = format!("redis.call('incr', '{key}')");
    let sha = tracker.cmd(&[b"SCRIPT", b"LOAD", script.as_bytes()]);
    let sha = &sha[sha.len() - 42..sha.len() - 2];
    let mut runs = 0;
    while let Some(line) = client_named(&mut ctl, "redirected") {
        assert!(field(&line, "tot-mem").parse::<usize>().expect("number") < limit);
        assert!(runs < 1000, "never evicted");
        tracker.cmd(&[b"EVALSHA", sha, b"0"]);
        runs += 1;
    }
    assert_eq!(evicted_clients(&mut ctl), 1);
}
