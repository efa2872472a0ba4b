//! XINFO STREAM/GROUPS/CONSUMERS/HELP and XSETID.

use bytes::Bytes;

use super::shared::{error_with, reply_entries, reply_entry, strict_id};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::typed;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::stream::{Group, Stream, StreamId};

/// XINFO HELP's lines.
const XINFO_HELP: &[&str] = &[
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
];

/// XINFO STREAM FULL's default COUNT.
const FULL_DEFAULT_COUNT: i64 = 10;

/// `XINFO HELP`
///
/// # Returns
/// The help lines.
pub fn xinfo_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    crate::command::core::help::reply(ctx, XINFO_HELP)
}

/// Writes `group`'s lag: a number, or null when it cannot be known.
fn reply_lag(reply: &mut Reply<'_>, stream: &Stream, group: &Group) {
    match stream.group_lag(group) {
        Some(lag) => reply.int(lag),
        None => reply.null(),
    }
}

/// Writes `entries-read`: a number, or null when unknown.
fn reply_entries_read(reply: &mut Reply<'_>, group: &Group) {
    if group.entries_read >= 0 {
        reply.int(group.entries_read);
    } else {
        reply.null();
    }
}

/// `XINFO GROUPS key`
///
/// # Returns
/// Per group: name, consumers, pending, last-delivered-id, entries-read, lag.
pub fn xinfo_groups(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let stream = typed::read::<Stream>(db, &args[2], now)?.ok_or(CmdError::NoSuchKey)?;
    reply.array_len(stream.groups.len());
    for (name, group) in &stream.groups {
        reply.map_len(6);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"consumers");
        reply.int(group.consumers.len() as i64);
        reply.bulk(b"pending");
        reply.int(group.pel.len() as i64);
        reply.bulk(b"last-delivered-id");
        reply.bulk(group.last_id.to_text().as_bytes());
        reply.bulk(b"entries-read");
        reply_entries_read(reply, group);
        reply.bulk(b"lag");
        reply_lag(reply, stream, group);
    }
    Ok(())
}

/// `XINFO CONSUMERS key group`
///
/// # Returns
/// Per consumer: name, pending, idle.
pub fn xinfo_consumers(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let stream = typed::read::<Stream>(db, &args[2], now)?.ok_or(CmdError::NoSuchKey)?;
    let Some(group) = stream.groups.get(&args[3][..]) else {
        return Err(error_with(&[
            b"NOGROUP No such consumer group '",
            &args[3],
            b"' for key name '",
            &args[2],
            b"'",
        ]));
    };
    reply.array_len(group.consumers.len());
    for (name, consumer) in &group.consumers {
        reply.map_len(3);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"pending");
        reply.int(consumer.pel.len() as i64);
        reply.bulk(b"idle");
        reply.int((now - consumer.seen_time).max(0));
    }
    Ok(())
}

/// `XINFO STREAM key [FULL [COUNT count]]`
///
/// # Returns
/// The stream's counters and first/last entries, or with FULL its entries and groups.
pub fn xinfo_stream(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let stream = typed::read::<Stream>(db, &args[2], now)?.ok_or(CmdError::NoSuchKey)?;
    let opts = &args[3..];
    let syntax = || CmdError::subcommand_syntax("xinfo", &args[1]);
    let full = match opts.len() {
        0 => None,
        1 | 3 if args::is_c_option(&opts[0], "full") => {
            if opts.len() == 1 {
                Some(FULL_DEFAULT_COUNT)
            } else if args::is_c_option(&opts[1], "count") {
                let n = args::int(&opts[2])?;
                Some(if n < 0 { FULL_DEFAULT_COUNT } else { n })
            } else {
                return Err(syntax());
            }
        }
        _ => return Err(syntax()),
    };
    reply.map_len(if full.is_some() { 9 } else { 10 });
    stream_header(reply, stream);
    match full {
        None => stream_summary(reply, stream),
        Some(count) => stream_full(reply, stream, count.max(0) as usize),
    }
    Ok(())
}

/// The fields XINFO STREAM always has.
fn stream_header(reply: &mut Reply<'_>, s: &Stream) {
    reply.bulk(b"length");
    reply.int(s.len() as i64);
    reply.bulk(b"radix-tree-keys");
    reply.int(s.node_count() as i64);
    reply.bulk(b"radix-tree-nodes");
    reply.int(s.radix_nodes() as i64);
    for (name, id) in [
        (&b"last-generated-id"[..], s.last_id),
        (b"max-deleted-entry-id", s.max_deleted_entry_id),
    ] {
        reply.bulk(name);
        reply.bulk(id.to_text().as_bytes());
    }
    reply.bulk(b"entries-added");
    reply.int(s.entries_added as i64);
    reply.bulk(b"recorded-first-entry-id");
    reply.bulk(s.first_id.to_text().as_bytes());
}

