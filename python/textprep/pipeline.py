"""The ``Pipeline``: raw text -> normalized text -> tokens -> ids -> padded ``int32`` arrays.

>>> import textprep as tp
>>> pipe = tp.Pipeline(maxlen=4).fit(["the cat sat", "the dog sat"])
>>> pipe(["the cat", "a bird"]).tolist()
[[3, 4, 0, 0], [1, 1, 0, 0]]
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core, sources
from .config import config_json, merge_options, preset_options
from .errors import ArtifactError, ConfigError, NotFittedError

#: The engine splitter of a pipeline whose tokens come from a token source (or from lists given by the caller).
PRETOKENIZED = "pretokenized.v1"
#: What a bag row holds per id (``encode_bag(mode=...)``).
BAG_MODES = ("count", "multi_hot", "tf_idf")

#: Documents per engine call when consuming an iterable in chunks (bounded memory for generators).
FIT_CHUNK_DOCS = 65_536
#: Characters of text per engine call when consuming an iterable in chunks (long documents: fewer per chunk).
FIT_CHUNK_CHARS = 64 * 2**20


def as_text_list(texts: Any, name: str = "texts") -> list[Any]:
    """Turn an iterable of str into a list (the engine checks every item's type).

    >>> as_text_list(("a", "b"))
    ['a', 'b']
    """
    if isinstance(texts, str | bytes):
        raise TypeError(
            f"{name} must be an iterable of str, not a single {type(texts).__name__}; wrap it in a list: [text]"
        )
    if isinstance(texts, list):
        return texts
    if isinstance(texts, np.ndarray):
        return list(texts.ravel().tolist())
    try:
        return list(texts)
    except TypeError:
        raise TypeError(f"{name} must be an iterable of str, got {type(texts).__name__}") from None


def iter_chunks(
    texts: Iterable[Any], size: int = FIT_CHUNK_DOCS, max_chars: int = FIT_CHUNK_CHARS
) -> Iterator[list[Any]]:
    """Yield lists of at most ``size`` items and about ``max_chars`` characters of text (so generators are
    consumed in bounded memory, also when documents are long).

    >>> [len(c) for c in iter_chunks(range(5), 2)]
    [2, 2, 1]
    >>> [len(c) for c in iter_chunks(iter(["abc"] * 5), max_chars=6)]
    [2, 2, 1]
    """
    if isinstance(texts, str | bytes):
        raise TypeError("texts must be an iterable of str, not a single str; wrap it in a list: [text]")
    if isinstance(texts, list):
        for i in range(0, len(texts), size):
            yield texts[i : i + size]
        return
    chunk: list[Any] = []
    chars = 0
    for t in texts:
        chunk.append(t)
        chars += len(t) if isinstance(t, str) else 0
        if len(chunk) >= size or chars >= max_chars:
            yield chunk
            chunk = []
            chars = 0
    if chunk:
        yield chunk


@dataclass(frozen=True)
class Batch:
    """A padded batch: ``ids`` (n, maxlen) int32 (n, maxlen, k with k hashes), ``lengths`` (n,) int32 and, when
    the shape channel is on, ``shapes`` (n, maxlen) int32.

    >>> import textprep as tp
    >>> b = tp.Pipeline(n_buckets=100).encode_batch(["a b c", "d"])
    >>> b.ids.shape, b.lengths.tolist(), b.mask.sum()
    ((2, 3), [3, 1], np.int64(4))
    """

    ids: np.ndarray
    lengths: np.ndarray
    shapes: np.ndarray | None = None

    @property
    def mask(self) -> np.ndarray:
        """Attention mask (n, maxlen) bool: True at real tokens, False at padding."""
        ids = self.ids if self.ids.ndim == 2 else self.ids[..., 0]
        return np.asarray(ids != 0)

    def __len__(self) -> int:
        return int(self.ids.shape[0])


class Vocab:
    """The fitted vocabulary of a pipeline (Keras layout: 0 padding, 1..K OOV buckets, then tokens).

    >>> import textprep as tp
    >>> v = tp.Pipeline().fit(["b a b"]).vocab
    >>> v.tokens, v["b"], v["zzz"], len(v)
    (['b', 'a'], 2, 1, 4)
    """

    def __init__(self, core: Any) -> None:
        self._core = core
        self._tokens: list[str] | None = None

    @property
    def tokens(self) -> list[str]:
        """Vocabulary tokens in id order (without padding and OOV)."""
        if self._tokens is None:
            self._tokens = list(self._core.vocab_tokens())
        return list(self._tokens)

    @property
    def num_oov_buckets(self) -> int:
        """Number of OOV ids (1..K)."""
        return int(self._core.id_space()) - len(self.tokens) - 1

    def __getitem__(self, token: str) -> int:
        return int(self._core.token_id(token))

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and int(self._core.token_id(token)) > self.num_oov_buckets

    def __len__(self) -> int:
        """Total number of ids: padding, OOV buckets and tokens."""
        return int(self._core.id_space())

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)}, tokens={self.tokens[:5]}...)"


class Counts:
    """Mergeable token and document frequencies: count on several workers, ``merge``, then
    ``Pipeline.from_counts``.

    >>> import textprep as tp
    >>> pipe = tp.Pipeline()
    >>> a, b = pipe.count(["x y"]), pipe.count(["y z"])
    >>> a.merge(b).n_docs, a["y"]
    (2, (2, 2))
    """

    def __init__(self, core: Any = None) -> None:
        self._core = core if core is not None else _core.Counts()

    def merge(self, other: Counts) -> Counts:
        """Add ``other``'s counts into this one (associative and commutative); returns self."""
        if not isinstance(other, Counts):
            raise TypeError(f"merge expects Counts, got {type(other).__name__}")
        if other is self:  # counting the same documents twice; the engine cannot borrow one object twice
            other = Counts.from_json(self.to_json())
        self._core.merge(other._core)
        return self

    @property
    def n_docs(self) -> int:
        """Number of documents counted."""
        return int(self._core.n_docs())

    def __getitem__(self, token: str) -> tuple[int, int]:
        """(term frequency, document frequency); (0, 0) when unseen."""
        got = self._core.get(token)
        return (0, 0) if got is None else (int(got[0]), int(got[1]))

    def __len__(self) -> int:
        return len(self._core)

    def __repr__(self) -> str:
        return f"Counts(tokens={len(self)}, n_docs={self.n_docs})"

    def most_common(self, n: int | None = None) -> list[tuple[str, int, int]]:
        """``(token, tf, df)`` ranked by (tf desc, token asc), the vocabulary order.

        >>> import textprep as tp
        >>> tp.Pipeline().count(["b a b"]).most_common(1)
        [('b', 2, 1)]
        """
        return [(str(t), int(tf), int(df)) for t, tf, df in self._core.most_common(n)]

    def set_cap(self, cap: int | None) -> Counts:
        """Bound memory: keep about ``cap`` distinct tokens (pruning at 2 * cap to the ``cap`` most frequent).

        Guarantee (space-saving style): every token whose true count exceeds ``pruned_max`` is kept, and a kept
        token's count is at most ``pruned_max`` above its true count; without a cap counting is exact.

        >>> import textprep as tp
        >>> c = tp.Counts().set_cap(1000)
        >>> c.pruned_max
        0
        """
        if cap is not None and (not isinstance(cap, int) or cap < 1):
            raise ConfigError(f"cap must be a positive int or None, got {cap!r}")
        self._core.set_cap(cap)
        return self

    @property
    def pruned_max(self) -> int:
        """The largest count ever pruned (0 when counting is exact)."""
        return int(self._core.pruned_max())

    def to_json(self) -> str:
        """Serialize (byte-stable: tokens sorted) to send counts between processes or machines.

        >>> import textprep as tp
        >>> c = tp.Pipeline().count(["x y"])
        >>> tp.Counts.from_json(c.to_json())["x"]
        (1, 1)
        """
        return str(self._core.to_json())

    @classmethod
    def from_json(cls, text: str) -> Counts:
        """Rebuild counts from ``to_json`` output (``ArtifactError`` when malformed)."""
        return cls(_core.Counts.from_json(text))

    def __getstate__(self) -> dict[str, str]:
        return {"counts": self.to_json()}

    def __setstate__(self, state: dict[str, str]) -> None:
        self._core = _core.Counts.from_json(state["counts"])


class Pipeline:
    """Text to ids: normalize -> tokenize -> vocabulary or hashing -> padded ``int32`` arrays.

    Any config leaf is a keyword (``case``, ``unicode``, ``split``, ``max_tokens``, ``min_freq``, ``maxlen``,
    ``n_buckets``, ...). Pipelines are immutable inside: ``fit`` swaps in a new compiled core, so one pipeline can
    be shared by many threads.

    ``tokenizer=`` takes the tokens from another library instead of an engine splitter (a token source, see
    :mod:`textprep.sources`): ``Pipeline(split="spacy", nlp="en_core_web_sm")``, ``Pipeline(split="hf",
    tokenizer="tokenizer.json")`` or ``Pipeline(tokenizer=source)``. Everything after the tokens is the engine's.

    >>> import textprep as tp
    >>> pipe = tp.Pipeline(case="lower", unicode="nfkc", split="words.v1")
    >>> pipe.tokenize("The ﬁnal Straße!")
    ['the', 'final', 'straße', '!']
    """

    _source: Any = None

    def __init__(
        self, config: dict[str, Any] | None = None, /, tokenizer: Any = None, **options: Any
    ) -> None:
        split = options.get("split")
        if split is None and isinstance(config, dict) and isinstance(config.get("tokenize"), dict):
            split = config["tokenize"].get("split")
        source = sources.resolve(split, tokenizer, options)
        cfg = merge_options(config, **options)
        if source is None:
            self._set_core(_core.Pipeline(config_json(cfg)))
            return
        self._source = source
        cfg.setdefault("tokenize", {}).update(split=PRETOKENIZED, pattern=None)
        vocab = source.vocabulary()
        if vocab is not None:  # the source's own ids: token i -> id i + 1, its first token on the OOV id 1
            v = cfg.setdefault("vocab", {})
            for leaf, default in (("num_oov_buckets", 1), ("special_tokens", [])):
                if v.get(leaf, default) != default:
                    raise ConfigError(
                        f"{leaf}={v[leaf]!r}: split={source.name!r} brings its own vocabulary and id layout"
                    )
            v["oov_token"] = vocab[0]
        core = _core.Pipeline(config_json(cfg))
        if vocab is not None and not core.is_hashed():
            core = core.with_tokens(vocab[1:])
        self._set_core(core)

    @classmethod
    def preset(cls, name: str, **overrides: Any) -> Pipeline:
        """A pipeline that reproduces a peer library's tokens exactly: ``"sklearn"``, ``"keras"``, ``"gensim"``
        or ``"bert"`` (see README, Compatibility presets).

        >>> import textprep as tp
        >>> tp.Pipeline.preset("sklearn").tokenize("Hello, World! I'm fine")
        ['hello', 'world', 'fine']
        """
        return cls(preset_options(name, **overrides))

    @classmethod
    def _from_core(cls, core: Any, source: Any = None) -> Pipeline:
        obj = cls.__new__(cls)
        obj._source = source
        obj._set_core(core)
        return obj

    def _set_core(self, core: Any) -> None:
        self._core = core
        self._cfg: dict[str, Any] = json.loads(core.config_json())  # parsed once per compiled core

    # -- configuration ---------------------------------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        """The full configuration (a copy; every leaf present). With a token source, ``split`` is its name.

        >>> import textprep as tp
        >>> tp.Pipeline(maxlen=8).config["encode"]["maxlen"]
        8
        """
        cfg = copy.deepcopy(self._cfg)
        if self._source is not None:
            cfg["tokenize"]["split"] = self._source.name
        return cfg

    @property
    def token_source(self) -> Any:
        """The token source the tokens come from (see :mod:`textprep.sources`), or None with an engine splitter.

        >>> import textprep as tp
        >>> tp.Pipeline().token_source is None
        True
        """
        return self._source

    @property
    def tokenizer(self) -> Any:
        """The other library's tokenizer object (an HF ``tokenizers.Tokenizer``, a spaCy ``Language``), or None.

        >>> import textprep as tp
        >>> tp.Pipeline(split="spacy", nlp="blank:en").tokenizer.lang
        'en'
        """
        return None if self._source is None else self._source.tokenizer

    def __repr__(self) -> str:
        cfg = self.config
        state = "hashed" if self._core.is_hashed() else ("fitted" if self._core.is_fitted() else "not fitted")
        return (
            f"Pipeline(preset={cfg['preset']!r}, split={cfg['tokenize']['split']!r}, "
            f"case={cfg['normalize']['case']!r}, {state})"
        )

    # -- documents -------------------------------------------------------------------------------------------
    def _docs(self, texts: Any, start: int = 0) -> Any:
        """What the engine takes for ``texts``: the list of str, or token lists (from the token source, or given
        by the caller to a ``pretokenized.v1`` pipeline)."""
        items = as_text_list(texts)
        src = self._source
        if src is None:
            if self._cfg["tokenize"]["split"] == PRETOKENIZED:
                return self._core.token_docs(items, False, start)
            return items
        for i, t in enumerate(items):
            if not isinstance(t, str):
                raise TypeError(f"texts[{start + i}]: expected str, got {type(t).__name__}")
        seen = self._core.normalize_batch(items) if src.normalize == "text" else items
        return self._core.token_docs(src.tokenize_batch(seen), src.normalize != "tokens", start)

    def _one(self, text: Any) -> Any:
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        return self._docs([text])

    # -- single documents ------------------------------------------------------------------------------------
    def normalize(self, text: str) -> str:
        """The normalized text (with an HF source: the text handed to it).

        >>> import textprep as tp
        >>> tp.Pipeline(case="fold").normalize("STRASSE Straße")
        'strasse strasse'
        """
        if self._source is not None and self._source.normalize == "none":
            if not isinstance(text, str):
                raise TypeError(f"expected str, got {type(text).__name__}")
            return text
        return str(self._core.normalize(text))

    def tokenize(self, text: str) -> list[str]:
        """The tokens of one text.

        >>> import textprep as tp
        >>> tp.Pipeline(split="whitespace.v1", case="keep").tokenize("Hello  world")
        ['Hello', 'world']
        """
        if self._source is not None:
            return list(self._core.tokenize_lists(self._one(text))[0])
        return list(self._core.tokenize(text))

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each token in the ORIGINAL text (``str`` indices), also when normalization changed the
        length (ligatures, case folding, stripped HTML). With a token source: the source's offsets, in the text it
        saw.

        >>> import textprep as tp
        >>> text = "ﬁne Ｗｏｒｄ"
        >>> [text[a:b] for a, b in tp.Pipeline().offsets(text)]
        ['ﬁne', 'Ｗｏｒｄ']
        """
        src = self._source
        if src is not None:
            self._one(text)
            seen = str(self._core.normalize(text)) if src.normalize == "text" else text
            return [(int(a), int(b)) for a, b in src.offsets(seen)]
        return [(int(a), int(b)) for a, b in self._core.offsets(text)]

    def shapes(self, text: str) -> np.ndarray:
        """Shape/case class per token from the original text: 1 lower, 2 Title, 3 UPPER, 4 mixed, 5 digit,
        6 other (0 is padding).

        >>> import textprep as tp
        >>> tp.Pipeline().shapes("Apple iPhone USA 42 !").tolist()
        [2, 4, 3, 5, 6]
        """
        if self._source is not None:
            return np.asarray(self._core.output(self._one(text), "shapes")["values"])
        return np.asarray(self._core.shapes(text))

    def encode(self, text: str) -> np.ndarray:
        """Ids of one text, unpadded (int32).

        >>> import textprep as tp
        >>> tp.Pipeline().fit(["a b"]).encode("b a c").tolist()
        [3, 2, 1]
        """
        if self._source is not None:
            return np.asarray(self._core.output(self._one(text), "ragged")["values"])
        return np.asarray(self._core.encode(text))

    def decode(self, ids: Any) -> list[str]:
        """Tokens back from ids; padding is skipped and OOV ids give the OOV token.

        >>> import textprep as tp
        >>> pipe = tp.Pipeline().fit(["a b"])
        >>> pipe.decode(pipe.encode("b zzz"))
        ['b', '[UNK]']
        """
        arr = np.asarray(ids)
        if arr.ndim != 1:
            raise ValueError(f"decode expects one row of ids (1-D), got shape {arr.shape}")
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"ids must be integers, got dtype {arr.dtype}")
        if arr.size:
            size = len(self.vocab)  # NotFittedError when there is no vocabulary
            bad = np.flatnonzero((arr < 0) | (arr >= size))
            if bad.size:
                i = int(bad[0])
                raise ValueError(f"ids[{i}] = {arr[i]} is out of range 0..{size - 1} (the vocabulary's ids)")
        return list(self._core.decode(arr.astype(np.int64).tolist()))

    # -- batches ---------------------------------------------------------------------------------------------
    def tokenize_batch(self, texts: Iterable[str], output: str = "list") -> Any:
        """Tokens of many texts in one engine call.

        ``output="list"``: a list of lists of str (repeated tokens share one object). ``"arrow"``: a
        ``pyarrow.LargeListArray`` of strings built from the engine's buffers without a Python object per token.
        ``"flat"``: ``(utf8 uint8 array, token offsets int64, row_splits int64)``.

        >>> import textprep as tp
        >>> tp.Pipeline().tokenize_batch(["a b", "c"])
        [['a', 'b'], ['c']]
        """
        if output == "list":
            return self._core.tokenize_lists(self._docs(texts))
        if output in ("arrow", "flat"):
            flat = self._core.output(self._docs(texts), "tokens")
            data, offsets, splits = flat["bytes"], flat["offsets"], flat["row_splits"]
            if output == "flat":
                return data, offsets, splits
            try:
                import pyarrow as pa
            except ImportError:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "output='arrow' needs pyarrow: pip install 'textprep[arrow]' (or use output='flat')"
                ) from None
            strings = pa.LargeStringArray.from_buffers(
                len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data)
            )
            return pa.LargeListArray.from_arrays(pa.array(splits, type=pa.int64()), strings)
        raise ConfigError(f"tokenize_batch output={output!r} is not one of 'list', 'arrow', 'flat'")

    def encode_batch(
        self, texts: Iterable[str], maxlen: int | None = None, shapes: bool | None = None
    ) -> Batch:
        """Padded ids of many texts: ``Batch(ids (n, maxlen) int32, lengths (n,) int32)``.

        ``maxlen`` overrides the config's (None there means the longest row). ``shapes`` (default: the config's
        ``shapes``) adds the shape channel as a parallel array.

        >>> import textprep as tp
        >>> pipe = tp.Pipeline(padding="pre").fit(["a b c"])
        >>> pipe.encode_batch(["a b", "c"]).ids.tolist()
        [[2, 3], [0, 4]]
        """
        if maxlen is not None and (not isinstance(maxlen, int) or maxlen < 1):
            raise ConfigError(f"maxlen must be a positive int or None, got {maxlen!r}")
        want = None if shapes is None else bool(shapes)
        out = self._core.output(self._docs(texts), "padded", maxlen=maxlen, shapes=want)
        return Batch(ids=out["ids"], lengths=out["lengths"], shapes=out.get("shapes"))

    def __call__(self, texts: Iterable[str]) -> np.ndarray:
        """``encode_batch(texts).ids``."""
        return self.encode_batch(texts).ids

    def encode_ragged(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Unpadded ids of many texts: ``(values int32, row_splits int64)``; row i is
        ``values[row_splits[i]:row_splits[i+1]]``.

        >>> import textprep as tp
        >>> v, s = tp.Pipeline(n_buckets=10).encode_ragged(["a b", "", "c"])
        >>> s.tolist()
        [0, 2, 2, 3]
        """
        out = self._core.output(self._docs(texts), "ragged")
        return out["values"], out["row_splits"]

    def _lines(self, files: list[str], encoding_errors: str) -> Iterator[tuple[list[str], int]]:
        """Blocks of lines of corpus files, read by the engine's one reader, with the bytes read so far."""
        done = 0
        for f in files:
            reader = _core.LineReader(f, encoding_errors)
            for block in reader:
                yield block, done + reader.bytes_read
            done += os.path.getsize(f)

    def encode_files(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        out_dir: str | os.PathLike[str],
        shard_rows: int = 100_000,
        maxlen: int | None = None,
        encoding_errors: str = "strict",
        progress: bool | None = None,
        **deprecated: Any,
    ) -> dict[str, Any]:
        """Encode corpus files (one document per line) into ``.npy`` shards of at most ``shard_rows`` rows, in
        bounded memory, plus ``manifest.json`` (rows, sha256 of each shard, the pipeline fingerprint). Lines are
        read by the engine as in ``count_files`` (``encoding_errors`` likewise).

        Each shard ``i`` is ``ids-{i:05d}.npy`` (rows, maxlen) int32 and ``lengths-{i:05d}.npy`` (rows,) int32.

        >>> import os, tempfile, numpy as np, textprep as tp
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "c.txt"); _ = open(p, "w").write("a b\\nc\\nd e f\\n")
        >>> m = tp.Pipeline(n_buckets=16, maxlen=4).encode_files(p, os.path.join(d, "out"), shard_rows=2)
        >>> [s["rows"] for s in m["shards"]], np.load(os.path.join(d, "out", "ids-00000.npy")).shape
        ([2, 1], (2, 4))
        """
        from .io import write_text_atomic
        from .progress import progress_bar

        encoding_errors = _encoding_errors(encoding_errors, deprecated, "encode_files")
        width = maxlen if maxlen is not None else self._cfg["encode"]["maxlen"]
        if width is None:
            raise ConfigError(
                "encode_files needs a fixed row width: pass maxlen=... or set maxlen in the config"
            )
        if not isinstance(shard_rows, int) or shard_rows < 1:
            raise ConfigError(f"shard_rows must be a positive int, got {shard_rows!r}")
        if not self.is_fitted:
            raise NotFittedError(
                "encode_files: the pipeline has no vocabulary yet; call fit() first or use hashing"
            )
        files = _corpus_files(paths)
        out = os.fspath(out_dir)
        os.makedirs(out, exist_ok=True)
        shards: list[dict[str, Any]] = []

        def sha256(path: str) -> str:
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            return h.hexdigest()

        def flush(buf: list[str]) -> None:
            batch = self.encode_batch(buf, maxlen=width)
            i = len(shards)
            names = {"ids": f"ids-{i:05d}.npy", "lengths": f"lengths-{i:05d}.npy"}
            np.save(os.path.join(out, names["ids"]), batch.ids)
            np.save(os.path.join(out, names["lengths"]), batch.lengths)
            shards.append(
                {
                    "rows": len(buf),
                    **{k: v for k, v in names.items()},
                    "sha256": {k: sha256(os.path.join(out, v)) for k, v in names.items()},
                }
            )

        buf: list[str] = []
        with progress_bar(
            total=sum(os.path.getsize(f) for f in files), unit="B", desc="encode", enable=progress
        ) as bar:
            shown = 0
            for block, done in self._lines(files, encoding_errors):
                for line in block:
                    buf.append(line)
                    if len(buf) >= shard_rows:
                        flush(buf)
                        buf = []
                bar.update(done - shown)
                shown = done
            if buf:
                flush(buf)
        manifest = {
            "format": "textprep.shards",
            "format_version": 1,
            "pipeline_fingerprint": self.fingerprint,
            "maxlen": width,
            "rows": sum(s["rows"] for s in shards),
            "sources": files,
            "shards": shards,
        }
        write_text_atomic(os.path.join(out, "manifest.json"), json.dumps(manifest, indent=1))
        return manifest

    def encode_bag(
        self, texts: Iterable[str], mode: str = "count", sparse: bool = True, norm: str | None = None
    ) -> Any:
        """Bag of ids per text: a ``scipy.sparse.csr_matrix`` float32 of shape (n, id_space) (dense with
        ``sparse=False``). Column = id (vocabulary order, not scikit-learn's alphabetical order; a hashed id in the
        configured layout). ``mode``: ``"count"``, ``"multi_hot"`` or ``"tf_idf"`` (scikit-learn's smooth idf;
        needs a fitted vocabulary). ``norm="l2"`` normalizes rows. With ``Pipeline.preset("sklearn",
        hash="murmur3_32", n_buckets=N)`` the count bag equals ``HashingVectorizer(n_features=N, norm=None)``.

        >>> import textprep as tp
        >>> pipe = tp.Pipeline().fit(["a b b"])
        >>> pipe.encode_bag(["b b a c"]).toarray().tolist()
        [[0.0, 1.0, 2.0, 1.0]]
        """
        if mode not in BAG_MODES:
            raise ConfigError(f"mode={mode!r} is not one of {', '.join(map(repr, BAG_MODES))}")
        if norm not in (None, "l2"):
            raise ConfigError(f"norm={norm!r} is not one of None, 'l2'")
        import scipy.sparse

        bag = self._core.output(self._docs(texts), "bag", mode=mode, l2=norm == "l2")
        indptr = bag["indptr"]
        matrix = scipy.sparse.csr_matrix(
            (bag["data"], bag["indices"], indptr), shape=(len(indptr) - 1, int(bag["n_cols"]))
        )
        return matrix if sparse else matrix.toarray()

    # -- fitting ---------------------------------------------------------------------------------------------
    def count(self, texts: Iterable[str]) -> Counts:
        """Token and document counts of ``texts`` (consumed in chunks), mergeable across workers.

        >>> import textprep as tp
        >>> tp.Pipeline().count(["a a b"])["a"]
        (2, 1)
        """
        total: Counts | None = None
        start = 0
        for chunk in iter_chunks(texts):
            part = Counts(self._core.count(self._docs(chunk, start), start))
            start += len(chunk)
            total = part if total is None else total.merge(part)
        return total if total is not None else Counts()

    def fit(self, texts: Iterable[str]) -> Pipeline:
        """Fit the vocabulary on ``texts`` (any iterable of str, consumed in chunks); returns self.

        Ranking is (count desc, token asc), then ``min_freq``, ``max_df`` and ``max_tokens``: the same ids
        whatever the thread count, chunking or document order. With a token source that brings its own
        vocabulary (HF), the ids stay the source's and ``fit`` learns the document frequencies (for tf-idf).

        >>> import textprep as tp
        >>> tp.Pipeline(max_tokens=2).fit(["b a b c c c"]).vocab.tokens
        ['c', 'b']
        """
        return self.fit_counts(self.count(texts))

    def count_files(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        encoding_errors: str = "strict",
        progress: bool | None = None,
        **deprecated: Any,
    ) -> Counts:
        """Counts of corpus files (UTF-8, one document per line), read by the engine's one reader in bounded memory:
        a ``\\n`` ends a line (a ``\\r`` before it is dropped), a UTF-8 BOM at the start is dropped.
        ``encoding_errors`` for a line that is not UTF-8: ``"strict"`` (a :class:`~textprep.FileDecodeError`
        naming file, line and byte), ``"replace"`` (U+FFFD, as ``bytes.decode(errors="replace")``) or ``"skip"``.

        >>> import os, tempfile, textprep as tp
        >>> p = os.path.join(tempfile.mkdtemp(), "c.txt"); _ = open(p, "w").write("a b\\nb\\n")
        >>> tp.Pipeline().count_files(p)["b"]
        (2, 2)
        """
        encoding_errors = _encoding_errors(encoding_errors, deprecated, "count_files")
        files = _corpus_files(paths)
        from .progress import progress_bar

        total = Counts()
        with progress_bar(
            total=sum(os.path.getsize(f) for f in files), unit="B", desc="count", enable=progress
        ) as bar:
            if self._source is None and self._cfg["tokenize"]["split"] != PRETOKENIZED:
                for f in files:  # the engine reads, tokenizes and counts the whole file
                    total.merge(Counts(self._core.count_files([f], encoding_errors)))
                    bar.update(os.path.getsize(f))
            else:
                shown = 0
                for block, done in self._lines(files, encoding_errors):
                    total.merge(self.count(block))
                    bar.update(done - shown)
                    shown = done
        return total

    def fit_files(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        encoding_errors: str = "strict",
        progress: bool | None = None,
        **deprecated: Any,
    ) -> Pipeline:
        """Fit the vocabulary on corpus files streamed by the engine (see ``count_files``); returns self.

        >>> import os, tempfile, textprep as tp
        >>> p = os.path.join(tempfile.mkdtemp(), "c.txt"); _ = open(p, "w").write("a b\\nb\\n")
        >>> tp.Pipeline().fit_files([p]).vocab.tokens
        ['b', 'a']
        """
        encoding_errors = _encoding_errors(encoding_errors, deprecated, "fit_files")
        return self.fit_counts(self.count_files(paths, encoding_errors=encoding_errors, progress=progress))

    def _fixed_vocabulary(self) -> bool:
        return (
            self._source is not None and self._source.vocabulary() is not None and not self._core.is_hashed()
        )

    def fit_counts(self, counts: Counts) -> Pipeline:
        """Fit the vocabulary from (merged) counts; returns self.

        >>> import textprep as tp
        >>> pipe = tp.Pipeline()
        >>> pipe.fit_counts(pipe.count(["x"])).vocab.tokens
        ['x']
        """
        if not isinstance(counts, Counts):
            raise TypeError(f"fit_counts expects textprep.Counts, got {type(counts).__name__}")
        core = self._core.fit_stats if self._fixed_vocabulary() else self._core.fit_counts
        self._set_core(core(counts._core))
        return self

    def extend_vocab(self, texts_or_counts: Iterable[str] | Counts, max_new: int | None = None) -> int:
        """Append tokens first seen in ``texts_or_counts`` after the existing ids (ranked by count desc, token
        asc; ``min_freq``/``max_df``/``max_tokens`` apply). Existing ids never change, so a deployed model keeps
        working and new embedding rows can be appended. Returns how many tokens were added (always 0 with a token
        source that brings its own vocabulary: it cannot produce new tokens; their frequencies are added).

        >>> import textprep as tp
        >>> pipe = tp.Pipeline().fit(["old phone"])
        >>> before = pipe.encode("old phone").tolist()
        >>> pipe.extend_vocab(["hoverboard hoverboard old"])
        1
        >>> pipe.encode("old phone hoverboard").tolist() == before + [4]
        True
        """
        counts = texts_or_counts if isinstance(texts_or_counts, Counts) else self.count(texts_or_counts)
        if max_new is not None and (not isinstance(max_new, int) or max_new < 0):
            raise ConfigError(f"max_new must be an int >= 0 or None, got {max_new!r}")
        core, added = self._core.extend_vocab(counts._core, 0 if self._fixed_vocabulary() else max_new)
        self._set_core(core)
        return int(added)

    @classmethod
    def from_counts(cls, counts: Counts, config: dict[str, Any] | None = None, /, **options: Any) -> Pipeline:
        """A new pipeline fitted from counts made elsewhere (other processes or machines).

        >>> import textprep as tp
        >>> c = tp.Pipeline().count(["x y y"])
        >>> tp.Pipeline.from_counts(c).vocab.tokens
        ['y', 'x']
        """
        return cls(config, **options).fit_counts(counts)

    # -- the artifact ----------------------------------------------------------------------------------------
    def to_json(self) -> str:
        """The pipeline as one versioned JSON artifact (config, versions, vocabulary, fingerprint; with a token
        source, the ``textprep.external`` envelope around it with what rebuilds the source).

        >>> import textprep as tp
        >>> pipe = tp.Pipeline().fit(["a b"])
        >>> tp.Pipeline.from_json(pipe.to_json()).vocab.tokens
        ['a', 'b']
        """
        text = str(self._core.to_json())
        return text if self._source is None else sources.envelope(self._source, text)

    @classmethod
    def from_json(cls, text: str, **source_options: Any) -> Pipeline:
        """Rebuild a pipeline from ``to_json`` output. A newer format raises ``ArtifactVersionError``; a truncated
        or modified document raises ``ArtifactError`` naming what is wrong. ``source_options`` go to the token
        source of an external artifact (e.g. ``nlp=`` when its spaCy package is not installed).

        >>> import textprep as tp
        >>> tp.Pipeline.from_json('{"format": "textprep.pipeline"')
        Traceback (most recent call last):
        textprep.errors.ArtifactError: invalid artifact: not valid JSON (the file is truncated): ...
        """
        if not isinstance(text, str):
            raise TypeError(f"from_json expects str, got {type(text).__name__}")
        if not sources.is_envelope(text):
            return cls._from_core(_core.Pipeline.from_json(text))
        doc = sources.parse_envelope(text)
        source = sources.from_record(doc, **source_options)
        inner = doc["pipeline"]
        core = _core.Pipeline.from_json(json.dumps(inner))  # checks the inner artifact and its fingerprint
        if doc["format_version"] == 1:
            core = _upgrade_v1_core(core, inner, source, doc)
        return cls._from_core(core, source)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the artifact to ``path`` atomically (a temporary file renamed into place).

        >>> import os, tempfile, textprep as tp
        >>> path = os.path.join(tempfile.mkdtemp(), "pipe.json")
        >>> tp.Pipeline(n_buckets=8).save(path)
        >>> tp.Pipeline.load(path).config["hashing"]["n_buckets"]
        8
        """
        from .io import write_text_atomic

        write_text_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str], **source_options: Any) -> Pipeline:
        """Read a pipeline saved with ``save``; errors name the file (``source_options`` as in ``from_json``).

        >>> import textprep as tp
        >>> tp.Pipeline.load("/nonexistent/pipe.json")
        Traceback (most recent call last):
        FileNotFoundError: ...
        """
        from .io import read_artifact_text

        text = read_artifact_text(path)
        try:
            return cls.from_json(text, **source_options)
        except ArtifactError as e:
            raise type(e)(f"{os.fspath(path)}: {e}") from None

    @property
    def fingerprint(self) -> str:
        """A stable hash of the behaviour (format, config, vocabulary, token source): equal fingerprints give
        equal ids.

        >>> import textprep as tp
        >>> tp.Pipeline().fingerprint == tp.Pipeline().fingerprint != tp.Pipeline(case="keep").fingerprint
        True
        """
        if self._source is None:
            return str(self._core.fingerprint())
        state = json.dumps([self._source.name, self._source.fingerprint(), self._core.fingerprint()])
        return hashlib.sha256(state.encode()).hexdigest()[:16]

    def __getstate__(self) -> dict[str, str]:
        return {"artifact": self.to_json()}

    def __setstate__(self, state: dict[str, str]) -> None:
        other = Pipeline.from_json(state["artifact"])
        self._source = other._source
        self._set_core(other._core)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pipeline) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    @property
    def vocab(self) -> Vocab:
        """The fitted vocabulary (``NotFittedError`` before ``fit``)."""
        self._core.vocab_tokens()  # raises NotFittedError when there is none
        return Vocab(self._core)

    @property
    def is_fitted(self) -> bool:
        """True when ids can be produced (a fitted vocabulary, or hashing)."""
        return bool(self._core.is_fitted() or self._core.is_hashed())

    @property
    def id_space(self) -> int:
        """Number of distinct ids (the ``input_dim`` of an embedding table)."""
        return int(self._core.id_space())


def _corpus_files(paths: Any) -> list[str]:
    files = [os.fspath(paths)] if isinstance(paths, str | os.PathLike) else [os.fspath(p) for p in paths]
    for f in files:
        if not os.path.isfile(f):
            raise FileNotFoundError(f"{f}: no such corpus file")
    return files


def _encoding_errors(value: str, deprecated: dict[str, Any], where: str) -> str:
    """``encoding_errors``, or the deprecated ``errors=`` spelling of it (with a ``DeprecationWarning``)."""
    if "errors" in deprecated:
        import warnings

        warnings.warn(
            f"{where}(errors=...) is deprecated, use encoding_errors=... (errors= now names nothing else here)",
            DeprecationWarning,
            stacklevel=3,
        )
        value = deprecated.pop("errors")
    if deprecated:
        raise TypeError(f"{where}() got unexpected keyword argument(s) {', '.join(sorted(deprecated))}")
    if value not in ("strict", "replace", "skip"):
        raise ConfigError(f"encoding_errors={value!r} is not one of 'strict', 'replace', 'skip'")
    return value


def _upgrade_v1_core(core: Any, inner: dict[str, Any], source: Any, doc: dict[str, Any]) -> Any:
    """The engine core of a version 1 external artifact, in today's form: ``pretokenized.v1`` instead of the
    splitter the backend used to fake (the spaCy backend's ``regex.v1`` over a newline-joined token stream, the HF
    backend's unused ``words.v1``), the same vocabulary (spaCy) or the source's (HF, with its saved frequencies)."""
    cfg = json.loads(core.config_json())
    cfg["tokenize"].update(split=PRETOKENIZED, pattern=None)
    vocab = source.vocabulary()
    if vocab is not None:
        cfg["vocab"]["oov_token"] = vocab[0]
    new = _core.Pipeline(json.dumps(cfg))
    if new.is_hashed():
        return new
    if vocab is not None:  # v1 HF artifacts kept document frequencies by textprep id (0..id_space-1)
        df = doc.get("df")
        stats = [int(x) for x in df[2:]] if isinstance(df, list) and len(df) == len(vocab) + 1 else None
        return new.with_tokens(vocab[1:], None, stats, int(doc.get("n_docs", 0)) if stats else 0)
    state = (inner.get("state") or {}).get("vocab")
    if not state:
        return new
    return new.with_tokens(state["tokens"], state.get("tf"), state.get("df"), int(state.get("n_docs", 0)))


__all__ = ["Batch", "Counts", "Pipeline", "Vocab", "as_text_list", "iter_chunks"]
