//! Shared input decoding and invariant checks of the textprep fuzz targets.
//!
//! An input is `CONFIG_BYTES` selector bytes (options of the config, read one byte per choice) followed by the
//! text (its longest valid UTF-8 prefix). `make_seeds.py` writes seeds in the same layout from the fixtures.

use textprep_core::config::{
    AccentMode, CaseMode, Config, HashAlgo, HashLayout, NormalizeConfig, Overlong, Placeholder,
    Punctuation, Side, TokenizeConfig, UnicodeForm, Whitespace,
};
use textprep_core::normalize::Normalized;
use textprep_core::pipeline::{Pipeline, Scratch};

/// Number of selector bytes at the start of every input.
pub const CONFIG_BYTES: usize = 24;

/// The compat presets' configs (`tp.PRESETS` through `build_config`), written by `make_seeds.py`.
pub const PRESETS_JSON: &str = include_str!("../presets.json");

/// A fuzz input: selector bytes (0 once exhausted) and the text after them.
pub struct Input<'a> {
    sel: &'a [u8],
    pos: usize,
    /// The text part of the input (longest valid UTF-8 prefix).
    pub text: &'a str,
}

impl<'a> Input<'a> {
    /// Split raw fuzzer bytes into selectors and text.
    pub fn new(data: &'a [u8]) -> Input<'a> {
        let (sel, rest) = data.split_at(data.len().min(CONFIG_BYTES));
        Input {
            sel,
            pos: 0,
            text: valid_prefix(rest),
        }
    }

    /// The next selector byte.
    pub fn byte(&mut self) -> u8 {
        let b = self.sel.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// One of `xs`, chosen by the next selector byte.
    pub fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.byte() as usize % xs.len()].clone()
    }

    /// A boolean from the next selector byte.
    pub fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }
}

