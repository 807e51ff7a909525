"""Interoperability with spaCy and HF tokenizers (imported on use; spaCy and tokenizers are optional).

Both tokenizers are token sources (:mod:`textprep.sources`): small adapters that hand their tokens to an ordinary
``Pipeline``, whose engine does the rest.

- ``tp.Pipeline(split="spacy", nlp=...)`` (:class:`SpacyTokenizer`), the ``"textprep"`` spaCy component and spaCy
  vectors: :mod:`textprep.interop.spacy`
- ``tp.Pipeline(split="hf", tokenizer=...)`` (:class:`HFTokenizer`), ``tp.train_subword`` and
  ``export_tokenizer_json``: :mod:`textprep.interop.hf`

>>> import textprep as tp
>>> pipe = tp.Pipeline(split="spacy", nlp="blank:en")
>>> type(pipe).__name__, type(pipe.token_source).__name__
('Pipeline', 'SpacyTokenizer')
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "SpacyPipeline": "spacy",
    "SpacyTokenizer": "spacy",
    "HFTokenizer": "hf",
    "TextprepComponent": "spacy",
    "to_spacy_vectors": "spacy",
    "add_to_nlp": "spacy",
    "HFPipeline": "hf",
    "train_subword": "hf",
    "export_tokenizer_json": "hf",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"textprep.interop.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'textprep.interop' has no attribute {name!r}")


__all__ = sorted(_LAZY)
