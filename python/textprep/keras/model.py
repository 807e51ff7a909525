"""A small reference text classifier on textprep ids (bag of embeddings, CNN or BiLSTM).

>>> import textprep as tp
>>> pipe = tp.Pipeline(maxlen=5).fit(["a b c", "d e f"])
>>> text_classifier(pipe, kind="cnn", n_classes=3, dim=4).output_shape
(None, 3)
"""

from __future__ import annotations

from typing import Any

import keras

from .layers import HashEmbedding, embedding_layer

KINDS = ("bag", "cnn", "bilstm")


def text_classifier(
    pipe: Any,
    emb: Any = None,
    kind: str = "bag",
    mode: str = "scratch",
    n_classes: int = 2,
    dim: int = 64,
    learning_rate: float = 1e-2,
    **embedding_options: Any,
) -> keras.Model:
    """A compiled Keras classifier taking ``pipe(texts)`` ids: embedding (``mode``, see ``embedding_layer``),
    then ``kind`` = ``"bag"`` (masked mean), ``"cnn"`` (Conv1D + max pool) or ``"bilstm"``, then the output.

    Binary (``n_classes=2``): one sigmoid unit, ``binary_crossentropy``; else softmax with
    ``sparse_categorical_crossentropy``. Hashed pipelines with ``num_hashes > 1`` get a ``HashEmbedding``.

    >>> import numpy as np, textprep as tp
    >>> pipe = tp.Pipeline(maxlen=4).fit(["good", "bad"])
    >>> model = text_classifier(pipe, kind="bag", dim=4)
    >>> model.fit(pipe(["good", "bad"]), np.array([1, 0]), epochs=1, verbose=0).history["loss"][0] > 0
    True
    """
    if kind not in KINDS:
        raise ValueError(f"kind= must be one of {', '.join(KINDS)}, got {kind!r}")
    hashing = pipe.config.get("hashing") or {}
    k = int(hashing.get("num_hashes") or 1) if hashing.get("n_buckets") else 1
    if k > 1:
        inputs = keras.Input(shape=(None, k), dtype="int32", name="ids")
        n_buckets = int(pipe.id_space) - 1
        x = HashEmbedding(n_buckets, dim, num_hashes=k, mask_zero=kind != "cnn", name="embedding")(inputs)
    else:
        inputs = keras.Input(shape=(None,), dtype="int32", name="ids")
        # Conv1D does not take a mask: the CNN sees padding rows (zeros for pretrained tables) instead.
        embedding_options.setdefault("mask_zero", kind != "cnn")
        x = embedding_layer(pipe, emb, mode=mode, dim=dim, name="embedding", **embedding_options)(inputs)
    if kind == "bag":
        x = keras.layers.GlobalAveragePooling1D()(x)
    elif kind == "cnn":
        x = keras.layers.Conv1D(dim, 3, padding="same", activation="relu")(x)
        x = keras.layers.GlobalMaxPooling1D()(x)
    else:
        x = keras.layers.Bidirectional(keras.layers.LSTM(max(dim // 2, 4)))(x)
    if n_classes == 2:
        outputs = keras.layers.Dense(1, activation="sigmoid")(x)
        loss = "binary_crossentropy"
    else:
        outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
        loss = "sparse_categorical_crossentropy"
    model = keras.Model(inputs, outputs, name=f"textprep_{kind}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"])
    return model


__all__ = ["KINDS", "text_classifier"]
