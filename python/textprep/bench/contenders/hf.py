"""HF tokenizers rows (``WordLevel`` models trained on the measured texts, not timed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .base import CPUS, HF_ONE_THREAD, MAX_TOKENS, MAXLEN, Contender, Make, need


def _hf_threads(n: int | None) -> str:
    return "1 (TOKENIZERS_PARALLELISM=false)" if n == 1 else f"{CPUS} (library default)"


def _hf_rows(task: str, name: str, make: Make, output: str, **kw: Any) -> list[Contender]:
    """An HF tokenizers row at the library default (all cores) and its 1-thread twin (``--quick`` skips it)."""
    return [
        Contender(task, name, make, _hf_threads(None), output, **kw),
        Contender(
            task, f"{name} (1 thread)", make, _hf_threads(1), output, env=HF_ONE_THREAD, full_only=True, **kw
        ),
    ]


def _hf_word_tokenizer(texts: Sequence[str], vocab_size: int, specials: list[str], bert: bool = False) -> Any:
    """An HF ``Tokenizer(WordLevel)`` with NFKC+Lowercase / Whitespace (or the BERT normalizer and
    pre-tokenizer), its vocabulary trained on ``texts`` (setup, never timed)."""
    tk = need("tokenizers")
    from tokenizers import models, normalizers, pre_tokenizers, trainers

    tok = tk.Tokenizer(models.WordLevel(unk_token="[UNK]"))
    if bert:
        tok.normalizer = normalizers.BertNormalizer(lowercase=True)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    else:
        tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(vocab_size=vocab_size, special_tokens=specials, show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer, length=len(texts))
    return tok


def _hf_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    # WordLevel needs a vocabulary: trained here on these very texts (unbounded): .tokens are the real tokens.
    tok = _hf_word_tokenizer(texts, vocab_size=1 << 30, specials=["[UNK]"])
    return lambda: [e.tokens for e in tok.encode_batch(texts)]


def _hf_bert(texts: list[str], path: Path) -> Callable[[], Any]:
    tok = _hf_word_tokenizer(texts, vocab_size=1 << 30, specials=["[UNK]"], bert=True)
    return lambda: [e.tokens for e in tok.encode_batch(texts)]


def _hf_fit(texts: list[str], path: Path) -> Callable[[], Any]:
    need("tokenizers")
    return lambda: _hf_word_tokenizer(texts, vocab_size=MAX_TOKENS + 2, specials=["[PAD]", "[UNK]"])


def _hf_encode(texts: list[str], path: Path) -> Callable[[], Any]:
    tok = _hf_word_tokenizer(texts, vocab_size=MAX_TOKENS + 2, specials=["[PAD]", "[UNK]"])
    tok.enable_padding(length=MAXLEN, pad_id=0, pad_token="[PAD]")
    tok.enable_truncation(MAXLEN)
    return lambda: np.array([e.ids for e in tok.encode_batch(texts)], dtype=np.int32)
