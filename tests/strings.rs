//! The strings family end to end: every command and option through raw sockets with the
//! exact bytes a real Redis 7.0.15 sends (each expectation was checked against one), plus
//! the `redis` crate for typed round trips.
//!
//! WRONGTYPE cases need a non-string key, which no command can create yet; they are left
//! for the families that add other types.
//!
//! To re-check the expectations against a real Redis, run it and point the tests at it:
//! `STRINGS_VERIFY_ADDR=127.0.0.1:6379 cargo test --test strings -- --test-threads=1`
//! (each test flushes that server and applies its config with CONFIG SET).

mod common;

use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{RawConn, TestServer};
use redis::Commands;

/// Starts our server with `extra` directives and connects to it — or, when
/// `STRINGS_VERIFY_ADDR` is set, to the real Redis there, flushed and given the same
/// directives through CONFIG SET.
fn start(extra: &[&str]) -> (TestServer, RawConn) {
    let server = TestServer::start_with(extra);
    let Ok(addr) = std::env::var("STRINGS_VERIFY_ADDR") else {
        let conn = server.raw();
        return (server, conn);
    };
    let stream = TcpStream::connect(addr).expect("connect to the reference server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut conn = RawConn { stream };
    assert_eq!(conn.cmd(&[b"FLUSHALL"]), b"+OK\r\n");
    assert_eq!(
        conn.cmd(&[b"CONFIG", b"SET", b"proto-max-bulk-len", b"512mb"]),
        b"+OK\r\n"
    );
    for pair in extra.chunks(2) {
        let name = pair[0].trim_start_matches("--").as_bytes();
        assert_eq!(
            conn.cmd(&[b"CONFIG", b"SET", name, pair[1].as_bytes()]),
            b"+OK\r\n"
        );
    }
    (server, conn)
}

/// Runs whitespace-separated commands in order, asserting each reply's exact bytes.
fn script(conn: &mut RawConn, steps: &[(&str, &[u8])]) {
    for (command, expected) in steps {
        let args: Vec<&[u8]> = command.split_whitespace().map(str::as_bytes).collect();
        let reply = conn.cmd(&args);
        assert_eq!(
            String::from_utf8_lossy(&reply),
            String::from_utf8_lossy(expected),
            "command: {command}"
        );
    }
}

/// The write counter, through `rdb_changes_since_last_save` (the dirty counter).
fn dirty(conn: &mut RawConn) -> u64 {
    let info = conn.cmd(&[b"INFO", b"persistence"]);
    let text = String::from_utf8_lossy(&info);
    text.lines()
        .find_map(|line| line.strip_prefix("rdb_changes_since_last_save:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(u64::MAX)
}

#[test]
fn get_and_set_basics_with_empty_and_binary_keys() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("GET nokey", b"$-1\r\n"),
            ("SET k v", b"+OK\r\n"),
            ("GET k", b"$1\r\nv\r\n"),
            ("SET n 12345", b"+OK\r\n"),
            ("GET n", b"$5\r\n12345\r\n"),
            ("OBJECT ENCODING n", b"$3\r\nint\r\n"),
            ("SET n -9223372036854775808", b"+OK\r\n"),
            ("GET n", b"$20\r\n-9223372036854775808\r\n"),
            (
                "SET",
                b"-ERR wrong number of arguments for 'set' command\r\n",
            ),
            (
                "SET k",
                b"-ERR wrong number of arguments for 'set' command\r\n",
            ),
            (
                "GET",
                b"-ERR wrong number of arguments for 'get' command\r\n",
            ),
            (
                "GET a b",
                b"-ERR wrong number of arguments for 'get' command\r\n",
            ),
        ],
    );
    assert_eq!(c.cmd(&[b"SET", b"", b"empty"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"GET", b""]), b"$5\r\nempty\r\n");
    assert_eq!(c.cmd(&[b"SET", b"e", b""]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"GET", b"e"]), b"$0\r\n\r\n");
    assert_eq!(
        c.cmd(&[b"SET", b"a\x00b\r\nc", b"bin\x00\r\nval"]),
        b"+OK\r\n"
    );
    assert_eq!(
        c.cmd(&[b"GET", b"a\x00b\r\nc"]),
        b"$9\r\nbin\x00\r\nval\r\n"
    );
    assert_eq!(c.cmd(&[b"GET", b"a\x00b"]), b"$-1\r\n");
    assert_eq!(c.cmd(&[b"GET", b"a"]), b"$-1\r\n");
}

