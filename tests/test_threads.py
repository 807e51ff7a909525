"""Threads, fork and Ctrl-C: identical output at any thread count, shared pipelines, forked children, interrupts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import textprep as tp


def corpus(n_docs: int = 20_000) -> list[str]:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(5000)] + ["The", "Straße", "ﬁne", "日本", "naïve", "don't", "!"]
    idx = rng.integers(0, len(words), size=(n_docs, 12))
    return [" ".join(words[j] for j in row) for row in idx]


@pytest.fixture(scope="module")
def big() -> list[str]:
    docs = corpus()
    assert sum(map(len, docs)) > 1_000_000  # above the serial threshold, so the pool is used
    return docs


def test_output_identical_at_any_thread_count(big):
    results = []
    for n in (1, 2, 3):
        tp.set_num_threads(n)
        pipe = tp.Pipeline(max_tokens=3000, maxlen=8).fit(big)
        results.append(
            (pipe.vocab.tokens, pipe(big), pipe.tokenize_batch(big[:2000]), pipe.encode_ragged(big)[0])
        )
    tp.set_num_threads(0)
    for other in results[1:]:
        assert other[0] == results[0][0]
        assert np.array_equal(other[1], results[0][1])
        assert other[2] == results[0][2]
        assert np.array_equal(other[3], results[0][3])


def test_env_var_sets_threads():
    code = "import textprep as tp; print(tp.get_num_threads())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "TEXTPREP_NUM_THREADS": "3"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "3"


def test_set_num_threads_validates():
    with pytest.raises(tp.ConfigError):
        tp.set_num_threads(-1)


def test_one_pipeline_shared_by_many_threads(big):
    pipe = tp.Pipeline(maxlen=8).fit(big)
    chunks = [big[i : i + 1500] for i in range(0, 12_000, 1500)]
    expected = [pipe(c) for c in chunks]
    with ThreadPoolExecutor(max_workers=8) as ex:
        got = list(ex.map(pipe, chunks * 3))
    for i, g in enumerate(got):
        assert np.array_equal(g, expected[i % len(chunks)])


def test_refit_while_other_threads_encode(big):
    pipe = tp.Pipeline(maxlen=8).fit(big[:5000])
    errors: list[BaseException] = []

    def encode_loop():
        try:
            for _ in range(5):
                out = pipe(big[:3000])
                assert out.shape == (3000, 8)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    with ThreadPoolExecutor(max_workers=4) as ex:
        futures = [ex.submit(encode_loop) for _ in range(3)]
        for _ in range(3):
            tp.Pipeline(maxlen=8).fit(big[:4000])
            pipe.fit(big[:6000])
        for f in futures:
            f.result()
    assert not errors


FORK_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import textprep as tp
    docs = [f"w{i % 997} x{i % 13} some more words" for i in range(60_000)]
    tp.set_num_threads(2)
    pipe = tp.Pipeline(maxlen=6).fit(docs)
    parent = pipe(docs)
    pid = os.fork()
    if pid == 0:
        child = pipe(docs)
        os._exit(0 if (child == parent).all() else 3)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is not available on this platform")
def test_fork_after_use_completes_in_child():
    proc = subprocess.run([sys.executable, "-c", FORK_SCRIPT], timeout=120, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


INTERRUPT_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import textprep as tp
    docs = ["the quick brown fox jumps over the lazy dog " * 20] * 400_000   # ~ 350 MB of text
    pipe = tp.Pipeline()
    print("ready", flush=True)
    try:
        pipe.count(docs * 4)
    except KeyboardInterrupt:
        print("interrupted", time.monotonic(), flush=True)
        sys.exit(0)
    print("finished", flush=True)
    sys.exit(5)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_ctrl_c_interrupts_a_long_call_quickly():
    proc = subprocess.Popen(
        [sys.executable, "-c", INTERRUPT_SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.0)  # inside the long call by now
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (out, err)
    assert out.startswith("interrupted"), (out, err)
    reaction = float(out.split()[1]) - sent
    assert reaction < 1.0, f"KeyboardInterrupt surfaced after {reaction:.2f} s"
