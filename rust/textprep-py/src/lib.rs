//! The bridge: converts Python values to engine types and back, detaches from the interpreter while the engine
//! works, checks for Ctrl-C between waves, and maps every engine error to one Python exception class.
//! No text-processing logic lives here.
//!
//! Threads and free-threaded CPython (checked for issue 8): the pipeline handle is a `#[pyclass(frozen)]` holding an
//! `Arc` of an immutable engine pipeline, so no Python-visible state is ever mutated in place (`fit` builds a new
//! handle and the Python wrapper swaps its reference); every engine call copies or borrows its inputs
//! (`PyBackedStr` keeps each str alive) and then runs detached from the interpreter, with no shared mutable state
//! apart from the thread-count atomic and the pool behind a mutex. Under the GIL this is what lets many Python
//! threads run engine work at once (tests/test_concurrency.py). A free-threaded build (3.13t) could not be tried
//! here: the machine has Debian 12's Python 3.11 and a pyenv 3.13.0 built with the GIL, no `python3.13t` package
//! exists for it, and interpreters cannot be downloaded (only package registries are reachable). What such a
//! build would need beyond the above: a non-abi3 wheel (abi3 has no free-threaded variant before abi3t) and the
//! module declared `gil_used = false`; the one remaining race would be reading a `list` another thread mutates
//! during `extract_texts` (under the GIL no other thread runs while the list is read; tests/test_hostile.py checks
//! that a concurrently mutated list gives whole, consistent rows).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use numpy::{IntoPyArray, PyArray1, PyArrayMethods};
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyList, PyString};
use textprep_core::config::Config;
use textprep_core::corpus::InvalidUtf8;
use textprep_core::encode::BagMode;
use textprep_core::pipeline::Pipeline as CorePipeline;
use textprep_core::vocab::Counts as CoreCounts;
use textprep_core::{artifact, hashing};
use textprep_core::{parallel, Error};

/// Map an engine error to its Python exception (classes live in `textprep.errors`).
fn to_pyerr(py: Python<'_>, e: Error) -> PyErr {
    let class = match &e {
        Error::Config { .. } => "ConfigError",
        Error::NotFitted(_) => "NotFittedError",
        Error::Artifact(_) => "ArtifactError",
        Error::ArtifactVersion { .. } => "ArtifactVersionError",
        Error::Input { .. } => return PyValueError::new_err(e.to_string()),
        Error::Io { .. } => return PyOSError::new_err(e.to_string()),
        Error::Interrupted => return pyo3::exceptions::PyKeyboardInterrupt::new_err("interrupted"),
    };
    match py.import("textprep.errors").and_then(|m| m.getattr(class)) {
        Ok(cls) => PyErr::from_type(cls.cast_into().expect("exception class"), e.to_string()),
        Err(err) => err,
    }
}

/// A text borrowed from Python, or a repaired copy (lone surrogates replaced).
enum Text {
    Borrowed(PyBackedStr),
    Owned(String),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(s) => s,
            Text::Owned(s) => s,
        }
    }
}

