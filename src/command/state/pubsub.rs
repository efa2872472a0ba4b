//! Pub/sub state: who is subscribed to what, and the messages waiting to be written.
//! The commands that change it are in `conn::pubsub`.

use std::collections::HashMap;

use bytes::Bytes;

use crate::command::state::notify::{KeyspaceEvent, KEYEVENT, KEYSPACE};
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
    pub channels: HashMap<Bytes, Vec<u64>>,
    pub patterns: HashMap<Bytes, Vec<u64>>,
    pub shard_channels: HashMap<Bytes, Vec<u64>>,
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

    pub fn map(&mut self, kind: Kind) -> &mut HashMap<Bytes, Vec<u64>> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    pub fn add(&mut self, kind: Kind, name: &Bytes, client: u64) {
        // Owned: a subscription outlives the command, and must not pin its query buffer.
        let owned = Bytes::copy_from_slice(name);
        self.map(kind).entry(owned).or_default().push(client);
    }

    pub fn remove(&mut self, kind: Kind, name: &Bytes, client: u64) {
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

    pub fn list(&mut self, kind: Kind) -> &mut Vec<Bytes> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    /// The count a (un)subscribe reply reports: shard subscriptions count apart.
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Shard => self.shard_channels.len(),
            _ => self.channels.len() + self.patterns.len(),
        }
    }
}
