"""A ``.npy`` matrix plus its word list (a list, a one-word-per-line file, or a Parquet column), e.g. the tables
that ship as PyPI packages (:func:`textprep.embeddings.load_named`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import VectorsFormatError
from ._io import PathLike, load_report
from .table import Vectors


def read_word_list(words: Any) -> list[str]:
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


def read_npy(path: PathLike, words: Any, keep: set[str] | None) -> Vectors:
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
    wl = read_word_list(words)
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
    report = load_report(os.fspath(path), "npy", len(wl), len(kept), int(table.shape[1]), duplicates=dups)
    return Vectors(kept, mat, index=index, report=report)
