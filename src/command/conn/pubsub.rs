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

use crate::command::core::command::Ctx;
use crate::command::core::command::{container_handler, CommandSpec, Handler};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{Arg, ArgType, BeginSearch, Docs, FindKeys, Group, KeySpec};
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
            subs.list(kind).push(name.clone());
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
    ctx.reply.int(receivers as i64);
    Ok(())
}

/// `SPUBLISH shardchannel message` — the number of clients that received it.
fn spublish(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let receivers = ctx.server.pubsub.publish(&args[1], &args[2], true);
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

fn pubsub_channels(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    channels_generic(ctx, args, false)
}

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

fn pubsub_numsub(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    numsub_generic(ctx, args, false)
}

fn pubsub_shardnumsub(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    numsub_generic(ctx, args, true)
}

/// `PUBSUB NUMPAT` — how many distinct patterns have subscribers.
fn pubsub_numpat(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.int(ctx.server.pubsub.patterns.len() as i64);
    Ok(())
}

const PUBSUB_HELP: &[&str] = &[
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

fn pubsub_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.array_len(PUBSUB_HELP.len());
    for line in PUBSUB_HELP {
        ctx.reply.simple(line.as_bytes());
    }
    Ok(())
}

const SUB_FLAGS: u32 = PUBSUB | NOSCRIPT | LOADING | STALE;
const INFO_FLAGS: u32 = PUBSUB | LOADING | STALE;

const fn spec(
    name: &'static str,
    arity: i32,
    flags: u32,
    handler: Handler,
    docs: Docs,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        acl: 0,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[],
        tips: &[],
        handler,
        subcommands: &[],
        docs,
    }
}

const fn docs(
    summary: &'static str,
    since: &'static str,
    complexity: &'static str,
    args: &'static [Arg],
) -> Docs {
    Docs {
        summary,
        since,
        group: Group::Pubsub,
        complexity,
        args,
        ..Docs::EMPTY
    }
}

/// Shard commands name their channel like a key so cluster clients can route them.
const fn shard_spec(
    name: &'static str,
    arity: i32,
    flags: u32,
    last: i32,
    handler: Handler,
    docs: Docs,
) -> CommandSpec {
    CommandSpec {
        first_key: 1,
        last_key: last,
        key_step: 1,
        key_specs: if last == -1 {
            SHARD_SPECS_MANY
        } else {
            SHARD_SPECS_ONE
        },
        ..spec(name, arity, flags, handler, docs)
    }
}

const SHARD_SPECS_MANY: &[KeySpec] = &[KeySpec {
    flags: &["not_key"],
    begin: BeginSearch::Index(1),
    find: FindKeys::Range {
        last_key: -1,
        step: 1,
        limit: 0,
    },
}];
const SHARD_SPECS_ONE: &[KeySpec] = &[KeySpec {
    flags: &["not_key"],
    begin: BeginSearch::Index(1),
    find: FindKeys::Range {
        last_key: 0,
        step: 1,
        limit: 0,
    },
}];

const CHANNELS: &[Arg] = &[Arg::new("channel", ArgType::String).multiple()];
const OPT_CHANNELS: &[Arg] = &[Arg::new("channel", ArgType::String).optional().multiple()];
const PATTERNS: &[Arg] =
    &[Arg::block("pattern", &[Arg::new("pattern", ArgType::Pattern)]).multiple()];
const OPT_PATTERNS: &[Arg] = &[Arg::new("pattern", ArgType::Pattern).optional().multiple()];
const SHARDS: &[Arg] = &[Arg::new("shardchannel", ArgType::String).multiple()];
const OPT_SHARDS: &[Arg] = &[Arg::new("shardchannel", ArgType::String)
    .optional()
    .multiple()];
const OPT_PATTERN: &[Arg] = &[Arg::new("pattern", ArgType::Pattern).optional()];

