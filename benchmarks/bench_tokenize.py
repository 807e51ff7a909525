"""Tokenize: textprep's default pipeline (list / Arrow / flat outputs, 1 and 2 threads) against the peers on
the same input, and each compatibility preset against the peer whose rules it reproduces (tokens checked
equal)."""

from __future__ import annotations

import pytest
from contenders import CHECK_LINES, PRESETS, TOKENIZE, Unavailable, find, mismatch, preset_pairs, spread


@pytest.mark.parametrize("contender", TOKENIZE, ids=lambda c: c.id)
def test_tokenize(run, contender):
    run(contender)


@pytest.mark.parametrize("contender", PRESETS, ids=lambda c: c.id)
def test_preset_pair(run, contender):
    run(contender)


@pytest.mark.parametrize("preset", sorted(preset_pairs()))
def test_preset_tokens_equal_peer(corpus, preset):
    """The preset pairs compare equal work only if the tokens are equal: checked once, outside timing."""
    ours, peer = preset_pairs()[preset]
    assert peer.compare_to == ours.name
    texts = spread(corpus.texts, CHECK_LINES)
    try:
        expected = peer.make(texts, corpus.path)()
    except Unavailable as e:
        pytest.skip(str(e))
    if peer.canon is not None:
        expected = peer.canon(expected)
    got = find("presets", peer.compare_to).make(texts, corpus.path)()
    assert sum(map(len, got)) > len(texts)
    diff = mismatch(got, expected, texts)
    assert diff is None, f"preset {preset!r} vs {peer.name}: {diff}"
