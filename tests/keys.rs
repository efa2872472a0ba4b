//! Integration tests for the keys and expiry families: DEL UNLINK EXISTS TOUCH TYPE RENAME
//! RENAMENX KEYS SCAN RANDOMKEY COPY MOVE OBJECT, EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL
//! PTTL EXPIRETIME PEXPIRETIME PERSIST, and the active expire cycle.
//!
//! Every expected reply is the exact bytes Redis 7.0.15 sends. To check that, run the
//! suite against a real server (single-threaded, it is flushed before each test):
//!
//! ```text
//! RREDIS_TEST_AGAINST=127.0.0.1:6379 cargo test --test keys -- --test-threads=1
//! ```

mod common;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{RawConn, TestServer};

/// The server under test: ours (started per test) or an external one from
/// `RREDIS_TEST_AGAINST`.
struct Target {
    _server: Option<TestServer>,
    addr: SocketAddr,
}

impl Target {
    fn start() -> Target {
        match std::env::var("RREDIS_TEST_AGAINST") {
            Ok(addr) => {
                let target = Target {
                    _server: None,
                    addr: addr.parse().expect("RREDIS_TEST_AGAINST address"),
                };
                assert_eq!(target.raw().cmd(&[b"FLUSHALL"]), b"+OK\r\n");
                target
            }
            Err(_) => {
                let server = TestServer::start();
                Target {
                    addr: server.addr,
                    _server: Some(server),
                }
            }
        }
    }

    fn raw(&self) -> RawConn {
        let stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        stream.set_nodelay(true).expect("nodelay");
        RawConn { stream }
    }

    fn client(&self) -> redis::Connection {
        redis::Client::open(format!("redis://{}/", self.addr))
            .expect("client")
            .get_connection()
            .expect("connection")
    }
}

/// Printable form of reply bytes for assertion messages.
fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// Sends `args` and asserts the exact reply bytes.
fn check(c: &mut RawConn, args: &[&[u8]], expected: &[u8]) {
    let got = c.cmd(args);
    assert_eq!(
        show(&got),
        show(expected),
        "reply to {:?}",
        args.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
}

/// A bulk string reply.
fn bulk(s: &[u8]) -> Vec<u8> {
    [format!("${}\r\n", s.len()).as_bytes(), s, b"\r\n"].concat()
}

/// An integer reply.
fn int(n: i64) -> Vec<u8> {
    format!(":{n}\r\n").into_bytes()
}

/// The integer in an integer reply.
fn parse_int(reply: &[u8]) -> i64 {
    assert_eq!(reply[0], b':', "not an integer reply: {}", show(reply));
    std::str::from_utf8(&reply[1..reply.len() - 2])
        .expect("utf8")
        .parse()
        .expect("integer")
}

/// The wrong-arity error for `name`.
fn arity(name: &str) -> Vec<u8> {
    format!("-ERR wrong number of arguments for '{name}' command\r\n").into_bytes()
}

const OK: &[u8] = b"+OK\r\n";
const NULL: &[u8] = b"$-1\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";
const NOT_INT: &[u8] = b"-ERR value is not an integer or out of range\r\n";
const SAME: &[u8] = b"-ERR source and destination objects are the same\r\n";
const DB_RANGE: &[u8] = b"-ERR DB index is out of range\r\n";
const NOT_INT32: &[u8] =
    b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n";
const NO_SUCH_KEY: &[u8] = b"-ERR no such key\r\n";

#[test]
fn wrong_arity_for_every_command() {
    let t = Target::start();
    let mut c = t.raw();
    for name in [
        "del",
        "unlink",
        "exists",
        "touch",
        "type",
        "keys",
        "scan",
        "ttl",
        "pttl",
        "expiretime",
        "pexpiretime",
        "persist",
    ] {
        check(&mut c, &[name.as_bytes()], &arity(name));
    }
    for name in [
        "rename",
        "renamenx",
        "copy",
        "move",
        "expire",
        "pexpire",
        "expireat",
        "pexpireat",
    ] {
        check(&mut c, &[name.as_bytes(), b"k"], &arity(name));
    }
    check(&mut c, &[b"TYPE", b"a", b"b"], &arity("type"));
    check(&mut c, &[b"KEYS", b"a", b"b"], &arity("keys"));
    check(&mut c, &[b"RENAME", b"a", b"b", b"c"], &arity("rename"));
    check(&mut c, &[b"MOVE", b"a", b"1", b"c"], &arity("move"));
    check(&mut c, &[b"RANDOMKEY", b"x"], &arity("randomkey"));
    check(&mut c, &[b"TTL", b"a", b"b"], &arity("ttl"));
    check(&mut c, &[b"PERSIST", b"a", b"b"], &arity("persist"));
    check(&mut c, &[b"OBJECT"], &arity("object"));
    check(&mut c, &[b"OBJECT", b"encoding"], &arity("object|encoding"));
    check(
        &mut c,
        &[b"OBJECT", b"REFCOUNT", b"a", b"b"],
        &arity("object|refcount"),
    );
    check(&mut c, &[b"object", b"help", b"x"], &arity("object|help"));
}

#[test]
fn del_and_unlink_count_removed_keys_once() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"DEL", b"nope"], &int(0));
    check(&mut c, &[b"SET", b"a", b"1"], OK);
    check(&mut c, &[b"SET", b"b", b"2"], OK);
    check(&mut c, &[b"DEL", b"a", b"b", b"c", b"a"], &int(2));
    check(&mut c, &[b"EXISTS", b"a", b"b"], &int(0));
    check(&mut c, &[b"SET", b"", b"empty"], OK);
    check(&mut c, &[b"SET", b"\x00\r\nbin", b"v"], OK);
    check(&mut c, &[b"UNLINK", b"", b"\x00\r\nbin", b"\x00"], &int(2));
    check(&mut c, &[b"UNLINK", b""], &int(0));
}

