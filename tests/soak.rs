//! Soak test (issue #14): one server, ten thousand connections and a crowd of hostile
//! clients at once, on loopback, bounded in time (well under 90 s).
//!
//! The server runs under an address-space limit (`prlimit --as`), so a runaway
//! allocation fails this test instead of the machine. While [`CONNECTIONS`] idle
//! clients stay connected (each did PING and wrote and read its own key), threads run
//! side by side:
//! - **floods**: thousands of SETs written without reading, then every reply, then the
//!   values read back;
//! - **slow readers**: big replies requested in a pipeline and read a little at a time;
//! - **droppers**: clients that hang up mid-reply, before reading, or mid-command;
//! - **hostile commands**: huge and negative counts, each answered with Redis 7.0's
//!   exact error (texts taken from a real redis-server 7.0) or a reply of a known,
//!   bounded size;
//! - a **pinger** that measures how long the server takes to answer meanwhile.
//!
//! Then SRANDMEMBER asks for -9223372036854775807 members: the server produces them
//! as the client reads; the client reads 512 MB of them and hangs up.
//!
//! Every client writes keys under a prefix of its own and checks each value it reads
//! back is its own. At the end the server still answers, `connected_clients` is back
//! to 1, and once the data is flushed and MEMORY PURGE ran, its RSS is back within
//! [`RSS_SLACK_KB`] of where it started.
//!
//! Run alone: `cargo test --release --test soak -- --nocapture` (prints the figures).

mod common;

use common::{encode, TestServer};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Idle connections held open through the whole run.
const CONNECTIONS: usize = 10_000;
/// Connections opened (and answered) at a time, below the listen backlog.
const BATCH: usize = 250;
/// The server's address-space limit: generous for 10,000 clients, far below the
/// machine.
const SERVER_AS_LIMIT: u64 = 3 << 30;
/// How far above its starting RSS the server may stay once everything is closed,
/// flushed and purged (allocator retention).
const RSS_SLACK_KB: u64 = 64 * 1024;
/// Flooding clients, and SETs each writes before reading anything.
const FLOODERS: usize = 8;
const FLOOD: usize = 5_000;
/// Slow readers, and the big replies each requests at once.
const SLOW_READERS: usize = 3;
const SLOW_REPLIES: usize = 12;
/// Size of the big string; members of the big list, set, hash, sorted set, stream.
const BIG_VALUE: usize = 1 << 20;
const BIG_LIST: usize = 20_000;
const BIG_SET: usize = 1_000;
/// Clients sending hostile commands, and commands each.
const HOSTILE_CLIENTS: usize = 6;
const HOSTILE_COMMANDS: usize = 400;
/// Clients hanging up mid-reply.
const DROPPERS: usize = 60;
/// The slowest answer to PING tolerated while the crowd runs: the biggest single
/// command (SORT or HRANDFIELD of tens of thousands of elements) on a busy machine.
const MAX_PING: Duration = Duration::from_secs(5);

#[test]
fn ten_thousand_connections_floods_slow_readers_drops_and_hostile_counts() {
    if let Err(why) = raise_nofile(CONNECTIONS as u64 + 1024) {
        eprintln!("skipping the soak test: {why}");
        return;
    }
    let started = Instant::now();
    let server =
        TestServer::start_under_limit(SERVER_AS_LIMIT, &["--maxclients", "10500", "--save", ""]);
    let addr = server.addr;
    let mut admin = Conn::open(addr);
    let rss_start = rss_kb(server.pid());
    load_big_keys(&mut admin);
    let idle = open_idle(addr);
    let opened = started.elapsed();
    assert_eq!(connected_clients(&mut admin), CONNECTIONS + 1);
    let rss_peak_idle = rss_kb(server.pid());
    let max_ping = run_crowd(addr);
    check_idle_sample(idle);
    let runaway = runaway_reply(addr);
    assert_eq!(admin.call(&[b"PING"]), Resp::Simple(b"PONG".to_vec()));
    wait_for_one_client(&mut admin);
    let rss_loaded = rss_kb(server.pid());
    assert_eq!(
        admin.call(&[b"FLUSHALL", b"SYNC"]),
        Resp::Simple(b"OK".to_vec())
    );
    assert_eq!(
        admin.call(&[b"MEMORY", b"PURGE"]),
        Resp::Simple(b"OK".to_vec())
    );
    let rss_end = rss_kb(server.pid());
    assert_eq!(admin.call(&[b"PING"]), Resp::Simple(b"PONG".to_vec()));
    println!(
        "soak: {CONNECTIONS} connections open in {:.1} s; RSS {rss_start} kB at start, \
         {rss_peak_idle} kB with every connection open, {rss_loaded} kB after they closed, \
         {rss_end} kB after FLUSHALL and MEMORY PURGE; slowest PING {max_ping:?}; \
         512 MB of the runaway SRANDMEMBER read in {runaway:?}; {:.1} s in all",
        opened.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        rss_end < rss_start + RSS_SLACK_KB,
        "RSS {rss_end} kB, started at {rss_start} kB"
    );
    assert!(max_ping < MAX_PING, "PING took {max_ping:?}");
}

