//! The compiled pipeline handle: documents in ([`Batch`]), engine call through [`run`], arrays out.

use std::sync::Arc;

use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use textprep_core::config::Errors;
use textprep_core::corpus::InvalidUtf8;
use textprep_core::pipeline::{Column, OutputKind, Pipeline as CorePipeline};
use textprep_core::stats::{StatsOptions, Width};
use textprep_core::{artifact, Error};

use crate::docs::{extract_text, Batch, TokenDocs};
use crate::errors::{guard, run};
use crate::io::PyCounts;

type Arr<'py, T> = Bound<'py, PyArray1<T>>;

/// The compiled pipeline (immutable; shared freely across threads). The config is parsed once, when the handle is
/// built, and kept as its JSON text for `config_json`.
#[pyclass(frozen, module = "textprep._core", name = "Pipeline")]
pub struct PyPipeline {
    inner: Arc<CorePipeline>,
    config_json: String,
    replace: bool,
}

impl PyPipeline {
    fn wrap(p: CorePipeline) -> Self {
        PyPipeline {
            replace: p.config().normalize.surrogates == Errors::Replace,
            config_json: p.config().to_json(),
            inner: Arc::new(p),
        }
    }

    /// `f` on one text, detached.
    fn one<T: Send>(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        f: impl FnOnce(&CorePipeline, &str) -> textprep_core::Result<T> + Send,
    ) -> PyResult<T> {
        let (t, p) = (extract_text(text, None, self.replace)?, self.inner.clone());
        run(py, move |_| f(&p, t.as_str()))
    }

    fn batch(&self, texts: &Bound<'_, PyAny>) -> PyResult<Batch> {
        Batch::extract(texts, self.replace, 0)
    }
}

#[pymethods]
impl PyPipeline {
    #[new]
    fn new(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        Ok(Self::wrap(guard(py, || CorePipeline::from_config_json(config_json))?))
    }

    /// The config as JSON (every leaf present).
    fn config_json(&self) -> &str {
        &self.config_json
    }

