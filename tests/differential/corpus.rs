//! Scripted corpora: parsing `*.redis` files and running them against both servers.
//! The file format and markers are documented at the top of `differential.rs`.

use super::compare::{self, Check, Stats};
use super::resp;
use super::servers::{Conn, Outcome, Pair, Side};
use std::collections::BTreeSet;
use std::time::Duration;

/// One parsed corpus line.
#[derive(Debug)]
pub enum Step {
    /// Send a command and compare its reply.
    Command {
        args: Vec<Vec<u8>>,
        check: Check,
        scan_all: bool,
    },
    /// Sleep this long (both servers are driven in lockstep, so once is enough).
    Sleep(u64),
    /// Make connection K current (opened on first use).
    Conn(usize),
    /// Close and reopen the current connection.
    Reconnect,
    /// Read one more reply (a push) on the current connection without sending anything,
    /// and compare it exactly (`#@read`) or by type only (`#@read-skip`).
    Read(Check),
    /// Start both servers with these extra arguments (`#@args`); the whole corpus runs
    /// on them, wherever the marker is written.
    ServerArgs(Vec<String>),
}

/// A step with the 1-based line it came from.
pub struct Line {
    pub number: usize,
    pub step: Step,
}

/// Splits a line into arguments the way redis-cli does (`sdssplitargs`).
pub fn split_args(line: &str) -> Result<Vec<Vec<u8>>, String> {
    let bytes = line.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            return Ok(args);
        }
        let (arg, next) = split_one(bytes, i)?;
        args.push(arg);
        i = next;
    }
}

/// Reads one argument starting at `i`; returns it and the index after it.
fn split_one(b: &[u8], mut i: usize) -> Result<(Vec<u8>, usize), String> {
    let mut cur = Vec::new();
    let mut quote: Option<u8> = None;
    loop {
        let Some(&c) = b.get(i) else {
            return match quote {
                Some(_) => Err("unbalanced quotes".into()),
                None => Ok((cur, i)),
            };
        };
        match quote {
            Some(b'"') if c == b'\\' && b.get(i + 1) == Some(&b'x') && hex2(b, i + 2).is_some() => {
                cur.push(hex2(b, i + 2).unwrap_or(0));
                i += 3;
            }
            Some(b'"') if c == b'\\' && i + 1 < b.len() => {
                cur.push(unescape(b[i + 1]));
                i += 1;
            }
            Some(b'\'') if c == b'\\' && b.get(i + 1) == Some(&b'\'') => {
                cur.push(b'\'');
                i += 1;
            }
            Some(q) if c == q => {
                if b.get(i + 1).is_some_and(|n| !n.is_ascii_whitespace()) {
                    return Err("closing quote must be followed by a space".into());
                }
                return Ok((cur, i + 1));
            }
            Some(_) => cur.push(c),
            None if c.is_ascii_whitespace() => return Ok((cur, i)),
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None => cur.push(c),
        }
        i += 1;
    }
}

fn hex2(b: &[u8], i: usize) -> Option<u8> {
    let s = std::str::from_utf8(b.get(i..i + 2)?).ok()?;
    u8::from_str_radix(s, 16).ok()
}

fn unescape(c: u8) -> u8 {
    match c {
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'b' => 8,
        b'a' => 7,
        other => other,
    }
}

/// Parses a whole corpus; errors name the line.
pub fn parse(text: &str) -> Result<Vec<Line>, String> {
    let mut lines = Vec::new();
    let mut pending: Option<(Check, bool)> = None;
    for (idx, raw) in text.lines().enumerate() {
        let number = idx + 1;
        let line = raw.trim();
        let err = |e: String| format!("line {number}: {e}");
        if let Some(marker) = line.strip_prefix("#@") {
            match parse_marker(marker).map_err(err)? {
                Marker::Check(check, scan) => pending = Some((check, scan)),
                Marker::Step(step) => lines.push(Line { number, step }),
            }
        } else if !line.is_empty() && !line.starts_with('#') {
            let args = split_args(line).map_err(err)?;
            let (check, scan_all) = pending.take().unwrap_or((Check::Exact, false));
            lines.push(Line {
                number,
                step: Step::Command {
                    args,
                    check,
                    scan_all,
                },
            });
        }
    }
    Ok(lines)
}

enum Marker {
    Check(Check, bool),
    Step(Step),
}

