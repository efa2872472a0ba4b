//! The RDB codec against real Redis 7.0 (`redis-server` on the PATH; each test is
//! skipped with a note when it is absent):
//!
//! - DUMP payloads: Redis's payload of every type and encoding restores here to the
//!   value Redis holds, and our payload of that value is Redis's byte for byte where
//!   Redis's output is deterministic (everything but hash tables and set tables, whose
//!   order is the dict's); whatever we write, Redis RESTOREs to an equal digest.
//! - Whole files: a file we write loads in Redis with every key, TTL and function
//!   library, and passes `redis-check-rdb`; a file Redis SAVEs loads here with
//!   everything equal.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;

use rredis::persistence::rdb::{
    dump_payload, load_rdb, restore_payload, write_rdb, AccessMeta, Encodings, KeyMeta, LoadSink,
    SaveOptions,
};
use rredis::store::hash::HashValue;
use rredis::store::quicklist::QuickList;
use rredis::store::set::SetValue;
use rredis::store::stream::{Group, NodeLimits, ParsedId, Stream, StreamId};
use rredis::store::zset::ZSetValue;
use rredis::store::{Bstr, Db, Value};

const OPTS: SaveOptions = SaveOptions {
    compression: true,
    checksum: true,
    key_delay_us: 0,
};

/// A RESP2 reply.
#[derive(Debug, Clone, PartialEq)]
enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

impl Reply {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Reply::Bulk(Some(b)) => b.clone(),
            Reply::Status(s) => s.as_bytes().to_vec(),
            Reply::Int(n) => n.to_string().into_bytes(),
            other => panic!("not a string: {other:?}"),
        }
    }

    fn items(&self) -> Vec<Reply> {
        match self {
            Reply::Array(items) => items.clone(),
            other => panic!("not an array: {other:?}"),
        }
    }

    fn strings(&self) -> Vec<Vec<u8>> {
        self.items().iter().map(Reply::bytes).collect()
    }
}

/// A connection speaking RESP2.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn cmd(&mut self, args: &[&[u8]]) -> Reply {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.reader.get_mut().write_all(&out).expect("write");
        self.read()
    }

    fn ok(&mut self, args: &[&str]) -> Reply {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        let reply = self.cmd(&args);
        assert!(!matches!(reply, Reply::Error(_)), "{args:?}: {reply:?}");
        reply
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read");
        line.trim_end().to_string()
    }

    fn read(&mut self) -> Reply {
        let line = self.line();
        let (kind, rest) = line.split_at(1);
        match kind {
            "+" => Reply::Status(rest.into()),
            "-" => Reply::Error(rest.into()),
            ":" => Reply::Int(rest.parse().expect("int")),
            "$" => {
                let n: i64 = rest.parse().expect("len");
                if n < 0 {
                    return Reply::Bulk(None);
                }
                let mut buf = vec![0; n as usize + 2];
                self.reader.read_exact(&mut buf).expect("bulk");
                buf.truncate(n as usize);
                Reply::Bulk(Some(buf))
            }
            "*" => {
                let n: i64 = rest.parse().expect("len");
                Reply::Array((0..n.max(0)).map(|_| self.read()).collect())
            }
            other => panic!("unexpected reply type {other:?}"),
        }
    }
}

/// A redis-server we started (see `common::RealRedis`), reached through the typed `Conn`.
struct Redis(common::RealRedis);

impl Redis {
    /// Starts redis-server on a free port with `dir` as its directory; `None` (with a
    /// note) when redis-server is not installed.
    fn start(dir: &Path) -> Option<Redis> {
        let extra = ["--save", "", "--dbfilename", "dump.rdb"];
        let redis = common::RealRedis::start(dir, &extra);
        if redis.is_none() {
            eprintln!("note: redis-server not available; skipping the comparison with real Redis");
        }
        redis.map(Redis)
    }

    fn conn(&self) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", self.0.port)).expect("connect");
        Conn {
            reader: BufReader::new(stream),
        }
    }
}

