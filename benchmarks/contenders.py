"""The benchmark contenders and corpus helpers, shared by the pytest-benchmark files (``bench_*.py``) and
``report.py``. They live in the package (:mod:`textprep.bench.contenders`, also behind ``textprep bench``);
this module re-exports them so the benchmark files read as before.

A contender is a ``make(texts, path)`` function that does everything that is not timed and returns the
zero-argument callable that is timed. Peers that are not installed raise ``Unavailable``.
"""

from __future__ import annotations

import textprep.bench.contenders as _contenders
from textprep.bench.contenders import *  # noqa: F403

__all__ = list(_contenders.__all__)