#[test]
fn exists_counts_duplicates_and_touch_counts_existing() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"EXISTS", b"a"], &int(0));
    check(&mut c, &[b"SET", b"a", b"x"], OK);
    check(&mut c, &[b"EXISTS", b"a", b"a", b"zz", b"a"], &int(3));
    check(&mut c, &[b"TOUCH", b"a", b"a", b"zz"], &int(2));
    check(&mut c, &[b"TOUCH", b"zz"], &int(0));
    check(&mut c, &[b"SET", b"", b""], OK);
    check(&mut c, &[b"EXISTS", b""], &int(1));
}

#[test]
fn type_names_the_value_type() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"TYPE", b"nope"], b"+none\r\n");
    check(&mut c, &[b"SET", b"s", b"abc"], OK);
    check(&mut c, &[b"SET", b"i", b"12"], OK);
    check(&mut c, &[b"TYPE", b"s"], b"+string\r\n");
    check(&mut c, &[b"type", b"i"], b"+string\r\n");
}

#[test]
fn rename_moves_value_and_ttl() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"RENAME", b"nope", b"x"], NO_SUCH_KEY);
    check(&mut c, &[b"RENAME", b"nope", b"nope"], NO_SUCH_KEY);
    check(&mut c, &[b"SET", b"a", b"v1"], OK);
    check(&mut c, &[b"RENAME", b"a", b"a"], OK);
    check(&mut c, &[b"GET", b"a"], &bulk(b"v1"));
    check(&mut c, &[b"EXPIRE", b"a", b"100"], &int(1));
    check(&mut c, &[b"RENAME", b"a", b"b"], OK);
    check(&mut c, &[b"EXISTS", b"a"], &int(0));
    check(&mut c, &[b"GET", b"b"], &bulk(b"v1"));
    check(&mut c, &[b"TTL", b"b"], &int(100));
    // Overwriting replaces the destination's value and TTL.
    check(&mut c, &[b"SET", b"c", b"plain"], OK);
    check(&mut c, &[b"SET", b"b2", b"ttl-ed"], OK);
    check(&mut c, &[b"EXPIRE", b"b2", b"50"], &int(1));
    check(&mut c, &[b"RENAME", b"c", b"b2"], OK);
    check(&mut c, &[b"GET", b"b2"], &bulk(b"plain"));
    check(&mut c, &[b"TTL", b"b2"], &int(-1));
    // Binary and empty names.
    check(&mut c, &[b"RENAME", b"b2", b"\x00\r\n"], OK);
    check(&mut c, &[b"RENAME", b"\x00\r\n", b""], OK);
    check(&mut c, &[b"GET", b""], &bulk(b"plain"));
}

#[test]
fn renamenx_only_renames_to_a_free_name() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"RENAMENX", b"nope", b"x"], NO_SUCH_KEY);
    check(&mut c, &[b"SET", b"a", b"1"], OK);
    check(&mut c, &[b"SET", b"b", b"2"], OK);
    check(&mut c, &[b"RENAMENX", b"a", b"a"], &int(0));
    check(&mut c, &[b"RENAMENX", b"a", b"b"], &int(0));
    check(&mut c, &[b"GET", b"b"], &bulk(b"2"));
    check(&mut c, &[b"PEXPIRE", b"a", b"100000"], &int(1));
    check(&mut c, &[b"RENAMENX", b"a", b"c"], &int(1));
    check(&mut c, &[b"GET", b"c"], &bulk(b"1"));
    check(&mut c, &[b"TTL", b"c"], &int(100));
    check(&mut c, &[b"EXISTS", b"a"], &int(0));
}

/// KEYS replies sorted, via the redis crate.
fn sorted_keys(client: &mut redis::Connection, pattern: &[u8]) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg(pattern).query(client).expect("KEYS");
    keys.sort();
    keys
}

