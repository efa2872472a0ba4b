//! MIGRATE: moves keys to another instance (this server or real Redis) as RESTORE
//! commands carrying DUMP payloads, over a cached connection, then deletes them here
//! unless COPY. Like Redis's, it is synchronous: the loop waits for the target, within
//! the given timeout, and a failed first attempt on a cached connection is retried once
//! on a fresh one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::snapshot::rdb as snapshot;
use crate::command::state::migrate::Cached;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::persistence::aof::commands::encode;
use crate::persistence::rdb::dump_payload;
use crate::util::numbers::parse_i64;

/// MIGRATE's options after the timeout.
struct Options {
    copy: bool,
    replace: bool,
    auth: Option<(Option<Bytes>, Bytes)>,
    /// Index of the first key and how many.
    keys: (usize, usize),
}

/// Parses `[COPY] [REPLACE] [AUTH password | AUTH2 username password] [KEYS key ...]`.
fn parse_options(args: &[Bytes]) -> CmdResult<Options> {
    let mut opts = Options {
        copy: false,
        replace: false,
        auth: None,
        keys: (3, 1),
    };
    let mut j = 6;
    while j < args.len() {
        let more = args.len() - 1 - j;
        match &args[j] {
            a if args::is(a, "copy") => opts.copy = true,
            a if args::is(a, "replace") => opts.replace = true,
            a if args::is(a, "auth") && more >= 1 => {
                opts.auth = Some((None, args[j + 1].clone()));
                j += 1;
            }
            a if args::is(a, "auth2") && more >= 2 => {
                opts.auth = Some((Some(args[j + 1].clone()), args[j + 2].clone()));
                j += 2;
            }
            a if args::is(a, "keys") => {
                if !args[3].is_empty() {
                    return Err(CmdError::raw("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"));
                }
                opts.keys = (j + 1, args.len() - j - 1);
                break;
            }
            _ => return Err(CmdError::Syntax),
        }
        j += 1;
    }
    Ok(opts)
}

/// How a transfer failed: connecting, writing or reading (retried once on a fresh
/// connection unless it timed out).
enum Failure {
    Io {
        writing: bool,
        timed_out: bool,
    },
    /// The target could not be reached at all (not retried).
    Connect,
}

/// What the target answered.
struct Replies {
    /// Per RESTORE answered: whether it succeeded (AUTH and SELECT succeeded too).
    acked: Vec<bool>,
    /// The first error it replied, if any.
    error: Option<String>,
    /// The connection failed after some RESTOREs were answered: those keys are on the
    /// target (and go from here unless COPY), the rest are not, and nothing is retried.
    cut_short: bool,
}

/// `MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password |
/// AUTH2 username password] [KEYS key [key ...]]`
pub fn migrate(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = parse_options(args)?;
    let timeout = parse_i64(&args[5]).ok_or(CmdError::NotInteger)?;
    let db = parse_i64(&args[4]).ok_or(CmdError::NotInteger)?;
    let timeout = Duration::from_millis(if timeout <= 0 { 1000 } else { timeout as u64 });
    let now = ctx.now();
    let (first, count) = opts.keys;
    let keys: Vec<Bytes> = args[first..first + count]
        .iter()
        .filter(|key| ctx.db().lookup_read(key, now).is_some())
        .cloned()
        .collect();
    if keys.is_empty() {
        ctx.reply.simple(b"NOKEY");
        return Ok(());
    }
    let target = format!(
        "{}:{}",
        String::from_utf8_lossy(&args[1]),
        String::from_utf8_lossy(&args[2])
    );
    let (request, sent) = build_request(ctx, &keys, db, &opts, &target);
    let mut outcome = transfer(ctx, &target, &request, &opts, db, timeout, sent.len());
    if let Err(Failure::Io {
        timed_out: false, ..
    }) = outcome
    {
        // Nothing was answered and the connection was dropped: a cached connection
        // the target closed meanwhile is the usual cause, so once more on a new one.
        outcome = transfer(ctx, &target, &request, &opts, db, timeout, sent.len());
    }
    match outcome {
        Ok(replies) => {
            delete_moved(ctx, &sent, &replies.acked, &opts);
            if let Some(text) = replies.error {
                if let Some(cached) = ctx.server.migrate.by_target.get_mut(&target) {
                    cached.last_db = -1;
                }
                return Err(CmdError::raw(format!(
                    "ERR Target instance replied with error: {text}"
                )));
            }
            if replies.cut_short {
                return Err(io_error(false));
            }
            ctx.reply.ok();
            Ok(())
        }
        Err(Failure::Connect) => Err(CmdError::raw(
            "IOERR error or timeout connecting to the client",
        )),
        Err(Failure::Io { writing, .. }) => Err(io_error(writing)),
    }
}

/// The error for a connection that failed while writing or reading.
fn io_error(writing: bool) -> CmdError {
    let what = if writing { "writing" } else { "reading" };
    CmdError::raw(format!("IOERR error or timeout {what} to target instance"))
}

