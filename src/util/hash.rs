//! The keyed hash of every dict: SipHash-1-2 with a per-process random key, computed in
//! one pass over a byte slice.
//!
//! Keys come from clients, so the hash must be keyed: with a known function a client
//! could choose keys that all land in one bucket and turn every lookup into a walk of a
//! long chain. SipHash with a secret key prevents that. Redis uses the 1-2 variant (one
//! compression round per word, two finalization rounds) as the best trade of speed for
//! that protection, and so do we. std's hasher is SipHash-1-3 behind the streaming
//! `Hasher` interface, which buffers its input and costs about twice as much for the
//! short keys a keyspace holds.
//!
//! [`key_eq`] is the comparison that goes with the hash: a lookup compares the key it
//! looks for with the keys chained in its bucket.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// The process's secret key, drawn once.
fn secret() -> (u64, u64) {
    static KEY: OnceLock<(u64, u64)> = OnceLock::new();
    *KEY.get_or_init(|| {
        let random = std::collections::hash_map::RandomState::new();
        (random.hash_one(0x5eed_u64), random.hash_one(0x5eed_u64 + 1))
    })
}

/// SipHash-1-2 of `bytes` under the process's secret key.
#[inline]
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let (k0, k1) = secret();
    siphash::<1, 2>(k0, k1, bytes)
}

/// A hasher for integer keys the server assigns itself (client ids, user ids, the
/// addresses of static command entries): one multiplication by the golden ratio, whose
/// high bits the table uses. Never for keys a client chooses: those take
/// [`hash_bytes`].
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A map keyed by server-assigned integers, hashed with [`IdHasher`].
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// One SipHash round over the state.
#[inline(always)]
fn round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[2] = v[2].rotate_left(32);
}

/// SipHash-C-D of `data` under the key (`k0`, `k1`), as its paper defines it.
#[inline(always)]
fn siphash<const C: usize, const D: usize>(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    let mut words = data.chunks_exact(8);
    for word in &mut words {
        let m = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        v[3] ^= m;
        for _ in 0..C {
            round(&mut v);
        }
        v[0] ^= m;
    }
    let mut last = (data.len() as u64) << 56;
    for (i, &byte) in words.remainder().iter().enumerate() {
        last |= u64::from(byte) << (8 * i);
    }
    v[3] ^= last;
    for _ in 0..C {
        round(&mut v);
    }
    v[0] ^= last;
    v[2] ^= 0xff;
    for _ in 0..D {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// Byte equality for dict lookups. Keys and members are mostly short, and for up to
/// 32 bytes two to four overlapping word loads decide it, where `==` calls `memcmp`
/// and spends more on the call than on the compare.
#[inline(always)]
pub fn key_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or([0; 4]));
    match n {
        0 => true,
        // The first, middle and last byte are every byte of these.
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        17..=32 => {
            word(a, 0) == word(b, 0)
                && word(a, 8) == word(b, 8)
                && word(a, n - 16) == word(b, n - 16)
                && word(a, n - 8) == word(b, n - 8)
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_eq_is_byte_equality_at_every_length() {
        for len in 0..=40 {
            let a: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37)).collect();
            assert!(key_eq(&a, &a.clone()));
            for flip in 0..len {
                let mut b = a.clone();
                b[flip] ^= 0x40;
                assert!(!key_eq(&a, &b), "length {len}, byte {flip}");
            }
            assert!(!key_eq(&a, &a[..len.saturating_sub(1)]) || len == 0);
        }
    }

    #[test]
    fn matches_the_papers_siphash_2_4_vector() {
        // Appendix A of the SipHash paper: key 00..0f, message 00..0e.
        let k0 = u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let k1 = u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]);
        let message: Vec<u8> = (0..15).collect();
        assert_eq!(siphash::<2, 4>(k0, k1, &message), 0xa129_ca61_49be_45e5);
    }

    #[test]
    #[allow(deprecated)]
    fn matches_std_siphash_2_4_for_every_length() {
        use std::hash::Hasher;
        for len in 0..40u8 {
            let data: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            let mut std_hasher = std::hash::SipHasher::new_with_keys(7, 11);
            std_hasher.write(&data);
            assert_eq!(
                siphash::<2, 4>(7, 11, &data),
                std_hasher.finish(),
                "len {len}"
            );
        }
    }

    #[test]
    fn keyed_and_stable_within_the_process() {
        assert_eq!(hash_bytes(b"key:1"), hash_bytes(b"key:1"));
        assert_ne!(hash_bytes(b"key:1"), hash_bytes(b"key:2"));
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
    }

    #[test]
    fn id_map_spreads_consecutive_ids() {
        let mut map: IdMap<u64, u64> = IdMap::default();
        for id in 0..1000 {
            map.insert(id, id * 2);
        }
        assert!((0..1000).all(|id| map.get(&id) == Some(&(id * 2))));
    }
}
