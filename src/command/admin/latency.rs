//! LATENCY: the latency monitor (spikes of at least `latency-monitor-threshold` ms per
//! event: `command`, `fast-command`, `expire-cycle`...) and the per-command latency
//! histograms that latency tracking keeps (see `stats`).
//!
//! Each event keeps its last [`HISTORY_LEN`] samples, one per second at most (a second
//! spike in the same second keeps the larger one), plus its all-time maximum.

use crate::command::metrics::latency::Sample;

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::help;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};
use crate::command::metrics::stats::{sorted, CommandStat};
use crate::error::{CmdError, CmdResult};

/// `LATENCY LATEST` — per event: name, time of the latest spike, its latency, the max.
fn latency_latest(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let events = &ctx.server.admin.latency.events;
    ctx.reply.array_len(events.len());
    for (name, history) in events {
        let last = history.samples.back().copied().unwrap_or(Sample {
            time: 0,
            latency: 0,
        });
        ctx.reply.array_len(4);
        ctx.reply.bulk(name.as_bytes());
        ctx.reply.int(last.time);
        ctx.reply.int(last.latency as i64);
        ctx.reply.int(history.max as i64);
    }
    Ok(())
}

/// `LATENCY HISTORY event` — `[time, latency]` pairs, oldest first.
fn latency_history(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&args[2]);
    let samples = ctx
        .server
        .admin
        .latency
        .events
        .get(name.as_ref())
        .map(|h| h.samples.clone())
        .unwrap_or_default();
    ctx.reply.array_len(samples.len());
    for sample in samples {
        ctx.reply.array_len(2);
        ctx.reply.int(sample.time);
        ctx.reply.int(sample.latency as i64);
    }
    Ok(())
}

/// `LATENCY RESET [event ...]` — forgets the named events (all without names); replies
/// with how many were forgotten.
fn latency_reset(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let events = &mut ctx.server.admin.latency.events;
    let removed = if args.len() == 2 {
        let n = events.len();
        events.clear();
        n
    } else {
        args[2..]
            .iter()
            .filter(|name| {
                events
                    .remove(String::from_utf8_lossy(name).as_ref())
                    .is_some()
            })
            .count()
    };
    ctx.reply.int(removed as i64);
    Ok(())
}

/// Rows of the ASCII graph.
const GRAPH_ROWS: u64 = 4;

