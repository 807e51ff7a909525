"""What the benchmarks measure: the corpus, and every contender of every task, shared by the pytest-benchmark
files (``bench_*.py``) and the standalone ``report.py``.

A contender is a ``make(texts, path)`` function that does everything that is not timed (imports, thread count,
training a vocabulary a peer needs before it can run) and returns the zero-argument callable that is timed.
``path`` is a UTF-8 file holding exactly ``texts``, one per line (for the contenders that read files).
Peers that are not installed raise ``Unavailable`` (the pytest files turn that into a skip).
"""

from __future__ import annotations

import collections
import importlib
import lzma
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTPREP_SHARED_DATA", ROOT.parent / "shared" / "data"))
CORPUS_XZ = Path(os.environ.get("TEXTPREP_BENCH_CORPUS", SHARED / "bench" / "en_natural.txt.xz"))
CACHE = Path(os.environ.get("TEXTPREP_BENCH_CACHE", Path(tempfile.gettempdir()) / "textprep-bench"))

MAX_TOKENS = 20_000  # vocabulary size of the fit task (peers that count special tokens get 20_002)
MAXLEN = 128  # row width of the encode task
N_BUCKETS = 2**20  # hashing buckets of the encode task
CHECK_LINES = 2_000  # lines the preset-vs-peer token equality is checked on (outside timing)
KERAS_PUNCT = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'  # Keras 3 TextVectorization DEFAULT_STRIP_REGEX
WORD_RE = re.compile(r"\w+")
CPUS = os.cpu_count() or 1


class Unavailable(Exception):
    """A peer library is not installed (or the corpus is absent)."""


# -- corpus --------------------------------------------------------------------------------------------------
def corpus_file() -> Path:
    """The decompressed corpus in the cache (decompressed once; never inside the repository)."""
    src = CORPUS_XZ
    if src.suffix != ".xz":  # a plain text corpus given directly
        if not src.exists():
            raise Unavailable(f"benchmark corpus {src} is not present")
        return src
    out = CACHE / src.name[: -len(".xz")]
    if out.exists() and (not src.exists() or out.stat().st_mtime >= src.stat().st_mtime):
        return out
    if not src.exists():
        raise Unavailable(
            f"benchmark corpus {src} is not present (set TEXTPREP_BENCH_CORPUS or TEXTPREP_SHARED_DATA)"
        )
    CACHE.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=CACHE, suffix=".part")
    with os.fdopen(fd, "wb") as f, lzma.open(src) as z:
        shutil.copyfileobj(z, f, 1 << 22)
    os.replace(tmp, out)
    return out


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    """Documents of a corpus file: one per line (``\\n``), the trailing empty line dropped."""
    with open(path, encoding="utf-8", newline="") as f:
        texts = f.read().split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    return texts


def spread(texts: Sequence[str], n: int | None) -> list[str]:
    """``n`` lines evenly spread over ``texts`` (the corpus is ordered by source: a head is one source)."""
    if n is None or n >= len(texts):
        return list(texts)
    if n <= 0:
        return []
    step = len(texts) / n
    return [texts[int(i * step)] for i in range(n)]


