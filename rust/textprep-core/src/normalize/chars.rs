//! Character-level stages: `strip_control` (stage 2), `remove_chars` (6), `pad_cjk` (7) and `whitespace` (9).

use unicode_general_category::{get_general_category, GeneralCategory};

use super::{drop_chars, find_char, Out};
use crate::config::Whitespace;

/// ASCII control bytes removed by `strip_control` (all of Cc except tab, newline, carriage return).
#[inline]
fn is_ascii_control_removed(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F
}

/// Non-ASCII chars removed by `strip_control`: categories Cc, Cf, Co (and Cs), plus U+FFFD. Unassigned (Cn)
/// code points are kept, as HF tokenizers' `BertNormalizer` keeps them.
#[inline]
fn is_control_removed(c: char) -> bool {
    if c.is_ascii() {
        return is_ascii_control_removed(c as u8);
    }
    c == '\u{FFFD}'
        || matches!(
            get_general_category(c),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::PrivateUse
                | GeneralCategory::Surrogate
        )
}

/// Remove control/format/private-use/unassigned chars and U+FFFD, keeping `\t \n \r`.
pub(super) fn strip_control(input: &str, out: &mut Out<'_>) -> bool {
    let Some(first) = find_char(input, is_ascii_control_removed, is_control_removed) else {
        return false;
    };
    drop_chars(input, out, first, is_control_removed);
    true
}

/// A set of chars: a bitmap for ASCII, a sorted list for the rest.
#[derive(Debug, Clone)]
pub(super) struct CharSet {
    ascii: u128,
    other: Vec<char>,
}

impl CharSet {
    /// The set of the chars of `s`.
    pub(super) fn new(s: &str) -> CharSet {
        let mut ascii = 0u128;
        let mut other = Vec::new();
        for c in s.chars() {
            if c.is_ascii() {
                ascii |= 1u128 << (c as u32);
            } else {
                other.push(c);
            }
        }
        other.sort_unstable();
        other.dedup();
        CharSet { ascii, other }
    }

    #[inline]
    fn contains_ascii(&self, b: u8) -> bool {
        b < 0x80 && (self.ascii >> b) & 1 == 1
    }

    #[inline]
    fn contains(&self, c: char) -> bool {
        if c.is_ascii() {
            self.contains_ascii(c as u8)
        } else {
            !self.other.is_empty() && self.other.binary_search(&c).is_ok()
        }
    }

    /// Delete the chars of the set from `input`.
    pub(super) fn remove_from(&self, input: &str, out: &mut Out<'_>) -> bool {
        let Some(first) = find_char(input, |b| self.contains_ascii(b), |c| self.contains(c)) else {
            return false;
        };
        drop_chars(input, out, first, |c| self.contains(c));
        true
    }
}

/// CJK ideographs as in BERT's `_is_chinese_char`.
#[inline]
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B820..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

/// Surround each CJK ideograph with spaces (always both, like BERT's `handle_chinese_chars`).
pub(super) fn pad_cjk(input: &str, out: &mut Out<'_>) -> bool {
    let Some(first) = find_char(input, |_| false, is_cjk) else {
        return false;
    };
    out.copy(input, 0, first);
    let mut run = first;
    for (i, c) in input[first..].char_indices() {
        if is_cjk(c) {
            let i = first + i;
            let j = i + c.len_utf8();
            out.copy(input, run, i);
            out.insert(' ', i, false);
            out.copy(input, i, j);
            out.insert(' ', j, true);
            run = j;
        }
    }
    out.copy(input, run, input.len());
    true
}

/// Whitespace chars (`char::is_whitespace`, which includes `\t \n \r`, NBSP, U+3000, U+2028).
#[inline]
fn is_ws(c: char) -> bool {
    c.is_whitespace()
}

/// Whether `mode` would change `input`.
fn whitespace_needed(mode: Whitespace, input: &str) -> bool {
    let odd_space = find_char(
        input,
        |b| (b != b' ' && b.is_ascii_whitespace()) || b == 0x0B,
        is_ws,
    )
    .is_some();
    match mode {
        Whitespace::Keep => false,
        Whitespace::Normalize => odd_space,
        Whitespace::Collapse => {
            odd_space || input.starts_with(' ') || input.ends_with(' ') || input.contains("  ")
        }
    }
}

