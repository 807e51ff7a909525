"""``Monitor``: what arrives after deployment, per time window, measured by the engine while it encodes.

Each encode call through the monitor is one engine pass that returns the ids and, alongside, tokens and OOV
tokens per document, counts of the top-K training ids and the unseen token texts (``encode_batch_stats`` in the
engine). The monitor adds them into the current window; when the window closes it computes the OOV and truncation
rates, the length histogram, the most frequent unseen tokens and the divergence from the training counts
(Jensen-Shannon and PSI, ``textprep.monitor.drift``), raises an alert above the threshold, and hands the rows to a
background writer (``textprep.monitor.writer``) that writes them to the sink without ever blocking the caller.

The divergence needs the training term frequencies (tf). A pipeline keeps them in memory after ``fit``; a saved
artifact keeps them only when fitted with ``keep_counts=True`` (document frequencies are always saved). Without
tf the monitor still reports OOV, truncation, lengths and unseen tokens, and says ``divergence unavailable``.

>>> import textprep as tp
>>> pipe = tp.Pipeline(maxlen=8).fit(["the cat sat on the mat", "the dog sat"])
>>> mon = tp.Monitor(pipe, sink=None, window_seconds=60)
>>> mon.encode_batch(["the cat", "a zebra sat"]).ids.tolist()[1][:3]
[1, 1, 3]
>>> _ = mon.encode_batch(["the cat"])
>>> w = mon.roll()
>>> w.docs, w.tokens, w.oov_tokens, [t for t, _, _ in mon.top_unseen()]
(3, 7, 2, ['a', 'zebra'])
>>> mon.close()
True
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConfigError, NotFittedError
from ..pipeline import Batch, Counts, Pipeline, as_text_list
from .drift import Reference, js_distance, psi
from .sinks import Row, SampleRow, Sink, UnseenRow, WindowRow, open_sink
from .writer import BackgroundWriter

log = logging.getLogger("textprep.monitor")

#: Lower edges of the length histogram bins (tokens per document, before truncation); the last bin is open.
LENGTH_EDGES = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)


@dataclass
class RowStats:
    """Per-document statistics of one monitored call (before truncation).

    >>> RowStats(np.array([3]), np.array([1])).n_oov.tolist()
    [1]
    """

    n_tokens: np.ndarray
    n_oov: np.ndarray


class _Window:
    __slots__ = (
        "docs",
        "hist",
        "id_counts",
        "oov",
        "other",
        "samples",
        "start",
        "tokens",
        "truncated",
        "unseen",
    )

    def __init__(self, start: float, id_limit: int, unseen_cap: int | None) -> None:
        self.start = start
        self.docs = 0
        self.tokens = 0
        self.oov = 0
        self.truncated = 0
        self.other = 0
        self.hist = np.zeros(len(LENGTH_EDGES), dtype=np.int64)
        self.id_counts = np.zeros(id_limit, dtype=np.int64)
        self.unseen = Counts().set_cap(unseen_cap)
        self.samples: list[SampleRow] = []


def _instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Monitor:
    """Window statistics of the text a deployed pipeline encodes, written to ``sink`` off the request path.

    - ``sink``: ``"sqlite:///textprep-monitor.db"`` (default, a file), ``"postgresql://user@host/db"``,
      ``"jsonl:///path.jsonl"``, a sink object, or None (keep windows in memory only).
    - ``window_seconds``: length of a window (aligned to the epoch: 60 gives whole minutes).
    - ``top_k``: training tokens with their own divergence bin (plus "rest of the vocabulary" and "OOV").
    - ``js_threshold`` / ``psi_threshold``: the alert fires when a window with at least ``min_tokens`` tokens
      exceeds either (None disables one). The JS distance of a window from the training counts has a floor set
      by sampling noise (fewer tokens per window, higher floor): ``calibrate`` measures it on held-out text.
    - ``reference_oov_rate``: the OOV share expected on held-out text (``calibrate`` measures it).
    - ``unseen_cap``: distinct unseen tokens kept per window (space-saving counts, mergeable);
      ``top_unseen``: how many of them are written per window.
    - ``sample_rate``: share of documents whose text is logged (0 = none). Logged text may hold personal data:
      see SECURITY.md before turning it on. ``outlier_oov``: also log documents (at least 4 tokens) whose OOV
      share is at least this (None = off); ``max_samples_per_window`` bounds both.
    - ``max_buffer``: rows waiting for the sink (oldest dropped first, counted in ``metrics()``).
    - ``on_alert``: called with the ``WindowRow`` of each alerting window (from the closing thread).

    >>> import textprep as tp
    >>> pipe = tp.Pipeline().fit(["a b c"])
    >>> with tp.Monitor(pipe, sink=None) as mon:
    ...     mon.encode_batch(["a b", "x y"]).lengths.tolist()
    [2, 2]
    """

    def __init__(
        self,
        pipe: Pipeline,
        sink: str | Sink | None = "sqlite:///textprep-monitor.db",
        *,
        window_seconds: float = 60.0,
        top_k: int = 100,
        js_threshold: float | None = 0.2,
        psi_threshold: float | None = None,
        min_tokens: int = 1000,
        reference_oov_rate: float = 0.0,
        unseen_cap: int | None = 10_000,
        top_unseen: int = 100,
        sample_rate: float = 0.0,
        outlier_oov: float | None = None,
        max_samples_per_window: int = 100,
        sample_max_chars: int = 2000,
        max_buffer: int = 100_000,
        instance: str | None = None,
        on_alert: Callable[[WindowRow], Any] | None = None,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
    ) -> None:
        if not isinstance(pipe, Pipeline):
            raise TypeError(f"Monitor expects a textprep.Pipeline, got {type(pipe).__name__}")
        if not pipe.is_fitted:
            raise NotFittedError(
                "Monitor: the pipeline has no vocabulary yet; call fit() first or use hashing"
            )
        if not (isinstance(window_seconds, int | float) and window_seconds > 0):
            raise ConfigError(f"window_seconds must be a positive number, got {window_seconds!r}")
        if not (isinstance(top_k, int) and top_k >= 1):
            raise ConfigError(f"top_k must be an int >= 1, got {top_k!r}")
        if not (isinstance(sample_rate, int | float) and 0.0 <= sample_rate <= 1.0):
            raise ConfigError(f"sample_rate must be in [0, 1], got {sample_rate!r}")
        if not (0.0 <= reference_oov_rate < 1.0):
            raise ConfigError(f"reference_oov_rate must be in [0, 1), got {reference_oov_rate!r}")
        if outlier_oov is not None and not (0.0 < outlier_oov <= 1.0):
            raise ConfigError(f"outlier_oov must be in (0, 1] or None, got {outlier_oov!r}")
        self.pipe = pipe
        self.fingerprint = pipe.fingerprint
        self.window_seconds = float(window_seconds)
        self.js_threshold = js_threshold
        self.psi_threshold = psi_threshold
        self.min_tokens = int(min_tokens)
        self.unseen_cap = unseen_cap
        self.top_unseen_n = int(top_unseen)
        self.sample_rate = float(sample_rate)
        self.outlier_oov = outlier_oov
        self.max_samples_per_window = int(max_samples_per_window)
        self.sample_max_chars = int(sample_max_chars)
        self.instance = instance or _instance_name()
        self.on_alert = on_alert
        self._clock = clock
        self._rng = random.Random(seed)
        self._maxlen = pipe.config["encode"]["maxlen"]
        self._lock = threading.Lock()
        # divergence reference: the first ids after the OOV buckets are the most frequent training tokens
        self._hashed = bool(pipe._core.is_hashed())
        self._first = 0
        self.reference: Reference | None = None
        self.reference_source = "none"
        if not self._hashed:
            self._first = 1 + pipe.vocab.num_oov_buckets
            tf, _df, _n = pipe._core.vocab_stats()
            k = min(top_k, len(tf))
            if tf.sum() > 0:
                self.reference = Reference(
                    tf[:k].astype(np.int64), int(tf[k:].sum()), float(reference_oov_rate)
                )
                self.reference_source = "tf"
            else:
                log.warning(
                    "Monitor: the pipeline has no training term frequencies (loaded from an artifact saved "
                    "without keep_counts=True); divergence is unavailable, OOV and unseen tokens still work"
                )
        self.top_k = 0 if self.reference is None else len(self.reference.top)
        self._id_limit = self._first + self.top_k if not self._hashed else 0
        self._window = _Window(self._align(clock()), self._id_limit, unseen_cap)
        self._history: deque[WindowRow] = deque(maxlen=10_000)
        self._unseen_total = Counts().set_cap(unseen_cap)
        self._totals = {
            "docs": 0,
            "tokens": 0,
            "oov_tokens": 0,
            "truncated_docs": 0,
            "windows": 0,
            "alerts": 0,
        }
        self._sink = open_sink(sink) if sink is not None else None
        self._writer = (
            BackgroundWriter(self._sink, max_buffer=max_buffer, tick=self._tick, tick_seconds=1.0)
            if self._sink is not None
            else None
        )
        self._closed = False

    # -- encoding --------------------------------------------------------------------------------------------
    def _align(self, now: float) -> float:
        return math.floor(now / self.window_seconds) * self.window_seconds

    def encode_with_stats(
        self, texts: Iterable[str], maxlen: int | None = None, longest: bool = False, sample: bool = True
    ) -> tuple[Batch, RowStats]:
        """``encode_batch`` plus the per-document statistics of the same engine pass (the server uses it to
        log predictions next to inputs). ``longest=True`` pads to the longest row, ignoring the config's maxlen.

        >>> import textprep as tp
        >>> mon = tp.Monitor(tp.Pipeline().fit(["a"]), sink=None)
        >>> b, s = mon.encode_with_stats(["a b b"])
        >>> b.ids.tolist(), s.n_oov.tolist()
        ([[2, 1, 1]], [2])
        """
        items = as_text_list(texts)
        if maxlen is not None and (not isinstance(maxlen, int) or maxlen < 1):
            raise ConfigError(f"maxlen must be a positive int or None, got {maxlen!r}")
        ids, lengths, n_tokens, n_oov, id_counts, other, unseen = self.pipe._core.encode_batch_stats(
            items, maxlen, longest, self._id_limit, not self._hashed, self.unseen_cap
        )
        stats = RowStats(n_tokens, n_oov)
        self._observe(items, stats, id_counts, int(other), unseen, sample)
        return Batch(ids=ids, lengths=lengths), stats

    def encode_batch(self, texts: Iterable[str], maxlen: int | None = None) -> Batch:
        """``pipe.encode_batch(texts, maxlen)`` (identical ids), recording the window statistics.

        >>> import textprep as tp
        >>> pipe = tp.Pipeline().fit(["a b"])
        >>> mon = tp.Monitor(pipe, sink=None)
        >>> (mon.encode_batch(["b a c"]).ids == pipe.encode_batch(["b a c"]).ids).all()
        np.True_
        """
        return self.encode_with_stats(texts, maxlen)[0]

    def __call__(self, texts: Iterable[str]) -> np.ndarray:
        """``encode_batch(texts).ids``, like ``Pipeline.__call__``."""
        return self.encode_batch(texts).ids

    def observe(self, texts: Iterable[str]) -> RowStats:
        """Record the statistics of ``texts`` without keeping ids (for outputs the engine makes in another call,
        such as bags or tokens).

        >>> import textprep as tp
        >>> tp.Monitor(tp.Pipeline().fit(["a"]), sink=None).observe(["a b"]).n_tokens.tolist()
        [2]
        """
        items = as_text_list(texts)
        _ids, _l, n_tokens, n_oov, id_counts, other, unseen = self.pipe._core.encode_batch_stats(
            items, 1, False, self._id_limit, not self._hashed, self.unseen_cap
        )
        stats = RowStats(n_tokens, n_oov)
        self._observe(items, stats, id_counts, int(other), unseen, True)
        return stats

    def _observe(
        self, texts: list[str], stats: RowStats, id_counts: np.ndarray, other: int, unseen: Any, sample: bool
    ) -> None:
        n = len(texts)
        if n == 0:
            return
        n_tokens = stats.n_tokens
        tokens = int(n_tokens.sum())
        oov = int(stats.n_oov.sum())
        truncated = int((n_tokens > self._maxlen).sum()) if self._maxlen else 0
        bins = np.searchsorted(LENGTH_EDGES, n_tokens, side="right") - 1
        hist = np.bincount(bins, minlength=len(LENGTH_EDGES))
        picks = self._pick_samples(texts, stats) if sample else []
        now = self._clock()
        done = None
        with self._lock:
            if self._closed:
                return
            w = self._window
            if now >= w.start + self.window_seconds:
                done, w = w, _Window(self._align(now), self._id_limit, self.unseen_cap)
                self._window = w
            w.docs += n
            w.tokens += tokens
            w.oov += oov
            w.truncated += truncated
            w.other += other
            w.hist += hist
            if self._id_limit:
                w.id_counts += id_counts.astype(np.int64)
            if oov:
                w.unseen._core.merge(unseen)
            room = self.max_samples_per_window - len(w.samples)
            if picks and room > 0:
                w.samples.extend(self._sample_row(texts[i], stats, i, kind, now) for i, kind in picks[:room])
        if done is not None:
            self._finish(done)

    def _pick_samples(self, texts: list[str], stats: RowStats) -> list[tuple[int, str]]:
        picks: list[tuple[int, str]] = []
        if self.sample_rate > 0:
            picks += [(i, "sample") for i in range(len(texts)) if self._rng.random() < self.sample_rate]
        if self.outlier_oov is not None:
            nt, no = stats.n_tokens, stats.n_oov
            share = no / np.maximum(nt, 1)
            picks += [(int(i), "outlier") for i in np.flatnonzero((nt >= 4) & (share >= self.outlier_oov))]
        return picks

    def _sample_row(
        self, text: str, stats: RowStats, i: int, kind: str, now: float, prediction: Any = None
    ) -> SampleRow:
        return SampleRow(
            sample_id=uuid.uuid4().hex,
            ts=now,
            fingerprint=self.fingerprint,
            instance=self.instance,
            text=text[: self.sample_max_chars],
            prediction=None if prediction is None else json.dumps(prediction),
            n_tokens=int(stats.n_tokens[i]),
            n_oov=int(stats.n_oov[i]),
            kind=kind,
        )

    def log_predictions(self, texts: list[str], predictions: Any, stats: RowStats) -> int:
        """Sample (at ``sample_rate``) inputs with their predictions (JSON-serializable rows); returns how many
        were logged.

        >>> import textprep as tp
        >>> mon = tp.Monitor(tp.Pipeline().fit(["a"]), sink=None, sample_rate=1.0)
        >>> b, s = mon.encode_with_stats(["a"], sample=False)
        >>> mon.log_predictions(["a"], [[0.9]], s)
        1
        """
        if self.sample_rate <= 0:
            return 0
        now = self._clock()
        preds = np.asarray(predictions).tolist() if not isinstance(predictions, list) else predictions
        rows = [
            self._sample_row(t, stats, i, "prediction", now, preds[i])
            for i, t in enumerate(texts)
            if self._rng.random() < self.sample_rate
        ]
        with self._lock:
            room = self.max_samples_per_window - len(self._window.samples)
            rows = rows[: max(0, room)]
            self._window.samples.extend(rows)
        return len(rows)

    # -- windows ---------------------------------------------------------------------------------------------
    def _tick(self) -> None:
        """Close the current window when its time is up (called by the writer thread about once a second, so an
        idle server still writes its last window)."""
        now = self._clock()
        done = None
        with self._lock:
            w = self._window
            if w.docs and now >= w.start + self.window_seconds:
                done = w
                self._window = _Window(self._align(now), self._id_limit, self.unseen_cap)
        if done is not None:
            self._finish(done)

    def roll(self) -> WindowRow | None:
        """Close the current window now (whatever its age) and return its row (None when it saw no documents).

        >>> import textprep as tp
        >>> mon = tp.Monitor(tp.Pipeline().fit(["a"]), sink=None)
        >>> mon.roll() is None
        True
        """
        now = self._clock()
        with self._lock:
            done = self._window
            self._window = _Window(self._align(now), self._id_limit, self.unseen_cap)
        return self._finish(done) if done.docs else None

    def divergence(self, w: _Window) -> tuple[float | None, float | None]:
        """(JS distance, PSI) of a window's token distribution from the reference (None without training tf)."""
        if self.reference is None or not w.tokens:
            return None, None
        oov = w.oov
        top = w.id_counts[self._first : self._first + self.top_k]
        rest = w.tokens - oov - int(top.sum())
        p = self.reference.probs
        q = self.reference.live(top, rest, oov)
        return js_distance(p, q), psi(p, q)

    def _finish(self, w: _Window) -> WindowRow:
        js, ps = self.divergence(w)
        enough = w.tokens >= self.min_tokens
        alert = bool(
            enough
            and (
                (js is not None and self.js_threshold is not None and js > self.js_threshold)
                or (ps is not None and self.psi_threshold is not None and ps > self.psi_threshold)
            )
        )
        hist = [[int(e), int(c)] for e, c in zip(LENGTH_EDGES, w.hist, strict=True) if c]
        row = WindowRow(
            start=w.start,
            end=w.start + self.window_seconds,
            fingerprint=self.fingerprint,
            instance=self.instance,
            docs=w.docs,
            tokens=w.tokens,
            oov_tokens=w.oov,
            truncated_docs=w.truncated,
            js=js,
            psi=ps,
            alert=alert,
            length_hist=json.dumps(hist),
        )
        unseen = w.unseen.most_common(self.top_unseen_n)
        rows: list[Row] = [row]
        rows += [UnseenRow(w.start, self.fingerprint, self.instance, t, tf, df) for t, tf, df in unseen]
        rows += w.samples
        with self._lock:
            self._history.append(row)
            self._unseen_total.merge(w.unseen)
            for key, v in (
                ("docs", w.docs),
                ("tokens", w.tokens),
                ("oov_tokens", w.oov),
                ("truncated_docs", w.truncated),
                ("windows", 1),
                ("alerts", int(alert)),
            ):
                self._totals[key] += v
        if alert:
            log.warning(
                "drift alert: window %s, JS %.3f (threshold %s), PSI %.3f, OOV rate %.3f",
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(w.start)),
                js if js is not None else float("nan"),
                self.js_threshold,
                ps if ps is not None else float("nan"),
                row.oov_rate,
            )
            if self.on_alert is not None:
                try:
                    self.on_alert(row)
                except Exception:  # a failing alert hook must not break serving
                    log.exception("on_alert hook failed")
        if self._writer is not None:
            self._writer.submit(rows)
        return row

    # -- calibration -----------------------------------------------------------------------------------------
    def calibrate(
        self,
        texts: Iterable[str],
        window_docs: int = 100,
        n_windows: int = 100,
        margin: float = 1.5,
        set_threshold: bool = True,
        seed: int = 0,
    ) -> dict[str, Any]:
        """Measure, on held-out text of the training distribution (not the training text itself), the OOV share
        (it becomes ``reference_oov_rate``) and the JS distance from the reference of ``n_windows`` windows of
        ``window_docs`` documents drawn at random (with replacement): the largest times ``margin`` becomes
        ``js_threshold`` (with ``set_threshold``). Live windows should hold about ``window_docs`` documents or
        more for the threshold to fit (more documents per window, less sampling noise). Nothing is recorded in
        the monitor's windows.

        >>> import textprep as tp
        >>> pipe = tp.Pipeline().fit(["a b c d"] * 5)
        >>> tp.Monitor(pipe, sink=None).calibrate(["a b", "c e"], window_docs=1)["oov_rate"]
        0.25
        """
        items = as_text_list(texts)
        if not items:
            raise ValueError("calibrate needs held-out texts")
        if not isinstance(window_docs, int) or window_docs < 1:
            raise ConfigError(f"window_docs must be a positive int, got {window_docs!r}")
        if not isinstance(n_windows, int) or n_windows < 1:
            raise ConfigError(f"n_windows must be a positive int, got {n_windows!r}")
        core = self.pipe._core
        _i, _l, n_tokens, n_oov, _c, _o, _u = core.encode_batch_stats(items, 1, False, 0, False, None)
        tokens, oov = int(n_tokens.sum()), int(n_oov.sum())
        out: dict[str, Any] = {
            "docs": len(items),
            "tokens": tokens,
            "oov_rate": oov / tokens if tokens else 0.0,
        }
        if self.reference is None:
            return out
        self.reference = Reference(self.reference.top, self.reference.rest, out["oov_rate"])
        # one engine pass over the held-out text; windows are sums of per-document rows
        rng = np.random.default_rng(seed)
        first, k = self._first, self.top_k
        per_doc = np.zeros((len(items), k), dtype=np.int64)
        for j, t in enumerate(items):
            ids = core.encode_batch_stats([t], 1, False, self._id_limit, False, None)[4]
            per_doc[j] = ids[first : first + k]
        js_values = []
        for _ in range(n_windows):
            pick = rng.integers(0, len(items), size=window_docs)
            w = _Window(0.0, 0, None)
            w.tokens, w.oov = int(n_tokens[pick].sum()), int(n_oov[pick].sum())
            w.id_counts = np.zeros(self._id_limit, dtype=np.int64)
            w.id_counts[first : first + k] = per_doc[pick].sum(axis=0)
            js = self.divergence(w)[0]
            js_values.append(0.0 if js is None else js)
        out["js"] = js_values
        out["js_threshold"] = max(js_values) * margin
        if set_threshold:
            self.js_threshold = out["js_threshold"]
        return out

    # -- results and control ---------------------------------------------------------------------------------
    @property
    def windows(self) -> list[WindowRow]:
        """Closed windows kept in memory (the last 10,000), oldest first."""
        with self._lock:
            return list(self._history)

    def top_unseen(self, n: int | None = 20) -> list[tuple[str, int, int]]:
        """``(token, tf, df)`` of the unseen tokens over all closed windows, most frequent first.

        >>> import textprep as tp
        >>> mon = tp.Monitor(tp.Pipeline().fit(["a"]), sink=None)
        >>> _ = mon.encode_batch(["b b c"]); _ = mon.roll()
        >>> mon.top_unseen(1)
        [('b', 2, 1)]
        """
        with self._lock:
            return self._unseen_total.most_common(n)

    def unseen_counts(self) -> Counts:
        """The unseen tokens of all closed windows as ``textprep.Counts`` (for ``Pipeline.extend_vocab``)."""
        with self._lock:
            return Counts.from_json(self._unseen_total.to_json())

    def suggest(self, min_count: int = 5, max_new: int | None = None) -> list[tuple[str, int, int]]:
        """Unseen tokens seen at least ``min_count`` times, most frequent first: candidates for
        ``pipe.extend_vocab`` (see ``textprep.monitor.suggest_counts``).

        >>> import textprep as tp
        >>> mon = tp.Monitor(tp.Pipeline().fit(["a"]), sink=None)
        >>> _ = mon.encode_batch(["new new new rare"]); _ = mon.roll()
        >>> mon.suggest(min_count=2)
        [('new', 3, 1)]
        """
        return [r for r in self.top_unseen(None) if r[1] >= min_count][:max_new]

    def metrics(self) -> dict[str, Any]:
        """Totals over closed windows, the last window's rates and divergence, and the writer's counters
        (``rows_written``, ``rows_dropped``, ``rows_buffered``, ``write_errors``, ``sink_healthy``).

        >>> import textprep as tp
        >>> tp.Monitor(tp.Pipeline().fit(["a"]), sink=None).metrics()["rows_dropped"]
        0
        """
        with self._lock:
            out: dict[str, Any] = dict(self._totals)
            last = self._history[-1] if self._history else None
            current_docs = self._window.docs
        out["current_window_docs"] = current_docs
        out["last_oov_rate"] = last.oov_rate if last else None
        out["last_truncation_rate"] = last.truncation_rate if last else None
        out["last_js"] = last.js if last else None
        out["last_psi"] = last.psi if last else None
        out["last_alert"] = last.alert if last else None
        w = self._writer.stats() if self._writer is not None else {}
        out["rows_submitted"] = w.get("submitted", 0)
        out["rows_written"] = w.get("written", 0)
        out["rows_dropped"] = w.get("dropped", 0)
        out["rows_buffered"] = w.get("buffered", 0)
        out["write_errors"] = w.get("write_errors", 0)
        out["sink_healthy"] = w.get("healthy", True)
        out["sink_last_error"] = w.get("last_error")
        out["sink"] = getattr(self._sink, "url", None)
        return out

    def info(self) -> dict[str, Any]:
        """Settings (for ``/v1/info``).

        >>> import textprep as tp
        >>> tp.Monitor(tp.Pipeline().fit(["a"]), sink=None).info()["reference"]
        'tf'
        """
        return {
            "sink": getattr(self._sink, "url", None),
            "window_seconds": self.window_seconds,
            "top_k": self.top_k,
            "js_threshold": self.js_threshold,
            "psi_threshold": self.psi_threshold,
            "min_tokens": self.min_tokens,
            "reference": self.reference_source,
            "reference_oov_rate": self.reference.oov_rate if self.reference else None,
            "sample_rate": self.sample_rate,
            "instance": self.instance,
        }

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Close the current window and wait until the sink has every row (False on timeout)."""
        self.roll()
        return self._writer.flush(timeout) if self._writer is not None else True

    def close(self, timeout: float = 10.0) -> bool:
        """Close the current window, write what is buffered (retrying up to ``timeout`` seconds) and stop the
        writer; True when nothing was lost."""
        if self._closed:
            return True
        self.roll()
        with self._lock:
            self._closed = True
        return self._writer.close(timeout) if self._writer is not None else True

    def __enter__(self) -> Monitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Monitor(sink={getattr(self._sink, 'url', None)!r}, window_seconds={self.window_seconds}, "
            f"top_k={self.top_k}, js_threshold={self.js_threshold})"
        )


__all__ = ["LENGTH_EDGES", "Monitor", "RowStats"]
