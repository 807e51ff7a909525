//! The one way engine work runs ([`run`]: detached from the interpreter, Ctrl-C checked between waves, a panic
//! turned into an exception) and the one conversion of an engine [`Error`] into a Python exception ([`to_pyerr`]).
//!
//! The exception classes are defined once, in `textprep/errors.py`, which hands them over at import
//! (`_set_exception_types`): the bridge never imports the Python package.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use pyo3::IntoPyObjectExt;
use textprep_core::Error;

static TYPES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// Called once by `textprep.errors` with its exception classes by name.
#[pyfunction]
pub fn _set_exception_types(py: Python<'_>, types: Bound<'_, PyDict>) {
    let _ = TYPES.set(py, types.unbind()); // a reloaded errors.py keeps the first classes
}

/// The class `name` from `textprep.errors`, or `fallback` before that module ran.
fn class<'py>(py: Python<'py>, name: &str, fallback: Bound<'py, PyType>) -> Bound<'py, PyType> {
    TYPES
        .get(py)
        .and_then(|d| d.bind(py).get_item(name).ok().flatten())
        .and_then(|c| c.cast_into::<PyType>().ok())
        .unwrap_or(fallback)
}

/// An exception of class `name` (from `textprep.errors`) with `message` and attributes.
pub fn raise(
    py: Python<'_>,
    name: &str,
    fallback: Bound<'_, PyType>,
    message: String,
    attrs: &[(&str, Py<PyAny>)],
) -> PyErr {
    let err = PyErr::from_type(class(py, name, fallback), message);
    for (k, v) in attrs {
        let _ = err.value(py).setattr(*k, v.bind(py));
    }
    err
}

/// The Python exception of an engine error: its class, the message, and where it happened as attributes
/// (`config_path`; `index` and `position`; `filename`, `line` and `byte`; `found` and `supported`).
pub fn to_pyerr(py: Python<'_>, e: Error) -> PyErr {
    let message = e.to_string();
    let v = |x: &dyn Fn(Python<'_>) -> PyResult<Py<PyAny>>| x(py).unwrap_or_else(|_| py.None());
    let value_error = || py.get_type::<PyValueError>();
    let (name, base, attrs) = match e {
        Error::Config { path, .. } => {
            ("ConfigError", value_error(), vec![("config_path", v(&|py| path.clone().into_py_any(py)))])
        }
        Error::NotFitted(_) | Error::NoStats(_) => {
            ("NotFittedError", py.get_type::<PyRuntimeError>(), vec![])
        }
        Error::Artifact(_) => ("ArtifactError", value_error(), vec![]),
        Error::ArtifactVersion { found, supported } => (
            "ArtifactVersionError",
            value_error(),
            vec![
                ("found", v(&|py| found.into_py_any(py))),
                ("supported", v(&|py| supported.into_py_any(py))),
            ],
        ),
        Error::Input { index, position, .. } => (
            "",
            value_error(),
            vec![("index", v(&|py| index.into_py_any(py))), ("position", v(&|py| position.into_py_any(py)))],
        ),
        // OSError(errno, strerror, filename): Python picks the subclass (FileNotFoundError, PermissionError, ...)
        Error::Io { path, line: None, errno: Some(errno), message } => {
            return PyOSError::new_err((errno, message, path))
        }
        Error::Io { path, line, .. } => (
            "",
            py.get_type::<PyOSError>(),
            vec![
                ("filename", v(&|py| path.clone().into_py_any(py))),
                ("line", v(&|py| line.into_py_any(py))),
            ],
        ),
        Error::Decode { path, line, byte } => (
            "FileDecodeError",
            py.get_type::<PyOSError>(),
            vec![
                ("filename", v(&|py| path.clone().into_py_any(py))),
                ("line", v(&|py| line.into_py_any(py))),
                ("byte", v(&|py| byte.into_py_any(py))),
            ],
        ),
        Error::Vectors { file, line, .. } => (
            "VectorsFormatError",
            value_error(),
            vec![
                ("filename", v(&|py| file.clone().into_py_any(py))),
                ("line", v(&|py| line.into_py_any(py))),
            ],
        ),
        Error::Interrupted => return PyKeyboardInterrupt::new_err("interrupted"),
    };
    raise(py, name, base, message, &attrs)
}

/// Run engine work detached from the interpreter, checking for signals between waves; an engine error becomes its
/// exception and a panic a `TextprepError` (never a `PanicException`). Every engine call of the bridge goes
/// through here.
pub fn run<T: Send>(
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
        Ok(Err(Error::Interrupted)) => Err(pending.unwrap_or_else(|| to_pyerr(py, Error::Interrupted))),
        Ok(Err(e)) => Err(to_pyerr(py, e)),
        Err(panic) => Err(panic_error(py, panic)),
    }
}

/// The exception of a panic: a `TextprepError` naming it as an internal error (never a `PanicException`).
fn panic_error(py: Python<'_>, panic: Box<dyn std::any::Any + Send>) -> PyErr {
    let msg = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let base = py.get_type::<PyRuntimeError>();
    let message = format!("internal error in the textprep engine (please report it): {msg}");
    raise(py, "TextprepError", base, message, &[])
}

/// Engine work too cheap to detach for (lookups, parsing a name): the same guard as [`run`] without leaving the
/// interpreter: a panic becomes a `TextprepError`, an engine error its exception.
pub fn guard<T>(py: Python<'_>, work: impl FnOnce() -> textprep_core::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(r) => r.map_err(|e| to_pyerr(py, e)),
        Err(panic) => Err(panic_error(py, panic)),
    }
}
