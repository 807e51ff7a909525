"""Concurrency stress: many Python threads share pipelines while others fit new ones and refit shared ones.

Every result must equal the single-threaded result computed up front. The engine works detached from the
interpreter (the GIL is released), so these threads really run engine code at the same time on the pool and on
their own threads. Free-threaded CPython: see the note at the top of ``rust/textprep-py/src/lib.rs``.
"""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import textprep as tp

WORDS = [f"w{i}" for i in range(3000)] + [
    "Straße",
    "ﬁne",
    "日本",
    "naïve",
    "don't",
    "👍🏽",
    "İstanbul",
    "e\u0301",
]


def make_corpus(n_docs: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(0, 14))) for _ in range(n_docs)]


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    docs = make_corpus(60_000, 1)
    assert sum(map(len, docs)) > 2 * 512 * 1024  # above the serial threshold: batches use the pool
    return docs


def test_many_threads_share_pipelines_while_others_fit(corpus):
    shared = {
        "hashed": tp.Pipeline(n_buckets=4096, num_hashes=2, maxlen=12),
        "fitted": tp.Pipeline(max_tokens=2000, maxlen=12).fit(corpus),
        "bert": tp.Pipeline.preset("bert", maxlen=12).fit(corpus[:20_000]),
    }
    slices = [corpus[i : i + 7_500] for i in range(0, len(corpus), 7_500)]
    expected = {
        (name, i): (p.encode_batch(s).ids, p.encode_ragged(s)[0], p.tokenize_batch(s[:500]))
        for name, p in shared.items()
        for i, s in enumerate(slices)
    }
    expected_bag = shared["fitted"].encode_bag(slices[0], mode="tf_idf")
    fit_cfgs = [
        {"max_tokens": 500},
        {"case": "keep", "min_freq": 2},
        {"split": "whitespace.v1", "ngrams": [1, 2]},
    ]
    expected_vocab = [tp.Pipeline(**c).fit(corpus[:30_000]).vocab.tokens for c in fit_cfgs]

    def reader(seed: int) -> int:
        rng = random.Random(seed)
        done = 0
        for _ in range(12):
            name = rng.choice(list(shared))
            i = rng.randrange(len(slices))
            ids, ragged, toks = expected[(name, i)]
            pipe = shared[name]
            what = rng.randrange(3)
            if what == 0:
                assert np.array_equal(pipe.encode_batch(slices[i]).ids, ids)
            elif what == 1:
                assert np.array_equal(pipe.encode_ragged(slices[i])[0], ragged)
            else:
                assert pipe.tokenize_batch(slices[i][:500]) == toks
            done += 1
        bag = shared["fitted"].encode_bag(slices[0], mode="tf_idf")
        assert (bag != expected_bag).nnz == 0
        return done

    def fitter(j: int) -> list[str]:
        cfg = fit_cfgs[j % len(fit_cfgs)]
        # streamed through a generator, in a different document order each time: the ids must not change
        docs = corpus[:30_000]
        order = list(range(len(docs)))
        random.Random(j).shuffle(order)
        return tp.Pipeline(**cfg).fit(docs[k] for k in order).vocab.tokens

    with ThreadPoolExecutor(max_workers=12) as ex:
        readers = [ex.submit(reader, s) for s in range(8)]
        fitters = [ex.submit(fitter, j) for j in range(6)]
        assert sum(f.result() for f in readers) == 8 * 12
        for j, f in enumerate(fitters):
            assert f.result() == expected_vocab[j % len(fit_cfgs)]


def test_refit_of_a_shared_pipeline_is_an_atomic_swap(corpus):
    a_docs, b_docs = corpus[:20_000], corpus[20_000:40_000]
    pipe = tp.Pipeline(max_tokens=800, maxlen=10).fit(a_docs)
    probe = corpus[40_000:46_000]
    want_a = pipe(probe)
    want_b = tp.Pipeline(max_tokens=800, maxlen=10).fit(b_docs)(probe)
    assert not np.array_equal(want_a, want_b)
    stop = threading.Event()
    seen = {"a": 0, "b": 0}

    def refit_loop():
        while not stop.is_set():
            pipe.fit(b_docs)
            pipe.fit(a_docs)

    t = threading.Thread(target=refit_loop)
    t.start()
    try:
        for _ in range(30):
            got = pipe(probe)
            # each call sees one whole vocabulary, never a mix of the two
            if np.array_equal(got, want_a):
                seen["a"] += 1
            else:
                assert np.array_equal(got, want_b)
                seen["b"] += 1
    finally:
        stop.set()
        t.join()
    assert seen["a"] + seen["b"] == 30


def test_thread_count_changes_during_concurrent_work(corpus):
    pipe = tp.Pipeline(n_buckets=1 << 16, maxlen=8)
    want = pipe(corpus)
    stop = threading.Event()

    def toggle():
        n = 0
        while not stop.is_set():
            tp.set_num_threads(1 + n % 3)
            n += 1
            stop.wait(0.002)

    t = threading.Thread(target=toggle)
    t.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as ex:
            for got in ex.map(lambda _: pipe(corpus), range(8)):
                assert np.array_equal(got, want)
    finally:
        stop.set()
        t.join()
        tp.set_num_threads(0)


def test_counts_merged_from_threads_equal_one_count(corpus):
    pipe = tp.Pipeline()
    parts = [corpus[i::6] for i in range(6)]
    with ThreadPoolExecutor(max_workers=6) as ex:
        counts = list(ex.map(pipe.count, parts))
    total = tp.Counts()
    for c in counts:
        total.merge(c)
    assert total.to_json() == pipe.count(corpus).to_json()
