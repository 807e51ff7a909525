"""The Pipeline front door: construction, keywords, batches, fitting, ids."""

from __future__ import annotations

import numpy as np
import pytest
import textprep as tp


def test_flat_keywords_reach_their_section():
    pipe = tp.Pipeline(case="keep", split="whitespace.v1", max_tokens=10, maxlen=5, n_buckets=7)
    cfg = pipe.config
    assert cfg["normalize"]["case"] == "keep"
    assert cfg["tokenize"]["split"] == "whitespace.v1"
    assert cfg["vocab"]["max_tokens"] == 10
    assert cfg["encode"]["maxlen"] == 5
    assert cfg["hashing"]["n_buckets"] == 7


def test_nested_config_and_keywords_merge():
    pipe = tp.Pipeline({"tokenize": {"split": "whitespace.v1"}}, case="keep")
    assert pipe.tokenize("A b") == ["A", "b"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"case": "lowr"}, "normalize.case"),
        ({"unicode": "nfkx"}, "normalize.unicode"),
        ({"split": "nope.v1"}, "tokenize.split"),
        ({"split": "regex.v1", "pattern": "("}, "tokenize.pattern"),
        ({"split": "regex.v1"}, "tokenize.pattern"),
        ({"ngrams": [2, 1]}, "tokenize.ngrams"),
        ({"max_df": 1.5}, "vocab.max_df"),
        ({"n_buckets": 0}, "hashing.n_buckets"),
        ({"maxlen": 0}, "encode.maxlen"),
        ({"padding": "left"}, "encode.padding"),
        ({"min_freq": "two"}, "vocab.min_freq"),
        ({"splitt": "words.v1"}, "did you mean split"),
    ],
)
def test_invalid_config_names_field_and_allowed_values(kwargs, needle):
    with pytest.raises(tp.ConfigError) as info:
        tp.Pipeline(**kwargs)
    assert needle in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_enum_lists_allowed_values():
    with pytest.raises(tp.ConfigError, match=r"keep.*lower.*fold"):
        tp.Pipeline(case="upper")


def test_unknown_preset():
    with pytest.raises(tp.ConfigError, match="did you mean 'sklearn'"):
        tp.Pipeline.preset("sklear")


def test_fit_and_encode_layout():
    pipe = tp.Pipeline(maxlen=4).fit(["b a b", "c b"])
    # 0 pad, 1 OOV, then ranked by (count desc, token asc)
    assert pipe.vocab.tokens == ["b", "a", "c"]
    assert pipe(["a b z"]).tolist() == [[3, 2, 1, 0]]
    assert pipe.id_space == 5


def test_fit_is_order_and_chunk_independent(en_lines):
    a = tp.Pipeline(max_tokens=300).fit(en_lines).vocab.tokens
    b = tp.Pipeline(max_tokens=300).fit(list(reversed(en_lines))).vocab.tokens
    c = tp.Pipeline(max_tokens=300).fit(iter(en_lines)).vocab.tokens
    assert a == b == c


def test_fit_accepts_generators_and_consumes_in_chunks(monkeypatch):
    import textprep.pipeline as tpp

    monkeypatch.setattr(tpp, "FIT_CHUNK_DOCS", 3)
    seen = []

    def gen():
        for i in range(10):
            seen.append(i)
            yield f"w{i % 4} common"

    pipe = tp.Pipeline().fit(gen())
    assert len(seen) == 10
    assert pipe.vocab.tokens[0] == "common"


def test_encode_batch_row_equals_single_encode(en_lines):
    pipe = tp.Pipeline(maxlen=16, truncating="pre", padding="pre").fit(en_lines)
    batch = pipe.encode_batch(en_lines)
    assert batch.ids.dtype == np.int32 and batch.ids.flags.c_contiguous
    assert batch.ids.shape == (len(en_lines), 16)
    for i, text in enumerate(en_lines):
        ids = pipe.encode(text)[-16:]
        row = np.zeros(16, np.int32)
        if len(ids):
            row[16 - len(ids) :] = ids
        assert batch.ids[i].tolist() == row.tolist()
        assert batch.lengths[i] == len(ids)


def test_maxlen_none_is_longest_row():
    pipe = tp.Pipeline(n_buckets=50)
    b = pipe.encode_batch(["a", "a b c", ""])
    assert b.ids.shape == (3, 3)
    assert b.lengths.tolist() == [1, 3, 0]
    assert b.mask.tolist() == [[True, False, False], [True, True, True], [False, False, False]]


def test_empty_batch():
    pipe = tp.Pipeline(n_buckets=50, maxlen=4)
    b = pipe.encode_batch([])
    assert b.ids.shape == (0, 4)


def test_not_fitted_error():
    with pytest.raises(tp.NotFittedError, match="fit"):
        tp.Pipeline().encode_batch(["x"])
    with pytest.raises(tp.NotFittedError):
        _ = tp.Pipeline().vocab


def test_decode_round_trip_with_oov():
    pipe = tp.Pipeline().fit(["the cat sat"])
    ids = pipe.encode("the dog sat")
    assert pipe.decode(ids) == ["the", "[UNK]", "sat"]
    padded = pipe.encode_batch(["the cat"], maxlen=5).ids[0]
    assert pipe.decode(padded) == ["the", "cat"]
    with pytest.raises(ValueError, match="out of range"):
        pipe.decode([99])


def test_ragged_matches_padded(en_lines):
    pipe = tp.Pipeline(n_buckets=1000)
    values, splits = pipe.encode_ragged(en_lines[:50])
    padded = pipe.encode_batch(en_lines[:50])
    for i in range(50):
        row = values[splits[i] : splits[i + 1]]
        assert padded.ids[i, : len(row)].tolist() == row.tolist()


def test_tokenize_batch_outputs_agree(multi_lines):
    pipe = tp.Pipeline()
    lists = pipe.tokenize_batch(multi_lines)
    assert lists == [pipe.tokenize(t) for t in multi_lines]
    arrow = pipe.tokenize_batch(multi_lines, output="arrow")
    assert arrow.to_pylist() == lists
    data, offsets, splits = pipe.tokenize_batch(multi_lines, output="flat")
    assert data.dtype == np.uint8 and offsets[-1] == len(data) and splits[-1] == len(offsets) - 1


def test_hashed_mode_ids_in_range():
    pipe = tp.Pipeline(n_buckets=10)
    ids = pipe.encode_batch(["a b c d e f g h i j k l m n o p"]).ids
    assert ids.min() >= 1 and ids.max() <= 10
    assert pipe.id_space == 11


def test_counts_merge_equals_single_fit(en_lines):
    pipe = tp.Pipeline(max_tokens=100)
    merged = pipe.count(en_lines[:200]).merge(pipe.count(en_lines[200:]))
    assert merged.n_docs == len(en_lines)
    assert tp.Pipeline.from_counts(merged, max_tokens=100).vocab.tokens == pipe.fit(en_lines).vocab.tokens
