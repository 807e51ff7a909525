"""Dask: ``count_dask``/``fit_dask`` (partitions counted as delayed tasks, merged by a delayed tree) and
``encode_dask`` (delayed arrays). Dask is imported when a function here is called (``textprep[dask]``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..pipeline import Counts, Pipeline
from .core import (
    DEFAULT_FAN_IN,
    PipelineRef,
    _check_cap,
    _check_encodable,
    _check_fittable,
    _fit_capped,
    _merge_node,
    count_partition,
    encode_partition,
    partition_texts,
    read_lines,
    recount_partition,
    tree_merge,
)


def _dask_partitions(data: Any, text_column: str | None, fn: str) -> list[Any]:
    """Delayed partitions of texts: a dask Bag of str, a dask Series, or a dask DataFrame with ``text_column``."""
    import dask.bag

    if isinstance(data, dask.bag.Bag):
        return list(data.to_delayed())
    import dask.dataframe

    if isinstance(data, dask.dataframe.DataFrame):
        columns = list(data.columns)
        if text_column is None:
            raise ConfigError(f"{fn}: a DataFrame needs text_column=...; columns are {columns}")
        if text_column not in columns:
            raise KeyError(f"{fn}: no column {text_column!r}; columns are {columns}")
        data = data[text_column]
    if isinstance(data, dask.dataframe.Series):
        return list(data.to_delayed())
    raise TypeError(f"{fn}: expected a dask Bag, Series or DataFrame, got {type(data).__name__}")


def _dask_count(ref: PipelineRef, part: Any, cap: int | None, index: int) -> Counts:
    return count_partition(ref, part, cap, where=f"dask partition {index}")


def _dask_recount(ref: PipelineRef, cand: PipelineRef, part: Any, index: int) -> Counts:
    return recount_partition(ref, cand, part, where=f"dask partition {index}")


def count_dask(
    pipe: Pipeline,
    data: Any,
    text_column: str | None = None,
    *,
    cap: int | None = None,
    fan_in: int = DEFAULT_FAN_IN,
    scheduler: Any = None,
    _candidates: PipelineRef | None = None,
) -> Counts:
    """Counts of a dask Bag of str, Series, or DataFrame column: one ``Counts`` per partition, then a tree of
    delayed merges (``fan_in`` per node), computed with ``scheduler`` (Dask's default when None).

    >>> import dask.bag as db, textprep as tp
    >>> bag = db.from_sequence(["a b", "b", "c b"], npartitions=2)
    >>> count_dask(tp.Pipeline(), bag, scheduler="sync")["b"]
    (3, 3)
    """
    import dask

    _check_fittable(pipe, "count_dask")
    _check_cap(cap)
    ref = PipelineRef.of(pipe)
    parts = _dask_partitions(data, text_column, "count_dask")
    if not parts:
        return Counts()
    if _candidates is None:
        counted = [dask.delayed(_dask_count)(ref, p, cap, i) for i, p in enumerate(parts)]
    else:
        counted = [dask.delayed(_dask_recount)(ref, _candidates, p, i) for i, p in enumerate(parts)]
    merge = dask.delayed(_merge_node)
    root = tree_merge(counted, lambda group: merge(cap, *group), fan_in)
    (result,) = dask.compute(root, scheduler=scheduler)
    return result


def fit_dask(
    pipe: Pipeline,
    data: Any,
    text_column: str | None = None,
    *,
    cap: int | None = None,
    recount: bool | None = None,
    fan_in: int = DEFAULT_FAN_IN,
    scheduler: Any = None,
) -> Pipeline:
    """Fit ``pipe``'s vocabulary on Dask partitions (see ``count_dask``); returns ``pipe``: the same vocabulary as
    ``pipe.fit`` on all the texts, whatever the partitioning. ``cap``/``recount`` as in ``fit_ray``.

    >>> import dask.bag as db, textprep as tp
    >>> bag = db.from_sequence(["b a b", "c c c"], npartitions=2)
    >>> fit_dask(tp.Pipeline(max_tokens=2), bag, scheduler="sync").vocab.tokens
    ['c', 'b']
    """
    first = count_dask(pipe, data, text_column, cap=cap, fan_in=fan_in, scheduler=scheduler)
    if cap is None:
        return pipe.fit_counts(first)

    def second_pass(cand: PipelineRef) -> Counts:
        return count_dask(pipe, data, text_column, fan_in=fan_in, scheduler=scheduler, _candidates=cand)

    return _fit_capped(pipe, first, second_pass if recount is None or recount else None)


def _dask_encode(
    ref: PipelineRef, part: Any, maxlen: int | None, index: int
) -> tuple[np.ndarray, np.ndarray]:
    pipe = ref.load(f"dask partition {index}")
    out = encode_partition(pipe, part, "ids", maxlen, where=f"dask partition {index}")
    return out["ids"], out["lengths"]


def _dask_encode_ragged(ref: PipelineRef, part: Any, index: int) -> tuple[np.ndarray, np.ndarray]:
    pipe = ref.load(f"dask partition {index}")
    return pipe.encode_ragged(partition_texts(part, f"dask partition {index}"))


def _dask_encode_bag(ref: PipelineRef, part: Any, mode: str, index: int) -> Any:
    pipe = ref.load(f"dask partition {index}")
    return pipe.encode_bag(partition_texts(part, f"dask partition {index}"), mode=mode)


def _concat_ragged(*parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    values = np.concatenate([v for v, _ in parts]) if parts else np.zeros(0, np.int32)
    splits = [np.zeros(1, np.int64)]
    for _, sp in parts:
        splits.append(sp[1:].astype(np.int64) + splits[-1][-1])
    return values.astype(np.int32, copy=False), np.concatenate(splits)


def _vstack_csr(n_cols: int, *parts: Any) -> Any:
    import scipy.sparse

    if not parts:
        return scipy.sparse.csr_matrix((0, n_cols), dtype=np.float32)
    return scipy.sparse.vstack(parts, format="csr", dtype=np.float32)


def encode_dask(
    pipe: Pipeline,
    data: Any,
    text_column: str | None = None,
    *,
    maxlen: int | None = None,
    output: str = "ids",
    bag_mode: str = "count",
) -> Any:
    """Encode a dask bag, Series or DataFrame on the workers (fingerprint checked), lazily.

    ``output="ids"`` (default): ``(ids, lengths)`` dask arrays, (n, maxlen) and (n,) int32, one chunk per
    partition (row counts are unknown until computed: ``ids.compute_chunk_sizes()``); write them with
    ``dask.array.to_npy_stack`` or compute them straight into numpy. ``output="ragged"``: one ``Delayed`` that
    computes to ``(values int32, row_splits int64)`` as ``Pipeline.encode_ragged`` gives. ``output="bag"``: one
    ``Delayed`` that computes to a ``scipy.sparse.csr_matrix`` (``bag_mode`` as ``Pipeline.encode_bag``'s
    ``mode``; ``"tf_idf"`` uses the fitted document frequencies, so it equals the single-machine bag).

    >>> import dask, dask.bag as db, textprep as tp
    >>> pipe = tp.Pipeline(maxlen=3).fit(["a b c"])
    >>> ids, lengths = encode_dask(pipe, db.from_sequence(["a c", "b"], npartitions=2))
    >>> dask.compute(ids, scheduler="sync")[0].tolist()
    [[2, 4, 0], [3, 0, 0]]
    >>> values, splits = encode_dask(pipe, db.from_sequence(["a c", "b"], npartitions=2), output="ragged").compute()
    >>> values.tolist(), splits.tolist()
    ([2, 4, 3], [0, 2, 3])
    >>> encode_dask(pipe, db.from_sequence(["a c", "b"], npartitions=2), output="bag").compute().toarray().tolist()
    [[0.0, 0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0, 0.0]]
    """
    import dask
    import dask.array as da

    _check_encodable(pipe, "encode_dask", output, maxlen)
    ref = PipelineRef.of(pipe)
    parts = _dask_partitions(data, text_column, "encode_dask")
    if output == "ragged":
        pieces = [dask.delayed(_dask_encode_ragged)(ref, p, i) for i, p in enumerate(parts)]
        return dask.delayed(_concat_ragged)(*pieces)
    if output == "bag":
        pieces = [dask.delayed(_dask_encode_bag)(ref, p, bag_mode, i) for i, p in enumerate(parts)]
        return dask.delayed(_vstack_csr)(pipe.id_space, *pieces)
    width = maxlen if maxlen is not None else pipe.config["encode"]["maxlen"]
    ids, lengths = [], []
    for i, p in enumerate(parts):
        both = dask.delayed(_dask_encode, nout=2)(ref, p, width, i)
        ids.append(da.from_delayed(both[0], shape=(np.nan, width), dtype=np.int32))
        lengths.append(da.from_delayed(both[1], shape=(np.nan,), dtype=np.int32))
    if not parts:
        return da.zeros((0, width), dtype=np.int32), da.zeros((0,), dtype=np.int32)
    return da.concatenate(ids, axis=0), da.concatenate(lengths, axis=0)


def read_text_dask(paths: Any, encoding_errors: str = "strict") -> Any:
    """A ``dask.bag.Bag`` of the lines of the files (one partition per file), read by the engine's corpus reader
    (``read_lines``: the same line, BOM and UTF-8 rules as ``fit_files``).

    >>> bag = read_text_dask(["corpus-1.txt", "corpus-2.txt"])   # doctest: +SKIP
    >>> fit_dask(tp.Pipeline(max_tokens=20_000), bag)          # doctest: +SKIP
    """
    import dask.bag

    files = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    bag = dask.bag.from_sequence([os.fspath(p) for p in files], npartitions=max(1, len(files)))
    return bag.map_partitions(
        lambda part: [t for path in part for block in read_lines(path, encoding_errors) for t in block]
    )
