//! The bitmap family end to end through raw sockets, asserting the exact bytes a real
//! Redis 7.0.15 sends (each expectation was checked against one): SETBIT GETBIT BITCOUNT
//! BITPOS BITOP BITFIELD BITFIELD_RO, their errors, the 512MB offset limit, WATCH and
//! keyspace events. The differential corpus (`tests/differential/bitmaps.redis`) and
//! random family compare many more cases with a live Redis.
//!
//! To re-check the byte expectations against a real Redis, point the tests at it:
//! `BITMAPS_VERIFY_ADDR=127.0.0.1:6379 cargo test --test bitmaps -- --test-threads=1`
//! (each test flushes that server first).

mod common;

use std::time::Duration;

use common::{script, RawConn, TestServer};
use std::net::TcpStream;

/// Starts our server and connects — or, with `BITMAPS_VERIFY_ADDR` set, connects to
/// the real Redis there (flushed first).
fn start() -> (TestServer, RawConn) {
    let server = TestServer::start();
    let Some(conn) = common::reference_conn("BITMAPS_VERIFY_ADDR") else {
        let conn = server.raw();
        return (server, conn);
    };
    (server, conn)
}

const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const BAD_OFFSET: &str = "-ERR bit offset is not an integer or out of range\r\n";
const BAD_BIT: &str = "-ERR bit is not an integer or out of range\r\n";
const NOT_INT: &str = "-ERR value is not an integer or out of range\r\n";
const SYNTAX: &str = "-ERR syntax error\r\n";
const BAD_TYPE: &str =
    "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n";

#[test]
fn setbit_and_getbit() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("SETBIT b 7 1", ":0\r\n"),
            ("SETBIT b 7 1", ":1\r\n"),
            ("GET b", "$1\r\n\x01\r\n"),
            ("OBJECT ENCODING b", "$3\r\nraw\r\n"),
            ("SETBIT b 0 1", ":0\r\n"),
            ("SETBIT b 23 1", ":0\r\n"),
            ("BITFIELD b GET u24 0", "*1\r\n:8454145\r\n"),
            ("GETBIT b 0", ":1\r\n"),
            ("GETBIT b 1", ":0\r\n"),
            ("GETBIT b 23", ":1\r\n"),
            ("GETBIT b 24", ":0\r\n"),
            ("GETBIT b 4294967295", ":0\r\n"),
            ("GETBIT nosuch 3", ":0\r\n"),
            ("EXISTS nosuch", ":0\r\n"),
            // An int value reads as its decimal text and becomes a raw string when written.
            ("SET i 12", "+OK\r\n"),
            ("GETBIT i 2", ":1\r\n"),
            ("GETBIT i 3", ":1\r\n"),
            ("GETBIT i 4", ":0\r\n"),
            ("SETBIT i 6 0", ":0\r\n"),
            ("OBJECT ENCODING i", "$3\r\nraw\r\n"),
            ("GET i", "$2\r\n12\r\n"),
            ("SET e abc", "+OK\r\n"),
            ("SETBIT e 6 1", ":0\r\n"),
            ("OBJECT ENCODING e", "$3\r\nraw\r\n"),
            ("SET t abc EX 1000", "+OK\r\n"),
            ("SETBIT t 2 0", ":1\r\n"),
            ("GET t", "$3\r\nAbc\r\n"),
            ("TTL t", ":1000\r\n"),
        ],
    );
}

#[test]
fn setbit_and_getbit_errors() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("SETBIT b 0 2", BAD_BIT),
            ("SETBIT b 0 -1", BAD_BIT),
            ("SETBIT b 0 x", BAD_BIT),
            ("SETBIT b -1 1", BAD_OFFSET),
            ("SETBIT b x 1", BAD_OFFSET),
            ("SETBIT b 4294967296 1", BAD_OFFSET),
            ("SETBIT b #1 1", BAD_OFFSET),
            ("SETBIT b -1 2", BAD_OFFSET),
            ("GETBIT b -1", BAD_OFFSET),
            ("GETBIT b 4294967296", BAD_OFFSET),
            ("EXISTS b", ":0\r\n"),
            (
                "SETBIT b",
                "-ERR wrong number of arguments for 'setbit' command\r\n",
            ),
            (
                "GETBIT b 1 2",
                "-ERR wrong number of arguments for 'getbit' command\r\n",
            ),
            ("RPUSH l a", ":1\r\n"),
            ("SETBIT l 0 1", WRONGTYPE),
            ("SETBIT l 0 5", BAD_BIT),
            ("GETBIT l 0", WRONGTYPE),
        ],
    );
}