/// A fresh scratch directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rdb_codec_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Fills Redis with keys of every type and encoding; returns their names.
fn populate(c: &mut Conn) -> Vec<String> {
    c.ok(&["CONFIG", "SET", "stream-node-max-entries", "10"]);
    let aaa = "a".repeat(21);
    let long_a = "a".repeat(100);
    let text: String = (0..3000).map(|i| format!("word{} ", i % 50)).collect();
    let noise: String = (0..200u32)
        .map(|i| char::from(b'!' + ((i.wrapping_mul(2654435761) >> 7) % 90) as u8))
        .collect();
    for (key, value) in [
        ("s:int", "12345"),
        ("s:neg", "-5"),
        ("s:bigint", "9223372036854775807"),
        ("s:int32", "-2147483648"),
        ("s:short", "hello"),
        ("s:aaa", aaa.as_str()),
        ("s:long", long_a.as_str()),
        ("s:text", text.as_str()),
        ("s:noise", noise.as_str()),
        ("s:empty", ""),
        ("s:lead0", "007"),
    ] {
        c.ok(&["SET", key, value]);
    }
    c.cmd(&[b"SET", b"s:bin", b"\x00\x01\xff\r\nbinary"]);
    c.ok(&["APPEND", "s:raw", "12"]);
    c.ok(&[
        "RPUSH",
        "l:small",
        "a",
        "1",
        "-300",
        "",
        "9223372036854775807",
        "x y",
        "3.5",
    ]);
    for i in 0..3000 {
        c.ok(&["RPUSH", "l:big", &format!("element-{i}")]);
        if i % 3 == 0 {
            c.ok(&["LPUSH", "l:mixed", &i.to_string()]);
        } else {
            c.ok(&["RPUSH", "l:mixed", &"v".repeat(i % 97)]);
        }
    }
    c.ok(&[
        "HSET", "h:lp", "name", "x", "age", "42", "7", "-1", "empty", "", "neg", "-100000",
    ]);
    for i in 0..600 {
        c.ok(&["HSET", "h:table", &format!("f{i}"), &i.to_string()]);
    }
    c.ok(&["HSET", "h:longval", "f", &"v".repeat(100)]);
    c.ok(&["SADD", "set:i16", "1", "2", "-5", "300"]);
    c.ok(&["SADD", "set:i32", "70000", "1"]);
    c.ok(&["SADD", "set:i64", "1099511627776", "-3"]);
    c.ok(&["SADD", "set:wide", "4000000000", "1", "2"]);
    c.ok(&["SREM", "set:wide", "4000000000"]);
    c.ok(&["SADD", "set:table", "a", "b", "12", "longer member"]);
    for i in 0..600 {
        c.ok(&["SADD", "set:manyints", &i.to_string()]);
    }
    c.ok(&[
        "ZADD", "z:lp", "1", "a", "1.5", "b", "-3", "7", "inf", "c", "-inf", "d", "0.1", "e",
        "5e18", "f", "-0", "g",
    ]);
    for i in 0..200 {
        c.ok(&[
            "ZADD",
            "z:skip",
            &format!("{}", f64::from(i) / 3.0),
            &format!("m{i}"),
        ]);
    }
    c.ok(&["ZADD", "z:longmember", "1", &"m".repeat(100)]);
    populate_stream(c);
    c.ok(&["KEYS", "*"])
        .strings()
        .iter()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect()
}

/// A stream with several nodes, deletions, groups, consumers and pending entries.
fn populate_stream(c: &mut Conn) {
    for i in 1..=35 {
        let id = format!("{}-{}", 1000 + i, i % 3);
        let v = format!("value-{i}");
        if i % 4 == 0 {
            c.ok(&["XADD", "x", &id, "other", &v, "n", "12"]);
        } else {
            c.ok(&["XADD", "x", &id, "field", &v, "n", "-7"]);
        }
    }
    c.ok(&["XDEL", "x", "1003-0", "1020-2"]);
    c.ok(&["XGROUP", "CREATE", "x", "g1", "0"]);
    c.ok(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "alice",
        "COUNT",
        "3",
        "STREAMS",
        "x",
        ">",
    ]);
    c.ok(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "bob",
        "COUNT",
        "2",
        "STREAMS",
        "x",
        ">",
    ]);
    c.ok(&["XACK", "x", "g1", "1002-2"]);
    c.ok(&["XGROUP", "CREATECONSUMER", "x", "g1", "idle"]);
    c.ok(&["XGROUP", "CREATE", "x", "late", "$"]);
    c.ok(&["XADD", "x:one", "5-5", "only", "entry"]);
}

