"""scikit-learn rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .base import MAX_TOKENS, N_BUCKETS, need


def _sklearn_analyzer() -> Callable[[str], list[str]]:
    text = need("sklearn.feature_extraction.text")
    analyzer: Callable[[str], list[str]] = text.CountVectorizer().build_analyzer()
    return analyzer


def _sklearn_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    analyzer = _sklearn_analyzer()
    return lambda: [analyzer(s) for s in texts]


def _sklearn_fit(texts: list[str], path: Path) -> Callable[[], Any]:
    text = need("sklearn.feature_extraction.text")
    return lambda: text.CountVectorizer(max_features=MAX_TOKENS).fit(texts)


def _sklearn_hashing(texts: list[str], path: Path) -> Callable[[], Any]:
    text = need("sklearn.feature_extraction.text")
    hv = text.HashingVectorizer(n_features=N_BUCKETS, norm=None, alternate_sign=True)
    return lambda: hv.transform(texts)
