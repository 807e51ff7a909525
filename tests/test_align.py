"""Aligning vectors to a pipeline's ids: OOV policies, case fallback, subwords, the coverage report."""

from __future__ import annotations

import numpy as np
import pytest
import textprep as tp
from textprep.embeddings import Embeddings, Vectors, load_vectors

from .conftest import shared_file

TEXTS = ["The cat sat on the mat", "The Dog ate the cat food", "Zyzzyva sat"]


@pytest.fixture
def vecs():
    words = ["the", "cat", "dog", "sat", "on", "Mat"]
    return Vectors(words, np.arange(len(words) * 4, dtype=np.float32).reshape(-1, 4) + 1)


@pytest.fixture
def pipe():
    return tp.Pipeline(case="keep", maxlen=8).fit(TEXTS)


def rows(pipe):
    k = pipe.vocab.num_oov_buckets
    return {t: i + 1 + k for i, t in enumerate(pipe.vocab.tokens)}


def test_layout_exact_and_report(vecs, pipe):
    emb = vecs.align(pipe, oov="zeros")
    assert isinstance(emb, Embeddings) and emb.matrix.dtype == np.float32
    assert emb.matrix.shape == (pipe.id_space, 4) == (len(pipe.vocab), 4)
    r = rows(pipe)
    np.testing.assert_array_equal(emb.matrix[r["cat"]], vecs["cat"])
    assert not emb.matrix[0].any() and not emb.matrix[1].any()
    found = {"cat", "sat", "on", "the"}
    tokens = pipe.vocab.tokens
    rep = emb.report
    assert rep["exact"] == len(found) and rep["case_fallback"] == 0 and rep["subword"] == 0
    assert rep["initialised"] == len(tokens) - len(found)
    assert rep["coverage"] == pytest.approx(len(found) / len(tokens))
    assert rep["weighted_coverage"] is None
    expected_mask = np.ones(pipe.id_space, bool)
    expected_mask[0] = False
    for t in found:
        expected_mask[r[t]] = False
    np.testing.assert_array_equal(emb.trainable_mask, expected_mask)


def test_case_fallback_lower_then_title(vecs, pipe):
    emb = vecs.align(pipe, oov="case_fallback", seed=3)
    r = rows(pipe)
    np.testing.assert_array_equal(emb.matrix[r["The"]], vecs["the"])  # lower
    np.testing.assert_array_equal(emb.matrix[r["Dog"]], vecs["dog"])
    np.testing.assert_array_equal(emb.matrix[r["mat"]], vecs["Mat"])  # title
    assert emb.report["case_fallback"] == 3 and emb.report["exact"] == 4
    assert not emb.trainable_mask[r["The"]] and emb.trainable_mask[r["Zyzzyva"]]
    assert emb.matrix[r["Zyzzyva"]].any()  # the rest is random


def test_random_is_seeded_and_scaled(vecs, pipe):
    a = vecs.align(pipe, oov="random", seed=1).matrix
    b = vecs.align(pipe, oov="random", seed=1).matrix
    c = vecs.align(pipe, oov="random", seed=2).matrix
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    big = Vectors([f"w{i}" for i in range(2000)], np.random.default_rng(0).normal(0, 3, (2000, 50)))
    p = tp.Pipeline().fit([" ".join(f"u{i}" for i in range(300))])
    m = big.align(p, oov="random").matrix[1:]
    assert 2.7 < m.std() < 3.3


def test_mean_policy(vecs, pipe):
    emb = vecs.align(pipe, oov="mean")
    mean = vecs.matrix.mean(axis=0)
    np.testing.assert_allclose(emb.matrix[1], mean)
    np.testing.assert_allclose(emb.matrix[rows(pipe)["food"]], mean)
    assert not emb.matrix[0].any()


def test_weighted_coverage(vecs, pipe):
    counts = pipe.count(TEXTS)
    emb = vecs.align(pipe, oov="zeros", counts=counts)
    tf = {t: counts[t][0] for t in pipe.vocab.tokens}
    found = sum(tf[t] for t in ("cat", "sat", "on", "the"))
    assert emb.report["weighted_coverage"] == pytest.approx(found / sum(tf.values()))


def test_plain_word_list_and_errors(vecs):
    emb = vecs.align(["cat", "zzz"], oov="zeros")
    assert emb.matrix.shape == (4, 4) and emb.report["exact"] == 1
    with pytest.raises(ValueError, match="oov= must be one of"):
        vecs.align(["cat"], oov="nope")
    with pytest.raises(ValueError, match="oov='subword' needs fastText vectors"):
        vecs.align(["cat"], oov="subword")
    with pytest.raises(ValueError, match="hashed pipelines"):
        vecs.align(tp.Pipeline(n_buckets=10))


def test_subword_policy_with_gensim_fasttext(pipe):
    gensim = pytest.importorskip("gensim")
    sents = [t.lower().split() for t in TEXTS] * 10
    model = gensim.models.FastText(
        sents, vector_size=6, min_count=1, epochs=1, bucket=500, min_n=2, max_n=3, workers=1, seed=0
    )
    v = load_vectors(model)
    emb = v.align(pipe, oov="subword")
    r = rows(pipe)
    np.testing.assert_allclose(emb.matrix[r["The"]], model.wv["The"], rtol=1e-5, atol=1e-6)
    assert emb.report["subword"] == len(pipe.vocab.tokens) - emb.report["exact"]
    assert emb.report["coverage"] == 1.0


def test_glove_cased_vocab_case_fallback_raises_coverage():
    path = shared_file("fixtures/glove_6B_50d_top300.txt")
    texts = ["The President said that People in New York were there", "THE end"]
    pipe = tp.Pipeline(case="keep").fit(texts)
    v = load_vectors(path, vocab=pipe)
    plain = v.align(pipe, oov="random").report
    fb = v.align(pipe, oov="case_fallback").report
    assert fb["coverage"] > plain["coverage"] and fb["case_fallback"] >= 3
