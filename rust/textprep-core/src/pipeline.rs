//! The immutable compiled pipeline: normalize -> tokenize -> ids (vocabulary or hashing) -> arrays.
//!
//! A `Pipeline` is never mutated after construction; `fit` builds a new one. Batch methods cut the input into
//! byte-sized chunks (see `parallel`) and write into preallocated buffers.

use std::ops::Range;

use crate::config::{Config, Side};
use crate::encode::{idf, write_row, BagMode, CsrBuilder};
use crate::hashing::Hasher;
use crate::normalize::{Normalized, Normalizer};
use crate::parallel::{chunk_ranges, map_chunks};
use crate::tokenize::{shape_of, Tokenizer, Tokens};
use crate::vocab::{Counts, Vocab};
use crate::{Error, Result};

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
}

/// Tokens of a batch in flat buffers: token `j` is `bytes[offsets[j]..offsets[j+1]]`, document `i` owns tokens
/// `row_splits[i]..row_splits[i+1]`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FlatTokens {
    /// Concatenated UTF-8 token texts.
    pub bytes: Vec<u8>,
    /// Token boundaries in `bytes` (len = tokens + 1).
    pub offsets: Vec<i64>,
    /// Document boundaries in tokens (len = docs + 1).
    pub row_splits: Vec<i64>,
}

/// A padded batch of ids.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Encoded {
    /// Row-major ids, `n * width * k`.
    pub ids: Vec<i32>,
    /// Number of real (non-padding) positions per row.
    pub lengths: Vec<i32>,
    /// Row-major shape classes `n * width` when requested.
    pub shapes: Option<Vec<i32>>,
    /// Number of rows.
    pub n: usize,
    /// Row width (maxlen).
    pub width: usize,
    /// Ids per position (hashes per token; 1 for a vocabulary).
    pub k: usize,
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