/// Normalize or collapse whitespace, shifting the protected ranges (which contain no whitespace).
pub(super) fn whitespace(
    mode: Whitespace,
    input: &str,
    out: &mut Out<'_>,
    protected: &mut [(u32, u32)],
) -> bool {
    if !whitespace_needed(mode, input) {
        return false;
    }
    let mut k = 0;
    // Copy input[run..i] and shift the protected ranges that end by `i`.
    let mut flush = |out: &mut Out<'_>, run: usize, i: usize| {
        out.copy(input, run, i);
        let delta = i.saturating_sub(out.text.len()) as u32;
        while let Some(p) = protected.get_mut(k) {
            if p.1 as usize > i {
                break;
            }
            *p = (p.0.saturating_sub(delta), p.1.saturating_sub(delta));
            k += 1;
        }
    };
    let mut run = 0;
    let mut chars = input.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_ws(c) {
            continue;
        }
        let j = i + c.len_utf8();
        match mode {
            Whitespace::Normalize => {
                if c != ' ' {
                    flush(out, run, i);
                    out.emit(' ', i, j);
                    run = j;
                }
            }
            _ => {
                let mut end = j;
                while let Some(&(q, d)) = chars.peek() {
                    if !is_ws(d) {
                        break;
                    }
                    end = q + d.len_utf8();
                    chars.next();
                }
                if c == ' ' && end == j && i > 0 && end < input.len() {
                    continue;
                }
                flush(out, run, i);
                if !out.text.is_empty() && end < input.len() {
                    out.emit(' ', i, end);
                }
                run = end;
            }
        }
    }
    flush(out, run, input.len());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::*;

    #[test]
    fn strip_control_examples() {
        let cfg = NormalizeConfig {
            strip_control: true,
            ..cfg_none()
        };
        let n = Normalizer::new(&cfg).unwrap();
        let text = "a\u{0}b\u{7}c\td\ne\rf\u{7F}g\u{85}h\u{200B}i\u{200D}j\u{200E}k\u{202E}l\u{AD}m\u{FEFF}n\u{E000}o\u{378}p\u{FFFD}q";
        let out = tracked(&n, text);
        // U+0378 is unassigned: kept, as HF tokenizers' BertNormalizer keeps unassigned code points
        assert_eq!(out.text, "abc\td\ne\rfghijklmno\u{378}pq");
        assert_eq!(source_of(text, &out, "q"), "q");
        assert_eq!(n.normalize("clean text"), "clean text");
        assert_eq!(n.normalize("é中😀"), "é中😀");
    }

    #[test]
    fn remove_chars_keras_punctuation() {
        let cfg = NormalizeConfig {
            remove_chars: "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'".into(),
            ..cfg_none()
        };
        let n = Normalizer::new(&cfg).unwrap();
        let text = "Hello, world! It's [ok] — «fine».";
        let out = tracked(&n, text);
        assert_eq!(out.text, "Hello world Its ok — «fine»");
        assert_eq!(source_of(text, &out, "Its"), "It's");
        let n = Normalizer::new(&NormalizeConfig {
            remove_chars: "«»—é".into(),
            ..cfg_none()
        })
        .unwrap();
        assert_eq!(n.normalize("«café» — ok"), "caf  ok");
    }

    #[test]
    fn pad_cjk_like_bert() {
        let n = Normalizer::new(&NormalizeConfig {
            pad_cjk: true,
            ..cfg_none()
        })
        .unwrap();
        let text = "ab中文c 日";
        let out = tracked(&n, text);
        assert_eq!(out.text, "ab 中  文 c  日 ");
        assert_eq!(out.align[2], (2, 2));
        assert_eq!(source_of(text, &out, "文"), "文");
        let after_zhong = 3 + '中'.len_utf8();
        assert_eq!(out.align[after_zhong], (5, 5));
        assert_eq!(n.normalize("かな한국어"), "かな한국어");
        assert_eq!(n.normalize("\u{20000}"), " \u{20000} ");
        // Padding inside a multi-char NFKC expansion stays sorted.
        let n = Normalizer::new(&NormalizeConfig {
            pad_cjk: true,
            unicode: UnicodeForm::Nfkc,
            ..cfg_none()
        })
        .unwrap();
        let out = tracked(&n, "x㈠y");
        assert_eq!(out.text, "x( 一 )y");
        assert!(out.align[2..7].iter().all(|&r| r == (1, 4)));
    }

    #[test]
    fn whitespace_modes() {
        let ws = |whitespace| {
            Normalizer::new(&NormalizeConfig {
                whitespace,
                ..cfg_none()
            })
            .unwrap()
        };
        let text = "  a\t\tb\u{A0}c\u{3000}\n d  ";
        assert_eq!(ws(Whitespace::Keep).normalize(text), text);
        assert_eq!(ws(Whitespace::Normalize).normalize(text), "  a  b c   d  ");
        let out = tracked(&ws(Whitespace::Collapse), text);
        assert_eq!(out.text, "a b c d");
        assert_eq!(source_of(text, &out, "c d"), "c\u{3000}\n d");
        assert_eq!(ws(Whitespace::Collapse).normalize("   "), "");
        assert_eq!(ws(Whitespace::Collapse).normalize("a b"), "a b");
        assert_eq!(ws(Whitespace::Collapse).normalize("\u{200B}"), "\u{200B}");
    }
}