    fn normalize(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<String> {
        self.one(py, text, |p, t| Ok(p.normalize(t)))
    }

    /// Normalized text of every item (one crossing, detached, parallel above a size threshold).
    fn normalize_batch(&self, py: Python<'_>, texts: &Bound<'_, PyList>) -> PyResult<Vec<String>> {
        let (b, p) = (self.batch(texts)?, self.inner.clone());
        run(py, move |check| b.with(|d| p.normalize_batch(d, check)))
    }

    fn tokenize(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        self.one(py, text, |p, t| Ok(p.tokenize(t)))
    }

    fn offsets(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Vec<(usize, usize)>> {
        self.one(py, text, |p, t| Ok(p.offsets(t)))
    }

    fn shapes<'py>(&self, py: Python<'py>, text: &Bound<'py, PyAny>) -> PyResult<Arr<'py, i32>> {
        Ok(self.one(py, text, |p, t| Ok(p.shapes(t)))?.into_pyarray(py))
    }

    fn encode<'py>(&self, py: Python<'py>, text: &Bound<'py, PyAny>) -> PyResult<Arr<'py, i32>> {
        Ok(self.one(py, text, |p, t| p.encode(t))?.into_pyarray(py))
    }

    fn decode(&self, py: Python<'_>, ids: Vec<i32>) -> PyResult<Vec<String>> {
        guard(py, || self.inner.decode(&ids))
    }

    /// Token lists of another tokenizer as engine documents (extracted once; `normalized`: skip the normalizer).
    #[pyo3(signature = (docs, normalized=false, start=0))]
    fn token_docs(&self, docs: &Bound<'_, PyAny>, normalized: bool, start: usize) -> PyResult<TokenDocs> {
        TokenDocs::extract(docs, normalized, self.replace, start)
    }

    /// The output `kind` of a batch as a dict of numpy arrays (see `textprep_core::pipeline::OutputKind`: `tokens`,
    /// `padded` with `maxlen` and `shapes`, `ragged`, `shapes`, `bag` with `mode` and `l2`).
    #[pyo3(signature = (texts, kind, maxlen=None, shapes=None, mode=None, l2=false))]
    #[allow(clippy::too_many_arguments)] // the options of every kind, as keywords
    fn output<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        kind: &str,
        maxlen: Option<usize>,
        shapes: Option<bool>,
        mode: Option<&str>,
        l2: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let kind = guard(py, || OutputKind::new(kind, maxlen, shapes, mode, l2))?;
        let (b, p) = (self.batch(texts)?, self.inner.clone());
        let out = run(py, move |check| b.with(|d| p.output(d, kind, check)))?;
        let dict = PyDict::new(py);
        for (name, column, shape) in out {
            let array = match column {
                Column::U8(v) => v.into_pyarray(py).into_any(),
                Column::I32(v) => v.into_pyarray(py).into_any(),
                Column::I64(v) => v.into_pyarray(py).into_any(),
                Column::F32(v) => v.into_pyarray(py).into_any(),
            };
            dict.set_item(name, array.call_method1("reshape", (shape,))?)?;
        }
        Ok(dict)
    }

    /// Padded ids and the statistics of the same pass (`textprep_core::stats`): (ids, lengths, n_tokens, n_oov,
    /// id_counts (id_limit,), other_ids, unseen Counts). `longest` ignores the config's maxlen.
    #[pyo3(signature = (texts, maxlen=None, longest=false, id_limit=0, unseen=true, unseen_cap=None))]
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn encode_batch_stats<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        maxlen: Option<usize>,
        longest: bool,
        id_limit: usize,
        unseen: bool,
        unseen_cap: Option<usize>,
    ) -> PyResult<(
        Bound<'py, PyAny>,
        Arr<'py, i32>,
        Arr<'py, u32>,
        Arr<'py, u32>,
        Arr<'py, u64>,
        u64,
        PyCounts,
    )> {
        let width = match (maxlen, longest) {
            (Some(w), _) => Width::Fixed(w),
            (None, true) => Width::Longest,
            (None, false) => Width::Config,
        };
        let opts = StatsOptions { id_limit, unseen, unseen_cap };
        let (b, p) = (self.batch(texts)?, self.inner.clone());
        let (e, st) = run(py, move |check| b.with(|d| p.encode_batch_stats(d, width, opts, check)))?;
        let shape = if e.k > 1 { vec![e.n, e.width, e.k] } else { vec![e.n, e.width] };
        let ids = e.ids.into_pyarray(py).call_method1("reshape", (shape,))?;
        let (n_tokens, n_oov) = (st.n_tokens.into_pyarray(py), st.n_oov.into_pyarray(py));
        let unseen = PyCounts { inner: st.unseen };
        Ok((
            ids,
            e.lengths.into_pyarray(py),
            n_tokens,
            n_oov,
            st.id_counts.into_pyarray(py),
            st.other_ids,
            unseen,
        ))
    }