#[test]
fn keys_matches_glob_patterns() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"KEYS", b"*"], b"*0\r\n");
    for key in [
        &b"k1"[..],
        b"k2",
        b"k3",
        b"kx",
        b"key:7",
        b"*",
        b"",
        b"\x00\r\nbin",
        b"K9",
    ] {
        check(&mut c, &[b"SET", key, b"v"], OK);
    }
    let mut client = t.client();
    let v = |list: &[&[u8]]| list.iter().map(|k| k.to_vec()).collect::<Vec<_>>();
    assert_eq!(sorted_keys(&mut client, b"*").len(), 9);
    assert_eq!(
        sorted_keys(&mut client, b"k?"),
        v(&[b"k1", b"k2", b"k3", b"kx"])
    );
    assert_eq!(sorted_keys(&mut client, b"k[1-2]"), v(&[b"k1", b"k2"]));
    assert_eq!(sorted_keys(&mut client, b"k[^1-2]"), v(&[b"k3", b"kx"]));
    assert_eq!(
        sorted_keys(&mut client, b"k*"),
        v(&[b"k1", b"k2", b"k3", b"key:7", b"kx"])
    );
    assert_eq!(
        sorted_keys(&mut client, b"*[0-9]"),
        v(&[b"K9", b"k1", b"k2", b"k3", b"key:7"])
    );
    assert_eq!(sorted_keys(&mut client, b"\x00*"), v(&[b"\x00\r\nbin"]));
    check(&mut c, &[b"KEYS", b"\\*"], b"*1\r\n$1\r\n*\r\n");
    check(&mut c, &[b"KEYS", b""], b"*1\r\n$0\r\n\r\n");
    check(&mut c, &[b"KEYS", b"key:*"], b"*1\r\n$5\r\nkey:7\r\n");
    check(&mut c, &[b"KEYS", b"k["], b"*0\r\n");
    check(&mut c, &[b"KEYS", b"nomatch*"], b"*0\r\n");
}

#[test]
fn keys_skips_expired_keys() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"SET", b"live", b"v"], OK);
    check(&mut c, &[b"SET", b"dying", b"v", b"PX", b"20"], OK);
    std::thread::sleep(Duration::from_millis(60));
    check(&mut c, &[b"KEYS", b"*"], b"*1\r\n$4\r\nlive\r\n");
    check(&mut c, &[b"KEYS", b"dy*"], b"*0\r\n");
}

/// One SCAN call through the redis crate: (next cursor, keys).
fn scan_once(client: &mut redis::Connection, cursor: u64, opts: &[&[u8]]) -> (u64, Vec<Vec<u8>>) {
    let (next, keys): (String, Vec<Vec<u8>>) = redis::cmd("SCAN")
        .arg(cursor)
        .arg(opts)
        .query(client)
        .expect("SCAN");
    (next.parse().expect("cursor"), keys)
}

/// A full SCAN iteration; asserts no key comes back twice (no rehash happens while
/// nothing writes) and returns them all.
fn scan_all(client: &mut redis::Connection, opts: &[&[u8]]) -> HashSet<Vec<u8>> {
    let mut seen = HashSet::new();
    let mut cursor = 0;
    for _ in 0..100_000 {
        let (next, keys) = scan_once(client, cursor, opts);
        for key in keys {
            assert!(
                seen.insert(key.clone()),
                "key {} returned twice",
                show(&key)
            );
        }
        if next == 0 {
            return seen;
        }
        cursor = next;
    }
    panic!("SCAN did not finish");
}

#[test]
fn scan_returns_every_key_exactly_once() {
    let t = Target::start();
    let mut c = t.raw();
    let mut pipeline = Vec::new();
    for i in 0..1000 {
        pipeline.extend(common::encode(&[
            b"SET",
            format!("key:{i}").as_bytes(),
            b"v",
        ]));
    }
    c.send(&pipeline);
    for _ in 0..1000 {
        assert_eq!(c.read_reply(), OK);
    }
    let mut client = t.client();
    let all: HashSet<Vec<u8>> = (0..1000).map(|i| format!("key:{i}").into_bytes()).collect();
    assert_eq!(scan_all(&mut client, &[]), all);
    assert_eq!(scan_all(&mut client, &[b"COUNT", b"7"]), all);
    assert_eq!(scan_all(&mut client, &[b"COUNT", b"100000"]), all);
    assert_eq!(
        scan_all(&mut client, &[b"TYPE", b"string", b"COUNT", b"3"]),
        all
    );
    assert_eq!(scan_all(&mut client, &[b"type", b"STRING"]), all);
    assert!(scan_all(&mut client, &[b"TYPE", b"list"]).is_empty());
    assert!(scan_all(&mut client, &[b"TYPE", b"nosuchtype"]).is_empty());
    let ones: HashSet<Vec<u8>> = all
        .iter()
        .filter(|k| k.starts_with(b"key:1"))
        .cloned()
        .collect();
    assert_eq!(ones.len(), 111);
    assert_eq!(
        scan_all(&mut client, &[b"MATCH", b"key:1*", b"COUNT", b"5"]),
        ones
    );
    assert_eq!(
        scan_all(&mut client, &[b"MATCH", b"key:1*", b"MATCH", b"*"]),
        all
    );
    // COUNT is a hint: a big one returns everything in one call.
    let (next, keys) = scan_once(&mut client, 0, &[b"COUNT", b"5000"]);
    assert_eq!((next, keys.len()), (0, 1000));
}

