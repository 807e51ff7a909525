"""Word vectors in memory: ``Vectors`` (words, a float32 matrix, an index) and fastText subword composition (the
character n-grams and their hash are the engine's: ``textprep_core::tokenize::fasttext_ngrams`` and
``hashing::fasttext_hash``).

>>> import numpy as np
>>> from textprep.embeddings import Vectors
>>> v = Vectors(["cat", "dog"], np.eye(2, dtype=np.float32))
>>> v.dim, "cat" in v, v["dog"].tolist()
(2, True, [0.0, 1.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _core

if TYPE_CHECKING:
    from .align import Embeddings


def fasttext_hash(data: bytes) -> int:
    """fastText's string hash: FNV-1a 32 over UTF-8 bytes, each byte sign-extended first (as ``int8_t``).

    Identical to gensim's ``ft_hash_bytes`` and to ``Dictionary::hash`` in fastText.

    >>> fasttext_hash("<ca".encode())
    1066916747
    >>> fasttext_hash("é".encode()) == fasttext_hash(b"\\xc3\\xa9")
    True
    """
    return int(_core.fasttext_hash(bytes(data)))


def char_ngrams(word: str, minn: int, maxn: int) -> list[str]:
    """fastText character n-grams of ``<word>`` (lengths ``minn..maxn``; the lone ``<``/``>`` never counts).

    >>> char_ngrams("cat", 3, 4)
    ['<ca', '<cat', 'cat', 'cat>', 'at>']
    """
    return list(_core.fasttext_ngrams(word, max(int(minn), 0), max(int(maxn), 0)))


class SubwordModel:
    """fastText subword table: n-gram bucket rows that compose a vector for any word.

    ``word_rows``/``word_matrix`` are the raw (input-matrix) vectors of in-vocabulary words; a word's vector
    is the mean of its own row (when it has one) and its n-gram bucket rows, exactly as fastText's
    ``get_word_vector``.

    >>> import numpy as np
    >>> sub = SubwordModel(np.ones((10, 2), np.float32), minn=3, maxn=3)
    >>> sub.vector("zzz").tolist()
    [1.0, 1.0]
    """

    def __init__(
        self,
        ngram_matrix: np.ndarray,
        minn: int,
        maxn: int,
        word_rows: dict[str, int] | None = None,
        word_matrix: np.ndarray | None = None,
    ) -> None:
        self.ngram_matrix = ngram_matrix
        self.bucket = int(ngram_matrix.shape[0])
        self.minn = int(minn)
        self.maxn = int(maxn)
        self.word_rows = word_rows or {}
        self.word_matrix = word_matrix

    def ngram_rows(self, word: str) -> list[int]:
        """Bucket rows of the word's n-grams (fastText hash modulo the bucket count).

        >>> import numpy as np
        >>> SubwordModel(np.zeros((7, 1), np.float32), 3, 3).ngram_rows("ab")
        [5, 2]
        """
        rows, _ = _core.fasttext_ngram_rows([word], max(self.minn, 0), max(self.maxn, 0), self.bucket)
        return [int(r) for r in rows]

    def _compose(self, word: str, rows: Any) -> np.ndarray | None:
        own = self.word_rows.get(word)
        if own is None and not len(rows):
            return None
        acc = np.zeros(self.ngram_matrix.shape[1], dtype=np.float64)
        n = 0
        if own is not None and self.word_matrix is not None:
            acc += self.word_matrix[own]
            n += 1
        for r in rows:  # one add per row, in fastText's order (the float64 sum is then the same bit for bit)
            acc += self.ngram_matrix[r]
        n += len(rows)
        return (acc / max(n, 1)).astype(np.float32)

    def vector(self, word: str) -> np.ndarray | None:
        """The composed vector of ``word`` (float32), or None when it has neither its own row nor n-grams.

        >>> import numpy as np
        >>> SubwordModel(np.zeros((4, 3), np.float32), 3, 3).vector("")
        >>> SubwordModel(np.zeros((4, 3), np.float32), 3, 3).vector("a").shape
        (3,)
        """
        return self._compose(word, self.ngram_rows(word))

    def vectors(self, words: list[str]) -> np.ndarray:
        """The composed vectors of ``words`` as a ``(len(words), dim)`` float32 matrix (zero rows for words with
        neither a row nor n-grams); the n-gram rows of all words come from one engine call.

        >>> import numpy as np
        >>> SubwordModel(np.ones((4, 2), np.float32), 3, 3).vectors(["abc", ""]).tolist()
        [[1.0, 1.0], [0.0, 0.0]]
        """
        rows, splits = _core.fasttext_ngram_rows(words, max(self.minn, 0), max(self.maxn, 0), self.bucket)
        out = np.zeros((len(words), self.ngram_matrix.shape[1]), dtype=np.float32)
        for i, w in enumerate(words):
            vec = self._compose(w, rows[splits[i] : splits[i + 1]])
            if vec is not None:
                out[i] = vec
        return out


class Vectors:
    """Pretrained (or trained) word vectors: ``words``, a float32 ``matrix`` (one row per word) and ``index``.

    ``index`` maps a word to its row; it may hold extra aliases pointing at shared rows (a spaCy table maps
    many keys onto one row). ``report`` describes the load (``rows_read``, ``kept``, ``duplicates``,
    ``nan_rows``, ``replaced_words``, ``source``, ``format``). ``subwords`` (fastText ``.bin`` / gensim
    FastText) composes vectors for words that have no row: ``vecs.vector("unseenword")``.

    >>> import numpy as np
    >>> v = Vectors(["a", "b"], np.array([[1, 2], [3, 4]], dtype=np.float32))
    >>> len(v), v.index["b"], v.get("zzz") is None
    (2, 1, True)
    """

    def __init__(
        self,
        words: Iterable[str],
        matrix: np.ndarray,
        *,
        index: dict[str, int] | None = None,
        report: dict[str, Any] | None = None,
        subwords: SubwordModel | None = None,
    ) -> None:
        self.words: list[str] = list(words)
        mat = np.asarray(matrix)
        if mat.ndim != 2:
            raise ValueError(f"Vectors: matrix must be 2-D (n_words, dim), got shape {mat.shape}")
        if mat.dtype != np.float32:
            mat = mat.astype(np.float32)
        if mat.shape[0] != len(self.words):
            raise ValueError(f"Vectors: {len(self.words)} words but the matrix has {mat.shape[0]} rows")
        self.matrix: np.ndarray = mat
        if index is None:
            index = {}
            for i, w in enumerate(self.words):
                index.setdefault(w, i)
        self.index: dict[str, int] = index
        self.report: dict[str, Any] = dict(report or {})
        self.subwords = subwords

    @property
    def dim(self) -> int:
        """Vector dimension.

        >>> import numpy as np
        >>> Vectors(["a"], np.zeros((1, 5), np.float32)).dim
        5
        """
        return int(self.matrix.shape[1])

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __getitem__(self, word: str) -> np.ndarray:
        """The row of ``word``; with fastText subwords a composed vector for unknown words; else KeyError."""
        row = self.index.get(word)
        if row is not None:
            return self.matrix[row]
        vec = self.subwords.vector(word) if self.subwords is not None else None
        if vec is None:
            raise KeyError(f"{word!r} has no vector (and no subword model composes one)")
        return vec

    def get(self, word: str, default: np.ndarray | None = None) -> np.ndarray | None:
        """The vector of ``word``, or ``default`` (exact rows only, no subword composition).

        >>> import numpy as np
        >>> Vectors(["a"], np.ones((1, 2), np.float32)).get("a").tolist()
        [1.0, 1.0]
        """
        row = self.index.get(word)
        return default if row is None else self.matrix[row]

    def vector(self, word: str) -> np.ndarray | None:
        """Exact row, else a subword-composed vector (fastText models), else None.

        >>> import numpy as np
        >>> Vectors(["a"], np.ones((1, 2), np.float32)).vector("b") is None
        True
        """
        row = self.index.get(word)
        if row is not None:
            return self.matrix[row]
        return self.subwords.vector(word) if self.subwords is not None else None

    def align(
        self,
        vocab: Any,
        oov: str = "random",
        seed: int = 0,
        counts: Any = None,
    ) -> Embeddings:
        """An embedding matrix in the pipeline's id layout (see :func:`textprep.embeddings.align`).

        >>> import numpy as np, textprep as tp
        >>> pipe = tp.Pipeline(maxlen=4).fit(["cat dog emu"])
        >>> vecs = Vectors(["cat", "dog"], np.ones((2, 3), np.float32))
        >>> emb = vecs.align(pipe, oov="zeros")
        >>> emb.matrix.shape, emb.report["exact"], emb.report["coverage"]
        ((5, 3), 2, 0.6666666666666666)
        """
        from .align import align

        return align(self, vocab, oov=oov, seed=seed, counts=counts)

    def __repr__(self) -> str:
        sub = ", subwords" if self.subwords is not None else ""
        return f"Vectors(words={len(self)}, dim={self.dim}{sub})"


__all__ = ["SubwordModel", "Vectors", "char_ngrams", "fasttext_hash"]
