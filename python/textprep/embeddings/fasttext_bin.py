"""fastText ``.bin`` models: the dictionary, the input matrix (memory-mapped when the file is not compressed) and
the subword buckets, so words without a row get vectors composed from their character n-grams (:class:`SubwordModel`).
"""

from __future__ import annotations

import os
import struct

import numpy as np

from ..progress import progress_bar
from ._io import (
    _FASTTEXT_MAGIC,
    _MAX_DIM,
    PathLike,
    _err,
    _finish_rows,
    _open,
    _Reader,
    decode_word,
    load_report,
)
from .table import SubwordModel, Vectors


def read_fasttext_bin(
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
                w, repaired = decode_word(wb, name, f"dictionary entry {i + 1}", encoding_errors)
                replaced += repaired
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
    mat = sub.vectors(kept)
    nan_rows: list[int] = []
    mat = _finish_rows(
        name, [mat], dim, nan_rows, nan, [f"dictionary entry {dict_words[w] + 1}" for w in kept]
    )
    report = load_report(
        os.fspath(path),
        "fasttext_bin",
        nwords,
        len(kept),
        dim,
        compression=compression,
        header=(nwords, dim),
        duplicates=dups,
        nan_rows=sum(nan_rows),
        replaced_words=replaced,
        bucket=bucket,
        minn=minn,
        maxn=maxn,
    )
    return Vectors(kept, mat, report=report, subwords=sub)
