//! Writing ids into preallocated buffers: padded rows, bags (CSR) and tf-idf weights.
//!
//! INTERFACE (fixed; the implementation may add items):
//! - `write_row(ids: &[i32], row: &mut [i32], padding: Side, truncating: Side) -> usize` (length written; the rest
//!   of `row` is zero)

use serde::{Deserialize, Serialize};

use crate::config::Side;

/// Write `ids` into `row` with padding (zeros) and truncation; returns the number of ids written.
pub fn write_row(ids: &[i32], row: &mut [i32], padding: Side, truncating: Side) -> usize {
    let n = ids.len().min(row.len());
    let src = match truncating {
        Side::Post => &ids[..n],
        Side::Pre => &ids[ids.len() - n..],
    };
    row.fill(0);
    match padding {
        Side::Post => row[..n].copy_from_slice(src),
        Side::Pre => {
            let off = row.len() - n;
            row[off..].copy_from_slice(src)
        }
    }
    n
}

/// What a bag-of-ids row holds per column (the names of Keras `TextVectorization`'s `output_mode`).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BagMode {
    /// 1.0 for every column present (scikit-learn `binary=True`: the sign is dropped, as `X.data.fill(1)` does).
    #[default]
    MultiHot,
    /// The sum of the values (occurrence counts, or signed counts with `alternate_sign`).
    Count,
    /// The summed count times `idf[column]`.
    TfIdf,
}

impl BagMode {
    /// The mode of a name (`"multi_hot"`, `"count"`, `"tf_idf"`); another name is an `Error::Config` at `mode`.
    pub fn from_name(name: &str) -> crate::Result<BagMode> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| {
            crate::Error::config(
                "mode",
                format!("{name:?} is not one of 'multi_hot', 'count', 'tf_idf'"),
            )
        })
    }
}

/// Smoothed inverse document frequency, as scikit-learn's `TfidfTransformer(smooth_idf=True)`:
/// `ln((1 + n_docs) / (1 + df)) + 1` for each document frequency.
pub fn idf(df: &[u64], n_docs: u64) -> Vec<f32> {
    let n = 1.0 + n_docs as f64;
    df.iter()
        .map(|&d| ((n / (1.0 + d as f64)).ln() + 1.0) as f32)
        .collect()
}

/// A CSR matrix built row by row (scipy layout: `indptr` has `n_rows + 1` entries starting at 0; the columns of
/// each row are sorted ascending and distinct).
#[derive(Debug, Clone, PartialEq)]
pub struct CsrBuilder {
    /// Row offsets into `indices`/`data` (`n_rows + 1` entries).
    pub indptr: Vec<i64>,
    /// Column of each stored value.
    pub indices: Vec<i32>,
    /// Stored values.
    pub data: Vec<f32>,
    drop_zeros: bool,
    scratch: Vec<(i32, f64)>,
}

impl Default for CsrBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl CsrBuilder {
    /// An empty matrix (zero rows).
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// An empty matrix with room for `rows` rows and `nnz` stored values.
    pub fn with_capacity(rows: usize, nnz: usize) -> Self {
        let mut indptr = Vec::with_capacity(rows + 1);
        indptr.push(0);
        CsrBuilder {
            indptr,
            indices: Vec::with_capacity(nnz),
            data: Vec::with_capacity(nnz),
            drop_zeros: false,
            scratch: Vec::new(),
        }
    }

    /// Whether columns whose signed values cancel out to 0 are dropped. Default `false`, matching scikit-learn's
    /// `HashingVectorizer`/`FeatureHasher`, which keep such explicit zeros (`sum_duplicates` does not prune them,
    /// and `binary=True` then turns them into 1).
    pub fn set_drop_zeros(&mut self, drop: bool) {
        self.drop_zeros = drop;
    }

    /// Number of rows added.
    pub fn n_rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// The three arrays `(indptr, indices, data)`.
    pub fn into_parts(self) -> (Vec<i64>, Vec<i32>, Vec<f32>) {
        (self.indptr, self.indices, self.data)
    }

