"""Vocabulary options, mergeable counts, the capped counter and the incremental vocabulary."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import textprep as tp

sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")


def test_min_freq_max_tokens_and_ties():
    pipe = tp.Pipeline(min_freq=2, max_tokens=3).fit(["d c b a", "d c b", "d c", "e e"])
    # counts: d3 c3 b2 e2 a1 -> min_freq drops a; ties by token: c < d, b < e
    assert pipe.vocab.tokens == ["c", "d", "b"]


def test_max_df_count_and_fraction():
    texts = ["the a", "the b", "the c", "the a"]
    assert "the" not in tp.Pipeline(max_df=3).fit(texts).vocab.tokens
    assert "the" not in tp.Pipeline(max_df=0.5).fit(texts).vocab.tokens
    assert "the" in tp.Pipeline(max_df=4).fit(texts).vocab.tokens
    assert "the" in tp.Pipeline(max_df=1.0).fit(texts).vocab.tokens


def test_special_tokens_reserved_and_never_counted():
    pipe = tp.Pipeline(special_tokens=["[CLS]", "[SEP]"]).fit(["x [CLS] y x"])
    assert pipe.vocab.tokens[:2] == ["[CLS]", "[SEP]"]
    assert pipe.vocab["[CLS]"] == 2 and pipe.vocab["x"] == 4


def test_num_oov_buckets_spread_deterministically():
    pipe = tp.Pipeline(num_oov_buckets=4).fit(["known"])
    ids = pipe.encode(" ".join(f"unk{i}" for i in range(200)))
    assert set(ids.tolist()) == {1, 2, 3, 4}
    assert (pipe.encode("unk7") == tp.Pipeline(num_oov_buckets=4).fit(["known"]).encode("unk7")).all()
    assert pipe.vocab["known"] == 5


def test_counts_match_countvectorizer(en_lines):
    pipe = tp.Pipeline.preset("sklearn").fit(en_lines)
    cv = sklearn_text.CountVectorizer()
    expected = cv.fit_transform(en_lines)
    got = pipe.encode_bag(en_lines, mode="count")
    # same tokens, same counts; columns differ only in order (ids here, alphabetical there)
    assert sorted(pipe.vocab.tokens) == sorted(cv.get_feature_names_out().tolist())
    order = [pipe.vocab[t] for t in cv.get_feature_names_out()]
    assert np.array_equal(got[:, order].toarray(), expected.toarray())
    assert got[:, :2].nnz == 0  # no padding, no OOV: every token is in the vocabulary


def test_tf_idf_matches_tfidfvectorizer(en_lines):
    pipe = tp.Pipeline.preset("sklearn").fit(en_lines)
    tv = sklearn_text.TfidfVectorizer()
    expected = tv.fit_transform(en_lines).toarray()
    got = pipe.encode_bag(en_lines, mode="tf_idf", norm="l2")
    order = [pipe.vocab[t] for t in tv.get_feature_names_out()]
    assert np.allclose(got[:, order].toarray(), expected, atol=1e-6)


def test_bag_modes_dense_and_errors():
    pipe = tp.Pipeline().fit(["a b b c"])
    dense = pipe.encode_bag(["b b a", "zz"], mode="multi_hot", sparse=False)
    assert dense.dtype == np.float32 and dense.tolist() == [[0, 0, 1, 1, 0], [0, 1, 0, 0, 0]]
    with pytest.raises(tp.ConfigError, match="tf_idf"):
        tp.Pipeline(n_buckets=10).encode_bag(["a"], mode="tf_idf")
    with pytest.raises(tp.ConfigError, match="mode"):
        pipe.encode_bag(["a"], mode="bm25")
    with pytest.raises(tp.NotFittedError):
        tp.Pipeline().encode_bag(["a"])


def test_extend_vocab_never_renumbers():
    pipe = tp.Pipeline().fit(["phone case phone", "charger"])
    old = {t: pipe.vocab[t] for t in pipe.vocab.tokens}
    added = pipe.extend_vocab(["hoverboard hoverboard drone phone"], max_new=1)
    assert added == 1
    assert {t: pipe.vocab[t] for t in old} == old
    assert pipe.vocab["hoverboard"] == max(old.values()) + 1
    assert pipe.vocab["drone"] == 1  # max_new kept only the most frequent new token
    assert pipe.extend_vocab(tp.Pipeline().count(["drone"])) == 1
    assert pipe.vocab["drone"] == max(old.values()) + 2


def test_extend_vocab_needs_a_vocabulary():
    with pytest.raises(tp.NotFittedError):
        tp.Pipeline().extend_vocab(["x"])


def test_counts_serialization_and_pickle():
    c = tp.Pipeline().count(["a b b", "b c"])
    for again in (tp.Counts.from_json(c.to_json()), pickle.loads(pickle.dumps(c))):
        assert again.most_common() == c.most_common() == [("b", 3, 2), ("a", 1, 1), ("c", 1, 1)]
        assert again.n_docs == 2
    with pytest.raises(tp.ArtifactError):
        tp.Counts.from_json('{"format": "textprep.counts"')


def test_capped_counts_keep_frequent_tokens():
    rng = np.random.default_rng(0)
    heavy = ["common"] * 3000 + [f"rare{i}" for i in rng.integers(0, 50_000, size=20_000)]
    rng.shuffle(heavy)
    docs = [" ".join(heavy[i : i + 20]) for i in range(0, len(heavy), 20)]
    pipe = tp.Pipeline()
    capped = tp.Counts().set_cap(500)
    for i in range(0, len(docs), 50):
        capped.merge(pipe.count(docs[i : i + 50]))
    exact = pipe.count(docs)
    assert len(capped) <= 2 * 500 + 1000
    tf, _ = capped["common"]
    assert exact["common"][0] <= tf <= exact["common"][0] + capped.pruned_max