#[test]
fn set_conditions_and_get_option() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SET k v", b"+OK\r\n"),
            ("SET k v nx xx", b"-ERR syntax error\r\n"),
            ("SET k v xx nx", b"-ERR syntax error\r\n"),
            ("SET k w nx nx", b"$-1\r\n"),
            ("SET k w NX", b"$-1\r\n"),
            ("GET k", b"$1\r\nv\r\n"),
            ("SET k w xX", b"+OK\r\n"),
            ("SET k v get get", b"$1\r\nw\r\n"),
            ("SET k 5 GET", b"$1\r\nv\r\n"),
            ("SET k v GeT NX", b"$1\r\n5\r\n"),
            ("GET k", b"$1\r\n5\r\n"),
            ("SET missing v xx get", b"$-1\r\n"),
            ("EXISTS missing", b":0\r\n"),
            ("SET missing v nx get", b"$-1\r\n"),
            ("GET missing", b"$1\r\nv\r\n"),
            ("SET k v foo", b"-ERR syntax error\r\n"),
            ("SET k v persist", b"-ERR syntax error\r\n"),
            ("SET k v ex", b"-ERR syntax error\r\n"),
        ],
    );
    // Options are compared as C strings: bytes after a NUL are ignored, as in Redis.
    assert_eq!(c.cmd(&[b"SET", b"k", b"v", b"NX\x00abc"]), b"$-1\r\n");
    assert_eq!(c.cmd(&[b"SET", b"k", b"v", b"get\x00abc"]), b"$1\r\n5\r\n");
    assert_eq!(c.cmd(&[b"SET", b"k", b"v", b"keepttl\x00abc"]), b"+OK\r\n");
}

#[test]
fn set_expire_options_and_their_errors() {
    let (_server, mut c) = start(&[]);
    let invalid: &[u8] = b"-ERR invalid expire time in 'set' command\r\n";
    script(
        &mut c,
        &[
            ("SET k v ex 9223372036854775807", invalid),
            ("SET k v ex 9223372036854775", invalid),
            ("SET k v px 9223372036854775807", invalid),
            ("SET k v px 9223372036854775000", invalid),
            ("SET k v ex 0", invalid),
            ("SET k v ex -1", invalid),
            ("SET k v px 0", invalid),
            ("SET k v exat 0", invalid),
            ("SET k v pxat -5", invalid),
            (
                "SET k v ex abc",
                b"-ERR value is not an integer or out of range\r\n",
            ),
            (
                "SET k v ex 1.5",
                b"-ERR value is not an integer or out of range\r\n",
            ),
            ("SET k v ex 0 get", invalid),
            ("EXISTS k", b":0\r\n"),
            ("SET k v ex 10 px 20", b"-ERR syntax error\r\n"),
            ("SET k v keepttl ex 10", b"-ERR syntax error\r\n"),
            ("SET k v ex 10 keepttl", b"-ERR syntax error\r\n"),
            ("SET k v exat 10 pxat 20", b"-ERR syntax error\r\n"),
            ("SET k v ex 10 ex 20", b"+OK\r\n"),
            ("TTL k", b":20\r\n"),
            ("SET k v exat 9223372036854775", b"+OK\r\n"),
            ("EXISTS k", b":1\r\n"),
            ("SET k v pxat 99999999999999", b"+OK\r\n"),
            ("SET kt v ex 100", b"+OK\r\n"),
            ("SET kt w keepttl", b"+OK\r\n"),
            ("TTL kt", b":100\r\n"),
            ("SET kt w", b"+OK\r\n"),
            ("TTL kt", b":-1\r\n"),
            ("SET kt v px 100000", b"+OK\r\n"),
            ("SET kt v nx px 5", b"$-1\r\n"),
            ("TTL kt", b":100\r\n"),
        ],
    );
    // A deadline already past still answers OK (or the old value), but the key is gone.
    script(
        &mut c,
        &[
            ("SET p v pxat 1", b"+OK\r\n"),
            ("GET p", b"$-1\r\n"),
            ("SET p v exat 1 get", b"$-1\r\n"),
            ("SET p2 v", b"+OK\r\n"),
            ("SET p2 w pxat 1 get", b"$1\r\nv\r\n"),
            ("EXISTS p2", b":0\r\n"),
        ],
    );
}

#[test]
fn set_px_expires_after_a_short_sleep() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SET k v px 100", b"+OK\r\n"),
            ("PSETEX p 100 v", b"+OK\r\n"),
            ("SET g v", b"+OK\r\n"),
            ("GETEX g px 100", b"$1\r\nv\r\n"),
            ("GET k", b"$1\r\nv\r\n"),
        ],
    );
    thread::sleep(Duration::from_millis(250));
    script(
        &mut c,
        &[
            ("GET k", b"$-1\r\n"),
            ("GET p", b"$-1\r\n"),
            ("GET g", b"$-1\r\n"),
            ("EXISTS k p g", b":0\r\n"),
        ],
    );
}

#[test]
fn setnx_setex_psetex() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SETNX t z", b":1\r\n"),
            ("SETNX t y", b":0\r\n"),
            ("GET t", b"$1\r\nz\r\n"),
            (
                "SETNX t",
                b"-ERR wrong number of arguments for 'setnx' command\r\n",
            ),
            (
                "SETEX k 0 v",
                b"-ERR invalid expire time in 'setex' command\r\n",
            ),
            (
                "SETEX k -1 v",
                b"-ERR invalid expire time in 'setex' command\r\n",
            ),
            (
                "SETEX k abc v",
                b"-ERR value is not an integer or out of range\r\n",
            ),
            (
                "SETEX k 9223372036854775807 v",
                b"-ERR invalid expire time in 'setex' command\r\n",
            ),
            (
                "SETEX k 1",
                b"-ERR wrong number of arguments for 'setex' command\r\n",
            ),
            (
                "PSETEX k 0 v",
                b"-ERR invalid expire time in 'psetex' command\r\n",
            ),
            (
                "PSETEX k -5 v",
                b"-ERR invalid expire time in 'psetex' command\r\n",
            ),
            (
                "PSETEX k 9223372036854775807 v",
                b"-ERR invalid expire time in 'psetex' command\r\n",
            ),
            ("EXISTS k", b":0\r\n"),
            ("SETEX k 10 v", b"+OK\r\n"),
            ("TTL k", b":10\r\n"),
            ("GET k", b"$1\r\nv\r\n"),
            ("PSETEX k 100000 w", b"+OK\r\n"),
            ("TTL k", b":100\r\n"),
            ("GET k", b"$1\r\nw\r\n"),
        ],
    );
}

