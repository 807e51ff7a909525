"""Benchmark fixtures: the corpus (skipped with a reason when absent) and collection of ``bench_*.py``.

With ``--benchmark-disable`` (the CI smoke run) the corpus is a small slice (``SMOKE_LINES`` lines spread over
the file) so the whole run takes seconds; otherwise the full corpus, or ``TEXTPREP_BENCH_LINES`` lines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from contenders import Contender, Unavailable, corpus_slice_file, read_lines, utf8_bytes
from textprep.bench.contenders import shared_corpus

SMOKE_LINES = 2_000


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect ``bench_*.py`` as test modules (the project's pytest config only collects ``test_*.py``)."""
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


@dataclass(frozen=True)
class Corpus:
    texts: list[str]
    path: Path  # a file holding exactly ``texts``, one per line
    nbytes: int  # UTF-8 bytes of the texts (MB/s = nbytes / seconds)


def benchmarks_disabled(config: pytest.Config) -> bool:
    try:
        return bool(config.getoption("benchmark_disable")) and not config.getoption("benchmark_enable")
    except ValueError:  # pytest-benchmark is not installed
        return True


@pytest.fixture(scope="session")
def corpus(request: pytest.FixtureRequest) -> Corpus:
    if benchmarks_disabled(request.config):
        lines: int | None = SMOKE_LINES
    else:
        env = os.environ.get("TEXTPREP_BENCH_LINES")
        lines = int(env) if env else None
    source = shared_corpus()
    if source is None:
        pytest.skip(
            "benchmark corpus shared/data/bench/en_natural.txt.xz is not present "
            "(set TEXTPREP_BENCH_CORPUS or TEXTPREP_SHARED_DATA)"
        )
    try:
        path = corpus_slice_file(lines, source)
    except Unavailable as e:
        pytest.skip(str(e))
    texts = read_lines(path)
    return Corpus(texts, path, utf8_bytes(texts))


@pytest.fixture
def run(benchmark, corpus: Corpus, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``run(contender)``: set it up (not timed), then time it: 3 rounds, or 1 for the slow peers.

    A contender's ``env`` (peer thread counts read per call, e.g. ``TOKENIZERS_PARALLELISM``) is set for
    its run only. ``fresh_process`` rows (TensorFlow at 1 thread: its pools are fixed once it has run) are
    measured by ``report.py`` / ``textprep bench``, which give each contender its own process."""

    def run_contender(c: Contender) -> None:
        for key, value in c.env:
            monkeypatch.setenv(key, value)
        try:
            fn = c.make(corpus.texts, corpus.path)
        except Unavailable as e:
            pytest.skip(str(e))
        benchmark.group = c.group or c.task
        benchmark.extra_info.update(
            {
                "MB": round(corpus.nbytes / 1e6, 3),
                "lines": len(corpus.texts),
                "threads": c.threads,
                "output": c.output,
            }
        )
        result = benchmark.pedantic(fn, rounds=1 if c.slow else 3, iterations=1, warmup_rounds=0)
        assert result is not None

    return run_contender