/// The longest valid UTF-8 prefix of `b`.
pub fn valid_prefix(b: &[u8]) -> &str {
    match std::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// Characters some configs delete (Keras' ASCII punctuation among them).
const REMOVE: &[&str] = &[
    "",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "e\u{301}",
    " \u{3000}",
    "\u{0}a",
];

/// A normalization config with every option drawn from the input.
pub fn normalize_config(inp: &mut Input<'_>) -> NormalizeConfig {
    let place = [Placeholder::Keep, Placeholder::Replace, Placeholder::Drop];
    NormalizeConfig {
        surrogates: Default::default(),
        strip_html: inp.flag(),
        strip_control: inp.flag(),
        unicode: inp.pick(&[
            UnicodeForm::None,
            UnicodeForm::Nfc,
            UnicodeForm::Nfkc,
            UnicodeForm::Nfd,
            UnicodeForm::Nfkd,
        ]),
        accents: inp.pick(&[
            AccentMode::Keep,
            AccentMode::Strip,
            AccentMode::StripAllMarks,
        ]),
        case: inp.pick(&[
            CaseMode::Keep,
            CaseMode::Lower,
            CaseMode::Fold,
            CaseMode::LowerAscii,
            CaseMode::LowerChar,
        ]),
        remove_chars: inp.pick(REMOVE).to_string(),
        pad_cjk: inp.flag(),
        url: inp.pick(&place),
        email: inp.pick(&place),
        mention: inp.pick(&place),
        hashtag: inp.pick(&place),
        number: inp.pick(&place),
        emoji: inp.pick(&place),
        whitespace: inp.pick(&[
            Whitespace::Keep,
            Whitespace::Normalize,
            Whitespace::Collapse,
        ]),
    }
}

/// Patterns of `regex.v1` used by the tokenize target (the `regex_split` target fuzzes the pattern itself).
const PATTERNS: &[&str] = &[
    r"\w+",
    r"(?u)\b\w\w+\b",
    r"\S+",
    r"",
    r"\b",
    r"(a|aa)*b",
    r"\p{Han}|\w+",
];

/// A tokenization config drawn from the input (may be invalid: callers skip configs the engine rejects).
pub fn tokenize_config(inp: &mut Input<'_>) -> TokenizeConfig {
    let split: &str = inp.pick(textprep_core::tokenize::SPLITTERS);
    let pattern = (split == "regex.v1").then(|| inp.pick(PATTERNS).to_string());
    let min_len = (inp.byte() % 4) as usize;
    let max_len = match inp.byte() % 4 {
        0 => None,
        m => Some(m as usize * 3),
    };
    let lo = 1 + (inp.byte() % 3) as usize;
    let hi = lo + (inp.byte() % 3) as usize;
    let char_ngrams = match inp.byte() % 3 {
        0 | 1 => None,
        _ => Some([1 + (inp.byte() % 3) as usize, 3 + (inp.byte() % 4) as usize]),
    };
    TokenizeConfig {
        split: split.to_string(),
        pattern,
        punctuation: inp.pick(&[Punctuation::Keep, Punctuation::Drop]),
        min_len,
        max_len,
        overlong: inp.pick(&[Overlong::Truncate, Overlong::Drop]),
        ngrams: [lo, hi],
        ngram_sep: inp.pick(&[" ", "_", ""]).to_string(),
        char_ngrams,
        char_ngram_words: inp.flag(),
        shapes: inp.flag(),
    }
}

/// A whole config: one of the presets (with or without hashing) or every option drawn from the input.
pub fn config(inp: &mut Input<'_>) -> Config {
    let presets: Vec<serde_json::Value> =
        serde_json::from_str(PRESETS_JSON).expect("presets.json is a JSON list");
    let which = inp.byte() as usize % (presets.len() + 2);
    let mut cfg = if which < presets.len() {
        Config::from_json(&presets[which].to_string()).expect("preset configs are valid")
    } else {
        Config {
            normalize: normalize_config(inp),
            tokenize: tokenize_config(inp),
            ..Config::default()
        }
    };
    if inp.flag() {
        cfg.hashing.n_buckets = Some(1 + (inp.byte() as u32 % 64));
        cfg.hashing.hash = inp.pick(&[
            HashAlgo::Xxh3_64,
            HashAlgo::Murmur3_32,
            HashAlgo::Farmhash64,
        ]);
        cfg.hashing.layout = inp.pick(&[HashLayout::Padded, HashLayout::Raw]);
        cfg.hashing.num_hashes = 1 + (inp.byte() as u32 % 3);
        cfg.hashing.signed = inp.flag();
        cfg.hashing.seed = inp.byte() as u32;
    } else {
        cfg.vocab.num_oov_buckets = 1 + (inp.byte() as u32 % 3);
        cfg.vocab.max_tokens = match inp.byte() % 3 {
            0 => None,
            m => Some(m as usize * 2),
        };
        cfg.vocab.min_freq = (inp.byte() % 3) as u64;
    }
    cfg.encode.padding = inp.pick(&[Side::Pre, Side::Post]);
    cfg.encode.truncating = inp.pick(&[Side::Pre, Side::Post]);
    cfg
}

/// A compiled pipeline for `cfg`, cached per thread (at most 512: each holds regexes with their lazy-DFA caches);
/// `None` when the engine rejects the config.
pub fn cached_pipeline(cfg: &Config) -> Option<Pipeline> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CACHE: RefCell<HashMap<String, Option<Pipeline>>> = RefCell::new(HashMap::new());
    }
    let key = cfg.to_json();
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 512 {
            c.clear();
        }
        c.entry(key)
            .or_insert_with(|| Pipeline::new(cfg.clone()).ok())
            .clone()
    })
}

