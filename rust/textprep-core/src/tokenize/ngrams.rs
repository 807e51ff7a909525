//! Word n-grams (scikit-learn's order) and fastText character n-grams (gensim's `compute_ngrams` order) composed from
//! the words of one document, and the character n-grams of fastText's own subword lookup ([`fasttext_ngrams`]).

use super::{Tokenizer, Tokens};

/// Reused buffers of the character n-grams.
#[derive(Default)]
pub(super) struct Buffers {
    wrapped: String,
    bounds: Vec<usize>,
}

/// fastText's character n-grams of `<word>` in its own order (`Dictionary::computeSubwords`, gensim's
/// `compute_ngrams_bytes`): by start position, then by length `minn..=maxn`; the lone `<` and `>` never count.
/// These select the subword rows of a fastText model (`hashing::fasttext_hash(ngram) % bucket`); the tokenizer's
/// `char_ngrams` use gensim's length-first order instead (see the module docs of `tokenize`).
pub fn fasttext_ngrams(word: &str, minn: usize, maxn: usize) -> Vec<String> {
    let mut out = Vec::new();
    fasttext_ngrams_with(word, minn, maxn, |g| out.push(g.to_owned()));
    out
}

/// [`fasttext_ngrams`] without collecting: `f` sees each n-gram in order.
pub fn fasttext_ngrams_with(word: &str, minn: usize, maxn: usize, mut f: impl FnMut(&str)) {
    let mut wrapped = String::with_capacity(word.len() + 2);
    wrapped.push('<');
    wrapped.push_str(word);
    wrapped.push('>');
    let mut bounds: Vec<usize> = wrapped.char_indices().map(|(i, _)| i).collect();
    bounds.push(wrapped.len());
    let size = bounds.len() - 1;
    for i in 0..size {
        for n in minn.max(1)..=maxn {
            let j = i + n;
            if j > size {
                break;
            }
            if n == 1 && (i == 0 || j == size) {
                continue;
            }
            f(&wrapped[bounds[i]..bounds[j]]);
        }
    }
}

impl Tokenizer {
    /// Word n-grams and character n-grams of `words` (see the module docs for the order).
    pub(super) fn compose(
        &self,
        words: &Tokens,
        protected: &[bool],
        out: &mut Tokens,
        bufs: &mut Buffers,
    ) {
        let Buffers { wrapped, bounds } = bufs;
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

#[cfg(test)]
mod tests {
    use crate::tokenize::test_support::*;

    #[test]
    fn fasttext_ngrams_in_fasttext_order() {
        use crate::tokenize::fasttext_ngrams;
        assert_eq!(
            fasttext_ngrams("cat", 3, 4),
            ["<ca", "<cat", "cat", "cat>", "at>"]
        );
        assert_eq!(fasttext_ngrams("ab", 1, 2), ["<a", "a", "ab", "b", "b>"]);
        assert_eq!(
            fasttext_ngrams("日本", 2, 3),
            ["<日", "<日本", "日本", "日本>", "本>"]
        );
        assert!(fasttext_ngrams("x", 5, 6).is_empty());
        assert!(fasttext_ngrams("x", 3, 0).is_empty());
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
}