/// Raises this process's open-file limit (which the server inherits) to at least
/// `want`, if the hard limit allows it.
fn raise_nofile(want: u64) -> Result<(), String> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err("getrlimit(RLIMIT_NOFILE) failed".into());
    }
    if limit.rlim_cur >= want {
        return Ok(());
    }
    if limit.rlim_max < want {
        return Err(format!(
            "the hard open-file limit is {}, {want} are needed (raise it with ulimit -Hn)",
            limit.rlim_max
        ));
    }
    limit.rlim_cur = want;
    // SAFETY: as above.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        return Err("setrlimit(RLIMIT_NOFILE) failed".into());
    }
    Ok(())
}

/// The server's resident set size, from /proc.
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// A reply, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resp {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Resp>>),
}

/// A connection with a buffered reader.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    /// Connects (retrying a refused or reset connect for a few seconds).
    fn open(addr: SocketAddr) -> Conn {
        let deadline = Instant::now() + Duration::from_secs(10);
        let stream = loop {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
                Ok(stream) => break stream,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("connect: {e}, retrying");
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("connect: {e}"),
            }
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        stream.set_nodelay(true).expect("nodelay");
        let writer = stream.try_clone().expect("clone");
        Conn {
            reader: BufReader::with_capacity(64 * 1024, stream),
            writer,
        }
    }

    fn send(&mut self, args: &[&[u8]]) {
        self.writer.write_all(&encode(args)).expect("send");
    }

    fn call(&mut self, args: &[&[u8]]) -> Resp {
        self.send(args);
        self.read()
    }

    fn line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        self.reader.read_until(b'\n', &mut line).expect("read line");
        assert!(line.ends_with(b"\r\n"), "truncated line {line:?}");
        line.truncate(line.len() - 2);
        line
    }

    /// Reads one reply.
    fn read(&mut self) -> Resp {
        let line = self.line();
        let (kind, rest) = line.split_first().expect("empty line");
        let number = || -> i64 {
            std::str::from_utf8(rest)
                .ok()
                .and_then(|s| s.parse().ok())
                .expect("number")
        };
        match kind {
            b'+' => Resp::Simple(rest.to_vec()),
            b'-' => Resp::Error(rest.to_vec()),
            b':' => Resp::Int(number()),
            b'$' if number() < 0 => Resp::Bulk(None),
            b'$' => {
                let mut value = vec![0; number() as usize + 2];
                self.reader.read_exact(&mut value).expect("read bulk");
                value.truncate(value.len() - 2);
                Resp::Bulk(Some(value))
            }
            b'*' if number() < 0 => Resp::Array(None),
            b'*' => Resp::Array(Some((0..number()).map(|_| self.read()).collect())),
            other => panic!("unexpected reply type {:?}", *other as char),
        }
    }
}

/// The shared read-only keys the slow readers, droppers and hostile clients read.
fn load_big_keys(admin: &mut Conn) {
    let value = big_value();
    assert_eq!(
        admin.call(&[b"SET", b"big:str", &value]),
        Resp::Simple(b"OK".to_vec())
    );
    for chunk in (0..BIG_LIST).collect::<Vec<_>>().chunks(1000) {
        let mut args: Vec<Vec<u8>> = vec![b"RPUSH".to_vec(), b"big:list".to_vec()];
        args.extend(chunk.iter().map(|i| i.to_string().into_bytes()));
        admin.call(&args.iter().map(Vec::as_slice).collect::<Vec<_>>());
    }
    for i in 0..BIG_SET {
        let m = format!("m{i}");
        let m = m.as_bytes();
        admin.send(&[b"SADD", b"big:set", m]);
        admin.send(&[b"HSET", b"big:hash", m, b"v"]);
        admin.send(&[b"ZADD", b"big:zset", i.to_string().as_bytes(), m]);
        admin.send(&[b"XADD", b"big:stream", b"*", b"f", m]);
    }
    for _ in 0..BIG_SET * 4 {
        assert!(!matches!(admin.read(), Resp::Error(_)));
    }
}

