//! Consumer groups: the last delivered ID, the entries-read counter, the pending
//! entries list (PEL) ordered by ID, and the consumers, each with its own PEL.
//!
//! A PEL entry (a NACK) names its consumer; the consumer's own PEL holds the same IDs,
//! as Redis shares one NACK between the group and the consumer radix trees.

use std::collections::{BTreeMap, BTreeSet};

use crate::store::stream::id::StreamId;

/// A pending entry: delivered, not yet acknowledged.
#[derive(Debug, Clone)]
pub struct Nack {
    /// Last delivery time (ms).
    pub delivery_time: i64,
    /// Deliveries so far.
    pub delivery_count: u64,
    /// The consumer that owns it.
    pub consumer: Box<[u8]>,
}

/// A consumer of a group.
#[derive(Debug, Clone, Default)]
pub struct Consumer {
    /// When it was last seen reading or claiming (ms).
    pub seen_time: i64,
    /// The IDs pending for it.
    pub pel: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Debug, Clone, Default)]
pub struct Group {
    /// The last ID delivered to the group.
    pub last_id: StreamId,
    /// Entries the group has read, or -1 when unknown.
    pub entries_read: i64,
    /// Pending entries by ID.
    pub pel: BTreeMap<StreamId, Nack>,
    /// Consumers by name.
    pub consumers: BTreeMap<Box<[u8]>, Consumer>,
}

impl Group {
    /// A group that starts after `last_id` having read `entries_read` (-1: unknown).
    pub fn new(last_id: StreamId, entries_read: i64) -> Group {
        Group {
            last_id,
            entries_read,
            ..Group::default()
        }
    }

    /// Creates consumer `name` seen at `now`; false if it exists.
    pub fn create_consumer(&mut self, name: &[u8], now: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(
            name.into(),
            Consumer {
                seen_time: now,
                pel: BTreeSet::new(),
            },
        );
        true
    }

    /// Looks consumer `name` up, marking it seen at `now`, or creates it; returns true
    /// if it was created.
    pub fn touch_consumer(&mut self, name: &[u8], now: i64) -> bool {
        match self.consumers.get_mut(name) {
            Some(c) => {
                c.seen_time = now;
                false
            }
            None => self.create_consumer(name, now),
        }
    }

    /// Records a first delivery of `id` to `consumer` (which exists) at `now`: a new
    /// NACK, or an existing one moved to `consumer` and reset to one delivery.
    pub fn deliver(&mut self, id: StreamId, consumer: &[u8], now: i64) {
        if let Some(old) = self.pel.get(&id).map(|n| n.consumer.clone()) {
            if let Some(c) = self.consumers.get_mut(&old) {
                c.pel.remove(&id);
            }
        }
        self.pel.insert(
            id,
            Nack {
                delivery_time: now,
                delivery_count: 1,
                consumer: consumer.into(),
            },
        );
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Moves the pending `id` to `consumer` (which exists). Returns false if it is not
    /// pending.
    pub fn reassign(&mut self, id: StreamId, consumer: &[u8]) -> bool {
        let Some(nack) = self.pel.get_mut(&id) else {
            return false;
        };
        if &nack.consumer[..] != consumer {
            if let Some(c) = self.consumers.get_mut(&nack.consumer) {
                c.pel.remove(&id);
            }
            nack.consumer = consumer.into();
            if let Some(c) = self.consumers.get_mut(consumer) {
                c.pel.insert(id);
            }
        }
        true
    }

    /// Acknowledges `id`: removes it from both PELs. Returns true if it was pending.
    pub fn ack(&mut self, id: StreamId) -> bool {
        let Some(nack) = self.pel.remove(&id) else {
            return false;
        };
        if let Some(c) = self.consumers.get_mut(&nack.consumer) {
            c.pel.remove(&id);
        }
        true
    }

    /// Removes consumer `name` and its pending entries; returns how many it had, or
    /// `None` if there was no such consumer.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let consumer = self.consumers.remove(name)?;
        for id in &consumer.pel {
            self.pel.remove(id);
        }
        Some(consumer.pel.len())
    }

    /// Bytes held on the heap.
    pub fn heap_size(&self) -> usize {
        let nacks: usize = self.pel.values().map(|n| 48 + n.consumer.len()).sum();
        let consumers: usize = self
            .consumers
            .iter()
            .map(|(k, c)| 48 + k.len() + c.pel.len() * 24)
            .sum();
        nacks + consumers
    }
}
