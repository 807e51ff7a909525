"""The ``Pipeline``: raw text -> normalized text -> tokens -> ids -> padded ``int32`` arrays.

>>> import textprep as tp
>>> pipe = tp.Pipeline(maxlen=4).fit(["the cat sat", "the dog sat"])
>>> pipe(["the cat", "a bird"]).tolist()
[[3, 4, 0, 0], [1, 1, 0, 0]]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core
from .config import build_config, preset_config
from .errors import ArtifactError, ConfigError, NotFittedError

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


def _at_offset(e: Exception, start: int) -> Exception:
    """``e`` with its ``texts[i]`` index shifted by ``start`` (the engine sees one chunk of a stream at a time).

    >>> str(_at_offset(TypeError("texts[3]: expected str, got NoneType"), 65_536))
    'texts[65539]: expected str, got NoneType'
    """
    msg = str(e)
    if start == 0 or not msg.startswith("texts["):
        return e
    i, _, rest = msg[len("texts[") :].partition("]")
    if not i.isdigit():
        return e
    return type(e)(f"texts[{int(i) + start}]{rest}")


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

    >>> import textprep as tp
    >>> pipe = tp.Pipeline(case="lower", unicode="nfkc", split="words.v1")
    >>> pipe.tokenize("The ﬁnal Straße!")
    ['the', 'final', 'straße', '!']
    """

    def __new__(cls, config: dict[str, Any] | None = None, /, **options: Any) -> Any:
        # split="spacy" / split="hf" select an external tokenization backend (textprep.interop)
        if cls is Pipeline and (config is not None or options):
            from .interop._external import external_class, external_split

            split = external_split(config, options)
            if split is not None:
                cls = external_class(split)
        return super().__new__(cls)

    def __init__(self, config: dict[str, Any] | None = None, /, **options: Any) -> None:
        cfg = build_config(config, **options)
        self._core = _core.Pipeline(json.dumps(cfg))

    @classmethod
    def preset(cls, name: str, **overrides: Any) -> Pipeline:
        """A pipeline that reproduces a peer library's tokens exactly: ``"sklearn"``, ``"keras"``, ``"gensim"``
        or ``"bert"`` (see README, Compatibility presets).

        >>> import textprep as tp
        >>> tp.Pipeline.preset("sklearn").tokenize("Hello, World! I'm fine")
        ['hello', 'world', 'fine']
        """
        return cls(preset_config(name, **overrides))

    @classmethod
    def _from_core(cls, core: Any) -> Pipeline:
        obj = cls.__new__(cls)
        obj._core = core
        return obj

    # -- configuration ---------------------------------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        """The full configuration (a copy; every leaf present)."""
        return dict(json.loads(self._core.config_json()))

    def __repr__(self) -> str:
        cfg = self.config
        state = "hashed" if self._core.is_hashed() else ("fitted" if self._core.is_fitted() else "not fitted")
        return (
            f"Pipeline(preset={cfg['preset']!r}, split={cfg['tokenize']['split']!r}, "
            f"case={cfg['normalize']['case']!r}, {state})"
        )

    # -- single documents ------------------------------------------------------------------------------------
    def normalize(self, text: str) -> str:
        """The normalized text.

        >>> import textprep as tp
        >>> tp.Pipeline(case="fold").normalize("STRASSE Straße")
        'strasse strasse'
        """
        return str(self._core.normalize(text))

    def tokenize(self, text: str) -> list[str]:
        """The tokens of one text.

        >>> import textprep as tp
        >>> tp.Pipeline(split="whitespace.v1", case="keep").tokenize("Hello  world")
        ['Hello', 'world']
        """
        return list(self._core.tokenize(text))

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each token in the ORIGINAL text (``str`` indices), also when normalization changed the
        length (ligatures, case folding, stripped HTML).

        >>> import textprep as tp
        >>> text = "ﬁne Ｗｏｒｄ"
        >>> [text[a:b] for a, b in tp.Pipeline().offsets(text)]
        ['ﬁne', 'Ｗｏｒｄ']
        """
        return [(int(a), int(b)) for a, b in self._core.offsets(text)]

    def shapes(self, text: str) -> np.ndarray:
        """Shape/case class per token from the original text: 1 lower, 2 Title, 3 UPPER, 4 mixed, 5 digit,
        6 other (0 is padding).

        >>> import textprep as tp
        >>> tp.Pipeline().shapes("Apple iPhone USA 42 !").tolist()
        [2, 4, 3, 5, 6]
        """
        return np.asarray(self._core.shapes(text))

    def encode(self, text: str) -> np.ndarray:
        """Ids of one text, unpadded (int32).

        >>> import textprep as tp
        >>> tp.Pipeline().fit(["a b"]).encode("b a c").tolist()
        [3, 2, 1]
        """
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
        items = as_text_list(texts)
        if output == "list":
            return self._core.tokenize_lists(items)
        if output in ("arrow", "flat"):
            data, offsets, splits = self._core.tokenize_flat(items)
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
        want_shapes = self.config["tokenize"]["shapes"] if shapes is None else bool(shapes)
        ids, lengths, shp = self._core.encode_batch(as_text_list(texts), maxlen, want_shapes)
        return Batch(ids=ids, lengths=lengths, shapes=shp)

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
        values, splits = self._core.encode_ragged(as_text_list(texts))
        return values, splits

    def encode_files(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        out_dir: str | os.PathLike[str],
        shard_rows: int = 100_000,
        maxlen: int | None = None,
        errors: str = "strict",
        progress: bool | None = None,
    ) -> dict[str, Any]:
        """Encode corpus files (one document per line) into ``.npy`` shards of at most ``shard_rows`` rows, in
        bounded memory, plus ``manifest.json`` (rows, sha256 of each shard, the pipeline fingerprint).

        Each shard ``i`` is ``ids-{i:05d}.npy`` (rows, maxlen) int32 and ``lengths-{i:05d}.npy`` (rows,) int32.

        >>> import os, tempfile, numpy as np, textprep as tp
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "c.txt"); _ = open(p, "w").write("a b\\nc\\nd e f\\n")
        >>> m = tp.Pipeline(n_buckets=16, maxlen=4).encode_files(p, os.path.join(d, "out"), shard_rows=2)
        >>> [s["rows"] for s in m["shards"]], np.load(os.path.join(d, "out", "ids-00000.npy")).shape
        ([2, 1], (2, 4))
        """
        import hashlib

        from .io import write_text_atomic
        from .progress import progress_bar

        width = maxlen if maxlen is not None else self.config["encode"]["maxlen"]
        if width is None:
            raise ConfigError(
                "encode_files needs a fixed row width: pass maxlen=... or set maxlen in the config"
            )
        if not isinstance(shard_rows, int) or shard_rows < 1:
            raise ConfigError(f"shard_rows must be a positive int, got {shard_rows!r}")
        if errors not in ("strict", "replace", "skip"):
            raise ConfigError(f"errors={errors!r} is not one of 'strict', 'replace', 'skip'")
        if not self.is_fitted:
            raise NotFittedError(
                "encode_files: the pipeline has no vocabulary yet; call fit() first or use hashing"
            )
        files = [os.fspath(paths)] if isinstance(paths, str | os.PathLike) else [os.fspath(p) for p in paths]
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
            for f in files:
                with open(f, "rb") as fh:
                    for line_no, raw in enumerate(fh, 1):
                        bar.update(len(raw))
                        # lines as the engine's fit_files reads them: BOM dropped, one "\n" then one "\r" removed
                        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                            raw = raw[3:]
                        if raw.endswith(b"\n"):
                            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
                        try:
                            text = raw.decode("utf-8")
                        except UnicodeDecodeError as e:
                            if errors == "strict":
                                raise UnicodeError(
                                    f"{f}:{line_no}: invalid UTF-8 at byte {e.start} of the line; "
                                    "pass errors='replace' or errors='skip'"
                                ) from None
                            if errors == "skip":
                                continue
                            text = raw.decode("utf-8", "replace")
                        buf.append(text)
                        if len(buf) >= shard_rows:
                            flush(buf)
                            buf = []
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
        if norm not in (None, "l2"):
            raise ConfigError(f"norm={norm!r} is not one of None, 'l2'")
        import scipy.sparse

        items = as_text_list(texts)
        data, indices, indptr, n_cols = self._core.encode_bag(items, mode, norm == "l2")
        matrix = scipy.sparse.csr_matrix((data, indices, indptr), shape=(len(items), n_cols))
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
            try:
                part = Counts(self._core.count(chunk))
            except (TypeError, ValueError) as e:
                raise _at_offset(e, start) from None
            start += len(chunk)
            total = part if total is None else total.merge(part)
        return total if total is not None else Counts()

    def fit(self, texts: Iterable[str]) -> Pipeline:
        """Fit the vocabulary on ``texts`` (any iterable of str, consumed in chunks); returns self.

        Ranking is (count desc, token asc), then ``min_freq``, ``max_df`` and ``max_tokens``: the same ids
        whatever the thread count, chunking or document order.

        >>> import textprep as tp
        >>> tp.Pipeline(max_tokens=2).fit(["b a b c c c"]).vocab.tokens
        ['c', 'b']
        """
        return self.fit_counts(self.count(texts))

    def count_files(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        errors: str = "strict",
        progress: bool | None = None,
    ) -> Counts:
        """Counts of corpus files (UTF-8, one document per line), read and streamed by the engine in bounded
        memory. ``errors``: ``"strict"`` (an ``OSError`` naming file and line), ``"replace"`` or ``"skip"``.

        >>> import os, tempfile, textprep as tp
        >>> p = os.path.join(tempfile.mkdtemp(), "c.txt"); _ = open(p, "w").write("a b\\nb\\n")
        >>> tp.Pipeline().count_files(p)["b"]
        (2, 2)
        """
        files = [os.fspath(paths)] if isinstance(paths, str | os.PathLike) else [os.fspath(p) for p in paths]
        for f in files:
            if not os.path.isfile(f):
                raise FileNotFoundError(f"{f}: no such corpus file")
        from .progress import progress_bar

        total = Counts()
        with progress_bar(
            total=sum(os.path.getsize(f) for f in files), unit="B", desc="count", enable=progress
        ) as bar:
            for f in files:
                total.merge(Counts(self._core.count_files([f], errors)))
                bar.update(os.path.getsize(f))
        return total

    def fit_files(
        self,
        paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        errors: str = "strict",
        progress: bool | None = None,
    ) -> Pipeline:
        """Fit the vocabulary on corpus files streamed by the engine (see ``count_files``); returns self.

        >>> import os, tempfile, textprep as tp
        >>> p = os.path.join(tempfile.mkdtemp(), "c.txt"); _ = open(p, "w").write("a b\\nb\\n")
        >>> tp.Pipeline().fit_files([p]).vocab.tokens
        ['b', 'a']
        """
        return self.fit_counts(self.count_files(paths, errors=errors, progress=progress))

    def fit_counts(self, counts: Counts) -> Pipeline:
        """Fit the vocabulary from (merged) counts; returns self.

        >>> import textprep as tp
        >>> pipe = tp.Pipeline()
        >>> pipe.fit_counts(pipe.count(["x"])).vocab.tokens
        ['x']
        """
        if not isinstance(counts, Counts):
            raise TypeError(f"fit_counts expects textprep.Counts, got {type(counts).__name__}")
        self._core = self._core.fit_counts(counts._core)
        return self

    def extend_vocab(self, texts_or_counts: Iterable[str] | Counts, max_new: int | None = None) -> int:
        """Append tokens first seen in ``texts_or_counts`` after the existing ids (ranked by count desc, token
        asc; ``min_freq``/``max_df``/``max_tokens`` apply). Existing ids never change, so a deployed model keeps
        working and new embedding rows can be appended. Returns how many tokens were added.

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
        core, added = self._core.extend_vocab(counts._core, max_new)
        self._core = core
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
        """The pipeline as one versioned JSON artifact (config, versions, vocabulary, fingerprint).

        >>> import textprep as tp
        >>> pipe = tp.Pipeline().fit(["a b"])
        >>> tp.Pipeline.from_json(pipe.to_json()).vocab.tokens
        ['a', 'b']
        """
        return str(self._core.to_json())

    @classmethod
    def from_json(cls, text: str) -> Pipeline:
        """Rebuild a pipeline from ``to_json`` output. A newer format raises ``ArtifactVersionError``; a truncated
        or modified document raises ``ArtifactError`` naming what is wrong.

        >>> import textprep as tp
        >>> tp.Pipeline.from_json('{"format": "textprep.pipeline"')
        Traceback (most recent call last):
        textprep.errors.ArtifactError: invalid artifact: not valid JSON (the file is truncated): ...
        """
        if not isinstance(text, str):
            raise TypeError(f"from_json expects str, got {type(text).__name__}")
        from .interop._external import from_external_json, is_external_artifact

        if is_external_artifact(text):  # a spaCy- or HF-backed pipeline (textprep.interop)
            return from_external_json(text)
        return cls._from_core(_core.Pipeline.from_json(text))

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
    def load(cls, path: str | os.PathLike[str]) -> Pipeline:
        """Read a pipeline saved with ``save``; errors name the file.

        >>> import textprep as tp
        >>> tp.Pipeline.load("/nonexistent/pipe.json")
        Traceback (most recent call last):
        FileNotFoundError: ...
        """
        from .io import read_artifact_text

        text = read_artifact_text(path)
        try:
            return cls.from_json(text)
        except ArtifactError as e:
            raise type(e)(f"{os.fspath(path)}: {e}") from None

    @property
    def fingerprint(self) -> str:
        """A stable hash of the behaviour (format, config, vocabulary): equal fingerprints give equal ids.

        >>> import textprep as tp
        >>> tp.Pipeline().fingerprint == tp.Pipeline().fingerprint != tp.Pipeline(case="keep").fingerprint
        True
        """
        return str(self._core.fingerprint())

    def __getstate__(self) -> dict[str, str]:
        return {"artifact": self.to_json()}

    def __setstate__(self, state: dict[str, str]) -> None:
        self._core = _core.Pipeline.from_json(state["artifact"])

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


__all__ = ["Batch", "Counts", "Pipeline", "Vocab", "as_text_list", "iter_chunks"]