/// Asserts that `value` holds what Redis holds under `key` in the selected database.
fn assert_same(c: &mut Conn, key: &str, value: &Value) {
    let k = key.as_bytes();
    match value {
        Value::Int(_) | Value::Str(_) | Value::RawStr(_) => {
            let ours = match value {
                Value::Int(n) => n.to_string().into_bytes(),
                Value::Str(s) | Value::RawStr(s) => s.as_slice().to_vec(),
                _ => unreachable!(),
            };
            assert_eq!(c.cmd(&[b"GET", k]).bytes(), ours, "{key}");
        }
        Value::List(l) => {
            let ours: Vec<Vec<u8>> = l.iter().map(|e| e.to_vec()).collect();
            assert_eq!(c.cmd(&[b"LRANGE", k, b"0", b"-1"]).strings(), ours, "{key}");
        }
        Value::Hash(h) => {
            let mut theirs: Vec<Vec<u8>> = c
                .cmd(&[b"HGETALL", k])
                .strings()
                .chunks(2)
                .map(|p| p.concat())
                .collect();
            let mut ours: Vec<Vec<u8>> = h
                .iter()
                .map(|(f, v)| [f.to_vec(), v.to_vec()].concat())
                .collect();
            theirs.sort();
            ours.sort();
            assert_eq!(theirs, ours, "{key}");
        }
        Value::Set(s) => {
            let mut theirs = c.cmd(&[b"SMEMBERS", k]).strings();
            let mut ours: Vec<Vec<u8>> = s.iter().map(|m| m.to_vec()).collect();
            theirs.sort();
            ours.sort();
            assert_eq!(theirs, ours, "{key}");
        }
        Value::ZSet(z) => {
            let theirs = c.cmd(&[b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"]).strings();
            let mut ours = Vec::new();
            z.for_range(0, usize::MAX, false, |m, s| ours.push((m.to_vec(), s)));
            assert_eq!(theirs.len(), 2 * ours.len(), "{key}");
            for (pair, (m, s)) in theirs.chunks(2).zip(&ours) {
                assert_eq!(&pair[0], m, "{key}");
                let score: f64 = String::from_utf8_lossy(&pair[1]).parse().expect("score");
                assert_eq!(score, *s, "{key}");
            }
        }
        Value::Stream(s) => assert_same_stream(c, k, s),
    }
    if !value.is_string() {
        assert_eq!(
            c.cmd(&[b"OBJECT", b"ENCODING", k]).bytes(),
            value.encoding().as_bytes(),
            "{key}"
        );
    }
}

/// Entries, counters and groups of a stream against Redis's.
fn assert_same_stream(c: &mut Conn, k: &[u8], s: &Stream) {
    let theirs = c.cmd(&[b"XRANGE", k, b"-", b"+"]).items();
    let ours = s.range(StreamId::MIN, StreamId::MAX, false, 0);
    assert_eq!(theirs.len(), ours.len());
    for (t, (id, e)) in theirs.iter().zip(&ours) {
        let t = t.items();
        assert_eq!(t[0].bytes(), id.to_text().into_bytes());
        let strings: Vec<Vec<u8>> = e.strings().map(|s| s.to_vec()).collect();
        assert_eq!(t[1].strings(), strings);
    }
    let info = c.cmd(&[b"XINFO", b"STREAM", k]).items();
    let field = |name: &str| {
        info.chunks(2)
            .find(|p| p[0].bytes() == name.as_bytes())
            .map(|p| p[1].clone())
    };
    assert_eq!(field("length"), Some(Reply::Int(s.len() as i64)));
    assert_eq!(
        field("last-generated-id").map(|r| r.bytes()),
        Some(s.last_id.to_text().into_bytes())
    );
    assert_eq!(
        field("max-deleted-entry-id").map(|r| r.bytes()),
        Some(s.max_deleted_entry_id.to_text().into_bytes())
    );
    assert_eq!(
        field("entries-added"),
        Some(Reply::Int(s.entries_added as i64))
    );
    assert_eq!(
        field("recorded-first-entry-id").map(|r| r.bytes()),
        Some(s.first_id.to_text().into_bytes())
    );
    assert_eq!(
        field("radix-tree-keys"),
        Some(Reply::Int(s.node_count() as i64))
    );
    let groups = c.cmd(&[b"XINFO", b"GROUPS", k]).items();
    assert_eq!(groups.len(), s.groups.len());
    for (g, (name, group)) in groups.iter().zip(&s.groups) {
        let g = g.items();
        let gfield = |n: &str| {
            g.chunks(2)
                .find(|p| p[0].bytes() == n.as_bytes())
                .map(|p| p[1].clone())
        };
        assert_eq!(gfield("name").map(|r| r.bytes()), Some(name.to_vec()));
        assert_eq!(
            gfield("consumers"),
            Some(Reply::Int(group.consumers.len() as i64))
        );
        assert_eq!(gfield("pending"), Some(Reply::Int(group.pel.len() as i64)));
        assert_eq!(
            gfield("last-delivered-id").map(|r| r.bytes()),
            Some(group.last_id.to_text().into_bytes())
        );
        let read = gfield("entries-read").expect("entries-read");
        assert_eq!(
            read,
            if group.entries_read < 0 {
                Reply::Bulk(None)
            } else {
                Reply::Int(group.entries_read)
            }
        );
        let pending = c.cmd(&[b"XPENDING", k, name, b"-", b"+", b"1000"]).items();
        assert_eq!(pending.len(), group.pel.len());
        for (p, (id, nack)) in pending.iter().zip(&group.pel) {
            let p = p.items();
            assert_eq!(p[0].bytes(), id.to_text().into_bytes());
            assert_eq!(p[1].bytes(), nack.consumer.to_vec());
            assert_eq!(p[3], Reply::Int(nack.delivery_count as i64));
        }
    }
}

/// True for encodings whose serialization Redis produces in dict order.
fn unordered(value: &Value) -> bool {
    matches!(value.encoding(), "hashtable")
}

#[test]
fn dump_payloads_match_redis() {
    let dir = temp_dir("dump");
    let Some(redis) = Redis::start(&dir) else {
        return;
    };
    let mut c = redis.conn();
    let keys = populate(&mut c);
    assert!(keys.len() >= 30);
    let enc = Encodings::default();
    for key in &keys {
        let k = key.as_bytes();
        let theirs = c.cmd(&[b"DUMP", k]).bytes();
        let value = restore_payload(&theirs, &enc).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_same(&mut c, key, &value);
        let ours = dump_payload(&value, OPTS);
        if !unordered(&value) {
            assert_eq!(ours, theirs, "{key}: our DUMP differs from Redis's");
        }
        let copy = format!("copy:{key}");
        assert_eq!(
            c.cmd(&[b"RESTORE", copy.as_bytes(), b"0", &ours, b"REPLACE"]),
            Reply::Status("OK".into()),
            "{key}"
        );
        let digest = |c: &mut Conn, k: &[u8]| c.cmd(&[b"DEBUG", b"DIGEST-VALUE", k]).items();
        assert_eq!(digest(&mut c, k), digest(&mut c, copy.as_bytes()), "{key}");
        let uncompressed = dump_payload(
            &value,
            SaveOptions {
                compression: false,
                checksum: true,
                key_delay_us: 0,
            },
        );
        let plain = format!("plain:{key}");
        assert_eq!(
            c.cmd(&[b"RESTORE", plain.as_bytes(), b"0", &uncompressed]),
            Reply::Status("OK".into()),
            "{key}"
        );
        assert_eq!(digest(&mut c, k), digest(&mut c, plain.as_bytes()), "{key}");
    }
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Values built with the store API: every type and encoding.
fn store_values() -> Vec<(String, Value)> {
    let enc = Encodings::default();
    let mut out: Vec<(String, Value)> = vec![
        ("int".into(), Value::Int(-42)),
        ("str".into(), Value::Str(Bstr::from_slice(b"plain string"))),
        (
            "long".into(),
            Value::Str(Bstr::from_vec(b"abc".repeat(1000))),
        ),
    ];
    let mut list = QuickList::new(enc.list_fill);
    for i in 0..2000 {
        list.push_back(
            if i % 2 == 0 {
                i.to_string()
            } else {
                format!("item {i}")
            }
            .as_bytes(),
        );
    }
    out.push(("list".into(), Value::List(Box::new(list))));
    let (mut small, mut big) = (HashValue::new(), HashValue::new());
    for i in 0..600 {
        let (f, v) = (format!("field{i}"), i.to_string());
        big.set(f.as_bytes(), v.as_bytes(), enc.hash);
        if i < 5 {
            small.set(f.as_bytes(), v.as_bytes(), enc.hash);
        }
    }
    out.push(("hash:lp".into(), Value::Hash(Box::new(small))));
    out.push(("hash:table".into(), Value::Hash(Box::new(big))));
    let (mut ints, mut strs) = (SetValue::new_intset(), SetValue::for_member(b"x"));
    for i in 0..100 {
        ints.insert(
            (i * 100_000).to_string().as_bytes(),
            enc.set_max_intset_entries,
        );
        strs.insert(format!("m{i}").as_bytes(), enc.set_max_intset_entries);
    }
    out.push(("set:ints".into(), Value::Set(Box::new(ints))));
    out.push(("set:table".into(), Value::Set(Box::new(strs))));
    let (mut zl, mut zs) = (ZSetValue::new_listpack(), ZSetValue::new_skiplist());
    for i in 0..150 {
        let m = format!("member{i}");
        zs.insert(m.as_bytes(), f64::from(i) * 1.25, 0, 0);
        if i < 10 {
            zl.insert(
                m.as_bytes(),
                f64::from(i) - 0.5,
                enc.zset_max_listpack_entries,
                enc.zset_max_listpack_value,
            );
        }
    }
    out.push(("zset:lp".into(), Value::ZSet(zl)));
    out.push(("zset:skip".into(), Value::ZSet(zs)));
    out.push(("stream".into(), Value::Stream(Box::new(store_stream()))));
    out
}

/// A stream built with the store API.
fn store_stream() -> Stream {
    let limits = NodeLimits {
        max_bytes: 4096,
        max_entries: 100,
    };
    let mut s = Stream::new();
    for i in 1..=250u64 {
        let id = ParsedId {
            id: StreamId::new(i, 0),
            seq_given: true,
        };
        s.append(&[b"k", i.to_string().as_bytes()], Some(id), 0, limits)
            .expect("append");
    }
    s.delete_ids(&[StreamId::new(7, 0)]);
    let mut g = Group::new(StreamId::new(3, 0), 3);
    g.create_consumer(b"c1", 1_700_000_000_000);
    for i in 1..=3 {
        g.deliver(StreamId::new(i, 0), b"c1", 1_700_000_000_000 + i as i64);
    }
    s.groups.insert(b"grp".to_vec().into_boxed_slice(), g);
    s
}

#[test]
fn our_files_load_in_redis() {
    let dir = temp_dir("ours");
    let mut dbs: Vec<Db> = (0..16).map(|_| Db::new()).collect();
    let values = store_values();
    let deadline = 4_000_000_000_000i64;
    for (i, (key, value)) in values.iter().enumerate() {
        let db = &mut dbs[if i % 2 == 0 { 0 } else { 3 }];
        db.insert_new(key.as_bytes(), value.clone(), 0);
        if i % 3 == 0 {
            db.set_expire(key.as_bytes(), deadline + i as i64);
        }
    }
    let library = "#!lua name=mylib\nredis.register_function('hello', function() return 'hi' end)";
    let aux = [
        ("redis-ver", b"7.0.15".to_vec()),
        ("redis-bits", b"64".to_vec()),
        ("aof-base", b"0".to_vec()),
    ];
    let file = std::fs::File::create(dir.join("dump.rdb")).expect("create");
    let written = write_rdb(
        file,
        &dbs,
        &[library.as_bytes()],
        &aux,
        OPTS,
        AccessMeta::None,
        0,
    )
    .expect("write");
    assert_eq!(written, values.len() as u64);
    if let Ok(status) = Command::new("redis-check-rdb")
        .arg(dir.join("dump.rdb"))
        .stdout(Stdio::null())
        .status()
    {
        assert!(status.success(), "redis-check-rdb refused our file");
    } else {
        eprintln!("note: redis-check-rdb not found; skipping that check");
    }
    let Some(redis) = Redis::start(&dir) else {
        return;
    };
    let mut c = redis.conn();
    for (i, (key, value)) in values.iter().enumerate() {
        let db = if i % 2 == 0 { "0" } else { "3" };
        c.ok(&["SELECT", db]);
        assert_same(&mut c, key, value);
        let expected = if i % 3 == 0 { deadline + i as i64 } else { -1 };
        assert_eq!(
            c.cmd(&[b"PEXPIRETIME", key.as_bytes()]),
            Reply::Int(expected),
            "{key}"
        );
        let copy = format!("copy:{key}");
        // DEBUG DIGEST-VALUE counts a TTL in, so the copy gets the same one.
        let ttl = expected.max(0).to_string();
        let payload = dump_payload(value, OPTS);
        let restored = c.cmd(&[
            b"RESTORE",
            copy.as_bytes(),
            ttl.as_bytes(),
            &payload,
            b"ABSTTL",
        ]);
        assert_eq!(restored, Reply::Status("OK".into()), "{key}");
        let digest = |c: &mut Conn, k: &[u8]| c.cmd(&[b"DEBUG", b"DIGEST-VALUE", k]).items();
        assert_eq!(
            digest(&mut c, key.as_bytes()),
            digest(&mut c, copy.as_bytes()),
            "{key}"
        );
    }
    assert_eq!(c.ok(&["FCALL", "hello", "0"]).bytes(), b"hi");
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Keeps what a file holds.
#[derive(Default)]
struct Collect {
    aux: Vec<(Vec<u8>, Vec<u8>)>,
    functions: Vec<Vec<u8>>,
    keys: Vec<(usize, String, Value, KeyMeta)>,
}

impl LoadSink for Collect {
    fn aux(&mut self, key: &[u8], value: &[u8]) {
        self.aux.push((key.to_vec(), value.to_vec()));
    }
    fn function(&mut self, code: Vec<u8>) -> Result<(), String> {
        self.functions.push(code);
        Ok(())
    }
    fn key(&mut self, db: usize, key: Bstr, value: Value, meta: KeyMeta) -> Result<(), String> {
        self.keys.push((
            db,
            String::from_utf8_lossy(key.as_slice()).into_owned(),
            value,
            meta,
        ));
        Ok(())
    }
}

#[test]
fn redis_files_load_here() {
    let dir = temp_dir("theirs");
    let Some(redis) = Redis::start(&dir) else {
        return;
    };
    let mut c = redis.conn();
    let mut keys = populate(&mut c);
    c.ok(&["SET", "ttl", "expiring"]);
    c.ok(&["PEXPIREAT", "ttl", "4000000000000"]);
    keys.push("ttl".into());
    let library = "#!lua name=savedlib\nredis.register_function('f1', function() return 1 end)";
    c.ok(&["FUNCTION", "LOAD", library]);
    c.ok(&["SELECT", "5"]);
    c.ok(&["SET", "in-db-5", "v"]);
    c.ok(&["SELECT", "0"]);
    c.ok(&["SAVE"]);
    let file = std::fs::File::open(dir.join("dump.rdb")).expect("dump.rdb");
    let mut sink = Collect::default();
    let stats = load_rdb(
        std::io::BufReader::new(file),
        &Encodings::default(),
        &mut sink,
    )
    .expect("loads");
    assert_eq!(stats.keys as usize, keys.len() + 1);
    assert_eq!(stats.version, 10);
    assert_eq!(sink.functions, vec![library.as_bytes().to_vec()]);
    assert!(sink
        .aux
        .contains(&(b"redis-ver".to_vec(), b"7.0.15".to_vec())));
    for (db, key, value, meta) in &sink.keys {
        c.ok(&["SELECT", &db.to_string()]);
        assert_same(&mut c, key, value);
        let expire = c.cmd(&[b"PEXPIRETIME", key.as_bytes()]);
        assert_eq!(expire, Reply::Int(meta.expire_ms.unwrap_or(-1)), "{key}");
    }
    assert!(sink
        .keys
        .iter()
        .any(|(db, key, _, _)| *db == 5 && key == "in-db-5"));
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lzf_matches_redis_on_many_strings() {
    let dir = temp_dir("lzf");
    let Some(redis) = Redis::start(&dir) else {
        return;
    };
    let mut c = redis.conn();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut checked = 0;
    for round in 0..400 {
        let len = 21 + (next() % 6000) as usize;
        let alphabet = 1 + (next() % 40) as u8;
        let chunk = 1 + (next() % 300) as usize;
        let mut s: Vec<u8> = Vec::with_capacity(len);
        while s.len() < len {
            if next() % 3 == 0 && s.len() > chunk {
                let from = (next() as usize) % (s.len() - chunk);
                let piece = s[from..from + chunk.min(len - s.len())].to_vec();
                s.extend_from_slice(&piece);
            } else {
                s.push(b'a' + (next() % u64::from(alphabet)) as u8);
            }
        }
        let key = format!("lzf:{round}");
        c.cmd(&[b"SET", key.as_bytes(), &s]);
        let theirs = c.cmd(&[b"DUMP", key.as_bytes()]).bytes();
        let value = restore_payload(&theirs, &Encodings::default()).expect("restores");
        assert_eq!(
            dump_payload(&value, OPTS),
            theirs,
            "string {round} ({len} bytes)"
        );
        checked += 1;
    }
    assert_eq!(checked, 400);
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}
