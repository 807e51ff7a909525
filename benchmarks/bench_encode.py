"""Encode to padded (n, 128) int32 ids: textprep (fitted vocabulary, hashed) against the peers."""

from __future__ import annotations

import numpy as np
import pytest
from contenders import ENCODE, MAXLEN, spread


@pytest.mark.parametrize("contender", ENCODE, ids=lambda c: c.id)
def test_encode(run, contender):
    run(contender)


@pytest.mark.parametrize("contender", ENCODE, ids=lambda c: c.id)
def test_encode_shape(corpus, contender):
    """Every contender produces the same kind of array (outside timing, on a small slice)."""
    from contenders import Unavailable

    texts = spread(corpus.texts, 200)
    try:
        ids = np.asarray(contender.make(texts, corpus.path)())
    except Unavailable as e:
        pytest.skip(str(e))
    assert ids.shape == (len(texts), MAXLEN) and ids.dtype == np.int32
