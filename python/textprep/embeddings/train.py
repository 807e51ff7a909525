"""Train word vectors from scratch on a pipeline's own tokens (gensim Word2Vec or FastText), streamed.

>>> import textprep as tp
>>> from textprep.embeddings import train_vectors
>>> texts = ["the cat sat on the mat", "the dog sat on the log"] * 20
>>> pipe = tp.Pipeline(maxlen=8).fit(texts)
>>> vecs = train_vectors(pipe, texts, dim=8, epochs=1)
>>> vecs.dim, "cat" in vecs, vecs.align(pipe).matrix.shape
(8, True, (9, 8))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ..progress import progress_bar
from .gensim_kv import from_gensim
from .table import Vectors

METHODS = ("word2vec", "fasttext")


class TokenStream:
    """A restartable iterable of token lists: ``pipe.tokenize_batch`` over chunks of ``texts``, never all at
    once.

    Each ``iter()`` starts again from the beginning (gensim makes one pass to build its vocabulary and one per
    epoch), so ``texts`` must itself be re-iterable: a list, or an object whose ``__iter__`` restarts.

    >>> import textprep as tp
    >>> pipe = tp.Pipeline()
    >>> list(TokenStream(pipe, ["a b", "c"], chunk_size=1))
    [['a', 'b'], ['c']]
    """

    def __init__(self, pipe: Any, texts: Iterable[str], chunk_size: int = 4096) -> None:
        if isinstance(texts, Iterator):
            raise TypeError(
                "train_vectors needs re-iterable texts (gensim reads them once per epoch): pass a list, or an"
                " "
                "object whose __iter__ restarts (e.g. a class reading the file again), not a generator"
            )
        self.pipe = pipe
        self.texts = texts
        self.chunk_size = chunk_size

    def __iter__(self) -> Iterator[list[str]]:
        chunk: list[str] = []
        for text in self.texts:
            chunk.append(text)
            if len(chunk) >= self.chunk_size:
                yield from self.pipe.tokenize_batch(chunk)
                chunk = []
        if chunk:
            yield from self.pipe.tokenize_batch(chunk)


def train_vectors(
    pipe: Any,
    texts: Iterable[str],
    method: str = "word2vec",
    dim: int = 100,
    epochs: int = 5,
    window: int = 5,
    min_count: int = 1,
    workers: int = 1,
    seed: int = 0,
    progress: bool | None = None,
    **gensim_options: Any,
) -> Vectors:
    """Train ``word2vec`` or ``fasttext`` vectors with gensim on ``pipe``'s tokens of ``texts``.

    Tokens are streamed chunk by chunk through ``pipe.tokenize_batch``, so the training data sees exactly the
    tokens the pipeline produces at encode time. ``workers=1`` (the default) with a fixed ``seed`` gives the
    same vectors on every run. The result is a :class:`Vectors` (with subwords for ``fasttext``): call
    ``.align(pipe)`` for the embedding matrix in the pipeline's id layout. Extra keywords go to gensim.

    >>> import textprep as tp
    >>> texts = ["a b c", "b c d"] * 10
    >>> pipe = tp.Pipeline(maxlen=4).fit(texts)
    >>> v = train_vectors(pipe, texts, method="fasttext", dim=4, epochs=1, min_n=2, max_n=3, bucket=50)
    >>> v.subwords is not None, v.vector("bcd").shape
    (True, (4,))
    """
    if method not in METHODS:
        raise ValueError(f"method= must be one of {', '.join(METHODS)}, got {method!r}")
    try:
        from gensim.models import FastText, Word2Vec
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError('train_vectors needs gensim: pip install "textprep[gensim]"') from e
    stream = TokenStream(pipe, texts)
    cls = Word2Vec if method == "word2vec" else FastText
    model = cls(
        vector_size=dim, window=window, min_count=min_count, workers=workers, seed=seed, **gensim_options
    )
    from gensim.models.callbacks import CallbackAny2Vec

    class _EpochBar(CallbackAny2Vec):
        def __init__(self, bar: Any) -> None:
            self.bar = bar

        def on_epoch_end(self, model: Any) -> None:
            self.bar.update(1)

    with progress_bar(progress, total=epochs, unit="epoch", desc=f"train_vectors {method}") as bar:
        model.build_vocab(stream)
        if len(model.wv) == 0:
            raise ValueError("train_vectors: no token reaches min_count; nothing to train")
        # One train() call over all epochs: the learning rate decays linearly across them, as gensim intends.
        model.train(stream, total_examples=model.corpus_count, epochs=epochs, callbacks=[_EpochBar(bar)])
    vecs = from_gensim(model.wv, None, f"<gensim {cls.__name__}>")
    vecs.report.update(format=method, method=method, epochs=epochs, seed=seed)
    vecs.matrix = np.ascontiguousarray(vecs.matrix, dtype=np.float32).copy()
    return vecs


__all__ = ["METHODS", "TokenStream", "train_vectors"]
