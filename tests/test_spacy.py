"""spaCy interoperability against the real spaCy 3.8 (spacy.blank only, no downloads)."""

from __future__ import annotations

import json
import pickle
import random
from collections import Counter

import numpy as np
import pytest

spacy = pytest.importorskip("spacy")
import textprep as tp  # noqa: E402
from spacy.strings import hash_string  # noqa: E402
from textprep.errors import ArtifactError, ConfigError  # noqa: E402
from textprep.interop.spacy import SpacyPipeline, add_pipe, add_to_nlp, to_spacy_vectors  # noqa: E402

from .conftest import EDGE_CASES  # noqa: E402


def _random_strings(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    pools = [
        (0x20, 0x7E),
        (0xA0, 0x2FF),
        (0x370, 0x3FF),
        (0x400, 0x4FF),
        (0x900, 0x97F),
        (0x3040, 0x30FF),
        (0x4E00, 0x4FFF),
        (0x1F300, 0x1F64F),
    ]
    out = []
    for _ in range(n):
        lo, hi = rng.choice(pools)
        out.append("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(0, 24))))
    return out


# -- murmurhash64a ---------------------------------------------------------------------------------------------
def test_murmurhash64a_equals_spacy_string_store(en_lines: list[str]) -> None:
    nlp = spacy.blank("en")
    words = sorted({t.text for doc in nlp.tokenizer.pipe(en_lines[:300]) for t in doc})
    strings = [*EDGE_CASES, *words, *_random_strings(2000)]
    strings += [s * k for s in ("ab", "é", "日本") for k in range(1, 20)]  # every tail length 0..7
    for n in (2**31 - 1, 2**31 - 2, 1000003):
        got = tp.hash_tokens(strings, n, algorithm="murmurhash64a")
        want = np.array([hash_string(s) % n for s in strings], dtype=np.int64)
        assert np.array_equal(got, want), n
    # nlp.vocab.strings[s] is the same hash for strings that are not spaCy symbol names
    store = nlp.vocab.strings
    checked = 0
    for s in strings:
        if s and s not in spacy.symbols.IDS:
            assert store[s] == hash_string(s)
            assert int(tp.hash_tokens([s], 2**31 - 1, algorithm="murmurhash64a")[0]) == store[s] % (2**31 - 1)
            checked += 1
    assert checked > 2000


def test_murmurhash64a_hashed_pipeline_and_seed() -> None:
    n = 2**20
    pipe = tp.Pipeline(split="whitespace.v1", case="keep", unicode="none", n_buckets=n, hash="murmurhash64a")
    toks = ["apple", "Straße", "日本語", "😀"]
    assert pipe.encode(" ".join(toks)).tolist() == [1 + hash_string(t) % n for t in toks]
    assert pipe.config["hashing"]["hash"] == "murmurhash64a"
    # seed s uses MurmurHash64A seed 1 + s: a different, stable id stream
    a = tp.hash_tokens(toks, n, algorithm="murmurhash64a", seed=5)
    assert not np.array_equal(a, tp.hash_tokens(toks, n, algorithm="murmurhash64a"))
    assert np.array_equal(a, tp.hash_tokens(toks, n, algorithm="murmurhash64a", seed=5))
    with pytest.raises(ConfigError, match="algorithm='murmurhash64b'"):
        tp.hash_tokens(toks, n, algorithm="murmurhash64b")


# -- spaCy as a tokenization backend ---------------------------------------------------------------------------
def _spacy_tokens(nlp: object, texts: list[str]) -> list[list[str]]:
    return [[t.text for t in doc if not t.is_space] for doc in nlp.tokenizer.pipe(texts)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("make_nlp", ["name", "object"])
def test_spacy_backend_tokens_and_vocabulary_match_spacy(en_lines: list[str], make_nlp: str) -> None:
    nlp = spacy.blank("en")
    texts = [*EDGE_CASES, *en_lines[:400]]
    pipe = tp.Pipeline(
        split="spacy",
        nlp="blank:en" if make_nlp == "name" else nlp,
        case="keep",
        unicode="none",
        strip_control=False,
    )
    assert isinstance(pipe, SpacyPipeline)
    want = _spacy_tokens(nlp, texts)
    assert pipe.tokenize_batch(texts) == want
    assert [pipe.tokenize(t) for t in texts[:50]] == want[:50]
    for t in texts[:60]:
        assert [t[a:b] for a, b in pipe.offsets(t)] == _spacy_tokens(nlp, [t])[0]
    pipe.fit(texts)
    counts = Counter(tok for row in want for tok in row)
    assert pipe.vocab.tokens == sorted(counts, key=lambda w: (-counts[w], w))
    vocab = {w: i for i, w in enumerate(pipe.vocab.tokens, start=2)}
    b = pipe.encode_batch(texts[:20])
    for row, lens, toks in zip(b.ids, b.lengths, want[:20], strict=False):
        assert row[:lens].tolist() == [vocab[w] for w in toks]


def test_spacy_backend_normalizes_tokens_and_bags(multi_lines: list[str]) -> None:
    nlp = spacy.blank("xx")
    texts = multi_lines[:200]
    pipe = tp.Pipeline(split="spacy", nlp="blank:xx", case="lower", unicode="nfkc", strip_control=False)
    import unicodedata

    want = [[unicodedata.normalize("NFKC", w).lower() for w in row] for row in _spacy_tokens(nlp, texts)]
    want = [[w for w in row if w.strip()] for row in want]
    assert pipe.tokenize_batch(texts) == want
    pipe.fit(texts)
    bag = pipe.encode_bag(texts[:10]).toarray()
    for i, row in enumerate(want[:10]):
        c = Counter(pipe.vocab[w] for w in row)
        assert {j: int(bag[i, j]) for j in np.flatnonzero(bag[i])} == dict(c)
    _, splits = pipe.encode_ragged(texts[:10])
    assert splits[-1] == sum(len(r) for r in want[:10])
    hashed = tp.Pipeline(split="spacy", nlp=nlp, n_buckets=1 << 18, hash="murmurhash64a", case="keep")
    toks = hashed.tokenize("Hello spaCy world!")
    assert hashed.encode("Hello spaCy world!").tolist() == [1 + hash_string(w) % (1 << 18) for w in toks]


def test_spacy_backend_artifact_round_trips(tmp_path, en_lines: list[str]) -> None:
    pipe = tp.Pipeline(split="spacy", nlp="blank:en", maxlen=16, min_freq=2).fit(en_lines[:300])
    texts = en_lines[300:340]
    ids = pipe(texts)
    path = tmp_path / "pipe.json"
    pipe.save(path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "textprep.external" and doc["nlp"] == "blank:en" and doc["lang"] == "en"
    loaded = tp.Pipeline.load(path)
    assert isinstance(loaded, SpacyPipeline) and loaded == pipe
    assert np.array_equal(loaded(texts), ids)
    assert np.array_equal(pickle.loads(pickle.dumps(pipe))(texts), ids)
    assert loaded.config["tokenize"]["split"] == "spacy"
    assert pipe.fingerprint != tp.Pipeline(split="spacy", nlp="blank:de", maxlen=16, min_freq=2).fingerprint


def test_spacy_backend_missing_model_is_a_clear_error(tmp_path) -> None:
    pipe = tp.Pipeline(split="spacy", nlp="blank:en").fit(["a b"])
    doc = json.loads(pipe.to_json())
    doc.update(nlp="xx_textprep_missing_model", model_version="1.2.3")
    text = json.dumps(doc)
    with pytest.raises(
        ArtifactError, match=r"xx_textprep_missing_model.*1\.2\.3.*pip install xx_textprep_missing_model"
    ):
        tp.Pipeline.from_json(text)
    # supplying the Language works
    again = SpacyPipeline.from_json(text, nlp=spacy.blank("en"))
    assert again.encode("b a").tolist() == [3, 2]
    with pytest.raises(ConfigError, match="needs nlp="):
        tp.Pipeline(split="spacy")
    with pytest.raises(ConfigError, match="not installed"):
        tp.Pipeline(split="spacy", nlp="xx_textprep_missing_model")
    with pytest.raises(TypeError, match="spacy Language"):
        tp.Pipeline(split="spacy", nlp=42)
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        pipe.encode_batch(["a", 3])


# -- the pipeline component ------------------------------------------------------------------------------------
def test_component_ids_and_shapes_survive_to_disk(tmp_path, en_lines: list[str]) -> None:
    import textprep.interop.spacy  # noqa: F401  (registers the factory)

    pipe = tp.Pipeline(split="spacy", nlp="blank:en").fit(en_lines[:200])
    nlp = spacy.blank("en")
    nlp.add_pipe("textprep", config={"artifact": pipe.to_json()})
    texts = en_lines[200:230]
    docs = list(nlp.pipe(texts))

    def per_token(doc: object) -> list[int]:
        # one id per spaCy token (the token text through the engine, no second spaCy pass): 0 for whitespace
        # tokens and tokens the pipeline drops (U+FFFD, controls)
        return [0 if t.is_space or not len(e := pipe._core.encode(t.text)) else int(e[0]) for t in doc]  # type: ignore[attr-defined]

    for doc, text in zip(docs, texts, strict=False):
        assert doc._.textprep_ids.tolist() == per_token(doc)
        # where no token is dropped the component's ids are the pipeline's ids of the whole text
        kept = [i for i, t in zip(doc._.textprep_ids.tolist(), doc, strict=False) if not t.is_space]
        if 0 not in kept:
            assert kept == pipe.encode(text).tolist()
            assert [t._.textprep_shape for t in doc if not t.is_space] == pipe.shapes(text).tolist()
    nlp.to_disk(tmp_path / "model")
    assert (tmp_path / "model" / "textprep" / "pipeline.json").exists()
    nlp2 = spacy.load(tmp_path / "model")
    assert nlp2.pipe_names == ["textprep"]
    for doc, first in zip(nlp2.pipe(texts), docs, strict=False):
        assert doc._.textprep_ids.tolist() == first._.textprep_ids.tolist() == per_token(doc)
    nlp3 = spacy.blank("en")
    nlp3.add_pipe("textprep").from_bytes(nlp.get_pipe("textprep").to_bytes())
    assert nlp3(texts[0])._.textprep_ids.tolist() == docs[0]._.textprep_ids.tolist()
    # the helper keeps the artifact out of config.cfg; nlp.to_bytes/from_bytes carry it
    nlp4 = spacy.blank("en")
    add_pipe(nlp4, pipe)
    assert "artifact = null" in nlp4.config.to_str()
    nlp5 = spacy.blank("en")
    nlp5.add_pipe("textprep")
    nlp5.from_bytes(nlp4.to_bytes())
    assert nlp5(texts[1])._.textprep_ids.tolist() == docs[1]._.textprep_ids.tolist()
    with pytest.raises(ArtifactError, match=r"pipeline\.json"):
        nlp5.get_pipe("textprep").from_disk(tmp_path / "nowhere")


def test_component_with_options_and_plain_pipeline() -> None:
    import textprep.interop.spacy  # noqa: F401

    nlp = spacy.blank("en")
    nlp.add_pipe("textprep", config={"options": {"n_buckets": 1000, "hash": "murmurhash64a", "case": "keep"}})
    doc = nlp("Apple pie")
    assert doc._.textprep_ids.tolist() == [1 + hash_string(w) % 1000 for w in ("Apple", "pie")]
    assert [t._.textprep_id for t in doc] == doc._.textprep_ids.tolist()
    assert nlp.get_pipe("textprep").pipeline.config["hashing"]["n_buckets"] == 1000


# -- vectors ---------------------------------------------------------------------------------------------------
def test_export_vectors_to_spacy_and_back(tmp_path, en_lines: list[str]) -> None:
    pipe = tp.Pipeline(max_tokens=300).fit(en_lines[:300])
    rng = np.random.default_rng(0)
    words = pipe.vocab.tokens[:200]
    vecs = tp.Vectors(words, rng.standard_normal((len(words), 8)).astype(np.float32))
    emb = vecs.align(pipe.vocab, oov="zeros")
    nlp = spacy.blank("en")
    add_to_nlp(nlp, pipe, emb)
    assert nlp.vocab.vectors.shape == (len(pipe.vocab.tokens), 8)
    for w in pipe.vocab.tokens[:50]:
        assert np.array_equal(nlp.vocab[w].vector, emb.matrix[pipe.vocab[w]])
    doc = nlp(" ".join(words[:5]))
    assert np.allclose(doc[0].vector, emb.matrix[pipe.vocab[words[0]]])
    # the spaCy vectors folder loads back through tp.load_vectors
    nlp.vocab.vectors.to_disk(tmp_path / "vectors")
    back = tp.load_vectors(tmp_path / "vectors", format="spacy")
    again = back.align(pipe.vocab, oov="zeros")
    assert np.array_equal(again.matrix[2:], emb.matrix[2:])
    with pytest.raises(ConfigError, match="id_space"):
        to_spacy_vectors(pipe, np.zeros((3, 8), dtype=np.float32))


def test_external_artifact_errors() -> None:
    from textprep.errors import ArtifactVersionError

    pipe = tp.Pipeline(split="spacy", nlp="blank:en").fit(["a b"])
    doc = json.loads(pipe.to_json())
    with pytest.raises(ArtifactVersionError, match="newer"):
        tp.Pipeline.from_json(json.dumps({**doc, "format_version": 99}))
    with pytest.raises(ArtifactError, match="missing 'pipeline'"):
        tp.Pipeline.from_json(json.dumps({k: v for k, v in doc.items() if k != "pipeline"}))
    with pytest.raises(ArtifactError, match="unknown backend"):
        tp.Pipeline.from_json(json.dumps({**doc, "backend": "nltk"}))
    doc["pipeline"]["state"]["vocab"]["tokens"] = ["b", "a"]  # tampered inner artifact
    with pytest.raises(ArtifactError, match="fingerprint"):
        tp.Pipeline.from_json(json.dumps(doc))
    with pytest.raises(ArtifactError, match="not valid JSON"):
        tp.Pipeline.from_json(pipe.to_json()[:40])