#[test]
fn getset_and_getdel() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("GETSET k 5", b"$-1\r\n"),
            ("GETSET k abc", b"$1\r\n5\r\n"),
            ("GET k", b"$3\r\nabc\r\n"),
            ("SET t v ex 100", b"+OK\r\n"),
            ("GETSET t w", b"$1\r\nv\r\n"),
            ("TTL t", b":-1\r\n"),
            (
                "GETSET t",
                b"-ERR wrong number of arguments for 'getset' command\r\n",
            ),
            ("SET x 9223372036854775807", b"+OK\r\n"),
            ("GETDEL x", b"$19\r\n9223372036854775807\r\n"),
            ("GETDEL x", b"$-1\r\n"),
            ("EXISTS x", b":0\r\n"),
            (
                "GETDEL",
                b"-ERR wrong number of arguments for 'getdel' command\r\n",
            ),
            (
                "GETDEL a b",
                b"-ERR wrong number of arguments for 'getdel' command\r\n",
            ),
        ],
    );
}

#[test]
fn getex_options() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SETEX k 10 v", b"+OK\r\n"),
            (
                "GETEX k ex 0",
                b"-ERR invalid expire time in 'getex' command\r\n",
            ),
            (
                "GETEX k ex -1",
                b"-ERR invalid expire time in 'getex' command\r\n",
            ),
            (
                "GETEX k ex abc",
                b"-ERR value is not an integer or out of range\r\n",
            ),
            // A missing key answers null before the expire time is even checked.
            ("GETEX nokey ex 0", b"$-1\r\n"),
            ("GETEX nokey ex abc", b"$-1\r\n"),
            ("GETEX k nx", b"-ERR syntax error\r\n"),
            ("GETEX k get", b"-ERR syntax error\r\n"),
            ("GETEX k keepttl", b"-ERR syntax error\r\n"),
            ("GETEX nokey nx", b"-ERR syntax error\r\n"),
            ("GETEX k ex", b"-ERR syntax error\r\n"),
            ("GETEX k persist ex 10", b"-ERR syntax error\r\n"),
            ("GETEX k ex 10 persist", b"-ERR syntax error\r\n"),
            ("GETEX k ex 10 px 10", b"-ERR syntax error\r\n"),
            ("TTL k", b":10\r\n"),
            ("GETEX k persist persist", b"$1\r\nv\r\n"),
            ("TTL k", b":-1\r\n"),
            ("GETEX k", b"$1\r\nv\r\n"),
            ("GETEX k ex 100", b"$1\r\nv\r\n"),
            ("TTL k", b":100\r\n"),
            ("GETEX k px 200000", b"$1\r\nv\r\n"),
            ("TTL k", b":200\r\n"),
            ("GETEX k exat 99999999999", b"$1\r\nv\r\n"),
            ("GETEX k pxat 99999999999999", b"$1\r\nv\r\n"),
            ("GETEX k persist", b"$1\r\nv\r\n"),
            ("TTL k", b":-1\r\n"),
            ("GETEX k exat 1", b"$1\r\nv\r\n"),
            ("EXISTS k", b":0\r\n"),
            ("GETEX nokey", b"$-1\r\n"),
            (
                "GETEX",
                b"-ERR wrong number of arguments for 'getex' command\r\n",
            ),
        ],
    );
}

#[test]
fn mget_mset_msetnx() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            (
                "MSET a 1 b",
                b"-ERR wrong number of arguments for 'mset' command\r\n",
            ),
            (
                "MSET",
                b"-ERR wrong number of arguments for 'mset' command\r\n",
            ),
            (
                "MSET a",
                b"-ERR wrong number of arguments for 'mset' command\r\n",
            ),
            (
                "MSETNX q 1 r",
                b"-ERR wrong number of arguments for 'msetnx' command\r\n",
            ),
            ("EXISTS a q", b":0\r\n"),
            ("MSET a 1 b 2 a 3", b"+OK\r\n"),
            ("GET a", b"$1\r\n3\r\n"),
            ("MSETNX a 1 x 2", b":0\r\n"),
            ("EXISTS x", b":0\r\n"),
            ("MSETNX x 1 y 2", b":1\r\n"),
            ("MSETNX x 1 z 2", b":0\r\n"),
            ("EXISTS z", b":0\r\n"),
            ("MSETNX n1 1 n1 2", b":1\r\n"),
            ("GET n1", b"$1\r\n2\r\n"),
            (
                "MGET a b nokey x",
                b"*4\r\n$1\r\n3\r\n$1\r\n2\r\n$-1\r\n$1\r\n1\r\n",
            ),
            ("MGET nokey", b"*1\r\n$-1\r\n"),
            (
                "MGET",
                b"-ERR wrong number of arguments for 'mget' command\r\n",
            ),
            ("SET t v ex 100", b"+OK\r\n"),
            ("MSET t w", b"+OK\r\n"),
            ("TTL t", b":-1\r\n"),
        ],
    );
    assert_eq!(c.cmd(&[b"MSET", b"", b"e", b"\x00\r\n", b"z"]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&[b"MGET", b"", b"\x00\r\n"]),
        b"*2\r\n$1\r\ne\r\n$1\r\nz\r\n"
    );
}

