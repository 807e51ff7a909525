"""HF tokenizers interoperability against the real tokenizers package (models trained in the test)."""

from __future__ import annotations

import json
import pickle
from collections import Counter

import numpy as np
import pytest

tokenizers = pytest.importorskip("tokenizers")
import textprep as tp  # noqa: E402
from textprep.errors import ArtifactError, ConfigError, NotFittedError  # noqa: E402
from textprep.interop.hf import HFPipeline, export_tokenizer_json  # noqa: E402
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers  # noqa: E402

from .conftest import EDGE_CASES  # noqa: E402


@pytest.fixture(scope="module")
def corpus(en_lines: list[str]) -> list[str]:
    return en_lines[:600]


@pytest.mark.parametrize("model", ["bpe", "wordpiece", "unigram"])
def test_train_subword_ids_offsets_padding(corpus: list[str], model: str) -> None:
    base = tp.Pipeline(case="lower", unicode="nfkc", maxlen=24, padding="post", truncating="post")
    pipe = tp.train_subword(base, corpus, model=model, vocab_size=400)
    assert isinstance(pipe, HFPipeline) and pipe.config["tokenize"]["split"] == "hf"
    tok = pipe.tokenizer
    assert tok.get_vocab_size() <= 400
    texts = [*EDGE_CASES, *corpus[:100]]
    normed = [base.normalize(t) for t in texts]
    hf = tok.encode_batch(normed)
    assert pipe.tokenize_batch(texts) == [e.tokens for e in hf]
    values, splits = pipe.encode_ragged(texts)
    for r, e in enumerate(hf):
        assert (values[splits[r] : splits[r + 1]] - 1).tolist() == e.ids
    for t, e in zip(texts[:40], hf[:40], strict=True):
        assert pipe.offsets(t) == [tuple(o) for o in e.offsets]
        assert pipe.encode(t).tolist() == [i + 1 for i in e.ids]
    b = pipe.encode_batch(texts)
    assert b.ids.shape == (len(texts), 24) and b.ids.dtype == np.int32
    for r, e in enumerate(hf):
        n = min(len(e.ids), 24)
        assert b.lengths[r] == n
        assert b.ids[r, :n].tolist() == [i + 1 for i in e.ids[:n]]
        assert not b.ids[r, n:].any()
    # pre padding / pre truncation
    pre = tp.train_subword(
        tp.Pipeline(maxlen=5, padding="pre", truncating="pre"), corpus, model=model, vocab_size=400
    )
    bp = pre.encode_batch(texts)
    for r, e in enumerate(pre.tokenizer.encode_batch(normed)):
        row = [i + 1 for i in e.ids][-5:]
        assert bp.ids[r].tolist() == [0] * (5 - len(row)) + row
    # decode gives the HF tokens back
    assert pipe.decode(pipe.encode(texts[30])) == hf[30].tokens


def test_bags_and_tf_idf(corpus: list[str]) -> None:
    pipe = tp.train_subword(tp.Pipeline(), corpus, model="wordpiece", vocab_size=300)
    texts = corpus[:50]
    bag = pipe.encode_bag(texts)
    assert bag.shape == (50, pipe.id_space)
    for r, t in enumerate(texts[:20]):
        c = Counter(pipe.encode(t).tolist())
        assert {int(j): int(bag[r, j]) for j in bag[r].indices} == dict(c)
    assert set(np.unique(pipe.encode_bag(texts, mode="multi_hot").data)) <= {1.0}
    with pytest.raises(NotFittedError, match="fit"):
        pipe.encode_bag(texts, mode="tf_idf")
    from sklearn.feature_extraction.text import TfidfTransformer

    pipe.fit(corpus)
    ours = pipe.encode_bag(texts, mode="tf_idf", norm="l2").toarray()
    ref = TfidfTransformer(norm="l2").fit(pipe.encode_bag(corpus)).transform(pipe.encode_bag(texts)).toarray()
    assert np.allclose(ours, ref, atol=1e-5)
    with pytest.raises(ConfigError, match="mode='bags'"):
        pipe.encode_bag(texts, mode="bags")


def test_tokenizer_json_file_and_raw_text(tmp_path, corpus: list[str]) -> None:
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.train_from_iterator(
        corpus, trainers.BpeTrainer(vocab_size=500, special_tokens=["[UNK]"], show_progress=False)
    )
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    pipe = tp.Pipeline(split="hf", tokenizer=str(path), textprep_normalize=False)
    texts = [*EDGE_CASES, *corpus[:50]]
    got = pipe.encode_ragged(texts)
    want = [e.ids for e in tok.encode_batch(texts)]
    assert [(got[0][got[1][r] : got[1][r + 1]] - 1).tolist() for r in range(len(texts))] == want
    assert pipe.normalize("ÀB") == "ÀB"  # no textprep normalization in front
    with pytest.raises(FileNotFoundError, match=r"tokenizer\.json"):
        tp.Pipeline(split="hf", tokenizer=str(tmp_path / "missing.json"))
    with pytest.raises(ConfigError, match="needs tokenizer="):
        tp.Pipeline(split="hf")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        pipe.encode_batch(["a", 1])


