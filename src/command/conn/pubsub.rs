//! Pub/sub: SUBSCRIBE PSUBSCRIBE SSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH SPUBLISH,
//! and PUBSUB introspection; plus publishing keyspace notifications.
//!
//! The registry of subscribers lives in the executor. PUBLISH cannot write into other
//! clients' buffers (commands never touch other clients), so each delivery is queued
//! as a [`Delivery`]; the reactor drains the queue after the command and writes each
//! message in its receiver's protocol version, enforcing the pubsub output buffer limit.

use crate::command::state::pubsub::Kind;
use std::collections::HashMap;

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::help;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{Arg, ArgType, Group, KeySpec};
use crate::error::CmdResult;
use crate::protocol::Reply;
use crate::util::glob::glob_match;

/// The reply words of each kind: (subscribe, unsubscribe).
fn words(kind: Kind) -> (&'static [u8], &'static [u8]) {
    match kind {
        Kind::Channel => (b"subscribe", b"unsubscribe"),
        Kind::Pattern => (b"psubscribe", b"punsubscribe"),
        Kind::Shard => (b"ssubscribe", b"sunsubscribe"),
    }
}

/// Writes one `[word, name-or-null, count]` confirmation.
fn confirm(reply: &mut Reply<'_>, word: &[u8], name: Option<&Bytes>, count: usize) {
    reply.push_len(3);
    reply.bulk(word);
    match name {
        Some(name) => reply.bulk(name),
        None => reply.null(),
    }
    reply.int(count as i64);
}

/// Shared worker of SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE.
fn subscribe_generic(ctx: &mut Ctx<'_>, args: &[Bytes], kind: Kind) -> CmdResult {
    for name in &args[1..] {
        let subs = &mut ctx.session.subscriptions;
        if !subs.list(kind).contains(name) {
            subs.list(kind).push(Bytes::copy_from_slice(name));
            ctx.server.pubsub.add(kind, name, ctx.session.id);
        }
        let count = ctx.session.subscriptions.count(kind);
        confirm(&mut ctx.reply, words(kind).0, Some(name), count);
    }
    Ok(())
}

/// Shared worker of UNSUBSCRIBE, PUNSUBSCRIBE and SUNSUBSCRIBE: the named ones, or all.
fn unsubscribe_generic(ctx: &mut Ctx<'_>, args: &[Bytes], kind: Kind) -> CmdResult {
    let names: Vec<Bytes> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        ctx.session.subscriptions.list(kind).clone()
    };
    if names.is_empty() {
        let count = ctx.session.subscriptions.count(kind);
        confirm(&mut ctx.reply, words(kind).1, None, count);
        return Ok(());
    }
    for name in &names {
        let list = ctx.session.subscriptions.list(kind);
        if let Some(pos) = list.iter().position(|n| n == name) {
            list.remove(pos);
            ctx.server.pubsub.remove(kind, name, ctx.session.id);
        }
        let count = ctx.session.subscriptions.count(kind);
        confirm(&mut ctx.reply, words(kind).1, Some(name), count);
    }
    Ok(())
}

/// `SUBSCRIBE channel [channel ...]`
fn subscribe(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    subscribe_generic(ctx, args, Kind::Channel)
}

/// `PSUBSCRIBE pattern [pattern ...]`
fn psubscribe(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    subscribe_generic(ctx, args, Kind::Pattern)
}

/// `SSUBSCRIBE shardchannel [shardchannel ...]`
fn ssubscribe(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    subscribe_generic(ctx, args, Kind::Shard)
}

/// `UNSUBSCRIBE [channel ...]`
fn unsubscribe(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    unsubscribe_generic(ctx, args, Kind::Channel)
}

/// `PUNSUBSCRIBE [pattern ...]`
fn punsubscribe(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    unsubscribe_generic(ctx, args, Kind::Pattern)
}

/// `SUNSUBSCRIBE [shardchannel ...]`
fn sunsubscribe(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    unsubscribe_generic(ctx, args, Kind::Shard)
}

/// `PUBLISH channel message` — the number of clients that received it.
fn publish(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let receivers = ctx.server.pubsub.publish(&args[1], &args[2], false);
    // Replicas deliver it to their own subscribers (the append-only file skips it).
    ctx.also_propagate(args.to_vec());
    ctx.reply.int(receivers as i64);
    Ok(())
}

