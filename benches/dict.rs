//! Dict against std's `HashMap<Vec<u8>, _>` (SipHash too) on the keyspace's hot paths:
//! inserting 1M keys from empty (through every incremental rehash), lookups that hit and
//! miss, and removals.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rand::seq::SliceRandom;
use rand::{rngs::StdRng, SeedableRng};
use rredis::store::dict::Dict;

const N: usize = 1_000_000;

/// `N` keys shaped like typical Redis keys, in a shuffled order for lookups.
fn make_keys(prefix: &str) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = (0..N)
        .map(|i| format!("{prefix}:{i:09}").into_bytes())
        .collect();
    keys.shuffle(&mut StdRng::seed_from_u64(42));
    keys
}

fn full_dict(keys: &[Vec<u8>]) -> Dict<Vec<u8>, u64> {
    let mut dict = Dict::new();
    for (i, key) in keys.iter().enumerate() {
        dict.insert(key.clone(), i as u64);
    }
    while dict.rehash_steps(1000) {}
    dict
}

fn full_map(keys: &[Vec<u8>]) -> HashMap<Vec<u8>, u64> {
    keys.iter()
        .enumerate()
        .map(|(i, key)| (key.clone(), i as u64))
        .collect()
}

fn bench_insert(c: &mut Criterion, keys: &[Vec<u8>]) {
    let mut group = c.benchmark_group("insert_1m");
    group.sample_size(10);
    group.bench_function("dict", |b| {
        b.iter_batched(
            || keys.to_vec(),
            |keys| {
                let mut dict = Dict::new();
                for (i, key) in keys.into_iter().enumerate() {
                    dict.insert(key, i as u64);
                }
                dict
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("std_hashmap", |b| {
        b.iter_batched(
            || keys.to_vec(),
            |keys| {
                let mut map = HashMap::new();
                for (i, key) in keys.into_iter().enumerate() {
                    map.insert(key, i as u64);
                }
                map
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// Looks up the keys one by one, cycling: `probe` is the lookup under test.
fn bench_lookups(c: &mut Criterion, name: &str, probes: &[Vec<u8>], keys: &[Vec<u8>]) {
    let dict = full_dict(keys);
    let map = full_map(keys);
    let mut group = c.benchmark_group(name);
    let mut i = 0;
    group.bench_function("dict", |b| {
        b.iter(|| {
            i = (i + 1) % probes.len();
            black_box(dict.get(&probes[i]))
        })
    });
    group.bench_function("std_hashmap", |b| {
        b.iter(|| {
            i = (i + 1) % probes.len();
            black_box(map.get(probes[i].as_slice()))
        })
    });
    group.finish();
}

fn bench_remove(c: &mut Criterion, keys: &[Vec<u8>]) {
    let mut group = c.benchmark_group("remove_1m");
    group.sample_size(10);
    group.bench_function("dict", |b| {
        b.iter_batched(
            || full_dict(keys),
            |mut dict| {
                for key in keys {
                    black_box(dict.remove(key));
                }
                dict
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("std_hashmap", |b| {
        b.iter_batched(
            || full_map(keys),
            |mut map| {
                for key in keys {
                    black_box(map.remove(key.as_slice()));
                }
                map
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let keys = make_keys("key");
    let misses = make_keys("miss");
    bench_insert(c, &keys);
    bench_lookups(c, "get_hit", &keys, &keys);
    bench_lookups(c, "get_miss", &misses, &keys);
    bench_remove(c, &keys);
}

criterion_group!(dict, benches);
criterion_main!(dict);
