//! The set family end to end: every command, option and error through raw sockets with
//! the exact bytes a real Redis 7.0.15 sends (each expectation was checked against one),
//! the random commands (SPOP, SRANDMEMBER) checked by their properties, hashtable sets
//! through the `redis` crate as unordered collections, and keyspace events and dirty
//! tracking through an in-process executor.
//!
//! To re-check the byte expectations against a real Redis, point the tests at it:
//! `SETS_VERIFY_ADDR=127.0.0.1:6379 cargo test --test sets -- --test-threads=1`
//! (each raw test flushes that server first).

mod common;

use std::collections::{HashMap, HashSet};

use bytes::Bytes;
use common::{script, RawConn, TestServer};
use redis::Commands;
use rredis::command::Session;
use rredis::config::Config;
use rredis::protocol::OutBuf;

/// Starts our server with `extra` directives and connects — or, with `SETS_VERIFY_ADDR`
/// set, connects to the real Redis there (flushed, `set-max-intset-entries` reset).
fn start(extra: &[&str]) -> (TestServer, RawConn) {
    let server = TestServer::start_with(extra);
    let Some(mut conn) = common::reference_conn("SETS_VERIFY_ADDR") else {
        let conn = server.raw();
        return (server, conn);
    };
    let max = extra
        .chunks(2)
        .find(|p| p[0] == "--set-max-intset-entries")
        .map_or("512", |p| p[1]);
    let reply = conn.cmd(&[b"CONFIG", b"SET", b"set-max-intset-entries", max.as_bytes()]);
    assert_eq!(reply, b"+OK\r\n");
    (server, conn)
}

const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

#[test]
fn sadd_srem_and_intset_order() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SADD s 3 1 2", ":3\r\n"),
            ("SADD s 2 3 4", ":1\r\n"),
            ("TYPE s", "+set\r\n"),
            ("OBJECT ENCODING s", "$6\r\nintset\r\n"),
            ("SMEMBERS s", "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"),
            ("SADD s -9223372036854775808 9223372036854775807", ":2\r\n"),
            ("SMEMBERS s", "*6\r\n$20\r\n-9223372036854775808\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$19\r\n9223372036854775807\r\n"),
            ("SCARD s", ":6\r\n"),
            ("SREM s 9 1 1", ":1\r\n"),
            ("SREM s -9223372036854775808 9223372036854775807 2 3 4", ":5\r\n"),
            ("EXISTS s", ":0\r\n"),
            ("SREM s 1", ":0\r\n"),
            ("SCARD s", ":0\r\n"),
            ("SMEMBERS s", "*0\r\n"),
            ("SADD s", "-ERR wrong number of arguments for 'sadd' command\r\n"),
            ("SREM s", "-ERR wrong number of arguments for 'srem' command\r\n"),
        ],
    );
}

#[test]
fn encodings_follow_string2ll_and_the_threshold() {
    let (_server, mut c) = start(&["--set-max-intset-entries", "3"]);
    script(
        &mut c,
        &[
            ("SADD a 1 2 3", ":3\r\n"),
            ("OBJECT ENCODING a", "$6\r\nintset\r\n"),
            ("SADD a 4", ":1\r\n"),
            ("OBJECT ENCODING a", "$9\r\nhashtable\r\n"),
            ("SREM a 1 2 3", ":3\r\n"),
            ("OBJECT ENCODING a", "$9\r\nhashtable\r\n"),
            ("SADD b 01", ":1\r\n"),
            ("OBJECT ENCODING b", "$9\r\nhashtable\r\n"),
            ("SADD c -0", ":1\r\n"),
            ("OBJECT ENCODING c", "$9\r\nhashtable\r\n"),
            ("SADD d 9223372036854775808", ":1\r\n"),
            ("OBJECT ENCODING d", "$9\r\nhashtable\r\n"),
            ("SADD e -1", ":1\r\n"),
            ("OBJECT ENCODING e", "$6\r\nintset\r\n"),
            ("SADD e x", ":1\r\n"),
            ("OBJECT ENCODING e", "$9\r\nhashtable\r\n"),
            ("SISMEMBER e -1", ":1\r\n"),
            ("CONFIG SET set-max-intset-entries 0", "+OK\r\n"),
            ("SADD f 1", ":1\r\n"),
            ("OBJECT ENCODING f", "$9\r\nhashtable\r\n"),
        ],
    );
}

