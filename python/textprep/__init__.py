"""textprep: raw text to model-ready arrays, fast.

>>> import textprep as tp
>>> pipe = tp.Pipeline(maxlen=6).fit(["the cat sat on the mat", "the dog sat"])
>>> pipe(["the cat sat"]).tolist()
[[2, 4, 3, 0, 0, 0]]
"""

from __future__ import annotations

import os as _os
from typing import Any

from . import _core
from .config import PRESETS, build_config, default_config
from .embeddings import Embeddings, Vectors, load_named, load_vectors, train_vectors
from .errors import (
    ArtifactError,
    ArtifactVersionError,
    ConfigError,
    FileDecodeError,
    NotFittedError,
    TextprepError,
    VectorsFormatError,
)
from .hashing import hash_tokens
from .pipeline import Batch, Counts, Pipeline, Vocab

__version__: str = _core.__version__


def set_num_threads(n: int) -> None:
    """Set the number of threads batch calls use (0 restores the default: ``TEXTPREP_NUM_THREADS`` or all cores).

    Output is identical at any thread count.

    >>> import textprep as tp
    >>> tp.set_num_threads(1); tp.get_num_threads()
    1
    >>> tp.set_num_threads(0)
    """
    if not isinstance(n, int) or n < 0:
        raise ConfigError(f"set_num_threads expects an int >= 0, got {n!r}")
    _core.set_num_threads(n)


def get_num_threads() -> int:
    """The number of threads batch calls use.

    >>> import textprep as tp
    >>> tp.get_num_threads() >= 1
    True
    """
    return int(_core.get_num_threads())


def __getattr__(name: str) -> Any:
    # tp.keras without importing keras (and a backend) at import time; tp.distributed imports ray/dask on use only
    if name in ("keras", "distributed", "interop", "serve", "monitor"):
        import importlib

        return importlib.import_module(f"textprep.{name}")
    if name == "Monitor":  # textprep.monitor imports scipy.spatial on use only
        from .monitor import Monitor

        return Monitor
    if name in ("train_subword", "export_tokenizer_json"):  # textprep.interop.hf imports tokenizers on use
        from .interop import hf

        return getattr(hf, name)
    raise AttributeError(f"module 'textprep' has no attribute {name!r}")


# A forked child must not use the parent's pool threads (they do not exist there): run serially.
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_core._after_fork_in_child)

__all__ = [
    "PRESETS",
    "ArtifactError",
    "ArtifactVersionError",
    "Batch",
    "ConfigError",
    "Counts",
    "Embeddings",
    "FileDecodeError",
    "Monitor",
    "NotFittedError",
    "Pipeline",
    "TextprepError",
    "Vectors",
    "VectorsFormatError",
    "Vocab",
    "build_config",
    "default_config",
    "get_num_threads",
    "hash_tokens",
    "load_named",
    "load_vectors",
    "set_num_threads",
    "train_subword",
    "train_vectors",
]
