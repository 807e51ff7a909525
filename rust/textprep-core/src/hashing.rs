//! Stable hashes: xxh3_64 (default), murmur3_32 (scikit-learn ids and signs), farmhash64 (Keras `Hashing` ids),
//! murmurhash64a (spaCy `StringStore` hashes).
//!
//! INTERFACE (fixed; the implementation may add items):
//! - `murmur3_32(&[u8], seed: u32) -> u32`, `farmhash64(&[u8]) -> u64`, `xxh3_64(&[u8], seed: u64) -> u64`
//! - `Hasher::new(&HashingConfig) -> Option<Hasher>` (None without `n_buckets`),
//!   `Hasher::bucket(&self, token: &str, i: u32) -> (i32 id, f32 sign)` for the i-th of k hashes.
//!
//! Every function here is part of the id contract (DESIGN.md section 2): the values are pinned by golden vectors
//! computed with scikit-learn (`murmurhash3_32`) and TensorFlow/Keras (`tf.fingerprint`, `keras.layers.Hashing`).

use crate::config::{HashAlgo, HashLayout, HashingConfig};
use crate::{Error, Result};

/// xxHash3 64-bit.
pub fn xxh3_64(data: &[u8], seed: u64) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(data, seed)
}

/// Seed spaCy passes to MurmurHash64A for its `StringStore` hashes (`spacy.strings.hash_string`).
pub const SPACY_SEED: u64 = 1;

/// MurmurHash64A (Austin Appleby's 64-bit hash for 64-bit platforms, as in the `murmurhash` package's `hash64`);
/// `murmurhash64a(s.as_bytes(), SPACY_SEED)` equals spaCy's `nlp.vocab.strings[s]` for non-symbol strings.
pub fn murmurhash64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (data.len() as u64).wrapping_mul(M);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let mut k = u64::from_le_bytes([
            block[0], block[1], block[2], block[3], block[4], block[5], block[6], block[7],
        ]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// fastText's string hash (`Dictionary::hash`, gensim's `ft_hash_bytes`): 32-bit FNV-1a over the bytes, each byte
/// sign-extended first (fastText reads them as `int8_t`), so non-ASCII bytes hash as `0xFFFFFF00 | b`.
pub fn fasttext_hash(data: &[u8]) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for &b in data {
        h ^= b as i8 as i32 as u32;
        h = h.wrapping_mul(16_777_619);
    }
    h
}

/// The fastText subword rows of each word: `fasttext_hash(ngram) % bucket` for every n-gram of
/// [`crate::tokenize::fasttext_ngrams`], as fastText's `getSubwords` selects them. Returns (rows, splits): word `i`
/// owns `rows[splits[i]..splits[i + 1]]`. No rows when `bucket` or `maxn` is 0.
pub fn fasttext_ngram_rows<S: AsRef<str>>(
    words: &[S],
    minn: usize,
    maxn: usize,
    bucket: u64,
) -> (Vec<i64>, Vec<i64>) {
    let mut rows = Vec::new();
    let mut splits = Vec::with_capacity(words.len() + 1);
    splits.push(0);
    for w in words {
        if bucket > 0 && maxn > 0 {
            crate::tokenize::fasttext_ngrams_with(w.as_ref(), minn, maxn, |g| {
                rows.push((fasttext_hash(g.as_bytes()) as u64 % bucket) as i64)
            });
        }
        splits.push(rows.len() as i64);
    }
    (rows, splits)
}

/// MurmurHash3 x86 32-bit; equals scikit-learn's `murmurhash3_32(data, seed, positive=True)` (strings hashed as
/// UTF-8). The signed value scikit-learn uses for `HashingVectorizer` is `murmur3_32(..) as i32`.
pub fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k: u32 = 0;
        for (i, &b) in tail.iter().enumerate() {
            k |= (b as u32) << (8 * i);
        }
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    // The reference mixes in the length modulo 2^32.
    h ^= data.len() as u32;
    fmix32(h)
}

fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

// ---------------------------------------------------------------------------------------------------------------
// FarmHash Fingerprint64 (farmhashna::Hash64), a port of Google's reference farmhash.cc (MIT licence,
// Copyright (c) 2014 Google, Inc.). TensorFlow's `Fingerprint64`, `tf.strings.to_hash_bucket_fast` and the Keras
// `Hashing` layer (without salt) all use exactly this function.

const K0: u64 = 0xc3a5_c85c_97cb_3127;
const K1: u64 = 0xb492_b66f_be98_f273;
const K2: u64 = 0x9ae1_6a3b_2f90_404f;

#[inline]
fn fetch64(s: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[i..i + 8]);
    u64::from_le_bytes(b)
}

#[inline]
fn fetch32(s: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&s[i..i + 4]);
    u32::from_le_bytes(b) as u64
}

