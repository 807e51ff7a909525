"""Hostile input: every case has a defined output or a named exception, never a crash, hang or silent change.

The naughty strings (``tests/data/naughty_strings.json``, written for this project) go through every splitter,
preset and normalization option; the specific cases below state the exact expected behaviour. Peer libraries are
the oracles where a preset promises their tokens.
"""

from __future__ import annotations

import gzip
import json
import pickle
import re
import threading
from pathlib import Path

import numpy as np
import pytest
import textprep as tp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textprep.config import PRESETS
from textprep.embeddings.load import load_vectors
from textprep.errors import (
    ArtifactError,
    ArtifactVersionError,
    ConfigError,
    TextprepError,
    VectorsFormatError,
)

DATA = Path(__file__).parent / "data"
NAUGHTY_DOC = json.loads((DATA / "naughty_strings.json").read_text(encoding="ascii"))
NAUGHTY: list[str] = [s for group in NAUGHTY_DOC["groups"].values() for s in group]
SURROGATE = re.compile("[\ud800-\udfff]")
CLEAN = [s for s in NAUGHTY if not SURROGATE.search(s)]

PIPELINES = {
    "default": {},
    "identity": {"unicode": "none", "case": "keep", "strip_control": False, "split": "whitespace.v1"},
    "heavy": {
        "strip_html": True,
        "case": "fold",
        "accents": "strip",
        "url": "replace",
        "email": "replace",
        "mention": "replace",
        "hashtag": "replace",
        "number": "replace",
        "emoji": "replace",
        "whitespace": "collapse",
        "pad_cjk": True,
    },
    "drop_all": {"url": "drop", "email": "drop", "number": "drop", "emoji": "drop", "strip_control": False},
    "nfd_strip_marks": {"unicode": "nfd", "accents": "strip_all_marks", "case": "lower_char"},
    "ngrams": {"ngrams": [1, 3], "char_ngrams": [2, 4], "max_len": 8, "overlong": "drop"},
    **{
        f"split={s}": {"split": s}
        for s in ("whitespace.v1", "ascii_whitespace.v1", "chars.v1", "graphemes.v1")
    },
    **{f"split={s}": {"split": s} for s in ("pyword.v1", "pyalpha.v1", "bert.v1")},
    "regex": {"split": "regex.v1", "pattern": r"\w+|[^\w\s]"},
    **{f"preset={p}": {"preset": p} for p in PRESETS},
}


def make(spec: dict, **extra) -> tp.Pipeline:
    spec = dict(spec)
    name = spec.pop("preset", None)
    return tp.Pipeline.preset(name, **spec, **extra) if name else tp.Pipeline(**spec, **extra)


def test_naughty_list_is_the_committed_project_list():
    groups = NAUGHTY_DOC["groups"]
    assert {"empty_and_space", "control", "surrogates", "bom", "combining", "bidi", "emoji"} <= set(groups)
    assert {"no_spaces", "mixed_scripts", "markup_and_injection"} <= set(groups)
    assert len(NAUGHTY) >= 100 and any(SURROGATE.search(s) for s in NAUGHTY)


@pytest.mark.parametrize("name", list(PIPELINES))
def test_every_naughty_string_through_every_pipeline(name):
    pipe = make(PIPELINES[name], n_buckets=1000, maxlen=6, errors="replace")
    k = pipe.config["hashing"]["num_hashes"]
    toks = pipe.tokenize_batch(NAUGHTY)
    assert len(toks) == len(NAUGHTY)
    batch = pipe.encode_batch(NAUGHTY)
    assert batch.ids.shape == (len(NAUGHTY), 6) if k == 1 else batch.ids.shape[:2] == (len(NAUGHTY), 6)
    layout_min = 0 if pipe.config["hashing"]["layout"] == "raw" else 1
    for text, row_tokens, length, row in zip(NAUGHTY, toks, batch.lengths, batch.ids, strict=True):
        assert row_tokens == pipe.tokenize(text)
        assert all(t != "" for t in row_tokens)
        assert length == min(len(row_tokens), 6)
        assert (row[:length] >= layout_min).all() and (row <= 1000).all()
        offs = pipe.offsets(text)
        assert len(offs) == len(row_tokens)
        assert all(0 <= a <= b <= len(text) for a, b in offs)
    # fitting on the naughty list gives ids inside the vocabulary
    fitted = make(PIPELINES[name], errors="replace").fit(NAUGHTY)
    ids = fitted.encode_ragged(NAUGHTY)[0]
    assert ids.min(initial=1) >= 1 and ids.max(initial=1) < len(fitted.vocab)


@pytest.mark.parametrize("name", ["default", "heavy", "preset=bert"])
def test_naughty_normalization_is_idempotent_for_the_default(name):
    pipe = make(PIPELINES[name])
    for s in CLEAN:
        once = pipe.normalize(s)
        if name == "default":
            assert pipe.normalize(once) == once, s
        assert "\x00" not in once or not pipe.config["normalize"]["strip_control"]


