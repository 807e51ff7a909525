"""textprep's own rows of every task."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .base import MAX_TOKENS, MAXLEN, N_BUCKETS, Make, need
from .corpus import glove_text_file


def tp_threads(n: int) -> Any:
    """``textprep`` with ``n`` batch threads (0: the default, all cores).

    >>> tp_threads(0).get_num_threads() >= 1
    True
    """
    import textprep as tp

    tp.set_num_threads(n)
    return tp


def _tp_tokenize(output: str, threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        pipe = tp.Pipeline(case="lower", unicode="nfkc", split="words.v1")
        if output == "arrow":
            need("pyarrow")
        return lambda: pipe.tokenize_batch(texts, output=output)

    return make


def _tp_preset(name: str) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(1)
        pipe = tp.Pipeline.preset(name)
        return lambda: pipe.tokenize_batch(texts)

    return make


def _tp_fit(threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        return lambda: tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts)

    return make


def _tp_fit_files(texts: list[str], path: Path) -> Callable[[], Any]:
    tp = tp_threads(0)
    return lambda: tp.Pipeline(max_tokens=MAX_TOKENS).fit_files([path], progress=False)


def _tp_encode(threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(0)
        pipe = tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts)
        tp.set_num_threads(threads)
        return lambda: pipe.encode_batch(texts, maxlen=MAXLEN).ids

    return make


def _tp_hashed(threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        pipe = tp.Pipeline(n_buckets=N_BUCKETS, maxlen=MAXLEN)
        return lambda: pipe(texts)

    return make


def _tp_bag(preset: str | None, threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        if preset == "sklearn":
            pipe = tp.Pipeline.preset("sklearn", hash="murmur3_32", n_buckets=N_BUCKETS, signed=True)
        elif preset == "keras":
            pipe = tp.Pipeline.preset("keras", hash="farmhash64", n_buckets=N_BUCKETS)
        else:
            pipe = tp.Pipeline(n_buckets=N_BUCKETS)
        need("scipy.sparse")
        return lambda: pipe.encode_bag(texts, mode="count")

    return make


def _vocab_tokens(texts: list[str]) -> list[str]:
    tp = tp_threads(0)
    return list(tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts).vocab.tokens)


def _aligned(tokens: list[str], lookup: Callable[[str], Any], dim: int) -> np.ndarray:
    """Row layout of ``Vectors.align(pipe, oov="zeros")``: 0 padding, 1 OOV, then the vocabulary."""
    out = np.zeros((len(tokens) + 2, dim), dtype=np.float32)
    for i, t in enumerate(tokens):
        v = lookup(t)
        if v is not None:
            out[i + 2] = v
    return out


def _tp_vectors(filtered: bool) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(1)
        glove = glove_text_file()
        pipe = tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts)
        if filtered:
            return lambda: tp.load_vectors(glove, vocab=pipe, progress=False).align(pipe, oov="zeros").matrix
        return lambda: tp.load_vectors(glove, progress=False).align(pipe, oov="zeros").matrix

    return make
