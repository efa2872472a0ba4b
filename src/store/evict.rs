//! Choosing the key to evict under `maxmemory`, with Redis's approximations.
//!
//! No policy looks at every key. LRU, LFU and TTL sample `maxmemory-samples` keys from
//! random places in each database (all keys, or only those with a TTL for the
//! `volatile-*` policies) and keep the best candidates seen in a pool of
//! [`POOL_SIZE`], carried from one eviction to the next, as Redis's `evictionPoolLRU`:
//! the pool makes a small sample behave like a much larger one. Candidates are ranked
//! by a score where higher means "evict sooner": idle time under LRU (from the object's
//! access clock), 255 minus the decayed frequency counter under LFU, and nearness of the
//! deadline under TTL. The best candidate that still exists is chosen; deleted keys
//! left in the pool are skipped. The random policies take one random key per choice,
//! visiting the databases in turn.
//!
//! This module only chooses; deleting, and everything deleting entails (notifications,
//! the append-only file, lazy freeing, the memory check), is the caller's
//! (`command::core::evict`).

use crate::store::bstr::Bstr;
use crate::store::db::{access_clock, lfu_counter, Db};
use crate::store::value::Object;

/// Candidates kept between evictions (Redis's `EVPOOL_SIZE`).
pub const POOL_SIZE: usize = 16;

/// How candidates are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rank {
    /// Longest idle first (the object's access clock).
    Lru,
    /// Least frequently used first (the object's logarithmic counter after decay).
    Lfu {
        /// `lfu-decay-time`, in minutes.
        decay_minutes: u32,
    },
    /// Nearest deadline first (keys with a TTL only).
    Ttl,
    /// Any key, at random.
    Random,
}

/// What a policy evicts: how it ranks keys, and from which keys it chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    /// The ranking.
    pub rank: Rank,
    /// Only keys with a TTL (the `volatile-*` policies).
    pub volatile: bool,
    /// Keys sampled per database per round (`maxmemory-samples`).
    pub samples: usize,
}

/// One candidate in the pool.
#[derive(Debug, Clone)]
struct Candidate {
    /// Higher is evicted sooner.
    score: u64,
    /// Its database.
    db: usize,
    /// Its name.
    key: Bstr,
}

/// The eviction pool and the random policies' database cursor, kept between evictions.
#[derive(Debug, Default)]
pub struct Chooser {
    /// Best candidates seen, in ascending score order (the best is last).
    pool: Vec<Candidate>,
    /// The selection the pool was filled for: a different one starts it afresh.
    filled_for: Option<Selection>,
    /// The database the random policies try first next time.
    next_db: usize,
}

impl Chooser {
    /// The key to evict next under `selection`, as (database, key); `None` when no key
    /// qualifies (no keys, or no keys with a TTL for a volatile policy).
    pub fn pick(
        &mut self,
        dbs: &[Db],
        selection: Selection,
        now_ms: i64,
        rng: &mut impl FnMut() -> u64,
    ) -> Option<(usize, Bstr)> {
        if self.filled_for != Some(selection) {
            self.pool.clear();
            self.filled_for = Some(selection);
        }
        match selection.rank {
            Rank::Random => self.pick_random(dbs, selection.volatile, rng),
            _ => self.pick_from_pool(dbs, selection, now_ms, rng),
        }
    }

    /// Refills the pool from every database and takes its best live candidate, until
    /// one is found or no database has a key that qualifies.
    fn pick_from_pool(
        &mut self,
        dbs: &[Db],
        selection: Selection,
        now_ms: i64,
        rng: &mut impl FnMut() -> u64,
    ) -> Option<(usize, Bstr)> {
        loop {
            let mut qualifying = 0;
            for (index, db) in dbs.iter().enumerate() {
                let keys = if selection.volatile {
                    db.expires_len()
                } else {
                    db.len()
                };
                if keys > 0 {
                    qualifying += keys;
                    self.populate(index, db, selection, now_ms, rng);
                }
            }
            if qualifying == 0 {
                return None;
            }
            while let Some(best) = self.pool.pop() {
                if dbs[best.db].is_eviction_candidate(best.key.as_slice(), selection.volatile) {
                    return Some((best.db, best.key));
                }
            }
        }
    }

    /// Samples database `index` and offers each key to the pool.
    fn populate(
        &mut self,
        index: usize,
        db: &Db,
        selection: Selection,
        now_ms: i64,
        rng: &mut impl FnMut() -> u64,
    ) {
        db.sample_for_eviction(
            selection.volatile,
            selection.samples,
            rng,
            |key, obj, when| {
                let score = score(selection.rank, obj, when, now_ms);
                self.offer(score, index, key);
            },
        );
    }

