//! XREAD and XREADGROUP: reading after given IDs from several streams, as a consumer of
//! a group or not, and waiting (BLOCK) in the shared blocking machinery.
//!
//! A client that blocks is registered with its command line rewritten so that `$`
//! becomes the stream's last ID at the time it blocked (as Redis stores the resolved
//! IDs). When a key it waits on is signalled, the dispatcher runs the command again
//! with `session.serving_key` set; this module then serves that one key as Redis's
//! `serveClientsBlockedOnStreamKey` does, or keeps the client waiting.

use bytes::Bytes;

use super::shared::{error_with, parse_id, reply_entries, reply_entry};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::state::blocking::TimeoutReply;
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::protocol::reply::OutBuf;
use crate::protocol::Reply;
use crate::store::stream::{Group, IdSyntax, Stream, StreamId};
use crate::store::value::Value;

/// Unbalanced key/ID lists.
const ERR_UNBALANCED: &str =
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
/// GROUP given to XREAD.
const ERR_GROUP_IN_XREAD: &str =
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
/// NOACK given to XREAD.
const ERR_NOACK_IN_XREAD: &str =
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
/// XREADGROUP without GROUP.
const ERR_MISSING_GROUP: &str = "ERR Missing GROUP option for XREADGROUP";
/// `$` in XREADGROUP.
const ERR_DOLLAR_IN_GROUP: &str = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.";
/// `>` in XREAD.
const ERR_GT_IN_XREAD: &str = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.";
/// A BLOCK value that is not an integer.
const ERR_TIMEOUT_NOT_INT: &str = "ERR timeout is not an integer or out of range";
/// A negative BLOCK.
const ERR_TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";
/// The group of a blocked XREADGROUP went away.
const ERR_GROUP_GONE: &str =
    "NOGROUP the consumer group this client was blocked on no longer exists";
/// The key of a blocked XREADGROUP went away.
const ERR_KEY_GONE: &str = "UNBLOCKED the stream key no longer exists";
/// COUNT used when a blocked read is served without one.
const BLOCKED_DEFAULT_COUNT: usize = 1000;

/// Parsed XREAD/XREADGROUP options.
struct ReadArgs {
    /// `Some(deadline)` with BLOCK (`None` inside: forever).
    block: Option<Option<i64>>,
    count: usize,
    /// Index of the first key.
    streams_at: usize,
    /// Number of keys.
    n: usize,
    group: Option<(Bytes, Bytes)>,
    noack: bool,
}

/// `XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]`
///
/// # Returns
/// Per stream with new entries, its name and entries; null when none (or on timeout).
pub fn xread(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    read_generic(ctx, args, false)
}

/// `XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS
/// key [key ...] id [id ...]`
///
/// # Returns
/// As XREAD, delivering to the consumer (`>`) or replaying its pending entries.
pub fn xreadgroup(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.write_without_key_signal();
    // Recorded as the XCLAIMs (and XGROUP calls) that replay its deliveries.
    ctx.prevent_propagation();
    read_generic(ctx, args, true)
}