# -- empty, whitespace, NUL, BOM, bidi ---------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PIPELINES))
def test_empty_and_whitespace_only_give_no_tokens(name):
    pipe = make(PIPELINES[name], n_buckets=64, maxlen=3)
    docs = ["", " ", "\t\n\r\n", "\u00a0\u2003\u3000", "\u2028\u2029"]
    if pipe.config["tokenize"]["split"] == "ascii_whitespace.v1":
        # ASCII-only splitting (TensorFlow's): other whitespace is text, unless NFKC mapped it to a space
        unicode_ws = docs.pop()
        assert pipe.tokenize(unicode_ws) == [unicode_ws]
        if pipe.config["normalize"]["unicode"] == "none":
            assert pipe.tokenize(docs.pop()) == ["\u00a0\u2003\u3000"]
    assert pipe.tokenize_batch(docs) == [[]] * len(docs)
    batch = pipe.encode_batch(docs)
    assert batch.ids.tolist() == [[0, 0, 0]] * len(docs) and batch.lengths.tolist() == [0] * len(docs)
    assert pipe.offsets("") == [] and pipe.normalize("") == ""
    values, splits = pipe.encode_ragged(docs)
    assert values.size == 0 and splits.tolist() == [0] * (len(docs) + 1)


def test_nul_is_a_control_character_not_a_terminator():
    # stripped like any control character by default; kept as data (never a C-string end) otherwise
    assert tp.Pipeline().tokenize("a\x00b c\x00") == ["ab", "c"]
    keep = tp.Pipeline(strip_control=False, split="whitespace.v1")
    assert keep.tokenize("a\x00b c") == ["a\x00b", "c"]
    assert keep.offsets("a\x00b c") == [(0, 3), (4, 5)]
    assert tp.Pipeline(strip_control=False).tokenize("a\x00b") == ["a", "\x00", "b"]


def test_boms_are_removed_by_strip_control_and_kept_otherwise():
    assert tp.Pipeline().tokenize("\ufeffhello he\ufeffllo") == ["hello", "hello"]
    assert tp.Pipeline().offsets("\ufeffhello") == [(1, 6)]
    # U+FEFF is a format character: UAX #29 attaches it to the preceding text (WB4)
    assert tp.Pipeline(strip_control=False).tokenize("\ufeffhello he\ufeffllo") == [
        "\ufeff",
        "hello",
        "he\ufeffllo",
    ]


def test_bidi_controls_removed_and_offsets_point_at_the_kept_text():
    text = "\u202eevil\u202c \u2066x\u2069"
    pipe = tp.Pipeline(split="whitespace.v1")
    assert pipe.tokenize(text) == ["evil", "x"]
    # removed characters at a token's edges belong to no token: the offsets slice back to the token itself
    assert pipe.offsets(text) == [(1, 5), (8, 9)]
    assert tp.Pipeline(strip_control=False, split="whitespace.v1").tokenize(text) == text.split()


# -- combining floods, emoji, scripts ---------------------------------------------------------------------
def test_ten_thousand_combining_marks_on_one_base():
    text = "a" + "\u0301" * 10_000 + " b"
    pipe = tp.Pipeline()
    (flood, b) = pipe.tokenize(text)
    assert b == "b" and flood == "\u00e1" + "\u0301" * 9_999  # NFKC composes the first mark only
    assert pipe.offsets(text) == [(0, 10_001), (10_002, 10_003)]
    assert tp.Pipeline(accents="strip").tokenize(text) == ["a", "b"]
    assert tp.Pipeline(split="graphemes.v1", case="keep").tokenize(text) == [flood, "b"]
    assert tp.Pipeline(max_len=5).tokenize(text) == [flood[:5], "b"]
    assert tp.Pipeline(max_len=5, overlong="drop").tokenize(text) == ["b"]
    assert tp.Pipeline(n_buckets=8).encode_batch([text] * 3).lengths.tolist() == [2, 2, 2]


FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
FLAGS = "\U0001f1eb\U0001f1f7\U0001f1ef\U0001f1f5"
THUMB = "\U0001f44d\U0001f3fd"


def test_emoji_zwj_sequences_flags_and_modifiers():
    text = f"{FAMILY} {FLAGS} {THUMB}"
    # strip_control (default) removes the ZWJ (documented): the family falls apart into its members
    assert tp.Pipeline().tokenize(text) == [
        "\U0001f469",
        "\U0001f469",
        "\U0001f467",
        FLAGS[:2],
        FLAGS[2:],
        THUMB,
    ]
    keep = tp.Pipeline(strip_control=False)
    assert keep.tokenize(text) == [FAMILY, FLAGS[:2], FLAGS[2:], THUMB]
    assert keep.offsets(text) == [(0, 5), (6, 8), (8, 10), (11, 13)]
    assert tp.Pipeline(strip_control=False, emoji="replace").tokenize(f"hi{FAMILY}{FLAGS[:2]}") == [
        "hi",
        "<emoji>",
        "<emoji>",
    ]
    assert tp.Pipeline(strip_control=False, split="graphemes.v1").tokenize(FAMILY + FLAGS) == [
        FAMILY,
        FLAGS[:2],
        FLAGS[2:],
    ]
    assert tp.Pipeline(strip_control=False, emoji="drop").tokenize(text) == []


