"""Interoperability with spaCy and HF tokenizers (imported on use; spaCy and tokenizers are optional).

- ``tp.Pipeline(split="spacy", nlp=...)`` and the ``"textprep"`` spaCy component: :mod:`textprep.interop.spacy`
- ``tp.Pipeline(split="hf", tokenizer=...)``, ``tp.train_subword`` and ``export_tokenizer_json``:
  :mod:`textprep.interop.hf`

>>> import textprep as tp
>>> type(tp.Pipeline(split="spacy", nlp="blank:en")).__name__
'SpacyPipeline'
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "SpacyPipeline": "spacy",
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
