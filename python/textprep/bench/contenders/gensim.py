"""gensim rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .base import MAX_TOKENS, need
from .corpus import glove_text_file
from .ours import _aligned, _vocab_tokens


def _gensim_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    simple_preprocess = need("gensim.utils").simple_preprocess
    return lambda: [simple_preprocess(s) for s in texts]


def _gensim_fit(texts: list[str], path: Path) -> Callable[[], Any]:
    need("gensim")
    from gensim.corpora import Dictionary
    from gensim.utils import simple_preprocess

    def run() -> Any:
        d = Dictionary(simple_preprocess(s) for s in texts)
        d.filter_extremes(no_below=1, no_above=1.0, keep_n=MAX_TOKENS)
        return d

    return run


def _gensim_vectors(texts: list[str], path: Path) -> Callable[[], Any]:
    models = need("gensim.models")
    glove = glove_text_file()
    tokens = _vocab_tokens(texts)

    def run() -> Any:
        kv = models.KeyedVectors.load_word2vec_format(str(glove), no_header=True)
        index = kv.key_to_index
        return _aligned(tokens, lambda t: kv.vectors[index[t]] if t in index else None, kv.vector_size)

    return run
