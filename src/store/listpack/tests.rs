//! Unit tests for `Listpack`, including a randomized model test against `VecDeque`.

use super::*;
use std::collections::VecDeque;

/// Tiny xorshift for reproducible random tests.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Values that exercise every encoding boundary.
fn boundary_values() -> Vec<Vec<u8>> {
    let mut values: Vec<Vec<u8>> = [
        &b""[..],
        b"0",
        b"-0",
        b"00",
        b"01",
        b"+1",
        b"-1",
        b"31",
        b"-32",
        b"32",
        b"-33",
        b"4095",
        b"-4096",
        b"9223372036854775807",
        b"-9223372036854775808",
        b"9223372036854775808",
        b"-9223372036854775809",
        b" 1",
        b"1 ",
        b"a\0b\r\nc",
        b"\xff\xfe",
    ]
    .iter()
    .map(|v| v.to_vec())
    .collect();
    for len in [
        1, 62, 63, 64, 65, 126, 127, 128, 129, 8191, 8192, 8193, 16383, 16384,
    ] {
        values.push((0..len).map(|i| (i % 251) as u8).collect());
    }
    values.push(vec![b'x'; 70_000]);
    values
}

/// Asserts that `lp` holds exactly `model`, walking it every way there is.
fn check(lp: &Listpack, model: &VecDeque<Vec<u8>>) {
    assert_eq!(lp.len(), model.len());
    assert_eq!(lp.is_empty(), model.is_empty());
    let forward: Vec<Vec<u8>> = lp.iter().map(|e| e.to_vec()).collect();
    assert_eq!(forward, model.iter().cloned().collect::<Vec<_>>());
    let backward: Vec<Vec<u8>> = lp.iter().rev().map(|e| e.to_vec()).collect();
    assert_eq!(backward, model.iter().rev().cloned().collect::<Vec<_>>());
    let mut pos = lp.first();
    for value in model {
        let p = pos.expect("entry");
        assert!(lp.get(p).eq_bytes(value));
        pos = lp.next(p);
    }
    assert_eq!(pos, None);
    let mut pos = lp.last();
    for value in model.iter().rev() {
        let p = pos.expect("entry");
        assert_eq!(lp.get(p).to_vec(), *value);
        pos = lp.prev(p);
    }
    assert_eq!(pos, None);
}

fn from_values(values: &[Vec<u8>]) -> Listpack {
    let mut lp = Listpack::new();
    for v in values {
        lp.push_back(v);
    }
    lp
}

#[test]
fn empty_listpack() {
    let mut lp = Listpack::new();
    assert!(lp.is_empty());
    assert_eq!(lp.len(), 0);
    assert_eq!(lp.first(), None);
    assert_eq!(lp.last(), None);
    assert_eq!(lp.index(0), None);
    assert_eq!(lp.index(-1), None);
    assert_eq!(lp.find(b"x", 0), None);
    assert_eq!(lp.pop_front(), None);
    assert_eq!(lp.pop_back(), None);
    assert_eq!(lp.remove_range(0, 5), 0);
    assert_eq!(lp.iter().next(), None);
    assert_eq!(lp.iter().next_back(), None);
    assert_eq!(lp.data_len(), 0);
    assert_eq!(lp.split_off(0).len(), 0);
}

#[test]
fn round_trips_boundary_values() {
    let values = boundary_values();
    let lp = from_values(&values);
    check(&lp, &values.iter().cloned().collect());
    let mut reversed = Listpack::new();
    for v in &values {
        reversed.push_front(v);
    }
    check(&reversed, &values.iter().rev().cloned().collect());
}