CJK = "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u4e2d\u6587"
THAI = "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22\u0e07\u0e48\u0e32\u0e22"


def test_cjk_and_thai_without_spaces():
    words = tp.Pipeline()
    # UAX #29: one token per ideograph and hiragana, katakana runs kept together
    assert words.tokenize(CJK) == [
        "\u65e5",
        "\u672c",
        "\u8a9e",
        "\u306e",
        "\u30c6\u30ad\u30b9\u30c8",
        "\u4e2d",
        "\u6587",
    ]
    # UAX #29 has no Thai dictionary: Thai letters break everywhere, marks stay with their base (graphemes)
    assert words.tokenize(THAI) == tp.Pipeline(split="graphemes.v1").tokenize(THAI)
    assert "".join(words.tokenize(THAI)) == THAI
    # whitespace splitters keep a run without spaces as one token, whatever its length
    assert tp.Pipeline(split="whitespace.v1").tokenize(THAI * 100) == [THAI * 100]


def test_bert_preset_matches_hf_on_unspaced_and_mixed_scripts():
    normalizers = pytest.importorskip("tokenizers.normalizers")
    pre = pytest.importorskip("tokenizers.pre_tokenizers")
    norm = normalizers.BertNormalizer(lowercase=True)
    split = pre.BertPreTokenizer()
    bert = tp.Pipeline.preset("bert")
    groups = NAUGHTY_DOC["groups"]
    for text in [
        CJK,
        THAI,
        *groups["no_spaces"],
        *groups["mixed_scripts"],
        *groups["emoji"],
        *groups["bidi"],
    ]:
        want = [t for t, _ in split.pre_tokenize_str(norm.normalize_str(text))]
        assert bert.tokenize(text) == want, text


def test_sklearn_and_gensim_presets_match_on_mixed_scripts():
    text_mod = pytest.importorskip("sklearn.feature_extraction.text")
    gensim_utils = pytest.importorskip("gensim.utils")
    analyzer = text_mod.CountVectorizer().build_analyzer()
    sk, gs = tp.Pipeline.preset("sklearn"), tp.Pipeline.preset("gensim")
    groups = NAUGHTY_DOC["groups"]
    for text in [*groups["mixed_scripts"], *groups["case_traps"], *groups["numbers_and_punct"], CJK]:
        assert sk.tokenize(text) == analyzer(text), text
        assert gs.tokenize(text) == gensim_utils.simple_preprocess(text), text


# -- lone surrogates --------------------------------------------------------------------------------------
def _calls(pipe, texts):
    return {
        "tokenize_batch": lambda: pipe.tokenize_batch(texts),
        "encode_batch": lambda: pipe.encode_batch(texts),
        "encode_ragged": lambda: pipe.encode_ragged(texts),
        "encode_bag": lambda: pipe.encode_bag(texts),
        "count": lambda: pipe.count(texts),
        "fit": lambda: tp.Pipeline().fit(texts),
    }


@pytest.mark.parametrize(
    "method", ["tokenize_batch", "encode_batch", "encode_ragged", "encode_bag", "count", "fit"]
)
def test_lone_surrogates_strict_everywhere(method):
    pipe = tp.Pipeline(n_buckets=32)
    with pytest.raises(ValueError, match=r"texts\[2\] at character 1: lone surrogate U\+DC00"):
        _calls(pipe, ["ok", "fine", "x\udc00y"])[method]()


@pytest.mark.parametrize("single", ["normalize", "tokenize", "offsets", "shapes", "encode"])
def test_lone_surrogates_single_calls(single):
    strict, lenient = (
        tp.Pipeline(n_buckets=8),
        tp.Pipeline(n_buckets=8, errors="replace", strip_control=False),
    )
    with pytest.raises(ValueError, match=r"text at character 2: lone surrogate U\+D83D"):
        getattr(strict, single)("ab\ud83d")
    getattr(lenient, single)("ab\ud83d")  # defined output below
    assert lenient.tokenize("ab\ud83d") == ["ab", "\ufffd"]
    assert lenient.offsets("ab\ud83d") == [(0, 2), (2, 3)]


def test_surrogate_pair_escapes_are_not_merged():
    # two lone surrogates that would form a pair in UTF-16 stay two replacement characters (Python str semantics)
    pipe = tp.Pipeline(errors="replace", strip_control=False, split="chars.v1")
    assert pipe.tokenize("\ud83d\ude00") == ["\ufffd", "\ufffd"]


# -- size: a 50 MB line, a million empty documents --------------------------------------------------------
@pytest.mark.slow
def test_a_50_mb_single_line():
    line = "lorem ipsum dolor " * 2_900_000  # 52 MB, 8.7 M tokens
    assert len(line) > 50_000_000
    pipe = tp.Pipeline(n_buckets=1 << 20, maxlen=8)
    batch = pipe.encode_batch([line, "lorem"])
    assert batch.lengths.tolist() == [8, 1]
    assert batch.ids[0].tolist() == pipe.encode("lorem ipsum dolor lorem ipsum dolor lorem ipsum").tolist()
    counts = pipe.count([line])
    assert counts["dolor"] == (2_900_000, 1) and len(counts) == 3
    # one 50 MB token, truncated or dropped by max_len
    blob = "x" * 50_000_000
    assert tp.Pipeline(max_len=16).tokenize(blob) == ["x" * 16]
    assert tp.Pipeline(max_len=16, overlong="drop").tokenize(blob + " y") == ["y"]
    assert tp.Pipeline(split="whitespace.v1").offsets(blob) == [(0, 50_000_000)]


