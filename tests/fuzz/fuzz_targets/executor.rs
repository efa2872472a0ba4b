//! Fuzz target `executor`: sequences of random command lines, run by three clients on
//! a fresh `Executor` (the one the server uses, with every registered command), with
//! no sockets: `Executor::execute_with` and the reactor's own hand-over calls
//! (blocked clients served or timed out, CLIENT PAUSE ending, kills, unblocks).
//!
//! Each command line names an entry of the command table (subcommands included) and
//! is filled either by following the entry's documented arguments (tokens, keys,
//! integers, doubles, patterns, in the documented shape) or by chaos (any number of
//! values from the pools below). Values come from pools meant to hurt: small ints,
//! the i64 extremes and their neighbours, `inf`/`nan`/`(1`/`[a`, stream IDs, a few
//! key names shared by every client (so types collide), short Lua scripts, and raw
//! bytes from the input.
//!
//! Checked on every command: no panic (libFuzzer aborts on one), and every reply is a
//! sequence of complete, well-formed RESP2/RESP3 values (unless the server cut a
//! runaway reply and marked the client to close). Hangs and memory blow-ups are caught
//! by libFuzzer's `-timeout`, `-rss_limit_mb` and `-malloc_limit_mb`.
//!
//! Skipped command lines (see [`skipped`]) are the ones whose slowness or effect is
//! the request itself, not a bug: sleeping, crashing on purpose, talking to other
//! hosts, or lifting the limits this harness runs under.
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use rredis::command::core::spec::{argflags, Arg, ArgType};
use rredis::command::registry::{self, FAMILIES};
use rredis::command::state::directory::{BusyCommand, ClientDirectory, ClientView};
use rredis::command::{Executor, ServerEvent, Session};
use rredis::config::{Config, ProtectedAccess};
use rredis::protocol::OutBuf;

/// Command lines per input, at most.
const MAX_COMMANDS: usize = 24;
/// Clients taking turns.
const CLIENTS: usize = 3;
/// `maxmemory` for the run: once over it, writes are refused, so a sequence of
/// 512 MB SETRANGEs cannot add up past libFuzzer's RSS limit.
const MAXMEMORY: u64 = 128 * 1024 * 1024;

/// One entry of the command table as the generator sees it: the words that name it
/// (`["client", "list"]`), its arity and its documented arguments.
struct Entry {
    /// The command name, and the subcommand's for a subcommand.
    words: Vec<&'static str>,
    /// The table's arity (negative: at least).
    arity: i32,
    /// The documented arguments (COMMAND DOCS).
    args: &'static [Arg],
}

/// Every command and subcommand of the registry.
fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let mut all = Vec::new();
        for spec in FAMILIES.iter().flat_map(|family| family.iter()) {
            all.push(Entry { words: vec![spec.name], arity: spec.arity, args: spec.docs.args });
            for sub in spec.subcommands {
                all.push(Entry {
                    words: vec![spec.name, sub.name],
                    arity: sub.arity,
                    args: sub.docs.args,
                });
            }
        }
        all
    })
}

