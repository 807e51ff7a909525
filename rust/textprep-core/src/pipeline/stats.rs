//! Statistics gathered while encoding, for monitoring after deployment: tokens and out-of-vocabulary (OOV)
//! tokens per document, occurrences of the first (most frequent) vocabulary ids, and the texts of unseen tokens,
//! all in the same pass that produces the ids (the text is normalized and tokenized once).
//!
//! The ids are exactly those of [`Pipeline::encode_batch`] (same analysis, same row writer); a test below checks
//! it row for row.

use super::docs::map_doc_chunks;
use crate::pipeline::{Docs, Encoded, Pipeline, Scratch};
use crate::vocab::Counts;
use crate::{Error, Result};

/// The row width of an encoded batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Width {
    /// The config's `maxlen`, or the longest row when it has none (what `encode_batch` does).
    #[default]
    Config,
    /// A fixed width (rows are padded and truncated as configured).
    Fixed(usize),
    /// The longest row of the batch (nothing is truncated).
    Longest,
}

/// What to gather besides the ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatsOptions {
    /// Count occurrences of ids `0..id_limit` (padding, OOV buckets, then the vocabulary in rank order, so the
    /// first ids are the most frequent training tokens); ids at or above it are summed in `other_ids`.
    pub id_limit: usize,
    /// Count the texts of OOV tokens in [`BatchStats::unseen`].
    pub unseen: bool,
    /// Keep about this many distinct unseen tokens (space-saving bound of [`Counts::set_cap`]); None = exact.
    pub unseen_cap: Option<usize>,
}

/// Statistics of one encoded batch.
#[derive(Debug, Default, Clone)]
pub struct BatchStats {
    /// Tokens per document before truncation.
    pub n_tokens: Vec<u32>,
    /// OOV tokens per document before truncation (always 0 with hashing: every token has an id).
    pub n_oov: Vec<u32>,
    /// Occurrences of each id below `id_limit` (index = id), over all positions before truncation.
    pub id_counts: Vec<u64>,
    /// Occurrences of ids at or above `id_limit`.
    pub other_ids: u64,
    /// Texts of OOV tokens: tf, df, and one document per input text (mergeable across batches).
    pub unseen: Counts,
}

impl BatchStats {
    fn new(docs: usize, opts: &StatsOptions) -> Self {
        let mut unseen = Counts::new();
        unseen.set_cap(opts.unseen_cap);
        BatchStats {
            n_tokens: Vec::with_capacity(docs),
            n_oov: Vec::with_capacity(docs),
            id_counts: vec![0; opts.id_limit],
            other_ids: 0,
            unseen,
        }
    }

    /// Append the statistics of the documents that follow (chunk order = document order).
    fn append(&mut self, other: BatchStats) {
        self.n_tokens.extend_from_slice(&other.n_tokens);
        self.n_oov.extend_from_slice(&other.n_oov);
        for (a, b) in self.id_counts.iter_mut().zip(&other.id_counts) {
            *a += b;
        }
        self.other_ids += other.other_ids;
        self.unseen.merge(&other.unseen);
    }
}

impl Pipeline {
    /// Ids of a batch as a padded matrix (as [`Pipeline::encode_batch`] without shapes) together with the
    /// batch's [`BatchStats`], gathered in the same pass over the text.
    pub fn encode_batch_stats<'a>(
        &self,
        docs: impl Into<Docs<'a>>,
        width: Width,
        opts: StatsOptions,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<(Encoded, BatchStats)> {
        if !self.is_hashed() && self.vocab().is_none() {
            return Err(Error::NotFitted("encode_batch_stats".into()));
        }
        let k = self.ids_per_token();
        // OOV ids are the buckets 1..=K of a vocabulary; with hashing every token has its own bucket id
        let max_oov = match (self.is_hashed(), self.vocab()) {
            (false, Some(v)) => v.num_oov() as i32,
            _ => 0,
        };
        let docs = docs.into();
        let parts = map_doc_chunks(
            docs,
            |r| -> Result<(Vec<i32>, BatchStats)> {
                let mut s = Scratch::default();
                let mut st = BatchStats::new(r.len(), &opts);
                let mut ids = Vec::new();
                let mut oov_at: Vec<usize> = Vec::new();
                for i in r {
                    self.analyze_doc(docs, i, &mut s, false);
                    self.fill_ids(&mut s)?;
                    oov_at.clear();
                    for (j, &id) in s.ids.iter().enumerate() {
                        match st.id_counts.get_mut(id as usize) {
                            Some(c) => *c += 1,
                            None => st.other_ids += 1,
                        }
                        if id >= 1 && id <= max_oov {
                            oov_at.push(j);
                        }
                    }
                    if opts.unseen {
                        st.unseen.add_doc(oov_at.iter().map(|&j| s.toks.get(j)));
                    }
                    st.n_tokens.push((s.ids.len() / k) as u32);
                    st.n_oov.push(oov_at.len() as u32);
                    ids.extend_from_slice(&s.ids);
                }
                Ok((ids, st))
            },
            check,
        )?;
        let parts = parts.into_iter().collect::<Result<Vec<_>>>()?;
        let longest = || {
            parts
                .iter()
                .flat_map(|p| p.1.n_tokens.iter())
                .copied()
                .max()
                .unwrap_or(0) as usize
        };
        let width = match width {
            Width::Fixed(w) => w,
            Width::Config => self.config().encode.maxlen.unwrap_or_else(longest),
            Width::Longest => longest(),
        }
        .max(1);
        let n = docs.len();
        let len = n
            .checked_mul(width)
            .and_then(|x| x.checked_mul(k))
            .filter(|&len| Vec::<i32>::new().try_reserve_exact(len).is_ok())
            .ok_or_else(|| {
                Error::config(
                    "encode.maxlen",
                    format!(
                        "{n} rows x {width} positions x {k} ids is more output than can be allocated; lower \
                         maxlen or encode in smaller batches"
                    ),
                )
            })?;
        let (padding, truncating) = (
            self.config().encode.padding,
            self.config().encode.truncating,
        );
        let mut out = Encoded {
            ids: vec![0; len],
            lengths: Vec::with_capacity(n),
            shapes: None,
            n,
            width,
            k,
        };
        let mut stats = BatchStats::new(n, &opts);
        let mut row_i = 0;
        for (ids, st) in parts {
            let mut pos = 0usize;
            for &l in &st.n_tokens {
                let l = l as usize;
                let row = &mut out.ids[row_i * width * k..(row_i + 1) * width * k];
                let written = self.write_ids(&ids[pos..pos + l * k], row, k, padding, truncating);
                out.lengths.push(written as i32);
                pos += l * k;
                row_i += 1;
            }
            stats.append(st);
        }
        Ok((out, stats))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, HashingConfig};

