"""What ``textprep serve PATH`` loads, and how a model turns texts into predictions.

``load(path)`` is the one place that knows the file formats: a pipeline artifact (``pipe.save``), a folder
written by ``textprep.keras.save(model, pipe, path)``, or a ``.keras`` file whose text layer carries the pipeline
(``load_keras_file``, to be connected to the Keras text layer's API). ``Predictor`` wraps a model:

- a Keras model fed with ids (``pipe(texts)``): rows are padded up to a power of two so a compiled model sees few
  distinct batch shapes (JAX and TensorFlow retrace per shape);
- any callable ``f(texts: list[str]) -> array-like`` (a scikit-learn pipeline's ``predict_proba``, say), fed the
  raw texts.

>>> import os, tempfile, textprep as tp
>>> p = os.path.join(tempfile.mkdtemp(), "pipe.json")
>>> tp.Pipeline(n_buckets=8).save(p)
>>> pipe, model = load(p)
>>> pipe.config["hashing"]["n_buckets"], model
(8, None)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ArtifactError
from ..pipeline import Pipeline


def load_keras_file(path: str) -> tuple[Pipeline, Any]:
    """``(pipe, model)`` from a ``.keras`` file whose text layer carries the pipeline.

    The Keras text layer (``tp.keras.TextVectorization``) is written in parallel with this module; until its API
    is connected here, a ``.keras`` file is served when a ``pipeline.json`` sits beside it (the layout of
    ``textprep.keras.save``), and otherwise this raises ``ArtifactError`` saying how to save the model.
    """
    folder = os.path.dirname(os.path.abspath(path))
    beside = os.path.join(folder, "pipeline.json")
    if os.path.exists(beside):
        import keras

        return Pipeline.load(beside), keras.saving.load_model(path, compile=False)
    raise ArtifactError(
        f"{path}: a .keras file needs its pipeline: save with textprep.keras.save(model, pipe, folder) and "
        "serve the folder (or put pipeline.json beside the .keras file)"
    )


def load(path: str | os.PathLike[str]) -> tuple[Pipeline, Any]:
    """``(pipe, model or None)`` from a pipeline artifact, a ``textprep.keras.save`` folder or a ``.keras`` file.

    >>> load("/nonexistent/thing.json")
    Traceback (most recent call last):
    FileNotFoundError: ...
    """
    p = os.fspath(path)
    if os.path.isdir(p):
        if not os.path.exists(os.path.join(p, "textprep.json")):
            raise ArtifactError(
                f"{p}: a folder to serve must be written by textprep.keras.save(model, pipe, folder) "
                "(it has no textprep.json)"
            )
        from ..keras import saving

        model, pipe = saving.load(p, compile=False)
        return pipe, model
    if p.endswith(".keras"):
        if not os.path.exists(p):
            raise FileNotFoundError(f"{p}: no such model file")
        return load_keras_file(p)
    return Pipeline.load(p), None


def _is_keras_model(model: Any) -> bool:
    mod = type(model).__module__ or ""
    return hasattr(model, "predict_on_batch") and (mod.startswith("keras") or "keras" in mod)


class Predictor:
    """Predictions for a list of texts from ``model`` (see the module docs).

    >>> import textprep as tp
    >>> pipe = tp.Pipeline().fit(["a b"])
    >>> Predictor(lambda texts: [len(t) for t in texts], pipe).predict(["abc"], pipe.encode_batch(["abc"]).ids)
    [3]
    """

    def __init__(self, model: Any, pipe: Pipeline) -> None:
        if not (_is_keras_model(model) or callable(model)):
            raise TypeError(
                f"model must be a Keras model or a callable f(texts) -> predictions, got {type(model).__name__}"
            )
        self.model = model
        self.pipe = pipe
        self.takes_ids = _is_keras_model(model)
        self.name = getattr(model, "name", None) or getattr(model, "__name__", type(model).__name__)

    def predict(self, texts: list[str], ids: np.ndarray) -> list[Any]:
        """One prediction per text (JSON-ready lists); ``ids`` are ``pipe.encode_batch(texts).ids``."""
        if not self.takes_ids:
            out = self.model(texts)
            return np.asarray(out).tolist() if not isinstance(out, list) else out
        n = ids.shape[0]
        rows = 1 << max(0, (n - 1).bit_length())
        if rows != n:
            ids = np.concatenate([ids, np.zeros((rows - n, *ids.shape[1:]), dtype=ids.dtype)])
        out = self.model.predict_on_batch(ids)
        return np.asarray(out)[:n].tolist()

    def info(self) -> dict[str, Any]:
        """Name and kind (for ``/v1/info``)."""
        info: dict[str, Any] = {"name": str(self.name), "input": "ids" if self.takes_ids else "texts"}
        if self.takes_ids:
            try:
                import keras

                info["keras_version"] = keras.__version__
                info["backend"] = keras.backend.backend()
            except ImportError:  # pragma: no cover
                pass
        return info


def as_predictor(model: Any, pipe: Pipeline) -> Predictor | None:
    """``model`` wrapped in a ``Predictor`` (None stays None).

    >>> import textprep as tp
    >>> as_predictor(None, tp.Pipeline(n_buckets=4)) is None
    True
    """
    if model is None or isinstance(model, Predictor):
        return model
    return Predictor(model, pipe)


def describe(path: str) -> dict[str, Any]:
    """What a path holds, without loading a model (for error messages and ``/v1/info``).

    >>> describe("/x/model.keras")["kind"]
    'keras_file'
    """
    kind = "folder" if os.path.isdir(path) else ("keras_file" if path.endswith(".keras") else "pipeline")
    out: dict[str, Any] = {"path": path, "kind": kind}
    manifest = os.path.join(path, "textprep.json")
    if kind == "folder" and os.path.exists(manifest):
        with open(manifest, encoding="utf-8") as f:
            out["manifest"] = json.load(f)
    return out


PredictFn = Callable[[list[str]], Any]

__all__ = ["PredictFn", "Predictor", "as_predictor", "describe", "load", "load_keras_file"]
