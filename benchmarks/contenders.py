"""The benchmark contenders and corpus helpers, shared by the pytest-benchmark files (``bench_*.py``) and
``report.py``. They live in the package (:mod:`textprep.bench.contenders`, also behind ``textprep bench``);
this module re-exports them so the benchmark files read as before.

A contender is a ``make(texts, path)`` function that does everything that is not timed and returns the
zero-argument callable that is timed. Peers that are not installed raise ``Unavailable``.
"""

from __future__ import annotations

from textprep.bench.contenders import (
    CHECK_LINES,
    CPUS,
    ENCODE,
    FIT,
    HASHING,
    MAX_TOKENS,
    MAXLEN,
    N_BUCKETS,
    PRESETS,
    TASK_TITLES,
    TASKS,
    TOKENIZE,
    VECTORS,
    Contender,
    NotInstalled,
    Unavailable,
    corpus_file,
    corpus_slice_file,
    find,
    glove_text_file,
    mismatch,
    preset_pairs,
    read_lines,
    spread,
    utf8_bytes,
    write_lines,
)

__all__ = [
    "CHECK_LINES",
    "CPUS",
    "ENCODE",
    "FIT",
    "HASHING",
    "MAXLEN",
    "MAX_TOKENS",
    "N_BUCKETS",
    "PRESETS",
    "TASKS",
    "TASK_TITLES",
    "TOKENIZE",
    "VECTORS",
    "Contender",
    "NotInstalled",
    "Unavailable",
    "corpus_file",
    "corpus_slice_file",
    "find",
    "glove_text_file",
    "mismatch",
    "preset_pairs",
    "read_lines",
    "spread",
    "utf8_bytes",
    "write_lines",
]
