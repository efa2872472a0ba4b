//! Consumer group commands: XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER/HELP,
//! XACK, XPENDING, XCLAIM and XAUTOCLAIM.

use bytes::Bytes;

use super::shared::{error_with, interval_bound, parse_id, reply_entry, strict_id};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::typed;
use crate::command::state::notify;
use crate::error::{c_str, one_line, CmdError, CmdResult};
use crate::store::stream::{Group, IdSyntax, Stream, StreamId};
use crate::store::value::Value;

/// XGROUP on a missing key without MKSTREAM.
const ERR_NEED_KEY: &str = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
/// A bad ENTRIESREAD.
const ERR_ENTRIES_READ: &str = "ERR value for ENTRIESREAD must be positive or -1";
/// XGROUP CREATE of an existing group.
const ERR_BUSYGROUP: &str = "BUSYGROUP Consumer Group name already exists";
/// XAUTOCLAIM's COUNT out of range.
const ERR_AUTOCLAIM_COUNT: &str = "ERR COUNT must be > 0";
/// Largest XAUTOCLAIM COUNT (Redis's `LONG_MAX / 16`).
const AUTOCLAIM_MAX_COUNT: i64 = i64::MAX / 16;
/// Entries XAUTOCLAIM examines per entry it may claim.
const AUTOCLAIM_ATTEMPTS_FACTOR: i64 = 10;

/// XGROUP HELP's lines.
const XGROUP_HELP: &[&str] = &[
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
];

/// What every XGROUP subcommand with a key checks first, as Redis's `xgroupCommand`.
struct Prelude {
    mkstream: bool,
    entries_read: i64,
}

/// Parses the options after `<id>`, checks the key's type and existence and (for
/// SETID, CREATECONSUMER, DELCONSUMER) the group's.
fn prelude(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult<Prelude> {
    let sub = &args[1];
    let (create, setid) = (
        args::is_c_option(sub, "create"),
        args::is_c_option(sub, "setid"),
    );
    let mut p = Prelude {
        mkstream: false,
        entries_read: -1,
    };
    let mut i = 5;
    while i < args.len() {
        if create && args::is_c_option(&args[i], "mkstream") {
            p.mkstream = true;
            i += 1;
        } else if (create || setid)
            && args::is_c_option(&args[i], "entriesread")
            && i + 1 < args.len()
        {
            p.entries_read = args::int(&args[i + 1])?;
            if p.entries_read < -1 {
                return Err(CmdError::raw(ERR_ENTRIES_READ));
            }
            i += 2;
        } else {
            return Err(CmdError::subcommand_syntax("xgroup", sub));
        }
    }
    let now = ctx.now();
    let stream = typed::write::<Stream>(ctx.db(), &args[2], now)?;
    if p.mkstream {
        return Ok(p);
    }
    let Some(stream) = stream else {
        return Err(CmdError::raw(ERR_NEED_KEY));
    };
    let needs_group = setid
        || ["createconsumer", "delconsumer"]
            .iter()
            .any(|n| args::is_c_option(sub, n));
    if needs_group && !stream.groups.contains_key(&args[3][..]) {
        return Err(error_with(&[
            b"NOGROUP No such consumer group '",
            &args[3],
            b"' for key name '",
            &args[2],
            b"'",
        ]));
    }
    Ok(p)
}

/// The stream at `key` for writing (the prelude made sure it exists).
fn stream_mut<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> CmdResult<&'a mut Stream> {
    let now = ctx.now();
    typed::write::<Stream>(ctx.db(), key, now)?.ok_or(CmdError::raw(ERR_NEED_KEY))
}

/// `XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]`
///
/// # Returns
/// OK, or BUSYGROUP.
pub fn xgroup_create(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let p = prelude(ctx, args)?;
    if args.len() > 8 {
        return Err(CmdError::subcommand_syntax("xgroup", &args[1]));
    }
    let now = ctx.now();
    let existing = typed::write::<Stream>(ctx.db(), &args[2], now)?.map(|s| s.last_id);
    let id = if &args[4][..] == b"$" {
        existing.unwrap_or(StreamId::MIN)
    } else {
        strict_id(&args[4])?
    };
    if existing.is_none() {
        ctx.db()
            .insert_new(&args[2], Value::Stream(Box::default()), now);
    } else {
        // Only a stream that MKSTREAM creates counts as a key change.
        ctx.write_without_key_signal();
    }
    let stream = stream_mut(ctx, &args[2])?;
    if stream.groups.contains_key(&args[3][..]) {
        return Err(CmdError::raw(ERR_BUSYGROUP));
    }
    stream
        .groups
        .insert(args[3][..].into(), Group::new(id, p.entries_read));
    ctx.reply.ok();
    ctx.server.dirty += 1;
    ctx.notify(notify::STREAM, "xgroup-create", &args[2]);
    Ok(())
}

