"""Keras 3 embedding layers fed by textprep ids: scratch, frozen, fine-tuned, layered, partly frozen, hashed.

All layers use only ``keras`` and ``keras.ops``, so they run on the JAX, TensorFlow and PyTorch backends.

>>> import numpy as np, textprep as tp
>>> from textprep.keras import embedding_layer
>>> pipe = tp.Pipeline(maxlen=4).fit(["a b c"])
>>> layer = embedding_layer(pipe, mode="scratch", dim=8)
>>> tuple(layer(pipe(["a b"])).shape)
(1, 4, 8)
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

MODES = ("scratch", "frozen", "finetune", "layered")


def _mask(inputs: Any, mask_zero: bool) -> Any:
    if not mask_zero:
        return None
    return ops.not_equal(inputs, 0)


def _as_int(inputs: Any) -> Any:
    if inputs.dtype not in ("int32", "int64"):
        inputs = ops.cast(inputs, "int32")
    return inputs


@keras.saving.register_keras_serializable(package="textprep")
class LayeredEmbedding(keras.layers.Layer):
    """A frozen pretrained table concatenated with a trainable scratch table: output dim = both dims summed.

    >>> import numpy as np
    >>> layer = LayeredEmbedding(5, 3, 2, pretrained=np.ones((5, 3), np.float32))
    >>> out = layer(np.array([[1, 0]]))
    >>> tuple(out.shape), np.asarray(out)[0, 0, :3].tolist()
    ((1, 2, 5), [1.0, 1.0, 1.0])
    """

    pretrained: Any
    scratch: Any
    built: bool

    def __init__(
        self,
        input_dim: int,
        pretrained_dim: int,
        scratch_dim: int,
        mask_zero: bool = True,
        pretrained: Any = None,
        scratch_initializer: Any = "uniform",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.pretrained_dim = int(pretrained_dim)
        self.scratch_dim = int(scratch_dim)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.scratch_initializer = keras.initializers.get(scratch_initializer)
        if pretrained is not None:
            self.build()
            self.pretrained.assign(np.asarray(pretrained, dtype=np.float32))

    def build(self, input_shape: Any = None) -> None:
        """Create the two tables."""
        if self.built:
            return
        self.pretrained = self.add_weight(
            shape=(self.input_dim, self.pretrained_dim),
            initializer="zeros",
            trainable=False,
            name="pretrained",
        )
        self.scratch = self.add_weight(
            shape=(self.input_dim, self.scratch_dim),
            initializer=self.scratch_initializer,
            trainable=True,
            name="scratch",
        )
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Look up both tables and concatenate on the last axis."""
        ids = _as_int(inputs)
        return ops.concatenate(
            [ops.take(self.pretrained, ids, axis=0), ops.take(self.scratch, ids, axis=0)], axis=-1
        )

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Mask id 0 (padding) when ``mask_zero``."""
        return _mask(inputs, self.mask_zero)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        """Input shape plus the concatenated dimension."""
        return (*input_shape, self.pretrained_dim + self.scratch_dim)

    def get_config(self) -> dict[str, Any]:
        """Dimensions only; the tables travel in the saved weights."""
        config: dict[str, Any] = super().get_config()
        config.update(
            input_dim=self.input_dim,
            pretrained_dim=self.pretrained_dim,
            scratch_dim=self.scratch_dim,
            mask_zero=self.mask_zero,
            scratch_initializer=keras.initializers.serialize(self.scratch_initializer),
        )
        return config


@keras.saving.register_keras_serializable(package="textprep")
class PartiallyFrozenEmbedding(keras.layers.Layer):
    """An embedding whose pretrained rows stay fixed while the initialised rows (OOV, not found) train.

    Output = ``base[id] + row_mask[id] * delta[id]`` with ``base`` frozen, ``delta`` trainable (starting at
    zero) and ``row_mask`` (1 for trainable rows) frozen: found rows get a zero gradient.

    >>> import numpy as np
    >>> layer = PartiallyFrozenEmbedding(3, 2, weights=np.ones((3, 2), np.float32),
    ...                                  trainable_mask=np.array([False, True, False]))
    >>> np.asarray(layer(np.array([[2, 1]]))).tolist()
    [[[1.0, 1.0], [1.0, 1.0]]]
    """

    base: Any
    delta: Any
    row_mask: Any
    built: bool

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        mask_zero: bool = True,
        weights: Any = None,
        trainable_mask: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        if weights is not None or trainable_mask is not None:
            self.build()
        if weights is not None:
            self.base.assign(np.asarray(weights, dtype=np.float32))
        if trainable_mask is not None:
            self.row_mask.assign(np.asarray(trainable_mask, dtype=np.float32).reshape(-1, 1))

    def build(self, input_shape: Any = None) -> None:
        """Create the frozen base, the trainable delta and the frozen row mask."""
        if self.built:
            return
        self.base = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer="zeros", trainable=False, name="base"
        )
        self.delta = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer="zeros", trainable=True, name="delta"
        )
        self.row_mask = self.add_weight(
            shape=(self.input_dim, 1), initializer="ones", trainable=False, name="row_mask"
        )
        self.built = True

    @property
    def embeddings(self) -> Any:
        """The effective table (base plus masked delta)."""
        return ops.add(self.base, ops.multiply(self.row_mask, self.delta))

    def call(self, inputs: Any) -> Any:
        """Look up base + mask * delta."""
        ids = _as_int(inputs)
        base = ops.take(self.base, ids, axis=0)
        delta = ops.take(self.delta, ids, axis=0) * ops.take(self.row_mask, ids, axis=0)
        return base + delta

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Mask id 0 (padding) when ``mask_zero``."""
        return _mask(inputs, self.mask_zero)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        """Input shape plus ``output_dim``."""
        return (*input_shape, self.output_dim)

    def get_config(self) -> dict[str, Any]:
        """Dimensions only; the tables travel in the saved weights."""
        config: dict[str, Any] = super().get_config()
        config.update(input_dim=self.input_dim, output_dim=self.output_dim, mask_zero=self.mask_zero)
        return config


