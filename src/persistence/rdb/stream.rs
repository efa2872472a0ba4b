//! Streams in RDB: the nodes as Redis's listpacks keyed by their 128-bit big-endian
//! master IDs, then the counters, then the consumer groups with their PELs and
//! consumers.
//!
//! A node's listpack is Redis's stream layout, which we rebuild from our node on save
//! and take apart on load:
//!
//! ```text
//! master entry: count, deleted, field count, fields..., 0
//! each entry:   flags, ms - master ms, seq - master seq,
//!               [field count, field, value, ...]   or, with SAMEFIELDS, [value, ...]
//!               entry count (so the entry can be walked backwards)
//! ```
//!
//! Redis 7.0 writes type 19 (`STREAM_LISTPACKS_2`: with first ID, max deleted ID,
//! entries added, and per group entries read); type 15 lacks those, which are then
//! estimated as Redis estimates them; type 21 (Redis 7.2) adds a consumer active time,
//! which is skipped.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Write};

use crate::store::stream::node::Node;
use crate::store::stream::{Consumer, Group, Nack, Stream, StreamId};
use crate::util::numbers::{i64_to_bytes, MAX_I64_CHARS};

use super::format::{TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_3};
use super::listpack::{LpReader, LpWriter};
use super::read::{corrupt, Input, Result};
use super::write::Output;
use crate::store::listpack::Entry;

/// A group's PEL while loading: delivery time, delivery count, and the consumer once
/// one claims the entry.
type Pending = BTreeMap<StreamId, (i64, u64, Option<Box<[u8]>>)>;

/// Entry flag: deleted.
const FLAG_DELETED: i64 = 1;
/// Entry flag: the entry has the master entry's field names (only values follow).
const FLAG_SAME_FIELDS: i64 = 2;

/// An ID as the 16 big-endian bytes Redis keys its radix trees with.
fn id_bytes(id: StreamId) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&id.ms.to_be_bytes());
    out[8..].copy_from_slice(&id.seq.to_be_bytes());
    out
}

/// The ID in 16 big-endian bytes.
fn id_from_bytes(raw: &[u8; 16]) -> StreamId {
    let (ms, seq) = raw.split_at(8);
    let half = |b: &[u8]| b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    StreamId::new(half(ms), half(seq))
}

/// Writes a stream (type 19's payload).
pub fn write_stream<W: Write>(out: &mut Output<W>, s: &Stream) -> io::Result<()> {
    out.length(s.node_count() as u64)?;
    for (master, node) in s.nodes() {
        out.string(&id_bytes(*master))?;
        out.string(&node_listpack(node))?;
    }
    out.length(s.len())?;
    for id in [s.last_id, s.first_id, s.max_deleted_entry_id] {
        out.length(id.ms)?;
        out.length(id.seq)?;
    }
    out.length(s.entries_added)?;
    out.length(s.groups.len() as u64)?;
    for (name, group) in &s.groups {
        out.string(name)?;
        out.length(group.last_id.ms)?;
        out.length(group.last_id.seq)?;
        out.length(group.entries_read as u64)?;
        out.length(group.pel.len() as u64)?;
        for (id, nack) in &group.pel {
            out.bytes(&id_bytes(*id))?;
            out.millis(nack.delivery_time)?;
            out.length(nack.delivery_count)?;
        }
        write_consumers(out, group)?;
    }
    Ok(())
}

/// Writes a group's consumers: name, seen time, and the IDs of their PEL.
fn write_consumers<W: Write>(out: &mut Output<W>, group: &Group) -> io::Result<()> {
    out.length(group.consumers.len() as u64)?;
    for (name, consumer) in &group.consumers {
        out.string(name)?;
        out.millis(consumer.seen_time)?;
        out.length(consumer.pel.len() as u64)?;
        for id in &consumer.pel {
            out.bytes(&id_bytes(*id))?;
        }
    }
    Ok(())
}