/// `XGROUP SETID key group id|$ [ENTRIESREAD n]`
///
/// # Returns
/// OK.
pub fn xgroup_setid(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.write_without_key_signal();
    let p = prelude(ctx, args)?;
    if args.len() != 5 && args.len() != 7 {
        return Err(CmdError::subcommand_syntax("xgroup", &args[1]));
    }
    let stream = stream_mut(ctx, &args[2])?;
    let id = if &args[4][..] == b"$" {
        stream.last_id
    } else {
        parse_id(&args[4], IdSyntax::lax(0))?.id
    };
    if let Some(group) = stream.groups.get_mut(&args[3][..]) {
        group.last_id = id;
        group.entries_read = p.entries_read;
    }
    ctx.reply.ok();
    ctx.server.dirty += 1;
    ctx.notify(notify::STREAM, "xgroup-setid", &args[2]);
    Ok(())
}

/// `XGROUP DESTROY key group`
///
/// # Returns
/// 1 if the group existed, else 0.
pub fn xgroup_destroy(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.write_without_key_signal();
    prelude(ctx, args)?;
    let stream = stream_mut(ctx, &args[2])?;
    if stream.groups.remove(&args[3][..]).is_none() {
        ctx.reply.int(0);
        return Ok(());
    }
    ctx.reply.int(1);
    ctx.server.dirty += 1;
    ctx.notify(notify::STREAM, "xgroup-destroy", &args[2]);
    ctx.signal_ready(&args[2]);
    Ok(())
}

/// `XGROUP CREATECONSUMER key group consumer`
///
/// # Returns
/// 1 if the consumer was created, 0 if it existed.
pub fn xgroup_createconsumer(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.write_without_key_signal();
    prelude(ctx, args)?;
    let now = ctx.now();
    let stream = stream_mut(ctx, &args[2])?;
    let created = stream
        .groups
        .get_mut(&args[3][..])
        .is_some_and(|g| g.create_consumer(&args[4], now));
    ctx.reply.int(i64::from(created));
    if created {
        ctx.server.dirty += 1;
        ctx.notify(notify::STREAM, "xgroup-createconsumer", &args[2]);
    }
    Ok(())
}

/// `XGROUP DELCONSUMER key group consumer`
///
/// # Returns
/// The number of entries the consumer had pending.
pub fn xgroup_delconsumer(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.write_without_key_signal();
    prelude(ctx, args)?;
    let stream = stream_mut(ctx, &args[2])?;
    let pending = stream
        .groups
        .get_mut(&args[3][..])
        .and_then(|g| g.delete_consumer(&args[4]));
    ctx.reply.int(pending.unwrap_or(0) as i64);
    if pending.is_some() {
        ctx.server.dirty += 1;
        ctx.notify(notify::STREAM, "xgroup-delconsumer", &args[2]);
    }
    Ok(())
}

/// `XGROUP HELP`
///
/// # Returns
/// The help lines.
pub fn xgroup_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    crate::command::core::help::reply(ctx, XGROUP_HELP)
}

/// `-NOGROUP No such key '<key>' or consumer group '<group>'`.
fn no_key_or_group(key: &[u8], group: &[u8]) -> CmdError {
    error_with(&[
        b"NOGROUP No such key '",
        key,
        b"' or consumer group '",
        group,
        b"'",
    ])
}

/// `XACK key group id [id ...]`
///
/// # Returns
/// The number of entries acknowledged.
pub fn xack(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.write_without_key_signal();
    let now = ctx.now();
    let Some(stream) = typed::read::<Stream>(ctx.db(), &args[1], now)? else {
        ctx.reply.int(0);
        return Ok(());
    };
    let Some(group) = stream.groups.get_mut(&args[2][..]) else {
        ctx.reply.int(0);
        return Ok(());
    };
    let ids = args[3..]
        .iter()
        .map(|a| strict_id(a))
        .collect::<CmdResult<Vec<_>>>()?;
    let acked = ids.iter().filter(|&&id| group.ack(id)).count();
    ctx.server.dirty += acked as u64;
    ctx.reply.int(acked as i64);
    Ok(())
}