/// Code points of a str that holds lone surrogates (UTF-8 extraction fails for those).
fn code_points(s: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
    let b = s.call_method1("encode", ("utf-32-le", "surrogatepass"))?;
    let bytes = b.cast::<PyBytes>()?.as_bytes();
    Ok(bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

fn extract_text(item: &Bound<'_, PyAny>, index: Option<usize>, replace: bool) -> PyResult<Text> {
    let where_ = match index {
        Some(i) => format!("texts[{i}]"),
        None => "text".to_string(),
    };
    if !item.is_instance_of::<PyString>() {
        let tname = item
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into());
        let hint = if item.is_instance_of::<PyBytes>() {
            "; decode bytes first, e.g. b.decode('utf-8')"
        } else {
            ""
        };
        return Err(PyTypeError::new_err(format!(
            "{where_}: expected str, got {tname}{hint}"
        )));
    }
    match item.extract::<PyBackedStr>() {
        Ok(s) => Ok(Text::Borrowed(s)),
        Err(_) => {
            let cps = code_points(item)?;
            let is_sur = |c: u32| (0xD800..=0xDFFF).contains(&c);
            if !replace {
                let pos = cps.iter().position(|&c| is_sur(c)).unwrap_or(0);
                return Err(PyValueError::new_err(format!(
                    "{where_} at character {pos}: lone surrogate U+{:04X} is not valid Unicode text; \
                     pass errors='replace' to replace lone surrogates with U+FFFD",
                    cps.get(pos).copied().unwrap_or(0)
                )));
            }
            Ok(Text::Owned(
                cps.into_iter()
                    .map(|c| {
                        if is_sur(c) {
                            '\u{FFFD}'
                        } else {
                            char::from_u32(c).unwrap_or('\u{FFFD}')
                        }
                    })
                    .collect(),
            ))
        }
    }
}

fn extract_texts(texts: &Bound<'_, PyList>, replace: bool) -> PyResult<Vec<Text>> {
    let mut out = Vec::with_capacity(texts.len());
    for (i, item) in texts.iter().enumerate() {
        out.push(extract_text(&item, Some(i), replace)?);
    }
    Ok(out)
}

/// Run engine work detached from the interpreter, checking for signals between waves; panics become errors.
fn run<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&mut dyn FnMut() -> textprep_core::Result<()>) -> textprep_core::Result<T> + Send,
) -> PyResult<T> {
    let mut pending: Option<PyErr> = None;
    let result = py.detach(|| {
        let mut check = || {
            Python::attach(|py| py.check_signals()).map_err(|e| {
                pending = Some(e);
                Error::Interrupted
            })
        };
        catch_unwind(AssertUnwindSafe(|| work(&mut check)))
    });
    match result {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(Error::Interrupted)) => {
            Err(pending.unwrap_or_else(|| to_pyerr(py, Error::Interrupted)))
        }
        Ok(Err(e)) => Err(to_pyerr(py, e)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let err = py
                .import("textprep.errors")
                .and_then(|m| m.getattr("TextprepError"))
                .map(|cls| {
                    PyErr::from_type(
                        cls.cast_into().expect("exception class"),
                        format!("internal error in the textprep engine (please report it): {msg}"),
                    )
                });
            Err(err.unwrap_or_else(|e| e))
        }
    }
}

fn strs(texts: &[Text]) -> Vec<&str> {
    texts.iter().map(Text::as_str).collect()
}

/// The compiled pipeline handle (immutable; shared freely across threads).
#[pyclass(frozen, module = "textprep._core", name = "Pipeline")]
struct PyPipeline {
    inner: Arc<CorePipeline>,
    replace: bool,
}

impl PyPipeline {
    fn wrap(p: CorePipeline) -> Self {
        let replace = p.config().normalize.errors == textprep_core::config::Errors::Replace;
        PyPipeline {
            inner: Arc::new(p),
            replace,
        }
    }
}

#[pymethods]
impl PyPipeline {
    #[new]
    fn new(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        let cfg = Config::from_json(config_json).map_err(|e| to_pyerr(py, e))?;
        Ok(Self::wrap(
            CorePipeline::new(cfg).map_err(|e| to_pyerr(py, e))?,
        ))
    }

    /// The config as JSON.
    fn config_json(&self) -> String {
        self.inner.config().to_json()
    }

