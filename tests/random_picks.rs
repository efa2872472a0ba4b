//! Negative counts to SRANDMEMBER, ZRANDMEMBER and HRANDFIELD: replies of up to 2^63
//! random picks. Past a megabyte they are produced as the client reads, so they
//! neither fill memory nor hold the server, and they still come whole and in order.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::{encode, scratch_dir, RawConn, RealRedis, TestServer};

/// Picks per reply in the byte-for-byte comparisons: a few megabytes, past the size
/// written inline.
const PICKS: usize = 300_000;

/// The commands whose long replies are compared, after `setup`, with the one value
/// each key holds (so the reply is the same on every server).
fn commands() -> Vec<Vec<Vec<u8>>> {
    let count = format!("-{PICKS}");
    [
        vec!["SRANDMEMBER", "s", &count],
        vec!["SRANDMEMBER", "ints", &count],
        vec!["ZRANDMEMBER", "z", &count],
        vec!["ZRANDMEMBER", "z", &count, "WITHSCORES"],
        vec!["HRANDFIELD", "h", &count],
        vec!["HRANDFIELD", "h", &count, "WITHVALUES"],
    ]
    .iter()
    .map(|args| args.iter().map(|a| a.as_bytes().to_vec()).collect())
    .collect()
}

fn setup(conn: &mut RawConn) {
    conn.cmd(&[b"SADD", b"s", b"member"]);
    conn.cmd(&[b"SADD", b"ints", b"12345"]);
    conn.cmd(&[b"ZADD", b"z", b"1.5", b"m"]);
    conn.cmd(&[b"HSET", b"h", b"field", b"value"]);
}

/// What a server answers to `args` then PING, pipelined: read to
/// the PONG, whose bytes are known, so the long reply is read in large pieces.
fn long_reply_then_pong(conn: &mut RawConn, args: &[Vec<u8>]) -> Vec<u8> {
    let pong: &[u8] = b"+PONG\r\n";
    let argv: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    let mut request = encode(&argv);
    request.extend(encode(&[b"PING"]));
    conn.send(&request);
    let mut got = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    while !got.ends_with(pong) {
        let n = conn.stream.read(&mut buf).expect("read the long reply");
        assert!(n > 0, "connection closed after {} bytes", got.len());
        got.extend_from_slice(&buf[..n]);
    }
    got
}

#[test]
fn long_replies_are_byte_identical_to_redis_and_keep_their_order() {
    let server = TestServer::start();
    let dir = scratch_dir("random-picks-redis");
    let redis = RealRedis::start(&dir, &["--save", ""]);
    for resp in [2u8, 3] {
        let mut ours = server.raw();
        let version = resp.to_string();
        let hello = [b"HELLO".as_slice(), version.as_bytes()];
        ours.cmd(&hello);
        setup(&mut ours);
        let mut theirs = redis.as_ref().map(|r| {
            let mut conn = r.raw();
            conn.cmd(&hello);
            setup(&mut conn);
            conn
        });
        for args in commands() {
            let got = long_reply_then_pong(&mut ours, &args);
            let what = String::from_utf8_lossy(&args.join(&b' ')).into_owned();
            assert!(got.len() > 2 << 20, "{what}: {} bytes", got.len());
            if let Some(theirs) = theirs.as_mut() {
                let expected = long_reply_then_pong(theirs, &args);
                assert!(
                    got == expected,
                    "RESP{resp} {what}: differs from redis-server"
                );
            }
            assert_eq!(ours.cmd(&[b"PING"]), b"+PONG\r\n", "{what}: in step after");
        }
    }
}

/// Reads `n` bytes of a reply that is still coming.
fn read_some(conn: &mut RawConn, n: usize) -> Vec<u8> {
    let mut got = vec![0u8; n];
    conn.stream
        .read_exact(&mut got)
        .expect("read the streamed reply");
    got
}

fn used_memory(conn: &mut RawConn) -> u64 {
    common::info_field(conn, "memory", "used_memory")
        .parse()
        .expect("used_memory")
}

/// How many clients CLIENT LIST shows.
fn clients(conn: &mut RawConn) -> usize {
    let list = conn.cmd(&[b"CLIENT", b"LIST"]);
    String::from_utf8_lossy(&list).matches("id=").count()
}