/// Integers that hurt: zero and neighbours, the i64 extremes and values near them,
/// the i32 and u32 edges, and numbers past i64.
const INTS: &[&str] = &[
    "0", "1", "2", "3", "5", "10", "100", "-1", "-2", "-100", "1000", "65536",
    "9223372036854775807", "-9223372036854775808", "9223372036854770000",
    "-9223372036854770000", "9223372036854775806", "-9223372036854775807",
    "9223372036854775808", "18446744073709551615", "2147483647", "2147483648",
    "-2147483649", "4294967295", "4294967296", "536870911", "536870912", "4611686018427387904",
];
/// Doubles and score/lex bounds.
const FLOATS: &[&str] = &[
    "0.5", "-0.0", "1.5", "inf", "-inf", "+inf", "nan", "-nan", "1e308", "1.7976931348623157e308",
    "1e-320", "4.9e-324", "0x10", "(1", "(inf", "(-inf", "(", "[a", "(a", "[", "-", "+",
    "1e400", " 1", "1 ", "123456789012345678901234567890",
];
/// Key names shared by every client, so types collide across commands.
const KEYS: &[&str] = &["k0", "k1", "k2", "k3", "k4", "{t}k5", "k*", ""];
/// Stream IDs and their special forms.
const IDS: &[&str] = &[
    "0-1", "0", "*", "$", ">", "+", "-", "1-*", "(0-1", "0-0", "5-18446744073709551615",
    "18446744073709551615-18446744073709551615", "18446744073709551615-*", "1-2-3",
];
/// Patterns for MATCH, KEYS, PSUBSCRIBE, CONFIG GET.
const PATTERNS: &[&str] = &["*", "k?", "k[0-9]", "[^a]*", "\\*", "*a*a*a*a*a*b", "[", "maxmemory*"];
/// Short scripts and libraries for EVAL, SCRIPT LOAD and FUNCTION LOAD.
const SCRIPTS: &[&str] = &[
    "return 1",
    "return redis.call('get', KEYS[1])",
    "return redis.call('incr', KEYS[1])",
    "return redis.pcall('lpush', KEYS[1], ARGV[1])",
    "return {1, 'a', {2}, false, redis.status_reply('OK'), redis.error_reply('E x')}",
    "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'x')",
    "return cjson.encode({a=ARGV[1]})",
    "return cmsgpack.unpack(ARGV[1])",
    "local t = {} for i=1,tonumber(ARGV[1]) or 0 do t[i]=i end return #t",
    "#!lua name=lib\nredis.register_function('f', function(k, a) return redis.call('ping') end)",
    "#!lua name=lib2\nredis.register_function{function_name='g', callback=function(k, a) return 2 end, flags={'no-writes'}}",
    "while true do end",
];

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut run = Run::new();
    let setup = u.int_in_range(0..=2u8).unwrap_or(0);
    run.setup(setup);
    for _ in 0..MAX_COMMANDS {
        if u.is_empty() || run.shut_down {
            break;
        }
        let client = u.int_in_range(0..=CLIENTS - 1).unwrap_or(0);
        let Some(line) = command_line(&mut u) else { break };
        if !skipped(&line) {
            trace(client, &line);
            run.command(client, &line);
        }
    }
    run.finish();
});

/// With `FUZZ_TRACE` set, prints each command line run (to replay an artifact:
/// `FUZZ_TRACE=1 target/.../executor artifact`).
fn trace(client: usize, line: &Line) {
    static ON: OnceLock<bool> = OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some()) {
        let words: Vec<String> = line.iter().map(|w| format!("{:?}", String::from_utf8_lossy(w))).collect();
        eprintln!("client {client}: {}", words.join(" "));
    }
}

/// The words of a command line.
type Line = Vec<Vec<u8>>;

/// A command line from string words.
fn words(ws: &[&str]) -> Line {
    ws.iter().map(|w| w.as_bytes().to_vec()).collect()
}

/// The encoding thresholds setup variant 2 lowers, so small keys take the full
/// encodings (quicklist nodes, hash tables, skip lists, several stream nodes).
const TINY_THRESHOLDS: &[&str] = &[
    "hash-max-listpack-entries",
    "set-max-intset-entries",
    "zset-max-listpack-entries",
    "list-max-listpack-size",
    "stream-node-max-entries",
];

/// One command line: a table entry and its arguments, documented or chaotic.
fn command_line(u: &mut Unstructured<'_>) -> Option<Line> {
    let entry = u.choose(entries()).ok()?;
    let mut line: Line = entry.words.iter().map(|w| w.as_bytes().to_vec()).collect();
    if u.ratio(1, 8).ok()? {
        line[0] = line[0].to_ascii_uppercase();
    }
    if u.ratio(3, 4).ok()? {
        documented(u, entry.args, &mut line, 0);
    } else {
        let floor = usize::try_from(entry.arity.unsigned_abs()).unwrap_or(1);
        let extra = u.int_in_range(0..=6usize).ok()?;
        let n = (floor.saturating_sub(line.len()) + extra).min(12);
        for _ in 0..n {
            line.push(value(u, None));
        }
    }
    Some(line)
}