#[test]
fn scan_replies_and_errors() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"SCAN", b"0"], b"*2\r\n$1\r\n0\r\n*0\r\n");
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(
        &mut c,
        &[b"SCAN", b"0"],
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n",
    );
    check(
        &mut c,
        &[b"SCAN", b"0", b"MATCH", b"x*"],
        b"*2\r\n$1\r\n0\r\n*0\r\n",
    );
    check(
        &mut c,
        &[b"SCAN", b"0", b"TYPE", b"String"],
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n",
    );
    check(
        &mut c,
        &[b"SCAN", b"0", b"TYPE", b"string\x00junk"],
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n",
    );
    check(
        &mut c,
        &[b"SCAN", b"0", b"TYPE", b"hash"],
        b"*2\r\n$1\r\n0\r\n*0\r\n",
    );
    // Cursors are read like C's strtoul.
    check(
        &mut c,
        &[b"SCAN", b""],
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n",
    );
    check(
        &mut c,
        &[b"SCAN", b"+0"],
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n",
    );
    check(
        &mut c,
        &[b"SCAN", b"0\x00x"],
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n",
    );
    // The last bucket of the tiny table may or may not hold `k` (the hash seed is
    // random), but the walk ends there.
    let reply = c.cmd(&[b"SCAN", b"18446744073709551615"]);
    assert!(reply.starts_with(b"*2\r\n$1\r\n0\r\n*"), "{}", show(&reply));
    for bad in [
        &b"x"[..],
        b" 0",
        b"0 ",
        b"\t1",
        b"+",
        b"-",
        b"18446744073709551616",
        b"1.5",
        b"0x10",
    ] {
        check(&mut c, &[b"SCAN", bad], b"-ERR invalid cursor\r\n");
    }
    check(&mut c, &[b"SCAN", b"x", b"foo"], b"-ERR invalid cursor\r\n");
    check(&mut c, &[b"SCAN", b"0", b"COUNT", b"0"], SYNTAX);
    check(&mut c, &[b"SCAN", b"0", b"COUNT", b"-1"], SYNTAX);
    check(&mut c, &[b"SCAN", b"0", b"COUNT", b"x"], NOT_INT);
    check(
        &mut c,
        &[b"SCAN", b"0", b"COUNT", b"99999999999999999999"],
        NOT_INT,
    );
    check(
        &mut c,
        &[b"SCAN", b"0", b"COUNT", b"10", b"COUNT", b"0"],
        SYNTAX,
    );
    check(&mut c, &[b"SCAN", b"0", b"MATCH"], SYNTAX);
    check(&mut c, &[b"SCAN", b"0", b"COUNT"], SYNTAX);
    check(&mut c, &[b"SCAN", b"0", b"TYPE"], SYNTAX);
    check(&mut c, &[b"SCAN", b"0", b"foo", b"bar"], SYNTAX);
    check(&mut c, &[b"SCAN", b"0", b"MATCH", b"*", b"extra"], SYNTAX);
    check(
        &mut c,
        &[b"SCAN", b"0", b"COUNT", b"9223372036854775807"],
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n",
    );
}

#[test]
fn scan_skips_and_deletes_expired_keys() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"SET", b"live", b"v"], OK);
    check(&mut c, &[b"SET", b"dying", b"v", b"PX", b"20"], OK);
    std::thread::sleep(Duration::from_millis(60));
    check(
        &mut c,
        &[b"SCAN", b"0", b"COUNT", b"100"],
        b"*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n",
    );
    check(&mut c, &[b"DBSIZE"], &int(1));
}

#[test]
fn randomkey_returns_a_live_key_or_null() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"RANDOMKEY"], NULL);
    check(&mut c, &[b"SET", b"\x00\r\n", b"v"], OK);
    check(&mut c, &[b"RANDOMKEY"], &bulk(b"\x00\r\n"));
    check(&mut c, &[b"SET", b"other", b"v"], OK);
    let mut seen = HashSet::new();
    for _ in 0..200 {
        seen.insert(c.cmd(&[b"RANDOMKEY"]));
    }
    assert_eq!(seen, HashSet::from([bulk(b"\x00\r\n"), bulk(b"other")]));
    // Only expired keys left: RANDOMKEY deletes them and finds nothing.
    check(&mut c, &[b"DEL", b"\x00\r\n", b"other"], &int(2));
    for i in 0..20 {
        check(
            &mut c,
            &[b"SET", format!("e{i}").as_bytes(), b"v", b"PX", b"10"],
            OK,
        );
    }
    std::thread::sleep(Duration::from_millis(40));
    check(&mut c, &[b"RANDOMKEY"], NULL);
}

#[test]
fn copy_duplicates_value_and_ttl() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"COPY", b"nope", b"x"], &int(0));
    check(&mut c, &[b"SET", b"src", b"hello"], OK);
    check(&mut c, &[b"COPY", b"src", b"dst"], &int(1));
    check(&mut c, &[b"GET", b"dst"], &bulk(b"hello"));
    check(&mut c, &[b"TTL", b"dst"], &int(-1));
    check(&mut c, &[b"SET", b"src", b"changed"], OK);
    check(&mut c, &[b"GET", b"dst"], &bulk(b"hello"));
    check(&mut c, &[b"COPY", b"src", b"dst"], &int(0));
    check(&mut c, &[b"GET", b"dst"], &bulk(b"hello"));
    check(&mut c, &[b"EXPIRE", b"src", b"100"], &int(1));
    check(&mut c, &[b"COPY", b"src", b"dst", b"replace"], &int(1));
    check(&mut c, &[b"GET", b"dst"], &bulk(b"changed"));
    check(&mut c, &[b"TTL", b"dst"], &int(100));
    check(
        &mut c,
        &[b"COPY", b"src", b"dst", b"REPLACE", b"REPLACE"],
        &int(1),
    );
    // Encodings survive the copy.
    check(&mut c, &[b"SET", b"n", b"12345"], OK);
    check(&mut c, &[b"COPY", b"n", b"n2"], &int(1));
    check(&mut c, &[b"OBJECT", b"ENCODING", b"n2"], &bulk(b"int"));
    check(&mut c, &[b"SET", b"long", &[b'x'; 45]], OK);
    check(&mut c, &[b"COPY", b"long", b"long2"], &int(1));
    check(&mut c, &[b"OBJECT", b"ENCODING", b"long2"], &bulk(b"raw"));
    check(&mut c, &[b"COPY", b"src", b"", b"DB", b"0"], &int(1));
    check(&mut c, &[b"GET", b""], &bulk(b"changed"));
}

