//! Property test: both encodings against a sorted Vec model, driven by xorshift.

use super::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn model_sort(model: &mut [(Vec<u8>, f64)]) {
    model.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then_with(|| a.0.cmp(&b.0)));
}

fn check(z: &ZSetValue, model: &[(Vec<u8>, f64)]) {
    assert_eq!(z.len(), model.len());
    assert_eq!(z.to_vec(), model.to_vec());
    for (i, (m, s)) in model.iter().enumerate() {
        assert_eq!(z.rank(m), Some(i));
        assert_eq!(z.score(m), Some(*s));
        assert_eq!(
            z.get(i).map(|(e, x)| (e.into_owned(), x)),
            Some((m.clone(), *s))
        );
    }
}

#[test]
fn random_ops_match_model() {
    for (seed, max_entries) in [(1u64, 128usize), (7, 0), (99, 16)] {
        let mut rng = Rng(seed.wrapping_mul(0x9e3779b97f4a7c15) | 1);
        let mut z = ZSetValue::new_listpack();
        let mut model: Vec<(Vec<u8>, f64)> = Vec::new();
        for step in 0..4000 {
            let member = format!("m{}", rng.below(300)).into_bytes();
            let score = (rng.below(50) as f64) - 25.0;
            match rng.below(6) {
                0 | 1 => {
                    if let Some(pos) = model.iter().position(|(m, _)| *m == member) {
                        z.update(&member, score);
                        model[pos].1 = score;
                    } else {
                        z.insert(&member, score, max_entries, 64);
                        model.push((member, score));
                    }
                    model_sort(&mut model);
                }
                2 => {
                    let present = model.iter().position(|(m, _)| *m == member);
                    assert_eq!(z.remove(&member), present.is_some());
                    if let Some(p) = present {
                        model.remove(p);
                    }
                }
                3 => {
                    let n = model.iter().filter(|(_, s)| *s < score).count();
                    assert_eq!(z.count_before(|_, s| s < score), n);
                }
                4 if !model.is_empty() => {
                    let a = rng.below(model.len() as u64) as usize;
                    let b = (a + rng.below(5) as usize).min(model.len());
                    assert_eq!(z.remove_range(a, b), b - a);
                    model.drain(a..b);
                }
                _ => {
                    let mut got = Vec::new();
                    z.for_range(2, 9, true, |m, s| got.push((m.to_vec(), s)));
                    let want: Vec<_> = model.iter().take(9).skip(2).rev().cloned().collect();
                    assert_eq!(got, want);
                }
            }
            if step % 97 == 0 {
                check(&z, &model);
            }
        }
        check(&z, &model);
    }
}

/// Ordered-float key of the BTreeMap model: scores are never NaN.
#[derive(Clone, Copy, PartialEq)]
struct Score(f64);
impl Eq for Score {}
impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0
            .partial_cmp(&other.0)
            .unwrap_or(std::cmp::Ordering::Equal)
    }
}
impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A deliberately simple model: member → score plus the (score, member) order.
#[derive(Default)]
struct Model {
    scores: std::collections::BTreeMap<Vec<u8>, f64>,
    order: std::collections::BTreeSet<(Score, Vec<u8>)>,
}

impl Model {
    fn set(&mut self, m: &[u8], s: f64) {
        if let Some(old) = self.scores.insert(m.to_vec(), s) {
            self.order.remove(&(Score(old), m.to_vec()));
        }
        self.order.insert((Score(s), m.to_vec()));
    }
    fn remove(&mut self, m: &[u8]) -> Option<f64> {
        let old = self.scores.remove(m)?;
        self.order.remove(&(Score(old), m.to_vec()));
        Some(old)
    }
    fn sorted(&self) -> Vec<(Vec<u8>, f64)> {
        self.order.iter().map(|(s, m)| (m.clone(), s.0)).collect()
    }
}

