//! Tokenization: splitters (`whitespace.v1`, `ascii_whitespace.v1`, `words.v1`, `regex.v1`, `chars.v1`,
//! `graphemes.v1`, `pyword.v1`, `pyalpha.v1`, `bert.v1`), length filters, word n-grams and fastText character
//! n-grams.
//!
//! INTERFACE (fixed; the implementation may add private items):
//! - `Tokenizer::new(&TokenizeConfig) -> Result<Tokenizer>` (unknown split or bad regex -> `Error::Config`)
//! - `Tokenizer::tokenize_into(&self, norm: &Normalized, out: &mut Tokens)`: APPENDS the tokens of one document
//!   (the caller clears), each with its byte span in `norm.text`; protected spans are single tokens.
//! - `shape_of(&str) -> u8`: the shape/case class of a token's original text.
//!
//! # Stages, in order
//!
//! 1. **Protected ranges.** Each valid range of `norm.protected` (sorted, non-overlapping, on char boundaries,
//!    non-empty; invalid ranges are ignored) is emitted as one token exactly as it is. It is never split and is
//!    not subject to the length filters or the punctuation policy. The splitter runs separately on the text
//!    between protected ranges, so a protected range is always a token boundary.
//! 2. **Splitter** (`split`), see [`SPLITTERS`]. Component names carry a version: the tokens a name produces
//!    never change; a different behaviour gets a new name.
//! 3. **Length filter** on characters (Unicode scalar values): a token shorter than `min_len` is dropped; a
//!    token longer than `max_len` keeps its first `max_len` characters (its span shrinks accordingly) or is
//!    dropped (`overlong`).
//! 4. **Word n-grams** `ngrams = [min_n, max_n]`, in scikit-learn's order: for `n` in `min_n..=max_n`, for each
//!    start `i`, words `i..i+n` joined by `ngram_sep` (so with `min_n == 1` the unigrams come first). The span
//!    of an n-gram runs from its first word's start to its last word's end.
//! 5. **Character n-grams** `char_ngrams = Some([a, b])` (fastText / gensim `FastText` subwords). When set, the
//!    output is, for each word in order: the word itself (when `char_ngram_words` and `min_n == 1`), then the
//!    character n-grams of `<word>` in gensim's `compute_ngrams` order (for each length `n` in
//!    `a..=min(b, len)`, each start position; lone `<` and `>` included when `a == 1`), each with the word's
//!    span. Then come the word n-grams with `n >= 2` (if `max_n >= 2`) in the order of stage 4. Protected tokens
//!    are emitted as themselves once and get no character n-grams. (fastText's C++ code and gensim's
//!    `compute_ngrams_bytes` enumerate by position first and skip lone `<`/`>`; that order is not used.)
//!
//! Offsets are `u32`: one normalized document must stay below 4 GiB.
//!
//! One file per concern: this file (`Tokens`, the `Tokenizer` and the length filter), `split.rs` (the splitter
//! components but `words.v1`), `words.rs` (`words.v1`, UAX #29), `emoji_table.rs` (generated), `ngrams.rs` (word
//! and character n-grams) and `shape.rs` (the shape channel). A new splitter is one `Split` variant with its match
//! arm, its name in [`SPLITTERS`] and its name-to-variant line, all in `split.rs`.

use std::cell::RefCell;

use crate::config::{Overlong, Punctuation, TokenizeConfig};
use crate::normalize::Normalized;
use crate::Result;

mod emoji_table;
mod ngrams;
pub mod shape;
mod split;
#[cfg(test)]
mod test_support;
mod words;

pub use ngrams::{fasttext_ngrams, fasttext_ngrams_with};
pub use shape::shape_of;
use split::Split;
pub use split::SPLITTERS;

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
    split: Split,
    keep_punct: bool,
    min_len: usize,
    max_len: Option<usize>,
    drop_overlong: bool,
    min_n: usize,
    max_n: usize,
    sep: String,
    char_ngrams: Option<(usize, usize)>,
    char_ngram_words: bool,
}

