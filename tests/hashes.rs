//! The hash family end to end: every command, option and error through raw sockets with
//! the exact bytes a real Redis 7.0.15 sends (each expectation was checked against one),
//! the encoding conversion points under CONFIG SET thresholds, the random command
//! (HRANDFIELD) checked by its properties, hashtable hashes through the `redis` crate as
//! unordered collections, and keyspace events and dirty counting through an in-process
//! executor.
//!
//! To re-check the byte expectations against a real Redis, point the tests at it:
//! `HASHES_VERIFY_ADDR=127.0.0.1:6379 cargo test --test hashes -- --test-threads=1`
//! (each raw test flushes that server first and resets the hash thresholds).

mod common;

use std::collections::{HashMap, HashSet};

use bytes::Bytes;
use common::{script, RawConn, TestServer};
use redis::Commands;
use rredis::command::Session;
use rredis::config::Config;
use rredis::protocol::OutBuf;

/// Starts our server and connects — or, with `HASHES_VERIFY_ADDR` set, connects to the
/// real Redis there (flushed, thresholds back to their defaults).
fn start() -> (TestServer, RawConn) {
    let server = TestServer::start();
    let Some(mut conn) = common::reference_conn("HASHES_VERIFY_ADDR") else {
        let conn = server.raw();
        return (server, conn);
    };
    script(
        &mut conn,
        &[
            ("CONFIG SET hash-max-listpack-entries 512", "+OK\r\n"),
            ("CONFIG SET hash-max-listpack-value 64", "+OK\r\n"),
        ],
    );
    (server, conn)
}

/// The reply to one command as text.
fn ask(conn: &mut RawConn, command: &str) -> String {
    let args: Vec<&[u8]> = command.split(' ').map(str::as_bytes).collect();
    String::from_utf8_lossy(&conn.cmd(&args)).into_owned()
}

const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const LISTPACK: &str = "$8\r\nlistpack\r\n";
const HASHTABLE: &str = "$9\r\nhashtable\r\n";

#[test]
fn hset_hget_and_insertion_order() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("HSET h f1 v1", ":1\r\n"),
            ("HSET h f2 v2 f3 v3", ":2\r\n"),
            ("HSET h f1 new f4 v4", ":1\r\n"),
            ("TYPE h", "+hash\r\n"),
            ("OBJECT ENCODING h", LISTPACK),
            ("HGETALL h", "*8\r\n$2\r\nf1\r\n$3\r\nnew\r\n$2\r\nf2\r\n$2\r\nv2\r\n$2\r\nf3\r\n$2\r\nv3\r\n$2\r\nf4\r\n$2\r\nv4\r\n"),
            ("HKEYS h", "*4\r\n$2\r\nf1\r\n$2\r\nf2\r\n$2\r\nf3\r\n$2\r\nf4\r\n"),
            ("HVALS h", "*4\r\n$3\r\nnew\r\n$2\r\nv2\r\n$2\r\nv3\r\n$2\r\nv4\r\n"),
            ("HGET h f1", "$3\r\nnew\r\n"),
            ("HGET h nosuch", "$-1\r\n"),
            ("HGET nokey f1", "$-1\r\n"),
            ("HSET dup a 1 a 2 a 3", ":1\r\n"),
            ("HGETALL dup", "*2\r\n$1\r\na\r\n$1\r\n3\r\n"),
            ("hset h f5 v5", ":1\r\n"),
            ("HLEN h", ":5\r\n"),
        ],
    );
}

#[test]
fn hset_and_hmset_arity() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            (
                "HSET h",
                "-ERR wrong number of arguments for 'hset' command\r\n",
            ),
            (
                "HSET h f",
                "-ERR wrong number of arguments for 'hset' command\r\n",
            ),
            (
                "HSET h f v g",
                "-ERR wrong number of arguments for 'hset' command\r\n",
            ),
            (
                "HMSET h f v g",
                "-ERR wrong number of arguments for 'hmset' command\r\n",
            ),
            ("SET s v", "+OK\r\n"),
            // The pair count is checked before the key's type.
            (
                "HSET s f v g",
                "-ERR wrong number of arguments for 'hset' command\r\n",
            ),
            ("EXISTS h", ":0\r\n"),
            ("HMSET h a 1 b 2", "+OK\r\n"),
            ("HMSET h a 3 c 4", "+OK\r\n"),
            (
                "HGETALL h",
                "*6\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n4\r\n",
            ),
            (
                "HGET h",
                "-ERR wrong number of arguments for 'hget' command\r\n",
            ),
            (
                "HDEL h",
                "-ERR wrong number of arguments for 'hdel' command\r\n",
            ),
            (
                "HGETALL h x",
                "-ERR wrong number of arguments for 'hgetall' command\r\n",
            ),
            (
                "HSCAN h",
                "-ERR wrong number of arguments for 'hscan' command\r\n",
            ),
            (
                "HRANDFIELD",
                "-ERR wrong number of arguments for 'hrandfield' command\r\n",
            ),
        ],
    );
}