/// Appends arguments following `args`' documentation: optional ones sometimes,
/// repeated ones one to three times, one branch of each `oneof`.
fn documented(u: &mut Unstructured<'_>, args: &[Arg], line: &mut Line, depth: u32) {
    for arg in args {
        let optional = arg.flags & argflags::OPTIONAL != 0;
        if optional && !u.ratio(1, 2).unwrap_or(false) {
            continue;
        }
        let repeats = if arg.flags & (argflags::MULTIPLE | argflags::MULTIPLE_TOKEN) != 0 {
            u.int_in_range(1..=3).unwrap_or(1)
        } else {
            1
        };
        for _ in 0..repeats {
            if let Some(token) = arg.token {
                line.push(token.as_bytes().to_vec());
            }
            match arg.kind {
                ArgType::PureToken => {}
                ArgType::OneOf if depth < 4 => {
                    if let Ok(pick) = u.choose(arg.args) {
                        documented(u, std::slice::from_ref(pick), line, depth + 1);
                    }
                }
                ArgType::Block if depth < 4 => documented(u, arg.args, line, depth + 1),
                kind => line.push(value(u, Some(kind))),
            }
        }
    }
}

/// One argument value: usually of the documented kind, sometimes anything.
fn value(u: &mut Unstructured<'_>, kind: Option<ArgType>) -> Vec<u8> {
    let pick = |u: &mut Unstructured<'_>, pool: &[&str]| {
        u.choose(pool).map(|s| s.as_bytes().to_vec()).unwrap_or_default()
    };
    let kind = if u.ratio(1, 5).unwrap_or(false) { None } else { kind };
    match kind {
        Some(ArgType::Key(_)) => pick(u, KEYS),
        Some(ArgType::Integer | ArgType::UnixTime) => pick(u, INTS),
        Some(ArgType::Double) => pick(u, FLOATS),
        Some(ArgType::Pattern | ArgType::KeyPattern(_)) => pick(u, PATTERNS),
        _ => match u.int_in_range(0..=7u8).unwrap_or(0) {
            0 => pick(u, INTS),
            1 => pick(u, FLOATS),
            2 => pick(u, KEYS),
            3 => pick(u, IDS),
            4 => pick(u, SCRIPTS),
            5 => pick(u, PATTERNS),
            6 => small_word(u),
            _ => {
                let len = u.int_in_range(0..=16usize).unwrap_or(0);
                u.bytes(len).map(<[u8]>::to_vec).unwrap_or_default()
            }
        },
    }
}

/// A member or field name from a small alphabet, so values repeat and match.
fn small_word(u: &mut Unstructured<'_>) -> Vec<u8> {
    let n = u.int_in_range(0..=3u8).unwrap_or(0);
    vec![b'a' + n]
}

/// Command lines the harness does not run, and why:
/// - `DEBUG SLEEP` sleeps for real; `DEBUG SEGFAULT/PANIC/CRASH-AND-RECOVER/RESTART/OOM`
///   (not implemented here, but Redis's) would end the process on purpose;
/// - `DEBUG POPULATE` with more than 100,000 keys or values over 64 KB: legitimately
///   slow and big (the server stops it only at the machine's memory ceiling);
/// - `MIGRATE`: connects to a host and port the fuzzer names, and waits for real time;
/// - `CONFIG SET` of `maxmemory`, `proto-max-bulk-len`, `busy-reply-threshold` /
///   `lua-time-limit`, `dir` and `save`: they lift the limits the harness runs under
///   (memory cap, value size, killing runaway scripts, files in a scratch directory,
///   no background saves from the cron).
///
/// `SHUTDOWN` is not skipped: it only asks the reactor to stop, which ends the input.
fn skipped(line: &Line) -> bool {
    let word = |i: usize| line.get(i).map(|w| w.to_ascii_lowercase()).unwrap_or_default();
    let any = |names: &[&str]| {
        line.iter().any(|w| names.iter().any(|n| w.eq_ignore_ascii_case(n.as_bytes())))
    };
    match (word(0).as_slice(), word(1).as_slice()) {
        (b"debug", b"sleep" | b"segfault" | b"panic" | b"crash-and-recover" | b"restart" | b"oom") => true,
        (b"debug", b"populate") => {
            let big = |i: usize, max: i64| {
                line.get(i).is_some_and(|w| {
                    std::str::from_utf8(w).ok().and_then(|s| s.parse::<i64>().ok()).unwrap_or(0) > max
                })
            };
            big(2, 100_000) || big(4, 65_536)
        }
        (b"migrate", _) => true,
        (b"config", b"set") => any(&[
            "maxmemory", "proto-max-bulk-len", "busy-reply-threshold", "lua-time-limit", "dir", "save",
        ]),
        _ => false,
    }
}