    fn normalize(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<String> {
        let t = extract_text(text, None, self.replace)?;
        let p = self.inner.clone();
        run(py, move |_| Ok(p.normalize(t.as_str())))
    }

    /// Normalized text of every item (one crossing, GIL detached, parallel above a size threshold).
    fn normalize_batch(&self, py: Python<'_>, texts: &Bound<'_, PyList>) -> PyResult<Vec<String>> {
        let t = extract_texts(texts, self.replace)?;
        let p = self.inner.clone();
        run(py, move |check| p.normalize_batch(&strs(&t), check))
    }

    fn tokenize(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let t = extract_text(text, None, self.replace)?;
        let p = self.inner.clone();
        run(py, move |_| Ok(p.tokenize(t.as_str())))
    }

    fn offsets(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Vec<(usize, usize)>> {
        let t = extract_text(text, None, self.replace)?;
        let p = self.inner.clone();
        run(py, move |_| Ok(p.offsets(t.as_str())))
    }

    fn shapes<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<i32>>> {
        let t = extract_text(text, None, self.replace)?;
        let p = self.inner.clone();
        Ok(run(py, move |_| Ok(p.shapes(t.as_str())))?.into_pyarray(py))
    }

    fn encode<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<i32>>> {
        let t = extract_text(text, None, self.replace)?;
        let p = self.inner.clone();
        Ok(run(py, move |_| p.encode(t.as_str()))?.into_pyarray(py))
    }

    fn decode(&self, py: Python<'_>, ids: Vec<i32>) -> PyResult<Vec<String>> {
        self.inner.decode(&ids).map_err(|e| to_pyerr(py, e))
    }

    /// Flat token buffers: (utf8 bytes as uint8, token offsets int64, row splits int64).
    #[allow(clippy::type_complexity)]
    fn tokenize_flat<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
    ) -> PyResult<(
        Bound<'py, PyArray1<u8>>,
        Bound<'py, PyArray1<i64>>,
        Bound<'py, PyArray1<i64>>,
    )> {
        let t = extract_texts(texts, self.replace)?;
        let p = self.inner.clone();
        let f = run(py, move |check| p.tokenize_batch(&strs(&t), check))?;
        Ok((
            f.bytes.into_pyarray(py),
            f.offsets.into_pyarray(py),
            f.row_splits.into_pyarray(py),
        ))
    }

    /// Lists of str per document; repeated tokens share one str object.
    fn tokenize_lists<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyList>> {
        let t = extract_texts(texts, self.replace)?;
        let p = self.inner.clone();
        let f = run(py, move |check| p.tokenize_batch(&strs(&t), check))?;
        // One str object per distinct token (FxHash: tokens are short), lists built at their final size.
        let mut cache: rustc_hash::FxHashMap<&[u8], Bound<'py, PyString>> =
            rustc_hash::FxHashMap::default();
        let mut row_items: Vec<Bound<'py, PyString>> = Vec::new();
        let n_docs = f.row_splits.len() - 1;
        let mut rows_vec: Vec<Bound<'py, PyList>> = Vec::with_capacity(n_docs);
        for d in 0..n_docs {
            let (a, b) = (f.row_splits[d] as usize, f.row_splits[d + 1] as usize);
            row_items.clear();
            for j in a..b {
                let bytes = &f.bytes[f.offsets[j] as usize..f.offsets[j + 1] as usize];
                let s = cache.entry(bytes).or_insert_with(|| {
                    PyString::new(
                        py,
                        std::str::from_utf8(bytes).expect("engine tokens are UTF-8"),
                    )
                });
                row_items.push(s.clone());
            }
            rows_vec.push(PyList::new(py, row_items.drain(..))?);
        }
        let rows = PyList::new(py, rows_vec)?;
        Ok(rows)
    }

    /// (ids (n, width[, k]) int32, lengths (n,) int32, shapes (n, width) int32 or None).
    #[allow(clippy::type_complexity)]
    #[pyo3(signature = (texts, maxlen=None, shapes=false))]
    fn encode_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
        maxlen: Option<usize>,
        shapes: bool,
    ) -> PyResult<(
        Bound<'py, PyAny>,
        Bound<'py, PyArray1<i32>>,
        Option<Bound<'py, PyAny>>,
    )> {
        let t = extract_texts(texts, self.replace)?;
        let p = self.inner.clone();
        let e = run(py, move |check| {
            p.encode_batch(&strs(&t), maxlen, shapes, check)
        })?;
        let ids = e.ids.into_pyarray(py);
        let ids = if e.k > 1 {
            ids.reshape([e.n, e.width, e.k])?.into_any()
        } else {
            ids.reshape([e.n, e.width])?.into_any()
        };
        let shp = match e.shapes {
            Some(s) => Some(s.into_pyarray(py).reshape([e.n, e.width])?.into_any()),
            None => None,
        };
        Ok((ids, e.lengths.into_pyarray(py), shp))
    }