    fn ok() -> impl FnMut() -> Result<()> {
        || Ok(())
    }

    fn fitted(texts: &[&str], maxlen: Option<usize>) -> Pipeline {
        let mut cfg = Config::default();
        cfg.encode.maxlen = maxlen;
        let p = Pipeline::new(cfg).unwrap();
        let c = p.count_batch(texts, &mut ok()).unwrap();
        p.fit_counts(&c)
    }

    #[test]
    fn ids_equal_encode_batch_and_stats_count_every_token() {
        let train = ["the cat sat", "the dog sat", "the end"];
        let live = [
            "the cat and the zebra",
            "",
            "zebra zebra quokka sat",
            "the the the",
        ];
        for maxlen in [None, Some(2), Some(8)] {
            let p = fitted(&train, maxlen);
            let want = p.encode_batch(&live, None, Some(false), &mut ok()).unwrap();
            let opts = StatsOptions {
                id_limit: 4,
                unseen: true,
                unseen_cap: None,
            };
            let (got, st) = p
                .encode_batch_stats(&live, Width::Config, opts, &mut ok())
                .unwrap();
            assert_eq!(got, want);
            assert_eq!(st.n_tokens, vec![5, 0, 4, 3]);
            assert_eq!(st.n_oov, vec![2, 0, 3, 0]);
            // ids: 0 pad, 1 OOV, 2 "the", 3 "sat" (tf 3 and 2): the first four ids
            assert_eq!(st.id_counts, vec![0, 5, 5, 1]);
            assert_eq!(st.other_ids, 1); // "cat"
            assert_eq!(st.unseen.get("zebra"), Some((3, 2)));
            assert_eq!(st.unseen.get("quokka"), Some((1, 1)));
            assert_eq!(st.unseen.get("and"), Some((1, 1)));
            assert_eq!(st.unseen.n_docs(), 4);
        }
    }

    #[test]
    fn widths_and_parallel_chunks() {
        let docs: Vec<String> = (0..20_000)
            .map(|i| format!("w{} common w{} word{}", i % 97, i % 13, i))
            .collect();
        let texts: Vec<&str> = docs.iter().map(String::as_str).collect();
        let p = fitted(&texts[..5000], None);
        let opts = StatsOptions {
            id_limit: 10,
            unseen: true,
            unseen_cap: Some(100),
        };
        let serial = {
            crate::parallel::set_num_threads(1);
            p.encode_batch_stats(&texts, Width::Fixed(3), opts, &mut ok())
                .unwrap()
        };
        crate::parallel::set_num_threads(2);
        let (e, st) = p
            .encode_batch_stats(&texts, Width::Fixed(3), opts, &mut ok())
            .unwrap();
        crate::parallel::set_num_threads(0);
        assert_eq!(e, serial.0);
        assert_eq!(st.n_oov, serial.1.n_oov);
        assert_eq!(
            e,
            p.encode_batch(&texts, Some(3), Some(false), &mut ok())
                .unwrap()
        );
        assert_eq!(st.n_oov.iter().filter(|&&o| o == 1).count(), 15_000);
        let (l, _) = p
            .encode_batch_stats(&texts[..2], Width::Longest, opts, &mut ok())
            .unwrap();
        assert_eq!(l.width, 4);
    }

    #[test]
    fn hashed_pipelines_have_no_oov_and_unfitted_is_an_error() {
        let p = Pipeline::new(Config {
            hashing: HashingConfig {
                n_buckets: Some(8),
                ..Default::default()
            },
            ..Config::default()
        })
        .unwrap();
        let (e, st) = p
            .encode_batch_stats(
                &["a b c"],
                Width::Config,
                StatsOptions::default(),
                &mut ok(),
            )
            .unwrap();
        assert_eq!((e.width, st.n_oov.clone(), st.other_ids), (3, vec![0], 3));
        let unfitted = Pipeline::new(Config::default()).unwrap();
        assert!(matches!(
            unfitted.encode_batch_stats(&["x"], Width::Config, StatsOptions::default(), &mut ok()),
            Err(Error::NotFitted(_))
        ));
    }
}