#[test]
fn membership_and_cardinality() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SADD s 1 2 a", ":3\r\n"),
            ("SISMEMBER s 1", ":1\r\n"),
            ("SISMEMBER s 01", ":0\r\n"),
            ("SISMEMBER s a", ":1\r\n"),
            ("SISMEMBER s b", ":0\r\n"),
            ("SISMEMBER nosuch a", ":0\r\n"),
            ("SMISMEMBER s 1 b a 2", "*4\r\n:1\r\n:0\r\n:1\r\n:1\r\n"),
            ("SMISMEMBER nosuch a b", "*2\r\n:0\r\n:0\r\n"),
            ("SCARD s", ":3\r\n"),
            ("SCARD nosuch", ":0\r\n"),
            (
                "SISMEMBER s",
                "-ERR wrong number of arguments for 'sismember' command\r\n",
            ),
            (
                "SMISMEMBER s",
                "-ERR wrong number of arguments for 'smismember' command\r\n",
            ),
        ],
    );
    // Binary and empty members.
    assert_eq!(
        c.cmd(&[b"SADD", b"bin", b"", b"\x00\r\n", b"\xff"]),
        b":3\r\n"
    );
    assert_eq!(c.cmd(&[b"SISMEMBER", b"bin", b""]), b":1\r\n");
    assert_eq!(c.cmd(&[b"SISMEMBER", b"bin", b"\x00\r\n"]), b":1\r\n");
    assert_eq!(
        c.cmd(&[b"SREM", b"bin", b"", b"\x00\r\n", b"\xff"]),
        b":3\r\n"
    );
    assert_eq!(c.cmd(&[b"EXISTS", b"bin"]), b":0\r\n");
}

#[test]
fn every_command_checks_the_type() {
    let (_server, mut c) = start(&[]);
    assert_eq!(c.cmd(&[b"SET", b"str", b"v"]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"SADD", b"s", b"1"]), b":1\r\n");
    let wrongtype: &[&[&[u8]]] = &[
        &[b"SADD", b"str", b"a"],
        &[b"SREM", b"str", b"a"],
        &[b"SMEMBERS", b"str"],
        &[b"SISMEMBER", b"str", b"a"],
        &[b"SMISMEMBER", b"str", b"a"],
        &[b"SCARD", b"str"],
        &[b"SPOP", b"str"],
        &[b"SPOP", b"str", b"0"],
        &[b"SRANDMEMBER", b"str"],
        &[b"SRANDMEMBER", b"str", b"0"],
        &[b"SMOVE", b"str", b"s", b"a"],
        &[b"SMOVE", b"s", b"str", b"a"],
        &[b"SMOVE", b"s", b"str", b"1"],
        // Every key is type-checked before a missing one makes the result empty.
        &[b"SINTER", b"nosuch", b"str"],
        &[b"SINTER", b"str", b"nosuch"],
        &[b"SINTERCARD", b"2", b"nosuch", b"str"],
        &[b"SINTERSTORE", b"d", b"nosuch", b"str"],
        &[b"SUNION", b"s", b"str"],
        &[b"SUNIONSTORE", b"d", b"str"],
        &[b"SDIFF", b"nosuch", b"str"],
        &[b"SDIFFSTORE", b"d", b"s", b"str"],
        &[b"SSCAN", b"str", b"0"],
    ];
    for args in wrongtype {
        assert_eq!(String::from_utf8_lossy(&c.cmd(args)), WRONGTYPE, "{args:?}");
    }
    // A missing source makes SMOVE answer 0 before the destination's type is looked at.
    assert_eq!(c.cmd(&[b"SMOVE", b"nosuch", b"str", b"a"]), b":0\r\n");
    assert_eq!(c.cmd(&[b"EXISTS", b"d"]), b":0\r\n");
}