#[inline]
fn shift_mix(v: u64) -> u64 {
    v ^ (v >> 47)
}

#[inline]
fn hash_len16_mul(u: u64, v: u64, mul: u64) -> u64 {
    let mut a = (u ^ v).wrapping_mul(mul);
    a ^= a >> 47;
    let mut b = (v ^ a).wrapping_mul(mul);
    b ^= b >> 47;
    b.wrapping_mul(mul)
}

#[inline]
fn hash_len16(u: u64, v: u64) -> u64 {
    hash_len16_mul(u, v, 0x9ddf_ea08_eb38_2d69)
}

fn hash_len_0_to_16(s: &[u8]) -> u64 {
    let len = s.len();
    if len >= 8 {
        let mul = K2.wrapping_add(len as u64 * 2);
        let a = fetch64(s, 0).wrapping_add(K2);
        let b = fetch64(s, len - 8);
        let c = b.rotate_right(37).wrapping_mul(mul).wrapping_add(a);
        let d = a.rotate_right(25).wrapping_add(b).wrapping_mul(mul);
        return hash_len16_mul(c, d, mul);
    }
    if len >= 4 {
        let mul = K2.wrapping_add(len as u64 * 2);
        let a = fetch32(s, 0);
        return hash_len16_mul((len as u64).wrapping_add(a << 3), fetch32(s, len - 4), mul);
    }
    if len > 0 {
        let a = s[0] as u32;
        let b = s[len >> 1] as u32;
        let c = s[len - 1] as u32;
        let y = a.wrapping_add(b << 8);
        let z = (len as u32).wrapping_add(c << 2);
        return shift_mix((y as u64).wrapping_mul(K2) ^ (z as u64).wrapping_mul(K0))
            .wrapping_mul(K2);
    }
    K2
}

fn hash_len_17_to_32(s: &[u8]) -> u64 {
    let len = s.len();
    let mul = K2.wrapping_add(len as u64 * 2);
    let a = fetch64(s, 0).wrapping_mul(K1);
    let b = fetch64(s, 8);
    let c = fetch64(s, len - 8).wrapping_mul(mul);
    let d = fetch64(s, len - 16).wrapping_mul(K2);
    hash_len16_mul(
        a.wrapping_add(b)
            .rotate_right(43)
            .wrapping_add(c.rotate_right(30))
            .wrapping_add(d),
        a.wrapping_add(b.wrapping_add(K2).rotate_right(18))
            .wrapping_add(c),
        mul,
    )
}

#[inline]
fn weak_hash_len32_with_seeds(s: &[u8], i: usize, mut a: u64, mut b: u64) -> (u64, u64) {
    let w = fetch64(s, i);
    let x = fetch64(s, i + 8);
    let y = fetch64(s, i + 16);
    let z = fetch64(s, i + 24);
    a = a.wrapping_add(w);
    b = b.wrapping_add(a).wrapping_add(z).rotate_right(21);
    let c = a;
    a = a.wrapping_add(x).wrapping_add(y);
    b = b.wrapping_add(a.rotate_right(44));
    (a.wrapping_add(z), b.wrapping_add(c))
}

fn hash_len_33_to_64(s: &[u8]) -> u64 {
    let len = s.len();
    let mul = K2.wrapping_add(len as u64 * 2);
    let a = fetch64(s, 0).wrapping_mul(K2);
    let b = fetch64(s, 8);
    let c = fetch64(s, len - 8).wrapping_mul(mul);
    let d = fetch64(s, len - 16).wrapping_mul(K2);
    let y = a
        .wrapping_add(b)
        .rotate_right(43)
        .wrapping_add(c.rotate_right(30))
        .wrapping_add(d);
    let z = hash_len16_mul(
        y,
        a.wrapping_add(b.wrapping_add(K2).rotate_right(18))
            .wrapping_add(c),
        mul,
    );
    let e = fetch64(s, 16).wrapping_mul(mul);
    let f = fetch64(s, 24);
    let g = y.wrapping_add(fetch64(s, len - 32)).wrapping_mul(mul);
    let h = z.wrapping_add(fetch64(s, len - 24)).wrapping_mul(mul);
    hash_len16_mul(
        e.wrapping_add(f)
            .rotate_right(43)
            .wrapping_add(g.rotate_right(30))
            .wrapping_add(h),
        e.wrapping_add(f.wrapping_add(a).rotate_right(18))
            .wrapping_add(g),
        mul,
    )
}

