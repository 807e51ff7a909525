//! The fitted vocabulary: token <-> id in the Keras `StringLookup` layout.

use rustc_hash::FxHashSet;

use super::table::{Interner, Probe};
use super::Counts;
use crate::config::{MaxDf, VocabConfig};
use crate::hashing::xxh3_64;
use crate::{Error, Result};

/// A fitted vocabulary in the Keras `StringLookup` layout: id 0 is padding `""`, ids `1..=K` are the OOV buckets
/// (`K = num_oov_buckets`), then the stored tokens (special tokens first, then the ranked tokens).
#[derive(Debug, Clone)]
pub struct Vocab {
    /// Owned copies for [`Vocab::tokens`]; lookups go through `keys` (same order: entry `i` is `tokens[i]`).
    tokens: Vec<Box<str>>,
    keys: Interner,
    num_oov: u32,
    oov_token: Box<str>,
    tf: Vec<u64>,
    df: Vec<u64>,
    n_docs: u64,
}

impl PartialEq for Vocab {
    /// Equal vocabularies: same tokens in the same order, OOV layout and stats (`keys` follows from `tokens`).
    fn eq(&self, other: &Self) -> bool {
        self.tokens == other.tokens
            && self.num_oov == other.num_oov
            && self.oov_token == other.oov_token
            && self.tf == other.tf
            && self.df == other.df
            && self.n_docs == other.n_docs
    }
}

/// Largest number of stored tokens such that every id fits in an `i32`.
fn max_stored(num_oov: u32) -> usize {
    (i32::MAX as usize).saturating_sub(num_oov as usize + 1)
}

impl Vocab {
    fn empty(cfg: &VocabConfig) -> Vocab {
        Vocab {
            tokens: Vec::new(),
            keys: Interner::default(),
            num_oov: cfg.num_oov_buckets.max(1),
            oov_token: cfg.oov_token.as_str().into(),
            tf: Vec::new(),
            df: Vec::new(),
            n_docs: 0,
        }
    }

    fn push(&mut self, token: &str, tf: u64, df: u64) -> bool {
        if token.is_empty() || self.tokens.len() >= max_stored(self.num_oov) {
            return false;
        }
        if !self.keys.find_or_insert(&Probe::new(token)).1 {
            return false;
        }
        self.tokens.push(token.into());
        self.tf.push(tf);
        self.df.push(df);
        true
    }