#[test]
fn a_count_of_nine_quintillion_streams_while_others_are_served() {
    // 1 GB of address space: the reply itself would need exabytes.
    let server = TestServer::start_under_limit(1 << 30, &[]);
    let mut other = server.raw();
    setup(&mut other);
    let baseline = used_memory(&mut other);
    // The command, the reply's first line, and the one pick it can repeat.
    type Case<'a> = (&'a [&'a [u8]], &'a [u8], &'a [u8]);
    let cases: [Case; 3] = [
        (
            &[b"SRANDMEMBER", b"s", b"-9223372036854775807"],
            b"*9223372036854775807\r\n",
            b"$6\r\nmember\r\n",
        ),
        (
            &[b"ZRANDMEMBER", b"z", b"-4611686018427387903", b"WITHSCORES"],
            b"*9223372036854775806\r\n",
            b"$1\r\nm\r\n$3\r\n1.5\r\n",
        ),
        (
            &[b"HRANDFIELD", b"h", b"-4611686018427387903", b"WITHVALUES"],
            b"*9223372036854775806\r\n",
            b"$5\r\nfield\r\n$5\r\nvalue\r\n",
        ),
    ];
    for (args, header, item) in cases {
        let mut streamed = server.raw();
        streamed.send_cmd(args);
        streamed.send_cmd(&[b"PING"]);
        let start = read_some(&mut streamed, header.len());
        assert_eq!(start, header);
        // 64 MB of picks (well past the inline part), every one the value's element.
        let mut read = 0;
        while read < 64 << 20 {
            let piece = read_some(&mut streamed, item.len() * 4096);
            assert!(piece.chunks(item.len()).all(|c| c == item), "{:?}", args[0]);
            read += piece.len();
        }
        // Meanwhile the server answers others at once and holds no big buffer.
        let asked = Instant::now();
        assert_eq!(other.cmd(&[b"PING"]), b"+PONG\r\n");
        assert!(asked.elapsed() < Duration::from_secs(2));
        let held = used_memory(&mut other).saturating_sub(baseline);
        assert!(held < 32 << 20, "{:?}: {held} bytes held", args[0]);
        // The reader that goes away takes its reply with it.
        assert_eq!(clients(&mut other), 2);
        drop(streamed);
        let deadline = Instant::now() + Duration::from_secs(10);
        while clients(&mut other) > 1 {
            assert!(Instant::now() < deadline, "the reader's connection stayed");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn a_streaming_client_can_be_killed() {
    let server = TestServer::start();
    let mut other = server.raw();
    setup(&mut other);
    let mut streamed = server.raw();
    let id = String::from_utf8_lossy(&streamed.cmd(&[b"CLIENT", b"ID"])).into_owned();
    let id = id.trim_start_matches(':').trim().to_string();
    streamed.send_cmd(&[b"SRANDMEMBER", b"s", b"-9223372036854775807"]);
    read_some(&mut streamed, 4 << 20);
    let kill = [b"CLIENT".as_slice(), b"KILL", b"ID", id.as_bytes()];
    assert_eq!(other.cmd(&kill), b":1\r\n");
    let mut buf = vec![0u8; 1 << 20];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match streamed.stream.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => assert!(Instant::now() < deadline, "still streaming after the kill"),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("reading after the kill: {e}"),
        }
    }
}

#[test]
fn inside_a_transaction_the_reply_is_whole_and_cut_at_the_cap() {
    // Inside EXEC a reply cannot be deferred: it is written whole, and one too big to
    // deliver is cut at the cap and the client closed after it (big members keep the
    // number of picks, and the time, down).
    let server = TestServer::start_under_limit(1536 << 20, &[]);
    let mut conn = server.raw();
    let member = vec![b'm'; 16 * 1024];
    conn.cmd(&[b"SADD", b"big-set", &member]);
    conn.cmd(&[b"SADD", b"s", b"a", b"b"]);
    // A transaction's long reply that fits comes whole: 2 MB of picks.
    conn.cmd(&[b"MULTI"]);
    conn.cmd(&[b"SRANDMEMBER", b"s", b"-300000"]);
    conn.send_cmd(&[b"EXEC"]);
    let header = read_some(&mut conn, b"*1\r\n*300000\r\n".len());
    assert_eq!(header, b"*1\r\n*300000\r\n");
    let picks = read_some(&mut conn, 300_000 * 7);
    assert!(picks
        .chunks(7)
        .all(|c| c == b"$1\r\na\r\n" || c == b"$1\r\nb\r\n"));
    assert_eq!(conn.cmd(&[b"PING"]), b"+PONG\r\n");
    // One past the cap is cut.
    let mut cut = server.raw();
    cut.stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    cut.cmd(&[b"MULTI"]);
    cut.cmd(&[b"SRANDMEMBER", b"big-set", b"-9223372036854775807"]);
    cut.send_cmd(&[b"EXEC"]);
    let mut total = 0usize;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match cut.stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("reading the cut reply: {e}"),
        }
    }
    assert!(total > 256 << 20, "{total} bytes");
    assert_eq!(conn.cmd(&[b"PING"]), b"+PONG\r\n", "the server survived");
}