/// Parses the options up to STREAMS.
fn parse_read(args: &[Bytes], group_cmd: bool, now: i64, in_script: bool) -> CmdResult<ReadArgs> {
    let mut parsed = ReadArgs {
        block: None,
        count: 0,
        streams_at: 0,
        n: 0,
        group: None,
        noack: false,
    };
    let mut i = 1;
    while i < args.len() {
        let more = args.len() - i - 1;
        let opt = &args[i][..];
        if args::is_c_option(opt, "block") && more > 0 {
            if in_script {
                // There is no waiting inside a script; Redis refuses the option outright.
                let name = String::from_utf8_lossy(&args[0]);
                return Err(CmdError::raw(format!(
                    "ERR {name} command is not allowed with BLOCK option from scripts"
                )));
            }
            i += 1;
            let ms = crate::util::numbers::parse_i64(&args[i])
                .ok_or(CmdError::raw(ERR_TIMEOUT_NOT_INT))?;
            if ms < 0 {
                return Err(CmdError::raw(ERR_TIMEOUT_NEGATIVE));
            }
            parsed.block = Some(if ms == 0 { None } else { now.checked_add(ms) });
        } else if args::is_c_option(opt, "count") && more > 0 {
            i += 1;
            parsed.count = args::int(&args[i])?.max(0) as usize;
        } else if args::is_c_option(opt, "streams") && more > 0 {
            parsed.streams_at = i + 1;
            let rest = args.len() - parsed.streams_at;
            if !rest.is_multiple_of(2) {
                return Err(CmdError::raw(ERR_UNBALANCED));
            }
            parsed.n = rest / 2;
            break;
        } else if args::is_c_option(opt, "group") && more >= 2 {
            if !group_cmd {
                return Err(CmdError::raw(ERR_GROUP_IN_XREAD));
            }
            parsed.group = Some((args[i + 1].clone(), args[i + 2].clone()));
            i += 2;
        } else if args::is_c_option(opt, "noack") {
            if !group_cmd {
                return Err(CmdError::raw(ERR_NOACK_IN_XREAD));
            }
            parsed.noack = true;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if parsed.streams_at == 0 {
        return Err(CmdError::Syntax);
    }
    if group_cmd && parsed.group.is_none() {
        return Err(CmdError::raw(ERR_MISSING_GROUP));
    }
    Ok(parsed)
}

/// Resolves each key's ID argument (`$`, `>` or an ID), checking types and groups.
fn resolve_ids(ctx: &mut Ctx<'_>, args: &[Bytes], p: &ReadArgs) -> CmdResult<Vec<StreamId>> {
    let now = ctx.now();
    let mut ids = Vec::with_capacity(p.n);
    for k in 0..p.n {
        let key = &args[p.streams_at + k];
        let arg = &args[p.streams_at + p.n + k];
        let stream = crate::command::core::typed::read::<Stream>(ctx.db(), key, now)?;
        if let Some((group, _)) = &p.group {
            if !stream
                .as_ref()
                .is_some_and(|s| s.groups.contains_key(&group[..]))
            {
                return Err(error_with(&[
                    b"NOGROUP No such key '",
                    key,
                    b"' or consumer group '",
                    group,
                    b"' in XREADGROUP with GROUP option",
                ]));
            }
        }
        let id = match &arg[..] {
            b"$" if p.group.is_some() => return Err(CmdError::raw(ERR_DOLLAR_IN_GROUP)),
            b"$" => stream.map_or(StreamId::MIN, |s| s.last_id),
            b">" if p.group.is_none() => return Err(CmdError::raw(ERR_GT_IN_XREAD)),
            b">" => StreamId::MAX,
            _ => parse_id(arg, IdSyntax::STRICT)?.id,
        };
        ids.push(id);
    }
    Ok(ids)
}

/// XREAD and XREADGROUP.
fn read_generic(ctx: &mut Ctx<'_>, args: &[Bytes], group_cmd: bool) -> CmdResult {
    let p = parse_read(args, group_cmd, ctx.now(), ctx.session.in_script)?;
    if let Some(ready) = ctx.session.serving_key.clone() {
        return serve_blocked(ctx, args, &p, &ready);
    }
    let ids = resolve_ids(ctx, args, &p)?;
    let mut body = Vec::new();
    let mut served = 0;
    for k in 0..p.n {
        let key = args[p.streams_at + k].clone();
        if serve_sync(ctx, &p, &key, ids[k], &mut body)? {
            served += 1;
        }
    }
    if served > 0 {
        if ctx.reply.is_resp3() {
            ctx.reply.map_len(served);
        } else {
            ctx.reply.array_len(served);
        }
        ctx.reply.raw(&body);
        return Ok(());
    }
    match p.block {
        Some(deadline) if ctx.may_block() => block(ctx, args, &p, &ids, deadline),
        _ => ctx.reply.null_array(),
    }
    Ok(())
}

/// Registers the client as waiting on the keys, with `$` resolved in its command line.
fn block(ctx: &mut Ctx<'_>, args: &[Bytes], p: &ReadArgs, ids: &[StreamId], deadline: Option<i64>) {
    let keys = &args[p.streams_at..p.streams_at + p.n];
    ctx.block(keys, deadline, TimeoutReply::NullArray);
    let mut line = args.to_vec();
    for (k, id) in ids.iter().enumerate() {
        let slot = &mut line[p.streams_at + p.n + k];
        if &slot[..] == b"$" {
            *slot = Bytes::from(id.to_text());
        }
    }
    if let Some(blocked) = ctx.session.blocked.as_mut() {
        blocked.args = line;
        let blocked = blocked.clone();
        ctx.server.blocking.register(ctx.session.id, &blocked);
        crate::command::core::effects::after_expiry(ctx.dbs, ctx.server);
    }
}

/// Writes into `body` the reply part of one key when it can be served at once; returns
/// whether it was.
fn serve_sync(
    ctx: &mut Ctx<'_>,
    p: &ReadArgs,
    key: &Bytes,
    gt: StreamId,
    body: &mut Vec<u8>,
) -> CmdResult<bool> {
    let now = ctx.now();
    let resp = ctx.session.resp;
    let propagating = ctx.propagating();
    let Some(stream) = crate::command::core::typed::read::<Stream>(ctx.db(), key, now)? else {
        return Ok(false);
    };
    let mut out = OutBuf::new();
    let mut reply = Reply::new(&mut out, resp);
    let mut created = false;
    let mut records = Vec::new();
    match &p.group {
        None => {
            if stream.is_empty() || stream.edge_id(false).is_none_or(|max| max <= gt) {
                return Ok(false);
            }
            write_key(&mut reply, key);
            let start = gt.next().unwrap_or(StreamId::MAX);
            reply_entries(
                &mut reply,
                &stream.range(start, StreamId::MAX, false, p.count),
            );
        }
        Some((group, consumer)) => {
            let history = gt != StreamId::MAX;
            let Some(g) = stream.groups.get(&group[..]) else {
                return Ok(false);
            };
            if !history
                && (stream.is_empty() || stream.edge_id(false).is_none_or(|max| max <= g.last_id))
            {
                return Ok(false);
            }
            write_key(&mut reply, key);
            let after = if history { gt } else { g.last_id };
            let mut delivery = Delivery {
                history,
                now,
                records: propagating.then(Vec::new),
            };
            created = deliver(
                stream,
                &mut reply,
                (group, consumer),
                after,
                p,
                &mut delivery,
            );
            records = keyed(delivery.records, key);
        }
    }
    out.write_to(body, usize::MAX).ok();
    if p.group.is_some() {
        ctx.server.dirty += 1;
    }
    if created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
        ctx.server.dirty += 1;
    }
    for record in records {
        ctx.also_propagate(record);
    }
    Ok(true)
}

/// The `[key, ` part of one stream's reply (RESP3: the map key).
fn write_key(reply: &mut Reply<'_>, key: &[u8]) {
    if !reply.is_resp3() {
        reply.array_len(2);
    }
    reply.bulk(key);
}

/// How one consumer is served, and what it changed as commands to replay (`records`,
/// when propagating; their key is filled in by the caller).
struct Delivery {
    /// Replay the consumer's own pending entries instead of new ones.
    history: bool,
    /// The command's time (ms).
    now: i64,
    /// XCLAIM for each entry delivered, XGROUP for what XCLAIM cannot carry.
    records: Option<Vec<Vec<Bytes>>>,
}

/// Serves a consumer of `group` after `after`: its own pending entries (`history`) or
/// new entries. Returns true if the consumer was created.
fn deliver(
    stream: &mut Stream,
    reply: &mut Reply<'_>,
    (group, consumer): (&[u8], &[u8]),
    after: StreamId,
    p: &ReadArgs,
    delivery: &mut Delivery,
) -> bool {
    let Some(mut g) = stream.groups.remove(group) else {
        return false;
    };
    let now = delivery.now;
    let created = g.touch_consumer(consumer, now);
    let start = after.next().unwrap_or(StreamId::MAX);
    if delivery.history {
        reply_history(stream, &mut g, reply, consumer, start, p.count, now);
    } else {
        let entries = stream.range(start, StreamId::MAX, false, p.count);
        reply.array_len(entries.len());
        let ids: Vec<StreamId> = entries.iter().map(|(id, _)| *id).collect();
        for (id, entry) in &entries {
            reply_entry(reply, *id, entry);
        }
        if let Some(records) = delivery.records.as_mut().filter(|_| created && p.noack) {
            records.push(xgroup_record(b"CREATECONSUMER", group, consumer));
        }
        for &id in &ids {
            stream.advance_group(&mut g, id);
            if !p.noack {
                g.deliver(id, consumer, now);
                if let Some(records) = delivery.records.as_mut() {
                    records.push(xclaim_record(group, consumer, id, g.last_id, now));
                }
            }
        }
        if let Some(records) = delivery
            .records
            .as_mut()
            .filter(|_| p.noack && !ids.is_empty())
        {
            let mut setid = xgroup_record(b"SETID", group, g.last_id.to_text().as_bytes());
            setid.push(Bytes::from_static(b"ENTRIESREAD"));
            setid.push(Bytes::from(g.entries_read.to_string()));
            records.push(setid);
        }
    }
    stream.groups.insert(group.into(), g);
    created
}

/// `XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT 1 FORCE JUSTID
/// LASTID <last>`: replays one new delivery exactly (the key is filled in later).
fn xclaim_record(
    group: &[u8],
    consumer: &[u8],
    id: StreamId,
    last: StreamId,
    now: i64,
) -> Vec<Bytes> {
    let word = Bytes::from_static;
    vec![
        word(b"XCLAIM"),
        Bytes::new(),
        Bytes::copy_from_slice(group),
        Bytes::copy_from_slice(consumer),
        word(b"0"),
        Bytes::from(id.to_text()),
        word(b"TIME"),
        Bytes::from(now.to_string()),
        word(b"RETRYCOUNT"),
        word(b"1"),
        word(b"FORCE"),
        word(b"JUSTID"),
        word(b"LASTID"),
        Bytes::from(last.to_text()),
    ]
}

/// The records of a delivery with their key (always the third word) filled in.
fn keyed(records: Option<Vec<Vec<Bytes>>>, key: &Bytes) -> Vec<Vec<Bytes>> {
    let mut records = records.unwrap_or_default();
    for record in &mut records {
        let at = if record[0][..] == b"XCLAIM"[..] { 1 } else { 2 };
        record[at] = key.clone();
    }
    records
}

/// `XGROUP <sub> <key> <group> <arg>` (the key is filled in later).
fn xgroup_record(sub: &'static [u8], group: &[u8], arg: &[u8]) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(sub),
        Bytes::new(),
        Bytes::copy_from_slice(group),
        Bytes::copy_from_slice(arg),
    ]
}

