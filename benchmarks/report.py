"""Measure textprep against its peers on the same corpus and print paste-ready Markdown tables.

    python benchmarks/report.py [--corpus PATH] [--lines N] [--cap SECONDS] [--only TEXT] [--json out.json]
                                [--tasks tokenize,presets,fit,encode,hashing,vectors] [--plot out.png]

Every contender runs in its own child process (same input, same machine, one at a time): setup (not timed),
a probe run on a spread slice (warm-up and time estimate), then the timed runs with the garbage collector off:
best of 10 or 3 when a run is short, otherwise 1. A contender whose estimated run on the whole input exceeds
``--cap`` seconds is measured on a spread slice sized to the cap and reported as such. The runner is
``textprep.bench`` (the same code as ``textprep bench``); this script adds the Markdown output.

Progress goes to stderr; stdout is the Markdown report.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from textprep.bench import TASKS, Unavailable, markdown, plot, run


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--corpus", help="corpus file (.txt or .txt.xz); default ../shared/data/bench/en_natural.txt.xz"
    )
    ap.add_argument("--lines", type=int, help="use N lines spread over the corpus (default: all)")
    ap.add_argument("--tasks", default=",".join(TASKS), help="comma-separated subset (default: all)")
    ap.add_argument("--cap", type=float, default=12.0, help="seconds one timed run may take (default 12)")
    ap.add_argument("--only", help="only contenders whose name contains this (case-insensitive)")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--plot", help="also write a bar chart (PNG) here")
    args = ap.parse_args(argv)

    os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        ap.error(f"unknown task(s) {unknown}; choose from {list(TASKS)}")
    corpus = Path(args.corpus).resolve() if args.corpus else None
    cmd = "python benchmarks/report.py" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:])
    )
    try:
        data = run(corpus, tasks, lines=args.lines, cap=args.cap, only=args.only, log=log, command=cmd)
    except Unavailable as e:
        log(f"report.py: {e}")
        return 2
    print(markdown(data))
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2))
    if args.plot:
        plot(data, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
