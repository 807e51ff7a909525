//! The splitter components (`tokenize.split`) but `words.v1` (see `words.rs`): a table-driven ASCII fast path and
//! Python-compatible character classes for the peers' presets.

use unicode_general_category::{get_general_category, GeneralCategory as Gc};
use unicode_segmentation::UnicodeSegmentation;

use super::{Tokenizer, Tokens};
use crate::config::TokenizeConfig;
use crate::{Error, Result};

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
    "pretokenized.v1",
];

/// A compiled splitter. Every variant is a frozen component: its output never changes. A new splitter is a variant,
/// its name in [`SPLITTERS`] and in [`Split::from_config`], and its arm in `Tokenizer::split_range` (all in this
/// file; a large one gets a file of its own beside it, as `words.rs`).
#[derive(Debug, Clone)]
pub(super) enum Split {
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
    /// `pretokenized.v1`: the tokens come from another tokenizer (spaCy, HF tokenizers, your own lists). Each given
    /// token is one piece of the document: the text between its protected ranges (placeholders) is one token as it
    /// is, whitespace included; an empty piece is no token. A plain text is a document of one given token.
    Pretokenized,
}

// ASCII byte classes (one 256-entry table; non-ASCII bytes have no bit set).
/// ASCII whitespace: `\t \n \x0b \x0c \r` and space (the same set as `char::is_whitespace` on ASCII).
pub(super) const C_WS: u8 = 1;
/// Python `\w` on ASCII: `[A-Za-z0-9_]`.
pub(super) const C_PYW: u8 = 2;
/// Python `\w` and not `\d` on ASCII: `[A-Za-z_]`.
pub(super) const C_PYA: u8 = 4;
/// ASCII punctuation (`char::is_ascii_punctuation`).
pub(super) const C_PUNCT: u8 = 8;
/// ASCII alphanumeric `[A-Za-z0-9]`.
pub(super) const C_ALNUM: u8 = 16;
/// Not ASCII whitespace (member of a whitespace-split token).
pub(super) const C_NOTWS: u8 = 32;
/// A BERT word character: neither whitespace nor punctuation.
pub(super) const C_BERTW: u8 = 64;

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

pub(super) static TABLE: [u8; 256] = build_table();

/// Decode the char starting at byte `i` (a char boundary) of `text`: the char and its byte length.
#[inline]
pub(super) fn char_at(text: &str, i: usize) -> (char, usize) {
    match text.get(i..).and_then(|s| s.chars().next()) {
        Some(c) => (c, c.len_utf8()),
        None => ('\u{FFFD}', 1),
    }
}

/// Python `str.isalnum()` on one char (Lu Ll Lt Lm Lo Nd Nl No), or `_`: Python `re`'s Unicode `\w`.
#[inline]
pub(super) fn py_word(c: char) -> bool {
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
pub(super) fn py_alpha(c: char) -> bool {
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
pub(super) fn is_punct_cat(c: char) -> bool {
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

/// Maximal runs of members in `text[start..end]`: an ASCII byte is a member when its table entry has a bit
/// of `mask`; a non-ASCII char when `pred` says so. Calls `emit(s, e)` for each run.
#[inline(always)]
pub(super) fn runs<P: Fn(char) -> bool, F: FnMut(usize, usize)>(
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

impl Split {
    /// The splitter of a config (unknown name or bad regex -> `Error::Config`).
    pub(super) fn from_config(cfg: &TokenizeConfig) -> Result<Split> {
        Ok(match cfg.split.as_str() {
            "whitespace.v1" => Split::Whitespace,
            "ascii_whitespace.v1" => Split::AsciiWhitespace,
            "words.v1" => Split::Words,
            "chars.v1" => Split::Chars,
            "graphemes.v1" => Split::Graphemes,
            "pyword.v1" => Split::PyWord,
            "pyalpha.v1" => Split::PyAlpha,
            "bert.v1" => Split::Bert,
            "pretokenized.v1" => Split::Pretokenized,
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
        })
    }
}

impl Tokenizer {
    /// Run the splitter on `text[start..end]` (char boundaries) and push the filtered tokens.
    pub(super) fn split_range(&self, text: &str, start: usize, end: usize, out: &mut Tokens) {
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
            Split::Pretokenized => self.emit(text, start, end, out),
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
}

#[cfg(test)]
mod tests {
    use crate::tokenize::test_support::*;

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
}