/// Replays the consumer's pending entries from `start`: each existing entry (counting a
/// delivery), or `[id, null]` for one deleted since.
fn reply_history(
    stream: &Stream,
    g: &mut Group,
    reply: &mut Reply<'_>,
    consumer: &[u8],
    start: StreamId,
    count: usize,
    now: i64,
) {
    let ids: Vec<StreamId> = g.consumers.get(consumer).map_or_else(Vec::new, |c| {
        let it = c.pel.range(start..);
        if count == 0 {
            it.copied().collect()
        } else {
            it.take(count).copied().collect()
        }
    });
    reply.array_len(ids.len());
    for id in ids {
        match stream.get(id) {
            Some(entry) => {
                reply_entry(reply, id, &entry);
                if let Some(nack) = g.pel.get_mut(&id) {
                    nack.delivery_time = now;
                    nack.delivery_count += 1;
                }
            }
            None => {
                reply.array_len(2);
                reply.bulk(id.to_text().as_bytes());
                reply.null_array();
            }
        }
    }
}

/// Leaves a blocked client waiting, in the same place in line (a retried command that
/// blocks again is not served).
fn keep_waiting(ctx: &mut Ctx<'_>) -> CmdResult {
    ctx.block(&[], None, TimeoutReply::NullArray);
    Ok(())
}

