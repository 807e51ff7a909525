//! The pipeline configuration: plain data, serialized as JSON in the artifact.
//!
//! Every leaf name is unique across sections, so Python can accept any leaf as a flat keyword
//! (`Pipeline(case="lower", max_tokens=20_000)`). Parsing reports the config path of a bad value.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The whole pipeline configuration.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Name of the compat preset this config was built from, if any (informational).
    pub preset: Option<String>,
    /// Text normalization options.
    pub normalize: NormalizeConfig,
    /// Splitting, filtering and n-grams.
    pub tokenize: TokenizeConfig,
    /// Vocabulary fitting options (used unless hashing is enabled).
    pub vocab: VocabConfig,
    /// Hashed ids (enabled by `n_buckets`).
    pub hashing: HashingConfig,
    /// Padding and truncation of id rows.
    pub encode: EncodeConfig,
}

/// Unicode normalization form.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UnicodeForm {
    /// Leave the text as it is.
    None,
    /// Canonical composition.
    Nfc,
    /// Compatibility composition (ligatures, full-width forms, superscripts folded).
    #[default]
    Nfkc,
    /// Canonical decomposition.
    Nfd,
    /// Compatibility decomposition.
    Nfkd,
}

/// Case mapping.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CaseMode {
    /// Keep the case.
    Keep,
    /// Full Unicode lowercase with final-sigma context (Python's `str.lower`).
    #[default]
    Lower,
    /// Full Unicode case folding (Python's `str.casefold`): `ß` -> `ss`.
    Fold,
    /// ASCII letters only (TensorFlow's `tf.strings.lower`), non-ASCII kept.
    LowerAscii,
    /// Per-character simple+special lowercase without final-sigma context (HF tokenizers' `Lowercase`).
    LowerChar,
}

/// Accent (combining mark) removal.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AccentMode {
    /// Keep marks.
    #[default]
    Keep,
    /// Decompose and remove the generic combining diacritics (U+0300-036F, 1AB0-1AFF, 1DC0-1DFF, 20D0-20FF,
    /// FE20-FE2F), keeping the marks that are letters of their script (Devanagari, Thai, Arabic vowel signs).
    Strip,
    /// Decompose and remove every nonspacing mark (category Mn), as BERT does.
    StripAllMarks,
}

/// What to do with a recognised entity (URL, e-mail, number, ...).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Placeholder {
    /// Leave the text as it is.
    #[default]
    Keep,
    /// Replace it with its placeholder token (`<url>`, `<email>`, ...), kept as one token.
    Replace,
    /// Remove it.
    Drop,
}

/// Whitespace handling in the normalized text.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Whitespace {
    /// Keep every whitespace character.
    #[default]
    Keep,
    /// Map every whitespace character to one ASCII space.
    Normalize,
    /// Collapse runs of whitespace to one space and trim both ends.
    Collapse,
}

/// Policy for lone surrogates in Python input (the `surrogates=` keyword; applied where the bridge reads `str`).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Errors {
    /// Raise `ValueError` naming the batch index and character position.
    #[default]
    Strict,
    /// Replace each lone surrogate with U+FFFD (one character, so positions are preserved).
    Replace,
}

/// Normalization options; the stages run in the order of the fields below.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizeConfig {
    /// Lone-surrogate policy for Python `str` input (keyword `surrogates=`). The artifact keeps the v1 leaf name
    /// `errors`, so artifacts and fingerprints are unchanged.
    #[serde(rename = "errors")]
    pub surrogates: Errors,
    /// Remove HTML tags, comments, `<script>`/`<style>` bodies and decode entities.
    pub strip_html: bool,
    /// Remove control, format (zero-width, bidi) and private-use characters and U+FFFD, except `\t \n \r`.
    pub strip_control: bool,
    /// Unicode normalization form.
    pub unicode: UnicodeForm,
    /// Accent removal.
    pub accents: AccentMode,
    /// Case mapping.
    pub case: CaseMode,
    /// Characters deleted from the text (the Keras preset deletes ASCII punctuation).
    pub remove_chars: String,
    /// Surround CJK ideographs with spaces (BERT's `handle_chinese_chars`).
    pub pad_cjk: bool,
    /// URLs (`http://`, `https://`, `www.`).
    pub url: Placeholder,
    /// E-mail addresses.
    pub email: Placeholder,
    /// @mentions.
    pub mention: Placeholder,
    /// #hashtags.
    pub hashtag: Placeholder,
    /// Numbers (digits with optional separators and decimals).
    pub number: Placeholder,
    /// Emoji (including ZWJ sequences, flags, keycaps and modifiers).
    pub emoji: Placeholder,
    /// Whitespace handling.
    pub whitespace: Whitespace,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            surrogates: Errors::Strict,
            strip_html: false,
            strip_control: true,
            unicode: UnicodeForm::Nfkc,
            accents: AccentMode::Keep,
            case: CaseMode::Lower,
            remove_chars: String::new(),
            pad_cjk: false,
            url: Placeholder::Keep,
            email: Placeholder::Keep,
            mention: Placeholder::Keep,
            hashtag: Placeholder::Keep,
            number: Placeholder::Keep,
            emoji: Placeholder::Keep,
            whitespace: Whitespace::Keep,
        }
    }
}

