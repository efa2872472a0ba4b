//! Unit tests for the dict: basic operations, incremental rehash, the SCAN guarantee
//! across growth and shrinking, sampling coverage, and a randomized model check.

use super::*;
use std::collections::{HashMap, HashSet};

/// A tiny xorshift64* generator, so tests need no external crate.
fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed.max(1);
    move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn key(prefix: &str, i: usize) -> Vec<u8> {
    format!("{prefix}:{i}").into_bytes()
}

/// Checks the internal invariants: counters, emptiness below the rehash index,
/// every node in the bucket its hash selects.
fn check_invariants<K: DictKey, V>(dict: &Dict<K, V>) {
    for (t, table) in dict.ht.iter().enumerate() {
        let mut count = 0;
        for (i, bucket) in table.buckets.iter().enumerate() {
            for node in chain_iter(bucket) {
                assert_eq!(table.index(hash_key(node.key.key_bytes())), Some(i));
                count += 1;
            }
            if t == 0 && dict.rehash_idx.is_some_and(|r| i < r) {
                assert!(bucket.is_none(), "bucket {i} below the rehash index");
            }
        }
        assert_eq!(count, table.used, "table {t} counter");
    }
    if !dict.is_rehashing() {
        assert_eq!(dict.ht[1].size(), 0);
    }
    assert_eq!(dict.iter().count(), dict.len());
}

/// Runs a complete scan, calling `between` after every step.
fn full_scan(
    dict: &mut Dict<Vec<u8>, usize>,
    mut between: impl FnMut(&mut Dict<Vec<u8>, usize>),
) -> HashSet<Vec<u8>> {
    let mut seen = HashSet::new();
    let mut cursor = 0;
    loop {
        cursor = dict.scan(cursor, |k, _| {
            seen.insert(k.clone());
        });
        if cursor == 0 {
            return seen;
        }
        between(dict);
    }
}

#[test]
fn insert_get_replace_remove() {
    let mut dict: Dict<Vec<u8>, i32> = Dict::new();
    assert!(dict.is_empty());
    assert_eq!(dict.buckets(), 0);
    assert_eq!(dict.insert(b"a".to_vec(), 1), None);
    assert_eq!(dict.insert(b"b".to_vec(), 2), None);
    assert_eq!(dict.get(b"a"), Some(&1));
    assert_eq!(dict.insert(b"a".to_vec(), 3), Some(1));
    assert_eq!(dict.len(), 2);
    assert_eq!(dict.get(b"a"), Some(&3));
    assert!(dict.contains_key(b"b"));
    assert!(!dict.contains_key(b"c"));
    assert_eq!(dict.get(b""), None);
    *dict.get_mut(b"b").expect("present") += 10;
    assert_eq!(dict.get_key_value(b"b"), Some((&b"b".to_vec(), &12)));
    assert_eq!(dict.remove(b"a"), Some((b"a".to_vec(), 3)));
    assert_eq!(dict.remove(b"a"), None);
    assert_eq!(dict.len(), 1);
    assert_eq!(dict.get_mut(b"zz"), None);
}

/// A key whose identity is not part of its bytes, to see which key is kept.
struct Tagged(Vec<u8>, u32);