#[test]
fn canonical_integers_are_ints() {
    let mut lp = Listpack::new();
    for v in [&b"0"[..], b"-1", b"123", b"-9223372036854775808"] {
        lp.push_back(v);
    }
    for v in [&b"-0"[..], b"01", b"+1", b"1 ", b"9223372036854775808", b""] {
        lp.push_back(v);
    }
    let entries: Vec<Entry<'_>> = lp.iter().collect();
    assert_eq!(entries[0], Entry::Int(0));
    assert_eq!(entries[1], Entry::Int(-1));
    assert_eq!(entries[2].as_int(), Some(123));
    assert_eq!(entries[3], Entry::Int(i64::MIN));
    assert_eq!(entries[4], Entry::Bytes(b"-0"));
    assert_eq!(entries[5].as_int(), None);
    assert_eq!(entries[8], Entry::Bytes(b"9223372036854775808"));
    assert_eq!(entries[9], Entry::Bytes(b""));
}

#[test]
fn entry_helpers() {
    let int = Entry::Int(-42);
    let bytes = Entry::Bytes(b"abc");
    let mut buf = [0u8; 20];
    assert_eq!(int.as_bytes(&mut buf), b"-42");
    assert_eq!(int.to_vec(), b"-42".to_vec());
    assert_eq!(int.byte_len(), 3);
    assert!(int.eq_bytes(b"-42"));
    assert!(!int.eq_bytes(b"-042"));
    assert!(!int.eq_bytes(b"42"));
    assert!(bytes.eq_bytes(b"abc"));
    assert!(!bytes.eq_bytes(b"ab"));
    assert_eq!(bytes.as_int(), None);
    let mut out = b"x".to_vec();
    bytes.append_to(&mut out);
    int.append_to(&mut out);
    assert_eq!(out, b"xabc-42".to_vec());
    let needle = Needle::new(b"-42");
    assert!(needle.matches(&int));
    assert!(!needle.matches(&Entry::Bytes(b"-42x")));
    assert!(Needle::new(b"abc").matches(&bytes));
    assert!(!Needle::new(b"abc").matches(&Entry::Int(1)));
}

#[test]
fn encoded_sizes_are_small() {
    assert_eq!(Listpack::encoded_len(b"abc"), 5);
    assert_eq!(Listpack::encoded_len(b""), 2);
    assert_eq!(Listpack::encoded_len(b"7"), 2);
    assert_eq!(Listpack::encoded_len(b"-32"), 2);
    assert_eq!(Listpack::encoded_len(b"4095"), 3);
    assert_eq!(Listpack::encoded_len(&[b'a'; 63]), 65);
    assert_eq!(Listpack::encoded_len(&[b'a'; 64]), 67);
    assert!(Listpack::encoded_len(b"-9223372036854775808") <= 11);
    let mut lp = Listpack::new();
    for v in boundary_values() {
        let before = lp.data_len();
        lp.push_back(&v);
        assert_eq!(lp.data_len() - before, Listpack::encoded_len(&v));
    }
}

#[test]
fn index_both_directions() {
    let values: Vec<Vec<u8>> = (0..50).map(|i| format!("v{i}").into_bytes()).collect();
    let lp = from_values(&values);
    for (i, v) in values.iter().enumerate() {
        let p = lp.index(i as isize).expect("index");
        assert!(lp.get(p).eq_bytes(v));
        let q = lp.index(i as isize - 50).expect("negative index");
        assert_eq!(p, q);
    }
    assert_eq!(lp.index(50), None);
    assert_eq!(lp.index(-51), None);
    assert_eq!(lp.index(isize::MIN), None);
    assert_eq!(lp.index(isize::MAX), None);
}

#[test]
fn find_with_skip() {
    let mut lp = Listpack::new();
    for v in [&b"f1"[..], b"v1", b"f2", b"f1", b"10", b"f2", b"f3", b"10"] {
        lp.push_back(v);
    }
    assert_eq!(lp.find(b"f1", 1), lp.index(0));
    assert_eq!(lp.find(b"v1", 1), None);
    assert_eq!(lp.find(b"v1", 0), lp.index(1));
    assert_eq!(lp.find(b"f2", 1), lp.index(2));
    assert_eq!(lp.find(b"10", 1), lp.index(4));
    assert_eq!(lp.find(b"10", 0), lp.index(4));
    assert_eq!(lp.find(b"f3", 1), lp.index(6));
    assert_eq!(lp.find(b"f2", 2), None);
    assert_eq!(lp.find(b"10", 2), None);
    assert_eq!(lp.find(b"f3", 4), None);
    assert_eq!(lp.find(b"010", 0), None);
}

