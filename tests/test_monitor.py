"""textprep.monitor: engine statistics equal a recount on real text, windows, divergence, drift alerts on real data,
sinks (SQLite, JSON lines), the bounded retrying writer, sampling, report and suggest -> extend_vocab."""

from __future__ import annotations

import json
import os
import random
import sqlite3
from collections import Counter

import numpy as np
import pytest
import textprep as tp
from scipy.spatial.distance import jensenshannon
from textprep.cli import main
from textprep.monitor import (
    BackgroundWriter,
    Monitor,
    SQLiteSink,
    read_jsonl,
    read_unseen,
    read_windows,
    report,
    suggest,
    suggest_counts,
)
from textprep.monitor.sinks import UnseenRow, WindowRow, parse_url


class Clock:
    """A settable clock (windows close when it passes their end)."""

    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def rt():
    from textprep import datasets

    try:
        return datasets.load()
    except datasets.DatasetUnavailableError as e:
        pytest.skip(f"the Rotten Tomatoes data could not be obtained here: {e}")


# -- engine statistics -------------------------------------------------------------------------------------------
def test_engine_stats_equal_a_recount_on_real_text(en_lines, multi_lines):
    pipe = tp.Pipeline(maxlen=16, num_oov_buckets=3).fit(en_lines[:200])
    live = en_lines[200:] + multi_lines
    vocab = set(pipe.vocab.tokens)
    mon = Monitor(pipe, sink=None, top_k=50, unseen_cap=None)
    batch, stats = mon.encode_with_stats(live)
    want = pipe.encode_batch(live)
    assert np.array_equal(batch.ids, want.ids) and np.array_equal(batch.lengths, want.lengths)
    toks = pipe.tokenize_batch(live)
    assert stats.n_tokens.tolist() == [len(t) for t in toks]
    assert stats.n_oov.tolist() == [sum(x not in vocab for x in t) for t in toks]
    w = mon.roll()
    unseen = Counter(x for t in toks for x in t if x not in vocab)
    assert w.docs == len(live) and w.tokens == sum(map(len, toks)) and w.oov_tokens == sum(unseen.values())
    assert w.truncated_docs == sum(len(t) > 16 for t in toks)
    got = {t: tf for t, tf, _ in mon.top_unseen(None)}
    assert got == dict(unseen)
    # the top-K bins are the first ids after the OOV buckets (the most frequent training tokens)
    ids_seen = Counter(pipe.vocab[x] for t in toks for x in t if x in vocab)
    first = 1 + 3
    top = np.array([ids_seen.get(first + i, 0) for i in range(mon.top_k)])
    tf, _, _ = pipe._core.vocab_stats()
    p = np.append(tf[:50], tf[50:].sum()) / tf.sum()
    p = np.append(p, 0.0)
    q = np.concatenate([top, [w.tokens - w.oov_tokens - top.sum(), w.oov_tokens]])
    assert w.js == pytest.approx(jensenshannon(p, q / q.sum(), base=2))


def test_windows_follow_the_clock_and_the_length_histogram():
    pipe = tp.Pipeline(maxlen=3).fit(["a b c d e"])
    clock = Clock(600.0)
    mon = Monitor(pipe, sink=None, window_seconds=60, clock=clock)
    mon.encode_batch(["a", "a b c d", ""])
    clock.t = 659.0
    mon.encode_batch(["a b"])
    assert mon.windows == []
    clock.t = 660.0
    mon.encode_batch(["x"])  # opens the next window and closes the first
    (w,) = mon.windows
    assert (w.start, w.end, w.docs, w.tokens, w.truncated_docs) == (600.0, 660.0, 4, 7, 1)
    assert json.loads(w.length_hist) == [[0, 1], [1, 1], [2, 1], [4, 1]]
    assert w.truncation_rate == 0.25
    clock.t = 1000.0
    mon._tick()  # the writer thread's tick closes an idle window
    assert [x.start for x in mon.windows] == [600.0, 660.0]
    assert mon.roll() is None


def test_hashed_pipelines_are_monitored_without_divergence():
    pipe = tp.Pipeline(n_buckets=64, maxlen=2)
    mon = Monitor(pipe, sink=None)
    b = mon.encode_batch(["a b c", "d"])
    assert np.array_equal(b.ids, pipe.encode_batch(["a b c", "d"]).ids)
    w = mon.roll()
    assert (w.tokens, w.oov_tokens, w.truncated_docs, w.js) == (4, 0, 1, None)


def test_without_training_tf_divergence_is_unavailable_but_oov_works(tmp_path):
    path = tmp_path / "p.json"
    tp.Pipeline().fit(["a b"]).save(path)
    pipe = tp.Pipeline.load(path)  # keep_counts=False: the artifact has df, not tf
    mon = Monitor(pipe, sink=None)
    assert mon.reference_source == "none"
    mon.encode_batch(["a z"])
    w = mon.roll()
    assert (w.oov_tokens, w.js, w.alert) == (1, None, False)
    kept = tmp_path / "k.json"
    tp.Pipeline(keep_counts=True).fit(["a b b"]).save(kept)
    assert Monitor(tp.Pipeline.load(kept), sink=None).reference_source == "tf"


