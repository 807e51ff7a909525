"""Align word vectors to a pipeline's id layout: an ``(id_space, dim)`` matrix plus a coverage report.

Row 0 (padding) is zeros; rows ``1..K`` (OOV buckets) and vocabulary rows without a vector are initialised by
the ``oov`` policy; every other vocabulary row comes from the vectors (exactly, by case fallback, or composed
from fastText subwords).

>>> import numpy as np, textprep as tp
>>> from textprep.embeddings import Vectors
>>> pipe = tp.Pipeline(case="keep", maxlen=4).fit(["The cat", "the dog"])
>>> vecs = Vectors(["the", "cat"], np.ones((2, 2), np.float32))
>>> emb = vecs.align(pipe, oov="case_fallback")
>>> emb.report["exact"], emb.report["case_fallback"], emb.report["initialised"]
(2, 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # the type only: Vectors.align (in table.py) calls this module at run time
    from .table import Vectors

OOV_POLICIES = ("random", "zeros", "mean", "case_fallback", "subword")


@dataclass
class Embeddings:
    """An embedding matrix in a pipeline's id layout, what initialised each row, and the coverage report.

    ``matrix``: ``(id_space, dim)`` float32. ``trainable_mask``: True for rows that were initialised (OOV
    buckets and vocabulary words without a vector), False for padding and rows found in the vectors.
    ``tokens``: the vocabulary tokens (row ``i + 1 + K`` is ``tokens[i]``).

    >>> import numpy as np, textprep as tp
    >>> pipe = tp.Pipeline(maxlen=4).fit(["a b"])
    >>> from textprep.embeddings import Vectors
    >>> emb = Vectors(["a"], np.ones((1, 2), np.float32)).align(pipe, oov="zeros")
    >>> emb.matrix.shape, emb.trainable_mask.tolist()
    ((4, 2), [False, True, False, True])
    """

    matrix: np.ndarray
    report: dict[str, Any]
    trainable_mask: np.ndarray
    tokens: list[str] = field(default_factory=list)
    num_oov_buckets: int = 1

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        return int(self.matrix.shape[1])

    @property
    def id_space(self) -> int:
        """Number of rows (the ``input_dim`` of an embedding layer)."""
        return int(self.matrix.shape[0])


def _vocab_tokens(vocab: Any) -> tuple[list[str], int]:
    """(tokens, number of OOV buckets) of a Pipeline, a Vocab, or a plain list of words (K = 1)."""
    if hasattr(vocab, "encode_batch"):  # a Pipeline
        try:
            v = vocab.vocab
        except Exception as e:
            raise ValueError(
                "align needs a pipeline with a vocabulary; hashed pipelines (n_buckets=...) have no words to "
                "look up: use a scratch embedding or HashEmbedding instead"
            ) from e
        return list(v.tokens), int(v.num_oov_buckets)
    if hasattr(vocab, "tokens") and hasattr(vocab, "num_oov_buckets"):
        return list(vocab.tokens), int(vocab.num_oov_buckets)
    if isinstance(vocab, str):
        raise TypeError("align expects a Pipeline, a Vocab or a list of words, got a str")
    return [str(t) for t in vocab], 1


def align(
    vecs: Vectors,
    vocab: Any,
    oov: str = "random",
    seed: int = 0,
    counts: Any = None,
) -> Embeddings:
    """Build the embedding matrix for ``vocab`` (a Pipeline, its Vocab, or a list of words) from ``vecs``.

    ``oov``: how rows without a vector are initialised: ``"random"`` (seeded normal with the vectors' std),
    ``"zeros"``, ``"mean"`` (the mean vector); ``"case_fallback"`` first tries the lower-case then the
    title-case form of a token (the bridge between a cased vocabulary and lower-case GloVe), ``"subword"``
    composes vectors from fastText n-grams; both then initialise the rest randomly. ``counts`` (``tp.Counts``,
    e.g. ``pipe.count(texts)``) adds ``weighted_coverage``: the share of corpus tokens whose row was found.

    >>> import numpy as np, textprep as tp
    >>> texts = ["a a a b", "a c"]
    >>> pipe = tp.Pipeline(maxlen=4).fit(texts)
    >>> from textprep.embeddings import Vectors
    >>> emb = align(Vectors(["a"], np.ones((1, 2), np.float32)), pipe, oov="mean", counts=pipe.count(texts))
    >>> emb.report["coverage"], emb.report["weighted_coverage"], emb.matrix[1].tolist()
    (0.3333333333333333, 0.6666666666666666, [1.0, 1.0])
    """
    if oov not in OOV_POLICIES:
        raise ValueError(f"oov= must be one of {', '.join(OOV_POLICIES)}, got {oov!r}")
    if oov == "subword" and vecs.subwords is None:
        raise ValueError(
            "oov='subword' needs fastText vectors with subword information (a fastText .bin model "
            "or a gensim FastText model); these vectors have none"
        )
    tokens, k = _vocab_tokens(vocab)
    dim = vecs.dim
    n_rows = len(tokens) + 1 + k
    matrix = np.zeros((n_rows, dim), dtype=np.float32)
    found = np.zeros(n_rows, dtype=bool)
    found[0] = True
    exact = by_case = by_sub = 0
    for i, tok in enumerate(tokens):
        row = i + 1 + k
        vec = vecs.get(tok)
        if vec is not None:
            exact += 1
        elif oov == "case_fallback":
            for alt in (tok.lower(), tok.title()):
                if alt != tok:
                    vec = vecs.get(alt)
                    if vec is not None:
                        by_case += 1
                        break
        elif oov == "subword" and vecs.subwords is not None:
            vec = vecs.subwords.vector(tok)
            if vec is not None:
                by_sub += 1
        if vec is not None:
            matrix[row] = vec
            found[row] = True
    init = ~found
    pre = vecs.matrix
    if oov == "zeros" or pre.shape[0] == 0:
        pass
    elif oov == "mean":
        matrix[init] = pre.mean(axis=0, dtype=np.float64).astype(np.float32)
    else:
        std = float(pre.std(dtype=np.float64)) or 1.0
        rng = np.random.default_rng(seed)
        # Drawn for every row, so a row's random vector does not depend on which other rows were found.
        noise = rng.standard_normal((n_rows, dim), dtype=np.float32) * np.float32(std)
        matrix[init] = noise[init]
    n_found = exact + by_case + by_sub
    report: dict[str, Any] = {
        "vocab_size": len(tokens),
        "num_oov_buckets": k,
        "exact": exact,
        "case_fallback": by_case,
        "subword": by_sub,
        "initialised": len(tokens) - n_found,
        "coverage": n_found / len(tokens) if tokens else 0.0,
        "weighted_coverage": None,
        "oov": oov,
        "dim": dim,
    }
    if counts is not None:
        tf = np.array([counts[t][0] for t in tokens], dtype=np.float64)
        total = tf.sum()
        report["weighted_coverage"] = float(tf[found[1 + k :]].sum() / total) if total else 0.0
    mask = init.copy()
    return Embeddings(matrix=matrix, report=report, trainable_mask=mask, tokens=tokens, num_oov_buckets=k)


__all__ = ["OOV_POLICIES", "Embeddings", "align"]