/// `SPUBLISH shardchannel message` — the number of clients that received it.
fn spublish(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let receivers = ctx.server.pubsub.publish(&args[1], &args[2], true);
    ctx.also_propagate(args.to_vec());
    ctx.reply.int(receivers as i64);
    Ok(())
}

/// Active channel names of a map matching an optional glob pattern.
fn active(map: &HashMap<Bytes, Vec<u64>>, pattern: Option<&Bytes>) -> Vec<Bytes> {
    map.keys()
        .filter(|name| pattern.is_none_or(|p| glob_match(p, name, false)))
        .cloned()
        .collect()
}

/// `PUBSUB CHANNELS [pattern]` / `PUBSUB SHARDCHANNELS [pattern]`
fn channels_generic(ctx: &mut Ctx<'_>, args: &[Bytes], shard: bool) -> CmdResult {
    if args.len() > 3 {
        return Err(crate::error::CmdError::wrong_arity(if shard {
            "pubsub|shardchannels"
        } else {
            "pubsub|channels"
        }));
    }
    let state = &ctx.server.pubsub;
    let names = active(
        if shard {
            &state.shard_channels
        } else {
            &state.channels
        },
        args.get(2),
    );
    ctx.reply.array_len(names.len());
    for name in &names {
        ctx.reply.bulk(name);
    }
    Ok(())
}

/// `PUBSUB CHANNELS [pattern]`
fn pubsub_channels(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    channels_generic(ctx, args, false)
}

/// `PUBSUB SHARDCHANNELS [pattern]`
fn pubsub_shardchannels(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    channels_generic(ctx, args, true)
}

/// `PUBSUB NUMSUB [channel ...]` / `PUBSUB SHARDNUMSUB [shardchannel ...]`: a flat
/// array of channel, count pairs (an array in RESP3 too, as Redis 7.0 sends).
fn numsub_generic(ctx: &mut Ctx<'_>, args: &[Bytes], shard: bool) -> CmdResult {
    let state = &ctx.server.pubsub;
    let map = if shard {
        &state.shard_channels
    } else {
        &state.channels
    };
    ctx.reply.array_len(2 * (args.len() - 2));
    for name in &args[2..] {
        ctx.reply.bulk(name);
        ctx.reply.int(map.get(name).map_or(0, Vec::len) as i64);
    }
    Ok(())
}

/// `PUBSUB NUMSUB [channel ...]`
fn pubsub_numsub(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    numsub_generic(ctx, args, false)
}

/// `PUBSUB SHARDNUMSUB [shardchannel ...]`
fn pubsub_shardnumsub(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    numsub_generic(ctx, args, true)
}

/// `PUBSUB NUMPAT` — how many distinct patterns have subscribers.
fn pubsub_numpat(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.int(ctx.server.pubsub.patterns.len() as i64);
    Ok(())
}

/// The pub/sub family's table entries. Shard commands name their channel like a key
/// (flagged `not_key`) so that cluster clients can route them.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("subscribe", -2, SUBSCRIBING, subscribe)
        .docs(Group::Pubsub.doc("Listens for messages on channels.", "2.0.0", "O(N) for N channels").args(CHANNELS)),
    CommandSpec::new("psubscribe", -2, SUBSCRIBING, psubscribe)
        .docs(Group::Pubsub.doc("Listens for messages on channels matching patterns.", "2.0.0", "O(N) for N patterns")
            .args(PATTERNS)),
    CommandSpec::new("ssubscribe", -2, SUBSCRIBING, ssubscribe)
        .keys(1, -1, 1, SHARD_CHANNELS)
        .docs(Group::Pubsub.doc("Listens for messages on shard channels.", "7.0.0", "O(N) for N shard channels")
            .args(SHARDS)),
    CommandSpec::new("unsubscribe", -1, SUBSCRIBING, unsubscribe)
        .docs(Group::Pubsub.doc("Stops listening on channels.", "2.0.0", "O(N) for N channels").args(OPT_CHANNELS)),
    CommandSpec::new("punsubscribe", -1, SUBSCRIBING, punsubscribe)
        .docs(Group::Pubsub.doc("Stops listening on patterns.", "2.0.0", "O(N) for N patterns").args(OPT_PATTERNS)),
    CommandSpec::new("sunsubscribe", -1, SUBSCRIBING, sunsubscribe)
        .keys(1, -1, 1, SHARD_CHANNELS)
        .docs(Group::Pubsub.doc("Stops listening on shard channels.", "7.0.0", "O(N) for N shard channels")
            .args(OPT_SHARDS)),
    CommandSpec::new("publish", 3, PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE, publish)
        .docs(Group::Pubsub.doc("Posts a message to a channel.", "2.0.0", "O(N+M) for N subscribers and M subscribed patterns")
            .args(&[Arg::new("channel", ArgType::String), Arg::new("message", ArgType::String)])),
    CommandSpec::new("spublish", 3, PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE, spublish)
        .keys(1, 1, 1, SHARD_CHANNEL)
        .docs(Group::Pubsub.doc("Posts a message to a shard channel.", "7.0.0", "O(N) for N subscribers")
            .args(&[Arg::new("shardchannel", ArgType::String), Arg::new("message", ArgType::String)])),
    CommandSpec::container("pubsub", -2, 0)
        .subcommands(SUBCOMMANDS)
        .docs(Group::Pubsub.doc("A container for pub/sub introspection.", "2.8.0", "Depends on subcommand.")),
];