def test_a_million_empty_documents():
    docs = [""] * 1_000_000
    pipe = tp.Pipeline(n_buckets=16, maxlen=4)
    batch = pipe.encode_batch(docs)
    assert batch.ids.shape == (1_000_000, 4) and not batch.ids.any() and not batch.lengths.any()
    # maxlen=None: the longest row is empty; rows keep one padding column so the array is never (n, 0)
    assert tp.Pipeline(n_buckets=16).encode_batch(docs).ids.shape == (1_000_000, 1)
    values, splits = pipe.encode_ragged(docs)
    assert values.size == 0 and splits.shape == (1_000_001,) and not splits.any()
    fitted = tp.Pipeline().fit(iter(docs))
    assert fitted.vocab.tokens == [] and fitted.count(docs).n_docs == 1_000_000
    assert fitted(docs[:3]).shape == (3, 1)


# -- non-str items, generators, mutation ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "tname"),
    [(None, "NoneType"), (b"x", "bytes"), (3, "int"), (float("nan"), "float"), (np.int64(1), "int64")],
)
@pytest.mark.parametrize("method", ["encode_ragged", "encode_bag", "count", "fit"])
def test_non_str_items_in_every_batch_method(method, bad, tname):
    with pytest.raises(TypeError, match=rf"texts\[2\]: expected str, got {tname}"):
        _calls(tp.Pipeline(n_buckets=32), ["a", "b", bad])[method]()


@pytest.mark.parametrize("bad", [None, b"x", 3])
@pytest.mark.parametrize("single", ["normalize", "tokenize", "offsets", "encode"])
def test_non_str_single_calls(single, bad):
    with pytest.raises(TypeError, match="text: expected str"):
        getattr(tp.Pipeline(n_buckets=8), single)(bad)


def test_numpy_str_arrays_and_object_arrays():
    pipe = tp.Pipeline(n_buckets=64, maxlen=3)
    texts = ["a b", "c", "d e f g"]
    want = pipe.encode_batch(texts).ids
    assert np.array_equal(pipe.encode_batch(np.array(texts)).ids, want)
    assert np.array_equal(pipe.encode_batch(np.array(texts, dtype=object)).ids, want)
    assert np.array_equal(pipe.encode_batch([np.str_(t) for t in texts]).ids, want)
    assert np.array_equal(pipe.encode_batch(np.array(texts).reshape(3, 1)).ids, want)  # ravelled
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str, got NoneType"):
        pipe.encode_batch(np.array(["a", None], dtype=object))


def test_generators_equal_lists_and_errors_name_the_stream_index():
    docs = [f"w{i % 50} x{i % 7}" for i in range(70_000)]
    pipe = tp.Pipeline(maxlen=4)
    fitted = tp.Pipeline(maxlen=4).fit(d for d in docs)
    assert fitted.vocab.tokens == pipe.fit(docs).vocab.tokens
    assert np.array_equal(fitted.encode_batch(d for d in docs[:100]).ids, fitted(docs[:100]))
    assert fitted.tokenize_batch(iter(docs[:5])) == fitted.tokenize_batch(docs[:5])

    def bad_stream():
        yield from docs
        yield None

    # the stream is consumed in chunks of 65,536 documents: the index is still the stream position
    for call in (lambda: tp.Pipeline().fit(bad_stream()), lambda: tp.Pipeline().count(bad_stream())):
        with pytest.raises(TypeError, match=r"texts\[70000\]: expected str, got NoneType"):
            call()

    def surrogate_stream():
        yield from docs
        yield "ok\udfff"

    with pytest.raises(ValueError, match=r"texts\[70000\] at character 2: lone surrogate"):
        tp.Pipeline().fit(surrogate_stream())

    def failing():
        yield "a"
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError, match="source went away"):
        tp.Pipeline().fit(failing())


def test_list_mutated_from_another_thread_while_encoding():
    pipe = tp.Pipeline(n_buckets=1 << 16, maxlen=6)
    olds = [f"old {i} words here" for i in range(20_000)]
    news = [f"new {i} other tokens now" for i in range(20_000)]
    old_ids, new_ids = pipe(olds), pipe(news)
    shared = list(olds)
    stop = threading.Event()

    def mutate():
        i = 0
        while not stop.is_set():
            j = i % len(shared)
            shared[j] = news[j] if shared[j] is olds[j] else olds[j]
            i += 7919
            if i % 5 == 0:
                shared.append("appended")
                shared.pop()

    t = threading.Thread(target=mutate)
    t.start()
    try:
        for _ in range(20):
            batch = pipe.encode_batch(shared)
            n = batch.ids.shape[0]
            assert n in (len(olds), len(olds) + 1)
            rows = batch.ids[: len(olds)]
            # every row is the encoding of one of the two values its slot held: no torn or mixed rows
            ok = (rows == old_ids).all(axis=1) | (rows == new_ids).all(axis=1)
            assert ok.all()
    finally:
        stop.set()
        t.join()


