//! The immutable compiled pipeline: normalize -> tokenize -> ids (vocabulary or hashing) -> arrays.
//!
//! A `Pipeline` is never mutated after construction; `fit` builds a new one. Batch methods take [`Docs`] (texts, or
//! token lists from another tokenizer), cut them into byte-sized chunks (see `parallel`) and write into
//! preallocated buffers.

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
    /// Words and protected flags of a document given as tokens, before n-grams.
    words: Tokens,
    protected: Vec<bool>,
    /// A document given as tokens, joined by `\n` (the text its tracked spans refer to), when tracking.
    joined: String,
    /// True when `toks.spans` already refer to the original text (documents given as tokens).
    spans_are_original: bool,
}

/// The documents of a batch.
#[derive(Debug, Clone, Copy)]
pub enum Docs<'a> {
    /// One text per document.
    Texts(&'a [&'a str]),
    /// Documents given as tokens by another tokenizer (`pretokenized.v1`): document `i` is
    /// `tokens[splits[i]..splits[i + 1]]`. Each token is normalized on its own, unless `normalized` says the caller
    /// normalized the text the tokens came from.
    Tokens {
        /// All tokens, document after document.
        tokens: &'a [&'a str],
        /// Document boundaries in `tokens` (`n + 1` entries, starting at 0).
        splits: &'a [usize],
        /// The tokens skip the normalizer.
        normalized: bool,
    },
}

impl Docs<'_> {
    /// Number of documents.
    pub fn len(&self) -> usize {
        match self {
            Docs::Texts(t) => t.len(),
            Docs::Tokens { splits, .. } => splits.len().saturating_sub(1),
        }
    }

    /// True when there is no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Input bytes of document `i` (for chunking).
    fn bytes(&self, i: usize) -> usize {
        match self {
            Docs::Texts(t) => t[i].len(),
            Docs::Tokens { tokens, splits, .. } => tokens[splits[i]..splits[i + 1]]
                .iter()
                .map(|t| t.len() + 1)
                .sum(),
        }
    }

    /// The text of document `i` (empty for documents given as tokens: their text is assembled while analyzing).
    fn text(&self, i: usize) -> &str {
        match self {
            Docs::Texts(t) => t[i],
            Docs::Tokens { .. } => "",
        }
    }
}

impl<'a> From<&'a [&'a str]> for Docs<'a> {
    fn from(t: &'a [&'a str]) -> Self {
        Docs::Texts(t)
    }
}

impl<'a> From<&'a Vec<&'a str>> for Docs<'a> {
    fn from(t: &'a Vec<&'a str>) -> Self {
        Docs::Texts(t)
    }
}