/// Serves (or keeps waiting) a blocked client because `ready` was signalled.
fn serve_blocked(ctx: &mut Ctx<'_>, args: &[Bytes], p: &ReadArgs, ready: &Bytes) -> CmdResult {
    let Some(k) = (0..p.n).find(|&k| args[p.streams_at + k] == ready) else {
        return keep_waiting(ctx);
    };
    let now = ctx.now();
    let resp = ctx.session.resp;
    let propagating = ctx.propagating();
    let count = if p.count == 0 {
        BLOCKED_DEFAULT_COUNT
    } else {
        p.count
    };
    let p = ReadArgs {
        count,
        group: p.group.clone(),
        ..*p
    };
    let stream = match ctx.db().peek(ready, now).map(|o| &o.value) {
        Some(Value::Stream(_)) => {
            crate::command::core::typed::write::<Stream>(ctx.db(), ready, now)?
        }
        _ => None,
    };
    let Some(stream) = stream else {
        if p.group.is_some() {
            return Err(CmdError::raw(ERR_KEY_GONE));
        }
        return keep_waiting(ctx);
    };
    let gt = match &p.group {
        Some((group, _)) => match stream.groups.get(&group[..]) {
            Some(g) => g.last_id,
            None => return Err(CmdError::raw(ERR_GROUP_GONE)),
        },
        None => parse_id(&args[p.streams_at + p.n + k], IdSyntax::STRICT)?.id,
    };
    if stream.last_id <= gt {
        return keep_waiting(ctx);
    }
    let mut out = OutBuf::new();
    let mut reply = Reply::new(&mut out, resp);
    let mut created = false;
    let mut records = Vec::new();
    if resp == 3 {
        reply.map_len(1)
    } else {
        reply.array_len(1)
    }
    write_key(&mut reply, ready);
    match &p.group {
        Some((group, consumer)) => {
            let mut delivery = Delivery {
                history: false,
                now,
                records: propagating.then(Vec::new),
            };
            created = deliver(stream, &mut reply, (group, consumer), gt, &p, &mut delivery);
            records = keyed(delivery.records, ready);
        }
        None => {
            let start = gt.next().unwrap_or(StreamId::MAX);
            reply_entries(
                &mut reply,
                &stream.range(start, StreamId::MAX, false, p.count),
            );
        }
    }
    let mut body = Vec::new();
    out.write_to(&mut body, usize::MAX).ok();
    ctx.reply.raw(&body);
    if created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", ready);
        ctx.server.dirty += 1;
    }
    for record in records {
        ctx.also_propagate(record);
    }
    Ok(())
}