#[test]
fn spop_and_srandmember_errors_and_edges() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SADD s 1 2 3", ":3\r\n"),
            ("SPOP s -1", "-ERR value is out of range, must be positive\r\n"),
            ("SPOP s x", "-ERR value is out of range, must be positive\r\n"),
            ("SPOP s 1 2", "-ERR syntax error\r\n"),
            ("SPOP s 0", "*0\r\n"),
            ("SPOP nosuch", "$-1\r\n"),
            ("SPOP nosuch 0", "*0\r\n"),
            ("SPOP nosuch 3", "*0\r\n"),
            ("SRANDMEMBER s -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"),
            ("SRANDMEMBER s x", "-ERR value is not an integer or out of range\r\n"),
            ("SRANDMEMBER s 1 2", "-ERR syntax error\r\n"),
            ("SRANDMEMBER s 0", "*0\r\n"),
            ("SRANDMEMBER nosuch", "$-1\r\n"),
            ("SRANDMEMBER nosuch 5", "*0\r\n"),
            ("SRANDMEMBER nosuch -5", "*0\r\n"),
            ("SRANDMEMBER s 3", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
            ("SRANDMEMBER s 9223372036854775807", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
            ("SPOP s 3", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
            ("EXISTS s", ":0\r\n"),
            ("SADD one x", ":1\r\n"),
            ("SRANDMEMBER one -3", "*3\r\n$1\r\nx\r\n$1\r\nx\r\n$1\r\nx\r\n"),
            ("SPOP one", "$1\r\nx\r\n"),
            ("EXISTS one", ":0\r\n"),
        ],
    );
}

/// A set of `n` members named `m<i>` (a hashtable) through the redis crate.
fn fill(con: &mut redis::Connection, key: &str, n: usize) -> HashSet<String> {
    let members: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
    for chunk in members.chunks(1000) {
        let _: i64 = con.sadd(key, chunk).expect("sadd");
    }
    members.into_iter().collect()
}

#[test]
fn spop_removes_distinct_members_of_the_set() {
    let server = TestServer::start();
    let mut con = server.client();
    for (key, ints) in [("t", false), ("i", true)] {
        let all: HashSet<String> = if ints {
            let members: Vec<i64> = (0..300).collect();
            let _: i64 = con.sadd(key, &members).expect("sadd");
            members.iter().map(i64::to_string).collect()
        } else {
            fill(&mut con, key, 300)
        };
        let mut popped = HashSet::new();
        let first: Vec<String> = con.spop(key).map(|m: String| vec![m]).expect("spop");
        let more: Vec<String> = redis::cmd("SPOP")
            .arg(key)
            .arg(10)
            .query(&mut con)
            .expect("spop 10");
        let big: Vec<String> = redis::cmd("SPOP")
            .arg(key)
            .arg(200)
            .query(&mut con)
            .expect("spop 200");
        assert_eq!((more.len(), big.len()), (10, 200));
        for m in first.into_iter().chain(more).chain(big) {
            assert!(all.contains(&m), "{m} was never added");
            assert!(popped.insert(m), "popped twice");
        }
        let left: HashSet<String> = con.smembers(key).expect("smembers");
        assert_eq!(left.len(), 89);
        assert!(left.is_disjoint(&popped));
        assert_eq!(&left | &popped, all);
        let rest: Vec<String> = redis::cmd("SPOP")
            .arg(key)
            .arg(1000)
            .query(&mut con)
            .expect("rest");
        assert_eq!(rest.into_iter().collect::<HashSet<_>>(), left);
        assert!(!con.exists::<_, bool>(key).expect("exists"));
    }
}

#[test]
fn spop_of_most_of_a_set_keeps_the_rest_intact() {
    let server = TestServer::start();
    let mut con = server.client();
    let ints: Vec<i64> = (0..300).collect();
    let _: i64 = con.sadd("i", &ints).expect("sadd");
    let words = fill(&mut con, "t", 300);
    // Integers past the intset limit: a hashtable, whose survivors become an intset again.
    let big: Vec<i64> = (0..600).collect();
    let _: i64 = con.sadd("big", &big).expect("sadd");
    for (key, encoding, all) in [
        (
            "i",
            "intset",
            ints.iter().map(i64::to_string).collect::<HashSet<_>>(),
        ),
        ("t", "hashtable", words),
        (
            "big",
            "intset",
            big.iter().map(i64::to_string).collect::<HashSet<_>>(),
        ),
    ] {
        let count = all.len() - 10;
        let popped: Vec<String> = redis::cmd("SPOP")
            .arg(key)
            .arg(count)
            .query(&mut con)
            .expect("spop");
        let popped_set: HashSet<String> = popped.iter().cloned().collect();
        assert_eq!((popped.len(), popped_set.len()), (count, count));
        let left: HashSet<String> = con.smembers(key).expect("smembers");
        assert_eq!(left.len(), 10);
        assert!(left.is_disjoint(&popped_set));
        assert_eq!(&left | &popped_set, all);
        let enc: String = redis::cmd("OBJECT")
            .arg("ENCODING")
            .arg(key)
            .query(&mut con)
            .expect("enc");
        assert_eq!(enc, encoding);
    }
}