#[test]
fn incr_decr_family_bounds_and_errors() {
    let (_server, mut c) = start(&[]);
    let overflow: &[u8] = b"-ERR increment or decrement would overflow\r\n";
    let not_int: &[u8] = b"-ERR value is not an integer or out of range\r\n";
    script(
        &mut c,
        &[
            ("INCR newint", b":1\r\n"),
            ("OBJECT ENCODING newint", b"$3\r\nint\r\n"),
            ("DECR newdec", b":-1\r\n"),
            ("SET n 9223372036854775806", b"+OK\r\n"),
            ("INCR n", b":9223372036854775807\r\n"),
            ("INCR n", overflow),
            ("GET n", b"$19\r\n9223372036854775807\r\n"),
            ("SET m -9223372036854775807", b"+OK\r\n"),
            ("DECR m", b":-9223372036854775808\r\n"),
            ("DECR m", overflow),
            ("INCRBY x 9223372036854775807", b":9223372036854775807\r\n"),
            ("INCRBY x 1", overflow),
            ("INCRBY x -9223372036854775808", b":-1\r\n"),
            (
                "DECRBY y -9223372036854775808",
                b"-ERR decrement would overflow\r\n",
            ),
            ("DECRBY y 9223372036854775807", b":-9223372036854775807\r\n"),
            ("DECRBY y 1", b":-9223372036854775808\r\n"),
            ("DECRBY y 1", overflow),
            ("INCRBY y 9223372036854775808", not_int),
            ("INCRBY y abc", not_int),
            ("INCRBY y 1.5", not_int),
            ("INCRBY y ''", not_int),
            ("SET s abc", b"+OK\r\n"),
            ("INCR s", not_int),
            ("SET s 01", b"+OK\r\n"),
            ("INCR s", not_int),
            ("SET s +1", b"+OK\r\n"),
            ("DECR s", not_int),
            ("SET s 12345678901234567890", b"+OK\r\n"),
            ("INCR s", not_int),
            ("APPEND r 4", b":1\r\n"),
            ("APPEND r 1", b":2\r\n"),
            ("INCR r", b":42\r\n"),
            ("OBJECT ENCODING r", b"$3\r\nint\r\n"),
            (
                "INCR",
                b"-ERR wrong number of arguments for 'incr' command\r\n",
            ),
            (
                "INCRBY a",
                b"-ERR wrong number of arguments for 'incrby' command\r\n",
            ),
            (
                "DECRBY a 1 2",
                b"-ERR wrong number of arguments for 'decrby' command\r\n",
            ),
            (
                "DECR a b",
                b"-ERR wrong number of arguments for 'decr' command\r\n",
            ),
        ],
    );
    assert_eq!(c.cmd(&[b"SET", b"s", b" 1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"INCR", b"s"]), not_int);
    // INCR keeps the TTL.
    script(
        &mut c,
        &[
            ("SET e 5 ex 100", b"+OK\r\n"),
            ("INCR e", b":6\r\n"),
            ("TTL e", b":100\r\n"),
        ],
    );
}

#[test]
fn incrbyfloat_uses_long_double_arithmetic() {
    let (_server, mut c) = start(&[]);
    let not_float: &[u8] = b"-ERR value is not a valid float\r\n";
    let nan_inf: &[u8] = b"-ERR increment would produce NaN or Infinity\r\n";
    script(
        &mut c,
        &[
            ("SET f 10.5", b"+OK\r\n"),
            ("INCRBYFLOAT f 0.1", b"$4\r\n10.6\r\n"),
            ("OBJECT ENCODING f", b"$6\r\nembstr\r\n"),
            ("SET f 1", b"+OK\r\n"),
            ("INCRBYFLOAT f 2", b"$1\r\n3\r\n"),
            ("OBJECT ENCODING f", b"$6\r\nembstr\r\n"),
            ("INCR f", b":4\r\n"),
            ("INCRBYFLOAT f abc", not_float),
            ("INCRBYFLOAT f nan", not_float),
            ("INCRBYFLOAT nf inf", nan_inf),
            ("INCRBYFLOAT nf -inf", nan_inf),
            ("EXISTS nf", b":0\r\n"),
            ("INCRBYFLOAT z 3.0e3", b"$4\r\n3000\r\n"),
            ("INCRBYFLOAT z -3000", b"$1\r\n0\r\n"),
            ("INCRBYFLOAT z 0x10", b"$2\r\n16\r\n"),
            ("INCRBYFLOAT z 1.5e-3", b"$7\r\n16.0015\r\n"),
            ("INCRBYFLOAT z2 -0.0", b"$1\r\n0\r\n"),
            ("SET s 01", b"+OK\r\n"),
            ("INCRBYFLOAT s 1", b"$1\r\n2\r\n"),
            ("SET s abc", b"+OK\r\n"),
            ("INCRBYFLOAT s 1", not_float),
            ("SET e 5 px 100000", b"+OK\r\n"),
            ("INCRBYFLOAT e 1.5", b"$3\r\n6.5\r\n"),
            ("TTL e", b":100\r\n"),
            (
                "INCRBYFLOAT e",
                b"-ERR wrong number of arguments for 'incrbyfloat' command\r\n",
            ),
        ],
    );
    assert_eq!(c.cmd(&[b"INCRBYFLOAT", b"z", b" 1"]), not_float);
    assert_eq!(c.cmd(&[b"INCRBYFLOAT", b"z", b""]), not_float);
    // Huge values print every digit, as Redis's %.17Lf does.
    let first = c.cmd(&[b"INCRBYFLOAT", b"big", b"1e308"]);
    assert!(first.starts_with(b"$308\r\n99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048\r\n"));
    let second = c.cmd(&[b"INCRBYFLOAT", b"big", b"1e308"]);
    assert!(second.starts_with(b"$309\r\n1999999999999999999933717593116912913211201996948311344155940959898434697376761237442002538437770786408934944501080264463042694991879211671948416288603928375359182000392063815573262192090142133358783067915778778291210871261225367298032372604341731785068897632475826017115146362848490209054565100926878571560"));
}

#[test]
fn append_and_strlen() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("APPEND a 123", b":3\r\n"),
            ("OBJECT ENCODING a", b"$3\r\nint\r\n"),
            ("APPEND a ''", b":5\r\n"),
            ("GET a", b"$5\r\n123''\r\n"),
            ("OBJECT ENCODING a", b"$3\r\nraw\r\n"),
            ("APPEND a 4", b":6\r\n"),
            ("STRLEN a", b":6\r\n"),
            ("SET i 12345", b"+OK\r\n"),
            ("STRLEN i", b":5\r\n"),
            ("SET i -1", b"+OK\r\n"),
            ("STRLEN i", b":2\r\n"),
            ("STRLEN nokey", b":0\r\n"),
            (
                "APPEND c 1234567890123456789012345678901234567890123456789",
                b":49\r\n",
            ),
            ("OBJECT ENCODING c", b"$3\r\nraw\r\n"),
            ("SET t v ex 100", b"+OK\r\n"),
            ("APPEND t w", b":2\r\n"),
            ("TTL t", b":100\r\n"),
            (
                "APPEND t",
                b"-ERR wrong number of arguments for 'append' command\r\n",
            ),
            (
                "STRLEN",
                b"-ERR wrong number of arguments for 'strlen' command\r\n",
            ),
        ],
    );
    assert_eq!(c.cmd(&[b"APPEND", b"b", b""]), b":0\r\n");
    assert_eq!(c.cmd(&[b"EXISTS", b"b"]), b":1\r\n");
    assert_eq!(c.cmd(&[b"SET", b"n", b"1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"APPEND", b"n", b""]), b":1\r\n");
    assert_eq!(c.cmd(&[b"OBJECT", b"ENCODING", b"n"]), b"$3\r\nraw\r\n");
    assert_eq!(c.cmd(&[b"APPEND", b"\x00\r\n", b"x\x00\r\n"]), b":4\r\n");
    assert_eq!(c.cmd(&[b"APPEND", b"\x00\r\n", b"y"]), b":5\r\n");
    assert_eq!(c.cmd(&[b"GET", b"\x00\r\n"]), b"$5\r\nx\x00\r\ny\r\n");
    // Many small appends build the right string.
    for i in 0..1000u32 {
        c.send_cmd(&[b"APPEND", b"many", format!("{}", i % 10).as_bytes()]);
    }
    for i in 0..1000usize {
        assert_eq!(c.read_reply(), format!(":{}\r\n", i + 1).into_bytes());
    }
    assert_eq!(c.cmd(&[b"STRLEN", b"many"]), b":1000\r\n");
    assert_eq!(
        c.cmd(&[b"GETRANGE", b"many", b"995", b"-1"]),
        b"$5\r\n56789\r\n"
    );
}

#[test]
fn setrange_and_getrange() {
    let (_server, mut c) = start(&[]);
    let too_big: &[u8] = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    script(
        &mut c,
        &[
            ("SETRANGE sr -1 x", b"-ERR offset is out of range\r\n"),
            (
                "SETRANGE sr abc x",
                b"-ERR value is not an integer or out of range\r\n",
            ),
            ("SETRANGE sr 5 x", b":6\r\n"),
            ("GET sr", b"$6\r\n\x00\x00\x00\x00\x00x\r\n"),
            ("OBJECT ENCODING sr", b"$3\r\nraw\r\n"),
            ("SETRANGE i 536870912 x", too_big),
            ("SETRANGE i 9223372036854775807 x", too_big),
            ("SETRANGE sr 536870912 x", too_big),
            ("SETRANGE sr -1 ''", b"-ERR offset is out of range\r\n"),
            ("SET i 12345", b"+OK\r\n"),
            ("SETRANGE i 0 9", b":5\r\n"),
            ("GET i", b"$5\r\n92345\r\n"),
            ("OBJECT ENCODING i", b"$3\r\nraw\r\n"),
            ("SET g Hello_World", b"+OK\r\n"),
            ("SETRANGE g 6 Redis", b":11\r\n"),
            ("GET g", b"$11\r\nHello_Redis\r\n"),
            ("SETRANGE g 13 x", b":14\r\n"),
            ("GET g", b"$14\r\nHello_Redis\x00\x00x\r\n"),
            ("SET t v ex 100", b"+OK\r\n"),
            ("SETRANGE t 0 w", b":1\r\n"),
            ("TTL t", b":100\r\n"),
            (
                "SETRANGE t 0",
                b"-ERR wrong number of arguments for 'setrange' command\r\n",
            ),
        ],
    );
    // An empty value changes nothing: no key is created, an existing one keeps its length.
    assert_eq!(c.cmd(&[b"SETRANGE", b"none", b"0", b""]), b":0\r\n");
    assert_eq!(c.cmd(&[b"SETRANGE", b"none", b"536870911", b""]), b":0\r\n");
    assert_eq!(
        c.cmd(&[b"SETRANGE", b"none", b"9223372036854775807", b""]),
        b":0\r\n"
    );
    assert_eq!(c.cmd(&[b"EXISTS", b"none"]), b":0\r\n");
    assert_eq!(c.cmd(&[b"SETRANGE", b"sr", b"100", b""]), b":6\r\n");
    assert_eq!(c.cmd(&[b"SETRANGE", b"\x00\r\n", b"1", b"\r\n"]), b":3\r\n");
    assert_eq!(c.cmd(&[b"GET", b"\x00\r\n"]), b"$3\r\n\x00\r\n\r\n");
    script(
        &mut c,
        &[
            ("SET g Hello_World", b"+OK\r\n"),
            ("GETRANGE g 0 4", b"$5\r\nHello\r\n"),
            ("GETRANGE g -5 -1", b"$5\r\nWorld\r\n"),
            ("GETRANGE g -1 -5", b"$0\r\n\r\n"),
            ("GETRANGE g 5 1", b"$0\r\n\r\n"),
            ("GETRANGE g 0 -100", b"$1\r\nH\r\n"),
            ("GETRANGE g -100 -100", b"$1\r\nH\r\n"),
            ("GETRANGE g -100 100", b"$11\r\nHello_World\r\n"),
            ("GETRANGE g 100 200", b"$0\r\n\r\n"),
            (
                "GETRANGE g 0 9223372036854775807",
                b"$11\r\nHello_World\r\n",
            ),
            (
                "GETRANGE g -9223372036854775808 9223372036854775807",
                b"$11\r\nHello_World\r\n",
            ),
            (
                "GETRANGE g a b",
                b"-ERR value is not an integer or out of range\r\n",
            ),
            (
                "GETRANGE g 0 9223372036854775808",
                b"-ERR value is not an integer or out of range\r\n",
            ),
            ("GETRANGE nokey 0 1", b"$0\r\n\r\n"),
            (
                "GETRANGE nokey a 1",
                b"-ERR value is not an integer or out of range\r\n",
            ),
            ("SET i 12345", b"+OK\r\n"),
            ("GETRANGE i 1 2", b"$2\r\n23\r\n"),
            ("SET i -42", b"+OK\r\n"),
            ("GETRANGE i 0 0", b"$1\r\n-\r\n"),
            ("SUBSTR g 0 4", b"$5\r\nHello\r\n"),
            ("SUBSTR g -5 -1", b"$5\r\nWorld\r\n"),
            (
                "GETRANGE g 0",
                b"-ERR wrong number of arguments for 'getrange' command\r\n",
            ),
            (
                "SUBSTR g 0",
                b"-ERR wrong number of arguments for 'substr' command\r\n",
            ),
        ],
    );
    assert_eq!(c.cmd(&[b"SET", b"emp", b""]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"GETRANGE", b"emp", b"0", b"-1"]), b"$0\r\n\r\n");
    assert_eq!(c.cmd(&[b"GETRANGE", b"emp", b"0", b"0"]), b"$0\r\n\r\n");
}

#[test]
fn string_length_limit_follows_proto_max_bulk_len() {
    let (_server, mut c) = start(&["--proto-max-bulk-len", "1mb"]);
    let too_big: &[u8] = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    script(
        &mut c,
        &[
            ("SETRANGE k 1048576 x", too_big),
            ("SETRANGE k 1048575 x", b":1048576\r\n"),
            ("APPEND k x", too_big),
            ("SETRANGE k 1048576 x", too_big),
            ("SETRANGE k 1048575 y", b":1048576\r\n"),
            ("STRLEN k", b":1048576\r\n"),
            ("GETRANGE k -2 -1", b"$2\r\n\x00y\r\n"),
        ],
    );
    let half = vec![b'a'; 600_000];
    assert_eq!(c.cmd(&[b"SET", b"h", &half]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"APPEND", b"h", &half[..448_576]]), b":1048576\r\n");
    assert_eq!(c.cmd(&[b"APPEND", b"h", b"a"]), too_big);
}

#[test]
fn lcs_all_reply_shapes() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("MSET key1 ohmytext key2 mynewtext", b"+OK\r\n"),
            ("LCS key1 key2", b"$6\r\nmytext\r\n"),
            ("LCS key1 key2 len", b":6\r\n"),
            ("LCS key1 key2 LEN withmatchlen", b":6\r\n"),
            ("LCS key1 key2 withmatchlen", b"$6\r\nmytext\r\n"),
            ("LCS key1 key2 idx", b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
            ("LCS key1 key2 idx minmatchlen 4", b"*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"),
            ("LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN", b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"),
            ("LCS key1 key2 idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"),
            ("LCS key1 key2 minmatchlen -5 idx", b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
            ("LCS key1 key1 idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n:8\r\n$3\r\nlen\r\n:8\r\n"),
            ("LCS nokey key2", b"$0\r\n\r\n"),
            ("LCS nokey nokey2 idx", b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"),
            ("LCS nokey nokey2 len", b":0\r\n"),
            ("SET la ACCGGTCGAGTGCGCGGAAGCCGGCCGAA", b"+OK\r\n"),
            ("SET lb GTCGTTCGGAATGCCGTTGCTCTGTAAA", b"+OK\r\n"),
            ("LCS la lb", b"$20\r\nGTCGTCGGAAGCCGGCCGAA\r\n"),
            ("LCS la lb idx minmatchlen 3 withmatchlen", b"*4\r\n$7\r\nmatches\r\n*3\r\n*3\r\n*2\r\n:19\r\n:22\r\n*2\r\n:12\r\n:15\r\n:4\r\n*3\r\n*2\r\n:14\r\n:18\r\n*2\r\n:6\r\n:10\r\n:5\r\n*3\r\n*2\r\n:4\r\n:6\r\n*2\r\n:0\r\n:2\r\n:3\r\n$3\r\nlen\r\n:20\r\n"),
            ("SET i1 1234567", b"+OK\r\n"),
            ("SET i2 24567", b"+OK\r\n"),
            ("LCS i1 i2 idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:3\r\n:6\r\n*2\r\n:1\r\n:4\r\n:4\r\n*3\r\n*2\r\n:1\r\n:1\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:5\r\n"),
        ],
    );
}

#[test]
fn lcs_errors_and_memory_guard() {
    let (_server, mut c) = start(&["--proto-max-bulk-len", "1mb"]);
    script(
        &mut c,
        &[
            ("MSET key1 ohmytext key2 mynewtext", b"+OK\r\n"),
            (
                "LCS key1 key2 len idx",
                b"-ERR If you want both the length and indexes, please just use IDX.\r\n",
            ),
            (
                "LCS key1 key2 idx len",
                b"-ERR If you want both the length and indexes, please just use IDX.\r\n",
            ),
            ("LCS key1 key2 foo", b"-ERR syntax error\r\n"),
            ("LCS key1 key2 minmatchlen", b"-ERR syntax error\r\n"),
            (
                "LCS key1 key2 minmatchlen abc",
                b"-ERR value is not an integer or out of range\r\n",
            ),
            (
                "LCS key1",
                b"-ERR wrong number of arguments for 'lcs' command\r\n",
            ),
        ],
    );
    // The table takes (len1+1)*(len2+1)*4 bytes; exactly 1 MB is still allowed.
    let x = vec![b'x'; 511];
    let y = vec![b'y'; 512];
    assert_eq!(c.cmd(&[b"SET", b"a", &x]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"SET", b"b", &y[..511]]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"LCS", b"a", b"b"]), b"$0\r\n\r\n");
    assert_eq!(c.cmd(&[b"SET", b"b", &y]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&[b"LCS", b"a", b"b"]),
        b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n"
    );
    assert_eq!(
        c.cmd(&[b"LCS", b"a", b"b", b"foo"]),
        b"-ERR syntax error\r\n"
    );
}

