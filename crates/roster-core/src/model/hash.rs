//! The hasher of the model's lookup tables. A bulk lookup resolves 200
//! account ids per request, so hashing is on the hot path: std's SipHash
//! costs more than the table probe itself. This is a seeded folded-multiply
//! hash (the construction of foldhash and wyhash), 8 bytes per step. The
//! seed is random per process, so colliding keys cannot be chosen offline.

use std::hash::{BuildHasher, Hasher};

/// Odd constants (from the digits of pi, as in foldhash).
const K0: u64 = 0x243f_6a88_85a3_08d3;
const K1: u64 = 0x1319_8a2e_0370_7344;

fn fold_mul(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

/// Builds [`FastHasher`]s with this process's seed.
#[derive(Clone, Copy, Debug)]
pub struct FastState(u64);

impl Default for FastState {
    fn default() -> Self {
        use std::sync::OnceLock;
        static SEED: OnceLock<u64> = OnceLock::new();
        FastState(*SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(K0)))
    }
}

impl BuildHasher for FastState {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

/// The hasher; see the module header.
#[derive(Clone, Copy, Debug)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = fold_mul(self.0 ^ bytes.len() as u64, K0);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = fold_mul(h ^ u64::from_le_bytes(w), K1);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = fold_mul(h ^ u64::from_le_bytes(w), K1);
        }
        self.0 = h;
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = fold_mul(self.0 ^ u64::from(i), K0);
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = fold_mul(self.0 ^ i, K0);
    }

    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn finish(&self) -> u64 {
        fold_mul(self.0, K1)
    }
}

/// A `HashMap` using [`FastState`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, FastState>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn similar_keys_spread_over_the_table() {
        let s = FastState::default();
        let mut low = HashSet::new();
        let mut top = HashSet::new();
        for i in 0..4096u32 {
            let h = s.hash_one(format!("5b10ac8d82e05b22cc7d4{i:03x}"));
            low.insert(h & 0xfff);
            top.insert(h >> 57);
        }
        // 4,096 keys into 4,096 buckets: a good hash fills about 63% of them.
        assert!(low.len() > 2400, "{}", low.len());
        assert_eq!(top.len(), 128);
        assert_ne!(s.hash_one("ab"), s.hash_one("ab\0"));
    }
}
