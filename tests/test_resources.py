"""Resource bounds: streaming fit in bounded memory, capped counts, token length caps.

Peak memory is the process's own high-water mark (``VmHWM`` in ``/proc/self/status``), measured in a fresh
subprocess so the test process's history does not count.

Stated bounds (this machine, Linux x86-64, CPython 3.11):
- fitting on a generated 1 GB stream (a generator, never materialized; 895k documents, 197k distinct tokens) peaks under
  512 MB (measured: 250 MB, 10.6 s);
- counting one 75 MB batch (65,536 documents, 133k distinct tokens) grows the peak by less than 300 MB (measured:
  62 MB; 795 MB before the engine merged chunk counts group by group);
- a stream of 1,000 documents of 600 KB grows the peak by less than 300 MB (measured:
  194 MB; chunks are cut at 64 M characters as well as at 65,536 documents: before, the whole 600 MB stream was
  one chunk);
- ``Counts.set_cap(cap)`` keeps at most ``2 * cap`` distinct tokens at any time, whatever the stream.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import textprep as tp

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="peak memory is read from /proc/self/status (Linux only)"
)

PRELUDE = textwrap.dedent(
    """
    import json, random, sys, time
    import textprep as tp

    def hwm_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

    rng = random.Random(0)
    words = [f"w{i}" for i in range(200_000)]
    pieces = [" ".join(rng.choices(words, k=160)) for _ in range(512)]  # about 1.1 KB each
    """
)

STREAM = PRELUDE + textwrap.dedent(
    """
    target = int(sys.argv[1])
    seen = {"bytes": 0, "docs": 0}

    def stream():
        i = 0
        while seen["bytes"] < target:
            doc = pieces[i % 512] + f" doc{i % 130_000}"  # a new str object each time
            seen["bytes"] += len(doc)
            seen["docs"] += 1
            i += 1
            yield doc

    before = hwm_mb()
    t = time.monotonic()
    pipe = tp.Pipeline(max_tokens=50_000, split="whitespace.v1", unicode="none").fit(stream())
    print(json.dumps({"before": before, "peak": hwm_mb(), "seconds": time.monotonic() - t,
                      "vocab": len(pipe.vocab), **seen}))
    """
)

LONG_DOCS = PRELUDE + textwrap.dedent(
    """
    article = " ".join(pieces)  # about 600 KB: a long document
    before = hwm_mb()
    docs = (article + f" doc{i}" for i in range(int(sys.argv[1])))
    pipe = tp.Pipeline(split="whitespace.v1", unicode="none").fit(docs)
    print(json.dumps({"before": before, "peak": hwm_mb(), "article_mb": len(article) / 2**20,
                      "vocab": len(pipe.vocab)}))
    """
)

ONE_BATCH = PRELUDE + textwrap.dedent(
    """
    chunk = [pieces[i % 512] + f" doc{i}" for i in range(65_536)]
    before = hwm_mb()
    counts = tp.Pipeline(split="whitespace.v1", unicode="none").count(chunk)
    print(json.dumps({"before": before, "peak": hwm_mb(), "tokens": len(counts),
                      "text_mb": sum(map(len, chunk)) / 2**20}))
    """
)


def run(script: str, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


@needs_proc
@pytest.mark.slow
def test_fit_on_a_1_gb_stream_stays_under_512_mb():
    r = run(STREAM, str(1 << 30))
    assert r["bytes"] >= 1 << 30 and r["docs"] > 850_000
    assert r["vocab"] == 50_000 + 2
    assert r["peak"] < 512, f"peak RSS {r['peak']:.0f} MB while fitting on a 1 GB stream"


@needs_proc
@pytest.mark.slow
def test_a_stream_of_long_documents_is_chunked_by_size():
    # 1,000 documents of 600 KB: chunks of 65,536 documents would hold the whole 600 MB stream at once
    r = run(LONG_DOCS, "1000")
    assert r["article_mb"] > 0.5 and r["vocab"] > 1000
    assert r["peak"] - r["before"] < 300, f"peak grew by {r['peak'] - r['before']:.0f} MB"


@needs_proc
def test_counting_one_large_batch_keeps_partial_counts_bounded():
    r = run(ONE_BATCH)
    assert r["text_mb"] > 70 and r["tokens"] > 130_000
    growth = r["peak"] - r["before"]
    assert growth < 300, f"counting {r['text_mb']:.0f} MB of text grew the peak by {growth:.0f} MB"


def test_capped_counts_stay_bounded_on_a_stream_of_unique_tokens():
    cap = 2_000
    pipe = tp.Pipeline(split="whitespace.v1")
    rng = random.Random(3)
    frequent = [f"f{i}" for i in range(50)]
    total = tp.Counts().set_cap(cap)
    exact = tp.Counts()
    n = 0
    for _ in range(20):
        docs = []
        for _ in range(2_000):
            docs.append(" ".join([*rng.choices(frequent, k=5), f"u{n}", f"u{n + 1}"]))
            n += 2
        part = pipe.count(docs)
        exact.merge(part)
        total.merge(part)
        assert len(total) <= 2 * cap
    assert len(exact) == 50 + n  # 80,000 unique tokens seen, at most 4,000 kept at any time
    pm = total.pruned_max
    for tok, tf, _ in exact.most_common(50):
        kept = total[tok][0]
        assert tf <= kept <= tf + pm  # the documented over-estimate bound
    assert tp.Pipeline.from_counts(total, max_tokens=50).vocab.tokens == sorted(
        frequent, key=lambda t: (-exact[t][0], t)
    )


def test_max_len_bounds_every_token():
    text = " ".join(["a" * 10_000, "b" * 3, "\u00e9" * 500, "\U0001f600" * 40, "x" * 64])
    for overlong in ("truncate", "drop"):
        pipe = tp.Pipeline(max_len=16, overlong=overlong, split="whitespace.v1")
        toks = pipe.tokenize(text)
        assert all(len(t) <= 16 for t in toks)
        assert ("bbb" in toks) and (len(toks) == (5 if overlong == "truncate" else 1))


def test_per_wave_merging_gives_exact_counts():
    # a batch of several waves (16 MB each) counts exactly as the merge of small batches
    rng = random.Random(5)
    words = [f"w{i}" for i in range(30_000)]
    docs = [" ".join(rng.choices(words, k=60)) for _ in range(90_000)]
    assert sum(map(len, docs)) > 32 * 2**20  # more than two waves in one engine call
    pipe = tp.Pipeline(split="whitespace.v1", unicode="none")
    merged = tp.Counts()
    for i in range(0, len(docs), 5_000):
        merged.merge(pipe.count(docs[i : i + 5_000]))
    assert tp.Counts(pipe._core.count(docs)).to_json() == merged.to_json()
