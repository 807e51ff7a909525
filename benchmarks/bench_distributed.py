"""Distributed fit (top 20,000): single process against Dask and Ray Data local, plus what travels to workers.

pytest mode (``pytest benchmarks/bench_distributed.py``; the CI smoke run ``--benchmark-disable`` uses the small
slice from ``conftest.py``): each distributed fit is checked equal to the single-process vocabulary.

Script mode measures fit on the whole corpus and the pieces of a scaling projection (not a claim):

    python benchmarks/bench_distributed.py [--corpus /tmp/textprep-bench/en_natural.txt] [--blocks 16]

It prints single-process fit (1 and 2 engine threads), Ray local with 2 one-CPU actors (the dataset read with
``ray.data.read_text``; ``ray.init`` is timed apart), the per-block count rate, the merge cost, the pickled sizes,
and a projection ``T(W) = T_fixed + ceil(B / W) * t_block + levels * t_merge`` for W workers.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
import textprep as tp
from textprep.distributed import PipelineRef, count_partition, fit_dask, fit_ray, merge_counts

MAX_TOKENS = 20_000


def new_pipe() -> tp.Pipeline:
    return tp.Pipeline(max_tokens=MAX_TOKENS)


# -- pytest-benchmark ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def expected(corpus) -> tp.Pipeline:
    return new_pipe().fit(corpus.texts)


@pytest.fixture(scope="module")
def ray_local():
    pytest.importorskip("ray")
    import ray
    import ray.data

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    ray.shutdown()


def bench(benchmark, corpus, group: str, fn: Callable[[], tp.Pipeline]) -> tp.Pipeline:
    benchmark.group = group
    benchmark.extra_info.update({"MB": round(corpus.nbytes / 1e6, 3), "lines": len(corpus.texts)})
    result: tp.Pipeline = benchmark.pedantic(fn, rounds=1, iterations=1, warmup_rounds=0)
    return result


def test_fit_single_process(benchmark, corpus, expected):
    got = bench(benchmark, corpus, "distributed-fit", lambda: new_pipe().fit(corpus.texts))
    assert got.fingerprint == expected.fingerprint


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_fit_dask(benchmark, corpus, expected, scheduler):
    import dask.bag as db

    bag = db.from_sequence(corpus.texts, npartitions=8)
    got = bench(benchmark, corpus, "distributed-fit", lambda: fit_dask(new_pipe(), bag, scheduler=scheduler))
    assert got.fingerprint == expected.fingerprint


def test_fit_ray_2_workers(benchmark, corpus, expected, ray_local):
    import ray.data

    ds = ray.data.read_text(str(corpus.path), override_num_blocks=8)
    got = bench(benchmark, corpus, "distributed-fit", lambda: fit_ray(new_pipe(), ds, num_workers=2))
    assert got.fingerprint == expected.fingerprint


def test_pickle_pipeline_and_counts(benchmark, corpus, expected):
    """What travels: the fitted pipeline (driver -> workers) and one partition's counts (workers -> merge)."""
    counts = expected.count(corpus.texts)
    benchmark.group = "distributed-pickle"
    benchmark.extra_info.update(
        {"pipeline_bytes": len(pickle.dumps(expected)), "counts_bytes": len(pickle.dumps(counts))}
    )

    def roundtrip() -> tuple[tp.Pipeline, tp.Counts]:
        pipe_copy: tp.Pipeline = pickle.loads(pickle.dumps(expected))
        counts_copy: tp.Counts = pickle.loads(pickle.dumps(counts))
        return pipe_copy, counts_copy

    pipe_copy, counts_copy = benchmark.pedantic(roundtrip, rounds=3, iterations=1, warmup_rounds=0)
    assert pipe_copy == expected and counts_copy.most_common(100) == counts.most_common(100)


