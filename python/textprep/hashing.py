"""Stable token hashing: xxh3_64 (default), murmur3_32 (scikit-learn), farmhash64 (Keras/TensorFlow) and
murmurhash64a (spaCy ``StringStore``).

>>> import textprep as tp
>>> ids = tp.hash_tokens(["apple", "pear"], n_buckets=1000, hash="xxh3_64")
>>> ids.shape, ids.dtype
((2,), dtype('int64'))
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from . import _core
from .errors import ConfigError
from .pipeline import as_text_list

#: The names ``hash=`` accepts (the engine's list).
ALGORITHMS = tuple(_core.hash_algorithms())


def hash_tokens(
    tokens: Iterable[str],
    n_buckets: int,
    hash: str = "xxh3_64",
    seed: int = 0,
    signed: bool = False,
    num_hashes: int = 1,
    **deprecated: Any,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Bucket index of each token, ``h % n_buckets`` in the peer's exact layout (no padding offset).

    ``hash="murmur3_32"`` gives scikit-learn ``HashingVectorizer`` columns (``signed=True`` also returns the
    ``alternate_sign`` signs), ``"farmhash64"`` gives Keras ``Hashing(num_bins=n_buckets)`` ids. With
    ``num_hashes > 1`` the result has a column per hash (for Bloom / multi-hash embeddings). ``"murmurhash64a"`` is
    spaCy's 64-bit string hash (MurmurHash64A with seed ``1 + seed``), so with ``seed=0`` the bucket is
    ``nlp.vocab.strings[token] % n_buckets`` (for strings that are not spaCy symbol names such as ``"NOUN"``, which
    spaCy maps to small ids). The names are the pipeline's (``Pipeline(hash=..., num_hashes=...)``); the old
    spellings ``algorithm=`` and ``k=`` still work for one release, with a ``DeprecationWarning``.

    >>> import textprep as tp
    >>> tp.hash_tokens(["the"], 2**20, hash="murmur3_32", signed=True)
    (array([...]), array([...], dtype=float32))
    """
    names = {"hash": "hash", "num_hashes": "num_hashes"}
    for old, new in (("algorithm", "hash"), ("k", "num_hashes")):
        if old in deprecated:
            warnings.warn(
                f"hash_tokens({old}=...) is deprecated, use {new}=...", DeprecationWarning, stacklevel=2
            )
            value = deprecated.pop(old)
            if new == "hash":
                hash = value
            else:
                num_hashes = value
            names[new] = old
    if deprecated:
        raise TypeError(f"hash_tokens() got unexpected keyword argument(s) {', '.join(sorted(deprecated))}")
    if hash not in ALGORITHMS:
        raise ConfigError(f"{names['hash']}={hash!r} is not one of {', '.join(ALGORITHMS)}")
    if not isinstance(n_buckets, int) or not 1 <= n_buckets <= 2**31 - 1:
        raise ConfigError(f"n_buckets must be an int in 1..{2**31 - 1}, got {n_buckets!r}")
    if not isinstance(num_hashes, int) or not 1 <= num_hashes <= 8:
        raise ConfigError(f"{names['num_hashes']} must be an int in 1..8, got {num_hashes!r}")
    if not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ConfigError(f"seed must be an int in 0..2**32-1, got {seed!r}")
    ids, signs = _core.hash_tokens(as_text_list(tokens, "tokens"), n_buckets, hash, seed, num_hashes)
    if num_hashes == 1:
        ids, signs = ids[:, 0], signs[:, 0]
    return (ids, signs) if signed else ids


__all__ = ["ALGORITHMS", "hash_tokens"]