/// FarmHash Fingerprint64 (`farmhashna::Hash64`): TensorFlow's `tf.fingerprint(.., "farmhash64")` of a string,
/// so `farmhash64(s) % n` is `tf.strings.to_hash_bucket_fast(s, n)` and `keras.layers.Hashing(num_bins=n)(s)`.
pub fn farmhash64(s: &[u8]) -> u64 {
    let len = s.len();
    if len <= 16 {
        return hash_len_0_to_16(s);
    }
    if len <= 32 {
        return hash_len_17_to_32(s);
    }
    if len <= 64 {
        return hash_len_33_to_64(s);
    }
    const SEED: u64 = 81;
    let mut x = SEED;
    let mut y = SEED.wrapping_mul(K1).wrapping_add(113);
    let mut z = shift_mix(y.wrapping_mul(K2).wrapping_add(113)).wrapping_mul(K2);
    let mut v = (0u64, 0u64);
    let mut w = (0u64, 0u64);
    x = x.wrapping_mul(K2).wrapping_add(fetch64(s, 0));
    // Process 64-byte blocks so that 1 to 64 bytes remain; the tail is the last 64 bytes of the input.
    let end = ((len - 1) / 64) * 64;
    let last64 = len - 64;
    let mut p = 0usize;
    while p < end {
        x = x
            .wrapping_add(y)
            .wrapping_add(v.0)
            .wrapping_add(fetch64(s, p + 8))
            .rotate_right(37)
            .wrapping_mul(K1);
        y = y
            .wrapping_add(v.1)
            .wrapping_add(fetch64(s, p + 48))
            .rotate_right(42)
            .wrapping_mul(K1);
        x ^= w.1;
        y = y.wrapping_add(v.0).wrapping_add(fetch64(s, p + 40));
        z = z.wrapping_add(w.0).rotate_right(33).wrapping_mul(K1);
        v = weak_hash_len32_with_seeds(s, p, v.1.wrapping_mul(K1), x.wrapping_add(w.0));
        w = weak_hash_len32_with_seeds(
            s,
            p + 32,
            z.wrapping_add(w.1),
            y.wrapping_add(fetch64(s, p + 16)),
        );
        std::mem::swap(&mut z, &mut x);
        p += 64;
    }
    let mul = K1.wrapping_add((z & 0xff) << 1);
    let p = last64;
    w.0 = w.0.wrapping_add(((len - 1) & 63) as u64);
    v.0 = v.0.wrapping_add(w.0);
    w.0 = w.0.wrapping_add(v.0);
    x = x
        .wrapping_add(y)
        .wrapping_add(v.0)
        .wrapping_add(fetch64(s, p + 8))
        .rotate_right(37)
        .wrapping_mul(mul);
    y = y
        .wrapping_add(v.1)
        .wrapping_add(fetch64(s, p + 48))
        .rotate_right(42)
        .wrapping_mul(mul);
    x ^= w.1.wrapping_mul(9);
    y = y
        .wrapping_add(v.0.wrapping_mul(9))
        .wrapping_add(fetch64(s, p + 40));
    z = z.wrapping_add(w.0).rotate_right(33).wrapping_mul(mul);
    v = weak_hash_len32_with_seeds(s, p, v.1.wrapping_mul(mul), x.wrapping_add(w.0));
    w = weak_hash_len32_with_seeds(
        s,
        p + 32,
        z.wrapping_add(w.1),
        y.wrapping_add(fetch64(s, p + 16)),
    );
    std::mem::swap(&mut z, &mut x);
    hash_len16_mul(
        hash_len16_mul(v.0, w.0, mul)
            .wrapping_add(shift_mix(y).wrapping_mul(K0))
            .wrapping_add(z),
        hash_len16_mul(v.1, w.1, mul).wrapping_add(x),
        mul,
    )
}

/// FarmHash `farmhashna::Hash64WithSeed`: `HashLen16(Fingerprint64(s) - k2, seed)`.
pub fn farmhash64_with_seed(s: &[u8], seed: u64) -> u64 {
    hash_len16(farmhash64(s).wrapping_sub(K2), seed)
}

/// The algorithm's own hash of `data` with the config's seed convention (the first hash of [`Hasher::hash`]):
/// `murmur3_32(data, seed)`, `farmhash64(data)` (seeded when `seed != 0`), `xxh3_64(data, seed)`,
/// `murmurhash64a(data, 1 + seed)` (with seed 0: spaCy's `hash_string`).
pub fn string_hash(algo: HashAlgo, seed: u32, data: &[u8]) -> u64 {
    match algo {
        HashAlgo::Murmur3_32 => murmur3_32(data, seed) as u64,
        HashAlgo::Farmhash64 if seed == 0 => farmhash64(data),
        HashAlgo::Farmhash64 => farmhash64_with_seed(data, seed as u64),
        HashAlgo::Xxh3_64 => xxh3_64(data, seed as u64),
        HashAlgo::Murmurhash64a => murmurhash64a(data, SPACY_SEED.wrapping_add(seed as u64)),
    }
}