const PUBSUB_SUBCOMMANDS: &[CommandSpec] = &[
    spec(
        "channels",
        -2,
        INFO_FLAGS,
        pubsub_channels,
        docs(
            "Lists active channels.",
            "2.8.0",
            "O(N) for N active channels",
            OPT_PATTERN,
        ),
    ),
    spec(
        "numsub",
        -2,
        INFO_FLAGS,
        pubsub_numsub,
        docs(
            "Counts subscribers of channels.",
            "2.8.0",
            "O(N) for N channels",
            OPT_CHANNELS,
        ),
    ),
    spec(
        "numpat",
        2,
        INFO_FLAGS,
        pubsub_numpat,
        docs("Counts subscribed patterns.", "2.8.0", "O(1)", &[]),
    ),
    spec(
        "shardchannels",
        -2,
        INFO_FLAGS,
        pubsub_shardchannels,
        docs(
            "Lists active shard channels.",
            "7.0.0",
            "O(N) for N active shard channels",
            OPT_PATTERN,
        ),
    ),
    spec(
        "shardnumsub",
        -2,
        INFO_FLAGS,
        pubsub_shardnumsub,
        docs(
            "Counts subscribers of shard channels.",
            "7.0.0",
            "O(N) for N shard channels",
            OPT_SHARDS,
        ),
    ),
    spec(
        "help",
        2,
        LOADING | STALE,
        pubsub_help,
        docs("Lists the PUBSUB subcommands.", "6.2.0", "O(1)", &[]),
    ),
];

/// The pub/sub family's table entries.
pub const COMMANDS: &[CommandSpec] = &[
    spec(
        "subscribe",
        -2,
        SUB_FLAGS,
        subscribe,
        docs(
            "Listens for messages on channels.",
            "2.0.0",
            "O(N) for N channels",
            CHANNELS,
        ),
    ),
    spec(
        "psubscribe",
        -2,
        SUB_FLAGS,
        psubscribe,
        docs(
            "Listens for messages on channels matching patterns.",
            "2.0.0",
            "O(N) for N patterns",
            PATTERNS,
        ),
    ),
    shard_spec(
        "ssubscribe",
        -2,
        SUB_FLAGS,
        -1,
        ssubscribe,
        docs(
            "Listens for messages on shard channels.",
            "7.0.0",
            "O(N) for N shard channels",
            SHARDS,
        ),
    ),
    spec(
        "unsubscribe",
        -1,
        SUB_FLAGS,
        unsubscribe,
        docs(
            "Stops listening on channels.",
            "2.0.0",
            "O(N) for N channels",
            OPT_CHANNELS,
        ),
    ),
    spec(
        "punsubscribe",
        -1,
        SUB_FLAGS,
        punsubscribe,
        docs(
            "Stops listening on patterns.",
            "2.0.0",
            "O(N) for N patterns",
            OPT_PATTERNS,
        ),
    ),
    shard_spec(
        "sunsubscribe",
        -1,
        SUB_FLAGS,
        -1,
        sunsubscribe,
        docs(
            "Stops listening on shard channels.",
            "7.0.0",
            "O(N) for N shard channels",
            OPT_SHARDS,
        ),
    ),
    spec(
        "publish",
        3,
        PUBSUB | LOADING | STALE | FAST,
        publish,
        docs(
            "Posts a message to a channel.",
            "2.0.0",
            "O(N+M) for N subscribers and M subscribed patterns",
            &[
                Arg::new("channel", ArgType::String),
                Arg::new("message", ArgType::String),
            ],
        ),
    ),
    shard_spec(
        "spublish",
        3,
        PUBSUB | LOADING | STALE | FAST,
        1,
        spublish,
        docs(
            "Posts a message to a shard channel.",
            "7.0.0",
            "O(N) for N subscribers",
            &[
                Arg::new("shardchannel", ArgType::String),
                Arg::new("message", ArgType::String),
            ],
        ),
    ),
    CommandSpec {
        subcommands: PUBSUB_SUBCOMMANDS,
        ..spec(
            "pubsub",
            -2,
            0,
            container_handler,
            docs(
                "A container for pub/sub introspection.",
                "2.8.0",
                "Depends on subcommand.",
                &[],
            ),
        )
    },
];
