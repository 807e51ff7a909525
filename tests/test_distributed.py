"""textprep.distributed: Ray Data and Dask fit/encode equal the single-machine path, whatever the partitioning.

Ray runs in local mode (``ray.init(num_cpus=2)``, one module-scoped instance); Dask with the sync, threads and
processes schedulers (``distributed`` is not a dependency; a LocalCluster test runs only when it is installed).
"""

from __future__ import annotations

import importlib.util
import pickle
import random
import time
import warnings

import numpy as np
import pytest
import textprep as tp
from textprep.distributed import (
    ApproximateVocabularyWarning,
    PipelineRef,
    RayCountBlocks,
    candidate_pipeline,
    certify_exact,
    count_dask,
    count_partition,
    encode_dask,
    encode_partition,
    encode_ray,
    fit_dask,
    fit_ray,
    merge_counts,
    partition_texts,
    recount_partition,
    tree_merge,
)

WORDS = "the of and to a in is it you that he was for on are with as I his they be at one have this".split()


def zipf_corpus(n_docs: int, vocab: int = 5000, seed: int = 0) -> list[str]:
    """Generated documents with a Zipf-like long tail, mixed case, punctuation and some non-ASCII words."""
    rng = random.Random(seed)
    words = WORDS + [f"w{i}" for i in range(vocab)] + ["Straße", "café", "naïve", "日本語", "ΣΑΣ", "👍🏽"]
    weights = [1.0 / (r + 1) ** 1.1 for r in range(len(words))]
    docs = []
    for _ in range(n_docs):
        toks = rng.choices(words, weights, k=rng.randint(0, 30))
        docs.append(
            " ".join(t.upper() if rng.random() < 0.05 else t for t in toks) + rng.choice(["", ".", "!"])
        )
    return docs


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return zipf_corpus(3000)


def splits(texts: list[str], n: int, seed: int) -> list[list[str]]:
    """``texts`` cut into ``n`` partitions at random boundaries (some may be empty), in a shuffled order."""
    rng = random.Random(seed)
    cuts = sorted(rng.randint(0, len(texts)) for _ in range(n - 1))
    parts = [texts[a:b] for a, b in zip([0, *cuts], [*cuts, len(texts)], strict=True)]
    rng.shuffle(parts)
    return parts


CONFIGS = [
    {"max_tokens": 300},
    {"max_tokens": 100, "min_freq": 3, "case": "keep"},
    {"max_df": 0.3, "ngrams": [1, 2], "special_tokens": ["<s>"]},
]


# -- engine-free pieces (the Spark pattern) ---------------------------------------------------------------------


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
@pytest.mark.parametrize("n_parts", [1, 2, 7, 40])
def test_tree_merge_of_partitions_equals_single_fit(corpus, cfg, n_parts):
    expected = tp.Pipeline(**cfg).fit(corpus)
    ref = PipelineRef.of(tp.Pipeline(**cfg))
    for seed in range(2):
        parts = [count_partition(ref, p) for p in splits(corpus, n_parts, seed)]
        merged = tree_merge(parts, fan_in=3)
        assert merged.n_docs == len(corpus)
        got = tp.Pipeline(**cfg).fit_counts(merged)
        assert got.vocab.tokens == expected.vocab.tokens
        assert got.fingerprint == expected.fingerprint


def test_merge_counts_accepts_json_and_tables(corpus):
    import pyarrow as pa

    pipe = tp.Pipeline()
    a, b, c = (pipe.count(p) for p in splits(corpus, 3, 1))
    table = pa.table({"counts": [b.to_json(), c.to_json()]})
    merged = merge_counts([a, table])
    assert merged.most_common() == pipe.count(corpus).most_common()
    with pytest.raises(TypeError, match="cannot merge a int"):
        merge_counts([a, 3])
    with pytest.raises(ValueError, match="nothing to merge"):
        tree_merge([])
    with pytest.raises(tp.ConfigError, match="fan_in"):
        tree_merge([a], fan_in=1)