#[test]
fn hsetnx_hmget_hexists_hstrlen() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("HSETNX h f v", ":1\r\n"),
            ("HSETNX h f other", ":0\r\n"),
            ("HGET h f", "$1\r\nv\r\n"),
            ("HSET h n -9223372036854775808 z 007", ":2\r\n"),
            (
                "HMGET h f nosuch n z",
                "*4\r\n$1\r\nv\r\n$-1\r\n$20\r\n-9223372036854775808\r\n$3\r\n007\r\n",
            ),
            ("HMGET nokey a b", "*2\r\n$-1\r\n$-1\r\n"),
            ("HEXISTS h f", ":1\r\n"),
            ("HEXISTS h nosuch", ":0\r\n"),
            ("HEXISTS nokey f", ":0\r\n"),
            ("HSTRLEN h n", ":20\r\n"),
            ("HSTRLEN h z", ":3\r\n"),
            ("HSTRLEN h nosuch", ":0\r\n"),
            ("HSTRLEN nokey f", ":0\r\n"),
            ("HLEN h", ":3\r\n"),
            ("HLEN nokey", ":0\r\n"),
            ("HGETALL nokey", "*0\r\n"),
            ("HKEYS nokey", "*0\r\n"),
            ("HVALS nokey", "*0\r\n"),
        ],
    );
}

#[test]
fn hdel_removes_fields_and_emptied_hashes() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("HSET d a 1 b 2 c 3 d 4", ":4\r\n"),
            ("HDEL d a", ":1\r\n"),
            ("HDEL d a", ":0\r\n"),
            ("HDEL d b nosuch c b", ":2\r\n"),
            ("HGETALL d", "*2\r\n$1\r\nd\r\n$1\r\n4\r\n"),
            ("EXPIRE d 100", ":1\r\n"),
            ("HDEL d d", ":1\r\n"),
            ("EXISTS d", ":0\r\n"),
            ("HDEL d d", ":0\r\n"),
            ("HSET d a 1", ":1\r\n"),
            ("TTL d", ":-1\r\n"),
            ("HDEL d a a nosuch", ":1\r\n"),
            ("HDEL nokey a", ":0\r\n"),
        ],
    );
}

#[test]
fn hincrby_values_and_errors() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("HINCRBY i f 5", ":5\r\n"),
            ("HINCRBY i f -10", ":-5\r\n"),
            ("HGET i f", "$2\r\n-5\r\n"),
            (
                "HINCRBY i g 9223372036854775807",
                ":9223372036854775807\r\n",
            ),
            (
                "HINCRBY i g 1",
                "-ERR increment or decrement would overflow\r\n",
            ),
            ("HINCRBY i g 0", ":9223372036854775807\r\n"),
            (
                "HINCRBY i m -9223372036854775808",
                ":-9223372036854775808\r\n",
            ),
            (
                "HINCRBY i m -1",
                "-ERR increment or decrement would overflow\r\n",
            ),
            (
                "HINCRBY i n 9223372036854775808",
                "-ERR value is not an integer or out of range\r\n",
            ),
            (
                "HINCRBY i n 1.5",
                "-ERR value is not an integer or out of range\r\n",
            ),
            (
                "HINCRBY i n +1",
                "-ERR value is not an integer or out of range\r\n",
            ),
            ("HEXISTS i n", ":0\r\n"),
            ("HSET i s abc t 1.5 v 007", ":3\r\n"),
            ("HINCRBY i s 1", "-ERR hash value is not an integer\r\n"),
            ("HINCRBY i t 1", "-ERR hash value is not an integer\r\n"),
            ("HINCRBY i v 1", "-ERR hash value is not an integer\r\n"),
            (
                "HINCRBY newkey f x",
                "-ERR value is not an integer or out of range\r\n",
            ),
            ("EXISTS newkey", ":0\r\n"),
        ],
    );
}

