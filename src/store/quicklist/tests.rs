//! Unit tests for `QuickList`, including a randomized model test against `VecDeque`.

use super::*;
use std::collections::VecDeque;

/// Tiny xorshift for reproducible random tests.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Asserts that `ql` holds exactly `model` and that its nodes obey the invariants.
fn check(ql: &QuickList, model: &VecDeque<Vec<u8>>) {
    assert_eq!(ql.len(), model.len());
    assert_eq!(ql.is_empty(), model.is_empty());
    let forward: Vec<Vec<u8>> = ql.iter().map(|e| e.to_vec()).collect();
    assert_eq!(forward, model.iter().cloned().collect::<Vec<_>>());
    let backward: Vec<Vec<u8>> = ql.iter_rev().map(|e| e.to_vec()).collect();
    assert_eq!(backward, model.iter().rev().cloned().collect::<Vec<_>>());
    for (start, stop) in [(0, -1), (1, -2), (-3, -1), (2, 2)] {
        let (first, count) = ql.range_span(start, stop);
        let mut spanned = Vec::new();
        ql.for_each_span(first, count, |p, e| {
            spanned.push(Element::new(p, e).to_vec())
        });
        let ranged: Vec<Vec<u8>> = ql.range(start, stop).map(|e| e.to_vec()).collect();
        assert_eq!(spanned, ranged, "LRANGE {start} {stop}");
    }
    assert_eq!(
        ql.nodes().map(|n| n.entries().len()).sum::<usize>(),
        model.len()
    );
    for node in ql.nodes() {
        let entries = node.entries();
        assert!(!entries.is_empty(), "empty node");
        assert!(!node.is_plain() || entries.len() == 1, "plain node of many");
        assert!(
            fits(ql.fill(), node.data_len(), node.len()),
            "oversized node"
        );
    }
}

fn strings(range: std::ops::Range<usize>) -> Vec<Vec<u8>> {
    range.map(|i| format!("e{i}").into_bytes()).collect()
}

fn filled(fill: i64, values: &[Vec<u8>]) -> QuickList {
    let mut ql = QuickList::new(fill);
    for v in values {
        ql.push_back(v);
    }
    ql
}

#[test]
fn empty_list() {
    let mut ql = QuickList::default();
    assert_eq!(ql.fill(), DEFAULT_FILL);
    assert!(ql.is_empty());
    assert_eq!(ql.pop_front(), None);
    assert_eq!(ql.pop_back(), None);
    assert_eq!(ql.get(0), None);
    assert_eq!(ql.get(-1), None);
    assert!(!ql.set(0, b"x"));
    assert_eq!(ql.insert(b"a", b"b", true), None);
    assert_eq!(ql.remove(b"a", 0), 0);
    assert_eq!(ql.trim(0, -1), 0);
    assert_eq!(ql.iter().count(), 0);
    assert_eq!(ql.range(0, -1).count(), 0);
    assert!(ql.position(b"a", 1, 0, 0).is_empty());
    assert_eq!(ql.node_count(), 0);
}

#[test]
fn fill_is_clamped() {
    assert_eq!(QuickList::new(-100).fill(), -5);
    assert_eq!(QuickList::new(1 << 40).fill(), 32767);
    assert_eq!(QuickList::new(0).fill(), 0);
}

#[test]
fn push_pop_both_ends() {
    let mut ql = QuickList::new(4);
    for v in strings(0..10) {
        ql.push_back(&v);
    }
    for v in strings(10..20) {
        ql.push_front(&v);
    }
    assert_eq!(ql.len(), 20);
    assert!(ql.node_count() >= 5);
    assert_eq!(ql.pop_front(), Some(b"e19".to_vec()));
    assert_eq!(ql.pop_back(), Some(b"e9".to_vec()));
    assert_eq!(ql.get(0), Some(b"e18".to_vec()));
    assert_eq!(ql.get(-1), Some(b"e8".to_vec()));
    let mut n = 0;
    while ql.pop_back().is_some() {
        n += 1;
    }
    assert_eq!(n, 18);
    assert_eq!(ql.node_count(), 0);
}

