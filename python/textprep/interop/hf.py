"""HF ``tokenizers`` interoperability: an HF subword model as a textprep backend, subword training on
textprep's normalizer output, and a fitted word-level pipeline exported as a ``tokenizer.json``.

- ``tp.Pipeline(split="hf", tokenizer=tok_or_path)`` (the token source :class:`HFTokenizer`): textprep's
  normalization in front (``textprep_normalize=False`` hands the raw text to HF), tokens and offsets from the HF
  model, then the engine's ids, padding and truncation (``maxlen``, ``padding``, ``truncating``), bags, tf-idf,
  counts and artifact (the ``tokenizer.json`` is embedded). Ids are the HF ids plus one, so that 0 stays padding
  (textprep's id layout; ``Batch.mask`` and Keras ``mask_zero`` work): ``hf_id = id - 1``.
- ``tp.train_subword(pipe, texts, model="bpe" | "wordpiece" | "unigram", vocab_size=...)``.
- ``export_tokenizer_json(pipe)``: ``WordLevel`` model plus the equivalent HF normalizer and pre-tokenizer.

>>> import textprep as tp
>>> pipe = tp.train_subword(tp.Pipeline(), ["low lower lowest"] * 20, model="bpe", vocab_size=40)
>>> pipe.tokenize("Lowest")
['lowest']
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from ..config import PRESETS
from ..errors import ArtifactError, ConfigError, NotFittedError
from ..pipeline import Pipeline, iter_chunks
from ._alias import SourcePipeline

MODELS = ("bpe", "wordpiece", "unigram")


def _tokenizers() -> Any:
    try:
        import tokenizers
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError('split="hf" needs HF tokenizers: pip install tokenizers') from None
    return tokenizers


def _as_tokenizer(tokenizer: Any) -> Any:
    tk = _tokenizers()
    if isinstance(tokenizer, tk.Tokenizer):
        return tokenizer
    if isinstance(tokenizer, (str, os.PathLike)):
        path = os.fspath(tokenizer)
        if not os.path.exists(path):
            raise FileNotFoundError(f"tokenizer={path!r}: no such tokenizer.json file")
        try:
            return tk.Tokenizer.from_file(path)
        except Exception as e:
            raise ConfigError(f"tokenizer={path!r}: not a valid HF tokenizer.json ({e})") from None
    raise TypeError(
        f"tokenizer must be a tokenizers.Tokenizer or a path to tokenizer.json, got {type(tokenizer).__name__}"
    )


class HFTokenizer:
    """An HF ``tokenizers.Tokenizer`` as a token source (see :mod:`textprep.sources`): ``tp.Pipeline(split="hf",
    tokenizer=tok_or_path)`` or ``tp.Pipeline(tokenizer=HFTokenizer(tok))``.

    textprep normalizes the text first (``textprep_normalize=False`` hands the raw text to HF), HF makes the tokens
    (``add_special_tokens``: its post-processor, e.g. ``[CLS]``/``[SEP]``), and the ids are HF's own plus one (0 stays
    padding; HF's first token takes textprep's OOV id 1): ``hf_id = id - 1``. Everything else is the engine's:
    padding, truncation, ragged rows, bags, tf-idf (``fit`` learns the document frequencies; the ids stay HF's),
    hashing (``n_buckets=`` hashes HF's tokens instead), the artifact (the ``tokenizer.json`` is embedded).

    >>> import textprep as tp
    >>> pipe = tp.train_subword(tp.Pipeline(maxlen=5), ["hug hugs hugging"] * 10, model="bpe", vocab_size=30)
    >>> b = pipe.encode_batch(["hugs", "hug hug"])
    >>> b.lengths.tolist(), b.ids.shape, (pipe.encode("hugs") - 1).tolist() == pipe.tokenizer.encode("hugs").ids
    ([1, 2], (2, 5), True)
    """

    name = "hf"
    #: Pipeline keywords this source takes (besides ``tokenizer=``).
    OPTIONS = ("textprep_normalize", "add_special_tokens")

    def __init__(
        self, tokenizer: Any, textprep_normalize: bool = True, add_special_tokens: bool = True
    ) -> None:
        self._tok = _as_tokenizer(tokenizer)
        self._tok.no_padding()
        self._tok.no_truncation()
        self.textprep_normalize = bool(textprep_normalize)
        self.add_special_tokens = bool(add_special_tokens)
        self.normalize = "text" if self.textprep_normalize else "none"
        self._vocab: list[str] | None = None

    @classmethod
    def from_options(cls, tokenizer: Any = None, **options: Any) -> HFTokenizer:
        """The source for ``Pipeline(split="hf", tokenizer=..., textprep_normalize=..., add_special_tokens=...)``."""
        if tokenizer is None:
            raise ConfigError(
                'split="hf" needs tokenizer=: a tokenizers.Tokenizer or a path to tokenizer.json'
            )
        return cls(tokenizer, **options)

    @classmethod
    def from_record(cls, doc: dict[str, Any]) -> HFTokenizer:
        """Rebuild from an artifact (the embedded ``tokenizer.json``)."""
        tk = _tokenizers()
        if not isinstance(doc.get("tokenizer"), str):
            raise ArtifactError("invalid HF artifact: 'tokenizer' (the embedded tokenizer.json) is missing")
        try:
            tok = tk.Tokenizer.from_str(doc["tokenizer"])
        except Exception as e:
            raise ArtifactError(
                f"invalid HF artifact: the embedded tokenizer.json does not load ({e})"
            ) from None
        return cls(tok, doc.get("textprep_normalize", True), doc.get("add_special_tokens", True))

    @property
    def tokenizer(self) -> Any:
        """The HF ``tokenizers.Tokenizer``."""
        return self._tok

    def tokenize_batch(self, texts: list[str]) -> list[list[str]]:
        """HF's tokens of each text.

        >>> from tokenizers import Tokenizer, models
        >>> HFTokenizer(Tokenizer(models.WordLevel({"a": 0, "[UNK]": 1}, "[UNK]"))).tokenize_batch(["a"])
        [['a']]
        """
        return [e.tokens for e in self._tok.encode_batch(texts, add_special_tokens=self.add_special_tokens)]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """HF's offsets of each token in ``text``."""
        return [tuple(o) for o in self._tok.encode(text, add_special_tokens=self.add_special_tokens).offsets]

    def vocabulary(self) -> list[str]:
        """HF's tokens in id order (added tokens included; an id HF leaves unused gets a placeholder no text
        produces)."""
        if self._vocab is None:
            table = self._tok.get_vocab(with_added_tokens=True)
            tokens = [f"\x00textprep-unused-{i}" for i in range(max(table.values(), default=-1) + 1)]
            for tok, i in table.items():
                tokens[i] = tok
            self._vocab = tokens
        return list(self._vocab)

    def record(self) -> dict[str, Any]:
        """The embedded ``tokenizer.json`` and the options."""
        return {
            "tokenizer": self._tok.to_str(),
            "textprep_normalize": self.textprep_normalize,
            "add_special_tokens": self.add_special_tokens,
        }

    def fingerprint(self) -> str:
        """The canonical ``tokenizer.json`` and the options."""
        # HF's to_str/from_str round trip moves Unigram scores by an ulp, so floats are read to 12 significant
        # digits
        parsed = json.loads(self._tok.to_str(), parse_float=lambda f: f"{float(f):.12g}")
        tok = json.dumps(parsed, sort_keys=True, ensure_ascii=False)
        return json.dumps([tok, self.textprep_normalize, self.add_special_tokens])

    def __repr__(self) -> str:
        model = json.loads(self._tok.to_str())["model"]["type"]
        return f"HFTokenizer(model={model!r}, vocab_size={self._tok.get_vocab_size()})"


class HFPipeline(metaclass=SourcePipeline):
    """The name of HF-backed pipelines from before token sources (deprecated): ``HFPipeline(...)`` is
    ``tp.Pipeline(..., split="hf")``; ``isinstance(pipe, HFPipeline)`` tells whether HF makes its tokens.

    >>> import textprep as tp
    >>> isinstance(tp.train_subword(tp.Pipeline(), ["a b"], vocab_size=10), HFPipeline)
    True
    """

    source_name = "hf"


# -- training --------------------------------------------------------------------------------------------------
def train_subword(
    pipe: Pipeline,
    texts: Iterable[str],
    model: str = "bpe",
    vocab_size: int = 8000,
    min_frequency: int = 0,
    special_tokens: list[str] | None = None,
) -> Pipeline:
    """Train an HF subword model (``"bpe"``, ``"wordpiece"`` or ``"unigram"``) on the output of ``pipe``'s
    normalizer, streamed to ``Tokenizer.train_from_iterator``; returns a pipeline with ``pipe``'s normalization and
    padding options and the new model as its token source (:class:`HFTokenizer`). Pre-tokenization is HF's ``Whitespace`` (``\\w+|[^\\w\\s]+``).
    ``special_tokens`` default to ``["[UNK]"]`` (the unknown token is the first of them).

    >>> import textprep as tp
    >>> sub = tp.train_subword(tp.Pipeline(), ["Tokenizers tokenize tokens"] * 10, model="unigram", vocab_size=30)
    >>> sub.tokenize("tokens")[0].startswith("token")
    True
    """
    tk = _tokenizers()
    from tokenizers import decoders, models, pre_tokenizers, trainers

    if not isinstance(pipe, Pipeline) or pipe.token_source is not None:
        raise TypeError(f"train_subword expects a word-level textprep.Pipeline, got {type(pipe).__name__}")
    if model not in MODELS:
        raise ConfigError(f"model={model!r} is not one of {', '.join(MODELS)}")
    if not isinstance(vocab_size, int) or vocab_size < 1:
        raise ConfigError(f"vocab_size must be a positive int, got {vocab_size!r}")
    specials = list(special_tokens) if special_tokens is not None else ["[UNK]"]
    if not specials or not all(isinstance(s, str) and s for s in specials):
        raise ConfigError(
            "special_tokens must be a non-empty list of non-empty str (the first is the unknown token)"
        )
    unk = specials[0]
    if model == "bpe":
        tok = tk.Tokenizer(models.BPE(unk_token=unk))
        trainer: Any = trainers.BpeTrainer(
            vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=specials, show_progress=False
        )
        tok.decoder = decoders.BPEDecoder()
    elif model == "wordpiece":
        tok = tk.Tokenizer(models.WordPiece(unk_token=unk))
        trainer = trainers.WordPieceTrainer(
            vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=specials, show_progress=False
        )
        tok.decoder = decoders.WordPiece()
    else:
        tok = tk.Tokenizer(models.Unigram())
        trainer = trainers.UnigramTrainer(
            vocab_size=vocab_size, special_tokens=specials, unk_token=unk, show_progress=False
        )
    tok.pre_tokenizer = pre_tokenizers.Whitespace()

    def stream() -> Iterator[list[str]]:
        for chunk in iter_chunks(texts):
            yield pipe._core.normalize_batch(chunk)

    tok.train_from_iterator(stream(), trainer=trainer)
    cfg = pipe.config
    cfg["tokenize"]["split"] = "hf"
    return Pipeline(cfg, tokenizer=HFTokenizer(tok))


# -- export ----------------------------------------------------------------------------------------------------
# textprep's strip_control: Cc, Cf, Co and U+FFFD, except \t \n \r (rust/textprep-core/src/normalize/chars.rs)
_CONTROL = r"[[\p{Cc}\p{Cf}\p{Co}\x{FFFD}]&&[^\t\n\r]]"


def _unsupported(option: str, value: Any, why: str) -> ConfigError:
    return ConfigError(
        f"export_tokenizer_json: {option}={value!r} cannot be expressed in HF tokenizers ({why})"
    )


def _export_normalizer(norm: dict[str, Any], preset: str | None) -> Any:
    from tokenizers import Regex, normalizers

    bert = PRESETS["bert"]["normalize"]
    if preset == "bert" and all(norm[k] == v for k, v in bert.items()):
        return normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True
        )
    steps: list[Any] = []
    for name in ("url", "email", "mention", "hashtag", "number", "emoji"):
        if norm[name] != "keep":
            raise _unsupported(name, norm[name], "placeholders need textprep's entity recognisers")
    if norm["strip_html"]:
        raise _unsupported("strip_html", True, "no HTML stripping normalizer")
    if norm["pad_cjk"]:
        raise _unsupported("pad_cjk", True, "only BertNormalizer pads CJK, use the bert preset")
    if norm["strip_control"]:
        steps.append(normalizers.Replace(Regex(_CONTROL), ""))
    form = norm["unicode"]
    if form != "none":
        steps.append(
            {
                "nfc": normalizers.NFC,
                "nfkc": normalizers.NFKC,
                "nfd": normalizers.NFD,
                "nfkd": normalizers.NFKD,
            }[form]()
        )
    if norm["accents"] == "strip_all_marks":
        steps += [normalizers.NFD(), normalizers.StripAccents()]
    elif norm["accents"] != "keep":
        raise _unsupported(
            "accents", norm["accents"], "HF StripAccents removes every nonspacing mark: use 'strip_all_marks'"
        )
    case = norm["case"]
    if case == "lower_char":
        steps.append(normalizers.Lowercase())
    elif case != "keep":
        raise _unsupported(
            "case",
            case,
            "HF Lowercase maps each character on its own, without final sigma: use case='lower_char'",
        )
    if norm["remove_chars"]:
        steps.append(
            normalizers.Replace(
                Regex("[" + "".join(f"\\x{{{ord(c):X}}}" for c in norm["remove_chars"]) + "]"), ""
            )
        )
    if norm["whitespace"] != "keep":
        raise _unsupported(
            "whitespace", norm["whitespace"], "no whitespace normalizer with the same definition"
        )
    return normalizers.Sequence(steps) if steps else None


def _export_pre_tokenizer(tok: dict[str, Any]) -> Any:
    from tokenizers import Regex, pre_tokenizers

    split = tok["split"]
    for option, default in (("min_len", 1), ("max_len", None), ("ngrams", [1, 1]), ("char_ngrams", None)):
        if tok[option] != default:
            raise _unsupported(option, tok[option], "HF pre-tokenizers do not filter tokens or build n-grams")
    if split == "whitespace.v1":
        return pre_tokenizers.WhitespaceSplit()
    if split == "ascii_whitespace.v1":
        return pre_tokenizers.Split(Regex("[ \\t\\n\\x0B\\f\\r]+"), behavior="removed")
    if split == "bert.v1" and tok["punctuation"] == "keep":
        return pre_tokenizers.BertPreTokenizer()
    if split == "chars.v1":
        return pre_tokenizers.Split(Regex("\\s+"), behavior="removed")
    raise _unsupported("split", split, "no HF pre-tokenizer produces the same tokens")


def export_tokenizer_json(pipe: Pipeline, path: str | os.PathLike[str] | None = None) -> str:
    """A fitted word-level pipeline as an HF ``tokenizer.json`` (``WordLevel`` model, the equivalent normalizer
    and pre-tokenizer; ids are textprep's: ``[PAD]`` 0, ``[UNK]`` 1, then the vocabulary). Written to ``path``
    when given; returns the JSON. Options HF cannot express raise ``ConfigError`` naming the option.

    >>> import textprep as tp
    >>> from tokenizers import Tokenizer
    >>> pipe = tp.Pipeline(split="whitespace.v1", case="lower_char").fit(["Hello world", "hello"])
    >>> Tokenizer.from_str(export_tokenizer_json(pipe)).encode("HELLO there world").ids
    [2, 1, 3]
    """
    tk = _tokenizers()
    from tokenizers import models

    if not isinstance(pipe, Pipeline) or pipe.token_source is not None:
        raise TypeError(
            f"export_tokenizer_json expects a word-level textprep.Pipeline, got {type(pipe).__name__}"
        )
    cfg = pipe.config
    if cfg["hashing"]["n_buckets"] is not None:
        raise _unsupported(
            "n_buckets", cfg["hashing"]["n_buckets"], "hashed ids have no WordLevel vocabulary"
        )
    if not pipe.is_fitted:
        raise NotFittedError("export_tokenizer_json needs a fitted vocabulary: call fit first")
    vocab = pipe.vocab
    if vocab.num_oov_buckets != 1:
        raise _unsupported("num_oov_buckets", vocab.num_oov_buckets, "WordLevel has one unknown token")
    norm = _export_normalizer(cfg["normalize"], cfg.get("preset"))
    pre = _export_pre_tokenizer(cfg["tokenize"])
    table = {"[PAD]": 0, "[UNK]": 1}
    for tok in vocab.tokens:
        if tok in table:
            raise _unsupported("vocabulary", tok, "a vocabulary token collides with the [PAD]/[UNK] names")
        table[tok] = vocab[tok]
    hf = tk.Tokenizer(models.WordLevel(vocab=table, unk_token="[UNK]"))
    if norm is not None:
        hf.normalizer = norm
    hf.pre_tokenizer = pre
    text = hf.to_str()
    if path is not None:
        from ..io import write_text_atomic

        write_text_atomic(path, text)
    return str(text)


__all__ = ["MODELS", "HFPipeline", "HFTokenizer", "export_tokenizer_json", "train_subword"]