#[test]
fn copy_to_another_database_and_errors() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"COPY", b"k", b"k"], SAME);
    check(&mut c, &[b"COPY", b"k", b"k", b"DB", b"0"], SAME);
    check(&mut c, &[b"COPY", b"k", b"k", b"REPLACE"], SAME);
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(&mut c, &[b"COPY", b"k", b"k"], SAME);
    check(&mut c, &[b"COPY", b"k", b"k", b"db", b"1"], &int(1));
    check(&mut c, &[b"COPY", b"k", b"k", b"db", b"1"], &int(0));
    check(&mut c, &[b"COPY", b"k", b"k", b"DB", b"16"], DB_RANGE);
    check(&mut c, &[b"COPY", b"k", b"k", b"DB", b"-1"], DB_RANGE);
    check(&mut c, &[b"COPY", b"k", b"k", b"DB", b"x"], NOT_INT);
    check(
        &mut c,
        &[b"COPY", b"k", b"k", b"DB", b"4294967296"],
        NOT_INT32,
    );
    check(&mut c, &[b"COPY", b"k", b"k", b"DB"], SYNTAX);
    check(&mut c, &[b"COPY", b"k", b"x", b"foo"], SYNTAX);
    check(&mut c, &[b"COPY", b"nope", b"x", b"DB", b"99"], DB_RANGE);
    check(&mut c, &[b"SELECT", b"1"], OK);
    check(&mut c, &[b"GET", b"k"], &bulk(b"v"));
    check(
        &mut c,
        &[b"COPY", b"k", b"k", b"DB", b"0", b"REPLACE"],
        &int(1),
    );
}

#[test]
fn move_between_databases() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"MOVE", b"k", b"0"], SAME);
    check(&mut c, &[b"MOVE", b"k", b"1"], &int(0));
    check(&mut c, &[b"MOVE", b"k", b"16"], DB_RANGE);
    check(&mut c, &[b"MOVE", b"k", b"-1"], DB_RANGE);
    check(&mut c, &[b"MOVE", b"k", b"x"], NOT_INT);
    check(&mut c, &[b"MOVE", b"k", b"4294967296"], NOT_INT32);
    check(&mut c, &[b"MOVE", b"k", b"99999999999999999999"], NOT_INT);
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(&mut c, &[b"PEXPIRE", b"k", b"100000"], &int(1));
    check(&mut c, &[b"MOVE", b"k", b"0"], SAME);
    check(&mut c, &[b"MOVE", b"k", b"2"], &int(1));
    check(&mut c, &[b"EXISTS", b"k"], &int(0));
    check(&mut c, &[b"SET", b"k", b"here"], OK);
    check(&mut c, &[b"MOVE", b"k", b"2"], &int(0));
    check(&mut c, &[b"GET", b"k"], &bulk(b"here"));
    check(&mut c, &[b"SELECT", b"2"], OK);
    check(&mut c, &[b"GET", b"k"], &bulk(b"v"));
    check(&mut c, &[b"TTL", b"k"], &int(100));
}

#[test]
fn object_encoding_refcount_idletime_freq() {
    let t = Target::start();
    let mut c = t.raw();
    for sub in [&b"ENCODING"[..], b"refcount", b"IdleTime", b"FREQ"] {
        check(&mut c, &[b"OBJECT", sub, b"nope"], NULL);
    }
    check(&mut c, &[b"SET", b"i", b"1"], OK);
    check(&mut c, &[b"SET", b"big", b"10000"], OK);
    check(&mut c, &[b"SET", b"neg", b"-1"], OK);
    check(&mut c, &[b"SET", b"s", b"abc"], OK);
    check(&mut c, &[b"SET", b"e", b""], OK);
    check(&mut c, &[b"SET", b"r", &[b'x'; 45]], OK);
    check(&mut c, &[b"SET", b"e44", &[b'x'; 44]], OK);
    check(&mut c, &[b"OBJECT", b"ENCODING", b"i"], &bulk(b"int"));
    check(&mut c, &[b"OBJECT", b"ENCODING", b"s"], &bulk(b"embstr"));
    check(&mut c, &[b"OBJECT", b"ENCODING", b"e"], &bulk(b"embstr"));
    check(&mut c, &[b"OBJECT", b"ENCODING", b"e44"], &bulk(b"embstr"));
    check(&mut c, &[b"OBJECT", b"ENCODING", b"r"], &bulk(b"raw"));
    check(&mut c, &[b"OBJECT", b"REFCOUNT", b"i"], &int(2147483647));
    check(&mut c, &[b"SET", b"i", b"9999"], OK);
    check(&mut c, &[b"OBJECT", b"REFCOUNT", b"i"], &int(2147483647));
    check(&mut c, &[b"OBJECT", b"REFCOUNT", b"big"], &int(1));
    check(&mut c, &[b"OBJECT", b"REFCOUNT", b"neg"], &int(1));
    check(&mut c, &[b"OBJECT", b"REFCOUNT", b"s"], &int(1));
    check(&mut c, &[b"OBJECT", b"IDLETIME", b"s"], &int(0));
    check(
        &mut c,
        &[b"OBJECT", b"FREQ", b"s"],
        b"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n",
    );
    check(
        &mut c,
        &[b"OBJECT", b"foo"],
        b"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n",
    );
    check(
        &mut c,
        &[b"OBJECT", b"foo", b"bar"],
        b"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n",
    );
}

