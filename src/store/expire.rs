//! The active expire cycle: reclaiming keys whose TTL passed even if nobody reads them.
//!
//! Like Redis's `activeExpireCycle`: each database in turn has keys with a TTL sampled
//! (20 at a time, walking the expires dict with a cursor so every key is reached); while
//! more than 10% of a sample was stale the database is probably full of dead keys, so
//! sampling repeats. The whole cycle stops when its time budget is spent (checked every
//! 16 samples), so no cycle stalls the loop. The cron runs a slow cycle (25% of a tick);
//! before sleeping the loop runs a fast cycle (1 ms) when the last one ended early.

use std::time::{Duration, Instant};

use crate::store::db::Db;

/// Keys sampled per round per database.
const KEYS_PER_LOOP: usize = 20;
/// Percentage of stale keys in a sample above which sampling continues.
const ACCEPTABLE_STALE_PERCENT: usize = 10;

/// State carried between cycles.
#[derive(Debug, Default)]
pub struct ExpireCycle {
    /// The database the next cycle starts with.
    next_db: usize,
    /// True when the last cycle ran out of time with stale keys left.
    pub timed_out: bool,
}

impl ExpireCycle {
    /// Runs one cycle over `dbs` within `budget`; returns how many keys it deleted.
    pub fn run(&mut self, dbs: &mut [Db], now_ms: i64, budget: Duration) -> usize {
        let started = Instant::now();
        let mut deleted = 0;
        let mut due = Vec::with_capacity(KEYS_PER_LOOP);
        self.timed_out = false;
        for _ in 0..dbs.len() {
            let index = self.next_db % dbs.len();
            self.next_db = (index + 1) % dbs.len();
            let db = &mut dbs[index];
            if db.expires_len() == 0 {
                db.avg_ttl = 0;
            }
            let mut rounds = 0u32;
            while db.expires_len() > 0 {
                due.clear();
                let seen = db.sample_expires(KEYS_PER_LOOP, now_ms, &mut due);
                for key in &due {
                    db.delete_expired(key.as_slice());
                }
                deleted += due.len();
                rounds += 1;
                if rounds.is_multiple_of(16) && started.elapsed() > budget {
                    self.timed_out = true;
                    return deleted;
                }
                if seen == 0 || due.len() * 100 <= seen * ACCEPTABLE_STALE_PERCENT {
                    break;
                }
            }
        }
        deleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::value::Value;

    #[test]
    fn stale_keys_disappear_without_reads() {
        let mut dbs = vec![Db::new(), Db::new()];
        for i in 0..10_000 {
            let key = format!("k{i}");
            dbs[1].set(key.as_bytes(), Value::Int(i), false, 0);
            dbs[1].set_expire(key.as_bytes(), 100);
        }
        dbs[1].set(b"forever", Value::Int(1), false, 0);
        let mut cycle = ExpireCycle::default();
        let mut total = 0;
        for _ in 0..1000 {
            total += cycle.run(&mut dbs, 1000, Duration::from_millis(25));
            if dbs[1].len() == 1 {
                break;
            }
        }
        assert_eq!(total, 10_000);
        assert_eq!(dbs[1].len(), 1);
        assert_eq!(dbs[1].stats.expired_keys, 10_000);
        assert_eq!(dbs[1].avg_ttl, 0);
    }

    #[test]
    fn avg_ttl_follows_the_sampled_deadlines_and_resets_when_none_remain() {
        let mut dbs = vec![Db::new()];
        for i in 0..100 {
            let key = format!("k{i}");
            dbs[0].set(key.as_bytes(), Value::Int(i), false, 0);
            dbs[0].set_expire(key.as_bytes(), 60_000);
        }
        let mut cycle = ExpireCycle::default();
        cycle.run(&mut dbs, 10_000, Duration::from_millis(25));
        assert_eq!(dbs[0].avg_ttl, 50_000);
        cycle.run(&mut dbs, 20_000, Duration::from_millis(25));
        assert_eq!(dbs[0].avg_ttl, 50_000 / 50 * 49 + 40_000 / 50);
        while dbs[0].expires_len() > 0 {
            cycle.run(&mut dbs, 70_000, Duration::from_millis(25));
        }
        // As in Redis, the next cycle that finds no TTL left resets the estimate.
        assert_ne!(dbs[0].avg_ttl, 0);
        cycle.run(&mut dbs, 70_000, Duration::from_millis(25));
        assert_eq!(dbs[0].avg_ttl, 0);
    }
}