#[test]
fn writes_bump_the_dirty_counter() {
    let (_server, mut c) = start(&[]);
    let start = dirty(&mut c);
    let steps: &[(&str, u64)] = &[
        ("SET k v", 1),
        ("SET k v nx", 0),
        ("SET k v ex 0", 0),
        ("GET k", 0),
        ("MSET a 1 b 2 c 3", 3),
        ("MSETNX a 1 d 4", 0),
        ("MSETNX d 1 e 4", 2),
        ("INCR n", 1),
        ("INCR k", 0),
        ("INCRBYFLOAT f 1.5", 1),
        ("APPEND k x", 1),
        ("SETRANGE k 0 y", 1),
        ("SETRANGE k 0 ''", 1),
        ("GETSET k z", 1),
        ("GETEX k", 0),
        ("GETEX k persist", 0),
        ("GETEX k ex 100", 1),
        ("GETEX k persist", 1),
        ("GETDEL k", 1),
        ("GETDEL k", 0),
        ("SETNX k v", 1),
        ("SETNX k v", 0),
        ("LCS a b", 0),
    ];
    let mut expected = start;
    for (command, delta) in steps {
        let args: Vec<&[u8]> = command.split_whitespace().map(str::as_bytes).collect();
        c.cmd(&args);
        expected += delta;
        assert_eq!(dirty(&mut c), expected, "after {command}");
    }
}