def test_artifact_embeds_tokenizer_json(tmp_path, corpus: list[str]) -> None:
    pipe = tp.train_subword(tp.Pipeline(maxlen=16, case="keep"), corpus, model="unigram", vocab_size=300)
    pipe.fit(corpus[:100])
    texts = corpus[100:140]
    path = tmp_path / "pipe.json"
    pipe.save(path)
    doc = json.loads(path.read_text())
    assert doc["backend"] == "hf" and json.loads(doc["tokenizer"])["model"]["type"] == "Unigram"
    loaded = tp.Pipeline.load(path)
    assert isinstance(loaded, HFPipeline)
    assert np.array_equal(loaded(texts), pipe(texts))
    assert np.allclose(
        loaded.encode_bag(texts, mode="tf_idf").toarray(), pipe.encode_bag(texts, mode="tf_idf").toarray()
    )
    assert np.array_equal(pickle.loads(pickle.dumps(pipe))(texts), pipe(texts))
    assert loaded.fingerprint == pipe.fingerprint
    doc["tokenizer"] = doc["tokenizer"][:50]
    with pytest.raises(ArtifactError, match=r"tokenizer\.json"):
        tp.Pipeline.from_json(json.dumps(doc))


@pytest.mark.slow
def test_keras_feed(corpus: list[str]) -> None:
    keras = pytest.importorskip("keras")
    pipe = tp.train_subword(tp.Pipeline(maxlen=20), corpus, model="bpe", vocab_size=300)
    labels = np.array([len(t) % 2 for t in corpus[:64]], dtype=np.int32)
    ds = tp.keras.TextDataset(pipe, corpus[:64], labels, batch_size=16, shuffle=False)
    x, _y = ds[0]
    assert np.array_equal(np.asarray(x), pipe.encode_batch(corpus[:16]).ids)
    model = keras.Sequential(
        [
            keras.Input((20,), dtype="int32"),
            keras.layers.Embedding(pipe.id_space, 8, mask_zero=True),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile("adam", "binary_crossentropy")
    hist = model.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])


# -- export ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [
        {"split": "whitespace.v1", "case": "lower_char", "unicode": "nfkc"},
        {"split": "whitespace.v1", "case": "keep", "unicode": "nfc", "strip_control": False},
        {"split": "ascii_whitespace.v1", "case": "lower_char", "unicode": "none", "remove_chars": "!?.,'\""},
        {"preset": "bert"},
    ],
)
def test_export_word_level_matches_textprep(
    tmp_path, corpus: list[str], multi_lines: list[str], options: dict
) -> None:
    opts = dict(options)
    preset = opts.pop("preset", None)
    pipe = (tp.Pipeline.preset(preset) if preset else tp.Pipeline(**opts)).fit(corpus)
    path = tmp_path / "tokenizer.json"
    text = export_tokenizer_json(pipe, path)
    hf = Tokenizer.from_file(str(path))
    assert json.loads(text)["model"]["type"] == "WordLevel"
    texts = [*EDGE_CASES, *corpus[:200], *multi_lines[:100]]
    got = [e.ids for e in hf.encode_batch(texts)]
    want = [pipe.encode(t).tolist() for t in texts]
    mismatches = [t for t, g, w in zip(texts, got, want, strict=True) if g != w]
    assert not mismatches, mismatches[:3]


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({}, "case='lower'"),
        ({"case": "lower_char"}, "split='words.v1'"),
        ({"case": "lower_char", "split": "whitespace.v1", "min_len": 2}, "min_len=2"),
        ({"case": "lower_char", "split": "whitespace.v1", "url": "replace"}, "url='replace'"),
        ({"case": "lower_char", "split": "whitespace.v1", "num_oov_buckets": 3}, "num_oov_buckets=3"),
        ({"case": "lower_char", "split": "whitespace.v1", "whitespace": "collapse"}, "whitespace='collapse'"),
        ({"case": "lower_char", "split": "whitespace.v1", "ngrams": [1, 2]}, "ngrams=[1, 2]"),
    ],
)
def test_export_names_the_option_hf_cannot_express(options: dict, named: str) -> None:
    pipe = tp.Pipeline(**options).fit(["a b c"])
    with pytest.raises(ConfigError, match=f"{__import__('re').escape(named)}.*cannot be expressed"):
        export_tokenizer_json(pipe)


def test_export_rejects_hashed_and_unfitted() -> None:
    with pytest.raises(ConfigError, match="n_buckets=8"):
        export_tokenizer_json(tp.Pipeline(n_buckets=8, split="whitespace.v1", case="lower_char"))
    with pytest.raises(NotFittedError):
        export_tokenizer_json(tp.Pipeline(split="whitespace.v1", case="lower_char"))
    with pytest.raises(TypeError, match="word-level"):
        export_tokenizer_json(tp.Pipeline(split="spacy", nlp="blank:en"))
