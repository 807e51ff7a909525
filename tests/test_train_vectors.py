"""Scratch vectors trained by gensim on the pipeline's own tokens, streamed and seeded."""

from __future__ import annotations

import numpy as np
import pytest
import textprep as tp
from textprep.embeddings import train_vectors
from textprep.embeddings.train import TokenStream

pytest.importorskip("gensim")


@pytest.fixture(scope="module")
def corpus(en_lines):
    return en_lines[:200]


class CountingTexts:
    """Re-iterable texts that count passes and the largest chunk the pipeline sees."""

    def __init__(self, texts):
        self.texts = texts
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        return iter(self.texts)


class SpyPipe:
    def __init__(self, pipe):
        self.pipe = pipe
        self.max_chunk = 0

    def tokenize_batch(self, texts):
        self.max_chunk = max(self.max_chunk, len(texts))
        return self.pipe.tokenize_batch(texts)


def test_token_stream_is_restartable_and_chunked(corpus):
    pipe = tp.Pipeline(case="lower")
    spy = SpyPipe(pipe)
    stream = TokenStream(spy, corpus, chunk_size=16)
    first, second = list(stream), list(stream)
    assert first == second == pipe.tokenize_batch(corpus)
    assert spy.max_chunk == 16
    with pytest.raises(TypeError, match="re-iterable"):
        TokenStream(pipe, (t for t in corpus))


@pytest.mark.parametrize("method", ["word2vec", "fasttext"])
def test_train_vectors_deterministic_and_aligned(corpus, method):
    pipe = tp.Pipeline(case="lower", maxlen=16, max_tokens=500).fit(corpus)
    texts = CountingTexts(corpus)
    opts = {"bucket": 2000} if method == "fasttext" else {}
    a = train_vectors(pipe, texts, method=method, dim=12, epochs=2, **opts)
    b = train_vectors(pipe, corpus, method=method, dim=12, epochs=2, **opts)
    assert texts.passes == 3  # one vocabulary pass + one per epoch, never materialized
    assert a.dim == 12 and a.report["method"] == method
    assert a.words == b.words
    np.testing.assert_array_equal(a.matrix, b.matrix)
    tokens = {t for doc in pipe.tokenize_batch(corpus) for t in doc}
    assert set(a.words) == tokens
    emb = a.align(pipe)
    assert emb.matrix.shape == (pipe.id_space, 12) and emb.report["coverage"] == 1.0
    if method == "fasttext":
        assert a.subwords is not None and a.vector("unseenwordzz") is not None


def test_train_vectors_bad_method(corpus):
    with pytest.raises(ValueError, match="method= must be one of"):
        train_vectors(tp.Pipeline(), corpus, method="glove")