/// Punctuation handling for splitters that see punctuation.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Punctuation {
    /// Punctuation characters become tokens of their own.
    #[default]
    Keep,
    /// Punctuation is dropped.
    Drop,
}

/// What happens to a token longer than `max_len`.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Overlong {
    /// Keep the first `max_len` characters.
    #[default]
    Truncate,
    /// Drop the token.
    Drop,
}

/// Tokenization options.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TokenizeConfig {
    /// Splitter component: `whitespace.v1`, `ascii_whitespace.v1`, `words.v1`, `regex.v1`, `chars.v1`,
    /// `pyword.v1`, `pyalpha.v1`, `bert.v1`, `graphemes.v1`, `pretokenized.v1` (tokens from another tokenizer).
    pub split: String,
    /// Regular expression for `regex.v1` (each match is a token; linear-time engine).
    pub pattern: Option<String>,
    /// Punctuation tokens kept or dropped (`words.v1`, `bert.v1`).
    pub punctuation: Punctuation,
    /// Minimum token length in characters; shorter tokens are dropped.
    pub min_len: usize,
    /// Maximum token length in characters (`None`: unbounded); see `overlong`.
    pub max_len: Option<usize>,
    /// Truncate or drop overlong tokens.
    pub overlong: Overlong,
    /// Word n-gram range `[min_n, max_n]` (scikit-learn's `ngram_range`).
    pub ngrams: [usize; 2],
    /// Separator joining the words of an n-gram.
    pub ngram_sep: String,
    /// fastText-style character n-grams `[min_n, max_n]` of each word wrapped in `<` `>`.
    pub char_ngrams: Option<[usize; 2]>,
    /// With `char_ngrams`, also emit the word itself.
    pub char_ngram_words: bool,
    /// Emit a shape/case class per token (see `tokenize::shape`) computed on the original text.
    pub shapes: bool,
}

impl Default for TokenizeConfig {
    fn default() -> Self {
        TokenizeConfig {
            split: "words.v1".into(),
            pattern: None,
            punctuation: Punctuation::Keep,
            min_len: 1,
            max_len: None,
            overlong: Overlong::Truncate,
            ngrams: [1, 1],
            ngram_sep: " ".into(),
            char_ngrams: None,
            char_ngram_words: true,
            shapes: false,
        }
    }
}

/// Maximum document frequency: an absolute document count or a fraction of the documents.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum MaxDf {
    /// At most this many documents.
    Count(u64),
    /// At most this fraction of the documents (0 < f <= 1).
    Fraction(f64),
}

/// Vocabulary fitting options.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct VocabConfig {
    /// Keep at most this many tokens (specials excluded), ranked by (count desc, token asc).
    pub max_tokens: Option<usize>,
    /// Drop tokens seen fewer times than this.
    pub min_freq: u64,
    /// Drop tokens that appear in more documents than this.
    pub max_df: Option<MaxDf>,
    /// Reserved tokens placed right after the OOV buckets, never counted.
    pub special_tokens: Vec<String>,
    /// Number of OOV buckets (ids 1..=K).
    pub num_oov_buckets: u32,
    /// Text of the OOV token (decode output).
    pub oov_token: String,
    /// Keep the token counts in the artifact.
    pub keep_counts: bool,
}

impl Default for VocabConfig {
    fn default() -> Self {
        VocabConfig {
            max_tokens: None,
            min_freq: 1,
            max_df: None,
            special_tokens: Vec::new(),
            num_oov_buckets: 1,
            oov_token: "[UNK]".into(),
            keep_counts: false,
        }
    }
}