#[test]
fn object_idletime_grows_and_object_does_not_touch() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"SET", b"s", b"abc"], OK);
    std::thread::sleep(Duration::from_millis(2100));
    // OBJECT, TYPE, EXISTS and TTL read without touching the key.
    check(&mut c, &[b"OBJECT", b"ENCODING", b"s"], &bulk(b"embstr"));
    check(&mut c, &[b"TYPE", b"s"], b"+string\r\n");
    check(&mut c, &[b"EXISTS", b"s"], &int(1));
    check(&mut c, &[b"TTL", b"s"], &int(-1));
    let idle = parse_int(&c.cmd(&[b"OBJECT", b"IDLETIME", b"s"]));
    assert!((1..=3).contains(&idle), "idle {idle}");
    check(&mut c, &[b"TOUCH", b"s"], &int(1));
    check(&mut c, &[b"OBJECT", b"IDLETIME", b"s"], &int(0));
}

#[test]
fn object_help_lists_subcommands() {
    let t = Target::start();
    let mut c = t.raw();
    let expected: &[u8] = b"*15\r\n\
+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n\
+ENCODING <key>\r\n\
+    Return the kind of internal representation used in order to store the value\r\n\
+    associated with a <key>.\r\n\
+FREQ <key>\r\n\
+    Return the access frequency index of the <key>. The returned integer is\r\n\
+    proportional to the logarithm of the recent access frequency of the key.\r\n\
+IDLETIME <key>\r\n\
+    Return the idle time of the <key>, that is the approximated number of\r\n\
+    seconds elapsed since the last access to the key.\r\n\
+REFCOUNT <key>\r\n\
+    Return the number of references of the value associated with the specified\r\n\
+    <key>.\r\n\
+HELP\r\n\
+    Prints this help.\r\n";
    check(&mut c, &[b"OBJECT", b"HELP"], expected);
    check(&mut c, &[b"object", b"help"], expected);
}

#[test]
fn expire_sets_ttls_and_deletes_on_past_deadlines() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"EXPIRE", b"nope", b"100"], &int(0));
    check(&mut c, &[b"EXPIRE", b"nope", b"-5"], &int(0));
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(&mut c, &[b"EXPIRE", b"k", b"100"], &int(1));
    check(&mut c, &[b"TTL", b"k"], &int(100));
    check(&mut c, &[b"PEXPIRE", b"k", b"5000"], &int(1));
    check(&mut c, &[b"TTL", b"k"], &int(5));
    let pttl = parse_int(&c.cmd(&[b"PTTL", b"k"]));
    assert!((4900..=5000).contains(&pttl), "pttl {pttl}");
    check(&mut c, &[b"EXPIRE", b"k", b"0"], &int(1));
    check(&mut c, &[b"EXISTS", b"k"], &int(0));
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(&mut c, &[b"EXPIRE", b"k", b"-1"], &int(1));
    check(&mut c, &[b"EXISTS", b"k"], &int(0));
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(
        &mut c,
        &[b"PEXPIRE", b"k", b"-9223372036854775808"],
        &int(1),
    );
    check(&mut c, &[b"TTL", b"k"], &int(-2));
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(&mut c, &[b"EXPIREAT", b"k", b"1"], &int(1));
    check(&mut c, &[b"EXISTS", b"k"], &int(0));
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(&mut c, &[b"PEXPIREAT", b"k", b"0"], &int(1));
    check(&mut c, &[b"EXISTS", b"k"], &int(0));
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(&mut c, &[b"EXPIREAT", b"k", b"4102444800"], &int(1));
    check(&mut c, &[b"EXPIRETIME", b"k"], &int(4102444800));
    check(&mut c, &[b"PEXPIRETIME", b"k"], &int(4102444800000));
    check(&mut c, &[b"SET", b"", b"v"], OK);
    check(&mut c, &[b"expire", b"", b"10"], &int(1));
    check(&mut c, &[b"TTL", b""], &int(10));
}

