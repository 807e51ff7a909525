//! Handles over engine state that is not a pipeline: mergeable counts, the corpus line reader and the text
//! vectors parser.

use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use std::sync::Mutex;
use textprep_core::corpus::{InvalidUtf8, LineReader, BLOCK_BYTES};
use textprep_core::vectors::TextVectorsParser;
use textprep_core::vocab::Counts;

use crate::errors::{guard, run};

/// Mergeable token and document counts.
#[pyclass(module = "textprep._core", name = "Counts")]
#[derive(Clone)]
pub struct PyCounts {
    pub inner: Counts,
}

#[pymethods]
impl PyCounts {
    #[new]
    fn new() -> Self {
        PyCounts { inner: Counts::new() }
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
        Ok(PyCounts { inner: guard(py, || Counts::from_json(s))? })
    }

    /// (token, tf, df) in the vocabulary's rank order (tf desc, token asc); all when `n` is None.
    #[pyo3(signature = (n=None))]
    fn most_common(&self, n: Option<usize>) -> Vec<(&str, u64, u64)> {
        self.inner.most_common(n)
    }

    fn set_cap(&mut self, cap: Option<usize>) {
        self.inner.set_cap(cap);
    }

    fn pruned_max(&self) -> u64 {
        self.inner.pruned_max()
    }
}

/// The engine's corpus reader over a file, or over bytes (`data`, e.g. standard input) named `name` in errors;
/// iterating gives blocks of lines (lists of str).
#[pyclass(module = "textprep._core", name = "LineReader")]
pub struct PyLineReader {
    inner: Mutex<Option<LineReader>>,
    block_lines: usize,
}

impl PyLineReader {
    fn reader(&self) -> std::sync::MutexGuard<'_, Option<LineReader>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyLineReader {
    #[new]
    #[pyo3(signature = (path, encoding_errors="strict", block_lines=65_536, data=None))]
    fn new(
        py: Python<'_>,
        path: String,
        encoding_errors: &str,
        block_lines: usize,
        data: Option<Vec<u8>>,
    ) -> PyResult<Self> {
        let policy = guard(py, || InvalidUtf8::parse(encoding_errors))?;
        let inner = match data {
            Some(bytes) => LineReader::from_reader(std::io::Cursor::new(bytes), &path, policy),
            None => guard(py, || LineReader::open(&path, policy))?,
        };
        Ok(PyLineReader { inner: Mutex::new(Some(inner)), block_lines })
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Vec<String>>> {
        let Some(mut r) = self.reader().take() else {
            return Ok(None);
        };
        let lines = self.block_lines;
        let (r, block) = run(py, move |_| {
            let block = r.next_block(BLOCK_BYTES, lines);
            Ok((r, block))
        })?;
        let block = guard(py, || block)?;
        if block.is_empty() {
            return Ok(None);
        }
        *self.reader() = Some(r);
        Ok(Some(block))
    }

    /// The number of the last line read (1-based).
    #[getter]
    fn line(&self) -> u64 {
        self.reader().as_ref().map_or(0, LineReader::line)
    }

    /// Bytes of the input read so far.
    #[getter]
    fn bytes_read(&self) -> u64 {
        self.reader().as_ref().map_or(0, LineReader::bytes_read)
    }
}

/// Streaming parser of word2vec text / GloVe / fastText `.vec` rows; the Python loader feeds it the file after
/// the header line, in blocks, each parse detached from the interpreter. Errors are `VectorsFormatError`s naming
/// `source`.
#[pyclass(module = "textprep._core", name = "TextVectorsParser")]
pub struct PyTextVectorsParser {
    inner: TextVectorsParser,
    source: String,
}

#[pymethods]
impl PyTextVectorsParser {
    #[new]
    #[pyo3(signature = (source, dim, keep, max_rows, replace, lines_before))]
    fn new(
        source: String,
        dim: Option<usize>,
        keep: Option<Vec<PyBackedBytes>>,
        max_rows: Option<u64>,
        replace: bool,
        lines_before: u64,
    ) -> Self {
        let keep = keep.map(|k| k.iter().map(|b| b.to_vec()).collect());
        let inner = TextVectorsParser::new(dim, keep, max_rows, replace, lines_before);
        PyTextVectorsParser { inner, source }
    }

    /// Parse the next piece of the file; returns the words kept in it.
    fn feed(&mut self, py: Python<'_>, data: &[u8]) -> PyResult<Vec<String>> {
        let (inner, source) = (&mut self.inner, &self.source);
        run(py, move |_| inner.feed(data).map_err(|e| e.in_file(source)))?;
        Ok(self.inner.take_words())
    }

    /// Parse the unterminated last line; returns its word (if kept) and the (kept, dim) float32 matrix of every
    /// kept row (dim 0 when unknown).
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<(Vec<String>, Bound<'py, PyAny>)> {
        let (inner, source) = (&mut self.inner, &self.source);
        let values = run(py, move |_| inner.finish().map_err(|e| e.in_file(source)))?;
        let dim = self.inner.dim().unwrap_or(0);
        let rows = values.len().checked_div(dim).unwrap_or(0);
        let mat = values.into_pyarray(py).reshape([rows, dim])?.into_any();
        Ok((self.inner.take_words(), mat))
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