fn bytes_of<'a>(texts: &'a [&'a str]) -> impl Fn(usize) -> usize + 'a {
    move |i| texts[i].len()
}

/// A zeroed `n * width * k` output buffer, or a config error naming `maxlen` when it cannot be allocated (a huge
/// `maxlen` must not abort the process: `vec!` aborts on allocation failure, `try_reserve` reports it).
fn zeroed_output(n: usize, width: usize, k: usize) -> Result<Vec<i32>> {
    let too_big = || {
        Error::config(
            "encode.maxlen",
            format!(
                "{n} rows x {width} positions x {k} ids is more output than can be allocated; lower maxlen or \
                 encode in smaller batches"
            ),
        )
    };
    let len = n
        .checked_mul(width)
        .and_then(|x| x.checked_mul(k))
        .ok_or_else(too_big)?;
    // probe the allocation (untouched pages cost nothing), then let `vec!` take zeroed memory from calloc
    Vec::<i32>::new()
        .try_reserve_exact(len)
        .map_err(|_| too_big())?;
    Ok(vec![0i32; len])
}

fn chunk_bytes(texts: &[&str], ranges: &[Range<usize>]) -> Vec<usize> {
    ranges
        .iter()
        .map(|r| texts[r.clone()].iter().map(|t| t.len() + 16).sum())
        .collect()
}

/// `f` on every document chunk of `texts` (sized by bytes), in parallel above the threshold, in chunk order.
fn map_doc_chunks<T: Send>(
    texts: &[&str],
    f: impl Fn(Range<usize>) -> T + Sync,
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<T>> {
    let ranges = chunk_ranges(texts.len(), bytes_of(texts));
    let bytes = chunk_bytes(texts, &ranges);
    map_chunks(ranges, &bytes, f, check)
}

impl Pipeline {
    /// Compile a pipeline from a validated config (no vocabulary yet).
    pub fn new(config: Config) -> Result<Pipeline> {
        config.validate()?;
        Ok(Pipeline {
            normalizer: Normalizer::new(&config.normalize)?,
            tokenizer: Tokenizer::new(&config.tokenize)?,
            hasher: Hasher::new(&config.hashing),
            vocab: None,
            config,
        })
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
        self.tokenizer.tokenize_into(&s.norm, &mut s.toks);
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
            if a >= b || b > s.norm.align.len() {
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

    /// Shape class of every token of the analyzed document, from its ORIGINAL text, into `s.shapes`.
    fn fill_shapes(&self, text: &str, s: &mut Scratch) {
        let spans: Vec<(usize, usize)> = self.source_spans(s).collect();
        s.shapes.clear();
        s.shapes.extend(
            spans
                .into_iter()
                .map(|(a, b)| shape_of(text.get(a..b).unwrap_or("")) as i32),
        );
    }

    /// Shape classes of the tokens of one document.
    pub fn shapes(&self, text: &str) -> Vec<i32> {
        let mut s = Scratch::default();
        self.analyze(text, &mut s, true);
        self.fill_shapes(text, &mut s);
        s.shapes
    }

    /// Ids of the analyzed tokens into `s.ids` (k per token when hashing with k hashes).
    pub(crate) fn fill_ids(&self, s: &mut Scratch) -> Result<()> {
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

    /// Normalized text of every document of a batch (parallel chunks, input order).
    pub fn normalize_batch(
        &self,
        texts: &[&str],
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Vec<String>> {
        let parts = map_doc_chunks(
            texts,
            |r| {
                texts[r]
                    .iter()
                    .map(|t| self.normalize(t))
                    .collect::<Vec<_>>()
            },
            check,
        )?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// Tokens of a batch in flat buffers.
    pub fn tokenize_batch(
        &self,
        texts: &[&str],
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<FlatTokens> {
        let parts = map_doc_chunks(
            texts,
            |r| {
                let mut s = Scratch::default();
                let mut out = Tokens::new();
                let mut rows = Vec::with_capacity(r.len());
                for t in &texts[r] {
                    // tokens go straight into the chunk's flat buffer (no per-document copy)
                    self.normalizer.normalize_into(t, &mut s.norm, false);
                    self.tokenizer.tokenize_into(&s.norm, &mut out);
                    rows.push(out.len() as i64);
                }
                (out, rows)
            },
            check,
        )?;
        let total_bytes: usize = parts.iter().map(|p| p.0.bytes.len()).sum();
        let total_toks: usize = parts.iter().map(|p| p.0.len()).sum();
        let mut flat = FlatTokens {
            bytes: Vec::with_capacity(total_bytes),
            offsets: Vec::with_capacity(total_toks + 1),
            row_splits: Vec::with_capacity(texts.len() + 1),
        };
        flat.offsets.push(0);
        flat.row_splits.push(0);
        for (toks, rows) in parts {
            let base_b = flat.bytes.len() as i64;
            let base_t = (flat.offsets.len() - 1) as i64;
            flat.bytes.extend_from_slice(toks.bytes.as_bytes());
            flat.offsets
                .extend(toks.ends.iter().map(|&e| base_b + e as i64));
            flat.row_splits.extend(rows.iter().map(|&r| base_t + r));
        }
        Ok(flat)
    }

    /// Ids of a batch as a padded matrix (`maxlen = None`: the longest row), with lengths and optional shapes.
    pub fn encode_batch(
        &self,
        texts: &[&str],
        maxlen: Option<usize>,
        with_shapes: bool,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Encoded> {
        if self.hasher.is_none() && self.vocab.is_none() {
            return Err(Error::NotFitted("encode_batch".into()));
        }
        let k = self.ids_per_token();
        let (padding, truncating) = (self.config.encode.padding, self.config.encode.truncating);
        let n = texts.len();
        let ranges = chunk_ranges(n, bytes_of(texts));
        let bytes = chunk_bytes(texts, &ranges);
        match maxlen.or(self.config.encode.maxlen) {
            Some(width) => {
                let mut ids = zeroed_output(n, width, k)?;
                let mut lengths = vec![0i32; n];
                let mut shapes = if with_shapes {
                    Some(zeroed_output(n, width, 1)?)
                } else {
                    None
                };
                // hand each chunk its own disjoint slices of the output buffers
                let mut items = Vec::with_capacity(ranges.len());
                let (mut ids_rest, mut len_rest) = (ids.as_mut_slice(), lengths.as_mut_slice());
                let mut shp_rest = shapes.as_deref_mut();
                for r in &ranges {
                    let (a, b) = std::mem::take(&mut ids_rest).split_at_mut(r.len() * width * k);
                    ids_rest = b;
                    let (la, lb) = std::mem::take(&mut len_rest).split_at_mut(r.len());
                    len_rest = lb;
                    let sa = match shp_rest.take() {
                        Some(s) => {
                            let (x, y) = s.split_at_mut(r.len() * width);
                            shp_rest = Some(y);
                            Some(x)
                        }
                        None => None,
                    };
                    items.push((r.clone(), a, la, sa));
                }
                let results = map_chunks(
                    items,
                    &bytes,
                    |(r, ids_out, len_out, mut shp_out)| -> Result<()> {
                        let mut s = Scratch::default();
                        for (j, t) in texts[r].iter().enumerate() {
                            self.analyze(t, &mut s, with_shapes);
                            self.fill_ids(&mut s)?;
                            let row = &mut ids_out[j * width * k..(j + 1) * width * k];
                            len_out[j] = self.write_ids(&s.ids, row, k, padding, truncating) as i32;
                            if let Some(so) = shp_out.as_deref_mut() {
                                self.fill_shapes(t, &mut s);
                                write_row(
                                    &s.shapes,
                                    &mut so[j * width..(j + 1) * width],
                                    padding,
                                    truncating,
                                );
                            }
                        }
                        Ok(())
                    },
                    check,
                )?;
                results.into_iter().collect::<Result<Vec<()>>>()?;
                Ok(Encoded {
                    ids,
                    lengths,
                    shapes,
                    n,
                    width,
                    k,
                })
            }
            None => {
                let parts = map_chunks(
                    ranges,
                    &bytes,
                    |r| -> Result<(Vec<i32>, Vec<i32>, Vec<i32>)> {
                        let mut s = Scratch::default();
                        let (mut ids, mut lens, mut shp) =
                            (Vec::new(), Vec::with_capacity(r.len()), Vec::new());
                        for t in &texts[r] {
                            self.analyze(t, &mut s, with_shapes);
                            self.fill_ids(&mut s)?;
                            ids.extend_from_slice(&s.ids);
                            lens.push((s.ids.len() / k) as i32);
                            if with_shapes {
                                self.fill_shapes(t, &mut s);
                                shp.extend_from_slice(&s.shapes);
                            }
                        }
                        Ok((ids, lens, shp))
                    },
                    check,
                )?;
                let parts = parts.into_iter().collect::<Result<Vec<_>>>()?;
                let width = parts
                    .iter()
                    .flat_map(|p| p.1.iter())
                    .copied()
                    .max()
                    .unwrap_or(0)
                    .max(0) as usize;
                let width = width.max(1);
                let mut out = Encoded {
                    ids: vec![0; n * width * k],
                    lengths: Vec::with_capacity(n),
                    shapes: if with_shapes {
                        Some(vec![0; n * width])
                    } else {
                        None
                    },
                    n,
                    width,
                    k,
                };
                let mut row_i = 0;
                for (ids, lens, shp) in parts {
                    let (mut pos, mut spos) = (0usize, 0usize);
                    for &l in &lens {
                        let l = l as usize;
                        let row = &mut out.ids[row_i * width * k..(row_i + 1) * width * k];
                        self.write_ids(&ids[pos..pos + l * k], row, k, padding, truncating);
                        pos += l * k;
                        if let Some(so) = out.shapes.as_mut() {
                            write_row(
                                &shp[spos..spos + l],
                                &mut so[row_i * width..(row_i + 1) * width],
                                padding,
                                truncating,
                            );
                            spos += l;
                        }
                        out.lengths.push(l as i32);
                        row_i += 1;
                    }
                }
                Ok(out)
            }
        }
    }

    /// Write the ids of one document (k per position) into a row of `width * k` values.
    pub(crate) fn write_ids(
        &self,
        ids: &[i32],
        row: &mut [i32],
        k: usize,
        padding: Side,
        truncating: Side,
    ) -> usize {
        if k == 1 {
            return write_row(ids, row, padding, truncating);
        }
        let width = row.len() / k;
        let len = ids.len() / k;
        let n = len.min(width);
        let src0 = match truncating {
            Side::Post => 0,
            Side::Pre => len - n,
        };
        let dst0 = match padding {
            Side::Post => 0,
            Side::Pre => width - n,
        };
        row.fill(0);
        row[dst0 * k..(dst0 + n) * k].copy_from_slice(&ids[src0 * k..(src0 + n) * k]);
        n
    }

    /// Ids of a batch as ragged rows: `values` and `row_splits` (len n + 1).
    pub fn encode_ragged(
        &self,
        texts: &[&str],
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<(Vec<i32>, Vec<i64>)> {
        if self.hasher.is_none() && self.vocab.is_none() {
            return Err(Error::NotFitted("encode_ragged".into()));
        }
        let k = self.ids_per_token() as i64;
        let parts = map_doc_chunks(
            texts,
            |r| -> Result<(Vec<i32>, Vec<i64>)> {
                let mut s = Scratch::default();
                let (mut vals, mut ends) = (Vec::new(), Vec::with_capacity(r.len()));
                for t in &texts[r] {
                    self.analyze(t, &mut s, false);
                    self.fill_ids(&mut s)?;
                    vals.extend_from_slice(&s.ids);
                    ends.push(vals.len() as i64 / k);
                }
                Ok((vals, ends))
            },
            check,
        )?;
        let mut values = Vec::new();
        let mut splits = vec![0i64];
        for p in parts {
            let (vals, ends) = p?;
            let base = values.len() as i64 / k;
            values.extend_from_slice(&vals);
            splits.extend(ends.into_iter().map(|e| base + e));
        }
        Ok((values, splits))
    }

    /// Bag of ids per document as CSR (`indptr`, `indices`, `data`) with `id_space` columns: column = id (a
    /// vocabulary id, or a hashed id in the configured layout). With hashing and `signed`, each occurrence adds
    /// the hash sign (scikit-learn's `alternate_sign`). `TfIdf` needs a fitted vocabulary (document frequencies).
    pub fn encode_bag(
        &self,
        texts: &[&str],
        mode: BagMode,
        l2_normalize: bool,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<(CsrBuilder, usize)> {
        let n_cols = self.id_space()?;
        let idf = match (mode, &self.vocab, &self.hasher) {
            (BagMode::TfIdf, Some(v), None) => Some(idf(&v.df_by_id(), v.n_docs())),
            (BagMode::TfIdf, _, _) => {
                return Err(Error::config(
                    "mode",
                    "'tf_idf' needs document frequencies from a fitted vocabulary; hashed pipelines support \
                     'count' and 'multi_hot'",
                ))
            }
            _ => None,
        };
        let signed = self.config.hashing.signed;
        let k = self.ids_per_token() as u32;
        let parts = map_doc_chunks(
            texts,
            |r| {
                let mut s = Scratch::default();
                let mut csr = CsrBuilder::with_capacity(r.len(), 0);
                let mut pairs: Vec<(i32, f32)> = Vec::new();
                for t in &texts[r] {
                    self.analyze(t, &mut s, false);
                    pairs.clear();
                    match (&self.hasher, &self.vocab) {
                        (Some(h), _) => {
                            for tok in s.toks.iter() {
                                for i in 0..k {
                                    let (id, sign) = h.bucket(tok, i);
                                    pairs.push((id, if signed { sign } else { 1.0 }));
                                }
                            }
                        }
                        (None, Some(v)) => pairs.extend(s.toks.iter().map(|tok| (v.id(tok), 1.0))),
                        (None, None) => {}
                    }
                    csr.add_row(pairs.iter().copied(), mode, idf.as_deref(), l2_normalize);
                }
                csr
            },
            check,
        )?;
        let mut out = CsrBuilder::with_capacity(texts.len(), parts.iter().map(|p| p.nnz()).sum());
        for p in parts {
            out.append(p);
        }
        Ok((out, n_cols))
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

    /// Token and document counts of a batch.
    pub fn count_batch(
        &self,
        texts: &[&str],
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Counts> {
        let ranges = chunk_ranges(texts.len(), bytes_of(texts));
        let bytes = chunk_bytes(texts, &ranges);
        // Merge the chunk counts group by group (about 4 chunks per thread): holding every chunk's counts until
        // the end peaked at ~10x the text size on a 75 MB batch with a large vocabulary, and long documents (one
        // chunk each, each chunk's counts holding the whole vocabulary) were worse (tests/test_resources.py).
        // Exact counts merge to the same result in any grouping.
        let group_bytes = (crate::parallel::num_threads() * 4 * crate::parallel::CHUNK_BYTES)
            .max(4 * 1024 * 1024);
        let mut groups = Vec::new();
        let (mut start, mut acc) = (0, 0);
        for (i, &b) in bytes.iter().enumerate() {
            acc += b;
            if acc >= group_bytes || i + 1 == bytes.len() {
                groups.push(start..i + 1);
                (start, acc) = (i + 1, 0);
            }
        }
        let mut total = Counts::new();
        for g in groups {
            let parts = map_chunks(
                ranges[g.clone()].to_vec(),
                &bytes[g],
                |r| {
                    let mut s = Scratch::default();
                    let mut c = Counts::new();
                    for t in &texts[r] {
                        self.analyze(t, &mut s, false);
                        c.add_doc(s.toks.iter());
                    }
                    c
                },
                check,
            )?;
            for p in &parts {
                total.merge(p);
            }
        }
        Ok(total)
    }

    /// Token and document counts of corpus files (one document per line), streamed in bounded blocks.
    pub fn count_files(
        &self,
        paths: &[String],
        policy: crate::corpus::InvalidUtf8,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Counts> {
        let mut total = Counts::new();
        for path in paths {
            crate::corpus::for_each_block(path, policy, |block| {
                let refs: Vec<&str> = block.iter().map(String::as_str).collect();
                let c = self.count_batch(&refs, check)?;
                total.merge(&c);
                Ok(())
            })?;
        }
        Ok(total)
    }

    /// A new pipeline whose vocabulary is fitted on `counts` with this config.
    pub fn fit_counts(&self, counts: &Counts) -> Pipeline {
        self.with_vocab(Vocab::from_counts(counts, &self.config.vocab))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> impl FnMut() -> Result<()> {
        || Ok(())
    }

    fn fitted(texts: &[&str]) -> Pipeline {
        let p = Pipeline::new(Config::default()).unwrap();
        let c = p.count_batch(texts, &mut ok()).unwrap();
        p.fit_counts(&c)
    }

    #[test]
    fn normalize_batch_equals_normalize_at_any_thread_count() {
        let p = Pipeline::new(Config::default()).unwrap();
        let docs: Vec<String> = (0..5000)
            .map(|i| format!("Ｔｈｅ ﬁnal <b>Straße</b> {i} ÉCOLE\u{301}"))
            .collect();
        let texts: Vec<&str> = docs.iter().map(String::as_str).collect();
        let want: Vec<String> = texts.iter().map(|t| p.normalize(t)).collect();
        for threads in [1, 2] {
            crate::parallel::set_num_threads(threads);
            assert_eq!(p.normalize_batch(&texts, &mut || Ok(())).unwrap(), want);
        }
    }

    #[test]
    fn encode_batch_rows_equal_single_encode() {
        let texts = ["the cat sat", "the dog", "", "a cat and a dog and a bird"];
        let p = fitted(&texts);
        let e = p.encode_batch(&texts, Some(4), false, &mut ok()).unwrap();
        assert_eq!((e.n, e.width, e.k), (4, 4, 1));
        for (i, t) in texts.iter().enumerate() {
            let ids = p.encode(t).unwrap();
            let mut row = vec![0; 4];
            write_row(&ids, &mut row, Side::Post, Side::Post);
            assert_eq!(&e.ids[i * 4..i * 4 + 4], &row[..]);
            assert_eq!(e.lengths[i] as usize, ids.len().min(4));
        }
        let e2 = p.encode_batch(&texts, None, false, &mut ok()).unwrap();
        assert_eq!(e2.width, 8);
    }

    #[test]
    fn unfitted_encode_is_an_error() {
        let p = Pipeline::new(Config::default()).unwrap();
        assert!(matches!(
            p.encode_batch(&["x"], None, false, &mut ok()),
            Err(Error::NotFitted(_))
        ));
    }

    #[test]
    fn ragged_matches_padded() {
        let texts = ["one two three", "four", "five six"];
        let p = fitted(&texts);
        let (v, s) = p.encode_ragged(&texts, &mut ok()).unwrap();
        assert_eq!(s, vec![0, 3, 4, 6]);
        assert_eq!(v.len(), 6);
    }

    #[test]
    fn huge_maxlen_is_an_error_not_an_abort() {
        // found by tests/test_hostile.py: maxlen=2**40 aborted the process on allocation failure
        let p = Pipeline::new(Config {
            hashing: crate::config::HashingConfig {
                n_buckets: Some(8),
                ..Default::default()
            },
            ..Config::default()
        })
        .unwrap();
        for (n, width) in [(1, 1usize << 40), (3, usize::MAX / 2)] {
            let texts = vec!["a b"; n];
            let e = p
                .encode_batch(&texts, Some(width), true, &mut ok())
                .unwrap_err();
            assert!(e.to_string().contains("encode.maxlen"), "{e}");
        }
        assert_eq!(
            p.encode_batch(&["a b"], Some(3), false, &mut ok())
                .unwrap()
                .lengths,
            vec![2]
        );
    }

    #[test]
    fn flat_tokens_layout() {
        let p = Pipeline::new(Config::default()).unwrap();
        let f = p.tokenize_batch(&["a b", "", "c"], &mut ok()).unwrap();
        assert_eq!(f.row_splits, vec![0, 2, 2, 3]);
        assert_eq!(f.offsets, vec![0, 1, 2, 3]);
        assert_eq!(f.bytes, b"abc");
    }
}
