"""Keras 3 integration (any backend): embedding layers, ``HashEmbedding``, ``TextDataset``, a reference
classifier, and saving a model together with its pipeline.

Needs Keras 3: ``pip install "textprep[keras]"`` (plus a backend, e.g. ``"textprep[jax]"``).

>>> import textprep as tp
>>> from textprep import keras as tpk
>>> pipe = tp.Pipeline(maxlen=4).fit(["good film", "bad film"])
>>> model = tpk.text_classifier(pipe, kind="bag", dim=4)
>>> model.predict(pipe(["good film"]), verbose=0).shape
(1, 1)
"""

from __future__ import annotations

try:
    import keras as _keras
except ImportError as _e:  # pragma: no cover - depends on the environment
    raise ImportError(
        'textprep.keras needs Keras 3: pip install "textprep[keras]" (and a backend, e.g. "textprep[jax]")'
    ) from _e

if not str(getattr(_keras, "__version__", "0")).startswith("3"):  # pragma: no cover
    raise ImportError(
        f"textprep.keras needs Keras 3, found keras {_keras.__version__}: pip install 'keras>=3'"
    )

from .data import TextDataset
from .layers import (
    MODES,
    HashEmbedding,
    LayeredEmbedding,
    PartiallyFrozenEmbedding,
    embedding_layer,
)
from .model import KINDS, text_classifier
from .saving import load, save

__all__ = [
    "KINDS",
    "MODES",
    "HashEmbedding",
    "LayeredEmbedding",
    "PartiallyFrozenEmbedding",
    "TextDataset",
    "embedding_layer",
    "load",
    "save",
    "text_classifier",
]