/// Tracked normalization invariants: the text equals the untracked one, every alignment range lies in the
/// original text on char boundaries and ranges never move backwards; protected ranges are sorted, in bounds and
/// on char boundaries of the output.
pub fn check_normalized(p: &Pipeline, text: &str) -> Normalized {
    let mut s = Scratch::default();
    p.analyze(text, &mut s, true);
    let out = s.norm;
    assert_eq!(
        out.text,
        p.normalize(text),
        "tracked and untracked outputs differ"
    );
    assert_eq!(
        out.align.len(),
        out.text.len(),
        "one alignment range per output byte"
    );
    let mut last = (0u32, 0u32);
    for (i, &(a, b)) in out.align.iter().enumerate() {
        let (ua, ub) = (a as usize, b as usize);
        assert!(
            ua <= ub && ub <= text.len(),
            "align[{i}] = {a}..{b} outside 0..{}",
            text.len()
        );
        assert!(
            text.is_char_boundary(ua) && text.is_char_boundary(ub),
            "align[{i}] = {a}..{b} not on char boundaries"
        );
        assert!(
            a >= last.0 && b >= last.1,
            "align[{i}] = {a}..{b} moves back from {last:?}"
        );
        last = (a, b);
    }
    let mut end = 0u32;
    for &(a, b) in &out.protected {
        assert!(
            a >= end && a < b && b as usize <= out.text.len(),
            "protected {a}..{b}"
        );
        assert!(out.text.is_char_boundary(a as usize) && out.text.is_char_boundary(b as usize));
        end = b;
    }
    out
}

/// Offsets invariants: one (start, end) per token, `start <= end <= chars` (Python `str` indices); without
/// n-grams (which list all unigrams, then all bigrams, ...) starts are non-decreasing (empty spans excepted).
pub fn check_offsets(p: &Pipeline, text: &str, n_tokens: usize) {
    let t = &p.config().tokenize;
    let ordered = t.ngrams == [1, 1] && t.char_ngrams.is_none();
    let offs = p.offsets(text);
    assert_eq!(offs.len(), n_tokens, "one offset per token");
    let chars = text.chars().count();
    let mut last = 0;
    for &(a, b) in &offs {
        assert!(a <= b && b <= chars, "offset {a}..{b} outside 0..{chars}");
        assert!(
            !ordered || a >= last || a == b,
            "offset {a}..{b} starts before {last}"
        );
        last = last.max(a);
    }
}

/// Ids invariants of a pipeline that can encode: every id of `encode` lies in `0..id_space` (padding 0 never
/// produced by a token in the padded layouts), the batch rows agree with single encodes, lengths are right.
pub fn check_ids(p: &Pipeline, texts: &[&str]) {
    let space = p.id_space().expect("fitted or hashed") as i32;
    let raw =
        p.config().hashing.n_buckets.is_some() && p.config().hashing.layout == HashLayout::Raw;
    let k = p.ids_per_token();
    let mut singles = Vec::new();
    for t in texts {
        let ids = p.encode(t).expect("encode");
        assert_eq!(ids.len(), p.tokenize(t).len() * k, "k ids per token");
        for &id in &ids {
            let lo = if raw { 0 } else { 1 };
            assert!(id >= lo && id < space, "id {id} outside {lo}..{space}");
        }
        singles.push(ids);
    }
    let e = p
        .encode_batch(texts, Some(5), None, &mut || Ok(()))
        .expect("encode_batch");
    assert_eq!((e.n, e.width, e.k), (texts.len(), 5, k));
    for (i, ids) in singles.iter().enumerate() {
        assert_eq!(e.lengths[i] as usize, (ids.len() / k).min(5));
    }
    let (values, splits) = p
        .encode_ragged(texts, &mut || Ok(()))
        .expect("encode_ragged");
    assert_eq!(
        values,
        singles.concat(),
        "ragged values equal single encodes"
    );
    assert_eq!(splits.len(), texts.len() + 1);
    if let Ok((csr, cols)) = p.encode_bag(
        texts,
        textprep_core::encode::BagMode::Count,
        false,
        &mut || Ok(()),
    ) {
        let (indptr, indices, _) = csr.into_parts();
        assert_eq!(indptr.len(), texts.len() + 1);
        assert!(indices.iter().all(|&c| c >= 0 && (c as usize) < cols));
    }
}