#[test]
fn bitcount_ranges_and_units() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("SET s foobar", "+OK\r\n"),
            ("BITCOUNT s", ":26\r\n"),
            ("BITCOUNT s 0 0", ":4\r\n"),
            ("BITCOUNT s 1 1", ":6\r\n"),
            ("BITCOUNT s -2 -1", ":7\r\n"),
            ("BITCOUNT s 5 30 BIT", ":17\r\n"),
            ("BITCOUNT s 5 30 bit", ":17\r\n"),
            ("BITCOUNT s 0 0 BYTE", ":4\r\n"),
            ("BITCOUNT s -100 100", ":26\r\n"),
            ("BITCOUNT s 5 3", ":0\r\n"),
            // Redis 7.0 answers 0 for reversed negative ranges before reading the unit.
            ("BITCOUNT s -1 -5 nonsense", ":0\r\n"),
            ("BITCOUNT s 1", SYNTAX),
            ("BITCOUNT s 1 2 bits", SYNTAX),
            ("BITCOUNT s 1 2 BIT x", SYNTAX),
            ("BITCOUNT s x 1", NOT_INT),
            // A missing key answers 0 before its arguments are even parsed.
            ("BITCOUNT nosuch", ":0\r\n"),
            ("BITCOUNT nosuch 1", ":0\r\n"),
            ("BITCOUNT nosuch x y z w", ":0\r\n"),
            ("SET i 12", "+OK\r\n"),
            ("BITCOUNT i", ":6\r\n"),
            ("RPUSH l a", ":1\r\n"),
            ("BITCOUNT l", WRONGTYPE),
            ("BITCOUNT l 1", WRONGTYPE),
        ],
    );
}

#[test]
fn bitpos_special_results() {
    let (_server, mut c) = start();
    c.cmd(&[b"SET", b"p", b"\xff\xf0\x00"]);
    c.cmd(&[b"SET", b"ones", b"\xff\xff\xff"]);
    c.cmd(&[b"SET", b"zeros", b"\x00\x00\x00"]);
    script(
        &mut c,
        &[
            ("BITPOS p 0", ":12\r\n"),
            ("BITPOS p 1", ":0\r\n"),
            ("BITPOS p 1 2", ":-1\r\n"),
            ("BITPOS p 0 3", ":-1\r\n"),
            ("BITPOS p 1 3 10 BIT", ":3\r\n"),
            ("BITPOS p 0 0 11 BIT", ":-1\r\n"),
            ("BITPOS p 0 5 13 bit", ":12\r\n"),
            ("BITPOS p 1 12 23 BIT", ":-1\r\n"),
            // All ones: with no end the string counts as zero-padded on the right...
            ("BITPOS ones 0", ":24\r\n"),
            ("BITPOS ones 0 1", ":24\r\n"),
            ("BITPOS ones 0 -1", ":24\r\n"),
            // ...but not with an explicit end.
            ("BITPOS ones 0 0 -1", ":-1\r\n"),
            ("BITPOS ones 0 3 5 BIT", ":-1\r\n"),
            ("BITPOS zeros 1", ":-1\r\n"),
            ("BITPOS zeros 0", ":0\r\n"),
            ("BITPOS nosuch 0", ":0\r\n"),
            ("BITPOS nosuch 1", ":-1\r\n"),
            ("BITPOS nosuch 1 x y z", ":-1\r\n"),
            (
                "BITPOS nosuch 2",
                "-ERR The bit argument must be 1 or 0.\r\n",
            ),
            ("BITPOS p x", NOT_INT),
            ("BITPOS p 1 x", NOT_INT),
            ("BITPOS p 1 0 x BYT", SYNTAX),
            ("BITPOS p 1 0 1 BIT x", SYNTAX),
            ("RPUSH l a", ":1\r\n"),
            ("BITPOS l 1", WRONGTYPE),
            ("BITPOS l 2", "-ERR The bit argument must be 1 or 0.\r\n"),
        ],
    );
}

