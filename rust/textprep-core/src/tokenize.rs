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

use std::cell::RefCell;

use unicode_general_category::{get_general_category, GeneralCategory as Gc};
use unicode_segmentation::UnicodeSegmentation;

use crate::config::{Config, Overlong, Punctuation, TokenizeConfig};
use crate::normalize::Normalized;
use crate::{Error, Result};

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

/// The splitter component names accepted by `tokenize.split`.
pub const SPLITTERS: &[&str] = &[
    "whitespace.v1",
    "ascii_whitespace.v1",
    "words.v1",
    "regex.v1",
    "chars.v1",
    "graphemes.v1",
    "pyword.v1",
    "pyalpha.v1",
    "bert.v1",
];

/// A compiled splitter. Every variant is a frozen component: its output never changes.
#[derive(Debug, Clone)]
enum Split {
    /// `whitespace.v1`: maximal runs of characters that are not `char::is_whitespace` (Unicode `White_Space`).
    Whitespace,
    /// `ascii_whitespace.v1`: split on the six ASCII whitespace bytes (space `\t \n \x0b \x0c \r`) only, as
    /// TensorFlow's `tf.strings.split` does; `\x1c`-`\x1f`, U+0085, U+00A0, U+2000, U+3000 ... do not split.
    AsciiWhitespace,
    /// `words.v1`: Unicode UAX #29 word boundaries (`unicode-segmentation`'s `split_word_bound_indices`).
    /// Whitespace at either end of a segment is trimmed and whitespace-only segments are dropped. A segment
    /// with an alphanumeric character (`char::is_alphanumeric`) is a word; a segment with an emoji
    /// (`Extended_Pictographic` or a regional indicator, incl. ZWJ sequences and flags) is a token; any other
    /// segment (punctuation, symbols, lone marks) is a punctuation token, kept or dropped per `punctuation`.
    /// Han ideographs and kana come out one per character (UAX #29 has no dictionary); Thai, Lao, Khmer and
    /// Myanmar come out as UAX #29 segments them (no dictionary segmentation).
    Words,
    /// `regex.v1`: every non-empty match of `pattern` (the `regex` crate: linear time, Unicode aware).
    Regex(regex::Regex),
    /// `chars.v1`: every Unicode scalar value that is not whitespace is a token (combining marks included as
    /// tokens of their own; `graphemes.v1` keeps them with their base).
    Chars,
    /// `graphemes.v1`: every extended grapheme cluster (UAX #29) is a token; whitespace at either end of a
    /// cluster is trimmed and whitespace-only clusters are dropped.
    Graphemes,
    /// `pyword.v1`: maximal runs of Python-`re` Unicode `\w` characters: `_` or `str.isalnum()`, i.e.
    /// general category Lu Ll Lt Lm Lo Nd Nl No. Marks (Mn Mc Me) are not `\w`, so Devanagari words split
    /// at their vowel signs exactly as in Python. With `min_len = 2` this is scikit-learn's
    /// `token_pattern = r"(?u)\b\w\w+\b"`. Categories come from `unicode-general-category` (Unicode 16):
    /// only characters assigned after the Python build's Unicode version (14.0 for CPython 3.11) can differ.
    PyWord,
    /// `pyalpha.v1`: maximal runs of characters that are Python `\w` and not `\d` (category Nd), i.e. gensim's
    /// `PAT_ALPHABETIC = (((?![\d])\w)+)`; tokens that start with `_` are dropped (gensim's `simple_preprocess`
    /// rule; this splitter exists only for gensim). The gensim preset is `pyalpha.v1` + `min_len = 2` +
    /// `max_len = 15` + `overlong = "drop"`.
    PyAlpha,
    /// `bert.v1`: HF tokenizers' `BertPreTokenizer`: split on `char::is_whitespace` (removed), then every
    /// punctuation character (`is_ascii_punctuation` or general category P*) is a token of its own, kept or
    /// dropped per `punctuation`.
    Bert,
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
    wrapped: String,
    bounds: Vec<usize>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

// ASCII byte classes (one 256-entry table; non-ASCII bytes have no bit set).
/// ASCII whitespace: `\t \n \x0b \x0c \r` and space (the same set as `char::is_whitespace` on ASCII).
const C_WS: u8 = 1;
/// Python `\w` on ASCII: `[A-Za-z0-9_]`.
const C_PYW: u8 = 2;
/// Python `\w` and not `\d` on ASCII: `[A-Za-z_]`.
const C_PYA: u8 = 4;
/// ASCII punctuation (`char::is_ascii_punctuation`).
const C_PUNCT: u8 = 8;
/// ASCII alphanumeric `[A-Za-z0-9]`.
const C_ALNUM: u8 = 16;
/// Not ASCII whitespace (member of a whitespace-split token).
const C_NOTWS: u8 = 32;
/// A BERT word character: neither whitespace nor punctuation.
const C_BERTW: u8 = 64;

const fn build_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        let ws = matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
        let alnum = b.is_ascii_alphanumeric();
        let punct = b.is_ascii_punctuation();
        let mut c = 0;
        if ws {
            c |= C_WS;
        } else {
            c |= C_NOTWS;
        }
        if alnum || b == b'_' {
            c |= C_PYW;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            c |= C_PYA;
        }
        if punct {
            c |= C_PUNCT;
        }
        if alnum {
            c |= C_ALNUM;
        }
        if !ws && !punct {
            c |= C_BERTW;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static TABLE: [u8; 256] = build_table();

/// Decode the char starting at byte `i` (a char boundary) of `text`: the char and its byte length.
#[inline]
fn char_at(text: &str, i: usize) -> (char, usize) {
    match text.get(i..).and_then(|s| s.chars().next()) {
        Some(c) => (c, c.len_utf8()),
        None => ('\u{FFFD}', 1),
    }
}

/// Python `str.isalnum()` on one char (Lu Ll Lt Lm Lo Nd Nl No), or `_`: Python `re`'s Unicode `\w`.
#[inline]
fn py_word(c: char) -> bool {
    c == '_'
        || matches!(
            get_general_category(c),
            Gc::UppercaseLetter
                | Gc::LowercaseLetter
                | Gc::TitlecaseLetter
                | Gc::ModifierLetter
                | Gc::OtherLetter
                | Gc::DecimalNumber
                | Gc::LetterNumber
                | Gc::OtherNumber
        )
}

/// Python `\w` and not `\d` (Nd).
#[inline]
fn py_alpha(c: char) -> bool {
    c == '_'
        || matches!(
            get_general_category(c),
            Gc::UppercaseLetter
                | Gc::LowercaseLetter
                | Gc::TitlecaseLetter
                | Gc::ModifierLetter
                | Gc::OtherLetter
                | Gc::LetterNumber
                | Gc::OtherNumber
        )
}

/// General category P* (Pc Pd Ps Pe Pi Pf Po).
#[inline]
fn is_punct_cat(c: char) -> bool {
    matches!(
        get_general_category(c),
        Gc::ConnectorPunctuation
            | Gc::DashPunctuation
            | Gc::OpenPunctuation
            | Gc::ClosePunctuation
            | Gc::InitialPunctuation
            | Gc::FinalPunctuation
            | Gc::OtherPunctuation
    )
}

/// `Extended_Pictographic` (Unicode 17, as in `unicode-segmentation` 1.13) as sorted inclusive ranges.
const EXT_PICT: &[(u32, u32)] = &[
    (0xA9, 0xA9),
    (0xAE, 0xAE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x2199),
    (0x21A9, 0x21AA),
    (0x231A, 0x231B),
    (0x2328, 0x2328),
    (0x23CF, 0x23CF),
    (0x23E9, 0x23F3),
    (0x23F8, 0x23FA),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25AB),
    (0x25B6, 0x25B6),
    (0x25C0, 0x25C0),
    (0x25FB, 0x25FE),
    (0x2600, 0x2604),
    (0x260E, 0x260E),
    (0x2611, 0x2611),
    (0x2614, 0x2615),
    (0x2618, 0x2618),
    (0x261D, 0x261D),
    (0x2620, 0x2620),
    (0x2622, 0x2623),
    (0x2626, 0x2626),
    (0x262A, 0x262A),
    (0x262E, 0x262F),
    (0x2638, 0x263A),
    (0x2640, 0x2640),
    (0x2642, 0x2642),
    (0x2648, 0x2653),
    (0x265F, 0x2660),
    (0x2663, 0x2663),
    (0x2665, 0x2666),
    (0x2668, 0x2668),
    (0x267B, 0x267B),
    (0x267E, 0x267F),
    (0x2692, 0x2697),
    (0x2699, 0x2699),
    (0x269B, 0x269C),
    (0x26A0, 0x26A1),
    (0x26A7, 0x26A7),
    (0x26AA, 0x26AB),
    (0x26B0, 0x26B1),
    (0x26BD, 0x26BE),
    (0x26C4, 0x26C5),
    (0x26C8, 0x26C8),
    (0x26CE, 0x26CF),
    (0x26D1, 0x26D1),
    (0x26D3, 0x26D4),
    (0x26E9, 0x26EA),
    (0x26F0, 0x26F5),
    (0x26F7, 0x26FA),
    (0x26FD, 0x26FD),
    (0x2702, 0x2702),
    (0x2705, 0x2705),
    (0x2708, 0x270D),
    (0x270F, 0x270F),
    (0x2712, 0x2712),
    (0x2714, 0x2714),
    (0x2716, 0x2716),
    (0x271D, 0x271D),
    (0x2721, 0x2721),
    (0x2728, 0x2728),
    (0x2733, 0x2734),
    (0x2744, 0x2744),
    (0x2747, 0x2747),
    (0x274C, 0x274C),
    (0x274E, 0x274E),
    (0x2753, 0x2755),
    (0x2757, 0x2757),
    (0x2763, 0x2764),
    (0x2795, 0x2797),
    (0x27A1, 0x27A1),
    (0x27B0, 0x27B0),
    (0x27BF, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B07),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x1F004, 0x1F004),
    (0x1F02C, 0x1F02F),
    (0x1F094, 0x1F09F),
    (0x1F0AF, 0x1F0B0),
    (0x1F0C0, 0x1F0C0),
    (0x1F0CF, 0x1F0D0),
    (0x1F0F6, 0x1F0FF),
    (0x1F170, 0x1F171),
    (0x1F17E, 0x1F17F),
    (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A),
    (0x1F1AE, 0x1F1E5),
    (0x1F201, 0x1F20F),
    (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F),
    (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F),
    (0x1F249, 0x1F25F),
    (0x1F266, 0x1F321),
    (0x1F324, 0x1F393),
    (0x1F396, 0x1F397),
    (0x1F399, 0x1F39B),
    (0x1F39E, 0x1F3F0),
    (0x1F3F3, 0x1F3F5),
    (0x1F3F7, 0x1F3FA),
    (0x1F400, 0x1F4FD),
    (0x1F4FF, 0x1F53D),
    (0x1F549, 0x1F54E),
    (0x1F550, 0x1F567),
    (0x1F56F, 0x1F570),
    (0x1F573, 0x1F57A),
    (0x1F587, 0x1F587),
    (0x1F58A, 0x1F58D),
    (0x1F590, 0x1F590),
    (0x1F595, 0x1F596),
    (0x1F5A4, 0x1F5A5),
    (0x1F5A8, 0x1F5A8),
    (0x1F5B1, 0x1F5B2),
    (0x1F5BC, 0x1F5BC),
    (0x1F5C2, 0x1F5C4),
    (0x1F5D1, 0x1F5D3),
    (0x1F5DC, 0x1F5DE),
    (0x1F5E1, 0x1F5E1),
    (0x1F5E3, 0x1F5E3),
    (0x1F5E8, 0x1F5E8),
    (0x1F5EF, 0x1F5EF),
    (0x1F5F3, 0x1F5F3),
    (0x1F5FA, 0x1F64F),
    (0x1F680, 0x1F6C5),
    (0x1F6CB, 0x1F6D2),
    (0x1F6D5, 0x1F6E5),
    (0x1F6E9, 0x1F6E9),
    (0x1F6EB, 0x1F6F0),
    (0x1F6F3, 0x1F6FF),
    (0x1F7DA, 0x1F7FF),
    (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F),
    (0x1F85A, 0x1F85F),
    (0x1F888, 0x1F88F),
    (0x1F8AE, 0x1F8AF),
    (0x1F8BC, 0x1F8BF),
    (0x1F8C2, 0x1F8CF),
    (0x1F8D9, 0x1F8FF),
    (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945),
    (0x1F947, 0x1F9FF),
    (0x1FA58, 0x1FA5F),
    (0x1FA6E, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
];

/// An emoji character: `Extended_Pictographic` or a regional indicator (flags).
fn is_emoji(c: char) -> bool {
    let u = c as u32;
    if u < 0xA9 {
        return false;
    }
    if (0x1F1E6..=0x1F1FF).contains(&u) {
        return true;
    }
    EXT_PICT
        .binary_search_by(|&(a, b)| {
            if b < u {
                std::cmp::Ordering::Less
            } else if a > u {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Maximal runs of members in `text[start..end]`: an ASCII byte is a member when its table entry has a bit
/// of `mask`; a non-ASCII char when `pred` says so. Calls `emit(s, e)` for each run.
#[inline(always)]
fn runs<P: Fn(char) -> bool, F: FnMut(usize, usize)>(
    text: &str,
    start: usize,
    end: usize,
    mask: u8,
    pred: P,
    emit: &mut F,
) {
    let b = text.as_bytes();
    let end = end.min(b.len());
    let mut i = start;
    'outer: while i < end {
        // Skip non-members.
        loop {
            if i >= end {
                break 'outer;
            }
            let c = b[i];
            if c < 0x80 {
                if TABLE[c as usize] & mask != 0 {
                    break;
                }
                i += 1;
            } else {
                let (ch, n) = char_at(text, i);
                if pred(ch) {
                    break;
                }
                i += n;
            }
        }
        let s = i;
        // Scan members.
        while i < end {
            let c = b[i];
            if c < 0x80 {
                if TABLE[c as usize] & mask == 0 {
                    break;
                }
                i += 1;
            } else {
                let (ch, n) = char_at(text, i);
                if !pred(ch) {
                    break;
                }
                i += n;
            }
        }
        emit(s, i.min(end));
    }
}

// UAX #29 word-break classes of ASCII characters (WordBreakProperty.txt), for the ASCII fast path of words.v1.
const W_OTHER: u8 = 0;
const W_LETTER: u8 = 1;
const W_NUM: u8 = 2;
/// MidLetter `:`.
const W_MIDLETTER: u8 = 3;
/// MidNum `,` `;`.
const W_MIDNUM: u8 = 4;
/// MidNumLet `.` or Single_Quote `'` (both are MidNumLetQ; Single_Quote only differs after Hebrew letters).
const W_MIDNUMLETQ: u8 = 5;
/// ExtendNumLet `_`.
const W_EXTNUMLET: u8 = 6;

const fn build_wb() -> [u8; 128] {
    let mut t = [W_OTHER; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_alphabetic() {
            W_LETTER
        } else if b.is_ascii_digit() {
            W_NUM
        } else {
            match b {
                b':' => W_MIDLETTER,
                b',' | b';' => W_MIDNUM,
                b'.' | b'\'' => W_MIDNUMLETQ,
                b'_' => W_EXTNUMLET,
                _ => W_OTHER,
            }
        };
        i += 1;
    }
    t
}

static WB: [u8; 128] = build_wb();

impl Tokenizer {
    /// Compile a tokenizer from its config (unknown splitter, bad regex or bad ranges -> `Error::Config`).
    pub fn new(cfg: &TokenizeConfig) -> Result<Tokenizer> {
        let split = match cfg.split.as_str() {
            "whitespace.v1" => Split::Whitespace,
            "ascii_whitespace.v1" => Split::AsciiWhitespace,
            "words.v1" => Split::Words,
            "chars.v1" => Split::Chars,
            "graphemes.v1" => Split::Graphemes,
            "pyword.v1" => Split::PyWord,
            "pyalpha.v1" => Split::PyAlpha,
            "bert.v1" => Split::Bert,
            "regex.v1" => {
                let Some(pattern) = cfg.pattern.as_deref() else {
                    return Err(Error::config(
                        "tokenize.pattern",
                        "split 'regex.v1' needs a pattern, e.g. pattern=r\"\\w+\"",
                    ));
                };
                let re = regex::Regex::new(pattern).map_err(|e| {
                    Error::config(
                        "tokenize.pattern",
                        format!("{pattern:?} is not a valid regular expression: \"{e}\""),
                    )
                })?;
                Split::Regex(re)
            }
            other => {
                return Err(Error::config(
                    "tokenize.split",
                    format!(
                        "unknown splitter {other:?}; expected one of: {}",
                        SPLITTERS.join(", ")
                    ),
                ))
            }
        };
        // The cross-field checks (n-gram ranges, max_len) of the config, so no unchecked value gets in.
        Config {
            tokenize: cfg.clone(),
            ..Config::default()
        }
        .validate()?;
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
        if self.min_n == 1 && self.max_n == 1 && self.char_ngrams.is_none() {
            self.words_into(norm, out, None);
            return;
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut s) => self.compose(norm, out, &mut s),
            Err(_) => self.compose(norm, out, &mut Scratch::default()),
        });
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

    /// Run the splitter on `text[start..end]` (char boundaries) and push the filtered tokens.
    fn split_range(&self, text: &str, start: usize, end: usize, out: &mut Tokens) {
        if start >= end {
            return;
        }
        match &self.split {
            Split::Whitespace => runs(
                text,
                start,
                end,
                C_NOTWS,
                |c| !c.is_whitespace(),
                &mut |s, e| self.emit(text, s, e, out),
            ),
            Split::AsciiWhitespace => runs(text, start, end, C_NOTWS, |_| true, &mut |s, e| {
                self.emit(text, s, e, out)
            }),
            Split::PyWord => runs(text, start, end, C_PYW, py_word, &mut |s, e| {
                self.emit(text, s, e, out)
            }),
            Split::PyAlpha => runs(text, start, end, C_PYA, py_alpha, &mut |s, e| {
                if text.as_bytes()[s] != b'_' {
                    self.emit(text, s, e, out)
                }
            }),
            Split::Chars => {
                let Some(gap) = text.get(start..end) else {
                    return;
                };
                for (i, c) in gap.char_indices() {
                    if !c.is_whitespace() {
                        let s = start + i;
                        self.emit(text, s, s + c.len_utf8(), out);
                    }
                }
            }
            Split::Graphemes => {
                let Some(gap) = text.get(start..end) else {
                    return;
                };
                for (i, g) in gap.grapheme_indices(true) {
                    let t = g.trim_start_matches(char::is_whitespace);
                    let s = start + i + (g.len() - t.len());
                    let t = t.trim_end_matches(char::is_whitespace);
                    if !t.is_empty() {
                        self.emit(text, s, s + t.len(), out);
                    }
                }
            }
            Split::Regex(re) => {
                let Some(gap) = text.get(start..end) else {
                    return;
                };
                for m in re.find_iter(gap) {
                    if !m.is_empty() {
                        self.emit(text, start + m.start(), start + m.end(), out);
                    }
                }
            }
            Split::Bert => self.split_bert(text, start, end, out),
            Split::Words => self.split_words(text, start, end, out),
        }
    }

    /// `bert.v1`: whitespace removed, punctuation isolated.
    fn split_bert(&self, text: &str, start: usize, end: usize, out: &mut Tokens) {
        let b = text.as_bytes();
        let mut i = start;
        let mut word: Option<usize> = None;
        while i < end {
            let c = b[i];
            let (ws, punct, n) = if c < 0x80 {
                let t = TABLE[c as usize];
                if t & C_BERTW != 0 {
                    if word.is_none() {
                        word = Some(i);
                    }
                    i += 1;
                    continue;
                }
                (t & C_WS != 0, t & C_PUNCT != 0, 1)
            } else {
                let (ch, n) = char_at(text, i);
                let ws = ch.is_whitespace();
                (ws, !ws && is_punct_cat(ch), n)
            };
            if ws || punct {
                if let Some(s) = word.take() {
                    self.emit(text, s, i, out);
                }
                if punct && self.keep_punct {
                    self.emit(text, i, i + n, out);
                }
            } else if word.is_none() {
                word = Some(i);
            }
            i += n;
        }
        if let Some(s) = word {
            self.emit(text, s, end, out);
        }
    }

    /// `words.v1`: the range is cut into chunks at ASCII whitespace (always a UAX #29 boundary up to segments
    /// that are whitespace at one end, which are trimmed anyway); pure-ASCII chunks take a table-driven path
    /// implementing the same rules, other chunks go through `unicode-segmentation`.
    fn split_words(&self, text: &str, start: usize, end: usize, out: &mut Tokens) {
        let b = text.as_bytes();
        let mut i = start;
        while i < end {
            // Skip ASCII whitespace.
            while i < end && TABLE[b[i] as usize] & C_WS != 0 {
                i += 1;
            }
            if i >= end {
                break;
            }
            let s = i;
            let mut ascii = true;
            while i < end && TABLE[b[i] as usize] & C_WS == 0 {
                ascii &= b[i] < 0x80;
                i += 1;
            }
            if ascii {
                self.words_ascii(text, s, i, out);
            } else {
                self.words_unicode(text, s, i, out);
            }
        }
    }

    /// UAX #29 on an ASCII chunk without whitespace, in one pass: runs of letters, digits and `_` join
    /// (WB5, WB8-WB10, WB13a/b); a MidLetter/MidNum/MidNumLetQ char joins when the same class is on both sides
    /// (WB6/7 for letters, WB11/12 for digits); every other char is a segment of its own (WB999).
    fn words_ascii(&self, text: &str, start: usize, end: usize, out: &mut Tokens) {
        let Some(chunk) = text.get(start..end) else {
            return;
        };
        let b = chunk.as_bytes();
        let n = b.len();
        let mut i = 0;
        while i < n {
            let c = WB[(b[i] & 0x7f) as usize];
            if !matches!(c, W_LETTER | W_NUM | W_EXTNUMLET) {
                if self.keep_punct {
                    self.emit(text, start + i, start + i + 1, out);
                }
                i += 1;
                continue;
            }
            let s = i;
            let mut alnum = c != W_EXTNUMLET;
            let mut last = c;
            i += 1;
            loop {
                while i < n {
                    let k = WB[(b[i] & 0x7f) as usize];
                    if !matches!(k, W_LETTER | W_NUM | W_EXTNUMLET) {
                        break;
                    }
                    alnum |= k != W_EXTNUMLET;
                    last = k;
                    i += 1;
                }
                if i + 1 < n {
                    let mid = WB[(b[i] & 0x7f) as usize];
                    let next = WB[(b[i + 1] & 0x7f) as usize];
                    let joins = match (last, mid) {
                        (W_LETTER, W_MIDLETTER | W_MIDNUMLETQ) => next == W_LETTER,
                        (W_NUM, W_MIDNUM | W_MIDNUMLETQ) => next == W_NUM,
                        _ => false,
                    };
                    if joins {
                        i += 1; // the next char is consumed (and `last` set) by the run loop
                        continue;
                    }
                }
                break;
            }
            if alnum || self.keep_punct {
                self.emit(text, start + s, start + i, out);
            }
        }
    }

    /// UAX #29 on any chunk via `unicode-segmentation`.
    fn words_unicode(&self, text: &str, start: usize, end: usize, out: &mut Tokens) {
        let Some(chunk) = text.get(start..end) else {
            return;
        };
        for (i, seg) in chunk.split_word_bound_indices() {
            let t = seg.trim_start_matches(char::is_whitespace);
            let s = start + i + (seg.len() - t.len());
            let t = t.trim_end_matches(char::is_whitespace);
            if t.is_empty() {
                continue;
            }
            if self.keep_punct || t.chars().any(|c| c.is_alphanumeric() || is_emoji(c)) {
                self.emit(text, s, s + t.len(), out);
            }
        }
    }

    /// Word n-grams and character n-grams (see the module docs for the order).
    fn compose(&self, norm: &Normalized, out: &mut Tokens, sc: &mut Scratch) {
        let Scratch {
            words,
            protected,
            wrapped,
            bounds,
        } = sc;
        words.clear();
        protected.clear();
        self.words_into(norm, words, Some(protected));
        let nw = words.len();
        let mut first_n = self.min_n;
        if let Some((a, b)) = self.char_ngrams {
            for i in 0..nw {
                let w = words.get(i);
                let span = words.spans[i];
                if protected.get(i).copied().unwrap_or(false) {
                    out.push(w, span);
                    continue;
                }
                if self.char_ngram_words && self.min_n == 1 {
                    out.push(w, span);
                }
                wrapped.clear();
                wrapped.push('<');
                wrapped.push_str(w);
                wrapped.push('>');
                bounds.clear();
                bounds.extend(wrapped.char_indices().map(|(j, _)| j));
                bounds.push(wrapped.len());
                let len = bounds.len() - 1;
                for n in a..=b.min(len) {
                    for j in 0..=len - n {
                        out.push(&wrapped[bounds[j]..bounds[j + n]], span);
                    }
                }
            }
            first_n = first_n.max(2);
        }
        for n in first_n..=self.max_n {
            if n > nw {
                break;
            }
            for i in 0..=nw - n {
                for k in i..i + n {
                    if k > i {
                        out.bytes.push_str(&self.sep);
                    }
                    out.bytes.push_str(words.get(k));
                }
                out.ends.push(out.bytes.len() as u32);
                out.spans.push((words.spans[i].0, words.spans[i + n - 1].1));
            }
        }
    }
}

/// Shape/case class of a token's original text (see [`shape`]): cased letters are Lu/Lt (upper) and Ll
/// (lower); with any cased letter the class is LOWER, TITLE, UPPER or MIXED; otherwise DIGIT when there is a
/// number (N*) and no letter at all, else OTHER.
pub fn shape_of(token: &str) -> u8 {
    let mut n_cased = 0usize;
    let mut first_upper = false;
    let mut n_upper = 0usize;
    let mut rest_upper = false;
    let mut has_digit = false;
    let mut has_letter = false;
    let mut note = |upper: bool| {
        if n_cased == 0 {
            first_upper = upper;
        } else if upper {
            rest_upper = true;
        }
        n_upper += upper as usize;
        n_cased += 1;
    };
    for c in token.chars() {
        if c.is_ascii() {
            if c.is_ascii_lowercase() {
                note(false);
            } else if c.is_ascii_uppercase() {
                note(true);
            } else if c.is_ascii_digit() {
                has_digit = true;
            }
            continue;
        }
        match get_general_category(c) {
            Gc::LowercaseLetter => note(false),
            Gc::UppercaseLetter | Gc::TitlecaseLetter => note(true),
            Gc::ModifierLetter | Gc::OtherLetter => has_letter = true,
            Gc::DecimalNumber | Gc::LetterNumber | Gc::OtherNumber => has_digit = true,
            _ => {}
        }
    }
    if n_cased > 0 {
        if n_upper == 0 {
            shape::LOWER
        } else if first_upper && !rest_upper {
            shape::TITLE
        } else if n_upper == n_cased {
            shape::UPPER
        } else {
            shape::MIXED
        }
    } else if has_digit && !has_letter {
        shape::DIGIT
    } else {
        shape::OTHER
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> Normalized {
        let mut n = Normalized::new();
        n.text = text.to_string();
        n
    }

    fn cfg(split: &str) -> TokenizeConfig {
        TokenizeConfig {
            split: split.into(),
            ..TokenizeConfig::default()
        }
    }

    /// Tokens and spans, checking the span invariants (char boundaries, inside the text, and for plain
    /// unigram output the token is the text at its span).
    fn run_norm(c: &TokenizeConfig, n: &Normalized) -> (Vec<String>, Vec<(u32, u32)>) {
        let t = Tokenizer::new(c).unwrap();
        let mut out = Tokens::new();
        t.tokenize_into(n, &mut out);
        let plain = c.ngrams == [1, 1] && c.char_ngrams.is_none();
        for i in 0..out.len() {
            let (a, b) = out.spans[i];
            let (a, b) = (a as usize, b as usize);
            assert!(a <= b && b <= n.text.len(), "span {a}..{b} out of text");
            assert!(n.text.is_char_boundary(a) && n.text.is_char_boundary(b));
            assert!(!out.get(i).is_empty(), "empty token");
            if plain {
                assert_eq!(&n.text[a..b], out.get(i));
            }
        }
        (out.iter().map(String::from).collect(), out.spans.clone())
    }

    fn run(c: &TokenizeConfig, text: &str) -> Vec<String> {
        run_norm(c, &norm(text)).0
    }

    fn split(name: &str, text: &str) -> Vec<String> {
        run(&cfg(name), text)
    }

    fn drop_punct(name: &str) -> TokenizeConfig {
        TokenizeConfig {
            punctuation: Punctuation::Drop,
            ..cfg(name)
        }
    }

    const ALL: &[&str] = &[
        "whitespace.v1",
        "ascii_whitespace.v1",
        "words.v1",
        "chars.v1",
        "graphemes.v1",
        "pyword.v1",
        "pyalpha.v1",
        "bert.v1",
    ];

    fn all_cfgs() -> Vec<TokenizeConfig> {
        let mut v: Vec<TokenizeConfig> = ALL.iter().map(|s| cfg(s)).collect();
        v.extend(ALL.iter().map(|s| drop_punct(s)));
        v.push(TokenizeConfig {
            pattern: Some(r"\w+|[^\w\s]".into()),
            ..cfg("regex.v1")
        });
        v
    }

    #[test]
    fn tokenize_whitespace_v1() {
        assert_eq!(
            split(
                "whitespace.v1",
                " Hello, world!\u{a0}x\u{3000}y\u{85}z\u{2000}w \t\n"
            ),
            ["Hello,", "world!", "x", "y", "z", "w"]
        );
        // U+001C..U+001F are not White_Space (unlike Python's str.split).
        assert_eq!(split("whitespace.v1", "a\x1cb"), ["a\x1cb"]);
        assert_eq!(split("whitespace.v1", "don't 3.14"), ["don't", "3.14"]);
    }

    #[test]
    fn tokenize_ascii_whitespace_v1() {
        let text = "a\x1cb c\u{85}d\u{a0}e\u{2000}f\u{3000}g\x0bh\x0ci\rj\tk\nl";
        assert_eq!(
            split("ascii_whitespace.v1", text),
            [
                "a\x1cb",
                "c\u{85}d\u{a0}e\u{2000}f\u{3000}g",
                "h",
                "i",
                "j",
                "k",
                "l"
            ]
        );
    }

    const EN: &str = "Hello, world! don't 3.14 1,000 http://x.com/a?b=1";

    #[test]
    fn tokenize_words_v1_english() {
        assert_eq!(
            split("words.v1", EN),
            [
                "Hello", ",", "world", "!", "don't", "3.14", "1,000", "http", ":", "/", "/",
                "x.com", "/", "a", "?", "b", "=", "1"
            ]
        );
        assert_eq!(
            run(&drop_punct("words.v1"), EN),
            ["Hello", "world", "don't", "3.14", "1,000", "http", "x.com", "a", "b", "1"]
        );
        assert_eq!(
            split("words.v1", "a_b __init__ e.g. 1.2.3 a:b ... 'q'"),
            ["a_b", "__init__", "e.g", ".", "1.2.3", "a:b", ".", ".", ".", "'", "q", "'"]
        );
    }

    #[test]
    fn tokenize_words_v1_emoji_cjk_scripts() {
        let fam = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        let flag = "\u{1F1EB}\u{1F1F7}";
        let text = format!("hi {fam} {flag}! \u{1F44D}\u{1F3FD}");
        let want = ["hi", fam, flag, "\u{1F44D}\u{1F3FD}"];
        assert_eq!(run(&drop_punct("words.v1"), &text), want);
        // Han: one token per ideograph; Katakana stays together; Hiragana per char.
        assert_eq!(split("words.v1", "中文字"), ["中", "文", "字"]);
        assert_eq!(split("words.v1", "カタカナ"), ["カタカナ"]);
        assert_eq!(
            split("words.v1", "日本語です。"),
            ["日", "本", "語", "で", "す", "。"]
        );
        // Thai and Devanagari: exactly what UAX #29 gives.
        for text in ["ภาษาไทย ดี", "हिन्दी भाषा", "ພາສາລາວ", "ភាសាខ្មែរ", "မြန်မာ"]
        {
            let want: Vec<String> = text
                .split_word_bound_indices()
                .map(|(_, s)| s.trim_matches(char::is_whitespace))
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            assert_eq!(split("words.v1", text), want, "{text}");
        }
        assert_eq!(split("words.v1", "हिन्दी भाषा"), ["हिन्दी", "भाषा"]);
        // Symbols are dropped with punctuation, emoji are not.
        assert_eq!(
            run(&drop_punct("words.v1"), "a + b = \u{2764} $5"),
            ["a", "b", "\u{2764}", "5"]
        );
    }

    /// Reference words.v1: `split_word_bound_indices` on the whole text, segments trimmed of whitespace.
    fn words_reference(text: &str, keep: bool) -> Vec<(String, (u32, u32))> {
        let mut v = Vec::new();
        for (i, seg) in text.split_word_bound_indices() {
            let t = seg.trim_start_matches(char::is_whitespace);
            let s = i + seg.len() - t.len();
            let t = t.trim_end_matches(char::is_whitespace);
            if t.is_empty() {
                continue;
            }
            if keep || t.chars().any(|c| c.is_alphanumeric() || is_emoji(c)) {
                v.push((t.to_string(), (s as u32, (s + t.len()) as u32)));
            }
        }
        v
    }

    /// Tiny deterministic PRNG (xorshift) for the randomized comparisons.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[(self.next() % xs.len() as u64) as usize]
        }
    }

    const ALPHABET: &[&str] = &[
        "a",
        "b",
        "Z",
        "1",
        "9",
        " ",
        " ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\x0b",
        ".",
        ",",
        ";",
        ":",
        "'",
        "\"",
        "_",
        "-",
        "!",
        "/",
        "\u{301}",
        "\u{200D}",
        "\u{AD}",
        "\u{200B}",
        "\u{3000}",
        "\u{A0}",
        "\u{85}",
        "é",
        "中",
        "カ",
        "ー",
        "\u{5D0}",
        "ท",
        "\u{E31}",
        "ह",
        "\u{94D}",
        "\u{1F600}",
        "\u{1F3FD}",
        "\u{1F1EB}",
        "\u{1F1F7}",
        "\u{2764}",
        "\u{FE0F}",
        "\u{2060}",
        "\u{2018}",
        "·",
        "٠",
        "\x1c",
        "\u{2028}",
    ];

    #[test]
    fn tokenize_words_v1_fast_path_matches_reference() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for keep in [true, false] {
            let c = TokenizeConfig {
                punctuation: if keep {
                    Punctuation::Keep
                } else {
                    Punctuation::Drop
                },
                ..cfg("words.v1")
            };
            let t = Tokenizer::new(&c).unwrap();
            let mut out = Tokens::new();
            for round in 0..20000 {
                let len = 1 + (rng.next() % 12) as usize;
                let text: String = (0..len)
                    .map(|_| {
                        if round % 2 == 0 {
                            rng.pick(ALPHABET)
                        } else {
                            rng.pick(&ALPHABET[..22])
                        }
                    })
                    .collect();
                out.clear();
                t.tokenize_into(&norm(&text), &mut out);
                let got: Vec<(String, (u32, u32))> = out
                    .iter()
                    .map(String::from)
                    .zip(out.spans.iter().copied())
                    .collect();
                assert_eq!(got, words_reference(&text, keep), "{text:?}");
            }
        }
        // Real text too.
        for rel in [
            "fixtures/text_multilingual_sample.txt",
            "fixtures/text_en_sample.txt",
        ] {
            let Some(text) = crate::shared_data(rel).and_then(|p| std::fs::read_to_string(p).ok())
            else {
                eprintln!("skipping ../shared/data/{rel}: not present");
                continue;
            };
            let got = run_norm(&cfg("words.v1"), &norm(&text));
            let want = words_reference(&text, true);
            assert_eq!(got.0.len(), want.len());
            assert!(got.0.iter().zip(&want).all(|(a, b)| *a == b.0));
        }
    }

    /// The WordBreakTest 15.0 lines that `unicode-segmentation` 1.13.3 (Unicode 17 tables) segments differently:
    /// `2701 ZWJ 2701` and `0061 ZWJ 2701` expect no break before U+2701 UPPER BLADE SCISSORS (WB3c, ZWJ x
    /// Extended_Pictographic), but U+2701 is not `Extended_Pictographic` in the crate's Unicode 17 tables.
    const KNOWN_WB_DIFFERENCES: &[usize] = &[1730, 1731];

    #[test]
    fn tokenize_words_v1_unicode_word_break_test() {
        let rel = "fixtures/unicode15_WordBreakTest.txt";
        let Some(data) = crate::shared_data(rel).and_then(|p| std::fs::read_to_string(p).ok())
        else {
            eprintln!("skipping WordBreakTest: ../shared/data/{rel} is not present");
            return;
        };
        let (mut pass, mut fail) = (0usize, Vec::new());
        for (lineno, line) in data.lines().enumerate() {
            let body = line.split('#').next().unwrap_or("").trim();
            if body.is_empty() {
                continue;
            }
            let mut s = String::new();
            let mut want = Vec::new();
            for part in body.split_whitespace() {
                match part {
                    "÷" => want.push(s.len()),
                    "×" => {}
                    hex => s.push(char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap()),
                }
            }
            let mut got: Vec<usize> = s.split_word_bound_indices().map(|(i, _)| i).collect();
            got.push(s.len());
            if s.is_empty() {
                got = vec![0];
            }
            if got == want {
                pass += 1;
            } else {
                fail.push(lineno + 1);
            }
        }
        eprintln!(
            "WordBreakTest 15.0: {pass} pass, {} differ (lines {:?})",
            fail.len(),
            fail
        );
        assert!(pass >= 1800, "only {pass} WordBreakTest cases pass");
        assert_eq!(fail, KNOWN_WB_DIFFERENCES);
    }

    #[test]
    fn tokenize_regex_v1() {
        let c = TokenizeConfig {
            pattern: Some(r"\w+".into()),
            ..cfg("regex.v1")
        };
        assert_eq!(run(&c, "don't stop, café"), ["don", "t", "stop", "café"]);
        let c = TokenizeConfig {
            pattern: Some("a*".into()),
            ..cfg("regex.v1")
        };
        assert_eq!(run(&c, "baaab"), ["aaa"]);
        let c = TokenizeConfig {
            pattern: Some(r"(?u)\b\w\w+\b".into()),
            ..cfg("regex.v1")
        };
        assert_eq!(
            run(&c, EN),
            ["Hello", "world", "don", "14", "000", "http", "com"]
        );
    }

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
    fn tokenize_chars_and_graphemes() {
        let fam = "\u{1F468}\u{200D}\u{1F469}";
        let text = format!("a b\u{301} 中{fam}");
        assert_eq!(
            split("chars.v1", &text),
            [
                "a",
                "b",
                "\u{301}",
                "中",
                "\u{1F468}",
                "\u{200D}",
                "\u{1F469}"
            ]
        );
        assert_eq!(split("graphemes.v1", &text), ["a", "b\u{301}", "中", fam]);
    }

    #[test]
    fn tokenize_pyword_v1_matches_python() {
        // Expected values from CPython 3.11 `re.findall(r"\w+", text)`.
        assert_eq!(
            split("pyword.v1", EN),
            [
                "Hello", "world", "don", "t", "3", "14", "1", "000", "http", "x", "com", "a", "b",
                "1"
            ]
        );
        assert_eq!(
            split("pyword.v1", "naïve café—«quoted» ¿qué? 中文字"),
            ["naïve", "café", "quoted", "qué", "中文字"]
        );
        assert_eq!(
            split("pyword.v1", "a_b __init__ x²y ½ Ⅻ"),
            ["a_b", "__init__", "x²y", "½", "Ⅻ"]
        );
        assert_eq!(split("pyword.v1", "हिन्दी भाषा"), ["ह", "न", "द", "भ", "ष"]);
        assert_eq!(split("pyword.v1", "ภาษาไทย"), ["ภาษาไทย"]);
        // scikit-learn's CountVectorizer(lowercase=False).build_analyzer() == pyword.v1 + min_len 2.
        let sk = TokenizeConfig {
            min_len: 2,
            ..cfg("pyword.v1")
        };
        assert_eq!(
            run(&sk, EN),
            ["Hello", "world", "don", "14", "000", "http", "com"]
        );
        assert_eq!(run(&sk, "a_b __init__ x²y ½ Ⅻ"), ["a_b", "__init__", "x²y"]);
        assert!(run(&sk, "हिन्दी भाषा").is_empty());
    }

    fn gensim() -> TokenizeConfig {
        TokenizeConfig {
            min_len: 2,
            max_len: Some(15),
            overlong: Overlong::Drop,
            ..cfg("pyalpha.v1")
        }
    }

    #[test]
    fn tokenize_pyalpha_v1_matches_gensim() {
        // Expected values from gensim 4.4.0 `simple_preprocess(text)` (input already lowercase).
        assert_eq!(
            run(&gensim(), &EN.to_lowercase()),
            ["hello", "world", "don", "http", "com"]
        );
        assert_eq!(run(&gensim(), "a_b __init__ x²y ½ ⅻ"), ["a_b", "x²y"]);
        assert_eq!(
            run(&gensim(), "naïve café—«quoted» ¿qué? 中文字"),
            ["naïve", "café", "quoted", "qué", "中文字"]
        );
        assert_eq!(
            run(&gensim(), "supercalifragilistic abc123def _x x_ 3d"),
            ["abc", "def", "x_"]
        );
        assert_eq!(split("pyalpha.v1", "ab12cd ٣x"), ["ab", "cd", "x"]);
    }

    #[test]
    fn tokenize_bert_v1_matches_hf() {
        // Expected values from HF tokenizers `BertPreTokenizer().pre_tokenize_str(text)`.
        assert_eq!(
            split("bert.v1", EN),
            [
                "Hello", ",", "world", "!", "don", "'", "t", "3", ".", "14", "1", ",", "000",
                "http", ":", "/", "/", "x", ".", "com", "/", "a", "?", "b", "=", "1"
            ]
        );
        assert_eq!(
            split("bert.v1", "naïve café—«quoted» ¿qué? 中文字"),
            [
                "naïve",
                "café",
                "—",
                "«",
                "quoted",
                "»",
                "¿",
                "qué",
                "?",
                "中文字"
            ]
        );
        assert_eq!(
            split("bert.v1", "a_b __init__ x²y ½ Ⅻ"),
            ["a", "_", "b", "_", "_", "init", "_", "_", "x²y", "½", "Ⅻ"]
        );
        assert_eq!(split("bert.v1", "हिन्दी भाषा"), ["हिन्दी", "भाषा"]);
        assert_eq!(
            run(&drop_punct("bert.v1"), "naïve café—«quoted» ¿qué? $5"),
            ["naïve", "café", "quoted", "qué", "5"]
        );
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
    fn tokenize_word_ngrams() {
        let c = TokenizeConfig {
            ngrams: [1, 3],
            ..cfg("whitespace.v1")
        };
        // scikit-learn CountVectorizer(ngram_range=(1, 3)).build_analyzer()("aa bb cc dd").
        assert_eq!(
            run(&c, "aa bb cc dd"),
            ["aa", "bb", "cc", "dd", "aa bb", "bb cc", "cc dd", "aa bb cc", "bb cc dd"]
        );
        let c = TokenizeConfig {
            ngrams: [2, 4],
            ngram_sep: "_".into(),
            ..cfg("whitespace.v1")
        };
        let (toks, spans) = run_norm(&c, &norm("a  bé c"));
        assert_eq!(toks, ["a_bé", "bé_c", "a_bé_c"]);
        assert_eq!(spans, [(0, 6), (3, 8), (0, 8)]);
        assert!(run(&c, "one").is_empty());
        assert!(run(&c, "").is_empty());
    }

    #[test]
    fn tokenize_char_ngrams() {
        let c = TokenizeConfig {
            char_ngrams: Some([3, 4]),
            ..cfg("whitespace.v1")
        };
        // gensim.models.fasttext_inner.compute_ngrams("where", 3, 4), after the word itself.
        let (toks, spans) = run_norm(&c, &norm("where"));
        assert_eq!(
            toks,
            ["where", "<wh", "whe", "her", "ere", "re>", "<whe", "wher", "here", "ere>"]
        );
        assert!(spans.iter().all(|&s| s == (0, 5)));
        let c = TokenizeConfig {
            char_ngrams: Some([1, 2]),
            char_ngram_words: false,
            ..cfg("whitespace.v1")
        };
        assert_eq!(run(&c, "ab"), ["<", "a", "b", ">", "<a", "ab", "b>"]);
        let c = TokenizeConfig {
            char_ngrams: Some([1, 3]),
            char_ngram_words: false,
            ..cfg("whitespace.v1")
        };
        assert_eq!(run(&c, "é"), ["<", "é", ">", "<é", "é>", "<é>"]);
        // Both: per word (word, char n-grams), then the word n-grams with n >= 2.
        let c = TokenizeConfig {
            char_ngrams: Some([5, 6]),
            ngrams: [1, 2],
            ..cfg("whitespace.v1")
        };
        let (toks, spans) = run_norm(&c, &norm("abc de"));
        assert_eq!(toks, ["abc", "<abc>", "de", "abc de"]);
        assert_eq!(spans, [(0, 3), (0, 3), (4, 6), (0, 6)]);
        // min_n 2: no unigrams even with char_ngram_words.
        let c = TokenizeConfig {
            char_ngrams: Some([4, 4]),
            ngrams: [2, 2],
            ..cfg("whitespace.v1")
        };
        assert_eq!(run(&c, "abc de"), ["<abc", "abc>", "<de>", "abc de"]);
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

    #[test]
    fn tokenize_shape_of() {
        use shape::*;
        let cases: &[(&str, u8)] = &[
            ("apple", LOWER),
            ("Apple", TITLE),
            ("A", TITLE),
            ("USA", UPPER),
            ("iPhone", MIXED),
            ("McDonald", MIXED),
            ("2024", DIGIT),
            ("3.5", DIGIT),
            ("1,000", DIGIT),
            ("²", DIGIT),
            (",", OTHER),
            ("中文", OTHER),
            ("中1", OTHER),
            ("\u{1F600}", OTHER),
            ("", OTHER),
            ("été", LOWER),
            ("Été", TITLE),
            ("ÉTÉ", UPPER),
            ("ǅ", TITLE),
            ("Straße", TITLE),
            ("don't", LOWER),
            ("U.S.", UPPER),
            ("2nd", LOWER),
            ("3D", TITLE),
            ("Ωμέγα", TITLE),
            ("<url>", LOWER),
        ];
        for &(s, want) in cases {
            assert_eq!(shape_of(s), want, "{s}");
        }
    }
}
