"""Scale-out: fit and encode corpora on the engines users already run (Ray Data, Dask; Spark by the same pattern).

textprep writes no cluster code. Workers count their partitions into :class:`~textprep.Counts` (mergeable:
associative and commutative), the counts are merged in a tree, and ``Pipeline.fit_counts`` ranks them: the
vocabulary is the same as a single-machine ``fit`` on the same documents, whatever the partitioning. The pipeline
travels to workers as its artifact JSON (a few kB; ``pickle`` goes through it too) together with its fingerprint,
and every worker checks the fingerprint of the pipeline it rebuilt, so a cluster never mixes versions.

Ray and Dask are imported only when a ``*_ray``/``*_dask`` function is called (extras ``textprep[ray]``,
``textprep[dask]``). The engine-free pieces work anywhere, for example in Spark's ``mapPartitions``:

>>> import textprep as tp
>>> from textprep.distributed import PipelineRef, count_partition, tree_merge
>>> pipe = tp.Pipeline(max_tokens=3)
>>> ref = PipelineRef.of(pipe)                       # what workers receive
>>> parts = [["a b b", "c"], ["b c"], ["a a"]]       # partitions, wherever they live
>>> merged = tree_merge([count_partition(ref, p) for p in parts])
>>> pipe.fit_counts(merged).vocab.tokens == tp.Pipeline(max_tokens=3).fit(sum(parts, [])).vocab.tokens
True

Bounded memory (``cap=``): each partition and each merge keeps about ``2 * cap`` distinct tokens (space-saving
pruning, see ``Counts.set_cap``), with the stated bound ``pruned_max``: every token whose true count exceeds it is
kept, and a kept count overestimates by at most that much. With ``recount=True`` (the default when a cap is set) a
second pass counts the surviving candidate tokens exactly; the vocabulary is then certified identical to the exact
one when the last selected token's count exceeds ``pruned_max`` (or ``min_freq`` does), and
:class:`ApproximateVocabularyWarning` says so when it cannot be certified.
"""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from .errors import ArtifactError, ConfigError, NotFittedError
from .pipeline import Counts, Pipeline, iter_chunks

T = TypeVar("T")

#: Partial results merged per tree node (a node holds at most this many Counts at once).
DEFAULT_FAN_IN = 8


class ApproximateVocabularyWarning(UserWarning):
    """A capped distributed count could not certify that the vocabulary equals the exact one.

    >>> issubclass(ApproximateVocabularyWarning, UserWarning)
    True
    """


# -- the pipeline on workers -----------------------------------------------------------------------------------

#: Pipelines rebuilt in this process, by fingerprint (an actor or a Dask worker compiles each pipeline once).
_WORKER_PIPELINES: dict[str, Pipeline] = {}


@dataclass(frozen=True)
class PipelineRef:
    """What travels to workers: the pipeline's artifact JSON and the fingerprint the driver computed.

    ``load()`` rebuilds the pipeline once per process and raises ``ArtifactError`` when the rebuilt pipeline's
    fingerprint differs (a worker running another textprep build would produce other ids).

    >>> import pickle, textprep as tp
    >>> ref = PipelineRef.of(tp.Pipeline(case="keep"))
    >>> pickle.loads(pickle.dumps(ref)).load().tokenize("Hi there")
    ['Hi', 'there']
    """

    artifact: str
    fingerprint: str

    @classmethod
    def of(cls, pipe: Pipeline) -> PipelineRef:
        """The reference to send for ``pipe``.

        >>> import textprep as tp
        >>> PipelineRef.of(tp.Pipeline()).fingerprint == tp.Pipeline().fingerprint
        True
        """
        if not isinstance(pipe, Pipeline):
            raise TypeError(f"expected a textprep.Pipeline, got {type(pipe).__name__}")
        return cls(pipe.to_json(), pipe.fingerprint)

    def load(self, where: str = "worker") -> Pipeline:
        """The pipeline, compiled once per process; ``ArtifactError`` on a fingerprint mismatch.

        >>> import textprep as tp
        >>> ref = PipelineRef.of(tp.Pipeline())
        >>> PipelineRef(ref.artifact, "0000000000000000").load("ray worker 3")
        Traceback (most recent call last):
        textprep.errors.ArtifactError: ray worker 3: pipeline fingerprint mismatch: ...
        """
        cached = _WORKER_PIPELINES.get(self.fingerprint)
        if cached is not None:
            return cached
        from . import __version__

        pipe = Pipeline.from_json(self.artifact)
        got = pipe.fingerprint
        if got != self.fingerprint:
            raise ArtifactError(
                f"{where}: pipeline fingerprint mismatch: the driver sent {self.fingerprint}, this worker "
                f"(textprep {__version__}) rebuilt {got}; install the same textprep version on every worker"
            )
        _WORKER_PIPELINES[got] = pipe
        return pipe


