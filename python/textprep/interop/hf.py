"""HF ``tokenizers`` interoperability: an HF subword model as a textprep backend, subword training on
textprep's normalizer output, and a fitted word-level pipeline exported as a ``tokenizer.json``.

- ``tp.Pipeline(split="hf", tokenizer=tok_or_path)``: textprep's normalization in front (``textprep_normalize=
  False`` hands the raw text to HF), tokens, ids and offsets from the HF model, then textprep's padding and
  truncation (``maxlen``, ``padding``, ``truncating``), bags and artifact (the ``tokenizer.json`` is embedded).
  Ids are the HF ids plus one, so that 0 stays padding (textprep's id layout; ``Batch.mask`` and Keras
  ``mask_zero`` work): ``hf_id = id - 1``.
- ``tp.train_subword(pipe, texts, model="bpe" | "wordpiece" | "unigram", vocab_size=...)``.
- ``export_tokenizer_json(pipe)``: ``WordLevel`` model plus the equivalent HF normalizer and pre-tokenizer.

>>> import textprep as tp
>>> pipe = tp.train_subword(tp.Pipeline(), ["low lower lowest"] * 20, model="bpe", vocab_size=40)
>>> pipe.tokenize("Lowest")
['lowest']
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from .. import _core
from ..config import PRESETS, build_config
from ..errors import ArtifactError, ConfigError, NotFittedError
from ..pipeline import Batch, Pipeline, as_text_list, iter_chunks
from ._external import envelope, parse_envelope

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


class HFVocab:
    """The id layout of an HF-backed pipeline: 0 is padding, id ``i + 1`` is HF token ``i``.

    >>> import textprep as tp
    >>> pipe = tp.train_subword(tp.Pipeline(), ["a b"], model="wordpiece", vocab_size=30)
    >>> pipe.vocab[pipe.vocab.tokens[0]], pipe.vocab.num_oov_buckets
    (1, 0)
    """

    def __init__(self, tokenizer: Any) -> None:
        vocab = tokenizer.get_vocab(with_added_tokens=True)
        tokens = [""] * len(vocab)
        for tok, i in vocab.items():
            if 0 <= i < len(tokens):
                tokens[i] = tok
        self._tokens = tokens
        self._ids = {t: i + 1 for i, t in enumerate(tokens)}

    @property
    def tokens(self) -> list[str]:
        """HF tokens in id order (textprep id = position + 1)."""
        return list(self._tokens)

    @property
    def num_oov_buckets(self) -> int:
        """0: unknown text maps to the HF model's own unknown token."""
        return 0

    def __getitem__(self, token: str) -> int:
        return self._ids[token]

    def __contains__(self, token: object) -> bool:
        return token in self._ids

    def __len__(self) -> int:
        return len(self._tokens) + 1

    def __repr__(self) -> str:
        return f"HFVocab({len(self._tokens)} HF tokens + padding)"


