"""Stable token hashing: xxh3_64 (default), murmur3_32 (scikit-learn), farmhash64 (Keras/TensorFlow) and
murmurhash64a (spaCy ``StringStore``).

>>> import textprep as tp
>>> ids = tp.hash_tokens(["apple", "pear"], n_buckets=1000)
>>> ids.shape, ids.dtype
((2,), dtype('int64'))
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from . import _core
from .errors import ConfigError
from .pipeline import as_text_list

ALGORITHMS = ("xxh3_64", "murmur3_32", "farmhash64", "murmurhash64a")


def hash_tokens(
    tokens: Iterable[str],
    n_buckets: int,
    algorithm: str = "xxh3_64",
    seed: int = 0,
    signed: bool = False,
    k: int = 1,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Bucket index of each token, ``h % n_buckets`` in the peer's exact layout (no padding offset).

    ``murmur3_32`` gives scikit-learn ``HashingVectorizer`` columns (``signed=True`` also returns the
    ``alternate_sign`` signs), ``farmhash64`` gives Keras ``Hashing(num_bins=n_buckets)`` ids. With ``k > 1`` the
    result has a column per hash (for Bloom / multi-hash embeddings). ``murmurhash64a`` is spaCy's 64-bit string
    hash (MurmurHash64A with seed ``1 + seed``), so with ``seed=0`` the bucket is ``nlp.vocab.strings[token] %
    n_buckets`` (for strings that are not spaCy symbol names such as ``"NOUN"``, which spaCy maps to small ids).

    >>> import textprep as tp
    >>> tp.hash_tokens(["the"], 2**20, algorithm="murmur3_32", signed=True)
    (array([...]), array([...], dtype=float32))
    """
    if algorithm not in ALGORITHMS:
        raise ConfigError(f"algorithm={algorithm!r} is not one of {', '.join(ALGORITHMS)}")
    if not isinstance(n_buckets, int) or not 1 <= n_buckets <= 2**31 - 1:
        raise ConfigError(f"n_buckets must be an int in 1..{2**31 - 1}, got {n_buckets!r}")
    if not isinstance(k, int) or not 1 <= k <= 8:
        raise ConfigError(f"k must be an int in 1..8, got {k!r}")
    if not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ConfigError(f"seed must be an int in 0..2**32-1, got {seed!r}")
    ids, signs = _core.hash_tokens(as_text_list(tokens, "tokens"), n_buckets, algorithm, seed, k)
    if k == 1:
        ids, signs = ids[:, 0], signs[:, 0]
    return (ids, signs) if signed else ids


__all__ = ["ALGORITHMS", "hash_tokens"]