/// Per-thread scratch buffers for n-gram composition (no allocation per token in steady state).
#[derive(Default)]
struct Scratch {
    words: Tokens,
    protected: Vec<bool>,
    ngrams: ngrams::Buffers,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Tokenizer {
    /// Compile a tokenizer from its config (unknown splitter, bad regex or bad ranges -> `Error::Config`).
    pub fn new(cfg: &TokenizeConfig) -> Result<Tokenizer> {
        let split = Split::from_config(cfg)?;
        // The cross-field checks (n-gram ranges, max_len) of the section, so no unchecked value gets in.
        cfg.validate()?;
        Ok(Tokenizer {
            split,
            keep_punct: cfg.punctuation == Punctuation::Keep,
            min_len: cfg.min_len,
            max_len: cfg.max_len,
            drop_overlong: cfg.overlong == Overlong::Drop,
            min_n: cfg.ngrams[0],
            max_n: cfg.ngrams[1],
            sep: cfg.ngram_sep.clone(),
            char_ngrams: cfg.char_ngrams.map(|[a, b]| (a, b)),
            char_ngram_words: cfg.char_ngram_words,
        })
    }

    /// Append the tokens of one normalized document to `out` (see the module docs for the stages).
    pub fn tokenize_into(&self, norm: &Normalized, out: &mut Tokens) {
        if !self.composes() {
            self.words_into(norm, out, None);
            return;
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut s) => self.tokenize_composed(norm, out, &mut s),
            Err(_) => self.tokenize_composed(norm, out, &mut Scratch::default()),
        });
    }

    fn tokenize_composed(&self, norm: &Normalized, out: &mut Tokens, sc: &mut Scratch) {
        let Scratch {
            words,
            protected,
            ngrams,
        } = sc;
        words.clear();
        protected.clear();
        self.words_into(norm, words, Some(protected));
        self.compose(words, protected, out, ngrams);
    }

    /// True when the config builds word or character n-grams (then the words of a document are composed by
    /// [`Tokenizer::compose_into`] once all of them are known).
    pub fn composes(&self) -> bool {
        self.min_n != 1 || self.max_n != 1 || self.char_ngrams.is_some()
    }

    /// Stages 1 to 3 only: APPEND the words of one normalized document (or of one piece of a document given as
    /// tokens) to `words`, and to `protected` whether each is a protected range.
    pub fn split_into(&self, norm: &Normalized, words: &mut Tokens, protected: &mut Vec<bool>) {
        self.words_into(norm, words, Some(protected));
    }

    /// Stages 4 and 5: append the n-grams of a document's `words` (from [`Tokenizer::split_into`]) to `out`.
    pub fn compose_into(&self, words: &Tokens, protected: &[bool], out: &mut Tokens) {
        if !self.composes() {
            for i in 0..words.len() {
                out.push(words.get(i), words.spans[i]);
            }
            return;
        }
        let mut bufs = ngrams::Buffers::default();
        self.compose(words, protected, out, &mut bufs);
    }

    /// Words (after the length filter) and protected tokens, in text order.
    fn words_into(&self, norm: &Normalized, out: &mut Tokens, mut prot: Option<&mut Vec<bool>>) {
        let text = norm.text.as_str();
        let mut pos = 0usize;
        for &(a, b) in &norm.protected {
            let (a, b) = (a as usize, b as usize);
            if a < pos
                || b <= a
                || b > text.len()
                || !text.is_char_boundary(a)
                || !text.is_char_boundary(b)
            {
                continue;
            }
            self.split_range(text, pos, a, out);
            if let Some(p) = prot.as_deref_mut() {
                p.resize(out.len(), false);
                p.push(true);
            }
            out.push(&text[a..b], (a as u32, b as u32));
            pos = b;
        }
        self.split_range(text, pos, text.len(), out);
        if let Some(p) = prot {
            p.resize(out.len(), false);
        }
    }

    /// Length filter, then push. `s..e` must be a non-empty range of `text` on char boundaries.
    #[inline(always)]
    fn emit(&self, text: &str, s: usize, e: usize, out: &mut Tokens) {
        let Some(tok) = text.get(s..e) else { return };
        let nbytes = tok.len();
        if nbytes == 0 || nbytes < self.min_len {
            return;
        }
        // A char is 1 to 4 bytes: count chars only when the byte length cannot decide.
        if self.min_len > 1 && nbytes < self.min_len.saturating_mul(4) && !tok.is_ascii() {
            let chars = tok.bytes().filter(|&b| (b as i8) >= -0x40).count();
            if chars < self.min_len {
                return;
            }
        }
        if let Some(m) = self.max_len {
            if nbytes > m {
                if let Some((cut, _)) = tok.char_indices().nth(m) {
                    if self.drop_overlong {
                        return;
                    }
                    out.push(&tok[..cut], (s as u32, (s + cut) as u32));
                    return;
                }
            }
        }
        out.push(tok, (s as u32, e as u32));
    }
}

