"""Keras / TensorFlow rows: ``TextVectorization`` and its TF ops, ``Hashing``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .base import CPUS, KERAS_PUNCT, MAX_TOKENS, MAXLEN, N_BUCKETS, Contender, Make, Unavailable, need


def _tf_threads(n: int | None) -> str:
    return "1 (tf.config.threading)" if n == 1 else f"{CPUS} (TF default)"


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


def _keras_ops_tokenize(threads: int | None) -> Make:
    def make(texts: list[str], path: Path) -> Callable[[], Any]:
        tf = _tf_mod(threads)
        return lambda: _keras_standardize_split(tf, tf.constant(texts))

    return make


def _keras_ops_list(texts: list[str], path: Path) -> Callable[[], Any]:
    tf = _tf_mod()
    return lambda: _keras_standardize_split(tf, tf.constant(texts)).to_list()


def _decode_rows(rows: list[list[bytes]]) -> list[list[str]]:
    return [[t.decode("utf-8") for t in row] for row in rows]


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
