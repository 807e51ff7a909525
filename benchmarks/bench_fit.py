"""Vocabulary fit (top 20,000): textprep ``fit`` (1 and 2 threads) and ``fit_files`` against the peers."""

from __future__ import annotations

import pytest
from contenders import FIT


@pytest.mark.parametrize("contender", FIT, ids=lambda c: c.id)
def test_fit(run, contender):
    run(contender)