/// Hash algorithm for hashed ids.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HashAlgo {
    /// xxHash3 64-bit (fast, default).
    #[default]
    Xxh3_64,
    /// MurmurHash3 x86 32-bit, as scikit-learn's `murmurhash3_32` / `HashingVectorizer`.
    Murmur3_32,
    /// FarmHash Fingerprint64, as TensorFlow's `to_hash_bucket_fast` / Keras `Hashing`.
    Farmhash64,
    /// MurmurHash64A with seed `1 + seed`, as spaCy's `StringStore` (`nlp.vocab.strings[s]`).
    Murmurhash64a,
}

impl HashAlgo {
    /// The config name of every algorithm (what `hash=` accepts), in declaration order.
    pub const NAMES: &'static [&'static str] =
        &["xxh3_64", "murmur3_32", "farmhash64", "murmurhash64a"];
}

/// Layout of hashed ids.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HashLayout {
    /// `id = 1 + h % n_buckets`; 0 stays padding.
    #[default]
    Padded,
    /// `id = h % n_buckets` exactly as the peer (scikit-learn column, Keras bin); no padding id.
    Raw,
}

/// Hashing options; hashed mode is on when `n_buckets` is set.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HashingConfig {
    /// Number of hash buckets; `None` means a fitted vocabulary is used instead.
    pub n_buckets: Option<u32>,
    /// Hash algorithm.
    pub hash: HashAlgo,
    /// Hash seed (stored in the artifact).
    pub seed: u32,
    /// Alternate sign from the hash (scikit-learn's `alternate_sign`), used by bags.
    pub signed: bool,
    /// Number of hashes per token (Bloom / multi-hash embeddings).
    pub num_hashes: u32,
    /// Id layout.
    pub layout: HashLayout,
}

impl Default for HashingConfig {
    fn default() -> Self {
        HashingConfig {
            n_buckets: None,
            hash: HashAlgo::Xxh3_64,
            seed: 0,
            signed: false,
            num_hashes: 1,
            layout: HashLayout::Padded,
        }
    }
}

/// Padding side / truncation side.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// At the start of the row.
    Pre,
    /// At the end of the row.
    #[default]
    Post,
}

/// Row shaping options for `encode_batch`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct EncodeConfig {
    /// Row length; `None` means the longest row of each batch.
    pub maxlen: Option<usize>,
    /// Where padding goes.
    pub padding: Side,
    /// Which end is cut when a row is too long.
    pub truncating: Side,
}

impl Default for EncodeConfig {
    fn default() -> Self {
        EncodeConfig {
            maxlen: None,
            padding: Side::Post,
            truncating: Side::Post,
        }
    }
}

impl Config {
    /// Parse a config from JSON, reporting the path of the first bad value, and validate it.
    pub fn from_json(s: &str) -> Result<Config> {
        let cfg = Config::parse_json(s)?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Parse a config from JSON without the cross-field checks (the pipeline's components run them once, when it
    /// is built from the config).
    pub fn parse_json(s: &str) -> Result<Config> {
        let de = &mut serde_json::Deserializer::from_str(s);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.inner().to_string();
            // serde_json appends " at line L column C" of the JSON text, meaningless to a keyword user
            let inner = match inner.rfind(" at line ") {
                Some(i) => inner[..i].to_string(),
                None => inner,
            };
            Error::config(
                if path == "." {
                    "config".to_string()
                } else {
                    path
                },
                inner,
            )
        })
    }

    /// Serialize to JSON (every field present, so the artifact is explicit).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("config serializes")
    }

    /// Cross-field checks that the types alone cannot express, section by section.
    pub fn validate(&self) -> Result<()> {
        self.tokenize.validate()?;
        self.vocab.validate()?;
        self.hashing.validate()?;
        self.encode.validate()
    }
}

