//! The immutable compiled pipeline: normalize -> tokenize -> ids (vocabulary or hashing) -> arrays.
//!
//! A `Pipeline` is never mutated after construction; `fit` builds a new one. Batch methods take [`Docs`] (texts, or
//! token lists from another tokenizer), cut them into byte-sized chunks (see `parallel`) and write into
//! preallocated buffers.
//!
//! Files: this one (the `Pipeline`, one document at a time, fitting), `docs.rs` (the documents of a batch:
//! texts or token lists, and their chunking), `batch.rs` (the batch methods and their output buffers) and `outputs.rs`
//! (the output kinds, as named arrays: what the bridge converts).

use crate::config::Config;
use crate::hashing::Hasher;
use crate::normalize::{Normalized, Normalizer};
use crate::tokenize::{shape_of, Tokenizer, Tokens};
use crate::vocab::{Counts, Vocab};
use crate::{Error, Result};

mod batch;
mod docs;
mod outputs;
pub mod stats;

pub use batch::{Encoded, FlatTokens};
pub use docs::Docs;
pub use outputs::{Column, Output, OutputKind};

/// Per-thread buffers reused across documents.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Normalized text and alignment.
    pub norm: Normalized,
    /// Tokens of the current document.
    pub toks: Tokens,
    /// Ids of the current document.
    pub ids: Vec<i32>,
    /// Shape classes of the current document.
    pub shapes: Vec<i32>,
    /// Words and protected flags of a document given as tokens, before n-grams.
    words: Tokens,
    protected: Vec<bool>,
    /// A document given as tokens, joined by `\n` (the text its tracked spans refer to), when tracking.
    joined: String,
    /// True when `toks.spans` already refer to the original text (documents given as tokens).
    spans_are_original: bool,
}

/// A compiled pipeline.
#[derive(Debug, Clone)]
pub struct Pipeline {
    config: Config,
    normalizer: Normalizer,
    tokenizer: Tokenizer,
    vocab: Option<Vocab>,
    hasher: Option<Hasher>,
}

impl Pipeline {
    /// Compile a pipeline from a config (no vocabulary yet). Each section is checked once, by the component that
    /// compiles it.
    pub fn new(config: Config) -> Result<Pipeline> {
        config.vocab.validate()?;
        config.hashing.validate()?;
        config.encode.validate()?;
        Ok(Pipeline {
            normalizer: Normalizer::new(&config.normalize)?,
            tokenizer: Tokenizer::new(&config.tokenize)?,
            hasher: Hasher::new(&config.hashing),
            vocab: None,
            config,
        })
    }

    /// Parse a config JSON and compile it: the one place a pipeline is built from text (parsed and checked once).
    pub fn from_config_json(config_json: &str) -> Result<Pipeline> {
        Pipeline::new(Config::parse_json(config_json)?)
    }

    /// A new pipeline with the same config and this vocabulary.
    pub fn with_vocab(&self, vocab: Vocab) -> Pipeline {
        Pipeline {
            vocab: Some(vocab),
            ..self.clone()
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The fitted vocabulary, if any.
    pub fn vocab(&self) -> Option<&Vocab> {
        self.vocab.as_ref()
    }

    /// True when ids come from hashing.
    pub fn is_hashed(&self) -> bool {
        self.hasher.is_some()
    }

    /// Number of ids per token position (hashes per token, or 1).
    pub fn ids_per_token(&self) -> usize {
        if self.hasher.is_some() {
            self.config.hashing.num_hashes.max(1) as usize
        } else {
            1
        }
    }

    /// Number of distinct ids (the input dimension of an embedding table).
    pub fn id_space(&self) -> Result<usize> {
        if let Some(n) = self.config.hashing.n_buckets {
            return Ok(match self.config.hashing.layout {
                crate::config::HashLayout::Padded => n as usize + 1,
                crate::config::HashLayout::Raw => n as usize,
            });
        }
        self.vocab
            .as_ref()
            .map(|v| v.size())
            .ok_or_else(|| Error::NotFitted("id_space".into()))
    }

    /// Normalize and tokenize one document into `s.toks` (cleared first).
    pub fn analyze(&self, text: &str, s: &mut Scratch, track: bool) {
        self.normalizer.normalize_into(text, &mut s.norm, track);
        s.toks.clear();
        s.spans_are_original = false;
        self.tokenizer.tokenize_into(&s.norm, &mut s.toks);
    }

    /// Normalize (unless `normalized`) and split each given token of one document into `s.toks`. When tracking,
    /// the spans refer to the tokens joined by `\n` (kept in `s.joined`), the document's original text.
    pub fn analyze_tokens(&self, tokens: &[&str], normalized: bool, s: &mut Scratch, track: bool) {
        s.words.clear();
        s.protected.clear();
        s.joined.clear();
        let mut base = 0usize;
        for (k, t) in tokens.iter().enumerate() {
            if k > 0 {
                base += 1;
                if track {
                    s.joined.push('\n');
                }
            }
            if track {
                s.joined.push_str(t);
            }
            if normalized {
                s.norm.set_verbatim(t, track);
            } else {
                self.normalizer.normalize_into(t, &mut s.norm, track);
            }
            let first = s.words.len();
            self.tokenizer
                .split_into(&s.norm, &mut s.words, &mut s.protected);
            if track {
                let align = &s.norm.align;
                for span in &mut s.words.spans[first..] {
                    let (a, b) = (span.0 as usize, span.1 as usize);
                    let (x, y) = match (align.get(a), b.checked_sub(1).and_then(|e| align.get(e))) {
                        (Some(p), Some(q)) if a < b => (p.0, q.1),
                        _ => (0, 0),
                    };
                    *span = (x + base as u32, y + base as u32);
                }
            }
            base += t.len();
        }
        s.toks.clear();
        s.spans_are_original = track;
        self.tokenizer
            .compose_into(&s.words, &s.protected, &mut s.toks);
    }

    /// Analyze document `i` of `docs`.
    fn analyze_doc(&self, docs: Docs<'_>, i: usize, s: &mut Scratch, track: bool) {
        match docs {
            Docs::Texts(t) => self.analyze(t[i], s, track),
            Docs::Tokens {
                tokens,
                splits,
                normalized,
            } => self.analyze_tokens(&tokens[splits[i]..splits[i + 1]], normalized, s, track),
        }
    }

    /// Normalized text of one document.
    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text)
    }

