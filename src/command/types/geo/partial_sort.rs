//! The partial quicksort Redis sorts a COUNT-limited search with (its `pqsort`):
//! Bentley and McIlroy's engineered quicksort ("Engineering a Sort Function", 1993) —
//! median-of-three pivots (ninther above 40 elements), three-way partitioning that
//! parks keys equal to the pivot at both ends, insertion sort below 7 elements — which
//! skips partitions wholly outside the ranks that are wanted. Unlike the BSD qsort it
//! descends from, the version in Redis 7.0 has no "nothing moved: finish with an
//! insertion sort" shortcut, and ties come out differently with and without it (the
//! random differential stream found this), so there is none here either.
//!
//! It is not stable, and which of several equal points lands first decides a reply's
//! bytes, so this follows the same steps; anything else would only agree on points
//! at distinct distances.

use std::cmp::Ordering;

/// Orders `v` so that its first `keep` elements are its `keep` smallest under `cmp`,
/// in order (`keep` ≥ 1), exactly as Redis's `pqsort(v, len, .., 0, keep - 1)`.
pub fn sort_prefix<T>(v: &mut [T], keep: usize, cmp: &impl Fn(&T, &T) -> Ordering) {
    let wanted = Ranks {
        first: 0,
        last: keep.saturating_sub(1),
    };
    sort_part(v, 0, v.len(), wanted, cmp);
}

/// The ranks whose elements must end up sorted.
#[derive(Clone, Copy)]
struct Ranks {
    first: usize,
    last: usize,
}

impl Ranks {
    /// True when no wanted rank falls in `start..start + len`.
    fn misses(&self, start: usize, len: usize) -> bool {
        let end = start + len;
        (self.first < start && self.last < start) || (self.first >= end && self.last >= end)
    }
}

/// Sorts `v[start..start + len]` as far as the wanted ranks need.
fn sort_part<T>(
    v: &mut [T],
    mut start: usize,
    mut len: usize,
    wanted: Ranks,
    cmp: &impl Fn(&T, &T) -> Ordering,
) {
    loop {
        if len < 7 {
            insertion_sort(v, start, len, cmp);
            return;
        }
        let pivot = choose_pivot(v, start, len, cmp);
        v.swap(start, pivot);
        let (less, greater) = partition(v, start, len, cmp);
        if less > 1 && !wanted.misses(start, less) {
            sort_part(v, start, less, wanted, cmp);
        }
        if greater <= 1 {
            return;
        }
        start = start + len - greater;
        len = greater;
        if wanted.misses(start, len) {
            return;
        }
    }
}

