"""Hypothesis invariants of the whole pipeline."""

from __future__ import annotations

import random

import numpy as np
import textprep as tp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_presets import ALPHABET

TEXT = st.lists(
    st.sampled_from([*ALPHABET, "<b>", "</p>", "&amp;", "ﬁ", "ß", "İ", "é", "e\u0301"]), max_size=40
).map("".join)
TEXTS = st.lists(TEXT, max_size=12)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDENTITY = tp.Pipeline(unicode="none", case="keep", strip_control=False, split="whitespace.v1")
DEFAULT = tp.Pipeline()
HEAVY = tp.Pipeline(
    strip_html=True, case="fold", accents="strip", url="replace", number="replace", emoji="replace"
)


@FAST
@given(TEXT)
def test_offsets_slice_back_to_the_token_identity(text):
    toks = IDENTITY.tokenize(text)
    offs = IDENTITY.offsets(text)
    assert [text[a:b] for a, b in offs] == toks


@FAST
@given(TEXT)
def test_offsets_in_bounds_and_ordered(text):
    for pipe in (DEFAULT, HEAVY):
        offs = pipe.offsets(text)
        assert len(offs) == len(pipe.tokenize(text))
        last = 0
        for a, b in offs:
            assert 0 <= a <= b <= len(text)
            assert a >= last or a == b
            last = max(last, a)


@FAST
@given(TEXT)
def test_default_token_comes_from_its_source_slice(text):
    for tok, (a, b) in zip(DEFAULT.tokenize(text), DEFAULT.offsets(text), strict=True):
        assert tok in DEFAULT.normalize(text[a:b])


@FAST
@given(TEXT, st.sampled_from(["nfc", "nfkc", "nfd", "nfkd"]))
def test_unicode_forms_idempotent(text, form):
    pipe = tp.Pipeline(unicode=form, case="keep", strip_control=False)
    once = pipe.normalize(text)
    assert pipe.normalize(once) == once


@FAST
@given(TEXTS, st.integers(1, 12), st.sampled_from(["pre", "post"]), st.sampled_from(["pre", "post"]))
def test_batch_row_equals_single_encode(texts, maxlen, padding, truncating):
    pipe = tp.Pipeline(n_buckets=97, padding=padding, truncating=truncating)
    batch = pipe.encode_batch(texts, maxlen=maxlen)
    assert batch.ids.shape == (len(texts), maxlen)
    for i, t in enumerate(texts):
        ids = pipe.encode(t)
        keep = ids[:maxlen] if truncating == "post" else ids[max(0, len(ids) - maxlen) :]
        row = np.zeros(maxlen, np.int32)
        if padding == "post":
            row[: len(keep)] = keep
        else:
            row[maxlen - len(keep) :] = keep
        assert batch.ids[i].tolist() == row.tolist()
        assert batch.lengths[i] == len(keep)
        assert ((batch.ids[i] >= 0) & (batch.ids[i] <= 97)).all()


@FAST
@given(TEXTS, TEXTS)
def test_decode_encode_is_tokens_with_oov(fit_texts, texts):
    pipe = tp.Pipeline().fit(fit_texts)
    known = set(pipe.vocab.tokens)
    for t in texts:
        expected = [tok if tok in known else "[UNK]" for tok in pipe.tokenize(t)]
        assert pipe.decode(pipe.encode(t)) == expected


@FAST
@given(TEXTS, st.integers(0, 2**32 - 1))
def test_merge_order_never_changes_the_vocabulary(texts, seed):
    pipe = tp.Pipeline(max_tokens=20)
    parts = [pipe.count(texts[i::3]) for i in range(3)]
    rng = random.Random(seed)
    order = parts[:]
    rng.shuffle(order)
    a = tp.Counts().merge(parts[0]).merge(parts[1]).merge(parts[2])
    b = tp.Counts().merge(order[0]).merge(order[1]).merge(order[2])
    va = tp.Pipeline.from_counts(a, max_tokens=20)
    vb = tp.Pipeline.from_counts(b, max_tokens=20)
    if a.n_docs and len(a):
        assert va.vocab.tokens == vb.vocab.tokens == pipe.fit(texts).vocab.tokens


@FAST
@given(TEXTS)
def test_tokenize_batch_equals_single(texts):
    assert DEFAULT.tokenize_batch(texts) == [DEFAULT.tokenize(t) for t in texts]
