"""Token sources: another library's tokenizer as the splitter of a :class:`~textprep.Pipeline`.

A pipeline built with ``Pipeline(tokenizer=source)`` (or the documented spellings ``split="spacy", nlp=...`` and
``split="hf", tokenizer=...``) takes its tokens from the source and does everything else in the engine, exactly as
with a built-in splitter: normalization, the vocabulary or hashing, padding, ragged rows, bags, tf-idf, counts,
``extend_vocab`` and the artifact. The engine's splitter is then ``pretokenized.v1``.

A token source is any object with these members:

- ``name``: its ``split=`` spelling and the artifact's ``backend`` (``"spacy"``, ``"hf"``);
- ``normalize``: where textprep's normalization runs: ``"tokens"`` (on each token the source gives; spaCy),
  ``"text"`` (on the text, before the source sees it; HF) or ``"none"``;
- ``tokenize_batch(texts) -> list[list[str]]`` and ``offsets(text) -> list[tuple[int, int]]`` (in the text the
  source saw);
- ``vocabulary() -> list[str] | None``: the source's own vocabulary in id order (HF), or None (the pipeline fits
  one). With a vocabulary, token ``i`` gets id ``i + 1`` (0 stays padding): its first token takes the OOV id 1;
- ``tokenizer``: the underlying tokenizer object; ``record() -> dict``: what the artifact keeps to rebuild it;
  ``fingerprint() -> str``: a stable text of its behaviour; ``from_record(record, **options)`` (a classmethod).

Sources are registered by name (:func:`register_source`); the built-in ones are imported only when used.

>>> "spacy" in SOURCES and "hf" in SOURCES
True
>>> is_envelope('{"format": "textprep.external", "backend": "spacy"}')
True
"""

from __future__ import annotations

import importlib
import json
import os
from typing import Any

from .errors import ArtifactError, ArtifactVersionError, ConfigError

#: Registered sources: name -> "module:Class" (imported on first use).
SOURCES: dict[str, str] = {
    "spacy": "textprep.interop.spacy:SpacyTokenizer",
    "hf": "textprep.interop.hf:HFTokenizer",
}

#: The artifact of a pipeline with a token source: the engine's artifact plus what rebuilds the source.
FORMAT = "textprep.external"
#: Version 2: the engine artifact inside uses ``pretokenized.v1`` (version 1 artifacts load and are converted).
FORMAT_VERSION = 2


def register_source(name: str, target: str) -> None:
    """Make ``split=name`` (and artifacts with ``backend=name``) use the source class ``"module:Class"``.

    >>> register_source("hf", SOURCES["hf"])
    """
    if ":" not in target:
        raise ValueError(f"register_source: target must be 'module:Class', got {target!r}")
    SOURCES[name] = target


def source_class(name: str) -> Any:
    """The class registered as ``name`` (imported now).

    >>> source_class("hf").__name__
    'HFTokenizer'
    """
    module, _, cls = SOURCES[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def _kind(obj: Any) -> str | None:
    """The registered name for a tokenizer object of a known library (an HF ``Tokenizer`` or a path to its
    ``tokenizer.json``, a spaCy ``Language``)."""
    if isinstance(obj, str | os.PathLike):
        return "hf"
    root = type(obj).__module__.split(".")[0]
    return {"tokenizers": "hf", "spacy": "spacy"}.get(root)


def resolve(split: Any, tokenizer: Any, options: dict[str, Any]) -> Any:
    """The token source for ``Pipeline(split=..., tokenizer=..., **options)``, or None for an engine splitter. The
    source's own keywords (``nlp=``, ``textprep_normalize=``, ...) are taken out of ``options``.

    >>> resolve("words.v1", None, {}) is None
    True
    """
    if tokenizer is not None and hasattr(tokenizer, "tokenize_batch") and hasattr(tokenizer, "normalize"):
        return tokenizer  # a token source object
    name = split if isinstance(split, str) and split in SOURCES else None
    if name is None and tokenizer is not None:
        name = _kind(tokenizer)
        if name is None:
            raise TypeError(
                "tokenizer must be a token source (see textprep.sources), a tokenizers.Tokenizer, a path to a "
                f"tokenizer.json or a spaCy Language, got {type(tokenizer).__name__}"
            )
    if name is None:
        return None
    cls = source_class(name)
    own = {k: options.pop(k) for k in getattr(cls, "OPTIONS", ()) if k in options}
    return cls.from_options(tokenizer=tokenizer, **own)


def is_envelope(text: str) -> bool:
    """True when ``text`` is the artifact of a pipeline with a token source (a prefix test, no full parse).

    >>> is_envelope('{"format": "textprep.pipeline"}')
    False
    """
    head = text.lstrip()[:64].replace(" ", "")
    return head.startswith('{"format":"' + FORMAT + '"')


def envelope(source: Any, pipeline_json: str) -> str:
    """The artifact of a pipeline with ``source`` (``pipeline_json`` is the engine's own artifact).

    >>> class S:
    ...     name = "demo"
    ...     def record(self): return {"model": "m"}
    >>> json.loads(envelope(S(), '{"format": "textprep.pipeline"}'))["model"]
    'm'
    """
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "backend": source.name,
        **source.record(),
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
        raise ArtifactVersionError(
            f"external artifact format_version {version!r} is newer than this textprep reads "
            f"({FORMAT_VERSION}); upgrade textprep"
        )
    for key in ("backend", "pipeline"):
        if key not in doc:
            raise ArtifactError(f"invalid external artifact: missing {key!r}")
    if doc["backend"] not in SOURCES:
        raise ArtifactError(f"invalid external artifact: unknown backend {doc['backend']!r}")
    return doc


def from_record(doc: dict[str, Any], **options: Any) -> Any:
    """The source of a parsed envelope (``options`` go to it, e.g. ``nlp=`` for a spaCy model that is not
    installed).

    >>> from_record({"backend": "spacy", "nlp": "blank:en"}).name
    'spacy'
    """
    cls = source_class(doc["backend"])
    known = {k: v for k, v in options.items() if k in getattr(cls, "OPTIONS", ())}
    if len(known) != len(options):
        raise ConfigError(
            f"unknown option(s) {sorted(set(options) - set(known))} for a {doc['backend']} artifact"
        )
    return cls.from_record(doc, **known)


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "SOURCES",
    "envelope",
    "from_record",
    "is_envelope",
    "parse_envelope",
    "register_source",
    "resolve",
    "source_class",
]
