//! Sorted set commands end to end: exact replies and errors through raw sockets,
//! encodings and their conversion thresholds, RESP3 shapes, keyspace effects (emptied
//! keys deleted), and the blocking pops with several real clients.

mod common;

use std::thread::sleep;
use std::time::Duration;

use common::{RawConn, TestServer};

/// Time for a command sent on one connection to be parked before another client acts.
const SETTLE: Duration = Duration::from_millis(150);

const NULL: &[u8] = b"$-1\r\n";
const NULL_ARRAY: &[u8] = b"*-1\r\n";
const EMPTY_ARRAY: &[u8] = b"*0\r\n";
const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";

/// Encodes the expected array of bulk strings.
fn bulks(items: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for item in items {
        out.extend(format!("${}\r\n{item}\r\n", item.len()).into_bytes());
    }
    out
}

/// Splits a command line on spaces (no quoting needed in these tests).
fn words(line: &str) -> Vec<&[u8]> {
    line.split(' ').map(str::as_bytes).collect()
}

/// Asserts a command's exact reply.
#[track_caller]
fn check(conn: &mut RawConn, line: &str, expected: &[u8]) {
    let reply = conn.cmd(&words(line));
    assert_eq!(
        String::from_utf8_lossy(&reply),
        String::from_utf8_lossy(expected),
        "reply to {line}"
    );
}

#[test]
fn zadd_options_and_errors() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, "ZADD z 1 a 2 b", b":2\r\n");
    check(&mut c, "ZADD z NX 5 a 3 c", b":1\r\n");
    check(&mut c, "ZADD z XX CH 5 a 9 d", b":1\r\n");
    check(&mut c, "ZADD z GT CH 1 a 6 b", b":1\r\n");
    check(
        &mut c,
        "ZRANGE z 0 -1 WITHSCORES",
        &bulks(&["c", "3", "a", "5", "b", "6"]),
    );
    check(&mut c, "ZADD z INCR 0.5 a", b"$3\r\n5.5\r\n");
    check(&mut c, "ZADD z INCR NX 1 a", NULL);
    check(
        &mut c,
        "ZADD z NX XX 1 a",
        b"-ERR XX and NX options at the same time are not compatible\r\n",
    );
    check(
        &mut c,
        "ZADD z GT LT 1 a",
        b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
    );
    check(
        &mut c,
        "ZADD z INCR 1 a 2 b",
        b"-ERR INCR option supports a single increment-element pair\r\n",
    );
    check(&mut c, "ZADD z x a", b"-ERR value is not a valid float\r\n");
    check(&mut c, "ZADD z 1 a 2", SYNTAX);
    check(&mut c, "ZADD z inf a", b":0\r\n");
    check(
        &mut c,
        "ZINCRBY z -inf a",
        b"-ERR resulting score is not a number (NaN)\r\n",
    );
    check(&mut c, "ZSCORE z a", b"$3\r\ninf\r\n");
    check(&mut c, "ZADD z 0.1 t", b":1\r\n");
    check(&mut c, "ZSCORE z t", b"$19\r\n0.10000000000000001\r\n");
    check(&mut c, "SET s v", b"+OK\r\n");
    check(&mut c, "ZADD s 1 a", WRONGTYPE);
    check(&mut c, "ZADD new XX 1 a", b":0\r\n");
    check(&mut c, "EXISTS new", b":0\r\n");
}