def test_pipeline_ref_checks_fingerprint_and_pickles_small():
    pipe = tp.Pipeline(max_tokens=50).fit(zipf_corpus(200, seed=1))
    ref = PipelineRef.of(pipe)
    assert ref.load().fingerprint == pipe.fingerprint
    assert ref.load() is ref.load()  # compiled once per process
    bad = PipelineRef(ref.artifact, "f" * 16)
    with pytest.raises(
        tp.ArtifactError, match=r"ray worker: pipeline fingerprint mismatch: the driver sent f{16}"
    ):
        bad.load("ray worker")
    # a tampered artifact is refused by the artifact check itself
    with pytest.raises(tp.ArtifactError):
        PipelineRef(ref.artifact.replace('"max_tokens":50', '"max_tokens":51'), "0" * 16).load()
    # what travels: the pipeline and counts pickle through their JSON, a few kB for a small vocabulary
    blob = pickle.dumps(pipe)
    assert len(blob) < len(pipe.to_json()) + 200
    assert pickle.loads(blob) == pipe
    counts = pipe.count(zipf_corpus(200, seed=1))
    assert pickle.loads(pickle.dumps(counts)).most_common() == counts.most_common()


def test_partition_texts_errors_name_the_position():
    import pandas as pd
    import pyarrow as pa

    assert partition_texts(pd.Series(["a", "b"])) == ["a", "b"]
    assert partition_texts(pa.chunked_array([["a"], ["b"]])) == ["a", "b"]
    with pytest.raises(TypeError, match="dask partition 4: text 1 is nan"):
        partition_texts(pd.Series(["a", float("nan")]), "dask partition 4")
    with pytest.raises(TypeError, match="block: text 0 is int"):
        partition_texts([3], "block")
    with pytest.raises(TypeError, match="single str"):
        partition_texts("abc")


def test_recount_counts_candidates_exactly(corpus):
    pipe = tp.Pipeline(ngrams=[1, 2])
    full = pipe.count(corpus)
    cands = [t for t, _, _ in full.most_common(500)] + ["never-seen-token"]
    cand = candidate_pipeline(pipe, cands)
    ref, cref = PipelineRef.of(pipe), PipelineRef.of(cand)
    got = merge_counts(recount_partition(ref, cref, p) for p in splits(corpus, 5, 3))
    assert got.n_docs == len(corpus)
    assert got.most_common() == full.most_common(500)


@pytest.mark.parametrize("cap", [50, 200])
def test_capped_partition_counts_keep_the_stated_bound(corpus, cap):
    """Every token with a true count above ``pruned_max`` is kept; kept counts overestimate by at most it."""
    pipe = tp.Pipeline()
    exact = {t: tf for t, tf, _ in pipe.count(corpus).most_common()}
    ref = PipelineRef.of(pipe)
    merged = tree_merge(
        [count_partition(ref, p, cap=cap) for p in splits(corpus, 6, 2)],
        lambda group: merge_counts(group, cap=cap),
        fan_in=2,
    )
    bound = merged.pruned_max
    assert bound > 0  # the cap did prune: the corpus has ~5,000 distinct tokens
    assert len(merged) <= 2 * cap
    kept = {t: tf for t, tf, _ in merged.most_common()}
    assert all(t in kept for t, tf in exact.items() if tf > bound)
    assert all(exact[t] <= tf <= exact[t] + bound for t, tf in kept.items())


