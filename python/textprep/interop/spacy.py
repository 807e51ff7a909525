"""spaCy interoperability: spaCy's tokenizer as a textprep backend, a ``"textprep"`` pipeline component, and
textprep vocabularies plus embeddings exported as spaCy vectors.

- ``tp.Pipeline(split="spacy", nlp=nlp_or_name)`` (the token source :class:`SpacyTokenizer`): the tokens are
  spaCy's (whitespace tokens dropped), then textprep's normalization applies to each token, and vocabulary,
  hashing, encoding, bags and the artifact are the engine's as usual. ``nlp`` is a ``Language`` or a name:
  ``"blank:<lang>"`` (rebuilt on load) or an installed package such as ``"en_core_web_sm"`` (its name and version
  are recorded; ``load`` needs the package, or ``nlp=``).
- ``nlp.add_pipe("textprep", config={"artifact": pipe.to_json()})``: sets ``doc._.textprep_ids`` and
  ``doc._.textprep_shapes`` (and ``token._.textprep_id`` / ``token._.textprep_shape``); saved with
  ``nlp.to_disk``.
- :func:`to_spacy_vectors` / :func:`add_to_nlp`: a pipeline vocabulary and its aligned embedding matrix as a
  spaCy ``Vectors`` table. Reading spaCy vectors is ``tp.load_vectors(folder, format="spacy")``.

>>> import spacy, textprep as tp
>>> pipe = tp.Pipeline(split="spacy", nlp="blank:en").fit(["Don't stop."])
>>> pipe.tokenize("Don't stop.")
['do', "n't", 'stop', '.']
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ArtifactError, ConfigError
from ..pipeline import Pipeline
from ..sources import is_envelope
from ._alias import SourcePipeline


def _spacy() -> Any:
    try:
        import spacy
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError('split="spacy" needs spaCy: pip install spacy') from None
    return spacy


def resolve_nlp(nlp: Any) -> tuple[Any, dict[str, Any]]:
    """The ``Language`` for ``nlp`` (an object, ``"blank:<lang>"`` or an installed package name) and the record
    the artifact keeps to rebuild it.

    >>> resolve_nlp("blank:fr")[1]
    {'nlp': 'blank:fr', 'lang': 'fr', 'spacy_version': ...}
    """
    spacy = _spacy()
    if isinstance(nlp, str):
        if nlp.startswith("blank:"):
            lang = nlp[len("blank:") :]
            try:
                obj = spacy.blank(lang)
            except Exception as e:
                raise ConfigError(f"nlp={nlp!r}: spaCy has no language {lang!r} ({e})") from None
        else:
            try:
                obj = spacy.load(nlp)
            except OSError as e:
                raise ConfigError(
                    f"nlp={nlp!r}: the spaCy package is not installed (pip install {nlp}, or pass the loaded "
                    f"Language as nlp=): {e}"
                ) from None
    elif hasattr(nlp, "tokenizer") and hasattr(nlp, "meta"):
        obj = nlp
    else:
        raise TypeError(f"nlp must be a spacy Language or a name like 'blank:en', got {type(nlp).__name__}")
    meta = obj.meta
    name = meta.get("name", "")
    # spacy.blank(lang) has meta name "pipeline" and version "0.0.0" (components added later do not change it)
    blank = name in ("", "pipeline") and meta.get("version", "0.0.0") == "0.0.0"
    if blank:
        spec = f"blank:{obj.lang}"
    else:
        spec = f"{obj.lang}_{name}" if name and not name.startswith(obj.lang + "_") else name
    record = {"nlp": spec, "lang": obj.lang, "spacy_version": spacy.__version__}
    if not blank:
        record["model_version"] = meta.get("version")
    return obj, record


class SpacyTokenizer:
    """spaCy's tokenizer as a token source (see :mod:`textprep.sources`): ``tp.Pipeline(split="spacy", nlp=...)`` or
    ``tp.Pipeline(tokenizer=SpacyTokenizer(nlp))``.

    spaCy tokenizes the original text (whitespace tokens dropped); textprep normalizes each token on its own (case,
    Unicode form, placeholders...), then length / n-gram options, vocabulary or hashing, encoding, bags and the
    artifact are the engine's as usual. ``offsets`` are spaCy's token offsets in the original text.

    >>> import textprep as tp
    >>> pipe = tp.Pipeline(tokenizer=SpacyTokenizer("blank:en"), maxlen=4).fit(["I can't go", "I go"])
    >>> pipe.encode_batch(["I can't"]).ids.tolist()
    [[3, 4, 5, 0]]
    """

    name = "spacy"
    normalize = "tokens"
    #: Pipeline keywords this source takes.
    OPTIONS = ("nlp",)

    def __init__(self, nlp: Any) -> None:
        self.nlp, self._record = resolve_nlp(nlp)

    @classmethod
    def from_options(cls, tokenizer: Any = None, nlp: Any = None) -> SpacyTokenizer:
        """The source for ``Pipeline(split="spacy", nlp=...)`` (or ``tokenizer=`` a ``Language``)."""
        nlp = nlp if nlp is not None else tokenizer
        if nlp is None:
            raise ConfigError(
                'split="spacy" needs nlp=: a spacy Language object or a name such as "blank:en" or '
                '"en_core_web_sm"'
            )
        return cls(nlp)

    @classmethod
    def from_record(cls, doc: dict[str, Any], nlp: Any = None) -> SpacyTokenizer:
        """Rebuild from an artifact; ``nlp=`` gives the Language when the recorded package is not installed."""
        spec = doc.get("nlp")
        if not isinstance(spec, str):
            raise ArtifactError("invalid spaCy artifact: 'nlp' must be a string")
        if nlp is None:
            nlp = spec
            if not spec.startswith("blank:"):
                try:
                    nlp = _spacy().load(spec)
                except OSError:
                    raise ArtifactError(
                        f"this pipeline tokenizes with the spaCy package {spec!r} "
                        f"(version {doc.get('model_version')}), which is not installed: pip install {spec}, "
                        "or pass the loaded Language as nlp="
                    ) from None
        return cls(nlp)

    @property
    def tokenizer(self) -> Any:
        """The spaCy ``Language`` whose tokenizer makes the tokens."""
        return self.nlp

    def tokenize_batch(self, texts: list[str]) -> list[list[str]]:
        """spaCy's tokens of each text, whitespace tokens dropped.

        >>> SpacyTokenizer("blank:en").tokenize_batch(["It's  OK"])
        [['It', "'s", 'OK']]
        """
        docs = self.nlp.tokenizer.pipe(texts, batch_size=256)
        return [[t.text for t in doc if not t.is_space] for doc in docs]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of spaCy's (non-space) tokens in ``text``.

        >>> SpacyTokenizer("blank:en").offsets("Hi there!")
        [(0, 2), (3, 8), (8, 9)]
        """
        return [(t.idx, t.idx + len(t.text)) for t in self.nlp.tokenizer(text) if not t.is_space]

    def vocabulary(self) -> None:
        """None: the pipeline fits its own vocabulary on spaCy's tokens."""
        return None

    def record(self) -> dict[str, Any]:
        """What the artifact keeps to rebuild the tokenizer (``nlp``, ``lang``, versions)."""
        return dict(self._record)

    def fingerprint(self) -> str:
        """The tokenizer's name: a blank language, or a package name."""
        return str(self._record["nlp"])

    def __repr__(self) -> str:
        return f"SpacyTokenizer(nlp={self._record['nlp']!r})"


