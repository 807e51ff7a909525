"""Hashing to a bag of words (2^20 buckets, CSR counts): textprep's hashed pipelines (default xxh3, the
``sklearn`` preset with murmur3, the ``keras`` preset with farmhash64; 1 and 2 threads) against scikit-learn
``HashingVectorizer`` and the Keras ``Hashing`` layer, with the bags checked equal outside timing."""

from __future__ import annotations

import pytest
from contenders import CHECK_LINES, HASHING, N_BUCKETS, Unavailable, find, mismatch, spread


@pytest.mark.parametrize("contender", HASHING, ids=lambda c: c.id)
def test_hashing(run, contender):
    run(contender)


@pytest.mark.parametrize(
    "contender", [c for c in HASHING if c.compare_to and not c.fresh_process], ids=lambda c: c.id
)
def test_hashing_bag_equals_peer(corpus, contender):
    """The textprep preset's CSR bag equals the peer's on a spread slice (same indices, counts and signs)."""
    texts = spread(corpus.texts, CHECK_LINES)
    try:
        theirs = contender.make(texts, corpus.path)()
    except Unavailable as e:
        pytest.skip(str(e))
    ours = find("hashing", contender.compare_to).make(texts, corpus.path)()
    assert ours.shape == (len(texts), N_BUCKETS) and ours.nnz > len(texts)
    assert mismatch(ours, theirs, texts) is None, f"{contender.name}: {mismatch(ours, theirs, texts)}"