# -- partitions ------------------------------------------------------------------------------------------------


def partition_texts(values: Any, where: str = "partition") -> list[str]:
    """A partition's texts as a list of ``str``: a list, a numpy array, a pandas Series, a pyarrow array or column.
    A missing value (``None``, NaN, Arrow null) raises ``TypeError`` naming its position.

    >>> import numpy as np
    >>> partition_texts(np.array(["a", "b"], dtype=object))
    ['a', 'b']
    >>> partition_texts(["a", None], where="block 2")
    Traceback (most recent call last):
    TypeError: block 2: text 1 is None, expected str (drop or fill missing texts before counting)
    """
    if isinstance(values, str | bytes):
        raise TypeError(f"{where}: expected a sequence of texts, got a single {type(values).__name__}")
    if hasattr(values, "to_pylist"):  # pyarrow Array / ChunkedArray
        items = values.to_pylist()
    elif hasattr(values, "tolist"):  # numpy array, pandas Series
        items = values.tolist()
    else:
        items = list(values)
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise TypeError(
                f"{where}: text {i} is {t!r}, expected str (drop or fill missing texts before counting)"
                if t is None or (isinstance(t, float) and t != t)
                else f"{where}: text {i} is {type(t).__name__}, expected str"
            )
    return items


def count_partition(
    ref: PipelineRef | Pipeline, texts: Iterable[Any], cap: int | None = None, where: str = "partition"
) -> Counts:
    """Counts of one partition, with the pipeline ``ref`` (compiled once per process). With ``cap``, memory is
    bounded per partition (``Counts.set_cap``: chunks of ``FIT_CHUNK_DOCS`` documents merged into capped counts).

    >>> import textprep as tp
    >>> count_partition(tp.Pipeline(), ["a b", "b"])["b"]
    (2, 2)
    """
    pipe = ref if isinstance(ref, Pipeline) else ref.load(where)
    total = Counts()
    if cap is not None:
        total.set_cap(cap)
    for chunk in iter_chunks(partition_texts(texts, where)):
        total.merge(pipe.count(chunk))
    return total


def recount_partition(
    ref: PipelineRef, candidates: PipelineRef, texts: Iterable[Any], where: str = "partition"
) -> Counts:
    """Exact counts of the candidate tokens only (the second pass of a capped count), in memory bounded by the
    number of candidates. ``candidates`` is a pipeline with the same tokenization whose vocabulary is the
    candidate set (see ``candidate_pipeline``); the engine's count bag gives tf (sum) and df (non-zeros).

    >>> import textprep as tp
    >>> pipe = tp.Pipeline()
    >>> cand = candidate_pipeline(pipe, ["b", "c"])
    >>> c = recount_partition(PipelineRef.of(pipe), PipelineRef.of(cand), ["a b b", "c b"])
    >>> c["b"], c["c"], c["a"], c.n_docs
    ((3, 2), (1, 1), (0, 0), 2)
    """
    ref.load(where)  # the fingerprint check of the main pipeline
    cand = candidates.load(where)
    tokens = cand.vocab.tokens
    ids = np.asarray([cand.vocab[t] for t in tokens], dtype=np.int64)
    width = cand.id_space
    tf = np.zeros(width, dtype=np.int64)
    df = np.zeros(width, dtype=np.int64)
    n_docs = 0
    for chunk in iter_chunks(partition_texts(texts, where)):
        bag = cand.encode_bag(chunk, mode="count")
        tf += np.bincount(bag.indices, weights=bag.data, minlength=width).astype(np.int64)
        df += np.bincount(bag.indices, minlength=width)
        n_docs += len(chunk)
    rows = sorted((t, int(tf[i]), int(df[i])) for t, i in zip(tokens, ids, strict=True) if tf[i] > 0)
    doc = {
        "format": "textprep.counts",
        "format_version": 1,
        "n_docs": n_docs,
        "pruned_max": 0,
        "pruned_df_max": 0,
        "tokens": [list(r) for r in rows],
    }
    return Counts.from_json(json.dumps(doc, ensure_ascii=False))


