//! Round trips of every value type and encoding through DUMP payloads and whole files,
//! the conversions past the encoding thresholds, the formats only older files hold, and
//! hostile input (random bytes, truncations, forged counts), which must give an error,
//! never a panic.

use super::format::*;
use super::write::Output;
use super::*;
use crate::persistence::crc64::crc64;
use crate::store::hash::HashValue;
use crate::store::quicklist::QuickList;
use crate::store::set::SetValue;
use crate::store::stream::{Group, NodeLimits, ParsedId, Stream, StreamId};
use crate::store::zset::ZSetValue;
use crate::store::{Bstr, Db, Value};

const OPTS: SaveOptions = SaveOptions {
    compression: true,
    checksum: true,
    key_delay_us: 0,
};

/// A value's type and encoding, and its contents.
type Described = (String, Vec<Vec<u8>>);

/// A comparable description of a value: its type, its encoding, its contents.
pub fn describe(value: &Value) -> Described {
    let mut items: Vec<Vec<u8>> = Vec::new();
    match value {
        Value::Int(n) => items.push(n.to_string().into_bytes()),
        Value::Str(s) | Value::RawStr(s) => items.push(s.as_slice().to_vec()),
        Value::List(l) => items.extend(l.iter().map(|e| e.to_vec())),
        Value::Hash(h) => {
            let mut pairs: Vec<Vec<u8>> = h
                .iter()
                .map(|(f, v)| [f.to_vec(), b"=".to_vec(), v.to_vec()].concat())
                .collect();
            pairs.sort();
            items = pairs;
        }
        Value::Set(s) => {
            items.extend(s.iter().map(|m| m.to_vec()));
            items.sort();
        }
        Value::ZSet(z) => z.for_range(0, usize::MAX, false, |m, s| {
            items.push([m, b"@", &s.to_bits().to_be_bytes()].concat())
        }),
        Value::Stream(s) => items.push(describe_stream(s).into_bytes()),
    }
    // A string's encoding after loading is what its bytes call for (a raw string
    // written by APPEND loads as embstr or int, as in Redis).
    let encoding = if value.is_string() {
        "any"
    } else {
        value.encoding()
    };
    (format!("{}/{}", value.value_type().name(), encoding), items)
}

/// Everything a stream holds, as text.
fn describe_stream(s: &Stream) -> String {
    let mut out = format!(
        "len {} last {:?} first {:?} maxdel {:?} added {}\n",
        s.len(),
        s.last_id,
        s.first_id,
        s.max_deleted_entry_id,
        s.entries_added
    );
    for (master, node) in s.nodes() {
        out += &format!(
            "node {master:?} live {} deleted {} fields {:?}\n",
            node.live,
            node.deleted,
            node.master_fields()
        );
        for (_, e) in node.iter() {
            let strings: Vec<Vec<u8>> = e.strings().map(|s| s.to_vec()).collect();
            out += &format!("  {:?} {} {:?}\n", e.id, e.deleted, strings);
        }
    }
    out + &format!("{:?}", s.groups)
}

fn ids(ms: u64, seq: u64) -> Option<ParsedId> {
    Some(ParsedId {
        id: StreamId::new(ms, seq),
        seq_given: true,
    })
}

/// A stream with several nodes, shared and own field names, deletions, and a group
/// with pending entries for two consumers.
pub fn sample_stream() -> Stream {
    let limits = NodeLimits {
        max_bytes: 4096,
        max_entries: 10,
    };
    let mut s = Stream::new();
    for i in 1..=35u64 {
        let v = format!("value-{i}");
        let pairs: Vec<&[u8]> = if i % 4 == 0 {
            vec![b"other", v.as_bytes(), b"n", b"12"]
        } else {
            vec![b"field", v.as_bytes(), b"n", b"-7"]
        };
        s.append(&pairs, ids(1000 + i, i % 3), 0, limits)
            .expect("append");
    }
    s.delete_ids(&[StreamId::new(1003, 0), StreamId::new(1020, 2)]);
    let mut group = Group::new(StreamId::new(1010, 1), 9);
    group.create_consumer(b"alice", 111);
    group.create_consumer(b"bob", 222);
    group.create_consumer(b"idle", 333);
    group.deliver(StreamId::new(1005, 2), b"alice", 5000);
    group.deliver(StreamId::new(1006, 0), b"bob", 6000);
    group.deliver(StreamId::new(1007, 1), b"alice", 7000);
    s.groups.insert(b"g1".to_vec().into_boxed_slice(), group);
    s.groups.insert(
        b"empty".to_vec().into_boxed_slice(),
        Group::new(StreamId::MIN, -1),
    );
    s
}

