"""Tokenize: textprep's default pipeline (list / Arrow / flat outputs, 1 and 2 threads) against the peers on
the same input, and each compatibility preset against the peer whose rules it reproduces (tokens checked
equal)."""

from __future__ import annotations

import pytest
from contenders import CHECK_LINES, PRESETS, TOKENIZE, Unavailable, preset_pairs, spread, token_mismatch


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
    texts = spread(corpus.texts, CHECK_LINES)
    assert ours.tokens is not None and peer.tokens is not None
    try:
        expected = peer.tokens(texts)
    except Unavailable as e:
        pytest.skip(str(e))
    mismatch = token_mismatch(ours.tokens(texts), expected, texts)
    assert mismatch is None, f"preset {preset!r} vs {peer.name}: {mismatch}"