#[test]
fn bitop_operations() {
    let (_server, mut c) = start();
    c.cmd(&[b"SET", b"a", b"\xff\x0f\xaa"]);
    c.cmd(&[b"SET", b"b", b"\x0f\xff"]);
    script(
        &mut c,
        &[
            ("BITOP AND d a b", ":3\r\n"),
            ("GET d", "$3\r\n\x0f\x0f\x00\r\n"),
            ("OBJECT ENCODING d", "$3\r\nraw\r\n"),
            ("BITOP OR d a b", ":3\r\n"),
            ("BITFIELD d GET u24 0", "*1\r\n:16777130\r\n"),
            ("BITOP XOR d a b", ":3\r\n"),
            ("BITFIELD d GET u24 0", "*1\r\n:15790250\r\n"),
            ("BITOP NOT d b", ":2\r\n"),
            ("BITFIELD d GET u16 0 GET u8 16", "*2\r\n:61440\r\n:0\r\n"),
            ("STRLEN d", ":2\r\n"),
            ("BITOP and d a nosuch", ":3\r\n"),
            ("GET d", "$3\r\n\x00\x00\x00\r\n"),
            // An empty result deletes the destination, whatever it held.
            ("RPUSH l x", ":1\r\n"),
            ("BITOP OR l nosuch", ":0\r\n"),
            ("EXISTS l", ":0\r\n"),
            ("SET d x EX 1000", "+OK\r\n"),
            ("BITOP OR d a", ":3\r\n"),
            ("TTL d", ":-1\r\n"),
            (
                "BITOP NOT d a b",
                "-ERR BITOP NOT must be called with a single source key.\r\n",
            ),
            ("BITOP NOP d a", SYNTAX),
            ("BITOP DIFF d a b", SYNTAX),
            ("RPUSH l x", ":1\r\n"),
            ("BITOP AND d a l", WRONGTYPE),
            ("BITOP AND l a", ":3\r\n"),
            ("TYPE l", "+string\r\n"),
            (
                "BITOP AND d",
                "-ERR wrong number of arguments for 'bitop' command\r\n",
            ),
        ],
    );
}