/// A client of the run: its session and its output buffer.
struct Client {
    /// What the executor keeps for the client.
    session: Session,
    /// Its replies, checked and cleared after every command.
    out: OutBuf,
}

/// The executor and its clients for one input.
struct Run {
    /// A fresh executor per input, so every crash replays from its input alone.
    exec: Executor,
    /// The clients taking turns.
    clients: Vec<Client>,
    /// The id the next (re)connected client gets.
    next_id: u64,
    /// SHUTDOWN ran: the rest of the input is dropped.
    shut_down: bool,
}

impl Run {
    /// A fresh executor (empty databases, the fuzz configuration) and three clients.
    fn new() -> Run {
        scratch_dir();
        let mut run = Run {
            exec: registry::executor(fuzz_config()),
            clients: Vec::new(),
            next_id: 1,
            shut_down: false,
        };
        for _ in 0..CLIENTS {
            let client = run.new_client();
            run.clients.push(client);
        }
        run
    }

    /// A new authenticated client on loopback, with the next id.
    fn new_client(&mut self) -> Client {
        let now = self.exec.now_ms();
        let mut session = Session::new(self.next_id, "127.0.0.1:50000".into(), "127.0.0.1:6379".into(), now);
        session.authenticated = true;
        self.next_id += 1;
        Client { session, out: OutBuf::new() }
    }

    /// Keys of every type: none (variant 0), small in the compact encodings (1), or
    /// past thresholds lowered to 4 so they are in the full encodings (2), which
    /// converting 300-element keys under the sanitizer would make slow.
    fn setup(&mut self, variant: u8) {
        if variant == 0 {
            return;
        }
        if variant == 2 {
            for param in TINY_THRESHOLDS {
                self.command(0, &words(&["config", "set", param, "4"]));
            }
        }
        let n = if variant == 1 { 3 } else { 8 };
        let members: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
        let with = |head: &[&str], each: &dyn Fn(&str) -> Vec<String>| {
            let mut line = words(head);
            for m in &members {
                line.extend(each(m).into_iter().map(String::into_bytes));
            }
            line
        };
        let lines = [
            words(&["set", "k0", "12"]),
            with(&["rpush", "k1"], &|m| vec![m.to_string()]),
            with(&["hset", "k2"], &|m| vec![m.to_string(), "1".into()]),
            with(&["sadd", "k3"], &|m| vec![m.to_string()]),
            with(&["zadd", "k4"], &|m| vec![m.len().to_string(), m.to_string()]),
            with(&["xadd", "{t}k5", "*"], &|m| vec![m.to_string(), "v".into()]),
        ];
        for line in &lines {
            self.command(0, line);
        }
    }

    /// Runs one command line for client `index`, then everything the reactor would do
    /// after it, and checks the replies.
    fn command(&mut self, index: usize, line: &Line) {
        let client = &mut self.clients[index];
        if client.session.postponed.is_some() {
            return; // CLIENT PAUSE holds this client: the reactor reads nothing from it.
        }
        if client.session.blocked.is_some() {
            // The reactor reads nothing from a blocked client either: let its
            // timeout pass first.
            self.exec.time_out_blocked(&mut client.session, &mut client.out);
        }
        let args: Vec<Bytes> = line.iter().map(|w| Bytes::copy_from_slice(w)).collect();
        self.exec.update_clock();
        let mut others = Killer::default();
        self.exec.execute_with(&mut client.session, &args, &mut client.out, &mut others);
        self.after_command();
    }