    /// Add one row from `(column, value)` pairs (value 1.0 per occurrence, or the hash sign). Duplicate columns
    /// are summed, columns sorted ascending, then `mode` applies (`MultiHot`: 1.0; `Count`: the sum; `TfIdf`: the
    /// sum times `idf[column]`, 1.0 for a column outside `idf` or without `idf`), then the optional L2
    /// normalization (a zero row stays zero). Negative columns are ignored. Sums are in f64, stored as f32; the
    /// result does not depend on the order of the pairs. No allocation once the scratch buffer has grown.
    pub fn add_row<I>(
        &mut self,
        cols_with_values: I,
        mode: BagMode,
        idf: Option<&[f32]>,
        l2_normalize: bool,
    ) where
        I: IntoIterator<Item = (i32, f32)>,
    {
        if self.indptr.is_empty() {
            self.indptr.push(0);
        }
        let s = &mut self.scratch;
        s.clear();
        s.extend(
            cols_with_values
                .into_iter()
                .filter(|&(c, _)| c >= 0)
                .map(|(c, v)| (c, v as f64)),
        );
        s.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        // Sum duplicates in place: s[..m] holds (column, weighted value).
        let mut m = 0;
        let mut i = 0;
        while i < s.len() {
            let col = s[i].0;
            let mut sum = 0.0f64;
            while i < s.len() && s[i].0 == col {
                sum += s[i].1;
                i += 1;
            }
            let v = match mode {
                BagMode::MultiHot => 1.0,
                BagMode::Count => sum,
                BagMode::TfIdf => {
                    let w = idf
                        .and_then(|w| w.get(col as usize))
                        .map_or(1.0, |&w| w as f64);
                    sum * w
                }
            };
            if self.drop_zeros && v == 0.0 {
                continue;
            }
            s[m] = (col, v);
            m += 1;
        }
        let scale = if l2_normalize {
            let norm = s[..m].iter().map(|&(_, v)| v * v).sum::<f64>().sqrt();
            if norm > 0.0 {
                1.0 / norm
            } else {
                1.0
            }
        } else {
            1.0
        };
        for &(c, v) in &s[..m] {
            self.indices.push(c);
            self.data.push((v * scale) as f32);
        }
        self.indptr.push(self.indices.len() as i64);
        s.clear();
    }

