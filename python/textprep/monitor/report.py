"""Reports and vocabulary suggestions from a monitoring database (``textprep monitor report|suggest``).

>>> import os, tempfile, textprep as tp
>>> db = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "m.db")
>>> pipe = tp.Pipeline().fit(["the film was good"])
>>> with tp.Monitor(pipe, sink=db, min_tokens=1) as mon:
...     _ = mon.encode_batch(["the selfie was a good selfie"])
>>> print(report(db).splitlines()[0])
window start (UTC)    instances  docs  tokens  OOV rate  trunc.  JS     PSI    alert
>>> suggest(db, min_count=2)
[('selfie', 2, 1)]
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from typing import Any

from ..pipeline import Counts
from .sinks import read_unseen, read_windows


def _merge_instances(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per window start: sums over instances, rates recomputed, JS/PSI the largest, alert if any."""
    by: dict[float, dict[str, Any]] = {}
    for r in rows:
        m = by.setdefault(
            float(r["window_start"]),
            {
                "window_start": float(r["window_start"]),
                "window_end": float(r["window_end"]),
                "instances": 0,
                "docs": 0,
                "tokens": 0,
                "oov_tokens": 0,
                "truncated_docs": 0,
                "js": None,
                "psi": None,
                "alert": False,
            },
        )
        m["instances"] += 1
        for k in ("docs", "tokens", "oov_tokens", "truncated_docs"):
            m[k] += int(r[k])
        for k in ("js", "psi"):
            if r[k] is not None:
                m[k] = float(r[k]) if m[k] is None else max(m[k], float(r[k]))
        m["alert"] = m["alert"] or bool(r["alert"])
    out = sorted(by.values(), key=lambda m: m["window_start"])
    for m in out:
        m["oov_rate"] = m["oov_tokens"] / m["tokens"] if m["tokens"] else 0.0
        m["truncation_rate"] = m["truncated_docs"] / m["docs"] if m["docs"] else 0.0
    return out


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def report(
    db: str,
    png: str | os.PathLike[str] | None = None,
    fingerprint: str | None = None,
    since: float | None = None,
    last: int | None = 50,
    top: int = 20,
) -> str:
    """A text table of the windows (instances merged; the ``last`` ones), totals and the ``top`` unseen tokens;
    with ``png``, a figure of the OOV rate and JS distance over time (alerts marked) and the top unseen tokens.
    """
    windows = _merge_instances(read_windows(db, fingerprint=fingerprint, since=since))
    unseen = read_unseen(db, fingerprint=fingerprint, since=since, limit=top)
    lines = ["window start (UTC)    instances  docs  tokens  OOV rate  trunc.  JS     PSI    alert"]
    for w in windows[-last:] if last else windows:
        lines.append(
            f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(w['window_start']))}  {w['instances']:>9}  "
            f"{w['docs']:>4}  {w['tokens']:>6}  {w['oov_rate']:>8.4f}  {w['truncation_rate']:>6.3f}  "
            f"{_fmt(w['js']):<5}  {_fmt(w['psi']):<5}  {'ALERT' if w['alert'] else ''}"
        )
    docs = sum(w["docs"] for w in windows)
    tokens = sum(w["tokens"] for w in windows)
    oov = sum(w["oov_tokens"] for w in windows)
    alerts = sum(1 for w in windows if w["alert"])
    lines.append(
        f"total: {len(windows)} windows, {docs} documents, {tokens} tokens, OOV rate "
        f"{oov / tokens if tokens else 0.0:.4f}, {alerts} alerting window(s)"
    )
    if unseen:
        lines.append("top unseen tokens: " + ", ".join(f"{t} ({tf})" for t, tf, _ in unseen))
    if png is not None:
        _plot(windows, unseen, os.fspath(png))
        lines.append(f"wrote {os.fspath(png)}")
    return "\n".join(lines)


def _plot(windows: list[dict[str, Any]], unseen: Sequence[tuple[str, int, int]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(9, 9), constrained_layout=True)
    t0 = windows[0]["window_start"] if windows else 0.0
    xs = [(w["window_start"] - t0) / 60.0 for w in windows]
    axes[0].plot(xs, [w["oov_rate"] for w in windows], marker=".")
    axes[0].set_ylabel("OOV rate")
    axes[0].set_title("OOV rate per window")
    js = [w["js"] if w["js"] is not None else float("nan") for w in windows]
    axes[1].plot(xs, js, marker=".", label="JS distance")
    al = [(x, j) for x, j, w in zip(xs, js, windows, strict=True) if w["alert"]]
    if al:
        axes[1].scatter([a[0] for a in al], [a[1] for a in al], color="red", zorder=3, label="alert")
    axes[1].set_ylabel("JS distance")
    axes[1].set_xlabel("minutes since the first window")
    axes[1].legend(loc="upper left")
    axes[1].set_title("Divergence from the training counts")
    if unseen:
        toks = [t for t, _, _ in unseen][::-1]
        axes[2].barh(range(len(toks)), [tf for _, tf, _ in unseen][::-1])
        axes[2].set_yticks(range(len(toks)), toks)
    axes[2].set_title("Most frequent unseen tokens")
    axes[2].set_xlabel("occurrences")
    fig.savefig(path, dpi=90)
    plt.close(fig)


def suggest(
    db: str, min_count: int = 5, top: int = 100, fingerprint: str | None = None, since: float | None = None
) -> list[tuple[str, int, int]]:
    """Unseen tokens seen at least ``min_count`` times in the database, most frequent first (``(token, tf,
    df)``), at most ``top``: candidates for ``Pipeline.extend_vocab`` via :func:`suggest_counts`."""
    rows = read_unseen(db, fingerprint=fingerprint, since=since, limit=top)
    return [r for r in rows if r[1] >= min_count]


def suggest_counts(rows: Sequence[tuple[str, int, int]], n_docs: int | None = None) -> Counts:
    """``textprep.Counts`` holding the suggested tokens (``n_docs``: documents they were counted over, default
    the largest df), ready for ``pipe.extend_vocab(counts)``; existing ids never change.

    >>> import textprep as tp
    >>> pipe = tp.Pipeline().fit(["old words"])
    >>> pipe.extend_vocab(suggest_counts([("selfie", 7, 5)]))
    1
    >>> pipe.vocab["selfie"]
    4
    """
    entries = sorted((str(t), int(tf), int(df)) for t, tf, df in rows)
    n = n_docs if n_docs is not None else max((df for _, _, df in entries), default=0)
    doc = {
        "format": "textprep.counts",
        "format_version": 1,
        "n_docs": int(n),
        "pruned_max": 0,
        "pruned_df_max": 0,
        "tokens": [list(e) for e in entries],
    }
    return Counts.from_json(json.dumps(doc))


__all__ = ["report", "suggest", "suggest_counts"]
