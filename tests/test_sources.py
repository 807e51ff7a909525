"""Token sources (textprep.sources): spaCy and HF tokenizers as adapters of an ordinary Pipeline, token lists given
by the caller, custom sources, and the v1 external artifacts written before token sources existed."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import textprep as tp
from textprep import sources
from textprep.errors import ConfigError

from .conftest import EDGE_CASES

spacy = pytest.importorskip("spacy")
tokenizers = pytest.importorskip("tokenizers")

LEGACY = json.loads((Path(__file__).parent / "legacy" / "external_v1.json").read_text(encoding="utf-8"))


class WhitespaceSource:
    """A token source of the test's own: ``str.split`` on the raw text, each token normalized by the engine."""

    name = "test-whitespace"
    normalize = "tokens"
    OPTIONS = ()

    @property
    def tokenizer(self) -> None:
        return None

    @classmethod
    def from_options(cls, tokenizer: object = None) -> WhitespaceSource:
        return cls()

    @classmethod
    def from_record(cls, doc: dict) -> WhitespaceSource:
        return cls()

    def tokenize_batch(self, texts: list[str]) -> list[list[str]]:
        return [t.split() for t in texts]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        out, pos = [], 0
        for tok in text.split():
            pos = text.index(tok, pos)
            out.append((pos, pos + len(tok)))
            pos += len(tok)
        return out

    def vocabulary(self) -> None:
        return None

    def record(self) -> dict:
        return {}

    def fingerprint(self) -> str:
        return "str.split"


@pytest.mark.parametrize("backend", ["spacy", "hf"])
def test_v1_external_artifacts_load_and_reproduce_their_outputs(backend: str, tmp_path) -> None:
    old = LEGACY[backend]
    path = tmp_path / "v1.json"
    path.write_text(old["artifact"], encoding="utf-8")
    pipe = tp.Pipeline.load(path)
    assert pipe.token_source.name == backend and pipe.config["tokenize"]["split"] == backend
    b = pipe.encode_batch(old["probe"])
    assert b.ids.tolist() == old["ids"] and b.lengths.tolist() == old["lengths"]
    assert pipe.tokenize_batch(old["probe"]) == old["tokens"]
    bag = pipe.encode_bag(old["probe"], mode="tf_idf", norm="l2").toarray()
    assert np.allclose(bag, np.asarray(old["bag_tfidf"]), atol=2e-6)
    if "shapes" in old:
        assert b.shapes.tolist() == old["shapes"]
    # written again today (format_version 2), it loads to the same pipeline
    again = tp.Pipeline.from_json(pipe.to_json())
    assert json.loads(pipe.to_json())["format_version"] == sources.FORMAT_VERSION
    assert again == pipe and again(old["probe"]).tolist() == old["ids"]


def test_spacy_source_tokens_are_the_v1_backend_tokens(en_lines: list[str], multi_lines: list[str]) -> None:
    # v1 joined spaCy's tokens with "\n", normalized the stream and split it with regex.v1 "[^\n]+"; the source
    # normalizes each token on its own, which gives the same tokens and shapes unless strip_html found a tag across
    # two spaCy tokens (then v1 stripped text across tokens)
    nlp = spacy.blank("xx")
    texts = [*EDGE_CASES, *en_lines[:300], *multi_lines[:300]]
    for opts in (
        {},
        {"case": "keep", "unicode": "none", "strip_control": False},
        {"url": "replace", "email": "replace", "number": "replace", "emoji": "replace", "mention": "drop"},
        {"pad_cjk": True, "accents": "strip_all_marks", "case": "lower_char"},
        {"remove_chars": "!?.,'", "ngrams": [1, 2], "min_len": 2, "max_len": 5},
        {"char_ngrams": [2, 3]},
    ):
        pipe = tp.Pipeline(split="spacy", nlp=nlp, **opts)
        v1 = tp.Pipeline(split="regex.v1", pattern="[^\n]+", **opts)
        streams = ["\n".join(row) for row in pipe.token_source.tokenize_batch(texts)]
        assert pipe.tokenize_batch(texts) == v1.tokenize_batch(streams), opts
        assert [pipe.shapes(t).tolist() for t in texts[:100]] == [
            v1.shapes(s).tolist() for s in streams[:100]
        ]


def test_custom_source_registered_by_name(en_lines: list[str]) -> None:
    sources.register_source("test-whitespace", f"{__name__}:WhitespaceSource")
    try:
        pipe = tp.Pipeline(tokenizer=WhitespaceSource(), case="lower", maxlen=6).fit(en_lines[:100])
        assert pipe.tokenize("Hello,  World") == ["hello,", "world"]
        assert pipe.offsets("Hello,  World") == [(0, 6), (8, 13)]
        again = pickle.loads(pickle.dumps(pipe))
        assert again.token_source.name == "test-whitespace"
        assert np.array_equal(again(en_lines[:20]), pipe(en_lines[:20]))
        assert tp.Pipeline(split="test-whitespace").tokenize("A b") == ["a", "b"]
    finally:
        del sources.SOURCES["test-whitespace"]


def test_pretokenized_pipeline_takes_token_lists() -> None:
    pipe = tp.Pipeline(split="pretokenized.v1", case="lower").fit([["The", "cat"], ["the", "dog"]])
    assert pipe.vocab.tokens == ["the", "cat", "dog"]
    assert pipe.encode_batch([["THE", "dog"], "cat"]).ids.tolist() == [[2, 4], [3, 0]]
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str, got int"):
        pipe.encode_batch([["a"], [1]])


def test_hf_source_gains_the_engine(en_lines: list[str], tmp_path) -> None:
    pipe = tp.train_subword(tp.Pipeline(maxlen=12), en_lines[:300], model="wordpiece", vocab_size=300)
    hf = pipe.tokenizer
    texts = en_lines[300:340]
    # counts, files, extend_vocab (ids never move: the tokenizer cannot produce a new token)
    counts = pipe.count(texts)
    assert counts.n_docs == len(texts)
    path = tmp_path / "c.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    assert pipe.count_files(path)["the"] == counts["the"]
    before = pipe(texts)
    assert pipe.extend_vocab(texts) == 0 and np.array_equal(pipe(texts), before)
    manifest = pipe.encode_files(path, tmp_path / "out")
    assert np.array_equal(np.load(tmp_path / "out" / manifest["shards"][0]["ids"]), before)
    # hashing HF's tokens instead of HF's ids
    hashed = tp.Pipeline(split="hf", tokenizer=hf, n_buckets=1000, hash="murmur3_32")
    toks = hashed.tokenize(texts[0])
    assert hashed.encode(texts[0]).tolist() == [
        1 + int(i) for i in tp.hash_tokens(toks, 1000, hash="murmur3_32")
    ]
    with pytest.raises(ConfigError, match="num_oov_buckets=2: split='hf' brings its own vocabulary"):
        tp.Pipeline(split="hf", tokenizer=hf, num_oov_buckets=2)


def test_old_backend_names_are_kept_for_one_release() -> None:
    from textprep.interop.hf import HFPipeline
    from textprep.interop.spacy import SpacyPipeline

    with pytest.warns(DeprecationWarning, match="SpacyPipeline"):
        pipe = SpacyPipeline(nlp="blank:en")
    assert type(pipe) is tp.Pipeline and isinstance(pipe, SpacyPipeline) and not isinstance(pipe, HFPipeline)
    assert not isinstance(tp.Pipeline(), SpacyPipeline)
