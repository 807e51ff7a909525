//! One error type for the engine; the bridge maps each variant to exactly one Python exception class.

use std::fmt;

/// Everything that can go wrong in the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An invalid configuration value: `path` is the config path (`normalize.case`), `message` says what is allowed.
    Config { path: String, message: String },
    /// A learned state (vocabulary) is required but the pipeline was not fitted.
    NotFitted(String),
    /// A malformed, truncated or tampered artifact.
    Artifact(String),
    /// An artifact written by a newer format version.
    ArtifactVersion { found: u64, supported: u64 },
    /// Bad input data: `index` is the batch index of the document, `position` a character position when known.
    Input {
        index: Option<usize>,
        position: Option<usize>,
        message: String,
    },
    /// An I/O problem with a file, with the line when known (1-based) and the OS error number when there is one.
    Io {
        path: String,
        line: Option<u64>,
        message: String,
        errno: Option<i32>,
    },
    /// A line of a corpus file is not valid UTF-8 (policy `strict`): file, 1-based line, byte offset in the line.
    Decode {
        path: String,
        line: u64,
        byte: usize,
    },
    /// A malformed word-vectors file: the file name, the 1-based line and what is wrong.
    Vectors {
        file: String,
        line: u64,
        message: String,
    },
    /// An operation needs document frequencies that the vocabulary does not have (tf-idf before `fit`).
    NoStats(String),
    /// A long call was interrupted (Ctrl-C); the bridge re-raises the pending Python exception.
    Interrupted,
}

/// Result alias for the engine.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for a configuration error at `path`.
    pub fn config(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            path: path.into(),
            message: message.into(),
        }
    }

    /// This error with the batch index `i` of the document it is about (input errors only).
    pub fn at_index(self, i: usize) -> Self {
        match self {
            Error::Input {
                position, message, ..
            } => Error::Input {
                index: Some(i),
                position,
                message,
            },
            other => other,
        }
    }

    /// An I/O error on `path` (at `line` when known), keeping the OS error number.
    pub fn io(path: &str, line: Option<u64>, e: &std::io::Error) -> Self {
        let message = e.to_string();
        // std appends " (os error N)"; the number travels in `errno` (Python's OSError shows it itself)
        let message = match message.rfind(" (os error ") {
            Some(i) if e.raw_os_error().is_some() => message[..i].to_string(),
            _ => message,
        };
        Error::Io {
            path: path.to_string(),
            line,
            message,
            errno: e.raw_os_error(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config { path, message } => write!(f, "invalid config {path}: {message}"),
            Error::NotFitted(what) => write!(f, "{what}: the pipeline has no vocabulary yet; call fit() or fit_files() first, or use hashing (n_buckets=...)"),
            Error::Artifact(msg) => write!(f, "invalid artifact: {msg}"),
            Error::ArtifactVersion { found, supported } => write!(
                f,
                "artifact format_version {found} is newer than this textprep supports ({supported}); upgrade textprep to load it"
            ),
            Error::Input { index, position, message } => {
                match index {
                    Some(i) => write!(f, "texts[{i}]")?,
                    None => write!(f, "text")?,
                }
                if let Some(p) = position {
                    write!(f, " at character {p}")?;
                }
                write!(f, ": {message}")
            }
            Error::Io {
                path, line, message, ..
            } => match line {
                Some(l) => write!(f, "{path}:{l}: {message}"),
                None => write!(f, "{path}: {message}"),
            },
            Error::Decode { path, line, byte } => write!(
                f,
                "{path}:{line}: invalid UTF-8 at byte {byte} of the line; pass encoding_errors='replace' or \
                 encoding_errors='skip'"
            ),
            Error::Vectors {
                file,
                line,
                message,
            } => write!(f, "{file}: line {line}: {message}"),
            Error::NoStats(what) => write!(
                f,
                "{what} needs document frequencies, and this vocabulary has none yet; call fit(texts) first"
            ),
            Error::Interrupted => write!(f, "interrupted"),
        }
    }
}

impl std::error::Error for Error {}