    /// Tokens of `counts` that pass the config's filters (not special, not empty, `tf >= min_freq`, `max_df`),
    /// not already in `skip`, ranked by (tf desc, token asc), at most `limit` of them.
    fn ranked<'c>(
        counts: &'c Counts,
        cfg: &VocabConfig,
        skip: impl Fn(&str) -> bool,
        limit: Option<usize>,
    ) -> Vec<(&'c str, u64, u64)> {
        let specials: FxHashSet<&str> = cfg.special_tokens.iter().map(String::as_str).collect();
        let n_docs = counts.n_docs();
        let df_ok = |df: u64| match cfg.max_df {
            None => true,
            Some(MaxDf::Count(n)) => df <= n,
            Some(MaxDf::Fraction(f)) => (df as f64) <= f * n_docs as f64,
        };
        counts.ranked(
            |t, tf, df| {
                !t.is_empty()
                    && tf >= cfg.min_freq
                    && df_ok(df)
                    && !specials.contains(t)
                    && !skip(t)
            },
            limit,
        )
    }

    /// Fit from counts: special tokens (config order, deduplicated, empty strings skipped) right after the OOV
    /// buckets, then the counted tokens that pass `min_freq` (tf >= min_freq) and `max_df` (df <= n, or
    /// df <= f * n_docs), ranked by (tf desc, token asc, byte order), at most `max_tokens` of them (specials not
    /// counted). Deterministic: the result depends only on the counts, not on how they were gathered.
    pub fn from_counts(counts: &Counts, cfg: &VocabConfig) -> Vocab {
        let mut v = Vocab::empty(cfg);
        v.n_docs = counts.n_docs();
        for s in &cfg.special_tokens {
            v.push(s, 0, 0);
        }
        for (t, tf, df) in Self::ranked(counts, cfg, |_| false, cfg.max_tokens) {
            v.push(t, tf, df);
        }
        v
    }

    /// Build from the stored tokens in id order (the first gets id `1 + num_oov_buckets`; special tokens are part
    /// of the list at their place). Stats are zero until [`Vocab::set_stats`]. A duplicate or empty token is an
    /// `Error::Artifact`.
    pub fn from_tokens(tokens: Vec<String>, cfg: &VocabConfig) -> Result<Vocab> {
        let mut v = Vocab::empty(cfg);
        let first = 1 + v.num_oov as usize;
        if tokens.len() > max_stored(v.num_oov) {
            return Err(Error::Artifact(format!(
                "{} tokens do not fit in int32 ids",
                tokens.len()
            )));
        }
        v.tokens.reserve(tokens.len());
        let bytes = tokens.iter().map(String::len).sum();
        v.keys = Interner::with_capacity(tokens.len(), bytes);
        for (i, t) in tokens.into_iter().enumerate() {
            if t.is_empty() {
                return Err(Error::Artifact(format!(
                    "empty token at id {} (the empty string is the padding id 0)",
                    first + i
                )));
            }
            if let Some(j) = v.keys.find(&Probe::new(&t)) {
                return Err(Error::Artifact(format!(
                    "duplicate token '{t}' at ids {} and {}",
                    first + j,
                    first + i
                )));
            }
            v.push(&t, 0, 0);
        }
        Ok(v)
    }

    /// Append the tokens of `counts` that are not in the vocabulary yet (same filters and ranking as
    /// [`Vocab::from_counts`]), at most `max_new` of them and never beyond `max_tokens` non-special tokens.
    /// Existing ids never change. `counts` are taken as *new* documents: existing tokens' tf/df and `n_docs` are
    /// increased by them. Returns the number of tokens added.
    pub fn extend(&mut self, counts: &Counts, cfg: &VocabConfig, max_new: Option<usize>) -> usize {
        let specials: FxHashSet<&str> = cfg.special_tokens.iter().map(String::as_str).collect();
        let mut limit = max_new;
        if let Some(m) = cfg.max_tokens {
            let regular = self
                .tokens
                .iter()
                .filter(|t| !specials.contains(&***t))
                .count();
            let room = m.saturating_sub(regular);
            limit = Some(limit.map_or(room, |l| l.min(room)));
        }
        for (i, t) in self.tokens.iter().enumerate() {
            if let Some((tf, df)) = counts.get(t) {
                self.tf[i] = self.tf[i].saturating_add(tf);
                self.df[i] = self.df[i].saturating_add(df);
            }
        }
        self.n_docs = self.n_docs.saturating_add(counts.n_docs());
        let new = Self::ranked(counts, cfg, |t| self.contains(t), limit);
        let mut added = 0;
        for (t, tf, df) in new {
            if self.push(t, tf, df) {
                added += 1;
            }
        }
        added
    }

    /// Id of a token; an unknown token goes to OOV bucket `1 + xxh3_64(token, 0) % K` (always 1 when `K = 1`).
    pub fn id(&self, token: &str) -> i32 {
        match self.keys.find(&Probe::new(token)) {
            // Bounded by `max_stored`, so the id fits in an i32.
            Some(i) => (i as i64 + 1 + self.num_oov as i64) as i32,
            None => self.oov_id(token),
        }
    }

    /// The OOV bucket of a token (ignoring whether it is in the vocabulary).
    pub fn oov_id(&self, token: &str) -> i32 {
        if self.num_oov <= 1 {
            1
        } else {
            1 + (xxh3_64(token.as_bytes(), 0) % self.num_oov as u64) as i32
        }
    }

    /// True when the token has its own id.
    pub fn contains(&self, token: &str) -> bool {
        self.keys.find(&Probe::new(token)).is_some()
    }

    fn slot(&self, id: i32) -> Option<usize> {
        let first = 1 + self.num_oov as i64;
        let i = id as i64 - first;
        (i >= 0 && (i as usize) < self.tokens.len()).then_some(i as usize)
    }

    /// Token of an id: `""` for padding, the configured OOV token for the OOV buckets, None out of range.
    pub fn token(&self, id: i32) -> Option<&str> {
        if id == 0 {
            return Some("");
        }
        if id >= 1 && (id as u32) <= self.num_oov {
            return Some(&self.oov_token);
        }
        self.slot(id).map(|i| &*self.tokens[i])
    }

    /// Total number of ids, padding and OOV buckets included.
    pub fn size(&self) -> usize {
        self.tokens.len() + 1 + self.num_oov as usize
    }

    /// Number of OOV buckets `K` (ids `1..=K`).
    pub fn num_oov(&self) -> u32 {
        self.num_oov
    }

    /// The OOV token text (decode output).
    pub fn oov_token(&self) -> &str {
        &self.oov_token
    }

    /// Documents counted when fitting.
    pub fn n_docs(&self) -> u64 {
        self.n_docs
    }

    /// Document frequency of the token with this id (0 for padding, OOV, specials, out of range, or unknown stats).
    pub fn df(&self, id: i32) -> u64 {
        self.slot(id).map_or(0, |i| self.df[i])
    }

    /// Term frequency of the token with this id (0 for padding, OOV, specials, out of range, or unknown stats).
    pub fn tf(&self, id: i32) -> u64 {
        self.slot(id).map_or(0, |i| self.tf[i])
    }

    /// Document frequency of each token in id order.
    pub fn dfs(&self) -> Vec<u64> {
        self.df.clone()
    }

    /// Term frequency of each token in id order.
    pub fn tfs(&self) -> Vec<u64> {
        self.tf.clone()
    }

    /// Document frequency indexed by id (`size()` entries, 0 for padding and OOV), e.g. for `encode::idf`.
    pub fn df_by_id(&self) -> Vec<u64> {
        let mut v = vec![0u64; 1 + self.num_oov as usize];
        v.extend_from_slice(&self.df);
        v
    }

    /// Restore stats from an artifact (lists in id order of the stored tokens; a list of the wrong length is
    /// truncated or padded with zeros, `None` means unknown: zeros).
    pub fn set_stats(&mut self, tf: Option<Vec<u64>>, df: Option<Vec<u64>>, n_docs: u64) {
        let n = self.tokens.len();
        let fit = |v: Option<Vec<u64>>| {
            let mut v = v.unwrap_or_default();
            v.resize(n, 0);
            v
        };
        self.tf = fit(tf);
        self.df = fit(df);
        self.n_docs = n_docs;
    }

    /// Vocabulary tokens in id order (without padding and OOV).
    pub fn tokens(&self) -> &[Box<str>] {
        &self.tokens
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::vocab::counts::tests::{counts_of, DOCS};

    pub(crate) fn cfg() -> VocabConfig {
        VocabConfig::default()
    }

    #[test]
    fn keras_layout_and_ranking() {
        let c = counts_of(&DOCS);
        let v = Vocab::from_counts(&c, &cfg());
        // the(6) a(2) cat(2) dog(2) sat(2) and(1) mat(1) on(1) zebra(1)
        let toks: Vec<&str> = v.tokens().iter().map(|t| &**t).collect();
        assert_eq!(
            toks,
            ["the", "a", "cat", "dog", "sat", "and", "mat", "on", "zebra"]
        );
        assert_eq!(v.size(), 11);
        assert_eq!(v.id("the"), 2);
        assert_eq!(v.id("zebra"), 10);
        assert_eq!(v.id("unknown"), 1);
        assert_eq!(v.token(0), Some(""));
        assert_eq!(v.token(1), Some("[UNK]"));
        assert_eq!(v.token(2), Some("the"));
        assert_eq!(v.token(11), None);
        assert_eq!(v.token(-1), None);
        assert_eq!(v.token(i32::MIN), None);
        assert_eq!(v.df(2), 3);
        assert_eq!(v.tf(2), 6);
        assert_eq!(v.df(1), 0);
        assert_eq!(v.n_docs(), 5);
        assert_eq!(v.df_by_id().len(), v.size());
    }

    #[test]
    fn filters_specials_and_oov_buckets() {
        let c = counts_of(&DOCS);
        let mut k = cfg();
        k.special_tokens = vec!["[CLS]".into(), "the".into(), "[CLS]".into(), "".into()];
        k.num_oov_buckets = 3;
        k.oov_token = "<unk>".into();
        k.min_freq = 2;
        k.max_tokens = Some(2);
        let v = Vocab::from_counts(&c, &k);
        let toks: Vec<&str> = v.tokens().iter().map(|t| &**t).collect();
        assert_eq!(toks, ["[CLS]", "the", "a", "cat"]);
        assert_eq!(v.id("[CLS]"), 4);
        assert_eq!(v.tf(v.id("the")), 0, "specials are never counted");
        assert_eq!(v.token(3), Some("<unk>"));
        let oov = v.id("never-seen");
        assert!((1..=3).contains(&oov));
        assert_eq!(oov, 1 + (xxh3_64(b"never-seen", 0) % 3) as i32);
        assert_eq!(v.id("never-seen"), oov);

        let mut k = cfg();
        k.max_df = Some(MaxDf::Count(2));
        let v = Vocab::from_counts(&c, &k);
        assert!(!v.contains("the"));
        assert!(v.contains("cat"));
        k.max_df = Some(MaxDf::Fraction(0.2));
        let v = Vocab::from_counts(&c, &k);
        assert!(!v.contains("cat"));
        assert!(v.contains("zebra"));
    }

    #[test]
    fn from_counts_is_deterministic() {
        let a = Vocab::from_counts(&counts_of(&DOCS), &cfg());
        let mut rev = DOCS;
        rev.reverse();
        let mut k = cfg();
        let b = Vocab::from_counts(&counts_of(&rev), &k);
        assert_eq!(a, b);
        k.max_tokens = Some(4);
        let small = Vocab::from_counts(&counts_of(&rev), &k);
        assert_eq!(small.tokens(), &a.tokens()[..4]);
    }

    #[test]
    fn from_tokens_validates() {
        let v = Vocab::from_tokens(vec!["x".into(), "y".into()], &cfg()).unwrap();
        assert_eq!(v.id("y"), 3);
        match Vocab::from_tokens(vec!["x".into(), "y".into(), "x".into()], &cfg()) {
            Err(Error::Artifact(m)) => assert_eq!(m, "duplicate token 'x' at ids 2 and 4"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Vocab::from_tokens(vec!["x".into(), "".into()], &cfg()),
            Err(Error::Artifact(_))
        ));
        let fitted = Vocab::from_counts(&counts_of(&DOCS), &cfg());
        let mut back = Vocab::from_tokens(
            fitted.tokens().iter().map(|t| t.to_string()).collect(),
            &cfg(),
        )
        .unwrap();
        back.set_stats(Some(fitted.tfs()), Some(fitted.dfs()), fitted.n_docs());
        assert_eq!(back, fitted);
        back.set_stats(None, Some(vec![1]), 3);
        assert_eq!(back.dfs().len(), back.tokens().len());
    }

    #[test]
    fn extend_appends_without_renumbering() {
        let mut v = Vocab::from_counts(&counts_of(&DOCS[..2]), &cfg());
        let before: Vec<(String, i32)> = v
            .tokens()
            .iter()
            .map(|t| (t.to_string(), v.id(t)))
            .collect();
        let more = counts_of(&["new new cat", "new old"]);
        let added = v.extend(&more, &cfg(), Some(1));
        assert_eq!(added, 1);
        for (t, id) in &before {
            assert_eq!(v.id(t), *id);
        }
        assert_eq!(v.token(v.size() as i32 - 1), Some("new"));
        assert_eq!(v.tf(v.id("cat")), 2);
        assert_eq!(v.extend(&more, &cfg(), None), 1);
        assert!(v.contains("old"));
        let mut k = cfg();
        k.max_tokens = Some(v.tokens().len());
        assert_eq!(v.extend(&counts_of(&["zzz"]), &k, None), 0);
    }
}
