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

from .core import (
    DEFAULT_FAN_IN,
    ApproximateVocabularyWarning,
    PipelineRef,
    candidate_pipeline,
    certify_exact,
    count_partition,
    encode_partition,
    merge_counts,
    partition_texts,
    read_lines,
    recount_partition,
    tree_merge,
)
from .dask import count_dask, encode_dask, fit_dask, read_text_dask
from .ray import RayCountBlocks, RayEncodeBlocks, count_ray, encode_ray, fit_ray, read_text_ray

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
    "read_lines",
    "read_text_dask",
    "read_text_ray",
    "recount_partition",
    "tree_merge",
]