# -- script mode ------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs and the last result."""
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--corpus", default=os.environ.get("TEXTPREP_BENCH_CORPUS", "/tmp/textprep-bench/en_natural.txt")
    )
    ap.add_argument("--blocks", type=int, default=16, help="Ray blocks / Dask partitions (default 16)")
    ap.add_argument("--repeat", type=int, default=2, help="runs per measurement, best kept (default 2)")
    args = ap.parse_args(argv)
    if not os.path.isfile(args.corpus):
        print(
            f"corpus {args.corpus} not found (decompress shared/data/bench/en_natural.txt.xz)",
            file=sys.stderr,
        )
        return 2
    with open(args.corpus, encoding="utf-8") as f:
        texts = f.read().splitlines()
    mb = os.path.getsize(args.corpus) / 1e6
    print(
        f"corpus {args.corpus}: {mb:.1f} MB, {len(texts):,} lines, cpus={os.cpu_count()}, blocks={args.blocks}"
    )

    def row(name: str, seconds: float, note: str = "") -> None:
        print(f"  {name:<44} {seconds:8.2f} s  {mb / seconds:7.1f} MB/s  {note}")

    tp.set_num_threads(1)
    t1, expected = timed(lambda: new_pipe().fit(texts), args.repeat)
    tp.set_num_threads(2)
    t2, _ = timed(lambda: new_pipe().fit(texts), args.repeat)
    tp.set_num_threads(0)
    print("single process")
    row("fit, 1 engine thread", t1)
    row("fit, 2 engine threads", t2)

    # Per-partition rate and merge cost, measured on one core in this process (the projection's inputs).
    tp.set_num_threads(1)
    ref = PipelineRef.of(new_pipe())
    size = math.ceil(len(texts) / args.blocks)
    parts = [texts[i : i + size] for i in range(0, len(texts), size)]
    block_times, block_counts = [], []
    for p in parts:
        t, c = timed(lambda p=p: count_partition(ref, p))
        block_times.append(t)
        block_counts.append(c)
    t_block = statistics.median(block_times)
    # What a Ray actor does per block: Arrow strings -> Python str list (partition_texts) -> count.
    import pyarrow as pa

    arrow_parts = [pa.array(p, type=pa.large_string()) for p in parts]
    t_block_arrow = statistics.median(timed(lambda a=a: count_partition(ref, a))[0] for a in arrow_parts)
    fan_in = 8
    t_merge_all, merged = timed(lambda: merge_counts(block_counts))
    t_merge_node, _ = timed(lambda: merge_counts(block_counts[:fan_in]))
    t_ser, blobs = timed(lambda: [pickle.dumps(c) for c in block_counts])
    t_de, _ = timed(lambda: [pickle.loads(b) for b in blobs])
    t_rank, fitted = timed(lambda: new_pipe().fit_counts(merged))
    tp.set_num_threads(0)
    assert fitted.fingerprint == expected.fingerprint
    pipe_blob = pickle.dumps(expected)
    t_pipe, _ = timed(lambda: pickle.loads(pickle.dumps(expected)), 3)
    print("pieces (1 engine thread, this process)")
    print(f"  count one block ({size:,} lines, median of {len(parts)})   {t_block:8.3f} s")
    print(f"  same, from an Arrow column (as on a Ray actor)  {t_block_arrow:8.3f} s")
    print(f"  merge all {len(parts)} block counts sequentially       {t_merge_all:8.3f} s")
    print(f"  merge one tree node ({fan_in} block counts)           {t_merge_node:8.3f} s")
    print(
        f"  pickle / unpickle {len(parts)} block counts            {t_ser:8.3f} / {t_de:.3f} s "
        f"({sum(map(len, blobs)) / 1e6:.1f} MB, {statistics.median(map(len, blobs)) / 1e6:.2f} MB per block)"
    )
    print(f"  rank merged counts (fit_counts)               {t_rank:8.3f} s")
    print(
        f"  pickle round trip of the fitted pipeline       {t_pipe * 1e3:8.2f} ms ({len(pipe_blob) / 1e3:.0f} kB)"
    )

    import ray
    import ray.data

    t_init, _ = timed(lambda: ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False))
    ray.data.DataContext.get_current().enable_progress_bars = False

    def ray_fit() -> tp.Pipeline:
        ds = ray.data.read_text(args.corpus, override_num_blocks=args.blocks)
        return fit_ray(new_pipe(), ds, num_workers=2)

    t_ray, got = timed(ray_fit, args.repeat)
    assert got.fingerprint == expected.fingerprint
    t_read, ds_mat = timed(
        lambda: ray.data.read_text(args.corpus, override_num_blocks=args.blocks).materialize()
    )
    t_ray_mat, got = timed(lambda: fit_ray(new_pipe(), ds_mat, num_workers=2), args.repeat)
    assert got.fingerprint == expected.fingerprint
    ray.shutdown()
    print("Ray Data local (2 one-CPU actors: read_text + count + tree merge as Ray tasks + rank)")
    print(f"  ray.init (not in the fit times)                {t_init:8.2f} s")
    row("fit_ray, 2 workers, from read_text", t_ray, f"(x{t1 / t_ray:.2f} vs single process, 1 thread)")
    row("  read_text + materialize alone", t_read)
    row("  fit_ray on the materialized dataset", t_ray_mat)
    ideal = len(parts) * t_block_arrow / 2
    fixed = max(t_ray_mat - ideal - t_rank, 0.0)
    print(
        f"  fixed overhead of fit_ray (actors, scheduling) {fixed:8.2f} s (ideal 2-way count {ideal:.2f} s)"
    )

    block_mb = mb / len(parts)
    rate = block_mb / t_block_arrow  # MB/s of one worker on one block
    print(
        "projection (not a measurement): T(W) = T_fixed + ceil(B/W) * t_block + levels * t_merge + t_rank,\n"
        f"  from t_block = {t_block_arrow:.3f} s per {block_mb:.1f} MB block ({rate:.0f} MB/s per worker), "
        f"t_merge(node of {fan_in}) = {t_merge_node:.3f} s, t_rank = {t_rank:.3f} s, T_fixed = {fixed:.2f} s;\n"
        "  reading the text is not included (it scales with storage), merge cost assumed constant per node"
    )
    for size_mb, label in ((mb, f"{mb:.0f} MB"), (100_000.0, "100 GB")):
        n_blocks = max(len(parts), math.ceil(size_mb / 128)) if size_mb > mb else len(parts)
        t_blk = (size_mb / n_blocks) / rate
        levels = math.ceil(math.log(max(n_blocks, 2), fan_in))
        cells = []
        for w in (1, 2, 4, 8, 16, 64, 256):
            t = fixed + math.ceil(n_blocks / w) * t_blk + levels * t_merge_node + t_rank
            cells.append(f"W={w}: {t:,.1f} s")
        print(f"  {label} ({n_blocks} blocks): " + ", ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
