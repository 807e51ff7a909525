"""What ``textprep bench`` and ``benchmarks/`` measure: the corpus, and every contender of every task.

A contender is a ``make(texts, path)`` function that does everything that is not timed (imports, thread count,
training a vocabulary a peer needs before it can run, writing the vectors file) and returns the zero-argument
callable that is timed. ``path`` is a UTF-8 file holding exactly ``texts``, one per line (for the contenders
that read files). Peers that are not installed raise :class:`Unavailable` (reported as "not installed").

Tasks: ``tokenize``, ``presets`` (a compat preset against the peer whose rules it reproduces), ``fit``
(vocabulary top 20,000), ``encode`` (padded ``(n, 128)`` int32), ``hashing`` (a hashed bag of words as CSR)
and ``vectors`` (load pretrained GloVe vectors and align them to a fitted vocabulary).

>>> sorted(TASKS)
['encode', 'fit', 'hashing', 'presets', 'tokenize', 'vectors']
>>> c = find("tokenize", "textprep list (1 thread)")
>>> c.reference, c.id
(True, 'textprep-list-1-thread')
>>> from pathlib import Path
>>> c.make(["Hello, world!"], Path("unused"))()[0]
['hello', ',', 'world', '!']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import (
    CHECK_LINES,
    CPUS,
    MAX_TOKENS,
    MAXLEN,
    N_BUCKETS,
    Contender,
    Make,
    NotInstalled,
    Unavailable,
    mismatch,
    need,
)
from .blingfire import _blingfire_tokenize
from .corpus import (
    builtin_corpus,
    cache_dir,
    corpus_file,
    corpus_slice_file,
    glove_text_file,
    read_lines,
    shared_corpus,
    spread,
    utf8_bytes,
    vector_rows,
    write_lines,
)
from .gensim import _gensim_fit, _gensim_tokenize, _gensim_vectors
from .hf import _hf_bert, _hf_encode, _hf_fit, _hf_rows, _hf_threads, _hf_tokenize
from .keras import (
    _decode_rows,
    _keras_adapt,
    _keras_bag,
    _keras_encode,
    _keras_hashing,
    _keras_ops_list,
    _keras_ops_tokenize,
    _tf_rows,
    _tf_threads,
)
from .ours import (
    _tp_bag,
    _tp_encode,
    _tp_fit,
    _tp_fit_files,
    _tp_hashed,
    _tp_preset,
    _tp_tokenize,
    _tp_vectors,
)
from .sklearn import _sklearn_fit, _sklearn_hashing, _sklearn_tokenize
from .spacy import _spacy_tokenize
from .stdlib import _counter_fit, _dict_encode, _python_vectors, _re_tokenize, _split_tokenize

_HF_TOK = "HF tokenizers WordLevel NFKC+Lowercase/Whitespace"


_KERAS_TOK = "Keras TextVectorization standardize+split (TF ops)"


TOKENIZE = [
    Contender(
        "tokenize", "textprep list (1 thread)", _tp_tokenize("list", 1), "1", "list of str", reference=True
    ),
    Contender("tokenize", "textprep list (2 threads)", _tp_tokenize("list", 2), "2", "list of str"),
    Contender("tokenize", "textprep arrow (1 thread)", _tp_tokenize("arrow", 1), "1", "Arrow LargeList"),
    Contender("tokenize", "textprep arrow (2 threads)", _tp_tokenize("arrow", 2), "2", "Arrow LargeList"),
    Contender("tokenize", "textprep flat (1 thread)", _tp_tokenize("flat", 1), "1", "utf8 buffer + offsets"),
    Contender("tokenize", "textprep flat (2 threads)", _tp_tokenize("flat", 2), "2", "utf8 buffer + offsets"),
    *_hf_rows("tokenize", _HF_TOK, _hf_tokenize, "list of str (.tokens)", slow=True),
    Contender("tokenize", "spaCy blank('en').tokenizer.pipe", _spacy_tokenize, "1", "list of str", slow=True),
    Contender(
        "tokenize", "blingfire text_to_words + split", _blingfire_tokenize, "1", "list of str", slow=True
    ),
    Contender(
        "tokenize", "scikit-learn CountVectorizer analyzer", _sklearn_tokenize, "1", "list of str", slow=True
    ),
    Contender("tokenize", "gensim simple_preprocess", _gensim_tokenize, "1", "list of str", slow=True),
    *_tf_rows("tokenize", _KERAS_TOK, _keras_ops_tokenize, "tf.RaggedTensor"),
    Contender(
        "tokenize", "Python re.findall(\\w+) on NFKC lower", _re_tokenize, "1", "list of str", slow=True
    ),
    Contender("tokenize", "floor: [s.split() for s in docs]", _split_tokenize, "1", "list of str"),
]


PRESET_PEERS: dict[str, tuple[str, Make, str, str, Callable[[Any], Any] | None]] = {
    "sklearn": ("scikit-learn CountVectorizer().build_analyzer()", _sklearn_tokenize, "1", "", None),
    "gensim": ("gensim simple_preprocess", _gensim_tokenize, "1", "", None),
    "bert": (
        "HF BertNormalizer+BertPreTokenizer (WordLevel .tokens)",
        _hf_bert,
        _hf_threads(None),
        "",
        None,
    ),
    "keras": (
        "Keras TextVectorization TF ops, .to_list()",
        _keras_ops_list,
        _tf_threads(None),
        "bytes",
        _decode_rows,
    ),
}


PRESETS: list[Contender] = []


for _name, (_peer, _make, _threads, _out, _canon) in PRESET_PEERS.items():
    _ours = f"textprep preset {_name!r} (1 thread)"
    PRESETS += [
        Contender(
            "presets", _ours, _tp_preset(_name), "1", "list of str", reference=True, group=f"preset-{_name}"
        ),
        Contender(
            "presets",
            _peer,
            _make,
            _threads,
            f"list of {_out or 'str'}",
            slow=True,
            group=f"preset-{_name}",
            compare_to=_ours,
            canon=_canon,
        ),
    ]


def preset_pairs() -> dict[str, tuple[Contender, Contender]]:
    """``{preset: (textprep row, peer row)}``.

    >>> sorted(preset_pairs())
    ['bert', 'gensim', 'keras', 'sklearn']
    """
    return {c.group.removeprefix("preset-"): (c, p) for c, p in zip(PRESETS[::2], PRESETS[1::2], strict=True)}


_HF_FIT = "HF WordLevelTrainer train_from_iterator"


_KERAS_FIT = "Keras TextVectorization.adapt (tf.data, batch 4096)"


FIT = [
    Contender("fit", "textprep fit (1 thread)", _tp_fit(1), "1", "vocab top 20k", reference=True),
    Contender("fit", "textprep fit (2 threads)", _tp_fit(2), "2", "vocab top 20k"),
    Contender(
        "fit", "textprep fit_files (all cores)", _tp_fit_files, str(CPUS), "vocab top 20k, from the file"
    ),
    *_hf_rows("fit", _HF_FIT, _hf_fit, "vocab 20k+2"),
    *_tf_rows("fit", _KERAS_FIT, _keras_adapt, "vocab 20k+2", slow=True),
    Contender(
        "fit", "scikit-learn CountVectorizer(max_features).fit", _sklearn_fit, "1", "vocab 20k", slow=True
    ),
    Contender("fit", "gensim Dictionary + filter_extremes(keep_n)", _gensim_fit, "1", "vocab 20k", slow=True),
    Contender("fit", "Python Counter over re.findall(\\w+)", _counter_fit, "1", "vocab 20k", slow=True),
]


_HF_ENC = "HF tokenizers WordLevel, padding+truncation 128"


_KERAS_ENC = "Keras TextVectorization(output_sequence_length=128)"


_KERAS_HASH_ENC = "Keras standardize+split + Hashing(2^20)"


ENCODE = [
    Contender("encode", "textprep vocab (1 thread)", _tp_encode(1), "1", "(n, 128) int32", reference=True),
    Contender("encode", "textprep vocab (2 threads)", _tp_encode(2), "2", "(n, 128) int32"),
    Contender("encode", "textprep hashed 2^20 (1 thread)", _tp_hashed(1), "1", "(n, 128) int32"),
    Contender("encode", "textprep hashed 2^20 (2 threads)", _tp_hashed(2), "2", "(n, 128) int32"),
    *_hf_rows("encode", _HF_ENC, _hf_encode, "np.array(ids) int32", slow=True),
    *_tf_rows("encode", _KERAS_ENC, _keras_encode, "jax → np int32"),
    *_tf_rows("encode", _KERAS_HASH_ENC, _keras_hashing, "jax → np int32", slow=True),
    Contender("encode", "Python dict lookup over re.findall(\\w+)", _dict_encode, "1", "np int32", slow=True),
]


_TP_SK_BAG = "textprep preset 'sklearn' murmur3 bag (1 thread)"


_TP_KERAS_BAG = "textprep preset 'keras' farmhash64 bag (1 thread)"


_KERAS_BAG = "Keras standardize+split + Hashing(2^20) → CSR counts"


HASHING = [
    Contender("hashing", _TP_SK_BAG, _tp_bag("sklearn", 1), "1", "CSR float32 (signed)", reference=True),
    Contender(
        "hashing",
        "textprep preset 'sklearn' murmur3 bag (2 threads)",
        _tp_bag("sklearn", 2),
        "2",
        "CSR float32",
    ),
    Contender("hashing", "textprep hashed bag xxh3 (1 thread)", _tp_bag(None, 1), "1", "CSR float32"),
    Contender("hashing", "textprep hashed bag xxh3 (2 threads)", _tp_bag(None, 2), "2", "CSR float32"),
    Contender("hashing", _TP_KERAS_BAG, _tp_bag("keras", 1), "1", "CSR float32"),
    Contender(
        "hashing",
        "textprep preset 'keras' farmhash64 bag (2 threads)",
        _tp_bag("keras", 2),
        "2",
        "CSR float32",
    ),
    Contender(
        "hashing",
        "scikit-learn HashingVectorizer(2^20, norm=None).transform",
        _sklearn_hashing,
        "1",
        "CSR float64 (signed)",
        slow=True,
        compare_to=_TP_SK_BAG,
    ),
    *_tf_rows("hashing", _KERAS_BAG, _keras_bag, "CSR float32", compare_to=_TP_KERAS_BAG),
]


_TP_VEC = "textprep load_vectors(vocab=pipe) + align"


VECTORS = [
    Contender("vectors", _TP_VEC, _tp_vectors(True), "1", "(20,002, 50) float32", reference=True),
    Contender(
        "vectors", "textprep load_vectors (all rows) + align", _tp_vectors(False), "1", "(20,002, 50) float32"
    ),
    Contender(
        "vectors",
        "gensim KeyedVectors.load_word2vec_format(no_header) + align by hand",
        _gensim_vectors,
        "1",
        "(20,002, 50) float32",
        slow=True,
        compare_to=_TP_VEC,
    ),
    Contender(
        "vectors",
        "Python: keep vocabulary lines, np.array(split)",
        _python_vectors,
        "1",
        "(20,002, 50) float32",
        slow=True,
        compare_to=_TP_VEC,
    ),
]


TASKS: dict[str, list[Contender]] = {
    "tokenize": TOKENIZE,
    "presets": PRESETS,
    "fit": FIT,
    "encode": ENCODE,
    "hashing": HASHING,
    "vectors": VECTORS,
}


TASK_TITLES = {
    "tokenize": "Tokenize (text → tokens)",
    "presets": "Compatibility presets vs the peer they reproduce (same rules)",
    "fit": f"Vocabulary fit (top {MAX_TOKENS:,})",
    "encode": f"Encode to padded ({MAXLEN}) int32 ids",
    "hashing": "Hashing to a bag of words (2^20 buckets, CSR counts)",
    "vectors": "Load GloVe 6B 50d (text) and align to the fitted vocabulary (top 20,000)",
}


def find(task: str, name: str) -> Contender:
    """The contender of ``task`` called ``name`` (or with that :attr:`Contender.id`).

    >>> find("fit", "textprep-fit-1-thread").name
    'textprep fit (1 thread)'
    """
    for c in TASKS[task]:
        if c.name == name or c.id == name:
            return c
    raise KeyError(f"no contender {name!r} in task {task!r}")


__all__ = [
    "CHECK_LINES",
    "ENCODE",
    "FIT",
    "HASHING",
    "MAXLEN",
    "MAX_TOKENS",
    "N_BUCKETS",
    "PRESETS",
    "TASKS",
    "TASK_TITLES",
    "TOKENIZE",
    "VECTORS",
    "Contender",
    "NotInstalled",
    "Unavailable",
    "builtin_corpus",
    "cache_dir",
    "corpus_file",
    "corpus_slice_file",
    "find",
    "glove_text_file",
    "mismatch",
    "need",
    "preset_pairs",
    "read_lines",
    "shared_corpus",
    "spread",
    "utf8_bytes",
    "vector_rows",
    "write_lines",
]
