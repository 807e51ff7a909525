"""Text vectors formats: word2vec text (a ``<count> <dim>`` header), fastText ``.vec`` (the same) and GloVe (no
header). The rows are parsed in Rust (``textprep_core::vectors``), block by block, detached from the interpreter.

>>> import os, tempfile
>>> p = os.path.join(tempfile.mkdtemp(), "g.txt"); _ = open(p, "w").write("a 1 2\\nb 3 4\\n")
>>> read_text(p, "glove", None, "error", "strict", False).words
['a', 'b']
"""

from __future__ import annotations

import os

import numpy as np

from .. import _core
from ..progress import progress_bar
from ._io import _BOM, _MAX_DIM, _MAX_HEADER_ROWS, PathLike, _err, _open, _parse_header, load_report
from .table import Vectors

# The rows of a text file are parsed in Rust (textprep_core::vectors) from blocks of this size; the parser carries
# a line cut by a block boundary over to the next block, so no block is copied or re-joined here. Small enough
# that reading stays a small fraction of any file's size in memory, large enough that the per-call cost
# (a few microseconds) is noise: ~330 calls for GloVe 6B 50d.
_TEXT_BLOCK = 1 << 19


def read_text(
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
            name,
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
            words.extend(parser.feed(block))  # a malformed row raises VectorsFormatError naming file and line
            bar.update(len(block))
        new, mat = parser.finish()
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
    report = load_report(
        os.fspath(path),
        fmt,
        rows,
        len(words),
        dim,
        compression=compression,
        header=header,
        duplicates=dups,
        nan_rows=len(bad),
        replaced_words=replaced,
    )
    return Vectors(words, mat, index={w: i for i, w in enumerate(words)}, report=report)
