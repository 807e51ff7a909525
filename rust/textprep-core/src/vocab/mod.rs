//! Mergeable token counts and the deterministic vocabulary (Keras layout: 0 pad, 1..=K OOV, then tokens).
//!
//! INTERFACE (fixed; the implementation may add items):
//! - `Counts::new()`, `add_doc(&mut self, tokens: impl Iterator<Item=&str>)` (term and document frequency),
//!   `merge(&mut self, &Counts)`, `n_docs()`, `len()`, `get(&str) -> Option<(u64 tf, u64 df)>`,
//!   `to_json()/from_json()`
//! - `Vocab::from_counts(&Counts, &VocabConfig) -> Vocab`, `Vocab::from_tokens(Vec<String>, &VocabConfig)`,
//!   `id(&str) -> i32`, `token(i32) -> Option<&str>`, `size()` (total ids incl. pad and OOV), `tokens()`.
//!
//! Files: `table.rs` (the interned token table every lookup goes through: one small interface, so its hash can
//! change without touching the callers), `counts.rs` (mergeable counts and the deterministic ranking) and
//! `vocab.rs` (the fitted token <-> id table).

mod counts;
mod table;
#[allow(clippy::module_inception)] // vocab::Vocab in vocab/vocab.rs, beside counts.rs and table.rs
mod vocab;

pub use counts::{Counts, COUNTS_FORMAT, COUNTS_FORMAT_VERSION};
pub use vocab::Vocab;