#[test]
fn insert_replace_remove() {
    let mut lp = from_values(&[b"a".to_vec(), b"c".to_vec()]);
    let c = lp.index(1).expect("c");
    let b = lp.insert_before(c, b"b");
    assert!(lp.get(b).eq_bytes(b"b"));
    let d = lp.insert_after(lp.index(2).expect("c"), b"d");
    assert!(lp.get(d).eq_bytes(b"d"));
    let a = lp.first().expect("a");
    lp.insert_after(a, b"ab");
    let items: Vec<Vec<u8>> = lp.iter().map(|e| e.to_vec()).collect();
    assert_eq!(
        items,
        vec![
            b"a".to_vec(),
            b"ab".to_vec(),
            b"b".to_vec(),
            b"c".to_vec(),
            b"d".to_vec()
        ]
    );
    let p = lp.index(1).expect("ab");
    lp.replace(p, &[b'z'; 300]);
    assert_eq!(lp.get(p).to_vec(), vec![b'z'; 300]);
    lp.replace(p, b"12");
    assert_eq!(lp.get(p), Entry::Int(12));
    assert!(lp.get(lp.next(p).expect("b")).eq_bytes(b"b"));
    let next = lp.remove(p).expect("next");
    assert!(lp.get(next).eq_bytes(b"b"));
    assert_eq!(lp.remove(lp.last().expect("d")), None);
    assert_eq!(lp.len(), 3);
    assert_eq!(lp.pop_front(), Some(b"a".to_vec()));
    assert_eq!(lp.pop_back(), Some(b"c".to_vec()));
    assert_eq!(lp.pop_back(), Some(b"b".to_vec()));
    assert!(lp.is_empty());
    assert_eq!(lp.data_len(), 0);
}

#[test]
fn remove_range_clamps() {
    let values: Vec<Vec<u8>> = (0..10).map(|i| vec![b'a' + i]).collect();
    let mut lp = from_values(&values);
    assert_eq!(lp.remove_range(2, 3), 3);
    assert_eq!(lp.remove_range(-2, 10), 2);
    assert_eq!(lp.remove_range(10, 1), 0);
    assert_eq!(lp.remove_range(0, 0), 0);
    let left: Vec<Vec<u8>> = lp.iter().map(|e| e.to_vec()).collect();
    assert_eq!(
        left,
        vec![
            b"a".to_vec(),
            b"b".to_vec(),
            b"f".to_vec(),
            b"g".to_vec(),
            b"h".to_vec()
        ]
    );
    assert_eq!(lp.remove_range(0, usize::MAX), 5);
    assert!(lp.is_empty());
}

#[test]
fn retain_split_append() {
    let values: Vec<Vec<u8>> = (0..20).map(|i| i.to_string().into_bytes()).collect();
    let mut lp = from_values(&values);
    assert_eq!(lp.retain(|e| e.as_int().is_some_and(|n| n % 2 == 0)), 10);
    let mut right = lp.split_off(4);
    assert_eq!(lp.len(), 4);
    assert_eq!(right.len(), 6);
    assert_eq!(right.get(right.first().expect("8")), Entry::Int(8));
    let p = right.index(2).expect("12");
    let tail = right.split_off_at(p);
    assert_eq!(tail.len(), 4);
    assert_eq!(right.len(), 2);
    lp.append(&right);
    lp.append(&tail);
    let evens: Vec<Vec<u8>> = values.iter().step_by(2).cloned().collect();
    check(&lp, &evens.into_iter().collect());
    assert_eq!(lp.split_off(100).len(), 0);
    lp.clear();
    assert!(lp.is_empty());
    assert_eq!(lp.byte_size(), std::mem::size_of::<Listpack>());
}

