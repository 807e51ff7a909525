"""Hashing against the real peers: scikit-learn's murmurhash3_32 and HashingVectorizer, Keras Hashing."""

from __future__ import annotations

import numpy as np
import pytest
import textprep as tp
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EDGE_CASES

sklearn_utils = pytest.importorskip("sklearn.utils")
sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")

WORDS = ["", "a", "apple", "Straße", "日本語", "👍🏽", "x" * 100, "don't", "ΣΑΣ", *EDGE_CASES]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(max_size=30), min_size=1, max_size=20),
    st.integers(0, 2**31 - 1),
    st.integers(1, 2**31 - 2),
)
def test_murmur3_equals_sklearn(tokens, seed, n):
    ids, signs = tp.hash_tokens(tokens, n, algorithm="murmur3_32", seed=seed, signed=True)
    for t, i, s in zip(tokens, ids, signs, strict=True):
        h = int(sklearn_utils.murmurhash3_32(t, seed=seed))
        expected = (2**31 - 1 - (n - 1)) % n if h == -(2**31) else abs(h) % n
        assert i == expected
        assert s == (1.0 if h >= 0 else -1.0)


@pytest.mark.parametrize("alternate_sign", [True, False])
@pytest.mark.parametrize("n_features", [16, 2**20])
def test_hashing_vectorizer_counts_equal(en_lines, multi_lines, alternate_sign, n_features):
    texts = [*en_lines[:200], *multi_lines[:50], *EDGE_CASES]
    hv = sklearn_text.HashingVectorizer(n_features=n_features, norm=None, alternate_sign=alternate_sign)
    expected = hv.transform(texts)
    pipe = tp.Pipeline.preset("sklearn", hash="murmur3_32", n_buckets=n_features, signed=alternate_sign)
    got = pipe.encode_bag(texts, mode="count")
    assert got.shape == expected.shape
    diff = (got - expected.astype(np.float32)).toarray()
    assert np.abs(diff).max() == 0


def test_hashing_vectorizer_binary_and_ngrams(en_lines):
    texts = en_lines[:100]
    hv = sklearn_text.HashingVectorizer(
        n_features=2**18, norm=None, ngram_range=(1, 2), binary=True, alternate_sign=False
    )
    pipe = tp.Pipeline.preset("sklearn", hash="murmur3_32", n_buckets=2**18, signed=False, ngrams=[1, 2])
    assert np.array_equal(pipe.encode_bag(texts, mode="multi_hot").toarray(), hv.transform(texts).toarray())


def test_keras_hashing_layer_ids():
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    for n in (7, 1000, 2**31 - 1):
        layer = keras.layers.Hashing(num_bins=n)
        expected = keras.ops.convert_to_numpy(layer(np.array(WORDS, dtype=object))).ravel().tolist()
        assert tp.hash_tokens(WORDS, n, algorithm="farmhash64").tolist() == expected


def test_keras_preset_hashed_pipeline_matches_hashing_layer(en_lines):
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    pipe = tp.Pipeline.preset("keras", hash="farmhash64", n_buckets=5000)
    tokens = [t for doc in pipe.tokenize_batch(en_lines[:50]) for t in doc]
    values, _ = pipe.encode_ragged(en_lines[:50])
    layer = keras.layers.Hashing(num_bins=5000)
    assert (
        values.tolist() == keras.ops.convert_to_numpy(layer(np.array(tokens, dtype=object))).ravel().tolist()
    )


def test_k_hashes_and_padded_layout():
    ids = tp.hash_tokens(["a", "b"], 100, k=3)
    assert ids.shape == (2, 3) and ids.dtype == np.int64
    assert (ids[:, 0] == tp.hash_tokens(["a", "b"], 100)).all()
    pipe = tp.Pipeline(n_buckets=100, num_hashes=3, maxlen=4)
    batch = pipe.encode_batch(["a b"])
    assert batch.ids.shape == (1, 4, 3)
    assert (batch.ids[0, :2] == ids + 1).all() and (batch.ids[0, 2:] == 0).all()


def test_seed_changes_ids_and_is_stored():
    a = tp.hash_tokens(WORDS, 2**20, seed=1)
    b = tp.hash_tokens(WORDS, 2**20, seed=2)
    assert (a != b).any()
    pipe = tp.Pipeline(n_buckets=2**20, seed=7)
    assert tp.Pipeline.from_json(pipe.to_json()).config["hashing"]["seed"] == 7


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"algorithm": "md5"}, "algorithm"),
        ({"k": 0}, "k must"),
        ({"seed": -1}, "seed"),
        ({"n_buckets": 0}, "n_buckets"),
    ],
)
def test_hash_tokens_validation(kwargs, needle):
    args = {"tokens": ["a"], "n_buckets": 10, **kwargs}
    with pytest.raises(tp.ConfigError, match=needle):
        tp.hash_tokens(**args)


def test_hashes_identical_across_processes_and_hash_seeds():
    import os
    import subprocess
    import sys

    code = "import textprep as tp; print(tp.hash_tokens(['apple', 'Straße'], 2**31 - 2).tolist())"
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outs) == 1