/// The commands to send (AUTH, SELECT when needed, one RESTORE per live key) and the
/// keys they carry.
fn build_request(
    ctx: &mut Ctx<'_>,
    keys: &[Bytes],
    db: i64,
    opts: &Options,
    target: &str,
) -> (Vec<u8>, Vec<Bytes>) {
    let now = ctx.now();
    let save = snapshot::save_options(&ctx.server.config);
    let mut out = Vec::new();
    if let Some((user, password)) = &opts.auth {
        let mut auth = vec![Bytes::from_static(b"AUTH")];
        auth.extend(user.iter().cloned());
        auth.push(password.clone());
        encode(&mut out, &auth);
    }
    let selected = ctx
        .server
        .migrate
        .by_target
        .get(target)
        .map_or(-1, |c| c.last_db);
    if selected != db {
        encode(
            &mut out,
            &[Bytes::from_static(b"SELECT"), Bytes::from(db.to_string())],
        );
    }
    let mut sent = Vec::new();
    for key in keys {
        let ttl = match ctx.db().expire_at(key) {
            Some(when) if when - now < 0 => continue,
            Some(when) => (when - now).max(1),
            None => 0,
        };
        let Some(value) = ctx.db().lookup_read(key, now) else {
            continue;
        };
        let payload = Bytes::from(dump_payload(value, save));
        let mut restore = vec![
            Bytes::from_static(b"RESTORE"),
            key.clone(),
            Bytes::from(ttl.to_string()),
            payload,
        ];
        if opts.replace {
            restore.push(Bytes::from_static(b"REPLACE"));
        }
        encode(&mut out, &restore);
        sent.push(key.clone());
    }
    (out, sent)
}

/// Sends the request over the cached (or a new) connection and reads the replies;
/// returns how many RESTOREs the target acknowledged.
fn transfer(
    ctx: &mut Ctx<'_>,
    target: &str,
    request: &[u8],
    opts: &Options,
    db: i64,
    timeout: Duration,
    restores: usize,
) -> Result<Replies, Failure> {
    let now_secs = ctx.now() / 1000;
    let cache = &mut ctx.server.migrate;
    if !cache.by_target.contains_key(target) {
        let stream = connect(target, timeout)?;
        cache.make_room();
        cache.by_target.insert(
            target.to_string(),
            Cached {
                stream,
                last_db: -1,
                last_use: now_secs,
            },
        );
    }
    let broken = Failure::Io {
        writing: false,
        timed_out: false,
    };
    let cached = cache.by_target.get_mut(target).ok_or(broken)?;
    cached.last_use = now_secs;
    let select = cached.last_db != db;
    let _ = cached.stream.set_write_timeout(Some(timeout));
    let _ = cached.stream.set_read_timeout(Some(timeout));
    let answered = match cached.stream.write_all(request) {
        Ok(()) => read_replies(&cached.stream, opts.auth.is_some(), select, restores),
        Err(e) => Err(Failure::Io {
            writing: true,
            timed_out: timed_out(&e),
        }),
    };
    match &answered {
        Ok(replies) if !replies.cut_short => {
            if replies.error.is_none() {
                cached.last_db = db;
            }
        }
        // A connection that failed is not used again.
        _ => drop(cache.by_target.remove(target)),
    }
    answered
}

/// Reads the answers to AUTH and SELECT (when sent) and to each RESTORE. A failure
/// before any RESTORE is answered is an error (retried unless it timed out); one after
/// is reported with what was answered, since those keys are on the target now.
fn read_replies(
    stream: &TcpStream,
    auth: bool,
    select: bool,
    restores: usize,
) -> Result<Replies, Failure> {
    let mut reader = BufReader::new(stream);
    let preamble = usize::from(auth) + usize::from(select);
    let mut replies = Replies {
        acked: Vec::with_capacity(restores),
        error: None,
        cut_short: false,
    };
    let mut preamble_failed = false;
    for i in 0..preamble + restores {
        let line = match read_line(&mut reader) {
            Ok(line) => line,
            Err(failure) if replies.acked.is_empty() => return Err(failure),
            Err(_) => {
                replies.cut_short = true;
                break;
            }
        };
        let failed = line.starts_with('-');
        if failed && replies.error.is_none() {
            replies.error = Some(line[1..].to_string());
        }
        if i < preamble {
            preamble_failed |= failed;
        } else {
            replies.acked.push(!failed && !preamble_failed);
        }
    }
    Ok(replies)
}

/// True when an I/O error is the socket timeout running out.
fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Connects with a timeout, trying each address the name resolves to. As in Redis,
/// a refused connection only shows when writing (Redis waits for the socket to become
/// writable and does not check the connect's outcome); an unresolvable name or no
/// answer in time is a connection error.
fn connect(target: &str, timeout: Duration) -> Result<TcpStream, Failure> {
    let addrs = target.to_socket_addrs().map_err(|_| Failure::Connect)?;
    let mut refused = false;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => refused |= e.kind() != std::io::ErrorKind::TimedOut,
        }
    }
    Err(if refused {
        Failure::Io {
            writing: true,
            timed_out: false,
        }
    } else {
        Failure::Connect
    })
}

/// One reply line (status, error or integer), at most 1 KB.
fn read_line(reader: &mut impl BufRead) -> Result<String, Failure> {
    let mut line = Vec::new();
    let read = reader.take(1024).read_until(b'\n', &mut line);
    let failure = |timed_out| Failure::Io {
        writing: false,
        timed_out,
    };
    if let Err(e) = read {
        return Err(failure(timed_out(&e)));
    }
    if !line.ends_with(b"\r\n") {
        return Err(failure(false));
    }
    line.truncate(line.len() - 2);
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// Without COPY, the keys the target acknowledged are deleted here, recorded as one
/// DEL (as Redis rewrites MIGRATE for its AOF and replicas).
fn delete_moved(ctx: &mut Ctx<'_>, sent: &[Bytes], acked: &[bool], opts: &Options) {
    if opts.copy {
        return;
    }
    let now = ctx.now();
    let mut record = vec![Bytes::from_static(b"DEL")];
    for (key, _) in sent.iter().zip(acked).filter(|(_, ok)| **ok) {
        if ctx.db().remove(key, now).is_some() {
            ctx.server.dirty += 1;
            ctx.notify(notify::GENERIC, "del", key);
            record.push(key.clone());
        }
    }
    if record.len() > 1 {
        ctx.propagate_as(record);
    }
}