fn parse_marker(marker: &str) -> Result<Marker, String> {
    let words: Vec<&str> = marker.split_whitespace().collect();
    let num = |i: usize| -> Result<u64, String> {
        words
            .get(i)
            .and_then(|w| w.parse().ok())
            .ok_or(format!("marker needs a number: {marker}"))
    };
    Ok(match words.first().copied().unwrap_or("") {
        "unordered" => Marker::Check(Check::Unordered, false),
        "unordered-pairs" => Marker::Check(Check::UnorderedPairs, false),
        "scan" => Marker::Check(Check::ScanReply, false),
        "scan-all" => Marker::Check(Check::Exact, true),
        "skip" => Marker::Check(Check::Skip, false),
        "noreply" => Marker::Check(Check::NoReply, false),
        "approx" => Marker::Check(Check::Approx(num(1)? as i64), false),
        "sleep" => Marker::Step(Step::Sleep(num(1)?)),
        "conn" => Marker::Step(Step::Conn(num(1)? as usize)),
        "reconnect" => Marker::Step(Step::Reconnect),
        "read" => Marker::Step(Step::Read(Check::Exact)),
        "read-skip" => Marker::Step(Step::Read(Check::Skip)),
        "args" => Marker::Step(Step::ServerArgs(
            words[1..].iter().map(|w| w.to_string()).collect(),
        )),
        other => return Err(format!("unknown marker #@{other}")),
    })
}

/// The connections of one side, indexed by the `#@conn` number.
struct Conns {
    side: Side,
    conns: Vec<Option<Conn>>,
    /// Each connection's CLIENT ID, asked on first use of `$id:K` (see [`Conns::expand`]).
    ids: Vec<Option<Vec<u8>>>,
}