    /// Padded ids plus the batch statistics of the same pass (`textprep_core::stats`): (ids, lengths, n_tokens
    /// u32, n_oov u32, id_counts u64 (id_limit,), other_ids, unseen Counts). `longest` ignores the config's maxlen.
    #[allow(clippy::type_complexity, clippy::too_many_arguments)]
    #[pyo3(signature = (texts, maxlen=None, longest=false, id_limit=0, unseen=true, unseen_cap=None))]
    fn encode_batch_stats<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
        maxlen: Option<usize>,
        longest: bool,
        id_limit: usize,
        unseen: bool,
        unseen_cap: Option<usize>,
    ) -> PyResult<(
        Bound<'py, PyAny>,
        Bound<'py, PyArray1<i32>>,
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u64>>,
        u64,
        PyCounts,
    )> {
        use textprep_core::stats::{StatsOptions, Width};
        let t = extract_texts(texts, self.replace)?;
        let p = self.inner.clone();
        let width = match (maxlen, longest) {
            (Some(w), _) => Width::Fixed(w),
            (None, true) => Width::Longest,
            (None, false) => Width::Config,
        };
        let opts = StatsOptions {
            id_limit,
            unseen,
            unseen_cap,
        };
        let (e, st) = run(py, move |check| {
            p.encode_batch_stats(&strs(&t), width, opts, check)
        })?;
        let ids = e.ids.into_pyarray(py);
        let ids = if e.k > 1 {
            ids.reshape([e.n, e.width, e.k])?.into_any()
        } else {
            ids.reshape([e.n, e.width])?.into_any()
        };
        Ok((
            ids,
            e.lengths.into_pyarray(py),
            st.n_tokens.into_pyarray(py),
            st.n_oov.into_pyarray(py),
            st.id_counts.into_pyarray(py),
            st.other_ids,
            PyCounts { inner: st.unseen },
        ))
    }

    #[allow(clippy::type_complexity)]
    fn encode_ragged<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
    ) -> PyResult<(Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<i64>>)> {
        let t = extract_texts(texts, self.replace)?;
        let p = self.inner.clone();
        let (v, s) = run(py, move |check| p.encode_ragged(&strs(&t), check))?;
        Ok((v.into_pyarray(py), s.into_pyarray(py)))
    }

    /// Bag of ids as CSR parts: (data f32, indices i32, indptr i64, n_cols).
    #[allow(clippy::type_complexity)]
    fn encode_bag<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
        mode: &str,
        l2: bool,
    ) -> PyResult<(
        Bound<'py, PyArray1<f32>>,
        Bound<'py, PyArray1<i32>>,
        Bound<'py, PyArray1<i64>>,
        usize,
    )> {
        let mode: BagMode = serde_json::from_value(serde_json::Value::String(mode.to_owned()))
            .map_err(|_| {
                to_pyerr(
                    py,
                    Error::config(
                        "mode",
                        format!("{mode:?} is not one of 'multi_hot', 'count', 'tf_idf'"),
                    ),
                )
            })?;
        let t = extract_texts(texts, self.replace)?;
        let p = self.inner.clone();
        let (csr, n_cols) = run(py, move |check| p.encode_bag(&strs(&t), mode, l2, check))?;
        let (indptr, indices, data) = csr.into_parts();
        Ok((
            data.into_pyarray(py),
            indices.into_pyarray(py),
            indptr.into_pyarray(py),
            n_cols,
        ))
    }

    /// A new pipeline with new tokens appended after the existing ids, and how many were added.
    #[pyo3(signature = (counts, max_new=None))]
    fn extend_vocab(
        &self,
        py: Python<'_>,
        counts: &PyCounts,
        max_new: Option<usize>,
    ) -> PyResult<(Self, usize)> {
        let (p, n) = self
            .inner
            .extend_vocab(&counts.inner, max_new)
            .map_err(|e| to_pyerr(py, e))?;
        Ok((Self::wrap(p), n))
    }

    /// Token/document counts of a batch.
    fn count(&self, py: Python<'_>, texts: &Bound<'_, PyList>) -> PyResult<PyCounts> {
        let t = extract_texts(texts, self.replace)?;
        let p = self.inner.clone();
        Ok(PyCounts {
            inner: run(py, move |check| p.count_batch(&strs(&t), check))?,
        })
    }

    /// Token/document counts of corpus files (Rust reads and streams them).
    #[pyo3(signature = (paths, errors="strict"))]
    fn count_files(&self, py: Python<'_>, paths: Vec<String>, errors: &str) -> PyResult<PyCounts> {
        let policy = InvalidUtf8::parse(errors).map_err(|e| to_pyerr(py, e))?;
        let p = self.inner.clone();
        Ok(PyCounts {
            inner: run(py, move |check| p.count_files(&paths, policy, check))?,
        })
    }

    /// A new pipeline with a vocabulary fitted on `counts`.
    fn fit_counts(&self, py: Python<'_>, counts: &PyCounts) -> PyResult<Self> {
        let p = self.inner.clone();
        let c = counts.inner.clone();
        Ok(Self::wrap(run(py, move |_| Ok(p.fit_counts(&c)))?))
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
        self.inner.id_space().map_err(|e| to_pyerr(py, e))
    }

    fn vocab_tokens(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let v = self
            .inner
            .vocab()
            .ok_or_else(|| to_pyerr(py, Error::NotFitted("vocab".into())))?;
        Ok(v.tokens().iter().map(|t| t.to_string()).collect())
    }

    /// Training statistics of the vocabulary tokens in id order: (tf u64, df u64, n_docs); tf is zeros for a
    /// pipeline loaded from an artifact saved without `keep_counts`.
    #[allow(clippy::type_complexity)]
    fn vocab_stats<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyArray1<u64>>, Bound<'py, PyArray1<u64>>, u64)> {
        let v = self
            .inner
            .vocab()
            .ok_or_else(|| to_pyerr(py, Error::NotFitted("vocab".into())))?;
        Ok((
            v.tfs().into_pyarray(py),
            v.dfs().into_pyarray(py),
            v.n_docs(),
        ))
    }

    fn token_id(&self, py: Python<'_>, token: &str) -> PyResult<i32> {
        let v = self
            .inner
            .vocab()
            .ok_or_else(|| to_pyerr(py, Error::NotFitted("vocab".into())))?;
        Ok(v.id(token))
    }
}

