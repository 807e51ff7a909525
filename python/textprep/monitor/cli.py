"""``textprep monitor report|suggest``: read what ``textprep serve --monitor URL`` (or a ``Monitor``) wrote.

``report`` prints the windows (OOV rate, truncation, JS/PSI, alerts), totals and the top unseen tokens, and with
``--png`` draws them. ``suggest`` lists unseen tokens seen at least ``--min-count`` times; with ``--pipeline`` and
``--out`` it appends them to the vocabulary (``Pipeline.extend_vocab``: existing ids never change) and saves the
new pipeline. For a Keras model, grow its embedding table to match with
``tp.keras.grow_embeddings(model, pipe_before, pipe_after)`` (old rows and predictions unchanged).
"""

from __future__ import annotations

import argparse
from typing import Any


def add_monitor_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``textprep monitor report|suggest`` on the main parser's subcommands."""
    m = sub.add_parser("monitor", help="reports and vocabulary suggestions from a monitoring database")
    msub = m.add_subparsers(dest="monitor_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", required=True, metavar="URL", help="sqlite:///file.db or postgresql://...")
        p.add_argument("--fingerprint", help="only windows of this pipeline fingerprint")
        p.add_argument("--since", type=float, help="only windows starting at or after this epoch time")

    r = msub.add_parser("report", help="table (and PNG) of OOV rate and drift over time, top unseen tokens")
    common(r)
    r.add_argument("--png", help="also draw the report into this PNG file")
    r.add_argument("--last", type=int, default=50, help="windows to list (default 50; 0 = all)")
    r.add_argument("--top", type=int, default=20, help="unseen tokens to list")
    r.set_defaults(func=cmd_report)

    s = msub.add_parser("suggest", help="unseen tokens frequent enough to add to the vocabulary")
    common(s)
    s.add_argument("--min-count", type=int, default=5, help="least occurrences (default 5)")
    s.add_argument("--top", type=int, default=100, help="at most this many tokens (default 100)")
    s.add_argument("--pipeline", help="a saved pipeline to extend with the suggestions")
    s.add_argument("--out", help="where to save the extended pipeline (with --pipeline)")
    s.set_defaults(func=cmd_suggest)
    return m


def cmd_report(args: argparse.Namespace) -> int:
    """Print the report (and write the PNG)."""
    from .report import report

    print(
        report(
            args.db,
            png=args.png,
            fingerprint=args.fingerprint,
            since=args.since,
            last=args.last,
            top=args.top,
        )
    )
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    """Print the suggestions; with ``--pipeline``/``--out``, extend and save."""
    from ..pipeline import Pipeline
    from .report import suggest, suggest_counts

    if bool(args.pipeline) != bool(args.out):
        raise ValueError("--pipeline and --out go together (the pipeline to extend and where to save it)")
    pipe = Pipeline.load(args.pipeline) if args.pipeline else None
    fingerprint = args.fingerprint or (pipe.fingerprint if pipe is not None else None)
    rows = suggest(args.db, min_count=args.min_count, top=args.top, fingerprint=fingerprint, since=args.since)
    print(f"{len(rows)} unseen token(s) seen at least {args.min_count} times")
    for t, tf, df in rows:
        print(f"{t}\t{tf}\t{df}")
    if pipe is not None:
        before = pipe.id_space
        added = pipe.extend_vocab(suggest_counts(rows))
        pipe.save(args.out)
        print(
            f"added {added} token(s): ids {before}..{pipe.id_space - 1} -> {args.out} (existing ids unchanged; "
            "for a Keras model: tp.keras.grow_embeddings(model, pipe_before, pipe_after))"
        )
    return 0


__all__ = ["add_monitor_parser", "cmd_report", "cmd_suggest"]