class SpacyPipeline(metaclass=SourcePipeline):
    """The name of spaCy-backed pipelines from before token sources (deprecated): ``SpacyPipeline(...)`` is
    ``tp.Pipeline(..., split="spacy")``, ``isinstance(pipe, SpacyPipeline)`` tells whether spaCy makes its tokens.

    >>> import textprep as tp
    >>> isinstance(tp.Pipeline(split="spacy", nlp="blank:en"), SpacyPipeline), isinstance(tp.Pipeline(), SpacyPipeline)
    (True, False)
    """

    source_name = "spacy"


# -- the pipeline component ----------------------------------------------------------------------------------
class TextprepComponent:
    """spaCy pipeline component ``"textprep"``: textprep ids and shape classes on each ``Doc``.

    ``doc._.textprep_ids`` (int32, one id per spaCy token, 0 for whitespace tokens and tokens the pipeline drops)
    and ``doc._.textprep_shapes``; ``token._.textprep_id`` / ``token._.textprep_shape``. Each token is encoded on
    its own (its first id). Config: ``artifact`` (a textprep artifact JSON string) or ``options`` (Pipeline
    keywords, e.g. ``{"n_buckets": 1000}``). The pipeline is saved by ``nlp.to_disk`` / ``to_bytes``.

    >>> import spacy, textprep as tp, textprep.interop.spacy
    >>> nlp = spacy.blank("en")
    >>> pipe = tp.Pipeline(split="spacy", nlp="blank:en").fit(["hello world"])
    >>> _ = nlp.add_pipe("textprep", config={"artifact": pipe.to_json()})
    >>> nlp("Hello there world")._.textprep_ids.tolist()
    [2, 1, 3]
    """

    def __init__(self, nlp: Any, name: str, artifact: str | None, options: dict[str, Any]) -> None:
        self.name = name
        self._nlp = nlp
        # Built on first use: spacy.load() constructs the component from config.cfg and then calls from_disk,
        # which replaces the pipeline with the saved artifact (config.cfg does not round-trip every string).
        self._spec: tuple[str | None, dict[str, Any]] | None = (artifact, dict(options or {}))
        self._pipeline: Pipeline | None = None

    @property
    def pipeline(self) -> Pipeline:
        """The textprep pipeline that makes the ids."""
        if self._pipeline is None:
            assert self._spec is not None
            self._pipeline = self._build(*self._spec)
            self._spec = None
        return self._pipeline

    @pipeline.setter
    def pipeline(self, pipe: Pipeline) -> None:
        if not isinstance(pipe, Pipeline):
            raise TypeError(f"pipeline must be a textprep.Pipeline, got {type(pipe).__name__}")
        self._pipeline, self._spec = pipe, None

    def _build(self, artifact: str | None, options: dict[str, Any]) -> Pipeline:
        if artifact is not None:
            if is_envelope(artifact) and json.loads(artifact).get("backend") == "spacy":
                return Pipeline.from_json(artifact, nlp=self._nlp)
            return Pipeline.from_json(artifact)
        opts = dict(options or {})
        if opts.get("split") == "spacy":
            opts.setdefault("nlp", self._nlp)
        return Pipeline(**opts)

    def __call__(self, doc: Any) -> Any:
        # each spaCy token is one document of one given token (whitespace tokens: no token), through the engine
        core = self.pipeline._core
        words = core.token_docs([[] if t.is_space else [t.text] for t in doc])
        ragged = core.output(words, "ragged")
        values, splits = ragged["values"], ragged["row_splits"]
        k = max(1, len(values) // max(1, int(splits[-1]))) if len(values) else 1
        starts, ends = splits[:-1], splits[1:]
        has = ends > starts
        ids = np.zeros(len(doc), dtype=np.int32)
        ids[has] = values[starts[has] * k]
        shaped = core.output(words, "shapes")
        shapes, shape_splits = shaped["values"], shaped["row_splits"]
        shp = np.zeros(len(doc), dtype=np.int32)
        first = shape_splits[:-1]
        with_shape = shape_splits[1:] > first
        shp[with_shape] = shapes[first[with_shape]]
        doc._.textprep_ids = ids
        doc._.textprep_shapes = shp
        return doc

    def pipe(self, stream: Iterable[Any], batch_size: int = 128) -> Iterable[Any]:
        """Process a stream of docs."""
        for doc in stream:
            yield self(doc)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The pipeline artifact as UTF-8 bytes."""
        return self.pipeline.to_json().encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> TextprepComponent:
        """Restore from ``to_bytes`` output."""
        self.pipeline = self._build(data.decode("utf-8"), {})
        return self

    def to_disk(self, path: str | os.PathLike[str], *, exclude: Iterable[str] = ()) -> None:
        """Write ``<path>/pipeline.json``."""
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        (d / "pipeline.json").write_text(self.pipeline.to_json(), encoding="utf-8")

    def from_disk(self, path: str | os.PathLike[str], *, exclude: Iterable[str] = ()) -> TextprepComponent:
        """Read ``<path>/pipeline.json``."""
        p = Path(path) / "pipeline.json"
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ArtifactError(f"{p}: the textprep component's pipeline file is missing") from None
        try:
            self.pipeline = self._build(text, {})
        except ArtifactError as e:
            raise type(e)(f"{p}: {e}") from None
        return self


def add_pipe(nlp: Any, pipe: Pipeline, name: str = "textprep", **kwargs: Any) -> TextprepComponent:
    """Add a ``"textprep"`` component running ``pipe`` to ``nlp`` (``kwargs`` as in ``nlp.add_pipe``: ``before``,
    ``last``...). The artifact is saved by ``nlp.to_disk`` in the component's folder, not in ``config.cfg``.

    >>> import spacy, textprep as tp
    >>> nlp = spacy.blank("en")
    >>> _ = add_pipe(nlp, tp.Pipeline(n_buckets=10, hash="murmurhash64a"))
    >>> nlp("apple")._.textprep_ids.tolist() == [1 + nlp.vocab.strings["apple"] % 10]
    True
    """
    register()
    comp: TextprepComponent = nlp.add_pipe("textprep", name=name, **kwargs)
    comp.pipeline = pipe
    return comp


def make_textprep_component(
    nlp: Any, name: str, artifact: str | None, options: dict[str, Any]
) -> TextprepComponent:
    """Factory of the ``"textprep"`` component (registered with spaCy on import of this module).

    >>> import spacy, textprep.interop.spacy
    >>> spacy.blank("en").add_pipe("textprep").name
    'textprep'
    """
    return TextprepComponent(nlp, name, artifact, options)


def register() -> None:
    """Register the ``"textprep"`` factory and the ``Doc``/``Token`` extensions (idempotent).

    >>> register()
    """
    _spacy()
    from spacy.language import Language
    from spacy.tokens import Doc, Token

    if not Doc.has_extension("textprep_ids"):
        Doc.set_extension("textprep_ids", default=None)
        Doc.set_extension("textprep_shapes", default=None)
    if not Token.has_extension("textprep_id"):
        Token.set_extension(
            "textprep_id",
            getter=lambda t: None if t.doc._.textprep_ids is None else int(t.doc._.textprep_ids[t.i]),
        )
        Token.set_extension(
            "textprep_shape",
            getter=lambda t: None if t.doc._.textprep_shapes is None else int(t.doc._.textprep_shapes[t.i]),
        )
    try:  # an entry point can make has_factory() true before the factory's metadata exists
        Language.get_factory_meta("textprep")
    except ValueError:
        Language.factory(
            "textprep", default_config={"artifact": None, "options": {}}, func=make_textprep_component
        )


register()


# -- vectors -------------------------------------------------------------------------------------------------
def to_spacy_vectors(pipe: Pipeline, embeddings: Any, strings: Any = None) -> Any:
    """A spaCy ``Vectors`` table with one row per vocabulary token of ``pipe`` (padding and OOV rows are left
    out), from ``embeddings`` (a ``textprep.Embeddings`` or an ``(id_space, dim)`` matrix in the pipeline's id
    layout). ``strings``: the ``StringStore`` to add the keys to (e.g. ``nlp.vocab.strings``).

    >>> import numpy as np, textprep as tp
    >>> pipe = tp.Pipeline().fit(["a b"])
    >>> vec = to_spacy_vectors(pipe, np.arange(8, dtype=np.float32).reshape(4, 2))
    >>> vec.shape, vec[vec.strings["b"]].tolist()
    ((2, 2), [6.0, 7.0])
    """
    _spacy()
    from spacy.strings import StringStore
    from spacy.vectors import Vectors

    matrix = np.asarray(getattr(embeddings, "matrix", embeddings), dtype=np.float32)
    vocab = pipe.vocab
    tokens = vocab.tokens
    first = 1 + vocab.num_oov_buckets
    if matrix.ndim != 2 or matrix.shape[0] != pipe.id_space:
        raise ConfigError(
            f"embeddings: expected a matrix of shape (id_space={pipe.id_space}, dim), got {matrix.shape}"
        )
    store = StringStore() if strings is None else strings
    keys = [store.add(t) for t in tokens]
    table = Vectors(strings=store, shape=(len(tokens), matrix.shape[1]))
    data = np.ascontiguousarray(matrix[first : first + len(tokens)])
    table.data[:] = data
    for row, key in enumerate(keys):
        table.add(key, row=row)
    return table


def add_to_nlp(nlp: Any, pipe: Pipeline, embeddings: Any) -> Any:
    """Replace ``nlp.vocab.vectors`` with the pipeline's vocabulary and embeddings; returns ``nlp``.

    >>> import numpy as np, spacy, textprep as tp
    >>> nlp = spacy.blank("en")
    >>> pipe = tp.Pipeline().fit(["a b"])
    >>> _ = add_to_nlp(nlp, pipe, np.ones((4, 3), dtype=np.float32))
    >>> nlp.vocab["a"].vector.tolist()
    [1.0, 1.0, 1.0]
    """
    nlp.vocab.vectors = to_spacy_vectors(pipe, embeddings, strings=nlp.vocab.strings)
    return nlp


__all__ = [
    "SpacyPipeline",
    "SpacyTokenizer",
    "TextprepComponent",
    "add_pipe",
    "add_to_nlp",
    "make_textprep_component",
    "register",
    "resolve_nlp",
    "to_spacy_vectors",
]
