"""Pure-Python baselines (``re``, ``str.split``, ``Counter``, ``dict``) and the floor."""

from __future__ import annotations

import collections
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .base import MAX_TOKENS, MAXLEN, WORD_RE
from .corpus import glove_text_file
from .ours import _aligned, _vocab_tokens


def py_tokens(s: str) -> list[str]:
    """The pure-Python baseline's tokens: ``\\w+`` runs of the NFKC lower-cased text.

    >>> py_tokens("Hello, World")
    ['hello', 'world']
    """
    return WORD_RE.findall(unicodedata.normalize("NFKC", s).lower())


def _re_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    findall, normalize = WORD_RE.findall, unicodedata.normalize
    return lambda: [findall(normalize("NFKC", s).lower()) for s in texts]


def _split_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    return lambda: [s.split() for s in texts]


def _counter_fit(texts: list[str], path: Path) -> Callable[[], Any]:
    def run() -> Any:
        c: collections.Counter[str] = collections.Counter()
        for s in texts:
            c.update(py_tokens(s))
        return {t: i for i, (t, _) in enumerate(c.most_common(MAX_TOKENS), 2)}

    return run


def _dict_encode(texts: list[str], path: Path) -> Callable[[], Any]:
    vocab = _counter_fit(texts, path)()

    def run() -> Any:
        out = np.zeros((len(texts), MAXLEN), dtype=np.int32)
        get = vocab.get
        for i, s in enumerate(texts):
            ids = [get(t, 1) for t in py_tokens(s)[:MAXLEN]]
            out[i, : len(ids)] = ids
        return out

    return run


def _python_vectors(texts: list[str], path: Path) -> Callable[[], Any]:
    glove = glove_text_file()
    tokens = _vocab_tokens(texts)
    wanted = set(tokens)

    def run() -> Any:
        found: dict[str, np.ndarray] = {}
        with open(glove, encoding="utf-8") as f:
            for line in f:
                word, _, rest = line.partition(" ")
                if word in wanted and word not in found:
                    found[word] = np.array(rest.split(), dtype=np.float32)
        dim = len(next(iter(found.values()))) if found else 50
        return _aligned(tokens, found.get, dim)

    return run
