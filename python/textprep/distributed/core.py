"""The backend-free core of scale-out (no Ray, no Dask): the pipeline on workers (``PipelineRef``), counting and
encoding one partition, merging counts in a tree, the capped count with its exactness certificate, and the
engine's corpus reader for files (``read_lines``). :mod:`textprep.distributed.ray` and
:mod:`textprep.distributed.dask` build on it; Spark or any other engine can use it as it is.

>>> import textprep as tp
>>> count_partition(tp.Pipeline(), ["a b", "b"])["b"]
(2, 2)
"""

from __future__ import annotations

import itertools
import json
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from .. import _core
from ..errors import ArtifactError, ConfigError, NotFittedError
from ..pipeline import Counts, Pipeline, iter_chunks

T = TypeVar("T")


#: Partial results merged per tree node (a node holds at most this many Counts at once).
DEFAULT_FAN_IN = 8


class ApproximateVocabularyWarning(UserWarning):
    """A capped distributed count could not certify that the vocabulary equals the exact one.

    >>> issubclass(ApproximateVocabularyWarning, UserWarning)
    True
    """


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
        from .. import __version__

        pipe = Pipeline.from_json(self.artifact)
        got = pipe.fingerprint
        if got != self.fingerprint:
            raise ArtifactError(
                f"{where}: pipeline fingerprint mismatch: the driver sent {self.fingerprint}, this worker "
                f"(textprep {__version__}) rebuilt {got}; install the same textprep version on every worker"
            )
        _WORKER_PIPELINES[got] = pipe
        return pipe


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
    return _counts_of(rows, n_docs)


def _counts_of(rows: Iterable[tuple[str, int, int]], n_docs: int) -> Counts:
    """Exact counts holding ``(token, tf, df)`` rows (through the counts document, which checks them)."""
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
    return Pipeline.from_counts(_counts_of(((t, 1, 1) for t in sorted(set(tokens))), 1), cfg)


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


def _set_worker_threads(threads: int | None) -> None:
    if threads is not None:
        from .. import set_num_threads

        set_num_threads(threads)


def _merge_node(cap: int | None, *parts: Any) -> Counts:
    return merge_counts(parts, cap)


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


def read_lines(path: str | os.PathLike[str], encoding_errors: str = "strict") -> Iterator[list[str]]:
    """Blocks of lines of a corpus file, read by the engine's one reader (the rules of ``Pipeline.fit_files``: ``\\n``
    ends a line and a ``\\r`` before it is dropped, a BOM at the start is dropped, ``encoding_errors`` for lines
    that are not UTF-8). Use it wherever a cluster reads the files, so every worker reads them as textprep does.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "c.txt"); _ = open(p, "wb").write(b"\\xef\\xbb\\xbfa\\r\\nb\\n")
    >>> [line for block in read_lines(p) for line in block]
    ['a', 'b']
    """
    return iter(_core.LineReader(os.fspath(path), encoding_errors))