/// `LATENCY GRAPH event` — an ASCII chart of the event's samples, one column each,
/// with how long ago each was taken written vertically under it.
fn latency_graph(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&args[2]).into_owned();
    let Some(history) = ctx.server.admin.latency.events.get(&name) else {
        let text = format!("ERR No samples available for event '{name}'");
        return Err(CmdError::raw(crate::error::one_line(text.into_bytes())));
    };
    let now = ctx.server.now_ms / 1000;
    let high = history.samples.iter().map(|s| s.latency).max().unwrap_or(0);
    let low = history.samples.iter().map(|s| s.latency).min().unwrap_or(0);
    let mut text = format!(
        "{name} - high {high} ms, low {low} ms (all time high {} ms)\n{}\n",
        history.max,
        "-".repeat(80)
    );
    for row in (1..=GRAPH_ROWS).rev() {
        let line: String = history
            .samples
            .iter()
            .map(|s| {
                let level = if high == 0 {
                    0
                } else {
                    (s.latency * GRAPH_ROWS).div_ceil(high)
                };
                if level >= row {
                    '#'
                } else {
                    ' '
                }
            })
            .collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    let labels: Vec<Vec<char>> = history
        .samples
        .iter()
        .map(|s| ago(now - s.time).chars().collect())
        .collect();
    let depth = labels.iter().map(Vec::len).max().unwrap_or(0);
    for row in 0..depth {
        let line: String = labels
            .iter()
            .map(|l| l.get(row).copied().unwrap_or(' '))
            .collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    ctx.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// A short "how long ago": `12s`, `5m`, `3h`, `2d`.
fn ago(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// `LATENCY DOCTOR` — a plain-language report of the spikes seen per event.
fn latency_doctor(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let events = &ctx.server.admin.latency.events;
    let threshold = ctx.server.config.latency_monitor_threshold;
    let mut text = String::new();
    if threshold == 0 {
        text.push_str("The latency monitor is disabled: set latency-monitor-threshold to a number of milliseconds to enable it.\n");
    }
    if events.is_empty() {
        text.push_str("No latency spike has been recorded since the server started.\n");
    }
    for (name, history) in events {
        let count = history.samples.len() as u64;
        let sum: u64 = history.samples.iter().map(|s| s.latency).sum();
        text.push_str(&format!(
            "{name}: {count} latency spikes (average {}ms, all time high {}ms).\n",
            sum / count.max(1),
            history.max
        ));
        let advice = match name.as_str() {
            "command" | "fast-command" => {
                "Slow commands: check SLOWLOG GET for the commands involved."
            }
            "expire-cycle" => "Expiry: many keys expire at the same time; spread their TTLs.",
            _ => "No specific advice for this event.",
        };
        text.push_str(&format!("  {advice}\n"));
    }
    ctx.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// Writes one command's `calls` and `histogram_usec` map.
fn write_cdf(ctx: &mut Ctx<'_>, stat: &CommandStat) {
    let Some(histogram) = &stat.histogram else {
        return;
    };
    ctx.reply.bulk(stat.name.as_bytes());
    ctx.reply.map_len(2);
    ctx.reply.bulk(b"calls");
    ctx.reply.int(histogram.total as i64);
    ctx.reply.bulk(b"histogram_usec");
    let levels = histogram.cumulative();
    ctx.reply.map_len(levels.len());
    for (usec, count) in levels {
        ctx.reply.int(usec as i64);
        ctx.reply.int(count as i64);
    }
}

/// `LATENCY HISTOGRAM [command ...]` — per command (all tracked ones, or those named;
/// a container name selects its subcommands), the call count and cumulative latency
/// distribution.
fn latency_histogram(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let wanted = |name: &str| {
        args.len() == 2
            || args[2..].iter().any(|a| {
                let asked = String::from_utf8_lossy(a).to_ascii_lowercase();
                name == asked
                    || name
                        .strip_prefix(asked.as_str())
                        .is_some_and(|r| r.starts_with('|'))
            })
    };
    let stats: Vec<CommandStat> = sorted(&ctx.server.admin)
        .into_iter()
        .filter(|s| s.histogram.is_some() && wanted(&s.name))
        .cloned()
        .collect();
    ctx.reply.map_len(stats.len());
    for stat in &stats {
        write_cdf(ctx, stat);
    }
    Ok(())
}

/// The LATENCY container's table entry.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::container("latency", -2, 0)
        .subcommands(SUBCOMMANDS)
        .docs(Group::Server.doc("A container for latency diagnostics commands.", "2.8.13", "Depends on subcommand.")),
];

/// LATENCY's subcommands.
#[rustfmt::skip]
const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("graph", 3, FLAGS, latency_graph)
        .acl(acl::DANGEROUS).tips(SPECIAL)
        .docs(Group::Server.doc("Draws an ASCII chart of an event's latency samples.", "2.8.13", "O(1)").args(EVENT)),
    CommandSpec::new("doctor", 2, FLAGS, latency_doctor)
        .acl(acl::DANGEROUS).tips(SPECIAL)
        .docs(Group::Server.doc("Describes the latency spikes seen, in plain language.", "2.8.13", "O(1)")),
    CommandSpec::new("latest", 2, FLAGS, latency_latest)
        .acl(acl::DANGEROUS).tips(SPECIAL)
        .docs(Group::Server.doc("Returns the latest spike of every event.", "2.8.13", "O(1)")),
    CommandSpec::new("help", 2, LOADING | STALE, |ctx, _| help::reply(ctx, HELP))
        .docs(Group::Server.doc("Lists the LATENCY subcommands.", "2.8.13", "O(1)")),
    CommandSpec::new("histogram", -2, FLAGS, latency_histogram)
        .acl(acl::DANGEROUS).tips(SPECIAL)
        .docs(Group::Server.doc("Returns the cumulative latency distribution of commands.", "7.0.0", HISTOGRAM_COST)
            .args(&[Arg::new("command", ArgType::String).optional().multiple()])),
    CommandSpec::new("history", 3, FLAGS, latency_history)
        .acl(acl::DANGEROUS).tips(SPECIAL)
        .docs(Group::Server.doc("Returns an event's latency samples.", "2.8.13", "O(1)").args(EVENT)),
    CommandSpec::new("reset", -2, FLAGS, latency_reset)
        .acl(acl::DANGEROUS).tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
        .docs(Group::Server.doc("Forgets the latency samples of some or all events.", "2.8.13", "O(1)")
            .args(&[Arg::new("event", ArgType::String).optional().multiple()])),
];

/// The flags of every LATENCY subcommand but HELP.
const FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;
const SPECIAL: &[&str] = &[
    "nondeterministic_output",
    "request_policy:all_nodes",
    "response_policy:special",
];
const HISTOGRAM_COST: &str =
    "O(N) where N is the number of commands with latency information being retrieved.";
const EVENT: &[Arg] = &[Arg::new("event", ArgType::String)];

/// Lines of LATENCY HELP.
const HELP: &[&str] = &[
    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return a plain-language report of the latency spikes seen.",
    "GRAPH <event>",
    "    Return an ASCII chart of the samples of <event>.",
    "HISTORY <event>",
    "    Return the [time, latency] samples of <event>.",
    "LATEST",
    "    Return the latest spike of every event.",
    "RESET [<event> ...]",
    "    Forget the samples of the given events, or of every event.",
    "HISTOGRAM [<command> ...]",
    "    Return the cumulative latency distribution of the given commands, or of all.",
    "HELP",
    "    Print this help.",
];
