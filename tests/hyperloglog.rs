//! PFADD PFCOUNT PFMERGE (and PFDEBUG/PFSELFTEST) end to end: the exact sketch bytes GET returns (sparse, dense,
//! before and after the cardinality is cached), estimates, errors, and keyspace events
//! and dirty tracking through an in-process executor. Every expectation was recorded
//! from a real Redis 7.0.15; dense sketches are compared by an FNV-1a hash of the whole
//! GET reply (12314 bytes) recorded the same way.

mod common;

use bytes::Bytes;
use common::{RawConn, TestServer};
use rredis::command::Session;
use rredis::config::Config;
use rredis::protocol::OutBuf;

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// PFADD of `elements` in one command.
fn pfadd(conn: &mut RawConn, key: &str, elements: &[String]) -> Vec<u8> {
    let mut args: Vec<&[u8]> = vec![b"PFADD", key.as_bytes()];
    args.extend(elements.iter().map(|e| e.as_bytes()));
    conn.cmd(&args)
}

fn elements(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("el:{i}")).collect()
}

#[test]
fn empty_sketch_bytes() {
    let server = TestServer::start();
    let mut c = server.raw();
    assert_eq!(c.cmd(&[b"PFADD", b"e"]), b":1\r\n");
    assert_eq!(
        c.cmd(&[b"GET", b"e"]),
        b"$18\r\nHYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x7f\xff\r\n"
    );
    assert_eq!(c.cmd(&[b"PFADD", b"e"]), b":0\r\n");
    assert_eq!(c.cmd(&[b"OBJECT", b"ENCODING", b"e"]), b"$3\r\nraw\r\n");
    assert_eq!(c.cmd(&[b"PFCOUNT", b"e"]), b":0\r\n");
    assert_eq!(
        c.cmd(&[b"GET", b"e"]),
        b"$18\r\nHYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff\r\n"
    );
}

#[test]
fn sparse_bytes_and_cached_cardinality() {
    let server = TestServer::start();
    let mut c = server.raw();
    assert_eq!(c.cmd(&[b"PFADD", b"k", b"a", b"b", b"c"]), b":1\r\n");
    assert_eq!(
        c.cmd(&[b"GET", b"k"]),
        &b"$27\r\nHYLL\x01\0\0\0\0\0\0\0\0\0\0\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ\r\n"[..]
    );
    assert_eq!(c.cmd(&[b"PFCOUNT", b"k"]), b":3\r\n");
    assert_eq!(
        c.cmd(&[b"GET", b"k"]),
        &b"$27\r\nHYLL\x01\0\0\0\x03\0\0\0\0\0\0\0`\xf3\x80P\xb1\x84K\xfb\x80BZ\r\n"[..]
    );
    assert_eq!(c.cmd(&[b"PFADD", b"k", b"a"]), b":0\r\n");

    assert_eq!(pfadd(&mut c, "sp", &elements(600)), b":1\r\n");
    assert_eq!(fnv1a(&c.cmd(&[b"GET", b"sp"])), 0x4955_3b32_9a37_ad10);
    assert_eq!(c.cmd(&[b"PFCOUNT", b"sp"]), b":600\r\n");
    assert_eq!(c.cmd(&[b"PFMERGE", b"m", b"sp", b"k"]), b"+OK\r\n");
    let merged = c.cmd(&[b"GET", b"m"]);
    assert_eq!(
        (merged.len(), fnv1a(&merged)),
        (1226, 0x5519_3b5b_fab5_4cf0)
    );
}

#[test]
fn dense_bytes_estimates_and_merge() {
    let server = TestServer::start();
    let mut c = server.raw();
    assert_eq!(pfadd(&mut c, "d", &elements(3000)), b":1\r\n");
    assert_eq!(c.cmd(&[b"STRLEN", b"d"]), b":12304\r\n");
    assert_eq!(fnv1a(&c.cmd(&[b"GET", b"d"])), 0xb4b3_d7b0_e4df_5e65);
    assert_eq!(c.cmd(&[b"PFCOUNT", b"d"]), b":2974\r\n");
    assert_eq!(fnv1a(&c.cmd(&[b"GET", b"d"])), 0x12ae_449b_9a76_7a4e);

    pfadd(&mut c, "k", &["a".into(), "b".into(), "c".into()]);
    pfadd(&mut c, "sp", &elements(600));
    // A dense input makes the merge result dense.
    assert_eq!(c.cmd(&[b"PFMERGE", b"m2", b"sp", b"d"]), b"+OK\r\n");
    assert_eq!(fnv1a(&c.cmd(&[b"GET", b"m2"])), 0xb4b3_d7b0_e4df_5e65);
    assert_eq!(c.cmd(&[b"PFCOUNT", b"m2"]), b":2974\r\n");
    assert_eq!(c.cmd(&[b"PFCOUNT", b"sp", b"d", b"k"]), b":2976\r\n");
}