#[test]
fn hincrbyfloat_values_and_errors() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("HINCRBYFLOAT f x 10.5", "$4\r\n10.5\r\n"),
            ("HINCRBYFLOAT f x 0.1", "$4\r\n10.6\r\n"),
            ("HINCRBYFLOAT f x -5", "$3\r\n5.6\r\n"),
            (
                "HINCRBYFLOAT f x 5.0e3",
                "$22\r\n5005.60000000000000009\r\n",
            ),
            ("HINCRBYFLOAT f y 3", "$1\r\n3\r\n"),
            ("HINCRBYFLOAT f y -3", "$1\r\n0\r\n"),
            ("HINCRBYFLOAT f z 0x10", "$2\r\n16\r\n"),
            ("HINCRBYFLOAT f z inf", "-ERR value is NaN or Infinity\r\n"),
            (
                "HINCRBYFLOAT f z nan",
                "-ERR value is not a valid float\r\n",
            ),
            ("HINCRBYFLOAT f z x", "-ERR value is not a valid float\r\n"),
            (
                "HINCRBYFLOAT f z 1e5000",
                "-ERR value is not a valid float\r\n",
            ),
            ("HSET f big 1e4932 w abc i 17", ":3\r\n"),
            (
                "HINCRBYFLOAT f big 1e4932",
                "-ERR increment would produce NaN or Infinity\r\n",
            ),
            ("HINCRBYFLOAT f w 1", "-ERR hash value is not a float\r\n"),
            ("HINCRBYFLOAT f i 1.5", "$4\r\n18.5\r\n"),
            ("HINCRBYFLOAT f i 0.5", "$2\r\n19\r\n"),
            ("HINCRBY f i 1", ":20\r\n"),
            (
                "HINCRBYFLOAT newkey f inf",
                "-ERR value is NaN or Infinity\r\n",
            ),
            ("EXISTS newkey", ":0\r\n"),
            // The increment is checked before the key's type.
            ("SET s v", "+OK\r\n"),
            ("HINCRBYFLOAT s f inf", "-ERR value is NaN or Infinity\r\n"),
            ("HINCRBYFLOAT s f x", "-ERR value is not a valid float\r\n"),
            (
                "HINCRBY s f x",
                "-ERR value is not an integer or out of range\r\n",
            ),
        ],
    );
}

#[test]
fn wrongtype_everywhere() {
    let (_server, mut c) = start();
    script(&mut c, &[("SET s v", "+OK\r\n")]);
    for command in [
        "HSET s f v",
        "HSETNX s f v",
        "HMSET s f v",
        "HGET s f",
        "HMGET s f",
        "HGETALL s",
        "HKEYS s",
        "HVALS s",
        "HLEN s",
        "HEXISTS s f",
        "HDEL s f",
        "HSTRLEN s f",
        "HINCRBY s f 1",
        "HINCRBYFLOAT s f 1",
        "HRANDFIELD s",
        "HRANDFIELD s 1",
        "HRANDFIELD s -1 WITHVALUES",
        "HSCAN s 0",
        "HSCAN s 0 COUNT 0",
    ] {
        assert_eq!(ask(&mut c, command), WRONGTYPE, "command: {command}");
    }
    script(
        &mut c,
        &[
            ("GET s", "$1\r\nv\r\n"),
            ("HSET h f v", ":1\r\n"),
            ("GET h", WRONGTYPE),
            ("SADD h a", WRONGTYPE),
        ],
    );
}