#[test]
fn bitfield_operations_and_overflow() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("BITFIELD f", "*0\r\n"),
            ("BITFIELD f GET u8 0", "*1\r\n:0\r\n"),
            ("EXISTS f", ":0\r\n"),
            (
                "BITFIELD f SET u8 0 255 GET i8 0 GET u4 0",
                "*3\r\n:0\r\n:-1\r\n:15\r\n",
            ),
            ("OBJECT ENCODING f", "$3\r\nraw\r\n"),
            (
                "BITFIELD f INCRBY u8 8 250 INCRBY u8 8 10",
                "*2\r\n:250\r\n:4\r\n",
            ),
            (
                "BITFIELD f OVERFLOW SAT INCRBY u8 8 1000 INCRBY i8 8 -1000",
                "*2\r\n:255\r\n:-128\r\n",
            ),
            (
                "BITFIELD f OVERFLOW FAIL INCRBY u8 8 1000 SET u8 8 256 INCRBY u8 8 1",
                "*3\r\n$-1\r\n$-1\r\n:129\r\n",
            ),
            (
                "BITFIELD f OVERFLOW SAT SET u8 0 -1 GET u8 0",
                "*2\r\n:255\r\n:255\r\n",
            ),
            // Redis's overflow check sends i64::MIN upwards in narrow signed fields.
            (
                "BITFIELD f OVERFLOW SAT SET i4 0 -9223372036854775808 GET i4 0",
                "*2\r\n:-1\r\n:7\r\n",
            ),
            (
                "BITFIELD f OVERFLOW WRAP SET i4 0 -9223372036854775808 GET i4 0",
                "*2\r\n:7\r\n:0\r\n",
            ),
            (
                "BITFIELD f SET i64 0 9223372036854775807 INCRBY i64 0 1",
                "*2\r\n:1117174182564593664\r\n:-9223372036854775808\r\n",
            ),
            (
                "BITFIELD f SET u8 #1 7 GET u8 8 GET u8 #1",
                "*3\r\n:0\r\n:7\r\n:7\r\n",
            ),
            (
                "BITFIELD f GET i64 #288230376151711744",
                "*1\r\n:-9221401712017801216\r\n",
            ),
            ("BITFIELD f GET i64 #144115188075855872", BAD_OFFSET),
            ("BITFIELD f GET u64 0", BAD_TYPE),
            ("BITFIELD f GET i65 0", BAD_TYPE),
            ("BITFIELD f GET I8 0", BAD_TYPE),
            ("BITFIELD f GET u8 -1", BAD_OFFSET),
            ("BITFIELD f SET u8 0 x", NOT_INT),
            (
                "BITFIELD f OVERFLOW BOGUS",
                "-ERR Invalid OVERFLOW type specified\r\n",
            ),
            ("BITFIELD f GET u8", SYNTAX),
            ("BITFIELD f BOGUS", SYNTAX),
            // A FAIL write still creates (zero-filled) the key it addresses.
            ("BITFIELD nf OVERFLOW FAIL SET u2 0 10", "*1\r\n$-1\r\n"),
            ("GET nf", "$1\r\n\x00\r\n"),
            ("RPUSH l a", ":1\r\n"),
            ("BITFIELD l", WRONGTYPE),
            ("BITFIELD l GET x8 0", BAD_TYPE),
            ("BITFIELD l SET u8 0 1", WRONGTYPE),
        ],
    );
}

#[test]
fn bitfield_ro_only_reads() {
    let (_server, mut c) = start();
    const RO: &str = "-ERR BITFIELD_RO only supports the GET subcommand\r\n";
    script(
        &mut c,
        &[
            ("SET f A", "+OK\r\n"),
            (
                "BITFIELD_RO f GET u8 0 GET i4 4 get u2 #3",
                "*3\r\n:65\r\n:1\r\n:1\r\n",
            ),
            ("BITFIELD_RO f OVERFLOW SAT GET u8 0", "*1\r\n:65\r\n"),
            ("BITFIELD_RO f SET u8 0 1", RO),
            ("BITFIELD_RO f INCRBY u8 0 1", RO),
            ("BITFIELD_RO f SET u8 0 x", NOT_INT),
            ("BITFIELD_RO f GET x8 0", BAD_TYPE),
            ("BITFIELD_RO nosuch GET u8 0", "*1\r\n:0\r\n"),
            ("BITFIELD_RO nosuch SET u8 0 1", RO),
            ("EXISTS nosuch", ":0\r\n"),
            ("RPUSH l a", ":1\r\n"),
            ("BITFIELD_RO l GET u8 0", WRONGTYPE),
            ("BITFIELD_RO l SET u8 0 1", RO),
        ],
    );
}