impl<'a, const N: usize> From<&'a [&'a str; N]> for Docs<'a> {
    fn from(t: &'a [&'a str; N]) -> Self {
        Docs::Texts(t)
    }
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

/// Chunks of `docs` (about `CHUNK_BYTES` each) and their input bytes.
fn doc_chunks(docs: Docs<'_>) -> (Vec<Range<usize>>, Vec<usize>) {
    let ranges = chunk_ranges(docs.len(), |i| docs.bytes(i));
    let bytes = ranges
        .iter()
        .map(|r| r.clone().map(|i| docs.bytes(i) + 16).sum())
        .collect();
    (ranges, bytes)
}

/// `f` on every document chunk of `docs` (sized by bytes), in parallel above the threshold, in chunk order.
fn map_doc_chunks<T: Send>(
    docs: Docs<'_>,
    f: impl Fn(Range<usize>) -> T + Sync,
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<T>> {
    let (ranges, bytes) = doc_chunks(docs);
    map_chunks(ranges, &bytes, f, check)
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

    /// Shape classes of every document's tokens as ragged rows: (values, row_splits of `n + 1` entries).
    pub fn shapes_batch<'a>(
        &self,
        docs: impl Into<Docs<'a>>,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<(Vec<i32>, Vec<i64>)> {
        let docs = docs.into();
        let parts = map_doc_chunks(
            docs,
            |r| {
                let mut s = Scratch::default();
                let (mut vals, mut ends) = (Vec::new(), Vec::with_capacity(r.len()));
                for i in r {
                    self.analyze_doc(docs, i, &mut s, true);
                    self.fill_shapes(docs.text(i), &mut s);
                    vals.extend_from_slice(&s.shapes);
                    ends.push(vals.len() as i64);
                }
                (vals, ends)
            },
            check,
        )?;
        let mut values = Vec::new();
        let mut splits = vec![0i64];
        for (vals, ends) in parts {
            let base = values.len() as i64;
            values.extend_from_slice(&vals);
            splits.extend(ends.into_iter().map(|e| base + e));
        }
        Ok((values, splits))
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

    /// Normalized text of every document of a batch (parallel chunks, input order); a document given as tokens
    /// gives its normalized tokens joined by spaces.
    pub fn normalize_batch<'a>(
        &self,
        docs: impl Into<Docs<'a>>,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Vec<String>> {
        let docs = docs.into();
        let parts = map_doc_chunks(
            docs,
            |r| {
                r.map(|i| match docs {
                    Docs::Texts(t) => self.normalize(t[i]),
                    Docs::Tokens {
                        tokens,
                        splits,
                        normalized,
                    } => {
                        let toks = &tokens[splits[i]..splits[i + 1]];
                        if normalized {
                            toks.join(" ")
                        } else {
                            toks.iter()
                                .map(|t| self.normalize(t))
                                .collect::<Vec<_>>()
                                .join(" ")
                        }
                    }
                })
                .collect::<Vec<_>>()
            },
            check,
        )?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// Tokens of a batch in flat buffers.
    pub fn tokenize_batch<'a>(
        &self,
        docs: impl Into<Docs<'a>>,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<FlatTokens> {
        let docs = docs.into();
        let parts = map_doc_chunks(
            docs,
            |r| {
                let mut s = Scratch::default();
                let mut out = Tokens::new();
                let mut rows = Vec::with_capacity(r.len());
                for i in r {
                    match docs {
                        // tokens go straight into the chunk's flat buffer (no per-document copy)
                        Docs::Texts(t) => {
                            self.normalizer.normalize_into(t[i], &mut s.norm, false);
                            self.tokenizer.tokenize_into(&s.norm, &mut out);
                        }
                        Docs::Tokens { .. } => {
                            self.analyze_doc(docs, i, &mut s, false);
                            for j in 0..s.toks.len() {
                                out.push(s.toks.get(j), s.toks.spans[j]);
                            }
                        }
                    }
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
            row_splits: Vec::with_capacity(docs.len() + 1),
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

    /// Ids of a batch as a padded matrix (`maxlen = None`: the config's, else the longest row), with lengths and
    /// shapes when `with_shapes` (`None`: the config's `tokenize.shapes`).
    pub fn encode_batch<'a>(
        &self,
        docs: impl Into<Docs<'a>>,
        maxlen: Option<usize>,
        with_shapes: Option<bool>,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Encoded> {
        let docs = docs.into();
        if self.hasher.is_none() && self.vocab.is_none() {
            return Err(Error::NotFitted("encode_batch".into()));
        }
        let with_shapes = with_shapes.unwrap_or(self.config.tokenize.shapes);
        let k = self.ids_per_token();
        let (padding, truncating) = (self.config.encode.padding, self.config.encode.truncating);
        let n = docs.len();
        let (ranges, bytes) = doc_chunks(docs);
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
                        for (j, i) in r.enumerate() {
                            self.analyze_doc(docs, i, &mut s, with_shapes);
                            self.fill_ids(&mut s)?;
                            let row = &mut ids_out[j * width * k..(j + 1) * width * k];
                            len_out[j] = self.write_ids(&s.ids, row, k, padding, truncating) as i32;
                            if let Some(so) = shp_out.as_deref_mut() {
                                self.fill_shapes(docs.text(i), &mut s);
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
                        for i in r {
                            self.analyze_doc(docs, i, &mut s, with_shapes);
                            self.fill_ids(&mut s)?;
                            ids.extend_from_slice(&s.ids);
                            lens.push((s.ids.len() / k) as i32);
                            if with_shapes {
                                self.fill_shapes(docs.text(i), &mut s);
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
    fn write_ids(
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
    pub fn encode_ragged<'a>(
        &self,
        docs: impl Into<Docs<'a>>,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<(Vec<i32>, Vec<i64>)> {
        let docs = docs.into();
        if self.hasher.is_none() && self.vocab.is_none() {
            return Err(Error::NotFitted("encode_ragged".into()));
        }
        let k = self.ids_per_token() as i64;
        let parts = map_doc_chunks(
            docs,
            |r| -> Result<(Vec<i32>, Vec<i64>)> {
                let mut s = Scratch::default();
                let (mut vals, mut ends) = (Vec::with_capacity(0), Vec::with_capacity(r.len()));
                for i in r {
                    self.analyze_doc(docs, i, &mut s, false);
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
    pub fn encode_bag<'a>(
        &self,
        docs: impl Into<Docs<'a>>,
        mode: BagMode,
        l2_normalize: bool,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<(CsrBuilder, usize)> {
        let docs = docs.into();
        let n_cols = self.id_space()?;
        let idf = match (mode, &self.vocab, &self.hasher) {
            (BagMode::TfIdf, Some(v), None) if v.n_docs() == 0 => {
                return Err(Error::NoStats("encode_bag(mode='tf_idf')".into()))
            }
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
            docs,
            |r| {
                let mut s = Scratch::default();
                let mut csr = CsrBuilder::with_capacity(r.len(), 0);
                let mut pairs: Vec<(i32, f32)> = Vec::new();
                for i in r {
                    self.analyze_doc(docs, i, &mut s, false);
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
        let mut out = CsrBuilder::with_capacity(docs.len(), parts.iter().map(|p| p.nnz()).sum());
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

    /// Token and document counts of a batch.
    pub fn count_batch<'a>(
        &self,
        docs: impl Into<Docs<'a>>,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Counts> {
        let docs = docs.into();
        let (ranges, bytes) = doc_chunks(docs);
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
                    for i in r {
                        self.analyze_doc(docs, i, &mut s, false);
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
                let c = self.count_batch(&refs[..], check)?;
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
        let e = p
            .encode_batch(&texts, Some(4), Some(false), &mut ok())
            .unwrap();
        assert_eq!((e.n, e.width, e.k), (4, 4, 1));
        for (i, t) in texts.iter().enumerate() {
            let ids = p.encode(t).unwrap();
            let mut row = vec![0; 4];
            write_row(&ids, &mut row, Side::Post, Side::Post);
            assert_eq!(&e.ids[i * 4..i * 4 + 4], &row[..]);
            assert_eq!(e.lengths[i] as usize, ids.len().min(4));
        }
        let e2 = p
            .encode_batch(&texts, None, Some(false), &mut ok())
            .unwrap();
        assert_eq!(e2.width, 8);
    }

    #[test]
    fn unfitted_encode_is_an_error() {
        let p = Pipeline::new(Config::default()).unwrap();
        assert!(matches!(
            p.encode_batch(&["x"], None, None, &mut ok()),
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
                .encode_batch(&texts, Some(width), Some(true), &mut ok())
                .unwrap_err();
            assert!(e.to_string().contains("encode.maxlen"), "{e}");
        }
        assert_eq!(
            p.encode_batch(&["a b"], Some(3), None, &mut ok())
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

    fn pretokenized(extra: &str) -> Pipeline {
        let cfg = format!(r#"{{"tokenize": {{"split": "pretokenized.v1"{extra}}}}}"#);
        Pipeline::from_config_json(&cfg).unwrap()
    }

    #[test]
    fn token_docs_are_normalized_token_by_token() {
        let p = pretokenized("");
        let tokens = ["Don", "'t", "ＳＴＯＰ", "", "x y"];
        let splits = [0, 3, 5];
        let docs = Docs::Tokens {
            tokens: &tokens,
            splits: &splits,
            normalized: false,
        };
        let f = p.tokenize_batch(docs, &mut ok()).unwrap();
        assert_eq!(f.row_splits, vec![0, 3, 4]);
        let toks: Vec<&str> = (0..4)
            .map(|j| {
                std::str::from_utf8(&f.bytes[f.offsets[j] as usize..f.offsets[j + 1] as usize])
                    .unwrap()
            })
            .collect();
        // one token per given token, whitespace inside kept, an empty token dropped
        assert_eq!(toks, ["don", "'t", "stop", "x y"]);
        // a plain text is a document of one token
        assert_eq!(p.tokenize("Ａ b"), ["a b"]);
        // already normalized tokens skip the normalizer
        let raw = Docs::Tokens {
            tokens: &tokens,
            splits: &splits,
            normalized: true,
        };
        let f = p.tokenize_batch(raw, &mut ok()).unwrap();
        assert_eq!(&f.bytes[..], "Don'tＳＴＯＰx y".as_bytes());
    }

    #[test]
    fn token_docs_shapes_come_from_the_given_tokens() {
        let p = pretokenized(r#", "shapes": true"#)
            .with_tokens(vec!["usa".into(), "iphone".into()], None, None, 0)
            .unwrap();
        let tokens = ["USA", "iPhone", "42"];
        let e = p
            .encode_batch(
                Docs::Tokens {
                    tokens: &tokens,
                    splits: &[0, 3],
                    normalized: false,
                },
                None,
                None,
                &mut ok(),
            )
            .unwrap();
        assert_eq!(e.ids, vec![2, 3, 1]);
        assert_eq!(e.shapes.unwrap(), vec![3, 4, 5]);
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