impl Conns {
    /// Replaces every argument `$id:K` with connection K's client id on this side (ids
    /// differ between the two servers): CLIENT ID is sent on connection K the first
    /// time, so ask before K subscribes in RESP2. A reconnect forgets the id.
    fn expand(&mut self, pair: &Pair, args: &[Vec<u8>]) -> Vec<Vec<u8>> {
        args.iter()
            .map(|arg| {
                let Some(k) = arg
                    .strip_prefix(b"$id:")
                    .and_then(|k| std::str::from_utf8(k).ok()?.parse::<usize>().ok())
                else {
                    return arg.clone();
                };
                if self.ids.len() <= k {
                    self.ids.resize(k + 1, None);
                }
                if let Some(id) = &self.ids[k] {
                    return id.clone();
                }
                let conn = self.current(pair, k);
                conn.send(&resp::encode_command(&[b"CLIENT".to_vec(), b"ID".to_vec()]));
                let id = match conn.read_reply() {
                    Outcome::Reply(bytes) => bytes
                        .strip_prefix(b":")
                        .and_then(|b| b.strip_suffix(b"\r\n"))
                        .map(<[u8]>::to_vec)
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                self.ids[k] = Some(id.clone());
                id
            })
            .collect()
    }
}

impl Conns {
    fn current(&mut self, pair: &Pair, k: usize) -> &mut Conn {
        if self.conns.len() <= k {
            self.conns.resize_with(k + 1, || None);
        }
        let addr = pair.get(self.side).addr;
        self.conns[k].get_or_insert_with(|| Conn::open_or_dead(addr))
    }
}

impl Conns {
    /// If only our connection died (closed, timed out, garbage), drop it so the next
    /// command reconnects: one lost reply should not turn the rest into noise.
    fn reopen_if_lost(&mut self, k: usize, redis: &Outcome, ours: &Outcome) {
        if matches!(redis, Outcome::Reply(_)) && !matches!(ours, Outcome::Reply(_)) {
            self.conns[k] = None;
        }
    }
}

/// Runs a corpus file's text on a fresh pair; `name` is used in reports.
pub fn run(name: &str, text: &str) -> Stats {
    let lines = parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let extra: Vec<String> = lines
        .iter()
        .filter_map(|line| match &line.step {
            Step::ServerArgs(args) => Some(args.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut pair = Pair::start_with(&extra);
    let mut redis = Conns {
        side: Side::Redis,
        conns: Vec::new(),
        ids: Vec::new(),
    };
    let mut ours = Conns {
        side: Side::Ours,
        conns: Vec::new(),
        ids: Vec::new(),
    };
    let mut stats = Stats::default();
    let mut current = 0;
    for line in &lines {
        match &line.step {
            Step::Sleep(ms) => std::thread::sleep(Duration::from_millis(*ms)),
            Step::ServerArgs(_) => {}
            Step::Conn(k) => current = *k,
            Step::Reconnect => {
                for side in [&mut redis, &mut ours] {
                    if let Some(slot) = side.conns.get_mut(current) {
                        *slot = None;
                    }
                    if let Some(id) = side.ids.get_mut(current) {
                        *id = None;
                    }
                }
            }
            Step::Read(check) => {
                let r = redis.current(&pair, current).read_reply();
                let o = ours.current(&pair, current).read_reply();
                if matches!((&r, &o), (Outcome::Timeout, Outcome::Timeout)) {
                    // A push the corpus expects that neither server sent.
                    stats.mismatches.push(format!(
                        "{name}:{}: #@read: neither server sent anything",
                        line.number
                    ));
                    redis.conns[current] = None;
                    ours.conns[current] = None;
                } else if !compare::agree(*check, &r, &o) {
                    let place = format!("{name}:{}", line.number);
                    let what = [b"#@read".to_vec()];
                    stats
                        .mismatches
                        .push(compare::report(&place, &what, *check, &r, &o));
                    ours.reopen_if_lost(current, &r, &o);
                }
            }
            Step::Command {
                args,
                check,
                scan_all,
            } if *check == Check::NoReply => {
                redis
                    .current(&pair, current)
                    .send(&resp::encode_command(args));
                ours.current(&pair, current)
                    .send(&resp::encode_command(args));
                stats.record(args, *check);
            }
            Step::Command {
                args,
                check,
                scan_all,
            } => {
                let (r_args, o_args) = if args.iter().any(|a| a.starts_with(b"$id:")) {
                    (redis.expand(&pair, args), ours.expand(&pair, args))
                } else {
                    (args.clone(), args.clone())
                };
                let r = execute(redis.current(&pair, current), &r_args, *scan_all);
                let o = execute(ours.current(&pair, current), &o_args, *scan_all);
                stats.record(args, *check);
                if matches!((&r, &o), (Outcome::Timeout, Outcome::Timeout)) {
                    // Both blocked: agreement, but every later command on this connection
                    // would compare "closed" with "closed" and hide real differences, so a
                    // corpus must never leave a connection blocked.
                    stats.mismatches.push(format!(
                        "{name}:{}: both servers gave no reply (the corpus blocks a connection: use a timeout or serve it)",
                        line.number
                    ));
                    redis.conns[current] = None;
                    ours.conns[current] = None;
                } else if !compare::agree(*check, &r, &o) {
                    let place = format!("{name}:{}", line.number);
                    stats
                        .mismatches
                        .push(compare::report(&place, args, *check, &r, &o));
                    ours.reopen_if_lost(current, &r, &o);
                }
            }
        }
    }
    check_exits(name, &mut pair, &mut stats);
    stats
}

/// Reports our server exiting when the reference did not (after a SHUTDOWN both
/// exit; the reference gets a moment to finish).
fn check_exits(name: &str, pair: &mut Pair, stats: &mut Stats) {
    let Some(why) = pair.ours.exited() else {
        return;
    };
    for _ in 0..20 {
        if pair.redis.exited().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    stats.mismatches.push(format!(
        "{name}: our server exited but redis-server did not: {why}"
    ));
}

/// Sends one command (or a whole SCAN iteration) and returns its outcome.
fn execute(conn: &mut Conn, args: &[Vec<u8>], scan_all: bool) -> Outcome {
    if scan_all {
        return scan_all_outcome(conn, args);
    }
    conn.send(&resp::encode_command(args));
    conn.read_reply()
}

/// Iterates a SCAN/HSCAN/SSCAN/ZSCAN to cursor 0 and returns a synthetic array reply
/// of every distinct element (pairs kept together for HSCAN and ZSCAN), or the first
/// reply that is not a scan reply.
fn scan_all_outcome(conn: &mut Conn, args: &[Vec<u8>]) -> Outcome {
    let name = String::from_utf8_lossy(&args[0]).to_lowercase();
    let (pos, group) = match name.as_str() {
        "scan" => (1, 1),
        "sscan" => (2, 1),
        _ => (2, 2),
    };
    let mut args = args.to_vec();
    let mut seen = BTreeSet::new();
    for _ in 0..100_000 {
        conn.send(&resp::encode_command(&args));
        let reply = match conn.read_reply() {
            Outcome::Reply(r) => r,
            other => return other,
        };
        let Some((_, parts)) = resp::split_aggregate(&reply) else {
            return Outcome::Reply(reply);
        };
        let (Some(cursor), Some((_, elems))) = (
            resp::bulk_payload(parts[0]),
            resp::split_aggregate(parts[1]),
        ) else {
            return Outcome::Reply(reply);
        };
        seen.extend(elems.chunks(group).map(|c| c.concat()));
        if cursor == b"0" {
            return Outcome::Reply(synthetic_array(&seen));
        }
        if pos < args.len() {
            args[pos] = cursor.to_vec();
        }
    }
    Outcome::Garbage("SCAN did not finish in 100000 calls".into())
}

fn synthetic_array(items: &BTreeSet<Vec<u8>>) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for item in items {
        out.extend_from_slice(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_redis_cli() {
        let a = split_args(r#"SET "a\x00b\r\n" 'it''s' "q\"" plain"#);
        assert!(a.is_err(), "closing quote followed by a quote");
        let a = split_args(r#"SET "a\x00b\r\n" 'x y' "q\"\\" plain"#).unwrap();
        assert_eq!(
            a,
            vec![
                b"SET".to_vec(),
                b"a\0b\r\n".to_vec(),
                b"x y".to_vec(),
                b"q\"\\".to_vec(),
                b"plain".to_vec()
            ]
        );
        assert!(split_args("GET \"abc").is_err());
        assert_eq!(
            split_args("GET \"\"").unwrap(),
            vec![b"GET".to_vec(), vec![]]
        );
    }
}
