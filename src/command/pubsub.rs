//! Pub/sub: SUBSCRIBE PSUBSCRIBE SSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH SPUBLISH,
//! and PUBSUB introspection; plus publishing keyspace notifications.
//!
//! The registry of subscribers lives in the executor. PUBLISH cannot write into other
//! clients' buffers (commands never touch other clients), so each delivery is queued
//! as a [`Delivery`]; the reactor drains the queue after the command and writes each
//! message in its receiver's protocol version, enforcing the pubsub output buffer limit.

use std::collections::HashMap;

use bytes::Bytes;

use crate::command::notify::{KeyspaceEvent, KEYEVENT, KEYSPACE};
use crate::command::table::{
    container_handler, flags::*, Arg, ArgType, BeginSearch, CommandSpec, Docs, FindKeys, Group,
    Handler, KeySpec,
};
use crate::command::Ctx;
use crate::error::CmdResult;
use crate::protocol::Reply;
use crate::util::glob::glob_match;

/// The three kinds of subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SUBSCRIBE: exact channels.
    Channel,
    /// PSUBSCRIBE: glob patterns.
    Pattern,
    /// SSUBSCRIBE: shard channels.
    Shard,
}

/// One message for one subscriber, written by the reactor.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The receiving client's id.
    pub client: u64,
    /// Which subscription matched.
    pub kind: Kind,
    /// The matching pattern, for pattern subscriptions.
    pub pattern: Option<Bytes>,
    /// The channel published to.
    pub channel: Bytes,
    /// The payload.
    pub message: Bytes,
}

impl Delivery {
    /// Writes the message as a push (`>` in RESP3, an array in RESP2).
    pub fn write(&self, reply: &mut Reply<'_>) {
        match (&self.kind, &self.pattern) {
            (Kind::Pattern, Some(pattern)) => {
                reply.push_len(4);
                reply.bulk(b"pmessage");
                reply.bulk(pattern);
            }
            (Kind::Shard, _) => {
                reply.push_len(3);
                reply.bulk(b"smessage");
            }
            _ => {
                reply.push_len(3);
                reply.bulk(b"message");
            }
        }
        reply.bulk(&self.channel);
        reply.bulk(&self.message);
    }
}

/// Subscribers by channel, pattern and shard channel, each in subscription order.
#[derive(Debug, Default)]
pub struct PubSubState {
    channels: HashMap<Bytes, Vec<u64>>,
    patterns: HashMap<Bytes, Vec<u64>>,
    shard_channels: HashMap<Bytes, Vec<u64>>,
    /// Messages waiting for the reactor to write them.
    pub outbox: Vec<Delivery>,
}

impl PubSubState {
    /// Channels, patterns and shard channels with at least one subscriber (INFO stats).
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.channels.len(),
            self.patterns.len(),
            self.shard_channels.len(),
        )
    }

    fn map(&mut self, kind: Kind) -> &mut HashMap<Bytes, Vec<u64>> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    fn add(&mut self, kind: Kind, name: &Bytes, client: u64) {
        self.map(kind).entry(name.clone()).or_default().push(client);
    }

    fn remove(&mut self, kind: Kind, name: &Bytes, client: u64) {
        let map = self.map(kind);
        if let Some(ids) = map.get_mut(name) {
            ids.retain(|&id| id != client);
            if ids.is_empty() {
                map.remove(name);
            }
        }
    }

    /// Queues `message` for every subscriber of `channel` (exact, then patterns, or the
    /// shard channel); returns how many deliveries that made.
    pub fn publish(&mut self, channel: &Bytes, message: &Bytes, shard: bool) -> usize {
        let before = self.outbox.len();
        let exact = if shard {
            &self.shard_channels
        } else {
            &self.channels
        };
        let kind = if shard { Kind::Shard } else { Kind::Channel };
        for &client in exact.get(channel).into_iter().flatten() {
            self.outbox.push(Delivery {
                client,
                kind,
                pattern: None,
                channel: channel.clone(),
                message: message.clone(),
            });
        }
        if !shard {
            for (pattern, ids) in &self.patterns {
                if glob_match(pattern, channel, false) {
                    for &client in ids {
                        self.outbox.push(Delivery {
                            client,
                            kind: Kind::Pattern,
                            pattern: Some(pattern.clone()),
                            channel: channel.clone(),
                            message: message.clone(),
                        });
                    }
                }
            }
        }
        self.outbox.len() - before
    }

    /// Publishes a keyspace notification on its keyspace and/or keyevent channel.
    pub fn publish_event(&mut self, event: &KeyspaceEvent) {
        if event.channels & KEYSPACE != 0 {
            let mut channel = format!("__keyspace@{}__:", event.db).into_bytes();
            channel.extend_from_slice(&event.key);
            self.publish(
                &Bytes::from(channel),
                &Bytes::from_static(event.event.as_bytes()),
                false,
            );
        }
        if event.channels & KEYEVENT != 0 {
            let channel = format!("__keyevent@{}__:{}", event.db, event.event);
            self.publish(&Bytes::from(channel), &event.key, false);
        }
    }

    /// Forgets every subscription of a client that is going away.
    pub fn drop_client(&mut self, client: u64, subs: &Subscriptions) {
        for name in &subs.channels {
            self.remove(Kind::Channel, name, client);
        }
        for name in &subs.patterns {
            self.remove(Kind::Pattern, name, client);
        }
        for name in &subs.shard_channels {
            self.remove(Kind::Shard, name, client);
        }
    }
}

/// A client's own subscriptions, kept in its session.
#[derive(Debug, Clone, Default)]
pub struct Subscriptions {
    /// SUBSCRIBE channels.
    pub channels: Vec<Bytes>,
    /// PSUBSCRIBE patterns.
    pub patterns: Vec<Bytes>,
    /// SSUBSCRIBE shard channels.
    pub shard_channels: Vec<Bytes>,
}

impl Subscriptions {
    /// Subscriptions of every kind; non-zero puts a RESP2 client in subscribed mode.
    pub fn total(&self) -> usize {
        self.channels.len() + self.patterns.len() + self.shard_channels.len()
    }

    fn list(&mut self, kind: Kind) -> &mut Vec<Bytes> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    /// The count a (un)subscribe reply reports: shard subscriptions count apart.
    fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Shard => self.shard_channels.len(),
            _ => self.channels.len() + self.patterns.len(),
        }
    }
}

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