#[test]
fn node_limits_by_count_and_size() {
    let ql = filled(3, &strings(0..10));
    assert_eq!(ql.node_count(), 4);
    let one = filled(0, &strings(0..5));
    assert_eq!(one.node_count(), 5);
    let big: Vec<Vec<u8>> = (0..10).map(|_| vec![b'x'; 3000]).collect();
    let ql = filled(-1, &big);
    assert_eq!(ql.node_count(), 10);
    let ql = filled(-2, &big);
    assert_eq!(ql.node_count(), 5);
    let ql = filled(1000, &big);
    assert_eq!(ql.node_count(), 5, "positive fill still caps nodes at 8 KB");
    let huge = filled(-2, &[vec![b'h'; 100_000], b"a".to_vec()]);
    assert_eq!(huge.node_count(), 2);
    check(
        &huge,
        &[vec![b'h'; 100_000], b"a".to_vec()].into_iter().collect(),
    );
}

#[test]
fn get_and_set_with_raw_indexes() {
    let values = strings(0..1000);
    let mut ql = filled(16, &values);
    for i in [0usize, 1, 15, 16, 17, 499, 500, 998, 999] {
        assert_eq!(ql.get(i as i64), Some(values[i].clone()));
        assert_eq!(ql.get(i as i64 - 1000), Some(values[i].clone()));
        assert_eq!(
            ql.entry(i as i64).map(|e| e.to_vec()),
            Some(values[i].clone())
        );
    }
    assert_eq!(ql.get(1000), None);
    assert_eq!(ql.get(-1001), None);
    assert_eq!(ql.get(i64::MIN), None);
    assert_eq!(ql.get(i64::MAX), None);
    assert!(ql.set(-1, b"last"));
    assert!(ql.set(3, b"42"));
    assert!(!ql.set(1000, b"x"));
    assert_eq!(ql.get(999), Some(b"last".to_vec()));
    assert_eq!(ql.entry(3).map(|e| e.to_vec()), Some(b"42".to_vec()));
}

#[test]
fn set_splits_oversized_nodes() {
    let values = strings(0..100);
    let mut ql = filled(-1, &values);
    let mut model: VecDeque<Vec<u8>> = values.into_iter().collect();
    for i in [0i64, 50, 99] {
        assert!(ql.set(i, &[b'Z'; 4000]));
        model[i as usize] = vec![b'Z'; 4000];
        check(&ql, &model);
    }
    assert!(ql.set(50, b"small"));
    model[50] = b"small".to_vec();
    check(&ql, &model);
}

#[test]
fn insert_around_pivot() {
    let mut ql = filled(4, &strings(0..8));
    let mut model: VecDeque<Vec<u8>> = strings(0..8).into_iter().collect();
    assert_eq!(ql.insert(b"e3", b"after3", true), Some(9));
    model.insert(4, b"after3".to_vec());
    assert_eq!(ql.insert(b"e4", b"before4", false), Some(10));
    model.insert(5, b"before4".to_vec());
    assert_eq!(ql.insert(b"e0", b"first", false), Some(11));
    model.push_front(b"first".to_vec());
    assert_eq!(ql.insert(b"e7", b"last", true), Some(12));
    model.push_back(b"last".to_vec());
    assert_eq!(ql.insert(b"e5", b"mid", false), Some(13));
    model.insert(8, b"mid".to_vec());
    assert_eq!(ql.insert(b"nope", b"x", true), None);
    check(&ql, &model);
}

#[test]
fn insert_finds_first_pivot_and_integers() {
    let mut ql = filled(-2, &[b"1".to_vec(), b"01".to_vec(), b"1".to_vec()]);
    assert_eq!(ql.insert(b"1", b"x", true), Some(4));
    assert_eq!(ql.insert(b"01", b"y", false), Some(5));
    let items: Vec<Vec<u8>> = ql.iter().map(|e| e.to_vec()).collect();
    let expected: Vec<&[u8]> = vec![b"1", b"x", b"y", b"01", b"1"];
    assert_eq!(
        items,
        expected.iter().map(|v| v.to_vec()).collect::<Vec<_>>()
    );
}

#[test]
fn lrem_semantics() {
    let pattern: Vec<Vec<u8>> = (0..60)
        .map(|i| {
            if i % 3 == 0 {
                b"x".to_vec()
            } else {
                format!("{i}").into_bytes()
            }
        })
        .collect();
    let model: VecDeque<Vec<u8>> = pattern.iter().cloned().collect();
    for count in [0i64, 1, 5, 100, -1, -5, -100, i64::MIN, i64::MAX] {
        let mut ql = filled(4, &pattern);
        let mut expected = model.clone();
        let removed = ql.remove(b"x", count);
        let limit = if count == 0 {
            usize::MAX
        } else {
            count.unsigned_abs() as usize
        };
        let mut indexes: Vec<usize> = (0..expected.len())
            .filter(|&i| expected[i] == b"x")
            .collect();
        if count < 0 {
            indexes.reverse();
        }
        indexes.truncate(limit);
        indexes.sort_unstable();
        for &i in indexes.iter().rev() {
            expected.remove(i);
        }
        assert_eq!(removed, indexes.len(), "count {count}");
        check(&ql, &expected);
    }
    let mut ql = filled(4, &pattern);
    assert_eq!(ql.remove(b"4", 0), 1);
    assert_eq!(ql.remove(b"absent", 0), 0);
}

