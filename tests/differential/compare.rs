//! How two outcomes are compared, and the tally of what was compared.

use super::resp;
use super::servers::Outcome;
use std::collections::BTreeSet;

/// How the replies to one command are compared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Check {
    /// Raw bytes must be identical.
    Exact,
    /// Sent and read, but only the kind of outcome and the reply's type byte are compared.
    Skip,
    /// The top-level elements are compared as a multiset (KEYS, SMEMBERS...).
    Unordered,
    /// The top-level elements, taken two at a time, are compared as a multiset (HGETALL).
    UnorderedPairs,
    /// A SCAN-family reply `[cursor, [elements]]`: cursor exact, elements as a multiset.
    ScanReply,
    /// Integer replies may differ by at most this much (PTTL, EXPIRETIME...).
    Approx(i64),
    /// The command is sent and no reply is read (CLIENT REPLY OFF/SKIP): a reply
    /// either server sends anyway shows up as a mismatch on the next command.
    NoReply,
}

/// Returns true if the two outcomes agree under `check`.
pub fn agree(check: Check, a: &Outcome, b: &Outcome) -> bool {
    match (check, a, b) {
        (_, Outcome::Reply(x), Outcome::Reply(y)) => replies_agree(check, x, y),
        _ => a == b,
    }
}

fn replies_agree(check: Check, x: &[u8], y: &[u8]) -> bool {
    match check {
        Check::Exact => x == y,
        Check::Skip => x.first() == y.first(),
        Check::Unordered => canonical(x, 1) == canonical(y, 1),
        Check::UnorderedPairs => canonical(x, 2) == canonical(y, 2),
        Check::ScanReply => canonical_scan(x) == canonical_scan(y),
        Check::Approx(tol) => match (resp::int_value(x), resp::int_value(y)) {
            (Some(a), Some(b)) if a >= 0 && b >= 0 => (a - b).abs() <= tol,
            _ => x == y,
        },
        // Nothing was read; the next command's comparison catches a stray reply.
        Check::NoReply => true,
    }
}

/// Header plus sorted groups of `group` elements; non-aggregates stay as they are.
fn canonical(reply: &[u8], group: usize) -> Vec<Vec<u8>> {
    let Some((head, elems)) = resp::split_aggregate(reply) else {
        return vec![reply.to_vec()];
    };
    let mut groups: Vec<Vec<u8>> = elems.chunks(group).map(|c| c.concat()).collect();
    groups.sort();
    groups.insert(0, head.to_vec());
    groups
}

/// `[cursor, sorted elements]` for a SCAN reply; anything else unchanged.
fn canonical_scan(reply: &[u8]) -> Vec<Vec<u8>> {
    match resp::split_aggregate(reply) {
        Some((_, parts)) if parts.len() == 2 => {
            let mut out = canonical(parts[1], 1);
            out.insert(0, parts[0].to_vec());
            out
        }
        _ => vec![reply.to_vec()],
    }
}

/// Commands whose second argument names a subcommand in `COMMAND LIST` (`client|id`).
const CONTAINERS: &[&str] = &[
    "acl", "client", "cluster", "command", "config", "debug", "function", "latency", "memory",
    "module", "object", "pubsub", "script", "slowlog", "xgroup", "xinfo",
];

/// Names under which a command counts as covered: `get`, or `client` and `client|id`.
pub fn command_names(args: &[Vec<u8>]) -> Vec<String> {
    let Some(first) = args.first() else {
        return vec![];
    };
    let name = String::from_utf8_lossy(first).to_lowercase();
    let mut names = vec![name.clone()];
    if CONTAINERS.contains(&name.as_str()) {
        if let Some(sub) = args.get(1) {
            names.push(format!(
                "{name}|{}",
                String::from_utf8_lossy(sub).to_lowercase()
            ));
        }
    }
    names
}

/// What a run compared: counts, covered names, and readable mismatch reports.
#[derive(Default)]
pub struct Stats {
    pub compared: usize,
    pub names: BTreeSet<String>,
    pub mismatches: Vec<String>,
}

impl Stats {
    /// Records one compared command (skipped comparisons do not count as coverage).
    pub fn record(&mut self, args: &[Vec<u8>], check: Check) {
        self.compared += 1;
        if check != Check::Skip {
            self.names.extend(command_names(args));
        }
    }

    /// Adds everything from `other`.
    pub fn merge(&mut self, other: Stats) {
        self.compared += other.compared;
        self.names.extend(other.names);
        self.mismatches.extend(other.mismatches);
    }

    /// Prints the summary line for `what`.
    pub fn summary(&self, what: &str) -> String {
        format!(
            "{what}: {} commands compared across {} command names, {} mismatches",
            self.compared,
            self.names.len(),
            self.mismatches.len()
        )
    }
}

/// Formats one mismatch: where, what was sent, both outcomes, and for long
/// replies the neighbourhood of the first differing byte.
pub fn report(
    place: &str,
    args: &[Vec<u8>],
    check: Check,
    redis: &Outcome,
    ours: &Outcome,
) -> String {
    let how = if check == Check::Exact {
        String::new()
    } else {
        format!(" (compared {check:?})")
    };
    format!(
        "{place}: {}{how}\n    redis: {}\n    ours:  {}{}",
        resp::format_command(args),
        redis.show(),
        ours.show(),
        first_difference(redis, ours)
    )
}

/// For two long replies, where they first differ and 60 bytes of context on each side.
fn first_difference(redis: &Outcome, ours: &Outcome) -> String {
    let (Outcome::Reply(a), Outcome::Reply(b)) = (redis, ours) else {
        return String::new();
    };
    if a.len().max(b.len()) < 300 {
        return String::new();
    }
    let at = a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count();
    let window = |r: &[u8]| resp::escape(&r[at.saturating_sub(60)..(at + 60).min(r.len())]);
    format!(
        "\n    first difference at byte {at}:\n      redis: ...{}...\n      ours:  ...{}...",
        window(a),
        window(b)
    )
}
