//! Reading documents out of Python values: the one place texts are extracted (borrowed `str`, lone surrogates
//! per the `surrogates=` policy, a `TypeError` naming the index of anything else). A batch is a `list` of `str`
//! or a [`TokenDocs`] (token lists from another tokenizer); new input kinds (e.g. Arrow arrays) go here.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyList, PyString};
use pyo3::IntoPyObjectExt;
use textprep_core::corpus::from_code_points;
use textprep_core::pipeline::Docs;

use crate::errors::{guard, raise};

/// A text borrowed from Python, or a repaired copy (lone surrogates replaced).
pub enum Text {
    Borrowed(PyBackedStr),
    Owned(String),
}

impl Text {
    pub fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(s) => s,
            Text::Owned(s) => s,
        }
    }
}

/// One `str`; `index` is its batch index (None for a single text). Lone surrogates follow the `surrogates=` policy.
pub fn extract_text(item: &Bound<'_, PyAny>, index: Option<usize>, replace: bool) -> PyResult<Text> {
    let py = item.py();
    if let Ok(s) = item.extract::<PyBackedStr>() {
        return Ok(Text::Borrowed(s));
    }
    if !item.is_instance_of::<PyString>() {
        let place = index.map_or("text".into(), |i| format!("texts[{i}]"));
        let tname = item.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        let hint = if item.is_instance_of::<PyBytes>() {
            "; decode bytes first, e.g. b.decode('utf-8')"
        } else {
            ""
        };
        let msg = format!("{place}: expected str, got {tname}{hint}");
        return Err(raise(py, "", py.get_type::<PyTypeError>(), msg, &[("index", index.into_py_any(py)?)]));
    }
    // a str with lone surrogates (no UTF-8 to borrow): its code points, repaired or refused by the engine
    let b = item.call_method1("encode", ("utf-32-le", "surrogatepass"))?;
    let cps: Vec<u32> = b
        .cast::<PyBytes>()?
        .as_bytes()
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let text = guard(py, || {
        from_code_points(&cps, replace).map_err(|e| match index {
            Some(i) => e.at_index(i),
            None => e,
        })
    })?;
    Ok(Text::Owned(text))
}

/// Documents given as token lists (`pretokenized.v1` input), extracted once; `normalized` tokens skip the
/// normalizer.
#[pyclass(frozen, module = "textprep._core", name = "TokenDocs")]
pub struct TokenDocs {
    tokens: Vec<Text>,
    splits: Vec<usize>,
    normalized: bool,
}

impl TokenDocs {
    /// Extract `docs` (an iterable of lists of `str`); indices in messages start at `start`.
    pub fn extract(docs: &Bound<'_, PyAny>, normalized: bool, replace: bool, start: usize) -> PyResult<Self> {
        let mut tokens = Vec::new();
        let mut splits = vec![0];
        for (i, doc) in docs.try_iter()?.enumerate() {
            let doc = doc?;
            if doc.is_instance_of::<PyString>() {
                tokens.push(extract_text(&doc, Some(start + i), replace)?);
            } else {
                for t in doc.try_iter()? {
                    tokens.push(extract_text(&t?, Some(start + i), replace)?);
                }
            }
            splits.push(tokens.len());
        }
        Ok(TokenDocs { tokens, splits, normalized })
    }
}

/// The documents of one engine call.
pub enum Batch {
    Texts(Vec<Text>),
    Tokens(Py<TokenDocs>),
}

impl Batch {
    /// A `list` of `str` or a [`TokenDocs`]; indices in messages start at `start`.
    pub fn extract(obj: &Bound<'_, PyAny>, replace: bool, start: usize) -> PyResult<Self> {
        if let Ok(t) = obj.cast::<TokenDocs>() {
            return Ok(Batch::Tokens(t.clone().unbind()));
        }
        let list = obj.cast::<PyList>().map_err(|_| {
            PyTypeError::new_err(format!(
                "texts must be a list of str, got {}",
                obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
        let mut out = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            out.push(extract_text(&item, Some(start + i), replace)?);
        }
        Ok(Batch::Texts(out))
    }

    /// The engine's view of the documents (borrowed, no copy of the text).
    pub fn with<R>(&self, f: impl FnOnce(Docs<'_>) -> R) -> R {
        match self {
            Batch::Texts(t) => {
                let refs: Vec<&str> = t.iter().map(Text::as_str).collect();
                f(Docs::Texts(&refs))
            }
            Batch::Tokens(d) => {
                let d = d.get();
                let refs: Vec<&str> = d.tokens.iter().map(Text::as_str).collect();
                f(Docs::Tokens { tokens: &refs, splits: &d.splits, normalized: d.normalized })
            }
        }
    }
}