#[test]
fn lrem_everything_merges_nodes() {
    let values: Vec<Vec<u8>> = (0..10_000)
        .map(|i| {
            if i % 10 == 0 {
                b"keep".to_vec()
            } else {
                b"drop".to_vec()
            }
        })
        .collect();
    let mut ql = filled(-2, &values);
    assert!(ql.node_count() >= 8);
    assert_eq!(ql.remove(b"drop", 0), 9000);
    assert_eq!(ql.len(), 1000);
    assert_eq!(ql.node_count(), 1, "6 KB of entries fit one 8 KB node");
    check(&ql, &(0..1000).map(|_| b"keep".to_vec()).collect());
}

#[test]
fn ltrim_semantics() {
    let values = strings(0..100);
    let cases: [(i64, i64); 12] = [
        (0, -1),
        (1, -1),
        (0, 0),
        (10, 20),
        (-10, -1),
        (-200, 5),
        (50, 500),
        (60, 50),
        (100, 200),
        (-1, -2),
        (i64::MIN, i64::MAX),
        (i64::MAX, i64::MIN),
    ];
    for (start, end) in cases {
        let mut ql = filled(4, &values);
        let removed = ql.trim(start, end);
        let kept: Vec<Vec<u8>> = lrange_model(&values, start, end);
        assert_eq!(removed, 100 - kept.len(), "trim {start} {end}");
        check(&ql, &kept.into_iter().collect());
    }
}

/// LRANGE's (and LTRIM's) index rules on a plain vector.
fn lrange_model(values: &[Vec<u8>], start: i64, end: i64) -> Vec<Vec<u8>> {
    let len = values.len() as i64;
    let start = if start < 0 {
        len.saturating_add(start)
    } else {
        start
    }
    .max(0);
    let end = if end < 0 {
        len.saturating_add(end)
    } else {
        end
    };
    if start > end || start >= len {
        return Vec::new();
    }
    values[start as usize..=end.min(len - 1) as usize].to_vec()
}

#[test]
fn range_iterates_both_ways() {
    let values = strings(0..200);
    let ql = filled(7, &values);
    for (start, end) in [
        (0, -1),
        (5, 9),
        (-3, -1),
        (-500, 2),
        (150, 1000),
        (9, 5),
        (199, 199),
    ] {
        let expected = lrange_model(&values, start, end);
        let got: Vec<Vec<u8>> = ql.range(start, end).map(|e| e.to_vec()).collect();
        assert_eq!(got, expected);
        let mut rev: Vec<Vec<u8>> = ql.range(start, end).rev().map(|e| e.to_vec()).collect();
        rev.reverse();
        assert_eq!(rev, expected);
        assert_eq!(ql.range(start, end).len(), expected.len());
    }
    let mut it = ql.range(10, 13);
    assert_eq!(it.next().map(|e| e.to_vec()), Some(b"e10".to_vec()));
    assert_eq!(it.next_back().map(|e| e.to_vec()), Some(b"e13".to_vec()));
    assert_eq!(it.next().map(|e| e.to_vec()), Some(b"e11".to_vec()));
    assert_eq!(it.next_back().map(|e| e.to_vec()), Some(b"e12".to_vec()));
    assert_eq!(it.next(), None);
    assert_eq!(it.next_back(), None);
}

#[test]
fn lpos_semantics() {
    let values: Vec<Vec<u8>> = [&b"a"[..], b"b", b"c", b"1", b"2", b"3", b"c", b"c"]
        .iter()
        .map(|v| v.to_vec())
        .collect();
    let ql = filled(3, &values);
    assert_eq!(ql.position(b"c", 1, 1, 0), vec![2]);
    assert_eq!(ql.position(b"c", 2, 1, 0), vec![6]);
    assert_eq!(ql.position(b"c", -1, 1, 0), vec![7]);
    assert_eq!(ql.position(b"c", -2, 0, 0), vec![6, 2]);
    assert_eq!(ql.position(b"c", 1, 0, 0), vec![2, 6, 7]);
    assert_eq!(ql.position(b"c", 1, 2, 0), vec![2, 6]);
    assert_eq!(ql.position(b"c", 1, 0, 3), vec![2]);
    assert_eq!(ql.position(b"c", -1, 0, 2), vec![7, 6]);
    assert_eq!(ql.position(b"c", 4, 0, 0), Vec::<usize>::new());
    assert_eq!(ql.position(b"2", 1, 1, 0), vec![4]);
    assert_eq!(ql.position(b"02", 1, 1, 0), Vec::<usize>::new());
    assert_eq!(ql.position(b"c", i64::MIN, 0, 0), Vec::<usize>::new());
}