#[test]
fn srandmember_picks_members_without_removing_them() {
    let server = TestServer::start();
    let mut con = server.client();
    for key in ["t", "i"] {
        let all: HashSet<String> = if key == "i" {
            let members: Vec<i64> = (0..100).collect();
            let _: i64 = con.sadd(key, &members).expect("sadd");
            members.iter().map(i64::to_string).collect()
        } else {
            fill(&mut con, key, 100)
        };
        // Positive counts: distinct members, both below and above a third of the set.
        for count in [1usize, 10, 40, 99] {
            let got: Vec<String> = redis::cmd("SRANDMEMBER")
                .arg(key)
                .arg(count)
                .query(&mut con)
                .expect("srand");
            let distinct: HashSet<&String> = got.iter().collect();
            assert_eq!((got.len(), distinct.len()), (count, count), "count {count}");
            assert!(got.iter().all(|m| all.contains(m)));
        }
        // Negative counts: exactly |count| picks, repeats allowed, all members.
        let got: Vec<String> = redis::cmd("SRANDMEMBER")
            .arg(key)
            .arg(-2000)
            .query(&mut con)
            .expect("srand");
        assert_eq!(got.len(), 2000);
        assert!(got.iter().all(|m| all.contains(m)));
        let seen: HashSet<&String> = got.iter().collect();
        assert!(
            seen.len() > 80,
            "2000 picks of 100 members saw only {}",
            seen.len()
        );
        // Single picks spread over the set too.
        let mut counts: HashMap<String, usize> = HashMap::new();
        for _ in 0..500 {
            let m: String = con.srandmember(key).expect("srand");
            *counts.entry(m).or_default() += 1;
        }
        assert!(
            counts.len() > 80,
            "500 single picks saw only {} members",
            counts.len()
        );
        assert_eq!(con.scard::<_, usize>(key).expect("scard"), 100);
    }
}

#[test]
fn smove_moves_and_cleans_up() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SADD src 1 2", ":2\r\n"),
            ("SMOVE src dst 1", ":1\r\n"),
            ("SMEMBERS src", "*1\r\n$1\r\n2\r\n"),
            ("SMEMBERS dst", "*1\r\n$1\r\n1\r\n"),
            ("OBJECT ENCODING dst", "$6\r\nintset\r\n"),
            ("SMOVE src dst 9", ":0\r\n"),
            ("SADD dst 2", ":1\r\n"),
            ("SMOVE src dst 2", ":1\r\n"),
            ("EXISTS src", ":0\r\n"),
            ("SMEMBERS dst", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
            ("SMOVE dst dst 1", ":1\r\n"),
            ("SMOVE dst dst 9", ":0\r\n"),
            ("SMOVE nosuch dst 1", ":0\r\n"),
            ("SADD t a", ":1\r\n"),
            ("SMOVE t newdst a", ":1\r\n"),
            ("OBJECT ENCODING newdst", "$9\r\nhashtable\r\n"),
            ("SMOVE dst newdst 1", ":1\r\n"),
            ("SISMEMBER newdst 1", ":1\r\n"),
            (
                "SMOVE a b",
                "-ERR wrong number of arguments for 'smove' command\r\n",
            ),
        ],
    );
}

