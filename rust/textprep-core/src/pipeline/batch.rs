//! The batch methods: normalized texts, flat tokens, padded or ragged ids, shapes, bags and counts of many
//! documents, cut into chunks that run on the pool and write into preallocated buffers.

use crate::config::Side;
use crate::encode::{idf, write_row, BagMode, CsrBuilder};
use crate::parallel::map_chunks;
use crate::tokenize::Tokens;
use crate::vocab::Counts;
use crate::{Error, Result};

use super::docs::{doc_chunks, map_doc_chunks};
use super::{Docs, Pipeline, Scratch};

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

impl Pipeline {
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
    pub(super) fn write_ids(
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::pipeline::tests::{fitted, ok};

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
}