    /// Tokens of one document.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        let mut s = Scratch::default();
        self.analyze(text, &mut s, false);
        s.toks.iter().map(str::to_owned).collect()
    }

    /// Original byte range of each token of the analyzed document (needs `analyze(.., track = true)`).
    fn source_spans<'a>(&self, s: &'a Scratch) -> impl Iterator<Item = (usize, usize)> + 'a {
        s.toks.spans.iter().map(move |&(a, b)| {
            let (a, b) = (a as usize, b as usize);
            if s.spans_are_original {
                (a, b)
            } else if a >= b || b > s.norm.align.len() {
                let p = s.norm.align.get(a).map(|r| r.0 as usize).unwrap_or(0);
                (p, p)
            } else {
                (s.norm.align[a].0 as usize, s.norm.align[b - 1].1 as usize)
            }
        })
    }

    /// Character (start, end) of each token in the ORIGINAL text (Python `str` indices).
    pub fn offsets(&self, text: &str) -> Vec<(usize, usize)> {
        let mut s = Scratch::default();
        self.analyze(text, &mut s, true);
        let spans: Vec<(usize, usize)> = self.source_spans(&s).collect();
        // byte -> char index for every char boundary of the original text
        let mut char_at = vec![0usize; text.len() + 1];
        let mut ci = 0;
        for (bi, c) in text.char_indices() {
            for slot in &mut char_at[bi..bi + c.len_utf8()] {
                *slot = ci;
            }
            ci += 1;
        }
        char_at[text.len()] = ci;
        spans
            .into_iter()
            .map(|(a, b)| (char_at[a], char_at[b]))
            .collect()
    }

    /// Shape class of every token of the analyzed document, from its ORIGINAL text, into `s.shapes` (`text` is the
    /// document's text; a document given as tokens uses the tokens joined while analyzing).
    fn fill_shapes(&self, text: &str, s: &mut Scratch) {
        let spans: Vec<(usize, usize)> = self.source_spans(s).collect();
        let text = if s.spans_are_original {
            s.joined.as_str()
        } else {
            text
        };
        let shapes: Vec<i32> = spans
            .into_iter()
            .map(|(a, b)| shape_of(text.get(a..b).unwrap_or("")) as i32)
            .collect();
        s.shapes = shapes;
    }

    /// Shape classes of the tokens of one document.
    pub fn shapes(&self, text: &str) -> Vec<i32> {
        let mut s = Scratch::default();
        self.analyze(text, &mut s, true);
        self.fill_shapes(text, &mut s);
        s.shapes
    }

    /// Ids of the analyzed tokens into `s.ids` (k per token when hashing with k hashes).
    fn fill_ids(&self, s: &mut Scratch) -> Result<()> {
        s.ids.clear();
        if let Some(h) = &self.hasher {
            let k = self.ids_per_token() as u32;
            for t in s.toks.iter() {
                for i in 0..k {
                    s.ids.push(h.bucket(t, i).0);
                }
            }
            return Ok(());
        }
        let v = self
            .vocab
            .as_ref()
            .ok_or_else(|| Error::NotFitted("encode".into()))?;
        s.ids.extend(s.toks.iter().map(|t| v.id(t)));
        Ok(())
    }

    /// Ids of one document, unpadded.
    pub fn encode(&self, text: &str) -> Result<Vec<i32>> {
        let mut s = Scratch::default();
        self.analyze(text, &mut s, false);
        self.fill_ids(&mut s)?;
        Ok(s.ids)
    }

    /// Tokens of one document back from ids (padding skipped, OOV buckets as the OOV token).
    pub fn decode(&self, ids: &[i32]) -> Result<Vec<String>> {
        let v = self
            .vocab
            .as_ref()
            .ok_or_else(|| Error::NotFitted("decode".into()))?;
        let mut out = Vec::with_capacity(ids.len());
        for (i, &id) in ids.iter().enumerate() {
            if id == 0 {
                continue;
            }
            match v.token(id) {
                Some(t) => out.push(t.to_owned()),
                None => {
                    return Err(Error::Input {
                        index: None,
                        position: Some(i),
                        message: format!("id {id} is out of range 0..{}", v.size()),
                    })
                }
            }
        }
        Ok(out)
    }

    /// A new pipeline whose vocabulary gains the new tokens of `counts` after the existing ids (no renumbering).
    pub fn extend_vocab(
        &self,
        counts: &Counts,
        max_new: Option<usize>,
    ) -> Result<(Pipeline, usize)> {
        let mut v = self
            .vocab
            .clone()
            .ok_or_else(|| Error::NotFitted("extend_vocab".into()))?;
        let added = v.extend(counts, &self.config.vocab, max_new);
        Ok((self.with_vocab(v), added))
    }

    /// A new pipeline whose (fixed) vocabulary keeps its tokens and ids and takes its term and document
    /// frequencies from `counts` (the `fit` of a tokenizer that brings its own vocabulary).
    pub fn fit_stats(&self, counts: &Counts) -> Result<Pipeline> {
        let mut v = self
            .vocab
            .clone()
            .ok_or_else(|| Error::NotFitted("fit_stats".into()))?;
        v.set_stats(None, None, 0);
        v.extend(counts, &self.config.vocab, Some(0));
        Ok(self.with_vocab(v))
    }

    /// A new pipeline whose vocabulary is `tokens` in id order (the first gets id `1 + num_oov_buckets`), with term
    /// and document frequencies `tf`, `df` (in the same order) from `n_docs` documents when known: a tokenizer's own
    /// vocabulary, or one restored from elsewhere.
    pub fn with_tokens(
        &self,
        tokens: Vec<String>,
        tf: Option<Vec<u64>>,
        df: Option<Vec<u64>>,
        n_docs: u64,
    ) -> Result<Pipeline> {
        let mut v = Vocab::from_tokens(tokens, &self.config.vocab)?;
        v.set_stats(tf, df, n_docs);
        Ok(self.with_vocab(v))
    }

    /// A new pipeline whose vocabulary is fitted on `counts` with this config.
    pub fn fit_counts(&self, counts: &Counts) -> Pipeline {
        self.with_vocab(Vocab::from_counts(counts, &self.config.vocab))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::encode::BagMode;

    pub(crate) fn ok() -> impl FnMut() -> Result<()> {
        || Ok(())
    }

    pub(crate) fn fitted(texts: &[&str]) -> Pipeline {
        let p = Pipeline::new(Config::default()).unwrap();
        let c = p.count_batch(texts, &mut ok()).unwrap();
        p.fit_counts(&c)
    }

    #[test]
    fn fixed_vocabulary_keeps_ids_and_learns_stats() {
        let p = Pipeline::new(Config::default())
            .unwrap()
            .with_tokens(vec!["b".into(), "a".into()], None, None, 0)
            .unwrap();
        assert!(matches!(
            p.encode_bag(&["a b"], BagMode::TfIdf, false, &mut ok()),
            Err(Error::NoStats(_))
        ));
        let c = p.count_batch(&["a a c", "a"], &mut ok()).unwrap();
        let fitted = p.fit_stats(&c).unwrap();
        assert_eq!(
            fitted.vocab().unwrap().tokens(),
            p.vocab().unwrap().tokens()
        );
        assert_eq!(fitted.vocab().unwrap().df(3), 2);
        assert_eq!(fitted.vocab().unwrap().n_docs(), 2);
        assert!(fitted
            .encode_bag(&["a b"], BagMode::TfIdf, false, &mut ok())
            .is_ok());
    }
}