/// Offsets up to bit 4294967295 are valid (a 512MB string, as in Redis); beyond, never
/// allocated. `#N` offsets multiply first.
#[test]
fn offsets_at_the_512mb_limit() {
    let (_server, mut c) = start();
    script(
        &mut c,
        &[
            ("SETBIT big 4294967296 1", BAD_OFFSET),
            ("BITFIELD big SET u8 4294967296 1", BAD_OFFSET),
            ("BITFIELD big SET u8 #536870912 1", BAD_OFFSET),
            ("EXISTS big", ":0\r\n"),
            ("SETBIT big 4294967295 1", ":0\r\n"),
            ("STRLEN big", ":536870912\r\n"),
            ("GETBIT big 4294967295", ":1\r\n"),
            ("BITFIELD big GET u8 4294967288", "*1\r\n:1\r\n"),
            ("DEL big", ":1\r\n"),
            // A field starting below the limit may end past it (one byte more).
            ("BITFIELD g SET i64 4294967233 1", "*1\r\n:0\r\n"),
            ("STRLEN g", ":536870913\r\n"),
            ("DEL g", ":1\r\n"),
            ("CONFIG SET proto-max-bulk-len 1mb", "+OK\r\n"),
            ("SETBIT lim 8388608 1", BAD_OFFSET),
            ("SETBIT lim 8388607 1", ":0\r\n"),
            ("STRLEN lim", ":1048576\r\n"),
            ("CONFIG SET proto-max-bulk-len 512mb", "+OK\r\n"),
        ],
    );
}

/// Writes that change nothing are not modifications: WATCH survives them.
#[test]
fn watch_sees_only_real_changes() {
    let (_server, mut c) = start();
    c.cmd(&[b"SET", b"w", b"\x80"]);
    for (write, survives) in [
        ("SETBIT w 0 1", true),
        ("BITFIELD w SET u8 0 128", true),
        ("BITFIELD w OVERFLOW FAIL INCRBY u8 0 300", true),
        ("BITFIELD w GET u8 0", true),
        ("SETBIT w 1 0", true),
        ("SETBIT w 1 1", false),
        ("SETBIT w 100 0", false),
        ("BITFIELD w INCRBY u8 0 0", true),
        ("BITFIELD w INCRBY u8 0 1", false),
        ("BITOP AND w w", false),
    ] {
        script(&mut c, &[("WATCH w", "+OK\r\n")]);
        let args: Vec<&[u8]> = write.split(' ').map(str::as_bytes).collect();
        c.cmd(&args);
        script(&mut c, &[("MULTI", "+OK\r\n"), ("PING", "+QUEUED\r\n")]);
        let expected: &[u8] = if survives {
            b"*1\r\n+PONG\r\n"
        } else {
            b"*-1\r\n"
        };
        assert_eq!(c.cmd(&[b"EXEC"]), expected, "after {write}");
    }
}

/// `setbit` (string class) for SETBIT and BITFIELD writes, `set` for BITOP, `del` when
/// BITOP's empty result removes its destination; nothing when nothing changed.
#[test]
fn keyspace_events() {
    let (server, mut c) = start();
    let mut sub = match std::env::var("BITMAPS_VERIFY_ADDR") {
        Ok(addr) => {
            let stream = TcpStream::connect(addr).expect("connect");
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            RawConn { stream }
        }
        Err(_) => server.raw(),
    };
    script(
        &mut c,
        &[("CONFIG SET notify-keyspace-events E$g", "+OK\r\n")],
    );
    sub.cmd(&[b"PSUBSCRIBE", b"__keyevent@0__:*"]);
    for write in [
        "SETBIT k 3 1",
        "SETBIT k 3 1",
        "BITFIELD k SET u8 0 16",
        "BITFIELD k SET u8 0 17 INCRBY u8 0 1",
        "BITOP OR d k",
        "BITOP AND d nosuch",
        "BITOP AND d nosuch",
    ] {
        let args: Vec<&[u8]> = write.split(' ').map(str::as_bytes).collect();
        c.cmd(&args);
    }
    assert_eq!(
        c.cmd(&[b"CONFIG", b"SET", b"notify-keyspace-events", b""]),
        b"+OK\r\n"
    );
    let event = |name: &str, key: &str| {
        let channel = format!("__keyevent@0__:{name}");
        format!(
            "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n${}\r\n{channel}\r\n${}\r\n{key}\r\n",
            channel.len(),
            key.len()
        )
    };
    for (name, key) in [("setbit", "k"), ("setbit", "k"), ("set", "d"), ("del", "d")] {
        assert_eq!(String::from_utf8_lossy(&sub.read_reply()), event(name, key));
    }
    assert_eq!(sub.cmd(&[b"PING"]), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
}