    /// The reactor's work after a command: events, wake-ups, outboxes, replies.
    fn after_command(&mut self) {
        for event in self.exec.take_events() {
            match event {
                ServerEvent::Shutdown => self.shut_down = true,
                ServerEvent::KillClient(id) => self.replace(id),
                ServerEvent::UnblockClient { id, error } => {
                    if let Some(c) = self.clients.iter_mut().find(|c| c.session.id == id) {
                        self.exec.unblock(&mut c.session, &mut c.out, error);
                    }
                }
            }
        }
        self.serve_ready_keys();
        for id in self.exec.end_expired_pause() {
            if let Some(c) = self.clients.iter_mut().find(|c| c.session.id == id) {
                let mut others = Killer::default();
                self.exec.resume_postponed(&mut c.session, &mut c.out, &mut others);
            }
        }
        let _ = self.exec.take_deliveries();
        let _ = self.exec.take_invalidations();
        let _ = self.exec.take_monitor_output();
        for i in 0..self.clients.len() {
            self.check_replies(i);
        }
        self.exec.before_sleep();
    }

    /// Serves clients blocked on keys that received data, as the reactor does.
    fn serve_ready_keys(&mut self) {
        let mut rounds = 0;
        while let Some((db, key)) = self.exec.pop_ready_key() {
            for id in self.exec.waiters(db, &key) {
                if let Some(c) = self.clients.iter_mut().find(|c| c.session.id == id) {
                    self.exec.retry_blocked(&mut c.session, &mut c.out, &key);
                }
            }
            rounds += 1;
            assert!(rounds < 10_000, "ready keys never run out");
        }
    }

    /// Takes client `i`'s replies, checks they are whole RESP values, and replaces the
    /// client if the command closed it (QUIT, a cut reply). A deferred reply (up to
    /// 2^63 random picks, produced as the client reads) is read for 8 MB, then the
    /// client hangs up, as a reader that stops would; its replies are not checked,
    /// being cut.
    fn check_replies(&mut self, i: usize) {
        let client = &mut self.clients[i];
        let mut bytes = Vec::new();
        let deferred = client.out.has_deferred();
        let budget = if deferred { 8 << 20 } else { usize::MAX };
        let _ = client.out.write_to(&mut bytes, budget);
        let cut = client.out.has_deferred();
        client.out.clear();
        if client.session.close_after_reply || cut {
            let id = client.session.id;
            self.replace(id);
        } else if bytes.len() < 64 << 20 {
            if let Err(at) = check_resp(&bytes) {
                panic!(
                    "malformed reply at byte {at}: {:?}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(at + 64)])
                );
            }
        }
    }

    /// Closes client `id` (as the reactor would) and connects a new one in its place.
    fn replace(&mut self, id: u64) {
        let Some(i) = self.clients.iter().position(|c| c.session.id == id) else {
            return;
        };
        self.exec.client_closed(&mut self.clients[i].session);
        self.clients[i] = self.new_client();
    }

    /// The end of the input: the cron runs once, every client goes away, children
    /// (BGSAVE, BGREWRITEAOF) are waited for.
    fn finish(mut self) {
        self.exec.cron();
        for c in &mut self.clients {
            self.exec.client_closed(&mut c.session);
        }
        reap_children(&mut self);
    }
}

/// A directory with no other clients, except that a script running past
/// `busy-reply-threshold` is stopped as an operator would: SCRIPT KILL and FUNCTION
/// KILL first, SHUTDOWN NOSAVE if the script already wrote.
#[derive(Default)]
struct Killer {
    /// Times the running script asked to serve others.
    calls: u32,
}

