"""What the spaCy and HF tokenizers backends cost inside textprep, against the same library used on its own.

Rows (pytest-benchmark group ``interop-spacy`` / ``interop-hf``), encode to padded (n, 64) int32:

- spaCy ``blank("en").tokenizer.pipe`` token texts (native) vs ``tp.Pipeline(split="spacy", nlp=...)``;
- HF ``Tokenizer(BPE 8k).encode_batch`` (native) vs ``tp.Pipeline(split="hf", tokenizer=...)`` with and
  without textprep's normalization in front;
- textprep ``words.v1`` as the reference for what the built-in engine does with the same bytes.

The textprep rows are checked against the native library outside timing (same tokens, ids = HF id + 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

MAXLEN = 64
VOCAB = 8_000


@pytest.fixture(scope="module")
def lines(corpus: Any) -> list[str]:
    return corpus.texts[:20_000]


@pytest.fixture(scope="module")
def bpe(lines: list[str]) -> Any:
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, pre_tokenizers, trainers

    tok = tokenizers.Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=["[UNK]"], show_progress=False)
    tok.train_from_iterator(lines, trainer=trainer)
    return tok


def _bench(benchmark: Any, group: str, fn: Callable[[], Any], nbytes: int) -> Any:
    benchmark.group = group
    benchmark.extra_info["MB"] = round(nbytes / 1e6, 3)
    return benchmark.pedantic(fn, rounds=3, iterations=1, warmup_rounds=0)


def _nbytes(lines: list[str]) -> int:
    return sum(len(s.encode("utf-8", "surrogatepass")) for s in lines)


def test_spacy_native(benchmark: Any, lines: list[str]) -> None:
    spacy = pytest.importorskip("spacy")
    tokenizer = spacy.blank("en").tokenizer
    out = _bench(
        benchmark,
        "interop-spacy",
        lambda: [[t.text for t in doc] for doc in tokenizer.pipe(lines)],
        _nbytes(lines),
    )
    assert len(out) == len(lines)


def test_spacy_backend(benchmark: Any, lines: list[str]) -> None:
    spacy = pytest.importorskip("spacy")
    import textprep as tp

    nlp = spacy.blank("en")
    pipe = tp.Pipeline(split="spacy", nlp=nlp, case="keep", maxlen=MAXLEN).fit(lines)
    check = lines[:200]
    assert [pipe.tokenize(s) for s in check] == [
        [t.text for t in doc if not t.is_space] for doc in nlp.tokenizer.pipe(check)
    ]
    batch = _bench(benchmark, "interop-spacy", lambda: pipe.encode_batch(lines), _nbytes(lines))
    assert batch.ids.shape == (len(lines), MAXLEN) and batch.ids.dtype == np.int32


def test_words_reference(benchmark: Any, lines: list[str]) -> None:
    import textprep as tp

    pipe = tp.Pipeline(maxlen=MAXLEN).fit(lines)
    batch = _bench(benchmark, "interop-spacy", lambda: pipe.encode_batch(lines), _nbytes(lines))
    assert batch.ids.shape == (len(lines), MAXLEN)


def test_hf_native(benchmark: Any, lines: list[str], bpe: Any) -> None:
    out = _bench(benchmark, "interop-hf", lambda: bpe.encode_batch(lines), _nbytes(lines))
    assert len(out) == len(lines)


@pytest.mark.parametrize("normalize", [False, True], ids=["hf-only", "textprep-normalize"])
def test_hf_backend(benchmark: Any, lines: list[str], bpe: Any, normalize: bool) -> None:
    import textprep as tp

    pipe = tp.Pipeline(split="hf", tokenizer=bpe, textprep_normalize=normalize, maxlen=MAXLEN)
    if not normalize:
        check = lines[:200]
        want = [e.ids[:MAXLEN] for e in bpe.encode_batch(check)]
        got = pipe.encode_batch(check)
        for i, ids in enumerate(want):
            assert got.ids[i, : len(ids)].tolist() == [x + 1 for x in ids], check[i]
    batch = _bench(benchmark, "interop-hf", lambda: pipe.encode_batch(lines), _nbytes(lines))
    assert batch.ids.shape == (len(lines), MAXLEN) and batch.ids.dtype == np.int32
