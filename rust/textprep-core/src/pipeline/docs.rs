//! The documents of a batch (texts, or token lists from another tokenizer) and how a batch is cut into chunks.

use std::ops::Range;

use crate::parallel::{chunk_ranges, map_chunks};
use crate::Result;

/// The documents of a batch.
#[derive(Debug, Clone, Copy)]
pub enum Docs<'a> {
    /// One text per document.
    Texts(&'a [&'a str]),
    /// Documents given as tokens by another tokenizer (`pretokenized.v1`): document `i` is
    /// `tokens[splits[i]..splits[i + 1]]`. Each token is normalized on its own, unless `normalized` says the caller
    /// normalized the text the tokens came from.
    Tokens {
        /// All tokens, document after document.
        tokens: &'a [&'a str],
        /// Document boundaries in `tokens` (`n + 1` entries, starting at 0).
        splits: &'a [usize],
        /// The tokens skip the normalizer.
        normalized: bool,
    },
}

impl Docs<'_> {
    /// Number of documents.
    pub fn len(&self) -> usize {
        match self {
            Docs::Texts(t) => t.len(),
            Docs::Tokens { splits, .. } => splits.len().saturating_sub(1),
        }
    }

    /// True when there is no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Input bytes of document `i` (for chunking).
    pub(super) fn bytes(&self, i: usize) -> usize {
        match self {
            Docs::Texts(t) => t[i].len(),
            Docs::Tokens { tokens, splits, .. } => tokens[splits[i]..splits[i + 1]]
                .iter()
                .map(|t| t.len() + 1)
                .sum(),
        }
    }

    /// The text of document `i` (empty for documents given as tokens: their text is assembled while analyzing).
    pub(super) fn text(&self, i: usize) -> &str {
        match self {
            Docs::Texts(t) => t[i],
            Docs::Tokens { .. } => "",
        }
    }
}

impl<'a> From<&'a [&'a str]> for Docs<'a> {
    fn from(t: &'a [&'a str]) -> Self {
        Docs::Texts(t)
    }
}

impl<'a> From<&'a Vec<&'a str>> for Docs<'a> {
    fn from(t: &'a Vec<&'a str>) -> Self {
        Docs::Texts(t)
    }
}

impl<'a, const N: usize> From<&'a [&'a str; N]> for Docs<'a> {
    fn from(t: &'a [&'a str; N]) -> Self {
        Docs::Texts(t)
    }
}

/// Chunks of `docs` (about `CHUNK_BYTES` each) and their input bytes.
pub(super) fn doc_chunks(docs: Docs<'_>) -> (Vec<Range<usize>>, Vec<usize>) {
    let ranges = chunk_ranges(docs.len(), |i| docs.bytes(i));
    let bytes = ranges
        .iter()
        .map(|r| r.clone().map(|i| docs.bytes(i) + 16).sum())
        .collect();
    (ranges, bytes)
}

/// `f` on every document chunk of `docs` (sized by bytes), in parallel above the threshold, in chunk order.
pub(super) fn map_doc_chunks<T: Send>(
    docs: Docs<'_>,
    f: impl Fn(Range<usize>) -> T + Sync,
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<T>> {
    let (ranges, bytes) = doc_chunks(docs);
    map_chunks(ranges, &bytes, f, check)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::tests::ok;
    use crate::pipeline::Pipeline;

    fn pretokenized(extra: &str) -> Pipeline {
        let cfg = format!(r#"{{"tokenize": {{"split": "pretokenized.v1"{extra}}}}}"#);
        Pipeline::from_config_json(&cfg).unwrap()
    }

    #[test]
    fn token_docs_are_normalized_token_by_token() {
        let p = pretokenized("");
        let tokens = ["Don", "'t", "ＳＴＯＰ", "", "x y"];
        let splits = [0, 3, 5];
        let docs = Docs::Tokens {
            tokens: &tokens,
            splits: &splits,
            normalized: false,
        };
        let f = p.tokenize_batch(docs, &mut ok()).unwrap();
        assert_eq!(f.row_splits, vec![0, 3, 4]);
        let toks: Vec<&str> = (0..4)
            .map(|j| {
                std::str::from_utf8(&f.bytes[f.offsets[j] as usize..f.offsets[j + 1] as usize])
                    .unwrap()
            })
            .collect();
        // one token per given token, whitespace inside kept, an empty token dropped
        assert_eq!(toks, ["don", "'t", "stop", "x y"]);
        // a plain text is a document of one token
        assert_eq!(p.tokenize("Ａ b"), ["a b"]);
        // already normalized tokens skip the normalizer
        let raw = Docs::Tokens {
            tokens: &tokens,
            splits: &splits,
            normalized: true,
        };
        let f = p.tokenize_batch(raw, &mut ok()).unwrap();
        assert_eq!(&f.bytes[..], "Don'tＳＴＯＰx y".as_bytes());
    }

    #[test]
    fn token_docs_shapes_come_from_the_given_tokens() {
        let p = pretokenized(r#", "shapes": true"#)
            .with_tokens(vec!["usa".into(), "iphone".into()], None, None, 0)
            .unwrap();
        let tokens = ["USA", "iPhone", "42"];
        let e = p
            .encode_batch(
                Docs::Tokens {
                    tokens: &tokens,
                    splits: &[0, 3],
                    normalized: false,
                },
                None,
                None,
                &mut ok(),
            )
            .unwrap();
        assert_eq!(e.ids, vec![2, 3, 1]);
        assert_eq!(e.shapes.unwrap(), vec![3, 4, 5]);
    }
}