@keras.saving.register_keras_serializable(package="textprep")
class HashEmbedding(keras.layers.Layer):
    """Bloom / multi-hash embedding: each token arrives as ``num_hashes`` hashed ids; their rows are summed.

    Input ``(batch, length, num_hashes)`` ids in ``0..n_buckets`` (0 = padding, as ``tp.Pipeline(n_buckets=...,
    num_hashes=...)`` produces); a 2-D input is one hash per token. With ``importance=True`` each of the
    ``num_hashes`` rows is weighted by learned per-token importance weights, looked up from a small
    ``(n_buckets + 1, num_hashes)`` table by the token's first hashed id (the hash embeddings of Svenstrup et al.,
    2017). Padding positions output zeros and are masked. (``k=`` is the old name of ``num_hashes=``, accepted for
    one release with a ``DeprecationWarning``.)

    >>> import numpy as np, textprep as tp
    >>> pipe = tp.Pipeline(n_buckets=100, num_hashes=3, maxlen=5)
    >>> ids = pipe(["hashing needs no vocabulary"])
    >>> ids.shape, tuple(HashEmbedding(100, 8, num_hashes=3)(ids).shape)
    ((1, 5, 3), (1, 5, 8))
    """

    embeddings: Any
    importance_weights: Any
    built: bool

    def __init__(
        self,
        n_buckets: int,
        dim: int,
        num_hashes: int = 2,
        importance: bool = True,
        mask_zero: bool = True,
        embeddings_initializer: Any = "uniform",
        **kwargs: Any,
    ) -> None:
        if "k" in kwargs:  # the old name (also in the config of .keras files saved before the rename)
            import warnings

            warnings.warn(
                "HashEmbedding(k=...) is deprecated, use num_hashes=...", DeprecationWarning, stacklevel=2
            )
            num_hashes = kwargs.pop("k")
        super().__init__(**kwargs)
        if n_buckets <= 0 or dim <= 0 or num_hashes <= 0:
            raise ValueError(
                f"HashEmbedding: n_buckets, dim and num_hashes must be positive, got {n_buckets}, {dim}, {num_hashes}"
            )
        self.n_buckets = int(n_buckets)
        self.dim = int(dim)
        self.num_hashes = self.k = int(num_hashes)
        self.importance = bool(importance)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape: Any = None) -> None:
        """Create the shared table (``n_buckets + 1`` rows) and the importance table."""
        if self.built:
            return
        self.embeddings = self.add_weight(
            shape=(self.n_buckets + 1, self.dim), initializer=self.embeddings_initializer, name="embeddings"
        )
        if self.importance:
            self.importance_weights = self.add_weight(
                shape=(self.n_buckets + 1, self.num_hashes), initializer="ones", name="importance"
            )
        self.built = True

    def _ids(self, inputs: Any) -> Any:
        ids = _as_int(inputs)
        if len(ids.shape) == 2:
            ids = ops.expand_dims(ids, -1)
        return ids

    def call(self, inputs: Any) -> Any:
        """Sum (or importance-weight) the ``k`` rows of every token; zero at padding."""
        ids = self._ids(inputs)
        rows = ops.take(self.embeddings, ids, axis=0)  # (batch, len, k, dim)
        if self.importance:
            w = ops.take(self.importance_weights, ids[..., 0], axis=0)  # (batch, len, k)
            w = w[..., : ids.shape[-1]]
            rows = rows * ops.expand_dims(w, -1)
        out = ops.sum(rows, axis=-2)
        keep = ops.cast(ops.not_equal(ids[..., 0], 0), out.dtype)
        return out * ops.expand_dims(keep, -1)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Mask tokens whose first hashed id is 0 (padding)."""
        if not self.mask_zero:
            return None
        return ops.not_equal(self._ids(inputs)[..., 0], 0)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        """``(batch, length, dim)``."""
        shape = tuple(input_shape)
        if len(shape) == 3:
            shape = shape[:-1]
        return (*shape, self.dim)

    def get_config(self) -> dict[str, Any]:
        """Layer configuration."""
        config: dict[str, Any] = super().get_config()
        config.update(
            n_buckets=self.n_buckets,
            dim=self.dim,
            num_hashes=self.num_hashes,
            importance=self.importance,
            mask_zero=self.mask_zero,
            embeddings_initializer=keras.initializers.serialize(self.embeddings_initializer),
        )
        return config


def _emb_matrix(pipe: Any, emb: Any) -> tuple[np.ndarray, np.ndarray | None]:
    matrix = np.asarray(getattr(emb, "matrix", emb), dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(
            f"embedding_layer: emb must be an Embeddings or a 2-D matrix, got shape {matrix.shape}"
        )
    if matrix.shape[0] != pipe.id_space:
        raise ValueError(
            f"embedding_layer: the matrix has {matrix.shape[0]} rows but the pipeline has "
            f"{pipe.id_space} ids; align the vectors to this pipeline: vecs.align(pipe)"
        )
    mask = getattr(emb, "trainable_mask", None)
    return matrix, None if mask is None else np.asarray(mask, dtype=bool)


def embedding_layer(
    pipe: Any,
    emb: Any = None,
    mode: str = "scratch",
    dim: int | None = None,
    scratch_dim: int | None = None,
    mask_zero: bool = True,
    freeze_found_rows: bool = False,
    name: str | None = None,
) -> keras.layers.Layer:
    """The embedding layer for ``pipe``'s ids: pretrained versus scratch versus both is one keyword.

    ``mode``: ``"scratch"`` (random init, trainable; ``dim`` or 64), ``"frozen"`` (the aligned ``emb`` matrix,
    not trainable), ``"finetune"`` (initialised from ``emb``, trainable), ``"layered"`` (a frozen pretrained
    block concatenated with a trainable scratch block of ``scratch_dim`` or 32 columns).
    ``freeze_found_rows=True`` (with ``finetune``): rows found in the vectors stay fixed while the initialised
    rows (OOV, ``emb.trainable_mask``) train. ``emb`` is an :class:`~textprep.embeddings.Embeddings` (from
    ``vecs.align(pipe)``) or a plain ``(id_space, dim)`` matrix.

    >>> import numpy as np, textprep as tp
    >>> from textprep.embeddings import Vectors
    >>> pipe = tp.Pipeline(maxlen=3).fit(["a b"])
    >>> emb = Vectors(["a"], np.ones((1, 4), np.float32)).align(pipe)
    >>> layer = embedding_layer(pipe, emb, mode="layered", scratch_dim=2)
    >>> tuple(layer(pipe(["a"])).shape)
    (1, 3, 6)
    """
    if mode not in MODES:
        raise ValueError(f"mode= must be one of {', '.join(MODES)}, got {mode!r}")
    n = int(pipe.id_space)
    if mode == "scratch":
        out_dim = dim or (getattr(emb, "dim", None) if emb is not None else None) or 64
        return keras.layers.Embedding(n, int(out_dim), mask_zero=mask_zero, name=name)
    if emb is None:
        raise ValueError(f"mode={mode!r} needs pretrained embeddings: emb=vecs.align(pipe)")
    matrix, tmask = _emb_matrix(pipe, emb)
    if mode == "layered":
        return LayeredEmbedding(
            n,
            matrix.shape[1],
            int(scratch_dim or dim or 32),
            mask_zero=mask_zero,
            pretrained=matrix,
            name=name,
        )
    if freeze_found_rows:
        if mode != "finetune":
            raise ValueError(
                "freeze_found_rows=True applies to mode='finetune' (frozen keeps every row fixed)"
            )
        if tmask is None:
            raise ValueError(
                "freeze_found_rows=True needs emb with a trainable_mask (emb = vecs.align(pipe))"
            )
        return PartiallyFrozenEmbedding(
            n, matrix.shape[1], mask_zero=mask_zero, weights=matrix, trainable_mask=tmask, name=name
        )
    return keras.layers.Embedding(
        n, matrix.shape[1], mask_zero=mask_zero, weights=matrix, trainable=(mode == "finetune"), name=name
    )


__all__ = ["MODES", "HashEmbedding", "LayeredEmbedding", "PartiallyFrozenEmbedding", "embedding_layer"]
