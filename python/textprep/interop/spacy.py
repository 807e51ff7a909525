"""spaCy interoperability: spaCy's tokenizer as a textprep backend, a ``"textprep"`` pipeline component, and
textprep vocabularies plus embeddings exported as spaCy vectors.

- ``tp.Pipeline(split="spacy", nlp=nlp_or_name)``: the tokens are spaCy's (whitespace tokens dropped), then
  textprep's normalization applies to each token, and vocabulary, hashing, encoding, bags and the artifact are the
  engine's as usual. ``nlp`` is a ``Language`` or a name: ``"blank:<lang>"`` (rebuilt on load) or an installed
  package such as ``"en_core_web_sm"`` (its name and version are recorded; ``load`` needs the package, or
  ``nlp=``).
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

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .. import _core
from ..config import build_config
from ..errors import ArtifactError, ConfigError
from ..pipeline import Batch, Counts, Pipeline, as_text_list
from ._external import envelope

#: Token separator of the stream handed to the engine (spaCy never puts it inside a non-space token).
SEP = "\n"


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


class SpacyPipeline(Pipeline):
    """A textprep pipeline whose tokens come from a spaCy tokenizer (``tp.Pipeline(split="spacy", nlp=...)``).

    Whitespace tokens are dropped; each token then goes through textprep's normalization (case, Unicode form,
    placeholders...) and length / n-gram options; vocabulary, hashing, padding, bags and the artifact are the
    engine's. ``offsets`` are spaCy's token offsets in the original text.

    >>> import textprep as tp
    >>> pipe = tp.Pipeline(split="spacy", nlp="blank:en", maxlen=4).fit(["I can't go", "I go"])
    >>> pipe.encode_batch(["I can't"]).ids.tolist()
    [[3, 4, 5, 0]]
    """

    def __init__(self, config: dict[str, Any] | None = None, /, nlp: Any = None, **options: Any) -> None:
        if nlp is None:
            raise ConfigError(
                'split="spacy" needs nlp=: a spacy Language object or a name such as "blank:en" or '
                '"en_core_web_sm"'
            )
        self._nlp, self._record = resolve_nlp(nlp)
        options.pop("split", None)
        cfg = build_config(config, **options) if config or options else build_config()
        self._core = _core.Pipeline(json.dumps(self._engine_config(cfg)))

    @staticmethod
    def _engine_config(cfg: dict[str, Any]) -> dict[str, Any]:
        cfg = json.loads(json.dumps(cfg))
        if cfg["normalize"]["whitespace"] != "keep":
            raise ConfigError(
                f"whitespace={cfg['normalize']['whitespace']!r} has no effect with split='spacy' (spaCy's "
                "whitespace tokens are dropped); leave it at 'keep'"
            )
        cfg["tokenize"]["split"] = "regex.v1"
        cfg["tokenize"]["pattern"] = "[^\\n]+"
        return dict(json.loads(_core.check_config_json(json.dumps(cfg))))

    @property
    def nlp(self) -> Any:
        """The spaCy ``Language`` whose tokenizer makes the tokens."""
        return self._nlp

    @property
    def config(self) -> dict[str, Any]:
        """The configuration, with ``split="spacy"`` (the engine splits spaCy's token stream)."""
        cfg = dict(json.loads(self._core.config_json()))
        cfg["tokenize"]["split"] = "spacy"
        cfg["tokenize"]["pattern"] = None
        return cfg

    def __repr__(self) -> str:
        state = "hashed" if self._core.is_hashed() else ("fitted" if self._core.is_fitted() else "not fitted")
        return f"SpacyPipeline(nlp={self._record['nlp']!r}, {state})"

    # -- the token stream ------------------------------------------------------------------------------------
    def _docs(self, items: list[Any]) -> Iterable[Any]:
        return self._nlp.tokenizer.pipe(items, batch_size=256)

    def _stream(self, texts: Iterable[str]) -> list[str]:
        items = as_text_list(texts)
        for i, t in enumerate(items):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}]: expected str, got {type(t).__name__}")
        return [
            SEP.join(t.text.replace(SEP, " ") for t in doc if not t.is_space) for doc in self._docs(items)
        ]

    def spacy_tokens(self, text: str) -> list[str]:
        """spaCy's tokens of ``text`` before textprep's normalization (whitespace tokens dropped).

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").spacy_tokens("It's  OK")
        ['It', "'s", 'OK']
        """
        return [t.text for t in self._nlp.tokenizer(_one(text)) if not t.is_space]

    # -- single documents ------------------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        """The tokens of one text: spaCy's, normalized by textprep.

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").tokenize("Hello, World!")
        ['hello', ',', 'world', '!']
        """
        return list(self._core.tokenize(self._stream([_one(text)])[0]))

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of spaCy's (non-space) tokens in the original text.

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").offsets("Hi there!")
        [(0, 2), (3, 8), (8, 9)]
        """
        doc = self._nlp.tokenizer(_one(text))
        return [(t.idx, t.idx + len(t.text)) for t in doc if not t.is_space]

    def shapes(self, text: str) -> np.ndarray:
        """Shape class per token (see ``Pipeline.shapes``), from spaCy's token text.

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").shapes("USA 42").tolist()
        [3, 5]
        """
        return np.asarray(self._core.shapes(self._stream([_one(text)])[0]))

    def encode(self, text: str) -> np.ndarray:
        """Ids of one text, unpadded (int32).

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").fit(["a b"]).encode("b a c").tolist()
        [3, 2, 1]
        """
        return np.asarray(self._core.encode(self._stream([_one(text)])[0]))

    # -- batches ---------------------------------------------------------------------------------------------
    def tokenize_batch(self, texts: Iterable[str], output: str = "list") -> Any:
        """Tokens of many texts (``output`` as in ``Pipeline.tokenize_batch``).

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").tokenize_batch(["a-b", "Go!"])
        [['a', '-', 'b'], ['go', '!']]
        """
        return super().tokenize_batch(self._stream(texts), output)

    def encode_batch(
        self, texts: Iterable[str], maxlen: int | None = None, shapes: bool | None = None
    ) -> Batch:
        """Padded ids of many texts (see ``Pipeline.encode_batch``).

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").fit(["a b"]).encode_batch(["a", "b a"]).ids.tolist()
        [[2, 0], [3, 2]]
        """
        return super().encode_batch(self._stream(texts), maxlen, shapes)

    def encode_ragged(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Unpadded ids of many texts: ``(values, row_splits)``.

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en", n_buckets=9).encode_ragged(["a b", ""])[1].tolist()
        [0, 2, 2]
        """
        return super().encode_ragged(self._stream(texts))

    def encode_bag(
        self, texts: Iterable[str], mode: str = "count", sparse: bool = True, norm: str | None = None
    ) -> Any:
        """Bag of ids per text (see ``Pipeline.encode_bag``).

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").fit(["a b b"]).encode_bag(["b b"]).toarray().tolist()
        [[0.0, 0.0, 2.0, 0.0]]
        """
        return super().encode_bag(self._stream(texts), mode, sparse, norm)

    def count(self, texts: Iterable[str]) -> Counts:
        """Token and document counts of ``texts`` (spaCy tokens).

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").count(["a, a!"])["a"]
        (2, 1)
        """
        return super().count(self._stream(texts))

    def count_files(self, paths: Any, errors: str = "strict", progress: bool | None = None) -> Counts:
        """Counts of corpus files (one document per line), read in Python and tokenized by spaCy.

        >>> import os, tempfile, textprep as tp
        >>> p = os.path.join(tempfile.mkdtemp(), "c.txt")
        >>> _ = open(p, "w").write("a b\\nb\\n")
        >>> tp.Pipeline(split="spacy", nlp="blank:en").count_files(p)["b"]
        (2, 2)
        """
        if errors not in ("strict", "replace"):
            raise ConfigError(
                f"errors={errors!r}: split='spacy' reads files in Python: 'strict' or 'replace'"
            )
        items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
        total = Counts()
        for p in items:
            with open(p, encoding="utf-8", errors=errors) as f:
                total = total.merge(self.count(line.rstrip("\n") for line in f))
        return total

    def encode_files(self, *args: Any, **kwargs: Any) -> Any:
        """Not available with ``split="spacy"`` (the engine reads files itself): encode the lines instead.

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").encode_files("x.txt")
        Traceback (most recent call last):
        textprep.errors.ConfigError: encode_files is not available with split='spacy'; ...
        """
        raise ConfigError(
            "encode_files is not available with split='spacy'; read the lines and call encode_batch(lines)"
        )

    # -- the artifact ----------------------------------------------------------------------------------------
    def to_json(self) -> str:
        """The artifact: the engine's artifact plus what rebuilds the spaCy tokenizer.

        >>> import json, textprep as tp
        >>> json.loads(tp.Pipeline(split="spacy", nlp="blank:en").to_json())["nlp"]
        'blank:en'
        """
        return envelope("spacy", str(self._core.to_json()), **self._record)

    @classmethod
    def from_json(cls, text: str, nlp: Any = None) -> SpacyPipeline:
        """Rebuild from ``to_json`` output; ``nlp=`` gives the Language when the recorded one is not installed.

        >>> import textprep as tp
        >>> pipe = tp.Pipeline(split="spacy", nlp="blank:en").fit(["x y"])
        >>> tp.Pipeline.from_json(pipe.to_json()).encode("y").tolist()
        [3]
        """
        from ._external import parse_envelope

        return cls._from_envelope(parse_envelope(text), nlp=nlp)

    @classmethod
    def load(cls, path: str | os.PathLike[str], nlp: Any = None) -> SpacyPipeline:
        """Read a saved spaCy-backed pipeline; ``nlp=`` supplies the Language when its package is missing.

        >>> import textprep as tp
        >>> tp.interop.SpacyPipeline.load("/nonexistent.json")
        Traceback (most recent call last):
        FileNotFoundError: ...
        """
        from ..io import read_artifact_text

        text = read_artifact_text(path)
        try:
            return cls.from_json(text, nlp=nlp)
        except ArtifactError as e:
            raise type(e)(f"{os.fspath(path)}: {e}") from None

    @classmethod
    def _from_envelope(cls, doc: dict[str, Any], nlp: Any = None, **_: Any) -> SpacyPipeline:
        if doc.get("backend") != "spacy":
            raise ArtifactError(f"not a spaCy-backed artifact (backend {doc.get('backend')!r})")
        spec = doc.get("nlp")
        if not isinstance(spec, str):
            raise ArtifactError("invalid spaCy artifact: 'nlp' must be a string")
        if nlp is None:
            if not spec.startswith("blank:"):
                try:
                    import spacy

                    nlp = spacy.load(spec)
                except OSError:
                    raise ArtifactError(
                        f"this pipeline tokenizes with the spaCy package {spec!r} "
                        f"(version {doc.get('model_version')}), which is not installed: pip install {spec}, "
                        "or pass the loaded Language as nlp="
                    ) from None
            else:
                nlp = spec
        obj = cls.__new__(cls)
        obj._nlp, obj._record = resolve_nlp(nlp)
        obj._core = _core.Pipeline.from_json(json.dumps(doc["pipeline"]))
        return obj

    @property
    def fingerprint(self) -> str:
        """Stable hash of the behaviour: the engine's fingerprint plus the spaCy tokenizer's name.

        >>> import textprep as tp
        >>> a = tp.Pipeline(split="spacy", nlp="blank:en")
        >>> a.fingerprint == tp.Pipeline(split="spacy", nlp="blank:en").fingerprint != tp.Pipeline().fingerprint
        True
        """
        h = hashlib.sha256(f"spacy:{self._record['nlp']}:{self._core.fingerprint()}".encode())
        return h.hexdigest()[:16]

    def __getstate__(self) -> dict[str, str]:
        return {"artifact": self.to_json()}

    def __setstate__(self, state: dict[str, str]) -> None:
        from ._external import parse_envelope

        other = self._from_envelope(parse_envelope(state["artifact"]))
        self._nlp, self._record, self._core = other._nlp, other._record, other._core


def _one(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    return text


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
            from ._external import from_external_json, is_external_artifact

            if is_external_artifact(artifact):
                return from_external_json(artifact, nlp=self._nlp)
            return Pipeline.from_json(artifact)
        opts = dict(options or {})
        if opts.get("split") == "spacy":
            opts.setdefault("nlp", self._nlp)
        return Pipeline(**opts)

    def _engine_core(self) -> Any:
        return self.pipeline._core

    def __call__(self, doc: Any) -> Any:
        words = [t.text.replace(SEP, " ") if not t.is_space else "" for t in doc]
        core = self._engine_core()
        values, splits = core.encode_ragged(words)
        ids = np.zeros(len(words), dtype=np.int32)
        starts, ends = splits[:-1], splits[1:]
        has = ends > starts
        if values.ndim == 1:
            ids[has] = values[starts[has]]
        else:
            ids[has] = values[starts[has], 0]
        shp = np.zeros(len(words), dtype=np.int32)
        for i, w in enumerate(words):
            if has[i]:
                s = core.shapes(w)
                shp[i] = s[0] if len(s) else 0
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
    "TextprepComponent",
    "add_pipe",
    "add_to_nlp",
    "make_textprep_component",
    "register",
    "resolve_nlp",
    "to_spacy_vectors",
]