/// The short form: group count, first and last entries.
fn stream_summary(reply: &mut Reply<'_>, s: &Stream) {
    reply.bulk(b"groups");
    reply.int(s.groups.len() as i64);
    for (name, rev) in [(&b"first-entry"[..], false), (b"last-entry", true)] {
        reply.bulk(name);
        match s.range(StreamId::MIN, StreamId::MAX, rev, 1).first() {
            Some((id, entry)) => reply_entry(reply, *id, entry),
            None => reply.null(),
        }
    }
}

/// The FULL form: entries, then every group with its PEL and consumers.
fn stream_full(reply: &mut Reply<'_>, s: &Stream, count: usize) {
    reply.bulk(b"entries");
    reply_entries(reply, &s.range(StreamId::MIN, StreamId::MAX, false, count));
    reply.bulk(b"groups");
    reply.array_len(s.groups.len());
    let limit = if count == 0 { usize::MAX } else { count };
    for (name, group) in &s.groups {
        reply.map_len(7);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"last-delivered-id");
        reply.bulk(group.last_id.to_text().as_bytes());
        reply.bulk(b"entries-read");
        reply_entries_read(reply, group);
        reply.bulk(b"lag");
        reply_lag(reply, s, group);
        reply.bulk(b"pel-count");
        reply.int(group.pel.len() as i64);
        reply.bulk(b"pending");
        let shown: Vec<_> = group.pel.iter().take(limit).collect();
        reply.array_len(shown.len());
        for (id, nack) in shown {
            reply.array_len(4);
            reply.bulk(id.to_text().as_bytes());
            reply.bulk(&nack.consumer);
            reply.int(nack.delivery_time);
            reply.int(nack.delivery_count as i64);
        }
        full_consumers(reply, group, limit);
    }
}

/// FULL's consumers of one group.
fn full_consumers(reply: &mut Reply<'_>, group: &Group, limit: usize) {
    reply.bulk(b"consumers");
    reply.array_len(group.consumers.len());
    for (name, consumer) in &group.consumers {
        reply.map_len(4);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"seen-time");
        reply.int(consumer.seen_time);
        reply.bulk(b"pel-count");
        reply.int(consumer.pel.len() as i64);
        reply.bulk(b"pending");
        let shown: Vec<_> = consumer.pel.iter().take(limit).collect();
        reply.array_len(shown.len());
        for id in shown {
            let nack = group.pel.get(id);
            reply.array_len(3);
            reply.bulk(id.to_text().as_bytes());
            reply.int(nack.map_or(0, |n| n.delivery_time));
            reply.int(nack.map_or(0, |n| n.delivery_count as i64));
        }
    }
}

/// `XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]`
///
/// # Returns
/// OK.
pub fn xsetid(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.write_without_key_signal();
    let id = strict_id(&args[2])?;
    let (mut entries_added, mut max_deleted) = (-1i64, StreamId::MIN);
    let mut i = 3;
    while i < args.len() {
        let more = args.len() - 1 - i;
        if args::is_c_option(&args[i], "entriesadded") && more > 0 {
            entries_added = args::int(&args[i + 1])?;
            if entries_added < 0 {
                return Err(CmdError::raw("ERR entries_added must be positive"));
            }
        } else if args::is_c_option(&args[i], "maxdeletedid") && more > 0 {
            max_deleted = strict_id(&args[i + 1])?;
            if id < max_deleted {
                return Err(CmdError::raw("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"));
            }
        } else {
            return Err(CmdError::Syntax);
        }
        i += 2;
    }
    let now = ctx.now();
    let stream = typed::write::<Stream>(ctx.db(), &args[1], now)?.ok_or(CmdError::NoSuchKey)?;
    if !stream.is_empty() {
        if stream.edge_id(false).is_some_and(|max| id < max) {
            return Err(CmdError::raw(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added != -1 && stream.len() > entries_added as u64 {
            return Err(CmdError::raw("ERR The entries_added specified in XSETID is smaller than the target stream length"));
        }
    }
    stream.last_id = id;
    if entries_added != -1 {
        stream.entries_added = entries_added as u64;
    }
    if !max_deleted.is_zero() {
        stream.max_deleted_entry_id = max_deleted;
    }
    ctx.reply.ok();
    ctx.server.dirty += 1;
    ctx.notify(notify::STREAM, "xsetid", &args[1]);
    Ok(())
}