#[test]
fn intersections_unions_and_differences() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SADD a 1 2 3 4 5", ":5\r\n"),
            ("SADD b 2 3 4 9", ":4\r\n"),
            ("SADD c 3 4 5", ":3\r\n"),
            ("SINTER a b c", "*2\r\n$1\r\n3\r\n$1\r\n4\r\n"),
            ("SINTER a nosuch", "*0\r\n"),
            ("SINTERCARD 2 a b", ":3\r\n"),
            ("SINTERCARD 2 a b LIMIT 2", ":2\r\n"),
            ("SINTERCARD 2 a b LIMIT 0", ":3\r\n"),
            ("SINTERCARD 2 a b limit 1 LIMIT 9", ":3\r\n"),
            (
                "SINTERCARD 0 a",
                "-ERR numkeys should be greater than 0\r\n",
            ),
            (
                "SINTERCARD x a",
                "-ERR numkeys should be greater than 0\r\n",
            ),
            (
                "SINTERCARD 3 a b",
                "-ERR Number of keys can't be greater than number of args\r\n",
            ),
            (
                "SINTERCARD 2 a b LIMIT -1",
                "-ERR LIMIT can't be negative\r\n",
            ),
            (
                "SINTERCARD 2 a b LIMIT x",
                "-ERR LIMIT can't be negative\r\n",
            ),
            ("SINTERCARD 2 a b LIMIT", "-ERR syntax error\r\n"),
            ("SINTERCARD 1 a b", "-ERR syntax error\r\n"),
            ("SINTERSTORE d a b", ":3\r\n"),
            ("SMEMBERS d", "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"),
            ("SINTERSTORE d a nosuch", ":0\r\n"),
            ("EXISTS d", ":0\r\n"),
            (
                "SUNION a b",
                "*6\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n9\r\n",
            ),
            ("SUNIONSTORE d nosuch", ":0\r\n"),
            ("SUNIONSTORE d c nosuch", ":3\r\n"),
            ("SDIFF a b c", "*1\r\n$1\r\n1\r\n"),
            ("SDIFF a a", "*0\r\n"),
            ("SDIFF nosuch a", "*0\r\n"),
            ("SDIFFSTORE d a b", ":2\r\n"),
            ("SMEMBERS d", "*2\r\n$1\r\n1\r\n$1\r\n5\r\n"),
            ("SDIFFSTORE d a a", ":0\r\n"),
            ("EXISTS d", ":0\r\n"),
        ],
    );
    // A store replaces any type and drops the TTL.
    script(
        &mut c,
        &[
            ("SET d x", "+OK\r\n"),
            ("EXPIRE d 100", ":1\r\n"),
            ("SUNIONSTORE d a", ":5\r\n"),
            ("TYPE d", "+set\r\n"),
            ("TTL d", ":-1\r\n"),
            ("SINTERSTORE a a c", ":3\r\n"),
            ("SMEMBERS a", "*3\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n"),
        ],
    );
}

#[test]
fn hashtable_set_algebra_matches_std() {
    let server = TestServer::start();
    let mut con = server.client();
    let a: HashSet<String> = (0..2000).map(|i| format!("x{}", i * 3)).collect();
    let b: HashSet<String> = (0..2000).map(|i| format!("x{}", i * 2)).collect();
    let c: HashSet<String> = (0..700)
        .map(|i| i.to_string())
        .chain(["x6".to_string()])
        .collect();
    for (key, set) in [("a", &a), ("b", &b), ("c", &c)] {
        let members: Vec<&String> = set.iter().collect();
        let _: i64 = con.sadd(key, members).expect("sadd");
    }
    let inter: HashSet<String> = con.sinter(&["a", "b"]).expect("sinter");
    assert_eq!(inter, &a & &b);
    let inter3: HashSet<String> = con.sinter(&["a", "b", "c"]).expect("sinter");
    assert_eq!(inter3, ["x6".to_string()].into_iter().collect());
    let union: HashSet<String> = con.sunion(&["a", "b", "c"]).expect("sunion");
    assert_eq!(union, &(&a | &b) | &c);
    let diff: HashSet<String> = con.sdiff(&["a", "b", "c"]).expect("sdiff");
    assert_eq!(diff, &(&a - &b) - &c);
    let card: usize = redis::cmd("SINTERCARD")
        .arg(2)
        .arg("a")
        .arg("b")
        .query(&mut con)
        .expect("card");
    assert_eq!(card, (&a & &b).len());
    let limited: usize = redis::cmd("SINTERCARD")
        .arg(2)
        .arg("a")
        .arg("b")
        .arg("LIMIT")
        .arg(5)
        .query(&mut con)
        .expect("card");
    assert_eq!(limited, 5);
    let stored: usize = con.sunionstore("u", &["a", "c"]).expect("sunionstore");
    assert_eq!(stored, (&a | &c).len());
    let enc: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg("c")
        .query(&mut con)
        .expect("enc");
    assert_eq!(enc, "hashtable");
}