/// The range form of XPENDING.
struct PendingRange {
    min_idle: i64,
    start: StreamId,
    end: StreamId,
    count: i64,
    consumer: Option<Bytes>,
}

/// Parses `[IDLE min] start end count [consumer]`.
fn parse_pending(args: &[Bytes]) -> CmdResult<PendingRange> {
    let mut at = 3;
    let mut min_idle = 0;
    if args::is_c_option(&args[3], "idle") {
        min_idle = args::int(&args[4])?;
        if args.len() < 8 {
            return Err(CmdError::Syntax);
        }
        at += 2;
    }
    let count = args::int(&args[at + 2])?.max(0);
    let start = interval_bound(&args[at], 0, true)?;
    let end = interval_bound(&args[at + 1], u64::MAX, false)?;
    let consumer = args.get(at + 3).cloned();
    Ok(PendingRange {
        min_idle,
        start,
        end,
        count,
        consumer,
    })
}

/// `XPENDING key group [[IDLE min-idle-time] start end count [consumer]]`
///
/// # Returns
/// The summary (count, smallest and largest ID, per-consumer counts), or the pending
/// entries in the range: ID, consumer, idle ms, deliveries.
pub fn xpending(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let argc = args.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(CmdError::Syntax);
    }
    let range = if argc >= 6 {
        Some(parse_pending(args)?)
    } else {
        None
    };
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let stream = typed::read::<Stream>(db, &args[1], now)?;
    let Some(group) = stream.and_then(|s| s.groups.get(&args[2][..])) else {
        return Err(no_key_or_group(&args[1], &args[2]));
    };
    let Some(range) = range else {
        pending_summary(reply, group);
        return Ok(());
    };
    let ids: Vec<StreamId> = match &range.consumer {
        Some(name) => match group.consumers.get(&name[..]) {
            Some(c) => c
                .pel
                .range(range.start..)
                .copied()
                .take_while(|id| *id <= range.end)
                .collect(),
            None => Vec::new(),
        },
        None => group
            .pel
            .range(range.start..)
            .map(|(id, _)| *id)
            .take_while(|id| *id <= range.end)
            .collect(),
    };
    let mut rows = Vec::new();
    for id in ids {
        if rows.len() as i64 >= range.count {
            break;
        }
        let Some(nack) = group.pel.get(&id) else {
            continue;
        };
        if range.min_idle != 0 && now - nack.delivery_time < range.min_idle {
            continue;
        }
        rows.push((id, nack));
    }
    reply.array_len(rows.len());
    for (id, nack) in rows {
        reply.array_len(4);
        reply.bulk(id.to_text().as_bytes());
        reply.bulk(&nack.consumer);
        reply.int((now - nack.delivery_time).max(0));
        reply.int(nack.delivery_count as i64);
    }
    Ok(())
}

/// XPENDING's summary form.
fn pending_summary(reply: &mut crate::protocol::Reply<'_>, group: &Group) {
    reply.array_len(4);
    reply.int(group.pel.len() as i64);
    let (Some((first, _)), Some((last, _))) =
        (group.pel.first_key_value(), group.pel.last_key_value())
    else {
        reply.null();
        reply.null();
        reply.null_array();
        return;
    };
    reply.bulk(first.to_text().as_bytes());
    reply.bulk(last.to_text().as_bytes());
    let busy: Vec<_> = group
        .consumers
        .iter()
        .filter(|(_, c)| !c.pel.is_empty())
        .collect();
    reply.array_len(busy.len());
    for (name, consumer) in busy {
        reply.array_len(2);
        reply.bulk(name);
        reply.bulk_int(consumer.pel.len() as i64);
    }
}

/// Parsed XCLAIM options.
struct ClaimOptions {
    ids: Vec<StreamId>,
    delivery_time: Option<i64>,
    retry_count: Option<i64>,
    force: bool,
    justid: bool,
    last_id: StreamId,
}

