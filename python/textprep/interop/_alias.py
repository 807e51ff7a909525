"""The names ``SpacyPipeline`` and ``HFPipeline`` from before token sources, kept for one release.

They are not ``Pipeline`` subclasses (there are none): calling one builds a ``Pipeline`` with that token source,
``isinstance`` tells whether a pipeline's tokens come from it, and ``from_json``/``load`` are ``Pipeline``'s.

>>> import textprep as tp
>>> from textprep.interop.spacy import SpacyPipeline
>>> isinstance(tp.Pipeline(split="spacy", nlp="blank:en"), SpacyPipeline)
True
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from ..pipeline import Pipeline


class SourcePipeline(type):
    """Metaclass of the old backend class names (``source_name`` is the token source's registered name)."""

    source_name: str

    def __call__(cls, config: dict[str, Any] | None = None, /, **options: Any) -> Pipeline:
        warnings.warn(
            f"{cls.__name__}(...) is deprecated: use tp.Pipeline(..., split={cls.source_name!r})",
            DeprecationWarning,
            stacklevel=2,
        )
        return Pipeline(config, split=cls.source_name, **options)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Pipeline) and getattr(obj.token_source, "name", None) == cls.source_name

    def from_json(cls, text: str, **source_options: Any) -> Pipeline:
        """``Pipeline.from_json``."""
        return Pipeline.from_json(text, **source_options)

    def load(cls, path: str | os.PathLike[str], **source_options: Any) -> Pipeline:
        """``Pipeline.load``."""
        return Pipeline.load(path, **source_options)


__all__ = ["SourcePipeline"]