impl DictKey for Tagged {
    fn key_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[test]
fn replace_keeps_the_old_key() {
    let mut dict = Dict::new();
    dict.insert(Tagged(b"k".to_vec(), 1), "one");
    assert_eq!(dict.insert(Tagged(b"k".to_vec(), 2), "two"), Some("one"));
    let (k, v) = dict.get_key_value(b"k").expect("present");
    assert_eq!((k.1, *v), (1, "two"));
}

#[test]
fn key_types() {
    let mut a: Dict<Box<[u8]>, u8> = Dict::new();
    a.insert(b"x".to_vec().into_boxed_slice(), 1);
    let mut b: Dict<Bytes, u8> = Dict::new();
    b.insert(Bytes::from_static(b"x"), 1);
    assert_eq!(a.get(b"x"), b.get(b"x"));
}

#[test]
fn get_or_insert_with() {
    let mut dict: Dict<Vec<u8>, Vec<u32>> = Dict::new();
    let (v, inserted) = dict.get_or_insert_with(b"l", || b"l".to_vec(), Vec::new);
    assert!(inserted);
    v.push(1);
    let (v, inserted) = dict.get_or_insert_with(b"l", || unreachable!(), || unreachable!());
    assert!(!inserted);
    v.push(2);
    assert_eq!(dict.get(b"l"), Some(&vec![1, 2]));
    // Also while rehashing, for keys in the old and the new table.
    for i in 0..1000 {
        let k = key("k", i);
        let (v, inserted) = dict.get_or_insert_with(&k, || k.clone(), Vec::new);
        assert!(inserted);
        v.push(i as u32);
    }
    for i in 0..1000 {
        let k = key("k", i);
        let (v, inserted) = dict.get_or_insert_with(&k, || unreachable!(), Vec::new);
        assert!(!inserted);
        assert_eq!(v, &vec![i as u32]);
    }
    assert_eq!(dict.len(), 1001);
    check_invariants(&dict);
}

#[test]
fn grows_through_incremental_rehash() {
    let mut dict = Dict::new();
    let mut saw_rehash = false;
    for i in 0..10_000 {
        dict.insert(key("k", i), i);
        saw_rehash |= dict.is_rehashing();
        if i % 997 == 0 {
            check_invariants(&dict);
        }
    }
    assert!(saw_rehash);
    while dict.rehash_steps(1) {}
    assert_eq!(dict.buckets(), 16_384);
    for i in 0..10_000 {
        assert_eq!(dict.get(&key("k", i)), Some(&i));
    }
    check_invariants(&dict);
}

#[test]
fn with_capacity_avoids_growth() {
    let mut dict = Dict::with_capacity(1000);
    assert_eq!(dict.buckets(), 1024);
    for i in 0..1000 {
        dict.insert(key("k", i), i);
        assert!(!dict.is_rehashing());
    }
    assert_eq!(dict.buckets(), 1024);
}

#[test]
fn shrinks_only_when_asked() {
    let mut dict = Dict::new();
    for i in 0..1000 {
        dict.insert(key("k", i), i);
    }
    dict.rehash_for(Duration::from_secs(1));
    assert!(!dict.shrink_if_needed(), "full table must not shrink");
    for i in 10..1000 {
        dict.remove(&key("k", i));
    }
    dict.rehash_for(Duration::from_secs(1));
    assert_eq!(dict.buckets(), 1024, "remove never shrinks");
    assert!(dict.shrink_if_needed());
    assert!(!dict.shrink_if_needed(), "already rehashing");
    while dict.rehash_steps(1) {
        check_invariants(&dict);
        for i in 0..10 {
            assert_eq!(dict.get(&key("k", i)), Some(&i));
        }
    }
    assert_eq!(dict.buckets(), 16);
    check_invariants(&dict);
}

#[test]
fn shrink_of_an_emptied_table_is_immediate() {
    let mut dict = Dict::new();
    for i in 0..100 {
        dict.insert(key("k", i), i);
    }
    dict.rehash_for(Duration::from_secs(1));
    for i in 0..100 {
        dict.remove(&key("k", i));
    }
    assert!(dict.shrink_if_needed());
    assert!(!dict.is_rehashing());
    assert_eq!(dict.buckets(), MIN_BUCKETS);
    assert!(!dict.shrink_if_needed());
}

#[test]
fn growth_policy() {
    // The global switch is not toggled here: tests run in parallel.
    assert!(growth_due(4, 4, true));
    assert!(!growth_due(3, 4, true));
    assert!(
        !growth_due(20, 4, false),
        "5 per bucket is tolerated while disallowed"
    );
    assert!(growth_due(24, 4, false));
}

#[test]
fn many_inserts_and_removes_while_rehashing() {
    let mut dict = Dict::new();
    for i in 0..4096 {
        dict.insert(key("a", i), i);
    }
    dict.rehash_for(Duration::from_secs(1));
    dict.insert(key("a", 4096), 4096);
    assert!(dict.is_rehashing());
    for i in 0..2000 {
        dict.insert(key("b", i), i);
        dict.remove(&key("a", i * 2));
        assert!(dict.is_rehashing() || i > 500);
    }
    check_invariants(&dict);
    for i in 0..4097 {
        let expect = (i % 2 == 1 || i >= 4000).then_some(i);
        assert_eq!(dict.get(&key("a", i)).copied(), expect, "a:{i}");
    }
    for i in 0..2000 {
        assert_eq!(dict.get(&key("b", i)), Some(&i));
    }
}

#[test]
fn rehash_work_is_bounded() {
    let mut dict = Dict::new();
    for i in 0..(1 << 16) {
        dict.insert(key("k", i), i);
    }
    dict.rehash_for(Duration::from_secs(5));
    dict.insert(key("x", 0), 0);
    assert!(dict.is_rehashing());
    let before = dict.ht[0].used;
    assert!(dict.rehash_steps(3));
    let moved = before - dict.ht[0].used;
    assert!(
        moved > 0 && moved < 100,
        "moved {moved} elements in 3 steps"
    );
    assert!(dict.rehash_for(Duration::ZERO) <= REHASH_BATCH);
    assert!(dict.rehash_for(Duration::from_secs(5)) > 0);
    assert!(!dict.is_rehashing());
    assert_eq!(dict.len(), (1 << 16) + 1);
}

#[test]
fn clear_and_take_all_free_the_table() {
    let mut dict = Dict::new();
    for i in 0..1000 {
        dict.insert(key("k", i), i);
    }
    let taken = dict.take_all();
    assert_eq!(taken.len(), 1000);
    assert!(dict.is_empty());
    assert_eq!(dict.buckets(), 0);
    dict.insert(key("k", 1), 1);
    assert_eq!(dict.get(&key("k", 1)), Some(&1));
    let mut taken = taken;
    taken.clear();
    assert_eq!((taken.len(), taken.buckets()), (0, 0));
    assert_eq!(taken.memory_overhead(), 0);
}

#[test]
fn iter_iter_mut_and_retain() {
    let mut dict = Dict::new();
    for i in 0..3000 {
        dict.insert(key("k", i), i);
    }
    assert!(dict.is_rehashing());
    assert_eq!(dict.iter().len(), 3000);
    let all: HashSet<usize> = dict.iter().map(|(_, v)| *v).collect();
    assert_eq!(all.len(), 3000);
    for (_, v) in dict.iter_mut() {
        *v += 1;
    }
    dict.retain(|_, v| {
        *v *= 2;
        *v % 4 == 0
    });
    assert_eq!(dict.len(), 1500);
    check_invariants(&dict);
    for i in 0..3000 {
        let expect = (i % 2 == 1).then_some((i + 1) * 2);
        assert_eq!(dict.get(&key("k", i)).copied(), expect);
    }
}

#[test]
fn long_chain_drops_without_recursion() {
    let mut dict: Dict<Vec<u8>, ()> = Dict::with_capacity(4);
    let mut chain = None;
    for i in 0..1_000_000usize {
        let mut node = NodeBox::new(i.to_le_bytes().to_vec(), ());
        node.next = chain;
        chain = Some(node);
    }
    dict.ht[0].buckets[0] = chain;
    dict.ht[0].used = 1_000_000;
    drop(dict);
}

#[test]
fn memory_overhead_counts_buckets_and_nodes() {
    let mut dict: Dict<Vec<u8>, u64> = Dict::new();
    dict.insert(b"a".to_vec(), 1);
    assert_eq!(mem::size_of::<Link<Vec<u8>, u64>>(), 8);
    let node = mem::size_of::<Node<Vec<u8>, u64>>();
    assert_eq!(dict.memory_overhead(), 4 * 8 + node);
}

#[test]
fn scan_of_an_empty_dict_returns_zero() {
    let dict: Dict<Vec<u8>, u8> = Dict::new();
    assert_eq!(dict.scan(0, |_, _| panic!("no elements")), 0);
    let mut dict = Dict::with_capacity(64);
    dict.insert(b"a".to_vec(), 1);
    dict.remove(b"a");
    assert_eq!(dict.scan(12345, |_, _| panic!("no elements")), 0);
}

#[test]
fn scan_of_a_stable_table_returns_each_element_once() {
    let mut dict = Dict::new();
    for i in 0..777 {
        dict.insert(key("k", i), i);
    }
    for rehashing in [true, false] {
        assert_eq!(dict.is_rehashing(), rehashing);
        let mut counts = HashMap::new();
        let mut cursor = 0;
        loop {
            cursor = dict.scan(cursor, |k, _| *counts.entry(k.clone()).or_insert(0) += 1);
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(counts.len(), 777);
        assert!(counts.values().all(|&c| c == 1));
        dict.rehash_for(Duration::from_secs(1));
    }
}

#[test]
fn scan_guarantee_while_growing() {
    let mut dict = Dict::new();
    for i in 0..500 {
        dict.insert(key("stable", i), i);
    }
    let start_buckets = dict.buckets();
    let mut next = 0;
    let seen = full_scan(&mut dict, |d| {
        for _ in 0..8 {
            d.insert(key("new", next), next);
            next += 1;
        }
        d.remove(&key("new", next / 2));
    });
    assert!(
        dict.buckets() >= 8 * start_buckets,
        "the table grew during the scan"
    );
    for i in 0..500 {
        assert!(seen.contains(&key("stable", i)), "stable:{i} missed");
    }
}

#[test]
fn scan_guarantee_while_shrinking() {
    let mut dict = Dict::new();
    for i in 0..200 {
        dict.insert(key("stable", i), i);
    }
    for i in 0..20_000 {
        dict.insert(key("gone", i), i);
    }
    dict.rehash_for(Duration::from_secs(1));
    let start_buckets = dict.buckets();
    let mut next = 0;
    let mut shrinks = 0;
    let seen = full_scan(&mut dict, |d| {
        for _ in 0..40 {
            d.remove(&key("gone", next));
            next += 1;
        }
        shrinks += d.shrink_if_needed() as usize;
        d.rehash_steps(1);
    });
    assert!(shrinks >= 2, "shrank {shrinks} times");
    assert!(dict.buckets() < start_buckets / 8);
    for i in 0..200 {
        assert!(seen.contains(&key("stable", i)), "stable:{i} missed");
    }
}

#[test]
fn scan_guarantee_under_random_churn() {
    for seed in 1..=20u64 {
        let mut rng = xorshift(seed);
        let mut dict = Dict::new();
        let stable = (rng() % 300) as usize + 1;
        for i in 0..stable {
            dict.insert(key("stable", i), i);
        }
        let mut live: Vec<usize> = Vec::new();
        let mut next = 0;
        let seen = full_scan(&mut dict, |d| match rng() % 10 {
            0..=4 => {
                for _ in 0..(rng() % 20) {
                    d.insert(key("v", next), next);
                    live.push(next);
                    next += 1;
                }
            }
            5..=7 if !live.is_empty() => {
                for _ in 0..(rng() % 30) {
                    if live.is_empty() {
                        break;
                    }
                    let victim = live.swap_remove((rng() % live.len() as u64) as usize);
                    d.remove(&key("v", victim));
                }
            }
            8 => {
                d.shrink_if_needed();
            }
            _ => {
                d.rehash_steps((rng() % 50) as usize);
            }
        });
        for i in 0..stable {
            assert!(
                seen.contains(&key("stable", i)),
                "seed {seed}: stable:{i} missed"
            );
        }
        check_invariants(&dict);
    }
}

#[test]
fn random_entry_and_sample_cover_a_small_dict() {
    let mut rng = xorshift(7);
    let mut dict = Dict::new();
    assert!(dict.random_entry(&mut rng).is_none());
    dict.sample(10, &mut rng, |_, _| panic!("empty"));
    for i in 0..20 {
        dict.insert(key("k", i), i);
    }
    assert!(dict.is_rehashing());
    for _ in 0..2 {
        let mut random_seen = HashSet::new();
        let mut sample_seen = HashSet::new();
        for _ in 0..5000 {
            let (k, v) = dict.random_entry(&mut rng).expect("non-empty");
            assert_eq!(k, &key("k", *v));
            random_seen.insert(*v);
            dict.sample(3, &mut rng, |k, v| {
                assert_eq!(k, &key("k", *v));
                sample_seen.insert(*v);
            });
        }
        assert_eq!(random_seen.len(), 20);
        assert_eq!(sample_seen.len(), 20);
        dict.rehash_for(Duration::from_secs(1));
    }
}

#[test]
fn random_entry_finds_the_lone_element_of_a_sparse_table() {
    let mut dict = Dict::new();
    for i in 0..100_000 {
        dict.insert(key("k", i), i);
    }
    dict.retain(|_, v| *v == 4242);
    let mut rng = xorshift(3);
    for _ in 0..100 {
        assert_eq!(dict.random_entry(&mut rng).map(|(_, v)| *v), Some(4242));
    }
    // Even a constant rng terminates.
    let mut zero = || 0;
    assert_eq!(dict.random_entry(&mut zero).map(|(_, v)| *v), Some(4242));
}

#[test]
fn sample_work_is_bounded_and_exact_when_dense() {
    let mut rng = xorshift(11);
    let mut dict = Dict::new();
    for i in 0..1000 {
        dict.insert(key("k", i), i);
    }
    dict.rehash_for(Duration::from_secs(1));
    let mut n = 0;
    dict.sample(20, &mut rng, |_, _| n += 1);
    assert_eq!(n, 20);
    let mut n = 0;
    dict.sample(5000, &mut rng, |_, _| n += 1);
    assert!(n <= 1000);
}

#[test]
fn randomized_against_std_hashmap() {
    for seed in 1..=5u64 {
        let mut rng = xorshift(seed * 0x9e37_79b9);
        let mut dict: Dict<Vec<u8>, u64> = Dict::new();
        let mut model: HashMap<Vec<u8>, u64> = HashMap::new();
        for step in 0..40_000 {
            let k = key("k", (rng() % 3000) as usize);
            let v = rng();
            match rng() % 16 {
                0..=5 => assert_eq!(dict.insert(k.clone(), v), model.insert(k, v)),
                6..=9 => assert_eq!(dict.remove(&k), model.remove_entry(&k)),
                10 => assert_eq!(dict.get(&k), model.get(&k)),
                11 => assert_eq!(dict.get_mut(&k).map(|x| *x), model.get(&k).copied()),
                12 => {
                    let (got, inserted) = dict.get_or_insert_with(&k, || k.clone(), || v);
                    assert_eq!(inserted, !model.contains_key(&k));
                    assert_eq!(*got, *model.entry(k).or_insert(v));
                }
                13 => {
                    dict.shrink_if_needed();
                }
                14 => {
                    dict.rehash_steps((rng() % 8) as usize);
                }
                _ if step % 5000 == 0 => {
                    dict.retain(|_, v| *v % 3 != 0);
                    model.retain(|_, v| *v % 3 != 0);
                }
                _ => assert_eq!(dict.contains_key(&k), model.contains_key(&k)),
            }
            assert_eq!(dict.len(), model.len());
            if step % 4000 == 0 {
                check_invariants(&dict);
            }
        }
        check_invariants(&dict);
        let got: HashMap<Vec<u8>, u64> = dict.iter().map(|(k, v)| (k.clone(), *v)).collect();
        assert_eq!(got, model);
    }
}

#[test]
fn zeroed_tables_start_empty_and_fill_across_a_big_doubling() {
    for size in [1, 4, 1 << 20] {
        let table: Table<Vec<u8>, u64> = Table::with_size(size);
        assert_eq!(table.size(), size);
        assert!(table.buckets.iter().all(Option::is_none));
    }
    // An old table of 4 MB of buckets (RELEASE_MIN_BYTES) doubling: the pages the
    // rehash releases read back as empty buckets, part way and at the end.
    let mut dict = Dict::with_capacity(1 << 19);
    let n = (1 << 19) + 1;
    for i in 0..n {
        assert_eq!(dict.insert(key("k", i), i), None);
    }
    assert!(dict.is_rehashing());
    dict.rehash_steps(200_000);
    assert!(dict.is_rehashing());
    assert!(dict.rehash_idx > Some(3 * RELEASE_RUN));
    check_invariants(&dict);
    while dict.rehash_steps(1000) {}
    check_invariants(&dict);
    assert_eq!(dict.len(), n);
    assert_eq!(dict.get(&key("k", 12_345)), Some(&12_345));
}

#[test]
fn big_tables_are_mappings_of_their_own_counted_in_used_memory() {
    use crate::util::alloc::used_memory;
    let small: Table<Vec<u8>, u64> = Table::with_size(1024);
    assert!(
        !small.buckets.is_mapped(),
        "8 KB of buckets come from the allocator"
    );
    // 64M buckets: 512 MB of address space, of which only the page written below is
    // ever touched. Other tests allocate and free meanwhile: the margins allow 128 MB.
    let before = used_memory();
    let mut big: Table<Vec<u8>, u64> = Table::with_size(1 << 26);
    assert!(big.buckets.is_mapped());
    let held = used_memory();
    assert!(held >= before + (384 << 20), "counted as held");
    // Written and read like any other table, and freed with its chains.
    big.buckets[12_345] = Some(NodeBox::new(key("k", 1), 7));
    big.used = 1;
    assert!(big.buckets[12_345].is_some());
    drop(big);
    assert!(used_memory() + (384 << 20) <= held, "given back");
    // A dict shrinking from a mapped table to a small one keeps every element.
    let mut dict = Dict::new();
    for i in 0..20_000 {
        dict.insert(key("k", i), i);
    }
    for i in 100..20_000 {
        dict.remove(&key("k", i));
    }
    assert!(dict.shrink_if_needed());
    while dict.rehash_steps(1000) {}
    check_invariants(&dict);
    assert_eq!(dict.len(), 100);
    assert_eq!(dict.get(&key("k", 99)), Some(&99));
}

/// The slowest single insert while a table of 8M keys doubles (and the rehash that
/// follows it completes): run by hand, `cargo test --release --lib slowest_insert --
/// --ignored --nocapture`. Not a pass/fail test: it prints the figures.
#[test]
#[ignore]
fn slowest_insert_across_a_big_doubling() {
    let mut dict: Dict<Vec<u8>, u64> = Dict::new();
    let grow_at = 1usize << 23;
    for i in 0..grow_at - 1000 {
        dict.insert(key("k", i), i as u64);
    }
    while dict.rehash_steps(1000) {}
    let (mut slowest, mut over_1ms, mut inserted) = (Duration::ZERO, 0, 0);
    let mut i = grow_at - 1000;
    while inserted < 2000 || dict.is_rehashing() {
        let k = key("k", i);
        let (before, start) = (dict.is_rehashing(), Instant::now());
        dict.insert(k, i as u64);
        let took = start.elapsed();
        if took > Duration::from_millis(1) || before != dict.is_rehashing() {
            println!(
                "insert {inserted}: {took:?} (rehashing {before} -> {})",
                dict.is_rehashing()
            );
        }
        slowest = slowest.max(took);
        over_1ms += usize::from(took > Duration::from_millis(1));
        (i, inserted) = (i + 1, inserted + 1);
    }
    println!("{inserted} inserts across the doubling: slowest {slowest:?}, {over_1ms} over 1 ms");
}