#[test]
fn remove_range_drops_whole_nodes() {
    let values = strings(0..1000);
    let mut ql = filled(10, &values);
    let mut model: VecDeque<Vec<u8>> = values.into_iter().collect();
    assert_eq!(ql.remove_range(95, 500), 500);
    model.drain(95..595);
    check(&ql, &model);
    assert_eq!(ql.remove_range(0, 3), 3);
    model.drain(0..3);
    assert_eq!(ql.remove_range(490, 100), 7);
    model.drain(490..);
    assert_eq!(ql.remove_range(1000, 1), 0);
    assert_eq!(ql.remove_range(0, 0), 0);
    check(&ql, &model);
    assert_eq!(ql.remove_range(0, usize::MAX), 490);
    check(&ql, &VecDeque::new());
}

/// One random value: mostly short, sometimes numeric, sometimes long.
fn random_value(state: &mut u64) -> Vec<u8> {
    let r = xorshift(state);
    let n = (r >> 8) % 300;
    match r % 10 {
        0 => (n % 10).to_string().into_bytes(),
        1 => vec![b'v'; ((r >> 8) % 3000) as usize],
        2 => Vec::new(),
        3..=5 => format!("s{}", n % 10).into_bytes(),
        // Elements sharing prefixes of every kind: text, text before an integer,
        // digits (the rest may be an integer too), a sign.
        6 => format!("job:{n}").into_bytes(),
        7 => format!("job:{}:x", n % 30).into_bytes(),
        8 => format!("1{}", n % 100).into_bytes(),
        _ => format!("-{}", n % 50).into_bytes(),
    }
}

/// Applies one random operation to both the list and the model.
fn random_op(ql: &mut QuickList, model: &mut VecDeque<Vec<u8>>, state: &mut u64) {
    let r = xorshift(state);
    let value = random_value(state);
    let len = model.len() as i64;
    let idx = if len == 0 {
        0
    } else {
        ((r >> 16) % (len as u64 * 2)) as i64 - len
    };
    match r % 12 {
        0 | 1 => {
            ql.push_back(&value);
            model.push_back(value);
        }
        2 | 3 => {
            ql.push_front(&value);
            model.push_front(value);
        }
        4 => assert_eq!(ql.pop_front(), model.pop_front()),
        5 => assert_eq!(ql.pop_back(), model.pop_back()),
        6 => {
            let i = if idx < 0 { idx + len } else { idx };
            let ok = ql.set(idx, &value);
            assert_eq!(ok, len > 0);
            if ok {
                model[i as usize] = value;
            }
        }
        7 => {
            let pivot = random_value(state);
            let after = r & 0x100 != 0;
            let at = model.iter().position(|v| *v == pivot);
            let got = ql.insert(&pivot, &value, after);
            match at {
                Some(at) => model.insert(at + usize::from(after), value),
                None => assert_eq!(got, None),
            }
            if at.is_some() {
                assert_eq!(got, Some(model.len()));
            }
        }
        8 => {
            let count = ((r >> 20) % 5) as i64 - 2;
            let removed = ql.remove(&value, count);
            let expected = model_lrem(model, &value, count);
            assert_eq!(removed, expected);
        }
        9 if r & 0xf00 == 0 => {
            let start = ((r >> 20) % 20) as i64 - 5;
            let end = ((r >> 30) % 40) as i64 - 10;
            let values: Vec<Vec<u8>> = model.iter().cloned().collect();
            ql.trim(start, end);
            *model = lrange_model(&values, start, end).into_iter().collect();
        }
        10 => {
            let got = ql.get(idx);
            let i = if idx < 0 { idx + len } else { idx };
            assert_eq!(
                got,
                usize::try_from(i).ok().and_then(|i| model.get(i)).cloned()
            );
        }
        _ => {
            let rank = if r & 0x100 == 0 { 1 } else { -1 };
            let got = ql.position(&value, rank, 0, 0);
            let mut expected: Vec<usize> =
                (0..model.len()).filter(|&i| model[i] == value).collect();
            if rank < 0 {
                expected.reverse();
            }
            assert_eq!(got, expected);
        }
    }
}

