"""Compat presets against the real peer libraries, token for token.

Known, documented differences (each has its own test below instead of a silent exclusion):
- Unicode versions: CPython 3.11's ``unicodedata`` is Unicode 14, the engine's tables are newer; characters
  assigned after Unicode 14 are kept out of the generated text (they are unassigned for the peers).
"""

from __future__ import annotations

import unicodedata

import pytest
import textprep as tp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EDGE_CASES

sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
gensim_utils = pytest.importorskip("gensim.utils")
hf_normalizers = pytest.importorskip("tokenizers.normalizers")
hf_pre = pytest.importorskip("tokenizers.pre_tokenizers")

# Blocks a demanding user's text comes from; generated characters must be assigned in Python's Unicode version.
_RANGES = [
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x300, 0x36F),
    (0x370, 0x3FF),
    (0x400, 0x4FF),
    (0x900, 0x97F),
    (0xE00, 0xE7F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20C0),
    (0x2100, 0x218B),
    (0x2460, 0x24FF),
    (0x3000, 0x303F),
    (0x3040, 0x30FF),
    (0x4E00, 0x4E80),
    (0xAC00, 0xAC40),
    (0xFB00, 0xFB06),
    (0xFF01, 0xFF5E),
    (0x1F300, 0x1F320),
    (0x1F600, 0x1F64F),
    (0x1F1E6, 0x1F1FF),
]
ALPHABET = [
    chr(c)
    for a, b in _RANGES
    for c in range(a, b + 1)
    if unicodedata.category(chr(c)) not in ("Cn", "Cs", "Co")
] + list("\t\n\r \u00a0\u200b\u200d\ufe0f\u00ad")
TEXT = st.text(alphabet=st.sampled_from(ALPHABET), max_size=60)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def corpus(en_lines, multi_lines, product_titles, sms_texts) -> list[str]:
    return [*en_lines, *multi_lines, *product_titles, *sms_texts, *EDGE_CASES]


@pytest.fixture(scope="module")
def sklearn_analyzer():
    return sklearn_text.CountVectorizer().build_analyzer()


@pytest.fixture(scope="module")
def bert():
    norm = hf_normalizers.BertNormalizer(lowercase=True)
    pre = hf_pre.BertPreTokenizer()
    return lambda s: [t for t, _ in pre.pre_tokenize_str(norm.normalize_str(s))]


# -- scikit-learn -----------------------------------------------------------------------------------------------
def test_sklearn_preset_on_fixtures(sklearn_analyzer, en_lines, multi_lines, product_titles, sms_texts):
    pipe = tp.Pipeline.preset("sklearn")
    texts = corpus(en_lines, multi_lines, product_titles, sms_texts)
    assert pipe.tokenize_batch(texts) == [sklearn_analyzer(t) for t in texts]


@SETTINGS
@given(TEXT)
def test_sklearn_preset_generated(text):
    analyzer = sklearn_text.CountVectorizer().build_analyzer()
    assert tp.Pipeline.preset("sklearn").tokenize(text) == analyzer(text)


def test_sklearn_preset_with_ngrams(sklearn_analyzer, en_lines):
    pipe = tp.Pipeline.preset("sklearn", ngrams=[1, 3])
    analyzer = sklearn_text.CountVectorizer(ngram_range=(1, 3)).build_analyzer()
    assert pipe.tokenize_batch(en_lines) == [analyzer(t) for t in en_lines]


# -- gensim -----------------------------------------------------------------------------------------------------
def test_gensim_preset_on_fixtures(en_lines, multi_lines, product_titles, sms_texts):
    pipe = tp.Pipeline.preset("gensim")
    texts = corpus(en_lines, multi_lines, product_titles, sms_texts)
    assert pipe.tokenize_batch(texts) == [gensim_utils.simple_preprocess(t) for t in texts]


@SETTINGS
@given(TEXT)
def test_gensim_preset_generated(text):
    assert tp.Pipeline.preset("gensim").tokenize(text) == gensim_utils.simple_preprocess(text)


# -- BERT (HF tokenizers) ---------------------------------------------------------------------------------------
def test_bert_preset_on_fixtures(bert, en_lines, multi_lines, product_titles, sms_texts):
    pipe = tp.Pipeline.preset("bert")
    texts = corpus(en_lines, multi_lines, product_titles, sms_texts)
    assert pipe.tokenize_batch(texts) == [bert(t) for t in texts]


@SETTINGS
@given(TEXT)
def test_bert_preset_generated(text):
    norm = hf_normalizers.BertNormalizer(lowercase=True)
    pre = hf_pre.BertPreTokenizer()
    expected = [t for t, _ in pre.pre_tokenize_str(norm.normalize_str(text))]
    assert tp.Pipeline.preset("bert").tokenize(text) == expected


# -- Keras TextVectorization ------------------------------------------------------------------------------------
def keras_tokens(texts: list[str]) -> list[list[str]]:
    """Tokens as Keras 3 TextVectorization sees them: adapt on the texts, then map ids back to the vocabulary."""
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    layer = keras.layers.TextVectorization(output_mode="int")
    layer.adapt(texts)
    vocab = layer.get_vocabulary()
    ids = keras.ops.convert_to_numpy(layer(texts))
    return [[vocab[i] for i in row if i != 0] for row in ids]


def test_keras_preset_on_fixtures(en_lines, multi_lines, product_titles, sms_texts):
    texts = corpus(en_lines, multi_lines, product_titles, sms_texts)
    expected = keras_tokens(texts)
    assert tp.Pipeline.preset("keras").tokenize_batch(texts) == expected


def test_keras_preset_generated_sample():
    # a seeded random sample instead of hypothesis: the Keras layer is adapted once (TF is slow to call)
    texts = _generated_sample(300)
    assert tp.Pipeline.preset("keras").tokenize_batch(texts) == keras_tokens(texts)


def _generated_sample(n: int) -> list[str]:
    import random

    rng = random.Random(1234)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60))) for _ in range(n)]


def test_keras_lowercases_ascii_only():
    # TensorFlow's tf.strings.lower maps A-Z only: 'ÉCOLE' -> 'École'; the preset does the same.
    assert tp.Pipeline.preset("keras").tokenize("ÉCOLE Straße") == ["École", "straße"]