impl HashAlgo {
    /// The algorithm of a config name (`"xxh3_64"`, `"murmur3_32"`, `"farmhash64"`, `"murmurhash64a"`); an unknown
    /// name is an `Error::Config` at `path`.
    pub fn from_name(name: &str, path: &str) -> Result<HashAlgo> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| {
            Error::config(
                path,
                format!(
                    "{name:?} is not one of 'xxh3_64', 'murmur3_32', 'farmhash64', 'murmurhash64a'"
                ),
            )
        })
    }
}

/// `num_hashes` bucket indices `h % n_buckets` per token (the peers' raw layout, no padding offset) and their
/// signs, row-major: what `textprep.hash_tokens` returns. Checks the settings as the pipeline config does.
pub fn hash_tokens<S: AsRef<str>>(
    tokens: &[S],
    n_buckets: u32,
    hash: HashAlgo,
    seed: u32,
    num_hashes: u32,
) -> Result<(Vec<i64>, Vec<f32>)> {
    let cfg = HashingConfig {
        n_buckets: Some(n_buckets),
        hash,
        seed,
        num_hashes,
        layout: HashLayout::Raw,
        ..HashingConfig::default()
    };
    cfg.validate()?;
    let h = Hasher::new(&cfg).ok_or_else(|| Error::config("hashing.n_buckets", "is required"))?;
    Ok(h.hash_tokens(tokens, num_hashes))
}

/// Seed offset of the second, independent hash used for double hashing (`i > 0`).
pub const DOUBLE_HASH_SEED_XOR: u64 = 0x9E37_79B9_7F4A_7C15;

/// A compiled hasher for hashed ids.
///
/// The `i`-th hash of a token (Bloom / multi-hash embeddings, `i < num_hashes`) is
/// - `i = 0`: the algorithm's own hash: `murmur3_32(token, seed)`, `farmhash64(token)` (or
///   `farmhash64_with_seed(token, seed)` when `seed != 0`), `xxh3_64(token, seed)`,
///   `murmurhash64a(token, 1 + seed)` (seed 0 gives spaCy's `StringStore` hash);
/// - `i > 0`: double hashing `h_i = h_0 + i * h_1` (wrapping, in 32 bits for murmur3_32, 64 bits otherwise) with
///   `h_1 = xxh3_64(token, seed ^ 0x9E3779B97F4A7C15) | 1` (odd, so the k hashes differ even for power-of-two
///   bucket counts).
#[derive(Debug, Clone)]
pub struct Hasher {
    algo: HashAlgo,
    seed: u32,
    n_buckets: u32,
    layout: HashLayout,
}

impl Hasher {
    /// A hasher when `n_buckets` is set (None without it, or when it is 0 or above `i32::MAX`, which the
    /// config validation rejects anyway, with the tighter `i32::MAX - 1` for the padded layout).
    pub fn new(cfg: &HashingConfig) -> Option<Hasher> {
        let n = cfg.n_buckets?;
        if n == 0 || n > i32::MAX as u32 {
            return None;
        }
        Some(Hasher {
            algo: cfg.hash,
            seed: cfg.seed,
            n_buckets: n,
            layout: cfg.layout,
        })
    }

    /// Number of buckets.
    pub fn n_buckets(&self) -> u32 {
        self.n_buckets
    }

    /// Total number of ids of the layout: `n_buckets + 1` (padding id 0) for `Padded`, `n_buckets` for `Raw`.
    pub fn id_space(&self) -> usize {
        match self.layout {
            HashLayout::Padded => self.n_buckets as usize + 1,
            HashLayout::Raw => self.n_buckets as usize,
        }
    }

    /// The `i`-th raw hash of a token (see the type's doc); for murmur3_32 only the low 32 bits are used.
    pub fn hash(&self, token: &str, i: u32) -> u64 {
        let b = token.as_bytes();
        let h0 = string_hash(self.algo, self.seed, b);
        if i == 0 {
            return h0;
        }
        let h1 = xxh3_64(b, self.seed as u64 ^ DOUBLE_HASH_SEED_XOR) | 1;
        match self.algo {
            HashAlgo::Murmur3_32 => (h0 as u32).wrapping_add(i.wrapping_mul(h1 as u32)) as u64,
            _ => h0.wrapping_add((i as u64).wrapping_mul(h1)),
        }
    }