#[test]
fn ranges_by_rank_score_and_lex() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, "ZADD z 1 a 2 b 3 c 4 d 5 e", b":5\r\n");
    check(&mut c, "ZRANGE z -2 -1", &bulks(&["d", "e"]));
    check(
        &mut c,
        "ZRANGE z 0 1 REV WITHSCORES",
        &bulks(&["e", "5", "d", "4"]),
    );
    check(&mut c, "ZRANGE z (1 3 BYSCORE", &bulks(&["b", "c"]));
    check(
        &mut c,
        "ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2",
        &bulks(&["d", "c"]),
    );
    check(&mut c, "ZRANGEBYSCORE z -inf +inf LIMIT -1 2", EMPTY_ARRAY);
    check(&mut c, "ZREVRANGEBYSCORE z 4 (2", &bulks(&["d", "c"]));
    check(&mut c, "ZRANGE z 0 -1 LIMIT 0 1", b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    check(
        &mut c,
        "ZRANGE z a 1 BYSCORE",
        b"-ERR min or max is not a float\r\n",
    );
    check(&mut c, "ZCOUNT z (1 +inf", b":4\r\n");
    check(&mut c, "ZRANK z c", b":2\r\n");
    check(&mut c, "ZREVRANK z c", b":2\r\n");
    check(&mut c, "ZRANK z x", NULL);
    check(&mut c, "ZADD l 0 a 0 b 0 c 0 d", b":4\r\n");
    check(&mut c, "ZRANGEBYLEX l [b (d", &bulks(&["b", "c"]));
    check(
        &mut c,
        "ZREVRANGEBYLEX l + - LIMIT 1 2",
        &bulks(&["c", "b"]),
    );
    check(&mut c, "ZLEXCOUNT l - +", b":4\r\n");
    check(
        &mut c,
        "ZRANGE l a b BYLEX",
        b"-ERR min or max not valid string range item\r\n",
    );
    check(
        &mut c,
        "ZRANGE l - + BYLEX WITHSCORES",
        b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
    );
    check(&mut c, "ZRANGESTORE d z 1 3 BYSCORE", b":3\r\n");
    check(&mut c, "ZRANGE d 0 -1", &bulks(&["a", "b", "c"]));
    check(&mut c, "ZRANGESTORE d z 9 10", b":0\r\n");
    check(&mut c, "EXISTS d", b":0\r\n");
}

#[test]
fn removals_delete_emptied_keys() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, "ZADD z 1 a 2 b 3 c 4 d", b":4\r\n");
    check(&mut c, "ZREM z a x", b":1\r\n");
    check(&mut c, "ZREMRANGEBYRANK z 0 0", b":1\r\n");
    check(&mut c, "ZREMRANGEBYSCORE z (3 4", b":1\r\n");
    check(&mut c, "ZREMRANGEBYLEX z - +", b":1\r\n");
    check(&mut c, "EXISTS z", b":0\r\n");
    check(&mut c, "ZADD p 1 a 2 b 3 c", b":3\r\n");
    check(&mut c, "ZPOPMIN p", &bulks(&["a", "1"]));
    check(&mut c, "ZPOPMAX p 5", &bulks(&["c", "3", "b", "2"]));
    check(&mut c, "EXISTS p", b":0\r\n");
    check(
        &mut c,
        "ZPOPMIN p -1",
        b"-ERR value is out of range, must be positive\r\n",
    );
    check(&mut c, "ZMPOP 1 p MIN", NULL_ARRAY);
    check(&mut c, "ZADD p 1 a 2 b", b":2\r\n");
    check(
        &mut c,
        "ZMPOP 1 p MAX COUNT 9",
        b"*2\r\n$1\r\np\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
}

#[test]
fn encodings_convert_at_the_thresholds() {
    let server = TestServer::start();
    let mut c = server.raw();
    let long = "x".repeat(65);
    for i in 0..128 {
        c.cmd(&words(&format!("ZADD z {i} m{i}")));
    }
    check(&mut c, "OBJECT ENCODING z", b"$8\r\nlistpack\r\n");
    check(&mut c, "ZADD z 200 m200", b":1\r\n");
    check(&mut c, "OBJECT ENCODING z", b"$8\r\nskiplist\r\n");
    check(&mut c, "ZRANK z m100", b":100\r\n");
    check(&mut c, "ZRANGE z 127 128", &bulks(&["m127", "m200"]));
    check(&mut c, &format!("ZADD y 1 {long}"), b":1\r\n");
    check(&mut c, "OBJECT ENCODING y", b"$8\r\nskiplist\r\n");
    check(&mut c, "ZADD y -0 n", b":1\r\n");
    check(&mut c, "ZSCORE y n", b"$2\r\n-0\r\n");
    check(&mut c, "ZADD w -0 n", b":1\r\n");
    check(&mut c, "ZSCORE w n", b"$1\r\n0\r\n");
}

