"""Determinism across processes: hashes, vocabularies, ids and artifacts are byte-identical whatever the
``PYTHONHASHSEED``, the thread count, the chunking of the counts and the order of the documents; the frozen v1
artifact gives its golden ids in every process (the same golden file is checked by the Rust tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import hashlib, json, random, sys
    import numpy as np
    import textprep as tp

    chunk, shuffle_seed = int(sys.argv[1]), int(sys.argv[2])
    words = [f"w{i}" for i in range(4000)] + ["Straße", "ﬁne", "日本語", "naïve", "👍🏽", "İ", "e\\u0301", "x" * 30]
    rng = random.Random(7)
    docs = [" ".join(rng.choices(words, k=rng.randint(0, 16))) for _ in range(40_000)]
    order = list(range(len(docs)))
    random.Random(shuffle_seed).shuffle(order)
    docs_shuffled = [docs[i] for i in order]

    def digest(a):
        return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()

    out = {}
    # counts in chunks of `chunk` documents (shuffled), merged: the vocabulary must not depend on either
    counts = tp.Counts()
    pipe = tp.Pipeline(max_tokens=2500, min_freq=2, maxlen=16, num_oov_buckets=3)
    for i in range(0, len(docs_shuffled), chunk):
        counts.merge(pipe.count(docs_shuffled[i : i + chunk]))
    fitted = tp.Pipeline.from_counts(counts, max_tokens=2500, min_freq=2, maxlen=16, num_oov_buckets=3)
    out["vocab"] = hashlib.sha256("\\0".join(fitted.vocab.tokens).encode()).hexdigest()
    out["n_vocab"] = len(fitted.vocab)
    out["fingerprint"] = fitted.fingerprint
    out["artifact"] = hashlib.sha256(fitted.to_json().encode()).hexdigest()
    out["counts"] = hashlib.sha256(counts.to_json().encode()).hexdigest()
    out["ids"] = digest(fitted(docs))
    out["ragged"] = digest(fitted.encode_ragged(docs)[0])
    bag = fitted.encode_bag(docs[:5000], mode="tf_idf")
    out["bag"] = [digest(bag.indptr), digest(bag.indices), digest(bag.data)]
    for algo in ("xxh3_64", "murmur3_32", "farmhash64"):
        h = tp.Pipeline(n_buckets=2**20, hash=algo, seed=3, num_hashes=2, maxlen=16)
        out[algo] = digest(h(docs))
    toks = [t for d in docs[:2000] for t in d.split()]
    out["hash_tokens"] = digest(np.asarray(tp.hash_tokens(toks, 1000, algorithm="murmur3_32", signed=True)[0]))
    frozen = tp.Pipeline.load(sys.argv[3])
    golden = json.load(open(sys.argv[4], encoding="utf-8"))
    out["golden_ok"] = frozen.encode_batch(golden["texts"]).ids.tolist() == golden["ids"]
    out["str_hash"] = hash("textprep")  # proves the interpreters really differ in PYTHONHASHSEED
    print(json.dumps(out))
    """
)

RUNS = [
    # (PYTHONHASHSEED, TEXTPREP_NUM_THREADS, chunk docs, shuffle seed)
    ("0", "1", 40_000, 0),
    ("1", "2", 1_000, 1),
    ("12345", "3", 7_777, 2),
    ("random", "2", 333, 3),
]


@pytest.mark.slow
def test_identical_across_processes_hash_seeds_threads_chunks_and_order():
    artifact = ROOT / "tests" / "data" / "artifacts" / "pipeline_v1.json"
    golden = ROOT / "tests" / "data" / "golden" / "pipeline_v1_outputs.json"
    results = []
    for hashseed, threads, chunk, shuffle in RUNS:
        env = {**os.environ, "PYTHONHASHSEED": hashseed, "TEXTPREP_NUM_THREADS": threads}
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(chunk), str(shuffle), str(artifact), str(golden)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        results.append(json.loads(proc.stdout))
    assert len({r.pop("str_hash") for r in results}) > 1, "the runs did not differ in PYTHONHASHSEED"
    assert all(r["golden_ok"] for r in results)
    first = results[0]
    assert first["n_vocab"] == 2500 + 4
    for r in results[1:]:
        assert r == first