/// A cheap checksum (FNV-1a) to compare large values without printing them.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn hundred_megabyte_value_round_trip() {
    let (_server, mut c) = start(&[]);
    let len = 100 * 1024 * 1024;
    let value: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    assert_eq!(c.cmd(&[b"SET", b"big", &value]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&[b"STRLEN", b"big"]),
        format!(":{len}\r\n").into_bytes()
    );
    let reply = c.cmd(&[b"GET", b"big"]);
    let header = format!("${len}\r\n").into_bytes();
    assert_eq!(&reply[..header.len()], &header[..]);
    assert_eq!(reply.len(), header.len() + len + 2);
    assert_eq!(&reply[reply.len() - 2..], b"\r\n");
    let body = &reply[header.len()..reply.len() - 2];
    assert_eq!(fnv1a(body), fnv1a(&value));
    assert_eq!(c.cmd(&[b"GETRANGE", b"big", b"-3", b"-1"]), {
        let tail = &value[len - 3..];
        let mut out = b"$3\r\n".to_vec();
        out.extend_from_slice(tail);
        out.extend_from_slice(b"\r\n");
        out
    });
}

#[test]
fn typed_round_trips_through_the_redis_crate() {
    let server = TestServer::start();
    let mut con = server.client();
    let _: () = con.set("k", "v").unwrap();
    assert_eq!(
        con.get::<_, Option<String>>("k").unwrap(),
        Some("v".to_string())
    );
    assert_eq!(con.get::<_, Option<String>>("missing").unwrap(), None);
    assert_eq!(con.incr::<_, _, i64>("n", 5).unwrap(), 5);
    assert_eq!(con.decr::<_, _, i64>("n", 7).unwrap(), -2);
    assert_eq!(con.incr::<_, _, f64>("f", 2.5).unwrap(), 2.5);
    assert_eq!(con.append::<_, _, i64>("k", "w").unwrap(), 2);
    assert_eq!(con.strlen::<_, i64>("k").unwrap(), 2);
    assert_eq!(con.getrange::<_, String>("k", 0, -1).unwrap(), "vw");
    assert_eq!(con.setrange::<_, _, i64>("k", 1, "xyz").unwrap(), 4);
    let _: () = con.mset(&[("a", "1"), ("b", "2")]).unwrap();
    assert_eq!(
        con.mget::<_, Vec<Option<String>>>(&["a", "b", "c"])
            .unwrap(),
        vec![Some("1".into()), Some("2".into()), None]
    );
    assert!(!con
        .mset_nx::<_, _, bool>(&[("a", "1"), ("c", "3")])
        .unwrap());
    assert!(con.set_nx::<_, _, bool>("c", "3").unwrap());
    assert_eq!(
        con.getset::<_, _, Option<String>>("c", "4").unwrap(),
        Some("3".into())
    );
    assert_eq!(
        con.get_del::<_, Option<String>>("c").unwrap(),
        Some("4".into())
    );
    let _: () = con.set_ex("e", "v", 100).unwrap();
    assert_eq!(con.ttl::<_, i64>("e").unwrap(), 100);
    let _: () = con.pset_ex("e", "v", 50_000).unwrap();
    assert_eq!(con.ttl::<_, i64>("e").unwrap(), 50);
    let binary: Vec<u8> = vec![0, 13, 10, 255, 0];
    let _: () = con.set(&binary[..], &binary[..]).unwrap();
    assert_eq!(con.get::<_, Vec<u8>>(&binary[..]).unwrap(), binary);
    let err = con.incr::<_, _, i64>("k", 1).unwrap_err();
    assert_eq!(
        err.detail(),
        Some("value is not an integer or out of range")
    );
    let lcs: String = redis::cmd("LCS").arg("a").arg("b").query(&mut con).unwrap();
    assert_eq!(lcs, "");
}

#[test]
fn resp3_nulls_and_lcs_map() {
    let (_server, mut c) = start(&[]);
    let hello = c.cmd(&[b"HELLO", b"3"]);
    assert!(
        hello.starts_with(b"%"),
        "HELLO 3 replied {:?}",
        String::from_utf8_lossy(&hello)
    );
    script(
        &mut c,
        &[
            ("GET nokey", b"_\r\n"),
            ("GETEX nokey", b"_\r\n"),
            ("GETDEL nokey", b"_\r\n"),
            ("SET k v xx", b"_\r\n"),
            ("MGET nokey", b"*1\r\n_\r\n"),
            ("MSET key1 ohmytext key2 mynewtext", b"+OK\r\n"),
            ("LCS key1 key2 idx withmatchlen", b"%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"),
            ("LCS nokey nokey2 idx", b"%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"),
            ("INCRBYFLOAT f 1.5", b"$3\r\n1.5\r\n"),
        ],
    );
}