    /// Bucket index in `0..n_buckets` and sign of a raw hash from [`Hasher::hash`].
    ///
    /// murmur3_32 follows scikit-learn's `HashingVectorizer` exactly: `h` is the signed 32-bit hash, the index is
    /// `|h| % n` (`(i32::MAX - (n - 1)) % n` for `h = i32::MIN`) and the sign is `+1` when `h >= 0`. The 64-bit
    /// algorithms use `h % n` (Keras `Hashing`) and the sign of the top bit (`+1` when it is 0).
    pub fn index_of(&self, h: u64) -> (u32, f32) {
        let n = self.n_buckets.max(1) as i64;
        match self.algo {
            HashAlgo::Murmur3_32 => {
                let s = h as u32 as i32;
                let idx = if s == i32::MIN {
                    (i32::MAX as i64 - (n - 1)) % n
                } else {
                    (s as i64).abs() % n
                };
                (idx as u32, if s >= 0 { 1.0 } else { -1.0 })
            }
            _ => ((h % n as u64) as u32, if h >> 63 == 0 { 1.0 } else { -1.0 }),
        }
    }

    /// Id and sign of the `i`-th hash of a token: `id = 1 + index` (`Padded`) or `id = index` (`Raw`).
    pub fn bucket(&self, token: &str, i: u32) -> (i32, f32) {
        let (idx, sign) = self.index_of(self.hash(token, i));
        // idx < n_buckets <= i32::MAX - 1, so neither conversion can overflow.
        let id = match self.layout {
            HashLayout::Padded => idx as i32 + 1,
            HashLayout::Raw => idx as i32,
        };
        (id, sign)
    }

    /// Write `k` ids per token (row-major: token `t`, hash `i` at `t * k + i`) into `ids`, and the signs into
    /// `signs` when given. Stops at the first token whose `k` ids do not fit in a buffer; returns the number of
    /// tokens written. No allocation.
    pub fn hash_tokens_into<S: AsRef<str>>(
        &self,
        tokens: &[S],
        k: u32,
        ids: &mut [i64],
        mut signs: Option<&mut [f32]>,
    ) -> usize {
        let ku = k as usize;
        if ku == 0 {
            return 0;
        }
        let mut fit = ids.len() / ku;
        if let Some(s) = signs.as_deref() {
            fit = fit.min(s.len() / ku);
        }
        let n = tokens.len().min(fit);
        for (t, tok) in tokens[..n].iter().enumerate() {
            for i in 0..k {
                let (id, sign) = self.bucket(tok.as_ref(), i);
                let at = t * ku + i as usize;
                ids[at] = id as i64;
                if let Some(s) = signs.as_deref_mut() {
                    s[at] = sign;
                }
            }
        }
        n
    }