/// One value of every type in every encoding, under Redis's default thresholds.
pub fn sample_values() -> Vec<Value> {
    let enc = Encodings::default();
    let mut values = vec![
        Value::Int(12345),
        Value::Int(-1),
        Value::Int(i64::MIN),
        Value::Int(1 << 40),
        Value::Str(Bstr::from_slice(b"hello")),
        Value::Str(Bstr::from_slice(b"")),
        Value::Str(Bstr::from_slice(&[b'a'; 100])),
        Value::RawStr(Bstr::from_slice(b"\x00\x01binary\xff\r\n")),
        Value::RawStr(Bstr::from_slice(b"12")),
        Value::Str(Bstr::from_vec(
            (0..200_000u32).map(|i| (i % 7) as u8).collect(),
        )),
        Value::Str(Bstr::from_vec(
            (0..100_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
        )),
    ];
    let mut small = QuickList::new(enc.list_fill);
    for v in [
        &b"a"[..],
        b"1",
        b"-300",
        b"",
        b"9223372036854775807",
        b"x y",
    ] {
        small.push_back(v);
    }
    let mut big = QuickList::new(enc.list_fill);
    for i in 0..5000 {
        big.push_back(format!("element-{i}").as_bytes());
    }
    values.push(Value::List(Box::new(small)));
    values.push(Value::List(Box::new(big)));
    let mut lp_hash = HashValue::new();
    for (f, v) in [
        (&b"name"[..], &b"x"[..]),
        (b"age", b"42"),
        (b"7", b"-1"),
        (b"empty", b""),
    ] {
        lp_hash.set(f, v, enc.hash);
    }
    let mut table = HashValue::new();
    for i in 0..600 {
        table.set(
            format!("f{i}").as_bytes(),
            format!("{i}").as_bytes(),
            enc.hash,
        );
    }
    values.push(Value::Hash(Box::new(lp_hash)));
    values.push(Value::Hash(Box::new(table)));
    for members in [vec![1i64, -5, 300], vec![70000, 1], vec![1 << 40, -3]] {
        let mut set = SetValue::new_intset();
        for m in members {
            set.insert(m.to_string().as_bytes(), enc.set_max_intset_entries);
        }
        values.push(Value::Set(Box::new(set)));
    }
    let mut strings = SetValue::for_member(b"a");
    for m in [&b"a"[..], b"b", b"12", b"longer member"] {
        strings.insert(m, enc.set_max_intset_entries);
    }
    values.push(Value::Set(Box::new(strings)));
    let mut zl = ZSetValue::new_listpack();
    for (m, s) in [
        (&b"a"[..], 1.0),
        (b"b", 1.5),
        (b"7", -3.0),
        (b"c", f64::INFINITY),
        (b"d", f64::NEG_INFINITY),
        (b"e", 0.1),
        (b"f", 5e18),
    ] {
        zl.insert(
            m,
            s,
            enc.zset_max_listpack_entries,
            enc.zset_max_listpack_value,
        );
    }
    values.push(Value::ZSet(zl));
    let mut zs = ZSetValue::new_skiplist();
    for i in 0..200 {
        zs.insert(format!("m{i}").as_bytes(), f64::from(i) / 3.0, 0, 0);
    }
    values.push(Value::ZSet(zs));
    values.push(Value::Stream(Box::new(sample_stream())));
    values
}

#[test]
fn every_value_round_trips_through_dump_payloads() {
    for compression in [true, false] {
        let opts = SaveOptions {
            compression,
            checksum: true,
            key_delay_us: 0,
        };
        for value in sample_values() {
            let payload = dump_payload(&value, opts);
            let back = restore_payload(&payload, &Encodings::default()).expect("restores");
            assert_eq!(describe(&back), describe(&value));
            assert_eq!(dump_payload(&back, opts), payload, "{}", describe(&value).0);
        }
    }
}

#[test]
fn plain_list_nodes_are_written_and_read_as_redis_does() {
    let mut list = QuickList::new(-2);
    list.push_plain_node(b"9");
    list.push_back(b"a");
    list.push_plain_node(b"hello");
    let value = Value::List(Box::new(list));
    let payload = dump_payload(&value, OPTS);
    // Three nodes: plain "9" (int-encoded, as rdbSaveRawString writes it), a packed
    // listpack of "a", plain "hello".
    let body = [
        &[TYPE_LIST_QUICKLIST_2, 3][..],
        &[1, 0xc0, 9],
        &[2, 10, 10, 0, 0, 0, 1, 0, 0x81, b'a', 2, 0xff],
        &[1, 5],
        b"hello",
    ]
    .concat();
    assert_eq!(payload[..payload.len() - 10], body);
    let back = restore_payload(&payload, &Encodings::default()).expect("restores");
    let Value::List(back) = &back else {
        panic!("not a list");
    };
    let plain: Vec<bool> = back.nodes().map(|n| n.is_plain()).collect();
    assert_eq!(plain, [true, false, true]);
    assert_eq!(back.len(), 3);
}

#[test]
fn strings_load_in_their_natural_encoding() {
    let enc = Encodings::default();
    for (value, encoding) in [
        (Value::RawStr(Bstr::from_slice(b"12")), "int"),
        (Value::RawStr(Bstr::from_slice(b"short")), "embstr"),
        (Value::Int(1 << 40), "int"),
        (Value::Str(Bstr::from_slice(&[b'x'; 45])), "raw"),
    ] {
        let back = restore_payload(&dump_payload(&value, OPTS), &enc).expect("restores");
        assert_eq!(back.encoding(), encoding);
    }
}

#[test]
fn compression_only_when_it_pays() {
    let long = Value::Str(Bstr::from_slice(&[b'a'; 100]));
    assert!(dump_payload(&long, OPTS).len() < 30);
    assert!(
        dump_payload(
            &long,
            SaveOptions {
                compression: false,
                checksum: true,
                key_delay_us: 0,
            }
        )
        .len()
            > 100
    );
    let payload = dump_payload(&Value::Int(7), OPTS);
    assert_eq!(&payload[..3], &[TYPE_STRING, 0xc0, 7]);
    assert_eq!(&payload[3..5], &RDB_VERSION.to_le_bytes());
    assert_eq!(payload.len(), 13);
}

/// Signs a payload body with a fresh footer.
fn signed(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

#[test]
fn footers_are_checked() {
    let payload = dump_payload(&Value::Int(7), OPTS);
    let mut bad_crc = payload.clone();
    *bad_crc.last_mut().expect("footer") ^= 1;
    let enc = Encodings::default();
    assert_eq!(
        restore_payload(&bad_crc, &enc).err(),
        Some(RestoreError::VersionOrChecksum)
    );
    let mut newer = payload[..3].to_vec();
    newer.extend_from_slice(&11u16.to_le_bytes());
    let crc = crc64(0, &newer);
    newer.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(
        restore_payload(&newer, &enc).err(),
        Some(RestoreError::VersionOrChecksum)
    );
    assert_eq!(
        restore_payload(b"short", &enc).err(),
        Some(RestoreError::VersionOrChecksum)
    );
    assert_eq!(
        restore_payload(&signed(&[]), &enc).err(),
        Some(RestoreError::BadFormat)
    );
    assert_eq!(
        restore_payload(&signed(&[TYPE_MODULE_2, 1]), &enc).err(),
        Some(RestoreError::BadFormat)
    );
}

#[test]
fn empty_collections_are_refused() {
    let enc = Encodings::default();
    for body in [
        &[TYPE_HASH, 0][..],
        &[TYPE_SET, 0],
        &[TYPE_ZSET_2, 0],
        &[TYPE_LIST, 0],
        &[TYPE_LIST_QUICKLIST_2, 0],
    ] {
        assert_eq!(
            restore_payload(&signed(body), &enc).err(),
            Some(RestoreError::BadFormat)
        );
    }
    let mut empty_lp = vec![TYPE_HASH_LISTPACK, 7];
    empty_lp.extend_from_slice(&[7, 0, 0, 0, 0, 0, 0xff]);
    assert_eq!(
        restore_payload(&signed(&empty_lp), &enc).err(),
        Some(RestoreError::BadFormat)
    );
}

#[test]
fn truncated_and_mutated_payloads_never_panic() {
    let enc = Encodings::default();
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for value in sample_values() {
        let payload = dump_payload(
            &value,
            SaveOptions {
                compression: false,
                checksum: true,
                key_delay_us: 0,
            },
        );
        let body = &payload[..payload.len() - 10];
        let step = (body.len() / 300).max(1);
        for cut in (0..body.len()).step_by(step) {
            assert!(
                restore_payload(&signed(&body[..cut]), &enc).is_err(),
                "{} cut at {cut}",
                describe(&value).0
            );
        }
        for _ in 0..300 {
            let mut forged = body.to_vec();
            for _ in 0..1 + next() % 3 {
                let at = (next() as usize) % forged.len();
                forged[at] = next() as u8;
            }
            let _ = restore_payload(&signed(&forged), &enc);
        }
    }
    for len in 0..2000usize {
        let bytes: Vec<u8> = (0..len % 64).map(|_| next() as u8).collect();
        let _ = restore_payload(&signed(&bytes), &enc);
        let _ = restore_payload(&bytes, &enc);
    }
}

#[test]
fn thresholds_decide_encodings_on_load() {
    let tight = Encodings {
        hash: crate::store::hash::Limits {
            max_entries: 2,
            max_value: 64,
        },
        set_max_intset_entries: 2,
        zset_max_listpack_entries: 2,
        zset_max_listpack_value: 64,
        list_fill: -2,
        list_depth: 0,
    };
    let values = sample_values();
    let find = |name: &str| values.iter().find(|v| describe(v).0 == name).expect(name);
    for (from, to) in [
        ("hash/listpack", "hash/hashtable"),
        ("set/intset", "set/hashtable"),
        ("zset/listpack", "zset/skiplist"),
    ] {
        let back = restore_payload(&dump_payload(find(from), OPTS), &tight).expect("restores");
        assert_eq!(describe(&back).0, to);
        assert_eq!(describe(&back).1, describe(find(from)).1);
    }
    let mut small = ZSetValue::new_skiplist();
    small.insert(b"a", 1.0, 0, 0);
    let back = restore_payload(
        &dump_payload(&Value::ZSet(small), OPTS),
        &Encodings::default(),
    );
    assert_eq!(
        back.map(|v| describe(&v).0).ok().as_deref(),
        Some("zset/listpack")
    );
    // A type-4 hash with a value over hash-max-listpack-value becomes a table.
    let mut body = vec![TYPE_HASH, 2, 1, b'a', 1, b'b', 1, b'c'];
    put_len(&mut body, 70);
    body.extend_from_slice(&[b'v'; 70]);
    let back = restore_payload(&signed(&body), &Encodings::default()).expect("restores");
    assert_eq!(describe(&back).0, "hash/hashtable");
    let dup = [TYPE_HASH, 2, 1, b'a', 1, b'b', 1, b'a', 1, b'c'];
    assert!(restore_payload(&signed(&dup), &Encodings::default()).is_err());
}

#[test]
fn old_formats_load() {
    use super::ziplist::tests::{ziplist, zl_str};
    let enc = Encodings::default();
    let restore = |body: Vec<u8>| restore_payload(&signed(&body), &enc).map(|v| describe(&v));
    let as_string = |mut kind: Vec<u8>, blob: &[u8]| {
        put_len(&mut kind, blob.len() as u64);
        kind.extend_from_slice(blob);
        kind
    };
    let zl = ziplist(&[&zl_str(b"a"), &[0xf3], &zl_str(b"b"), &[0xc0, 0x39, 0x30]]);
    let list = restore(as_string(vec![TYPE_LIST_ZIPLIST], &zl)).expect("list");
    assert_eq!(
        list,
        (
            "list/quicklist".into(),
            vec![
                b"a".to_vec(),
                b"2".to_vec(),
                b"b".to_vec(),
                b"12345".to_vec()
            ]
        )
    );
    let hash = restore(as_string(vec![TYPE_HASH_ZIPLIST], &zl)).expect("hash");
    assert_eq!(
        hash,
        (
            "hash/listpack".into(),
            vec![b"a=2".to_vec(), b"b=12345".to_vec()]
        )
    );
    let zset_zl = ziplist(&[&zl_str(b"x"), &zl_str(b"1.5"), &zl_str(b"y"), &[0xf3]]);
    let zset = restore(as_string(vec![TYPE_ZSET_ZIPLIST], &zset_zl)).expect("zset");
    assert_eq!(zset.0, "zset/listpack");
    let unordered = ziplist(&[&zl_str(b"y"), &[0xf3], &zl_str(b"x"), &zl_str(b"1.5")]);
    assert!(restore(as_string(vec![TYPE_ZSET_ZIPLIST], &unordered)).is_err());
    let mut quick = vec![TYPE_LIST_QUICKLIST, 2];
    for blob in [&zl, &ziplist(&[&zl_str(b"tail")])] {
        put_len(&mut quick, blob.len() as u64);
        quick.extend_from_slice(blob);
    }
    assert_eq!(restore(quick).map(|d| d.1.len()), Ok(5));
    let zipmap = [1, 1, b'f', 2, 0, b'v', b'v', 0xff];
    let hash = restore(as_string(vec![TYPE_HASH_ZIPMAP], &zipmap)).expect("zipmap");
    assert_eq!(hash.1, vec![b"f=vv".to_vec()]);
    let text_zset = [TYPE_ZSET, 2, 1, b'a', 3, b'2', b'.', b'5', 1, b'b', 254];
    let zset = restore(text_zset.to_vec()).expect("text scores");
    assert_eq!(zset.1.len(), 2);
    let plain = [TYPE_LIST, 2, 1, b'q', 0xc0, 5];
    assert_eq!(
        restore(plain.to_vec()).map(|d| d.1),
        Ok(vec![b"q".to_vec(), b"5".to_vec()])
    );
}

#[test]
fn version_one_streams_get_estimated_counters() {
    let s = sample_stream();
    let mut out = Output::new(Vec::new(), false, false);
    out.byte(TYPE_STREAM_LISTPACKS).expect("vec");
    out.length(s.node_count() as u64).expect("vec");
    for (master, node) in s.nodes() {
        let mut key = master.ms.to_be_bytes().to_vec();
        key.extend_from_slice(&master.seq.to_be_bytes());
        out.string(&key).expect("vec");
        out.string(&super::stream::node_listpack(node))
            .expect("vec");
    }
    for n in [s.len(), s.last_id.ms, s.last_id.seq, 0] {
        out.length(n).expect("vec");
    }
    let body = out.finish().expect("vec");
    let back = restore_payload(&signed(&body), &Encodings::default()).expect("restores");
    let Value::Stream(back) = back else {
        panic!("a stream")
    };
    assert_eq!(back.len(), s.len());
    assert_eq!(back.entries_added, s.len());
    assert_eq!(back.first_id, StreamId::new(1001, 1));
}

/// Collects what a file holds.
#[derive(Default)]
struct Collect {
    aux: Vec<(Vec<u8>, Vec<u8>)>,
    functions: Vec<Vec<u8>>,
    keys: Vec<(usize, Vec<u8>, Described, KeyMeta)>,
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
        self.keys
            .push((db, key.as_slice().to_vec(), describe(&value), meta));
        Ok(())
    }
}

/// Two databases holding every sample value, some with a TTL.
fn sample_dbs() -> Vec<Db> {
    let mut dbs: Vec<Db> = (0..3).map(|_| Db::new()).collect();
    for (i, value) in sample_values().into_iter().enumerate() {
        let db = &mut dbs[if i % 2 == 0 { 0 } else { 2 }];
        let key = format!("key:{i}");
        db.insert_new(key.as_bytes(), value, 1_000_000);
        if i % 3 == 0 {
            db.set_expire(key.as_bytes(), 5_000_000 + i as i64);
        }
    }
    dbs
}

#[test]
fn whole_files_round_trip() {
    let dbs = sample_dbs();
    let aux = [
        ("redis-ver", b"7.0.15".to_vec()),
        ("redis-bits", b"64".to_vec()),
    ];
    let code = b"#!lua name=lib\nredis.register_function('f', function() return 1 end)".to_vec();
    let mut file = Vec::new();
    let written = write_rdb(
        &mut file,
        &dbs,
        &[&code],
        &aux,
        OPTS,
        AccessMeta::Lru,
        1_003_000,
    )
    .expect("writes");
    assert_eq!(written, sample_values().len() as u64);
    assert_eq!(&file[..9], b"REDIS0010");
    let mut sink = Collect::default();
    let stats = load_rdb(&file[..], &Encodings::default(), &mut sink).expect("loads");
    assert_eq!(stats.keys, written);
    assert_eq!(stats.version, 10);
    assert_eq!(stats.bytes, file.len() as u64);
    assert_eq!(sink.functions, vec![code]);
    assert_eq!(sink.aux[0], (b"redis-ver".to_vec(), b"7.0.15".to_vec()));
    assert_eq!(sink.aux[1], (b"redis-bits".to_vec(), b"64".to_vec()));
    for (db, key, described, meta) in &sink.keys {
        let obj = dbs[*db]
            .iter()
            .find(|(k, _)| k.as_slice() == &key[..])
            .map(|(_, o)| o)
            .expect("key");
        assert_eq!(described, &describe(&obj.value));
        assert_eq!(meta.expire_ms, dbs[*db].expire_at(key));
        assert_eq!(meta.idle_secs, Some(3));
    }
    assert_eq!(
        crc64(0, &file[..file.len() - 8]).to_le_bytes(),
        file[file.len() - 8..]
    );
}

#[test]
fn files_are_checked() {
    let dbs = sample_dbs();
    let write = |opts: SaveOptions| {
        let mut file = Vec::new();
        write_rdb(
            &mut file,
            &dbs,
            &[],
            &[],
            opts,
            AccessMeta::Lfu { decay_minutes: 1 },
            0,
        )
        .expect("writes");
        file
    };
    let enc = Encodings::default();
    let unchecked = write(SaveOptions {
        compression: true,
        checksum: false,
        key_delay_us: 0,
    });
    assert_eq!(&unchecked[unchecked.len() - 8..], &[0; 8]);
    assert!(load_rdb(&unchecked[..], &enc, &mut Collect::default()).is_ok());
    let mut flipped = write(OPTS);
    let at = flipped.len() - 20;
    flipped[at] ^= 0x40;
    assert!(load_rdb(&flipped[..], &enc, &mut Collect::default()).is_err());
    let file = write(OPTS);
    let step = file.len() / 500;
    for cut in (0..file.len()).step_by(step.max(1)) {
        let err = load_rdb(&file[..cut], &enc, &mut Collect::default()).expect_err("truncated");
        assert!(err.offset <= cut as u64);
    }
    let mut newer = file.clone();
    newer[8] = b'1';
    let err = load_rdb(&newer[..], &enc, &mut Collect::default()).expect_err("version 11");
    assert!(err.message.contains("version 11"), "{err}");
    assert!(load_rdb(&b"REDIS0009\xff"[..], &enc, &mut Collect::default()).is_err());
    let mut old = b"REDIS0004".to_vec();
    old.extend_from_slice(&[
        OP_SELECTDB,
        1,
        OP_EXPIRETIME,
        1,
        0,
        0,
        0,
        TYPE_STRING,
        1,
        b'k',
        1,
        b'v',
        OP_EOF,
    ]);
    let mut sink = Collect::default();
    load_rdb(&old[..], &enc, &mut sink).expect("version 4 has no checksum");
    assert_eq!(sink.keys[0].0, 1);
    assert_eq!(sink.keys[0].3.expire_ms, Some(1000));
    let mut module = b"REDIS0010".to_vec();
    module.extend_from_slice(&[OP_MODULE_AUX, 0]);
    assert!(load_rdb(&module[..], &enc, &mut Collect::default()).is_err());
}

#[test]
fn function_payloads() {
    let codes: [&[u8]; 2] = [b"#!lua name=a\ncode", &[b'x'; 300]];
    let payload = dump_functions(&codes, OPTS);
    assert_eq!(
        restore_functions(&payload),
        Ok(codes.iter().map(|c| c.to_vec()).collect())
    );
    let value = dump_payload(&Value::Int(1), OPTS);
    assert_eq!(
        restore_functions_detailed(&value),
        Err("given type is not a function")
    );
    let mut cut = payload[..payload.len() - 12].to_vec();
    cut = signed(&cut);
    assert_eq!(
        restore_functions_detailed(&cut),
        Err("Failed loading library payload")
    );
    assert_eq!(restore_functions(&cut), Err(RestoreError::BadFormat));
    let mut old = vec![
        OP_FUNCTION_PRE_GA,
        3,
        b'l',
        b'i',
        b'b',
        3,
        b'L',
        b'U',
        b'A',
        1,
        1,
        b'd',
        4,
    ];
    old.extend_from_slice(b"body");
    assert_eq!(
        restore_functions(&signed(&old)),
        Ok(vec![b"#!LUA name=lib\nbody".to_vec()])
    );
}

#[test]
fn streams_with_consumer_active_times_load() {
    let s = sample_stream();
    let (master, node) = s.nodes().next().expect("a node");
    let first = node.iter().next().expect("an entry").1.id;
    let raw = |id: StreamId| [id.ms.to_be_bytes(), id.seq.to_be_bytes()].concat();
    let mut out = Output::new(Vec::new(), false, false);
    let mut put =
        |f: &mut dyn FnMut(&mut Output<Vec<u8>>) -> std::io::Result<()>| f(&mut out).expect("vec");
    put(&mut |o| o.byte(TYPE_STREAM_LISTPACKS_3));
    put(&mut |o| o.length(1));
    put(&mut |o| o.string(&raw(*master)));
    put(&mut |o| o.string(&super::stream::node_listpack(node)));
    let live = node.live;
    let last = node.iter().last().expect("an entry").1.id;
    for n in [live, last.ms, last.seq, first.ms, first.seq, 0, 0, live, 1] {
        put(&mut |o| o.length(n));
    }
    put(&mut |o| o.string(b"grp"));
    for n in [first.ms, first.seq, 1, 1] {
        put(&mut |o| o.length(n));
    }
    put(&mut |o| o.bytes(&raw(first)));
    put(&mut |o| o.millis(77));
    put(&mut |o| o.length(2));
    put(&mut |o| o.length(1));
    put(&mut |o| o.string(b"carol"));
    put(&mut |o| o.millis(100));
    put(&mut |o| o.millis(200));
    put(&mut |o| o.length(1));
    put(&mut |o| o.bytes(&raw(first)));
    let body = out.finish().expect("vec");
    let back = restore_payload(&signed(&body), &Encodings::default()).expect("restores");
    let Value::Stream(back) = back else {
        panic!("a stream")
    };
    let group = &back.groups[&b"grp"[..]];
    assert_eq!(group.consumers[&b"carol"[..]].seen_time, 100);
    assert_eq!(group.pel[&first].delivery_count, 2);
    assert_eq!(&group.pel[&first].consumer[..], b"carol");
}

/// A sink that accepts nothing.
struct Refuse;

impl LoadSink for Refuse {
    fn function(&mut self, _code: Vec<u8>) -> Result<(), String> {
        Err("no functions here".into())
    }
    fn key(&mut self, db: usize, _key: Bstr, _value: Value, _meta: KeyMeta) -> Result<(), String> {
        Err(format!("DB index {db} is out of range"))
    }
}

#[test]
fn sink_errors_abort_the_load() {
    let mut file = Vec::new();
    write_rdb(
        &mut file,
        &sample_dbs(),
        &[],
        &[],
        OPTS,
        AccessMeta::None,
        0,
    )
    .expect("writes");
    let err = load_rdb(&file[..], &Encodings::default(), &mut Refuse).expect_err("refused");
    assert_eq!(err.message, "DB index 0 is out of range");
    assert!(err.offset > 9 && err.offset < file.len() as u64);
    let mut file = Vec::new();
    write_rdb(&mut file, &[], &[b"code"], &[], OPTS, AccessMeta::None, 0).expect("writes");
    let err = load_rdb(&file[..], &Encodings::default(), &mut Refuse).expect_err("refused");
    assert_eq!(err.message, "no functions here");
}

#[test]
fn compressed_lists_save_as_uncompressed_ones_and_load_compressed() {
    let values: Vec<Vec<u8>> = (0..5000)
        .map(|i| format!("{}:element:{i}", i % 7).into_bytes())
        .collect();
    let (mut plain, mut packed) = (QuickList::new(-2), QuickList::with_depth(-2, 1));
    for v in &values {
        plain.push_back(v);
        packed.push_back(v);
    }
    assert!(packed.compressed_nodes() > 0);
    let payload = dump_payload(&Value::List(Box::new(plain)), OPTS);
    assert_eq!(dump_payload(&Value::List(Box::new(packed)), OPTS), payload);
    let enc = Encodings {
        list_depth: 2,
        ..Encodings::default()
    };
    let back = restore_payload(&payload, &enc).expect("restores");
    let Value::List(back) = &back else {
        panic!("not a list");
    };
    assert_eq!(back.depth(), 2);
    assert_eq!(back.compressed_nodes(), back.node_count() - 4);
    assert_eq!(back.iter().map(|e| e.to_vec()).collect::<Vec<_>>(), values);
}