#[test]
fn conversion_by_field_count() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("CONFIG SET hash-max-listpack-entries 4", "+OK\r\n"),
            ("HSET c a 1 b 2 c 3 d 4", ":4\r\n"),
            ("OBJECT ENCODING c", LISTPACK),
            ("HSET c a 5", ":0\r\n"),
            ("OBJECT ENCODING c", LISTPACK),
            ("HSET c e 5", ":1\r\n"),
            ("OBJECT ENCODING c", HASHTABLE),
            // Never converts back.
            ("HDEL c a b c d", ":4\r\n"),
            ("OBJECT ENCODING c", HASHTABLE),
            ("HGETALL c", "*2\r\n$1\r\ne\r\n$1\r\n5\r\n"),
            ("HSETNX n a 1", ":1\r\n"),
            ("HSETNX n b 1", ":1\r\n"),
            ("HSETNX n c 1", ":1\r\n"),
            ("HSETNX n d 1", ":1\r\n"),
            ("OBJECT ENCODING n", LISTPACK),
            ("HSETNX n e 1", ":1\r\n"),
            ("OBJECT ENCODING n", HASHTABLE),
            ("HINCRBY i a 1", ":1\r\n"),
            ("HINCRBY i b 1", ":1\r\n"),
            ("HINCRBY i c 1", ":1\r\n"),
            ("HINCRBYFLOAT i d 1", "$1\r\n1\r\n"),
            ("OBJECT ENCODING i", LISTPACK),
            ("HINCRBYFLOAT i e 1", "$1\r\n1\r\n"),
            ("OBJECT ENCODING i", HASHTABLE),
            ("CONFIG SET hash-max-listpack-entries 0", "+OK\r\n"),
            ("HSET z a 1", ":1\r\n"),
            ("OBJECT ENCODING z", HASHTABLE),
            ("CONFIG SET hash-max-listpack-entries 512", "+OK\r\n"),
        ],
    );
}

#[test]
fn conversion_by_value_length() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("CONFIG SET hash-max-listpack-value 4", "+OK\r\n"),
            ("HSET a abcd abcd", ":1\r\n"),
            ("OBJECT ENCODING a", LISTPACK),
            ("HSET a abcde 1", ":1\r\n"),
            ("OBJECT ENCODING a", HASHTABLE),
            ("HSET b a abcde", ":1\r\n"),
            ("OBJECT ENCODING b", HASHTABLE),
            // Integers count by their text length.
            ("HSET c a 12345", ":1\r\n"),
            ("OBJECT ENCODING c", HASHTABLE),
            // HSETNX checks lengths only when it writes.
            ("HSETNX d a 1", ":1\r\n"),
            ("HSETNX d a 22222", ":0\r\n"),
            ("OBJECT ENCODING d", LISTPACK),
            ("HSETNX d b 22222", ":1\r\n"),
            ("OBJECT ENCODING d", HASHTABLE),
            // An increment's result counts too.
            ("HSET e a 9999", ":1\r\n"),
            ("HINCRBY e a 0", ":9999\r\n"),
            ("OBJECT ENCODING e", LISTPACK),
            ("HINCRBY e a 1", ":10000\r\n"),
            ("OBJECT ENCODING e", HASHTABLE),
            ("HSET f a 1", ":1\r\n"),
            ("HINCRBYFLOAT f a 0.25", "$4\r\n1.25\r\n"),
            ("OBJECT ENCODING f", LISTPACK),
            ("HINCRBYFLOAT f a 0.125", "$5\r\n1.375\r\n"),
            ("OBJECT ENCODING f", HASHTABLE),
            ("HINCRBY g abcdef 1", ":1\r\n"),
            ("OBJECT ENCODING g", HASHTABLE),
            // Reads and deletes of long fields do not convert.
            ("HSET h a 1", ":1\r\n"),
            ("HDEL h abcdef", ":0\r\n"),
            ("HGET h abcdef", "$-1\r\n"),
            ("OBJECT ENCODING h", LISTPACK),
            ("CONFIG SET hash-max-listpack-value 0", "+OK\r\n"),
            ("CONFIG SET hash-max-listpack-value 64", "+OK\r\n"),
        ],
    );
}

#[test]
fn default_thresholds_are_512_fields_and_64_bytes() {
    let (_server, mut c) = start();
    let v64 = "x".repeat(64);
    let v65 = "x".repeat(65);
    script(
        &mut c,
        &[
            (&format!("HSET a f {v64}"), ":1\r\n"),
            ("OBJECT ENCODING a", LISTPACK),
            (&format!("HSET a {v64} v"), ":1\r\n"),
            ("OBJECT ENCODING a", LISTPACK),
            (&format!("HSET a g {v65}"), ":1\r\n"),
            ("OBJECT ENCODING a", HASHTABLE),
            (&format!("HSET b {v65} v"), ":1\r\n"),
            ("OBJECT ENCODING b", HASHTABLE),
        ],
    );
    for i in 0..512 {
        let field = format!("f{i}");
        c.send_cmd(&[b"HSET", b"big", field.as_bytes(), b"v"]);
    }
    for _ in 0..512 {
        assert_eq!(c.read_reply(), b":1\r\n");
    }
    script(
        &mut c,
        &[
            ("OBJECT ENCODING big", LISTPACK),
            ("HLEN big", ":512\r\n"),
            ("HSET big f0 w", ":0\r\n"),
            ("OBJECT ENCODING big", LISTPACK),
            ("HSET big f512 v", ":1\r\n"),
            ("OBJECT ENCODING big", HASHTABLE),
            ("HLEN big", ":513\r\n"),
            ("HGET big f0", "$1\r\nw\r\n"),
        ],
    );
}

