"""Save a Keras model together with its pipeline, so predictions after reload see identical ids.

``save(model, pipe, path)`` writes a folder: ``model.keras``, ``pipeline.json`` (the pipeline artifact) and
``textprep.json`` (format, fingerprint); ``load(path)`` checks the fingerprint and returns ``(model, pipe)``.

>>> import os, tempfile, textprep as tp
>>> from textprep.keras import text_classifier
>>> pipe = tp.Pipeline(maxlen=4).fit(["good film", "bad film"])
>>> model = text_classifier(pipe, dim=4)
>>> path = os.path.join(tempfile.mkdtemp(), "clf")
>>> save(model, pipe, path)
>>> model2, pipe2 = load(path)
>>> pipe2 == pipe, sorted(os.listdir(path))
(True, ['model.keras', 'pipeline.json', 'textprep.json'])
"""

from __future__ import annotations

import json
import os
from typing import Any

import keras

from ..errors import ArtifactError
from . import layers as _layers  # noqa: F401  (registers the custom layers before loading)

FORMAT = "textprep.keras.v1"
MODEL_FILE = "model.keras"
PIPELINE_FILE = "pipeline.json"
MANIFEST_FILE = "textprep.json"


def save(model: keras.Model, pipe: Any, path: str | os.PathLike[str]) -> None:
    """Write ``model`` and ``pipe`` into the folder ``path`` (created; existing files are replaced).

    >>> import os, tempfile, textprep as tp
    >>> from textprep.keras import text_classifier
    >>> pipe = tp.Pipeline(maxlen=2).fit(["a b"])
    >>> save(text_classifier(pipe, dim=2), pipe, os.path.join(tempfile.mkdtemp(), "m"))
    """
    folder = os.fspath(path)
    os.makedirs(folder, exist_ok=True)
    model.save(os.path.join(folder, MODEL_FILE))
    pipe.save(os.path.join(folder, PIPELINE_FILE))
    manifest = {
        "format": FORMAT,
        "fingerprint": pipe.fingerprint,
        "model": MODEL_FILE,
        "pipeline": PIPELINE_FILE,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
    }
    with open(os.path.join(folder, MANIFEST_FILE), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)


def load(path: str | os.PathLike[str], compile: bool = True) -> tuple[keras.Model, Any]:
    """Read ``(model, pipe)`` saved by :func:`save`; ``ArtifactError`` if the pipeline's fingerprint differs.

    >>> load("/nonexistent/folder")
    Traceback (most recent call last):
    textprep.errors.ArtifactError: /nonexistent/folder: not a textprep Keras folder (no textprep.json); ...
    """
    from ..pipeline import Pipeline

    folder = os.fspath(path)
    manifest_path = os.path.join(folder, MANIFEST_FILE)
    if not os.path.exists(manifest_path):
        raise ArtifactError(
            f"{folder}: not a textprep Keras folder (no {MANIFEST_FILE}); save it with "
            "textprep.keras.save(model, pipe, path)"
        )
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("format") != FORMAT:
        raise ArtifactError(
            f"{manifest_path}: unknown format {manifest.get('format')!r}, expected {FORMAT!r}"
        )
    pipe = Pipeline.load(os.path.join(folder, manifest.get("pipeline", PIPELINE_FILE)))
    if pipe.fingerprint != manifest.get("fingerprint"):
        raise ArtifactError(
            f"{folder}: the pipeline's fingerprint {pipe.fingerprint} does not match the one "
            f"saved with the model ({manifest.get('fingerprint')}): pipeline.json was replaced "
            "or edited"
        )
    model = keras.saving.load_model(os.path.join(folder, manifest.get("model", MODEL_FILE)), compile=compile)
    return model, pipe


__all__ = ["load", "save"]
