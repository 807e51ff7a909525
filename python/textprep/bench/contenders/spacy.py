"""spaCy rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .base import need


def _spacy_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    spacy = need("spacy")
    tokenizer = spacy.blank("en").tokenizer
    return lambda: [[t.text for t in doc] for doc in tokenizer.pipe(texts)]
