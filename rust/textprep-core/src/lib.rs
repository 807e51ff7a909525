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
pub mod json;
pub mod normalize;
pub mod parallel;
pub mod pipeline;
pub use pipeline::stats;
pub mod tokenize;
pub mod vectors;
pub mod vocab;

pub use error::{Error, Result};

/// Version of the Unicode data used by the normalization and segmentation tables.
pub const UNICODE_VERSION: &str = "16.0.0 (word segmentation 17.0.0, case folding 15.0.0)";

/// Path of a file in the shared test data folder beside the repository (`../shared/data`, or
/// `$TEXTPREP_SHARED_DATA`), when present; tests skip with a printed reason otherwise.
#[cfg(test)]
pub(crate) fn shared_data(rel: &str) -> Option<std::path::PathBuf> {
    let roots = [
        std::env::var("TEXTPREP_SHARED_DATA")
            .ok()
            .map(std::path::PathBuf::from),
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")),
    ];
    roots
        .into_iter()
        .flatten()
        .map(|r| r.join(rel))
        .find(|p| p.exists())
}

/// Deterministic xorshift generator for the randomized tests of every stage.
#[cfg(test)]
pub(crate) struct Rng(pub(crate) u64);

#[cfg(test)]
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One of `xs`.
    pub(crate) fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}
