"""blingfire rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .base import need


def _blingfire_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    text_to_words = need("blingfire").text_to_words  # returns the tokens joined by spaces
    return lambda: [text_to_words(s).split() for s in texts]
