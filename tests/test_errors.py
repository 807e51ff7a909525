"""Bad input gets a clear exception naming what and where; never a crash or a silent wrong answer."""

from __future__ import annotations

import numpy as np
import pytest
import textprep as tp


@pytest.fixture(scope="module")
def pipe():
    return tp.Pipeline(n_buckets=100)


@pytest.mark.parametrize(("bad", "tname"), [(None, "NoneType"), (b"x", "bytes"), (3, "int"), (["x"], "list")])
def test_non_str_item_names_index_and_type(pipe, bad, tname):
    with pytest.raises(TypeError, match=rf"texts\[2\]: expected str, got {tname}"):
        pipe.encode_batch(["a", "b", bad])
    with pytest.raises(TypeError, match=rf"texts\[1\]: expected str, got {tname}"):
        pipe.tokenize_batch(["a", bad])


def test_bytes_hint(pipe):
    with pytest.raises(TypeError, match="decode"):
        pipe.encode_batch([b"abc"])


def test_single_str_is_rejected(pipe):
    with pytest.raises(TypeError, match="wrap it in a list"):
        pipe.encode_batch("abc")
    with pytest.raises(TypeError, match="wrap it in a list"):
        pipe.fit("abc")


def test_numpy_str_items_are_str(pipe):
    arr = np.array(["a b", "c"])
    assert pipe.encode_batch(arr).ids.shape == (2, 2)
    assert pipe.encode_batch([np.str_("x y")]).lengths.tolist() == [2]


def test_str_subclass_accepted(pipe):
    class S(str):
        pass

    assert pipe.tokenize_batch([S("a b")]) == [["a", "b"]]


def test_lone_surrogate_strict_names_index_and_position(pipe):
    with pytest.raises(ValueError, match=r"texts\[1\] at character 3: lone surrogate U\+D800"):
        pipe.encode_batch(["ok", "abc\ud800def"])
    with pytest.raises(ValueError, match=r"at character 0: lone surrogate U\+DFFF"):
        pipe.tokenize("\udfff")


def test_lone_surrogate_replace_keeps_positions():
    pipe = tp.Pipeline(errors="replace", split="whitespace.v1", strip_control=False)
    text = "ab\ud800c d"
    assert pipe.tokenize(text) == ["ab\ufffdc", "d"]
    assert pipe.offsets(text) == [(0, 4), (5, 6)]
    # strip_control (the default) removes U+FFFD like BERT's clean_text; offsets still cover the source
    cleaned = tp.Pipeline(errors="replace", split="whitespace.v1")
    assert cleaned.tokenize(text) == ["abc", "d"]
    assert cleaned.offsets(text) == [(0, 4), (5, 6)]


def test_decode_rejects_2d_and_floats():
    pipe = tp.Pipeline().fit(["a"])
    with pytest.raises(ValueError, match="1-D"):
        pipe.decode([[1, 2]])
    with pytest.raises(TypeError, match="integers"):
        pipe.decode([1.5])


def test_non_iterable(pipe):
    with pytest.raises(TypeError, match="iterable of str"):
        pipe.encode_batch(5)


def test_no_panic_exception_on_hostile_input(pipe):
    nasty = [
        "\x00" * 10,
        "\u0301" * 10_000,
        "a\u0301" * 1000,
        "\ufeff\u200b",
        "👩‍👩‍👧" * 100,
        "\U0010ffff",
        "",
    ]
    out = pipe.encode_batch(nasty)
    assert out.ids.shape[0] == len(nasty)
