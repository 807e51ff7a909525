//! The bridge: converts Python values to engine types and back, detaches from the interpreter while the engine
//! works, checks for Ctrl-C between waves, and maps every engine error to one Python exception class. No
//! text-processing logic lives here: every function below is a conversion around one engine call.
//!
//! Files: `errors.rs` (the one `run` guard and the one error conversion), `docs.rs` (the one place texts and token
//! lists are read out of Python values), `pipeline.rs` (the pipeline handle), `io.rs` (counts, the corpus line
//! reader, the vectors parser) and this file (module-level functions).

//!
//! Threads and free-threaded CPython: see docs/architecture.md (the handle is frozen, every call detaches).

mod docs;
mod errors;
mod io;
mod pipeline;

use numpy::{IntoPyArray, PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use textprep_core::config::{Config, HashAlgo};
use textprep_core::{hashing, parallel, tokenize};

use crate::docs::{Batch, Text};
use crate::errors::{guard, run};

/// The texts of a list of tokens (lone surrogates are an error).
fn token_list(tokens: &Bound<'_, PyList>) -> PyResult<Vec<Text>> {
    match Batch::extract(tokens.as_any(), false, 0)? {
        Batch::Texts(t) => Ok(t),
        Batch::Tokens(_) => unreachable!("a list is texts"),
    }
}

/// Hash tokens into buckets: ids int64 (n, num_hashes) and signs (n, num_hashes) float32.
#[pyfunction]
#[pyo3(signature = (tokens, n_buckets, hash="xxh3_64", seed=0, num_hashes=1))]
fn hash_tokens<'py>(
    py: Python<'py>,
    tokens: &Bound<'py, PyList>,
    n_buckets: u32,
    hash: &str,
    seed: u32,
    num_hashes: u32,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let (toks, algo) = (token_list(tokens)?, guard(py, || HashAlgo::from_name(hash, "hash"))?);
    let n = toks.len();
    let (ids, signs) = run(py, move |_| {
        let refs: Vec<&str> = toks.iter().map(Text::as_str).collect();
        hashing::hash_tokens(&refs, n_buckets, algo, seed, num_hashes)
    })?;
    let shape = [n, num_hashes as usize];
    Ok((ids.into_pyarray(py).reshape(shape)?.into_any(), signs.into_pyarray(py).reshape(shape)?.into_any()))
}

/// The algorithm's own 64-bit hash of each string (uint64), with the seed convention of `hash_tokens`.
#[pyfunction]
#[pyo3(signature = (tokens, hash="xxh3_64", seed=0))]
fn string_hashes<'py>(
    py: Python<'py>,
    tokens: &Bound<'py, PyList>,
    hash: &str,
    seed: u32,
) -> PyResult<Bound<'py, PyAny>> {
    let (toks, algo) = (token_list(tokens)?, guard(py, || HashAlgo::from_name(hash, "hash"))?);
    let out = run(py, move |_| {
        Ok(toks.iter().map(|t| hashing::string_hash(algo, seed, t.as_str().as_bytes())).collect::<Vec<u64>>())
    })?;
    Ok(out.into_pyarray(py).into_any())
}

/// fastText's hash of a byte string.
#[pyfunction]
fn fasttext_hash(data: &[u8]) -> u32 {
    hashing::fasttext_hash(data)
}

/// MurmurHash64A of a byte string (spaCy's `hash_string` with seed 1).
#[pyfunction]
#[pyo3(signature = (data, seed=1))]
fn murmurhash64a(data: &[u8], seed: u64) -> u64 {
    hashing::murmurhash64a(data, seed)
}

/// fastText's character n-grams of a word.
#[pyfunction]
fn fasttext_ngrams(word: &str, minn: usize, maxn: usize) -> Vec<String> {
    tokenize::fasttext_ngrams(word, minn, maxn)
}

/// fastText subword rows of each word: (rows int64, splits int64).
#[pyfunction]
fn fasttext_ngram_rows<'py>(
    py: Python<'py>,
    words: &Bound<'py, PyList>,
    minn: usize,
    maxn: usize,
    bucket: u64,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let w = token_list(words)?;
    let (rows, splits) = run(py, move |_| {
        let refs: Vec<&str> = w.iter().map(Text::as_str).collect();
        Ok(hashing::fasttext_ngram_rows(&refs, minn, maxn, bucket))
    })?;
    Ok((rows.into_pyarray(py).into_any(), splits.into_pyarray(py).into_any()))
}

/// The names `hash=` accepts.
#[pyfunction]
fn hash_algorithms() -> Vec<&'static str> {
    HashAlgo::NAMES.to_vec()
}

/// JSON text `[v0,v1,...]` of a 1-D int32 or int64 array (`textprep_core::json`), formatted detached.
#[pyfunction]
fn json_int_list<'py>(py: Python<'py>, values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let mut out = Vec::new();
    if let Ok(a) = values.cast::<PyArray1<i32>>() {
        let v = a.readonly();
        let s = v.as_slice()?;
        py.detach(|| textprep_core::json::write_int_list(s, &mut out));
    } else {
        let v = values.cast::<PyArray1<i64>>()?.readonly();
        let s = v.as_slice()?;
        py.detach(|| textprep_core::json::write_int_list(s, &mut out));
    }
    Ok(PyBytes::new(py, &out))
}

/// JSON text `[[row],[row],...]` of a C-contiguous int32 array of rows of `width` values.
#[pyfunction]
fn json_int_rows<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    width: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let v = values.cast::<numpy::PyArrayDyn<i32>>()?.readonly();
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

/// Validate a config JSON and return it with every leaf present.
#[pyfunction]
fn check_config_json(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(guard(py, || Config::from_json(s))?.to_json())
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

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<pipeline::PyPipeline>()?;
    m.add_class::<docs::TokenDocs>()?;
    m.add_class::<io::PyCounts>()?;
    m.add_class::<io::PyLineReader>()?;
    m.add_class::<io::PyTextVectorsParser>()?;
    m.add_function(wrap_pyfunction!(errors::_set_exception_types, m)?)?;
    m.add_function(wrap_pyfunction!(hash_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(hash_algorithms, m)?)?;
    m.add_function(wrap_pyfunction!(string_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(fasttext_hash, m)?)?;
    m.add_function(wrap_pyfunction!(murmurhash64a, m)?)?;
    m.add_function(wrap_pyfunction!(fasttext_ngrams, m)?)?;
    m.add_function(wrap_pyfunction!(fasttext_ngram_rows, m)?)?;
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