    /// Lists of str per document; repeated tokens share one str object.
    fn tokenize_lists<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (b, p) = (self.batch(texts)?, self.inner.clone());
        let f = run(py, move |check| b.with(|d| p.tokenize_batch(d, check)))?;
        // One str object per distinct token (FxHash: tokens are short), lists built at their final size.
        let mut cache: rustc_hash::FxHashMap<&[u8], Bound<'py, PyString>> = Default::default();
        let mut rows = Vec::with_capacity(f.row_splits.len() - 1);
        for w in f.row_splits.windows(2) {
            let row = (w[0] as usize..w[1] as usize).map(|j| {
                let bytes = &f.bytes[f.offsets[j] as usize..f.offsets[j + 1] as usize];
                let s = cache.entry(bytes).or_insert_with(|| {
                    PyString::new(py, std::str::from_utf8(bytes).expect("engine tokens are UTF-8"))
                });
                s.clone()
            });
            rows.push(PyList::new(py, row)?);
        }
        PyList::new(py, rows)
    }

    /// A new pipeline with new tokens appended after the existing ids, and how many were added.
    #[pyo3(signature = (counts, max_new=None))]
    fn extend_vocab(
        &self,
        py: Python<'_>,
        counts: &PyCounts,
        max_new: Option<usize>,
    ) -> PyResult<(Self, usize)> {
        let (p, n) = guard(py, || self.inner.extend_vocab(&counts.inner, max_new))?;
        Ok((Self::wrap(p), n))
    }

    /// Token/document counts of a batch; indices in error messages start at `start` (a chunk of a stream).
    #[pyo3(signature = (texts, start=0))]
    fn count(&self, py: Python<'_>, texts: &Bound<'_, PyAny>, start: usize) -> PyResult<PyCounts> {
        let (b, p) = (Batch::extract(texts, self.replace, start)?, self.inner.clone());
        let inner = run(py, move |check| b.with(|d| p.count_batch(d, check)))?;
        Ok(PyCounts { inner })
    }

    /// Token/document counts of corpus files (the engine reads and streams them).
    #[pyo3(signature = (paths, encoding_errors="strict"))]
    fn count_files(&self, py: Python<'_>, paths: Vec<String>, encoding_errors: &str) -> PyResult<PyCounts> {
        let policy = guard(py, || InvalidUtf8::parse(encoding_errors))?;
        let p = self.inner.clone();
        let inner = run(py, move |check| p.count_files(&paths, policy, check))?;
        Ok(PyCounts { inner })
    }

    /// A new pipeline with a vocabulary fitted on `counts`.
    fn fit_counts(&self, py: Python<'_>, counts: &PyCounts) -> PyResult<Self> {
        let (p, c) = (self.inner.clone(), counts.inner.clone());
        Ok(Self::wrap(run(py, move |_| Ok(p.fit_counts(&c)))?))
    }

    /// A new pipeline whose fixed vocabulary takes its frequencies from `counts` (ids unchanged).
    fn fit_stats(&self, py: Python<'_>, counts: &PyCounts) -> PyResult<Self> {
        Ok(Self::wrap(guard(py, || self.inner.fit_stats(&counts.inner))?))
    }

    /// A new pipeline whose vocabulary is `tokens` in id order (a tokenizer's own vocabulary, or a restored one).
    #[pyo3(signature = (tokens, tf=None, df=None, n_docs=0))]
    fn with_tokens(
        &self,
        py: Python<'_>,
        tokens: Vec<String>,
        tf: Option<Vec<u64>>,
        df: Option<Vec<u64>>,
        n_docs: u64,
    ) -> PyResult<Self> {
        let p = guard(py, || self.inner.with_tokens(tokens, tf, df, n_docs))?;
        Ok(Self::wrap(p))
    }

    /// The artifact JSON.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let p = self.inner.clone();
        run(py, move |_| Ok(artifact::to_json(&p)))
    }

    /// Load from the artifact JSON.
    #[staticmethod]
    fn from_json(py: Python<'_>, s: &str) -> PyResult<Self> {
        let text = s.to_owned();
        Ok(Self::wrap(run(py, move |_| artifact::from_json(&text))?))
    }

    fn fingerprint(&self) -> String {
        artifact::fingerprint(&self.inner)
    }

    fn is_fitted(&self) -> bool {
        self.inner.vocab().is_some()
    }

    fn is_hashed(&self) -> bool {
        self.inner.is_hashed()
    }

    fn id_space(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || self.inner.id_space())
    }

    fn vocab_tokens(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let v = guard(py, || self.inner.vocab().ok_or(Error::NotFitted("vocab".into())))?;
        Ok(v.tokens().iter().map(|t| t.to_string()).collect())
    }

    /// Training statistics of the vocabulary tokens in id order: (tf, df, n_docs); tf is zeros for a pipeline
    /// loaded from an artifact saved without `keep_counts`.
    #[allow(clippy::type_complexity)]
    fn vocab_stats<'py>(&self, py: Python<'py>) -> PyResult<(Arr<'py, u64>, Arr<'py, u64>, u64)> {
        let v = guard(py, || self.inner.vocab().ok_or(Error::NotFitted("vocab".into())))?;
        Ok((v.tfs().into_pyarray(py), v.dfs().into_pyarray(py), v.n_docs()))
    }

    fn token_id(&self, py: Python<'_>, token: &str) -> PyResult<i32> {
        Ok(guard(py, || self.inner.vocab().ok_or(Error::NotFitted("vocab".into())))?.id(token))
    }
}
