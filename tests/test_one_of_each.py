"""One of each: one name per idea (old spellings deprecated), one error conversion with structured attributes, one
corpus reader, hashes and n-grams only in the engine (bit-identical to the Python code they replaced)."""

from __future__ import annotations

import random
import subprocess
import sys
import warnings

import numpy as np
import pytest
import textprep as tp
import textprep.pipeline as tpp
from textprep import _core
from textprep.embeddings.load import murmurhash64a
from textprep.embeddings.table import SubwordModel, char_ngrams, fasttext_hash


def _random_strings(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    pools = [(0x20, 0x7E), (0xA0, 0x2FF), (0x370, 0x4FF), (0x900, 0x97F), (0x3040, 0x30FF), (0x4E00, 0x4FFF)]
    pools.append((0x1F300, 0x1F64F))
    return [
        "".join(chr(rng.randint(*rng.choice(pools))) for _ in range(rng.randint(0, 30))) for _ in range(n)
    ]


# -- the Python code these functions replaced: the oracles -------------------------------------------------------
def _py_fasttext_hash(data: bytes) -> int:
    h = 2166136261
    for b in data:
        h ^= b if b < 0x80 else (b | 0xFFFFFF00)
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def _py_char_ngrams(word: str, minn: int, maxn: int) -> list[str]:
    ext = f"<{word}>"
    out = []
    for i in range(len(ext)):
        for n in range(1, maxn + 1):
            j = i + n
            if j > len(ext):
                break
            if n >= minn and not (n == 1 and (i == 0 or j == len(ext))):
                out.append(ext[i:j])
    return out


def _py_murmurhash64a(data: bytes, seed: int = 1) -> int:
    m, mask = 0xC6A4A7935BD1E995, (1 << 64) - 1
    h = (seed ^ (len(data) * m)) & mask
    nblocks = len(data) // 8
    for i in range(nblocks):
        k = (int.from_bytes(data[8 * i : 8 * i + 8], "little") * m) & mask
        k ^= k >> 47
        h ^= (k * m) & mask
        h = (h * m) & mask
    if tail := data[8 * nblocks :]:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & mask
    h ^= h >> 47
    h = (h * m) & mask
    return h ^ (h >> 47)


def test_engine_hashes_and_ngrams_equal_the_python_they_replaced() -> None:
    words = _random_strings(3000)
    for w in words:
        b = w.encode("utf-8")
        assert fasttext_hash(b) == _py_fasttext_hash(b)
        assert murmurhash64a(b) == _py_murmurhash64a(b)
        assert murmurhash64a(b, 7) == _py_murmurhash64a(b, 7)
    for minn, maxn in ((1, 1), (1, 4), (3, 6), (2, 2), (5, 3), (0, 3)):
        assert [char_ngrams(w, minn, maxn) for w in words[:500]] == [
            _py_char_ngrams(w, minn, maxn) for w in words[:500]
        ]
    sub = SubwordModel(np.zeros((1009, 1), np.float32), 3, 6)
    rows, splits = _core.fasttext_ngram_rows(words, 3, 6, 1009)
    for i, w in enumerate(words[:500]):
        want = [_py_fasttext_hash(g.encode()) % 1009 for g in _py_char_ngrams(w, 3, 6)]
        assert sub.ngram_rows(w) == want == rows[splits[i] : splits[i + 1]].tolist()
    hashes = _core.string_hashes(words, "murmurhash64a", 0)
    assert hashes.dtype == np.uint64 and [int(h) for h in hashes] == [
        _py_murmurhash64a(w.encode()) for w in words
    ]


# -- one name per idea -------------------------------------------------------------------------------------------
def test_hash_and_num_hashes_everywhere_old_spellings_warn() -> None:
    toks = _random_strings(50, seed=3)
    new = tp.hash_tokens(toks, 1000, hash="farmhash64", num_hashes=3)
    with pytest.warns(DeprecationWarning, match="algorithm"), pytest.warns(DeprecationWarning, match="k="):
        old = tp.hash_tokens(toks, 1000, algorithm="farmhash64", k=3)
    assert np.array_equal(new, old) and new.shape == (50, 3)
    with pytest.warns(DeprecationWarning, match="use num_hashes="):
        a = tp.Pipeline(n_buckets=100, k=2)
    b = tp.Pipeline(n_buckets=100, num_hashes=2)
    assert a.config == b.config and a.fingerprint == b.fingerprint


def test_surrogates_is_the_lone_surrogate_policy_and_keeps_the_v1_leaf() -> None:
    pipe = tp.Pipeline(surrogates="replace", strip_control=False)
    assert pipe.config["normalize"]["errors"] == "replace"  # the artifact keeps the v1 leaf name
    assert pipe.normalize("a\ud800b") == "a\ufffdb"
    with pytest.warns(DeprecationWarning, match="surrogates="):
        old = tp.Pipeline(errors="replace", strip_control=False)
    assert old.fingerprint == pipe.fingerprint
    with pytest.raises(ValueError, match="surrogates='replace'") as e:
        tp.Pipeline().encode_batch(["ok", "x\udc00"])
    assert (e.value.index, e.value.position) == (1, 1)


def test_encoding_errors_names_the_file_policy(tmp_path) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(b"ok\nbad \xff\n")
    assert tp.Pipeline().count_files(p, encoding_errors="skip").n_docs == 1
    with pytest.warns(DeprecationWarning, match="encoding_errors"):
        assert tp.Pipeline().count_files(p, errors="skip").n_docs == 1
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "textprep.cli",
            "fit",
            str(p),
            "-o",
            str(tmp_path / "p.json"),
            "--errors",
            "skip",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and "--errors is deprecated" in run.stderr


def test_hash_embedding_num_hashes() -> None:
    keras = pytest.importorskip("keras")
    from textprep.keras import HashEmbedding

    layer = HashEmbedding(100, 4, num_hashes=3)
    assert layer.get_config()["num_hashes"] == 3
    with pytest.warns(DeprecationWarning, match="num_hashes"):
        old = HashEmbedding(100, 4, k=3)
    assert old.num_hashes == 3
    ids = np.ones((1, 2, 3), np.int32)
    assert tuple(layer(ids).shape) == tuple(keras.ops.shape(old(ids))) == (1, 2, 4)


# -- one error conversion, structured attributes -----------------------------------------------------------------
def test_errors_carry_where_as_attributes(tmp_path, monkeypatch) -> None:
    with pytest.raises(tp.ConfigError) as e:
        tp.Pipeline(padding="left")
    assert e.value.config_path == "encode.padding"
    # a stream is consumed in chunks: the index is the stream's, not the chunk's
    monkeypatch.setattr(tpp, "FIT_CHUNK_DOCS", 4)
    with pytest.raises(TypeError, match=r"^texts\[9\]: expected str, got NoneType") as e:
        tp.Pipeline().fit(iter(["a"] * 9 + [None]))
    assert e.value.index == 9
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine\n\xef\xbb\xbf ok \xc3\n")
    for call in (
        lambda: tp.Pipeline().fit_files(bad),
        lambda: tp.Pipeline(n_buckets=8, maxlen=2).encode_files(bad, tmp_path / "o"),
    ):
        with pytest.raises(tp.FileDecodeError) as e:
            call()
        err = e.value
        assert isinstance(err, OSError) and isinstance(err, UnicodeError)
        assert (err.filename, err.line, err.byte) == (str(bad), 2, 7)  # a BOM is only dropped at the start
        assert (
            str(err)
            == f"{bad}:2: invalid UTF-8 at byte 7 of the line; pass encoding_errors='replace' or encoding_errors='skip'"
        )
    with pytest.raises(FileNotFoundError):
        _core.LineReader(str(tmp_path / "missing.txt"))
    vec = tmp_path / "v.txt"
    vec.write_text("a 1 2\nb 1\n", encoding="utf-8")
    with pytest.raises(
        tp.VectorsFormatError, match=r"^v\.txt: line 2: expected 2 values after the word 'b', found 1$"
    ) as e:
        tp.load_vectors(vec)
    assert (e.value.filename, e.value.line) == ("v.txt", 2)


def test_engine_panics_never_reach_python_as_panic_exception() -> None:
    # every bridge entry goes through one guard; a panic would surface as TextprepError ("internal error ...")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tp.Pipeline().tokenize("ok") == ["ok"]