/// Parses XCLAIM's IDs (until the first non-ID) and options.
fn parse_claim(args: &[Bytes], now: i64) -> CmdResult<ClaimOptions> {
    let mut o = ClaimOptions {
        ids: Vec::new(),
        delivery_time: None,
        retry_count: None,
        force: false,
        justid: false,
        last_id: StreamId::MIN,
    };
    let mut j = 5;
    while j < args.len() {
        match StreamId::parse(&args[j], IdSyntax::STRICT) {
            Some(p) => o.ids.push(p.id),
            None => break,
        }
        j += 1;
    }
    let int_opt = |arg: &[u8], what: &str| {
        crate::util::numbers::parse_i64(arg)
            .ok_or_else(|| CmdError::raw(format!("ERR Invalid {what} option argument for XCLAIM")))
    };
    while j < args.len() {
        let more = args.len() - 1 - j;
        let opt = &args[j][..];
        if args::is_c_option(opt, "force") {
            o.force = true;
        } else if args::is_c_option(opt, "justid") {
            o.justid = true;
        } else if args::is_c_option(opt, "idle") && more > 0 {
            j += 1;
            o.delivery_time = Some(now.wrapping_sub(int_opt(&args[j], "IDLE")?));
        } else if args::is_c_option(opt, "time") && more > 0 {
            j += 1;
            o.delivery_time = Some(int_opt(&args[j], "TIME")?);
        } else if args::is_c_option(opt, "retrycount") && more > 0 {
            j += 1;
            o.retry_count = Some(int_opt(&args[j], "RETRYCOUNT")?);
        } else if args::is_c_option(opt, "lastid") && more > 0 {
            j += 1;
            o.last_id = strict_id(&args[j])?;
        } else {
            let mut text = b"ERR Unrecognized XCLAIM option '".to_vec();
            text.extend_from_slice(c_str(opt, usize::MAX));
            text.push(b'\'');
            return Err(CmdError::raw(one_line(text)));
        }
        j += 1;
    }
    Ok(o)
}

/// `XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms]
/// [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]`
///
/// # Returns
/// The claimed entries (or their IDs with JUSTID).
pub fn xclaim(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.write_without_key_signal();
    let now = ctx.now();
    let found = typed::read::<Stream>(ctx.db(), &args[1], now)?
        .is_some_and(|s| s.groups.contains_key(&args[2][..]));
    if !found {
        return Err(no_key_or_group(&args[1], &args[2]));
    }
    let min_idle = crate::util::numbers::parse_i64(&args[4])
        .ok_or(CmdError::raw(
            "ERR Invalid min-idle-time argument for XCLAIM",
        ))?
        .max(0);
    let o = parse_claim(args, now)?;
    let delivery_time = match o.delivery_time {
        Some(t) if (0..=now).contains(&t) => t,
        _ => now,
    };
    let Some(stream) = typed::read::<Stream>(ctx.db(), &args[1], now)? else {
        return Ok(());
    };
    let Some(mut group) = stream.groups.remove(&args[2][..]) else {
        return Ok(());
    };
    if o.last_id > group.last_id {
        group.last_id = o.last_id;
    }
    let (mut claimed, mut dirty, mut created) = (Vec::new(), 0u64, false);
    let mut have_consumer = false;
    for &id in &o.ids {
        if !stream.contains(id) {
            dirty += u64::from(group.ack(id));
            continue;
        }
        let fresh = !group.pel.contains_key(&id);
        if fresh && !o.force {
            continue;
        }
        if !fresh && min_idle != 0 && now - group.pel[&id].delivery_time < min_idle {
            continue;
        }
        if !have_consumer {
            created = group.touch_consumer(&args[3], now);
            have_consumer = true;
        }
        if fresh {
            group.deliver(id, &args[3], now);
        }
        group.reassign(id, &args[3]);
        if let Some(nack) = group.pel.get_mut(&id) {
            nack.delivery_time = delivery_time;
            match o.retry_count {
                Some(n) if n >= 0 => nack.delivery_count = n as u64,
                _ if !o.justid => nack.delivery_count += 1,
                _ => {}
            }
        }
        claimed.push(id);
        dirty += 1;
    }
    stream.groups.insert(args[2][..].into(), group);
    let (db, reply) = ctx.db_and_reply();
    let stream = typed::read::<Stream>(db, &args[1], now)?;
    reply.array_len(claimed.len());
    for id in claimed {
        match (o.justid, stream.as_ref().and_then(|s| s.get(id))) {
            (false, Some(entry)) => reply_entry(reply, id, &entry),
            _ => reply.bulk(id.to_text().as_bytes()),
        }
    }
    finish_claim(ctx, &args[1], dirty, created);
    Ok(())
}

/// Counts the writes of a claim and notifies a created consumer.
fn finish_claim(ctx: &mut Ctx<'_>, key: &[u8], dirty: u64, created: bool) {
    ctx.server.dirty += dirty;
    if created {
        ctx.server.dirty += 1;
        ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
    }
}