/// Mergeable token and document counts.
#[pyclass(module = "textprep._core", name = "Counts")]
#[derive(Clone)]
struct PyCounts {
    inner: CoreCounts,
}

#[pymethods]
impl PyCounts {
    #[new]
    fn new() -> Self {
        PyCounts {
            inner: CoreCounts::new(),
        }
    }

    fn merge(&mut self, other: &PyCounts) {
        self.inner.merge(&other.inner);
    }

    fn n_docs(&self) -> u64 {
        self.inner.n_docs()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn get(&self, token: &str) -> Option<(u64, u64)> {
        self.inner.get(token)
    }

    fn copy(&self) -> Self {
        self.clone()
    }

    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    #[staticmethod]
    fn from_json(py: Python<'_>, s: &str) -> PyResult<Self> {
        CoreCounts::from_json(s)
            .map(|inner| PyCounts { inner })
            .map_err(|e| to_pyerr(py, e))
    }

    /// (token, tf, df) ranked by (tf desc, token asc); all when `n` is None.
    #[pyo3(signature = (n=None))]
    fn most_common(&self, n: Option<usize>) -> Vec<(String, u64, u64)> {
        let mut all: Vec<(&str, u64, u64)> = self.inner.iter().collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        all.into_iter()
            .take(n.unwrap_or(usize::MAX))
            .map(|(t, tf, df)| (t.to_owned(), tf, df))
            .collect()
    }

    fn set_cap(&mut self, cap: Option<usize>) {
        self.inner.set_cap(cap);
    }

    fn pruned_max(&self) -> u64 {
        self.inner.pruned_max()
    }
}

/// Hash tokens into buckets: ids int64 (n, k) and signs (n, k) float32.
#[pyfunction]
#[pyo3(signature = (tokens, n_buckets, algorithm="xxh3_64", seed=0, k=1))]
fn hash_tokens<'py>(
    py: Python<'py>,
    tokens: &Bound<'py, PyList>,
    n_buckets: u32,
    algorithm: &str,
    seed: u32,
    k: u32,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let toks = extract_texts(tokens, false)?;
    let cfg_json = format!(
        r#"{{"hashing": {{"n_buckets": {n_buckets}, "hash": {}, "seed": {seed}, "num_hashes": {k}, "layout": "raw"}}}}"#,
        serde_json::to_string(algorithm).unwrap_or_default()
    );
    let cfg = Config::from_json(&cfg_json).map_err(|e| to_pyerr(py, e))?;
    let h = hashing::Hasher::new(&cfg.hashing)
        .ok_or_else(|| PyValueError::new_err("n_buckets is required"))?;
    let n = toks.len();
    let (ids, signs) = run(py, move |_| {
        let mut ids = Vec::with_capacity(n * k as usize);
        let mut signs = Vec::with_capacity(n * k as usize);
        for t in &toks {
            for i in 0..k {
                let (id, s) = h.bucket(t.as_str(), i);
                ids.push(id as i64);
                signs.push(s);
            }
        }
        Ok((ids, signs))
    })?;
    let shape = [n, k as usize];
    Ok((
        ids.into_pyarray(py).reshape(shape)?.into_any(),
        signs.into_pyarray(py).reshape(shape)?.into_any(),
    ))
}