#[test]
fn expire_rejects_bad_times() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    for bad in [
        &b"x"[..],
        b"1.5",
        b" 1",
        b"",
        b"+1",
        b"01",
        b"99999999999999999999",
    ] {
        check(&mut c, &[b"EXPIRE", b"k", bad], NOT_INT);
        check(&mut c, &[b"PEXPIREAT", b"k", bad], NOT_INT);
    }
    let invalid =
        |name: &str| format!("-ERR invalid expire time in '{name}' command\r\n").into_bytes();
    check(
        &mut c,
        &[b"EXPIRE", b"k", b"9223372036854775807"],
        &invalid("expire"),
    );
    check(
        &mut c,
        &[b"EXPIRE", b"k", b"9223372036854775"],
        &invalid("expire"),
    );
    check(
        &mut c,
        &[b"EXPIRE", b"k", b"-9223372036854775808"],
        &invalid("expire"),
    );
    check(
        &mut c,
        &[b"EXPIRE", b"k", b"-9223372036854776"],
        &invalid("expire"),
    );
    check(
        &mut c,
        &[b"PEXPIRE", b"k", b"9223372036854775807"],
        &invalid("pexpire"),
    );
    check(
        &mut c,
        &[b"PEXPIRE", b"k", b"9223372036854775807", b"nx"],
        &invalid("pexpire"),
    );
    check(
        &mut c,
        &[b"EXPIREAT", b"k", b"9223372036854776"],
        &invalid("expireat"),
    );
    check(
        &mut c,
        &[b"expireat", b"nope", b"9223372036854776"],
        &invalid("expireat"),
    );
    check(&mut c, &[b"TTL", b"k"], &int(-1));
    // The largest accepted deadlines.
    check(&mut c, &[b"EXPIREAT", b"k", b"9223372036854775"], &int(1));
    check(&mut c, &[b"EXPIRETIME", b"k"], &int(9223372036854775));
    check(
        &mut c,
        &[b"PEXPIREAT", b"k", b"9223372036854775807"],
        &int(1),
    );
    check(&mut c, &[b"PEXPIRETIME", b"k"], &int(9223372036854775807));
    check(&mut c, &[b"EXPIRETIME", b"k"], &int(9223372036854776));
    check(&mut c, &[b"EXPIRE", b"k", b"-9223372036854775"], &int(1));
    check(&mut c, &[b"EXISTS", b"k"], &int(0));
}

#[test]
fn expire_options_nx_xx_gt_lt() {
    let t = Target::start();
    let mut c = t.raw();
    let nx_err: &[u8] = b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
    let gtlt_err: &[u8] = b"-ERR GT and LT options at the same time are not compatible\r\n";
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(&mut c, &[b"EXPIRE", b"k", b"100", b"NX", b"XX"], nx_err);
    check(&mut c, &[b"EXPIRE", b"k", b"100", b"nx", b"gt"], nx_err);
    check(&mut c, &[b"EXPIRE", b"k", b"100", b"lt", b"NX"], nx_err);
    check(&mut c, &[b"PEXPIRE", b"k", b"100", b"GT", b"LT"], gtlt_err);
    check(
        &mut c,
        &[b"EXPIRE", b"k", b"100", b"foo"],
        b"-ERR Unsupported option foo\r\n",
    );
    check(
        &mut c,
        &[b"EXPIRE", b"k", b"x", b"foo"],
        b"-ERR Unsupported option foo\r\n",
    );
    check(
        &mut c,
        &[b"EXPIRE", b"nope", b"100", b"foo"],
        b"-ERR Unsupported option foo\r\n",
    );
    check(
        &mut c,
        &[b"EXPIRE", b"k", b"100", b"a\r\nb"],
        b"-ERR Unsupported option a  b\r\n",
    );
    check(
        &mut c,
        &[b"EXPIRE", b"k", b"100", b"a\x00b"],
        b"-ERR Unsupported option a\r\n",
    );
    check(&mut c, &[b"EXPIRE", b"k", b"x", b"nx"], NOT_INT);
    check(&mut c, &[b"TTL", b"k"], &int(-1));
    // No TTL yet: XX and GT fail, LT and NX succeed.
    check(&mut c, &[b"EXPIRE", b"k", b"100", b"XX"], &int(0));
    check(&mut c, &[b"EXPIRE", b"k", b"99", b"GT"], &int(0));
    check(&mut c, &[b"EXPIRE", b"k", b"100", b"nx", b"nx"], &int(1));
    check(&mut c, &[b"EXPIRE", b"k", b"200", b"NX"], &int(0));
    check(&mut c, &[b"TTL", b"k"], &int(100));
    check(&mut c, &[b"EXPIRE", b"k", b"50", b"GT"], &int(0));
    check(&mut c, &[b"EXPIRE", b"k", b"99", b"GT"], &int(0));
    check(&mut c, &[b"EXPIRE", b"k", b"500", b"GT"], &int(1));
    check(&mut c, &[b"EXPIRE", b"k", b"1000", b"LT"], &int(0));
    check(&mut c, &[b"EXPIRE", b"k", b"10", b"lt"], &int(1));
    check(&mut c, &[b"EXPIRE", b"k", b"20", b"XX"], &int(1));
    check(&mut c, &[b"EXPIRE", b"k", b"100", b"GT", b"XX"], &int(1));
    check(&mut c, &[b"EXPIRE", b"k", b"50", b"LT", b"XX"], &int(1));
    check(&mut c, &[b"TTL", b"k"], &int(50));
    check(&mut c, &[b"EXPIRE", b"k", b"100", b"nx\x00z"], &int(0));
    check(&mut c, &[b"PERSIST", b"k"], &int(1));
    check(&mut c, &[b"EXPIRE", b"k", b"10", b"LT"], &int(1));
    check(&mut c, &[b"TTL", b"k"], &int(10));
    // A past deadline that fails its condition leaves the key alone.
    check(&mut c, &[b"EXPIRE", b"k", b"0", b"GT"], &int(0));
    check(&mut c, &[b"EXISTS", b"k"], &int(1));
    check(&mut c, &[b"EXPIRE", b"k", b"0", b"LT"], &int(1));
    check(&mut c, &[b"EXISTS", b"k"], &int(0));
    check(&mut c, &[b"EXPIRE", b"k", b"100", b"NX"], &int(0));
}