#[test]
fn errors() {
    let server = TestServer::start();
    let mut c = server.raw();
    c.cmd(&[b"RPUSH", b"list", b"a"]);
    c.cmd(&[b"SET", b"str", b"hello"]);
    c.cmd(&[b"SET", b"int", b"12"]);
    let wrong = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    let not_hll = b"-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
    assert_eq!(c.cmd(&[b"PFADD", b"list", b"a"]), wrong);
    assert_eq!(c.cmd(&[b"PFCOUNT", b"str"]), not_hll);
    assert_eq!(c.cmd(&[b"PFADD", b"int"]), not_hll);
    assert_eq!(c.cmd(&[b"PFMERGE", b"dst", b"str"]), not_hll);
    assert_eq!(c.cmd(&[b"EXISTS", b"dst"]), b":0\r\n");
    // Sparse opcodes covering 16385 registers.
    let bad = b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x7f\xff\x80";
    c.cmd(&[b"SET", b"bad", bad]);
    let invalid = b"-INVALIDOBJ Corrupted HLL object detected\r\n";
    assert_eq!(c.cmd(&[b"PFCOUNT", b"bad"]), invalid);
    assert_eq!(c.cmd(&[b"PFCOUNT", b"bad", b"bad"]), invalid);
    assert_eq!(c.cmd(&[b"PFMERGE", b"dst", b"bad"]), invalid);
    assert_eq!(
        c.cmd(&[b"PFADD"]),
        b"-ERR wrong number of arguments for 'pfadd' command\r\n"
    );
}

#[test]
fn debug_commands() {
    let server = TestServer::start();
    let mut c = server.raw();
    assert_eq!(c.cmd(&[b"PFSELFTEST"]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&[b"PFDEBUG", b"ENCODING", b"q"]),
        &b"-ERR The specified key does not exist\r\n"[..]
    );
    c.cmd(&[b"PFADD", b"q", b"a", b"b", b"c"]);
    assert_eq!(
        c.cmd(&[b"PFDEBUG", b"DECODE", b"q"]),
        &b"$44\r\nZ:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\r\n"[..]
    );
    assert_eq!(c.cmd(&[b"PFDEBUG", b"ENCODING", b"q"]), b"+sparse\r\n");
    assert_eq!(
        c.cmd(&[b"PFDEBUG", b"foo", b"q"]),
        &b"-ERR Unknown PFDEBUG subcommand 'foo'\r\n"[..]
    );
    let regs = c.cmd(&[b"PFDEBUG", b"GETREG", b"q"]);
    assert!(regs.starts_with(b"*16384\r\n:0\r\n"));
    assert_eq!(regs.len(), 8 + 16384 * 4);
    assert_eq!(c.cmd(&[b"PFDEBUG", b"ENCODING", b"q"]), b"+dense\r\n");
    assert_eq!(c.cmd(&[b"PFDEBUG", b"TODENSE", b"q"]), b":0\r\n");
    assert_eq!(
        c.cmd(&[b"PFDEBUG", b"DECODE", b"q"]),
        &b"-ERR HLL encoding is not sparse\r\n"[..]
    );
}

/// Runs commands on an in-process executor with every keyspace event enabled and returns
/// the events each fired and the dirty counter's growth.
fn events(commands: &[&str]) -> Vec<(Vec<String>, u64)> {
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
                .map(|e| format!("{}:{}", e.event, String::from_utf8_lossy(&e.key)))
                .collect();
            (fired, exec.dirty() - dirty)
        })
        .collect()
}

#[test]
fn keyspace_events_and_dirty_match_redis() {
    let got = events(&[
        "PFADD k a b c",
        "PFADD k a",
        "PFCOUNT k",
        "PFCOUNT k",
        "PFMERGE m k",
        "PFADD e",
        "PFCOUNT k k",
    ]);
    let pfadd = |key: &str| vec![format!("pfadd:{key}")];
    let expected = vec![
        (pfadd("k"), 4),
        (vec![], 0),
        (vec![], 1),
        (vec![], 0),
        (pfadd("m"), 1),
        (pfadd("e"), 1),
        (vec![], 0),
    ];
    assert_eq!(got, expected);
}
