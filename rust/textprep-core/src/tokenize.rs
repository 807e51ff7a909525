//! Tokenization: splitters (`whitespace.v1`, `ascii_whitespace.v1`, `words.v1`, `regex.v1`, `chars.v1`,
//! `pyword.v1`, `pyalpha.v1`, `bert.v1`), length filters, word n-grams and fastText character n-grams.
//!
//! INTERFACE (fixed; the implementation may add private items):
//! - `Tokenizer::new(&TokenizeConfig) -> Result<Tokenizer>` (unknown split or bad regex -> `Error::Config`)
//! - `Tokenizer::tokenize_into(&self, norm: &Normalized, out: &mut Tokens)`: APPENDS the tokens of one document
//!   (the caller clears), each with its byte span in `norm.text`; protected spans are single tokens.
//! - `shape_of(&str) -> u8`: the shape/case class of a token's original text.

use crate::config::TokenizeConfig;
use crate::normalize::Normalized;
use crate::Result;

/// Shape/case classes emitted by the shape channel (0 is padding).
pub mod shape {
    /// Padding.
    pub const PAD: u8 = 0;
    /// All cased letters lower case (`apple`).
    pub const LOWER: u8 = 1;
    /// First cased letter upper, the others lower (`Apple`, `A`).
    pub const TITLE: u8 = 2;
    /// Two or more cased letters, all upper (`USA`).
    pub const UPPER: u8 = 3;
    /// Any other mix of cases (`iPhone`, `McDonald`).
    pub const MIXED: u8 = 4;
    /// Digits and no letters (`2024`, `3.5`).
    pub const DIGIT: u8 = 5;
    /// No cased letter and no digit (punctuation, CJK, symbols).
    pub const OTHER: u8 = 6;
}

/// The tokens of one or more documents in one flat buffer (no allocation per token).
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    /// Concatenated token texts.
    pub bytes: String,
    /// End offset in `bytes` of each token (its start is the previous end, or 0).
    pub ends: Vec<u32>,
    /// Byte span of each token in the normalized text it came from.
    pub spans: Vec<(u32, u32)>,
}

impl Tokens {
    /// Empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there is no token.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Remove all tokens, keeping the capacity.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.spans.clear();
    }

    /// Text of token `i`.
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// Iterate over the token texts.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// Append one token with its span in the normalized text.
    pub fn push(&mut self, token: &str, span: (u32, u32)) {
        self.bytes.push_str(token);
        self.ends.push(self.bytes.len() as u32);
        self.spans.push(span);
    }
}

/// A compiled tokenizer (immutable, shareable across threads).
#[derive(Debug, Clone)]
pub struct Tokenizer {
    cfg: TokenizeConfig,
}

impl Tokenizer {
    /// Compile a tokenizer from its config.
    pub fn new(cfg: &TokenizeConfig) -> Result<Tokenizer> {
        Ok(Tokenizer { cfg: cfg.clone() })
    }

    /// Append the tokens of one normalized document to `out`.
    pub fn tokenize_into(&self, norm: &Normalized, out: &mut Tokens) {
        let _ = &self.cfg;
        let text = norm.text.as_str();
        let mut start = None;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                if let Some(s) = start.take() {
                    out.push(&text[s..i], (s as u32, i as u32));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            out.push(&text[s..], (s as u32, text.len() as u32));
        }
    }
}

/// Shape/case class of a token's original text (see [`shape`]).
pub fn shape_of(token: &str) -> u8 {
    let _ = token;
    shape::OTHER
}