impl ClientDirectory for Killer {
    fn others(&self) -> Vec<ClientView<'_>> {
        Vec::new()
    }

    fn serve_busy(&mut self, run: &mut BusyCommand<'_>) {
        self.calls += 1;
        let mut session = Session::new(u64::MAX - 1, "127.0.0.1:1".into(), String::new(), 0);
        session.authenticated = true;
        let mut out = OutBuf::new();
        let kill: &[&[&str]] = if self.calls < 3 {
            &[&["script", "kill"], &["function", "kill"]]
        } else {
            &[&["shutdown", "nosave"]]
        };
        for line in kill {
            let args: Vec<Bytes> = line.iter().map(|w| Bytes::from_static(w.as_bytes())).collect();
            run(&mut session, &args, &mut out);
        }
    }
}

/// The server's defaults, plus: DEBUG allowed, no save points, a memory cap, and
/// runaway scripts declared busy after 50 ms.
fn fuzz_config() -> Config {
    Config {
        enable_debug_command: ProtectedAccess::Yes,
        save: String::new(),
        maxmemory: MAXMEMORY,
        busy_reply_threshold_ms: 50,
        ..Config::default()
    }
}

/// Moves the process into a scratch directory once, so SAVE, DEBUG RELOAD and the AOF
/// write there.
fn scratch_dir() {
    static DIR: OnceLock<()> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("rredis-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::env::set_current_dir(&dir);
    });
}

/// Waits (up to 10 s) for the snapshot and rewrite children this executor forked to
/// finish, letting its cron reap them, so none outlives its input.
fn reap_children(run: &mut Run) {
    let info: Vec<Bytes> = vec![Bytes::from_static(b"INFO"), Bytes::from_static(b"persistence")];
    let mut session = Session::new(u64::MAX - 2, "127.0.0.1:2".into(), String::new(), 0);
    session.authenticated = true;
    for _ in 0..10_000 {
        run.exec.update_clock();
        run.exec.cron();
        let mut out = OutBuf::new();
        run.exec.execute(&mut session, &info, &mut out);
        let mut text = Vec::new();
        let _ = out.write_to(&mut text, usize::MAX);
        let text = String::from_utf8_lossy(&text);
        if !text.contains("bgsave_in_progress:1") && !text.contains("rewrite_in_progress:1") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("a snapshot or rewrite child never finished");
}

/// Checks that `bytes` is a sequence of complete RESP2/RESP3 values; on failure,
/// returns the offset where it went wrong.
fn check_resp(bytes: &[u8]) -> Result<(), usize> {
    let mut at = 0;
    while at < bytes.len() {
        at = check_value(bytes, at, 0)?;
    }
    Ok(())
}

/// Checks one value starting at `at`; returns the offset after it.
fn check_value(bytes: &[u8], at: usize, depth: u32) -> Result<usize, usize> {
    if depth > 64 {
        return Err(at);
    }
    let kind = *bytes.get(at).ok_or(at)?;
    let end = bytes[at..].windows(2).position(|w| w == b"\r\n").ok_or(at)? + at;
    let line = &bytes[at + 1..end];
    let number = || std::str::from_utf8(line).ok().and_then(|s| s.parse::<i64>().ok()).ok_or(at);
    let next = end + 2;
    match kind {
        b'+' | b'-' | b',' | b'(' | b'_' | b'#' => {
            if line.contains(&b'\r') || line.contains(&b'\n') {
                return Err(at);
            }
            Ok(next)
        }
        b':' => number().map(|_| next),
        b'$' | b'!' | b'=' => match number()? {
            -1 if kind == b'$' => Ok(next),
            n if n >= 0 => {
                let stop = next + n as usize;
                (bytes.get(stop..stop + 2) == Some(b"\r\n")).then_some(stop + 2).ok_or(at)
            }
            _ => Err(at),
        },
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = number()?;
            if n == -1 && kind == b'*' {
                return Ok(next);
            }
            let items = if matches!(kind, b'%' | b'|') { n * 2 } else { n };
            let mut pos = next;
            for _ in 0..usize::try_from(items).map_err(|_| at)? {
                pos = check_value(bytes, pos, depth + 1)?;
            }
            if kind == b'|' {
                pos = check_value(bytes, pos, depth + 1)?;
            }
            Ok(pos)
        }
        _ => Err(at),
    }
}