/// `XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]`
///
/// # Returns
/// The cursor to continue from, the claimed entries (or IDs), and the IDs of pending
/// entries that no longer exist (removed from the PEL).
pub fn xautoclaim(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.write_without_key_signal();
    let min_idle = crate::util::numbers::parse_i64(&args[4])
        .ok_or(CmdError::raw(
            "ERR Invalid min-idle-time argument for XAUTOCLAIM",
        ))?
        .max(0);
    let start = interval_bound(&args[5], 0, true)?;
    let (mut count, mut justid) = (100i64, false);
    let mut j = 6;
    while j < args.len() {
        if args::is_c_option(&args[j], "count") && j + 1 < args.len() {
            count = crate::util::numbers::parse_i64(&args[j + 1])
                .filter(|n| (1..=AUTOCLAIM_MAX_COUNT).contains(n))
                .ok_or(CmdError::raw(ERR_AUTOCLAIM_COUNT))?;
            j += 1;
        } else if args::is_c_option(&args[j], "justid") {
            justid = true;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let now = ctx.now();
    let Some(stream) = typed::read::<Stream>(ctx.db(), &args[1], now)? else {
        return Err(no_key_or_group(&args[1], &args[2]));
    };
    let Some(mut group) = stream.groups.remove(&args[2][..]) else {
        return Err(no_key_or_group(&args[1], &args[2]));
    };
    let scan = autoclaim_scan(
        stream, &mut group, &args[3], start, count, min_idle, justid, now,
    );
    stream.groups.insert(args[2][..].into(), group);
    let (db, reply) = ctx.db_and_reply();
    let stream = typed::read::<Stream>(db, &args[1], now)?;
    reply.array_len(3);
    reply.bulk(scan.next.to_text().as_bytes());
    reply.array_len(scan.claimed.len());
    for id in &scan.claimed {
        match (justid, stream.as_ref().and_then(|s| s.get(*id))) {
            (false, Some(entry)) => reply_entry(reply, *id, &entry),
            _ => reply.bulk(id.to_text().as_bytes()),
        }
    }
    reply.array_len(scan.deleted.len());
    for id in &scan.deleted {
        reply.bulk(id.to_text().as_bytes());
    }
    let dirty = (scan.claimed.len() + scan.deleted.len()) as u64;
    finish_claim(ctx, &args[1], dirty, scan.created);
    Ok(())
}

/// What an XAUTOCLAIM scan found.
struct AutoClaim {
    next: StreamId,
    claimed: Vec<StreamId>,
    deleted: Vec<StreamId>,
    created: bool,
}

/// Walks the group's PEL from `start` as Redis's XAUTOCLAIM does.
#[allow(clippy::too_many_arguments)]
fn autoclaim_scan(
    stream: &Stream,
    group: &mut Group,
    consumer: &[u8],
    start: StreamId,
    mut count: i64,
    min_idle: i64,
    justid: bool,
    now: i64,
) -> AutoClaim {
    let mut scan = AutoClaim {
        next: StreamId::MIN,
        claimed: Vec::new(),
        deleted: Vec::new(),
        created: false,
    };
    let mut attempts = count.saturating_mul(AUTOCLAIM_ATTEMPTS_FACTOR);
    let mut cursor = start;
    let mut have_consumer = false;
    let mut exhausted = false;
    while attempts > 0 && count > 0 {
        attempts -= 1;
        let Some((&id, nack)) = group.pel.range(cursor..).next() else {
            exhausted = true;
            break;
        };
        cursor = id.next().unwrap_or(StreamId::MAX);
        if !stream.contains(id) {
            group.ack(id);
            scan.deleted.push(id);
            count -= 1;
            continue;
        }
        if min_idle != 0 && now - nack.delivery_time < min_idle {
            continue;
        }
        if !have_consumer {
            scan.created = group.touch_consumer(consumer, now);
            have_consumer = true;
        }
        group.reassign(id, consumer);
        if let Some(nack) = group.pel.get_mut(&id) {
            nack.delivery_time = now;
            if !justid {
                nack.delivery_count += 1;
            }
        }
        scan.claimed.push(id);
        count -= 1;
        if id == StreamId::MAX {
            exhausted = true;
            break;
        }
    }
    if !exhausted {
        scan.next = group
            .pel
            .range(cursor..)
            .next()
            .map_or(StreamId::MIN, |(id, _)| *id);
    }
    scan
}