def test_bad_arguments_are_clear_errors():
    pipe = tp.Pipeline().fit(["a"])
    with pytest.raises(tp.NotFittedError):
        Monitor(tp.Pipeline(), sink=None)
    with pytest.raises(TypeError, match="Pipeline"):
        Monitor("pipe.json", sink=None)  # type: ignore[arg-type]
    for kw in ({"window_seconds": 0}, {"top_k": 0}, {"sample_rate": 2}, {"outlier_oov": 0}):
        with pytest.raises(tp.ConfigError):
            Monitor(pipe, sink=None, **kw)
    with pytest.raises(tp.ConfigError, match="unknown monitor sink"):
        Monitor(pipe, sink="mysql://x")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        Monitor(pipe, sink=None).encode_batch(["a", 3])


# -- drift on real data ------------------------------------------------------------------------------------------
def test_drift_alert_fires_within_one_window_and_stays_quiet_on_the_same_distribution(
    rt, multi_lines, sms_texts
):
    pipe = tp.Pipeline(maxlen=64).fit(rt.train_texts)
    held = rt.test_texts
    calib, stream = held[: len(held) // 2], held[len(held) // 2 :]
    clock = Clock()
    mon = Monitor(pipe, sink=None, window_seconds=60, clock=clock)
    cal = mon.calibrate(calib, window_docs=100)
    assert 0 < cal["oov_rate"] < 0.2 and mon.js_threshold == pytest.approx(1.5 * max(cal["js"]))
    rng = random.Random(0)
    for _ in range(50):  # 50 windows of the training distribution (held-out movies)
        for _ in range(10):
            mon.encode_batch(rng.sample(stream, 10))
        clock.t += 60
    mon.roll()
    assert len(mon.windows) == 50 and not any(w.alert for w in mon.windows)
    for shifted in (multi_lines, sms_texts):  # another language mix; another domain (SMS)
        mon.encode_batch(rng.sample(shifted, 100))
        clock.t += 60
        w = mon.roll()
        assert w.alert and w.js > mon.js_threshold, (w.js, mon.js_threshold)
    # a stream that switches halfway through a window alerts in that window
    mon.encode_batch(rng.sample(stream, 50) + rng.sample(multi_lines, 50))
    assert mon.roll().alert


# -- sinks and the writer ----------------------------------------------------------------------------------------
def test_sqlite_and_jsonl_sinks_hold_what_was_served(tmp_path, en_lines):
    pipe = tp.Pipeline().fit(en_lines[:300])
    db = "sqlite:///" + str(tmp_path / "m.db")
    jl = "jsonl:///" + str(tmp_path / "m.jsonl")
    clock = Clock()
    for url in (db, jl):
        with Monitor(pipe, sink=url, clock=clock, min_tokens=1, top_unseen=5, sample_rate=0.5, seed=1) as mon:
            for i in range(3):
                mon.encode_batch(en_lines[300 + 30 * i : 330 + 30 * i])
                clock.t += 60
        assert mon.metrics()["rows_dropped"] == 0
    rows = read_windows(db)
    assert [r["docs"] for r in rows] == [30, 30, 30]
    assert sum(r["tokens"] for r in rows) == sum(len(t) for t in pipe.tokenize_batch(en_lines[300:390]))
    assert 0 < len(read_unseen(db)) <= 15
    with sqlite3.connect(tmp_path / "m.db") as conn:
        samples = conn.execute("SELECT COUNT(*), MIN(kind) FROM textprep_samples").fetchone()
    assert 10 < samples[0] < 80 and samples[1] == "sample"
    tables = read_jsonl(tmp_path / "m.jsonl")
    assert [r["docs"] for r in tables["textprep_windows"]] == [30, 30, 30]
    assert len(tables["textprep_unseen"]) == 15
    assert parse_url("postgres://u@h/db") == ("postgresql", "postgres://u@h/db")


class FlakySQLite(SQLiteSink):
    """A real SQLite sink whose writes fail while ``down`` is set (as a database that went away)."""

    down = False

    def write(self, rows):
        if self.down:
            raise sqlite3.OperationalError("database is down")
        super().write(rows)


def test_writer_buffers_retries_and_counts_drops(tmp_path):
    sink = FlakySQLite(tmp_path / "w.db")
    sink.down = True
    w = BackgroundWriter(sink, max_buffer=5, backoff_initial=0.01, backoff_max=0.05)
    rows = [WindowRow(float(i), i + 1.0, "f", "i", docs=1, tokens=1) for i in range(8)]
    for r in rows:
        w.submit([r])  # never blocks, although the sink is down
    assert not w.flush(timeout=0.3)
    s = w.stats()
    assert s["dropped"] == 3 and s["buffered"] == 5 and s["write_errors"] >= 1 and not s["healthy"]
    sink.down = False
    assert w.flush(timeout=10)
    assert w.close()
    got = [r["window_start"] for r in read_windows(sink.url)]
    assert got == [3.0, 4.0, 5.0, 6.0, 7.0]  # the oldest were dropped, the rest written once
    assert w.stats()["written"] + w.stats()["dropped"] == len(rows)


def test_retried_batches_are_not_duplicated(tmp_path):
    sink = SQLiteSink(tmp_path / "d.db")
    rows = [UnseenRow(0.0, "f", "i", "tok", 3, 2), WindowRow(0.0, 1.0, "f", "i", docs=2, tokens=3)]
    sink.write(rows)
    sink.write(rows)  # a retry after an unconfirmed commit
    assert len(read_windows(sink.url)) == 1 and read_unseen(sink.url) == [("tok", 3, 2)]
    sink.close()


def test_outliers_and_prediction_samples(tmp_path):
    pipe = tp.Pipeline().fit(["the film was good", "the film was bad"])
    with Monitor(pipe, sink=None, outlier_oov=0.75, sample_rate=1.0) as mon:
        _b, s = mon.encode_with_stats(["the film was good", "das ist ein ganz anderer Satz"], sample=False)
        assert mon.log_predictions(["the film was good"], [[0.9]], s) == 1
        mon.observe(["das ist ein ganz anderer Satz", "the film"])
        win = mon._window
        kinds = sorted(x.kind for x in win.samples)
        assert kinds == ["outlier", "prediction", "sample", "sample"]
        assert json.loads(next(x for x in win.samples if x.kind == "prediction").prediction) == [0.9]


# -- report, suggest, extend_vocab ---------------------------------------------------------------------------------
def test_report_png_and_suggest_round_trip_through_extend_vocab(tmp_path, capsys, rt):
    pipe = tp.Pipeline(maxlen=32, keep_counts=True).fit(rt.train_texts[:3000])
    saved = tmp_path / "pipe.json"
    pipe.save(saved)
    db = "sqlite:///" + str(tmp_path / "m.db")
    clock = Clock()
    with Monitor(pipe, sink=db, clock=clock, min_tokens=1) as mon:
        for i in range(5):
            mon.encode_batch(rt.test_texts[200 * i : 200 * (i + 1)])
            clock.t += 60
    rows = suggest(db, min_count=3)
    assert rows and all(tf >= 3 for _, tf, _ in rows)
    exact = {t: tf for t, tf, _ in mon.suggest(min_count=1)}  # in memory: all unseen tokens, exact
    assert all(tf <= exact[t] for t, tf, _ in rows)  # the database keeps each window's top 100 only
    assert rows[0][1] == max(exact.values())
    text = report(db, png=tmp_path / "r.png")
    assert "5 windows, 1000 documents" in text and (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
    # the command line: report, then suggest feeding extend_vocab
    out = tmp_path / "pipe2.json"
    assert main(["monitor", "report", "--db", db, "--png", str(tmp_path / "c.png")]) == 0
    assert (
        main(
            [
                "monitor",
                "suggest",
                "--db",
                db,
                "--min-count",
                "3",
                "--pipeline",
                str(saved),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert f"{len(rows)} unseen token(s)" in printed and "grow_embeddings" in printed
    grown = tp.Pipeline.load(out)
    old = tp.Pipeline.load(saved)
    assert grown.vocab.tokens[: len(old.vocab.tokens)] == old.vocab.tokens  # stable ids
    new_tokens = grown.vocab.tokens[len(old.vocab.tokens) :]
    assert sorted(new_tokens) == sorted(t for t, _, _ in rows)
    sample = rt.test_texts[:200]
    a, b = old.encode_batch(sample).ids, grown.encode_batch(sample).ids
    assert np.array_equal(a[b < old.id_space], b[b < old.id_space])  # known tokens keep their ids
    assert (b >= old.id_space).any()  # former OOV tokens now have ids of their own
    # in memory, without a database
    again = tp.Pipeline.load(saved)
    assert again.extend_vocab(suggest_counts(mon.suggest(min_count=3))) == len(mon.suggest(min_count=3))


def test_report_on_an_empty_or_missing_database(tmp_path):
    with pytest.raises(FileNotFoundError):
        report("sqlite:///" + str(tmp_path / "none.db"))
    SQLiteSink(tmp_path / "e.db").write([])
    assert "0 windows" in report("sqlite:///" + str(tmp_path / "e.db"))
    assert main(["monitor", "report", "--db", "sqlite:///" + str(tmp_path / "none.db")]) == 1


def test_monitor_is_reachable_from_the_package():
    assert tp.Monitor is Monitor and tp.monitor.Monitor is Monitor
    assert os.path.basename(tp.monitor.__file__) == "__init__.py"
