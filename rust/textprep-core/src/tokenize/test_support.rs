//! Helpers shared by the tokenizer tests: configs, tokenization with span checks, a tiny PRNG.

pub(crate) use super::{Tokenizer, Tokens};
pub(crate) use crate::config::{Overlong, Punctuation, TokenizeConfig};
pub(crate) use crate::normalize::Normalized;

pub(crate) fn norm(text: &str) -> Normalized {
    let mut n = Normalized::new();
    n.text = text.to_string();
    n
}

pub(crate) fn cfg(split: &str) -> TokenizeConfig {
    TokenizeConfig {
        split: split.into(),
        ..TokenizeConfig::default()
    }
}

/// Tokens and spans, checking the span invariants (char boundaries, inside the text, and for plain
/// unigram output the token is the text at its span).
pub(crate) fn run_norm(c: &TokenizeConfig, n: &Normalized) -> (Vec<String>, Vec<(u32, u32)>) {
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

pub(crate) fn run(c: &TokenizeConfig, text: &str) -> Vec<String> {
    run_norm(c, &norm(text)).0
}

pub(crate) fn split(name: &str, text: &str) -> Vec<String> {
    run(&cfg(name), text)
}

pub(crate) fn drop_punct(name: &str) -> TokenizeConfig {
    TokenizeConfig {
        punctuation: Punctuation::Drop,
        ..cfg(name)
    }
}

pub(crate) const ALL: &[&str] = &[
    "whitespace.v1",
    "ascii_whitespace.v1",
    "words.v1",
    "chars.v1",
    "graphemes.v1",
    "pyword.v1",
    "pyalpha.v1",
    "bert.v1",
];

pub(crate) fn all_cfgs() -> Vec<TokenizeConfig> {
    let mut v: Vec<TokenizeConfig> = ALL.iter().map(|s| cfg(s)).collect();
    v.extend(ALL.iter().map(|s| drop_punct(s)));
    v.push(TokenizeConfig {
        pattern: Some(r"\w+|[^\w\s]".into()),
        ..cfg("regex.v1")
    });
    v
}

pub(crate) use crate::Rng;

pub(crate) const ALPHABET: &[&str] = &[
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

pub(crate) const EN: &str = "Hello, world! don't 3.14 1,000 http://x.com/a?b=1";
