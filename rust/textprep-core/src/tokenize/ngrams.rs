//! Word n-grams (scikit-learn's order) and fastText character n-grams (gensim's `compute_ngrams` order) composed from
//! the words of one document.

use super::{Scratch, Tokenizer, Tokens};
use crate::normalize::Normalized;

impl Tokenizer {
    /// Word n-grams and character n-grams (see the module docs for the order).
    pub(super) fn compose(&self, norm: &Normalized, out: &mut Tokens, sc: &mut Scratch) {
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

#[cfg(test)]
mod tests {
    use crate::tokenize::test_support::*;

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
