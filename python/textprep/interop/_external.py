"""Shared machinery of the external tokenization backends (spaCy words, HF subwords).

An external pipeline is a :class:`textprep.Pipeline` whose tokens come from another library. Its artifact is a
JSON envelope ``{"format": "textprep.external", "backend": ..., "pipeline": <the engine's artifact>, ...}``:
``Pipeline.from_json`` / ``Pipeline.load`` recognise it and rebuild the right class.

>>> from textprep.interop._external import is_external_artifact
>>> is_external_artifact('{"format": "textprep.external", "backend": "spacy"}')
True
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ArtifactError, ConfigError

FORMAT = "textprep.external"
FORMAT_VERSION = 1
#: ``split=`` values that select an external backend.
EXTERNAL_SPLITS = ("spacy", "hf")


def is_external_artifact(text: str) -> bool:
    """True when ``text`` is an external-backend artifact (cheap prefix test, no full parse).

    >>> is_external_artifact('{"format": "textprep.pipeline"}')
    False
    """
    head = text.lstrip()[:64].replace(" ", "")
    return head.startswith('{"format":"' + FORMAT + '"')


def external_split(config: Any, options: dict[str, Any]) -> str | None:
    """The external backend named by ``split=`` in the keywords or the config dict, if any.

    >>> external_split(None, {"split": "spacy"}), external_split({"tokenize": {"split": "words.v1"}}, {})
    ('spacy', None)
    """
    split = options.get("split")
    if split is None and isinstance(config, dict):
        tok = config.get("tokenize")
        split = tok.get("split") if isinstance(tok, dict) else None
    return split if isinstance(split, str) and split in EXTERNAL_SPLITS else None


def external_class(split: str) -> Any:
    """The Pipeline subclass of an external backend.

    >>> external_class("spacy").__name__
    'SpacyPipeline'
    """
    if split == "spacy":
        from .spacy import SpacyPipeline

        return SpacyPipeline
    if split == "hf":
        from .hf import HFPipeline

        return HFPipeline
    raise ConfigError(f"split={split!r} is not an external backend ({', '.join(EXTERNAL_SPLITS)})")


def envelope(backend: str, pipeline_json: str, **extra: Any) -> str:
    """The artifact envelope of an external pipeline (``pipeline_json`` is the engine's own artifact).

    >>> json.loads(envelope("spacy", '{"format": "textprep.pipeline"}', nlp="blank:en"))["nlp"]
    'blank:en'
    """
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "backend": backend,
        **extra,
        "pipeline": json.loads(pipeline_json),
    }
    return json.dumps(doc, ensure_ascii=False)


def parse_envelope(text: str) -> dict[str, Any]:
    """Parse and check an external artifact; ``ArtifactError`` names what is wrong.

    >>> parse_envelope('{"format": "textprep.external", "format_version": 1, "backend": "hf"}')
    Traceback (most recent call last):
    textprep.errors.ArtifactError: invalid external artifact: missing 'pipeline'
    """
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ArtifactError(f"invalid external artifact: not valid JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ArtifactError(f"invalid external artifact: format is not {FORMAT!r}")
    version = doc.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        from ..errors import ArtifactVersionError

        raise ArtifactVersionError(
            f"external artifact format_version {version!r} is newer than this textprep reads "
            f"({FORMAT_VERSION}); upgrade textprep"
        )
    for key in ("backend", "pipeline"):
        if key not in doc:
            raise ArtifactError(f"invalid external artifact: missing {key!r}")
    if doc["backend"] not in EXTERNAL_SPLITS:
        raise ArtifactError(f"invalid external artifact: unknown backend {doc['backend']!r}")
    return doc


def from_external_json(text: str, **kwargs: Any) -> Any:
    """Rebuild an external pipeline from its artifact (``kwargs`` go to the backend, e.g. ``nlp=``).

    >>> import textprep as tp
    >>> pipe = tp.Pipeline(split="spacy", nlp="blank:en").fit(["a b"])
    >>> from_external_json(pipe.to_json()).vocab.tokens
    ['a', 'b']
    """
    doc = parse_envelope(text)
    cls = external_class(doc["backend"])
    return cls._from_envelope(doc, **kwargs)
