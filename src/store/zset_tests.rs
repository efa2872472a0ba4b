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
        assert_eq!(z.get(i), Some((m.as_slice(), *s)));
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