impl TokenizeConfig {
    /// Checks of the n-gram ranges, `max_len` and the regex pattern's presence.
    pub fn validate(&self) -> Result<()> {
        let t = self;
        if t.ngrams[0] == 0 || t.ngrams[0] > t.ngrams[1] {
            return Err(Error::config(
                "tokenize.ngrams",
                format!(
                    "{:?} is not a range [min_n, max_n] with 1 <= min_n <= max_n",
                    t.ngrams
                ),
            ));
        }
        if t.ngrams[1] > 16 {
            return Err(Error::config(
                "tokenize.ngrams",
                format!("max_n {} is above the limit 16", t.ngrams[1]),
            ));
        }
        if let Some([a, b]) = t.char_ngrams {
            if a == 0 || a > b || b > 32 {
                return Err(Error::config(
                    "tokenize.char_ngrams",
                    format!(
                        "[{a}, {b}] is not a range [min_n, max_n] with 1 <= min_n <= max_n <= 32"
                    ),
                ));
            }
        }
        if let Some(m) = t.max_len {
            if m == 0 || m < t.min_len {
                return Err(Error::config(
                    "tokenize.max_len",
                    format!(
                        "{m} must be at least 1 and at least min_len ({})",
                        t.min_len
                    ),
                ));
            }
        }
        if t.split == "regex.v1" && t.pattern.is_none() {
            return Err(Error::config(
                "tokenize.pattern",
                "split 'regex.v1' needs a pattern, e.g. pattern=r\"\\w+\"",
            ));
        }
        Ok(())
    }
}

impl VocabConfig {
    /// Checks of `max_df` and `num_oov_buckets`.
    pub fn validate(&self) -> Result<()> {
        if let Some(MaxDf::Fraction(f)) = self.max_df {
            if !(f > 0.0 && f <= 1.0) {
                return Err(Error::config(
                    "vocab.max_df",
                    format!("{f} must be a fraction in (0, 1] or a whole number of documents"),
                ));
            }
        }
        if self.num_oov_buckets == 0 {
            return Err(Error::config(
                "vocab.num_oov_buckets",
                "must be at least 1 (id 1 is the OOV bucket of the Keras layout)",
            ));
        }
        Ok(())
    }
}

impl HashingConfig {
    /// Checks of `n_buckets` (ids are int32) and `num_hashes`.
    pub fn validate(&self) -> Result<()> {
        if let Some(n) = self.n_buckets {
            // ids are int32: the padded layout needs room for id n, the raw layout only for n - 1
            let max = match self.layout {
                HashLayout::Padded => i32::MAX as u32 - 1,
                HashLayout::Raw => i32::MAX as u32,
            };
            if n == 0 || n > max {
                return Err(Error::config(
                    "hashing.n_buckets",
                    format!("{n} must be in 1..={max}"),
                ));
            }
        }
        if self.num_hashes == 0 || self.num_hashes > 8 {
            return Err(Error::config(
                "hashing.num_hashes",
                format!("{} must be in 1..=8", self.num_hashes),
            ));
        }
        Ok(())
    }
}

impl EncodeConfig {
    /// Check of `maxlen`.
    pub fn validate(&self) -> Result<()> {
        if self.maxlen == Some(0) {
            return Err(Error::config(
                "encode.maxlen",
                "must be at least 1, or None for the longest row",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips() {
        let c = Config::default();
        assert_eq!(Config::from_json(&c.to_json()).unwrap(), c);
    }

    #[test]
    fn bad_enum_value_names_the_path() {
        let e = Config::from_json(r#"{"normalize": {"case": "lowr"}}"#).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("normalize.case"), "{msg}");
        assert!(msg.contains("lower"), "{msg}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let e = Config::from_json(r#"{"tokenize": {"splitt": "x"}}"#).unwrap_err();
        assert!(e.to_string().contains("splitt"), "{e}");
    }

    #[test]
    fn hash_names_are_the_serde_names() {
        for name in HashAlgo::NAMES {
            let v: HashAlgo = serde_json::from_str(&format!("\"{name}\"")).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{name}\""));
        }
        let err = serde_json::from_str::<HashAlgo>("\"md5\"")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err.matches('`').count(),
            2 + 2 * HashAlgo::NAMES.len(),
            "{err}"
        );
    }

    #[test]
    fn max_df_count_and_fraction() {
        let c = Config::from_json(r#"{"vocab": {"max_df": 3}}"#).unwrap();
        assert_eq!(c.vocab.max_df, Some(MaxDf::Count(3)));
        let c = Config::from_json(r#"{"vocab": {"max_df": 0.5}}"#).unwrap();
        assert_eq!(c.vocab.max_df, Some(MaxDf::Fraction(0.5)));
        assert!(Config::from_json(r#"{"vocab": {"max_df": 1.5}}"#).is_err());
    }
}
