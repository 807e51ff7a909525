"""``TextDataset``: a ``keras.utils.PyDataset`` that encodes raw texts through a pipeline batch by batch.

>>> import textprep as tp
>>> pipe = tp.Pipeline(maxlen=3).fit(["a b", "b c", "c d"])
>>> ds = TextDataset(pipe, ["a b", "b c", "c d"], [0, 1, 0], batch_size=2, shuffle=False)
>>> len(ds), ds[0][0].shape, ds[0][1].tolist()
(2, (2, 3), [0, 1])
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import keras
import numpy as np


class TextDataset(keras.utils.PyDataset):
    """Batches of ``pipe.encode_batch(texts).ids`` (and labels) for ``model.fit``, on any Keras backend.

    Encoding happens per batch on the host (the model consumes int32 ids). With ``shuffle=True`` the order
    is a permutation drawn from ``(seed, epoch)``: every epoch is reshuffled, the same way on every run.
    The dataset pickles (the pipeline travels as its JSON artifact), so ``workers``/``use_multiprocessing``
    (passed through ``**kwargs`` to ``PyDataset``) work.

    >>> import pickle, textprep as tp
    >>> texts = [f"text {i}" for i in range(5)]
    >>> pipe = tp.Pipeline(maxlen=2).fit(texts)
    >>> ds = TextDataset(pipe, texts, batch_size=2, seed=1)
    >>> clone = pickle.loads(pickle.dumps(ds))
    >>> bool((clone[0] == ds[0]).all()), ds[2].shape
    (True, (1, 2))
    """

    def __init__(
        self,
        pipe: Any,
        texts: Iterable[str],
        labels: Any = None,
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pipe = pipe
        self.texts = list(texts)
        self.labels = None if labels is None else np.asarray(labels)
        if self.labels is not None and len(self.labels) != len(self.texts):
            raise ValueError(f"TextDataset: {len(self.texts)} texts but {len(self.labels)} labels")
        if batch_size <= 0:
            raise ValueError(f"TextDataset: batch_size must be positive, got {batch_size}")
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        self.epoch = 0
        self._order = self._permutation(0)

    def _permutation(self, epoch: int) -> np.ndarray:
        n = len(self.texts)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng([self.seed, epoch]).permutation(n)

    def __len__(self) -> int:
        return math.ceil(len(self.texts) / self.batch_size)

    @property
    def num_batches(self) -> int:
        """Number of batches per epoch."""
        return len(self)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError(f"TextDataset: batch {index} out of range (0..{len(self) - 1})")
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        x = self.pipe.encode_batch([self.texts[i] for i in rows]).ids
        if self.labels is None:
            return x
        return x, self.labels[rows]

    def on_epoch_end(self) -> None:
        """Move to the next epoch's order."""
        self.epoch += 1
        self._order = self._permutation(self.epoch)


__all__ = ["TextDataset"]