def candidate_pipeline(pipe: Pipeline, tokens: Iterable[str]) -> Pipeline:
    """A pipeline that tokenizes exactly like ``pipe`` and whose vocabulary is ``tokens`` (every one kept: no
    ``max_tokens``, ``min_freq`` or ``max_df``): the second pass of a capped count encodes with it.

    >>> import textprep as tp
    >>> candidate_pipeline(tp.Pipeline(max_tokens=1), ["x", "y"]).vocab.tokens
    ['x', 'y']
    """
    cfg = pipe.config
    cfg["vocab"].update(max_tokens=None, min_freq=1, max_df=None, keep_counts=False)
    cfg["hashing"]["n_buckets"] = None
    toks = sorted(set(tokens))
    doc = {
        "format": "textprep.counts",
        "format_version": 1,
        "n_docs": 1,
        "pruned_max": 0,
        "pruned_df_max": 0,
        "tokens": [[t, 1, 1] for t in toks],
    }
    return Pipeline.from_counts(Counts.from_json(json.dumps(doc, ensure_ascii=False)), cfg)


# -- merging ---------------------------------------------------------------------------------------------------


def merge_counts(parts: Iterable[Any], cap: int | None = None) -> Counts:
    """Merge partial counts (``Counts``, their ``to_json`` strings, or pyarrow tables with a ``counts`` column of
    such strings, as the Ray blocks hold) into new ``Counts``; with ``cap``, pruned as it goes.

    >>> import textprep as tp
    >>> pipe = tp.Pipeline()
    >>> merge_counts([pipe.count(["a"]), pipe.count(["a b"]).to_json()])["a"]
    (2, 2)
    """
    total = Counts()
    if cap is not None:
        total.set_cap(cap)
    for part in parts:
        if isinstance(part, Counts):
            total.merge(part)
        elif isinstance(part, str):
            total.merge(Counts.from_json(part))
        elif hasattr(part, "column") and hasattr(part, "num_rows"):  # a pyarrow Table of per-batch counts
            for text in part.column("counts").to_pylist():
                total.merge(Counts.from_json(text))
        else:
            raise TypeError(
                f"merge_counts: cannot merge a {type(part).__name__}; expected Counts or its JSON"
            )
    return total


def tree_merge(
    items: Sequence[T],
    combine: Callable[[list[T]], T] | None = None,
    fan_in: int = DEFAULT_FAN_IN,
) -> T:
    """Reduce ``items`` by combining groups of ``fan_in`` until one is left: ``ceil(log_fan_in(n))`` levels, each
    node holding at most ``fan_in`` partial results. ``combine`` defaults to ``merge_counts``; the Ray and Dask
    paths pass one that submits a remote task or a delayed call, so the merge runs on the cluster.

    >>> tree_merge([1, 2, 3, 4, 5], combine=sum, fan_in=2)
    15
    """
    if not isinstance(fan_in, int) or fan_in < 2:
        raise ConfigError(f"fan_in must be an int >= 2, got {fan_in!r}")
    level = list(items)
    if not level:
        raise ValueError("tree_merge: nothing to merge (the dataset has no partitions)")
    fn: Callable[[list[Any]], Any] = combine if combine is not None else merge_counts
    if len(level) == 1 and combine is None:
        return fn(level)
    while len(level) > 1:
        level = [fn(level[i : i + fan_in]) for i in range(0, len(level), fan_in)]
    return level[0]


# -- fitting from counts, capped or exact ------------------------------------------------------------------------


def _check_fittable(pipe: Pipeline, fn: str) -> None:
    if not isinstance(pipe, Pipeline):
        raise TypeError(f"{fn}: expected a textprep.Pipeline, got {type(pipe).__name__}")
    if pipe.config["hashing"]["n_buckets"] is not None:
        raise ConfigError(
            f"{fn}: the pipeline hashes tokens (hashing.n_buckets is set): there is nothing to fit"
        )


def _check_cap(cap: int | None) -> None:
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
        raise ConfigError(f"cap must be a positive int or None, got {cap!r}")


def certify_exact(pipe: Pipeline, recounted: Counts, bound: int) -> bool:
    """Whether the vocabulary fitted from exact counts of the candidates equals the one from exact counts of all
    tokens, given that every token left out of the candidates has a true count of at most ``bound``.

    True when ``bound < min_freq`` (no left-out token is eligible), or when ``max_tokens`` cut the eligible
    candidates and the last selected token's count exceeds ``bound`` (every left-out token ranks after it).

    >>> import textprep as tp
    >>> pipe = tp.Pipeline(max_tokens=1)
    >>> c = pipe.count(["a a a b"])
    >>> certify_exact(pipe, c, bound=2), certify_exact(pipe, c, bound=3)
    (True, False)
    """
    vcfg = pipe.config["vocab"]
    if bound < vcfg["min_freq"]:
        return True
    specials = set(vcfg["special_tokens"])
    selected = [t for t in Pipeline.from_counts(recounted, pipe.config).vocab.tokens if t not in specials]
    unlimited = pipe.config
    unlimited["vocab"]["max_tokens"] = None
    eligible = [t for t in Pipeline.from_counts(recounted, unlimited).vocab.tokens if t not in specials]
    if len(eligible) <= len(selected) or not selected:
        return False
    return min(recounted[t][0] for t in selected) > bound