/// LREM on the model; returns how many were removed.
fn model_lrem(model: &mut VecDeque<Vec<u8>>, value: &[u8], count: i64) -> usize {
    let mut indexes: Vec<usize> = (0..model.len()).filter(|&i| model[i] == value).collect();
    if count < 0 {
        indexes.reverse();
    }
    if count != 0 {
        indexes.truncate(count.unsigned_abs() as usize);
    }
    indexes.sort_unstable();
    for &i in indexes.iter().rev() {
        model.remove(i);
    }
    indexes.len()
}

#[test]
fn randomized_against_vecdeque() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for fill in [-1i64, -2, -5, 0, 1, 2, 5, 100] {
        let mut ql = QuickList::new(fill);
        let mut model = VecDeque::new();
        for step in 0..1500 {
            random_op(&mut ql, &mut model, &mut state);
            if step % 100 == 0 {
                check(&ql, &model);
            }
        }
        check(&ql, &model);
    }
}

#[test]
fn million_small_elements_are_compact() {
    let mut ql = QuickList::new(-2);
    for i in 0..1_000_000u32 {
        let v = [b'a' + (i % 26) as u8, b'a' + (i / 26 % 26) as u8, b'x'];
        ql.push_back(&v);
    }
    assert_eq!(ql.len(), 1_000_000);
    let size = ql.byte_size();
    assert!(size < 12 * 1024 * 1024, "{size} bytes");
    assert!(
        size < 6 * 1024 * 1024,
        "{size} bytes: about 5 bytes an element expected"
    );
    assert_eq!(
        ql.get(500_000),
        Some(vec![
            b'a' + (500_000 % 26) as u8,
            b'a' + (500_000 / 26 % 26) as u8,
            b'x'
        ])
    );
    assert_eq!(ql.range(-2, -1).count(), 2);
}

#[test]
fn push_pop_alternation_does_not_thrash() {
    let mut ql = QuickList::new(-2);
    for _ in 0..3000 {
        ql.push_back(b"abc");
    }
    let nodes = ql.node_count();
    for _ in 0..10_000 {
        ql.push_back(b"abc");
        ql.pop_back();
        ql.push_front(b"abc");
        ql.pop_front();
    }
    assert_eq!(ql.node_count(), nodes);
    assert_eq!(ql.len(), 3000);
}

#[test]
fn push_node_keeps_node_boundaries() {
    let mut ql = QuickList::new(-2);
    let mut node = Listpack::new();
    for v in strings(0..3) {
        node.push_back(&v);
    }
    ql.push_node(node);
    ql.push_node(Listpack::new());
    let mut tail = Listpack::new();
    tail.push_back(b"last");
    ql.push_node(tail);
    assert_eq!(ql.node_count(), 2);
    let mut model: VecDeque<Vec<u8>> = strings(0..3).into_iter().collect();
    model.push_back(b"last".to_vec());
    check(&ql, &model);
    ql.push_back(b"more");
    model.push_back(b"more".to_vec());
    check(&ql, &model);
}

/// Sets the packed threshold for one test and restores the default when dropped (tests
/// may share a thread under `--test-threads=1`).
struct Threshold;

impl Threshold {
    fn set(bytes: u64) -> Threshold {
        assert!(set_packed_threshold(bytes));
        Threshold
    }
}

impl Drop for Threshold {
    fn drop(&mut self) {
        set_packed_threshold(0);
    }
}

/// Each node as (plain?, its elements as text), head first.
fn layout(ql: &QuickList) -> Vec<(bool, Vec<String>)> {
    ql.nodes()
        .map(|node| {
            let entries = node.entries();
            let texts = entries.iter();
            let texts = texts.map(|e| String::from_utf8_lossy(&e.to_vec()).into_owned());
            (node.is_plain(), texts.collect())
        })
        .collect()
}

/// A node description for [`layout`] comparisons.
fn node(plain: bool, elements: &[&str]) -> (bool, Vec<String>) {
    (plain, elements.iter().map(|e| e.to_string()).collect())
}

#[test]
fn packed_threshold_bounds_and_default() {
    let _reset = Threshold::set(5);
    assert!(node::is_large(5) && !node::is_large(4));
    assert!(!set_packed_threshold((1 << 32) - (1 << 20) + 1));
    assert!(node::is_large(5), "a refused size changes nothing");
    assert!(set_packed_threshold((1 << 32) - (1 << 20)));
    assert!(set_packed_threshold(0));
    assert!(node::is_large(1 << 30) && !node::is_large((1 << 30) - 1));
}

