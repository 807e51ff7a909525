"""Monitoring after deployment: OOV rate, unseen tokens, truncation, lengths and drift from the training counts per
time window, gathered by the engine while it encodes, written to SQLite, PostgreSQL or JSON lines off the request
path; reports and vocabulary suggestions from what was written.

>>> import textprep as tp
>>> pipe = tp.Pipeline().fit(["the film was good", "the film was bad"])
>>> with tp.Monitor(pipe, sink=None) as mon:
...     _ = mon.encode_batch(["the selfie was good", "the selfie"])
...     row = mon.roll()
>>> round(row.oov_rate, 3), mon.top_unseen(1)
(0.333, [('selfie', 2, 2)])
"""

from __future__ import annotations

from .core import LENGTH_EDGES, Monitor, RowStats
from .drift import Reference, js_distance, psi
from .report import report, suggest, suggest_counts
from .sinks import (
    JSONLinesSink,
    PostgresSink,
    SampleRow,
    SQLiteSink,
    UnseenRow,
    WindowRow,
    open_sink,
    read_jsonl,
    read_unseen,
    read_windows,
)
from .writer import BackgroundWriter

__all__ = [
    "LENGTH_EDGES",
    "BackgroundWriter",
    "JSONLinesSink",
    "Monitor",
    "PostgresSink",
    "Reference",
    "RowStats",
    "SQLiteSink",
    "SampleRow",
    "UnseenRow",
    "WindowRow",
    "js_distance",
    "open_sink",
    "psi",
    "read_jsonl",
    "read_unseen",
    "read_windows",
    "report",
    "suggest",
    "suggest_counts",
]