/// Insertion sort of `v[start..start + len]`.
fn insertion_sort<T>(v: &mut [T], start: usize, len: usize, cmp: &impl Fn(&T, &T) -> Ordering) {
    for i in start + 1..start + len {
        let mut j = i;
        while j > start && cmp(&v[j - 1], &v[j]) == Ordering::Greater {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// The index of the median of three elements.
fn median_of_three<T>(
    v: &[T],
    a: usize,
    b: usize,
    c: usize,
    cmp: &impl Fn(&T, &T) -> Ordering,
) -> usize {
    if cmp(&v[a], &v[b]) == Ordering::Less {
        if cmp(&v[b], &v[c]) == Ordering::Less {
            b
        } else if cmp(&v[a], &v[c]) == Ordering::Less {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]) == Ordering::Greater {
        b
    } else if cmp(&v[a], &v[c]) == Ordering::Less {
        a
    } else {
        c
    }
}

/// The pivot of `v[start..start + len]` (len ≥ 7): the middle element, the median of
/// first/middle/last above 7 elements, of three such medians above 40.
fn choose_pivot<T>(v: &[T], start: usize, len: usize, cmp: &impl Fn(&T, &T) -> Ordering) -> usize {
    let mut mid = start + len / 2;
    if len > 7 {
        let mut lo = start;
        let mut hi = start + len - 1;
        if len > 40 {
            let d = len / 8;
            lo = median_of_three(v, lo, lo + d, lo + 2 * d, cmp);
            mid = median_of_three(v, mid - d, mid, mid + d, cmp);
            hi = median_of_three(v, hi - 2 * d, hi - d, hi, cmp);
        }
        mid = median_of_three(v, lo, mid, hi, cmp);
    }
    mid
}

/// Three-way partition around the pivot at `v[start]`: returns how many elements are
/// less and how many greater, which end up at the front and at the back with the
/// equal ones in between.
fn partition<T>(
    v: &mut [T],
    start: usize,
    len: usize,
    cmp: &impl Fn(&T, &T) -> Ordering,
) -> (usize, usize) {
    let (mut eq_front, mut lo) = (start + 1, start + 1);
    let (mut hi, mut eq_back) = (start + len - 1, start + len - 1);
    loop {
        while lo <= hi {
            match cmp(&v[lo], &v[start]) {
                Ordering::Greater => break,
                Ordering::Equal => {
                    v.swap(eq_front, lo);
                    eq_front += 1;
                }
                Ordering::Less => {}
            }
            lo += 1;
        }
        while lo <= hi {
            match cmp(&v[hi], &v[start]) {
                Ordering::Less => break,
                Ordering::Equal => {
                    v.swap(hi, eq_back);
                    eq_back -= 1;
                }
                Ordering::Greater => {}
            }
            hi -= 1;
        }
        if lo > hi {
            break;
        }
        v.swap(lo, hi);
        lo += 1;
        hi -= 1;
    }
    let end = start + len;
    let n = (eq_front - start).min(lo - eq_front);
    swap_blocks(v, start, lo - n, n);
    let n = (eq_back - hi).min(end - eq_back - 1);
    swap_blocks(v, lo, end - n, n);
    (lo - eq_front, eq_back - hi)
}

/// Swaps `v[a..a + n]` with `v[b..b + n]` element by element.
fn swap_blocks<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_key(a: &(u32, u32), b: &(u32, u32)) -> Ordering {
        a.0.cmp(&b.0)
    }

    #[test]
    fn prefixes_are_the_smallest_in_order() {
        let mut seed = 12345u64;
        for len in [1usize, 5, 7, 8, 30, 41, 100, 500] {
            for keep in [1, len / 3 + 1, len] {
                let mut v: Vec<(u32, u32)> = (0..len as u32)
                    .map(|i| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                        ((seed >> 40) as u32 % 50, i)
                    })
                    .collect();
                let mut sorted = v.clone();
                sorted.sort_by(by_key);
                sort_prefix(&mut v, keep, &by_key);
                let keys: Vec<u32> = v[..keep].iter().map(|e| e.0).collect();
                let want: Vec<u32> = sorted[..keep].iter().map(|e| e.0).collect();
                assert_eq!(keys, want, "len {len} keep {keep}");
                let mut all: Vec<u32> = v.iter().map(|e| e.1).collect();
                all.sort_unstable();
                assert_eq!(all, (0..len as u32).collect::<Vec<_>>(), "a permutation");
            }
        }
    }

    #[test]
    fn ties_are_reordered_like_the_c_routine() {
        // Eight equal keys: the partition pass parks them at both ends and swaps the
        // blocks back, which reverses part of the run (insertion sort would not).
        let mut v: Vec<(u32, u32)> = (0..8).map(|i| (1, i)).collect();
        sort_prefix(&mut v, 3, &by_key);
        let order: Vec<u32> = v.iter().map(|e| e.1).collect();
        assert_ne!(order, (0..8).collect::<Vec<_>>());
        // Below seven elements it is an insertion sort, which keeps ties in place.
        let mut v: Vec<(u32, u32)> = (0..6).map(|i| (1, i)).collect();
        sort_prefix(&mut v, 3, &by_key);
        assert_eq!(
            v.iter().map(|e| e.1).collect::<Vec<_>>(),
            (0..6).collect::<Vec<_>>()
        );
    }
}