def test_certify_exact_and_capped_fit_via_dask(corpus):
    import dask.bag as db

    cfg = {"max_tokens": 100}
    expected = tp.Pipeline(**cfg).fit(corpus).vocab.tokens
    bag = db.from_sequence(corpus, npartitions=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # certified: no warning
        got = fit_dask(tp.Pipeline(**cfg), bag, cap=400, scheduler="sync")
    assert got.vocab.tokens == expected
    # a cap far too small for max_tokens cannot be certified: the warning says so
    with pytest.warns(ApproximateVocabularyWarning, match="could not be certified"):
        fit_dask(tp.Pipeline(max_tokens=1000), bag, cap=60, scheduler="sync")
    with pytest.warns(ApproximateVocabularyWarning, match="without recount"):
        approx = fit_dask(tp.Pipeline(**cfg), bag, cap=400, recount=False, scheduler="sync")
    assert set(approx.vocab.tokens[:50]) <= set(expected)
    # certify_exact directly: min_freq above the bound certifies even when max_tokens does not cut
    full = tp.Pipeline().count(corpus)
    assert certify_exact(tp.Pipeline(min_freq=5), full, bound=4)
    assert not certify_exact(tp.Pipeline(min_freq=5), full, bound=5)


def test_bad_arguments_raise_clear_errors(corpus):
    import dask.bag as db

    bag = db.from_sequence(["a"], npartitions=1)
    with pytest.raises(tp.ConfigError, match="hashes tokens"):
        fit_dask(tp.Pipeline(n_buckets=8), bag)
    with pytest.raises(tp.ConfigError, match="cap must be a positive int"):
        fit_dask(tp.Pipeline(), bag, cap=0)
    with pytest.raises(tp.NotFittedError, match="encode_dask"):
        encode_dask(tp.Pipeline(maxlen=4), bag)
    with pytest.raises(tp.ConfigError, match="fixed row width"):
        encode_dask(tp.Pipeline().fit(["a"]), bag)
    with pytest.raises(TypeError, match="expected a dask Bag, Series or DataFrame, got list"):
        fit_dask(tp.Pipeline(), ["a"])
    with pytest.raises(tp.ConfigError, match="output='x' is not one of"):
        encode_partition(tp.Pipeline().fit(["a"]), ["a"], output="x")


# -- Dask ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("npartitions", [1, 3, 16])
def test_fit_dask_bag_equals_single_fit(en_lines, corpus, npartitions):
    import dask.bag as db

    for texts in (en_lines, corpus):
        for cfg in CONFIGS:
            expected = tp.Pipeline(**cfg).fit(texts)
            got = fit_dask(
                tp.Pipeline(**cfg), db.from_sequence(texts, npartitions=npartitions), scheduler="sync"
            )
            assert got.fingerprint == expected.fingerprint


def test_fit_and_encode_dask_dataframe_threads(multi_lines, corpus):
    import dask
    import dask.dataframe as dd
    import pandas as pd

    texts = multi_lines + corpus
    df = dd.from_pandas(pd.DataFrame({"text": texts, "label": np.arange(len(texts))}), npartitions=5)
    expected = tp.Pipeline(max_tokens=500, maxlen=24).fit(texts)
    pipe = fit_dask(tp.Pipeline(max_tokens=500, maxlen=24), df, text_column="text", scheduler="threads")
    assert pipe.fingerprint == expected.fingerprint
    assert count_dask(pipe, df["text"], scheduler="threads").most_common() == pipe.count(texts).most_common()
    ids, lengths = encode_dask(pipe, df, text_column="text")
    ids_np, lengths_np = dask.compute(ids, lengths, scheduler="threads")
    batch = expected.encode_batch(texts)
    assert ids_np.dtype == np.int32 and np.array_equal(ids_np, batch.ids)
    assert np.array_equal(lengths_np, batch.lengths)
    with pytest.raises(tp.ConfigError, match="needs text_column"):
        fit_dask(tp.Pipeline(), df)
    with pytest.raises(KeyError, match="no column 'body'"):
        fit_dask(tp.Pipeline(), df, text_column="body")


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_encode_dask_ragged_and_bag_equal_single_machine(corpus, npartitions):
    import dask
    import dask.bag as db

    texts = [*corpus[:400], "", "unseen words only"]
    pipe = tp.Pipeline(max_tokens=300).fit(corpus)
    data = db.from_sequence(texts, npartitions=npartitions)
    values, splits = encode_dask(pipe, data, output="ragged").compute(scheduler="sync")
    want_values, want_splits = pipe.encode_ragged(texts)
    assert values.dtype == np.int32 and np.array_equal(values, want_values)
    assert np.array_equal(splits, want_splits)
    for mode in ("count", "multi_hot", "tf_idf"):
        (bag,) = dask.compute(encode_dask(pipe, data, output="bag", bag_mode=mode), scheduler="threads")
        want = pipe.encode_bag(texts, mode=mode)
        assert bag.shape == want.shape == (len(texts), pipe.id_space)
        assert (bag != want).nnz == 0, mode
    with pytest.raises(tp.ConfigError, match="output='rows'"):
        encode_dask(pipe, data, output="rows")


def test_fit_dask_processes_scheduler(product_titles):
    """Partitions counted in other processes: the pipeline and the counts travel pickled."""
    import dask.bag as db

    expected = tp.Pipeline.preset("sklearn", max_tokens=200).fit(product_titles)
    bag = db.from_sequence(product_titles, npartitions=3)
    got = fit_dask(tp.Pipeline.preset("sklearn", max_tokens=200), bag, scheduler="processes")
    assert got.fingerprint == expected.fingerprint


@pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None, reason="dask.distributed is not installed"
)
def test_fit_dask_local_cluster(corpus):  # pragma: no cover - only with the distributed package
    import dask.bag as db
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        got = fit_dask(tp.Pipeline(max_tokens=300), db.from_sequence(corpus, npartitions=4), scheduler=client)
    assert got.vocab.tokens == tp.Pipeline(max_tokens=300).fit(corpus).vocab.tokens