/// Redis's listpack for one node.
pub(super) fn node_listpack(node: &Node) -> Vec<u8> {
    let master = node.master();
    let fields = node.master_fields();
    let mut lp = LpWriter::new();
    lp.push_int(node.live as i64);
    lp.push_int(node.deleted as i64);
    lp.push_int(fields.len() as i64);
    for field in fields {
        lp.push_bytes(field);
    }
    lp.push_int(0);
    for (_, entry) in node.iter() {
        let same = entry.shares_master_fields();
        let pairs = entry.pair_count() as i64;
        let flags =
            if entry.deleted { FLAG_DELETED } else { 0 } | if same { FLAG_SAME_FIELDS } else { 0 };
        lp.push_int(flags);
        lp.push_int(entry.id.ms.wrapping_sub(master.ms) as i64);
        lp.push_int(entry.id.seq.wrapping_sub(master.seq) as i64);
        if !same {
            lp.push_int(pairs);
        }
        for (i, s) in entry.strings().enumerate() {
            if !same || i % 2 == 1 {
                lp.push_entry(s);
            }
        }
        lp.push_int(if same { pairs + 3 } else { 2 * pairs + 4 });
    }
    lp.finish()
}

/// Reads a stream of type 15, 19 or 21.
pub fn read_stream<R: Read>(inp: &mut Input<R>, kind: u8) -> Result<Stream> {
    let node_count = inp.count()?;
    let mut nodes = BTreeMap::new();
    let mut last_live = None;
    let mut live = 0u64;
    for _ in 0..node_count {
        let master = read_raw_id(inp.string()?.with_bytes(<[u8]>::to_vec))?;
        if nodes.last_key_value().is_some_and(|(k, _)| *k >= master) {
            return corrupt("stream nodes out of order");
        }
        let node = inp
            .string()?
            .with_bytes(|blob| read_node(blob, master, &mut last_live))?;
        live += node.live;
        nodes.insert(master, node);
    }
    let length = inp.length()?;
    if length != live {
        return corrupt("stream length does not match its entries");
    }
    let mut s = Stream::from_nodes(nodes, length);
    s.last_id = read_id(inp)?;
    if kind == TYPE_STREAM_LISTPACKS {
        s.entries_added = length;
        s.first_id = s.edge_id(true).unwrap_or(StreamId::MIN);
    } else {
        s.first_id = read_id(inp)?;
        s.max_deleted_entry_id = read_id(inp)?;
        s.entries_added = inp.length()?;
    }
    let groups = inp.count()?;
    for _ in 0..groups {
        let name = inp.string_vec()?.into_boxed_slice();
        let group = read_group(inp, kind, &s)?;
        if s.groups.insert(name, group).is_some() {
            return corrupt("duplicate consumer group");
        }
    }
    Ok(s)
}

/// An ID as two lengths.
fn read_id<R: Read>(inp: &mut Input<R>) -> Result<StreamId> {
    Ok(StreamId::new(inp.length()?, inp.length()?))
}

/// An ID from a 16-byte string.
fn read_raw_id(bytes: Vec<u8>) -> Result<StreamId> {
    match <[u8; 16]>::try_from(bytes.as_slice()) {
        Ok(raw) => Ok(id_from_bytes(&raw)),
        Err(_) => corrupt("stream node key is not an ID"),
    }
}

/// A count stored in a listpack entry, checked against what the blob could hold.
fn small_count(value: i64, blob_len: usize) -> Result<usize> {
    usize::try_from(value)
        .ok()
        .filter(|&n| n <= blob_len)
        .map_or_else(|| corrupt("stream node count is wrong"), Ok)
}

/// The bytes an entry stands for, owned only for integers.
fn entry_bytes<'a>(entry: Entry<'a>) -> Cow<'a, [u8]> {
    match entry {
        Entry::Bytes(b) => Cow::Borrowed(b),
        Entry::Int(n) => Cow::Owned(i64_to_bytes(n, &mut [0u8; MAX_I64_CHARS]).to_vec()),
    }
}

/// One node from Redis's stream listpack, checked as `streamValidateListpackIntegrity`
/// does; live IDs must keep ascending across the stream (`last_live`).
fn read_node(blob: &[u8], master: StreamId, last_live: &mut Option<StreamId>) -> Result<Node> {
    let mut r = LpReader::new(blob)?;
    let count = small_count(r.expect_int()?, blob.len())?;
    let deleted = small_count(r.expect_int()?, blob.len())?;
    let nfields = small_count(r.expect_int()?, blob.len())?;
    let mut fields = Vec::with_capacity(nfields);
    for _ in 0..nfields {
        fields.push(
            entry_bytes(r.expect_entry()?)
                .into_owned()
                .into_boxed_slice(),
        );
    }
    if r.expect_int()? != 0 {
        return corrupt("stream master entry is not terminated");
    }
    let mut node = Node::with_master_fields(master, fields.clone());
    for _ in 0..count + deleted {
        read_entry(&mut r, &mut node, &fields, last_live)?;
    }
    r.expect_end()?;
    if count + deleted == 0 || node.live != count as u64 || node.deleted != deleted as u64 {
        return corrupt("stream node counts are wrong");
    }
    Ok(node)
}