    /// `k` ids and signs per token, row-major (`tokens.len() * k` entries each).
    pub fn hash_tokens<S: AsRef<str>>(&self, tokens: &[S], k: u32) -> (Vec<i64>, Vec<f32>) {
        let len = tokens.len().saturating_mul(k as usize);
        let mut ids = vec![0i64; len];
        let mut signs = vec![0f32; len];
        self.hash_tokens_into(tokens, k, &mut ids, Some(&mut signs));
        (ids, signs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings whose hashes were computed with scikit-learn 1.9.1.
    fn murmur_strings() -> Vec<String> {
        vec![
            "".into(),
            "a".into(),
            "ab".into(),
            "abc".into(),
            "abcd".into(),
            "abcde".into(),
            "hello".into(),
            "hello world".into(),
            "The quick brown fox jumps over the lazy dog".into(),
            "caf\u{e9}".into(),
            "\u{65e5}\u{672c}\u{8a9e}".into(),
            "\u{1F600}".into(),
            "\u{df}".repeat(7),
        ]
    }

    // sklearn.utils.murmurhash3_32(s, seed, positive=True)
    const MURMUR_SEED0: [u32; 13] = [
        0, 1009084850, 2613040991, 3017643002, 1139631978, 3902511862, 613153351, 1586663183,
        776992547, 605818632, 2779017879, 3199479546, 3809515820,
    ];
    const MURMUR_SEED42: [u32; 13] = [
        142593372, 3001393763, 3610054215, 1313807976, 3898664396, 2933533680, 3806057185,
        3926694905, 880582914, 1312538061, 3318144696, 1877935379, 1823886439,
    ];
    // sklearn.utils.murmurhash3_32(s, 0) (signed)
    const MURMUR_SIGNED0: [i32; 13] = [
        0,
        1009084850,
        -1681926305,
        -1277324294,
        1139631978,
        -392455434,
        613153351,
        1586663183,
        776992547,
        605818632,
        -1515949417,
        -1095487750,
        -485451476,
    ];

    #[test]
    fn murmur3_matches_sklearn() {
        for (i, s) in murmur_strings().iter().enumerate() {
            assert_eq!(murmur3_32(s.as_bytes(), 0), MURMUR_SEED0[i], "{s:?}");
            assert_eq!(murmur3_32(s.as_bytes(), 42), MURMUR_SEED42[i], "{s:?}");
            assert_eq!(
                murmur3_32(s.as_bytes(), 0) as i32,
                MURMUR_SIGNED0[i],
                "{s:?}"
            );
        }
    }

    /// Strings whose fingerprints were computed with TensorFlow 2.21 / Keras 3.15: lengths 0..=70 of a shifting
    /// alphabet, then ASCII, non-ASCII and long strings.
    fn farm_strings() -> Vec<String> {
        let mut out: Vec<String> = (0..71u32)
            .map(|n| {
                (0..n)
                    .map(|i| char::from(b'a' + ((i * 7 + n) % 26) as u8))
                    .collect()
            })
            .collect();
        out.extend(
            [
                "hello",
                "world",
                "The quick brown fox jumps over the lazy dog",
                "caf\u{e9}",
                "na\u{ef}ve",
                "\u{65e5}\u{672c}\u{8a9e}",
                "\u{1F600} emoji",
                "\u{645}\u{631}\u{62d}\u{628}\u{627}",
            ]
            .map(String::from),
        );
        out.push("\u{df}".repeat(40));
        out.push("x".repeat(100));
        out.push("abc".repeat(50));
        out.push("\u{e9}".repeat(70));
        out.push("z".repeat(1000));
        out
    }

    // tf.fingerprint(strings, method="farmhash64") read as little-endian u64
    #[rustfmt::skip]
    const FARM_RAW: [u64; 84] = [
        11160318154034397263, 11795596070477164822, 11284520203374661052, 17840201734489328107,
        5229200165339728586, 9610178654621323361, 2302291263155816158, 2326968938742419854,
        16943539220291562265, 290310807937581120, 10975175995382512689, 16422796952354202180,
        15332096224018918624, 4873541644869356463, 17780219934973125478, 12855784031615380112,
        3820547438670371201, 16324845785421546951, 15090701990969508400, 14321987180202393508,
        4933260700199186353, 17128344095456676170, 1760238384314949755, 7953764478036322650,
        15943798240064956672, 14340992755139266286, 7875417258769018843, 9287944643568734357,
        6869018197701041065, 2827923160494469975, 3177690387025441289, 550745500815267002,
        127699506250089056, 13415271314500398898, 9580276718378388257, 5526977116716943055,
        14754649335099233364, 15289531942453166542, 8247985960026125335, 17603163806232013306,
        4241380146256476999, 15408573826488814486, 13491359741042316873, 5792419566248631429,
        7688732721024167776, 8008758942055157041, 14774952417274839809, 9684622028242149283,
        8194523017879154944, 7534500826691046763, 5758033857485465631, 2201102122075730862,
        10373719706657430428, 662164243447238326, 15035743179649178449, 2096524197115685097,
        4346997111148503282, 3893286013928406190, 17300353355178368781, 11568238555858421190,
        14305853950633066180, 7063002555105597028, 17012930889019190050, 12748839156727923234,
        2544848233693181161, 8179483852271218337, 7727692283840218710, 6054705805186722544,
        748395967121309899, 18300250361109812139, 9558561086741282034, 13009744463427800296,
        16436542438370751598, 12375473906752639284, 11379377682866355587, 11018684814441883233,
        15681232226066675783, 12024631347214160364, 13381649328307711939, 3363669880534015469,
        6590480085648050719, 2999530846569638125, 5892093052588217999, 11182394324762684027,
    ];
    // keras.layers.Hashing(num_bins=7)(strings)
    #[rustfmt::skip]
    const KERAS_7: [u64; 84] = [
        6, 2, 5, 4, 1, 2, 2, 1, 2, 4, 6, 1, 0, 4, 2, 5, 2, 4, 0, 5, 5, 4, 6, 5, 5, 0, 3, 4, 5, 0, 2, 0, 3,
        2, 4, 0, 0, 4, 1, 3, 6, 4, 5, 1, 5, 0, 5, 1, 1, 2, 5, 2, 4, 4, 1, 5, 2, 4, 5, 5, 2, 5, 2, 6, 4, 4,
        6, 0, 0, 2, 6, 5, 6, 0, 5, 4, 4, 4, 5, 4, 1, 3, 6, 4,
    ];
    // keras.layers.Hashing(num_bins=2**31 - 1)(strings)
    #[rustfmt::skip]
    const KERAS_2147483647: [u64; 84] = [
        1699943623, 640528731, 1238123, 817204184, 1537261179, 1400585606, 1841957447, 95563110, 1168621929,
        1302481032, 1758104841, 1262723049, 273581428, 331834444, 837055249, 644137344, 730101968,
        170952522, 1641964854, 523064978, 749821090, 1405287862, 838131571, 1094487721, 1075407120,
        1586604236, 1098818663, 389210490, 2085710586, 2010975642, 2097548077, 17194229, 1066589804,
        1721887634, 1120633080, 621268895, 764488482, 2085055079, 1353820968, 1108273772, 1690029266,
        2062273564, 1011562164, 218839638, 653863610, 926414041, 1594727654, 1847148669, 333744011,
        1743677078, 1474900658, 298219806, 45535703, 335823988, 1985035480, 2051546165, 1380918945,
        2034397871, 5457535, 671124770, 1697346437, 1288207667, 745967656, 355841402, 120729826, 2008164630,
        1045386424, 1773383844, 1348431136, 379137324, 1147381320, 441440317, 653090040, 311974173,
        68752626, 1117855054, 777687947, 326776559, 906659354, 809856460, 188921745, 2111642560, 177941860,
        1882364741,
    ];

    #[test]
    fn farmhash64_matches_tensorflow() {
        let strings = farm_strings();
        assert_eq!(strings.len(), FARM_RAW.len());
        for (i, s) in strings.iter().enumerate() {
            let h = farmhash64(s.as_bytes());
            assert_eq!(h, FARM_RAW[i], "#{i} len {} {s:?}", s.len());
            assert_eq!(h % 7, KERAS_7[i], "#{i}");
            assert_eq!(h % 2147483647, KERAS_2147483647[i], "#{i}");
        }
    }

    #[test]
    fn hasher_keras_and_sklearn_layouts() {
        let cfg = |hash, n, layout| HashingConfig {
            n_buckets: Some(n),
            hash,
            layout,
            ..HashingConfig::default()
        };
        let strings = farm_strings();
        let h = Hasher::new(&cfg(HashAlgo::Farmhash64, 7, HashLayout::Raw)).unwrap();
        for (i, s) in strings.iter().enumerate() {
            assert_eq!(h.bucket(s, 0).0 as u64, KERAS_7[i]);
        }
        let h = Hasher::new(&cfg(HashAlgo::Farmhash64, 7, HashLayout::Padded)).unwrap();
        assert_eq!(h.bucket(&strings[5], 0).0 as u64, KERAS_7[5] + 1);
        // scikit-learn HashingVectorizer(n_features=4): 't0' -> column 1, sign +1; 't1' -> column 1, sign -1
        let h = Hasher::new(&cfg(HashAlgo::Murmur3_32, 4, HashLayout::Raw)).unwrap();
        assert_eq!(h.bucket("t0", 0), (1, 1.0));
        assert_eq!(h.bucket("t1", 0), (1, -1.0));
        for (i, s) in murmur_strings().iter().enumerate() {
            let sh = MURMUR_SIGNED0[i];
            let n = 1000003i64;
            let h = Hasher::new(&cfg(HashAlgo::Murmur3_32, n as u32, HashLayout::Raw)).unwrap();
            let (id, sign) = h.bucket(s, 0);
            assert_eq!(id as i64, (sh as i64).abs() % n);
            assert_eq!(sign, if sh >= 0 { 1.0 } else { -1.0 });
        }
    }

    #[test]
    fn murmur_min_value_rule() {
        let h = Hasher::new(&HashingConfig {
            n_buckets: Some(10),
            hash: HashAlgo::Murmur3_32,
            ..HashingConfig::default()
        })
        .unwrap();
        // h = i32::MIN: scikit-learn uses (2147483647 - (n - 1)) % n
        assert_eq!(
            h.index_of(0x8000_0000),
            (((2147483647i64 - 9) % 10) as u32, -1.0)
        );
        assert_eq!(h.index_of(0x8000_0000).1, -1.0);
        assert_eq!(h.index_of(0xFFFF_FFFF), (1, -1.0));
    }

    #[test]
    fn murmurhash64a_matches_spacy_hash_string() {
        // spacy.strings.hash_string(s) (spaCy 3.8.18)
        let cases: [(&str, u64); 11] = [
            ("", 14313749767032693980),
            ("a", 11901859001352538922),
            ("apple", 8566208034543834098),
            ("Apple", 6418411030699964375),
            ("hello world", 2758594965276909933),
            ("Stra\u{df}e", 982213701778560299),
            ("\u{65e5}\u{672c}\u{8a9e}", 1998301522555383300),
            ("\u{1f600}", 13900606239988879105),
            ("abcdefgh", 17751780907874141760),
            ("abcdefghi", 13885881106499164936),
            ("xxxxxxxxxxxxxxxxx", 16970747057724827452),
        ];
        for (s, want) in cases {
            assert_eq!(murmurhash64a(s.as_bytes(), SPACY_SEED), want, "{s:?}");
        }
        let c = HashingConfig {
            n_buckets: Some(1000),
            hash: HashAlgo::Murmurhash64a,
            layout: HashLayout::Raw,
            ..HashingConfig::default()
        };
        let h = Hasher::new(&c).unwrap();
        assert_eq!(h.bucket("apple", 0).0 as u64, 8566208034543834098 % 1000);
    }

    #[test]
    fn hasher_rejects_bad_bucket_counts_and_never_overflows() {
        let mut c = HashingConfig::default();
        assert!(Hasher::new(&c).is_none());
        c.n_buckets = Some(0);
        assert!(Hasher::new(&c).is_none());
        c.n_buckets = Some(u32::MAX);
        assert!(Hasher::new(&c).is_none());
        c.n_buckets = Some(i32::MAX as u32 - 1);
        for algo in [
            HashAlgo::Xxh3_64,
            HashAlgo::Murmur3_32,
            HashAlgo::Farmhash64,
            HashAlgo::Murmurhash64a,
        ] {
            c.hash = algo;
            let h = Hasher::new(&c).unwrap();
            for i in 0..8 {
                for t in ["", "a", "zzzz", "\u{e9}"] {
                    let (id, s) = h.bucket(t, i);
                    assert!((1..i32::MAX).contains(&id), "{id}");
                    assert!(s == 1.0 || s == -1.0);
                }
            }
        }
    }

    #[test]
    fn k_hashes_are_stable_and_distinct() {
        let h = Hasher::new(&HashingConfig {
            n_buckets: Some(1 << 20),
            num_hashes: 4,
            ..HashingConfig::default()
        })
        .unwrap();
        let (ids, signs) = h.hash_tokens(&["hello", "world"], 4);
        assert_eq!(ids.len(), 8);
        assert_eq!(signs.len(), 8);
        assert_eq!(ids[0], h.bucket("hello", 0).0 as i64);
        assert_eq!(ids[5], h.bucket("world", 1).0 as i64);
        let mut first = ids[..4].to_vec();
        first.dedup();
        assert_eq!(first.len(), 4, "{ids:?}");
        // Pinned values: the double-hashing scheme is part of the id contract.
        let h0 = xxh3_64(b"hello", 0);
        let h1 = xxh3_64(b"hello", DOUBLE_HASH_SEED_XOR) | 1;
        assert_eq!(h.hash("hello", 3), h0.wrapping_add(3u64.wrapping_mul(h1)));
        // A short buffer is filled as far as whole tokens fit.
        let mut buf = [0i64; 5];
        assert_eq!(h.hash_tokens_into(&["a", "b"], 4, &mut buf, None), 1);
        assert_eq!(h.hash_tokens_into(&["a", "b"], 0, &mut buf, None), 0);
    }

    #[test]
    fn fasttext_hash_matches_gensim_values() {
        // gensim.models.fasttext_inner.ft_hash_bytes and fastText's Dictionary::hash
        assert_eq!(fasttext_hash("<ca".as_bytes()), 1_066_916_747);
        assert_eq!(fasttext_hash(b""), 2_166_136_261);
        assert_eq!(fasttext_hash("é".as_bytes()), fasttext_hash(&[0xc3, 0xa9]));
    }

    #[test]
    fn fasttext_rows_per_word() {
        let (rows, splits) = fasttext_ngram_rows(&["ab", ""], 3, 3, 7);
        // SubwordModel(np.zeros((7, 1)), 3, 3).ngram_rows("ab") in the Python reader: [5, 2]
        assert_eq!((rows, splits), (vec![5, 2], vec![0, 2, 2]));
        assert_eq!(fasttext_ngram_rows(&["ab"], 3, 3, 0).0, Vec::<i64>::new());
    }

    #[test]
    fn hash_tokens_checks_settings() {
        let (ids, signs) = hash_tokens(&["a", "b"], 10, HashAlgo::Xxh3_64, 0, 2).unwrap();
        assert_eq!((ids.len(), signs.len()), (4, 4));
        assert!(ids.iter().all(|&i| (0..10).contains(&i)));
        assert!(hash_tokens(&["a"], 0, HashAlgo::Xxh3_64, 0, 1).is_err());
        assert!(hash_tokens(&["a"], 10, HashAlgo::Xxh3_64, 0, 9).is_err());
        assert!(HashAlgo::from_name("md5", "hash").is_err());
        assert_eq!(
            HashAlgo::from_name("farmhash64", "hash").unwrap(),
            HashAlgo::Farmhash64
        );
    }

    #[test]
    fn seeded_farmhash_differs_from_unseeded() {
        let mut c = HashingConfig {
            n_buckets: Some(1000),
            hash: HashAlgo::Farmhash64,
            ..HashingConfig::default()
        };
        let a = Hasher::new(&c).unwrap().hash("hello", 0);
        c.seed = 7;
        let b = Hasher::new(&c).unwrap().hash("hello", 0);
        assert_eq!(a, farmhash64(b"hello"));
        assert_eq!(b, farmhash64_with_seed(b"hello", 7));
        assert_ne!(a, b);
    }
}