#[test]
fn ttl_family_replies() {
    let t = Target::start();
    let mut c = t.raw();
    for name in [&b"TTL"[..], b"PTTL", b"EXPIRETIME", b"PEXPIRETIME"] {
        check(&mut c, &[name, b"nope"], &int(-2));
    }
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    for name in [&b"TTL"[..], b"PTTL", b"EXPIRETIME", b"PEXPIRETIME"] {
        check(&mut c, &[name, b"k"], &int(-1));
    }
    check(&mut c, &[b"PEXPIREAT", b"k", b"4102444800123"], &int(1));
    check(&mut c, &[b"EXPIRETIME", b"k"], &int(4102444800));
    check(&mut c, &[b"PEXPIRETIME", b"k"], &int(4102444800123));
    check(&mut c, &[b"PEXPIREAT", b"k", b"4102444800500"], &int(1));
    check(&mut c, &[b"EXPIRETIME", b"k"], &int(4102444801));
    check(&mut c, &[b"PEXPIREAT", b"k", b"4102444800499"], &int(1));
    check(&mut c, &[b"EXPIRETIME", b"k"], &int(4102444800));
    check(&mut c, &[b"PEXPIRE", b"k", b"1200"], &int(1));
    check(&mut c, &[b"TTL", b"k"], &int(1));
    check(&mut c, &[b"PEXPIRE", b"k", b"1800"], &int(1));
    check(&mut c, &[b"TTL", b"k"], &int(2));
}

#[test]
fn persist_removes_the_ttl() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"PERSIST", b"nope"], &int(0));
    check(&mut c, &[b"SET", b"k", b"v"], OK);
    check(&mut c, &[b"PERSIST", b"k"], &int(0));
    check(&mut c, &[b"EXPIRE", b"k", b"100"], &int(1));
    check(&mut c, &[b"PERSIST", b"k"], &int(1));
    check(&mut c, &[b"TTL", b"k"], &int(-1));
    check(&mut c, &[b"PERSIST", b"k"], &int(0));
}

#[test]
fn keys_expire_after_short_ttls() {
    let t = Target::start();
    let mut c = t.raw();
    check(&mut c, &[b"SET", b"a", b"v", b"PX", b"100"], OK);
    check(&mut c, &[b"SET", b"b", b"v"], OK);
    check(&mut c, &[b"PEXPIRE", b"b", b"100"], &int(1));
    check(&mut c, &[b"SET", b"c", b"v"], OK);
    check(&mut c, &[b"GET", b"a"], &bulk(b"v"));
    check(&mut c, &[b"EXISTS", b"a", b"b", b"c"], &int(3));
    std::thread::sleep(Duration::from_millis(200));
    check(&mut c, &[b"GET", b"a"], NULL);
    check(&mut c, &[b"TTL", b"a"], &int(-2));
    check(&mut c, &[b"PTTL", b"b"], &int(-2));
    check(&mut c, &[b"EXISTS", b"a", b"b", b"c"], &int(1));
    check(&mut c, &[b"TYPE", b"b"], b"+none\r\n");
    check(&mut c, &[b"RENAME", b"b", b"x"], NO_SUCH_KEY);
    check(&mut c, &[b"OBJECT", b"ENCODING", b"b"], NULL);
    // An expired destination does not block RENAMENX, MOVE or COPY.
    check(&mut c, &[b"SET", b"d", b"v", b"PX", b"50"], OK);
    std::thread::sleep(Duration::from_millis(100));
    check(&mut c, &[b"RENAMENX", b"c", b"d"], &int(1));
    check(&mut c, &[b"GET", b"d"], &bulk(b"v"));
}

#[test]
fn many_short_ttl_keys_disappear_without_reads() {
    const N: usize = 200_000;
    let t = Target::start();
    let c = t.raw();
    let mut writer = c.stream.try_clone().expect("clone");
    let sender = std::thread::spawn(move || {
        let mut batch = Vec::new();
        for i in 0..N {
            batch.extend(common::encode(&[
                b"SET",
                format!("ttl:{i}").as_bytes(),
                b"v",
                b"PX",
                b"100",
            ]));
            if batch.len() > 1 << 16 {
                writer.write_all(&batch).expect("send");
                batch.clear();
            }
        }
        writer.write_all(&batch).expect("send");
    });
    let mut reader = c.stream.try_clone().expect("clone");
    let mut replies = vec![0u8; N * OK.len()];
    reader.read_exact(&mut replies).expect("replies");
    sender.join().expect("sender");
    assert!(
        replies.chunks(OK.len()).all(|r| r == OK),
        "every SET replies +OK"
    );
    let mut probe = t.raw();
    let started = Instant::now();
    loop {
        let size = parse_int(&probe.cmd(&[b"DBSIZE"]));
        if size == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{size} keys still there after 10 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