#[test]
fn set_algebra_with_weights_and_sets() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, "ZADD a 1 x 2 y", b":2\r\n");
    check(&mut c, "ZADD b 10 y 20 z", b":2\r\n");
    check(&mut c, "SADD s z", b":1\r\n");
    check(
        &mut c,
        "ZUNION 3 a b s WITHSCORES",
        &bulks(&["x", "1", "y", "12", "z", "21"]),
    );
    check(
        &mut c,
        "ZINTER 2 a b WEIGHTS 2 1 AGGREGATE MAX WITHSCORES",
        &bulks(&["y", "10"]),
    );
    check(&mut c, "ZDIFF 2 a b", &bulks(&["x"]));
    check(&mut c, "ZINTERCARD 2 a b LIMIT 1", b":1\r\n");
    check(&mut c, "ZUNIONSTORE d 2 a b", b":3\r\n");
    check(&mut c, "OBJECT ENCODING d", b"$8\r\nlistpack\r\n");
    check(
        &mut c,
        "ZUNION 0 a",
        b"-ERR at least 1 input key is needed for 'zunion' command\r\n",
    );
    check(&mut c, "ZINTERSTORE d 2 a nosuch", b":0\r\n");
    check(&mut c, "EXISTS d", b":0\r\n");
}

#[test]
fn resp3_shapes() {
    let server = TestServer::start();
    let mut c = server.raw();
    c.cmd(&words("HELLO 3"));
    check(&mut c, "ZADD z 1 a 2.5 b", b":2\r\n");
    check(
        &mut c,
        "ZRANGE z 0 -1 WITHSCORES",
        b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n",
    );
    check(&mut c, "ZSCORE z b", b",2.5\r\n");
    check(&mut c, "ZSCORE z x", b"_\r\n");
    check(&mut c, "ZPOPMIN z", b"*2\r\n$1\r\na\r\n,1\r\n");
    check(&mut c, "ZPOPMIN z 1", b"*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
    check(&mut c, "ZMPOP 1 z MIN", b"_\r\n");
}

#[test]
fn bzpopmin_is_served_by_another_clients_zadd() {
    let server = TestServer::start();
    let mut waiter = server.raw();
    let mut adder = server.raw();
    waiter.send_cmd(&words("BZPOPMIN k1 k2 0"));
    sleep(SETTLE);
    check(&mut adder, "ZADD k2 3 c 1 a", b":2\r\n");
    assert_eq!(waiter.read_reply(), bulks(&["k2", "a", "1"]));
    check(&mut adder, "ZCARD k2", b":1\r\n");
}

#[test]
fn bzmpop_waits_and_times_out() {
    let server = TestServer::start();
    let mut waiter = server.raw();
    let mut adder = server.raw();
    waiter.send_cmd(&words("BZMPOP 0 1 q MAX COUNT 2"));
    sleep(SETTLE);
    check(&mut adder, "ZADD q 1 a 2 b 3 c", b":3\r\n");
    assert_eq!(
        waiter.read_reply(),
        b"*2\r\n$1\r\nq\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n".to_vec()
    );
    check(&mut waiter, "BZPOPMAX nosuch 0.05", NULL_ARRAY);
    check(
        &mut waiter,
        "BZPOPMIN k -1",
        b"-ERR timeout is negative\r\n",
    );
    check(&mut waiter, "MULTI", b"+OK\r\n");
    check(&mut waiter, "BZPOPMIN nosuch 0", b"+QUEUED\r\n");
    check(&mut waiter, "EXEC", b"*1\r\n*-1\r\n");
}

#[test]
fn zscan_and_zrandmember() {
    let server = TestServer::start();
    let mut c = server.raw();
    check(&mut c, "ZADD z 1 a", b":1\r\n");
    check(
        &mut c,
        "ZSCAN z 0",
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    check(&mut c, "ZRANDMEMBER z", b"$1\r\na\r\n");
    check(
        &mut c,
        "ZRANDMEMBER z -2 WITHSCORES",
        &bulks(&["a", "1", "a", "1"]),
    );
    check(&mut c, "ZRANDMEMBER z 1 FOO", SYNTAX);
    check(&mut c, "ZRANDMEMBER nosuch 2", EMPTY_ARRAY);
}