#[test]
fn big_elements_get_plain_nodes_at_either_end() {
    let _reset = Threshold::set(5);
    let mut ql = QuickList::new(-2);
    ql.push_back(b"a");
    ql.push_back(b"bigger");
    ql.push_back(b"c");
    ql.push_front(b"huge!");
    ql.push_front(b"d");
    assert_eq!(
        layout(&ql),
        [
            node(false, &["d"]),
            node(true, &["huge!"]),
            node(false, &["a"]),
            node(true, &["bigger"]),
            node(false, &["c"]),
        ]
    );
    assert_eq!(ql.pop_front(), Some(b"d".to_vec()));
    assert_eq!(ql.pop_front(), Some(b"huge!".to_vec()));
    assert_eq!(ql.pop_back(), Some(b"c".to_vec()));
    assert_eq!(ql.pop_back(), Some(b"bigger".to_vec()));
    assert_eq!(layout(&ql), [node(false, &["a"])]);
}

#[test]
fn lset_moves_elements_between_kinds_of_node() {
    let _reset = Threshold::set(5);
    let mut ql = filled(-2, &[b"aa".to_vec(), b"bb".to_vec()]);
    assert!(ql.set(0, b"dddddd"));
    assert_eq!(layout(&ql), [node(true, &["dddddd"]), node(false, &["bb"])]);
    assert!(ql.set(0, b"eeeeee"));
    assert_eq!(layout(&ql), [node(true, &["eeeeee"]), node(false, &["bb"])]);
    assert!(ql.set(0, b"cc"));
    assert_eq!(layout(&ql), [node(false, &["cc", "bb"])]);
    // A big element in the middle of a packed node splits it around a plain node.
    let mut ql = filled(-2, &strings(0..5));
    assert!(ql.set(2, b"xxxxxxxxxx"));
    assert_eq!(
        layout(&ql),
        [
            node(false, &["e0", "e1"]),
            node(true, &["xxxxxxxxxx"]),
            node(false, &["e3", "e4"]),
        ]
    );
    // Back to a small element: it joins the next node; the neighbours stay apart.
    assert!(ql.set(2, b"e2"));
    assert_eq!(
        layout(&ql),
        [node(false, &["e0", "e1"]), node(false, &["e2", "e3", "e4"])]
    );
}

#[test]
fn lset_last_element_of_a_node_keeps_its_neighbours() {
    // Redis's regression tests "Crash due to split quicklist node wrongly" and "Crash
    // due to delete entry from a compress quicklist node", as node layouts.
    let _reset = Threshold::set(10);
    let mut ql = QuickList::new(-2);
    ql.push_front(b"aa");
    ql.push_front(b"bb");
    assert!(ql.set(-2, b"xxxxxxxxxx"));
    assert_eq!(
        layout(&ql),
        [node(true, &["xxxxxxxxxx"]), node(false, &["aa"])]
    );
    assert_eq!(ql.pop_back(), Some(b"aa".to_vec()));
    assert_eq!(layout(&ql), [node(true, &["xxxxxxxxxx"])]);
    let large = "L".repeat(10);
    let mut ql = filled(
        -2,
        &[large.clone().into_bytes(), b"s".to_vec(), b"s".to_vec()],
    );
    assert!(ql.set(-1, large.as_bytes()));
    assert_eq!(
        layout(&ql),
        [
            node(true, &[&large]),
            node(false, &["s"]),
            node(true, &[&large])
        ]
    );
}

#[test]
fn linsert_around_plain_nodes() {
    let _reset = Threshold::set(5);
    let mut ql = filled(-2, &strings(0..4));
    assert_eq!(ql.insert(b"e1", b"BIG-1", true), Some(5));
    assert_eq!(ql.insert(b"e0", b"BIG-0", false), Some(6));
    assert_eq!(ql.insert(b"BIG-1", b"s", false), Some(7));
    assert_eq!(ql.insert(b"BIG-1", b"t", true), Some(8));
    assert_eq!(
        layout(&ql),
        [
            node(true, &["BIG-0"]),
            node(false, &["e0", "e1", "s"]),
            node(true, &["BIG-1"]),
            node(false, &["t", "e2", "e3"]),
        ]
    );
    assert_eq!(ql.position(b"BIG-1", 1, 0, 0), vec![4]);
    assert_eq!(ql.remove(b"BIG-0", 0), 1);
    assert_eq!(ql.trim(1, -1), 1);
    assert_eq!(
        layout(&ql),
        [
            node(false, &["e1", "s"]),
            node(true, &["BIG-1"]),
            node(false, &["t", "e2", "e3"]),
        ]
    );
}