def write_lines(texts: Sequence[str], path: str | os.PathLike[str]) -> Path:
    """Write ``texts`` one per line (atomically) and return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        for t in texts:
            f.write(t)
            f.write("\n")
    os.replace(tmp, p)
    return p


def corpus_slice_file(n: int | None) -> Path:
    """The corpus file itself, or a cached file with ``n`` lines spread over it."""
    full = corpus_file()
    if n is None:
        return full
    out = CACHE / f"{full.stem}.spread{n}.txt"
    if not out.exists() or out.stat().st_mtime < full.stat().st_mtime:
        texts = read_lines(full)
        if n >= len(texts):
            return full
        write_lines(spread(texts, n), out)
    return out


def utf8_bytes(texts: Sequence[str]) -> int:
    return sum(len(s.encode("utf-8", "surrogatepass")) for s in texts)


# -- helpers -------------------------------------------------------------------------------------------------
def need(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise Unavailable(f"{module} is not installed ({e})") from None


def tp_threads(n: int) -> Any:
    tp = need("textprep")
    tp.set_num_threads(n)
    return tp


def tf_mod() -> Any:
    return need("tensorflow")


def keras_standardize_split(tf: Any, x: Any) -> Any:
    """Keras 3 ``TextVectorization`` default standardize (``lower_and_strip_punctuation``) + ``whitespace``
    split, the exact TF ops the layer runs (``keras/src/layers/preprocessing/text_vectorization.py``)."""
    return tf.strings.split(tf.strings.regex_replace(tf.strings.lower(x), KERAS_PUNCT, ""))


def hf_word_tokenizer(texts: Sequence[str], vocab_size: int, specials: list[str], bert: bool = False) -> Any:
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


def py_tokens(s: str) -> list[str]:
    return WORD_RE.findall(unicodedata.normalize("NFKC", s).lower())


# -- contenders ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contender:
    task: str  # tokenize | presets | fit | encode
    name: str
    make: Callable[[list[str], Path], Callable[[], Any]]
    threads: str
    output: str
    slow: bool = False  # measured once (and on a slice in report.py if it would exceed the time cap)
    reference: bool = False  # the row the task's ratios are relative to
    group: str = ""  # pytest-benchmark group (default: the task)
    tokens: Callable[[list[str]], list[list[str]]] | None = None  # for the preset-vs-peer equality check
    notes: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


# tokenize ---------------------------------------------------------------------------------------------------
def _tp_tokenize(output: str, threads: int) -> Callable[[list[str], Path], Callable[[], Any]]:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        pipe = tp.Pipeline(case="lower", unicode="nfkc", split="words.v1")
        if output == "arrow":
            need("pyarrow")
        return lambda: pipe.tokenize_batch(texts, output=output)

    return make


def _hf_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    # WordLevel needs a vocabulary: trained here on these very texts (unbounded): .tokens are the real tokens.
    tok = hf_word_tokenizer(texts, vocab_size=1 << 30, specials=["[UNK]"])
    return lambda: [e.tokens for e in tok.encode_batch(texts)]


def _spacy_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    spacy = need("spacy")
    tokenizer = spacy.blank("en").tokenizer
    return lambda: [[t.text for t in doc] for doc in tokenizer.pipe(texts)]


def _sklearn_analyzer() -> Callable[[str], list[str]]:
    text = need("sklearn.feature_extraction.text")
    return text.CountVectorizer().build_analyzer()


def _sklearn_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    analyzer = _sklearn_analyzer()
    return lambda: [analyzer(s) for s in texts]


def _gensim_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    simple_preprocess = need("gensim.utils").simple_preprocess
    return lambda: [simple_preprocess(s) for s in texts]


def _keras_ops_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    tf = tf_mod()
    return lambda: keras_standardize_split(tf, tf.constant(texts))


def _re_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    findall, normalize = WORD_RE.findall, unicodedata.normalize
    return lambda: [findall(normalize("NFKC", s).lower()) for s in texts]


def _split_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    return lambda: [s.split() for s in texts]


TOKENIZE = [
    Contender(
        "tokenize", "textprep list (1 thread)", _tp_tokenize("list", 1), "1", "list of str", reference=True
    ),
    Contender("tokenize", "textprep list (2 threads)", _tp_tokenize("list", 2), "2", "list of str"),
    Contender("tokenize", "textprep arrow (1 thread)", _tp_tokenize("arrow", 1), "1", "Arrow LargeList"),
    Contender("tokenize", "textprep arrow (2 threads)", _tp_tokenize("arrow", 2), "2", "Arrow LargeList"),
    Contender("tokenize", "textprep flat (1 thread)", _tp_tokenize("flat", 1), "1", "utf8 buffer + offsets"),
    Contender("tokenize", "textprep flat (2 threads)", _tp_tokenize("flat", 2), "2", "utf8 buffer + offsets"),
    Contender(
        "tokenize",
        "HF tokenizers WordLevel NFKC+Lowercase/Whitespace",
        _hf_tokenize,
        f"{CPUS} (library default)",
        "list of str (.tokens)",
        slow=True,
    ),
    Contender("tokenize", "spaCy blank('en').tokenizer.pipe", _spacy_tokenize, "1", "list of str", slow=True),
    Contender(
        "tokenize", "scikit-learn CountVectorizer analyzer", _sklearn_tokenize, "1", "list of str", slow=True
    ),
    Contender("tokenize", "gensim simple_preprocess", _gensim_tokenize, "1", "list of str", slow=True),
    Contender(
        "tokenize",
        "Keras TextVectorization standardize+split (TF ops)",
        _keras_ops_tokenize,
        f"{CPUS} (TF default)",
        "tf.RaggedTensor",
    ),
    Contender(
        "tokenize", "Python re.findall(\\w+) on NFKC lower", _re_tokenize, "1", "list of str", slow=True
    ),
    Contender("tokenize", "floor: [s.split() for s in docs]", _split_tokenize, "1", "list of str"),
]


# presets: textprep preset vs the peer whose rules it reproduces ---------------------------------------------
def _tp_preset(name: str) -> Callable[[list[str], Path], Callable[[], Any]]:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(1)
        pipe = tp.Pipeline.preset(name)
        return lambda: pipe.tokenize_batch(texts)

    return make


def _tp_preset_tokens(name: str) -> Callable[[list[str]], list[list[str]]]:
    def tokens(texts: list[str]) -> list[list[str]]:
        return list(tp_threads(1).Pipeline.preset(name).tokenize_batch(texts))

    return tokens


def _hf_bert(texts: list[str], path: Path) -> Callable[[], Any]:
    tok = hf_word_tokenizer(texts, vocab_size=1 << 30, specials=["[UNK]"], bert=True)
    return lambda: [e.tokens for e in tok.encode_batch(texts)]


def _hf_bert_tokens(texts: list[str]) -> list[list[str]]:
    return _hf_bert(texts, Path())()


def _keras_ops_list(texts: list[str], path: Path) -> Callable[[], Any]:
    tf = tf_mod()
    return lambda: keras_standardize_split(tf, tf.constant(texts)).to_list()


def _keras_tokens(texts: list[str]) -> list[list[str]]:
    return [[t.decode("utf-8") for t in row] for row in _keras_ops_list(texts, Path())()]


def _sklearn_tokens(texts: list[str]) -> list[list[str]]:
    return _sklearn_tokenize(texts, Path())()


def _gensim_tokens(texts: list[str]) -> list[list[str]]:
    return _gensim_tokenize(texts, Path())()


PRESET_PEERS = {
    "sklearn": (
        "scikit-learn CountVectorizer().build_analyzer()",
        _sklearn_tokenize,
        _sklearn_tokens,
        "1",
        "",
    ),
    "gensim": ("gensim simple_preprocess", _gensim_tokenize, _gensim_tokens, "1", ""),
    "bert": (
        "HF BertNormalizer+BertPreTokenizer (WordLevel .tokens)",
        _hf_bert,
        _hf_bert_tokens,
        f"{CPUS} (library default)",
        "",
    ),
    "keras": (
        "Keras TextVectorization TF ops, .to_list()",
        _keras_ops_list,
        _keras_tokens,
        f"{CPUS} (TF default)",
        "bytes",
    ),
}

PRESETS: list[Contender] = []
for _name, (_peer, _make, _tokens, _threads, _out) in PRESET_PEERS.items():
    PRESETS += [
        Contender(
            "presets",
            f"textprep preset {_name!r} (1 thread)",
            _tp_preset(_name),
            "1",
            "list of str",
            reference=True,
            group=f"preset-{_name}",
            tokens=_tp_preset_tokens(_name),
        ),
        Contender(
            "presets",
            _peer,
            _make,
            _threads,
            f"list of {_out or 'str'}",
            slow=True,
            group=f"preset-{_name}",
            tokens=_tokens,
        ),
    ]


def preset_pairs() -> dict[str, tuple[Contender, Contender]]:
    return {c.group.removeprefix("preset-"): (c, p) for c, p in zip(PRESETS[::2], PRESETS[1::2], strict=True)}


def token_mismatch(a: list[list[str]], b: list[list[str]], texts: list[str]) -> str | None:
    """None when equal, else a short description of how many documents differ and the first one."""
    bad = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if not bad:
        return None
    i = bad[0]
    return f"{len(bad)}/{len(texts)} docs differ; first, doc {i} {texts[i][:80]!r}: {a[i][:8]} vs {b[i][:8]}"


# fit --------------------------------------------------------------------------------------------------------
def _tp_fit(threads: int) -> Callable[[list[str], Path], Callable[[], Any]]:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        return lambda: tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts)

    return make


def _tp_fit_files(texts: list[str], path: Path) -> Callable[[], Any]:
    tp = tp_threads(0)
    return lambda: tp.Pipeline(max_tokens=MAX_TOKENS).fit_files([path], progress=False)


def _hf_fit(texts: list[str], path: Path) -> Callable[[], Any]:
    need("tokenizers")
    return lambda: hf_word_tokenizer(texts, vocab_size=MAX_TOKENS + 2, specials=["[PAD]", "[UNK]"])


def _keras_adapt(texts: list[str], path: Path) -> Callable[[], Any]:
    tf = tf_mod()
    keras = need("keras")

    def run() -> Any:
        layer = keras.layers.TextVectorization(max_tokens=MAX_TOKENS + 2)
        layer.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(4096))
        return layer

    return run


def _sklearn_fit(texts: list[str], path: Path) -> Callable[[], Any]:
    text = need("sklearn.feature_extraction.text")
    return lambda: text.CountVectorizer(max_features=MAX_TOKENS).fit(texts)


def _gensim_fit(texts: list[str], path: Path) -> Callable[[], Any]:
    need("gensim")
    from gensim.corpora import Dictionary
    from gensim.utils import simple_preprocess

    def run() -> Any:
        d = Dictionary(simple_preprocess(s) for s in texts)
        d.filter_extremes(no_below=1, no_above=1.0, keep_n=MAX_TOKENS)
        return d

    return run


def _counter_fit(texts: list[str], path: Path) -> Callable[[], Any]:
    def run() -> Any:
        c: collections.Counter[str] = collections.Counter()
        for s in texts:
            c.update(py_tokens(s))
        return {t: i for i, (t, _) in enumerate(c.most_common(MAX_TOKENS), 2)}

    return run


FIT = [
    Contender("fit", "textprep fit (1 thread)", _tp_fit(1), "1", "vocab top 20k", reference=True),
    Contender("fit", "textprep fit (2 threads)", _tp_fit(2), "2", "vocab top 20k"),
    Contender(
        "fit", "textprep fit_files (all cores)", _tp_fit_files, str(CPUS), "vocab top 20k, from the file"
    ),
    Contender(
        "fit", "HF WordLevelTrainer train_from_iterator", _hf_fit, f"{CPUS} (library default)", "vocab 20k+2"
    ),
    Contender(
        "fit",
        "Keras TextVectorization.adapt (tf.data, batch 4096)",
        _keras_adapt,
        f"{CPUS} (TF default)",
        "vocab 20k+2",
        slow=True,
    ),
    Contender(
        "fit", "scikit-learn CountVectorizer(max_features).fit", _sklearn_fit, "1", "vocab 20k", slow=True
    ),
    Contender("fit", "gensim Dictionary + filter_extremes(keep_n)", _gensim_fit, "1", "vocab 20k", slow=True),
    Contender("fit", "Python Counter over re.findall(\\w+)", _counter_fit, "1", "vocab 20k", slow=True),
]


# encode -----------------------------------------------------------------------------------------------------
def _tp_encode(threads: int) -> Callable[[list[str], Path], Callable[[], Any]]:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(0)
        pipe = tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts)
        tp.set_num_threads(threads)
        return lambda: pipe.encode_batch(texts, maxlen=MAXLEN).ids

    return make


def _tp_hashed(threads: int) -> Callable[[list[str], Path], Callable[[], Any]]:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        pipe = tp.Pipeline(n_buckets=N_BUCKETS, maxlen=MAXLEN)
        return lambda: pipe(texts)

    return make


def _hf_encode(texts: list[str], path: Path) -> Callable[[], Any]:
    tok = hf_word_tokenizer(texts, vocab_size=MAX_TOKENS + 2, specials=["[PAD]", "[UNK]"])
    tok.enable_padding(length=MAXLEN, pad_id=0, pad_token="[PAD]")
    tok.enable_truncation(MAXLEN)
    return lambda: np.array([e.ids for e in tok.encode_batch(texts)], dtype=np.int32)


def _keras_encode(texts: list[str], path: Path) -> Callable[[], Any]:
    tf = tf_mod()
    keras = need("keras")
    layer = keras.layers.TextVectorization(max_tokens=MAX_TOKENS + 2, output_sequence_length=MAXLEN)
    layer.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(4096))
    return lambda: np.asarray(layer(tf.constant(texts)), dtype=np.int32)


def _keras_hashing(texts: list[str], path: Path) -> Callable[[], Any]:
    tf = tf_mod()
    keras = need("keras")
    layer = keras.layers.Hashing(num_bins=N_BUCKETS, mask_value="")

    def run() -> Any:
        tokens = keras_standardize_split(tf, tf.constant(texts)).to_tensor(
            default_value="", shape=[None, MAXLEN]
        )
        return np.asarray(layer(tokens), dtype=np.int32)

    return run


def _dict_encode(texts: list[str], path: Path) -> Callable[[], Any]:
    vocab = _counter_fit(texts, path)()

    def run() -> Any:
        out = np.zeros((len(texts), MAXLEN), dtype=np.int32)
        get = vocab.get
        for i, s in enumerate(texts):
            ids = [get(t, 1) for t in py_tokens(s)[:MAXLEN]]
            out[i, : len(ids)] = ids
        return out

    return run


ENCODE = [
    Contender("encode", "textprep vocab (1 thread)", _tp_encode(1), "1", "(n, 128) int32", reference=True),
    Contender("encode", "textprep vocab (2 threads)", _tp_encode(2), "2", "(n, 128) int32"),
    Contender("encode", "textprep hashed 2^20 (1 thread)", _tp_hashed(1), "1", "(n, 128) int32"),
    Contender("encode", "textprep hashed 2^20 (2 threads)", _tp_hashed(2), "2", "(n, 128) int32"),
    Contender(
        "encode",
        "HF tokenizers WordLevel, padding+truncation 128",
        _hf_encode,
        f"{CPUS} (library default)",
        "np.array(ids) int32",
        slow=True,
    ),
    Contender(
        "encode",
        "Keras TextVectorization(output_sequence_length=128)",
        _keras_encode,
        f"{CPUS} (TF default)",
        "jax → np int32",
    ),
    Contender(
        "encode",
        "Keras standardize+split + Hashing(2^20)",
        _keras_hashing,
        f"{CPUS} (TF default)",
        "jax → np int32",
    ),
    Contender("encode", "Python dict lookup over re.findall(\\w+)", _dict_encode, "1", "np int32", slow=True),
]

TASKS: dict[str, list[Contender]] = {"tokenize": TOKENIZE, "presets": PRESETS, "fit": FIT, "encode": ENCODE}
TASK_TITLES = {
    "tokenize": "Tokenize (text → tokens)",
    "presets": "Compatibility presets vs the peer they reproduce (same rules)",
    "fit": f"Vocabulary fit (top {MAX_TOKENS:,})",
    "encode": f"Encode to padded ({MAXLEN}) int32 ids",
}


def find(task: str, name: str) -> Contender:
    for c in TASKS[task]:
        if c.name == name or c.id == name:
            return c
    raise KeyError(f"no contender {name!r} in task {task!r}")