/// The big string's bytes: a recognisable pattern, so a reply cut or mixed with
/// another shows.
fn big_value() -> Vec<u8> {
    (0..BIG_VALUE).map(|i| b'a' + (i % 23) as u8).collect()
}

/// Opens [`CONNECTIONS`] connections in batches; each sends PING, SETs its own key and
/// reads it back in one write. Returns them, still open.
fn open_idle(addr: SocketAddr) -> Vec<TcpStream> {
    let mut all = Vec::with_capacity(CONNECTIONS);
    for batch in 0..CONNECTIONS / BATCH {
        let mut conns: Vec<TcpStream> = (0..BATCH).map(|_| Conn::open(addr).writer).collect();
        for (j, conn) in conns.iter_mut().enumerate() {
            let i = batch * BATCH + j;
            conn.write_all(&idle_request(i)).expect("send");
        }
        for (j, conn) in conns.iter_mut().enumerate() {
            let expected = idle_reply(batch * BATCH + j);
            let mut got = vec![0; expected.len()];
            conn.read_exact(&mut got).expect("idle reply");
            assert_eq!(
                got,
                expected,
                "connection {} saw another's data",
                batch * BATCH + j
            );
        }
        all.extend(conns);
    }
    all
}

fn idle_value(i: usize) -> String {
    format!("idle-value-{i}")
}

fn idle_request(i: usize) -> Vec<u8> {
    let key = format!("idle:{i}");
    let value = idle_value(i);
    let mut out = encode(&[b"PING"]);
    out.extend(encode(&[b"SET", key.as_bytes(), value.as_bytes()]));
    out.extend(encode(&[b"GET", key.as_bytes()]));
    out
}

fn idle_reply(i: usize) -> Vec<u8> {
    let value = idle_value(i);
    format!("+PONG\r\n+OK\r\n${}\r\n{value}\r\n", value.len()).into_bytes()
}

/// After the crowd: every 10th idle connection reads its key again; then all close.
fn check_idle_sample(mut idle: Vec<TcpStream>) {
    for (i, conn) in idle.iter_mut().enumerate().step_by(10) {
        let key = format!("idle:{i}");
        conn.write_all(&encode(&[b"GET", key.as_bytes()]))
            .expect("send");
        let value = idle_value(i);
        let expected = format!("${}\r\n{value}\r\n", value.len()).into_bytes();
        let mut got = vec![0; expected.len()];
        conn.read_exact(&mut got).expect("idle reply");
        assert_eq!(got, expected, "idle connection {i} saw another's data");
    }
    drop(idle);
}