#[test]
fn every_element_plain_under_a_one_byte_threshold() {
    let _reset = Threshold::set(1);
    let mut ql = filled(-2, &[b"9".to_vec(), b"xx".to_vec(), b"-0".to_vec()]);
    assert_eq!(ql.node_count(), 3);
    assert!(ql.nodes().all(Node::is_plain));
    assert_eq!(ql.insert(b"9", b"8", false), Some(4));
    assert_eq!(ql.position(b"9", 1, 0, 0), vec![1]);
    assert_eq!(ql.get(0), Some(b"8".to_vec()));
    assert!(ql.nodes().all(Node::is_plain));
    // An empty element is below any threshold.
    ql.push_back(b"");
    assert!(!ql.nodes().last().is_some_and(Node::is_plain));
}

#[test]
fn push_plain_node_keeps_a_loaded_plain_node() {
    let mut ql = QuickList::new(-2);
    ql.push_plain_node(b"small but plain");
    ql.push_back(b"next");
    ql.push_front(b"first");
    assert_eq!(
        layout(&ql),
        [
            node(false, &["first"]),
            node(true, &["small but plain"]),
            node(false, &["next"]),
        ]
    );
    assert!(ql.set(1, b"replaced"));
    assert_eq!(
        layout(&ql),
        [node(false, &["first"]), node(false, &["replaced", "next"])]
    );
}

#[test]
fn randomized_against_vecdeque_with_plain_nodes() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for threshold in [1u64, 2, 1000] {
        let _reset = Threshold::set(threshold);
        for fill in [-2i64, 1, 5] {
            let mut ql = QuickList::new(fill);
            let mut model = VecDeque::new();
            for step in 0..1500 {
                random_op(&mut ql, &mut model, &mut state);
                if step % 50 == 0 {
                    check(&ql, &model);
                    // With the threshold fixed, a node is plain exactly when it holds
                    // a big element.
                    for n in ql.nodes() {
                        let len = n.entries().iter().map(|e| e.byte_len()).max();
                        let big = len.is_some_and(|len| len as u64 >= threshold);
                        assert_eq!(n.is_plain(), big, "{:?}", layout(&ql));
                    }
                }
            }
            check(&ql, &model);
        }
    }
}

/// Asserts the compression layout after a change: with more than `2 * depth` nodes, the
/// `depth` nodes at each end are raw and every other node is compressed unless LZF
/// cannot shrink it enough; and no read copy is left behind.
fn check_compression(ql: &QuickList) {
    let (n, depth) = (ql.node_count(), ql.depth());
    for node in ql.nodes() {
        assert!(!node.has_copy(), "a read copy outlived a change");
    }
    if depth == 0 {
        assert_eq!(ql.compressed_nodes(), 0);
        return;
    }
    if n <= 2 * depth {
        return;
    }
    for (i, node) in ql.nodes().enumerate() {
        let at_end = i < depth || i >= n - depth;
        if at_end {
            assert!(
                !node.is_compressed(),
                "node {i} of {n} is within depth {depth}"
            );
        } else if !node.is_compressed() {
            let raw = node.body_bytes();
            let raw = &raw[..];
            let pays = raw.len() >= 48 && crate::util::lzf::compress(raw, raw.len() - 9).is_some();
            assert!(!pays, "interior node {i} of {n} left raw");
        }
    }
}

#[test]
fn randomized_compressed_against_vecdeque() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for depth in [1usize, 2, 3] {
        for fill in [2i64, 4, -1] {
            let mut ql = QuickList::with_depth(fill, depth);
            let mut model = VecDeque::new();
            for step in 0..1500 {
                random_op(&mut ql, &mut model, &mut state);
                if step % 50 == 0 {
                    check(&ql, &model);
                    ql.release_copies();
                    check_compression(&ql);
                }
            }
            check(&ql, &model);
            ql.release_copies();
            check_compression(&ql);
        }
    }
}

