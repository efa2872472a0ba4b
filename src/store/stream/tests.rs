//! Unit tests of the stream store: IDs, node splitting, deletion, trimming, counters.

use super::*;

const LIMITS: NodeLimits = NodeLimits {
    max_bytes: 4096,
    max_entries: 100,
};

fn explicit(ms: u64, seq: u64) -> Option<ParsedId> {
    Some(ParsedId {
        id: StreamId::new(ms, seq),
        seq_given: true,
    })
}

fn filled(n: u64) -> Stream {
    let mut s = Stream::new();
    for i in 1..=n {
        s.append(&[b"f", b"v"], explicit(i, 0), 0, LIMITS).unwrap();
    }
    s
}

#[test]
fn ids_must_grow() {
    let mut s = filled(2);
    assert_eq!(
        s.append(&[b"a", b"b"], explicit(2, 0), 0, LIMITS),
        Err(AppendError::NotGreater)
    );
    let star = Some(ParsedId {
        id: StreamId::new(2, 0),
        seq_given: false,
    });
    assert_eq!(
        s.append(&[b"a", b"b"], star, 0, LIMITS),
        Ok(StreamId::new(2, 1))
    );
    assert_eq!(
        s.append(&[b"a", b"b"], None, 1, LIMITS),
        Ok(StreamId::new(2, 2))
    );
    assert_eq!(
        s.append(&[b"a", b"b"], None, 9, LIMITS),
        Ok(StreamId::new(9, 0))
    );
    assert_eq!(s.len(), 5);
    assert_eq!(s.entries_added, 5);
}

#[test]
fn nodes_split_at_max_entries() {
    let s = filled(250);
    assert_eq!(s.node_count(), 3);
    let r = s.range(StreamId::new(99, 0), StreamId::new(102, 0), false, 0);
    let ids: Vec<u64> = r.iter().map(|(id, _)| id.ms).collect();
    assert_eq!(ids, vec![99, 100, 101, 102]);
    let r = s.range(StreamId::MIN, StreamId::MAX, true, 2);
    assert_eq!(r[0].0.ms, 250);
    assert_eq!(r[1].0.ms, 249);
}

#[test]
fn approx_trim_removes_whole_nodes_only() {
    let mut s = filled(250);
    let trim = Trim {
        strategy: TrimStrategy::MaxLen(120),
        approx: true,
        limit: 10_000,
    };
    assert_eq!(s.trim(&trim), 100);
    assert_eq!(s.len(), 150);
    let exact = Trim {
        strategy: TrimStrategy::MaxLen(120),
        approx: false,
        limit: 0,
    };
    assert_eq!(s.trim(&exact), 30);
    assert_eq!(s.len(), 120);
    assert_eq!(s.first_id, StreamId::new(131, 0));
}

#[test]
fn delete_flags_and_drops_empty_nodes() {
    let mut s = filled(3);
    assert_eq!(s.delete_ids(&[StreamId::new(1, 0), StreamId::new(7, 0)]), 1);
    assert_eq!(s.first_id, StreamId::new(2, 0));
    assert_eq!(s.max_deleted_entry_id, StreamId::new(1, 0));
    assert!(!s.contains(StreamId::new(1, 0)));
    assert_eq!(s.delete_ids(&[StreamId::new(2, 0), StreamId::new(3, 0)]), 2);
    assert_eq!(s.node_count(), 0);
    assert_eq!(s.first_id, StreamId::MIN);
}

#[test]
fn radix_node_counts() {
    assert_eq!(Stream::new().radix_nodes(), 1);
    assert_eq!(filled(1).radix_nodes(), 2);
}

#[test]
fn group_delivery_and_ack() {
    let mut g = Group::new(StreamId::MIN, 0);
    assert!(g.touch_consumer(b"alice", 5));
    assert!(!g.touch_consumer(b"alice", 6));
    g.create_consumer(b"bob", 6);
    g.deliver(StreamId::new(1, 0), b"alice", 7);
    g.deliver(StreamId::new(1, 0), b"bob", 8);
    assert!(g.consumers[&b"alice"[..]].pel.is_empty());
    assert!(g.reassign(StreamId::new(1, 0), b"alice"));
    assert!(g.ack(StreamId::new(1, 0)));
    assert!(!g.ack(StreamId::new(1, 0)));
    assert_eq!(g.delete_consumer(b"bob"), Some(0));
}

#[test]
fn deleted_entries_out_of_order_after_a_lowered_last_id() {
    // XADD 8-0, XADD 11-1, XDEL 11-1, XSETID 10-2, XADD 11-0: found by the random
    // differential stream (seed 3); the deleted 11-1 sits before 11-0 in the node.
    let mut s = Stream::new();
    s.append(&[b"f", b"v"], explicit(8, 0), 0, LIMITS).unwrap();
    s.append(&[b"f", b"v"], explicit(11, 1), 0, LIMITS).unwrap();
    assert_eq!(s.delete_ids(&[StreamId::new(11, 1)]), 1);
    s.last_id = StreamId::new(10, 2);
    s.append(&[b"f", b"v"], explicit(11, 0), 0, LIMITS).unwrap();
    assert!(s.contains(StreamId::new(11, 0)));
    let all: Vec<StreamId> = s
        .range(StreamId::new(9, 0), StreamId::MAX, false, 0)
        .iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(all, vec![StreamId::new(11, 0)]);
    assert_eq!(s.delete_ids(&[StreamId::new(11, 0)]), 1);
}

#[test]
fn nodes_rebuilt_by_a_loader_behave_like_appended_ones() {
    let original = filled(30);
    let mut nodes = std::collections::BTreeMap::new();
    for (master, node) in original.nodes() {
        let mut copy = Node::with_master_fields(*master, node.master_fields().to_vec());
        for (_, e) in node.iter() {
            let strings: Vec<Vec<u8>> = e.strings().map(|s| s.to_vec()).collect();
            let refs: Vec<&[u8]> = strings.iter().map(|s| &s[..]).collect();
            let pos = copy.append(e.id, &refs);
            assert_eq!(
                e.shares_master_fields(),
                copy.iter()
                    .last()
                    .is_some_and(|(_, c)| c.shares_master_fields())
            );
            if e.deleted {
                copy.mark_deleted(pos);
            }
        }
        assert_eq!(copy.lp_bytes(), node.lp_bytes());
        assert_eq!(copy.master(), *master);
        nodes.insert(*master, copy);
    }
    let mut loaded = Stream::from_nodes(nodes, original.len());
    loaded.last_id = original.last_id;
    assert_eq!(loaded.node_count(), original.node_count());
    let ids = |s: &Stream| {
        s.range(StreamId::MIN, StreamId::MAX, false, 0)
            .iter()
            .map(|(id, _)| *id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&loaded), ids(&original));
    assert!(loaded.delete(StreamId::new(5, 0)));
    assert_eq!(loaded.len(), 29);
    assert!(loaded
        .append(&[b"f", b"v"], explicit(31, 0), 0, LIMITS)
        .is_ok());
}