/// INFO's `connected_clients`.
fn connected_clients(admin: &mut Conn) -> usize {
    let Resp::Bulk(Some(info)) = admin.call(&[b"INFO", b"clients"]) else {
        panic!("INFO failed");
    };
    String::from_utf8_lossy(&info)
        .lines()
        .find_map(|l| l.strip_prefix("connected_clients:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("connected_clients")
}

/// Polls INFO until `connected_clients` is 1 (the admin connection).
fn wait_for_one_client(admin: &mut Conn) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let clients = connected_clients(admin);
        if clients == 1 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{clients} clients never went away"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs the floods, slow readers, droppers and hostile clients side by side while a
/// pinger measures the server's answer time; returns the slowest PING.
fn run_crowd(addr: SocketAddr) -> Duration {
    let seed: u64 = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    println!("soak: hostile commands from seed {seed} (SOAK_SEED replays it)");
    let done = AtomicBool::new(false);
    let slowest = AtomicU64::new(0);
    let failure = std::thread::scope(|s| {
        let pinger = s.spawn(|| ping_until(addr, &done, &slowest));
        let mut workers = Vec::new();
        for t in 0..FLOODERS {
            workers.push(s.spawn(move || flood(addr, t)));
        }
        for t in 0..SLOW_READERS {
            workers.push(s.spawn(move || slow_reader(addr, t)));
        }
        workers.push(s.spawn(move || droppers(addr, seed)));
        for t in 0..HOSTILE_CLIENTS {
            workers.push(s.spawn(move || hostile(addr, t, seed.wrapping_add(t as u64))));
        }
        // Every worker is joined and the pinger stopped before a failure is raised,
        // so a failing client cannot leave the pinger running forever.
        let failure = workers.into_iter().filter_map(|w| w.join().err()).next();
        done.store(true, Ordering::Relaxed);
        failure.or(pinger.join().err())
    });
    if let Some(panic) = failure {
        std::panic::resume_unwind(panic);
    }
    Duration::from_micros(slowest.load(Ordering::Relaxed))
}

/// PINGs every 20 ms until `done`, recording the slowest answer.
fn ping_until(addr: SocketAddr, done: &AtomicBool, slowest: &AtomicU64) {
    let mut conn = Conn::open(addr);
    while !done.load(Ordering::Relaxed) {
        let sent = Instant::now();
        assert_eq!(conn.call(&[b"PING"]), Resp::Simple(b"PONG".to_vec()));
        let took = sent.elapsed().as_micros() as u64;
        slowest.fetch_max(took, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Writes [`FLOOD`] SETs without reading, reads every reply, then GETs each key back.
fn flood(addr: SocketAddr, t: usize) {
    let mut conn = Conn::open(addr);
    let value = |j: usize| format!("flood-{t}-{j}-{}", "x".repeat(j % 50));
    let mut sets = Vec::new();
    for j in 0..FLOOD {
        sets.extend(encode(&[
            b"SET",
            format!("flood:{t}:{j}").as_bytes(),
            value(j).as_bytes(),
        ]));
    }
    conn.writer.write_all(&sets).expect("flood");
    let mut oks = vec![0; 5 * FLOOD];
    conn.reader.read_exact(&mut oks).expect("flood replies");
    assert!(
        oks.chunks(5).all(|c| c == b"+OK\r\n"),
        "flood {t}: a SET failed"
    );
    let mut gets = Vec::new();
    for j in 0..FLOOD {
        gets.extend(encode(&[b"GET", format!("flood:{t}:{j}").as_bytes()]));
    }
    conn.writer.write_all(&gets).expect("flood gets");
    for j in 0..FLOOD {
        let got = conn.read();
        assert_eq!(
            got,
            Resp::Bulk(Some(value(j).into_bytes())),
            "flood {t} saw another's data"
        );
    }
}

/// Asks for [`SLOW_REPLIES`] copies of the big string at once and reads them 16 KB at a
/// time with pauses, checking every byte.
fn slow_reader(addr: SocketAddr, t: usize) {
    let conn = Conn::open(addr);
    let mut stream = conn.writer;
    let mut request = Vec::new();
    for _ in 0..SLOW_REPLIES {
        request.extend(encode(&[b"GET", b"big:str"]));
    }
    stream.write_all(&request).expect("send");
    let value = big_value();
    let mut one = format!("${}\r\n", value.len()).into_bytes();
    one.extend_from_slice(&value);
    one.extend_from_slice(b"\r\n");
    let expected: Vec<u8> = one.repeat(SLOW_REPLIES);
    let mut got = Vec::with_capacity(expected.len());
    let mut chunk = vec![0; 16 * 1024];
    while got.len() < expected.len() {
        let n = stream.read(&mut chunk).expect("slow read");
        assert!(n > 0, "slow reader {t}: connection closed early");
        got.extend_from_slice(&chunk[..n]);
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(got == expected, "slow reader {t}: reply damaged");
}

/// Clients that hang up at the worst moments: before reading a big reply, part way
/// through one, mid-command, or after shutting their side down.
fn droppers(addr: SocketAddr, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for i in 0..DROPPERS {
        let mut conn = Conn::open(addr);
        match rng.gen_range(0..4) {
            0 => conn.send(&[b"LRANGE", b"big:list", b"0", b"-1"]),
            1 => {
                conn.send(&[b"GET", b"big:str"]);
                conn.send(&[b"GET", b"big:str"]);
                let mut some = vec![0; 100 + i * 100];
                conn.reader.read_exact(&mut some).expect("partial read");
            }
            2 => {
                let frame = encode(&[b"SET", b"half", &big_value()]);
                conn.writer
                    .write_all(&frame[..frame.len() / 2])
                    .expect("half frame");
            }
            _ => {
                conn.send(&[b"HGETALL", b"big:hash"]);
                let _ = conn.writer.shutdown(Shutdown::Write);
                let mut some = vec![0; 10];
                conn.reader
                    .read_exact(&mut some)
                    .expect("read after shutdown");
            }
        }
        drop(conn);
    }
}

/// SRANDMEMBER with -9223372036854775807: Redis would build the reply until memory
/// runs out; this server produces it as the client reads. Checks the reply is members,
/// reads 512 MB of them, hangs up, and returns how long that took.
fn runaway_reply(addr: SocketAddr) -> Duration {
    let started = Instant::now();
    let mut conn = Conn::open(addr);
    conn.send(&[b"SRANDMEMBER", b"big:set", b"-9223372036854775807"]);
    assert_eq!(conn.line(), b"*9223372036854775807", "runaway reply header");
    for _ in 0..1000 {
        let Resp::Bulk(Some(member)) = conn.read() else {
            panic!("runaway reply: not a member");
        };
        assert!(member.starts_with(b"m"));
    }
    let mut total = 0usize;
    let mut chunk = vec![0; 1 << 20];
    while total < 512 << 20 {
        match conn.reader.read(&mut chunk) {
            Ok(0) => panic!("runaway reply: closed after {total} bytes"),
            Ok(n) => total += n,
            Err(e) => panic!("runaway reply: {e}"),
        }
    }
    drop(conn);
    started.elapsed()
}

/// What a hostile command's reply must be.
enum Expect {
    /// Exactly this error (Redis 7.0's text).
    Error(&'static str),
    /// An array of exactly this many elements.
    Len(usize),
    /// A bulk string of exactly this many bytes.
    BulkLen(usize),
    /// The null bulk string.
    Null,
    /// The null array.
    NullArray,
}

const RANDMEMBER_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
const MUST_BE_POSITIVE: &str = "ERR value is out of range, must be positive";
const I64_MIN: &str = "-9223372036854775808";
const I64_MAX: &str = "9223372036854775807";

/// Hostile commands on the shared big keys (`{own}` stands for a key of the client's
/// own), each with what Redis 7.0 answers.
fn hostile_table() -> Vec<(Vec<&'static str>, Expect)> {
    use Expect::*;
    let list = BIG_LIST;
    vec![
        (
            vec!["SRANDMEMBER", "big:set", I64_MIN],
            Error(RANDMEMBER_RANGE),
        ),
        (
            vec!["HRANDFIELD", "big:hash", I64_MIN],
            Error(RANDMEMBER_RANGE),
        ),
        (
            vec!["ZRANDMEMBER", "big:zset", I64_MIN],
            Error(RANDMEMBER_RANGE),
        ),
        (vec!["SRANDMEMBER", "big:set", "-50000"], Len(50_000)),
        (vec!["SRANDMEMBER", "big:set", I64_MAX], Len(BIG_SET)),
        (
            vec!["HRANDFIELD", "big:hash", "-20000", "WITHVALUES"],
            Len(40_000),
        ),
        (
            vec!["ZRANDMEMBER", "big:zset", "-30000", "WITHSCORES"],
            Len(60_000),
        ),
        (vec!["LRANGE", "big:list", "0", "-1"], Len(list)),
        (vec!["LRANGE", "big:list", I64_MIN, I64_MAX], Len(list)),
        (vec!["LRANGE", "big:list", I64_MAX, I64_MIN], Len(0)),
        (vec!["SORT", "big:list", "LIMIT", "0", I64_MAX], Len(list)),
        (vec!["SORT", "big:list", "LIMIT", I64_MIN, "-1"], Len(list)),
        (
            vec![
                "ZRANGEBYSCORE",
                "big:zset",
                "-inf",
                "+inf",
                "LIMIT",
                "0",
                "-1",
            ],
            Len(BIG_SET),
        ),
        (
            vec!["XRANGE", "big:stream", "-", "+", "COUNT", "-1"],
            NullArray,
        ),
        (
            vec!["GETRANGE", "big:str", I64_MIN, I64_MAX],
            BulkLen(BIG_VALUE),
        ),
        (vec!["LINDEX", "big:list", I64_MIN], Null),
        (vec!["SPOP", "big:set", "-5"], Error(MUST_BE_POSITIVE)),
        (vec!["LPOP", "{own}", "-1"], Error(MUST_BE_POSITIVE)),
        (vec!["ZPOPMIN", "{own}", "-1"], Error(MUST_BE_POSITIVE)),
        (
            vec!["LPOS", "big:list", "1", "COUNT", "-1"],
            Error("ERR COUNT can't be negative"),
        ),
        (
            vec!["LPOS", "big:list", "1", "MAXLEN", "-1"],
            Error("ERR MAXLEN can't be negative"),
        ),
        (vec!["SCAN", "0", "COUNT", "0"], Error("ERR syntax error")),
        (
            vec!["HSCAN", "big:hash", "0", "COUNT", I64_MIN],
            Error("ERR syntax error"),
        ),
        (vec!["SSCAN", "big:set", "0", "COUNT", I64_MAX], Len(2)),
        (
            vec!["SETRANGE", "{own}", "536870912", "x"],
            Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
        ),
        (
            vec!["SETBIT", "{own}", "4294967296", "1"],
            Error("ERR bit offset is not an integer or out of range"),
        ),
        (
            vec!["SET", "{own}", "v", "EX", I64_MAX],
            Error("ERR invalid expire time in 'set' command"),
        ),
        (
            vec!["EXPIRE", "big:list", I64_MAX],
            Error("ERR invalid expire time in 'expire' command"),
        ),
        (
            vec!["BLPOP", "{own}", "-1"],
            Error("ERR timeout is negative"),
        ),
        (
            vec!["LMPOP", "1", "{own}", "LEFT", "COUNT", "-1"],
            Error("ERR count should be greater than 0"),
        ),
        (
            vec!["XTRIM", "big:stream", "MAXLEN", "-1"],
            Error("ERR The MAXLEN argument must be >= 0."),
        ),
        (
            vec![
                "XAUTOCLAIM",
                "big:stream",
                "g",
                "c",
                "0",
                "0",
                "COUNT",
                I64_MAX,
            ],
            Error("ERR COUNT must be > 0"),
        ),
        (
            vec!["HELLO", I64_MAX],
            Error("NOPROTO unsupported protocol version"),
        ),
    ]
}

/// Sends random hostile commands, each followed by a write and read of a key of its
/// own; checks each reply against Redis's.
fn hostile(addr: SocketAddr, t: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let table = hostile_table();
    let mut conn = Conn::open(addr);
    let own = format!("hostile:{t}:own");
    for i in 0..HOSTILE_COMMANDS {
        let (words, expect) = &table[rng.gen_range(0..table.len())];
        let args: Vec<&[u8]> = words
            .iter()
            .map(|w| {
                if *w == "{own}" {
                    own.as_bytes()
                } else {
                    w.as_bytes()
                }
            })
            .collect();
        let reply = conn.call(&args);
        check_hostile(words, expect, reply);
        let key = format!("hostile:{t}:{i}");
        let value = format!("{t}-{i}-{}", rng.gen::<u32>());
        conn.call(&[b"SET", key.as_bytes(), value.as_bytes()]);
        let got = conn.call(&[b"GET", key.as_bytes()]);
        assert_eq!(
            got,
            Resp::Bulk(Some(value.into_bytes())),
            "hostile {t} saw another's data"
        );
    }
}

fn check_hostile(words: &[&str], expect: &Expect, reply: Resp) {
    let ok = match (expect, &reply) {
        (Expect::Error(text), Resp::Error(got)) => got == text.as_bytes(),
        (Expect::Len(n), Resp::Array(Some(items))) => items.len() == *n,
        (Expect::BulkLen(n), Resp::Bulk(Some(value))) => value.len() == *n,
        (Expect::Null, Resp::Bulk(None)) => true,
        (Expect::NullArray, Resp::Array(None)) => true,
        _ => false,
    };
    if !ok {
        let shown = format!("{reply:?}");
        panic!(
            "{}: unexpected reply {}",
            words.join(" "),
            &shown[..shown.len().min(300)]
        );
    }
}