#[test]
fn binary_and_empty_fields_and_values() {
    let (_server, mut c) = start();
    let cases: &[(&[&[u8]], &[u8])] = &[
        (
            &[b"HSET", b"b", b"\x00\r\n", b"\xff\x00", b"a\x00b", b""],
            b":2\r\n",
        ),
        (&[b"HGET", b"b", b"\x00\r\n"], b"$2\r\n\xff\x00\r\n"),
        (&[b"HGET", b"b", b"a\x00b"], b"$0\r\n\r\n"),
        (&[b"HGET", b"b", b"a"], b"$-1\r\n"),
        (&[b"HSTRLEN", b"b", b"\x00\r\n"], b":2\r\n"),
        (&[b"HEXISTS", b"b", b"a\x00b"], b":1\r\n"),
        (
            &[b"HGETALL", b"b"],
            b"*4\r\n$3\r\n\x00\r\n\r\n$2\r\n\xff\x00\r\n$3\r\na\x00b\r\n$0\r\n\r\n",
        ),
        (&[b"HSET", b"", b"", b""], b":1\r\n"),
        (&[b"HGETALL", b""], b"*2\r\n$0\r\n\r\n$0\r\n\r\n"),
        (&[b"OBJECT", b"ENCODING", b""], b"$8\r\nlistpack\r\n"),
        (&[b"HDEL", b"", b""], b":1\r\n"),
        (&[b"EXISTS", b""], b":0\r\n"),
        (&[b"HSET", b"\x00k\r\n", b"f", b"v"], b":1\r\n"),
        (&[b"HKEYS", b"\x00k\r\n"], b"*1\r\n$1\r\nf\r\n"),
        (
            &[b"HSCAN", b"b", b"0", b"MATCH", b"a\x00*"],
            b"*2\r\n$1\r\n0\r\n*2\r\n$3\r\na\x00b\r\n$0\r\n\r\n",
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(
            String::from_utf8_lossy(&c.cmd(args)),
            String::from_utf8_lossy(expected),
            "command: {args:?}"
        );
    }
}

#[test]
fn hrandfield_errors_and_whole_hash_replies() {
    let (_server, mut c) = start();
    let range = "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n";
    script(
        &mut c,
        &[
            ("HSET r a 1 b 2 c 3", ":3\r\n"),
            ("HRANDFIELD r 3", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
            (
                "HRANDFIELD r 100 WITHVALUES",
                "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
            ),
            (
                "HRANDFIELD r 9223372036854775807",
                "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
            ),
            ("HRANDFIELD r 0", "*0\r\n"),
            ("HRANDFIELD r 0 WITHVALUES", "*0\r\n"),
            ("HRANDFIELD r -9223372036854775808", range),
            ("HRANDFIELD r -9223372036854775808 WITHVALUES", range),
            (
                "HRANDFIELD r 9223372036854775808",
                "-ERR value is not an integer or out of range\r\n",
            ),
            (
                "HRANDFIELD r 4611686018427387903 WITHVALUES",
                "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
            ),
            (
                "HRANDFIELD r 4611686018427387904 WITHVALUES",
                "-ERR value is out of range\r\n",
            ),
            (
                "HRANDFIELD r -4611686018427387904 WITHVALUES",
                "-ERR value is out of range\r\n",
            ),
            (
                "HRANDFIELD r -9223372036854775807 WITHVALUES",
                "-ERR value is out of range\r\n",
            ),
            (
                "HRANDFIELD r x",
                "-ERR value is not an integer or out of range\r\n",
            ),
            ("HRANDFIELD r 1 WITHVALUE", "-ERR syntax error\r\n"),
            ("HRANDFIELD r 1 WITHVALUES x", "-ERR syntax error\r\n"),
            (
                "HRANDFIELD r x WITHVALUES",
                "-ERR value is not an integer or out of range\r\n",
            ),
            ("HRANDFIELD nokey", "$-1\r\n"),
            ("HRANDFIELD nokey 5", "*0\r\n"),
            ("HRANDFIELD nokey -5 WITHVALUES", "*0\r\n"),
            ("HRANDFIELD nokey 1 y", "-ERR syntax error\r\n"),
            ("HSET one f v", ":1\r\n"),
            ("HRANDFIELD one", "$1\r\nf\r\n"),
            (
                "HRANDFIELD one -3",
                "*3\r\n$1\r\nf\r\n$1\r\nf\r\n$1\r\nf\r\n",
            ),
            (
                "HRANDFIELD one -2 WITHVALUES",
                "*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n",
            ),
            (
                "HRANDFIELD one 1 withvalues",
                "*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
            ),
        ],
    );
}

/// Parses a flat RESP2 array of bulk strings (no nulls) into its elements.
fn bulks(reply: &[u8]) -> Vec<Vec<u8>> {
    let text = reply;
    let mut lines = text
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let header = lines.next().expect("header");
    assert_eq!(
        header[0],
        b'*',
        "not an array: {:?}",
        String::from_utf8_lossy(reply)
    );
    let n: usize = std::str::from_utf8(&header[1..])
        .expect("len")
        .parse()
        .expect("len");
    (0..n)
        .map(|_| {
            let len = lines.next().expect("bulk header");
            assert_eq!(len[0], b'$');
            lines.next().expect("bulk").to_vec()
        })
        .collect()
}

#[test]
fn hrandfield_random_picks_have_the_right_shape() {
    let server = TestServer::start();
    let mut c = server.raw();
    for (key, entries) in [("small", "4"), ("table", "0")] {
        assert_eq!(
            ask(
                &mut c,
                &format!("CONFIG SET hash-max-listpack-entries {entries}")
            ),
            "+OK\r\n"
        );
        let fields: Vec<String> = (0..10).map(|i| format!("f{i}")).collect();
        for f in &fields {
            assert_eq!(ask(&mut c, &format!("HSET {key} {f} v{f}")), ":1\r\n");
        }
        let all: HashSet<Vec<u8>> = fields.iter().map(|f| f.as_bytes().to_vec()).collect();
        for count in [1usize, 2, 3, 5, 9] {
            let picked =
                bulks(&c.cmd(&[b"HRANDFIELD", key.as_bytes(), count.to_string().as_bytes()]));
            assert_eq!(picked.len(), count);
            let distinct: HashSet<Vec<u8>> = picked.iter().cloned().collect();
            assert_eq!(distinct.len(), count, "distinct picks for {count}");
            assert!(distinct.is_subset(&all));
            let pairs = bulks(&c.cmd(&[
                b"HRANDFIELD",
                key.as_bytes(),
                count.to_string().as_bytes(),
                b"WITHVALUES",
            ]));
            assert_eq!(pairs.len(), 2 * count);
            for pair in pairs.chunks(2) {
                assert_eq!(pair[1], [b"v".as_slice(), &pair[0]].concat());
            }
        }
        let repeats = bulks(&c.cmd(&[b"HRANDFIELD", key.as_bytes(), b"-200"]));
        assert_eq!(repeats.len(), 200);
        let seen: HashSet<Vec<u8>> = repeats.into_iter().collect();
        assert!(seen.is_subset(&all));
        assert!(
            seen.len() > 1,
            "200 independent picks of 10 fields were all equal"
        );
        let one = c.cmd(&[b"HRANDFIELD", key.as_bytes()]);
        assert_eq!(one[0], b'$');
    }
    assert_eq!(ask(&mut c, "OBJECT ENCODING small"), HASHTABLE);
}

#[test]
fn resp3_replies() {
    let (_server, mut c) = start();
    assert!(ask(&mut c, "HELLO 3").starts_with('%'));
    script(
        &mut c,
        &[
            ("HSET h a 1 b x", ":2\r\n"),
            (
                "HGETALL h",
                "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\nx\r\n",
            ),
            ("HGETALL nokey", "%0\r\n"),
            ("HKEYS nokey", "*0\r\n"),
            ("HGET h nosuch", "_\r\n"),
            ("HMGET h a nosuch", "*2\r\n$1\r\n1\r\n_\r\n"),
            ("HRANDFIELD nokey", "_\r\n"),
            ("HRANDFIELD nokey 3 WITHVALUES", "*0\r\n"),
            (
                "HRANDFIELD h 10 WITHVALUES",
                "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\nx\r\n",
            ),
            ("HRANDFIELD h 10", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
            ("HDEL h b", ":1\r\n"),
            (
                "HRANDFIELD h -2 WITHVALUES",
                "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
            ),
            (
                "HRANDFIELD h 1 WITHVALUES",
                "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
            ),
            ("HINCRBYFLOAT h a 1.5", "$3\r\n2.5\r\n"),
            (
                "HSCAN h 0",
                "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$3\r\n2.5\r\n",
            ),
        ],
    );
}

#[test]
fn hscan_listpack_options_and_errors() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("HSET sc a 1 b 2 ab 4 15 6", ":4\r\n"),
            ("HSCAN sc 0", "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n4\r\n$2\r\n15\r\n$1\r\n6\r\n"),
            // A listpack is returned whole whatever the cursor and count.
            ("HSCAN sc 7 COUNT 1 MATCH a*", "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n4\r\n"),
            ("HSCAN sc 0 MATCH 1*", "*2\r\n$1\r\n0\r\n*2\r\n$2\r\n15\r\n$1\r\n6\r\n"),
            ("HSCAN sc 0 MATCH a MATCH b", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
            ("HSCAN sc 0 COUNT 0", "-ERR syntax error\r\n"),
            ("HSCAN sc 0 COUNT -1", "-ERR syntax error\r\n"),
            ("HSCAN sc 0 COUNT x", "-ERR value is not an integer or out of range\r\n"),
            ("HSCAN sc 0 MATCH", "-ERR syntax error\r\n"),
            ("HSCAN sc 0 TYPE string", "-ERR syntax error\r\n"),
            ("HSCAN sc x", "-ERR invalid cursor\r\n"),
            ("HSCAN sc 18446744073709551616", "-ERR invalid cursor\r\n"),
            ("HSCAN nokey 0", "*2\r\n$1\r\n0\r\n*0\r\n"),
            // Options are not looked at for a missing key; the cursor is.
            ("HSCAN nokey 0 COUNT 0", "*2\r\n$1\r\n0\r\n*0\r\n"),
            ("HSCAN nokey x", "-ERR invalid cursor\r\n"),
        ],
    );
}

#[test]
fn hscan_walks_a_table_to_the_end() {
    let server = TestServer::start();
    let mut con = server.client();
    let mut expected = HashMap::new();
    for i in 0..2000 {
        expected.insert(format!("field:{i}"), format!("value:{i}"));
    }
    let pairs: Vec<(&String, &String)> = expected.iter().collect();
    let _: () = con.hset_multiple("t", &pairs).expect("hset");
    let enc: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg("t")
        .query(&mut con)
        .expect("enc");
    assert_eq!(enc, "hashtable");
    let got: HashMap<String, String> = con.hgetall("t").expect("hgetall");
    assert_eq!(got, expected);
    let scanned: HashMap<String, String> = con
        .hscan::<_, (String, String)>("t")
        .expect("hscan")
        .collect();
    assert_eq!(scanned, expected);
    let matched: HashSet<String> = con
        .hscan_match::<_, _, (String, String)>("t", "field:1?")
        .expect("hscan match")
        .map(|(f, _)| f)
        .collect();
    assert_eq!(matched, (10..20).map(|i| format!("field:{i}")).collect());
    // A small COUNT still makes progress and ends at cursor 0.
    let mut cursor = 0u64;
    let mut seen = HashSet::new();
    loop {
        let (next, items): (u64, Vec<String>) = redis::cmd("HSCAN")
            .arg("t")
            .arg(cursor)
            .arg("COUNT")
            .arg(1)
            .query(&mut con)
            .expect("hscan step");
        seen.extend(items.chunks(2).map(|p| p[0].clone()));
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(seen.len(), 2000);
    let n: usize = con.hlen("t").expect("hlen");
    assert_eq!(n, 2000);
    let fields: Vec<String> = expected.keys().cloned().collect();
    let removed: usize = con.hdel("t", &fields).expect("hdel");
    assert_eq!(removed, 2000);
    let exists: bool = con.exists("t").expect("exists");
    assert!(!exists);
}

#[test]
fn redis_crate_round_trips() {
    let server = TestServer::start();
    let mut con = server.client();
    let _: () = con.hset("h", "f", 1).expect("hset");
    let v: i64 = con.hincr("h", "f", 41).expect("hincrby");
    assert_eq!(v, 42);
    let v: f64 = con.hincr("h", "g", 1.5).expect("hincrbyfloat");
    assert_eq!(v, 1.5);
    let got: Vec<Option<String>> = con.hget("h", &["f", "x", "g"]).expect("hmget");
    assert_eq!(got, vec![Some("42".into()), None, Some("1.5".into())]);
    let set: bool = con.hset_nx("h", "f", 0).expect("hsetnx");
    assert!(!set);
    let exists: bool = con.hexists("h", "g").expect("hexists");
    assert!(exists);
    let keys: Vec<String> = con.hkeys("h").expect("hkeys");
    assert_eq!(keys, vec!["f", "g"]);
    let vals: Vec<String> = con.hvals("h").expect("hvals");
    assert_eq!(vals, vec!["42", "1.5"]);
    let err = con
        .hincr::<_, _, _, i64>("h", "g", 1)
        .expect_err("not an integer");
    assert!(
        err.to_string().contains("hash value is not an integer"),
        "{err}"
    );
    let err = con.get::<_, String>("h").expect_err("wrongtype");
    assert!(err.to_string().contains("WRONGTYPE"), "{err}");
}

#[test]
fn huge_counts_and_keys_are_handled() {
    let (_server, mut c) = start();
    let long = "y".repeat(100_000);
    script(
        &mut c,
        &[
            (&format!("HSET l {long} {long}"), ":1\r\n"),
            ("OBJECT ENCODING l", HASHTABLE),
            (&format!("HSTRLEN l {long}"), ":100000\r\n"),
            ("HSET m a 1", ":1\r\n"),
            (
                "HRANDFIELD m 9223372036854775807 WITHVALUES",
                "-ERR value is out of range\r\n",
            ),
            (
                "HRANDFIELD m -1000",
                &"$1\r\na\r\n".repeat(1000).replacen("$1", "*1000\r\n$1", 1),
            ),
            (
                "HSCAN m 0 COUNT 9223372036854775807",
                "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
            ),
            (
                "HSCAN m -1",
                "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
            ),
        ],
    );
}

/// Runs commands on an in-process executor with every keyspace event enabled and returns
/// the (event, key) pairs each one fired and the dirty counter's growth.
fn events(commands: &[&str]) -> Vec<(Vec<(String, String)>, u64)> {
    let config = Config {
        notify_keyspace_events: rredis::command::state::notify::parse_flags("KEA").expect("flags"),
        ..Config::default()
    };
    let mut exec = rredis::command::registry::executor(config);
    let mut session = Session::new(1, "test".into(), "test".into(), 0);
    let mut out = OutBuf::new();
    commands
        .iter()
        .map(|line| {
            let args: Vec<Bytes> = line
                .split(' ')
                .map(|a| Bytes::copy_from_slice(a.as_bytes()))
                .collect();
            let dirty = exec.dirty();
            exec.execute(&mut session, &args, &mut out);
            let fired = exec
                .take_keyspace_events()
                .into_iter()
                .map(|e| {
                    (
                        e.event.to_string(),
                        String::from_utf8_lossy(&e.key).into_owned(),
                    )
                })
                .collect();
            (fired, exec.dirty() - dirty)
        })
        .collect()
}

#[test]
fn keyspace_events_and_dirty() {
    let ev = |name: &str, key: &str| vec![(name.to_string(), key.to_string())];
    let none: Vec<(String, String)> = Vec::new();
    let got = events(&[
        "HSET h a 1 b 2",
        "HSET h a 1",
        "HMSET h c 3",
        "HSETNX h a 1",
        "HSETNX h d 4",
        "HINCRBY h e 1",
        "HINCRBYFLOAT h e 1.5",
        "HINCRBY h e 1",
        "HINCRBYFLOAT h x inf",
        "HDEL h nosuch",
        "HDEL h a b",
        "HDEL h c d e",
        "HDEL h x",
        "HGET h a",
        "SET s v",
        "HSET s a 1",
    ]);
    let expected = vec![
        (ev("hset", "h"), 2),
        (ev("hset", "h"), 1),
        (ev("hset", "h"), 1),
        (none.clone(), 0),
        (ev("hset", "h"), 1),
        (ev("hincrby", "h"), 1),
        (ev("hincrbyfloat", "h"), 1),
        (none.clone(), 0),
        (none.clone(), 0),
        (none.clone(), 0),
        (ev("hdel", "h"), 2),
        ([ev("hdel", "h"), ev("del", "h")].concat(), 3),
        (none.clone(), 0),
        (none.clone(), 0),
        (ev("set", "s"), 1),
        (none, 0),
    ];
    assert_eq!(got, expected);
}
