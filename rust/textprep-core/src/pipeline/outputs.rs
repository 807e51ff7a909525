//! Output kinds: what a batch call hands back, as named arrays. The bridge has one entry for all of them (it turns
//! each array into numpy), so a new output kind is a variant and its arm here, plus the public method in Python.

use crate::encode::BagMode;
use crate::{Error, Result};

use super::{Docs, Pipeline};

/// The output kinds of a batch call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutputKind {
    /// Flat token buffers: `bytes` (UTF-8), `offsets` (token boundaries), `row_splits` (document boundaries).
    Tokens,
    /// Padded ids `ids` (n, width[, k]) and `lengths`, plus `shapes` (n, width) when asked (`None`: the config's).
    Padded {
        /// Row width (`None`: the config's, else the longest row).
        maxlen: Option<usize>,
        /// The shape channel.
        shapes: Option<bool>,
    },
    /// Unpadded ids: `values` and `row_splits`.
    Ragged,
    /// Shape classes of the tokens: `values` and `row_splits`.
    Shapes,
    /// A bag of ids per document as CSR: `data`, `indices`, `indptr` and `n_cols` (a 0-d array).
    Bag {
        /// What a column holds.
        mode: BagMode,
        /// Rows scaled to unit L2 norm.
        l2: bool,
    },
}

impl OutputKind {
    /// The kind called `name` with its options (`maxlen`, `shapes` for `padded`; `mode`, `l2` for `bag`).
    pub fn new(
        name: &str,
        maxlen: Option<usize>,
        shapes: Option<bool>,
        mode: Option<&str>,
        l2: bool,
    ) -> Result<OutputKind> {
        Ok(match name {
            "tokens" => OutputKind::Tokens,
            "padded" => OutputKind::Padded { maxlen, shapes },
            "ragged" => OutputKind::Ragged,
            "shapes" => OutputKind::Shapes,
            "bag" => OutputKind::Bag {
                mode: BagMode::from_name(mode.unwrap_or("count"))?,
                l2,
            },
            other => {
                return Err(Error::config(
                    "output",
                    format!(
                        "{other:?} is not one of 'tokens', 'padded', 'ragged', 'shapes', 'bag'"
                    ),
                ))
            }
        })
    }
}

/// One array of an output, row-major.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Bytes.
    U8(Vec<u8>),
    /// Ids, lengths, shapes.
    I32(Vec<i32>),
    /// Offsets and splits.
    I64(Vec<i64>),
    /// Weights.
    F32(Vec<f32>),
}

/// Named arrays with their shapes (an empty shape is a scalar).
pub type Output = Vec<(&'static str, Column, Vec<usize>)>;

impl Pipeline {
    /// The output of `kind` for a batch of documents.
    pub fn output<'a>(
        &self,
        docs: impl Into<Docs<'a>>,
        kind: OutputKind,
        check: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Output> {
        let docs = docs.into();
        let n = docs.len();
        let ragged = |(values, splits): (Vec<i32>, Vec<i64>)| -> Output {
            let len = values.len();
            vec![
                ("values", Column::I32(values), vec![len]),
                ("row_splits", Column::I64(splits), vec![n + 1]),
            ]
        };
        Ok(match kind {
            OutputKind::Tokens => {
                let f = self.tokenize_batch(docs, check)?;
                let (b, t) = (f.bytes.len(), f.offsets.len());
                vec![
                    ("bytes", Column::U8(f.bytes), vec![b]),
                    ("offsets", Column::I64(f.offsets), vec![t]),
                    ("row_splits", Column::I64(f.row_splits), vec![n + 1]),
                ]
            }
            OutputKind::Padded { maxlen, shapes } => {
                let e = self.encode_batch(docs, maxlen, shapes, check)?;
                let dims = if e.k > 1 {
                    vec![e.n, e.width, e.k]
                } else {
                    vec![e.n, e.width]
                };
                let mut out = vec![
                    ("ids", Column::I32(e.ids), dims),
                    ("lengths", Column::I32(e.lengths), vec![e.n]),
                ];
                if let Some(s) = e.shapes {
                    out.push(("shapes", Column::I32(s), vec![e.n, e.width]));
                }
                out
            }
            OutputKind::Ragged => ragged(self.encode_ragged(docs, check)?),
            OutputKind::Shapes => ragged(self.shapes_batch(docs, check)?),
            OutputKind::Bag { mode, l2 } => {
                let (csr, n_cols) = self.encode_bag(docs, mode, l2, check)?;
                let (indptr, indices, data) = csr.into_parts();
                let nnz = data.len();
                vec![
                    ("data", Column::F32(data), vec![nnz]),
                    ("indices", Column::I32(indices), vec![nnz]),
                    ("indptr", Column::I64(indptr), vec![n + 1]),
                    ("n_cols", Column::I64(vec![n_cols as i64]), vec![]),
                ]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::tests::{fitted, ok};

    #[test]
    fn every_kind_names_its_arrays_with_consistent_shapes() {
        let texts = ["a b b", "", "c"];
        let p = fitted(&texts);
        for (name, want) in [
            ("tokens", vec!["bytes", "offsets", "row_splits"]),
            ("padded", vec!["ids", "lengths"]),
            ("ragged", vec!["values", "row_splits"]),
            ("shapes", vec!["values", "row_splits"]),
            ("bag", vec!["data", "indices", "indptr", "n_cols"]),
        ] {
            let kind = OutputKind::new(name, None, None, None, false).unwrap();
            let out = p.output(&texts, kind, &mut ok()).unwrap();
            assert_eq!(out.iter().map(|c| c.0).collect::<Vec<_>>(), want, "{name}");
            for (col, data, shape) in &out {
                let len = match data {
                    Column::U8(v) => v.len(),
                    Column::I32(v) => v.len(),
                    Column::I64(v) => v.len(),
                    Column::F32(v) => v.len(),
                };
                assert_eq!(len, shape.iter().product::<usize>(), "{name}.{col}");
            }
        }
        assert!(OutputKind::new("hf", None, None, None, false).is_err());
        assert!(OutputKind::new("bag", None, None, Some("bags"), false).is_err());
    }
}