/// JSON text `[v0,v1,...]` of a 1-D int32 or int64 array (`textprep_core::json`), formatted detached.
#[pyfunction]
fn json_int_list<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut out = Vec::new();
    if let Ok(a) = values.cast::<PyArray1<i32>>() {
        let v = a.readonly();
        let s = v.as_slice()?;
        py.detach(|| textprep_core::json::write_int_list(s, &mut out));
    } else {
        let a = values.cast::<PyArray1<i64>>()?;
        let v = a.readonly();
        let s = v.as_slice()?;
        py.detach(|| textprep_core::json::write_int_list(s, &mut out));
    }
    Ok(PyBytes::new(py, &out))
}

/// JSON text `[[row],[row],...]` of a C-contiguous 2-D int32 array of rows of `width` values.
#[pyfunction]
fn json_int_rows<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    width: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let a = values.cast::<numpy::PyArrayDyn<i32>>()?;
    let v = a.readonly();
    let s = v.as_slice()?;
    let mut out = Vec::new();
    py.detach(|| textprep_core::json::write_int_rows(s, width, &mut out));
    Ok(PyBytes::new(py, &out))
}

/// The default config as JSON (every leaf present).
#[pyfunction]
fn default_config_json() -> String {
    Config::default().to_json()
}

/// Validate a config JSON and return it normalized (every leaf present).
#[pyfunction]
fn check_config_json(py: Python<'_>, s: &str) -> PyResult<String> {
    Config::from_json(s)
        .map(|c| c.to_json())
        .map_err(|e| to_pyerr(py, e))
}

/// Set the number of threads (0 = default).
#[pyfunction]
fn set_num_threads(n: usize) {
    parallel::set_num_threads(n);
}

/// The number of threads batches use.
#[pyfunction]
fn get_num_threads() -> usize {
    parallel::num_threads()
}

/// Called in a fork child: run serially from now on.
#[pyfunction]
fn _after_fork_in_child() {
    parallel::mark_forked();
}

/// The Unicode version of the engine's tables.
#[pyfunction]
fn unicode_version() -> &'static str {
    textprep_core::UNICODE_VERSION
}