class HFPipeline(Pipeline):
    """A pipeline whose tokens and ids come from an HF ``tokenizers.Tokenizer`` (``tp.Pipeline(split="hf",
    tokenizer=...)``); textprep normalizes in front and pads, truncates, bags and saves behind.

    ``add_special_tokens`` (default True) runs the tokenizer's post-processor (``[CLS]``/``[SEP]`` for BERT).
    ``fit(texts)`` is only needed for ``encode_bag(mode="tf_idf")`` (document frequencies).

    >>> import textprep as tp
    >>> pipe = tp.train_subword(tp.Pipeline(maxlen=5), ["hug hugs hugging"] * 10, model="bpe", vocab_size=30)
    >>> b = pipe.encode_batch(["hugs", "hug hug"])
    >>> b.lengths.tolist(), b.ids.shape
    ([1, 2], (2, 5))
    """

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        /,
        tokenizer: Any = None,
        textprep_normalize: bool = True,
        add_special_tokens: bool = True,
        **options: Any,
    ) -> None:
        if tokenizer is None:
            raise ConfigError(
                'split="hf" needs tokenizer=: a tokenizers.Tokenizer or a path to tokenizer.json'
            )
        self._tok = _as_tokenizer(tokenizer)
        self._tok.no_padding()
        self._tok.no_truncation()
        options.pop("split", None)
        if isinstance(config, dict) and isinstance(config.get("tokenize"), dict):
            config = {**config, "tokenize": {**config["tokenize"], "split": "words.v1"}}
        cfg = build_config(config, **options)
        self._core = _core.Pipeline(json.dumps(cfg))
        self._normalize_text = bool(textprep_normalize)
        self._special = bool(add_special_tokens)
        self._df: np.ndarray | None = None
        self._n_docs = 0

    @property
    def tokenizer(self) -> Any:
        """The HF ``tokenizers.Tokenizer``."""
        return self._tok

    @property
    def config(self) -> dict[str, Any]:
        """The configuration with ``split="hf"`` (normalization and padding options apply)."""
        cfg = dict(json.loads(self._core.config_json()))
        cfg["tokenize"]["split"] = "hf"
        return cfg

    def __repr__(self) -> str:
        model = json.loads(self._tok.to_str())["model"]["type"]
        return f"HFPipeline(model={model!r}, vocab_size={self._tok.get_vocab_size()})"

    # -- HF calls --------------------------------------------------------------------------------------------
    def _prepared(self, items: list[Any]) -> list[str]:
        if not self._normalize_text:
            for i, t in enumerate(items):
                if not isinstance(t, str):
                    raise TypeError(f"texts[{i}]: expected str, got {type(t).__name__}")
            return items
        return self._core.normalize_batch(items)

    def _encodings(self, texts: Iterable[str]) -> list[Any]:
        items = as_text_list(texts)
        return list(self._tok.encode_batch(self._prepared(items), add_special_tokens=self._special))

    def _one(self, text: str) -> Any:
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        return self._encodings([text])[0]

    # -- single documents ------------------------------------------------------------------------------------
    def normalize(self, text: str) -> str:
        """The text handed to the HF tokenizer (textprep-normalized unless ``textprep_normalize=False``).

        >>> import textprep as tp
        >>> tp.train_subword(tp.Pipeline(), ["a"], vocab_size=10).normalize("ＡＢ")
        'ab'
        """
        return self._prepared([text])[0] if isinstance(text, str) else self._one(text)

    def tokenize(self, text: str) -> list[str]:
        """The HF tokens of one text.

        >>> import textprep as tp
        >>> tp.train_subword(tp.Pipeline(), ["ab ab ab"], model="wordpiece", vocab_size=30).tokenize("ab")
        ['ab']
        """
        return list(self._one(text).tokens)

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """HF offsets of each token, in the text handed to HF (see ``normalize``).

        >>> import textprep as tp
        >>> tp.train_subword(tp.Pipeline(), ["ab cd"] * 5, vocab_size=20).offsets("ab cd")
        [(0, 2), (3, 5)]
        """
        return [(int(a), int(b)) for a, b in self._one(text).offsets]

    def shapes(self, text: str) -> np.ndarray:
        """Not available: HF subword pieces have no textprep shape classes.

        >>> import textprep as tp
        >>> tp.train_subword(tp.Pipeline(), ["a"], vocab_size=10).shapes("a")
        Traceback (most recent call last):
        textprep.errors.ConfigError: shapes are not available with split='hf' (subword pieces)
        """
        raise ConfigError("shapes are not available with split='hf' (subword pieces)")

    def encode(self, text: str) -> np.ndarray:
        """Ids of one text (HF id + 1), unpadded int32.

        >>> import textprep as tp
        >>> pipe = tp.train_subword(tp.Pipeline(), ["ab"], vocab_size=10)
        >>> (pipe.encode("ab") - 1).tolist() == pipe.tokenizer.encode("ab").ids
        True
        """
        return np.asarray(self._one(text).ids, dtype=np.int32) + 1

    def decode(self, ids: Any) -> list[str]:
        """HF tokens back from ids (padding skipped).

        >>> import textprep as tp
        >>> pipe = tp.train_subword(tp.Pipeline(), ["ab ab"], vocab_size=10)
        >>> pipe.decode(pipe.encode("ab"))
        ['ab']
        """
        arr = np.asarray(ids)
        if arr.ndim != 1:
            raise ValueError(f"decode expects one row of ids (1-D), got shape {arr.shape}")
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"ids must be integers, got dtype {arr.dtype}")
        out = []
        for i, v in enumerate(arr.tolist()):
            if v == 0:
                continue
            tok = self._tok.id_to_token(v - 1) if 0 < v < self.id_space else None
            if tok is None:
                raise ValueError(f"ids[{i}] = {v} is out of range 0..{self.id_space - 1} (HF ids + 1)")
            out.append(tok)
        return out

    # -- batches ---------------------------------------------------------------------------------------------
    def tokenize_batch(self, texts: Iterable[str], output: str = "list") -> Any:
        """HF tokens of many texts (``output="list"`` only).

        >>> import textprep as tp
        >>> tp.train_subword(tp.Pipeline(), ["ab cd"] * 3, vocab_size=20).tokenize_batch(["ab", "cd ab"])
        [['ab'], ['cd', 'ab']]
        """
        if output != "list":
            raise ConfigError(f"tokenize_batch output={output!r}: split='hf' supports output='list' only")
        return [list(e.tokens) for e in self._encodings(texts)]

    def encode_ragged(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Unpadded ids of many texts: ``(values int32, row_splits int64)``.

        >>> import textprep as tp
        >>> tp.train_subword(tp.Pipeline(), ["ab"], vocab_size=10).encode_ragged(["ab", ""])[1].tolist()
        [0, 1, 1]
        """
        rows = [e.ids for e in self._encodings(texts)]
        splits = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=splits[1:])
        values = np.fromiter((i + 1 for r in rows for i in r), dtype=np.int32, count=int(splits[-1]))
        return values, splits

    def encode_batch(
        self, texts: Iterable[str], maxlen: int | None = None, shapes: bool | None = None
    ) -> Batch:
        """Padded ids: HF ids + 1, textprep's ``maxlen``/``padding``/``truncating`` (0 is padding).

        >>> import textprep as tp
        >>> pipe = tp.train_subword(tp.Pipeline(padding="pre"), ["ab cd"] * 3, vocab_size=20)
        >>> b = pipe.encode_batch(["ab cd", "cd"])
        >>> (b.ids[1, 0], b.lengths.tolist())
        (np.int32(0), [2, 1])
        """
        if shapes:
            raise ConfigError("shapes are not available with split='hf' (subword pieces)")
        if maxlen is not None and (not isinstance(maxlen, int) or maxlen < 1):
            raise ConfigError(f"maxlen must be a positive int or None, got {maxlen!r}")
        enc = self.config["encode"]
        values, splits = self.encode_ragged(texts)
        lens = np.diff(splits)
        width = maxlen or enc["maxlen"] or (int(lens.max()) if lens.size else 0)
        ids = np.zeros((len(lens), width), dtype=np.int32)
        lengths = np.minimum(lens, width).astype(np.int32)
        for r in range(len(lens)):
            row = values[splits[r] : splits[r + 1]]
            n = int(lengths[r])
            if n == 0:
                continue
            row = row[:n] if enc["truncating"] == "post" else row[len(row) - n :]
            if enc["padding"] == "post":
                ids[r, :n] = row
            else:
                ids[r, width - n :] = row
        return Batch(ids=ids, lengths=lengths)

    def encode_bag(
        self, texts: Iterable[str], mode: str = "count", sparse: bool = True, norm: str | None = None
    ) -> Any:
        """Bag of ids per text, CSR float32 of shape (n, id_space): ``"count"``, ``"multi_hot"`` or
        ``"tf_idf"`` (scikit-learn's smooth idf; needs ``fit``).

        >>> import textprep as tp
        >>> pipe = tp.train_subword(tp.Pipeline(), ["ab ab"], vocab_size=10)
        >>> pipe.encode_bag(["ab ab"]).sum()
        np.float32(2.0)
        """
        import scipy.sparse

        if mode not in ("count", "multi_hot", "tf_idf"):
            raise ConfigError(f"encode_bag mode={mode!r} is not one of 'count', 'multi_hot', 'tf_idf'")
        if norm not in (None, "l2"):
            raise ConfigError(f"norm={norm!r} is not one of None, 'l2'")
        values, splits = self.encode_ragged(texts)
        n = len(splits) - 1
        rows = np.repeat(np.arange(n), np.diff(splits))
        m = scipy.sparse.csr_matrix(
            (np.ones(len(values), dtype=np.float32), (rows, values)), shape=(n, self.id_space)
        )
        m.sum_duplicates()
        if mode == "multi_hot":
            m.data[:] = 1.0
        elif mode == "tf_idf":
            if self._df is None:
                raise NotFittedError(
                    "encode_bag(mode='tf_idf') needs document frequencies: call fit(texts) first"
                )
            idf = np.log((1.0 + self._n_docs) / (1.0 + self._df)) + 1.0
            m = scipy.sparse.csr_matrix(m.multiply(idf.astype(np.float32)[None, :]), dtype=np.float32)
        if norm == "l2":
            sq = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
            sq[sq == 0] = 1.0
            m = scipy.sparse.csr_matrix(m.multiply(1.0 / sq[:, None]), dtype=np.float32)
        return m if sparse else m.toarray()

    # -- fitting ---------------------------------------------------------------------------------------------
    def fit(self, texts: Iterable[str]) -> HFPipeline:
        """Document frequencies of the HF ids (for ``tf_idf`` bags); the ids themselves are the HF model's.

        >>> import textprep as tp
        >>> pipe = tp.train_subword(tp.Pipeline(), ["ab", "cd"], vocab_size=10).fit(["ab", "ab cd"])
        >>> pipe.encode_bag(["ab cd"], mode="tf_idf").nnz
        2
        """
        df = np.zeros(self.id_space, dtype=np.float64)
        n_docs = 0
        for chunk in iter_chunks(texts):
            values, splits = self.encode_ragged(chunk)
            for r in range(len(splits) - 1):
                df[np.unique(values[splits[r] : splits[r + 1]])] += 1
            n_docs += len(chunk)
        self._df, self._n_docs = df, n_docs
        return self

    def count(self, texts: Iterable[str]) -> Any:
        """Not available: the vocabulary is the HF model's (see ``tp.train_subword``).

        >>> import textprep as tp
        >>> tp.train_subword(tp.Pipeline(), ["a"], vocab_size=10).count(["a"])
        Traceback (most recent call last):
        textprep.errors.ConfigError: count/fit_counts/extend_vocab are not available with split='hf'; ...
        """
        raise ConfigError(
            "count/fit_counts/extend_vocab are not available with split='hf'; the vocabulary is the HF model's "
            "(train one with tp.train_subword)"
        )

    fit_counts = count  # type: ignore[assignment]
    extend_vocab = count  # type: ignore[assignment]
    count_files = count  # type: ignore[assignment]
    fit_files = count  # type: ignore[assignment]
    encode_files = count  # type: ignore[assignment]

    @property
    def vocab(self) -> HFVocab:  # type: ignore[override]
        """The HF vocabulary in textprep's layout (:class:`HFVocab`)."""
        return HFVocab(self._tok)

    @property
    def is_fitted(self) -> bool:
        """Always True: ids come from the HF model."""
        return True

    @property
    def id_space(self) -> int:
        """HF vocabulary size (with added tokens) + 1 for padding."""
        return int(self._tok.get_vocab_size(with_added_tokens=True)) + 1

    # -- the artifact ----------------------------------------------------------------------------------------
    def to_json(self) -> str:
        """The artifact: textprep's normalization/padding config plus the embedded ``tokenizer.json``.

        >>> import json, textprep as tp
        >>> art = json.loads(tp.train_subword(tp.Pipeline(), ["a"], vocab_size=10).to_json())
        >>> art["backend"], json.loads(art["tokenizer"])["model"]["type"]
        ('hf', 'BPE')
        """
        extra: dict[str, Any] = {
            "tokenizer": self._tok.to_str(),
            "textprep_normalize": self._normalize_text,
            "add_special_tokens": self._special,
        }
        if self._df is not None:
            extra["df"] = self._df.astype(np.int64).tolist()
            extra["n_docs"] = self._n_docs
        return envelope("hf", str(self._core.to_json()), **extra)

    @classmethod
    def from_json(cls, text: str) -> HFPipeline:
        """Rebuild from ``to_json`` output.

        >>> import textprep as tp
        >>> pipe = tp.train_subword(tp.Pipeline(), ["ab ab"], vocab_size=10)
        >>> tp.Pipeline.from_json(pipe.to_json()).encode("ab").tolist() == pipe.encode("ab").tolist()
        True
        """
        return cls._from_envelope(parse_envelope(text))

    @classmethod
    def _from_envelope(cls, doc: dict[str, Any], **_: Any) -> HFPipeline:
        if doc.get("backend") != "hf":
            raise ArtifactError(f"not an HF-backed artifact (backend {doc.get('backend')!r})")
        tk = _tokenizers()
        if not isinstance(doc.get("tokenizer"), str):
            raise ArtifactError("invalid HF artifact: 'tokenizer' (the embedded tokenizer.json) is missing")
        try:
            tok = tk.Tokenizer.from_str(doc["tokenizer"])
        except Exception as e:
            raise ArtifactError(
                f"invalid HF artifact: the embedded tokenizer.json does not load ({e})"
            ) from None
        obj = cls.__new__(cls)
        obj._tok = tok
        obj._core = _core.Pipeline.from_json(json.dumps(doc["pipeline"]))
        obj._normalize_text = bool(doc.get("textprep_normalize", True))
        obj._special = bool(doc.get("add_special_tokens", True))
        obj._df = None
        obj._n_docs = 0
        if "df" in doc:
            df = np.asarray(doc["df"], dtype=np.float64)
            if df.shape != (obj.id_space,):
                raise ArtifactError(f"invalid HF artifact: df has {df.size} entries, expected {obj.id_space}")
            obj._df, obj._n_docs = df, int(doc.get("n_docs", 0))
        return obj

    @property
    def fingerprint(self) -> str:
        """Stable hash of the behaviour (config, tokenizer.json, options).

        >>> import textprep as tp
        >>> tp.train_subword(tp.Pipeline(), ["a"], vocab_size=10).fingerprint != tp.Pipeline().fingerprint
        True
        """
        # canonical tokenizer JSON: HF's to_str/from_str round trip moves Unigram scores by an ulp, so the
        # fingerprint reads floats to 12 significant digits
        parsed = json.loads(self._tok.to_str(), parse_float=lambda f: f"{float(f):.12g}")
        tok = json.dumps(parsed, sort_keys=True, ensure_ascii=False)
        state = json.dumps([self._core.fingerprint(), tok, self._normalize_text, self._special])
        return hashlib.sha256(state.encode()).hexdigest()[:16]

    def __getstate__(self) -> dict[str, str]:
        return {"artifact": self.to_json()}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__dict__.update(self._from_envelope(parse_envelope(state["artifact"])).__dict__)


# -- training --------------------------------------------------------------------------------------------------
def train_subword(
    pipe: Pipeline,
    texts: Iterable[str],
    model: str = "bpe",
    vocab_size: int = 8000,
    min_frequency: int = 0,
    special_tokens: list[str] | None = None,
) -> HFPipeline:
    """Train an HF subword model (``"bpe"``, ``"wordpiece"`` or ``"unigram"``) on the output of ``pipe``'s
    normalizer, streamed to ``Tokenizer.train_from_iterator``; returns an :class:`HFPipeline` with ``pipe``'s
    normalization and padding options. Pre-tokenization is HF's ``Whitespace`` (``\\w+|[^\\w\\s]+``).
    ``special_tokens`` default to ``["[UNK]"]`` (the unknown token is the first of them).

    >>> import textprep as tp
    >>> sub = tp.train_subword(tp.Pipeline(), ["Tokenizers tokenize tokens"] * 10, model="unigram", vocab_size=30)
    >>> sub.tokenize("tokens")[0].startswith("token")
    True
    """
    tk = _tokenizers()
    from tokenizers import decoders, models, pre_tokenizers, trainers

    if not isinstance(pipe, Pipeline) or isinstance(pipe, HFPipeline):
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
    return HFPipeline(pipe.config, tokenizer=tok, textprep_normalize=True, add_special_tokens=True)


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

    if type(pipe) is not Pipeline:
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


__all__ = ["MODELS", "HFPipeline", "HFVocab", "export_tokenizer_json", "train_subword"]