    /// Inserts a candidate in score order if the pool has room or it beats the worst;
    /// a full pool then drops its worst.
    fn offer(&mut self, score: u64, db: usize, key: &Bstr) {
        let full = self.pool.len() >= POOL_SIZE;
        if full && self.pool.first().is_some_and(|worst| score <= worst.score) {
            return;
        }
        let at = self.pool.partition_point(|c| c.score < score);
        let key = key.clone();
        self.pool.insert(at, Candidate { score, db, key });
        if self.pool.len() > POOL_SIZE {
            self.pool.remove(0);
        }
    }

    /// One random key, from the next database (in turn) that has one that qualifies.
    fn pick_random(
        &mut self,
        dbs: &[Db],
        volatile: bool,
        rng: &mut impl FnMut() -> u64,
    ) -> Option<(usize, Bstr)> {
        for _ in 0..dbs.len() {
            self.next_db = (self.next_db + 1) % dbs.len();
            let index = self.next_db;
            if let Some(key) = dbs[index].random_eviction_key(volatile, rng) {
                return Some((index, key));
            }
        }
        None
    }
}

/// A candidate's score under `rank`: higher is evicted sooner.
fn score(rank: Rank, obj: &Object, deadline_ms: i64, now_ms: i64) -> u64 {
    match rank {
        Rank::Lru => idle_ms(obj, now_ms),
        Rank::Lfu { decay_minutes } => {
            255 - u64::from(lfu_counter(obj.access_clock, decay_minutes, now_ms).min(255))
        }
        Rank::Ttl => u64::MAX - deadline_ms.max(0) as u64,
        Rank::Random => 0,
    }
}

/// Milliseconds since the object was last accessed, at the access clock's one-second
/// resolution (Redis's `estimateObjectIdleTime`; the clock wraps).
pub fn idle_ms(obj: &Object, now_ms: i64) -> u64 {
    u64::from(access_clock(now_ms).wrapping_sub(obj.access_clock)) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::value::Value;

    fn rng() -> impl FnMut() -> u64 {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    fn selection(rank: Rank, volatile: bool) -> Selection {
        Selection {
            rank,
            volatile,
            samples: 5,
        }
    }

    #[test]
    fn lru_prefers_the_longest_idle_keys() {
        let mut db = Db::new();
        let now = 10_000_000;
        for i in 0..100 {
            // Key i was last touched i seconds ago.
            db.insert_new(format!("k{i}").as_bytes(), Value::Int(i), now - i * 1000);
        }
        let (mut chooser, mut rng) = (Chooser::default(), rng());
        let dbs = [db];
        let mut chosen = Vec::new();
        for _ in 0..10 {
            let (_, key) = chooser
                .pick(&dbs, selection(Rank::Lru, false), now, &mut rng)
                .unwrap();
            chosen.push(String::from_utf8_lossy(key.as_slice()).into_owned());
        }
        // The pool keeps the best of many samples: the picks are among the oldest keys.
        let ages: Vec<i64> = chosen.iter().map(|k| k[1..].parse().unwrap()).collect();
        let mean = ages.iter().sum::<i64>() / ages.len() as i64;
        assert!(mean > 60, "picked ages {ages:?}");
    }

    #[test]
    fn an_lru_stamp_read_as_lfu_is_just_old() {
        // After CONFIG SET maxmemory-policy allkeys-lfu, objects still carry seconds.
        let now = 1_765_000_000_000;
        let stamp = access_clock(now);
        assert!(lfu_counter(stamp, 1, now) <= 255);
        let obj = Object::new(Value::Int(1), stamp);
        assert!(score(Rank::Lfu { decay_minutes: 1 }, &obj, 0, now) <= 255);
    }

    #[test]
    fn volatile_policies_only_choose_keys_with_a_ttl() {
        let mut db = Db::new();
        for i in 0..50 {
            db.insert_new(format!("p{i}").as_bytes(), Value::Int(i), 0);
        }
        db.insert_new(b"v1", Value::Int(1), 0);
        db.set_expire(b"v1", 5_000);
        db.insert_new(b"v2", Value::Int(2), 0);
        db.set_expire(b"v2", 3_000);
        let (mut chooser, mut rng) = (Chooser::default(), rng());
        let dbs = [db];
        for rank in [Rank::Lru, Rank::Random, Rank::Ttl] {
            let (_, key) = chooser
                .pick(&dbs, selection(rank, true), 0, &mut rng)
                .unwrap();
            assert!(key.as_slice().starts_with(b"v"), "{rank:?} chose {key:?}");
        }
        // TTL: the nearest deadline wins.
        let mut fresh = Chooser::default();
        let (_, key) = fresh
            .pick(&dbs, selection(Rank::Ttl, true), 0, &mut rng)
            .unwrap();
        assert_eq!(key.as_slice(), b"v2");
        let empty = [Db::new()];
        assert!(fresh
            .pick(&empty, selection(Rank::Ttl, true), 0, &mut rng)
            .is_none());
    }
}