# -- files: invalid UTF-8 policies, BOM, line endings -----------------------------------------------------
BAD_LINES = [
    b"plain ascii",
    b"latin1 caf\xe9 here",  # a lone continuation-less lead byte
    b"overlong \xc0\xaf slash",
    b"cesu \xed\xa0\x80 surrogate",
    b"truncated \xe2\x82",
    b"\xff\xfe\xfd",
    b"good \xe2\x82\xac euro",
]


def test_invalid_utf8_files_with_each_policy(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\n".join(BAD_LINES) + b"\n")
    pipe = tp.Pipeline(strip_control=False, split="whitespace.v1", maxlen=6)
    # strict: a named error with file and line, from every reader
    with pytest.raises(OSError, match=r"bad\.txt:2: invalid UTF-8 at byte 10 of the line"):
        pipe.fit_files(path)
    with pytest.raises(UnicodeError, match=r"bad\.txt:2: invalid UTF-8 at byte 10 of the line"):
        pipe.fit(["x"]).encode_files(path, tmp_path / "out", maxlen=6)
    # replace: exactly Python's decoding with errors="replace", in fit_files and encode_files alike
    decoded = [line.decode("utf-8", "replace") for line in BAD_LINES]
    fitted = tp.Pipeline(strip_control=False, split="whitespace.v1", maxlen=6).fit_files(
        path, errors="replace"
    )
    assert fitted.vocab.tokens == pipe.fit(decoded).vocab.tokens
    manifest = fitted.encode_files(path, tmp_path / "rep", errors="replace")
    assert manifest["rows"] == len(BAD_LINES)
    assert np.array_equal(np.load(tmp_path / "rep" / "ids-00000.npy"), fitted(decoded))
    # skip: the bad lines are left out (line numbers still count them)
    good = [d.decode() for d in BAD_LINES if _valid(d)]
    assert tp.Pipeline().count_files(path, errors="skip").n_docs == len(good) == 2
    manifest = fitted.encode_files(path, tmp_path / "skip", errors="skip")
    assert np.array_equal(np.load(tmp_path / "skip" / "ids-00000.npy"), fitted(good))


def _valid(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_files_with_bom_and_mixed_line_endings_read_alike(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfhello world\r\nsecond\r\r\nthird\rline\nlast\r")
    pipe = tp.Pipeline(strip_control=False, split="regex.v1", pattern=r"[^ ]+", maxlen=4)
    fitted = pipe.fit_files(path)
    lines = ["hello world", "second\r", "third\rline", "last\r"]
    assert fitted.vocab.tokens == pipe.fit(lines).vocab.tokens
    assert fitted.vocab.tokens.count("hello") == 1 and "\ufeffhello" not in fitted.vocab.tokens
    fitted.encode_files(path, tmp_path / "out")
    assert np.array_equal(np.load(tmp_path / "out" / "ids-00000.npy"), fitted(lines))
    assert np.load(tmp_path / "out" / "lengths-00000.npy").tolist() == [2, 1, 1, 1]


def test_empty_and_blank_files(tmp_path):
    empty, blank = tmp_path / "empty.txt", tmp_path / "blank.txt"
    empty.write_bytes(b"")
    blank.write_bytes(b"\n\n\r\n")
    assert tp.Pipeline().count_files([empty, blank]).n_docs == 3
    assert tp.Pipeline().fit_files(empty).vocab.tokens == []


# -- regex ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pattern", "text", "want"),
    [
        (r"(a+)+$", "a" * 100_000 + "!", []),  # exponential for backtracking engines
        (r"(a|aa)*c", "a" * 100_000, []),
        (r"(x+x+)+y", "x" * 50_000, []),
        (r"(\w+\s?)*$", "word " * 20_000 + "!", []),
        (r"(.*a){12}", "a" * 11 + "b" * 50_000, []),
    ],
)
def test_pathological_regex_patterns_run_in_linear_time(pattern, text, want):
    # the engine is finite-automaton based: these patterns finish immediately instead of hanging
    assert tp.Pipeline(split="regex.v1", pattern=pattern).tokenize(text) == want


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        (r"(\w)\1", "backreferences are not supported"),
        (r"(?=a)a", "look-around"),
        (r"(", "unclosed group"),
        (r"a{99999999}", "exceeds size limit"),
        (r"\p{NotAScript}", "Unicode property not found"),
    ],
)
def test_unsupported_or_invalid_regex_is_a_config_error(pattern, needle):
    with pytest.raises(ConfigError, match=r"tokenize\.pattern") as info:
        tp.Pipeline(split="regex.v1", pattern=pattern)
    assert needle in str(info.value)


def test_regex_matching_empty_strings_gives_no_empty_tokens():
    assert tp.Pipeline(split="regex.v1", pattern=r"").tokenize("abc") == []
    assert tp.Pipeline(split="regex.v1", pattern=r"\w*").tokenize("ab  cd") == ["ab", "cd"]