#[cfg(test)]
mod tests {
    use super::SPLITTERS;
    use crate::tokenize::test_support::*;
    use crate::Error;

    #[test]
    fn tokenize_config_errors() {
        let e = Tokenizer::new(&cfg("word.v1")).unwrap_err();
        let Error::Config { path, message } = e else {
            panic!()
        };
        assert_eq!(path, "tokenize.split");
        assert!(
            message.contains("word.v1") && message.contains("words.v1"),
            "{message}"
        );
        for name in SPLITTERS {
            assert!(message.contains(name), "{message}");
        }
        let e = Tokenizer::new(&TokenizeConfig {
            pattern: Some("(a".into()),
            ..cfg("regex.v1")
        })
        .unwrap_err();
        let Error::Config { path, message } = e else {
            panic!()
        };
        assert_eq!(path, "tokenize.pattern");
        assert!(message.contains("unclosed group"), "{message}");
        assert!(Tokenizer::new(&cfg("regex.v1")).is_err());
        let e = Tokenizer::new(&TokenizeConfig {
            ngrams: [2, 1],
            ..cfg("words.v1")
        })
        .unwrap_err();
        assert!(e.to_string().contains("tokenize.ngrams"), "{e}");
        assert!(Tokenizer::new(&TokenizeConfig {
            char_ngrams: Some([0, 3]),
            ..cfg("words.v1")
        })
        .is_err());
        assert!(Tokenizer::new(&TokenizeConfig {
            max_len: Some(0),
            ..cfg("words.v1")
        })
        .is_err());
        // Every listed splitter compiles.
        for name in SPLITTERS {
            let c = TokenizeConfig {
                pattern: Some(r"\w+".into()),
                ..cfg(name)
            };
            assert!(Tokenizer::new(&c).is_ok(), "{name}");
        }
    }

    #[test]
    fn tokenize_empty_and_whitespace_only() {
        for c in all_cfgs() {
            for text in [
                "",
                " ",
                " \t\n\r\x0b\x0c ",
                " \u{a0}\u{3000}\u{2028}\u{85} ",
            ] {
                let got = run(&c, text);
                if c.split == "ascii_whitespace.v1" && text.contains('\u{a0}') {
                    // Only ASCII whitespace splits.
                    assert_eq!(got, ["\u{a0}\u{3000}\u{2028}\u{85}"]);
                } else {
                    assert!(got.is_empty(), "{} {text:?} -> {got:?}", c.split);
                }
            }
        }
    }

    #[test]
    fn tokenize_combining_mark_flood() {
        let text = format!(
            "a{} b \u{301}{}",
            "\u{301}".repeat(10_000),
            "\u{300}".repeat(10_000)
        );
        for c in all_cfgs() {
            let _ = run(&c, &text);
            let capped = TokenizeConfig {
                max_len: Some(5),
                ..c.clone()
            };
            for t in run(&capped, &text) {
                assert!(t.chars().count() <= 5);
            }
        }
        assert_eq!(split("pyword.v1", &text), ["a", "b"]);
        assert_eq!(split("words.v1", &text).len(), 3);
        assert_eq!(split("chars.v1", &text).len(), 20_003);
    }

