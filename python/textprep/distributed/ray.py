"""Ray Data: ``count_ray``/``fit_ray`` (actors count blocks, counts merged by a tree of Ray tasks) and ``encode_ray``
(a lazy dataset with the encoded columns). Ray is imported when a function here is called (``textprep[ray]``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import ArtifactError, ConfigError
from ..pipeline import Counts, Pipeline
from .core import (
    DEFAULT_FAN_IN,
    PipelineRef,
    _check_cap,
    _check_encodable,
    _check_fittable,
    _fit_capped,
    _merge_node,
    _set_worker_threads,
    count_partition,
    encode_partition,
    merge_counts,
    read_lines,
    recount_partition,
    tree_merge,
)


class RayCountBlocks:
    """Ray Data actor (``map_batches`` callable class): compiles the pipeline once per worker, checks its
    fingerprint, and turns each batch (a ``pyarrow.Table``) into a one-row table whose ``counts`` column holds the
    batch's ``Counts`` as JSON. With ``candidates``, counts only those tokens, exactly (second pass of a capped fit).

    >>> import pyarrow as pa, textprep as tp
    >>> actor = RayCountBlocks(PipelineRef.of(tp.Pipeline()), "text")
    >>> out = actor(pa.table({"text": ["a b", "b"]}))
    >>> tp.Counts.from_json(out["counts"][0].as_py())["b"]
    (2, 2)
    """

    def __init__(
        self,
        ref: PipelineRef,
        text_column: str,
        cap: int | None = None,
        candidates: PipelineRef | None = None,
        threads: int | None = None,
    ) -> None:
        _set_worker_threads(threads)
        self.ref = ref
        self.pipe = ref.load("ray worker")
        self.text_column = text_column
        self.cap = cap
        self.candidates = candidates
        if candidates is not None:
            candidates.load("ray worker")

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        where = f"ray block (column {self.text_column!r})"
        if self.text_column not in batch.column_names:
            raise KeyError(f"{where}: no column {self.text_column!r}; columns are {batch.column_names}")
        texts = batch.column(self.text_column)
        if self.candidates is not None:
            counts = recount_partition(self.ref, self.candidates, texts, where)
        else:
            counts = count_partition(self.ref, texts, self.cap, where)
        return pa.table({"counts": pa.array([counts.to_json()], type=pa.large_string())})


def _ray_compute(num_workers: int | None) -> Any:
    import ray
    import ray.data

    if num_workers is not None:
        if not isinstance(num_workers, int) or num_workers < 1:
            raise ConfigError(f"num_workers must be a positive int or None, got {num_workers!r}")
        # Autoscale up to num_workers rather than a fixed size: a fixed pool holding every CPU starves the read
        # tasks that feed it (ray.data.read_text with num_workers == cluster CPUs hung on 2 CPUs).
        return ray.data.ActorPoolStrategy(min_size=1, max_size=num_workers)
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    return ray.data.ActorPoolStrategy(min_size=1, max_size=cpus)


def count_ray(
    pipe: Pipeline,
    dataset: Any,
    text_column: str = "text",
    *,
    cap: int | None = None,
    num_workers: int | None = None,
    batch_size: int | None = None,
    fan_in: int = DEFAULT_FAN_IN,
    threads_per_worker: int | None = 1,
    _candidates: PipelineRef | None = None,
) -> Counts:
    """Counts of a ``ray.data.Dataset``'s ``text_column``: one ``Counts`` per batch on an actor pool
    (``map_batches`` with ``compute=ActorPoolStrategy``; ``batch_size=None`` = one whole block per call), then a
    tree merge run as Ray tasks over the blocks (``fan_in`` partial counts per task).

    ``num_workers``: actors in the pool (default: autoscale 1..cluster CPUs); ``threads_per_worker``: engine
    threads per actor (1 matches one CPU per actor). With ``cap``, every batch and merge is capped (see the module
    doc for the bound).

    >>> import ray, ray.data, textprep as tp       # doctest: +SKIP
    >>> ds = ray.data.from_items([{"text": "a b"}, {"text": "b"}])  # doctest: +SKIP
    >>> count_ray(tp.Pipeline(), ds)["b"]           # doctest: +SKIP
    (2, 2)
    """
    import ray

    _check_fittable(pipe, "count_ray")
    _check_cap(cap)
    ref = PipelineRef.of(pipe)
    per_batch = dataset.map_batches(
        RayCountBlocks,
        fn_constructor_kwargs={
            "ref": ref,
            "text_column": text_column,
            "cap": cap,
            "candidates": _candidates,
            "threads": threads_per_worker,
        },
        batch_format="pyarrow",
        batch_size=batch_size,
        compute=_ray_compute(num_workers),
        num_cpus=1 if threads_per_worker is None else threads_per_worker,
    )
    try:
        refs = per_batch.to_arrow_refs()
        if not refs:
            return Counts()
        merge = ray.remote(_merge_node)
        root = tree_merge(refs, lambda group: merge.remote(cap, *group), fan_in)
        result = ray.get(root)
    except ray.exceptions.RayError as e:
        # An actor whose constructor failed surfaces as ActorDiedError: give the fingerprint check its own class.
        text = str(e)
        marker = "pipeline fingerprint mismatch"
        if marker in text:
            detail = text[text.index(marker) :].splitlines()[0]
            raise ArtifactError(f"count_ray: ray worker: {detail}") from e
        raise
    return result if isinstance(result, Counts) else merge_counts([result], cap)


def fit_ray(
    pipe: Pipeline,
    dataset: Any,
    text_column: str = "text",
    *,
    cap: int | None = None,
    recount: bool | None = None,
    num_workers: int | None = None,
    batch_size: int | None = None,
    fan_in: int = DEFAULT_FAN_IN,
    threads_per_worker: int | None = 1,
) -> Pipeline:
    """Fit ``pipe``'s vocabulary on a ``ray.data.Dataset`` (see ``count_ray``); returns ``pipe``. The vocabulary
    equals ``pipe.fit(all_texts)`` whatever the blocks. With ``cap``, ``recount`` (default True) runs the exact
    second pass over the candidate tokens.

    >>> import ray, ray.data, textprep as tp        # doctest: +SKIP
    >>> ds = ray.data.read_text("corpus.txt")         # doctest: +SKIP
    >>> pipe = fit_ray(tp.Pipeline(max_tokens=20_000), ds)  # doctest: +SKIP
    """
    kw: dict[str, Any] = dict(
        num_workers=num_workers, batch_size=batch_size, fan_in=fan_in, threads_per_worker=threads_per_worker
    )
    first = count_ray(pipe, dataset, text_column, cap=cap, **kw)
    if cap is None:
        return pipe.fit_counts(first)
    do_recount = True if recount is None else recount

    def second_pass(cand: PipelineRef) -> Counts:
        return count_ray(pipe, dataset, text_column, _candidates=cand, **kw)

    return _fit_capped(pipe, first, second_pass if do_recount else None)


class RayEncodeBlocks:
    """Ray Data actor that adds encoded columns to numpy batches (``batch_format="numpy"``):

    - ``output="ids"``: ``ids`` (rows, maxlen) int32 and ``lengths`` int32 (a fixed width is needed);
    - ``output="ragged"``: ``ids`` one int32 array per row, and ``lengths``;
    - ``output="bag"``: ``bag_ids`` int32 and ``bag_values`` float32 per row (the CSR row of ``encode_bag``).

    Arrays come from the engine as numpy and go into Arrow tensor columns without a copy.

    >>> import numpy as np, textprep as tp
    >>> pipe = tp.Pipeline(maxlen=3).fit(["a b c"])
    >>> out = RayEncodeBlocks(PipelineRef.of(pipe), "text")({"text": np.array(["a c", "b"], dtype=object)})
    >>> out["ids"].tolist(), out["lengths"].tolist()
    ([[2, 4, 0], [3, 0, 0]], [2, 1])
    """

    def __init__(
        self,
        ref: PipelineRef,
        text_column: str,
        output: str = "ids",
        maxlen: int | None = None,
        bag_mode: str = "count",
        threads: int | None = None,
    ) -> None:
        _set_worker_threads(threads)
        self.pipe = ref.load("ray worker")
        self.text_column = text_column
        self.output = output
        self.maxlen = maxlen
        self.bag_mode = bag_mode

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        where = f"ray block (column {self.text_column!r})"
        if self.text_column not in batch:
            raise KeyError(f"{where}: no column {self.text_column!r}; columns are {sorted(batch)}")
        return dict(batch) | encode_partition(
            self.pipe, batch[self.text_column], self.output, self.maxlen, self.bag_mode, where
        )


def encode_ray(
    pipe: Pipeline,
    dataset: Any,
    text_column: str = "text",
    *,
    output: str = "ids",
    maxlen: int | None = None,
    bag_mode: str = "count",
    num_workers: int | None = None,
    batch_size: int | None = 4096,
    threads_per_worker: int | None = 1,
) -> Any:
    """A lazy ``ray.data.Dataset``: ``dataset`` plus the encoded columns (``ids``/``lengths``, or ragged ``ids``,
    or ``bag_ids``/``bag_values``; see ``RayEncodeBlocks``), computed by an actor pool that compiles the pipeline
    once per worker and checks its fingerprint. Feed it to Ray Train (``iter_torch_batches``), or write it
    (``write_parquet``, ``write_numpy(path, column="ids")``).

    >>> import ray.data, textprep as tp              # doctest: +SKIP
    >>> pipe = tp.Pipeline(maxlen=128).fit(texts)    # doctest: +SKIP
    >>> encode_ray(pipe, ray.data.read_text("corpus.txt")).write_parquet("out/")  # doctest: +SKIP
    """
    _check_encodable(pipe, "encode_ray", output, maxlen)
    return dataset.map_batches(
        RayEncodeBlocks,
        fn_constructor_kwargs={
            "ref": PipelineRef.of(pipe),
            "text_column": text_column,
            "output": output,
            "maxlen": maxlen,
            "bag_mode": bag_mode,
            "threads": threads_per_worker,
        },
        batch_format="numpy",
        batch_size=batch_size,
        compute=_ray_compute(num_workers),
        num_cpus=1 if threads_per_worker is None else threads_per_worker,
        udf_modifying_row_count=False,
    )


def read_text_ray(paths: Any, encoding_errors: str = "strict") -> Any:
    """A ``ray.data.Dataset`` with a ``text`` column, one row per line of the files, read on the workers by the
    engine's corpus reader (``read_lines``: the same line, BOM and UTF-8 rules as ``fit_files``; Ray's own
    ``read_text`` drops empty lines). One read task per file.

    >>> ds = read_text_ray(["corpus-1.txt", "corpus-2.txt"])   # doctest: +SKIP
    >>> fit_ray(tp.Pipeline(max_tokens=20_000), ds)          # doctest: +SKIP
    """
    import ray.data

    files = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    rows = [{"path": os.fspath(p)} for p in files]

    def lines(row: dict[str, Any]) -> list[dict[str, str]]:
        return [{"text": t} for block in read_lines(row["path"], encoding_errors) for t in block]

    return ray.data.from_items(rows, override_num_blocks=max(1, len(rows))).flat_map(lines)
