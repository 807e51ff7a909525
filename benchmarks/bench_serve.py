"""Monitoring overhead: ``Monitor.encode_batch`` (ids plus window statistics from the same engine pass) against
``pipe.encode_batch`` on the same documents; the load and batch-endpoint figures come from ``serve_load.py``."""

from __future__ import annotations

import numpy as np
import pytest
import textprep as tp


@pytest.fixture(scope="module")
def fitted(corpus):
    texts = corpus.texts[:20_000]
    return tp.Pipeline(maxlen=128, max_tokens=20_000).fit(texts), texts


@pytest.mark.benchmark(group="monitor")
@pytest.mark.parametrize("monitored", [False, True], ids=["plain", "monitored"])
def test_monitor_overhead(benchmark, fitted, monitored):
    pipe, texts = fitted
    mon = tp.Monitor(pipe, sink=None, window_seconds=3600) if monitored else None
    encode = mon.encode_batch if mon is not None else pipe.encode_batch
    batch = benchmark(encode, texts)
    assert np.array_equal(batch.ids, pipe.encode_batch(texts).ids)
    if mon is not None:
        assert mon.close()