/// One entry of a node's listpack, appended to `node` (whose master fields are
/// `fields`).
fn read_entry(
    r: &mut LpReader<'_>,
    node: &mut Node,
    fields: &[Box<[u8]>],
    last_live: &mut Option<StreamId>,
) -> Result<()> {
    let blob_len = r.blob_len();
    let flags = r.expect_int()?;
    let master = node.master();
    let ms = master.ms.wrapping_add(r.expect_int()? as u64);
    let seq = master.seq.wrapping_add(r.expect_int()? as u64);
    let id = StreamId::new(ms, seq);
    let same = flags & FLAG_SAME_FIELDS != 0;
    let pairs = if same {
        fields.len()
    } else {
        small_count(r.expect_int()?, blob_len)?
    };
    let mut strings: Vec<Cow<'_, [u8]>> = Vec::with_capacity(2 * pairs);
    let mut master_fields = fields.iter();
    for _ in 0..pairs {
        let field = match (same, master_fields.next()) {
            (true, Some(f)) => Cow::Borrowed(&f[..]),
            _ => entry_bytes(r.expect_entry()?),
        };
        strings.push(field);
        strings.push(entry_bytes(r.expect_entry()?));
    }
    let expected = if same { pairs + 3 } else { 2 * pairs + 4 };
    if small_count(r.expect_int()?, blob_len)? != expected {
        return corrupt("stream entry count is wrong");
    }
    let refs: Vec<&[u8]> = strings.iter().map(|s| &s[..]).collect();
    let pos = node.append(id, &refs);
    if flags & FLAG_DELETED != 0 {
        node.mark_deleted(pos);
    } else {
        if last_live.is_some_and(|last| last >= id) {
            return corrupt("stream entries out of order");
        }
        *last_live = Some(id);
    }
    Ok(())
}

/// A consumer group after its name: last ID, entries read (estimated for type 15),
/// global PEL, consumers and their PELs; every pending entry must have one owner.
fn read_group<R: Read>(inp: &mut Input<R>, kind: u8, s: &Stream) -> Result<Group> {
    let last_id = read_id(inp)?;
    let entries_read = if kind == TYPE_STREAM_LISTPACKS {
        s.estimate_distance(last_id).map_or(-1, |n| n as i64)
    } else {
        inp.length()? as i64
    };
    let mut pending: Pending = BTreeMap::new();
    for _ in 0..inp.count()? {
        let id = id_from_bytes(&inp.array()?);
        let time = inp.millis()?;
        let count = inp.length()?;
        if pending.insert(id, (time, count, None)).is_some() {
            return corrupt("duplicate stream PEL entry");
        }
    }
    let mut group = Group::new(last_id, entries_read);
    for _ in 0..inp.count()? {
        let (name, consumer) = read_consumer(inp, kind, &mut pending)?;
        if group.consumers.insert(name, consumer).is_some() {
            return corrupt("duplicate stream consumer");
        }
    }
    for (id, (delivery_time, delivery_count, owner)) in pending {
        let Some(consumer) = owner else {
            return corrupt("stream PEL entry without consumer");
        };
        group.pel.insert(
            id,
            Nack {
                delivery_time,
                delivery_count,
                consumer,
            },
        );
    }
    Ok(group)
}

/// One consumer: name, seen time (and for type 21 an active time, skipped), PEL IDs,
/// each claimed in the group's `pending`.
fn read_consumer<R: Read>(
    inp: &mut Input<R>,
    kind: u8,
    pending: &mut Pending,
) -> Result<(Box<[u8]>, Consumer)> {
    let name = inp.string_vec()?.into_boxed_slice();
    let seen_time = inp.millis()?;
    if kind == TYPE_STREAM_LISTPACKS_3 {
        inp.millis()?;
    }
    let mut pel = BTreeSet::new();
    for _ in 0..inp.count()? {
        let id = id_from_bytes(&inp.array()?);
        match pending.get_mut(&id) {
            Some((_, _, owner @ None)) => *owner = Some(name.clone()),
            _ => {
                return corrupt(
                    "stream consumer PEL entry not pending in its group, or owned twice",
                )
            }
        }
        pel.insert(id);
    }
    Ok((name, Consumer { seen_time, pel }))
}