# -- Ray ------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_local():
    pytest.importorskip("ray")
    import ray
    import ray.data

    t0 = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = True
    print(f"ray.init took {time.perf_counter() - t0:.1f} s")
    yield ray
    ray.shutdown()


@pytest.mark.parametrize("blocks", [1, 3, 8])
def test_fit_ray_equals_single_fit(ray_local, en_lines, corpus, blocks):
    import ray.data

    texts = en_lines + corpus
    ds = ray.data.from_items([{"text": t} for t in texts], override_num_blocks=blocks)
    for cfg in CONFIGS[:2] if blocks != 3 else CONFIGS:
        expected = tp.Pipeline(**cfg).fit(texts)
        got = fit_ray(tp.Pipeline(**cfg), ds, num_workers=2, batch_size=None if blocks < 8 else 500)
        assert got.fingerprint == expected.fingerprint


def test_fit_ray_capped_and_read_text(ray_local, tmp_path, corpus):
    import ray.data

    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(corpus) + "\n", encoding="utf-8")
    ds = ray.data.read_text(str(path), override_num_blocks=4)
    expected = tp.Pipeline(max_tokens=100).fit(corpus)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ApproximateVocabularyWarning)
        # num_workers == cluster CPUs with read tasks upstream: the pool must not starve the reads
        got = fit_ray(tp.Pipeline(max_tokens=100), ds, cap=400, fan_in=2, num_workers=2)
    assert got.fingerprint == expected.fingerprint


def test_encode_ray_ids_ragged_bag_and_parquet(ray_local, tmp_path, sms_texts):
    import pyarrow.parquet as pq
    import ray.data

    pipe = tp.Pipeline(max_tokens=2000, maxlen=32).fit(sms_texts)
    ds = ray.data.from_items([{"text": t, "row": i} for i, t in enumerate(sms_texts)], override_num_blocks=3)
    out = encode_ray(pipe, ds, num_workers=2, batch_size=100).take_all()
    out.sort(key=lambda r: r["row"])
    batch = pipe.encode_batch(sms_texts)
    assert np.array_equal(np.stack([r["ids"] for r in out]), batch.ids)
    assert [int(r["lengths"]) for r in out] == batch.lengths.tolist()

    ragged = encode_ray(pipe, ds, output="ragged", num_workers=2).take_batch(
        len(sms_texts), batch_format="numpy"
    )
    values, _ = pipe.encode_ragged(sms_texts)
    order = np.argsort(ragged["row"])
    got = np.concatenate([ragged["ids"][i] for i in order])
    assert np.array_equal(got, values)

    bag = encode_ray(pipe, ds, output="bag", num_workers=2).take_batch(len(sms_texts), batch_format="numpy")
    csr = pipe.encode_bag(sms_texts)
    order = np.argsort(bag["row"])
    assert np.array_equal(np.concatenate([bag["bag_ids"][i] for i in order]), csr.indices)
    assert np.allclose(np.concatenate([bag["bag_values"][i] for i in order]), csr.data)

    encode_ray(pipe, ds, num_workers=2).write_parquet(str(tmp_path / "enc"))
    table = pq.read_table(str(tmp_path / "enc"))
    assert table.num_rows == len(sms_texts)
    assert set(table.column_names) >= {"text", "row", "ids", "lengths"}