/// Random operation sequences (seeded `rand`) on the skiplist itself against the model,
/// with every structural invariant checked along the way; a small member space makes
/// updates, deletes and re-inserts of the same members frequent, and a long run drives
/// the arena through compaction and the index through growth and shrink.
#[test]
fn skiplist_random_ops_match_btreemap_model() {
    use rand::{rngs::StdRng, Rng as _, SeedableRng};
    for seed in [3u64, 17, 2024] {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut list = skiplist::SkipList::new();
        let mut model = Model::default();
        for step in 0..20_000 {
            // Grow for a while, then shrink hard, so compaction and index shrink happen.
            let space = if (step / 5000) % 2 == 0 { 3000 } else { 40 };
            let m = format!("member:{}", rng.gen_range(0..space)).into_bytes();
            let s = (rng.gen_range(-20i32..20) as f64) / 4.0;
            match rng.gen_range(0..10) {
                0..=3 => match model.scores.get(&m) {
                    Some(_) => {
                        assert!(list.update_score(&m, s).is_some());
                        model.set(&m, s);
                    }
                    None => {
                        list.insert(s, &m);
                        model.set(&m, s);
                    }
                },
                4..=6 => assert_eq!(list.delete(&m), model.remove(&m)),
                7 => {
                    let want = model.order.iter().position(|(_, e)| *e == m);
                    assert_eq!(list.rank(&m), want);
                    assert_eq!(list.score(&m), model.scores.get(&m).copied());
                }
                8 => {
                    let n = model.order.iter().filter(|(x, _)| x.0 < s).count();
                    assert_eq!(list.count_before(|_, x| x < s), n);
                }
                _ => {
                    let r = rng.gen_range(0..=model.scores.len());
                    let want = model.order.iter().nth(r).map(|(x, e)| (e.clone(), x.0));
                    assert_eq!(list.get(r).map(|(e, x)| (e.to_vec(), x)), want);
                }
            }
            if step % 1000 == 0 {
                list.check_invariants();
                let mut got = Vec::new();
                list.for_range(0, usize::MAX, false, |e, x| got.push((e.to_vec(), x)));
                assert_eq!(got, model.sorted());
                let mut back = Vec::new();
                list.for_range(0, usize::MAX, true, |e, x| back.push((e.to_vec(), x)));
                back.reverse();
                assert_eq!(back, got);
            }
        }
        list.check_invariants();
    }
}

/// A full SCAN of a skiplist visits every member at least once even when members are
/// added and removed (forcing index resizes) between steps.
#[test]
fn skiplist_scan_survives_resizes() {
    let mut list = skiplist::SkipList::new();
    for i in 0..500 {
        list.insert(i as f64, format!("keep:{i}").as_bytes());
    }
    let mut seen = std::collections::HashSet::new();
    let mut cursor = 0;
    let mut step = 0;
    loop {
        cursor = list.scan_step(cursor, |m, _| {
            seen.insert(m.to_vec());
        });
        step += 1;
        if step % 3 == 0 {
            for j in 0..200 {
                list.insert(-1.0, format!("tmp:{step}:{j}").as_bytes());
            }
        } else if step % 3 == 1 {
            for j in 0..200 {
                list.delete(format!("tmp:{}:{j}", step - 1).as_bytes());
            }
        }
        if cursor == 0 {
            break;
        }
    }
    for i in 0..500 {
        assert!(
            seen.contains(format!("keep:{i}").as_bytes()),
            "keep:{i} missed"
        );
    }
}

/// Updating a score in place or by relinking keeps the member stored once and the order
/// right, including `-0` and infinities.
#[test]
fn skiplist_update_in_place_and_relink() {
    let mut list = skiplist::SkipList::new();
    for (i, m) in ["a", "b", "c", "d"].iter().enumerate() {
        list.insert(i as f64, m.as_bytes());
    }
    assert_eq!(list.update_score(b"b", 1.5), Some(1.0));
    assert_eq!(list.update_score(b"a", f64::INFINITY), Some(0.0));
    assert_eq!(list.update_score(b"d", -0.0), Some(3.0));
    assert_eq!(list.update_score(b"zz", 1.0), None);
    let mut got = Vec::new();
    list.for_range(0, 9, false, |m, s| got.push((m.to_vec(), s)));
    assert_eq!(
        got,
        vec![
            (b"d".to_vec(), -0.0),
            (b"b".to_vec(), 1.5),
            (b"c".to_vec(), 2.0),
            (b"a".to_vec(), f64::INFINITY)
        ]
    );
    assert!(list.score(b"d").is_some_and(|s| s.is_sign_negative()));
    list.check_invariants();
}

