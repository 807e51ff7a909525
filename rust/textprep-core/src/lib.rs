//! textprep engine: raw text to model-ready id arrays.
//!
//! Data flows one way: [`normalize`] -> [`tokenize`] -> [`vocab`] or [`hashing`] -> [`encode`], composed by the
//! immutable [`pipeline::Pipeline`]. Batches run on a dedicated pool ([`parallel`]). This crate has no pyo3 and no
//! unsafe code; the Python bridge lives in `rust/textprep-py`.

pub mod artifact;
pub mod config;
pub mod corpus;
pub mod encode;
pub mod error;
pub mod hashing;
pub mod normalize;
pub mod parallel;
pub mod pipeline;
pub mod tokenize;
pub mod vocab;

pub use error::{Error, Result};

/// Version of the Unicode data used by the normalization and segmentation tables.
pub const UNICODE_VERSION: &str = "16.0.0 (word segmentation 17.0.0, case folding 15.0.0)";