def test_ray_worker_refuses_another_pipeline(ray_local):
    import ray.data

    ref = PipelineRef.of(tp.Pipeline())
    ds = ray.data.from_items([{"text": "a b"}] * 4)
    counted = ds.map_batches(
        RayCountBlocks,
        fn_constructor_kwargs={"ref": PipelineRef(ref.artifact, "0" * 16), "text_column": "text"},
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=1),
    )
    with pytest.raises(Exception, match="pipeline fingerprint mismatch"):
        counted.materialize()  # Ray reports the failed actor constructor (ActorDiedError) with our message
    with pytest.raises(Exception, match="no column 'body'"):
        fit_ray(tp.Pipeline(), ds, text_column="body", num_workers=1)


def test_fit_ray_raises_artifact_error_on_mismatch(ray_local, monkeypatch):
    """fit_ray turns a worker's fingerprint refusal into textprep.errors.ArtifactError."""
    import ray.data

    # the driver sends a reference whose fingerprint no worker can rebuild (as with another textprep build)
    monkeypatch.setattr(PipelineRef, "of", classmethod(lambda cls, p: cls(p.to_json(), "0" * 16)))
    ds = ray.data.from_items([{"text": "a b"}] * 4)
    with pytest.raises(tp.ArtifactError, match="count_ray: ray worker: pipeline fingerprint mismatch"):
        fit_ray(tp.Pipeline(), ds, num_workers=1)


def test_fit_dask_raises_artifact_error_on_mismatch(monkeypatch):
    import dask.bag as db

    monkeypatch.setattr(PipelineRef, "of", classmethod(lambda cls, p: cls(p.to_json(), "0" * 16)))
    bag = db.from_sequence(["a b", "c"], npartitions=2)
    with pytest.raises(tp.ArtifactError, match=r"dask partition \d: pipeline fingerprint mismatch"):
        fit_dask(tp.Pipeline(), bag, scheduler="sync")


def test_importing_textprep_does_not_import_ray_or_dask():
    import subprocess
    import sys

    code = (
        "import sys, textprep, textprep.distributed; "
        "print(sorted(m for m in ('ray', 'dask', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- files read by the engine's corpus reader --------------------------------------------------------------------
def _corpus_files(tmp_path, corpus):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(corpus[:50]).encode() + b"\r\n\r\n")
    b.write_bytes("\n".join(corpus[50:120]).encode() + b"\nlast \xff line")
    return [a, b]


def test_read_lines_and_dask_read_files_like_fit_files(tmp_path, corpus):
    from textprep.distributed import read_lines, read_text_dask

    files = _corpus_files(tmp_path, corpus)
    lines = [t for f in files for block in read_lines(f, "replace") for t in block]
    assert lines[:50] == corpus[:50] and lines[50] == "" and lines[-1] == "last \ufffd line"
    expected = tp.Pipeline(max_tokens=200).fit_files(files, encoding_errors="replace")
    assert tp.Pipeline(max_tokens=200).fit(lines).fingerprint == expected.fingerprint
    bag = read_text_dask(files, "replace")
    assert bag.npartitions == 2 and bag.compute(scheduler="sync") == lines
    got = fit_dask(tp.Pipeline(max_tokens=200), bag, scheduler="sync")
    assert got.fingerprint == expected.fingerprint


def test_read_text_ray_reads_files_like_fit_files(ray_local, tmp_path, corpus):
    from textprep.distributed import read_text_ray

    files = _corpus_files(tmp_path, corpus)
    expected = tp.Pipeline(max_tokens=200).fit_files(files, encoding_errors="replace")
    ds = read_text_ray(files, "replace")
    assert ds.count() == expected.count_files(files, encoding_errors="replace").n_docs
    assert fit_ray(tp.Pipeline(max_tokens=200), ds, num_workers=2).fingerprint == expected.fingerprint