def _fit_capped(
    pipe: Pipeline,
    first_pass: Counts,
    recount: Callable[[PipelineRef], Counts] | None,
) -> Pipeline:
    if first_pass.pruned_max == 0 or recount is None:
        if first_pass.pruned_max > 0:
            warnings.warn(
                f"capped count without recount: tokens counted more than {first_pass.pruned_max} times are all "
                f"kept, counts overestimate by at most {first_pass.pruned_max}; pass recount=True for exact ids",
                ApproximateVocabularyWarning,
                stacklevel=3,
            )
        return pipe.fit_counts(first_pass)
    cand = candidate_pipeline(pipe, (t for t, _, _ in first_pass.most_common()))
    exact = recount(PipelineRef.of(cand))
    if not certify_exact(pipe, exact, first_pass.pruned_max):
        warnings.warn(
            f"capped count: the vocabulary could not be certified exact (tokens left out of the candidates may have "
            f"counts up to {first_pass.pruned_max}, not below the last selected token's); raise cap",
            ApproximateVocabularyWarning,
            stacklevel=3,
        )
    return pipe.fit_counts(exact)


# -- Ray ---------------------------------------------------------------------------------------------------------


def _set_worker_threads(threads: int | None) -> None:
    if threads is not None:
        from . import set_num_threads

        set_num_threads(threads)


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


def _merge_node(cap: int | None, *parts: Any) -> Counts:
    return merge_counts(parts, cap)


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


def encode_partition(
    pipe: Pipeline,
    texts: Any,
    output: str = "ids",
    maxlen: int | None = None,
    bag_mode: str = "count",
    where: str = "partition",
) -> dict[str, np.ndarray]:
    """The encoded columns of one partition as numpy arrays (see ``RayEncodeBlocks`` for ``output``).

    >>> import textprep as tp
    >>> pipe = tp.Pipeline().fit(["a b"])
    >>> [a.tolist() for a in encode_partition(pipe, ["b a", "a"], output="ragged")["ids"]]
    [[3, 2], [2]]
    """
    items = partition_texts(texts, where)
    if output == "ids":
        batch = pipe.encode_batch(items, maxlen=maxlen)
        return {"ids": batch.ids, "lengths": batch.lengths}
    if output == "ragged":
        values, splits = pipe.encode_ragged(items)
        rows = np.empty(len(items), dtype=object)
        rows[:] = [values[a:b] for a, b in itertools.pairwise(splits)]
        return {"ids": rows, "lengths": np.diff(splits).astype(np.int32)}
    if output == "bag":
        m = pipe.encode_bag(items, mode=bag_mode)
        ids = np.empty(len(items), dtype=object)
        vals = np.empty(len(items), dtype=object)
        ind, dat, ptr = m.indices.astype(np.int32, copy=False), m.data, m.indptr
        ids[:] = [ind[a:b] for a, b in itertools.pairwise(ptr)]
        vals[:] = [dat[a:b] for a, b in itertools.pairwise(ptr)]
        return {"bag_ids": ids, "bag_values": vals}
    raise ConfigError(f"output={output!r} is not one of 'ids', 'ragged', 'bag'")


def _check_encodable(pipe: Pipeline, fn: str, output: str, maxlen: int | None) -> None:
    if not isinstance(pipe, Pipeline):
        raise TypeError(f"{fn}: expected a textprep.Pipeline, got {type(pipe).__name__}")
    if not pipe.is_fitted:
        raise NotFittedError(
            f"{fn}: the pipeline has no vocabulary yet; call fit_ray/fit_dask first or use hashing"
        )
    if output not in ("ids", "ragged", "bag"):
        raise ConfigError(f"{fn}: output={output!r} is not one of 'ids', 'ragged', 'bag'")
    if output == "ids" and maxlen is None and pipe.config["encode"]["maxlen"] is None:
        raise ConfigError(
            f"{fn}: output='ids' needs a fixed row width: pass maxlen=... or set maxlen in the config "
            "(or use output='ragged')"
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


# -- Dask --------------------------------------------------------------------------------------------------------


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


__all__ = [
    "DEFAULT_FAN_IN",
    "ApproximateVocabularyWarning",
    "PipelineRef",
    "RayCountBlocks",
    "RayEncodeBlocks",
    "candidate_pipeline",
    "certify_exact",
    "count_dask",
    "count_partition",
    "count_ray",
    "encode_dask",
    "encode_partition",
    "encode_ray",
    "fit_dask",
    "fit_ray",
    "merge_counts",
    "partition_texts",
    "recount_partition",
    "tree_merge",
]