#[test]
fn sscan_walks_every_member() {
    let server = TestServer::start();
    let mut con = server.client();
    let all = fill(&mut con, "t", 5000);
    for count in [None, Some(1), Some(7), Some(1000)] {
        let mut seen = HashSet::new();
        let mut cursor = 0u64;
        loop {
            let mut cmd = redis::cmd("SSCAN");
            cmd.arg("t").arg(cursor);
            if let Some(n) = count {
                cmd.arg("COUNT").arg(n);
            }
            let (next, batch): (u64, Vec<String>) = cmd.query(&mut con).expect("sscan");
            seen.extend(batch);
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen, all, "COUNT {count:?}");
    }
    let (next, batch): (u64, Vec<String>) = redis::cmd("SSCAN")
        .arg("t")
        .arg(0)
        .arg("MATCH")
        .arg("m1?")
        .arg("COUNT")
        .arg(100000)
        .query(&mut con)
        .expect("sscan");
    assert_eq!(next, 0);
    assert_eq!(
        batch.into_iter().collect::<HashSet<_>>(),
        (10..20).map(|i| format!("m{i}")).collect()
    );
}

#[test]
fn sscan_options_and_errors() {
    let (_server, mut c) = start(&[]);
    script(
        &mut c,
        &[
            ("SADD s 5 1 3", ":3\r\n"),
            (
                "SSCAN s 0",
                "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n",
            ),
            (
                "SSCAN s 77 COUNT 1",
                "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n",
            ),
            ("SSCAN s 0 MATCH 3", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\n3\r\n"),
            (
                "SSCAN s -1",
                "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n",
            ),
            ("SSCAN s x", "-ERR invalid cursor\r\n"),
            ("SSCAN s 18446744073709551616", "-ERR invalid cursor\r\n"),
            ("SSCAN s 0 COUNT 0", "-ERR syntax error\r\n"),
            (
                "SSCAN s 0 COUNT x",
                "-ERR value is not an integer or out of range\r\n",
            ),
            ("SSCAN s 0 TYPE set", "-ERR syntax error\r\n"),
            ("SSCAN s 0 MATCH", "-ERR syntax error\r\n"),
            ("SSCAN nosuch 0 COUNT 0", "*2\r\n$1\r\n0\r\n*0\r\n"),
            ("SSCAN nosuch x", "-ERR invalid cursor\r\n"),
        ],
    );
    assert_eq!(
        c.cmd(&[b"SSCAN", b"s", b""]),
        b"*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n"
    );
}

#[test]
fn resp3_set_replies() {
    let (_server, mut c) = start(&[]);
    assert!(c.cmd(&[b"HELLO", b"3"]).starts_with(b"%"));
    script(
        &mut c,
        &[
            ("SADD s 2 1", ":2\r\n"),
            ("SMEMBERS s", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
            ("SINTER s", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
            ("SUNION s", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
            ("SDIFF s nosuch", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
            ("SMEMBERS nosuch", "~0\r\n"),
            ("SPOP s 0", "~0\r\n"),
            ("SPOP nosuch 2", "~0\r\n"),
            ("SPOP nosuch", "_\r\n"),
            ("SRANDMEMBER s 2", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
            ("SRANDMEMBER nosuch 2", "*0\r\n"),
            ("SRANDMEMBER nosuch", "_\r\n"),
            ("SMISMEMBER s 1 3", "*2\r\n:1\r\n:0\r\n"),
            ("SSCAN s 0", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
            ("SPOP s 2", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
        ],
    );
}

#[test]
fn watch_sees_only_real_changes() {
    let server = TestServer::start();
    let mut c = server.raw();
    let mut other = server.raw();
    assert_eq!(c.cmd(&[b"SADD", b"s", b"a"]), b":1\r\n");
    // No-op writes (existing member, absent member, missing source) leave WATCH alone.
    for noop in [
        &[&b"SADD"[..], b"s", b"a"][..],
        &[b"SREM", b"s", b"zz"],
        &[b"SMOVE", b"nosuch", b"s", b"a"],
    ] {
        assert_eq!(c.cmd(&[b"WATCH", b"s"]), b"+OK\r\n");
        other.cmd(noop);
        assert_eq!(c.cmd(&[b"MULTI"]), b"+OK\r\n");
        assert_eq!(c.cmd(&[b"SCARD", b"s"]), b"+QUEUED\r\n");
        assert_eq!(c.cmd(&[b"EXEC"]), b"*1\r\n:1\r\n", "after {noop:?}");
    }
    for change in [
        &[&b"SADD"[..], b"s", b"b"][..],
        &[b"SREM", b"s", b"b"],
        &[b"SUNIONSTORE", b"s", b"s", b"x"],
    ] {
        assert_eq!(c.cmd(&[b"WATCH", b"s"]), b"+OK\r\n");
        other.cmd(change);
        assert_eq!(c.cmd(&[b"MULTI"]), b"+OK\r\n");
        assert_eq!(c.cmd(&[b"SCARD", b"s"]), b"+QUEUED\r\n");
        assert_eq!(c.cmd(&[b"EXEC"]), b"*-1\r\n", "after {change:?}");
    }
}

#[test]
fn big_sets_round_trip() {
    let server = TestServer::start();
    let mut con = server.client();
    let all = fill(&mut con, "big", 20000);
    assert_eq!(con.scard::<_, usize>("big").expect("scard"), 20000);
    let members: HashSet<String> = con.smembers("big").expect("smembers");
    assert_eq!(members, all);
    let ints: Vec<i64> = (0..512).collect();
    let _: i64 = con.sadd("ints", &ints).expect("sadd");
    let enc: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg("ints")
        .query(&mut con)
        .expect("enc");
    assert_eq!(enc, "intset");
    let _: i64 = con.sadd("ints", 512).expect("sadd");
    let enc: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg("ints")
        .query(&mut con)
        .expect("enc");
    assert_eq!(enc, "hashtable");
    let got: Vec<i64> = con.smembers("ints").expect("smembers");
    assert_eq!(got.into_iter().collect::<HashSet<_>>(), (0..=512).collect());
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

fn ev(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(e, k)| (e.to_string(), k.to_string()))
        .collect()
}

#[test]
fn keyspace_events_and_dirty_match_redis() {
    let got = events(&[
        "SADD s 1 2 3",
        "SADD s 1",
        "SREM s 9",
        "SREM s 1",
        "SMOVE s d 2",
        "SMOVE s d 3",
        "SMOVE d d 2",
        "SPOP d",
        "SADD s 1 2 3",
        "SPOP s 1",
        "SPOP s 5",
        "SADD a 1 2",
        "SINTERSTORE x a",
        "SUNIONSTORE x a",
        "SDIFFSTORE x a",
        "SINTERSTORE x a nosuch",
        "SINTERSTORE x a nosuch",
        "SMEMBERS a",
    ]);
    let expected = vec![
        (ev(&[("sadd", "s")]), 3),
        (ev(&[]), 0),
        (ev(&[]), 0),
        (ev(&[("srem", "s")]), 1),
        (ev(&[("srem", "s"), ("sadd", "d")]), 2),
        (ev(&[("srem", "s"), ("del", "s"), ("sadd", "d")]), 2),
        (ev(&[]), 0),
        (ev(&[("spop", "d")]), 1),
        (ev(&[("sadd", "s")]), 3),
        (ev(&[("spop", "s")]), 1),
        (ev(&[("spop", "s"), ("del", "s")]), 2),
        (ev(&[("sadd", "a")]), 2),
        (ev(&[("sinterstore", "x")]), 1),
        (ev(&[("sunionstore", "x")]), 1),
        (ev(&[("sdiffstore", "x")]), 1),
        (ev(&[("del", "x")]), 1),
        (ev(&[]), 0),
        (ev(&[]), 0),
    ];
    assert_eq!(got, expected);
}
