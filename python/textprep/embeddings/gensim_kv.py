"""gensim ``KeyedVectors`` (and models with ``.wv``): objects in memory, or files saved with ``KeyedVectors.save``
(Python pickles: only read with ``format="gensim"``), FastText subwords included.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._io import PathLike, load_report
from .table import SubwordModel, Vectors


def from_gensim(obj: Any, keep: set[str] | None, source: str) -> Vectors:
    kv = getattr(obj, "wv", obj)
    if not hasattr(kv, "index_to_key") or not hasattr(kv, "vectors"):
        raise TypeError(f"expected a gensim KeyedVectors (or a model with .wv), got {type(obj).__name__}")
    keys = list(kv.index_to_key)
    if keep is None:
        words = [str(k) for k in keys]
        mat = np.asarray(kv.vectors, dtype=np.float32)
    else:
        rows = [i for i, k in enumerate(keys) if k in keep]
        words = [str(keys[i]) for i in rows]
        mat = np.asarray(kv.vectors[rows], dtype=np.float32)
    sub = None
    if getattr(kv, "vectors_ngrams", None) is not None and getattr(kv, "bucket", None):
        sub = SubwordModel(
            np.asarray(kv.vectors_ngrams),
            kv.min_n,
            kv.max_n,
            word_rows=dict(kv.key_to_index),
            word_matrix=np.asarray(kv.vectors_vocab),
        )
    report = load_report(source, "gensim", len(keys), len(words), int(mat.shape[1]))
    return Vectors(words, mat, report=report, subwords=sub)


def read_gensim_file(path: PathLike, keep: set[str] | None) -> Vectors:
    try:
        from gensim.models import KeyedVectors
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError('reading gensim files needs gensim: pip install "textprep[gensim]"') from e
    return from_gensim(KeyedVectors.load(os.fspath(path), mmap="r"), keep, os.fspath(path))
