//! Normalization: HTML, control characters, Unicode form, accents, case, removed characters, CJK padding,
//! placeholders (url/email/mention/hashtag/number/emoji) and whitespace, in that order, with an optional
//! alignment map back to the original text.
//!
//! INTERFACE (fixed; the implementation may add private items):
//! - `Normalizer::new(&NormalizeConfig) -> Result<Normalizer>`
//! - `Normalizer::normalize_into(&self, text, &mut Normalized, track: bool)`: fills `out.text`; when `track`,
//!   `out.align[i]` is the byte range in `text` that produced byte `i` of `out.text` (`align.len() == text.len()`);
//!   `out.protected` lists byte ranges of `out.text` that must stay one token (replaced placeholders), sorted.
//! - `Normalizer::normalize(&self, text) -> String`

use crate::config::NormalizeConfig;
use crate::Result;

/// Output buffers of one normalization, reused across documents.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// The normalized text.
    pub text: String,
    /// With tracking: for each byte of `text`, the (start, end) byte range in the original text.
    pub align: Vec<(u32, u32)>,
    /// Sorted byte ranges of `text` that are one token each (placeholders).
    pub protected: Vec<(u32, u32)>,
}

impl Normalized {
    /// Empty buffers.
    pub fn new() -> Self {
        Self::default()
    }
}

/// A compiled normalizer (immutable, shareable across threads).
#[derive(Debug, Clone)]
pub struct Normalizer {
    cfg: NormalizeConfig,
}

impl Normalizer {
    /// Compile a normalizer from its config.
    pub fn new(cfg: &NormalizeConfig) -> Result<Normalizer> {
        Ok(Normalizer { cfg: cfg.clone() })
    }

    /// Normalize `text` into `out` (cleared first); see the module docs for `track`.
    pub fn normalize_into(&self, text: &str, out: &mut Normalized, track: bool) {
        let _ = &self.cfg;
        out.text.clear();
        out.align.clear();
        out.protected.clear();
        out.text.push_str(text);
        if track {
            for (i, c) in text.char_indices() {
                for _ in 0..c.len_utf8() {
                    out.align.push((i as u32, (i + c.len_utf8()) as u32));
                }
            }
        }
    }

    /// Normalize one string.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = Normalized::new();
        self.normalize_into(text, &mut out, false);
        out.text
    }
}