# -- every invalid configuration value --------------------------------------------------------------------
INVALID = [
    ("errors", "ignore"),
    ("strip_html", "yes"),
    ("strip_control", 1),
    ("unicode", "nfx"),
    ("accents", True),
    ("case", "upper"),
    ("remove_chars", 5),
    ("pad_cjk", None),
    ("url", "mask"),
    ("email", 0),
    ("mention", "replace_all"),
    ("hashtag", []),
    ("number", "round"),
    ("emoji", "strip"),
    ("whitespace", "trim"),
    ("split", "words.v2"),
    ("split", "regex.v1"),
    ("pattern", 3),
    ("punctuation", "remove"),
    ("min_len", -1),
    ("max_len", 0),
    ("overlong", "wrap"),
    ("ngrams", [2, 1]),
    ("ngrams", [0, 1]),
    ("ngrams", [1, 17]),
    ("ngrams", [1]),
    ("ngram_sep", None),
    ("char_ngrams", [3, 2]),
    ("char_ngrams", [1, 33]),
    ("char_ngram_words", "no"),
    ("shapes", 2),
    ("max_tokens", -5),
    ("max_tokens", 1.5),
    ("min_freq", -1),
    ("max_df", 1.5),
    ("max_df", -0.1),
    ("max_df", "half"),
    ("special_tokens", "[CLS]"),
    ("special_tokens", [1]),
    ("num_oov_buckets", 0),
    ("oov_token", None),
    ("keep_counts", "true"),
    ("n_buckets", 0),
    ("n_buckets", 2**31),
    ("n_buckets", -1),
    ("hash", "md5"),
    ("seed", -1),
    ("seed", 2**32),
    ("signed", "yes"),
    ("num_hashes", 0),
    ("num_hashes", 9),
    ("layout", "dense"),
    ("maxlen", 0),
    ("maxlen", -3),
    ("padding", "both"),
    ("truncating", "middle"),
]


@pytest.mark.parametrize(("leaf", "value"), INVALID, ids=[f"{k}={v!r}" for k, v in INVALID])
def test_every_invalid_config_value_names_its_path(leaf, value):
    section = {
        s: leaves for s, leaves in tp.default_config().items() if isinstance(leaves, dict) and leaf in leaves
    }
    (path,) = [f"{s}.{leaf}" for s in section]
    if leaf == "split" and value == "regex.v1":
        path = "tokenize.pattern"
    with pytest.raises(ConfigError) as info:
        tp.Pipeline(**{leaf: value})
    assert path in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, TextprepError)


def test_every_leaf_has_an_invalid_case():
    leaves = {leaf for s in tp.default_config().values() if isinstance(s, dict) for leaf in s}
    assert leaves == {leaf for leaf, _ in INVALID}


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"cas": "lower"}, "did you mean case"),
        ({"case": object()}, "plain data"),
        ({"ngrams": (1, float("inf"))}, "tokenize.ngrams"),
        ({"max_df": float("nan")}, "vocab.max_df"),
    ],
)
def test_unknown_or_non_data_options(kwargs, needle):
    with pytest.raises(ConfigError, match=re.escape(needle)):
        tp.Pipeline(**kwargs)


def test_huge_maxlen_is_a_config_error_not_an_abort():
    # found by this suite: a 4 TiB output buffer aborted the process (Rust aborts on allocation failure)
    with pytest.raises(ConfigError, match=r"encode\.maxlen: 1 rows x 1099511627776 positions"):
        tp.Pipeline(n_buckets=8, maxlen=2**40).encode_batch(["a"])
    with pytest.raises(ConfigError, match=r"encode\.maxlen"):
        tp.Pipeline(n_buckets=8).encode_batch(["a"] * 1000, maxlen=2**33)


# -- artifacts --------------------------------------------------------------------------------------------
FROZEN = DATA / "artifacts" / "pipeline_v1.json"


def _doc() -> dict:
    return json.loads(FROZEN.read_text(encoding="utf-8"))


def _duplicate_last_token(d: dict) -> None:
    v = d["state"]["vocab"]
    for key in ("tokens", "df", "tf"):
        v[key].append(v[key][0])


def _drop_last_token(d: dict) -> None:
    v = d["state"]["vocab"]
    for key in ("tokens", "df", "tf"):
        v[key].pop()