/// A text vectors error as data for the Python loader, which formats the message with the file name:
/// (kind, line, word or token bytes, expected, found).
type VectorsErr = (&'static str, u64, Vec<u8>, usize, usize);

fn vectors_err(e: textprep_core::vectors::VectorsError) -> VectorsErr {
    use textprep_core::vectors::VectorsErrorKind as K;
    match e.kind {
        K::MoreRows { header_rows } => ("more_rows", e.line, Vec::new(), header_rows as usize, 0),
        K::NoValues => ("no_values", e.line, Vec::new(), 0, 0),
        K::InvalidUtf8 { word } => ("utf8", e.line, word, 0, 0),
        K::FieldCount {
            word,
            expected,
            found,
        } => ("fields", e.line, word, expected, found),
        K::Float { token } => ("float", e.line, token, 0, 0),
    }
}

/// Streaming parser of word2vec text / GloVe / fastText `.vec` rows (`textprep_core::vectors`); the Python
/// loader feeds it the file after the header line, in blocks, each parse detached from the interpreter.
#[pyclass(module = "textprep._core", name = "TextVectorsParser")]
struct PyTextVectorsParser {
    inner: textprep_core::vectors::TextVectorsParser,
}

#[pymethods]
impl PyTextVectorsParser {
    #[new]
    #[pyo3(signature = (dim, keep, max_rows, replace, lines_before))]
    fn new(
        dim: Option<usize>,
        keep: Option<&Bound<'_, PyAny>>,
        max_rows: Option<u64>,
        replace: bool,
        lines_before: u64,
    ) -> PyResult<Self> {
        let keep = match keep {
            None => None,
            Some(k) => {
                let mut out = Vec::new();
                for item in k.try_iter()? {
                    let item = item?;
                    let b = item
                        .cast::<PyBytes>()
                        .map_err(|_| PyTypeError::new_err("keep: expected an iterable of bytes"))?;
                    out.push(b.as_bytes().to_vec());
                }
                Some(out)
            }
        };
        Ok(PyTextVectorsParser {
            inner: textprep_core::vectors::TextVectorsParser::new(
                dim,
                keep,
                max_rows,
                replace,
                lines_before,
            ),
        })
    }

    /// Parse the next piece of the file; returns the words kept in it and the error, if any.
    fn feed(&mut self, py: Python<'_>, data: &[u8]) -> PyResult<(Vec<String>, Option<VectorsErr>)> {
        let inner = &mut self.inner;
        let r = run(py, move |_| Ok(inner.feed(data)))?;
        Ok((self.inner.take_words(), r.err().map(vectors_err)))
    }

    /// Parse the unterminated last line; returns its word (if kept), the (kept, dim) float32 matrix of every
    /// kept row (dim 0 when unknown), and the error, if any.
    fn finish<'py>(
        &mut self,
        py: Python<'py>,
    ) -> PyResult<(Vec<String>, Bound<'py, PyAny>, Option<VectorsErr>)> {
        let inner = &mut self.inner;
        let r = run(py, move |_| Ok(inner.finish()))?;
        let words = self.inner.take_words();
        let (values, err) = match r {
            Ok(v) => (v, None),
            Err(e) => (Vec::new(), Some(vectors_err(e))),
        };
        let dim = self.inner.dim().unwrap_or(0);
        let rows = values.len().checked_div(dim).unwrap_or(0);
        let mat = values.into_pyarray(py).reshape([rows, dim])?.into_any();
        Ok((words, mat, err))
    }

    /// The dimension, once known.
    fn dim(&self) -> Option<usize> {
        self.inner.dim()
    }

    /// (rows, kept, duplicates, replaced, lines) so far.
    fn counts(&self) -> (u64, usize, u64, u64, u64) {
        let c = self.inner.counts();
        (c.rows, c.kept, c.duplicates, c.replaced, c.lines)
    }

    /// Kept rows with a NaN or infinite value: (kept row index, line).
    fn nonfinite(&self) -> Vec<(usize, u64)> {
        self.inner.nonfinite().to_vec()
    }
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPipeline>()?;
    m.add_class::<PyCounts>()?;
    m.add_class::<PyTextVectorsParser>()?;
    m.add_function(wrap_pyfunction!(hash_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(default_config_json, m)?)?;
    m.add_function(wrap_pyfunction!(json_int_list, m)?)?;
    m.add_function(wrap_pyfunction!(json_int_rows, m)?)?;
    m.add_function(wrap_pyfunction!(check_config_json, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(_after_fork_in_child, m)?)?;
    m.add_function(wrap_pyfunction!(unicode_version, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