    #[test]
    fn tokenize_protected_ranges() {
        let text = "see <url> now<url>x, ok";
        let mut n = norm(text);
        n.protected = vec![(4, 9), (13, 18)];
        let (toks, spans) = run_norm(&cfg("words.v1"), &n);
        assert_eq!(toks, ["see", "<url>", "now", "<url>", "x", ",", "ok"]);
        assert_eq!(spans[1], (4, 9));
        assert_eq!(spans[3], (13, 18));
        // Not subject to punctuation, min_len or max_len.
        let c = TokenizeConfig {
            min_len: 3,
            max_len: Some(3),
            punctuation: Punctuation::Drop,
            ..cfg("bert.v1")
        };
        assert_eq!(run_norm(&c, &n).0, ["see", "<url>", "now", "<url>"]);
        for c in all_cfgs() {
            let (toks, _) = run_norm(&c, &n);
            assert_eq!(
                toks.iter().filter(|t| *t == "<url>").count(),
                2,
                "{}",
                c.split
            );
        }
        // Invalid ranges are ignored, never a panic.
        let mut bad = norm("é <url> x");
        bad.protected = vec![(1, 2), (3, 8), (3, 4), (9, 100), (6, 5), (8, 8)];
        let (toks, _) = run_norm(&cfg("whitespace.v1"), &bad);
        assert_eq!(toks, ["é", "<url>", "x"]);
        // A protected token is a word for n-grams but gets no char n-grams.
        let c = TokenizeConfig {
            ngrams: [1, 2],
            char_ngrams: Some([3, 3]),
            ..cfg("words.v1")
        };
        let mut n = norm("ab <u>");
        n.protected = vec![(3, 6)];
        assert_eq!(run_norm(&c, &n).0, ["ab", "<ab", "ab>", "<u>", "ab <u>"]);
    }

    #[test]
    fn tokenize_length_filters_multibyte() {
        let base = cfg("whitespace.v1");
        let trunc = TokenizeConfig {
            max_len: Some(3),
            ..base.clone()
        };
        let (toks, spans) = run_norm(&trunc, &norm("ééééé ab 日本語です"));
        assert_eq!(toks, ["ééé", "ab", "日本語"]);
        assert_eq!(spans, [(0, 6), (11, 13), (14, 23)]);
        let drop = TokenizeConfig {
            overlong: Overlong::Drop,
            ..trunc.clone()
        };
        assert_eq!(run(&drop, "ééééé ab 日本語 日本語で"), ["ab", "日本語"]);
        let min = TokenizeConfig {
            min_len: 3,
            ..base.clone()
        };
        assert_eq!(
            run(&min, "ééééé ab 日本 日本語 abc"),
            ["ééééé", "日本語", "abc"]
        );
        // Truncating a word of combining marks cuts on a char boundary.
        let t = run(&trunc, &format!("e{}", "\u{301}".repeat(50)));
        assert_eq!(t, [format!("e{}", "\u{301}".repeat(2))]);
    }

    #[test]
    fn tokenize_appends_and_reuses() {
        let t = Tokenizer::new(&TokenizeConfig {
            ngrams: [1, 2],
            ..cfg("words.v1")
        })
        .unwrap();
        let mut out = Tokens::new();
        t.tokenize_into(&norm("a b"), &mut out);
        t.tokenize_into(&norm("c"), &mut out);
        assert_eq!(out.iter().collect::<Vec<_>>(), ["a", "b", "a b", "c"]);
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Tokenizer>();
        // Threads share one tokenizer.
        let t = std::sync::Arc::new(t);
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let t = t.clone();
                std::thread::spawn(move || {
                    let mut out = Tokens::new();
                    t.tokenize_into(&norm("x y z"), &mut out);
                    out.len()
                })
            })
            .collect();
        for h in hs {
            assert_eq!(h.join().unwrap(), 5);
        }
    }

    #[test]
    fn tokenize_random_inputs_never_panic() {
        let mut rng = Rng(12345);
        let mut cfgs = all_cfgs();
        for c in all_cfgs() {
            cfgs.push(TokenizeConfig {
                min_len: 2,
                max_len: Some(3),
                ngrams: [1, 3],
                char_ngrams: Some([1, 4]),
                ..c
            });
        }
        let tks: Vec<Tokenizer> = cfgs.iter().map(|c| Tokenizer::new(c).unwrap()).collect();
        let mut out = Tokens::new();
        for _ in 0..500 {
            let len = (rng.next() % 20) as usize;
            let text: String = (0..len).map(|_| rng.pick(ALPHABET)).collect();
            let mut n = norm(&text);
            let (a, b) = ((rng.next() % 40) as u32, (rng.next() % 40) as u32);
            n.protected = vec![(a.min(b), a.max(b))];
            for t in &tks {
                out.clear();
                t.tokenize_into(&n, &mut out);
                for &(s, e) in &out.spans {
                    assert!(text.get(s as usize..e as usize).is_some(), "{text:?}");
                }
            }
        }
    }
}