#[test]
fn equality_is_sequence_equality() {
    let values = boundary_values();
    let a = from_values(&values);
    let mut b = Listpack::new();
    for v in values.iter().rev() {
        b.push_front(v);
    }
    assert_eq!(a, b);
}

/// One random value: small ints, short strings, occasionally long or binary.
fn random_value(state: &mut u64) -> Vec<u8> {
    let r = xorshift(state);
    match r % 8 {
        0 => ((r >> 8) % 200).to_string().into_bytes(),
        1 => ((r >> 8) as i64).to_string().into_bytes(),
        2 => vec![(r >> 8) as u8; ((r >> 16) % 300) as usize],
        3 if (r >> 20).is_multiple_of(16) => vec![b'L'; 16_000 + ((r >> 24) % 1000) as usize],
        4 => Vec::new(),
        _ => format!("k{}", (r >> 8) % 50).into_bytes(),
    }
}

/// Applies one random operation to both the listpack and the model.
fn random_op(lp: &mut Listpack, model: &mut VecDeque<Vec<u8>>, state: &mut u64) {
    let r = xorshift(state);
    let value = random_value(state);
    let len = model.len();
    let at = if len == 0 { 0 } else { (r >> 8) as usize % len };
    match r % 11 {
        0 | 1 => {
            lp.push_back(&value);
            model.push_back(value);
        }
        2 => {
            lp.push_front(&value);
            model.push_front(value);
        }
        3 => assert_eq!(lp.pop_front(), model.pop_front()),
        4 => assert_eq!(lp.pop_back(), model.pop_back()),
        5 if len > 0 => {
            let p = lp.index(at as isize).expect("in range");
            let new = if r & 0x100 == 0 {
                lp.insert_before(p, &value)
            } else {
                lp.insert_after(p, &value)
            };
            assert!(lp.get(new).eq_bytes(&value));
            model.insert(at + usize::from(r & 0x100 != 0), value);
        }
        6 if len > 0 => {
            let p = lp.index(at as isize - len as isize).expect("in range");
            lp.replace(p, &value);
            model[at] = value;
        }
        7 if len > 0 => {
            let p = lp.index(at as isize).expect("in range");
            let next = lp.remove(p);
            model.remove(at);
            assert_eq!(next.map(|p| lp.get(p).to_vec()), model.get(at).cloned());
        }
        8 => {
            let count = (r >> 40) as usize % 4;
            let removed = lp.remove_range(at as isize, count);
            let expected = count.min(len.saturating_sub(at));
            assert_eq!(removed, if len == 0 { 0 } else { expected });
            model.drain(at..at + removed);
        }
        9 => {
            let skip = (r >> 40) as usize % 2;
            let found = lp.find(&value, skip).map(|p| lp.get(p).to_vec());
            let step = skip + 1;
            let expected = model.iter().step_by(step).find(|v| **v == value);
            assert_eq!(found.as_ref(), expected);
        }
        _ => {
            if len > 0 {
                let idx = (r >> 32) as usize % len;
                assert!(lp
                    .get(lp.index(idx as isize).expect("idx"))
                    .eq_bytes(&model[idx]));
            }
        }
    }
}

#[test]
fn randomized_against_vecdeque() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..30 {
        let mut lp = Listpack::new();
        let mut model = VecDeque::new();
        for step in 0..400 {
            random_op(&mut lp, &mut model, &mut state);
            if step % 50 == 0 {
                check(&lp, &model);
            }
        }
        check(&lp, &model);
    }
}

#[test]
fn growth_keeps_spare_capacity_small() {
    let mut lp = Listpack::new();
    for i in 0..2000 {
        lp.push_back(format!("item-{i}").as_bytes());
    }
    let used = lp.data_len();
    assert!(lp.byte_size() - std::mem::size_of::<Listpack>() <= used + used / 8 + 64);
    lp.shrink_to_fit();
    assert_eq!(lp.byte_size(), std::mem::size_of::<Listpack>() + used);
}