@pytest.mark.parametrize(
    ("mutate", "error", "needle"),
    [
        (lambda d: d.update(format_version=10**30), ArtifactError, "format_version is not a whole number"),
        (lambda d: d.update(format_version="1"), ArtifactError, "format_version is not a whole number"),
        (lambda d: d.update(format_version=-1), ArtifactError, "format_version is not a whole number"),
        (lambda d: d.update(format_version=1.5), ArtifactError, "format_version is not a whole number"),
        (lambda d: d.update(format_version=0), ArtifactError, "format_version 0 does not exist"),
        (lambda d: d.update(format_version=2**63), ArtifactVersionError, "newer than this textprep"),
        (lambda d: d.pop("fingerprint"), ArtifactError, "missing field 'fingerprint'"),
        (lambda d: d.pop("state"), ArtifactError, "missing field 'state'"),
        (lambda d: d.pop("format"), ArtifactError, "missing field 'format'"),
        (lambda d: d["state"]["vocab"].pop("tokens"), ArtifactError, "missing field 'state.vocab.tokens'"),
        (lambda d: d["state"]["vocab"].update(tokens="abc"), ArtifactError, "tokens must be a list"),
        (lambda d: d["state"]["vocab"]["df"].append(1), ArtifactError, "state.vocab.df has"),
        (lambda d: d["state"]["vocab"]["df"].__setitem__(0, -1), ArtifactError, "df[0] is not a count"),
        (_duplicate_last_token, ArtifactError, "duplicate token"),
        (_drop_last_token, ArtifactError, "fingerprint mismatch"),
        (lambda d: d["config"].update(unknown_section={}), ArtifactError, "unknown_section"),
        (lambda d: d["config"]["hashing"].update(n_buckets=0), ArtifactError, "hashing.n_buckets"),
        (lambda d: d.update(config=[]), ArtifactError, "config"),
    ],
)
def test_future_truncated_and_broken_artifacts(mutate, error, needle):
    doc = _doc()
    mutate(doc)
    with pytest.raises(error, match=re.escape(needle)):
        tp.Pipeline.from_json(json.dumps(doc))


def test_artifact_truncated_at_every_tenth_byte_and_deeply_nested():
    text = FROZEN.read_text(encoding="utf-8")
    for cut in range(0, len(text), max(1, len(text) // 97)):
        with pytest.raises(ArtifactError):
            tp.Pipeline.from_json(text[:cut])
    with pytest.raises(ArtifactError, match="not valid JSON"):
        tp.Pipeline.from_json("[" * 100_000 + "]" * 100_000)  # no stack overflow
    with pytest.raises(ArtifactError, match="not a JSON object"):
        tp.Pipeline.from_json('"textprep.pipeline"')


def test_pickle_carries_only_the_json_artifact():
    pipe = tp.Pipeline(maxlen=4).fit(["a b c"])
    state = pipe.__reduce_ex__(2)
    assert "os.system" not in repr(state)
    blob = pickle.dumps(pipe)
    assert pickle.loads(blob).vocab.tokens == pipe.vocab.tokens
    tampered = pickle.dumps(pipe).replace(b'"a"', b'"z"', 1)
    with pytest.raises(ArtifactError, match="fingerprint mismatch"):
        pickle.loads(tampered)


@pytest.mark.parametrize(
    ("text", "error", "needle"),
    [
        ('{"format":"textprep.counts","format_version":99}', ArtifactVersionError, "newer"),
        (
            '{"format":"textprep.counts","format_version":1,"n_docs":1,"pruned_max":0,"tokens":[["a",1,2]]}',
            ArtifactError,
            "df 2",
        ),
        (
            '{"format":"textprep.counts","format_version":1,"n_docs":2,"pruned_max":0,"tokens":[["a",1,1],["a",1,1]]}',
            ArtifactError,
            "duplicate token 'a'",
        ),
        (
            '{"format":"textprep.counts","format_version":1,"n_docs":1,"pruned_max":0,"tokens":[["a",1]]}',
            ArtifactError,
            "is not [token, tf, df]",
        ),
        (
            '{"format":"textprep.counts","format_version":1,"n_docs":1,"pruned_max":0,"tokens":[["a",-1,1]]}',
            ArtifactError,
            "tf) is not a count",
        ),
        ('{"format":"textprep.counts"', ArtifactError, "truncated"),
    ],
)
def test_broken_counts_documents(text, error, needle):
    with pytest.raises(error, match=re.escape(needle)):
        tp.Counts.from_json(text)


# -- vectors files: the malformations tests/test_vectors.py does not cover --------------------------------
@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("zero_dim.vec", b"2 0\na\nb\n", "line 1: implausible header 2 0"),
        ("huge_dim.vec", b"3 1000000000000\na 1\n", "line 1: implausible header 3 1000000000000"),
        ("word_only.txt", b"a\nb\n", "line 1: expected a word followed by its vector values"),
        ("tabs.txt", b"a\t1\t2\n", "line 1: expected a word followed by its vector values"),
        ("hex.txt", b"a 0x1 2\n", "line 1: cannot parse '0x1' as a float"),
        ("overflow.txt", b"a 1e39 2\n", "line 1: NaN or infinite value"),
        ("header_only.vec", b"3 2\n", "the header says 3 rows but the file ends after 0"),
        ("tiny.bin", b"1 2\nabc", "only 3 bytes follow"),
        (
            "ragged_late.txt",
            b"a 1 2\n" * 100 + b"b 1\n",
            "line 101: expected 2 values after the word 'b', found 1",
        ),
    ],
)
def test_malformed_vectors_files(tmp_path, name, content, needle):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(VectorsFormatError, match=re.escape(f"{name}: ") + ".*" + re.escape(needle)):
        load_vectors(path)