    /// Append the rows of `other` after the rows of `self` (merging per-thread partial matrices in order).
    pub fn append(&mut self, other: CsrBuilder) {
        if self.indptr.is_empty() {
            self.indptr.push(0);
        }
        let offset = self.indices.len() as i64;
        let base = other.indptr.first().copied().unwrap_or(0);
        self.indptr
            .extend(other.indptr.iter().skip(1).map(|&p| offset + (p - base)));
        self.indices.extend_from_slice(&other.indices);
        self.data.extend_from_slice(&other.data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{HashAlgo, HashLayout, HashingConfig};
    use crate::hashing::Hasher;

    fn close(a: &[f32], b: &[f64]) {
        assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
        for (x, y) in a.iter().zip(b) {
            assert!((*x as f64 - y).abs() < 1e-6, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn pads_and_truncates() {
        let mut row = [9; 4];
        assert_eq!(
            write_row(&[1, 2, 3, 4, 5], &mut row, Side::Post, Side::Post),
            4
        );
        assert_eq!(row, [1, 2, 3, 4]);
        assert_eq!(
            write_row(&[1, 2, 3, 4, 5], &mut row, Side::Post, Side::Pre),
            4
        );
        assert_eq!(row, [2, 3, 4, 5]);
        assert_eq!(write_row(&[1, 2], &mut row, Side::Pre, Side::Post), 2);
        assert_eq!(row, [0, 0, 1, 2]);
        assert_eq!(write_row(&[], &mut row, Side::Post, Side::Post), 0);
        assert_eq!(row, [0; 4]);
    }

    #[test]
    fn bag_mode_serde_names() {
        assert_eq!(
            serde_json::to_string(&BagMode::TfIdf).unwrap(),
            "\"tf_idf\""
        );
        assert_eq!(
            serde_json::from_str::<BagMode>("\"multi_hot\"").unwrap(),
            BagMode::MultiHot
        );
    }

    #[test]
    fn idf_matches_sklearn() {
        // TfidfVectorizer(token_pattern=r"\S+").fit(["the cat sat on the mat", "the dog sat", "a cat and a dog",
        // "the the the"]).idf_ for a, and, cat, dog, mat, on, sat, the
        let dfs = [1, 1, 2, 2, 1, 1, 2, 3];
        let want = [
            1.916290731874155,
            1.916290731874155,
            1.5108256237659907,
            1.5108256237659907,
            1.916290731874155,
            1.916290731874155,
            1.5108256237659907,
            1.2231435513142097,
        ];
        close(&idf(&dfs, 4), &want);
    }

    #[test]
    fn tfidf_l2_matches_sklearn() {
        let docs = [
            "the cat sat on the mat",
            "the dog sat",
            "a cat and a dog",
            "the the the",
        ];
        let vocab = ["a", "and", "cat", "dog", "mat", "on", "sat", "the"];
        let w = idf(&[1, 1, 2, 2, 1, 1, 2, 3], 4);
        let mut b = CsrBuilder::new();
        for d in docs {
            let cols = d
                .split(' ')
                .map(|t| (vocab.iter().position(|v| *v == t).unwrap() as i32, 1.0));
            b.add_row(cols, BagMode::TfIdf, Some(&w), true);
        }
        // TfidfVectorizer(...).fit_transform(docs), indices sorted per row
        assert_eq!(b.indptr, [0, 5, 8, 12, 13]);
        assert_eq!(b.indices, [2, 4, 5, 6, 7, 3, 6, 7, 0, 1, 2, 3, 7]);
        close(
            &b.data,
            &[
                0.35715970626521537,
                0.4530117997395951,
                0.4530117997395951,
                0.35715970626521537,
                0.5783031272909357,
                0.6136667440107333,
                0.6136667440107333,
                0.4968161174826459,
                0.8004364950338771,
                0.4002182475169386,
                0.3155366632994909,
                0.3155366632994909,
                1.0,
            ],
        );
    }

    #[test]
    fn signed_hashing_matches_sklearn_hashing_vectorizer() {
        // HashingVectorizer(n_features=4, alternate_sign=True, token_pattern=r"\S+") on ["t0 t1 t199", "t0 t1"]:
        // norm=None -> indptr [0 2 3], indices [1 3 1], data [0 -1 0] (explicit zeros kept);
        // binary=True -> data [1 1 1]; norm="l2" -> data [0 -1 0].
        let h = Hasher::new(&HashingConfig {
            n_buckets: Some(4),
            hash: HashAlgo::Murmur3_32,
            layout: HashLayout::Raw,
            signed: true,
            ..HashingConfig::default()
        })
        .unwrap();
        let docs: [&[&str]; 2] = [&["t0", "t1", "t199"], &["t0", "t1"]];
        let build = |mode, l2| {
            let mut b = CsrBuilder::new();
            for d in docs {
                b.add_row(d.iter().map(|t| h.bucket(t, 0)), mode, None, l2);
            }
            b
        };
        let b = build(BagMode::Count, false);
        assert_eq!(
            (b.indptr.as_slice(), b.indices.as_slice()),
            (&[0i64, 2, 3][..], &[1, 3, 1][..])
        );
        assert_eq!(b.data, [0.0, -1.0, 0.0]);
        assert_eq!(build(BagMode::MultiHot, false).data, [1.0, 1.0, 1.0]);
        assert_eq!(build(BagMode::Count, true).data, [0.0, -1.0, 0.0]);
        let mut d = CsrBuilder::new();
        d.set_drop_zeros(true);
        for doc in docs {
            d.add_row(
                doc.iter().map(|t| h.bucket(t, 0)),
                BagMode::Count,
                None,
                false,
            );
        }
        assert_eq!(d.indptr, [0, 1, 1]);
        assert_eq!(d.indices, [3]);
        assert_eq!(d.data, [-1.0]);
    }

    #[test]
    fn counts_sorts_ignores_negative_and_handles_bad_idf() {
        let mut b = CsrBuilder::new();
        b.add_row(
            [(5, 1.0), (2, 1.0), (5, 1.0), (-1, 1.0)],
            BagMode::Count,
            None,
            false,
        );
        b.add_row(std::iter::empty(), BagMode::Count, None, true);
        b.add_row(
            [(9, 1.0), (1, 1.0)],
            BagMode::TfIdf,
            Some(&[0.5, 2.0]),
            false,
        );
        assert_eq!(b.indptr, [0, 2, 2, 4]);
        assert_eq!(b.indices, [2, 5, 1, 9]);
        assert_eq!(b.data, [1.0, 2.0, 2.0, 1.0]);
        assert_eq!(b.n_rows(), 3);
        assert_eq!(b.nnz(), 4);
    }

    #[test]
    fn append_merges_chunks_in_order() {
        let rows: [&[i32]; 4] = [&[1, 2], &[], &[3, 3], &[0]];
        let mut whole = CsrBuilder::new();
        for r in rows {
            whole.add_row(r.iter().map(|&c| (c, 1.0)), BagMode::Count, None, false);
        }
        let mut a = CsrBuilder::new();
        let mut b = CsrBuilder::new();
        for r in &rows[..2] {
            a.add_row(r.iter().map(|&c| (c, 1.0)), BagMode::Count, None, false);
        }
        for r in &rows[2..] {
            b.add_row(r.iter().map(|&c| (c, 1.0)), BagMode::Count, None, false);
        }
        a.append(CsrBuilder::new());
        a.append(b);
        assert_eq!(a, whole);
        let mut empty = CsrBuilder::new();
        empty.append(whole.clone());
        assert_eq!(empty, whole);
    }
}