#[test]
fn push_int_matches_push_back_of_the_text() {
    let mut by_int = Listpack::new();
    let mut by_text = Listpack::new();
    for n in [0i64, -1, 31, -32, 4095, -4096, i64::MIN, i64::MAX] {
        by_int.push_int(n);
        by_text.push_back(n.to_string().as_bytes());
    }
    assert_eq!(by_int, by_text);
    check(&by_int, &by_text.iter().map(|e| e.to_vec()).collect());
}

#[test]
fn the_measured_entry_length_is_the_encoded_one() {
    let long = vec![b'x'; 200];
    let huge = vec![b'y'; 20_000];
    let values: [&[u8]; 12] = [
        b"",
        b"x",
        b"xxx",
        b"0",
        b"-1",
        b"63",
        b"-64",
        b"123456789012",
        b"9223372036854775807",
        b"007",
        &long,
        &huge,
    ];
    for value in values {
        assert_eq!(
            Listpack::encoded_len(value),
            Encoded::new(value).len(),
            "{} bytes",
            value.len()
        );
        let mut pack = Listpack::new();
        pack.push_back(value);
        assert_eq!(pack.data_len(), Listpack::encoded_len(value));
    }
}

#[test]
fn short_strings_encode_as_the_general_rule_does() {
    // The fast path for short non-numeric strings must give the general encoding.
    for len in 0..70usize {
        for first in [b'a', b'-', b'5', b'+', 0u8, 0xff] {
            let mut value = vec![b'x'; len];
            if let Some(byte) = value.first_mut() {
                *byte = first;
            }
            let enc = Encoded::new(&value);
            let mut head = [0u8; MAX_VARINT];
            let mut back = [0u8; MAX_VARINT];
            let (tag, body) = match parse_i64(&value) {
                Some(n) => (TAG_INT, zigzag(n)),
                None => (TAG_BYTES, len as u64),
            };
            let head_len = write_header(tag, body, &mut head);
            let payload = if tag == TAG_INT { 0 } else { len };
            let back_len = write_backlen(head_len + payload, &mut back);
            assert_eq!(&enc.head[..enc.head_len], &head[..head_len], "{value:?}");
            assert_eq!(&enc.back[..enc.back_len], &back[..back_len], "{value:?}");
            assert_eq!(enc.payload.len(), payload);
        }
    }
}

#[test]
fn front_pushes_keep_the_gap_small_and_compare_by_entries() {
    let mut front = Listpack::new();
    let mut back = Listpack::new();
    for i in (0..2000).rev() {
        front.push_front(format!("item-{i}").as_bytes());
    }
    for i in 0..2000 {
        back.push_back(format!("item-{i}").as_bytes());
    }
    assert_eq!(front, back);
    let used = front.data_len();
    // The gap a push opens is an eighth of the entries, plus the entry itself.
    assert!(front.byte_size() - std::mem::size_of::<Listpack>() <= used + used / 4 + 64);
    assert_eq!(front.pop_front(), Some(b"item-0".to_vec()));
    front.shrink_to_fit();
    assert_eq!(
        front.byte_size(),
        std::mem::size_of::<Listpack>() + front.data_len()
    );
    assert_eq!(front.clone(), front);
}

#[test]
fn get_and_next_walks_as_iter_does() {
    let lp = from_values(&boundary_values());
    let mut walked = Vec::new();
    let mut pos = lp.first();
    while let Some(at) = pos {
        let (entry, next) = lp.get_and_next(at);
        assert_eq!(next, lp.next(at));
        walked.push(entry.to_vec());
        pos = next;
    }
    assert_eq!(walked, lp.iter().map(|e| e.to_vec()).collect::<Vec<_>>());
}