def test_vectors_edge_cases_with_defined_output(tmp_path):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"a 1 2\r\nb 3 4\r\n\r\n")
    v = load_vectors(crlf)
    assert v.words == ["a", "b"] and v.matrix.tolist() == [[1, 2], [3, 4]]
    # trailing spaces and blank lines are ignored; a leading space makes an empty word, which is reported
    spaced = tmp_path / "spaced.txt"
    spaced.write_bytes(b"a 1 2   \n\n\n b 3 4\n")
    with pytest.raises(VectorsFormatError, match=r"spaced\.txt: line 4: expected 2 values after the word ''"):
        load_vectors(spaced, format="glove")


KNOWN_LOADER_GAPS = "vectors loader gap found by the hostile suite, reported to the lead (embeddings/load.py)"


def test_vectors_utf8_bom_is_not_part_of_the_first_word(tmp_path):
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfa 1 2\nb 3 4\n")
    assert load_vectors(bom).words == ["a", "b"]


def test_vectors_truncated_gzip_names_the_file(tmp_path):
    gz = tmp_path / "cut.txt.gz"
    gz.write_bytes(gzip.compress(b"a 1 2\nb 3 4\n")[:-12])
    with pytest.raises(VectorsFormatError, match=r"cut\.txt\.gz: .*truncated"):
        load_vectors(gz)


# -- other entry points with hostile arguments ------------------------------------------------------------
@pytest.mark.parametrize(
    "ids",
    [[-1], [5], [2**31 - 1], [2**40], np.array([2**63], dtype=np.uint64), np.array([1, 2, -7], np.int8)],
)
def test_decode_out_of_range_ids_name_the_position(ids):
    pipe = tp.Pipeline().fit(["a b c"])  # ids 0..4
    arr = np.asarray(ids)
    i = int(np.flatnonzero((arr < 0) | (arr >= 5))[0])
    with pytest.raises(ValueError, match=rf"ids\[{i}\] = -?\d+ is out of range 0\.\.4"):
        pipe.decode(ids)


def test_counts_merged_into_themselves_double():
    c = tp.Pipeline().count(["a b", "a"])
    assert c.merge(c)["a"] == (4, 4) and c.n_docs == 4


def test_absurd_thread_counts_are_capped():
    try:
        tp.set_num_threads(10**6)
        assert tp.get_num_threads() == 1024
        pipe = tp.Pipeline(n_buckets=8, maxlen=2)
        assert pipe(["a b"] * 10).shape == (10, 2)
    finally:
        tp.set_num_threads(0)


def test_hash_tokens_rejects_bad_arguments():
    for kwargs, needle in [
        ({"n_buckets": 0}, "n_buckets"),
        ({"n_buckets": 2**40}, "n_buckets"),
        ({"n_buckets": 10, "k": 9}, "k must be"),
        ({"n_buckets": 10, "seed": -1}, "seed"),
        ({"n_buckets": 10, "algorithm": "md5"}, "algorithm"),
    ]:
        with pytest.raises(ConfigError, match=needle):
            tp.hash_tokens(["a"], **kwargs)
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str, got NoneType"):
        tp.hash_tokens(["a", None], 10)


# -- vectors files: random corruption of valid files gives a VectorsFormatError, nothing else ---------------
def _w2v_binary(words: list[str], dim: int) -> bytes:
    rows = b"".join(w.encode() + b" " + np.arange(dim, dtype="<f4").tobytes() + b"\n" for w in words)
    return f"{len(words)} {dim}\n".encode() + rows


VALID_VECTOR_FILES = {
    "glove.txt": b"the 0.1 0.2 0.3\ncat -1 2e-3 4\n\xc3\xa9t\xc3\xa9 0 0 1\n",
    "w2v.vec": b"3 2\nthe 0.1 0.2\ncat 1 2\ndog 3 4\n",
    "w2v.bin": _w2v_binary(["the", "cat", "dog"], 4),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(sorted(VALID_VECTOR_FILES)),
    cut=st.integers(0, 200),
    flips=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=4),
    fmt=st.sampled_from(["auto", "glove", "word2vec", "word2vec_binary"]),
)
def test_corrupted_vectors_files_raise_only_vectors_format_error(tmp_path, name, cut, flips, fmt):
    data = bytearray(VALID_VECTOR_FILES[name])
    for pos, byte in flips:
        if data:
            data[pos % len(data)] = byte
    path = tmp_path / name
    path.write_bytes(bytes(data[: max(cut, len(data) // 2)] if cut < len(data) else data))
    try:
        v = load_vectors(path, format=fmt)
    except VectorsFormatError as e:
        assert name in str(e)  # the file is named
    else:
        assert v.matrix.ndim == 2 and v.matrix.shape[0] == len(v.words)
        assert np.isfinite(v.matrix).all()


def test_auto_format_never_unpickles_an_untrusted_file(tmp_path):
    pytest.importorskip("gensim")
    marker = tmp_path / "code-ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    evil = tmp_path / "vectors.kv"
    evil.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(Exception):  # noqa: B017 - any refusal is fine; running the payload is not
        load_vectors(evil)
    assert not marker.exists(), "loading a vectors file executed code from it"