#[test]
fn compressed_interior_nodes_hold_less() {
    // Elements that share no prefix with their neighbours, so that what the nodes hold
    // is what LZF has to work on.
    let values: Vec<Vec<u8>> = (0..20_000)
        .map(|i| format!("{}:element:{i}", i % 7).into_bytes())
        .collect();
    let plain = filled(-2, &values);
    let mut packed = QuickList::with_depth(-2, 1);
    for v in &values {
        packed.push_back(v);
    }
    let n = packed.node_count();
    assert!(n > 3);
    assert_eq!(
        packed.compressed_nodes(),
        n - 2,
        "all but the two end nodes"
    );
    assert!(packed.byte_size() * 2 < plain.byte_size());
    // Reads see every element; copies they leave are counted, then released.
    let mut seen = Vec::new();
    packed.for_each(|e| seen.push(e.to_vec()));
    assert_eq!(seen, values);
    assert_eq!(packed.get(10_000), Some(values[10_000].clone()));
    let with_copy = packed.byte_size();
    packed.release_copies();
    assert!(packed.byte_size() < with_copy);
    // Popping from an end decompresses what comes within the depth.
    for _ in 0..5_000 {
        packed.pop_front();
    }
    check_compression(&packed);
    assert_eq!(packed.clone().iter().count(), 15_000);
}

#[test]
fn elements_of_a_node_share_their_prefix_once() {
    let values: Vec<Vec<u8>> = (0..100_000)
        .map(|i| format!("element:{i}").into_bytes())
        .collect();
    let ql = filled(-2, &values);
    let whole: usize = values.iter().map(|v| Listpack::encoded_len(v)).sum();
    assert!(ql.byte_size() * 3 < whole, "{} of {whole}", ql.byte_size());
    // Nodes are about as many as the elements would fill whole (an integer after the
    // prefix takes fewer bytes than its text, so a node holds somewhat more).
    let whole_nodes = whole / 8192;
    let n = ql.node_count();
    assert!(
        n >= whole_nodes * 3 / 4 && n < whole_nodes * 3 / 2,
        "{n} nodes"
    );
    let (prefix, entries) = ql.view(50).expect("a 51st node");
    assert!(
        prefix.starts_with(b"element:") && prefix.len() > 8,
        "{prefix:?}"
    );
    let first = entries.first().expect("an entry");
    let node = ql.nodes().nth(50).expect("a 51st node");
    assert!(!node.element(first).split().0.is_empty());
    assert_eq!(
        node.element(first).to_vec(),
        node.entries().iter().next().expect("one").to_vec()
    );
    check(&ql, &values.iter().cloned().collect());
    assert_eq!(ql.position(b"element:54321", 1, 0, 0), vec![54321]);
    assert_eq!(ql.position(b"element:5432", -1, 0, 0), vec![5432]);
    assert_eq!(ql.position(b"element:", 1, 0, 0), Vec::<usize>::new());
    assert_eq!(ql.get(77_777), Some(b"element:77777".to_vec()));
}

#[test]
fn a_prefix_gives_way_to_elements_that_do_not_share_it() {
    let mut model: VecDeque<Vec<u8>> = (0..3000)
        .map(|i| format!("item:{i}").into_bytes())
        .collect();
    let mut ql = filled(-2, model.make_contiguous());
    assert_eq!(ql.insert(b"item:500", b"other", true), Some(3001));
    model.insert(501, b"other".to_vec());
    assert!(ql.set(10, b"item"));
    model[10] = b"item".to_vec();
    assert!(ql.set(700, b"123"));
    model[700] = b"123".to_vec();
    assert!(ql.set(-1, b""));
    *model.back_mut().expect("not empty") = Vec::new();
    ql.push_front(b"zzz");
    model.push_front(b"zzz".to_vec());
    ql.push_back(b"item:x");
    model.push_back(b"item:x".to_vec());
    check(&ql, &model);
    assert_eq!(ql.position(b"other", 1, 0, 0), vec![502]);
    assert_eq!(ql.remove(b"item:2999", 0), 0);
    assert_eq!(ql.remove(b"item:2998", 0), 1);
    model.retain(|v| v != b"item:2998");
    assert_eq!(ql.remove(b"123", 0), 1);
    model.retain(|v| v != b"123");
    check(&ql, &model);
    // Merging nodes under different prefixes keeps every element.
    let mut trimmed = ql.clone();
    trimmed.remove_range(100, 2500);
    let mut expected = model.clone();
    expected.drain(100..2600);
    check(&trimmed, &expected);
}

#[test]
fn nodes_built_whole_share_their_prefix() {
    let mut lp = Listpack::new();
    for i in 0..200 {
        lp.push_back(format!("user:1{i:03}").as_bytes());
    }
    let mut ql = QuickList::new(-2);
    ql.push_node(lp.clone());
    let (prefix, _) = ql.view(0).expect("one node");
    assert_eq!(prefix, b"user:1");
    assert_eq!(*ql.nodes().next().expect("one node").entries(), lp);
    assert!(ql.byte_size() < lp.byte_size());
}