/// PUBSUB's subcommands.
#[rustfmt::skip]
const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("channels", -2, INTROSPECTING, pubsub_channels)
        .docs(Group::Pubsub.doc("Lists active channels.", "2.8.0", "O(N) for N active channels").args(OPT_PATTERN)),
    CommandSpec::new("numsub", -2, INTROSPECTING, pubsub_numsub)
        .docs(Group::Pubsub.doc("Counts subscribers of channels.", "2.8.0", "O(N) for N channels").args(OPT_CHANNELS)),
    CommandSpec::new("numpat", 2, INTROSPECTING, pubsub_numpat)
        .docs(Group::Pubsub.doc("Counts subscribed patterns.", "2.8.0", "O(1)")),
    CommandSpec::new("shardchannels", -2, INTROSPECTING, pubsub_shardchannels)
        .docs(Group::Pubsub.doc("Lists active shard channels.", "7.0.0", "O(N) for N active shard channels")
            .args(OPT_PATTERN)),
    CommandSpec::new("shardnumsub", -2, INTROSPECTING, pubsub_shardnumsub)
        .docs(Group::Pubsub.doc("Counts subscribers of shard channels.", "7.0.0", "O(N) for N shard channels")
            .args(OPT_SHARDS)),
    CommandSpec::new("help", 2, LOADING | STALE, |ctx, _| help::reply(ctx, HELP))
        .docs(Group::Pubsub.doc("Lists the PUBSUB subcommands.", "6.2.0", "O(1)")),
];

/// The flags of the (un)subscribe commands.
const SUBSCRIBING: u32 = PUBSUB | NOSCRIPT | LOADING | STALE;
/// The flags of PUBSUB's subcommands but HELP.
const INTROSPECTING: u32 = PUBSUB | LOADING | STALE;
/// Shard channels from the first argument to the last.
const SHARD_CHANNELS: &[KeySpec] = &[KeySpec::range(&["not_key"], 1, -1, 1)];
/// One shard channel, the first argument.
const SHARD_CHANNEL: &[KeySpec] = &[KeySpec::range(&["not_key"], 1, 0, 1)];
const CHANNELS: &[Arg] = &[Arg::new("channel", ArgType::String).multiple()];
const OPT_CHANNELS: &[Arg] = &[Arg::new("channel", ArgType::String).optional().multiple()];
const PATTERNS: &[Arg] =
    &[Arg::block("pattern", &[Arg::new("pattern", ArgType::Pattern)]).multiple()];
const OPT_PATTERNS: &[Arg] = &[Arg::new("pattern", ArgType::Pattern).optional().multiple()];
const OPT_PATTERN: &[Arg] = &[Arg::new("pattern", ArgType::Pattern).optional()];
const SHARDS: &[Arg] = &[Arg::new("shardchannel", ArgType::String).multiple()];
const OPT_SHARDS: &[Arg] = &[Arg::new("shardchannel", ArgType::String)
    .optional()
    .multiple()];

/// Lines of PUBSUB HELP.
const HELP: &[&str] = &[
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
];
