"""word2vec binary vectors: a ``<count> <dim>`` header line, then per row a word, a space and ``dim`` little-endian
float32 values.

>>> import os, struct, tempfile
>>> p = os.path.join(tempfile.mkdtemp(), "v.bin")
>>> _ = open(p, "wb").write(b"1 2\\nab " + struct.pack("<2f", 1, 2))
>>> read_word2vec_binary(p, None, "error", "strict", False).words
['ab']
"""

from __future__ import annotations

import os

import numpy as np

from ..progress import progress_bar
from ._io import (
    _MAX_DIM,
    _MAX_HEADER_ROWS,
    PathLike,
    _err,
    _finish_rows,
    _open,
    _parse_header,
    _Reader,
    decode_word,
    load_report,
)
from .table import Vectors


def read_word2vec_binary(
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
                w, repaired = decode_word(wb, name, f"row {row}", encoding_errors)
                replaced += repaired
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
    report = load_report(
        os.fspath(path),
        "word2vec_binary",
        count,
        len(words),
        dim,
        compression=compression,
        header=header,
        duplicates=dups,
        nan_rows=sum(nan_rows),
        replaced_words=replaced,
    )
    return Vectors(words, mat, index=index, report=report)