/// Random operation sequences (seeded `rand`) on whole sorted sets against the BTreeMap
/// model, with fractional, huge, tiny and infinite scores and integer-looking members, at
/// several `zset-max-listpack-entries` limits, so the listpack encoding, its score text
/// and the conversion to a skiplist are all exercised.
#[test]
fn zset_random_ops_with_listpack_scores_match_model() {
    use rand::{rngs::StdRng, Rng as _, SeedableRng};
    let scores = [
        0.5,
        -1.25,
        1e300,
        -2.5e-9,
        3.0,
        7.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.1,
    ];
    for (seed, max_entries) in [(5u64, 4usize), (6, 16), (7, 128), (8, 1000)] {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut z = ZSetValue::new_listpack();
        let mut model = Model::default();
        for _ in 0..3000 {
            let m = match rng.gen_range(0..3) {
                0 => format!("{}", rng.gen_range(-50i32..50)),
                1 => format!("m{}", rng.gen_range(0..40)),
                _ => format!("long-member-{:030}", rng.gen_range(0..10)),
            }
            .into_bytes();
            let s = scores[rng.gen_range(0..scores.len())] * f64::from(rng.gen_range(1..4));
            match rng.gen_range(0..8) {
                0..=2 => {
                    if model.scores.contains_key(&m) {
                        z.update(&m, s);
                    } else {
                        z.insert(&m, s, max_entries, 64);
                    }
                    model.set(&m, s);
                }
                3 | 4 => assert_eq!(z.remove(&m), model.remove(&m).is_some()),
                5 => {
                    let want = model.order.iter().position(|(_, e)| *e == m);
                    assert_eq!(z.rank(&m), want);
                    let got = z.score(&m).map(f64::to_bits);
                    assert_eq!(got, model.scores.get(&m).map(|x| x.to_bits()));
                }
                6 if !model.scores.is_empty() => {
                    let a = rng.gen_range(0..model.scores.len());
                    let b = (a + rng.gen_range(0..4)).min(model.scores.len());
                    let doomed: Vec<_> = model.sorted()[a..b].to_vec();
                    assert_eq!(z.remove_range(a, b), b - a);
                    doomed.iter().for_each(|(e, _)| {
                        model.remove(e);
                    });
                }
                _ => {
                    let n = model.order.iter().filter(|(x, _)| x.0 < s).count();
                    assert_eq!(z.count_before_score(|x| x < s), n);
                    assert_eq!(z.count_before(|_, x| x < s), n);
                }
            }
            assert_eq!(z.len(), model.scores.len());
            assert_eq!(z.to_vec(), model.sorted());
            let big = max_entries < model.scores.len() || matches!(z, ZSetValue::SkipList { .. });
            assert_eq!(z.encoding(), if big { "skiplist" } else { "listpack" });
        }
        let mut rev = Vec::new();
        z.for_range(1, 6, true, |e, x| rev.push((e.to_vec(), x)));
        let want: Vec<_> = model.sorted().into_iter().take(6).skip(1).rev().collect();
        assert_eq!(rev, want);
    }
}

/// A small sorted set's value stays small: the skiplist's large header is boxed away.
#[test]
fn small_zset_value_is_compact() {
    assert!(std::mem::size_of::<ZSetValue>() <= 48);
}

/// In the middle of an incremental index resize (growing, then shrinking), every member
/// is found, ranks and scores hold, and a full SCAN returns every member.
#[test]
fn skiplist_mid_resize_lookups_and_scan() {
    let mut list = skiplist::SkipList::new();
    let mut n = 0;
    while !(n > 1000 && list.index_resizing()) {
        list.insert(n as f64, format!("m{n}").as_bytes());
        n += 1;
    }
    list.check_invariants();
    let scan_all = |list: &skiplist::SkipList| {
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            cursor = list.scan_step(cursor, |m, _| {
                seen.insert(m.to_vec());
            });
            if cursor == 0 {
                return seen;
            }
        }
    };
    assert_eq!(scan_all(&list).len(), n);
    assert_eq!(list.rank(b"m7"), Some(7));
    let mut left = n;
    while !(left < n / 20 && list.index_resizing()) {
        left -= 1;
        assert_eq!(
            list.delete(format!("m{left}").as_bytes()),
            Some(left as f64)
        );
    }
    list.check_invariants();
    assert_eq!(scan_all(&list).len(), left);
    assert_eq!(list.score(b"m3"), Some(3.0));
}
